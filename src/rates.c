/* rates.c - per-process CPU share and I/O rates from successive samples. */
#include "pipeviz/rates.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "pipeviz/util.h"

static double
rates_per_second(uint64_t before, uint64_t after, double dt)
{
	/* Counters never go down for one process; guard against reuse. */
	if (after < before)
		return 0;
	return (double)(after - before) / dt;
}

void
rates_apply(const struct snapshot *prev, struct snapshot *cur, long hz)
{
	double dt;

	if (prev == NULL || hz <= 0 || (dt = cur->t - prev->t) <= 0)
		return;
	for (size_t i = 0; i < cur->nprocs; i++) {
		struct snap_proc *p = &cur->procs[i];
		const struct snap_proc *q = snapshot_find_proc(prev, p->pid);

		if (q == NULL || q->start_ticks != p->start_ticks)
			continue;
		/* An exited stage holds its final counters: no rate. */
		if (p->exit.exited)
			continue;
		/*
		 * Rounded as the trace stores them, so that a replayed trace
		 * draws exactly what the live view drew.
		 */
		p->cpu_pct = round(1000.0 * rates_per_second(q->cpu_ticks,
		    p->cpu_ticks, dt) / (double)hz) / 10;
		/*
		 * Ticks land in whole jiffies at either end of the interval, so
		 * a busy single thread reads 102%: no more than its threads
		 * can use is shown.
		 */
		if (p->cpu_pct > 100.0 * (p->nthreads > 1 ? (double)p->nthreads :
		    1.0))
			p->cpu_pct = 100.0 * (p->nthreads > 1 ? (double)p->nthreads :
			    1.0);
		if (p->io_known && q->io_known) {
			p->read_bps = round(rates_per_second(q->rchar, p->rchar, dt));
			p->write_bps = round(rates_per_second(q->wchar, p->wchar,
			    dt));
		}
	}
}

/* Stray pipes (snapshot.h) by inode, sorted: not part of the data path. */
struct rates_strays {
	uint64_t *inode;
	size_t n;
};

static int
rates_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static bool
rates_stray(const struct rates_strays *st, const struct snap_fd *f)
{
	return f->kind == SNAP_FD_PIPE && st->n > 0 && bsearch(&f->inode,
	    st->inode, st->n, sizeof *st->inode, rates_u64_cmp) != NULL;
}

/*
 * Whether p moves bytes (writing, or reading) through no channel but
 * inode: every fd it may write (read) through is on it, stderr aside when
 * writing (a diagnostic, not the data path) and stray pipes (an inherited
 * fd 251) aside always.
 */
static bool
rates_only_on(const struct snapshot *s, const struct rates_strays *st,
    const struct snap_proc *p, uint64_t inode, bool writer)
{
	for (size_t i = 0; i < p->nfds; i++) {
		const struct snap_fd *f = &p->fds[i];
		bool may = writer ? f->mode == SNAP_MODE_W ||
		    f->mode == SNAP_MODE_RW : f->mode == SNAP_MODE_R ||
		    f->mode == SNAP_MODE_RW;

		if (!may || (writer && f->fd == 2) || rates_stray(st, f))
			continue;
		if (snapshot_fd_channel(s, f, !writer) != inode)
			return false;
	}
	return true;
}

/* Processes by pid, sorted once per sample: ends are looked up by pid. */
struct rates_index {
	const struct snap_proc **by_pid;
	size_t n;
};

static int
rates_pid_cmp(const void *a, const void *b)
{
	pid_t x = (*(const struct snap_proc *const *)a)->pid;
	pid_t y = (*(const struct snap_proc *const *)b)->pid;

	return (x > y) - (x < y);
}

static void
rates_index_build(struct rates_index *ix, const struct snapshot *s)
{
	ix->n = s->nprocs;
	ix->by_pid = xreallocarray(NULL, ix->n > 0 ? ix->n : 1,
	    sizeof *ix->by_pid);
	for (size_t i = 0; i < ix->n; i++)
		ix->by_pid[i] = &s->procs[i];
	qsort(ix->by_pid, ix->n, sizeof *ix->by_pid, rates_pid_cmp);
}

static const struct snap_proc *
rates_index_find(const struct rates_index *ix, pid_t pid)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ix->by_pid[mid]->pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix->n && ix->by_pid[lo]->pid == pid ? ix->by_pid[lo] : NULL;
}

/*
 * The sum of the rates of the live ends, if each of them moves bytes
 * through this channel only; -1 if any does other I/O too.
 */
static double
rates_ends(const struct snapshot *s, const struct rates_strays *st,
    const struct rates_index *prev,
    const struct rates_index *cur, const struct snap_end *ends, size_t n, uint64_t inode, bool writer)
{
	double sum = 0;
	size_t live = 0;

	for (size_t i = 0; i < n; i++) {
		const struct snap_proc *p = rates_index_find(cur, ends[i].pid);
		const struct snap_proc *q;

		if (p == NULL || p->exit.exited)
			continue;
		/* A process new in this sample has no rate yet. */
		q = rates_index_find(prev, p->pid);
		if (!p->io_known || q == NULL || q->start_ticks != p->start_ticks ||
		    !q->io_known)
			return -1;
		if (!rates_only_on(s, st, p, inode, writer))
			return -1;
		sum += writer ? p->write_bps : p->read_bps;
		live++;
	}
	return live > 0 ? sum : -1;
}

/*
 * Without counts from the kernel, a channel's bytes are its rate over
 * the time since the sample before, added up from the first sample that
 * knew a rate: an estimate (the bytes before that are not in it).
 */
static void
rates_estimate_bytes(const struct snapshot *prev, const struct snapshot *cur,
    struct snap_pipe *pp)
{
	const struct snap_pipe *old = snapshot_find_pipe(prev, pp->inode);
	int64_t before = old != NULL && old->kind == pp->kind ? old->bytes : -1;

	pp->bytes_exact = false;
	if (pp->rate_bps >= 0)
		pp->bytes = (before > 0 ? before : 0) +
		    llround(pp->rate_bps * (cur->t - prev->t));
	else
		pp->bytes = before;
}

void
rates_apply_pipes(const struct snapshot *prev, struct snapshot *cur)
{
	struct rates_index pi, ci;
	struct rates_strays st = { NULL, 0 };

	for (size_t i = 0; i < cur->npipes; i++)
		cur->pipes[i].rate_bps = -1;
	if (prev == NULL || cur->t <= prev->t)
		return;
	rates_index_build(&pi, prev);
	rates_index_build(&ci, cur);
	st.inode = xreallocarray(NULL, cur->npipes + 1, sizeof *st.inode);
	for (size_t i = 0; i < cur->npipes; i++) {
		if (cur->pipes[i].stray && cur->pipes[i].kind == SNAP_FD_PIPE)
			st.inode[st.n++] = cur->pipes[i].inode;
	}
	qsort(st.inode, st.n, sizeof *st.inode, rates_u64_cmp);
	for (size_t i = 0; i < cur->npipes; i++) {
		struct snap_pipe *pp = &cur->pipes[i];
		double r;

		/*
		 * Bytes into a pipe are its writers' writes; when a writer
		 * writes elsewhere too, its readers' reads, if they read only
		 * there.  Neither: no figure, rather than a guess.
		 */
		r = rates_ends(cur, &st, &pi, &ci, pp->writers, pp->nwriters, pp->inode,
		    true);
		if (r < 0)
			r = rates_ends(cur, &st, &pi, &ci, pp->readers, pp->nreaders,
			    pp->inode, false);
		pp->rate_bps = r;
		rates_estimate_bytes(prev, cur, pp);
	}
	free(pi.by_pid);
	free(ci.by_pid);
	free(st.inode);
}
