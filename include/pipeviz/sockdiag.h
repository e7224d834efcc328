/*
 * sockdiag.h - NETLINK_SOCK_DIAG requests and replies, as bytes.  Pure:
 * the probe (probe-sock.c) sends and receives, these functions only build
 * and decode, so they can be unit-tested on recorded replies and fuzzed.
 *
 * Buffers hold netlink messages as the kernel writes them: 4-byte
 * aligned (a malloc'd or stack buffer of uint32_t), each message padded
 * to 4 bytes.
 */
#ifndef PIPEVIZ_SOCKDIAG_H
#define PIPEVIZ_SOCKDIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeviz/snapshot.h"

/*
 * Build the dump request for one family into buf[0..size): AF_UNIX with
 * protocol 0 (all states, with name, peer and queue lengths), or AF_INET
 * or AF_INET6 with IPPROTO_TCP or IPPROTO_UDP (inet_diag_req_v2, all
 * states).  Returns the request's length, or 0 when size is too small or
 * the family and protocol are not one of those.
 */
size_t sockdiag_request(void *buf, size_t size, int family, int protocol,
    uint32_t seq);

/* Whether the socket of inode is one to record. */
typedef bool (*sockdiag_wanted_fn)(uint64_t inode, void *arg);

/*
 * Decode the reply datagrams buf[0..len) of a dump asked for with
 * protocol (0 for AF_UNIX, IPPROTO_TCP, IPPROTO_UDP).  For each socket
 * message whose inode wanted() accepts (a NULL wanted accepts all), a
 * snap_socket is added to s, or the one s has for that inode is
 * overwritten:
 *   unix: type UNIX (stream, seqpacket) or UNIX_DGRAM, listening for
 *     TCP_LISTEN, peer from UNIX_DIAG_PEER, rqueue from UNIX_DIAG_RQLEN:
 *     the bytes waiting (for a datagram socket the next datagram's
 *     only), for a listener the connections not yet accepted; wqueue
 *     only for a listener, the backlog's limit (a connected socket's is
 *     kernel memory, not bytes: -1).  local from UNIX_DIAG_NAME ("@" and
 *     the rest for an abstract name, its NULs shown as '@' as ss does);
 *     remote NULL.
 *   inet: type TCP or UDP, listening for TCP_LISTEN; TCP rqueue and
 *     wqueue (bytes unread, bytes unacknowledged; a listener's as for
 *     unix), UDP's stay -1 (the kernel reports memory, not bytes); local
 *     and remote as "127.0.0.1:5599" or "[::1]:80", remote NULL when its
 *     address and port are all zero.  peer is left 0: see
 *     sockdiag_pair_tcp().
 * Returns 0 when the buffer was decoded whole; *done is set when it held
 * NLMSG_DONE (the dump is over; bytes after it are ignored).  An
 * NLMSG_ERROR, or an NLMSG_DONE carrying an error, gives its -errno.  A
 * truncated or malformed message, a message of another family, or a
 * misaligned buffer gives -EINVAL.  Sockets decoded before an error stay
 * in s.  Malformed attributes are ignored; nothing past buf[len) is read.
 */
int sockdiag_parse(const void *buf, size_t len, int protocol,
    struct snapshot *s, sockdiag_wanted_fn wanted, void *arg, bool *done);

/*
 * Set peer, both ways, between the TCP sockets of s that are two ends
 * of one connection on this machine: one's local address is the other's
 * remote and the reverse.  Only sockets in s are paired: an end that no
 * observed process holds is not known, and the peer stays 0.
 */
void sockdiag_pair_tcp(struct snapshot *s);

#endif
