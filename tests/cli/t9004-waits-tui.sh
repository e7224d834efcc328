#!/bin/bash
# The wait model in the live view: what the trace tests of t9001-t9003
# check, looked at on the screen as a user sees it, at 80x24 and 120x30.
# A multithreaded writer is BLOCKED, a socket is an edge of its own look,
# a TCP connection to elsewhere is an end named by its address, a poll
# set shows in the details, and a poll writer's status names it.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

if ! command -v tmux >/dev/null; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi
. "$here/tuilib.sh"
TUI_WAIT=80
listener=""
cleanup_all() {
	tm kill-server 2>/dev/null
	[ -n "$listener" ] && kill "$listener" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup_all EXIT
quit() {
	tm send-keys -t "pz$session" q
	wait_for "EXIT=" >/dev/null
}

# zstd's worker thread blocks in write(2) while its main thread waits in
# a futex: the process is BLOCKED, and its details name the thread.
start 120 30 "'$PIPEVIZ' 'head -c 100M /dev/urandom | zstd -T2 -1 | sleep 30.91'"
check "zstd -T2: the chain is drawn" wait_line '\(0\) zstd \(1\).*\(0\) sleep \(1\)'
check "zstd -T2: zstd is BLOCKED, not waiting on a lock" \
    wait_line '^ +[0-9]+ BLOCKED [^0-9]*[0-9]+ BLOCKED [^0-9]*[0-9]+ sleeping'
tm send-keys -t "pz$session" Right
tm send-keys -t "pz$session" Enter
check "zstd -T2: its details name the thread that waits" wait_line 'in +write\(\) \(thread [0-9]+\) +blocked write'
check "zstd -T2: its details list its threads" wait_line '│ threads [0-9]+ *$'
check "zstd -T2: its sentence says it is its thread that is blocked" \
    wait_line 'its thread [0-9]+ is blocked'
quit

# A UNIX socket pair between socat and its children, at 80x24: the edges
# have their own look (a double line and the socket type).
start 80 24 "'$PIPEVIZ' \"socat -u EXEC:yes EXEC:'sleep 30.92'\""
check "socat: yes's socket is an edge" wait_line 'yes [0-9]+ ═\[unix [0-9.]+([KMG]i)?B\]═'
check "socat: the writer into the socket is BLOCKED" wait_for "BLOCKED"
check "socat: the status names the socket" wait_line 'blocked_writer: .* UNIX socket'
quit

# nc sending to a listener on 127.0.0.1 that never reads: its TCP
# connection is an end labelled with the address, and nc polls.
python3 -c '
import socket, signal, sys, time
signal.alarm(60)
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
time.sleep(60)
' >"$WORK/port" &
listener=$!
for _ in $(seq 50); do [ -s "$WORK/port" ] && break; sleep 0.1; done
port=$(cat "$WORK/port")
start 120 40 "'$PIPEVIZ' 'yes | nc 127.0.0.1 $port'"
check "tcp: the connection is an end named by its address" \
    wait_line "nc [0-9]+ ═\[tcp [0-9.]+([KMG]i)?B\]═.*> tcp 127\.0\.0\.1:$port"
check "tcp: nc is polling" wait_line '[0-9]+ polling'
tm send-keys -t "pz$session" Right
tm send-keys -t "pz$session" Enter
check "tcp: the details show nc's poll set (fd 3 for room)" wait_line '│ waits +.*3w'
check "tcp: nc's fd 3 is the tcp socket to the listener" \
    wait_line "3 rw +socket +[0-9]+ tcp 127\.0\.0\.1:[0-9]+"
quit

done_testing
