/*
 * diag-rank.c - the order of a sample's diagnoses, most urgent first (a
 * one-line view shows the first), judged from the snapshot alone: the
 * kind's rank, then the place along the pipeline, so that the order is
 * the same from sample to sample and whether launched or attached.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pipeviz/util.h"
#include "diagnose-internal.h"

/* Whether blocked writer bw waits on a pipe that bottleneck bn reads. */
static bool
diag_is_symptom(const struct snapshot *s, const struct snap_diag *bw,
    const struct snap_diag *bn)
{
	const struct snap_pipe *pp;

	/* bw names its pipe first, bn names its stage first. */
	if (bw->npipes == 0 || bn->npids == 0 ||
	    (pp = snapshot_find_pipe(s, bw->pipes[0])) == NULL)
		return false;
	return diag_ends_have(pp->readers, pp->nreaders, bn->pids[0]);
}

/*
 * Urgency of d, lower first.  What stops the pipeline comes before what
 * slows it, except that a writer blocked on the bottleneck's input is
 * only its symptom: the bottleneck is the cause and goes first.
 */
static size_t
diag_urgency(const struct snapshot *s, const struct snap_diag *d)
{
	/* A SIGPIPE is mostly normal (yes | head): it goes last. */
	static const char *rank[] = { "exec_failed", "deadlock", "eof_held",
		"stopped", "blocked_writer", "bottleneck", "no_reader",
		"starved_reader", "buffered_output", "sigpipe" };
	const size_t n = sizeof rank / sizeof rank[0];
	size_t r;

	for (r = 0; r < n; r++) {
		if (strcmp(d->kind, rank[r]) == 0)
			break;
	}
	if (strcmp(d->kind, "blocked_writer") != 0)
		return 2 * r;
	for (size_t i = 0; i < s->ndiags; i++) {
		if (strcmp(s->diags[i].kind, "bottleneck") == 0 &&
		    diag_is_symptom(s, d, &s->diags[i]))
			return 2 * (r + 1) + 1; /* right after the bottleneck */
	}
	return 2 * r;
}

const struct snap_diag *
diagnose_top(const struct snapshot *s)
{
	const struct snap_diag *top = NULL;
	size_t best = SIZE_MAX;

	for (size_t i = 0; i < s->ndiags; i++) {
		size_t u = diag_urgency(s, &s->diags[i]);

		if (top == NULL || u < best) {
			top = &s->diags[i];
			best = u;
		}
	}
	return top;
}

struct diag_order {
	size_t urgency, at;
	pid_t first;
};

static int
diag_order_cmp(const void *a, const void *b)
{
	const struct diag_order *x = a, *y = b;

	if (x->urgency != y->urgency)
		return x->urgency < y->urgency ? -1 : 1;
	/* Along the pipeline, which the pids follow as processes are made. */
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return (x->at > y->at) - (x->at < y->at);
}

void
diag_rank(struct snapshot *s)
{
	struct diag_order *o;
	struct snap_diag *sorted;

	if (s->ndiags < 2)
		return;
	o = xcalloc(s->ndiags, sizeof *o);
	/* Urgencies first: a blocked writer's depends on the bottleneck's. */
	for (size_t i = 0; i < s->ndiags; i++) {
		o[i].urgency = diag_urgency(s, &s->diags[i]);
		o[i].at = i;
		o[i].first = s->diags[i].npids > 0 ? s->diags[i].pids[0] : 0;
	}
	qsort(o, s->ndiags, sizeof *o, diag_order_cmp);
	sorted = xcalloc(s->ndiags, sizeof *sorted);
	for (size_t i = 0; i < s->ndiags; i++)
		sorted[i] = s->diags[o[i].at];
	memcpy(s->diags, sorted, s->ndiags * sizeof *sorted);
	free(sorted);
	free(o);
}
