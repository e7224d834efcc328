/*
 * timeline.h - the history panel: one row per process over the last
 * minute, drawn in the colour and glyph of its state at each moment, and
 * under each process the channel it writes into, drawn as a sparkline of
 * its fill (or of its rate where the fill is not known), so that a stall
 * and its start are seen at a glance.
 *
 * Pure: a history, the snapshot shown and a size in, a canvas out
 * (canvas.h).  The live view and a replay draw the same canvas; the unit
 * tests compare it with golden files.
 *
 *   history, last 60 s  █ run ░ wait ▓ BLOCKED ‖ stopped · sleep ▁ exit
 *   yes        812    ████████▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓ BLOCKED
 *     pipe 5159       ▅███████████████████████████████████████ 0/s
 *   sleep      813    ········································ sleeping
 */
#ifndef PIPEVIZ_TIMELINE_H
#define PIPEVIZ_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "pipeviz/history.h"
#include "pipeviz/layout.h"
#include "pipeviz/snapshot.h"

struct timeline_opts {
	int width;	/* columns, at least 20 */
	int rows;	/* at most, the heading included (at least 2) */
	bool utf8;	/* block glyphs; ASCII letters otherwise */
	double span;	/* seconds across the panel: HISTORY_SPAN_SECONDS */
};

/*
 * The rows the panel needs for s: its heading, one per process and
 * channel, and one per stage with brief lives in h (h may be NULL).
 */
int timeline_rows(const struct history *h, const struct snapshot *s);

/*
 * The panel for s as h has seen it up to s->t.  Rows are in the
 * diagram's reading order (layout_chain_order()): each process, then the
 * channel its fd 1 writes into; then channels no fd 1 writes into.  After
 * the first process of a stage, its processes that no sample showed
 * ("300 brief", a sparkline of how many were alive at once); those of no
 * stage last.  With
 * fewer rows than it needs, the last row says how many are left out.
 * The caller frees it with layout_free().
 */
struct layout *timeline_build(const struct history *h,
    const struct snapshot *s, const struct timeline_opts *);

/*
 * A channel's last span seconds up to t_end in n levels from 0 to 1,
 * oldest first: its fill where known (a pipe's; *fills true), else its
 * rate to its peak; -1 where nothing is known.  False when nothing is.
 */
bool timeline_chan_levels(const struct history *h, uint64_t inode,
    double t_end, double span, double *level, int n, bool *fills);
/*
 * Those levels as a sparkline of n cells at (x, y) of l, a full pipe in
 * the full edge's style; level is the caller's scratch of n.
 */
void timeline_chan_spark(struct layout *l, int x, int y,
    const struct history *h, uint64_t inode, double t_end, double span,
    double *level, int n, bool utf8);

/* The glyph and style a state is drawn with (the legend, the help). */
const char *timeline_glyph(enum history_state, bool utf8,
    enum layout_style *style);

#endif
