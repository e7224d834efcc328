/* summary.c - the end of a run in figures, from its history (summary.h). */
#include "pipeviz/summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pipeviz/util.h"

struct summary *
summary_create(void)
{
	return xcalloc(1, sizeof(struct summary));
}

void
summary_free(struct summary *sum)
{
	if (sum == NULL)
		return;
	free(sum->pipes);
	free(sum->stages);
	free(sum);
}

struct summary_pipe *
summary_add_pipe(struct summary *sum)
{
	struct summary_pipe *p;

	sum->pipes = xreallocarray(sum->pipes, sum->npipes + 1,
	    sizeof *sum->pipes);
	p = &sum->pipes[sum->npipes++];
	memset(p, 0, sizeof *p);
	p->kind = SNAP_FD_PIPE;
	p->bytes = -1;
	p->avg_bps = -1;
	return p;
}

struct summary_stage *
summary_add_stage(struct summary *sum)
{
	struct summary_stage *st;

	sum->stages = xreallocarray(sum->stages, sum->nstages + 1,
	    sizeof *sum->stages);
	st = &sum->stages[sum->nstages++];
	memset(st, 0, sizeof *st);
	st->stage = -1;
	st->cpu_s = st->wall_s = -1;
	st->max_rss_kib = -1;
	st->start_t = st->end_t = -1;
	return st;
}

static const char *const summary_sources[] = {
	[SUMMARY_NONE] = NULL,
	[SUMMARY_WRITERS] = "writers",
	[SUMMARY_READERS] = "readers",
	[SUMMARY_SAMPLES] = "samples",
	[SUMMARY_COUNTED] = "counted",
};

const char *
summary_source_name(enum summary_source s)
{
	return s <= SUMMARY_COUNTED ? summary_sources[s] : NULL;
}

enum summary_source
summary_source_of(const char *name)
{
	for (int s = SUMMARY_WRITERS; s <= SUMMARY_COUNTED; s++) {
		if (name != NULL && strcmp(name, summary_sources[s]) == 0)
			return (enum summary_source)s;
	}
	return SUMMARY_NONE;
}

/* As the trace writes it: times to the millisecond. */
static double
summary_ms(double seconds)
{
	return seconds < 0 ? -1 : round(seconds * 1000) / 1000;
}

static bool
summary_side_has(const struct history_side *sd, uint64_t chan)
{
	for (size_t i = 0; i < sd->nchans; i++) {
		if (sd->chans[i] == chan)
			return true;
	}
	return false;
}

static const struct summary_stage *
summary_launched(const struct summary_stage *st, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++) {
		if (st[i].pid == pid)
			return &st[i];
	}
	return NULL;
}

/* Every process the history saw, as a stage of an attached pipeline. */
static void
summary_observed(struct summary *sum, const struct history *h)
{
	for (size_t i = 0; i < history_nprocs(h); i++) {
		const struct history_proc *r = history_proc_at(h, i);
		struct summary_stage *st = summary_add_stage(sum);
		double end = r->exit.exited && r->exit.t > 0 ? r->exit.t : r->last_t;

		st->stage = r->stage;
		st->pid = r->pid;
		snprintf(st->comm, sizeof st->comm, "%s", r->comm);
		/* A trace has no CPU ticks: a replay does not know. */
		st->cpu_s = history_hz(h) > 0 ? summary_ms((double)r->cpu_ticks /
		    (double)history_hz(h)) : -1;
		st->wall_s = summary_ms(end > r->start_t ? end - r->start_t : 0);
		st->max_rss_kib = r->max_rss_kib > 0 ? (int64_t)r->max_rss_kib : -1;
		st->exit = r->exit;
		st->running = !r->exit.exited && r->in_view;
		st->start_t = r->start_t;
		st->end_t = end;
	}
}

/*
 * The time a pipe's writers ran: from the launcher's fork and reap times
 * when every writer is a launched stage, else from the history (start
 * times from /proc, in clock ticks; ends when reaped or last seen).
 */
static double
summary_span(const struct history_chan *c, const struct summary_pipe *sp,
    const struct summary_stage *launched, size_t n)
{
	double from = 0, to = -1;
	bool all = sp->nwriters > 0;

	for (size_t i = 0; all && i < sp->nwriters; i++) {
		const struct summary_stage *st = summary_launched(launched, n,
		    sp->writers[i]);

		if (st == NULL || st->end_t < 0) {
			all = false;
			break;
		}
		if (to < from || st->start_t < from)
			from = st->start_t;
		if (st->end_t > to)
			to = st->end_t;
	}
	if (!all) {
		from = c->span_start;
		to = c->span_end;
	}
	return to > from ? to - from : -1;
}

/*
 * Who wrote into a pipe (or read from it), for naming it: the launched
 * stages among them when any is (a stage's shell's children are its
 * stage's business), else every process seen there.
 */
static void
summary_ends(struct summary_pipe *sp, const struct history *h,
    const struct history_chan *c, const struct summary_stage *launched,
    size_t n, bool writers)
{
	pid_t *out = writers ? sp->writers : sp->readers;
	size_t *nout = writers ? &sp->nwriters : &sp->nreaders;

	for (int pass = 0; pass < 2 && *nout == 0; pass++) {
		for (size_t i = 0; i < history_nprocs(h); i++) {
			const struct history_proc *p = history_proc_at(h, i);

			if (!summary_side_has(writers ? &p->writes : &p->reads,
			    c->inode) || *nout == SUMMARY_MAX_ENDS)
				continue;
			if (pass == 0 && n > 0 &&
			    summary_launched(launched, n, p->pid) == NULL)
				continue;
			out[(*nout)++] = p->pid;
		}
	}
}

/*
 * A pipe the summary can say nothing about: no bytes known, and not one
 * the launcher wired between stages (xargs's pipe to learn whether its
 * child's exec worked: held by xargs and its child for a moment, never
 * written), or attached, without a writer and a reader seen.
 */
static bool
summary_pipe_unknowable(const struct summary_pipe *sp,
    const struct summary_stage *launched, size_t n)
{
	if (sp->bytes >= 0)
		return false;
	if (n == 0)
		return sp->nwriters == 0 || sp->nreaders == 0;
	for (size_t i = 0; i < n; i++) {
		if (launched[i].wired[0] == sp->inode ||
		    launched[i].wired[1] == sp->inode)
			return false;
	}
	return true;
}

/* One pipe: who moved bytes through it, how many, how fast. */
static void
summary_pipe_of(struct summary_pipe *sp, const struct history *h,
    const struct history_chan *c, const struct summary_stage *launched,
    size_t n)
{
	struct history_tally w, r;
	double bytes = -1, span;
	bool wok, rok;

	sp->kind = c->kind;
	sp->inode = c->inode;
	summary_ends(sp, h, c, launched, n, true);
	summary_ends(sp, h, c, launched, n, false);
	history_chan_tally(h, c, &w, &r);
	/*
	 * The writers' counters first: a reader's rchar also holds what its
	 * loader read (a few KiB of shared libraries).  But a complete count
	 * beats a lower bound: readers whose last counters were read at
	 * their end, when a writer ended unread.
	 */
	sp->exact = c->counted_known;
	wok = w.n > 0 && !w.shared && !w.unknown;
	rok = r.n > 0 && !r.shared && !r.unknown;
	if (c->counted_known) {
		bytes = (double)c->counted;
		sp->source = SUMMARY_COUNTED;
	} else if (wok && (!w.partial || !rok || r.partial)) {
		bytes = w.bytes;
		sp->source = SUMMARY_WRITERS;
		sp->at_least = w.partial;
	} else if (rok) {
		bytes = r.bytes;
		sp->source = SUMMARY_READERS;
		sp->at_least = r.partial;
	} else if (c->sampled) {
		bytes = c->sampled_bytes;
		sp->source = SUMMARY_SAMPLES;
	}
	if (bytes < 0)
		return;
	sp->bytes = (int64_t)llround(bytes);
	span = summary_span(c, sp, launched, n);
	if (span > 0)
		sp->avg_bps = round((double)sp->bytes / span);
}

/* The stage that writes into p first, for the order along the pipeline. */
static int
summary_pipe_rank(const struct summary *sum, const struct summary_pipe *p)
{
	int best = -1;

	for (size_t i = 0; i < p->nwriters; i++) {
		for (size_t j = 0; j < sum->nstages; j++) {
			const struct summary_stage *st = &sum->stages[j];

			if (st->pid == p->writers[i] && st->stage >= 0 &&
			    (best < 0 || st->stage < best))
				best = st->stage;
		}
	}
	return best < 0 ? 1 << 30 : best;
}

struct summary *
summary_build(const struct history *h, const struct summary_stage *launched,
    size_t n)
{
	struct summary *sum = summary_create();
	int *rank;

	if (launched != NULL && n > 0) {
		for (size_t i = 0; i < n; i++) {
			struct summary_stage *st = summary_add_stage(sum);

			*st = launched[i];
			st->cpu_s = summary_ms(st->cpu_s);
			st->wall_s = summary_ms(st->wall_s);
		}
	} else
		summary_observed(sum, h);
	for (size_t i = 0; i < history_nchans(h); i++) {
		const struct history_chan *c = history_chan_at(h, i);

		if (c->kind != SNAP_FD_PIPE && c->kind != SNAP_FD_FIFO)
			continue;
		summary_pipe_of(summary_add_pipe(sum), h, c, launched, n);
		if (summary_pipe_unknowable(&sum->pipes[sum->npipes - 1],
		    launched, n))
			sum->npipes--;
	}
	/* Along the pipeline: by the stage that writes each, stably. */
	rank = xcalloc(sum->npipes + 1, sizeof *rank);
	for (size_t i = 0; i < sum->npipes; i++)
		rank[i] = summary_pipe_rank(sum, &sum->pipes[i]);
	for (size_t i = 1; i < sum->npipes; i++) {
		for (size_t j = i; j > 0 && rank[j - 1] > rank[j]; j--) {
			struct summary_pipe tmp = sum->pipes[j];
			int tr = rank[j];

			sum->pipes[j] = sum->pipes[j - 1];
			sum->pipes[j - 1] = tmp;
			rank[j] = rank[j - 1];
			rank[j - 1] = tr;
		}
	}
	free(rank);
	return sum;
}
