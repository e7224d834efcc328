/* probe-sock.h - the sockets observed processes hold, from sock_diag. */
#ifndef PIPEVIZ_PROBE_SOCK_H
#define PIPEVIZ_PROBE_SOCK_H

#include "pipeviz/snapshot.h"

/*
 * Keeps a NETLINK_SOCK_DIAG socket (opened on first need, close-on-exec)
 * and its buffers between samples.
 */
struct probe_sock;

struct probe_sock *probe_sock_create(void);
void probe_sock_free(struct probe_sock *); /* NULL is a no-op */

/*
 * Add to s one snap_socket per socket inode its processes' fds hold
 * (kind SOCKET, inode known).  Holding none costs nothing: no netlink
 * traffic at all.  Otherwise the AF_UNIX table is dumped, then TCP and
 * UDP over AF_INET and AF_INET6 while held inodes are still unreported;
 * TCP ends that both are held are paired (sockdiag_pair_tcp()).  A held
 * inode no dump reported (another network namespace, a socket closed
 * meanwhile, a family not asked for, a failed dump) gets type UNKNOWN.
 * Returns 0, or the -errno of the first failure (EPERM or
 * EPROTONOSUPPORT in a container, ENOBUFS, a failed send); the sockets
 * not reported by then stay UNKNOWN.
 */
int probe_sock_read(struct probe_sock *, struct snapshot *s);

#endif
