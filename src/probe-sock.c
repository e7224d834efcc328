/*
 * probe-sock.c - the sockets observed processes hold, through
 * NETLINK_SOCK_DIAG (what ss and lsof +E use).  The bytes are built and
 * decoded by sockdiag.c; this file only sends and receives.
 */
#include "probe-sock.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "pipeviz/sockdiag.h"
#include "pipeviz/util.h"

/*
 * The kernel fills a dump datagram up to the largest buffer a reader has
 * offered, within 32 KiB; a smaller one would see MSG_TRUNC.
 */
#define PROBE_SOCK_BUF 32768

struct probe_sock {
	int fd;		/* the netlink socket, or -1 */
	int open_errno; /* socket() failed for good (a container): or 0 */
	uint32_t seq;
	uint64_t *held; /* socket inodes held, sorted, distinct */
	uint8_t *found; /* held[i] was reported by a dump */
	size_t nheld, cap, nfound;
	uint32_t *buf;	/* PROBE_SOCK_BUF bytes, aligned for nlmsghdr */
};

/* The dumps, in order: AF_UNIX first, the common case in pipelines. */
static const struct {
	int family, protocol;
} probe_sock_dumps[] = {
	{ AF_UNIX, 0 },
	{ AF_INET, IPPROTO_TCP },
	{ AF_INET6, IPPROTO_TCP },
	{ AF_INET, IPPROTO_UDP },
	{ AF_INET6, IPPROTO_UDP },
};

struct probe_sock *
probe_sock_create(void)
{
	struct probe_sock *ps = xcalloc(1, sizeof *ps);

	ps->fd = -1;
	return ps;
}

static void
probe_sock_close(struct probe_sock *ps)
{
	if (ps->fd != -1)
		close(ps->fd);
	ps->fd = -1;
}

void
probe_sock_free(struct probe_sock *ps)
{
	if (ps == NULL)
		return;
	probe_sock_close(ps);
	free(ps->held);
	free(ps->found);
	free(ps->buf);
	free(ps);
}

/* Open the netlink socket if it is not: 0 or -errno. */
static int
probe_sock_open(struct probe_sock *ps)
{
	/* A reply that never comes must not stop the sampling for long. */
	struct timeval tv = { 1, 0 };

	if (ps->fd != -1)
		return 0;
	if (ps->open_errno != 0)
		return -ps->open_errno;
	ps->fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
	    NETLINK_SOCK_DIAG);
	if (ps->fd == -1) {
		/* Out of descriptors or memory passes; the others do not. */
		if (errno != EMFILE && errno != ENFILE && errno != ENOBUFS &&
		    errno != ENOMEM)
			ps->open_errno = errno;
		return -errno;
	}
	(void)setsockopt(ps->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (ps->buf == NULL)
		ps->buf = xmalloc(PROBE_SOCK_BUF);
	return 0;
}

static int
probe_sock_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Collect the socket inodes s's processes hold into held. */
static void
probe_sock_collect(struct probe_sock *ps, const struct snapshot *s)
{
	const struct snap_fd *f;
	size_t n = 0;

	for (size_t i = 0; i < s->nprocs; i++) {
		for (size_t j = 0; j < s->procs[i].nfds; j++) {
			f = &s->procs[i].fds[j];
			if (f->kind != SNAP_FD_SOCKET || f->inode == 0)
				continue;
			if (n == ps->cap) {
				ps->cap = ps->cap > 0 ? 2 * ps->cap : 16;
				ps->held = xreallocarray(ps->held, ps->cap,
				    sizeof *ps->held);
			}
			ps->held[n++] = f->inode;
		}
	}
	if (n > 1)
		qsort(ps->held, n, sizeof *ps->held, probe_sock_cmp);
	ps->nheld = 0;
	for (size_t i = 0; i < n; i++) {
		if (ps->nheld == 0 || ps->held[ps->nheld - 1] != ps->held[i])
			ps->held[ps->nheld++] = ps->held[i];
	}
	ps->found = xreallocarray(ps->found, ps->cap > 0 ? ps->cap : 1,
	    sizeof *ps->found);
	memset(ps->found, 0, ps->nheld);
	ps->nfound = 0;
}

static bool
probe_sock_wanted(uint64_t inode, void *arg)
{
	struct probe_sock *ps = arg;
	const uint64_t *p = bsearch(&inode, ps->held, ps->nheld,
	    sizeof *ps->held, probe_sock_cmp);
	size_t i;

	if (p == NULL)
		return false;
	i = (size_t)(p - ps->held);
	if (!ps->found[i]) {
		ps->found[i] = 1;
		ps->nfound++;
	}
	return true;
}

/* One dump, sent and read to its end: 0 or -errno. */
static int
probe_sock_dump(struct probe_sock *ps, struct snapshot *s, int family,
    int protocol)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK }, from;
	struct iovec iov;
	struct msghdr msg;
	bool done = false;
	size_t len;
	ssize_t n;
	int rc;

	len = sockdiag_request(ps->buf, PROBE_SOCK_BUF, family, protocol,
	    ++ps->seq);
	n = sendto(ps->fd, ps->buf, len, 0, (struct sockaddr *)&kernel,
	    sizeof kernel);
	if (n == -1)
		return -errno;
	if ((size_t)n != len)
		return -EIO;
	while (!done) {
		iov.iov_base = ps->buf;
		iov.iov_len = PROBE_SOCK_BUF;
		memset(&msg, 0, sizeof msg);
		msg.msg_name = &from;
		msg.msg_namelen = sizeof from;
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		n = recvmsg(ps->fd, &msg, 0);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (msg.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		/* Any process may send to our port: only the kernel counts. */
		if (msg.msg_namelen < sizeof from || from.nl_pid != 0)
			continue;
		rc = sockdiag_parse(ps->buf, (size_t)n, protocol, s,
		    probe_sock_wanted, ps, &done);
		if (rc != 0)
			return rc;
		if (n == 0)
			return -EIO;
	}
	return 0;
}

int
probe_sock_read(struct probe_sock *ps, struct snapshot *s)
{
	size_t ndumps = sizeof probe_sock_dumps / sizeof probe_sock_dumps[0];
	int rc, first = 0;

	probe_sock_collect(ps, s);
	if (ps->nheld == 0)
		return 0;
	for (size_t i = 0; i < ndumps && ps->nfound < ps->nheld; i++) {
		if ((rc = probe_sock_open(ps)) != 0) {
			first = first != 0 ? first : rc;
			break;
		}
		rc = probe_sock_dump(ps, s, probe_sock_dumps[i].family,
		    probe_sock_dumps[i].protocol);
		if (rc != 0) {
			/*
			 * What is left of the reply would be read as the
			 * next dump's: start the next one on a fresh socket.
			 */
			probe_sock_close(ps);
			first = first != 0 ? first : rc;
		}
	}
	for (size_t i = 0; i < ps->nheld; i++) {
		if (!ps->found[i] && snapshot_find_socket(s, ps->held[i]) == NULL)
			snapshot_add_socket(s, ps->held[i]);
	}
	sockdiag_pair_tcp(s);
	return first;
}
