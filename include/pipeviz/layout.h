/*
 * layout.h - place a snapshot on a grid of character cells.
 *
 * Pure: a snapshot and a width in, a canvas out; no curses, no I/O.  Both
 * the live view and the plain-text renderer draw the same canvas, so they
 * cannot disagree.  The picture follows the lecture notes:
 *
 *   /dev/null ──> (0) ls (1) ──[▮▮▯▯▯ 48K/64K]──> (0) sort (1) ──> /dev/pts/0
 *                 812 exit 0      1.2M/s            813 waiting
 *
 * Each chain of processes joined by pipes (fd 1 into fd 0) is a band, read
 * left to right and wrapped at the width.  Processes of a stage that are
 * not on a chain (a subshell's children) are listed beneath their band;
 * pipes that join processes other than neighbours (fan-in, fan-out, pipes
 * between parent and child, self-loops, FIFOs) get one line each below.
 * Stray pipes (snapshot.h) are not drawn.
 */
#ifndef PIPEVIZ_LAYOUT_H
#define PIPEVIZ_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeviz/snapshot.h"

/* What a cell shows; the front end maps these to colours and attributes. */
enum layout_style {
	LAYOUT_NORMAL,
	LAYOUT_DIM,	  /* end nodes, exited stages, secondary text */
	LAYOUT_NAME,	  /* a process name */
	LAYOUT_EDGE,	  /* a pipe with room */
	LAYOUT_EDGE_FULL, /* a full pipe */
	LAYOUT_BLOCKED,	  /* a writer blocked on a full pipe */
	LAYOUT_WAITING,	  /* a reader waiting on an empty pipe */
	LAYOUT_RUNNING,
	LAYOUT_STOPPED,
	LAYOUT_EXITED,
	LAYOUT_FAILED,	  /* a stage that exited non-zero or by a signal */
	LAYOUT_HEADING,
	LAYOUT_STYLES
};

struct layout_cell {
	uint32_t ch; /* a Unicode code point; ' ' when empty */
	uint8_t style;
};

/* Where a process's name was drawn, for selection and highlighting. */
struct layout_hit {
	size_t proc; /* index into the snapshot's procs */
	int x, y, w;
};

struct layout {
	int width, height;
	struct layout_cell *cells; /* height rows of width cells */
	struct layout_hit *hits;   /* in reading order */
	size_t nhits;
};

struct layout_opts {
	int width;    /* columns available, at least 20 */
	bool utf8;    /* box drawing and bars; ASCII otherwise */
	bool compact; /* shorter edge labels, for narrow terminals */
	/* A pipe that pipeviz reads itself (the live view's output pane). */
	uint64_t output_pipe;
	/*
	 * A channel's recent past, for the sparkline under its edge (left of
	 * its rate, where the edge leaves room; not compact): put n cells of
	 * it at (x, y) of l.  NULL: no sparklines (--text, the goldens).
	 */
	void (*spark)(void *arg, struct layout *l, int x, int y,
	    uint64_t inode, int n);
	void *spark_arg;
};

/* The cells of the sparkline under an edge, at most and at least. */
#define LAYOUT_SPARK_CELLS 8
#define LAYOUT_SPARK_MIN 3

/* Lay s out.  The caller frees the result with layout_free(). */
struct layout *layout_build(const struct snapshot *s, const struct layout_opts *);
void layout_free(struct layout *); /* NULL is a no-op */

/* The canvas as UTF-8 text, one line per row, trailing blanks cut. */
char *layout_to_text(const struct layout *);

/*
 * Order the processes for drawing: each chain from its head (the process
 * whose fd 0 is not fed by another) downstream, stages first in stage
 * order.  Fills order[0..nprocs) with indexes into s->procs and chain[i]
 * with the chain number of order[i]; returns the number of chains.
 */
size_t layout_chain_order(const struct snapshot *s, size_t *order,
    size_t *chain);

/* A short word for a process's state: "BLOCKED", "waiting", "exit 0"... */
const char *layout_state_word(const struct snapshot *s,
    const struct snap_proc *p, enum layout_style *style);

#endif
