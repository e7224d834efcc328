# waitlib.sh - helpers for the wait-model CLI tests (t9001-t9003), sourced
# after lib.sh.
#
# Every process is found through what the test itself started: the
# children of the pipeviz it launched (the stages), the children of a
# shell it started, or the pids in the trace.  Never by a machine-wide
# name lookup: CI and other work run beside the suite.

samples='[.[] | select(.type=="sample")]'

# What to end when the script ends, however it ends: pipeviz runs, process
# groups, single pids, tmux servers.
PZ_PIDS=""
KILL_PGIDS=""
KILL_PIDS=""
TMUX_SOCKETS=""
wait_cleanup() {
	local p
	for p in $PZ_PIDS; do kill -TERM "$p" 2>/dev/null; done
	for p in $KILL_PGIDS; do kill -KILL -- "-$p" 2>/dev/null; done
	for p in $KILL_PIDS; do kill -KILL "$p" 2>/dev/null; done
	for p in $TMUX_SOCKETS; do tmux -L "$p" kill-server 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$WORK"
}
trap wait_cleanup EXIT
trap 'exit 130' INT TERM

# children PID: the pids of PID's children, one a line.
children() {
	cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep .
}

# descendants PID: its children, theirs, and so on.
descendants() {
	local c
	for c in $(children "$1"); do
		echo "$c"
		descendants "$c"
	done
}

# child_named PARENT COMM: the pid of PARENT's first child named COMM.
child_named() {
	local c
	for c in $(children "$1"); do
		if [ "$(cat /proc/"$c"/comm 2>/dev/null)" = "$2" ]; then
			echo "$c"
			return 0
		fi
	done
	return 1
}

# desc_named PARENT COMM: the same among all of PARENT's descendants.
desc_named() {
	local c
	for c in $(descendants "$1"); do
		if [ "$(cat /proc/"$c"/comm 2>/dev/null)" = "$2" ]; then
			echo "$c"
			return 0
		fi
	done
	return 1
}

# retry SECS CMD...: run CMD every 50 ms until it succeeds, SECS at most.
retry() {
	local n=$(($1 * 20))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}

# start_pz JSON CMD [OPTION...]: launch pipeviz on CMD in the background,
# writing its trace to JSON; pz is its pid.  Returns once it has started.
start_pz() {
	local json=$1 cmd=$2
	shift 2
	"$PIPEVIZ" --json "$json" -i 100 -o /dev/null "$@" "$cmd" </dev/null &
	pz=$!
	PZ_PIDS="$PZ_PIDS $pz"
	wait_started "$json"
}

# stop_pz: end the pipeviz started last (it ends the group it created)
# and the stage group, should anything of it be left.
stop_pz() {
	local g
	g=$(children "$pz" | head -n 1)
	[ -n "$g" ] && g=$(ps -o pgid= -p "$g" | tr -d ' ')
	kill -TERM "$pz" 2>/dev/null
	wait "$pz" 2>/dev/null
	[ -n "$g" ] && kill -KILL -- "-$g" 2>/dev/null
	return 0
}

# stage_pid COMM: the pid of the stage of the last pipeviz named COMM.
stage_pid() {
	child_named "$pz" "$1"
}

# syscall_of PID [TID]: the number of the syscall it sleeps in ("" if it
# runs).
syscall_of() {
	local f=/proc/$1/task/${2:-$1}/syscall s
	s=$(cat "$f" 2>/dev/null) || return 1
	echo "${s%% *}"
}

# wchan_of PID [TID]
wchan_of() {
	cat "/proc/$1/task/${2:-$1}/wchan" 2>/dev/null
}

# thread_in PID NR WCHAN: a thread of PID other than the main one sleeps in
# syscall NR with wait channel WCHAN; prints its tid.
thread_in() {
	local t tid
	for t in /proc/"$1"/task/*; do
		tid=${t##*/}
		[ "$tid" = "$1" ] && continue
		if [ "$(syscall_of "$1" "$tid")" = "$2" ] && [ "$(wchan_of "$1" "$tid")" = "$3" ]; then
			echo "$tid"
			return 0
		fi
	done
	return 1
}

# main_in PID NR WCHAN: PID's main thread sleeps in syscall NR, wchan WCHAN
# (a WCHAN of '*' matches any).
main_in() {
	[ "$(syscall_of "$1")" = "$2" ] || return 1
	[ "$3" = '*' ] || [ "$(wchan_of "$1")" = "$3" ]
}

# fd_inode PID FD: the inode in pipe:[N] or socket:[N] of PID's fd FD.
fd_inode() {
	local l
	l=$(readlink "/proc/$1/fd/$2" 2>/dev/null) || return 1
	l=${l##*[}
	echo "${l%]}"
}

# fionread PATH: the bytes waiting in the pipe PATH (a /proc/PID/fd/N of a
# reader), without taking any.
fionread() {
	python3 - "$1" <<'EOF'
import fcntl, os, struct, sys, termios
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
print(struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0" * 4))[0])
EOF
}

# Quote a shell word for a jq string literal.
jqs() {
	jq -n --arg s "$1" '$s'
}

# stage_n N: the pid of stage N (from 0) of the last pipeviz: its children
# in the order it forked them.
stage_n() {
	local p
	p=$(children "$pz" | sed -n "$(($1 + 1))p")
	[ -n "$p" ] && echo "$p"
}

# have_stages N: the last pipeviz has forked N stages.
have_stages() {
	[ "$(children "$pz" | wc -l)" -ge "$1" ]
}
