#!/usr/bin/env python3
"""sockdiag-record.py - record real NETLINK_SOCK_DIAG replies for the tests.

Sets up sockets on loopback only (a unix socketpair with bytes queued, unix
listeners with a connection waiting, a unix datagram socket, TCP over
127.0.0.1 and ::1, a connected UDP socket), dumps each table, keeps the
messages of those sockets (the dump lists the whole machine's) and the
NLMSG_DONE, and writes tests/unit/sockdiag-recorded.h and the fuzz seeds
in tests/fuzz/corpus/sockdiag/.  The messages are the kernel's bytes, only
re-concatenated.  Run from the source root: python3 tools/sockdiag-record.py
"""
import os, socket, struct, sys, tempfile, time

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST, NLM_F_DUMP = 1, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
UDIAG_SHOW = 0x1 | 0x4 | 0x10  # NAME | PEER | RQLEN


def request(family, protocol, seq):
    if family == socket.AF_UNIX:
        body = struct.pack("=BBHIIIII", family, 0, 0, 0xffffffff, 0,
                           UDIAG_SHOW, 0xffffffff, 0xffffffff)
    else:
        sockid = bytes(4 + 16 + 16 + 4) + struct.pack("=II", 0xffffffff,
                                                      0xffffffff)
        body = struct.pack("=BBBBI", family, protocol, 0, 0,
                           0xffffffff) + sockid
    return struct.pack("=IHHII", 16 + len(body), SOCK_DIAG_BY_FAMILY,
                       NLM_F_REQUEST | NLM_F_DUMP, seq, 0) + body


def dump(family, protocol, seq, keep):
    """Messages whose inode is in keep, then the NLMSG_DONE (or ERROR)."""
    nl = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM,
                       NETLINK_SOCK_DIAG)
    nl.sendto(request(family, protocol, seq), (0, 0))
    out = b""
    while True:
        data = nl.recv(32768)
        off = 0
        while off + 16 <= len(data):
            mlen, mtype = struct.unpack_from("=IH", data, off)
            msg = data[off:off + ((mlen + 3) & ~3)]
            off += (mlen + 3) & ~3
            if mtype in (NLMSG_DONE, NLMSG_ERROR):
                nl.close()
                return out + msg
            ino = struct.unpack_from("=I", msg, 16 + 4)[0] \
                if family == socket.AF_UNIX else \
                struct.unpack_from("=I", msg, 16 + 68)[0]
            if ino in keep:
                out += msg


def carray(name, data):
    lines = ["static const uint8_t %s[] __attribute__((aligned(4))) = {" % name]
    for i in range(0, len(data), 12):
        lines.append("\t" + " ".join("0x%02x," % b for b in data[i:i + 12]))
    lines.append("};")
    return "\n".join(lines)


def ino(s):
    return os.fstat(s.fileno()).st_ino


def main():
    root = os.getcwd()
    tmp = tempfile.mkdtemp(prefix="pz-sockdiag-")
    facts = {}
    # unix: a stream pair with 5 bytes queued at b, 2 at a.
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    a.send(b"hello")
    b.send(b"hi")
    # unix: a path listener with one connection not yet accepted.
    path = os.path.join(tmp, "l.sock")
    ul = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ul.bind(path)
    ul.listen(7)
    uc = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    uc.connect(path)
    # unix: an abstract seqpacket listener, a datagram socket.
    al = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    al.bind(b"\0pipeviz-test\0x")
    al.listen(3)
    ud = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    unix = {"pair_a": a, "pair_b": b, "listener": ul, "client": uc,
            "abstract": al, "dgram": ud}
    # TCP over 127.0.0.1: listener, client with 3 bytes unread at server.
    tl = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tl.bind(("127.0.0.1", 0))
    tl.listen(5)
    tc = socket.create_connection(tl.getsockname())
    ts, _ = tl.accept()
    tc.send(b"abc")
    # TCP over ::1.
    t6l = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    t6l.bind(("::1", 0))
    t6l.listen(5)
    t6c = socket.create_connection(t6l.getsockname()[:2])
    t6s, _ = t6l.accept()
    # UDP: one bound and connected to another, 4 bytes queued at it.
    u1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u1.bind(("127.0.0.1", 0))
    u2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u2.bind(("127.0.0.1", 0))
    u1.connect(u2.getsockname())
    u2.sendto(b"ping", u1.getsockname())
    time.sleep(0.2)
    tcp4 = {"tcp_listener": tl, "tcp_client": tc, "tcp_server": ts}
    tcp6 = {"tcp6_listener": t6l, "tcp6_client": t6c, "tcp6_server": t6s}
    udp = {"udp_connected": u1, "udp_bound": u2}

    rec = {}
    rec["unix"] = dump(socket.AF_UNIX, 0, 1,
                       {ino(s) for s in unix.values()})
    rec["tcp4"] = dump(socket.AF_INET, socket.IPPROTO_TCP, 2,
                       {ino(s) for s in tcp4.values()})
    rec["tcp6"] = dump(socket.AF_INET6, socket.IPPROTO_TCP, 3,
                       {ino(s) for s in tcp6.values()})
    rec["udp4"] = dump(socket.AF_INET, socket.IPPROTO_UDP, 4,
                       {ino(s) for s in udp.values()})
    # A request the kernel refuses: family 200 (>= AF_MAX).
    bad = bytearray(request(socket.AF_INET, socket.IPPROTO_TCP, 5))
    bad[16] = 200
    nl = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM,
                       NETLINK_SOCK_DIAG)
    nl.sendto(bytes(bad), (0, 0))
    rec["error"] = nl.recv(32768)
    # AF_INET with a protocol no handler serves (SCTP, likely not loaded).
    nl.sendto(request(socket.AF_INET, 132, 6), (0, 0))
    rec["error_proto"] = nl.recv(32768)
    nl.close()

    h = ["/*", " * sockdiag-recorded.h - replies recorded on Linux %s by"
         % os.uname().release,
         " * tools/sockdiag-record.py (loopback sockets only).  Generated.",
         " */"]
    for name, s in list(unix.items()) + list(tcp4.items()) + \
            list(tcp6.items()) + list(udp.items()):
        h.append("#define REC_INO_%s %dULL" % (name.upper(), ino(s)))
    h.append('#define REC_UNIX_PATH "%s"' % path)
    h.append("#define REC_TCP_PORT %d" % tl.getsockname()[1])
    h.append("#define REC_TCP_CLIENT_PORT %d" % tc.getsockname()[1])
    h.append("#define REC_TCP6_PORT %d" % t6l.getsockname()[1])
    h.append("#define REC_TCP6_CLIENT_PORT %d" % t6c.getsockname()[1])
    h.append("#define REC_UDP_PORT %d" % u1.getsockname()[1])
    h.append("#define REC_UDP_PEER_PORT %d" % u2.getsockname()[1])
    for name, data in rec.items():
        h.append(carray("rec_" + name, data))
    with open(os.path.join(root, "tests/unit/sockdiag-recorded.h"), "w") as f:
        f.write("\n".join(h) + "\n")
    # Fuzz seeds: a protocol byte (0 unix, 1 tcp, 2 udp), then the reply.
    corpus = os.path.join(root, "tests/fuzz/corpus/sockdiag")
    os.makedirs(corpus, exist_ok=True)
    proto = {"unix": 0, "tcp4": 1, "tcp6": 1, "udp4": 2, "error": 1,
             "error_proto": 1}
    for name, data in rec.items():
        with open(os.path.join(corpus, "seed-" + name), "wb") as f:
            f.write(bytes([proto[name]]) + data)
    with open(os.path.join(corpus, "seed-unix-truncated"), "wb") as f:
        f.write(bytes([0]) + rec["unix"][:50])
    os.unlink(path)
    os.rmdir(tmp)


main()
