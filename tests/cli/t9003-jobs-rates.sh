#!/bin/bash
# The wait model, jobs and rates: a background job stopped by SIGTTIN and
# a job stopped by Ctrl-Z in an interactive bash (tmux), per-pipe rates
# that do not count what a stage's children did, and a coprocess whose
# descriptors are not leaks.  Each situation is staged with the real
# programs and checked through /proc first ("staging: ...").
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/waitlib.sh"

proc() {
	echo "(\$s.procs[] | select(.pid == $1))"
}
# stat_field PID N: field N of /proc/PID/stat (after the name).
stat_field() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	echo "$s" | cut -d' ' -f$(($2 - 2))
}
# state_is PID LETTER
state_is() {
	[ "$(stat_field "$1" 3)" = "$2" ]
}

# --- 7. Job control in an interactive bash -----------------------------
if command -v tmux >/dev/null; then
	sock=pzt9003-$$
	TMUX_SOCKETS="$TMUX_SOCKETS $sock"
	tm() { tmux -L "$sock" -f /dev/null "$@"; }
	tm new-session -d -s bg -x 120 -y 30 "env -i PATH=$PATH TERM=screen HOME=$WORK bash --norc -i"
	tm new-session -d -s cz -x 120 -y 30 "env -i PATH=$PATH TERM=screen HOME=$WORK bash --norc -i"
	sh_bg=$(tm display -p -t bg '#{pane_pid}')
	sh_cz=$(tm display -p -t cz '#{pane_pid}')
	# env execs bash: the pane's process is the shell.
	retry 5 bash -c "[ \"\$(cat /proc/$sh_bg/comm)\" = bash ] && [ \"\$(cat /proc/$sh_cz/comm)\" = bash ]"
	sleep 0.3

	# cat | wc -l &: cat reads the terminal from the background, SIGTTIN
	# stops the job.
	tm send-keys -t bg 'cat | wc -l &' Enter
	jc=$(retry 5 child_named "$sh_bg" cat)
	# wc's process, by being the job's other child: SIGTTIN stops the
	# whole group, and it may stop wc's child before its exec (then it is
	# still called bash).
	other_child() {
		local c
		for c in $(children "$sh_bg"); do
			[ "$c" != "$jc" ] && { echo "$c"; return 0; }
		done
		return 1
	}
	jw=$(retry 5 other_child)
	KILL_PIDS="$KILL_PIDS $jc $jw"
	check "staging: the background job's cat and wc are both stopped" \
	    retry 5 bash -c "s() { local x=\$(cat /proc/\$1/stat); x=\${x##*) }; echo \${x%% *}; }
	        [ \"\$(s $jc)\" = T ] && [ \"\$(s $jw)\" = T ]"
	jpg=$(stat_field "$jc" 5)
	check "staging: cat and wc are a job of their own, in the background" bash -c "
	    [ $jpg = $jc ] && [ \$(ps -o pgid= -p $jw) = $jc ] && [ $(stat_field "$jc" 8) = $sh_bg ]"
	"$PIPEVIZ" --once --json - -p "$jc" </dev/null > ttin.json 2>ttin.err
	check "SIGTTIN job: procs carry tpgid, the shell's group (the foreground)" jq_true ttin.json "
	    $samples | map(.procs[] | select(.pid == $jc or .pid == $jw) | .tpgid == $sh_bg)
	    | length == 2 and all"
	check "SIGTTIN job: exactly one stopped diagnosis" jq_true ttin.json "
	    $samples | length == 1 and (.[0].diagnoses | map(select(.kind == \"stopped\")) | length == 1)"
	check "SIGTTIN job: the stopped diagnosis names cat and wc" jq_true ttin.json "
	    $samples | map(.diagnoses[] | select(.kind == \"stopped\")
	        | (.pids | index($jc) != null) and (.pids | index($jw) != null))
	    | length == 1 and all"
	check "SIGTTIN job: its message says fg" jq_true ttin.json "
	    $samples | map(.diagnoses[] | select(.kind == \"stopped\") | .message | test(\"(^|[^a-z])fg([^a-z]|\$)\"))
	    | length == 1 and all"
	check "SIGTTIN job: its message does not say kill -CONT" jq_true ttin.json "
	    $samples | map(.diagnoses[] | select(.kind == \"stopped\") | .message | test(\"kill -CONT\") | not)
	    | length == 1 and all"

	# sleep | cat, then Ctrl-Z.
	tm send-keys -t cz 'sleep 60.31 | cat' Enter
	zs=$(retry 5 child_named "$sh_cz" sleep)
	zc=$(retry 5 child_named "$sh_cz" cat)
	KILL_PIDS="$KILL_PIDS $zs $zc"
	retry 5 bash -c "[ \$(cut -d' ' -f1 /proc/$zc/syscall) = 0 ]"
	tm send-keys -t cz C-z
	check "staging: Ctrl-Z stopped sleep and cat" \
	    retry 5 bash -c "s() { local x=\$(cat /proc/\$1/stat); x=\${x##*) }; echo \${x%% *}; }
	        [ \"\$(s $zs)\" = T ] && [ \"\$(s $zc)\" = T ]"
	zpg=$(stat_field "$zs" 5)
	"$PIPEVIZ" --once --json - -p "$zc" </dev/null > ctrlz.json 2>ctrlz.err
	check "Ctrl-Z: procs carry tpgid" jq_true ctrlz.json "
	    $samples | map(.procs[] | select(.pid == $zs or .pid == $zc) | .tpgid == $sh_cz) | length == 2 and all"
	check "Ctrl-Z: exactly one stopped diagnosis, naming sleep and cat" jq_true ctrlz.json "
	    $samples | map(.diagnoses[] | select(.kind == \"stopped\")
	        | (.pids | index($zs) != null) and (.pids | index($zc) != null))
	    | length == 1 and all"
	check "Ctrl-Z: its advice is fg or bg, or kill -CONT -$zpg" jq_true ctrlz.json "
	    $samples | map(.diagnoses[] | select(.kind == \"stopped\") | .message
	        | test(\"(^|[^a-z])(fg|bg)([^a-z]|\$)\") or test(\"kill -CONT -$zpg([^0-9]|\$)\"))
	    | length == 1 and all"
	check "Ctrl-Z: its advice is not kill -CONT of one pid" jq_true ctrlz.json "
	    $samples | map(.diagnoses[] | select(.kind == \"stopped\") | .message | test(\"kill -CONT [0-9]\") | not)
	    | length == 1 and all"
	kill -KILL "$jc" "$jw" "$zs" "$zc" 2>/dev/null
	tm kill-server 2>/dev/null
else
	TESTS_RUN=$((TESTS_RUN + 1))
	echo "ok $TESTS_RUN # SKIP job control: no tmux"
fi

# --- 8. Honest rates: a stage's children's I/O is not its own ----------
# bash reaps three heads that each read 300 MB: the kernel adds what they
# read to bash's rchar, but bash itself read 2 bytes of the pipe.
start_pz rate.json '(sleep 0.3; echo x; sleep 3) | bash -c "read x; for i in 1 2 3; do head -c 300M /dev/zero >/dev/null; sleep 0.3; done; cat"'
retry 5 have_stages 2
rb=$(stage_n 1)
KILL_PGIDS="$KILL_PGIDS $(stage_n 0)"
rchar() { awk '$1 == "rchar:" { print $2 }' "/proc/$1/io"; }
check "staging: bash's rchar takes in its reaped children's 900 MB" retry 8 bash -c "
    [ \"\$(awk '\$1 == \"rchar:\" { print \$2 }' /proc/$rb/io)\" -ge 900000000 ]"
sleep 0.3
stop_pz
rpipe="(\$s.procs[] | select(.pid == $rb) | .fds[] | select(.fd == 0) | .inode) as \$i | \$s.pipes[] | select(.inode == \$i)"
check "rates: every sample gives the pipe a rate_bps (a number or null)" jq_true rate.json "
    $samples | map(. as \$s | $rpipe | has(\"rate_bps\") and (.rate_bps == null or (.rate_bps | type) == \"number\"))
    | length >= 10 and all"
check "rates: the pipe's rate_bps is known in some samples" jq_true rate.json "
    $samples | map(. as \$s | $rpipe | .rate_bps | numbers) | length >= 5"
check "rates: the pipe's rate_bps never exceeds 1000 B/s" jq_true rate.json "
    $samples | map(. as \$s | $rpipe | .rate_bps // 0 | . <= 1000) | length >= 10 and all"
check "rates: bash's read_bps never exceeds 100 kB/s" jq_true rate.json "
    $samples | map(. as \$s | $(proc "$rb") | .read_bps // 0 | . <= 100000) | length >= 10 and all"

# A steady writer: about 1 MB/s, 100 kB every 0.1 s.
cat > steady.py <<'EOF'
import os, time
b = b"x" * 100000
while True:
    os.write(1, b)
    time.sleep(0.1)
EOF
start_pz steady.json "python3 $WORK/steady.py | cat"
retry 5 have_stages 2
KILL_PGIDS="$KILL_PGIDS $(stage_n 0)"
sw=$(stage_n 0)
sleep 2
stop_pz
spipe="(\$s.procs[] | select(.pid == $sw) | .fds[] | select(.fd == 1) | .inode) as \$i | \$s.pipes[] | select(.inode == \$i)"
check "rates: a steady 1 MB/s writer's pipe shows 0.4 to 1.5 MB/s in most samples" jq_true steady.json "
    $samples | map(select(.t > 0.5) | . as \$s | $spipe | .rate_bps | numbers)
    | length >= 5 and (map(select(. >= 400000 and . <= 1500000)) | length) * 2 > length"

# --- 9. A coprocess: bash holds its ends on purpose ---------------------
# (exit 0 after the sleep, so that bash does not exec the sleep, which
# would close the coprocess's ends.)
start_pz coproc.json 'bash -c '\''coproc cat; echo hi >&${COPROC[1]}; read x <&${COPROC[0]}; sleep 30.32; exit 0'\'''
retry 5 have_stages 1
cb=$(stage_n 0)
KILL_PGIDS="$KILL_PGIDS $cb"
cc=$(retry 5 child_named "$cb" cat)
retry 5 child_named "$cb" sleep >/dev/null
check "staging: bash holds the write end of its coprocess cat's input" bash -c "
    i=\$(readlink /proc/$cc/fd/0); ls -l /proc/$cb/fd | grep -qF \"\$i\""
sleep 1
stop_pz
check "coproc: bash is explained in every sample" jq_true coproc.json "
    $samples | map(.procs[] | select(.pid == $cb and .comm == \"bash\" and .exit == null) | .explain | type == \"string\" and length > 0)
    | length >= 5 and all"
check "coproc: bash's explain does not call its coprocess's descriptors a leak" jq_true coproc.json "
    $samples | map(.procs[] | select(.pid == $cb and .comm == \"bash\") | .explain | test(\"leak\") | not) | length >= 5 and all"
check "coproc: no diagnosis calls them a leaked descriptor" jq_true coproc.json "
    $samples | map(.diagnoses[] | .message | test(\"leak\")) | any | not"

check "nothing of the pipelines is left running" bash -c "
    for g in $KILL_PGIDS; do pgrep -g \$g && exit 1; done; exit 0"

done_testing
