# tuilib.sh - the live view in a real terminal, for the CLI tests (sourced
# after lib.sh; bash).  Each test has a tmux server of its own ($sock),
# and each start a session of its own: killing the last session of a
# server while starting the next races with the server's exit.
#
#   start COLS ROWS CMD...  pipeviz (or anything) in a fresh session
#   screen                  the current session's screen as text
#   wait_for TEXT           poll the screen until it shows TEXT
#   wait_line REGEX         poll the screen until a line matches REGEX
#
# TUI_WAIT (tenths of a second, default 50) bounds each wait.
sock="pztest$$"
tm() { tmux -L "$sock" -f /dev/null "$@"; }
session=0
screen() { tm capture-pane -p -t "pz$session"; }
# tui_wait GREP-FLAG PATTERN WHAT: poll the screen for PATTERN.
tui_wait() {
	for _ in $(seq "${TUI_WAIT:-50}"); do
		screen | grep -q"$1" -- "$2" && return 0
		sleep 0.1
	done
	echo "$3: $2"
	screen
	return 1
}
wait_for() { tui_wait F "$1" "screen never showed"; }
wait_line() { tui_wait E "$1" "no line matched"; }
start() {
	local cols=$1 rows=$2
	shift 2
	session=$((session + 1))
	tm new-session -d -s "pz$session" -x "$cols" -y "$rows" \
	    "env TERM=screen LANG=C.UTF-8 $*; echo EXIT=\$?; sleep 60"
}
