#!/bin/bash
# The wait model, channels other than pipes: UNIX socket pairs (socat's
# EXEC, a Python socketpair), TCP on 127.0.0.1 (nc), and a FIFO whose
# writer is not in the pipeline attached to.  Each situation is staged
# with the real programs and checked through /proc first ("staging: ...");
# then the trace's sockets, fds, blocked and diagnoses are checked.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/waitlib.sh"

proc() {
	echo "(\$s.procs[] | select(.pid == $1))"
}
# The socket entry of inode $1 in a sample ($s).
sock() {
	echo "(\$s.sockets[]? | select(.inode == $1))"
}

# --- 5a. socat -u EXEC:yes EXEC:sleep: yes writes into a socket pair -----
start_pz socat.json 'socat -u EXEC:yes "EXEC:sleep 60.21"'
retry 5 have_stages 1
so=$(stage_n 0)
KILL_PGIDS="$KILL_PGIDS $so"
y=$(retry 5 child_named "$so" yes)
check "staging: socat forked yes" test -n "$y"
check "staging: yes sleeps in write(2) on its fd 1, a socket" bash -c "
    [ \"\$(cut -d' ' -f1,2 /proc/$y/syscall)\" = '1 0x1' ] &&
    [ \"\$(cat /proc/$y/wchan)\" = sock_alloc_send_pskb ] &&
    readlink /proc/$y/fd/1 | grep -q '^socket:'"
ys=$(fd_inode "$y" 1)
# socat's end of the pair: the socket of socat whose peer is yes's.
yspeer=""
if command -v ss >/dev/null; then
	yspeer=$(ss -xH | awk -v i="$ys" '$6 == i { print $8 }')
	check "staging: the peer of yes's socket is one socat holds" bash -c "
	    ls -l /proc/$so/fd | grep -q 'socket:\\[$yspeer\\]'"
fi
sleep 2.2
stop_pz
yb="$(proc "$y") | select(.blocked.op == \"write\")"
check "socat: sample.sockets lists yes's socket as unix" jq_true socat.json "
    $samples | map(. as \$s | $(sock "$ys") | .type == \"unix\") | length >= 5 and all"
check "socat: yes's socket lists yes as a holder on fd 1" jq_true socat.json "
    $samples | map(. as \$s | $(sock "$ys") | .holders | any(.pid == $y and .fd == 1)) | length >= 5 and all"
check "socat: yes's socket's peer is socat's end, and that end's peer is yes's" jq_true socat.json "
    $samples | map(. as \$s | $(sock "$ys") | .peer as \$p
      | \$p != null and ($(sock "\$p") | .peer == $ys and (.holders | any(.pid == $so))))
    | length >= 5 and all"
if [ -n "$yspeer" ]; then
	check "socat: the peer is the one the kernel reports (ss)" jq_true socat.json "
	    $samples | map(. as \$s | $(sock "$ys") | .peer == $yspeer) | length >= 5 and all"
fi
check "socat: yes's fd 1 is kind socket with its inode in \"socket\"" jq_true socat.json "
    $samples | map(. as \$s | $(proc "$y") | .fds[] | select(.fd == 1)
      | .kind == \"socket\" and .socket == $ys) | length >= 5 and all"
check "socat: yes is blocked writing fd 1, with socket set" jq_true socat.json "
    $samples | map(. as \$s | $yb | select(.blocked.fd == 1 and .blocked.socket == $ys)) | length >= 5"
# yes waits behind socat, which waits behind sleep: one report of the
# chain, socat's, with yes and its socket among what it concerns.
check "socat: blocked_writer names yes and holds its socket in pipes" jq_true socat.json "
    $samples | map(. as \$s | \$s.diagnoses[] | select(.kind == \"blocked_writer\" and (.pids | index($y) != null)
        and (.pipes | index($ys) != null)))
    | length >= 5"
check "socat: a socket's queued is a number of bytes or null" jq_true socat.json "
    $samples | map(.sockets[]? | .queued | . == null or (type == \"number\" and . >= 0))
    | length >= 5 and all"

# --- 5b. A Python socketpair: the parent writes, its child sleeps -------
cat > pair.py <<'EOF'
import os, socket, time
a, b = socket.socketpair()
if os.fork() == 0:
    a.close()
    time.sleep(60)
    os._exit(0)
b.close()
while True:
    a.send(b"x" * 65536)
EOF
start_pz pair.json "python3 $WORK/pair.py"
retry 5 have_stages 1
pp=$(stage_n 0)
KILL_PGIDS="$KILL_PGIDS $pp"
check "staging: the parent sleeps in sendto(2) on a UNIX socket" retry 5 main_in "$pp" 44 sock_alloc_send_pskb
pfd=$(ls -l "/proc/$pp/fd" | awk '/socket:/ { print $9; exit }')
psock=$(fd_inode "$pp" "$pfd")
# The child's end, once it has closed its copy of the parent's (right
# after the fork it holds both): a socket of its own, not the parent's.
child_end() {
	local fd ino
	pc=$(children "$pp" | head -n 1)
	[ -n "$pc" ] || return 1
	for fd in $(ls "/proc/$pc/fd" 2>/dev/null); do
		ino=$(readlink "/proc/$pc/fd/$fd" 2>/dev/null) || continue
		case $ino in
		"socket:[$psock]") return 1 ;;
		socket:*) csock=${ino#socket:[}; csock=${csock%]} ;;
		esac
	done
	[ -n "${csock:-}" ]
}
csock=""
retry 5 child_end
check "staging: the child holds the other end" test -n "$csock" -a "$csock" != "$psock"
sleep 2.2
stop_pz
check "socketpair: both ends are listed, each the other's peer" jq_true pair.json "
    $samples | map(. as \$s | ($(sock "$psock") | .peer == $csock and .type == \"unix\")
        and ($(sock "$csock") | .peer == $psock))
    | length >= 5 and all"
check "socketpair: the parent is blocked writing its socket" jq_true pair.json "
    $samples | map(. as \$s | $(proc "$pp") | select(.blocked.op == \"write\")
      | select(.blocked.fd == $pfd and .blocked.socket == $psock)) | length >= 5"
check "socketpair: blocked_writer names the parent, then the child" jq_true pair.json "
    $samples | map(.diagnoses[] | select(.kind == \"blocked_writer\" and .pids[0] == $pp
        and (.pids | index($pc) != null) and (.pipes | index($psock) != null)))
    | length >= 5"

# --- 5c. TCP on 127.0.0.1: a listener that accepts and never reads -------
cat > listen.py <<'EOF'
import os, signal, socket, sys
signal.alarm(90)
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
held = []
while True:
    c, _ = s.accept()
    held.append(c)
EOF
python3 listen.py port </dev/null >/dev/null 2>&1 &
lp=$!
KILL_PIDS="$KILL_PIDS $lp"
retry 5 test -s port
port=$(cat port)
check "staging: the listener is on a port of its own" test -n "$port"

start_pz tcp.json "yes | nc 127.0.0.1 $port"
retry 5 have_stages 2
ny=$(stage_n 0)
nc=$(stage_n 1)
KILL_PGIDS="$KILL_PGIDS $ny"
nfd=$(retry 5 bash -c "ls -l /proc/$nc/fd | awk '/socket:/ { print \$9; exit }' | grep .")
nsock=$(fd_inode "$nc" "$nfd")
# nc waits for room on the socket, in poll(2) (it polls stdin too).
check "staging: nc waits in poll(2) with the connection's send buffer full" bash -c "
    for _ in \$(seq 100); do
	[ \"\$(cut -d' ' -f1 /proc/$nc/syscall)\" = 7 ] &&
	awk '\$3 == \"0100007F:$(printf %04X "$port")\" && \$5 !~ /^00000000:/ { f = 1 } END { exit !f }' /proc/net/tcp &&
	exit 0
	sleep 0.05
    done; exit 1"
sleep 2.2
stop_pz
check "tcp: sockets has a tcp entry held by nc whose remote is 127.0.0.1:$port" jq_true tcp.json "
    $samples | map(. as \$s | \$s.sockets[]? | select(.type == \"tcp\" and .remote == \"127.0.0.1:$port\")
      | (.holders | any(.pid == $nc)) and .inode == $nsock)
    | length >= 5 and all"
check "tcp: its local address is on 127.0.0.1" jq_true tcp.json "
    $samples | map(. as \$s | $(sock "$nsock") | .local | type == \"string\" and startswith(\"127.0.0.1:\"))
    | length >= 5 and all"
check "tcp: nc's fd is kind socket with its inode" jq_true tcp.json "
    $samples | map(. as \$s | $(proc "$nc") | .fds[] | select(.fd == $nfd) | .kind == \"socket\" and .socket == $nsock)
    | length >= 5 and all"
check "tcp: nc waits to write its socket (op write, or poll with the socket in waits for write)" jq_true tcp.json "
    $samples | map(. as \$s | $(proc "$nc") | .blocked
      | select(. != null and ((.op == \"write\" and .socket == $nsock)
          or (.op == \"poll\" and (.waits | any(.socket == $nsock and (.for == \"write\" or .for == \"both\")))))))
    | length >= 5"

# A listener that sends nothing: nc waits to read its socket.
start_pz tcpr.json "nc 127.0.0.1 $port | gzip | wc -c"
retry 5 have_stages 3
nr=$(stage_n 0)
KILL_PGIDS="$KILL_PGIDS $nr"
check "staging: the reading nc sleeps in poll(2) or read(2)" bash -c "
    for _ in \$(seq 100); do
	case \$(cut -d' ' -f1 /proc/$nr/syscall) in 0|7) exit 0;; esac
	sleep 0.05
    done; exit 1"
rfd=$(ls -l "/proc/$nr/fd" | awk '/socket:/ { print $9; exit }')
rsock=$(fd_inode "$nr" "$rfd")
sleep 2.2
stop_pz
check "tcp reader: nc waits to read its socket (op read, or poll with the socket in waits for read)" jq_true tcpr.json "
    $samples | map(. as \$s | $(proc "$nr") | .blocked
      | select(. != null and ((.op == \"read\" and .socket == $rsock)
          or (.op == \"poll\" and (.waits | any(.socket == $rsock and (.for == \"read\" or .for == \"both\")))))))
    | length >= 5"
check "tcp reader: the socket is a tcp entry to 127.0.0.1:$port with nothing queued" jq_true tcpr.json "
    $samples | map(. as \$s | $(sock "$rsock") | .type == \"tcp\" and .remote == \"127.0.0.1:$port\"
        and (.queued == 0 or .queued == null))
    | length >= 5 and all"
check "tcp reader: nc is not called a blocked writer" jq_true tcpr.json "
    $samples | map(.diagnoses[] | select(.kind == \"blocked_writer\" and .pids[0] == $nr)) | length == 0"
kill "$lp" 2>/dev/null
wait "$lp" 2>/dev/null

# --- 6. A FIFO: yes writes it, started apart; cat FIFO | wc -l ----------
mkfifo f
yes > f &
fy=$!
KILL_PIDS="$KILL_PIDS $fy"
bash -c "cat $WORK/f | wc -l" </dev/null >/dev/null &
fb=$!
KILL_PIDS="$KILL_PIDS $fb"
fc=$(retry 5 child_named "$fb" cat)
fw=$(retry 5 child_named "$fb" wc)
KILL_PIDS="$KILL_PIDS $fc $fw"
check "staging: cat reads the FIFO on fd 3, yes writes it on fd 1" bash -c "
    for _ in \$(seq 100); do
	[ \"\$(readlink /proc/$fc/fd/3)\" = $WORK/f ] && [ \"\$(readlink /proc/$fy/fd/1)\" = $WORK/f ] && exit 0
	sleep 0.05
    done; exit 1"
"$PIPEVIZ" -p "$fc" -n 3 -i 100 --json fifo-cat.json </dev/null >/dev/null 2>&1
"$PIPEVIZ" -p "$fy" -n 3 -i 100 --json fifo-yes.json </dev/null >/dev/null 2>&1
kill "$fy" "$fc" "$fw" 2>/dev/null
wait "$fy" "$fb" 2>/dev/null
fifo="(\$s.pipes[] | select(.kind == \"fifo\" and .path == \"$WORK/f\"))"
check "FIFO, attached from cat: the FIFO is listed, kind fifo, not stray" jq_true fifo-cat.json "
    $samples | map(. as \$s | [$fifo | (.stray | not)] | length == 1 and all) | length == 3 and all"
check "FIFO, attached from cat: cat reads it on fd 3" jq_true fifo-cat.json "
    $samples | map(. as \$s | $fifo | .readers | any(.pid == $fc and .fd == 3)) | length == 3 and all"
check "FIFO, attached from cat: yes is its writer on fd 1" jq_true fifo-cat.json "
    $samples | map(. as \$s | $fifo | .writers | any(.pid == $fy and .fd == 1)) | length == 3 and all"
check "FIFO, attached from yes: cat is in the picture" jq_true fifo-yes.json "
    $samples | map(. as \$s | \$s.procs | any(.pid == $fc)) | length == 3 and all"
check "FIFO, attached from yes: the FIFO's readers include cat" jq_true fifo-yes.json "
    $samples | map(. as \$s | $fifo | .readers | any(.pid == $fc)) | length == 3 and all"
check "FIFO, attached from yes: no no_reader claim" jq_true fifo-yes.json "
    ($samples | length) == 3 and ($samples | map(.diagnoses[] | select(.kind == \"no_reader\")) | length == 0)"
check "FIFO, attached from yes: no explain says it has no reader" jq_true fifo-yes.json "
    $samples | map(.procs[] | select(.pid == $fy) | .explain | test(\"no reader\") | not) | length == 3 and all"

check "nothing of the pipelines is left running" bash -c "
    for g in $KILL_PGIDS; do pgrep -g \$g && exit 1; done; exit 0"

done_testing
