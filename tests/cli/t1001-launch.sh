#!/bin/bash
# Launching: every stage known and wired, data byte-exact, statuses as sh.
. "$(dirname "$0")/lib.sh"

# The lecture's pipeline, in a directory of known files.
mkdir seed && touch seed/a.txt seed/b.c seed/c.txt seed/d.h seed/a.h
# tee makes dir_contents while ls may still list: a race in sh too.
want=$(cd seed && ls -1 | cut -d'.' -f1 | uniq | sort | grep -vx dir_contents)
(cd seed && "$PIPEVIZ" --json ../seed.json -o ../seed.out \
    "ls -1 | cut -d'.' -f1 | uniq | sort | tee dir_contents")
check "seed: exit 0" eq "$?" 0
check "seed: output as sh gives it" eq "$(grep -vx dir_contents seed.out)" "$want"
check "seed: tee wrote its file" cmp seed.out seed/dir_contents
check "seed: trace starts and ends" jq_true seed.json \
    '.[0].type == "start" and .[0].version == 1 and .[-1].type == "end" and .[-1].status.code == 0'
check "seed: five stages in order" jq_true seed.json \
    '[.[] | select(.type=="sample")][-1].procs | map(select(.stage != null)) | map(.comm) == ["ls","cut","uniq","sort","tee"]'
check "seed: stages numbered 0-4" jq_true seed.json \
    '[.[] | select(.type=="sample")][-1].procs | map(.stage) == [0,1,2,3,4]'
check "seed: four pipes" jq_true seed.json \
    '[.[] | select(.type=="sample")][-1].pipes | map(select(.kind=="pipe")) | length == 4'
check "seed: each pipe joins fd 1 of one stage to fd 0 of the next" jq_true seed.json \
    '[.[] | select(.type=="sample")][-1].procs as $p
     | [range(0;4) | ($p[.].fds[] | select(.fd==1).inode) == ($p[.+1].fds[] | select(.fd==0).inode)] | all'
check "seed: an exit record for every stage, code 0" jq_true seed.json \
    '[.[] | select(.type=="exit")] | (length == 5) and (map(.status.code) | all(. == 0))'
check "seed: stages that ended before any sample keep their argv" jq_true seed.json \
    '[.[] | select(.type=="sample")][-1].procs[1].argv == ["cut","-d.","-f1"]'
check "seed: final counters read from the zombie" jq_true seed.json \
    '[.[] | select(.type=="sample")][-1].procs | map(.rchar > 0) | all'

# Data passes through untouched, from stdin and to -o.
head -c 3000000 /dev/urandom > in.bin
"$PIPEVIZ" --json /dev/null -o out.bin 'cat | cat | cat' < in.bin > /dev/null
check "3 MB through cat | cat | cat to -o, byte-exact" cmp in.bin out.bin
"$PIPEVIZ" -i 1 --text -o out2.bin 'cat | cat' < in.bin 2>/dev/null >/dev/null
check "byte-exact with 1 ms sampling" cmp in.bin out2.bin
out=$("$PIPEVIZ" 'cat' < in.bin 2>/dev/null | md5sum)
check "stdin to stdout without -o, byte-exact" eq "$out" "$(md5sum < in.bin)"

# Exit statuses equal sh's.
for p in 'true' 'false' 'exit 3' 'true | exit 4' 'exit 4 | true' \
    'no_such_command_pz' 'sh -c "kill -TERM \$\$"' 'sh -c "kill -KILL \$\$" | cat' \
    'cat /nonexistent'; do
	sh -c "$p" >/dev/null 2>&1 </dev/null
	want=$?
	"$PIPEVIZ" --json /dev/null "$p" >/dev/null 2>&1 </dev/null
	check "status of '$p' is sh's ($want)" eq "$?" "$want"
done
"$PIPEVIZ" --pipefail --json /dev/null 'exit 5 | true' </dev/null
check "--pipefail: a failing middle stage fails the pipeline" eq "$?" 5
"$PIPEVIZ" --pipefail --json /dev/null 'true | true' </dev/null
check "--pipefail: all fine is 0" eq "$?" 0

# A signalled stage is named in the trace.
"$PIPEVIZ" --json sig.json 'sh -c "kill -TERM \$\$"' </dev/null
check "a stage killed by SIGTERM is recorded by name" jq_true sig.json \
    '[.[] | select(.type=="exit")][0].status == {"signal":15,"name":"SIGTERM"}'

# yes | head ends at once; yes dies of SIGPIPE.
start=$(date +%s%N)
out=$(timeout 10 "$PIPEVIZ" --json yes.json -o yes.out 'yes | head -n 1'; echo "rc=$?")
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "yes | head -n 1: status 0" eq "$out" "rc=0"
check "yes | head -n 1: head printed one line" eq "$(cat yes.out)" "y"
check "yes | head -n 1: ended promptly (${ms} ms)" test "$ms" -lt 3000
check "yes | head -n 1: yes killed by SIGPIPE" jq_true yes.json \
    '[.[] | select(.type=="exit" and .stage==0)][0].status.name == "SIGPIPE"'

# |& joins stderr to the pipe.
out=$("$PIPEVIZ" --json amp.json 'sh -c "echo to-err >&2; echo to-out" |& sort' 2>/dev/null)
check "|&: stderr goes down the pipe" eq "$out" "$(printf 'to-err\nto-out')"
check "|&: fds 1 and 2 of stage 0 share the pipe" jq_true amp.json \
    '[.[] | select(.type=="sample")][-1].procs[0].fds | (map(select(.fd==1))[0].inode == map(select(.fd==2))[0].inode)'

# A simple stage runs as itself, not as sh with a child.
"$PIPEVIZ" --json simple.json -n 3 -i 50 'sleep 0.4 | cat' </dev/null
check "a simple stage is the command itself (no sh parent)" jq_true simple.json \
    '[.[] | select(.type=="sample")][0].procs | map(.comm) == ["sleep","cat"]'
check "shell syntax in a stage keeps the shell, its child tagged with the stage" bash -c \
    "'$PIPEVIZ' --json sub.json -n 2 -i 100 '(sleep 0.4; true) | cat' </dev/null &&
     jq -se '[.[] | select(.type==\"sample\")][0].procs | map(select(.comm==\"sleep\"))[0].stage == 0' sub.json"

done_testing
