#!/bin/bash
# Issue 18, point 6: a job-control stop of pipeviz never keeps an end of
# an observed pipe.  pipeviz holds one for microseconds per sample (the
# duplicate it reads the fill level through); a stop in that window held
# it for as long as the stop lasted, denying a writer its EPIPE or a
# reader its EOF.  SIGTSTP, SIGTTIN and SIGTTOU are held off until the end
# is closed.  The window is widened here on purpose: strace delays the
# return of every pidfd_getfd() (the duplicate of the end, which the
# FIONREAD then reads) by 1.5 s, the stop is sent while pipeviz holds the
# end, and once strace reports pipeviz stopped, pipeviz must hold no
# descriptor of the pipe.  Not every ioctl: attach discovery asks each
# process's parent with one (PIDFD_GET_INFO), and a delay of each would
# make the scan last minutes.  (SIGSTOP cannot be held off: see
# docs/architecture.md, Observation safety.)
. "$(dirname "$0")/lib.sh"

if ! command -v strace >/dev/null || ! strace -o /dev/null -e trace=none true 2>/dev/null; then
	echo "1..0 # SKIP strace is not installed or cannot trace here"
	exit 0
fi

# ends_of PID INODE-LINK: how many fds of PID are that pipe.
ends_of() {
	local f n=0
	for f in /proc/"$1"/fd/*; do
		[ "$(readlink "$f" 2>/dev/null)" = "$2" ] && n=$((n + 1))
	done
	echo "$n"
}

# A pipeline of our own to attach to: cat reads a pipe sleep never writes.
setsid sh -c "exec sleep 30.511$$ | cat" </dev/null >/dev/null 2>&1 &
sid=$!
for _ in $(seq 100); do
	catpid=$(pgrep -s "$sid" -x cat) && break
	sleep 0.05
done
pipe=$(readlink "/proc/$catpid/fd/0")

# The test is a session leader whose group is orphaned (its parent is in
# another session), and the kernel discards job-control stops sent to an
# orphaned group: pipeviz gets a group of its own under the test, as a
# job of an interactive shell would.
set -m
for sig in TSTP TTIN TTOU; do
	rm -f "strace.$sig"
	# (LeakSanitizer cannot work under ptrace: off in a sanitizer build.)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    strace -o "strace.$sig" -e trace=pidfd_getfd \
	    -e inject=pidfd_getfd:delay_exit=1500000 \
	    "$PIPEVIZ_BIN" -p "$catpid" -n 3 --json "$sig.json" </dev/null &
	st=$!
	pz=""
	for _ in $(seq 100); do
		pz=$(pgrep -P "$st") && break
		sleep 0.05
	done
	# Until pipeviz holds the pipe (inside the delayed pidfd_getfd()).
	held=0
	for _ in $(seq 500); do
		held=$(ends_of "$pz" "$pipe")
		[ "$held" -gt 0 ] && break
		sleep 0.01
	done
	check "SIG$sig: pipeviz was caught holding the pipe (in the delayed pidfd_getfd)" test "$held" -gt 0
	kill -"$sig" "$pz"
	# strace says so once pipeviz has stopped.
	for _ in $(seq 100); do
		grep -q "stopped by SIG$sig" "strace.$sig" && break
		sleep 0.05
	done
	check "SIG$sig: pipeviz stopped" grep -q "stopped by SIG$sig" "strace.$sig"
	check "SIG$sig: stopped, pipeviz holds no end of the observed pipe" eq "$(ends_of "$pz" "$pipe")" 0
	kill -CONT "$pz"
	wait "$st"
	check "SIG$sig: continued, pipeviz takes its samples and ends (exit 0)" eq "$?" 0
	check "SIG$sig: ... and its trace has them" jq_true "$sig.json" \
	    '[.[] | select(.type=="sample")] | length == 3'
done
set +m
check "the attached pipeline runs on untouched" test -n "$(alive_as "$catpid" cat)"
kill -- "-$sid" 2>/dev/null

done_testing
