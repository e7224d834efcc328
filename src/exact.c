/* exact.c - kernel byte counts onto a sample's channels; pure. */
#include "pipeviz/exact.h"

#include <stdlib.h>

static int
exact_cmp_key(enum snap_fd_kind ka, uint64_t ia, uint64_t da,
    enum snap_fd_kind kb, uint64_t ib, uint64_t db)
{
	if (ka != kb)
		return ka < kb ? -1 : 1;
	if (ia != ib)
		return ia < ib ? -1 : 1;
	if (da != db)
		return da < db ? -1 : 1;
	return 0;
}

static int
exact_cmp(const void *a, const void *b)
{
	const struct exact_count *x = a, *y = b;

	return exact_cmp_key(x->kind, x->inode, x->dev, y->kind, y->inode,
	    y->dev);
}

void
exact_sort(struct exact_count *c, size_t n)
{
	if (n > 1)
		qsort(c, n, sizeof *c, exact_cmp);
}

static const struct exact_count *
exact_find(const struct exact_count *c, size_t n, enum snap_fd_kind kind,
    uint64_t inode, uint64_t dev)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = exact_cmp_key(c[mid].kind, c[mid].inode, c[mid].dev, kind,
		    inode, dev);

		if (r == 0)
			return &c[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The bytes through one channel of s. */
static int64_t
exact_bytes(const struct snapshot *s, const struct snap_pipe *pp,
    const struct exact_count *c, size_t n)
{
	const struct exact_count *e;

	if (pp->kind == SNAP_FD_SOCKET) {
		e = exact_find(c, n, SNAP_FD_SOCKET, pp->inode, 0);
		return e != NULL ? (int64_t)e->written : 0;
	}
	e = exact_find(c, n, pp->kind, pp->inode, pp->kind == SNAP_FD_FIFO ?
	    pp->dev : 0);
	(void)s;
	if (e == NULL)
		return 0;
	return (int64_t)(e->written > 0 ? e->written : e->read);
}

void
exact_apply(struct snapshot *s, const struct snapshot *prev,
    const struct exact_count *c, size_t n)
{
	for (size_t i = 0; i < s->npipes; i++) {
		struct snap_pipe *pp = &s->pipes[i];
		const struct snap_pipe *old = NULL;

		pp->bytes = exact_bytes(s, pp, c, n);
		pp->bytes_exact = true;
		if (prev != NULL && s->t > prev->t)
			old = snapshot_find_pipe(prev, pp->inode);
		if (old != NULL && (old->kind != pp->kind || !old->bytes_exact))
			old = NULL;
		if (old != NULL && pp->bytes >= old->bytes)
			pp->rate_bps = (double)(pp->bytes - old->bytes) /
			    (s->t - prev->t);
	}
}

void
exact_apply_sleeps(struct snapshot *s, const struct exact_count *c, size_t n,
    const struct exact_wait *w, size_t nw, double t0)
{
	for (size_t i = 0; i < s->npipes; i++) {
		struct snap_pipe *pp = &s->pipes[i];
		const struct exact_count *e, *r;
		uint64_t dev = pp->kind == SNAP_FD_FIFO ? pp->dev : 0;

		e = exact_find(c, n, pp->kind, pp->inode, dev);
		/* A socket is read at its peer: the peer's fd is read. */
		r = e;
		if (pp->kind == SNAP_FD_SOCKET && pp->sock != NULL &&
		    pp->sock->peer != 0)
			r = exact_find(c, n, SNAP_FD_SOCKET, pp->sock->peer, 0);
		pp->sleeps_known = true;
		pp->writer_sleeps.count = e != NULL ? e->write_sleeps : 0;
		pp->writer_sleeps.seconds = e != NULL ?
		    (double)e->write_sleep_ns / 1e9 : 0;
		pp->reader_sleeps.count = r != NULL ? r->read_sleeps : 0;
		pp->reader_sleeps.seconds = r != NULL ?
		    (double)r->read_sleep_ns / 1e9 : 0;
	}
	for (size_t i = 0; i < s->nprocs; i++)
		s->procs[i].kwait.asleep = false;
	for (size_t i = 0; i < nw; i++) {
		struct snap_proc *p = snapshot_find_proc(s, w[i].tgid);
		double since = (double)w[i].since_ns / 1e9 - t0;

		if (p == NULL || snapshot_proc_gone(p))
			continue;
		/* The longest asleep of its threads says most. */
		if (p->kwait.asleep && p->kwait.since <= since)
			continue;
		p->kwait.asleep = true;
		p->kwait.since = since;
		p->kwait.reading = w[i].reading;
		p->kwait.chan = w[i].kind == SNAP_FD_SOCKET ?
		    snapshot_socket_channel(s, w[i].inode, w[i].reading) :
		    w[i].inode;
	}
}
