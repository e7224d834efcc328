/*
 * trace-read.h - read a JSON Lines trace back into snapshots, for replay.
 *
 * Any trace pipeviz wrote (--json or --record) reads back into the same
 * snapshots the front ends drew, so a replay draws the same frames.  A
 * damaged trace is read up to its last good record: *warning says where it
 * stopped and why; a file with no start record or no sample is refused.
 */
#ifndef PIPEVIZ_TRACE_READ_H
#define PIPEVIZ_TRACE_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "pipeviz/snapshot.h"
#include "pipeviz/summary.h"

/* An exit record: a launched stage was reaped. */
struct trace_exit {
	double t;
	pid_t pid;
	int stage;		/* -1 when not given */
	struct snap_exit status;
};

/* A process record: an observed process's life (from process events). */
struct trace_life {
	pid_t pid, ppid;
	int stage;		/* -1 when not given */
	double began, ended;	/* -1 when not known */
	bool sampled;		/* a sample showed it */
	bool status_known;
	struct snap_exit status;
	char comm[32];
};

struct trace_file {
	char *mode;	/* "launch" or "attach" */
	char *command;
	int interval_ms;
	struct snapshot **samples;
	size_t nsamples;
	bool ended;	/* an end record was read */
	int status;	/* from the end record */
	double end_t;	/* its t */
	struct trace_exit *exits; /* the exit records, in trace order */
	size_t nexits;
	struct trace_life *lives; /* the process records, in trace order */
	size_t nlives;
	struct summary *summary; /* the end record's, or NULL (summary.h) */
	char *warning;	/* "line 12: ...; playing 11 samples", or NULL */
	char **stages;	/* the start record's stage names, NULL-terminated */
	size_t nstages;
	uint64_t output_pipe; /* the live view's output pane's pipe, or 0 */
};

/*
 * The longest line read (a sample of a 2000-process pipeline with peeks
 * is a few MiB): past it, the input is no trace.
 */
#define TRACE_LINE_MAX (64 << 20)

/*
 * Read f.  Returns 0 (tf filled; free with trace_file_clear), or -1 with
 * *err set to a newly allocated "line N: reason" message.
 */
int trace_read(FILE *f, struct trace_file *tf, char **err);
void trace_file_clear(struct trace_file *);

/* One sample record, parsed from its JSON text; NULL with *err if bad. */
struct snapshot *trace_read_sample(const char *json, char **err);

#endif
