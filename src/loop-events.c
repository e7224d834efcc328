/*
 * loop-events.c - process events for the loop: every observed process's
 * life, not only what the samples catch.
 *
 * The connector's socket (opened by main() before anything is launched,
 * so that no fork of a stage comes before it) is drained at every turn of
 * the loop and whenever it is readable; the events go to proclife, which
 * says whose /proc to read at once (a new process's start time and name
 * at its fork, its command line at its exec) and hands back each
 * observed process that ended, written to the trace as a "process"
 * record.  Without the connector (refused, or PIPEVIZ_NO_EVENTS set) the
 * loop samples as before and says so once; when events were lost (the
 * socket overflowed) the records are resynchronised from /proc and that
 * is said once too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipeviz/history.h"
#include "pipeviz/probe-events.h"
#include "pipeviz/proclife.h"
#include "pipeviz/trace.h"
#include "pipeviz/ui.h"
#include "pipeviz/util.h"
#include "loop-internal.h"

/* Reads of the socket per drain at most, so that a fork storm cannot keep
 * the loop from sampling (the rest is read at the next turn). */
#define LOOP_EVENTS_READS 16
/*
 * Under churn (events again within this long of the last), the socket is
 * not waited on for this long after a drain: with xargs -P4 true, a
 * thousand processes a second, a wake-up per event batch and a read of
 * each process's /proc at its fork and again at its exec cost more than
 * all the sampling (17 % of a core; 12 % with this).  Its exec then
 * comes in the same batch, one read; the price is the command line of a
 * process that lives less than that (read after it is gone: `true`).
 * Events that come seldom are read at once, as before.  A stage's exit
 * wakes the loop anyway, through SIGCHLD.
 */
#define LOOP_EVENTS_BATCH 0.002

static void
loop_events_note(struct loop *l, const char *kind, const char *message)
{
	const struct loop_config *c = l->cfg;

	if (c->trace != NULL && !l->output_failed &&
	    trace_write_note(c->trace, loop_elapsed(l), kind, message) == -1)
		loop_output_failed(l);
	/* Frames and stderr stay as they were: the title has a word for it. */
	if (c->ui != NULL)
		ui_note(c->ui, message);
}

void
loop_events_start(struct loop *l)
{
	const struct loop_config *c = l->cfg;
	int err = c->events_errno;
	char msg[200];

	l->events = c->events;
	/* Attached from --all's list: nobody opened it before. */
	if (l->events == NULL && !c->events_off && err == 0)
		l->events = probe_events_open(c->events_rcvbuf, &err);
	if (l->events == NULL) {
		snprintf(msg, sizeof msg, "process events %s: sampling only "
		    "(processes that live less than an interval may be missed)",
		    c->events_off ? "are turned off (PIPEVIZ_NO_EVENTS)" :
		    err == EPERM || err == EACCES ?
		    "need CAP_NET_ADMIN on this kernel" :
		    err == ETIMEDOUT ? "got no answer from the kernel" :
		    "are not available");
		if (!c->events_off && err != EPERM && err != EACCES &&
		    err != ETIMEDOUT) {
			size_t len = strlen(msg);

			snprintf(msg + len, sizeof msg - len, " (%s)",
			    strerror(err));
		}
		l->events_word = "sampling only";
		loop_events_note(l, "events_unavailable", msg);
		return;
	}
	l->life = proclife_create(l->t0);
	if (c->launch != NULL) {
		for (size_t i = 0; i < launch_nstages(c->launch); i++)
			proclife_track(l->life, launch_stage(c->launch, i)->pid,
			    getpid(), (int)i, true);
	} else if (c->attach_pid > 0)
		proclife_track(l->life, c->attach_pid, 0, -1, false);
	l->stage_evented = xcalloc(c->launch != NULL ?
	    launch_nstages(c->launch) + 1 : 1, sizeof *l->stage_evented);
}

bool
loop_events_on(const struct loop *l)
{
	return l->life != NULL;
}

int
loop_events_fd(const struct loop *l, int *wait_us)
{
	double quiet;

	if (l->life == NULL)
		return -1;
	quiet = l->events_quiet_until - loop_elapsed(l);
	if (quiet <= 0)
		return probe_events_fd(l->events);
	if (*wait_us < 0 || *wait_us > (int)(quiet * 1e6) + 1)
		*wait_us = (int)(quiet * 1e6) + 1;
	return -1;
}

/* A launched stage's exec, for a stage no sample has seen yet. */
static void
loop_events_stage(struct loop *l, const struct proclife_rec *rec,
    const struct snap_proc *p)
{
	size_t i = (size_t)rec->stage;

	if (l->cfg->launch == NULL || rec->stage < 0 ||
	    i >= launch_nstages(l->cfg->launch) ||
	    launch_stage(l->cfg->launch, i)->exit.exited ||
	    (l->stage_last[i] != NULL && !l->stage_evented[i]))
		return;
	{
		struct snap_proc q = *p;

		q.stage = rec->stage;
		loop_remember_stage(l, i, &q);
	}
	l->stage_evented[i] = true;
}

/* Read what the events left to read, while the processes still exist. */
static void
loop_events_read_new(struct loop *l)
{
	struct proclife_rec *rec;
	bool argv;

	while ((rec = proclife_next_unread(l->life, &argv)) != NULL) {
		struct snapshot *tmp = snapshot_create(0);
		struct snap_proc *p = snapshot_add_proc(tmp, rec->pid);

		if (probe_events_read_proc(l->events, p, argv) == 0) {
			proclife_learn(l->life, rec, p);
			if (rec->is_stage && argv)
				loop_events_stage(l, rec, p);
		}
		snapshot_free(tmp);
	}
}

/*
 * A sampled process's counters from its zombie, if its parent has not
 * reaped it yet: what it moved after its last sample then counts in the
 * summary (a launched stage's are read at its reaping).  A zombie that
 * still has threads has not moved its last byte, and a pid given out
 * again has another start time.
 */
static void
loop_events_final_counters(struct loop *l, const struct proclife_rec *rec)
{
	struct snapshot *tmp;
	struct snap_proc *p;

	if (l->history == NULL || rec->is_stage || !rec->sampled ||
	    rec->start_ticks == 0)
		return;
	tmp = snapshot_create(0);
	p = snapshot_add_proc(tmp, rec->pid);
	if (probe_read_io(l->probe, p) == 0 && p->state == 'Z' &&
	    p->nthreads <= 1 && p->start_ticks == rec->start_ticks)
		history_final_counters(l->history, p->pid, p->start_ticks,
		    p->rchar, p->wchar);
	snapshot_free(tmp);
}

/* Hand the ended ones to the trace. */
static void
loop_events_ended(struct loop *l)
{
	const struct loop_config *c = l->cfg;
	struct proclife_rec *rec;

	while ((rec = proclife_take_ended(l->life)) != NULL) {
		loop_events_final_counters(l, rec);
		/* A launched stage has its exit record, from its reaping. */
		if (!rec->is_stage && c->trace != NULL && !l->output_failed &&
		    trace_write_process(c->trace, rec) == -1)
			loop_output_failed(l);
		if (!rec->is_stage)
			l->events_ended++;
		/* The timeline's count of what no sample showed. */
		if (!rec->is_stage && !rec->sampled && l->history != NULL)
			history_add_brief(l->history, rec->stage, rec->began,
			    rec->ended);
		proclife_rec_free(rec);
	}
}

static bool
loop_events_alive(pid_t pid, uint64_t start, void *arg)
{
	struct loop *l = arg;
	struct snapshot *tmp = snapshot_create(0);
	struct snap_proc *p = snapshot_add_proc(tmp, pid);
	bool alive = probe_events_read_proc(l->events, p, false) == 0 &&
	    (start == 0 || p->start_ticks == start) && p->state != 'Z' &&
	    p->state != 'X';

	snapshot_free(tmp);
	return alive;
}

void
loop_events_drain(struct loop *l)
{
	const struct procevent *ev;
	bool lost = false;
	double now;

	if (l->life == NULL)
		return;
	for (int i = 0; i < LOOP_EVENTS_READS; i++) {
		bool lost_now;
		long n = probe_events_read(l->events, &ev, &lost_now);

		lost |= lost_now;
		if (n <= 0)
			break;
		now = loop_elapsed(l);
		if (now - l->events_last_read < LOOP_EVENTS_BATCH)
			l->events_quiet_until = now + LOOP_EVENTS_BATCH;
		l->events_last_read = now;
		proclife_apply(l->life, ev, (size_t)n);
		/* At once: a process may be gone by the next batch. */
		loop_events_read_new(l);
		loop_events_ended(l);
	}
	if (lost) {
		/*
		 * What was missed is in /proc, as far as it still exists:
		 * records of processes gone meanwhile end (status unknown),
		 * and the next sample and discovery bring in the new ones.
		 */
		proclife_resync(l->life, loop_elapsed(l), loop_events_alive, l);
		l->events_resync = true;
		l->events_word = "events lost";
		if (!l->events_lost_said)
			loop_events_note(l, "events_lost", "process events were "
			    "lost (the kernel's queue overflowed): what they "
			    "missed is read from /proc, and processes that "
			    "came and went meanwhile may be missing");
		l->events_lost_said = true;
	}
	loop_events_ended(l);
}

void
loop_events_saw(struct loop *l, const struct snapshot *s)
{
	if (l->life == NULL)
		return;
	proclife_saw(l->life, s);
	loop_events_ended(l);
}

size_t
loop_events_live(const struct loop *l, pid_t *out, size_t max)
{
	return l->life != NULL ? proclife_live(l->life, out, max) : 0;
}

bool
loop_events_created(struct loop *l)
{
	bool resync = l->events_resync;

	l->events_resync = false;
	return proclife_created(l->life) || resync;
}

void
loop_events_stop(struct loop *l)
{
	/* The last exits, before the end record. */
	loop_events_drain(l);
	if (l->life != NULL)
		proclife_stats(l->life, &l->events_stats);
	proclife_free(l->life);
	l->life = NULL;
	/* One the loop opened itself; main() closes its own. */
	if (l->events != l->cfg->events)
		probe_events_close(l->events);
	l->events = NULL;
	free(l->stage_evented);
	l->stage_evented = NULL;
}
