#!/bin/bash
# Thousands of short-lived descendants (a stage running /bin/true in a
# loop) for 20 s, sampled every 10 ms: pipeviz's own fd count and memory
# stay flat, it leaves no zombie behind, and the trace stays whole.  PIDs
# wrap around on the way (pid_max is often 32768).
. "$(dirname "$0")/lib.sh"

seconds=${PZ_CHURN_SECONDS:-20}
fdcount() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
rsskib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# Quiet before and after the churn (sh and one sleep), so that pipeviz's
# descriptors can be counted with the same processes in view: the probe
# keeps a bounded number of /proc files open per process it watches.
"$PIPEVIZ" --json churn.json -i 10 -o /dev/null \
    'sleep 2; n=0; while [ ! -e stop ]; do /bin/true; n=$((n+1)); done; echo $n > count; sleep 2' \
    </dev/null &
pz=$!
sleep 1.5
base_fds=$(fdcount $pz)
fds=""
rss=""
zombies=0
for _ in $(seq "$seconds"); do
	sleep 1
	[ -d "/proc/$pz" ] || break
	fds="$fds $(fdcount $pz)"
	rss="$rss $(rsskib $pz)"
	z=$(ps -o stat= --ppid "$pz" | grep -c '^Z')
	[ "$z" -gt "$zombies" ] && zombies=$z
done
touch stop
sleep 1.5
end_fds=$(fdcount $pz)
end_rss=$(rsskib $pz)
wait
echo "# fds of pipeviz: $base_fds before, once a second:$fds, $end_fds after"
echo "# VmRSS of pipeviz (KiB), once a second:$rss, $end_rss after"
echo "# /bin/true ran $(cat count 2>/dev/null) times"

check "pipeviz ran through the whole churn" test -n "$end_fds" -a "$end_fds" -gt 0
check "at least 2000 short-lived children ran" test "$(cat count 2>/dev/null || echo 0)" -ge 2000
check "pipeviz's fd count is back where it was once the churn is over ($base_fds, then $end_fds)" \
    test "$end_fds" -le "$((base_fds + 2))"
# shellcheck disable=SC2086
max=$(printf '%s\n' $fds | sort -n | tail -n 1)
check "pipeviz's fd count stays small during the churn (at most ${max:-?} <= 64)" \
    test "${max:-999}" -le 64
# Memory: after a few seconds to warm up, it grows by less than 1 MiB.
# shellcheck disable=SC2086
set -- $rss
warm=${5:-0}
if [ -n "${ASAN_OPTIONS:-}" ]; then
	# AddressSanitizer keeps freed memory in quarantine (up to 256 MiB):
	# RSS grows by design there.  LeakSanitizer looks for leaks instead.
	echo "ok $((TESTS_RUN += 1)) # SKIP RSS under AddressSanitizer (${warm} KiB at 5 s, ${end_rss} KiB after)"
else
	check "pipeviz's RSS is flat (${warm} KiB at 5 s, ${end_rss} KiB after)" \
	    test "$((${end_rss:-999999} - warm))" -lt 1024
fi
check "no zombie children pile up under pipeviz (the subreaper)" test "$zombies" -le 1
check "the trace ends with the pipeline's end" jq_true churn.json \
    '.[-1].type == "end" and .[-1].status.code == 0'
check "the trace has a sample at least every 40 ms on average" jq_true churn.json \
    "[.[] | select(.type==\"sample\")] | length >= (($seconds + 3) * 25)"

done_testing
