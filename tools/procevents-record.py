#!/usr/bin/env python3
"""procevents-record.py - record real process events for the tests.

Subscribes to the process events connector (NETLINK_CONNECTOR, group
CN_IDX_PROC), runs the notes' pipeline (sh -c 'ls -1 | cut -d. -f1 | uniq |
sort | tee FILE' in a small directory), a shell that exits 3, one killed by
SIGKILL and a thread of this script, and keeps the datagrams about those
processes (the connector reports the whole machine's) and the kernel's answer
to the subscription.  Writes tests/unit/procevents-recorded.h and the fuzz
seeds in tests/fuzz/corpus/procevents/.  The datagrams are the kernel's bytes,
unchanged.  Run from the source root: python3 tools/procevents-record.py
"""
import os, select, socket, struct, subprocess, sys, tempfile, threading, time

NETLINK_CONNECTOR = 11
CN_IDX_PROC = 1
NLMSG_DONE = 3
FORK, EXEC, EXIT, NONE = 1, 2, 0x80000000, 0
NONCE = 0x5eed


def subscribe(nl, op):
    body = struct.pack("=IIIIHHI", CN_IDX_PROC, 1, NONCE, NONCE, 4, 0, op)
    nl.send(struct.pack("=IHHII", 16 + len(body), NLMSG_DONE, 0, NONCE, 0)
            + body)


def event(dgram):
    """(what, a, b, c, d, status) of a datagram's one message."""
    what, = struct.unpack_from("=I", dgram, 36)
    a, b, c, d, e, f = struct.unpack_from("=6I", dgram, 36 + 16)
    return what, a, b, c, d, e, f


def main():
    nl = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM,
                       NETLINK_CONNECTOR)
    nl.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)  # SO_RCVBUFFORCE
    nl.bind((0, CN_IDX_PROC))
    got = []
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            r, _, _ = select.select([nl], [], [], 0.1)
            if r:
                got.append(nl.recv(65536))
    rd = threading.Thread(target=reader)
    rd.start()
    subscribe(nl, 1)
    work = tempfile.mkdtemp(prefix="pz-procevents-")
    for name in ["a.txt", "b.txt", "b.md", "c"]:
        open(os.path.join(work, name), "w").close()
    me = os.getpid()
    runs = {}
    p = subprocess.Popen(["sh", "-c", "ls -1 | cut -d. -f1 | uniq | sort | "
                          "tee dir_contents >/dev/null"], cwd=work)
    p.wait()
    runs["seed"] = p.pid
    p = subprocess.Popen(["sh", "-c", "exit 3"])
    p.wait()
    runs["exit3"] = p.pid
    p = subprocess.Popen(["sh", "-c", "kill -9 $$"])
    p.wait()
    runs["killed"] = p.pid
    t = threading.Thread(target=lambda: time.sleep(0.05))
    t.start()
    t.join()
    time.sleep(0.3)
    stop.set()
    rd.join()
    keep, ours, answer = [], {me}, None
    for d in got:
        what, a, b, c, dd, e, f = event(d)
        if what == NONE:
            ack, = struct.unpack_from("=I", d, 16 + 12)
            if ack == NONCE + 1 and answer is None:
                answer = d
            continue
        if what == FORK and (b in ours or dd in ours):
            # A thread's parent is its process's parent: its tgid is ours.
            ours.add(dd)
            keep.append(d)
        elif what in (EXEC, EXIT) and b in ours:
            keep.append(d)
    subscribe(nl, 2)
    out = ["/*",
           " * procevents-recorded.h - process events recorded on Linux %s"
           % os.uname().release,
           " * by tools/procevents-record.py.  Generated.",
           " */",
           "#define REC_SELF %d" % me]
    for k, v in runs.items():
        out.append("#define REC_PID_%s %d" % (k.upper(), v))
    out.append("#define REC_NONCE 0x%x" % NONCE)

    def arr(name, data):
        out.append("static const uint8_t %s[] __attribute__((aligned(4))) = {"
                   % name)
        for i in range(0, len(data), 12):
            out.append("\t" + " ".join("0x%02x," % x for x in data[i:i + 12]))
        out.append("};")

    arr("rec_ack", answer)
    # All the kept events, one datagram after the other (the test walks them).
    arr("rec_events", b"".join(keep))
    out.append("#define REC_NEVENTS %d" % len(keep))
    open("tests/unit/procevents-recorded.h", "w").write("\n".join(out) + "\n")
    corpus = "tests/fuzz/corpus/procevents"
    os.makedirs(corpus, exist_ok=True)
    open(os.path.join(corpus, "ack"), "wb").write(answer)
    open(os.path.join(corpus, "seed-pipeline"), "wb").write(b"".join(keep))
    for i, d in enumerate(keep[:6]):
        open(os.path.join(corpus, "event-%d" % i), "wb").write(d)
    print("kept %d events (%s)" % (len(keep), runs), file=sys.stderr)


main()
