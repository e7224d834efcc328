#!/bin/bash
# The teaching kit: demos, --pipe-size, record and replay, stage control.
. "$(dirname "$0")/lib.sh"

samples='[.[] | select(.type=="sample")]'

check "--demo lists every demo with a line each" bash -c \
    "[ \$('$PIPEVIZ' --demo | grep -cE '^(seed|fill|self|parent-child|sigpipe|leak|deadlock|bottleneck) ') -eq 8 ]"
"$PIPEVIZ" --demo no-such-demo 2>err.txt
check "an unknown demo: exit 125" eq "$?" 125
check "an unknown demo: one clear line" grep -qx "pipeviz: no demo named 'no-such-demo' (pipeviz --demo lists them)" err.txt

# Each demo reaches the state it is there to show.
before=$(ls -d /tmp/pipeviz-seed.* 2>/dev/null)
"$PIPEVIZ" --demo seed --json seed.json -o /dev/null
check "seed: the notes' five stages, all exit 0" jq_true seed.json \
    "$samples[-1].procs | map(select(.stage != null) | .comm) == [\"ls\",\"cut\",\"uniq\",\"sort\",\"tee\"]"
check "seed: its scratch directory is removed" eq "$(ls -d /tmp/pipeviz-seed.* 2>/dev/null)" "$before"

"$PIPEVIZ" --demo fill --json fill.json -o /dev/null -i 250 -n 28
check "fill: the byte count reaches the capacity" jq_true fill.json \
    "$samples | map(.pipes[] | select(.stray|not) | select(.fill == .capacity and .capacity > 0)) | length > 0"
check "fill: the writer turns BLOCKED on its own pipe" jq_true fill.json \
    "$samples[-1] | (.procs[0].blocked.op == \"write\") and (.pipes | map(select(.stray|not)) | .[0].writers[0].pid == .[0].readers[0].pid)"
check "fill: ends no later than asked, nothing left" eq "$(running '.*demos/fill')" ""

"$PIPEVIZ" --demo self --json self.json -o /dev/null -i 200 -n 8
check "self: writer and reader of the pipe are the same process" jq_true self.json \
    "$samples | map(.pipes[] | select(.stray|not) | select(.fill > 0) | .writers[0].pid == .readers[0].pid) | any"

"$PIPEVIZ" --demo parent-child --json pc.json -o /dev/null -i 200
check "parent-child: the parent waits reading the empty pipe" jq_true pc.json \
    "$samples | map(.procs[] | select(.stage==0 and .blocked.op==\"read\")) | length > 0"
check "parent-child: the child is drawn under its parent" jq_true pc.json \
    "$samples[1].procs | map(.ppid) as \$pp | .[1].ppid == .[0].pid"

"$PIPEVIZ" --demo sigpipe --json sig.json -o /dev/null
check "sigpipe: yes is killed by SIGPIPE" jq_true sig.json \
    '[.[] | select(.type=="exit" and .stage==0)][0].status.name == "SIGPIPE"'
check "sigpipe: the diagnosis says it is normal" jq_true sig.json \
    "$samples[-1].diagnoses | map(select(.kind==\"sigpipe\")) | .[0].message | test(\"normal\")"

"$PIPEVIZ" --demo leak --json leak.json -o /dev/null -i 200 -n 10
check "leak: eof_held, and the holder is the reader itself" jq_true leak.json \
    "$samples[-1].diagnoses | map(select(.kind==\"eof_held\")) | length == 1 and (.[0].message | test(\"itself|own\"))"

"$PIPEVIZ" --demo deadlock --json dl.json -o /dev/null -i 200 -n 10
check "deadlock: the deadlock is found" jq_true dl.json \
    "$samples[-1].diagnoses | map(select(.kind==\"deadlock\")) | length == 1"
check "deadlock: nothing left running" eq "$(running '.*demos/deadlock')" ""

# --pipe-size: the same pipeline with 4 KiB and 1 MiB pipes.
for size in 4096 1048576; do
	"$PIPEVIZ" --pipe-size $size --json ps$size.json -n 3 'yes | sleep 1' </dev/null
	check "--pipe-size $size: the pipe holds $size bytes and fills" jq_true ps$size.json \
	    "$samples[-1].pipes | map(select(.stray|not)) | .[0] | (.capacity == $size and .fill == $size)"
done
max=$(cat /proc/sys/fs/pipe-max-size)
err=$("$PIPEVIZ" --pipe-size $((max * 2)) "touch $WORK/launched" 2>&1)
check "--pipe-size above the ceiling: exit 125" eq "$?" 125
check "--pipe-size above the ceiling: the error cites pipe-max-size" eq "$err" \
    "pipeviz: --pipe-size $((max * 2)) is larger than /proc/sys/fs/pipe-max-size ($max)"
check "--pipe-size above the ceiling: nothing launched" test ! -e "$WORK/launched"

# Record beside --text, replay as text: the same frames, byte for byte.
COLUMNS=110 "$PIPEVIZ" --text --record rec.json -i 100 'yes | sleep 0.6' </dev/null > live.txt
COLUMNS=110 "$PIPEVIZ" --replay rec.json --text > replayed.txt
check "a replayed trace draws the recorded frames, byte for byte" cmp live.txt replayed.txt
check "the recording is a full trace" jq_true rec.json '.[0].type == "start" and .[-1].type == "end"'
"$PIPEVIZ" --json plain.json 'sleep 0.3 | cat' </dev/null
check "any --json trace replays" bash -c "'$PIPEVIZ' --replay plain.json --text | grep -q '(0) sleep (1)'"

# Damaged traces: refused with the line and reason, or played to the last good record.
echo 'garbage' > garbage.json
err=$("$PIPEVIZ" --replay garbage.json --text 2>&1)
check "garbage trace: exit 125" eq "$?" 125
check "garbage trace: line number and reason" bash -c "echo '$err' | grep -q '^pipeviz: garbage.json: line 1: '"
head -c -200 rec.json > cut.json
"$PIPEVIZ" --replay cut.json --text > cut.txt 2>cut.err
check "truncated trace: plays what is good" test -s cut.txt
check "truncated trace: warns with the line" grep -q 'line [0-9]*: .*playing the' cut.err
: > empty.json
"$PIPEVIZ" --replay empty.json --text 2>/dev/null
check "empty trace: refused with exit 125" eq "$?" 125
"$PIPEVIZ" --replay /nonexistent/t.json --text 2>/dev/null
check "missing trace: exit 125" eq "$?" 125

# Slow motion: the pipeline is frozen between frames, and still ends.
"$PIPEVIZ" --slow 300 --json slow.json -i 100 'yes | head -c 1000000 | wc -c' </dev/null >/dev/null
check "--slow: the pipeline still completes" jq_true slow.json '.[-1].type == "end" and .[-1].status.code == 0'

# Stage control through the live view.
if command -v tmux >/dev/null; then
	tm() { tmux -L "pzt7$$" -f /dev/null "$@"; }
	tm new-session -d -s t -x 120 -y 30 \
	    "env TERM=screen LANG=C.UTF-8 '$PIPEVIZ' 'yes | sort > /dev/null'; echo EXIT=\$?; sleep 30"
	sleep 1
	# This pipeviz's own sort, a child of the pipeviz of the pane: other
	# sorts may run on the machine at the same time.
	sortpid=$(pgrep -x -P "$(pgrep -n -P "$(tm display -p -t t '#{pane_pid}')")" sort)
	tm send-keys -t t Tab
	sleep 0.3
	tm send-keys -t t s
	sleep 0.3
	check "s asks before stopping" bash -c "tmux -L pzt7$$ capture-pane -p -t t | grep -q 'stop sort (pid [0-9]*) with SIGSTOP? y/n'"
	tm send-keys -t t y
	sleep 0.5
	check "y stops the selected stage" bash -c "ps -o stat= -p $sortpid | grep -q T"
	check "the live view marks it STOPPED" bash -c "tmux -L pzt7$$ capture-pane -p -t t | grep -q STOPPED"
	tm send-keys -t t c
	sleep 0.2
	tm send-keys -t t y
	sleep 0.5
	check "c then y continues it" bash -c "ps -o stat= -p $sortpid | grep -qv T"
	tm send-keys -t t q
	sleep 1
	check "q ends the pipeline" eq "$(running 'sort')" ""
	tm kill-server 2>/dev/null

	# In slow motion, a stage the user stopped stays stopped: thawing after
	# each frame continues only what the freeze stopped.
	# A server of its own: a new one on the old socket races its exit.
	tm() { tmux -L "pzt7s$$" -f /dev/null "$@"; }
	tm new-session -d -s t -x 120 -y 30 \
	    "env TERM=screen LANG=C.UTF-8 '$PIPEVIZ' --slow 200 -i 100 'yes | sort > /dev/null'; sleep 30"
	sleep 1
	# This pipeviz's own sort: other tests may run one at the same time.
	sortpid=$(pgrep -x -P "$(pgrep -n -P "$(tm display -p -t t '#{pane_pid}')")" sort)
	tm send-keys -t t Tab
	sleep 0.5
	tm send-keys -t t s
	sleep 0.5
	tm send-keys -t t y
	stops=0
	for _ in $(seq 10); do
		sleep 0.2
		ps -o stat= -p "$sortpid" | grep -q T && stops=$((stops + 1))
	done
	check "--slow: a stage stopped with s stays stopped across frames (10 of 10)" eq "$stops" 10
	tm send-keys -t t q
	sleep 1
	check "--slow: q ends the pipeline" eq "$(running 'sort')" ""
	tm kill-server 2>/dev/null
fi

done_testing
