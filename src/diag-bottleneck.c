/*
 * diag-bottleneck.c - bottleneck: the busy stage its neighbours wait for,
 * voted on in each check and named when it holds a majority of the last
 * DIAG_WINDOW checks.
 */
#include "diagnose-internal.h"

/* Votes a stage needs in that window (and a strict majority of it). */
#define DIAG_BOTTLENECK_VOTES 3

/* Running now, or used much CPU since the last sample: a busy stage. */
static bool
proc_busy(const struct snap_proc *p)
{
	return !snapshot_proc_gone(p) && !diag_proc_stopped(p) &&
	    (p->state == 'R' || p->cpu_pct >= DIAG_BUSY_CPU);
}

static bool
pipe_full(const struct snap_pipe *pp)
{
	return pp->capacity > 0 && pp->fill >= pp->capacity;
}

/* What makes p look like the bottleneck in this sample. */
struct diag_evidence {
	int score;
	size_t nwaiting; /* neighbours blocked on p */
};

static void
evidence_pipe(const struct snapshot *s, const struct snap_proc *p,
    const struct snap_pipe *pp, struct diag_evidence *ev,
    struct diag_msg *m)
{
	bool reads = diag_ends_have(pp->readers, pp->nreaders, p->pid);
	bool writes = diag_ends_have(pp->writers, pp->nwriters, p->pid);

	/* Its own pipe both ways: no neighbour to judge by. */
	if (reads == writes)
		return;
	/* A full output means the one downstream is the slower. */
	if (writes && pipe_full(pp))
		ev->score -= 2;
	else if (reads && pipe_full(pp))
		ev->score++;
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *q = &s->procs[i];
		bool w = reads &&
		    diag_blocked_pipe(s, q, SNAP_BLOCK_WRITE) == pp;
		bool r = writes &&
		    diag_blocked_pipe(s, q, SNAP_BLOCK_READ) == pp;

		if (q == p || (!w && !r))
			continue;
		ev->score += 2;
		if (m != NULL) {
			diag_msg_printf(m,
			    "%s", ev->nwaiting == 0 ? ": " : " and ");
			diag_msg_proc(m, q);
			diag_msg_printf(m,
			    " waits to %s ", w ? "write" : "read");
			diag_msg_pipe_name(m, pp);
			diag_msg_printf(m, " %s it", w ? "to" : "from");
		}
		ev->nwaiting++;
	}
}

/* Input pipes first, so the message reads from upstream to downstream. */
static struct diag_evidence
evidence_of(const struct snapshot *s, const struct snap_proc *p,
    struct diag_msg *m)
{
	struct diag_evidence ev = { 0, 0 };

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < s->npipes; i++) {
			const struct snap_pipe *pp = &s->pipes[i];
			bool reads = diag_ends_have(pp->readers, pp->nreaders,
			    p->pid);

			if (!pp->stray && reads == (pass == 0))
				evidence_pipe(s, p, pp, &ev, m);
		}
	}
	return ev;
}

/*
 * This sample's busy stage that others wait for.  The state letter is an
 * instant (a CPU-bound stage is often caught in read() between two
 * chunks), the CPU share covers the whole interval: it counts for the
 * score and breaks ties.  A tie that remains names no one.
 */
static struct diag_vote
bottleneck_vote(const struct snapshot *s)
{
	struct diag_vote v = { false, 0, 0 };
	double best_cpu = 0;
	int best = 0;
	bool tie = false;

	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *p = &s->procs[i];
		struct diag_evidence ev;

		if (!proc_busy(p))
			continue;
		ev = evidence_of(s, p, NULL);
		if (p->cpu_pct >= DIAG_BUSY_CPU)
			ev.score++;
		if (ev.nwaiting == 0 || ev.score <= 0 || ev.score < best ||
		    (ev.score == best && p->cpu_pct < best_cpu))
			continue;
		tie = ev.score == best && p->cpu_pct == best_cpu;
		best = ev.score;
		best_cpu = p->cpu_pct;
		v.valid = true;
		v.pid = p->pid;
		v.start_ticks = p->start_ticks;
	}
	if (tie)
		v.valid = false;
	return v;
}

static bool
same_vote(const struct diag_vote *a, const struct diag_vote *b)
{
	return a->valid && b->valid && a->pid == b->pid &&
	    a->start_ticks == b->start_ticks;
}

/* The stage with a strict majority of the window, if any. */
static const struct diag_vote *
bottleneck_winner(const struct diagnose *d, size_t *votes)
{
	for (size_t i = 0; i < d->nwindow; i++) {
		size_t n = 0;

		for (size_t j = 0; j < d->nwindow; j++)
			n += same_vote(&d->window[i], &d->window[j]);
		if (n >= DIAG_BOTTLENECK_VOTES && 2 * n > d->nwindow) {
			*votes = n;
			return &d->window[i];
		}
	}
	return NULL;
}

void
diag_bottleneck(struct diag_ctx *c)
{
	struct diagnose *d = c->d;
	const struct diag_vote *win;
	const struct snap_proc *p;
	size_t votes = 0;

	d->window[d->next] = bottleneck_vote(c->s);
	d->next = (d->next + 1) % DIAG_WINDOW;
	if (d->nwindow < DIAG_WINDOW)
		d->nwindow++;
	if ((win = bottleneck_winner(d, &votes)) == NULL ||
	    (p = diag_live_proc(c->s, win->pid)) == NULL ||
	    p->start_ticks != win->start_ticks || diag_proc_stopped(p))
		return;
	diag_msg_proc(&c->msg, p);
	diag_msg_printf(&c->msg, " limits the pipeline's throughput (busy in "
	    "%zu of the last %zu checks", votes, d->nwindow);
	if (p->cpu_pct >= 1)
		diag_msg_printf(&c->msg, ", %.0f%% CPU now", p->cpu_pct);
	diag_msg_printf(&c->msg, ")");
	if (evidence_of(c->s, p, &c->msg).nwaiting == 0)
		diag_msg_printf(&c->msg, ": the stages next to it wait for it");
	diag_msg_emit(&c->msg, c->s, "bottleneck");
}
