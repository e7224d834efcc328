#!/bin/bash
# Signals at any moment, and outputs that fail: pipeviz exits cleanly
# (status 128+N for a signal that ends it, below 128 for a failed output),
# the launched pipeline is gone, the trace ends with an end record, and
# the terminal is given back.
. "$(dirname "$0")/lib.sh"

signo() { kill -l "$1"; }

# A background job of a script starts with SIGINT and SIGQUIT ignored;
# a person's pipeviz does not.  Give it the default dispositions back.
dfl=""
if env --default-signal=INT true 2>/dev/null; then
	dfl="env --default-signal=INT,QUIT"
fi

# signal_run SIG DELAY_MS TAG: launch, signal after DELAY_MS, judge.
bad=""
signal_run() {
	local sig=$1 ms=$2 tag=$3 rc start took want
	rm -f s.json
	$dfl "$PIPEVIZ" --json s.json -i 5 -o /dev/null "sleep 33.$tag$$ | cat | cat" </dev/null &
	local pz=$!
	# Not before the exec: the forked shell would run this script's EXIT
	# trap (rm -rf $WORK) on the signal.  From the exec on, any moment.
	while [ -e "/proc/$pz" ] && ! grep -qs 's\.json' "/proc/$pz/cmdline"; do
		:
	done
	[ "$ms" -gt 0 ] && sleep "$(printf '0.%03d' "$ms")"
	start=$(date +%s%N)
	kill -"$sig" "$pz"
	wait "$pz" 2>/dev/null
	rc=$?
	took=$((($(date +%s%N) - start) / 1000000))
	want=$((128 + $(signo "$sig")))
	local why=""
	[ "$rc" -eq "$want" ] || why="$why status $rc, not $want;"
	[ "$took" -lt 5000 ] || why="$why took $took ms;"
	[ -z "$(running "sleep 33\\.$tag$$")" ] || why="$why the pipeline is still running;"
	# A signal that came before pipeviz set up its handlers ends it before
	# anything is launched or written: no start record, no pipeline.
	if [ -s s.json ] && ! jq -se ".[0].type == \"start\" and .[-1].type == \"end\"
	    and .[-1].stopped_by == \"SIG$sig\"" s.json >/dev/null 2>&1; then
		why="$why the trace does not end with an end record stopped by SIG$sig;"
	fi
	[ -z "$why" ] || bad="$bad [SIG$sig at $ms ms:$why]"
}

# Early (while it starts), soon after the pipeline is launched, and later.
n=0
for sig in INT TERM HUP; do
	for ms in 0 1 2 3 5 8 13 21 34 55 89 144 233; do
		# Without env's --default-signal, SIGINT stays ignored until
		# pipeviz takes it over (some ms in): start later then.
		[ "$sig" = INT ] && [ -z "$dfl" ] && [ "$ms" -lt 50 ] && continue
		n=$((n + 1))
		signal_run "$sig" "$ms" "$(printf '%03d' $n)"
	done
done
check "SIGINT, SIGTERM, SIGHUP at 0-233 ms: clean exit, pipeline gone, trace ended ($n runs)" \
    eq "$bad" ""

# Two signals in a row, and a signal while pipeviz waits for a stage that
# ignores SIGTERM (it is killed after the grace period).
$dfl "$PIPEVIZ" --json twice.json -o /dev/null "sh -c 'trap \"\" TERM; exec sleep 34.1$$' | cat" </dev/null &
pz=$!
wait_started twice.json
sleep 0.3
start=$(date +%s%N)
kill -TERM $pz
sleep 0.3
kill -INT $pz
kill -HUP $pz
wait $pz
rc=$?
took=$((($(date +%s%N) - start) / 1000000))
check "a stage ignoring SIGTERM: pipeviz still exits 143" eq "$rc" 143
check "a stage ignoring SIGTERM: killed after the grace period (${took} ms < 5000)" test "$took" -lt 5000
check "a stage ignoring SIGTERM: nothing left running" eq "$(running "sleep 34\\.1$$")" ""
check "a stage ignoring SIGTERM: the trace ends with the end record" jq_true twice.json \
    '.[-1].type == "end" and .[-1].stopped_by == "SIGTERM"'

# SIGWINCH at any moment does not disturb a non-interactive run.
"$PIPEVIZ" --json winch.json -i 5 -o /dev/null 'sleep 0.8 | cat' </dev/null &
pz=$!
for _ in $(seq 40); do
	kill -WINCH $pz 2>/dev/null
	sleep 0.01
done
wait $pz
check "SIGWINCH storm with --json: exit 0" eq "$?" 0
check "SIGWINCH storm with --json: the trace ends normally" jq_true winch.json \
    '.[-1].type == "end" and .[-1].status.code == 0 and (.[-1].stopped_by == null)'

# SIGWINCH and signals to the live view, in a real terminal.
if command -v tmux >/dev/null; then
	sock="pz5005_$$"
	sess=0
	tm() { tmux -L "$sock" -f /dev/null "$@"; }
	trap 'tm kill-server 2>/dev/null; rm -rf "$WORK"' EXIT
	wait_for() {
		for _ in $(seq 50); do
			tm capture-pane -p -t "pz$sess" | grep -qF -- "$1" && return 0
			sleep 0.1
		done
		echo "screen never showed: $1"
		tm capture-pane -p -t "pz$sess"
		return 1
	}
	for sig in WINCH TERM HUP INT; do
		# A session of its own each time: killing the last one races
		# with the server exiting while the next starts.
		sess=$((sess + 1))
		tm new-session -d -s "pz$sess" -x 100 -y 30 \
		    "env TERM=screen '$PIPEVIZ' 'yes | sleep 36.5$$'; echo EXIT=\$?; sleep 60"
		wait_for "(0) yes (1)" >/dev/null
		# The pane's shell has one child, this test's pipeviz (or its valgrind).
		pz=$(pgrep -n -P "$(tm display -p -t "pz$sess" '#{pane_pid}')")
		# A storm of resizes, from the terminal and by hand.
		for i in $(seq 20); do
			kill -WINCH "$pz" 2>/dev/null
			[ $((i % 5)) -eq 0 ] && tm resize-window -t "pz$sess" -x $((60 + i)) -y $((20 + i / 5))
			sleep 0.02
		done
		if [ "$sig" = WINCH ]; then
			check "live view: after a SIGWINCH storm it still draws" wait_for "(0) sleep (1)"
			tm send-keys -t "pz$sess" q
			# The status is the pipeline's: sleep ended by SIGTERM.
			check "live view: q still quits after the storm" wait_for "EXIT=143"
		else
			kill -"$sig" "$pz"
			check "live view: SIG$sig ends pipeviz with $((128 + $(signo "$sig")))" \
			    wait_for "EXIT=$((128 + $(signo "$sig")))"
			check "live view: SIG$sig gives the terminal back (shell prints after it)" bash -c \
			    "tmux -L $sock capture-pane -p -t pz$sess | grep -q '^EXIT='"
		fi
		check "live view, SIG$sig: nothing left running" eq "$(running "sleep 36\\.5$$")" ""
	done
	tm kill-server 2>/dev/null
else
	echo "ok $((TESTS_RUN += 1)) # SKIP tmux is not installed"
fi

# Outputs that fail: a full disk, a closed stdout, a reader that left.
# out_fails NAME TAG CMD...: status 125 (pipeviz failed), a clear
# one-line message unless the reader left, quick, pipeline gone.
out_fails() {
	local name=$1 tag=$2 start rc took err
	shift 2
	start=$(date +%s%N)
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	took=$((($(date +%s%N) - start) / 1000000))
	check "$name: fails with status 125, pipeviz's own ($rc)" eq "$rc" 125
	check "$name: at once, not at the pipeline's end 35 s on (${took} ms < 5000)" test "$took" -lt 5000
	check "$name: the pipeline is gone" eq "$(running "sleep 35\\.$tag$$")" ""
	printf '%s' "$err" > err.txt
}
out_fails "--json /dev/full" 1 \
    timeout 20 "$PIPEVIZ" --json /dev/full -o /dev/null "sleep 35.1$$ | cat"
check "--json /dev/full: one line naming the cause" grep -qx 'pipeviz: .*No space left on device' err.txt
out_fails "--json - with stdout on /dev/full" 2 \
    sh -c "timeout 20 '$PIPEVIZ' --json - -o /dev/null 'sleep 35.2$$ | cat' </dev/null >/dev/full"
check "--json - on /dev/full: one line naming the cause" grep -qx 'pipeviz: .*No space left on device' err.txt
out_fails "--text with stdout on /dev/full" 3 \
    sh -c "timeout 20 '$PIPEVIZ' --text -o /dev/null 'sleep 35.3$$ | cat' </dev/null >/dev/full"
check "--text on /dev/full: one line naming the cause" grep -qx 'pipeviz: .*No space left on device' err.txt
out_fails "--text into a reader that leaves (| head -c 1)" 4 \
    bash -c "timeout 20 '$PIPEVIZ' --text -i 10 -o /dev/null 'sleep 35.4$$ | cat' </dev/null | head -c 1 >/dev/null; exit \${PIPESTATUS[0]}"

# stdout closed (>&-): pipeviz stands /dev/null in for it and works.
"$PIPEVIZ" --text 'echo closed | cat' </dev/null >&-
check "--text with stdout closed: works, exit 0" eq "$?" 0
"$PIPEVIZ" --json - 'sleep 0.2 | cat' </dev/null >&-
check "--json - with stdout closed: works, exit 0" eq "$?" 0
"$PIPEVIZ" --json closed.json 'echo to-closed-stdout; sleep 0.1' </dev/null >&- 2>&-
check "stdout and stderr closed: the pipeline runs, exit 0" eq "$?" 0
check "stdout and stderr closed: the trace is whole" jq_true closed.json \
    '.[0].type == "start" and .[-1].type == "end" and .[-1].status.code == 0'

done_testing
