/*
 * all.h - `pipeviz --all`: every pipeline on the machine, stuck ones
 * first.  Each refresh is one census of /proc, one probe sample of the
 * processes that are in a pipeline, and each pipeline judged by its own
 * diagnoses; the list is then printed (JSON records, a plain table) or
 * drawn, and Enter opens one pipeline's live view as -p would.
 */
#ifndef PIPEVIZ_ALL_H
#define PIPEVIZ_ALL_H

#include <stdbool.h>
#include <stdio.h>

#include "pipeviz/loop.h"

enum all_output {
	ALL_OUT_UI,
	ALL_OUT_TEXT,	/* a plain table per refresh */
	ALL_OUT_JSON,	/* one record per pipeline per refresh */
};

struct all_config {
	enum all_output output;
	FILE *out;
	int interval_ms;	/* between refreshes */
	/*
	 * Refreshes to print, 0 for no limit; the text and JSON outputs
	 * first judge a burst of samples, as --once does, so that the first
	 * list already knows what is stuck.
	 */
	long count;
	int sigfd;
	struct ui *ui;		/* ALL_OUT_UI */
	/* What an opened pipeline's live view is given (attach mode). */
	struct loop_config view;
};

/* Run until the count, q or a signal.  Returns pipeviz's exit status. */
int all_run(const struct all_config *);

#endif
