/*
 * loop-history.c - the run's history and its end summary, for the loop:
 * each judged sample goes into the history (the live view's timeline);
 * at the end the launcher's figures for each stage (wait4's rusage, fork
 * and reap times) and the history make the summary that the trace's end
 * record, the last --text frame and the live view show.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pipeviz/history.h"
#include "pipeviz/render.h"
#include "pipeviz/summary.h"
#include "pipeviz/util.h"
#include "loop-internal.h"

/*
 * Seconds since boot, the clock /proc's start times count in: with it a
 * process's start is a time of the session.
 */
static double
loop_boot_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_BOOTTIME, &ts) == -1)
		return -1;
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void
loop_history_start(struct loop *l)
{
	double boot = loop_boot_now();

	/* The session's t = 0 on the boot clock. */
	if (boot >= 0)
		boot -= util_now() - l->t0;
	l->history = history_create(l->hz, boot);
}

void
loop_history_sample(struct loop *l, const struct snapshot *s)
{
	history_add(l->history, s);
}

/* A launched stage as time(1) would report it. */
static void
loop_stage_summary(const struct loop *l, size_t i, struct summary_stage *ss)
{
	const struct launch_stage *st = launch_stage(l->cfg->launch, i);
	const struct snap_proc *last = l->stage_last[i] != NULL ?
	    &l->stage_last[i]->procs[0] : NULL;
	const struct history_proc *r = last != NULL ?
	    history_find_proc(l->history, last->pid, last->start_ticks) : NULL;
	double end = st->exit.exited ? st->reaped_at : util_now();

	ss->stage = (int)i;
	ss->pid = st->pid;
	snprintf(ss->comm, sizeof ss->comm, "%s", last != NULL ?
	    snapshot_proc_name(last) : l->stage_names[i]);
	ss->exit = st->exit;
	ss->running = !st->exit.exited;
	ss->wall_s = end - st->forked_at;
	ss->start_t = st->forked_at - l->t0;
	ss->end_t = st->exit.exited ? st->reaped_at - l->t0 : -1;
	for (int fd = 0; fd < 2; fd++)
		ss->wired[fd] = st->fd[fd].kind == SNAP_FD_PIPE ?
		    st->fd[fd].inode : 0;
	if (st->usage_known) {
		ss->cpu_s = st->cpu_s;
		ss->max_rss_kib = st->max_rss_kib;
	} else {
		/* Not reaped (cannot be, at the end): what was sampled. */
		ss->cpu_s = last != NULL ? (double)last->cpu_ticks / (double)l->hz :
		    -1;
		ss->max_rss_kib = r != NULL ? (int64_t)r->max_rss_kib : -1;
	}
}

struct summary *
loop_summary(const struct loop *l)
{
	struct launch *ln = l->cfg->launch;
	size_t n = ln != NULL ? launch_nstages(ln) : 0;
	struct summary_stage *stages = xcalloc(n + 1, sizeof *stages);
	struct summary *sum;

	for (size_t i = 0; i < n; i++)
		loop_stage_summary(l, i, &stages[i]);
	sum = summary_build(l->history, n > 0 ? stages : NULL, n);
	free(stages);
	return sum;
}

void
loop_summary_text(struct loop *l, const struct summary *sum)
{
	const struct loop_config *c = l->cfg;

	if (c->output != LOOP_OUT_TEXT || l->output_failed || sum == NULL)
		return;
	render_summary(c->out, sum, c->width, c->utf8);
	if (fflush(c->out) == EOF || ferror(c->out))
		loop_output_failed(l);
}

void
loop_history_end(struct loop *l)
{
	summary_free(l->summary);
	l->summary = NULL;
	history_free(l->history);
	l->history = NULL;
}
