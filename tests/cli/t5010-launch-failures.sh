#!/bin/bash
# Issue 18, points 3-5: a launch starts all of its stages or none, a stage
# that cannot start is said in one line, and the stages die with pipeviz.
#  - A stage longer than one argument of a command may be (E2BIG), or no
#    /bin/sh: refused before launching (it exited 127 silently before,
#    shown as a process named pipeviz).  An exec that fails anyway (a
#    /bin/sh that is no program) is one line, and shown as /bin/sh.
#  - A fork that fails (ulimit -u) leaves no stage that has run: before,
#    stage 0 had run already ("touch F" made F).
#  - kill -9 of pipeviz ends the stages (PR_SET_PDEATHSIG): before, the
#    pipeline ran on under init.
. "$(dirname "$0")/lib.sh"

# one_line TEXT REGEX: TEXT is one line, matching REGEX.
one_line() {
	[ "$(printf '%s\n' "$1" | wc -l)" -eq 1 ] && printf '%s\n' "$1" | grep -qE -- "$2" ||
	    { echo "expected one line like: $2"; echo "got: $1"; return 1; }
}

# 3. A stage longer than 128 KiB: E2BIG is known before launching.  The
#    words are joined into one pipeline (each word alone is allowed).
A=$(head -c 70000 /dev/zero | tr '\0' a)
err=$("$PIPEVIZ" --once --text echo "$A" "$A" '|' touch launched 2>&1 >/dev/null </dev/null)
status=$?
check "a stage of 140 KB: refused (status $status)" test "$status" -ne 0 -a "$status" -ne 124
check "a stage of 140 KB: one line saying so" one_line "$err" \
    "^pipeviz: stage 1 is too long to run: 1400[0-9]+ bytes, and one argument of a command may have at most [0-9]+ \\(MAX_ARG_STRLEN, 128 KiB\\)\$"
check "a stage of 140 KB: nothing launched" test ! -e launched
# Just under the limit it runs: the check is the kernel's own.
B=$(head -c 130000 /dev/zero | tr '\0' b)
"$PIPEVIZ" -o under.out --json under.json "echo $B | wc -c" </dev/null
check "a stage of 130 KB runs" eq "$(tr -d ' ' < under.out)" 130001

if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null && unshare -m true 2>/dev/null; then
	# No /bin/sh: its directory hidden in a mount namespace of our own.
	shdir=$(dirname "$(readlink -f /bin/sh)")
	err=$(unshare -m sh -c 'mount -t tmpfs none "$1" && exec "$2" --once --text "touch launched | cat"' \
	    _ "$shdir" "$PIPEVIZ_BIN" 2>&1 >/dev/null </dev/null)
	status=$?
	check "no /bin/sh: refused (status $status)" test "$status" -ne 0 -a "$status" -ne 124
	check "no /bin/sh: one line saying so" one_line "$err" \
	    "^pipeviz: cannot run the stages: /bin/sh: No such file or directory\$"
	check "no /bin/sh: nothing launched" test ! -e launched

	# A /bin/sh that is no program passes every check and fails its exec.
	printf 'not a program\n' > fakesh
	chmod 755 fakesh
	unshare -m sh -c 'mount --bind "$1" /bin/sh && exec "$2" --json bad.json -o bad.out "echo hi | cat"' \
	    _ "$WORK/fakesh" "$PIPEVIZ_BIN" 2> bad.err </dev/null
	status=$?
	check "/bin/sh not a program: the pipeline's status, 126 as sh would say" eq "$status" 126
	check "/bin/sh not a program: one line naming each stage and why" eq "$(cat bad.err)" \
	    "pipeviz: stage 1 could not start: /bin/sh: Exec format error; stage 2 could not start: /bin/sh: Exec format error"
	check "/bin/sh not a program: no stage is shown as a process named pipeviz" jq_true bad.json '
	    [.[] | select(.type=="sample") | .procs[] | select(.stage >= 0)]
	    | (length > 0) and all(.comm != "pipeviz") and any(.comm == "sh")'
	check "/bin/sh not a program: exec_failed names /bin/sh, not echo" jq_true bad.json '
	    [.[] | select(.type=="sample") | .diagnoses[] | select(.kind=="exec_failed") | .message]
	    | (length > 0) and all(startswith("/bin/sh: found but could not be run (stage "))'
else
	echo "ok $((TESTS_RUN += 1)) # SKIP needs root and unshare -m to hide /bin/sh"
fi

# 4. All or nothing, as an unprivileged user with few processes allowed:
#    a uid of this run alone, so that nothing else counts against it.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	uid=$((3000000 + $$))
	chmod 755 "$WORK"
	mkdir aon
	chmod 1777 aon
	pipeline="touch F$(for _ in $(seq 40); do printf ' | cat'; done)"
	err=$(cd aon && setpriv --reuid="$uid" --regid="$uid" --clear-groups \
	    bash -c 'ulimit -u 30 && exec "$0" --json t.json -o /dev/null "$1"' \
	    "$PIPEVIZ_BIN" "$pipeline" 2>&1 </dev/null)
	status=$?
	check "ulimit -u 30, 41 stages: refused (status $status)" test "$status" -ne 0 -a "$status" -ne 124
	check "ulimit -u 30, 41 stages: one line, cannot fork" one_line "$err" \
	    "^pipeviz: cannot fork: Resource temporarily unavailable\$"
	check "ulimit -u 30, 41 stages: stage 0 never ran (no F)" test ! -e aon/F
	check "ulimit -u 30, 41 stages: nothing of it is left" \
	    eq "$(pgrep -s "$TEST_SID" -U "$uid")" ""
	# With room for all, the same pipeline runs.
	err=$(cd aon && setpriv --reuid="$uid" --regid="$uid" --clear-groups \
	    bash -c 'ulimit -u 60 && exec "$0" --json t.json -o /dev/null "$1"' \
	    "$PIPEVIZ_BIN" "$pipeline" 2>&1 </dev/null)
	check "ulimit -u 60, 41 stages: it runs (status $?, $err)" test -e aon/F
else
	echo "ok $((TESTS_RUN += 1)) # SKIP needs root and setpriv for a user of its own"
fi

# 5. kill -9 of pipeviz: its stages die with it.
gone_within() { # gone_within JSON REGEX: the trace's stages end within 10 s
	local pids p left
	pids=$(jq -r 'select(.type=="sample") | .procs[] | select(.stage >= 0) | .pid' "$1" | sort -u)
	[ -n "$pids" ] || { echo "no stage in $1"; return 1; }
	for _ in $(seq 100); do
		left=""
		for p in $pids; do left="$left$(alive_as "$p" "$2")"; done
		[ -z "$left" ] && [ -z "$(running "$2")" ] && return 0
		sleep 0.1
	done
	echo "still running: $left $(running "$2")"
	return 1
}
"$PIPEVIZ" --json k.json -o /dev/null "sleep 43.431$$ | cat" </dev/null &
pz=$!
wait_started k.json
wait_trace() { for _ in $(seq 200); do jq -se "$2" "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
wait_trace k.json 'any(.[]; .type=="sample" and (.procs | length == 2))'
kill -KILL "$pz"
wait "$pz" 2>/dev/null
check "kill -9 of pipeviz: its stages die with it" gone_within k.json "sleep 43\\.431$$|cat"
# A stage that ignores SIGHUP and SIGTERM dies too: the signal is SIGKILL.
"$PIPEVIZ" --json i.json -o /dev/null "{ trap '' HUP TERM; exec sleep 43.432$$; } | cat" </dev/null &
pz=$!
wait_started i.json
wait_trace i.json 'any(.[]; .type=="sample" and (.procs | map(.comm) | sort == ["cat", "sleep"]))'
kill -KILL "$pz"
wait "$pz" 2>/dev/null
check "kill -9 of pipeviz: a stage that ignores SIGHUP and SIGTERM dies too" \
    gone_within i.json "sleep 43\\.432$$|cat"

done_testing
