#!/bin/bash
# The live view, driven through a real terminal (tmux) and read off the screen.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

if ! command -v tmux >/dev/null; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi
. "$here/tuilib.sh"
cleanup_tmux() { tm kill-server 2>/dev/null; rm -rf "$WORK"; }
trap cleanup_tmux EXIT

start 120 30 "'$PIPEVIZ' 'yes | sleep 5.4321'"
check "the live view shows the pipeline as in the notes" wait_for "(0) yes (1)"
check "stages in order: yes before sleep" bash -c \
    "tmux -L $sock capture-pane -p -t pz$session | grep -E '\(0\) yes \(1\).*\(0\) sleep \(1\)'"
check "the full pipe's fill is on its edge" wait_for "64KiB/64KiB"
check "yes is marked BLOCKED" wait_for "BLOCKED"
check "the title names the command" wait_for "yes | sleep 5.4321"
check "the hint bar is there" wait_for "q quit"
tm send-keys -t "pz$session" Enter
check "Enter opens the details with the fd table" wait_for "anon_pipe_write"
tm send-keys -t "pz$session" Enter

tm resize-window -t "pz$session" -x 40 -y 12
sleep 0.5
check "resized to 40x12 it keeps drawing" wait_for "(0) yes (1)"
tm resize-window -t "pz$session" -x 120 -y 30
sleep 0.3
check "and back to 120x30" wait_for "(0) sleep (1)"
check "pipeviz still runs after the resizes" bash -c "! tmux -L $sock capture-pane -p -t pz$session | grep -q EXIT="

tm send-keys -t "pz$session" q
check "q ends pipeviz" wait_for "EXIT="
check "q leaves no process of the pipeline running" eq "$(running 'sleep 5.4321')" ""
check "the terminal is given back (shell output after the view)" bash -c \
    "tmux -L $sock capture-pane -p -t pz$session | grep -q '^EXIT='"

# Output of the last stage is captured, not drawn over the view, and kept.
start 100 24 "'$PIPEVIZ' 'printf \"hello pane\\\\n\"; sleep 1.5'"
check "a pipeline that prints gets the output pane key" wait_for "o output"
tm send-keys -t "pz$session" o
check "the output pane shows what the last stage printed" wait_for "hello pane"
tm send-keys -t "pz$session" q
check "after quitting, the captured output reaches the terminal" wait_for "EXIT="
check "the captured line is printed once pipeviz is gone" bash -c \
    "tmux -L $sock capture-pane -p -t pz$session | grep -B3 '^EXIT=' | grep -q 'hello pane'"

# NO_COLOR: no colour, but the blocked writer still stands out in words.
start 120 30 "NO_COLOR=1 '$PIPEVIZ' 'yes | sleep 3.3'"
check "NO_COLOR: BLOCKED is still written out" wait_for "BLOCKED"
check "NO_COLOR: no colour escapes on the screen" bash -c \
    "! tmux -L $sock capture-pane -p -e -t pz$session | grep -qE $'\\e\\\\[[0-9;]*3[1-7]m'"
tm send-keys -t "pz$session" q
wait_for "EXIT=" >/dev/null

# Terminals pipeviz cannot use.
start 120 30 "TERM=dumb '$PIPEVIZ' 'echo x'"
check "TERM=dumb: falls back to text with a note" wait_for "printing text frames instead"
start 120 30 "TERM=no-such-term '$PIPEVIZ' 'touch $WORK/launched'"
check "unknown TERM: one clear error" wait_for "pipeviz: unknown terminal type 'no-such-term'"
check "unknown TERM: exit 125" wait_for "EXIT=125"
check "unknown TERM: nothing launched" test ! -e "$WORK/launched"
start 30 10 "'$PIPEVIZ' 'touch $WORK/launched'"
check "a 30x10 terminal: refused with the minimum size" wait_for "needs at"
check "a 30x10 terminal: nothing launched" test ! -e "$WORK/launched"

# Screenshot material for people: the screen with its colours.
start 120 30 "'$PIPEVIZ' 'yes | sleep 2.2'"
wait_for "BLOCKED" >/dev/null
tm capture-pane -p -e -t "pz$session" > "$WORK/screen.ansi"
check "the colour capture has the red of a blocked writer" grep -qE $'\e\\[[0-9;]*31m' "$WORK/screen.ansi"

done_testing
