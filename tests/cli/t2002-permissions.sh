#!/bin/bash
# Attaching without the rights to see everything: refuse clearly, or mark.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
	echo "1..0 # SKIP needs root and setpriv to stage two users"
	exit 0
fi
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

# sleep runs as nobody, cat and the shell as root, in one process group.
# The shell says who it is, so the test finds its children without
# guessing among the machine's other sleeps and cats.
setsid bash -c 'echo $$ > sh.pid; setpriv --reuid=65534 --regid=65534 --clear-groups sleep 30.4250 | cat' \
    </dev/null >/dev/null 2>&1 &
sp="" cp=""
for _ in $(seq 150); do
	if [ -s sh.pid ]; then
		sh_pid=$(cat sh.pid)
		sp=$(pgrep -P "$sh_pid" -x sleep) && cp=$(pgrep -P "$sh_pid" -x cat) && break
	fi
	sleep 0.1
done

err=$(nobody "$PIPEVIZ" -p "$cp" --once 2>&1 >/dev/null)
check "attach to another user's process: exit 125" eq "$?" 125
check "attach to another user's process: one clear line" eq "$err" \
    "pipeviz: cannot inspect pid $cp: Permission denied (attach as its owner or as root)"

nobody "$PIPEVIZ" -p "$sp" --once --json - > mixed.json
check "attach to our own process: exit 0" eq "$?" 0
check "our own process is read in full" jq_true mixed.json \
    ".[1].procs[] | select(.pid == $sp) | (.fds | length > 0) and (.fds_denied | not) and .rchar > 0"
check "root's cat is shown, marked as unreadable, not dropped" jq_true mixed.json \
    ".[1].procs[] | select(.pid == $cp) | .comm == \"cat\" and .fds_denied == true and .rchar == null"
kill "$sp" 2>/dev/null
wait
done_testing
