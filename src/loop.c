/* loop.c - sample, derive, output; reap stages as they end. */
#include "pipeviz/loop.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "pipeviz/cmdline.h"
#include "pipeviz/diagnose.h"
#include "pipeviz/discover.h"
#include "pipeviz/exitcode.h"
#include "pipeviz/explain.h"
#include "pipeviz/probe.h"
#include "pipeviz/rates.h"
#include "pipeviz/render.h"
#include "pipeviz/trace.h"
#include "pipeviz/ui.h"
#include "pipeviz/util.h"
#include "loop-internal.h"

/*
 * How often attach mode looks for processes that joined the pipeline: new
 * ones when any process was created, reading only those; all of them (an
 * old process that reopened its fd 0 or 1 onto a pipeline FIFO, or moved
 * into the pipeline's process group) at the longer period.
 */
#define LOOP_REDISCOVER_SECONDS 1.0
#define LOOP_RESCAN_SECONDS 10.0
/*
 * Diagnoses are judged at most this often: nobody reads a status line
 * faster, and at 100 Hz judging every sample took a fifth of pipeviz's
 * time.  Samples in between repeat the last judgement.
 */
#define LOOP_DIAGNOSE_SECONDS 0.1
/* --once: its burst's samples, at most this far apart, and the stuck
 * time they stand for (less than the burst lasts). */
#define LOOP_BURST_MS 100
#define LOOP_BURST_STUCK_SECONDS 0.4
/* When the first sample of a launched pipeline is taken, at the latest. */
#define LOOP_FIRST_SAMPLE_MS 50
/* Orphaned descendants followed at most. */
#define LOOP_MAX_ORPHANS 256
/* Attach: processes known from events added to the discovered, at most. */
#define LOOP_MAX_EVENT_ROOTS 1024



/* The process of prev that is p, by pid and start time, or NULL. */
static struct snap_proc *
loop_same_proc(struct snapshot *prev, size_t i, const struct snap_proc *p)
{
	struct snap_proc *q = i < prev->nprocs && prev->procs[i].pid == p->pid ?
	    &prev->procs[i] : snapshot_find_proc(prev, p->pid);

	return q != NULL && q->start_ticks == p->start_ticks ? q : NULL;
}

/* Whether s shows the very processes prev did, none of them newly exited. */
static bool
loop_same_procs(struct snapshot *prev, const struct snapshot *s)
{
	if (s->nprocs != prev->nprocs)
		return false;
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *q = loop_same_proc(prev, i, &s->procs[i]);

		if (q == NULL || q->exit.exited != s->procs[i].exit.exited)
			return false;
	}
	return true;
}

/*
 * Judge s (its diagnoses, and what each process does in words), or repeat
 * the judgement of the previous sample if that is less than
 * LOOP_DIAGNOSE_SECONDS old and shows the same processes, none of them
 * newly exited.
 */
static void
loop_diagnose(struct loop *l, struct snapshot *s)
{
	struct snapshot *prev = l->prev;

	/* Up to half an interval early, or 30 ms samples would wait 120. */
	if (prev == NULL || s->t - l->diagnosed_at >=
	    LOOP_DIAGNOSE_SECONDS - l->interval_ms / 2000.0 ||
	    !loop_same_procs(prev, s)) {
		diagnose_sample(l->diag, s);
		/* A burst's samples are judged for their history, never shown. */
		for (size_t i = 0; l->burst_left == 0 && i < s->nprocs; i++) {
			free(s->procs[i].explain);
			s->procs[i].explain = explain_proc(s, &s->procs[i]);
		}
		l->diagnosed_at = s->t;
		return;
	}
	for (size_t i = 0; i < prev->ndiags; i++) {
		const struct snap_diag *d = &prev->diags[i];

		snapshot_add_diag(s, d->kind, d->pids, d->npids, d->pipes,
		    d->npipes, d->message);
	}
	/*
	 * The sentences are taken, not copied: prev is freed after this
	 * sample is written, and a sentence that is NULL is worked out anew.
	 */
	for (size_t i = 0; i < s->nprocs; i++) {
		struct snap_proc *p = &s->procs[i];
		struct snap_proc *q = loop_same_proc(prev, i, p);

		free(p->explain);
		p->explain = q->explain;
		q->explain = NULL;
		p->stuck = q->stuck;
	}
}

/*
 * Attach mode: the pipeline's processes again, if anything can have
 * joined.  A process created just before a scan may not have set up its
 * fds 0 and 1 yet (the shell redirects between fork and exec), so a new
 * pid is scanned for at two checks in a row.
 */
static size_t
loop_socket_peers(const uint64_t *inodes, size_t n, uint64_t *peers,
    size_t max, void *probe)
{
	return probe_socket_peers(probe, inodes, n, peers, max);
}

/* A member's fd table, read once for discovery and the first sample. */
static const struct snap_proc *
loop_member_table(pid_t pid, void *probe)
{
	return probe_prefetch_table(probe, pid);
}

static void
loop_discover(struct loop *l, double t)
{
	/* Read before the scan: what is created during it is seen next time. */
	long last_pid = loop_events_on(l) ? 0 : discover_last_pid();
	bool created, rescan;

	/*
	 * With process events a fork tells that something was created, and
	 * the observed processes' own children are known from them: no
	 * scan at all while nothing forks, not even the periodic one.
	 */
	if (loop_events_on(l)) {
		created = loop_events_created(l) || l->discover == NULL;
		l->created_since_scan |= created;
		rescan = l->created_since_scan &&
		    t - l->scanned_at >= LOOP_RESCAN_SECONDS;
	} else {
		created = last_pid == -1 || last_pid != l->last_pid;
		rescan = t - l->scanned_at >= LOOP_RESCAN_SECONDS;
	}
	l->discovered_at = t;
	l->last_pid = last_pid;
	if (!created && !l->created_before && !rescan)
		return;
	l->created_before = created;
	if (rescan)
		l->created_since_scan = false;
	if (l->discover == NULL) {
		l->discover = discover_create();
		discover_set_peers(l->discover, loop_socket_peers, l->probe);
		discover_set_tables(l->discover, loop_member_table, l->probe);
	}
	/* New pids are read at every scan, every process at a rescan. */
	if (rescan) {
		discover_forget(l->discover);
		l->scanned_at = t;
	}
	free(l->roots);
	l->nroots = discover_pipeline(l->discover, l->cfg->attach_pid,
	    getpid(), &l->roots);
	l->nroots_found = l->nroots;
}

/*
 * Attach: the discovered members and the observed processes events
 * brought in (a member's child that was reparented elsewhere stays).
 */
static void
loop_attach_roots(struct loop *l)
{
	size_t n;

	if (!loop_events_on(l))
		return;
	l->roots = xreallocarray(l->roots, l->nroots_found + LOOP_MAX_EVENT_ROOTS,
	    sizeof *l->roots);
	n = loop_events_live(l, l->roots + l->nroots_found, LOOP_MAX_EVENT_ROOTS);
	l->nroots = l->nroots_found + n;
}

static struct snapshot *
loop_sample(struct loop *l)
{
	struct launch *ln = l->cfg->launch;
	/* Milliseconds, as the trace keeps them. */
	struct snapshot *s = snapshot_create(round(loop_elapsed(l) * 1000) / 1000);

	if (ln != NULL) {
		size_t n = launch_nstages(ln), nlive = 0;
		pid_t *live = xcalloc(n + LOOP_MAX_ORPHANS, sizeof *live);

		/* Exited stages first, so the probe does not add them twice. */
		for (size_t i = 0; i < n; i++) {
			const struct launch_stage *st = launch_stage(ln, i);

			if (st->exit.exited && l->stage_last[i] != NULL)
				snapshot_copy_proc(s, &l->stage_last[i]->procs[0]);
			else if (!st->exit.exited)
				live[nlive++] = st->pid;
		}
		/*
		 * Background processes a stage left behind stay in view.  Only
		 * a death orphans one, so the list (a read of pipeviz's own
		 * children, 10% of a sample at 100 Hz) is read again after one:
		 * a stage reaped, a process gone from the last sample, or a
		 * process created (one that forks and exits between two samples
		 * is never seen to die).
		 */
		long last_pid = discover_last_pid();

		if (l->orphans == NULL || l->orphans_stale ||
		    probe_lost(l->probe) || last_pid != l->orphans_pid ||
		    last_pid == -1 ||
		    s->t - l->orphans_at >= LOOP_REDISCOVER_SECONDS) {
			l->orphans_pid = last_pid;
			if (l->orphans == NULL)
				l->orphans = xcalloc(LOOP_MAX_ORPHANS,
				    sizeof *l->orphans);
			l->norphans = launch_orphans(ln, l->orphans,
			    LOOP_MAX_ORPHANS);
			l->orphans_at = s->t;
			l->orphans_stale = false;
		}
		memcpy(live + nlive, l->orphans, l->norphans * sizeof *live);
		nlive += l->norphans;
		probe_sample(l->probe, s, live, nlive);
		free(live);
		loop_tag_stages(l, s);
		for (size_t i = 0; i < s->nprocs; i++) {
			struct snap_proc *p = &s->procs[i];
			int stage = launch_stage_index(ln, p->pid);

			if (stage >= 0 && !p->exit.exited)
				loop_remember_stage(l, (size_t)stage, p);
		}
	} else {
		if (s->t - l->discovered_at >= LOOP_REDISCOVER_SECONDS ||
		    l->events_resync)
			loop_discover(l, s->t);
		loop_attach_roots(l);
		loop_exact_observe(l, l->roots, l->nroots);
		probe_sample(l->probe, s, l->roots, l->nroots);
		/* The last processes seen name the pipeline after they end. */
		if (s->nprocs > 0) {
			free(l->title);
			l->title = cmdline_pipeline(s);
		}
	}
	/* What the sample shows is observed from now (and was seen). */
	loop_events_saw(l, s);
	/* After probe_sample(), whose linking rebuilds the pipe list. */
	if (l->peek > 0)
		probe_read_peek(s, l->peek);
	rates_apply(l->prev, s, l->hz);
	rates_apply_pipes(l->prev, s);
	loop_exact_sample(l, s);
	loop_diagnose(l, s);
	loop_history_sample(l, s);
	return s;
}

/* Handle pending signals; returns true when the screen needs a redraw. */
static bool
loop_signals(struct loop *l)
{
	struct signalfd_siginfo si;
	bool redraw = false;

	while (read(l->cfg->sigfd, &si, sizeof si) == sizeof si) {
		switch (si.ssi_signo) {
		case SIGINT:
		case SIGTERM:
		case SIGHUP:
			l->stop_signal = (int)si.ssi_signo;
			break;
		case SIGWINCH:
			if (l->cfg->ui != NULL)
				ui_resize(l->cfg->ui);
			redraw = true;
			break;
		default:
			break; /* SIGCHLD: loop_reap() looks every turn */
		}
	}
	return redraw;
}

static bool
loop_finished(const struct loop *l, const struct snapshot *s)
{
	if (l->cfg->launch != NULL)
		return launch_done(l->cfg->launch);
	return s != NULL && s->nprocs == 0;
}

/* Move captured bytes into the replay file and the pane; false at EOF. */
static bool
loop_capture(struct loop *l, int fd, int tag)
{
	char buf[65536];
	ssize_t n;
	bool out = tag < 0;

	while ((n = read(fd, buf, sizeof buf)) > 0) {
		int keep = out ? l->cfg->capture_out_fd : l->cfg->capture_err_fd;

		if (keep >= 0 && write(keep, buf, (size_t)n) != n)
			fatal("cannot keep the captured output");
		textlog_append(out ? &l->out_log : &l->err_log, tag, buf,
		    (size_t)n);
	}
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		launch_close_fd(l->cfg->launch, fd);
		textlog_flush(out ? &l->out_log : &l->err_log);
		return false;
	}
	return true;
}

/* The fds to wait on: signals, keys, captured output, process events (when
 * their socket is left alone for a moment, *timeout is cut to that moment). */
static nfds_t
loop_pollfds(const struct loop *l, struct pollfd *pfd, int *tags, size_t max,
    int *timeout)
{
	const struct loop_config *c = l->cfg;
	nfds_t n = 0;
	int events = loop_events_fd(l, timeout);

	pfd[n].fd = c->sigfd;
	tags[n++] = -2;
	if (events >= 0) {
		pfd[n].fd = events;
		tags[n++] = -4;
	}
	if (c->ui != NULL) {
		pfd[n].fd = ui_input_fd(c->ui);
		tags[n++] = -3;
	}
	if (c->launch != NULL) {
		if (launch_output_fd(c->launch) >= 0) {
			pfd[n].fd = launch_output_fd(c->launch);
			tags[n++] = -1;
		}
		for (size_t i = 0; i < launch_nstages(c->launch) && n < max; i++) {
			if (launch_stderr_fd(c->launch, i) >= 0) {
				pfd[n].fd = launch_stderr_fd(c->launch, i);
				tags[n++] = (int)i;
			}
		}
	}
	for (nfds_t i = 0; i < n; i++)
		pfd[i].events = POLLIN;
	return n;
}

/*
 * What pipeviz exits with for a pipeline that ended with status: 127 or
 * 126 when a stage's command was not found or could not be run
 * (exitcode.h); the trace's end record keeps sh's status.
 */
static int
loop_exit_status(const struct launch *ln, int status)
{
	size_t n = ln != NULL ? launch_nstages(ln) : 0;
	struct snap_exit *exits;

	if (n == 0)
		return status;
	exits = xcalloc(n, sizeof *exits);
	for (size_t i = 0; i < n; i++)
		exits[i] = launch_stage(ln, i)->exit;
	status = exitcode_pipeline(status, exits, n);
	free(exits);
	return status;
}

int
loop_run(const struct loop_config *c)
{
	struct loop l = { 0 };
	struct pollfd pfd[64];
	int tags[64];
	double next, thaw_at = 0;
	int status = 0;
	bool redraw = false;

	l.cfg = c;
	l.probe = probe_create();
	probe_set_interval(l.probe, c->interval_ms);
	l.diag = diagnose_create();
	l.burst_left = c->burst;
	/* A burst's half second stands for the stuck time of a longer look. */
	if (c->burst > 0) {
		diagnose_set_stuck(l.diag, LOOP_BURST_STUCK_SECONDS);
		probe_set_one_shot(l.probe);
	}
	l.t0 = util_now();
	l.hz = sysconf(_SC_CLK_TCK);
	l.interval_ms = c->interval_ms;
	l.discovered_at = -LOOP_REDISCOVER_SECONDS;
	l.last_pid = -1;
	l.peek = c->peek;
	l.stage_names = loop_names(c->launch);
	textlog_init(&l.out_log, 2000);
	textlog_init(&l.err_log, 2000);
	if (c->launch != NULL)
		l.stage_last = xcalloc(launch_nstages(c->launch) + 1,
		    sizeof *l.stage_last);
	loop_history_start(&l);
	if (c->trace != NULL) {
		struct trace_start st = { c->mode, c->command, c->interval_ms,
			l.stage_names, c->launch != NULL ?
			launch_nstages(c->launch) : 0, loop_output_pipe(&l) };

		if (trace_write_start(c->trace, &st) == -1)
			loop_output_failed(&l);
	}
	loop_events_start(&l);
	if (c->step && c->launch != NULL)
		loop_step_start(&l);
	/*
	 * Give launched stages a moment to exec before the first look (they
	 * are still copies of pipeviz, then sh, for a millisecond or so);
	 * --once waits a whole interval, so the sample shows work under way.
	 */
	next = 0;
	/* --step: the first frame at once, of the frozen pipeline. */
	if (c->launch != NULL && !c->step)
		next = c->count > 0 || c->interval_ms < LOOP_FIRST_SAMPLE_MS ?
		    c->interval_ms / 1000.0 : LOOP_FIRST_SAMPLE_MS / 1000.0;
	for (;;) {
		double now = loop_elapsed(&l);
		bool sampling = !l.over && !l.paused && !l.step_wait &&
		    (c->count == 0 || l.samples < c->count);
		nfds_t npfd;
		int timeout; /* microseconds, -1 none */

		/* Events first: a stage's exec is read before its reaping. */
		loop_events_drain(&l);
		loop_reap(&l);
		redraw |= loop_signals(&l);
		if (l.stop_signal != 0 || l.quit)
			break;
		/* Before a sample: one taken late must not see the freeze. */
		if (thaw_at > 0 && loop_elapsed(&l) >= thaw_at) {
			if (c->step)
				loop_step_run(&l);
			else
				loop_thaw(&l);
			thaw_at = 0;
		}
		if (sampling && now >= next && l.burst_left > 0) {
			/* Judged, not shown: the record comes after the burst. */
			struct snapshot *s = loop_sample(&l);

			snapshot_free(l.prev);
			l.prev = s;
			l.burst_left--;
			next = now + (l.interval_ms < LOOP_BURST_MS ?
			    l.interval_ms : LOOP_BURST_MS) / 1000.0;
		} else if (sampling && now >= next) {
			struct snapshot *s;

			/* --step: every sample is of the frozen pipeline. */
			if (c->step && !launch_done(c->launch))
				loop_step_freeze(&l);
			s = loop_sample(&l);

			loop_emit(&l, s);
			l.samples++;
			snapshot_free(l.prev);
			l.prev = s;
			redraw = true;
			next += l.interval_ms / 1000.0;
			if (next < now) /* fell behind: do not burst */
				next = now + l.interval_ms / 1000.0;
			/*
			 * --step: the live view waits for n; the other outputs
			 * let it run one interval (after --slow's hold).
			 */
			if (c->step && !launch_done(c->launch)) {
				loop_step_sampled(&l);
				if (c->ui == NULL && c->slow_ms > 0) {
					thaw_at = now + c->slow_ms / 1000.0;
					next = thaw_at + l.interval_ms / 1000.0;
				} else if (c->ui == NULL) {
					loop_step_run(&l);
					next = loop_elapsed(&l) + l.interval_ms / 1000.0;
				}
			/* Slow motion: freeze the pipeline while the frame shows. */
			} else if (c->slow_ms > 0 && c->launch != NULL &&
			    !launch_done(c->launch)) {
				loop_freeze(&l, s);
				thaw_at = now + c->slow_ms / 1000.0;
				next = thaw_at + l.interval_ms / 1000.0;
			}
		}
		if (!l.over && loop_finished(&l, l.prev)) {
			l.over = true;
			l.ended_at = loop_elapsed(&l);
			/* What was said before the end is stale now. */
			if (c->ui != NULL)
				ui_note(c->ui, "");
			if (c->launch != NULL) {
				/* The last frame shows every stage with its exit. */
				status = launch_status(c->launch);
				if (c->count == 0 || l.samples < c->count) {
					struct snapshot *s = loop_sample(&l);

					loop_emit(&l, s);
					snapshot_free(l.prev);
					l.prev = s;
				}
			}
			l.summary = loop_summary(&l);
			redraw = true;
			if (c->ui == NULL || c->exit_at_end)
				break;
		}
		/* The count is reached: stop, and end a launched pipeline. */
		if (c->count > 0 && l.samples >= c->count && !l.over)
			break;
		if (l.output_failed) {
			l.stop_signal = SIGPIPE;
			break;
		}
		if (redraw) {
			loop_draw(&l, l.prev, status);
			redraw = false;
		}
		now = loop_elapsed(&l);
		timeout = -1;
		if (sampling) {
			double at = thaw_at > 0 ? thaw_at : next;

			/*
			 * To the microsecond: woken early by an event, a
			 * timeout rounded up to the millisecond would make the
			 * sample late by up to one.
			 */
			timeout = at > now ? (int)((at - now) * 1e6) : 0;
		} else if (c->launch != NULL && !l.over)
			timeout = 100000; /* still reaping */
		npfd = loop_pollfds(&l, pfd, tags, 64, &timeout);
		if (ppoll(pfd, npfd, timeout < 0 ? NULL : &(struct timespec){
		    timeout / 1000000, (timeout % 1000000) * 1000L }, NULL) == -1 &&
		    errno != EINTR)
			fatal("poll");
		for (nfds_t i = 0; i < npfd; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (tags[i] == -4)
				loop_events_drain(&l);
			else if (tags[i] == -3) {
				loop_key(&l, l.prev);
				redraw = true;
			} else if (tags[i] >= -1) {
				loop_capture(&l, pfd[i].fd, tags[i]);
				redraw |= c->ui != NULL;
			}
		}
		/* n: one interval of running, then the next frozen sample. */
		if (l.step_request) {
			l.step_request = false;
			loop_step_run(&l);
			next = loop_elapsed(&l) + l.interval_ms / 1000.0;
		}
	}

	if (c->launch != NULL && !l.over) {
		loop_terminate(&l);
		/*
		 * Ended by the user (q, a signal): the pipeline's status.  Ended
		 * because the samples asked for (-n, --once) were taken: done
		 * as asked, 0.
		 */
		status = l.quit || l.stop_signal != 0 ? launch_status(c->launch) : 0;
		if (l.stop_signal != SIGPIPE && (c->count == 0 ||
		    l.samples < c->count)) {
			struct snapshot *s = loop_sample(&l);

			loop_emit(&l, s);
			snapshot_free(s);
		}
	}
	/* What the stages wrote last, before they ended. */
	if (c->launch != NULL) {
		for (size_t i = 0; i < launch_nstages(c->launch); i++) {
			if (launch_stderr_fd(c->launch, i) >= 0)
				loop_capture(&l, launch_stderr_fd(c->launch, i), (int)i);
		}
		if (launch_output_fd(c->launch) >= 0)
			loop_capture(&l, launch_output_fd(c->launch), -1);
	}
	loop_events_stop(&l);
	/* The summary after the last --text frame, and in the end record. */
	if (l.summary == NULL)
		l.summary = loop_summary(&l);
	if (l.stop_signal != SIGPIPE)
		loop_summary_text(&l, l.summary);
	if (c->trace != NULL && !l.output_failed &&
	    trace_write_end(c->trace, loop_elapsed(&l), status, l.stop_signal,
	    l.summary) == -1)
		loop_output_failed(&l);
	loop_history_end(&l);
	trace_release();
	discover_free(l.discover);
	free(l.orphans);
	free(l.frozen);

	snapshot_free(l.prev);
	if (l.stage_last != NULL) {
		for (size_t i = 0; i < launch_nstages(c->launch); i++)
			snapshot_free(l.stage_last[i]);
		free(l.stage_last);
	}
	for (char **n = l.stage_names; *n != NULL; n++)
		free(*n);
	free(l.stage_names);
	textlog_clear(&l.out_log);
	textlog_clear(&l.err_log);
	free(l.roots);
	free(l.title);
	diagnose_free(l.diag);
	probe_free(l.probe);
	/* The frames or the trace could not be written: pipeviz failed. */
	if (l.stop_signal == SIGPIPE || l.output_failed)
		return EXITCODE_FAILED;
	if (l.stop_signal != 0)
		return 128 + l.stop_signal;
	return loop_exit_status(c->launch, status);
}
