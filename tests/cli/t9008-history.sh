#!/bin/bash
# Issue 16, points 7 and 8: the history panel of the live view (the t
# key; on by default only when the whole diagram still fits) and the
# summary at the end of every run - in the end record, after the last
# --text frame, in the live view and in a replay - on real pipelines.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

end='(.[] | select(.type=="end"))'
samples='[.[] | select(.type=="sample")]'

# The end record: bytes through each pipe close to what went through it,
# marked as estimates (there is no --exact yet), and each stage's figures.
"$PIPEVIZ" --json sum.json -o out.txt 'head -c 1000000 /dev/zero | cat | wc -c' </dev/null
check "head | cat | wc: the data went through (wc counted 1000000)" eq "$(cat out.txt)" 1000000
check "the end record has a summary of 2 pipes and 3 stages" jq_true sum.json \
    "$end.summary | (.pipes | length) == 2 and (.stages | length) == 3"
check "each pipe carried about 1000000 bytes (within 1%)" jq_true sum.json \
    "$end.summary.pipes | all(.bytes >= 990000 and .bytes <= 1010000)"
check "each pipe's count is marked estimated: exact false, from its writers" jq_true sum.json \
    "$end.summary.pipes | all(.exact == false and .estimate == \"writers\")"
check "each pipe has an average rate" jq_true sum.json \
    "$end.summary.pipes | all(.avg_bps > 0)"
check "the pipes in pipeline order, each named by its writer and reader" jq_true sum.json "
    ($samples[-1].procs | map({(.comm): .pid}) | add) as \$pid
    | $end.summary.pipes | map([.writers[0], .readers[0]])
      == [[\$pid.head, \$pid.cat], [\$pid.cat, \$pid.wc]]"
check "the stages in order, with their pids, exit 0" jq_true sum.json "
    ($samples[-1].procs | map(select(.stage != null)) | map(.pid)) as \$pids
    | $end.summary.stages | (map(.comm) == [\"head\",\"cat\",\"wc\"]) and
      (map(.stage) == [0,1,2]) and (map(.pid) == \$pids) and
      all(.status == {\"code\": 0})"
check "each stage has its CPU time, wall time and peak memory" jq_true sum.json "
    $end.summary.stages | all(.cpu_s >= 0 and .wall_s > 0 and .wall_s < 30 and
      .max_rss_kib > 100)"

# A writer that writes a file too (tee): its pipe's count comes from the
# reader.  The reader sleeps first, so tee is seen holding its file.
"$PIPEVIZ" --json tee.json -o /dev/null \
    "head -c 3000000 /dev/zero | tee $WORK/tee.out | sh -c 'sleep 0.5; exec wc -c'" </dev/null
check "tee to a file: the pipe after tee is counted from its reader" jq_true tee.json "
    $end.summary.pipes[1] | .estimate == \"readers\" and .bytes >= 3000000 and
      .bytes <= 3100000 and .exact == false"
check "tee to a file: the pipe before tee still from its writer" jq_true tee.json "
    $end.summary.pipes[0] | .estimate == \"writers\" and .bytes == 3000000"

# --text: the summary follows the last frame, once.
"$PIPEVIZ" --text -o /dev/null 'head -c 1000000 /dev/zero | cat | wc -c' </dev/null >text.out
check "--text: one summary, after the last frame" bash -c "
    [ \$(grep -c '^summary' text.out) = 1 ] &&
    last=\$(grep -n 't=[0-9.]*s ' text.out | tail -n 1 | cut -d: -f1) &&
    sum=\$(grep -n '^summary' text.out | cut -d: -f1) && [ \$sum -gt \$last ]"
check "--text: the summary lists each stage with its exit and times" bash -c "
    sed -n '/^summary/,\$p' text.out | grep -Eq '^  head +[0-9]+ +exit 0 +[0-9.]+s +[0-9.]+s' &&
    sed -n '/^summary/,\$p' text.out | grep -Eq '^  wc +[0-9]+ +exit 0 '"
check "--text: the pipes with their estimated bytes (~977K) and rate" bash -c "
    sed -n '/^summary/,\$p' text.out | grep -Ec '^  pipe [0-9]+ +(head|cat) → (cat|wc) +~977 ?Ki?B? +[0-9.]+ ?[KMG]?i?B?/s' |
    grep -qx 2"
check "--text: the estimate is said in words" grep -q '^  ~ estimated from' text.out

# Recorded beside --text and replayed as text: the same summary.
COLUMNS=100 "$PIPEVIZ" --text --record rec.json -o /dev/null \
    'head -c 2000000 /dev/zero | gzip -1 | wc -c' </dev/null >live.txt
COLUMNS=100 "$PIPEVIZ" --replay rec.json --text >replayed.txt
check "a replay prints the recorded frames and the same summary, byte for byte" \
    cmp live.txt replayed.txt
check "the replayed summary is there" grep -q '^  gzip ' replayed.txt

# A compound stage: its shell writes nothing itself, its children (too
# short-lived for a sample) wrote it all; the reader's count is complete.
"$PIPEVIZ" --json compound.json -o /dev/null \
    'seq 1000000 | { cat; cat /dev/null; } | wc -l' </dev/null
check "a compound stage's pipe: all that its children wrote (6888896 B), read by wc" jq_true compound.json "
    $end.summary.pipes | map(select(.readers | length == 1)) | .[-1] |
      .bytes >= 6888896 and .bytes < 6888896 + 65536 and .at_least == null"
# xargs's own pipes to its children (to learn whether their exec worked)
# carried nothing: the summary lists the two the launcher wired.
"$PIPEVIZ" --json xargs.json -o /dev/null 'seq 30000 | xargs -n100 echo | wc -l' </dev/null
check "xargs: the summary lists the pipeline's two pipes, not xargs's own" jq_true xargs.json "
    $end.summary.pipes | length == 2 and all(.bytes >= 168894)"

# Attached: every process seen, still running, no exit known.
setsid sh -c 'sleep 4.321 | cat' </dev/null >/dev/null 2>&1 &
shpid=$!
for _ in $(seq 50); do
	sleeppid=$(pgrep -P "$shpid" -x sleep) && break
	sleep 0.1
done
"$PIPEVIZ" -p "$sleeppid" -n 5 -i 100 --json att.json
check "attached: the summary lists sleep, cat and their shell, not launched, running" jq_true att.json "
    $end.summary.stages | (map(.comm) | sort) == [\"cat\",\"sh\",\"sleep\"] and
      all(.stage == null and .status == null and .running == true)"
check "attached: their CPU and wall times, memory as sampled" jq_true att.json "
    $end.summary.stages | all(.cpu_s >= 0 and .wall_s > 0 and .max_rss_kib > 0)"
check "attached: the pipe between them, 0 bytes so far" jq_true att.json "
    $end.summary.pipes | length == 1 and .[0].bytes == 0 and .[0].exact == false"
kill $(pgrep -P "$shpid") "$shpid" 2>/dev/null

if ! command -v tmux >/dev/null; then
	echo "# SKIP the live view: tmux is not installed"
	done_testing
	exit
fi
. "$here/tuilib.sh"
cleanup_tmux() { tm kill-server 2>/dev/null; rm -rf "$WORK"; }
trap cleanup_tmux EXIT

# 120x30: room for the panel, so it is on; yes's row turns BLOCKED.
start 120 30 "'$PIPEVIZ' 'yes | sleep 6.789'"
check "120x30: the history panel is on by default" wait_for "history, last 60 s"
check "120x30: the legend names the states" wait_for "BLOCKED"
check "120x30: under the full edge in the diagram, its sparkline, full (█)" \
    wait_line '^ +[0-9]+ BLOCKED +█+ '
check "120x30: yes's row shows the stall (▓) after it ran or waited" \
    wait_line '^  yes +[0-9]+ +[█░]*▓+ +BLOCKED'
check "120x30: the pipe's row under yes, full (█)" wait_line '^    pipe [0-9]+ +.*█ '
check "120x30: sleep's row, asleep (·)" wait_line '^  sleep +[0-9]+ +·+ +sleeping'
tm send-keys -t "pz$session" t
check "t hides the panel" bash -c "
    for _ in \$(seq 30); do
	tmux -L $sock capture-pane -p -t pz$session | grep -q 'history, last' || exit 0
	sleep 0.1
    done; exit 1"
check "t hiding it says so" wait_for "history hidden"
tm send-keys -t "pz$session" t
check "t shows it again" wait_for "history, last 60 s"
tm send-keys -t "pz$session" q
wait_for "EXIT=" >/dev/null

# 40x12: no room; the diagram keeps the screen until t.
start 40 12 "'$PIPEVIZ' 'yes | sleep 5.678'"
check "40x12: the diagram is drawn" wait_for "(0) yes (1)"
check "40x12: the history panel is off by default" bash -c \
    "sleep 1; ! tmux -L $sock capture-pane -p -t pz$session | grep -q 'history'"
tm send-keys -t "pz$session" t
check "40x12: t shows it anyway" wait_for "history, last 60 s"
tm send-keys -t "pz$session" q
wait_for "EXIT=" >/dev/null

# 80x24 and a long chain: the panel would crowd the diagram out, so it is off.
chain="sleep 5.4321$(printf ' | cat%.0s' $(seq 11))"
start 80 24 "'$PIPEVIZ' '$chain'"
check "80x24, 12 stages: the diagram is drawn" wait_for "(0) sleep (1)"
check "80x24, 12 stages: no history panel (no room)" bash -c \
    "sleep 1; ! tmux -L $sock capture-pane -p -t pz$session | grep -q 'history, last'"
tm send-keys -t "pz$session" q
wait_for "EXIT=" >/dev/null

# The summary in the live view once the pipeline has ended.
start 100 30 "'$PIPEVIZ' 'head -c 1000000 /dev/zero | cat | wc -c'"
check "the live view shows the summary once the pipeline ended" wait_line '^─ summary'
check "the summary's stages with their exits" wait_line '^    head +[0-9]+ +exit 0 '
check "the summary's pipes with their estimated bytes" \
    wait_line '^    pipe [0-9]+ +head → cat +~977 ?Ki?B? '
check "the title says the run ended" wait_for "ended, exit 0"
tm send-keys -t "pz$session" q
wait_for "EXIT=" >/dev/null

# A pipeline typed at a terminal (its fds 0, 1 and 2 are the terminal,
# opened for reading and writing), attached: its pipes still get counts.
start 100 20 "env PS1='$ ' bash --norc -i"
sleep 0.5
# wc starts 3 s late, so that even a slow pipeviz (ASan, a loaded
# machine) attaches while the pipes are still full.
tm send-keys -t "pz$session" "yes | head -c 100000000 | sh -c 'sleep 3; exec wc -c'" Enter
# The pane runs start's command line, which runs the interactive bash.
pane=$(tm display -p -t "pz$session" '#{pane_pid}')
for _ in $(seq 50); do
	shell=$(pgrep -P "$pane" -x bash) &&
	    headpid=$(pgrep -P "$shell" -x head) && break
	sleep 0.1
done
"$PIPEVIZ" -p "$headpid" -i 100 --json tty.json
# Attached, pipeviz is not the parent: a process's last counters are
# read from its zombie when its exit event comes before its shell reaps
# it; when not, its pipe's bytes are marked as a lower bound.
# (from their writers; from their readers when a writer's count is a
# lower bound and the readers' is complete)
check "typed at a terminal, attached: both pipes counted from their ends" jq_true tty.json "
    $end.summary.pipes | length == 2 and all((.estimate == \"writers\" or
      .estimate == \"readers\") and .bytes >= 65536 and .exact == false)"
check "head's pipe: all 100000000 bytes (and wc's loader's, from its reader), or a lower bound marked at_least" jq_true tty.json "
    $end.summary.pipes | map(select(.writers | length == 1)) |
      map(select(.readers | length == 2)) | length == 1 and
      (.[0] | .bytes >= 100000000 and .bytes < 100000000 + 1048576 and
       .at_least == null or
       .bytes < 100000000 and .at_least == true)"
check "yes's pipe: all that head read (and what it left), or a lower bound" jq_true tty.json "
    $end.summary.pipes | map(select(.readers | length == 1)) | length == 1 and
      (.[0] | .bytes >= 100000000 and .at_least == null or
       .bytes < 100000000 and .at_least == true)"
check "typed at a terminal: the pipeline ran to its end (wc printed 100000000)" \
    wait_line '^100000000$'

# A replay shows the same panels: the timeline, and the summary at the end.
"$PIPEVIZ" --record stall.json -o /dev/null 'yes | sleep 2.2' </dev/null >/dev/null 2>&1
start 120 30 "'$PIPEVIZ' --replay '$WORK/stall.json'"
check "replay: the history panel" wait_for "history, last 60 s"
tm send-keys -t "pz$session" G
check "replay, last frame: yes's stall in its row" wait_line '^  yes +[0-9]+ +.*▓+ '
check "replay, last frame: the summary of the recorded run" wait_line '^    yes +[0-9]+ +SIGPIPE '
tm send-keys -t "pz$session" q
wait_for "EXIT=" >/dev/null

done_testing
