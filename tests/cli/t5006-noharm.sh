#!/bin/bash
# Observation does no harm: with pipeviz watching at 1 ms intervals, a
# pipeline ends as fast, sees EOF as soon, and moves its bytes exactly as
# without it; after quitting nothing of a launched pipeline is left, and
# an attached pipeline runs on untouched.  Times are printed as TAP
# comments; the bounds asserted are generous (this may be a busy CI box).
. "$(dirname "$0")/lib.sh"

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# SHA-256 of stdin: openssl is several times faster than sha256sum here.
if command -v openssl >/dev/null; then
	sha() { openssl dgst -sha256 | sed 's/^.*= //'; }
else
	sha() { sha256sum | cut -d' ' -f1; }
fi

# 1. yes | head -n 1 ends as fast with pipeviz watching every 1 ms.
without=""
with=""
for _ in 1 2 3 4 5; do
	t=$(now_ms); sh -c 'yes | head -n 1' >/dev/null; without="$without $(($(now_ms) - t))"
	t=$(now_ms)
	"$PIPEVIZ" -i 1 --json /dev/null -o /dev/null 'yes | head -n 1' </dev/null
	with="$with $(($(now_ms) - t))"
done
w0=$(printf '%s\n' $without | sort -n | sed -n 3p)
w1=$(printf '%s\n' $with | sort -n | sed -n 3p)
echo "# yes | head -n 1, median of 5: ${w0} ms alone, ${w1} ms under pipeviz -i 1 (runs:$without /$with)"
check "yes | head -n 1 under pipeviz -i 1 takes less than 1 s longer (${w0} vs ${w1} ms)" \
    test "$((w1 - w0))" -lt 1000

# 2. A reader sees EOF as soon as the last writer exits: the writer stamps
#    the time just before it exits, the reader just after its EOF.
eof_lag() { # eof_lag with|without: the worst of 5 runs, in ms
	local worst=0 lag
	for _ in 1 2 3 4 5; do
		rm -f w.ts r.ts
		local p='sh -c "head -c 20000000 /dev/zero; date +%s%N > w.ts" |
		    sh -c "cat >/dev/null; date +%s%N > r.ts"'
		if [ "$1" = with ]; then
			"$PIPEVIZ" -i 1 --json /dev/null -o /dev/null "$p" </dev/null
		else
			sh -c "$p" </dev/null
		fi
		lag=$((($(cat r.ts) - $(cat w.ts)) / 1000000))
		[ "$lag" -gt "$worst" ] && worst=$lag
	done
	echo "$worst"
}
e0=$(eof_lag without)
e1=$(eof_lag with)
echo "# EOF after the last writer's exit, worst of 5: ${e0} ms alone, ${e1} ms under pipeviz -i 1"
check "the reader sees EOF within 200 ms of the last writer under pipeviz -i 1 (${e1} ms)" \
    test "$e1" -lt 200

# 3. A gigabyte through cat | cat arrives byte-exact, with and without
#    pipeviz (seq's output: every line different, so a lost, doubled or
#    reordered chunk changes the checksum).
want=8b6988209514516164939756f773263725faf139020aaf76d75d90225b432c74
t=$(now_ms)
got=$(seq 1 120000000 | cat | cat | sha)
t0=$(($(now_ms) - t))
check "1 GiB through cat | cat without pipeviz: checksum as expected (${t0} ms)" eq "$got" "$want"
t=$(now_ms)
got=$(seq 1 120000000 | "$PIPEVIZ" -i 1 --json big.json 'cat | cat' | sha)
t1=$(($(now_ms) - t))
echo "# 1.01 GiB through cat | cat: ${t0} ms alone, ${t1} ms under pipeviz -i 1"
check "1 GiB through cat | cat under pipeviz -i 1: byte-exact (${t1} ms)" eq "$got" "$want"
check "... and pipeviz watched it flow (a pipe with bytes in it was seen)" jq_true big.json \
    '[.[] | select(.type=="sample") | .pipes[] | select(.fill != null and .fill > 0)] | length > 0'

# 4. After quitting (SIGINT, as ^C does), nothing of a launched pipeline
#    remains: not its stages, not their background children.
dfl=""
env --default-signal=INT true 2>/dev/null && dfl="env --default-signal=INT"
$dfl "$PIPEVIZ" --json q1.json -o /dev/null \
    "sh -c 'sleep 36.1$$ & sleep 36.2$$ & wait' | cat" </dev/null &
pz=$!
sleep 0.5
kill -INT $pz
wait $pz
check "^C: pipeviz exits 130" eq "$?" 130
check "^C: no stage and no background child of a stage is left" eq "$(running "sleep 36\\.[12]$$")" ""
$dfl "$PIPEVIZ" --json q2.json -o /dev/null "setsid sleep 36.3$$ | cat" </dev/null &
pz=$!
sleep 0.5
kill -INT $pz
wait $pz
# It left the test's session too: it is found by the pid the trace gave it.
escaped=$(jq -r "select(.type==\"sample\") | .procs[] | select(.argv == [\"sleep\", \"36.3$$\"]) | .pid" q2.json | sort -u)
check "^C: the descendant that left the process group was in view" test -n "$escaped"
left=""
for p in $escaped; do left="$left$(alive_as "$p" "sleep 36\\.3$$")"; done
check "^C: a descendant that left the process group (setsid) is not left running" \
    eq "$left" ""
for p in $left; do kill "$p"; done

# 5. An attached pipeline runs on untouched: same fd tables before and
#    after, no signal (every stage exits 0), every byte through.
fdtab() { for p in "$@"; do ls -l "/proc/$p/fd" 2>&1 | awk '{ print $(NF-2), $NF }'; done; }
# (The middle stage sleeps 3 s: its processes must be the same ones
# before and after pipeviz looked, even for a slow pipeviz.)
attach_run() { # attach_run HOW: HOW is "count" or "sigint"
	rm -f att.sum att.st
	setsid bash -c 'seq 1 3000000 | (sleep 3; cat) | sha256sum > att.sum
	    echo "${PIPESTATUS[*]}" > att.st' </dev/null >/dev/null 2>&1 &
	local sid=$! seq_pid="" pids before after rc
	for _ in $(seq 50); do
		seq_pid=$(pgrep -s "$sid" -x seq) && break
		sleep 0.05
	done
	sleep 0.1
	pids=$(pgrep -s "$sid" | sort -n | tr '\n' ' ')
	before=$(fdtab $pids)
	if [ "$1" = count ]; then
		timeout 20 "$PIPEVIZ" -p "$seq_pid" -i 1 -n 300 --json att.json
		rc=$?
		check "attached -n 300 at -i 1: exit 0" eq "$rc" 0
	else
		$dfl "$PIPEVIZ" -p "$seq_pid" -i 1 --json att.json &
		local pz=$!
		sleep 0.4
		kill -INT $pz
		wait $pz
		rc=$?
		check "attached, ^C: exit 130" eq "$rc" 130
	fi
	after=$(fdtab $pids)
	check "attached ($1): every process of the pipeline still runs" \
	    eq "$(pgrep -s "$sid" | sort -n | tr '\n' ' ')" "$pids"
	check "attached ($1): their fd tables are as before" eq "$after" "$before"
	wait "$sid"
	check "attached ($1): every stage exited 0 (no signal)" eq "$(cat att.st)" "0 0 0"
	check "attached ($1): every byte through" eq "$(cat att.sum)" "$(seq 1 3000000 | sha256sum)"
}
attach_run count
attach_run sigint

done_testing
