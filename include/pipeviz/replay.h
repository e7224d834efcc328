/*
 * replay.h - play a recorded trace: in the live view with play/pause,
 * steps, jumps and speed, or as text frames (the same frames --text drew
 * when the trace was recorded).
 */
#ifndef PIPEVIZ_REPLAY_H
#define PIPEVIZ_REPLAY_H

#include <stdbool.h>
#include <stdio.h>

#include "pipeviz/trace-read.h"

struct ui;

struct replay_config {
	const struct trace_file *tf;
	struct ui *ui;	/* the live view, or NULL for text frames */
	FILE *out;	/* text frames go here without a live view */
	int width;
	bool utf8;
	int sigfd;	/* INT, TERM, HUP (and WINCH with a live view) */
};

/* Returns pipeviz's exit status: 0, or 128+N when signal N stopped it. */
int replay_run(const struct replay_config *);

#endif
