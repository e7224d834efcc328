/*
 * diag-rank.c - which diagnosis a one-line view shows: the most urgent,
 * judged from the snapshot alone.
 */
#include <stdint.h>
#include <string.h>

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
	/*
	 * buffered_output is not listed, so it ranks with unknown kinds,
	 * after sigpipe; whether that is meant is for a later change.
	 */
	static const char *rank[] = { "exec_failed", "deadlock", "eof_held",
		"stopped", "blocked_writer", "bottleneck", "no_reader",
		"starved_reader", "sigpipe" };
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
