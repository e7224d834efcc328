/* waitparse.c - decoders for poll, select and epoll wait sets; no I/O. */
#include "pipeviz/waitparse.h"

#include <sys/epoll.h>
#include <sys/syscall.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>

#include "pipeviz/procparse.h"

#define POLL_IN (POLLIN | POLLPRI | POLLRDNORM | POLLRDBAND)
#define POLL_OUT (POLLOUT | POLLWRNORM | POLLWRBAND)
#define EPOLL_IN (EPOLLIN | EPOLLPRI | EPOLLRDNORM | EPOLLRDBAND)
#define EPOLL_OUT (EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND)

#define FDSET_WORD_BITS (8 * sizeof(unsigned long))

static int
arg_int(uint64_t v, int *out)
{
	if (v > INT_MAX)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

int
waitparse_where(long nr, const uint64_t args[6], struct waitparse_where *w)
{
	int n;

	memset(w, 0, sizeof *w);
	w->epfd = -1;
	switch (nr) {
#ifdef SYS_poll
	case SYS_poll:
#endif
	case SYS_ppoll:
		w->kind = WAITPARSE_POLL;
		w->addr = args[0];
		w->nfds = args[1];
		return arg_int(args[1], &n);
#ifdef SYS_select
	case SYS_select:
#endif
	case SYS_pselect6:
		w->kind = WAITPARSE_SELECT;
		w->nfds = args[0];
		w->readfds = args[1];
		w->writefds = args[2];
		return arg_int(args[0], &n);
#ifdef SYS_epoll_wait
	case SYS_epoll_wait:
#endif
	case SYS_epoll_pwait:
#ifdef SYS_epoll_pwait2
	case SYS_epoll_pwait2:
#endif
		w->kind = WAITPARSE_EPOLL;
		return arg_int(args[0], &w->epfd);
	}
	return 0;
}

/* Append one entry, or note that there was no room for it. */
static void
put(struct snap_wait_fd *out, size_t max, size_t *n, bool *over, int fd,
    bool in, bool out_)
{
	if (*n >= max) {
		*over = true;
		return;
	}
	out[*n].fd = fd;
	out[*n].in = in;
	out[*n].out = out_;
	out[*n].kind = SNAP_FD_OTHER;
	out[*n].inode = 0;
	(*n)++;
}

int
waitparse_pollfd(const void *buf, size_t len, struct snap_wait_fd *out,
    size_t max, bool *truncated)
{
	const unsigned char *p = buf;
	bool over = false;
	size_t n = 0;

	if (len % WAITPARSE_POLLFD_SIZE != 0 || max > INT_MAX)
		return -EINVAL;
	for (size_t off = 0; off < len; off += WAITPARSE_POLLFD_SIZE) {
		struct pollfd pfd;

		/* The bytes may sit at any alignment in the caller's buffer. */
		memcpy(&pfd, p + off, sizeof pfd);
		if (pfd.fd < 0)
			continue;
		put(out, max, &n, &over, pfd.fd, (pfd.events & POLL_IN) != 0,
		    (pfd.events & POLL_OUT) != 0);
		if (over)
			break;
	}
	if (over)
		*truncated = true;
	return (int)n;
}

size_t
waitparse_fdset_size(uint64_t nfds)
{
	uint64_t words = nfds / FDSET_WORD_BITS + (nfds % FDSET_WORD_BITS != 0);

	return (size_t)words * sizeof(unsigned long);
}

static unsigned long
fdset_word(const unsigned char *set, size_t i)
{
	unsigned long w = 0;

	if (set != NULL)
		memcpy(&w, set + i * sizeof w, sizeof w);
	return w;
}

int
waitparse_fdset(const void *rd, const void *wr, uint64_t nfds,
    struct snap_wait_fd *out, size_t max, bool *truncated)
{
	size_t words, n = 0;
	bool over = false;

	if (nfds > INT_MAX || max > INT_MAX)
		return -EINVAL;
	words = waitparse_fdset_size(nfds) / sizeof(unsigned long);
	for (size_t i = 0; i < words && !over; i++) {
		unsigned long r = fdset_word(rd, i), w = fdset_word(wr, i);
		size_t bits = FDSET_WORD_BITS;

		/* The kernel reads whole words but looks at nfds bits only. */
		if (i == words - 1 && nfds % FDSET_WORD_BITS != 0) {
			bits = nfds % FDSET_WORD_BITS;
			r &= (1UL << bits) - 1;
			w &= (1UL << bits) - 1;
		}
		for (size_t b = 0; (r | w) != 0 && b < bits && !over; b++) {
			unsigned long m = 1UL << b;

			if ((r | w) & m)
				put(out, max, &n, &over,
				    (int)(i * FDSET_WORD_BITS + b),
				    (r & m) != 0, (w & m) != 0);
			r &= ~m;
			w &= ~m;
		}
	}
	if (over)
		*truncated = true;
	return (int)n;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * One tfd line, from just past "tfd:" to its '\n' (end).  The fields are
 * "key:" then blanks then a value that runs to the next blank; tfd has no
 * key left here.  pos is signed (%lli); the others are unsigned.
 */
static int
parse_tfd(const char *p, const char *end, struct snap_wait_fd *w)
{
	bool have_events = false, have_ino = false;
	uint64_t v;

	while (p < end && is_blank(*p))
		p++;
	if (procparse_u64(&p, 10, &v) != 0 || v > INT_MAX || p > end)
		return -EINVAL;
	memset(w, 0, sizeof *w);
	w->fd = (int)v;
	w->kind = SNAP_FD_OTHER;
	for (;;) {
		const char *key;
		size_t klen;

		if (p < end && !is_blank(*p))
			return -EINVAL; /* junk glued to a value */
		while (p < end && is_blank(*p))
			p++;
		if (p == end)
			break;
		for (key = p; p < end && *p >= 'a' && *p <= 'z'; p++)
			;
		klen = (size_t)(p - key);
		if (klen == 0 || p == end || *p != ':')
			return -EINVAL;
		p++;
		while (p < end && is_blank(*p))
			p++;
		if (p < end && *p == '-' && klen == 3 &&
		    memcmp(key, "pos", 3) == 0)
			p++;
		if (procparse_u64(&p, klen == 3 && memcmp(key, "pos", 3) == 0 ?
		    10 : 16, &v) != 0 || p > end)
			return -EINVAL;
		if (klen == 6 && memcmp(key, "events", 6) == 0) {
			if (v > UINT32_MAX)
				return -EINVAL;
			w->in = (v & EPOLL_IN) != 0;
			w->out = (v & EPOLL_OUT) != 0;
			have_events = true;
		} else if (klen == 3 && memcmp(key, "ino", 3) == 0) {
			w->inode = v;
			have_ino = true;
		}
	}
	return have_events && have_ino ? 0 : -EINVAL;
}

int
waitparse_epoll(const char *text, struct snap_wait_fd *out, size_t max,
    bool *truncated)
{
	bool over = false, have_pos = false;
	const char *line = text;
	size_t n = 0;

	if (max > INT_MAX)
		return -EINVAL;
	while (*line != '\0') {
		const char *nl = strchr(line, '\n');

		if (strncmp(line, "pos:", 4) == 0)
			have_pos = true;
		if (nl == NULL) {
			/*
			 * The kernel ends every line: this one was cut by the
			 * reader's buffer, and may have been a target's.
			 */
			over = true;
			break;
		}
		if (strncmp(line, "tfd:", 4) == 0) {
			struct snap_wait_fd w;

			if (parse_tfd(line + 4, nl, &w) != 0)
				return -EINVAL;
			if (n < max)
				out[n++] = w;
			else
				over = true;
		}
		line = nl + 1;
	}
	if (!have_pos)
		return -EINVAL;
	if (over)
		*truncated = true;
	return (int)n;
}
