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

enum loop_output {
	LOOP_OUT_NONE,
	LOOP_OUT_JSON,
	LOOP_OUT_TEXT,
	LOOP_OUT_DOT,
};

struct loop_config {
	const char *mode;	/* "launch" or "attach" */
	const char *command;	/* for titles and the start record */
	int interval_ms;
	long count;		/* samples to take, 0 for no limit */
	struct launch *launch;	/* NULL when attaching */
	pid_t attach_pid;	/* when attaching */
	enum loop_output output;
	FILE *out;		/* where the output goes */
	bool utf8;
	int sigfd;		/* signalfd for CHLD, INT, TERM, HUP */
};

/* Run until the pipeline ends, the count is reached or a signal stops us.  Returns pipeviz's exit status. */
int loop_run(const struct loop_config *);

#endif
