/* rates.c - per-process CPU share and I/O rates from successive samples. */
#include "pipeviz/rates.h"

#include <math.h>

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
		if (p->io_known && q->io_known) {
			p->read_bps = round(rates_per_second(q->rchar, p->rchar, dt));
			p->write_bps = round(rates_per_second(q->wchar, p->wchar,
			    dt));
		}
	}
}
