#!/bin/bash
# Issue 15, part 3: --step, for teaching.  The notes' pipeline starts
# frozen right after each stage exec'd its program: the first frame has
# five stages in state T, none exited, each stdout wired to the next
# stdin, every pipe empty, nothing run yet (no tracer attached, no CPU
# time, tee's file not made).  n in the live view runs it one interval at
# a time; with --json each sample is taken frozen.  A shell construct
# freezes as its shell; --slow and stage control work beside it; a replay
# steps through the trace.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

samples='[.[] | select(.type=="sample")]'
notes='ls -1 | cut -d. -f1 | uniq | sort | tee dir_contents'
mkdir notes && touch notes/a.txt notes/b.txt notes/b.md notes/c

# The first frame.
(cd notes && "$PIPEVIZ" --step -n 1 --json ../first.json -o /dev/null "$notes" </dev/null)
check "--step -n 1: exit 0" eq "$?" 0
check "first frame: five stages, each in state T, none exited" jq_true first.json \
    "$samples | length == 1 and (.[0].procs | length == 5 and all(.state == \"T\" and .exit == null and .stage != null))"
check "first frame: each is its program already (ls cut uniq sort tee), not sh" jq_true first.json \
    "$samples[0].procs | map(.comm) == [\"ls\",\"cut\",\"uniq\",\"sort\",\"tee\"]"
check "first frame: each stdout is the next stage's stdin" jq_true first.json \
    "$samples[0].procs as \$p | [range(0; 4) | (\$p[.].fds[] | select(.fd==1) | .inode) ==
        (\$p[. + 1].fds[] | select(.fd==0) | .inode)] | all"
check "first frame: four pipes, every one empty" jq_true first.json \
    "$samples[0].pipes | map(select(.stray|not)) | length == 4 and all(.fill == 0)"
check "nothing ran: tee never made dir_contents" test ! -e notes/dir_contents
check "the pipeline was ended, every stage reaped" jq_true first.json \
    '[.[] | select(.type=="exit")] | length == 5'

# With --json the pipeline runs an interval after each frozen sample.
(cd notes && "$PIPEVIZ" --step -i 1 --json ../steps.json -o /dev/null \
    'ls -1 /usr/bin | cut -d. -f1 | uniq | sort | tee dir_contents' </dev/null)
check "--step --json: the pipeline ran to its end, exit 0" jq_true steps.json \
    '.[-1].type == "end" and .[-1].status.code == 0'
check "--step --json: its output is whole" \
    eq "$(wc -l <notes/dir_contents)" "$(ls -1 /usr/bin | cut -d. -f1 | uniq | wc -l)"
check "--step --json: every sample but the last shows it frozen (T, or ended: Z, reaped)" jq_true steps.json \
    "$samples | .[0:-1] | length >= 2 and all(.procs | all(.state == \"T\" or .state == \"Z\" or .exit != null))"
n=$(jq -s "$samples | length" steps.json)
"$PIPEVIZ" --replay steps.json --text >replay.txt 2>&1
check "a replay steps through those $n samples" \
    eq "$(grep -c 'tee dir_contents  t=' replay.txt)" "$n"

# A shell construct freezes as its shell.
"$PIPEVIZ" --step -n 1 --json loop.json -o /dev/null 'for i in 1 2 3; do echo $i; done | cat' </dev/null
check "a construct's stage freezes as its shell, the next as its program" jq_true loop.json \
    "$samples[0].procs | map([.comm, .state]) == [[\"sh\",\"T\"],[\"cat\",\"T\"]]"

# --slow beside it: held, then one interval, to the end.
"$PIPEVIZ" --step --slow 50 -i 5 --json slow.json -o slow.out 'seq 5 | cat' </dev/null
check "--step --slow: runs to its end with its output" eq "$(tr '\n' ' ' <slow.out)" "1 2 3 4 5 "
check "--step --slow: the first sample is frozen" jq_true slow.json \
    "$samples[0].procs | all(.state == \"T\")"

# Refused before anything runs.
for opts in "-p 1" "--once" "--replay steps.json"; do
	# shellcheck disable=SC2086
	"$PIPEVIZ" --step $opts "touch $WORK/launched" 2>err.txt </dev/null
	check "--step $opts: exit 125" eq "$?" 125
	check "--step $opts: one pipeviz: line" bash -c \
	    "[ \$(wc -l <err.txt) -eq 1 ] && grep -q '^pipeviz: ' err.txt"
done
check "nothing was launched" test ! -e launched

if ! command -v tmux >/dev/null; then
	echo "ok $((TESTS_RUN += 1)) # SKIP tmux is not installed"
	done_testing
	exit
fi
. "$here/tuilib.sh"
trap 'tm kill-server 2>/dev/null; cleanup' EXIT

# The live view: frozen until n, one interval a step.
rm -f notes/dir_contents
printf 'cd %s/notes && exec %s --step --record %s/live.json "%s"\n' "$WORK" \
    "$PIPEVIZ" "$WORK" "$notes" >live.sh
start 120 30 "bash $WORK/live.sh"
check "live view: the title says frozen, and how to step" wait_for "FROZEN (n: one step)"
check "live view: n is the first key in the bar" wait_line "^ n step "
for _ in $(seq 50); do
	jq -e -s "$samples | length >= 1" live.json >/dev/null 2>&1 && break
	sleep 0.1
done
pids=$(jq -s -r "$samples[0].procs[].pid" live.json 2>/dev/null)
frozen=0
for p in $pids; do
	state=$(awk '/^State:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
	tracer=$(awk '/^TracerPid:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
	# Fields 14 and 15 of stat (after the name): user and system time.
	ticks=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }')
	echo "# pid $p: state $state, TracerPid $tracer, CPU ticks $ticks"
	[ "$state" = T ] && [ "$tracer" = 0 ] && [ "$ticks" = 0 ] && frozen=$((frozen + 1))
done
check "live view: all five stopped, no tracer attached, no CPU time used" eq "$frozen" 5
check "live view: tee has made no file yet" test ! -e notes/dir_contents
steps=0
while [ "$steps" -lt 40 ] && ! screen | grep -q "ended, exit 0"; do
	tm send-keys -t "pz$session" n
	steps=$((steps + 1))
	sleep 0.2
done
echo "# n pressed $steps times"
check "live view: n by n the pipeline runs to its end" wait_for "ended, exit 0"
check "live view: and its output is whole (ls may list tee's file too)" eq "$(head -n 3 notes/dir_contents | tr '\n' ' ')" "a b c "

# Stage control beside it: C continues the whole pipeline at once.
start 120 30 "$PIPEVIZ --step 'seq 3 | cat'"
check "live view: frozen first" wait_for "FROZEN (n: one step)"
tm send-keys -t "pz$session" C
sleep 0.3
tm send-keys -t "pz$session" y
check "live view: C (stage control) lets it run without n" wait_for "ended, exit 0"

done_testing
