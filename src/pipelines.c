/* pipelines.c - processes grouped into pipelines, and each one judged. */
#include "pipeviz/pipelines.h"

#include <stdlib.h>
#include <string.h>

#include "pipeviz/diagnose.h"
#include "pipeviz/util.h"

/* An end as grouping sees it: whose, on which fd, of what. */
struct pl_end {
	enum census_kind kind;
	uint64_t dev, ino;
	size_t proc;	/* index into procs */
	int fd;
};

static int
pl_end_cmp(const void *a, const void *b)
{
	const struct pl_end *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return (x->proc > y->proc) - (x->proc < y->proc);
}

/* Union-find over process indices, with path halving. */
static size_t
pl_root(size_t *up, size_t i)
{
	while (up[i] != i) {
		up[i] = up[up[i]];
		i = up[i];
	}
	return i;
}

static void
pl_union(size_t *up, size_t a, size_t b)
{
	a = pl_root(up, a);
	b = pl_root(up, b);
	/* The lower index leads, so a group's root is its lowest pid. */
	if (a < b)
		up[b] = a;
	else if (b < a)
		up[a] = b;
}

/* Mark self and its ancestors (the observer's side) and the kernel. */
static bool *
pl_excluded(const struct census_proc *procs, size_t n, pid_t self)
{
	bool *ex = xcalloc(n + 1, sizeof *ex);
	const struct census_proc *p;
	pid_t pid = self;

	for (size_t i = 0; i < n; i++)
		ex[i] = procs[i].kernel;
	for (int depth = 0; pid > 0 && depth < 256; depth++) {
		if ((p = census_find(procs, n, pid)) == NULL)
			break;
		ex[p - procs] = true;
		pid = p->ppid;
	}
	return ex;
}

/* Join the holders of one pipe or FIFO, ends[lo..hi), by the rules. */
static void
pl_join_pipe(size_t *up, const struct pl_end *ends, size_t lo, size_t hi)
{
	size_t reader = SIZE_MAX, writer = SIZE_MAX, std = SIZE_MAX;
	size_t other = SIZE_MAX;
	bool std_pair = false;

	for (size_t i = lo; i < hi; i++) {
		const struct pl_end *e = &ends[i];

		if (e->fd == 0 && reader == SIZE_MAX)
			reader = e->proc;
		if (e->fd == 1 && writer == SIZE_MAX)
			writer = e->proc;
	}
	/* fd 1 of one and fd 0 of another: `a | b`, the data path itself. */
	for (size_t i = lo; i < hi; i++) {
		const struct pl_end *e = &ends[i];

		if (e->fd != 0 && e->fd != 1)
			continue;
		if (std == SIZE_MAX)
			std = e->proc;
		if (e->fd == 0 ? writer != SIZE_MAX && writer != e->proc :
		    reader != SIZE_MAX && reader != e->proc)
			std_pair = true;
	}
	if (std_pair) {
		for (size_t i = lo; i < hi; i++) {
			if (ends[i].fd == 0 || ends[i].fd == 1)
				pl_union(up, std, ends[i].proc);
		}
	}
	/*
	 * Held as fd 3 or above by another: a parent reading its child, a
	 * FIFO opened by name.  Two such holders of a FIFO meet too.
	 */
	for (size_t i = lo; i < hi; i++) {
		const struct pl_end *e = &ends[i];

		if (e->fd < 3)
			continue;
		if (std != SIZE_MAX && std != e->proc)
			pl_union(up, std, e->proc);
		if (e->kind == CENSUS_FIFO) {
			if (other != SIZE_MAX && other != e->proc)
				pl_union(up, other, e->proc);
			other = e->proc;
		}
	}
}

static const struct pl_end *
pl_find_socket(const struct pl_end *ends, size_t n, uint64_t ino)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct pl_end *e = &ends[mid];

		if (e->kind < CENSUS_SOCKET ||
		    (e->kind == CENSUS_SOCKET && e->ino < ino))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && ends[lo].kind == CENSUS_SOCKET && ends[lo].ino == ino ?
	    &ends[lo] : NULL;
}

static int
pl_peer_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct pipelines_peer *)a)->ino;
	uint64_t y = ((const struct pipelines_peer *)b)->ino;

	return (x > y) - (x < y);
}

/* A socket on fd 0 or 1 joins its holder to whoever holds its peer. */
static void
pl_join_sockets(size_t *up, const struct pl_end *ends, size_t nends,
    const struct pipelines_peer *peers, size_t npeers)
{
	struct pipelines_peer *sorted = xcalloc(npeers + 1, sizeof *sorted);

	if (npeers > 0)
		memcpy(sorted, peers, npeers * sizeof *peers);
	qsort(sorted, npeers, sizeof *sorted, pl_peer_cmp);
	for (size_t i = 0; i < nends; i++) {
		const struct pl_end *e = &ends[i], *h;
		struct pipelines_peer key = { e->ino, 0 }, *pr;

		if (e->kind != CENSUS_SOCKET || e->fd > 1 ||
		    (pr = bsearch(&key, sorted, npeers, sizeof *sorted,
		    pl_peer_cmp)) == NULL || pr->peer == 0)
			continue;
		for (h = pl_find_socket(ends, nends, pr->peer);
		    h != NULL && h < ends + nends && h->kind == CENSUS_SOCKET &&
		    h->ino == pr->peer; h++) {
			if (h->fd != 2)
				pl_union(up, e->proc, h->proc);
		}
	}
	free(sorted);
}

size_t
pipelines_group(const struct census_proc *procs, size_t n, pid_t self,
    const struct pipelines_peer *peers, size_t npeers,
    struct pipeline_group **out)
{
	bool *ex = pl_excluded(procs, n, self);
	size_t *up = xcalloc(n + 1, sizeof *up), *size, *slot;
	struct pl_end *ends = NULL;
	size_t nends = 0, cap = 0, ngroups = 0;
	struct pipeline_group *g;

	for (size_t i = 0; i < n; i++) {
		up[i] = i;
		for (size_t j = 0; !ex[i] && j < procs[i].nends; j++) {
			const struct census_end *e = &procs[i].ends[j];

			/* fd 2 is a log everyone inherits, not a data path. */
			if (e->fd == 2)
				continue;
			if (nends == cap) {
				cap = cap ? cap * 2 : 256;
				ends = xreallocarray(ends, cap, sizeof *ends);
			}
			ends[nends++] = (struct pl_end){ e->kind, e->dev, e->ino,
			    i, e->fd };
		}
	}
	qsort(ends, nends, sizeof *ends, pl_end_cmp);
	for (size_t lo = 0, hi; lo < nends; lo = hi) {
		for (hi = lo + 1; hi < nends && ends[hi].kind == ends[lo].kind &&
		    ends[hi].dev == ends[lo].dev && ends[hi].ino == ends[lo].ino;
		    hi++)
			;
		if (ends[lo].kind != CENSUS_SOCKET)
			pl_join_pipe(up, ends, lo, hi);
	}
	pl_join_sockets(up, ends, nends, peers, npeers);
	free(ends);

	/* Groups of two or more; index order is pid order, leader first. */
	size = xcalloc(n + 1, sizeof *size);
	slot = xcalloc(n + 1, sizeof *slot);
	for (size_t i = 0; i < n; i++)
		size[pl_root(up, i)]++;
	for (size_t i = 0; i < n; i++) {
		if (pl_root(up, i) == i && size[i] >= 2)
			slot[i] = ngroups++;
	}
	g = *out = xcalloc(ngroups + 1, sizeof *g);
	for (size_t i = 0; i < n; i++) {
		size_t r = pl_root(up, i);
		struct pipeline_group *grp = &g[slot[r]];

		if (size[r] < 2)
			continue;
		if (grp->pids == NULL)
			grp->pids = xcalloc(size[r], sizeof *grp->pids);
		grp->pids[grp->npids++] = procs[i].pid;
	}
	free(slot);
	free(size);
	free(up);
	free(ex);
	return ngroups;
}

void
pipelines_free(struct pipeline_group *g, size_t n)
{
	if (g == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(g[i].pids);
	free(g);
}

size_t
pipelines_std_sockets(const struct census_proc *procs, size_t n,
    uint64_t **out)
{
	size_t m = 0, cap = 0;

	*out = NULL;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < procs[i].nends; j++) {
			const struct census_end *e = &procs[i].ends[j];

			if (e->kind != CENSUS_SOCKET || e->fd > 1)
				continue;
			if (m == cap) {
				cap = cap ? cap * 2 : 16;
				*out = xreallocarray(*out, cap, sizeof **out);
			}
			(*out)[m++] = e->ino;
		}
	}
	return m;
}

const char *
pipeline_health_name(enum pipeline_health h)
{
	switch (h) {
	case PIPELINE_STUCK:
		return "stuck";
	case PIPELINE_SLOW:
		return "slow";
	case PIPELINE_IDLE:
		return "idle";
	case PIPELINE_OK:
		break;
	}
	return "ok";
}

/*
 * Kinds that stop a pipeline.  Each is made only once its wait has lasted
 * the stuck time (diagnose.h), so finding one is finding that it lasted;
 * a starved reader alone is a pipeline waiting for input (tail -f | grep).
 */
static bool
pl_stops(const struct snap_diag *d)
{
	static const char *const stop[] = { "deadlock", "blocked_writer",
		"eof_held", "stopped", "no_reader", "exec_failed" };

	for (size_t i = 0; i < sizeof stop / sizeof stop[0]; i++) {
		if (strcmp(d->kind, stop[i]) == 0)
			return true;
	}
	return false;
}

double
pipeline_busiest_rate(const struct snapshot *s)
{
	double best = -1;

	for (size_t i = 0; i < s->npipes; i++) {
		if (!s->pipes[i].stray && s->pipes[i].rate_bps > best)
			best = s->pipes[i].rate_bps;
	}
	return best;
}

/*
 * Whether a process runs, ran in the last interval (1% of a CPU) or moved
 * bytes: a channel's rate is unknown where its writers write elsewhere too.
 */
static bool
pl_busy(const struct snap_proc *p)
{
	return !snapshot_proc_gone(p) && (p->state == 'R' || p->cpu_pct >= 1.0 ||
	    p->read_bps > 0 || p->write_bps > 0);
}

enum pipeline_health
pipeline_judge(const struct snapshot *s, const struct snap_diag **top)
{
	bool slow = false;

	*top = diagnose_top(s);
	for (size_t i = 0; i < s->ndiags; i++) {
		/* The most urgent of those that stop it is its cause. */
		if (pl_stops(&s->diags[i])) {
			if (*top == NULL || !pl_stops(*top))
				*top = &s->diags[i];
			return PIPELINE_STUCK;
		}
		slow |= strcmp(s->diags[i].kind, "bottleneck") == 0;
	}
	if (slow)
		return PIPELINE_SLOW;
	if (pipeline_busiest_rate(s) > 0)
		return PIPELINE_OK;
	for (size_t i = 0; i < s->nprocs; i++) {
		if (pl_busy(&s->procs[i]))
			return PIPELINE_OK;
	}
	return PIPELINE_IDLE;
}
