#!/bin/bash
# One cause, one sentence: each thing said once however a process holds
# its pipes, --text printing each sentence once per frame, a 30-stage
# chain reported once and the same way launched and attached, exec
# failures named, and the live view's status line agreeing (tmux).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

samples='[.[] | select(.type=="sample")]'

# sleep |& cat: sleep holds cat's input as fd 1 and fd 2; it is named
# once in the report about cat.
"$PIPEVIZ" --json twice.json -i 100 -n 16 -o /dev/null 'sleep 3 |& cat' </dev/null
check "|&: the starved_reader names sleep once" jq_true twice.json "
    $samples | map(.diagnoses[] | select(.kind == \"starved_reader\") | .message
        | [scan(\"sleep \\\\(pid\")] | length == 1) | length >= 3 and all"

# A --text frame with an 'other pipes' section says each sentence once.
"$PIPEVIZ" --text -n 12 -i 100 -o /dev/null 'yes | tee /dev/null | sleep 3' </dev/null >text.out 2>&1
check "--text: each process's sentence once per frame" bash -c "
    awk '/ t=[0-9.]+s / { frame++ } /^  [a-z]+ \\(pid [0-9]+\\): / { k = frame \" \" \$1 \" \" \$3; if (seen[k]++) bad++ }
        END { exit !(frame >= 10 && bad == 0) }' text.out"

# 30 cats between yes and sleep: one blocked_writer, from the last cat,
# naming sleep; attached, the same.
chain="yes$(printf ' | cat%.0s' $(seq 30)) | sleep 4.91"
"$PIPEVIZ" --json long.json -i 100 -n 22 -o /dev/null "$chain" </dev/null
check "30-cat chain: one blocked_writer, first, naming sleep" jq_true long.json "
    $samples | last | (.diagnoses | map(select(.kind == \"blocked_writer\")) | length == 1)
        and .diagnoses[0].kind == \"blocked_writer\"
        and (.diagnoses[0].message | test(\"^cat \\\\(pid [0-9]+\\\\) is blocked writing fd 1: .* sleep \\\\(pid [0-9]+\\\\) is not reading it; upstream, 30 more wait in turn\"))"
setsid bash -c "$chain" </dev/null >/dev/null 2>&1 &
sid=$!
for _ in $(seq 100); do
	[ "$(ps -o pid= -s "$sid" | wc -l)" -ge 32 ] && break
	sleep 0.05
done
first=$(ps -o pid=,comm= -s "$sid" | awk '$2 == "yes" { print $1 }')
"$PIPEVIZ" -p "$first" -n 14 -i 100 --json attached.json </dev/null
check "30-cat chain, attached: the same one report" jq_true attached.json "
    $samples | last | .diagnoses[0] | .kind == \"blocked_writer\"
        and (.message | test(\"sleep \\\\(pid [0-9]+\\\\) is not reading it; upstream, 30 more wait in turn\"))"
kill -TERM -- "-$sid" 2>/dev/null

# The live view: exec failures and shell constructs in the end message,
# --demo fill's status line.
if command -v tmux >/dev/null; then
	. "$here/tuilib.sh"
	trap 'tm kill-server 2>/dev/null; rm -rf "$WORK"' EXIT
	start 100 16 "'$PIPEVIZ' 'nosuchcmd-pz9005 | cat'"
	# (The status line shows it in place of the end message.)
	check "view: nosuchcmd is named not found, first" wait_for "exec_failed: nosuchcmd-pz9005: command not found"
	tm send-keys -t "pz$session" q
	start 120 16 "'$PIPEVIZ' 'cat nosuch-pz9005 2>/dev/null || seq 3 | sort'"
	check "view: a construct is named by its text, not its first word" \
	    wait_line "pipeline ended: cat nosuch-pz9005 2>/dev… exit 0"
	tm send-keys -t "pz$session" q
	start 120 16 "'$PIPEVIZ' --demo fill"
	TUI_WAIT=100 check "view: --demo fill's status says only fill reads its pipe" \
	    wait_for "holds the read end, and it is blocked writing"
	tm send-keys -t "pz$session" q
fi

done_testing
