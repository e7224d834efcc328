/*
 * trace.h - the JSON Lines trace: one object per line, the contract every
 * other front end reads (docs/json-format.md).  Each writer returns 0, or
 * -1 with errno set when the stream failed (a closed pipe, a full disk).
 */
#ifndef PIPEVIZ_TRACE_H
#define PIPEVIZ_TRACE_H

#include <stdio.h>
#include <sys/types.h>

#include "pipeviz/proclife.h"
#include "pipeviz/snapshot.h"

#define TRACE_VERSION 1

/* mode is "launch" or "attach"; command is the pipeline or "-p PID". */
/* What the start record says of the session. */
struct trace_start {
	const char *mode;	/* "launch" or "attach" */
	const char *command;
	int interval_ms;
	/* Launched: each stage's short name, as the view names it. */
	char *const *stages;
	size_t nstages;
	/* The pipe whose bytes the live view's output pane shows, or 0. */
	uint64_t output_pipe;
};
int trace_write_start(FILE *, const struct trace_start *);
int trace_write_sample(FILE *, const struct snapshot *);
int trace_write_exit(FILE *, double t, pid_t pid, int stage,
    const struct snap_exit *);
/*
 * status is sh's status of the pipeline; signal, if not 0, stopped
 * pipeviz; sum, if not NULL, is the run's summary (summary.h).
 */
struct summary;
int trace_write_end(FILE *, double t, int status, int signal,
    const struct summary *sum);
/*
 * An observed process that ended, from process events (docs/json-format.md,
 * "process"): its life, and whether any sample showed it.
 */
int trace_write_process(FILE *, const struct proclife_rec *);
/*
 * Something about the observation itself, once (kind "events_unavailable",
 * "events_lost"): a "note" record.
 */
int trace_write_note(FILE *, double t, const char *kind, const char *message);

/* Give back the buffer the writers keep from record to record. */
/*
 * `pipeviz --all`: one pipeline of the machine as a "pipeline" record
 * (docs/json-format.md), a line of its own.
 */
struct trace_pipeline {
	const pid_t *pids;
	size_t npids;
	const char *command;
	const char *health;		/* "stuck", "slow", "idle", "ok" */
	const struct snap_diag *top;	/* its most urgent diagnosis, or NULL */
	double since;			/* seconds it has run */
	double rate_bps;		/* its busiest pipe's, -1 unknown */
	uid_t uid;
	const char *user;
};
int trace_write_pipeline(FILE *, const struct trace_pipeline *);

void trace_release(void);

/* The sample record as a newly allocated one-line string (for tests). */
char *trace_sample_string(const struct snapshot *);

/* "SIGPIPE" for 13; "SIG<n>" for unknown numbers.  Static storage. */
const char *trace_signal_name(int sig);

#endif
