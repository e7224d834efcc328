#!/bin/bash
# The live view at htop's standard, in a real terminal (tmux): every size
# from 40x12 shows '? help'; F1 opens a framed help that Esc closes and
# that scrolls where it does not fit; F10 quits; PgDn takes the selection
# along; the output pane scrolls with less's keys; a resize below 40x12
# says so and the view comes back; the clock stops when the pipeline
# ends; attached, the title is the rebuilt command line, the panel has no
# stage line and stage control says attached pipelines are never
# signalled; repeated names show their arguments; units are IEC.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

if ! command -v tmux >/dev/null; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi
. "$here/tuilib.sh"
sids=()
finish() {
	for sid in "${sids[@]}"; do
		kill -KILL -- "-$sid" 2>/dev/null
	done
	tm kill-server 2>/dev/null
	cleanup
}
trap finish EXIT
key() { tm send-keys -t "pz$session" "$@"; }
row() { screen | sed -n "$1p"; }

# The key bar ends in '? help' at every size, and nothing is cut silently.
for size in "40 12" "80 24" "120 30"; do
	set -- $size
	start "$1" "$2" "'$PIPEVIZ_BIN' 'yes | sort -R | sort | uniq -c | sort -n'"
	check "${1}x$2: the key bar ends in '? help'" wait_line '\? help *$'
	if [ "$1" = 40 ]; then
		check "${1}x$2: the cut title ends in an ellipsis, apart from the clock" \
		    wait_line '^ pipeviz  yes .*…  +[0-9.]+s '
	else
		check "${1}x$2: the whole title, apart from the clock" \
		    wait_line '^ pipeviz  yes \| sort -R \| sort \| uniq -c \| sort -n  +[0-9.]+s '
	fi
	key q
	wait_for 'EXIT=' >/dev/null
done

start 80 24 "'$PIPEVIZ_BIN' 'yes | sort -R | sort | uniq -c | sort -n'"
check "80x24: names that repeat show their arguments" wait_for '(0) sort -R (1)'
check "80x24: sizes in IEC units" wait_line '\[ *[0-9.]+(B|KiB)/64KiB\]'
key F1
check "F1 opens the help in a frame" wait_for '┌─ pipeviz keys'
check "the help's frame is closed at the bottom" wait_for '└──'
key Escape
check "Esc closes the help" bash -c "for _ in \$(seq 30); do tmux -L $sock capture-pane -p -t pz$session | grep -q 'pipeviz keys' || exit 0; sleep 0.1; done; exit 1"
key F10
check "F10 quits" wait_for 'EXIT='

# At 40x12 the help does not fit: it scrolls.
start 40 12 "'$PIPEVIZ_BIN' 'yes | sleep 600'"
wait_for '? help' >/dev/null
key '?'
check "40x12: the help fits the screen, marked as having more" wait_line '▼'
key Down Down Down Down Down Down Down Down Down Down Down
check "40x12: arrows scroll the help to its last line" wait_for 'Esc or any other'
key x
key q
wait_for 'EXIT=' >/dev/null

# A resize below the minimum says so; growing back brings the view back.
start 80 24 "'$PIPEVIZ_BIN' 'yes | sleep 600'"
wait_for '(0) yes (1)' >/dev/null
tm resize-window -t "pz$session" -x 36 -y 10
check "below 40x12 on a live resize: the too-small notice" wait_for 'pipeviz needs 40x12'
tm resize-window -t "pz$session" -x 80 -y 24
check "and back: the diagram again" wait_for '(0) yes (1)'
key q
wait_for 'EXIT=' >/dev/null

# PgDn from the first process: the selection goes along, the view moves.
chain="yes$(printf ' | cat%.0s' $(seq 30)) | sleep 600"
start 80 24 "'$PIPEVIZ_BIN' '$chain'"
wait_for '(0) yes (1)' >/dev/null
key PageDown
check "PgDn moves the view down at once (more above)" wait_for '▲'
check "PgDn: the first stage is scrolled away" bash -c "! tmux -L $sock capture-pane -p -t pz$session | grep -q '(0) yes (1)'"
key PageUp
check "PgUp comes back" wait_for '(0) yes (1)'
key q
wait_for 'EXIT=' >/dev/null

# The output pane scrolls with less's keys.
start 80 24 "'$PIPEVIZ_BIN' 'seq 300 | cat; sleep 600'"
wait_for '(0) seq (1)' >/dev/null
key o
check "o: the output pane shows the newest lines" wait_line '^ 300 *$'
key b
check "b: a page back (scrolled back, G follows)" wait_for 'scrolled back'
check "b: older lines show, the newest not" bash -c "! tmux -L $sock capture-pane -p -t pz$session | grep -qE '^ 300 *\$'"
key g
check "g: the oldest line" wait_line '^ 1 *$'
key G
check "G: the newest again" wait_line '^ 300 *$'
key q
wait_for 'EXIT=' >/dev/null

# The clock stops when the pipeline ends, and the status says it ended.
start 80 24 "'$PIPEVIZ_BIN' 'sleep 0.3 | cat'"
check "the end: ended, exit 0 in the header" wait_for 'ended, exit 0'
check "the end: the status says how each stage ended" wait_for 'pipeline ended: sleep exit 0, cat exit 0'
first=$(row 1 | grep -oE '[0-9.]+s  ended')
sleep 1.2
key -
check "after the end, - says nothing is sampled any more" wait_for 'nothing is sampled'
check "the clock has stopped" eq "$(row 1 | grep -oE '[0-9.]+s  ended')" "$first"
key q
wait_for 'EXIT=' >/dev/null

# Attached: the title is the command line, no stage line, never signalled.
setsid sh -c 'yes | tr y n | sleep 6009' </dev/null >/dev/null 2>&1 &
sids+=($!)
for _ in $(seq 50); do
	pid=$(ps -o pid=,comm= -s "${sids[0]}" | awk '$2 == "sleep" { print $1 }')
	[ -n "$pid" ] && break
	sleep 0.1
done
start 80 24 "'$PIPEVIZ_BIN' -p $pid"
check "attached: the title is the pipeline rebuilt from argv" \
    wait_line "^ pipeviz  sh -c 'yes \| tr y n \| sleep 6009' +[0-9.]+s .*attached"
key s
check "attached: s says attached pipelines are never signalled" \
    wait_for 'pipeviz never signals an attached pipeline'
key Enter
check "attached: the panel shows ppid and pgid" wait_line '^ ppid [0-9]+  pgid [0-9]+ *$'
check "attached: no stage line in the panel" bash -c "! tmux -L $sock capture-pane -p -t pz$session | grep -q 'stage none'"
key q
wait_for 'EXIT=' >/dev/null
check "attached: the pipeline still runs after q" kill -0 "$pid"

done_testing
