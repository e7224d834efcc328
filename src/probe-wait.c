/*
 * probe-wait.c - the fd set of a process asleep in poll, select or epoll.
 *
 * poll and select keep their set in the sleeper's memory, which is read
 * with process_vm_readv(): read only, the process is never stopped,
 * signalled or attached to.  An epoll instance lists its interest set in
 * its fdinfo.  Either can change under us or be refused; then the set is
 * partial ("unknown"), never a guess.
 */
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipeviz/util.h"
#include "pipeviz/waitparse.h"
#include "probe-internal.h"

/* Small sets, by far the most common, cost no allocation. */
#define WAIT_SMALL 64
/* An epoll tfd line is about 80 bytes; this holds PROBE_WAIT_MAX of them. */
#define EPOLL_TEXT_MAX (PROBE_WAIT_MAX * 128)

bool
probe_wait_multiplexed(long nr)
{
	struct waitparse_where w;

	(void)waitparse_where(nr, (const uint64_t[6]){ 0 }, &w);
	return w.kind != WAITPARSE_NONE;
}

static bool
is_channel(enum snap_fd_kind k)
{
	return k == SNAP_FD_PIPE || k == SNAP_FD_FIFO || k == SNAP_FD_SOCKET;
}

/* Kind and inode of a poll or select fd, as the fd table says. */
static void
resolve_fd(const struct snap_proc *p, struct snap_wait_fd *w)
{
	const struct snap_fd *f = snapshot_proc_fd(p, w->fd);

	w->kind = f != NULL ? f->kind : SNAP_FD_OTHER;
	w->inode = f != NULL && is_channel(f->kind) ? f->inode : 0;
}

/*
 * An epoll target comes with its inode.  The fd number is the one it was
 * added under: the process may have closed it since (epoll keeps the
 * file while any fd holds it) or reused the number for something else.
 * So the number is trusted only when its inode agrees; else another fd
 * holding that inode gives the kind; else the kind is OTHER with the
 * fdinfo's inode kept, which reduce does not take for a channel.
 */
static void
resolve_epoll(const struct snap_proc *p, struct snap_wait_fd *w)
{
	const struct snap_fd *f = snapshot_proc_fd(p, w->fd);

	if (f != NULL && (f->inode == w->inode || (f->inode == 0 &&
	    !is_channel(f->kind)))) {
		w->kind = f->kind;
		if (!is_channel(f->kind))
			w->inode = 0;
		return;
	}
	for (size_t i = 0; i < p->nfds; i++) {
		if (p->fds[i].inode == w->inode && is_channel(p->fds[i].kind)) {
			w->kind = p->fds[i].kind;
			return;
		}
	}
	w->kind = SNAP_FD_OTHER;
}

/*
 * Copy n bytes at remote address addr of pid into buf, in one
 * process_vm_readv(): how many bytes came (a short count at an unmapped
 * page), or -errno (EPERM: not ours to read; ESRCH: gone; EFAULT).
 */
static long
read_remote(pid_t pid, const struct iovec *remote, size_t nremote,
    void *buf, size_t n)
{
	struct iovec local = { buf, n };
	ssize_t got;

	got = process_vm_readv(pid, &local, 1, remote, (unsigned long)nremote,
	    0);
	return got == -1 ? -errno : (long)got;
}

static int
read_poll(pid_t pid, const struct waitparse_where *where,
    struct snap_wait_fd *out, size_t max, bool *partial)
{
	char small[WAIT_SMALL * WAITPARSE_POLLFD_SIZE], *buf = small;
	uint64_t nfds = where->nfds;
	struct iovec remote;
	long got;
	int n;

	if (nfds > max) {
		nfds = max;
		*partial = true;
	}
	if (nfds == 0)
		return 0;
	if (nfds > WAIT_SMALL)
		buf = xmalloc(nfds * WAITPARSE_POLLFD_SIZE);
	remote.iov_base = (void *)(uintptr_t)where->addr;
	remote.iov_len = nfds * WAITPARSE_POLLFD_SIZE;
	got = read_remote(pid, &remote, 1, buf, remote.iov_len);
	if (got < 0 || (size_t)got != remote.iov_len) {
		*partial = true;
		got = got < 0 ? 0 : got - got % WAITPARSE_POLLFD_SIZE;
	}
	n = waitparse_pollfd(buf, (size_t)got, out, max, partial);
	if (buf != small)
		free(buf);
	return n;
}

static int
read_select(pid_t pid, const struct waitparse_where *where,
    struct snap_wait_fd *out, size_t max, bool *partial)
{
	uint64_t nfds = where->nfds;
	struct iovec remote[2];
	unsigned char *rd, *wr, *buf;
	size_t size, nremote = 0;
	long got;
	int n;

	/* Past max fds the bits are not read: the set is partial. */
	if (nfds > max) {
		nfds = max;
		*partial = true;
	}
	size = waitparse_fdset_size(nfds);
	if (size == 0 || (where->readfds == 0 && where->writefds == 0))
		return 0;
	buf = xmalloc(2 * size);
	rd = where->readfds != 0 ? buf : NULL;
	wr = where->writefds != 0 ? buf + size : NULL;
	/* Both sets in one call: the budget is one read per sample. */
	if (rd != NULL)
		remote[nremote++] = (struct iovec){
		    (void *)(uintptr_t)where->readfds, size };
	if (wr != NULL)
		remote[nremote++] = (struct iovec){
		    (void *)(uintptr_t)where->writefds, size };
	got = read_remote(pid, remote, nremote, rd != NULL ? rd : wr,
	    nremote * size);
	if (got < 0 || (size_t)got != nremote * size) {
		/* Which bits a short copy lacks is not worth telling apart. */
		*partial = true;
		free(buf);
		return 0;
	}
	n = waitparse_fdset(rd, wr, nfds, out, max, partial);
	free(buf);
	return n;
}

/* The epoll's fdinfo text, NUL-terminated, in *text: its length or -errno. */
static long
read_epoll_text(int piddir, int epfd, char *small, size_t nsmall,
    char **text)
{
	size_t len = 0, size = nsmall, want;
	char path[32], *buf = small;
	ssize_t got;
	int fd;

	snprintf(path, sizeof path, "fdinfo/%d", epfd);
	if ((fd = openat(piddir, path, O_RDONLY | O_CLOEXEC)) == -1)
		return -errno;
	for (;;) {
		if (len == size - 1) {
			if (size >= EPOLL_TEXT_MAX)
				break;
			size = size * 4 > EPOLL_TEXT_MAX ? EPOLL_TEXT_MAX :
			    size * 4;
			if (buf == small) {
				buf = xmalloc(size);
				memcpy(buf, small, len);
			} else
				buf = xreallocarray(buf, size, 1);
		}
		want = size - 1 - len;
		got = read(fd, buf + len, want);
		if (got == -1 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (got == -1 && len == 0) {
				got = -errno;
				close(fd);
				if (buf != small)
					free(buf);
				return got;
			}
			break;
		}
		len += (size_t)got;
		/*
		 * fdinfo is generated whole by one show() and a read takes
		 * all of it that fits: a short read is the end, and a second
		 * read for the 0 would double the cost.
		 */
		if ((size_t)got < want)
			break;
	}
	close(fd);
	buf[len] = '\0';
	*text = buf;
	return (long)len;
}

/*
 * The epoll set into *waits (small, or allocated when the text has more
 * tfd lines than small holds); returns how many.
 */
static int
read_epoll(int piddir, const struct snap_proc *p,
    const struct waitparse_where *where, struct snap_wait_fd **waits,
    bool *partial)
{
	char small[4096], *text = NULL;
	const struct snap_fd *f = snapshot_proc_fd(p, where->epfd);
	size_t lines = 0;
	long len;
	int n;

	/* Any fdinfo without tfd lines looks like an empty epoll's. */
	if (f != NULL && (f->path == NULL ||
	    strcmp(f->path, "anon_inode:[eventpoll]") != 0)) {
		*partial = true;
		return 0;
	}
	len = read_epoll_text(piddir, where->epfd, small, sizeof small, &text);
	if (len < 0) {
		*partial = true;
		return 0;
	}
	/* A full buffer may have ended on a line: the decoder cannot tell. */
	if ((size_t)len >= EPOLL_TEXT_MAX - 1)
		*partial = true;
	for (const char *l = text; (l = strstr(l, "tfd:")) != NULL; l += 4)
		lines++;
	if (lines > WAIT_SMALL)
		*waits = xreallocarray(NULL, lines < PROBE_WAIT_MAX ? lines :
		    PROBE_WAIT_MAX, sizeof **waits);
	n = waitparse_epoll(text, *waits, lines < PROBE_WAIT_MAX ? lines :
	    PROBE_WAIT_MAX, partial);
	if (n < 0) {
		*partial = true;
		n = 0;
	}
	if (text != small)
		free(text);
	return n;
}

void
probe_wait_read(pid_t pid, int piddir, long nr, const uint64_t args[6],
    const struct snap_proc *p, struct snap_blocked *b)
{
	struct snap_wait_fd small[WAIT_SMALL], *waits = small;
	struct waitparse_where where;
	bool partial = false;
	size_t max = WAIT_SMALL;
	int n = 0;

	if (waitparse_where(nr, args, &where) != 0)
		partial = true;
	if (where.kind == WAITPARSE_NONE)
		return;
	/* Room for the whole set when it is larger than the stack's. */
	if (!partial && where.kind != WAITPARSE_EPOLL &&
	    where.nfds > WAIT_SMALL) {
		max = PROBE_WAIT_MAX;
		waits = xreallocarray(NULL, max, sizeof *waits);
	}
	if (!partial) {
		switch (where.kind) {
		case WAITPARSE_POLL:
			n = read_poll(pid, &where, waits, max, &partial);
			break;
		case WAITPARSE_SELECT:
			n = read_select(pid, &where, waits, max, &partial);
			break;
		case WAITPARSE_EPOLL:
			n = read_epoll(piddir, p, &where, &waits, &partial);
			break;
		case WAITPARSE_NONE:
			break;
		}
	}
	if (n < 0) {
		partial = true;
		n = 0;
	}
	for (int i = 0; i < n; i++) {
		if (where.kind == WAITPARSE_EPOLL)
			resolve_epoll(p, &waits[i]);
		else
			resolve_fd(p, &waits[i]);
	}
	b->multiplexed = true;
	b->waits_partial = partial;
	snapshot_blocked_set_waits(b, waits, (size_t)n);
	snapshot_blocked_reduce(b);
	if (waits != small)
		free(waits);
}
