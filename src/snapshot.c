/* snapshot.c - the plain data of one sample, and linking fds into pipes. */
#include "pipeviz/snapshot.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeviz/sanitize.h"
#include "pipeviz/util.h"
#include "snapshot-internal.h"

struct snapshot *
snapshot_create(double t)
{
	struct snapshot *s = xcalloc(1, sizeof *s);

	s->t = t;
	s->index = snapshot_index_create();
	return s;
}


static void
snapshot_clear_pipes(struct snapshot *s)
{
	for (size_t i = 0; i < s->npipes; i++) {
		free(s->pipes[i].path);
		free(s->pipes[i].writers);
		free(s->pipes[i].readers);
		free(s->pipes[i].peek);
	}
	free(s->pipes);
	s->pipes = NULL;
	s->npipes = 0;
	snapshot_index_pipes_cleared(s);
}

void
snapshot_proc_clear(struct snap_proc *p)
{
	free(p->argv);
	p->argv = NULL;
	free(p->explain);
	p->explain = NULL;
	for (size_t j = 0; j < p->nfds; j++)
		free(p->fds[j].path);
	free(p->fds);
	p->fds = NULL;
	p->nfds = 0;
	snapshot_blocked_clear(&p->blocked);
	for (size_t j = 0; j < p->nthreads_read; j++)
		snapshot_blocked_clear(&p->threads[j].blocked);
	free(p->threads);
	p->threads = NULL;
	p->nthreads_read = 0;
}

static void
snapshot_clear_sockets(struct snapshot *s)
{
	for (size_t i = 0; i < s->nsockets; i++) {
		free(s->sockets[i].local);
		free(s->sockets[i].remote);
	}
	free(s->sockets);
	s->sockets = NULL;
	s->nsockets = 0;
}

void
snapshot_remove_proc(struct snapshot *s, size_t i)
{
	snapshot_proc_clear(&s->procs[i]);
	memmove(&s->procs[i], &s->procs[i + 1],
	    (s->nprocs - i - 1) * sizeof *s->procs);
	s->nprocs--;
	snapshot_procs_changed(s);
}

void
snapshot_free(struct snapshot *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nprocs; i++)
		snapshot_proc_clear(&s->procs[i]);
	free(s->procs);
	snapshot_clear_pipes(s);
	snapshot_clear_sockets(s);
	for (size_t i = 0; i < s->ndiags; i++) {
		free(s->diags[i].kind);
		free(s->diags[i].pids);
		free(s->diags[i].pipes);
		free(s->diags[i].message);
	}
	free(s->diags);
	snapshot_index_free(s->index);
	free(s);
}

/*
 * The capacity of an array of n elements: the next power of two at or
 * above n, at least 4.  Arrays grow by one element at a time and double
 * when full, so the capacity never needs storing.
 */
static size_t
snapshot_capacity(size_t n)
{
	size_t cap = 4;

	while (cap < n)
		cap *= 2;
	return cap;
}

static void *
snapshot_grow(void *array, size_t n, size_t size)
{
	if (n == 0)
		return xreallocarray(array, 4, size);
	if (n >= 4 && (n & (n - 1)) == 0)
		return xreallocarray(array, n * 2, size);
	return array;
}

void
snapshot_reserve_procs(struct snapshot *s, size_t n)
{
	if (n <= s->procs_cap)
		return;
	s->procs = xreallocarray(s->procs, n, sizeof *s->procs);
	s->procs_cap = n;
}

/*
 * A new slot at the end of procs.  Its capacity is kept, not implied as
 * for the small arrays: the probe reserves a whole sample's worth at once.
 */
static struct snap_proc *
snapshot_new_proc(struct snapshot *s)
{
	if (s->nprocs == s->procs_cap)
		snapshot_reserve_procs(s, s->procs_cap > 0 ? 2 * s->procs_cap : 8);
	return &s->procs[s->nprocs++];
}

struct snap_proc *
snapshot_add_proc(struct snapshot *s, pid_t pid)
{
	struct snap_proc *p = snapshot_new_proc(s);

	memset(p, 0, sizeof *p);
	p->pid = pid;
	p->stage = -1;
	p->state = '?';
	p->syscall = -1;
	p->blocked.fd = -1;
	p->tpgid = -1;
	p->nthreads = 1;
	p->argv = xcalloc(1, sizeof *p->argv);
	snapshot_index_proc_added(s, s->nprocs - 1);
	return p;
}

struct snap_proc *
snapshot_copy_proc(struct snapshot *s, const struct snap_proc *from)
{
	struct snap_proc *p = snapshot_new_proc(s);

	*p = *from;
	p->argv = NULL;
	p->fds = NULL;
	p->explain = from->explain != NULL ? xstrdup(from->explain) : NULL;
	p->blocked.waits = NULL;
	p->blocked.nwaits = 0;
	snapshot_index_proc_added(s, s->nprocs - 1);
	snapshot_blocked_copy(&p->blocked, &from->blocked);
	p->threads = NULL;
	p->nthreads_read = 0;
	snapshot_proc_set_threads(p, from->threads, from->nthreads_read);
	snapshot_proc_set_argv(p, from->argv);
	/* Every sample copies every process: one allocation for its fds. */
	if (from->nfds > 0) {
		p->fds = xreallocarray(NULL, snapshot_capacity(from->nfds),
		    sizeof *p->fds);
		memcpy(p->fds, from->fds, from->nfds * sizeof *p->fds);
		for (size_t i = 0; i < p->nfds; i++) {
			if (p->fds[i].path != NULL)
				p->fds[i].path = xstrdup(p->fds[i].path);
		}
	}
	return p;
}

void
snapshot_blocked_clear(struct snap_blocked *b)
{
	free(b->waits);
	memset(b, 0, sizeof *b);
	b->fd = -1;
}

void
snapshot_blocked_set_waits(struct snap_blocked *b,
    const struct snap_wait_fd *waits, size_t n)
{
	free(b->waits);
	b->waits = NULL;
	b->nwaits = n;
	if (n > 0) {
		b->waits = xreallocarray(NULL, n, sizeof *b->waits);
		memcpy(b->waits, waits, n * sizeof *waits);
	}
}

void
snapshot_blocked_copy(struct snap_blocked *to, const struct snap_blocked *from)
{
	struct snap_wait_fd *keep = to->waits;

	*to = *from;
	to->waits = keep;
	snapshot_blocked_set_waits(to, from->waits, from->nwaits);
}

static bool
snapshot_wait_is_channel(const struct snap_wait_fd *w)
{
	return w->inode != 0 && (w->kind == SNAP_FD_PIPE ||
	    w->kind == SNAP_FD_FIFO || w->kind == SNAP_FD_SOCKET);
}

void
snapshot_blocked_reduce(struct snap_blocked *b)
{
	const struct snap_wait_fd *first = NULL;
	bool in = false, out = false;

	b->op = SNAP_BLOCK_POLL;
	b->fd = -1;
	b->pipe = b->socket = 0;
	/* A partial set may hide the very fd that would wake it. */
	if (b->waits_partial)
		return;
	for (size_t i = 0; i < b->nwaits; i++) {
		const struct snap_wait_fd *w = &b->waits[i];

		if (!w->in && !w->out)
			continue;
		if (!snapshot_wait_is_channel(w))
			return;
		in |= w->in;
		out |= w->out;
		if (first == NULL)
			first = w;
	}
	if (first == NULL || in == out)
		return;
	b->op = out ? SNAP_BLOCK_WRITE : SNAP_BLOCK_READ;
	b->fd = first->fd;
	if (first->kind == SNAP_FD_SOCKET)
		b->socket = b->pipe = first->inode;
	else
		b->pipe = first->inode;
}

void
snapshot_proc_set_threads(struct snap_proc *p, const struct snap_thread *t,
    size_t n)
{
	for (size_t j = 0; j < p->nthreads_read; j++)
		snapshot_blocked_clear(&p->threads[j].blocked);
	free(p->threads);
	p->threads = NULL;
	p->nthreads_read = n;
	if (n == 0)
		return;
	p->threads = xreallocarray(NULL, n, sizeof *p->threads);
	memcpy(p->threads, t, n * sizeof *t);
	for (size_t j = 0; j < n; j++) {
		p->threads[j].blocked.waits = NULL;
		p->threads[j].blocked.nwaits = 0;
		snapshot_blocked_set_waits(&p->threads[j].blocked,
		    t[j].blocked.waits, t[j].blocked.nwaits);
	}
}

struct snap_socket *
snapshot_add_socket(struct snapshot *s, uint64_t inode)
{
	struct snap_socket *k;

	s->sockets = snapshot_grow(s->sockets, s->nsockets, sizeof *s->sockets);
	k = &s->sockets[s->nsockets++];
	memset(k, 0, sizeof *k);
	k->inode = inode;
	k->rqueue = k->wqueue = -1;
	snapshot_index_socket_added(s, s->nsockets - 1);
	return k;
}

const char *
snapshot_sock_type_name(enum snap_sock_type t)
{
	static const char *const names[] = {
		[SNAP_SOCK_UNKNOWN] = "unknown",
		[SNAP_SOCK_UNIX] = "unix",
		[SNAP_SOCK_UNIX_DGRAM] = "unix_dgram",
		[SNAP_SOCK_TCP] = "tcp",
		[SNAP_SOCK_UDP] = "udp",
	};

	return (unsigned)t < sizeof names / sizeof *names ? names[t] : "unknown";
}

void
snapshot_proc_set_argv(struct snap_proc *p, char *const *argv)
{
	size_t n = 0, bytes = 0;
	char **copy, *text;

	/* One block: the pointers, then the strings they point to. */
	while (argv != NULL && argv[n] != NULL)
		bytes += strlen(argv[n++]) + 1;
	copy = xmalloc((n + 1) * sizeof *copy + bytes);
	text = (char *)(copy + n + 1);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(argv[i]) + 1;

		copy[i] = memcpy(text, argv[i], len);
		text += len;
	}
	copy[n] = NULL;
	free(p->argv);
	p->argv = copy;
}

struct snap_fd *
snapshot_proc_add_fd(struct snap_proc *p, int fd, enum snap_fd_mode mode,
    enum snap_fd_kind kind, const char *path)
{
	struct snap_fd *f;

	p->fds = snapshot_grow(p->fds, p->nfds, sizeof *p->fds);
	f = &p->fds[p->nfds++];
	memset(f, 0, sizeof *f);
	f->fd = fd;
	f->mode = mode;
	f->kind = kind;
	f->path = path != NULL ? xstrdup(path) : NULL;
	f->pos = -1;
	f->size = -1;
	return f;
}

struct snap_diag *
snapshot_add_diag(struct snapshot *s, const char *kind, const pid_t *pids,
    size_t npids, const uint64_t *pipes, size_t npipes, const char *message)
{
	struct snap_diag *d;

	s->diags = snapshot_grow(s->diags, s->ndiags, sizeof *s->diags);
	d = &s->diags[s->ndiags++];
	memset(d, 0, sizeof *d);
	d->kind = xstrdup(kind);
	d->message = xstrdup(message);
	if (npids > 0) {
		d->pids = xcalloc(npids, sizeof *d->pids);
		memcpy(d->pids, pids, npids * sizeof *pids);
		d->npids = npids;
	}
	if (npipes > 0) {
		d->pipes = xcalloc(npipes, sizeof *d->pipes);
		memcpy(d->pipes, pipes, npipes * sizeof *pipes);
		d->npipes = npipes;
	}
	return d;
}

const struct snap_fd *
snapshot_proc_fd(const struct snap_proc *p, int fd)
{
	for (size_t i = 0; i < p->nfds; i++) {
		if (p->fds[i].fd == fd)
			return &p->fds[i];
	}
	return NULL;
}

/*
 * Pipes by identity while linking: an open-addressed table of indices
 * into s->pipes, so linking stays linear in the number of fds.
 */
struct snapshot_pipe_index {
	size_t	*slot;	/* pipe index + 1; 0 is empty */
	size_t	 mask;
};

static size_t
snapshot_pipe_hash(uint64_t inode, uint64_t dev)
{
	uint64_t h = (inode ^ (dev << 32 | dev >> 32)) * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 17);
}

static struct snap_pipe *
snapshot_pipe_for(struct snapshot *s, struct snapshot_pipe_index *ix,
    const struct snap_fd *f)
{
	struct snap_pipe *pp;
	size_t i = snapshot_pipe_hash(f->inode, f->dev) & ix->mask;

	for (; ix->slot[i] != 0; i = (i + 1) & ix->mask) {
		pp = &s->pipes[ix->slot[i] - 1];
		if (pp->inode == f->inode && pp->dev == f->dev &&
		    pp->kind == f->kind)
			return pp;
	}
	s->pipes = snapshot_grow(s->pipes, s->npipes, sizeof *s->pipes);
	pp = &s->pipes[s->npipes++];
	ix->slot[i] = s->npipes;
	memset(pp, 0, sizeof *pp);
	pp->kind = f->kind;
	pp->inode = f->inode;
	pp->dev = f->dev;
	pp->path = f->path != NULL ? xstrdup(f->path) : NULL;
	pp->fill = pp->capacity = -1;
	pp->rate_bps = -1;
	pp->bytes = -1;
	pp->stray = true;
	snapshot_index_pipe_added(s, s->npipes - 1);
	return pp;
}

static bool
snapshot_fd_is_pipe(const struct snap_fd *f)
{
	return (f->kind == SNAP_FD_PIPE || f->kind == SNAP_FD_FIFO) &&
	    f->inode != 0;
}

static void
snapshot_add_end(struct snap_end **ends, size_t *n, pid_t pid, int fd)
{
	*ends = snapshot_grow(*ends, *n, sizeof **ends);
	(*ends)[*n].pid = pid;
	(*ends)[*n].fd = fd;
	(*n)++;
}

struct snap_pipe *
snapshot_add_pipe(struct snapshot *s, enum snap_fd_kind kind, uint64_t inode,
    const char *path)
{
	struct snap_pipe *pp;

	s->pipes = snapshot_grow(s->pipes, s->npipes, sizeof *s->pipes);
	pp = &s->pipes[s->npipes++];
	memset(pp, 0, sizeof *pp);
	pp->kind = kind;
	pp->inode = inode;
	pp->path = path != NULL ? xstrdup(path) : NULL;
	pp->fill = pp->capacity = -1;
	pp->rate_bps = -1;
	snapshot_index_pipe_added(s, s->npipes - 1);
	pp->bytes = -1;
	return pp;
}

void
snapshot_pipe_set_peek(struct snap_pipe *pp, const void *data, size_t n)
{
	free(pp->peek);
	pp->peek = NULL;
	pp->npeek = 0;
	if (n == 0)
		return;
	pp->peek = xmalloc(n);
	memcpy(pp->peek, data, n);
	pp->npeek = n;
}

void
snapshot_pipe_add_end(struct snap_pipe *pp, bool writer, pid_t pid, int fd)
{
	if (writer)
		snapshot_add_end(&pp->writers, &pp->nwriters, pid, fd);
	else
		snapshot_add_end(&pp->readers, &pp->nreaders, pid, fd);
}

void
snapshot_link_pipes(struct snapshot *s)
{
	struct snapshot_pipe_index ix;
	size_t nfds = 0;

	snapshot_clear_pipes(s);
	/* The processes' fds and exits are final now, whoever set them. */
	snapshot_procs_changed(s);
	for (size_t i = 0; i < s->nprocs; i++) {
		for (size_t j = 0; j < s->procs[i].nfds; j++)
			nfds += snapshot_fd_is_pipe(&s->procs[i].fds[j]);
	}
	/* At most half full: at most nfds pipes in 2 * nfds slots or more. */
	ix.mask = snapshot_capacity(2 * nfds + 1) - 1;
	ix.slot = xcalloc(ix.mask + 1, sizeof *ix.slot);
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *p = &s->procs[i];

		for (size_t j = 0; j < p->nfds; j++) {
			const struct snap_fd *f = &p->fds[j];
			struct snap_pipe *pp;

			if (!snapshot_fd_is_pipe(f))
				continue;
			pp = snapshot_pipe_for(s, &ix, f);
			/* An exited stage's pipes stay listed, with no ends. */
			if (p->exit.exited) {
				pp->stray = false;
				continue;
			}
			if (f->mode == SNAP_MODE_R || f->mode == SNAP_MODE_RW)
				snapshot_add_end(&pp->readers, &pp->nreaders,
				    p->pid, f->fd);
			if (f->mode == SNAP_MODE_W || f->mode == SNAP_MODE_RW)
				snapshot_add_end(&pp->writers, &pp->nwriters,
				    p->pid, f->fd);
			/* A FIFO is a meeting point by name, on any fd. */
			if (f->fd <= 1 || f->kind == SNAP_FD_FIFO ||
			    snapshot_proc_waits_on(p, f->fd))
				pp->stray = false;
		}
	}
	free(ix.slot);
	for (size_t i = 0; i < s->npipes; i++) {
		if (s->pipes[i].nreaders > 0 && s->pipes[i].nwriters > 0)
			s->pipes[i].stray = false;
	}
	snapshot_link_sockets(s);
}

bool
snapshot_proc_waits_on(const struct snap_proc *p, int fd)
{
	const struct snap_blocked *b = &p->blocked;

	if (b->op != SNAP_BLOCK_NONE && b->fd == fd)
		return true;
	for (size_t i = 0; i < b->nwaits; i++) {
		if (b->waits[i].fd == fd)
			return true;
	}
	for (size_t t = 0; t < p->nthreads_read; t++) {
		const struct snap_blocked *tb = &p->threads[t].blocked;

		if (tb->op != SNAP_BLOCK_NONE && tb->fd == fd)
			return true;
	}
	return false;
}

uint64_t
snapshot_socket_channel(const struct snapshot *s, uint64_t inode, bool reading)
{
	const struct snap_socket *k;

	if (!reading || (k = snapshot_find_socket(s, inode)) == NULL ||
	    k->peer == 0)
		return inode;
	return k->peer;
}

uint64_t
snapshot_wait_channel(const struct snapshot *s, const struct snap_wait_fd *w)
{
	return w->kind == SNAP_FD_SOCKET ? snapshot_socket_channel(s, w->inode,
	    w->in && !w->out) : w->inode;
}

uint64_t
snapshot_fd_channel(const struct snapshot *s, const struct snap_fd *f,
    bool reading)
{
	if (f == NULL || f->inode == 0)
		return 0;
	switch (f->kind) {
	case SNAP_FD_PIPE:
	case SNAP_FD_FIFO:
		return f->inode;
	case SNAP_FD_SOCKET:
		return snapshot_socket_channel(s, f->inode, reading);
	default:
		return 0;
	}
}

/*
 * A socket pair whose both ends one process holds (socat's own wiring):
 * not an edge of the picture unless something waits on it.
 */
static bool
snapshot_chan_internal(const struct snap_pipe *pp)
{
	for (size_t i = 0; i < pp->nwriters; i++) {
		if (pp->writers[i].pid != pp->writers[0].pid)
			return false;
	}
	for (size_t i = 0; i < pp->nreaders; i++) {
		if (pp->readers[i].pid != pp->writers[0].pid)
			return false;
	}
	return true;
}

/* The channel of the bytes written into socket inode, made if new. */
static struct snap_pipe *
snapshot_socket_pipe(struct snapshot *s, uint64_t inode)
{
	struct snap_pipe *pp;
	const struct snap_socket *k, *peer;

	/* An inode of a pipe's too is only in a trace made up to look so. */
	if ((pp = snapshot_find_pipe(s, inode)) != NULL &&
	    pp->kind == SNAP_FD_SOCKET)
		return pp;
	for (size_t i = 0; pp != NULL && i < s->npipes; i++) {
		if (s->pipes[i].kind == SNAP_FD_SOCKET &&
		    s->pipes[i].inode == inode)
			return &s->pipes[i];
	}
	pp = snapshot_add_pipe(s, SNAP_FD_SOCKET, inode, NULL);
	pp->stray = true;
	k = snapshot_find_socket(s, inode);
	/*
	 * What was written and not read yet waits in the peer's receive
	 * queue; a connection to elsewhere shows only its own send queue.
	 */
	if (k != NULL && k->peer != 0 &&
	    (peer = snapshot_find_socket(s, k->peer)) != NULL)
		pp->fill = peer->rqueue;
	else if (k != NULL && k->type == SNAP_SOCK_TCP)
		pp->fill = k->wqueue;
	return pp;
}

void
snapshot_link_sockets(struct snapshot *s)
{
	for (size_t i = 0; i < s->nprocs; i++) {
		struct snap_proc *p = &s->procs[i];

		if (p->exit.exited)
			continue;
		for (size_t j = 0; j < p->nfds; j++) {
			const struct snap_fd *f = &p->fds[j];
			struct snap_pipe *out, *in;
			uint64_t from;

			if (f->kind != SNAP_FD_SOCKET || f->inode == 0)
				continue;
			out = snapshot_socket_pipe(s, f->inode);
			snapshot_add_end(&out->writers, &out->nwriters, p->pid,
			    f->fd);
			/*
			 * Without a known peer the reader is elsewhere (the
			 * far end of a TCP connection): no reader observed.
			 */
			from = snapshot_socket_channel(s, f->inode, true);
			if (from != f->inode) {
				in = snapshot_socket_pipe(s, from);
				snapshot_add_end(&in->readers, &in->nreaders,
				    p->pid, f->fd);
			}
			if (f->fd <= 1 || snapshot_proc_waits_on(p, f->fd)) {
				snapshot_socket_pipe(s, f->inode)->stray = false;
				snapshot_socket_pipe(s, from)->stray = false;
			}
		}
		/* A read waits for the bytes its peer's holders write. */
		if (p->blocked.socket != 0)
			p->blocked.pipe = snapshot_socket_channel(s,
			    p->blocked.socket, p->blocked.op == SNAP_BLOCK_READ);
		for (size_t t = 0; t < p->nthreads_read; t++) {
			struct snap_blocked *tb = &p->threads[t].blocked;

			if (tb->socket != 0)
				tb->pipe = snapshot_socket_channel(s, tb->socket,
				    tb->op == SNAP_BLOCK_READ);
		}
	}
	for (size_t i = 0; i < s->npipes; i++) {
		struct snap_pipe *pp = &s->pipes[i];

		if (pp->kind != SNAP_FD_SOCKET)
			continue;
		pp->sock = snapshot_find_socket(s, pp->inode);
		/* Both ends observed: an edge between two processes. */
		if (pp->nreaders > 0 && pp->nwriters > 0 &&
		    pp->sock != NULL && pp->sock->peer != 0 &&
		    !snapshot_chan_internal(pp))
			pp->stray = false;
	}
}

const char *
snapshot_kind_name(enum snap_fd_kind k)
{
	static const char *names[] = {
		[SNAP_FD_PIPE] = "pipe",
		[SNAP_FD_FIFO] = "fifo",
		[SNAP_FD_FILE] = "file",
		[SNAP_FD_TTY] = "tty",
		[SNAP_FD_SOCKET] = "socket",
		[SNAP_FD_DEV] = "dev",
		[SNAP_FD_OTHER] = "other",
	};

	if ((unsigned)k >= sizeof names / sizeof names[0])
		return "other";
	return names[k];
}

const char *
snapshot_mode_name(enum snap_fd_mode m)
{
	switch (m) {
	case SNAP_MODE_R:
		return "r";
	case SNAP_MODE_W:
		return "w";
	case SNAP_MODE_RW:
		return "rw";
	case SNAP_MODE_NONE:
		break;
	}
	return "";
}

const char *
snapshot_op_name(enum snap_block_op op)
{
	switch (op) {
	case SNAP_BLOCK_READ:
		return "read";
	case SNAP_BLOCK_WRITE:
		return "write";
	case SNAP_BLOCK_OPEN:
		return "open";
	case SNAP_BLOCK_WAIT:
		return "wait";
	case SNAP_BLOCK_POLL:
		return "poll";
	case SNAP_BLOCK_NONE:
		break;
	}
	return "";
}

/*
 * The lowest fd >= from of p that holds pipe or FIFO inode for writing
 * (writer) or reading, or -1.  An O_RDWR fd is both ends.  inode 0 means
 * unknown and matches nothing.  Lowest rather than first in fds[] so that
 * callers walking several fds (from = previous + 1) see them in order.
 */
int
snapshot_proc_pipe_fd(const struct snap_proc *p, uint64_t inode, bool writer,
    int from)
{
	enum snap_fd_mode want = writer ? SNAP_MODE_W : SNAP_MODE_R;
	int best = -1;

	if (inode == 0)
		return -1;
	for (size_t i = 0; i < p->nfds; i++) {
		const struct snap_fd *f = &p->fds[i];

		if ((f->kind != SNAP_FD_PIPE && f->kind != SNAP_FD_FIFO) ||
		    f->inode != inode || f->fd < from)
			continue;
		if (f->mode != want && f->mode != SNAP_MODE_RW)
			continue;
		if (best == -1 || f->fd < best)
			best = f->fd;
	}
	return best;
}

const char *
snapshot_proc_name(const struct snap_proc *p)
{
	const char *slash;

	if (p->comm[0] != '\0')
		return p->comm;
	if (p->argv != NULL && p->argv[0] != NULL) {
		slash = strrchr(p->argv[0], '/');
		return slash != NULL ? slash + 1 : p->argv[0];
	}
	return "?";
}

bool
snapshot_proc_gone(const struct snap_proc *p)
{
	return p->exit.exited || p->state == 'Z' || p->state == 'X';
}

const struct snap_proc *
snapshot_fd0_reader(const struct snapshot *s, const struct snap_proc *w,
    uint64_t inode)
{
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *q = &s->procs[i];
		const struct snap_fd *f = snapshot_proc_fd(q, 0);

		if (q != w && q->pid != w->pid && f != NULL &&
		    f->inode == inode &&
		    (f->kind == SNAP_FD_PIPE || f->kind == SNAP_FD_FIFO) &&
		    (f->mode == SNAP_MODE_R || f->mode == SNAP_MODE_RW))
			return q;
	}
	return NULL;
}

/*
 * Kernel functions a writer sleeps in while it waits for room: a pipe's
 * (anon_pipe_write, pipe_write, pipe_wait_writable, wait_for_space) and
 * a socket's send buffer (sock_alloc_send_pskb for UNIX sockets,
 * sk_stream_wait_memory for TCP).
 */
static bool
snapshot_wchan_waits_room(const char *wchan)
{
	return strstr(wchan, "pipe_write") != NULL ||
	    strstr(wchan, "wait_writable") != NULL ||
	    strstr(wchan, "wait_for_space") != NULL ||
	    strstr(wchan, "sock_alloc_send") != NULL ||
	    strstr(wchan, "wait_memory") != NULL ||
	    strstr(wchan, "wait_for_peer") != NULL;
}

bool
snapshot_proc_waits_room(const struct snap_proc *p, const struct snap_pipe *pp)
{
	if (p->blocked.op != SNAP_BLOCK_WRITE)
		return false;
	/* A poll for room only returns when there is some. */
	if (p->blocked.multiplexed)
		return true;
	if (pp != NULL && pp->capacity > 0 && pp->fill >= pp->capacity)
		return true;
	return snapshot_wchan_waits_room(p->wchan);
}

const char *
snapshot_chan_label(const struct snap_pipe *pp, char *buf, size_t size)
{
	const struct snap_socket *k = pp->sock;
	int n;

	if (size == 0)
		return buf;
	if (pp->kind == SNAP_FD_FIFO && pp->path != NULL) {
		snprintf(buf, size, "FIFO ");
		sanitize_append(buf, size, strlen(buf), pp->path);
	} else if (pp->kind != SNAP_FD_SOCKET)
		snprintf(buf, size, "%s %" PRIu64,
		    pp->kind == SNAP_FD_FIFO ? "FIFO" : "pipe", pp->inode);
	else if (k != NULL && (k->type == SNAP_SOCK_TCP ||
	    k->type == SNAP_SOCK_UDP) && k->remote != NULL) {
		n = snprintf(buf, size, "%s ", k->type == SNAP_SOCK_TCP ?
		    "TCP" : "UDP");
		sanitize_append(buf, size, (size_t)n, k->remote);
	} else if (k != NULL && k->type == SNAP_SOCK_TCP)
		snprintf(buf, size, "TCP socket %" PRIu64, pp->inode);
	else if (k != NULL && k->type == SNAP_SOCK_UDP)
		snprintf(buf, size, "UDP socket %" PRIu64, pp->inode);
	else if (k != NULL && (k->type == SNAP_SOCK_UNIX ||
	    k->type == SNAP_SOCK_UNIX_DGRAM))
		snprintf(buf, size, "UNIX socket %" PRIu64, pp->inode);
	else
		snprintf(buf, size, "socket %" PRIu64, pp->inode);
	return buf;
}

const char *
snapshot_stop_name(enum snap_stop stop)
{
	switch (stop) {
	case SNAP_STOP_SIGNAL:
		return "signal";
	case SNAP_STOP_TTIN:
		return "ttin";
	case SNAP_STOP_TTOU:
		return "ttou";
	case SNAP_STOP_NONE:
		break;
	}
	return "";
}

bool
snapshot_chan_remote(const struct snap_pipe *pp)
{
	return pp->kind == SNAP_FD_SOCKET && (pp->sock == NULL ||
	    pp->sock->peer == 0);
}

const char *
snapshot_chan_far_end(const struct snap_pipe *pp, char *buf, size_t size)
{
	const struct snap_socket *k = pp->sock;

	if (k != NULL && k->remote != NULL) {
		sanitize_append(buf, size, 0, k->remote);
		return buf;
	}
	snprintf(buf, size, "%s", k != NULL && k->type != SNAP_SOCK_UNKNOWN ?
	    "a process pipeviz does not see" : "an end pipeviz cannot see");
	return buf;
}

const char *
snapshot_sock_proto(const struct snap_pipe *pp)
{
	const struct snap_socket *k = pp->sock;

	if (k == NULL)
		return "a socket";
	switch (k->type) {
	case SNAP_SOCK_TCP:
		return "TCP";
	case SNAP_SOCK_UDP:
		return "UDP";
	case SNAP_SOCK_UNIX:
	case SNAP_SOCK_UNIX_DGRAM:
		return "a UNIX socket";
	case SNAP_SOCK_UNKNOWN:
		break;
	}
	return "a socket";
}

bool
snapshot_proc_command_word(const struct snap_proc *p, char *buf, size_t size)
{
	const char *cmd;
	char *word;
	size_t len;

	if (p->argv[0] == NULL || size == 0)
		return false;
	/* A stage gone before its first sample has its command's words. */
	if (p->argv[1] == NULL || strcmp(p->argv[1], "-c") != 0)
		cmd = strcmp(p->argv[0], p->comm) != 0 ? p->argv[0] : NULL;
	else
		cmd = p->argv[2];
	if (cmd == NULL)
		return false;
	cmd += strspn(cmd, " \t");
	if (strncmp(cmd, "exec ", 5) == 0)
		cmd += 5 + strspn(cmd + 5, " \t");
	if ((len = strcspn(cmd, " \t\n;|&")) == 0)
		return false;
	word = xstrndup(cmd, len);
	sanitize_append(buf, size, 0, word);
	free(word);
	return true;
}
