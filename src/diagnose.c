/*
 * diagnose.c - why a pipeline is stuck or slow, from successive snapshots.
 *
 * Each call judges one snapshot and appends its diagnoses; the list
 * describes the current situation, so a condition that lasts is reported
 * in every sample it lasts.  What is remembered between calls, keyed by
 * (pid, start_ticks), is only what one snapshot cannot tell: since when a
 * process waits on the same thing without progress, for how many samples
 * it has been part of a deadlock, and which stage was the busy one in the
 * recent samples.
 *
 * The rule for each kind of diagnosis is in the file named for it
 * (diag-*.c, listed in docs/architecture.md); this file keeps the history
 * and runs the checks, in an order some of them depend on.
 */
#include "pipeviz/diagnose.h"

#include <stdlib.h>
#include <string.h>

#include "pipeviz/idmap.h"
#include "pipeviz/util.h"
#include "diagnose-internal.h"

struct diagnose *
diagnose_create(void)
{
	struct diagnose *d = xcalloc(1, sizeof *d);

	d->stuck_seconds = DIAG_STUCK_SECONDS;
	return d;
}

void
diagnose_free(struct diagnose *d)
{
	if (d == NULL)
		return;
	free(d->hist);
	idmap_free(&d->by_id);
	free(d);
}

/* Processes. */

bool
diag_proc_stopped(const struct snap_proc *p)
{
	return p->state == 'T' || p->state == 't';
}

/* Doing anything at all, so it may still write: not an idle holder. */
bool
diag_proc_active(const struct snap_proc *p)
{
	return !snapshot_proc_gone(p) && !diag_proc_stopped(p) &&
	    (p->state == 'R' || p->cpu_pct >= DIAG_ACTIVE_CPU);
}

bool
diag_proc_is_blocked(const struct snap_proc *p, enum snap_block_op op)
{
	return !snapshot_proc_gone(p) && !diag_proc_stopped(p) &&
	    p->blocked.op == op;
}

size_t
diag_proc_index(const struct snapshot *s, const struct snap_proc *p)
{
	return (size_t)(p - s->procs);
}

/* A live process by pid, or NULL. */
struct snap_proc *
diag_live_proc(const struct snapshot *s, pid_t pid)
{
	struct snap_proc *p = snapshot_find_proc(s, pid);

	return p != NULL && !snapshot_proc_gone(p) ? p : NULL;
}

/* Pipes. */

/* The pipeline pipe p is blocked on with op, or NULL. */
struct snap_pipe *
diag_blocked_pipe(const struct snapshot *s, const struct snap_proc *p,
    enum snap_block_op op)
{
	struct snap_pipe *pp;

	if (!diag_proc_is_blocked(p, op) || p->blocked.pipe == 0)
		return NULL;
	pp = snapshot_find_pipe(s, p->blocked.pipe);
	return pp != NULL && !pp->stray ? pp : NULL;
}

size_t
diag_other_ends(const struct snapshot *s, const struct snap_proc *self,
    const struct snap_end *ends, size_t n, const struct snap_proc **out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		const struct snap_proc *q = diag_live_proc(s, ends[i].pid);
		bool seen = false;

		if (q == NULL || q == self)
			continue;
		for (size_t j = 0; j < k && !seen; j++)
			seen = out[j] == q;
		if (!seen)
			out[k++] = q;
	}
	return k;
}

/*
 * Each node's walk along next[] ends at a head (a node with no next) or
 * in a ring, where it stands alone.  Every node is walked once: a walk
 * stops at a node already judged and passes its answer back along the
 * way it came, so a chain of 2000 costs 2000 steps, not 2000 squared.
 */
void
diag_chain_heads(const size_t *next, const bool *in, size_t n, size_t *head)
{
	enum { UNSEEN, ON_WALK, JUDGED };
	unsigned char *state = xcalloc(n + 1, 1);
	size_t *walk = xcalloc(n + 1, sizeof *walk);
	size_t *end = xcalloc(n + 1, sizeof *end);

	for (size_t i = 0; i < n; i++) {
		size_t len = 0, j = i, to = DIAG_NONE;
		bool ring;

		while (state[j] == UNSEEN) {
			state[j] = ON_WALK;
			walk[len++] = j;
			if (next[j] == DIAG_NONE || next[j] >= n)
				break;
			j = next[j];
		}
		if (state[j] == JUDGED) {
			/* Into a ring, or its tail: alone; else to its head. */
			ring = end[j] == DIAG_NONE;
			to = end[j];
		} else if (next[j] == DIAG_NONE || next[j] >= n) {
			ring = false;
			to = j;
		} else
			ring = true; /* came back to a node of this walk */
		for (size_t k = 0; k < len; k++) {
			state[walk[k]] = JUDGED;
			end[walk[k]] = ring ? DIAG_NONE : to;
		}
	}
	for (size_t i = 0; i < n; i++)
		head[i] = !in[i] ? DIAG_NONE : end[i] == DIAG_NONE ? i : end[i];
	free(end);
	free(walk);
	free(state);
}

void
diag_chains_make(struct diag_chains *ch, const size_t *next, const bool *in,
    size_t n)
{
	size_t *at = xcalloc(n + 1, sizeof *at);

	ch->head = xcalloc(n + 1, sizeof *ch->head);
	ch->start = xcalloc(n + 2, sizeof *ch->start);
	ch->member = xcalloc(n + 1, sizeof *ch->member);
	diag_chain_heads(next, in, n, ch->head);
	/* A counting sort by head: each chain's members in index order. */
	for (size_t i = 0; i < n; i++) {
		if (ch->head[i] != DIAG_NONE)
			ch->start[ch->head[i] + 1]++;
	}
	for (size_t h = 0; h < n; h++)
		ch->start[h + 1] += ch->start[h];
	memcpy(at, ch->start, n * sizeof *at);
	for (size_t i = 0; i < n; i++) {
		if (ch->head[i] != DIAG_NONE)
			ch->member[at[ch->head[i]]++] = i;
	}
	free(at);
}

void
diag_chains_free(struct diag_chains *ch)
{
	free(ch->head);
	free(ch->start);
	free(ch->member);
}

bool
diag_ends_have(const struct snap_end *ends, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++) {
		if (ends[i].pid == pid)
			return true;
	}
	return false;
}

/* History. */

/* The key of a process's history: its pid and start time, mixed. */
static uint64_t
hist_key(pid_t pid, uint64_t start_ticks)
{
	return (uint64_t)pid ^ start_ticks << 22;
}

static struct diag_hist *
hist_find(struct diagnose *d, const struct snap_proc *p)
{
	size_t i = idmap_get(&d->by_id, hist_key(p->pid, p->start_ticks));
	struct diag_hist *h;

	if (i == IDMAP_NONE)
		return NULL;
	h = &d->hist[i];
	if (h->pid == p->pid && h->start_ticks == p->start_ticks)
		return h;
	/* Two identities under one key (a start time past 2^42 ticks). */
	for (i = 0; i < d->nhist; i++) {
		h = &d->hist[i];
		if (h->pid == p->pid && h->start_ticks == p->start_ticks)
			return h;
	}
	return NULL;
}

static bool
same_blocked(const struct snap_blocked *a, const struct snap_blocked *b)
{
	return a->op == b->op && a->fd == b->fd && a->pipe == b->pipe;
}

/*
 * Since when p waits on the same thing.  A wait that made progress in
 * between (its read or write counters moved) started again: a writer
 * that keeps up with a slow reader is not stuck for the whole time.
 */
static void
hist_update(struct diag_hist *h, const struct snap_proc *p, double t)
{
	bool moved = h->io_known && p->io_known &&
	    (h->rchar != p->rchar || h->wchar != p->wchar);

	if (!diag_proc_stopped(p))
		h->stopped_since = 0;
	else if (h->stopped_since == 0)
		h->stopped_since = t > 0 ? t : 1e-9;
	if (p->blocked.op == SNAP_BLOCK_NONE || diag_proc_stopped(p)) {
		h->blocked_samples = 0;
	} else if (h->blocked_samples == 0 ||
	    !same_blocked(&h->blocked, &p->blocked) || moved) {
		h->blocked_samples = 1;
		h->blocked_since = t;
	} else
		h->blocked_samples++;
	h->blocked = p->blocked;
	h->rchar = p->rchar;
	h->wchar = p->wchar;
	h->io_known = p->io_known;
	h->seen = true;
}

/* Find or add the history of every live process; point ctx at them. */
static void
hist_attach(struct diag_ctx *c)
{
	struct diagnose *d = c->d;
	struct snapshot *s = c->s;

	for (size_t i = 0; i < d->nhist; i++)
		d->hist[i].seen = false;
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *p = &s->procs[i];
		struct diag_hist *h;

		if (snapshot_proc_gone(p) || hist_find(d, p) != NULL)
			continue;
		if (d->nhist == d->hist_cap) {
			d->hist_cap = d->hist_cap > 0 ? 2 * d->hist_cap : 16;
			d->hist = xreallocarray(d->hist, d->hist_cap,
			    sizeof *d->hist);
		}
		h = &d->hist[d->nhist++];
		memset(h, 0, sizeof *h);
		h->pid = p->pid;
		h->start_ticks = p->start_ticks;
		idmap_put(&d->by_id, hist_key(h->pid, h->start_ticks),
		    d->nhist - 1);
	}
	/* The array no longer moves: pointers into it are safe now. */
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *p = &s->procs[i];

		if (snapshot_proc_gone(p))
			continue;
		c->hist[i] = hist_find(d, p);
		hist_update(c->hist[i], p, s->t);
	}
}

/* Forget the processes this sample did not show. */
static void
hist_prune(struct diagnose *d)
{
	size_t n = 0;

	idmap_clear(&d->by_id);
	for (size_t i = 0; i < d->nhist; i++) {
		if (!d->hist[i].seen)
			continue;
		d->hist[n] = d->hist[i];
		idmap_put(&d->by_id, hist_key(d->hist[n].pid,
		    d->hist[n].start_ticks), n);
		n++;
	}
	d->nhist = n;
}

double
diag_blocked_for(const struct diag_ctx *c, const struct snap_proc *p)
{
	const struct diag_hist *h = c->hist[diag_proc_index(c->s, p)];

	return h != NULL && h->blocked_samples > 0 ? c->s->t - h->blocked_since
	    : 0;
}

double
diag_stopped_for(const struct diag_ctx *c, const struct snap_proc *p)
{
	const struct diag_hist *h = c->hist[diag_proc_index(c->s, p)];

	return h != NULL && h->stopped_since > 0 ?
	    c->s->t - h->stopped_since : 0;
}

bool
diag_stuck(const struct diag_ctx *c, const struct snap_proc *p)
{
	double need = c->d->stuck_seconds - 1e-6;

	if (diag_proc_stopped(p))
		return diag_stopped_for(c, p) >= need;
	return p->blocked.op != SNAP_BLOCK_NONE &&
	    diag_blocked_for(c, p) >= need;
}

void
diagnose_set_stuck(struct diagnose *d, double seconds)
{
	d->stuck_seconds = seconds;
}

void
diagnose_sample(struct diagnose *d, struct snapshot *s)
{
	struct diag_ctx c = { 0 };

	c.d = d;
	c.s = s;
	c.hist = xcalloc(s->nprocs + 1, sizeof *c.hist);
	c.deadlocked = xcalloc(s->nprocs + 1, sizeof *c.deadlocked);
	c.eof_held = xcalloc(s->nprocs + 1, sizeof *c.eof_held);
	for (size_t i = 0; i < s->nprocs && !c.launched; i++)
		c.launched = s->procs[i].stage >= 0;
	hist_attach(&c);
	/*
	 * Most telling first: a view that shows one line shows that.
	 * diag_starved leaves out the readers diag_deadlocks and diag_eof
	 * named (c->deadlocked, c->eof_held): it must come after them.
	 */
	diag_exec_failed(&c);
	diag_deadlocks(&c);
	diag_eof(&c);
	diag_stopped(&c);
	diag_no_reader(&c);
	diag_bottleneck(&c);
	diag_writers(&c);
	diag_buffered(&c);
	diag_starved(&c);
	diag_sigpipe(&c);
	diag_rank(s);
	for (size_t i = 0; i < s->nprocs; i++)
		s->procs[i].stuck = !snapshot_proc_gone(&s->procs[i]) &&
		    c.hist[i] != NULL && diag_stuck(&c, &s->procs[i]);
	hist_prune(d);
	diag_msg_free(&c.msg);
	free(c.eof_held);
	free(c.deadlocked);
	free(c.hist);
}
