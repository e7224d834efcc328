/*
 * textlog.h - lines of captured output (the last stage's stdout, the
 * stages' stderr), kept for the live view's panes and replayed to the
 * real stdout/stderr when pipeviz leaves.  Pure: bytes in, lines out.
 */
#ifndef PIPEVIZ_TEXTLOG_H
#define PIPEVIZ_TEXTLOG_H

#include <stdbool.h>
#include <stddef.h>

struct textlog_line {
	int tag;    /* which stage wrote it, -1 for none */
	char *text; /* without the newline */
};

struct textlog {
	struct textlog_line *lines;
	size_t nlines, cap;
	size_t max_lines; /* older lines are dropped past this */
	size_t dropped;	  /* lines dropped so far */
	/* A line still being written, per tag slot. */
	char *partial;
	size_t npartial;
	int partial_tag;
};

void textlog_init(struct textlog *, size_t max_lines);
void textlog_clear(struct textlog *);
/* Add bytes written by tag; complete lines become entries. */
void textlog_append(struct textlog *, int tag, const char *buf, size_t len);
/* Turn a pending partial line into an entry (at EOF). */
void textlog_flush(struct textlog *);

#endif
