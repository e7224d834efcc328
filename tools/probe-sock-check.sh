#!/bin/bash
# probe-sock-check.sh - probe_sock_read() on real sockets, beside ss.
# Loopback only: a Python socketpair with bytes queued, socat -u between
# yes and sleep (socat joins them with socketpairs), and a TCP connection
# to a listener on 127.0.0.1.  Run from the source root after
# `ninja -C build probe-sock-check`.
set -u
bin=${1:-build/probe-sock-check}
pids=()
trap 'kill "${pids[@]}" 2>/dev/null' EXIT

python3 -c 'import socket, time
a, b = socket.socketpair(); a.send(b"hello"); time.sleep(60)' &
pids+=($!)
socat -u EXEC:yes EXEC:'sleep 60' &
pids+=($!)
python3 -c 'import socket, time
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(4)
open("/tmp/pz-sock-port", "w").write(str(l.getsockname()[1]))
c, _ = l.accept(); time.sleep(60)' &
pids+=($!)
sleep 0.5
port=$(cat /tmp/pz-sock-port)
python3 -c 'import socket, sys, time
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
c.send(b"abc"); time.sleep(60)' "$port" &
pids+=($!)
sleep 0.5
all=("${pids[@]}" $(pgrep -P "${pids[1]}"))
echo "pids: ${all[*]}"
"$bin" "${all[@]}"
rc=$?
echo "--- ss -xp (these pids)"
ss -xap | grep -E "pid=($(IFS='|'; echo "${all[*]}")),"
echo "--- ss -tnp (port $port)"
ss -tanp | grep ":$port"
rm -f /tmp/pz-sock-port
exit $rc
