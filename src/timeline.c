/* timeline.c - the history panel as a canvas of styled cells (timeline.h). */
#include "pipeviz/timeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeviz/canvas.h"
#include "pipeviz/util.h"

/* Each state's glyph, with and without UTF-8, and its style: one table. */
static const struct {
	const char *utf8, *ascii, *word;
	enum layout_style style;
} timeline_states[HISTORY_STATES] = {
	[HISTORY_NONE] = { " ", " ", NULL, LAYOUT_NORMAL },
	[HISTORY_RUNNING] = { "\u2588", "#", "run", LAYOUT_RUNNING },
	[HISTORY_WAITING] = { "\u2591", "-", "wait", LAYOUT_WAITING },
	[HISTORY_BLOCKED] = { "\u2593", "!", "BLOCKED", LAYOUT_EDGE_FULL },
	[HISTORY_STOPPED] = { "\u2016", "T", "stopped", LAYOUT_STOPPED },
	[HISTORY_SLEEPING] = { "\u00b7", ".", "sleep", LAYOUT_DIM },
	[HISTORY_EXITED] = { "\u2581", "_", "exit", LAYOUT_EXITED },
};

/* The legend's order: what matters most first. */
static const enum history_state timeline_legend[] = {
	HISTORY_RUNNING, HISTORY_WAITING, HISTORY_BLOCKED, HISTORY_STOPPED,
	HISTORY_SLEEPING, HISTORY_EXITED,
};

const char *
timeline_glyph(enum history_state st, bool utf8, enum layout_style *style)
{
	if (st >= HISTORY_STATES)
		st = HISTORY_NONE;
	*style = timeline_states[st].style;
	return utf8 ? timeline_states[st].utf8 : timeline_states[st].ascii;
}

/*
 * A row of the panel: a process or a channel of the snapshot, or the
 * processes of a stage that no sample showed (brief: i is the stage + 1).
 */
struct timeline_row {
	bool chan, brief;
	size_t i; /* into s->procs or s->pipes */
};

/* Whether channel i may be a row: drawn in the diagram, not a stray. */
static bool
timeline_chan_shown(const struct snapshot *s, size_t i)
{
	return !s->pipes[i].stray && s->pipes[i].inode != 0;
}

/* Channels by inode, for the channel each process writes on fd 1. */
static const struct snapshot *timeline_sorting;

static int
timeline_chan_cmp(const void *a, const void *b)
{
	uint64_t x = timeline_sorting->pipes[*(const size_t *)a].inode;
	uint64_t y = timeline_sorting->pipes[*(const size_t *)b].inode;

	return (x > y) - (x < y);
}

/* The first shown channel of inode, by the sorted index; -1 if none. */
static long
timeline_chan_find(const struct snapshot *s, const size_t *by_inode,
    uint64_t inode)
{
	size_t lo = 0, hi = s->npipes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->pipes[by_inode[mid]].inode < inode)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < s->npipes && s->pipes[by_inode[lo]].inode == inode; lo++) {
		if (timeline_chan_shown(s, by_inode[lo]))
			return (long)by_inode[lo];
	}
	return -1;
}

/* Whether order[k] is the first process of its stage in reading order. */
static bool
timeline_first_of_stage(const struct snapshot *s, const size_t *order,
    size_t k)
{
	for (size_t j = 0; j < k; j++) {
		if (s->procs[order[j]].stage == s->procs[order[k]].stage)
			return false;
	}
	return true;
}

/*
 * The rows in reading order; returns how many (at most nprocs + npipes
 * + the stages of h's brief lives, and one).  A stage's brief lives come
 * right after its first process; those of no stage last.
 */
static size_t
timeline_order(const struct history *h, const struct snapshot *s,
    struct timeline_row *rows)
{
	size_t *order = xcalloc(s->nprocs + 1, sizeof *order);
	size_t *chain = xcalloc(s->nprocs + 1, sizeof *chain);
	size_t *by_inode = xcalloc(s->npipes + 1, sizeof *by_inode);
	bool *listed = xcalloc(s->npipes + 1, sizeof *listed);
	size_t n = 0;

	layout_chain_order(s, order, chain);
	for (size_t i = 0; i < s->npipes; i++)
		by_inode[i] = i;
	timeline_sorting = s;
	qsort(by_inode, s->npipes, sizeof *by_inode, timeline_chan_cmp);
	timeline_sorting = NULL;
	for (size_t k = 0; k < s->nprocs; k++) {
		const struct snap_proc *p = &s->procs[order[k]];
		uint64_t out = snapshot_fd_channel(s, snapshot_proc_fd(p, 1), false);
		long i = out != 0 ? timeline_chan_find(s, by_inode, out) : -1;

		rows[n++] = (struct timeline_row){ false, false, order[k] };
		if (h != NULL && p->stage >= 0 &&
		    timeline_first_of_stage(s, order, k) &&
		    history_find_brief(h, p->stage) != NULL)
			rows[n++] = (struct timeline_row){ false, true,
			    (size_t)p->stage + 1 };
		if (i >= 0 && !listed[i]) {
			listed[i] = true;
			rows[n++] = (struct timeline_row){ true, false, (size_t)i };
		}
	}
	for (size_t i = 0; i < s->npipes; i++) {
		if (!listed[i] && timeline_chan_shown(s, i))
			rows[n++] = (struct timeline_row){ true, false, i };
	}
	if (h != NULL && history_find_brief(h, -1) != NULL)
		rows[n++] = (struct timeline_row){ false, true, 0 };
	free(order);
	free(chain);
	free(by_inode);
	free(listed);
	return n;
}

/* Room for every row timeline_order() may give. */
static struct timeline_row *
timeline_rows_alloc(const struct snapshot *s)
{
	return xcalloc(2 * s->nprocs + s->npipes + 2, sizeof(struct timeline_row));
}

int
timeline_rows(const struct history *h, const struct snapshot *s)
{
	struct timeline_row *rows = timeline_rows_alloc(s);
	size_t n = timeline_order(h, s, rows);

	free(rows);
	return (int)n + 1;
}

/* "history, last 60 s", then as much of the legend as fits. */
static void
timeline_heading(struct layout *l, const struct timeline_opts *o)
{
	char text[64];
	int x;

	snprintf(text, sizeof text, "last %.0f s", o->span);
	x = canvas_put(l, 0, 0, "history", o->width, LAYOUT_HEADING);
	x += canvas_put(l, x, 0, ", ", o->width - x, LAYOUT_DIM);
	x += canvas_put(l, x, 0, text, o->width - x, LAYOUT_DIM);
	x += 2;
	for (size_t i = 0; i < sizeof timeline_legend / sizeof *timeline_legend;
	    i++) {
		enum history_state st = timeline_legend[i];
		const char *word = timeline_states[st].word;
		enum layout_style style;
		const char *g = timeline_glyph(st, o->utf8, &style);

		if (x + 2 + canvas_width(word) > o->width)
			break;
		x += canvas_put(l, x, 0, g, 1, style);
		x += 1;
		x += canvas_put(l, x, 0, word, o->width - x, LAYOUT_DIM);
		x += 1;
	}
}

/* The widths of the label, the sparkline and the value at the right. */
static void
timeline_columns(int width, int *label, int *spark, int *value)
{
	/* The longest state word, "wait child", and a blank before it. */
	*label = width >= 100 ? 20 : width >= 60 ? 16 : 12;
	*value = width >= 60 ? 11 : 8;
	*spark = width - *label - *value;
	if (*spark < 4) {
		*spark = 4;
		*label = width - *spark - *value > 4 ? width - *spark - *value : 4;
	}
}

static void
timeline_proc_row(struct layout *l, const struct history *h,
    const struct snapshot *s, const struct snap_proc *p, int y,
    const struct timeline_opts *o)
{
	const struct history_proc *r = history_find_proc(h, p->pid,
	    p->start_ticks);
	int lw, sw, vw, x;
	enum history_state *st;
	enum layout_style style;
	const char *word;
	char pid[16];

	timeline_columns(o->width, &lw, &sw, &vw);
	snprintf(pid, sizeof pid, "%d", (int)p->pid);
	x = lw - 2 - (int)strlen(pid);
	canvas_put(l, 0, y, snapshot_proc_name(p), x - 1 > 0 ? x - 1 : 1,
	    LAYOUT_NAME);
	canvas_put(l, x, y, pid, lw - x, LAYOUT_DIM);
	st = xcalloc((size_t)sw, sizeof *st);
	if (r != NULL)
		history_proc_states(r, s->t, o->span, st, sw);
	for (int c = 0; c < sw; c++) {
		const char *g = timeline_glyph(st[c], o->utf8, &style);

		canvas_put(l, lw + c, y, g, 1, style);
	}
	free(st);
	word = layout_state_word(s, p, &style);
	canvas_put(l, lw + sw + 1, y, word, vw - 1, style);
}

bool
timeline_chan_levels(const struct history *h, uint64_t inode, double t_end,
    double span, double *level, int n, bool *fills)
{
	const struct history_chan *c = history_find_chan(h, inode);
	double *rate = xcalloc((size_t)n, sizeof *rate), top = 0;
	bool known = false;

	*fills = false;
	for (int i = 0; i < n; i++)
		level[i] = rate[i] = -1;
	if (c != NULL)
		history_chan_series(c, t_end, span, level, rate, n);
	for (int i = 0; i < n; i++) {
		*fills |= level[i] >= 0;
		if (rate[i] > top)
			top = rate[i];
	}
	/* The fill where it is known (pipes); else the rate, to its peak. */
	for (int i = 0; i < n; i++) {
		if (!*fills)
			level[i] = rate[i] >= 0 ? (top > 0 ? rate[i] / top : 0) : -1;
		known |= level[i] >= 0;
	}
	free(rate);
	return known;
}

void
timeline_chan_spark(struct layout *l, int x, int y, const struct history *h,
    uint64_t inode, double t_end, double span, double *level, int n,
    bool utf8)
{
	bool fills;

	if (!timeline_chan_levels(h, inode, t_end, span, level, n, &fills))
		return;
	for (int i = 0; i < n; i++) {
		if (level[i] >= 0)
			canvas_level(l, x + i, y, level[i], utf8, fills &&
			    level[i] >= 0.999 ? LAYOUT_EDGE_FULL : LAYOUT_EDGE);
	}
}

static void
timeline_chan_row(struct layout *l, const struct history *h,
    const struct snapshot *s, const struct snap_pipe *pp, int y,
    const struct timeline_opts *o)
{
	double *level;
	int lw, sw, vw;
	char label[96], num[32], value[40];

	timeline_columns(o->width, &lw, &sw, &vw);
	snapshot_chan_label(pp, label, sizeof label);
	canvas_put(l, 2, y, label, lw - 3, LAYOUT_DIM);
	level = xcalloc((size_t)sw, sizeof *level);
	timeline_chan_spark(l, lw, y, h, pp->inode, s->t, o->span, level, sw,
	    o->utf8);
	free(level);
	if (pp->rate_bps >= 0) {
		util_format_bytes(num, sizeof num, pp->rate_bps);
		snprintf(value, sizeof value, "%s/s", num);
	} else if (pp->fill >= 0)
		util_format_bytes(value, sizeof value, (double)pp->fill);
	else
		value[0] = '\0'; /* an exited stage's pipe: nothing to say now */
	canvas_put(l, lw + sw + 1, y, value, vw - 1, LAYOUT_NORMAL);
}

/*
 * A stage's processes that no sample showed: how many, and how many were
 * alive at once in each column, to the peak.
 */
static void
timeline_brief_row(struct layout *l, const struct history_brief *b,
    const struct snapshot *s, int y, const struct timeline_opts *o)
{
	double *count, top = 0;
	int lw, sw, vw;
	char label[48];

	timeline_columns(o->width, &lw, &sw, &vw);
	snprintf(label, sizeof label, "%zu brief", b->total);
	canvas_put(l, 2, y, label, lw - 3, LAYOUT_DIM);
	count = xcalloc((size_t)sw, sizeof *count);
	history_brief_series(b, s->t, o->span, count, sw);
	for (int i = 0; i < sw; i++) {
		if (count[i] > top)
			top = count[i];
	}
	for (int i = 0; i < sw; i++) {
		if (count[i] > 0)
			canvas_level(l, lw + i, y, count[i] / top, o->utf8,
			    LAYOUT_RUNNING);
	}
	free(count);
	canvas_put(l, lw + sw + 1, y, "ended", vw - 1, LAYOUT_EXITED);
}

struct layout *
timeline_build(const struct history *h, const struct snapshot *s,
    const struct timeline_opts *o)
{
	struct timeline_opts opts = *o;
	struct timeline_row *rows = timeline_rows_alloc(s);
	size_t n = timeline_order(h, s, rows), shown = n;
	struct layout *l;
	int y = 1;

	if (opts.width < 20)
		opts.width = 20;
	if (opts.span <= 0)
		opts.span = HISTORY_SPAN_SECONDS;
	if (opts.rows < 2)
		opts.rows = 2;
	l = canvas_create(opts.width);
	timeline_heading(l, &opts);
	if (n + 1 > (size_t)opts.rows)
		shown = (size_t)opts.rows - 2;
	for (size_t i = 0; i < shown; i++, y++) {
		if (rows[i].brief)
			timeline_brief_row(l, history_find_brief(h,
			    (int)rows[i].i - 1), s, y, &opts);
		else if (rows[i].chan)
			timeline_chan_row(l, h, s, &s->pipes[rows[i].i], y, &opts);
		else
			timeline_proc_row(l, h, s, &s->procs[rows[i].i], y, &opts);
	}
	if (shown < n) {
		char more[64];

		snprintf(more, sizeof more, "... %zu more rows (t hides the panel)",
		    n - shown);
		canvas_put(l, 2, y++, more, opts.width - 2, LAYOUT_DIM);
	}
	canvas_rows(l, y);
	free(rows);
	return l;
}
