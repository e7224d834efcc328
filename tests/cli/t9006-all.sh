#!/bin/bash
# pipeviz --all: every pipeline on the machine, stuck ones first.  Three
# pipelines run at once in sessions of their own — a writer blocked behind
# a reader that never reads, a Python parent deadlocked with the cat it
# feeds through subprocess pipes, and a healthy one flowing slowly — and
# must come out with the two stuck ones first, each with its cause, and
# the healthy one not stuck; another user's pipeline is shown marked (as
# root) and the list run as that user sees only its own, never a crash;
# the live list in tmux at 80x24: / filters, Enter opens, q comes back.
# The machine runs other work beside the suite: records are found by
# the pids of this test's own sessions, never by name.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/tuilib.sh"

sids=()
finish() {
	for sid in "${sids[@]}"; do
		kill -KILL -- "-$sid" 2>/dev/null
	done
	wait 2>/dev/null
	tm kill-server 2>/dev/null
	cleanup
}
trap finish EXIT

# session CMD...: CMD in a session of its own; its id in $sid.
session() {
	setsid "$@" </dev/null >/dev/null 2>&1 &
	sid=$!
	sids+=("$sid")
}
# members SID: the pids of a session, as a JSON array.
members() {
	ps -o pid= -s "$1" | jq -s -c .
}
# record FILE SID FILTER: FILTER over the first record sharing a pid with
# the session (the list's other records are other work's).
record() {
	local ms
	ms=$(members "$2")
	jq -s -e "map(select(.type == \"pipeline\" and
	    (.pids - ($ms) | length) < (.pids | length)))
	    | if length == 0 then error(\"no record for session $2\") else .[0] end
	    | $3" "$1"
}
# index FILE SID: the record's place in the list.
index() {
	local ms
	ms=$(members "$2")
	jq -s "[.[] | select(.type == \"pipeline\")]
	    | to_entries | map(select((.value.pids - ($ms) | length) <
	    (.value.pids | length)))[0].key" "$1"
}

export -f members record index

# The sleep's time is this run's own ($$): --all lists every pipeline on
# the machine, and another run of this test may list its own beside it.
T=6061.$$
session sh -c "yes | sleep $T"
blocked=$sid
session python3 -c '
import subprocess
p = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
p.stdin.write(b"x" * 10000000)  # cat writes it back; nobody reads that
'
deadlock=$sid
session sh -c 'python3 -c "
import sys, time
while True:
    sys.stdout.write(\"x\" * 1000); sys.stdout.flush(); time.sleep(0.05)
" | cat >/dev/null'
healthy=$sid
# Until the pipes between them are full.
for _ in $(seq 100); do
	[ "$(ps -o pid= -s "$blocked" | wc -l)" -ge 3 ] &&
	    [ "$(ps -o pid= -s "$deadlock" | wc -l)" -ge 2 ] &&
	    [ "$(ps -o pid= -s "$healthy" | wc -l)" -ge 3 ] && break
	sleep 0.05
done
sleep 1

"$PIPEVIZ" --all --once --json - >all.json 2>all.err
check "--all --once --json: exit 0, every line a pipeline record" jq_true all.json '
    length >= 3 and all(.type == "pipeline" and (.pids | length >= 2)
        and (.command | type == "string") and (.since | type == "number")
        and (.health | IN("stuck", "slow", "idle", "ok"))
        and (.top == null or (.top.kind | type == "string")))'
check "the blocked writer: stuck, blocked_writer, its command rebuilt" \
    record all.json "$blocked" '.health == "stuck" and .top.kind == "blocked_writer"
        and .command == "yes | sleep '"$T"'" and (.top.message | test("yes \\(pid"))'
check "the Python subprocess deadlock: stuck, deadlock, python and cat" \
    record all.json "$deadlock" '.health == "stuck" and .top.kind == "deadlock"
        and (.pids | length == 2) and (.command | startswith("python3") or test("/python3"))'
check "the healthy one: ok, with a rate" \
    record all.json "$healthy" '.health == "ok" and .rate_bps > 0'
check "stuck ones first: both before the healthy one" bash -c "
    b=\$(index all.json $blocked); d=\$(index all.json $deadlock); h=\$(index all.json $healthy)
    echo \"blocked \$b deadlock \$d healthy \$h\"
    [ \$b -lt \$h ] && [ \$d -lt \$h ]"
check "every stuck record comes before every other" jq_true all.json '
    map(.health == "stuck") | . == (sort | reverse)'
check "the records are documented" grep -q '"type": "pipeline"' "$here/../../docs/json-format.md"

"$PIPEVIZ" --all --text >all.txt 2>&1
check "--all --text: a table with its header" grep -qE '^HEALTH +PROCS +AGE +RATE +USER +COMMAND$' all.txt
check "--all --text: the blocked writer, stuck, its cause below" bash -c "
    grep -A1 -E '^stuck +2 .* yes \| sleep 6061\.$$\$' all.txt | grep -q 'blocked_writer: yes (pid'"
check "--all --text: the deadlock, stuck" grep -qE '^ +deadlock: python3 \(pid' all.txt
check "--all --text: the healthy one is not stuck" grep -qE '^ok .*python3 -c .* \| cat$' all.txt

# Plain pipeviz with no terminal: the table, as --all --text prints it.
setsid -w "$PIPEVIZ" >bare.txt 2>bare.err </dev/null
check "pipeviz without arguments or a terminal: the list as a table" bash -c "
    grep -q 'printing' bare.err && grep -qE '^stuck .* yes \| sleep 6061\.$$\$' bare.txt"

check "--all with -p: one line, refused" bash -c "
    ! '$PIPEVIZ' --all -p 1 2>e.txt && [ \$(wc -l <e.txt) = 1 ] && grep -q '^pipeviz: --all lists every pipeline' e.txt"
check "--all with a PIPELINE: refused" bash -c "! '$PIPEVIZ' --all 'ls' 2>/dev/null"
check "--all with --dot: refused" bash -c "
    ! '$PIPEVIZ' --all --once --dot 2>e.txt && grep -q 'takes only' e.txt"

# Another user's pipeline: as root it is listed, marked with its owner;
# run as that user, the list has its own and none of root's, and ends well.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	session setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    sh -c "yes | sleep 6062.$$"
	other=$sid
	sleep 1.2
	"$PIPEVIZ" --all --once --json - >root.json
	check "as root: another user's pipeline, marked with its owner" \
	    record root.json "$other" '.user == "nobody" and .uid == 65534 and .health == "stuck"'
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$PIPEVIZ_BIN" --all --once --json - >nobody.json 2>nobody.err
	check "as nobody: exit 0, its own pipeline listed" record nobody.json "$other" '.user == "nobody"'
	check "as nobody: root's pipelines left out, not opened" bash -c "
	    ! record nobody.json $blocked . >/dev/null 2>&1 && [ ! -s nobody.err ] || { cat nobody.err; false; }"
else
	for n in 1 2 3; do
		check "another user (skipped: needs root and setpriv)" true
	done
fi

# The live list at 80x24, as a new user meets it: plain pipeviz.
start 80 24 "$PIPEVIZ_BIN"
check "tui: the list, titled, stuck ones on top" wait_line "^ stuck +2 .* yes \\| sleep 6061\\.$$ *\$"
check "tui: the key bar shows Enter, / and ? help at 80 columns" wait_line 'Enter open +/ filter .*\? help'
check "tui: the first row is stuck" bash -c "tmux -L $sock capture-pane -p -t pz$session | sed -n 3p | grep -q '^ stuck'"
tm send-keys -t "pz$session" /
tm send-keys -t "pz$session" -l "sleep $T"
check "tui: / filters to the one pipeline" wait_line '1 of [0-9]+ pipelines'
tm send-keys -t "pz$session" Enter
check "tui: the selected pipeline's cause below the list" wait_for 'blocked_writer: yes (pid'
tm send-keys -t "pz$session" Enter
check "tui: Enter opens its live view, attached" wait_for 'attached'
check "tui: the live view shows yes BLOCKED" wait_for 'BLOCKED'
tm send-keys -t "pz$session" q
check "tui: q comes back to the list" wait_for 'every pipeline on this machine'
tm send-keys -t "pz$session" Escape
check "tui: Esc clears the filter: all of them again" wait_line ' ([0-9]+) of \1 pipelines' 
tm send-keys -t "pz$session" q
check "tui: q leaves, status 0" wait_for 'EXIT=0'

done_testing
