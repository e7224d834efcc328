/*
 * loop-exact.c - --exact for the loop: the kernel's byte counts (the BPF
 * backend, probe-exact.h) onto each sample's channels, and the attached
 * processes handed to it to observe.
 */
#include <stdio.h>

#include "pipeviz/exact.h"
#include "pipeviz/probe-exact.h"
#include "pipeviz/trace.h"
#include "loop-internal.h"

void
loop_exact_observe(struct loop *l, const pid_t *pids, size_t n)
{
	if (l->cfg->exact == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		(void)probe_exact_observe(l->cfg->exact, pids[i], true);
}

void
loop_exact_sample(struct loop *l, struct snapshot *s)
{
	const struct loop_config *c = l->cfg;
	const struct exact_count *counts;
	uint64_t lost;
	size_t n;

	if (c->exact == NULL)
		return;
	const struct exact_wait *waits;
	size_t nw;

	n = probe_exact_read(c->exact, &counts, &lost);
	nw = probe_exact_waits(c->exact, &waits);
	exact_apply(s, l->prev, counts, n);
	exact_apply_sleeps(s, counts, n, waits, nw, l->t0);
	if (lost > 0 && !l->exact_lost_said) {
		l->exact_lost_said = true;
		if (c->trace != NULL && !l->output_failed &&
		    trace_write_note(c->trace, s->t, "exact_lost", "--exact: "
		    "the kernel's table of channels is full; bytes through "
		    "channels first used since are not counted") == -1)
			loop_output_failed(l);
	}
}
