/*
 * summary.h - what a run did, at its end: bytes through each pipe and
 * their average rate (as pv reports them), each stage's CPU time, wall
 * time, peak memory and exit (as time(1) reports them).
 *
 * Pure.  Built from the history of the run (history.h) and, for a
 * launched pipeline, what the launcher measured of each stage (its
 * rusage from wait4 and its fork and reap times); written in the trace's
 * end record and read back from it, so a replay shows the same summary.
 *
 * A pipe's bytes are counted exactly with --exact (the kernel's count,
 * as the last sample had it); else an estimate (exact is false): the
 * final write counters (wchar) of the
 * processes that wrote into it, when each of them wrote into nothing else
 * (stderr and stray pipes aside, the rule of a pipe's rate; a read end of
 * /dev/null is no reading, a terminal on fd 0 or 1 is used one way);
 * else the
 * final read counters (rchar) of its readers, when each read from nothing
 * else; else its sampled rates times the time between samples; else
 * unknown.  docs/json-format.md states the limits.
 */
#ifndef PIPEVIZ_SUMMARY_H
#define PIPEVIZ_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pipeviz/history.h"
#include "pipeviz/snapshot.h"

/* Where a pipe's byte count comes from. */
enum summary_source {
	SUMMARY_NONE,	 /* unknown */
	SUMMARY_WRITERS, /* its writers' wchar */
	SUMMARY_READERS, /* its readers' rchar */
	SUMMARY_SAMPLES, /* its sampled rates */
	SUMMARY_COUNTED, /* counted in the kernel (--exact) */
};

#define SUMMARY_MAX_ENDS 4

struct layout;

struct summary_pipe {
	enum snap_fd_kind kind; /* SNAP_FD_PIPE or SNAP_FD_FIFO */
	uint64_t inode;
	int64_t bytes;	 /* -1 unknown */
	double avg_bps;	 /* bytes over the time its writers ran; -1 unknown */
	bool exact;
	bool at_least;	 /* a lower bound: one of the processes counted
			    ended after its counters were last read, or
			    its stage had processes no sample showed */
	enum summary_source source;
	/*
	 * Processes seen writing into it and reading from it (the first
	 * few): the launched stages among them when any is, else all.
	 */
	pid_t writers[SUMMARY_MAX_ENDS], readers[SUMMARY_MAX_ENDS];
	size_t nwriters, nreaders;
};

struct summary_stage {
	int stage;		/* the launched stage's index; -1 attached */
	pid_t pid;
	char comm[32];
	double cpu_s;		/* user + system, its reaped children's
				   included for a launched stage; -1 unknown */
	double wall_s;		/* from its start to its end (or the run's) */
	int64_t max_rss_kib;	/* peak resident memory; -1 unknown */
	struct snap_exit exit;	/* exited false: running, or not known */
	bool running;		/* not exited: still in view at the end */
	/* When it started and ended, in seconds of the session (not
	 * written; -1 unknown): spans the pipes' average rates. */
	double start_t, end_t;
	/* A launched stage's fd 0 and fd 1 pipes as wired (0 none; not
	 * written): the pipes the summary always lists. */
	uint64_t wired[2];
};

struct summary {
	struct summary_pipe *pipes;
	size_t npipes;
	struct summary_stage *stages;
	size_t nstages;
};

/*
 * The summary of a run: its pipes from h; its stages from launched[0..n)
 * when the pipeline was launched, else every process h saw.  Numbers are
 * rounded as the trace writes them (times to the millisecond, rates to
 * the byte per second), so that a replay prints the same summary.
 */
struct summary *summary_build(const struct history *h,
    const struct summary_stage *launched, size_t n);
void summary_free(struct summary *); /* NULL is a no-op */

/* "writers", "readers", "samples", "counted"; NULL for SUMMARY_NONE. */
const char *summary_source_name(enum summary_source);
enum summary_source summary_source_of(const char *name);

/* A new, empty summary (the trace reader fills it). */
struct summary *summary_create(void);
struct summary_pipe *summary_add_pipe(struct summary *);
struct summary_stage *summary_add_stage(struct summary *);

/*
 * The summary as a canvas of styled cells, width columns wide: a heading,
 * a table of stages, a table of pipes (summary-text.c).  --text prints
 * it after its last frame, the live view draws it once the pipeline has
 * ended.  The caller frees it with layout_free().
 */
struct layout *summary_layout(const struct summary *, int width, bool utf8);

#endif
