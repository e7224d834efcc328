#!/bin/bash
# The wait model, threads and multiplexed waits: a writer that waits in a
# thread other than the main one (zstd -T2, pigz -p2, a Python thread), a
# writer and a reader that wait in poll(2) or epoll_wait(2), and a writer
# blocked on a pipe that is not quite full.  Each situation is staged with
# the real program, checked first through /proc ("staging: ..."), then
# the trace's blocked, threads and diagnoses are checked against it.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/waitlib.sh"

# The blocked process with pid $1 in a sample ($s).
proc() {
	echo "(\$s.procs[] | select(.pid == $1))"
}
# The inode of fd $2 of the process with pid $1 in a sample ($s).
fd_of() {
	echo "([\$s.procs[] | select(.pid == $1) | .fds[] | select(.fd == $2) | .inode][0])"
}

# --- 1. zstd -T2: the writing is done by a thread of its own ------------
start_pz zstd.json 'head -c 100M /dev/urandom | zstd -T2 -1 | sleep 60.11'
retry 5 have_stages 3
z=$(stage_n 1)
KILL_PGIDS="$KILL_PGIDS $(stage_n 0)"
ztid=$(retry 5 thread_in "$z" 1 anon_pipe_write)
check "staging: zstd -T2 has a thread other than the main one in write(2) on a full pipe" \
    test -n "$ztid"
check "staging: zstd's main thread is not the one writing" bash -c "
    [ \"\$(cat /proc/$z/task/$z/wchan)\" != anon_pipe_write ]"
sleep 2.2
stop_pz
zb="$(proc "$z") | select(.blocked.op == \"write\")"
check "zstd -T2: threads lists each of its threads, the main one first" jq_true zstd.json "
    $samples | map(. as \$s | $(proc "$z") | select(.state != \"X\" and .state != \"Z\")
      | (.threads | type == \"array\" and length >= 2 and .[0].tid == $z
         and all(has(\"tid\") and has(\"state\") and has(\"syscall\") and has(\"blocked\"))))
    | length >= 5 and all"
check "zstd -T2: blocked.op is write" jq_true zstd.json "
    $samples | map(. as \$s | $zb) | length >= 5"
check "zstd -T2: blocked names fd 1 and the pipe to sleep" jq_true zstd.json "
    $samples | map(. as \$s | $zb | .blocked.fd == 1 and .blocked.pipe == $(fd_of "$z" 1))
    | length >= 5 and all"
check "zstd -T2: blocked.tid is a thread other than the main one" jq_true zstd.json "
    $samples | map(. as \$s | $zb | .blocked.tid | type == \"number\" and . != $z)
    | length >= 5 and all"
check "zstd -T2: blocked.tid is the thread /proc shows in write(2)" jq_true zstd.json "
    $samples | map(. as \$s | $zb | .blocked.tid == $ztid) | length >= 5 and all"
check "zstd -T2: that thread's entry in threads is blocked writing" jq_true zstd.json "
    $samples | map(. as \$s | $zb | .threads[] | select(.tid == $ztid)
      | .blocked.op == \"write\" and .syscall == \"write\") | length >= 5 and all"
check "zstd -T2: blocked_writer names zstd's pid and its output pipe first" jq_true zstd.json "
    $samples | map(. as \$s | \$s.diagnoses[] | select(.kind == \"blocked_writer\" and .pids[0] == $z
        and .pipes[0] == $(fd_of "$z" 1)))
    | length >= 5"
check "zstd -T2: its explain says it is blocked writing" jq_true zstd.json "
    $samples | map(. as \$s | $zb | .explain | test(\"writ\")) | length >= 5 and all"

# --- pigz -p2: its writer thread ----------------------------------------
start_pz pigz.json 'head -c 100M /dev/urandom | pigz -p2 -1 | sleep 60.12'
retry 5 have_stages 3
g=$(stage_n 1)
KILL_PGIDS="$KILL_PGIDS $(stage_n 0)"
gtid=$(retry 5 thread_in "$g" 1 anon_pipe_write)
check "staging: pigz -p2 has a thread other than the main one in write(2) on a full pipe" \
    test -n "$gtid"
sleep 2.2
stop_pz
gb="$(proc "$g") | select(.blocked.op == \"write\")"
check "pigz -p2: blocked.op is write, on fd 1, by a thread other than the main one" jq_true pigz.json "
    $samples | map(. as \$s | $gb | .blocked.fd == 1 and .blocked.tid == $gtid)
    | length >= 5 and all"
check "pigz -p2: threads is present" jq_true pigz.json "
    $samples | map(. as \$s | $gb | .threads | length >= 2) | length >= 5 and all"
check "pigz -p2: blocked_writer names pigz's pid" jq_true pigz.json "
    $samples | map(.diagnoses[] | select(.kind == \"blocked_writer\" and .pids[0] == $g)) | length >= 5"

# --- 2. A Python thread writes; the main thread joins it ----------------
cat > thread.py <<'EOF'
import sys, threading
t = threading.Thread(target=lambda: sys.stdout.buffer.write(b"x" * 10000000))
t.start()
t.join()
EOF
start_pz thread.json "python3 $WORK/thread.py | sleep 60.13"
retry 5 have_stages 2
py=$(stage_n 0)
KILL_PGIDS="$KILL_PGIDS $py"
ptid=$(retry 5 thread_in "$py" 1 anon_pipe_write)
check "staging: the Python thread sits in write(2) on a full pipe" test -n "$ptid"
check "staging: the Python main thread waits in futex (join)" main_in "$py" 202 '*'
sleep 2.2
stop_pz
pb="$(proc "$py") | select(.blocked.op == \"write\")"
check "python thread: blocked.op is write" jq_true thread.json "
    $samples | map(. as \$s | $pb) | length >= 5"
check "python thread: blocked.tid is the writing thread, not the main one" jq_true thread.json "
    $samples | map(. as \$s | $pb | .blocked.tid == $ptid and .blocked.tid != $py) | length >= 5 and all"
check "python thread: blocked names fd 1 and its pipe" jq_true thread.json "
    $samples | map(. as \$s | $pb | .blocked.fd == 1 and .blocked.pipe == $(fd_of "$py" 1)) | length >= 5 and all"
check "python thread: threads shows the main thread in futex" jq_true thread.json "
    $samples | map(. as \$s | $pb | .threads[] | select(.tid == $py) | .syscall == \"futex\")
    | length >= 5 and all"
check "python thread: blocked_writer names the Python process" jq_true thread.json "
    $samples | map(.diagnoses[] | select(.kind == \"blocked_writer\" and .pids[0] == $py)) | length >= 5"

# --- 3. poll(2) and epoll for room on a full pipe ----------------------
cat > pollw.py <<'EOF'
import os, select, sys
os.set_blocking(1, False)
if sys.argv[1] == "poll":
    p = select.poll()
    p.register(1, select.POLLOUT)
else:
    p = select.epoll()
    p.register(1, select.EPOLLOUT)
buf = b"x" * 65536
while True:
    try:
        os.write(1, buf)
    except BlockingIOError:
        p.poll()
EOF
# The pollfd python passes: fd 1, for POLLOUT (4) only.
pollfd_is_out() {
	python3 - "$1" <<'EOF'
import struct, sys
pid = int(sys.argv[1])
f = open("/proc/%d/syscall" % pid).read().split()
if f[0] != "7":
    sys.exit("not in poll: %s" % f[0])
addr, n = int(f[1], 16), int(f[2], 16)
with open("/proc/%d/mem" % pid, "rb") as m:
    m.seek(addr)
    fd, events, _ = struct.unpack("ihh", m.read(8))
if (n, fd, events) != (1, 1, 4):
    sys.exit("pollfd: n=%d fd=%d events=%#x" % (n, fd, events))
EOF
}

start_pz poll.json "python3 $WORK/pollw.py poll | sleep 60.14"
retry 5 have_stages 2
pw=$(stage_n 0)
KILL_PGIDS="$KILL_PGIDS $pw"
check "staging: the poll writer sleeps in poll(2)" retry 5 main_in "$pw" 7 poll_schedule_timeout.constprop.0
check "staging: its one pollfd is fd 1 for POLLOUT" pollfd_is_out "$pw"
check "staging: the pipe on its fd 1 is full" eq "$(fionread "/proc/$(stage_n 1)/fd/0" 2>&1)" 65536
sleep 2.2
stop_pz
pp="$(proc "$pw") | select(.blocked.op == \"poll\")"
check "poll writer: blocked.op is poll" jq_true poll.json "
    $samples | map(. as \$s | $pp) | length >= 5"
check "poll writer: blocked.call is poll" jq_true poll.json "
    $samples | map(. as \$s | $pp | .blocked.call == \"poll\") | length >= 5 and all"
check "poll writer: waits is [{fd 1, for write, the pipe on its fd 1}]" jq_true poll.json "
    $samples | map(. as \$s | $pp | .blocked.waits == [{\"fd\": 1, \"for\": \"write\", \"pipe\": $(fd_of "$pw" 1)}])
    | length >= 5 and all"
check "poll writer: the set is read whole (no partial)" jq_true poll.json "
    $samples | map(. as \$s | $pp | .blocked | has(\"partial\") | not) | length >= 5 and all"
check "poll writer: blocked_writer names it and the pipe" jq_true poll.json "
    $samples | map(. as \$s | \$s.diagnoses[] | select(.kind == \"blocked_writer\" and .pids[0] == $pw
        and .pipes == [$(fd_of "$pw" 1)]))
    | length >= 5"

start_pz epoll.json "python3 $WORK/pollw.py epoll | sleep 60.15"
retry 5 have_stages 2
ew=$(stage_n 0)
KILL_PGIDS="$KILL_PGIDS $ew"
check "staging: the epoll writer sleeps in epoll_wait(2)" retry 5 main_in "$ew" 232 do_epoll_wait
sleep 2.2
stop_pz
ep="$(proc "$ew") | select(.blocked.op == \"poll\")"
check "epoll writer: blocked.op is poll" jq_true epoll.json "
    $samples | map(. as \$s | $ep) | length >= 5"
check "epoll writer: blocked.call is epoll_wait or epoll_pwait" jq_true epoll.json "
    $samples | map(. as \$s | $ep | .blocked.call | . == \"epoll_wait\" or . == \"epoll_pwait\")
    | length >= 5 and all"
check "epoll writer: waits lists fd 1 for write on its pipe" jq_true epoll.json "
    $samples | map(. as \$s | $ep | .blocked.waits == [{\"fd\": 1, \"for\": \"write\", \"pipe\": $(fd_of "$ew" 1)}])
    | length >= 5 and all"
check "epoll writer: blocked_writer names it" jq_true epoll.json "
    $samples | map(.diagnoses[] | select(.kind == \"blocked_writer\" and .pids[0] == $ew)) | length >= 5"

# A reader polling for data on an empty pipe.
cat > pollr.py <<'EOF'
import select
p = select.poll()
p.register(0, select.POLLIN)
p.poll()
EOF
start_pz pollr.json "sleep 60.16 | python3 $WORK/pollr.py"
retry 5 have_stages 2
pr=$(stage_n 1)
KILL_PGIDS="$KILL_PGIDS $(stage_n 0)"
check "staging: the poll reader sleeps in poll(2)" retry 5 main_in "$pr" 7 poll_schedule_timeout.constprop.0
sleep 2.2
stop_pz
rp="$(proc "$pr") | select(.blocked.op == \"poll\")"
check "poll reader: blocked.op is poll, call poll" jq_true pollr.json "
    $samples | map(. as \$s | $rp | .blocked.call == \"poll\") | length >= 5 and all"
check "poll reader: waits is [{fd 0, for read, the pipe on its fd 0}]" jq_true pollr.json "
    $samples | map(. as \$s | $rp | .blocked.waits == [{\"fd\": 0, \"for\": \"read\", \"pipe\": $(fd_of "$pr" 0)}])
    | length >= 5 and all"
check "poll reader: starved_reader names it, or its explain says it waits for data" jq_true pollr.json "
    $samples | map(select(any(.procs[]; .pid == $pr and .exit == null and .state != \"Z\")))
    | map(. as \$s | (\$s.diagnoses | any(.kind == \"starved_reader\" and .pids[0] == $pr))
        or ([$(proc "$pr") | .explain | test(\"wait\") and test(\"data|input\")] | any))
    | length >= 10 and (.[5:] | all)"
check "poll reader: not called a blocked writer" jq_true pollr.json "
    $samples | map(.diagnoses[] | select(.kind == \"blocked_writer\" and .pids[0] == $pr)) | length == 0"

# --- 4. A pipe that is not quite full still blocks its writer -----------
# 1000-byte writes: each 4 KiB page of the pipe takes four, so it holds
# 64000 bytes of its 65536 when the next write blocks.
cat > chunks.py <<'EOF'
import os
b = b"x" * 1000
while True:
    os.write(1, b)
EOF
start_pz chunks.json "python3 $WORK/chunks.py | sleep 60.17"
retry 5 have_stages 2
cw=$(stage_n 0)
KILL_PGIDS="$KILL_PGIDS $cw"
check "staging: the 1000-byte writer sleeps in write(2) on the pipe" retry 5 main_in "$cw" 1 anon_pipe_write
fill=$(fionread "/proc/$(stage_n 1)/fd/0" 2>&1)
check "staging: the pipe holds fewer bytes than it can (64000 of 65536)" eq "$fill" 64000
sleep 2.2
stop_pz
cb="$(proc "$cw") | select(.blocked.op == \"write\")"
check "1000-byte writer: blocked.op is write while the pipe is not full" jq_true chunks.json "
    $samples | map(. as \$s | $cb | .blocked.pipe as \$p | \$s.pipes[] | select(.inode == \$p)
      | .fill < .capacity and .fill >= 60000)
    | length >= 5 and all"
check "1000-byte writer: blocked_writer names it though the pipe is not full" jq_true chunks.json "
    $samples | map(. as \$s | \$s.diagnoses[] | select(.kind == \"blocked_writer\" and .pids[0] == $cw
        and .pipes == [$(fd_of "$cw" 1)]))
    | length >= 5"

check "nothing of the pipelines is left running" bash -c "
    for g in $KILL_PGIDS; do pgrep -g \$g && exit 1; done; exit 0"

done_testing
