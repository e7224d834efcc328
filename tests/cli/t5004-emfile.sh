#!/bin/bash
# EMFILE inside pipeviz: run under a low `ulimit -n`, or have the limit
# cut while it runs (prlimit).  It must either work or fail with one
# clear "pipeviz: ..." line and status 125 (pipeviz failed); never crash, never
# hang, never leave the pipeline running.
. "$(dirname "$0")/lib.sh"

# Under AddressSanitizer (tools/test.sh's asan stage) the sanitizer needs
# descriptors of its own, for its report file and for LeakSanitizer's look
# at /proc/self/task; under these limits it cannot have them.  Reports go
# to stderr here (and fail the checks), and leaks are not looked for.
if [ -n "${ASAN_OPTIONS:-}" ]; then
	export ASAN_OPTIONS=abort_on_error=1:detect_leaks=0
fi

# wait_trace FILE FILTER: until FILTER holds on the trace so far (a line
# being written fails to parse: then the next try), at most 10 s.
wait_trace() {
	for _ in $(seq 100); do
		jq_true "$1" "$2" >/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# One run under ulimit -n N: status, stderr and the trace are judged.
for n in 4 5 6 8 9 12 16; do
	rm -f t.json
	err=$( (ulimit -n "$n" && exec timeout -k 5 20 "$PIPEVIZ" --json t.json -i 20 \
	    -o /dev/null "sleep 0.5401$$ | cat | cat") 2>&1 </dev/null)
	rc=$?
	check "ulimit -n $n: no crash, no hang: status $rc is 0 or 125" test "$rc" -eq 0 -o "$rc" -eq 125
	if [ "$rc" -eq 0 ]; then
		check "ulimit -n $n: works: the trace starts and ends" jq_true t.json \
		    '.[0].type == "start" and .[-1].type == "end" and .[-1].status.code == 0'
	else
		check "ulimit -n $n: fails with one clear line (status $rc)" bash -c \
		    '[ "$(printf "%s\n" "$1" | wc -l)" -eq 1 ] && printf "%s\n" "$1" | grep -q "^pipeviz: .*Too many open files"' \
		    _ "$err"
	fi
	check "ulimit -n $n: nothing left running" eq "$(running "sleep 0\\.5401$$")" ""
done

# With room for its own needs, the picture is whole: every stage's fds,
# the pipes between them with their fill levels.
(ulimit -n 16 && exec "$PIPEVIZ" --json whole.json -i 20 -o /dev/null \
    "sleep 0.5402$$ | cat | cat") </dev/null
check "ulimit -n 16: every stage is seen with its fd table" jq_true whole.json \
    '[.[] | select(.type=="sample")] | .[length / 2 | floor].procs | (length == 3) and all(.fds | length >= 3)'
check "ulimit -n 16: both pipes are read" jq_true whole.json \
    '[.[] | select(.type=="sample")] | .[length / 2 | floor].pipes | map(select(.stray | not)) | (length == 2) and all(.capacity > 0)'

# Attached, under a low limit.
setsid sh -c "sleep 3.5403$$ | cat" </dev/null >/dev/null 2>&1 &
sid=$!
for _ in $(seq 30); do
	sp=$(pgrep -s "$sid" -f -x "sleep 3\\.5403$$") && break
	sleep 0.1
done
for n in 4 6 9; do
	err=$( (ulimit -n "$n" && exec timeout -k 5 20 "$PIPEVIZ" -p "$sp" --once --json a.json) 2>&1)
	rc=$?
	check "attach, ulimit -n $n: status $rc is 0 or 125, and a clear line if it failed" bash -c \
	    '{ [ "$1" -eq 0 ] || [ "$1" -eq 125 ]; } && { [ "$1" -eq 0 ] || [ "$(printf "%s\n" "$2" | grep -c "^pipeviz: ")" -eq 1 ]; }' \
	    _ "$rc" "$err"
done
check "attach: the attached pipeline runs on" test -n "$(pgrep -s "$sid" -f -x "sleep 3\\.5403$$")"
pkill -s "$sid"

# The limit cut to almost nothing while pipeviz runs: every open fails
# from then on.  pipeviz keeps going and ends with the pipeline.
if command -v prlimit >/dev/null; then
	for n in 8 5 3; do
		rm -f cut.json
		"$PIPEVIZ" --json cut.json -i 20 -o /dev/null "sleep 1.5404$$ | cat | cat" \
		    </dev/null &
		pz=$!
		sleep 0.4
		prlimit --pid "$pz" --nofile="$n:$n"
		wait $pz
		rc=$?
		check "limit cut to $n mid-run: exit 0" eq "$rc" 0
		check "limit cut to $n mid-run: the trace ends with the end record" jq_true cut.json \
		    '.[0].type == "start" and .[-1].type == "end"'
		check "limit cut to $n mid-run: nothing left running" eq "$(running "sleep 1\\.5404$$")" ""
	done
	# What it shows meanwhile: a table it cannot read is the last one it
	# read, marked fds_unread, never an empty table as if the stages
	# held no fds at all (a zombie's table is empty: it holds none).
	check "limit cut mid-run: an fd table that could not be read is not shown as empty" jq_true cut.json \
	    '[.[] | select(.type=="sample") | .procs[]] | all(.state == "Z" or (.fds | length > 0) or .fds_denied == true or .fds_unread == true)'

	# A stage that execs after the cut must have its table read again,
	# and cannot: the table from before is kept, marked.  Once the limit
	# is back, a later sample reads it.  Each step waits for the trace to
	# show the one before, not for a time (valgrind starts slowly).
	soft=$(ulimit -n)
	rm -f unread.json
	"$PIPEVIZ" --json unread.json -i 20 -o /dev/null \
	    "sleep 2.5405$$ | sh -c 'sleep 0.8; exec cat' | cat" </dev/null &
	pz=$!
	wait_trace unread.json 'any(.[] | select(.type=="sample") | .procs[]; .stage == 1 and .comm == "sh" and (.fds | length >= 3))'
	prlimit --pid "$pz" --nofile=3:
	unread='any(.[] | select(.type=="sample") | .procs[]; .stage == 1 and .comm == "cat" and .fds_unread == true and (.fds | length >= 3))'
	wait_trace unread.json "$unread"
	prlimit --pid "$pz" --nofile="$soft":
	wait $pz
	rc=$?
	check "limit cut, then back: exit 0" eq "$rc" 0
	check "limit cut: the exec'd stage keeps its last table, marked fds_unread" jq_true unread.json "$unread"
	check "limit back: its table is read again (fds_unread gone)" jq_true unread.json \
	    '[.[] | select(.type=="sample") | .procs[] | select(.stage == 1 and .comm == "cat" and .state != "X" and .state != "Z")][-1] | (.fds_unread | not) and (.fds | length >= 3)'
	check "limit back: nothing left running" eq "$(running "sleep 2\\.5405$$")" ""
else
	echo "ok $((TESTS_RUN += 1)) # SKIP prlimit is not installed"
fi

done_testing
