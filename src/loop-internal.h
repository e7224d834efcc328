/*
 * loop-internal.h - the loop's state, shared by the loop files, which call
 * each other in one direction only, top to bottom:
 *   loop.c         the poll loop: samples, signals, keys, the end
 *   loop-view.c    the live view: frames and the actions of its keys
 *   loop-stages.c  launched stages: wiring, exits, reaping, slow motion
 *   loop-output.c  trace records, text and DOT frames
 */
#ifndef PIPEVIZ_LOOP_INTERNAL_H
#define PIPEVIZ_LOOP_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "pipeviz/diagnose.h"
#include "pipeviz/discover.h"
#include "pipeviz/history.h"
#include "pipeviz/loop.h"
#include "pipeviz/probe.h"
#include "pipeviz/proclife.h"
#include "pipeviz/snapshot.h"
#include "pipeviz/summary.h"
#include "pipeviz/textlog.h"
#include "pipeviz/util.h"

/* How long stages get to exit after SIGTERM before SIGKILL. */
#define LOOP_GRACE_SECONDS 2.0

/* What the p key peeks into each pipe without --peek (as --peek does). */
#define LOOP_PEEK_BYTES 64

struct loop {
	const struct loop_config *cfg;
	struct probe *probe;
	double t0;
	long hz;
	struct snapshot *prev;
	/* Launch: the last view of each stage; exited ones hold the final. */
	struct snapshot **stage_last;
	size_t peek;		/* bytes to peek into each pipe, 0 none (--peek, p) */
	pid_t *frozen;		/* --slow: what loop_freeze() stopped */
	size_t nfrozen;
	pid_t *orphans;		/* launch_orphans() when last read */
	size_t norphans;
	double orphans_at;
	long orphans_pid;	/* discover_last_pid() then */
	bool orphans_stale;	/* a stage was reaped since */
	/* Attach: the discovered members, refreshed now and then. */
	pid_t *roots;
	size_t nroots;
	size_t nroots_found;	/* of them, discovered (the rest from events) */
	bool created_since_scan; /* events: a fork since the last full scan */
	double discovered_at;
	double diagnosed_at;	/* t of the last sample judged afresh */
	struct discover *discover; /* attach: what scans read */
	double scanned_at;	/* the last full scan */
	long last_pid;		/* discover_last_pid() at the last check */
	bool created_before;	/* it had changed at the check before */
	struct diagnose *diag;
	long samples;
	int burst_left;		/* samples of the burst still to take */
	int interval_ms;	/* the live view can change it */
	bool paused;
	bool over;		/* the pipeline has ended */
	double ended_at;	/* loop_elapsed() then: the clock stops */
	bool quit;		/* the user asked to leave */
	int stop_signal;
	bool output_failed;
	/* Captured output for the live view's panes. */
	struct textlog out_log, err_log;
	char **stage_names;
	/* Attached: the pipeline's command line, rebuilt from its argv. */
	char *title;
	struct history *history;	/* every judged sample (loop-history.c) */
	struct summary *summary;	/* made once the pipeline has ended */
	/* Process events (loop-events.c): NULL when sampling only. */
	struct probe_events *events;
	struct proclife *life;
	bool *stage_evented;	/* stage_last[i] is its exec, from events */
	double events_quiet_until; /* loop_elapsed(): the socket is not
				      waited on before (loop_events_fd()) */
	double events_last_read;   /* when a drain last read events */
	const char *events_word; /* for the title: "sampling only", or NULL */
	bool events_lost_said;	/* the note about lost events was given */
	bool events_resync;	/* events were lost: rediscover */
	size_t events_ended;	/* process records handed to the trace */
	struct proclife_stats events_stats; /* at the end */
	bool exact_lost_said;	/* --exact: the note about a full table */
	/* --step (loop-step.c): frozen now; waiting for n (the live view). */
	bool step_frozen, step_wait;
	bool step_request;	/* n was pressed: run one interval */
};

/* Seconds since the session started. */
static inline double
loop_elapsed(const struct loop *l)
{
	return util_now() - l->t0;
}

/* The title of frames: the command, or attached, the rebuilt one. */
static inline const char *
loop_title(const struct loop *l)
{
	return l->title != NULL ? l->title : l->cfg->command;
}

/* The pipe the output pane's bytes come through, or 0 (loop-view.c). */
uint64_t loop_output_pipe(const struct loop *);

/* loop-output.c */
void loop_output_failed(struct loop *);
/* The sample's trace record and frame, as the outputs ask. */
void loop_emit(struct loop *, const struct snapshot *);

/* loop-stages.c */
void loop_remember_stage(struct loop *, size_t stage, const struct snap_proc *);
/*
 * --slow: stop the running processes of the launched group that s shows,
 * and later continue exactly those, so a stage the user stopped stays so.
 */
void loop_freeze(struct loop *, const struct snapshot *s);
void loop_thaw(struct loop *);
/* Reap every exited child, reading a stage's final counters first. */
void loop_reap(struct loop *);
/* Tag descendants with the stage they descend from. */
void loop_tag_stages(struct loop *, struct snapshot *);
/* SIGTERM, a grace period, then SIGKILL; every stage reaped. */
void loop_terminate(struct loop *);
/* The first word of each stage's command, NULL-terminated (allocated). */
char **loop_names(const struct launch *);

/* loop-history.c */
void loop_history_start(struct loop *);
void loop_history_sample(struct loop *, const struct snapshot *);
/* The run's summary from the launcher's figures and the history. */
struct summary *loop_summary(const struct loop *);
/* --text: the summary after the last frame. */
void loop_summary_text(struct loop *, const struct summary *);
void loop_history_end(struct loop *);
/* loop-events.c */
/* Observe the stages (or the attached pid), or say events are off. */
void loop_events_start(struct loop *);
bool loop_events_on(const struct loop *);
/*
 * The socket to wait on: -1 when off, or for a moment after a drain that
 * read something (*wait_us then bounds the wait: a fork storm is read in
 * batches, a process's fork and exec in one read of its /proc).
 */
int loop_events_fd(const struct loop *, int *wait_us);
/* Read the queued events; write the records of what ended. */
void loop_events_drain(struct loop *);
/* A sample: what it shows is observed from now. */
void loop_events_saw(struct loop *, const struct snapshot *);
/* The observed processes alive, into out[0..max). */
size_t loop_events_live(const struct loop *, pid_t *out, size_t max);
/* Whether a process was created anywhere (or events lost) since last asked. */
bool loop_events_created(struct loop *);
/* The last events, then close. */
void loop_events_stop(struct loop *);

/* loop-exact.c (--exact) */
/* Attached: pids[0..n) are observed by the kernel's counters too. */
void loop_exact_observe(struct loop *, const pid_t *pids, size_t n);
/* The counts onto s's channels, after rates_apply_pipes(). */
void loop_exact_sample(struct loop *, struct snapshot *);

/* loop-step.c (--step) */
/* The launcher froze the stages: they are ours to continue. */
void loop_step_start(struct loop *);
/* Stop the group's running processes, before a sample (none if frozen). */
void loop_step_freeze(struct loop *);
/* Run one interval: continue what the freeze stopped. */
void loop_step_run(struct loop *);
/* A sample was taken: the live view waits for n from now. */
void loop_step_sampled(struct loop *);

/* loop-view.c */
void loop_draw(struct loop *, const struct snapshot *, int status);
void loop_key(struct loop *, const struct snapshot *);

#endif
