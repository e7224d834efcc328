/*
 * probe-events.c - the process events connector's socket (see
 * probe-events.h).  The bytes are procevents.c's business.
 */
#include "pipeviz/probe-events.h"

#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/connector.h>
#include <linux/netlink.h>

#include "pipeviz/procparse.h"
#include "pipeviz/util.h"
#include "probe-internal.h"

/*
 * The receive buffer asked for.  Each event is a datagram of its own, and
 * the kernel charges about 1 KiB of buffer for it, so the default 208 KiB
 * hold some 200 events: a fork loop makes that many in a few milliseconds,
 * faster than a sample.  Root may force more (SO_RCVBUFFORCE); others get
 * what net.core.rmem_max allows.
 */
#define PROBE_EVENTS_RCVBUF (8 << 20)
/* Events decoded per read at most; the rest wait in the socket. */
#define PROBE_EVENTS_MAX 4096
/* How long the subscription's answer may take. */
#define PROBE_EVENTS_ACK_MS 1000

struct probe_events {
	int fd;
	uint32_t nonce;
	struct probe_proc *proc;	/* for command lines */
	struct procevent *ev;		/* PROBE_EVENTS_MAX */
	size_t nkept;			/* events kept from the subscription */
	uint32_t buf[2048];		/* one datagram, aligned for nlmsghdr */
};

static int
probe_events_send(struct probe_events *pe, bool listen)
{
	uint32_t msg[16];
	size_t len = procevents_request(msg, sizeof msg, listen, pe->nonce);
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };

	if (sendto(pe->fd, msg, len, 0, (struct sockaddr *)&to, sizeof to) !=
	    (ssize_t)len)
		return -errno;
	return 0;
}

/*
 * Decode one datagram into pe->ev after the events kept: how many were
 * added, or -errno.
 */
static long
probe_events_recv(struct probe_events *pe, size_t at)
{
	ssize_t n = recv(pe->fd, pe->buf, sizeof pe->buf, MSG_DONTWAIT);
	size_t got;
	bool more;
	int err;

	if (n < 0)
		return -errno;
	err = procevents_parse(pe->buf, (size_t)n, pe->ev + at,
	    PROBE_EVENTS_MAX - at, &got, &more);
	/* A datagram the parser refuses is skipped: others still count. */
	if (err == -EINVAL)
		return 0;
	if (err < 0)
		return err;
	return (long)got;
}

/* Wait for the kernel's answer to our subscription: 0 or -errno. */
static int
probe_events_ack(struct probe_events *pe)
{
	double deadline = util_now() + PROBE_EVENTS_ACK_MS / 1000.0;

	for (;;) {
		struct pollfd pfd = { pe->fd, POLLIN, 0 };
		int left = (int)((deadline - util_now()) * 1000);
		long n;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, left) == -1 && errno != EINTR)
			return -errno;
		while ((n = probe_events_recv(pe, pe->nkept)) >= 0) {
			int answer = 1;

			for (long i = 0; i < n; i++) {
				struct procevent *e = &pe->ev[pe->nkept + (size_t)i];

				if (e->kind == PROCEVENT_ACK &&
				    e->ack == pe->nonce + 1)
					answer = -e->err;
			}
			/* Events after the subscription are real: keep them. */
			pe->nkept += (size_t)n;
			if (pe->nkept >= PROBE_EVENTS_MAX - 64)
				pe->nkept = 0;
			if (answer != 1)
				return answer;
		}
		if (n != -EAGAIN && n != -EINTR)
			return (int)n;
	}
}

struct probe_events *
probe_events_open(int rcvbuf, int *err)
{
	struct probe_events *pe = xcalloc(1, sizeof *pe);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
		.nl_groups = CN_IDX_PROC };
	int size = rcvbuf > 0 ? rcvbuf : PROBE_EVENTS_RCVBUF, rc;

	pe->fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    NETLINK_CONNECTOR);
	if (pe->fd == -1) {
		*err = errno;
		free(pe);
		return NULL;
	}
	if (setsockopt(pe->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
	    sizeof size) == -1)
		(void)setsockopt(pe->fd, SOL_SOCKET, SO_RCVBUF, &size,
		    sizeof size);
	pe->ev = xcalloc(PROBE_EVENTS_MAX, sizeof *pe->ev);
	pe->nonce = (uint32_t)getpid() ^ (uint32_t)(util_now() * 1e6);
	if (bind(pe->fd, (struct sockaddr *)&sa, sizeof sa) == -1)
		rc = -errno;
	else if ((rc = probe_events_send(pe, true)) == 0 &&
	    (rc = probe_events_ack(pe)) != 0 && rc != -ETIMEDOUT)
		(void)probe_events_send(pe, false); /* refused: undo the count */
	if (rc != 0) {
		*err = -rc;
		close(pe->fd);
		free(pe->ev);
		free(pe);
		return NULL;
	}
	pe->proc = probe_proc_create();
	return pe;
}

void
probe_events_close(struct probe_events *pe)
{
	if (pe == NULL)
		return;
	/*
	 * The kernel makes events while its count of listeners is above
	 * zero, and only an IGNORE lowers it.
	 */
	(void)probe_events_send(pe, false);
	close(pe->fd);
	probe_proc_free(pe->proc);
	free(pe->ev);
	free(pe);
}

int
probe_events_fd(const struct probe_events *pe)
{
	return pe->fd;
}

long
probe_events_read(struct probe_events *pe, const struct procevent **out,
    bool *lost)
{
	size_t n = pe->nkept;
	long got;

	pe->nkept = 0;
	*out = pe->ev;
	*lost = false;
	while (n < PROBE_EVENTS_MAX) {
		if ((got = probe_events_recv(pe, n)) == -ENOBUFS) {
			/* Reported once; the socket goes on receiving. */
			*lost = true;
			continue;
		}
		if (got == -EAGAIN || got == -EINTR)
			break;
		if (got < 0)
			return n > 0 ? (long)n : got;
		n += (size_t)got;
	}
	return (long)n;
}

int
probe_events_read_proc(struct probe_events *pe, struct snap_proc *p,
    bool argv)
{
	struct probe_files f;
	struct procparse_stat st;
	int err;

	probe_files_init(&f, p->pid, NULL);
	if ((err = probe_proc_read_stat(&f, p, &st)) == 0 && argv)
		probe_proc_read_argv(pe->proc, &f, p);
	probe_files_close(&f);
	return err;
}
