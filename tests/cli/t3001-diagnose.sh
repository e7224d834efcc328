#!/bin/bash
# Diagnoses on real pipelines: each situation staged with real processes,
# the trace's "diagnoses" checked against the processes it shows.
. "$(dirname "$0")/lib.sh"

samples='[.[] | select(.type=="sample")]'

# Whether pid $1 is still alive (a zombie waiting for init counts as gone).
alive() {
	ps -o stat= -p "$1" | grep -v '^Z' || true
}

# yes | sleep: yes fills the pipe; sleep never reads it.  The reports come
# after the 1 s stuck time: of the second that is left, at least half a
# second of samples (5), so that a slow pipeviz (ASan, a loaded machine)
# is judged on what it says, not on how often it could look.
"$PIPEVIZ" --json yes.json -i 100 'yes | sleep 2' </dev/null
check "yes | sleep 2: blocked_writer names yes, fd 1 and the pipe it waits on" jq_true yes.json "
    $samples | map(. as \$s | (\$s.procs[] | select(.comm==\"yes\" and .blocked.op==\"write\")) as \$y
      | \$s.diagnoses[] | select(.kind==\"blocked_writer\" and .pids[0]==\$y.pid
          and .pipes==[\$y.blocked.pipe]
          and (.message | startswith(\"yes (pid \(\$y.pid)) is blocked writing fd 1: pipe \(\$y.blocked.pipe) is full\"))))
    | length >= 5"
check "yes | sleep 2: blocked_writer blames sleep, the reader" jq_true yes.json "
    $samples | map(. as \$s | \$s.diagnoses[] | select(.kind==\"blocked_writer\")
      | .pids[1] == $(pid_of sleep) and (.message | endswith(\"sleep (pid \($(pid_of sleep))) is not reading it\")))
    | length > 0 and all"
check "yes | sleep 2: it tells how long yes has been stuck" jq_true yes.json "
    $samples | map(.diagnoses[] | select(.kind==\"blocked_writer\") | .message) | any(test(\"for 1\\\\.[5-9] s\"))"
check "yes | sleep 2: no deadlock, no bottleneck" jq_true yes.json "
    $samples | map(.diagnoses[] | select(.kind==\"deadlock\" or .kind==\"bottleneck\")) | length == 0"
check "yes | sleep 2: yes ends by SIGPIPE, reported as normal" jq_true yes.json "
    $samples[-1] as \$s | \$s.diagnoses | map(select(.kind==\"sigpipe\"))
    | length == 1 and .[0].pids == [$(pid_of yes), $(pid_of sleep)] and (.[0].message | test(\"normal\"))"

# sleep | cat: cat starves, but sleep is the writer it is wired to.
"$PIPEVIZ" --json cat.json -i 100 -o /dev/null 'sleep 2 | cat' </dev/null
check "sleep 2 | cat: starved_reader names cat and blames sleep" jq_true cat.json "
    $samples | map(. as \$s | \$s.diagnoses[] | select(.kind==\"starved_reader\"
        and .pids == [$(pid_of cat), $(pid_of sleep)]
        and (.message | startswith(\"cat (pid \($(pid_of cat))) is waiting to read fd 0\"))))
    | length >= 5"
check "sleep 2 | cat: never eof_held" jq_true cat.json "
    $samples | map(.diagnoses[] | select(.kind==\"eof_held\")) | length == 0"

# At 100 Hz the diagnoses and sentences are judged about every 100 ms, and
# the samples in between repeat them: none may come out empty.  cat is
# called starved once it has waited the stuck time (1 s).
"$PIPEVIZ" --json fast.json -i 10 -o /dev/null 'sleep 2.2 | cat' </dev/null
check "-i 10: about 200 samples taken" jq_true fast.json "$samples | length >= 120"
check "-i 10: every sample still carries the diagnosis and the sentences" jq_true fast.json "
    $samples | map(select(.t >= 1.2 and (.procs | map(select(.exit==null and .state!=\"Z\").comm) | sort == [\"cat\",\"sleep\"])))
    | (length >= 60) and all(.diagnoses | any(.kind==\"starved_reader\")) and all(.procs | all(.explain | length > 0))"
check "-i 10: no starved_reader before cat has waited 1 s" jq_true fast.json "
    $samples | map(select(.t < 0.9) | .diagnoses[] | select(.kind==\"starved_reader\")) | length == 0"

# A background job keeps cat's input open after its stage has exited.
watch_for bg.json '{ sleep 31.7 & echo hi; } | cat' 2.5
check "{ sleep & echo; } | cat: eof_held for cat" jq_true bg.json "
    $samples | map(. as \$s | \$s.diagnoses[] | select(.kind==\"eof_held\" and .pids[0]==$(pid_of cat)
        and (.message | startswith(\"cat (pid \($(pid_of cat))) waits for EOF on fd 0\"))))
    | length >= 5"
check "{ sleep & echo; } | cat: eof_held names the background sleep as the holder" jq_true bg.json "
    $samples | map(. as \$s | \$s.diagnoses[] | select(.kind==\"eof_held\")
        | select(.pids[1] == $(pid_of sleep) and $(pid_of sleep) != null)
        | .message | test(\"sleep \\\\(pid [0-9]+\\\\) still holds the write end as fd 1\"))
    | length > 0 and all"
check "{ sleep & echo; } | cat: no starved_reader once eof_held is known" jq_true bg.json "
    $samples | map(select(.diagnoses | any(.kind==\"eof_held\")) | .diagnoses[] | select(.kind==\"starved_reader\"))
    | length == 0"
check "{ sleep & echo; } | cat: no sleep left running" eq "$(running 'sleep 31.7')" ""

# The same in a shell we attach to: the sleep is orphaned (ppid 1).
setsid bash -c '{ sleep 31.8 & echo hi; } | cat' </dev/null >/dev/null 2>&1 &
sid=$!
for _ in $(seq 100); do
	catpid=$(pgrep -s "$sid" -x cat) && [ -n "$(pgrep -s "$sid" -x sleep)" ] && break
	sleep 0.05
done
sleeppid=$(pgrep -s "$sid" -x sleep)
"$PIPEVIZ" -p "$catpid" -n 14 -i 100 --json attach.json
check "attach, { sleep & echo; } | cat: eof_held names the orphaned sleep and its fd" jq_true attach.json "
    $samples | map(. as \$s | \$s.diagnoses[] | select(.kind==\"eof_held\")
        | .pids == [$catpid, $sleeppid]
          and (.message | test(\"^cat \\\\(pid $catpid\\\\) waits for EOF on fd 0 .*sleep \\\\(pid [0-9]+\\\\) still holds the write end as fd 1 and is not writing.*parent is gone\")))
    | length >= 3 and all"
pkill -s "$sid"
wait
check "attach: no sleep left running" eq "$(alive "$sleeppid")" ""

# yes | head: yes dies of SIGPIPE, which is normal.
"$PIPEVIZ" --json head.json -i 100 -o /dev/null 'yes | head -n 1' </dev/null
check "yes | head -n 1: sigpipe names yes, then head, and says it is normal" jq_true head.json "
    $samples[-1] as \$s | \$s.diagnoses | map(select(.kind==\"sigpipe\"))
    | length == 1 and .[0].pids == [$(pid_of yes), $(pid_of head)]
      and (.[0].message | test(\"^yes .* killed by SIGPIPE .*normal\"))"

# A CPU-bound middle stage limits the throughput.
"$PIPEVIZ" --json gz.json -i 100 'head -c 400M /dev/zero | gzip -1 | wc -c' </dev/null >/dev/null
check "head | gzip | wc: gzip is the bottleneck in most samples that name one" jq_true gz.json "
    $samples | map(. as \$s | \$s.diagnoses[] | select(.kind==\"bottleneck\") | .pids[0] == $(pid_of gzip))
    | (map(select(.)) | length) as \$g | length >= 3 and \$g * 2 > length"
check "head | gzip | wc: the bottleneck message names gzip and who waits for it" jq_true gz.json "
    $samples | map(. as \$s | \$s.diagnoses[] | select(.kind==\"bottleneck\" and .pids[0] == $(pid_of gzip)) | .message)
    | any(test(\"^gzip \\\\(pid [0-9]+\\\\) limits the pipeline's throughput.*(head|wc) \\\\(pid [0-9]+\\\\) waits to\"))"

# A stopped stage holds up its writer.
"$PIPEVIZ" --json stop.json -i 100 -o /dev/null 'yes | cat' </dev/null &
pz=$!
for _ in $(seq 100); do
	catpid=$(pgrep -P "$pz" -x cat) && break
	sleep 0.05
done
kill -STOP "$catpid"
sleep 2
kill -TERM "$pz"
wait "$pz"
check "yes | cat with cat stopped: stopped names cat and how to continue it" jq_true stop.json "
    $samples | map(.diagnoses[] | select(.kind==\"stopped\")
        | .pids[0] == $catpid and (.message | test(\"^cat \\\\(pid $catpid\\\\) is stopped.*kill -CONT $catpid\$\")))
    | length >= 5 and all"
# Right after the SIGSTOP yes may still be filling the pipe: most samples.
check "yes | cat with cat stopped: stopped says yes waits for cat to read the pipe" jq_true stop.json "
    $samples | map(. as \$s | \$s.diagnoses[] | select(.kind==\"stopped\"
        and .pids == [$catpid, $(pid_of yes)] and .pipes == [\$s.pipes[] | select(.stray|not) | .inode]
        and (.message | test(\"yes \\\\(pid [0-9]+\\\\) waits for it to read pipe [0-9]+\"))))
    | length >= 3"
check "yes | cat with cat stopped: the stopped stage is not called a deadlock" jq_true stop.json "
    $samples | map(.diagnoses[] | select(.kind==\"deadlock\")) | length == 0"
check "yes | cat with cat stopped: the stopped cat was ended too" eq "$(alive "$catpid")" ""

# A FIFO back into the first stage: each waits for the other.
mkfifo f
watch_for fifo.json "sh -c 'head -c 1000000 /dev/zero; cat >/dev/null' < $WORK/f | cat > $WORK/f" 1.5
check "FIFO loop: deadlock names sh, head and cat" jq_true fifo.json "
    $samples | map(. as \$s | \$s.diagnoses[] | select(.kind==\"deadlock\")
        | (.pids | sort) == ([$(pid_of sh), $(pid_of head), $(pid_of cat)] | sort))
    | length >= 5 and all"
check "FIFO loop: deadlock names the pipe and the FIFO, in the order of the cycle" jq_true fifo.json "
    $samples | map(. as \$s | \$s.diagnoses[] | select(.kind==\"deadlock\")
        | (.pipes | sort) == ([\$s.pipes[] | select(.stray|not) | .inode] | sort)
          and (.message | test(\"^cat \\\\(pid [0-9]+\\\\) waits to write FIFO $WORK/f read by .*head \\\\(pid [0-9]+\\\\), which waits to write pipe [0-9]+ read by cat\")))
    | length > 0 and all"
check "FIFO loop: reported only once it has lasted" jq_true fifo.json "
    $samples | map(select(.t < 0.45) | .diagnoses[] | select(.kind==\"deadlock\")) | length == 0"
check "FIFO loop: nothing left running" eq "$(running 'head -c 1000000')" ""

# A parent and its child each fill the pipe to the other.
watch_for coproc.json 'bash -c '\''coproc cat; while :; do echo 0123456789abcdef; done >&${COPROC[1]}'\''' 1.2
check "bash and its coprocess writing both ways: deadlock names bash and cat" jq_true coproc.json "
    $samples | map(. as \$s | \$s.diagnoses[] | select(.kind==\"deadlock\")
        | (.pids | sort) == ([$(pid_of bash), $(pid_of cat)] | sort) and (.pipes | length) == 2)
    | length >= 3 and all"

# nosuchcmd | cat: the stage's shell exits 127; the report names the
# command, not the shell, and comes first.
"$PIPEVIZ" --json nf.json -i 100 -o /dev/null 'nosuchcmd-pz3001 --x | cat' </dev/null 2>/dev/null
check "nosuchcmd | cat: exec_failed names the command, not the shell" jq_true nf.json "
    $samples | last | .diagnoses[0] | .kind == \"exec_failed\"
        and (.message | startswith(\"nosuchcmd-pz3001: command not found\"))"
check "nosuchcmd | cat: its sentence names the command too" jq_true nf.json "
    $samples | last | .procs[] | select(.exit.code == 127) | .explain
        | startswith(\"nosuchcmd-pz3001: command not found\")"
check "seq 3 | grep x: grep's exit 1 is no exec failure" bash -c "
    '$PIPEVIZ' --json - -i 100 -o /dev/null 'seq 3 | grep x' </dev/null 2>/dev/null |
    jq -s -e '[.[] | select(.type==\"sample\") | .diagnoses[] | select(.kind==\"exec_failed\")] | length == 0' >/dev/null"

# yes | tr y n | grep -v x | sleep: one cause, one report.  Three writers
# wait behind sleep, which never reads; the report is the first of every
# sample once it is made, names sleep, and counts the others upstream.
"$PIPEVIZ" --json chain.json -i 100 -n 25 -o /dev/null 'yes | tr y n | grep -v x | sleep 30' </dev/null
check "blocked chain: one blocked_writer per sample, not one per writer" jq_true chain.json "
    $samples | .[10:] | map(.diagnoses | map(select(.kind==\"blocked_writer\")) | length == 1) | all"
check "blocked chain: it is the first diagnosis of the sample" jq_true chain.json "
    $samples | .[10:] | map(.diagnoses[0].kind == \"blocked_writer\") | all"
check "blocked chain: it names sleep as not reading, and the writers upstream" jq_true chain.json "
    $samples | last as \$s | \$s.diagnoses[0] | (.message | test(\"sleep \\\\(pid [0-9]+\\\\) is not reading it; upstream, 2 more wait in turn: tr .* and yes\"))
        and ((.pids | sort) == ([\$s.procs[] | select(.comm==\"yes\" or .comm==\"tr\" or .comm==\"grep\" or .comm==\"sleep\") | .pid] | sort))"

# yes | tr y n | cat | head -c 10: one sigpipe report, from head.
"$PIPEVIZ" --json casc.json -i 100 -o /dev/null 'yes | tr y n | cat | head -c 10' </dev/null >/dev/null
check "SIGPIPE cascade: one report, from head, which left first" jq_true casc.json "
    $samples | last | .diagnoses | map(select(.kind==\"sigpipe\"))
    | length == 1 and (.[0].message | startswith(\"head (pid\") and test(\"cat .*tr .*yes .*then died of SIGPIPE in turn\"))"

# The Python subprocess deadlock, with --once: what a bug report attaches
# names the deadlock first, though it takes two looks to see.
cat > popen.py <<'EOF'
import subprocess
p = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
p.stdin.write(b"x" * 2000000)
EOF
"$PIPEVIZ" --once --json once.json -o /dev/null "python3 $PWD/popen.py" </dev/null
check "--once, Popen deadlock: one sample, whose first diagnosis is the deadlock" jq_true once.json "
    $samples | length == 1 and .[0].diagnoses[0].kind == \"deadlock\""

# Normal backpressure: gzip is the bottleneck, head waits for it and wc
# for gzip, each moving; no stuck-type report, no stuck process.
"$PIPEVIZ" --json bp.json -i 100 -n 25 -o /dev/null 'head -c 400M /dev/zero | gzip -1 | wc -c' </dev/null
check "backpressure: no blocked_writer or starved_reader while data flows" jq_true bp.json "
    $samples | map(select(any(.procs[]; .comm == \"gzip\" and .exit == null)) | .diagnoses[]
        | select(.kind == \"blocked_writer\" or .kind == \"starved_reader\")) | length == 0"
check "backpressure: head is never marked stuck" jq_true bp.json "
    $samples | map(.procs[] | select(.comm == \"head\" and .stuck == true)) | length == 0"

done_testing
