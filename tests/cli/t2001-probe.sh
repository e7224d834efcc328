#!/bin/bash
# The probe on real pipelines: blocking, fill levels, FIFOs, attaching.
. "$(dirname "$0")/lib.sh"

samples='[.[] | select(.type=="sample")]'

# yes | sleep: the pipe fills and yes blocks writing fd 1.
"$PIPEVIZ" --json yes.json -i 100 'yes | sleep 1' </dev/null
check "yes | sleep 1: yes blocked writing fd 1 on a full pipe" jq_true yes.json "
    $samples | map(. as \$s | .procs[] | select(.comm==\"yes\" and .blocked.op==\"write\" and .blocked.fd==1)
      | .blocked.pipe as \$i | \$s.pipes[] | select(.inode==\$i and .fill==.capacity and .capacity > 0))
    | length > 0"
check "yes | sleep 1: the full pipe has yes as writer and sleep as reader" jq_true yes.json "
    $samples | map(.procs as \$p | .pipes[] | select(.fill == .capacity and .capacity > 0)
      | (.writers[0].pid == (\$p[] | select(.comm==\"yes\").pid)) and (.readers[0].fd == 0))
    | any"
check "yes | sleep 1: sleep sleeps in clock_nanosleep, not blocked" jq_true yes.json "
    $samples | map(.procs[] | select(.comm==\"sleep\" and .exit==null and .syscall!=null))
      | (length > 0) and all(.blocked == null and .syscall == \"clock_nanosleep\")"
check "yes | sleep 1: yes ends by SIGPIPE" jq_true yes.json \
    '[.[] | select(.type=="exit" and .stage==0)][0].status.name == "SIGPIPE"'

# sleep | cat: cat waits reading an empty pipe.
"$PIPEVIZ" --json cat.json -i 100 -o /dev/null 'sleep 0.6 | cat' </dev/null
check "sleep | cat: cat blocked reading fd 0 on an empty pipe" jq_true cat.json "
    $samples | map(. as \$s | .procs[] | select(.comm==\"cat\" and .blocked.op==\"read\" and .blocked.fd==0)
      | .blocked.pipe as \$i | \$s.pipes[] | select(.inode==\$i and .fill==0)) | length > 0"
check "sleep | cat: fds carry kind and mode" jq_true cat.json "
    $samples[0].procs[1].fds | map(select(.fd==0))[0] | (.kind==\"pipe\" and .mode==\"r\" and .inode > 0)"
check "sleep | cat: state letters as in /proc" jq_true cat.json \
    "$samples[0].procs | map(.state) | all(test(\"^[RSD]\$\"))"

# A named FIFO shows with its path.
mkfifo f
(sleep 0.8 > f) &
"$PIPEVIZ" --json fifo.json -i 100 -o /dev/null "cat $WORK/f | cat" </dev/null
wait
check "a FIFO from mkfifo appears with its path" jq_true fifo.json "
    $samples | map(.pipes[] | select(.kind==\"fifo\" and .path==\"$WORK/f\")) | length > 0"
check "the FIFO's reader is cat" jq_true fifo.json "
    $samples | map(.procs as \$p | .pipes[] | select(.kind==\"fifo\") | .readers[0].pid as \$r
      | \$p[] | select(.pid == \$r).comm) | any(. == \"cat\")"

# Attach to a pipeline that another shell started.
setsid bash -c 'sleep 2.5 | cat | cat > /dev/null' </dev/null >/dev/null 2>&1 &
sid=$!
for _ in $(seq 100); do
	catpid=$(pgrep -n -s "$sid" -x cat) &&
	    [ -n "$(pgrep -x -s "$sid" sleep)" ] && break
	sleep 0.1
done
"$PIPEVIZ" -p "$catpid" --once --json - > attach.json
check "attach --once: exit 0" eq "$?" 0
check "attach: finds sleep, both cats and their shell (same group)" jq_true attach.json \
    "$samples[0].procs | map(.comm) | sort == [\"bash\",\"cat\",\"cat\",\"sleep\"]"
check "attach: two pipes, each with a writer and a reader" jq_true attach.json \
    "$samples[0].pipes | map(select(.stray|not)) | (length == 2) and all(.writers|length == 1) and all(.readers|length == 1)"
check "attach: the start record says attach" jq_true attach.json '.[0].mode == "attach"'
check "attach: the pipeline runs on untouched" test -n "$(pgrep -s "$sid" sleep)"
COLUMNS=160 "$PIPEVIZ" -p "$catpid" -n 2 -i 50 --text > attach.txt
check "attach --text draws the chain" grep -q '(0) sleep (1) .*(0) cat (1) .*(0) cat (1)' attach.txt
pkill -s "$sid" sleep
wait

# Attach follows the data path across sessions: yes writes into a FIFO
# that the cat of another session reads on fd 0.
mkfifo g
setsid sh -c "exec yes > '$WORK/g'" </dev/null >/dev/null 2>&1 &
yes_sid=$!
setsid sh -c "cat < '$WORK/g' | sleep 30.7" </dev/null >/dev/null 2>&1 &
sleep_sid=$!
for _ in $(seq 100); do
	sleeppid=$(pgrep -s "$sleep_sid" -f '^sleep 30\.7$') &&
	    yespid=$(pgrep -s "$yes_sid" -x yes) &&
	    [ "$(ps -o stat= -p "$yespid" | cut -c1)" = S ] && break
	sleep 0.1
done
"$PIPEVIZ" -p "$sleeppid" --once --json - > across.json
check "attach across sessions: the FIFO's writer in another session joins" jq_true across.json \
    "$samples[0].procs | map(.comm) | sort == [\"cat\",\"sh\",\"sleep\",\"yes\"]"
check "attach across sessions: the FIFO links yes to cat" jq_true across.json \
    "$samples[0] | .procs as \$p | .pipes[] | select(.kind==\"fifo\")
      | [(.writers[0].pid as \$w | \$p[] | select(.pid==\$w).comm), (.readers[0].pid as \$r | \$p[] | select(.pid==\$r).comm)]
      == [\"yes\",\"cat\"]"
kill "$yespid" "$sleeppid" 2>/dev/null
wait

# A process that joins an attached pipeline later is found: sleep holds
# FIFO h open as fd 0, and yes starts writing into it a second later.
mkfifo h
setsid sh -c "exec sleep 30.8 <> '$WORK/h'" </dev/null >/dev/null 2>&1 &
sid=$!
for _ in $(seq 100); do
	sleeppid=$(pgrep -s "$sid" -f '^sleep 30\.8$') && break
	sleep 0.1
done
"$PIPEVIZ" -p "$sleeppid" -i 100 -n 30 --json later.json &
pz=$!
sleep 1
setsid sh -c "exec yes > '$WORK/h'" </dev/null >/dev/null 2>&1 &
yespid=$!
wait $pz
check "attach: a writer that joins later is not in the first sample" jq_true later.json \
    "$samples[0].procs | map(.comm) == [\"sleep\"]"
check "attach: a writer that joins later is found within 2 s" jq_true later.json \
    "$samples[-1].procs | map(.comm) | sort == [\"sleep\",\"yes\"]"
kill "$sleeppid" "$yespid"
wait

# A stage with 900 children: /proc/PID/task/TID/children comes a page
# (about 500 pids) per read, and every page must be read.
cat > kids.sh <<'EOF2'
for i in $(seq 900); do sleep 30.9 & done
wait
EOF2
# (Forking 900 takes a while on a loaded machine: a sample of 6 s shows it.)
"$PIPEVIZ" -i 500 -n 12 --json kids.json "bash $WORK/kids.sh | cat" </dev/null
check "900 children of one stage: all 900 are in a sample" jq_true kids.json \
    "$samples | map(.procs | map(select(.comm==\"sleep\")) | length) | max == 900"
pkill -s "$TEST_SID" -f '^sleep 30\.9$'

# A background process whose parent exits between two samples (never seen
# to die) is adopted by pipeviz, and shown from the next sample on.
# (The stage waits with bash's own read -t: a child that ended would tell.)
mkfifo wait.fifo
"$PIPEVIZ" -i 100 -n 9 --json orphan.json \
    "bash -c 'read -t 0.3 <> $WORK/wait.fifo; (sleep 30.95 &); sleep 2' | cat" </dev/null
check "an orphan of a short-lived subshell is in view within 0.3 s of its start" jq_true orphan.json "
    $samples | map(select(.t <= 0.65 and (.procs | any(.argv == [\"sleep\",\"30.95\"])))) | length > 0"
pkill -s "$TEST_SID" -f '^sleep 30\.95$'

# Signals end a launched pipeline cleanly.
"$PIPEVIZ" --json term.json 'sleep 31.5 | cat' </dev/null &
pz=$!
sleep 0.5
kill -TERM $pz
wait $pz
rc=$?
check "SIGTERM: pipeviz exits 143" eq "$rc" 143
check "SIGTERM: no stage left running" eq "$(running 'sleep 31.5')" ""
check "SIGTERM: exit records and an end record are written" jq_true term.json \
    '([.[] | select(.type=="exit")] | length == 2) and .[-1].type == "end" and .[-1].stopped_by == "SIGTERM"'
"$PIPEVIZ" --json int.json 'sleep 32.5 | sleep 32.6' </dev/null &
pz=$!
sleep 0.3
kill -INT $pz
wait $pz
check "SIGINT: pipeviz exits 130" eq "$?" 130
check "SIGINT: no stage left running" eq "$(running 'sleep 32\.[56]')" ""

# pipeviz's own fds never leak into the stages.
"$PIPEVIZ" --json fds.json -n 2 -i 100 -o /dev/null 'sleep 0.5 | sleep 0.5' </dev/null
check "stages hold only what they inherited: no extra pipe ends" jq_true fds.json "
    $samples[0].pipes | map(select(.stray|not)) | (length == 1) and (.[0].writers|length == 1) and (.[0].readers|length == 1)"

done_testing
