/*
 * loop.h - the sampling loop: the only code that knows the probe, the
 * launcher and the outputs, and moves data between them.
 */
#ifndef PIPEVIZ_LOOP_H
#define PIPEVIZ_LOOP_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "pipeviz/launch.h"

struct ui;
struct probe_events;
struct probe_exact;

enum loop_output {
	LOOP_OUT_NONE,
	LOOP_OUT_TEXT,
	LOOP_OUT_DOT,
	LOOP_OUT_UI,
};

struct loop_config {
	const char *mode;	/* "launch" or "attach" */
	const char *command;	/* for titles and the start record */
	int interval_ms;
	long count;		/* samples to take, 0 for no limit */
	/*
	 * Samples judged but not shown before the first one counted (--once:
	 * a short burst, so that what needs two looks, a deadlock or a
	 * stall, is in the one record a bug report attaches).
	 */
	int burst;
	struct launch *launch;	/* NULL when attaching */
	pid_t attach_pid;	/* when attaching */
	enum loop_output output;
	FILE *out;		/* where text and DOT go */
	FILE *trace;		/* where the JSON trace goes (--json, --record) */
	size_t peek;		/* --peek: bytes of each pipe to copy, 0 none */
	int slow_ms;		/* --slow: the pipeline is frozen this long
				   after each frame */
	int width;		/* columns for --text */
	bool utf8;
	int sigfd;		/* signalfd for CHLD, INT, TERM, HUP, WINCH */
	struct ui *ui;		/* the live view, or NULL */
	bool exit_at_end;	/* leave the live view when the pipeline ends */
	/* Where captured stdout/stderr is kept for replay at exit, or -1. */
	int capture_out_fd, capture_err_fd;
	/*
	 * The process events subscription (probe-events.h), opened before
	 * a launch so that no fork comes before it, and closed by its opener.
	 * NULL with events_errno set when refused; NULL with events_errno 0
	 * when nobody tried (loop_run() opens it itself); events_off: not
	 * wanted (PIPEVIZ_NO_EVENTS), sampling only.
	 */
	struct probe_events *events;
	int events_errno;
	bool events_off;
	int events_rcvbuf;	/* its buffer, 0 by default (PIPEVIZ_EVENTS_BUFFER) */
	/* --exact: the BPF counters, loaded before the launch; or NULL. */
	struct probe_exact *exact;
	/*
	 * --step: the stages were launched frozen at their exec (launch_opts
	 * .step); the loop runs them one interval a step (loop-step.c).
	 */
	bool step;
};

/* Run until the pipeline ends, the count is reached or a signal stops us.  Returns pipeviz's exit status. */
int loop_run(const struct loop_config *);

#endif
