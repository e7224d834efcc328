/*
 * summary-text.c - the end summary as a canvas: a table of stages as
 * time(1) reports them, a table of pipes as pv reports them.  The same
 * canvas is printed after the last --text frame and drawn by the live
 * view, so the two say the same; fields have fixed widths, so columns
 * line up whatever the figures.
 */
#include "pipeviz/summary.h"

#include <stdio.h>
#include <string.h>

#include "pipeviz/canvas.h"
#include "pipeviz/trace.h"
#include "pipeviz/util.h"

/* Below this width the tables drop the pid and inode columns. */
#define SUMMARY_WIDE 66

/* "0.004s", "12.5s", "3m05s", "2h07m"; "?" when unknown. */
static void
summary_seconds(char *buf, size_t size, double s)
{
	if (s < 0)
		snprintf(buf, size, "?");
	else if (s < 10)
		snprintf(buf, size, "%.3fs", s);
	else if (s < 100)
		snprintf(buf, size, "%.2fs", s);
	else if (s < 600)
		snprintf(buf, size, "%.1fs", s);
	else if (s < 3600)
		snprintf(buf, size, "%dm%02ds", (int)(s / 60), (int)s % 60);
	else
		snprintf(buf, size, "%dh%02dm", (int)(s / 3600),
		    (int)s % 3600 / 60);
}

/* What a stage's end was, and the style that says it. */
static enum layout_style
summary_status(const struct summary_stage *st, char *buf, size_t size)
{
	if (!st->exit.exited) {
		snprintf(buf, size, "%s", st->running ? "running" : "-");
		return LAYOUT_DIM;
	}
	if (st->exit.signal != 0) {
		snprintf(buf, size, "%s", trace_signal_name(st->exit.signal));
		/* yes | head: SIGPIPE is the normal end of a writer. */
		return st->exit.signal == 13 ? LAYOUT_EXITED : LAYOUT_FAILED;
	}
	snprintf(buf, size, "exit %d", st->exit.code);
	return st->exit.code == 0 ? LAYOUT_NORMAL : LAYOUT_FAILED;
}

/* Text right-aligned so that it ends before column end. */
static void
summary_right(struct layout *l, int end, int y, const char *text, int w,
    enum layout_style style)
{
	int n = canvas_width(text);

	canvas_put(l, end - (n < w ? n : w), y, text, w, style);
}

static const char *
summary_name_of(const struct summary *sum, pid_t pid, char *buf, size_t size)
{
	for (size_t i = 0; i < sum->nstages; i++) {
		if (sum->stages[i].pid == pid)
			return sum->stages[i].comm;
	}
	snprintf(buf, size, "pid %d", (int)pid);
	return buf;
}

/* "head → cat", "a,b → c", "wc → ?": who wrote into a pipe and who read. */
static void
summary_route(const struct summary *sum, const struct summary_pipe *p,
    bool utf8, char *buf, size_t size)
{
	size_t n = 0;
	char tmp[32];

	buf[0] = '\0';
	for (int side = 0; side < 2; side++) {
		const pid_t *pids = side == 0 ? p->writers : p->readers;
		size_t np = side == 0 ? p->nwriters : p->nreaders;

		if (side == 1)
			n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s",
			    utf8 ? " \u2192 " : " -> ");
		/* Nobody seen there: a process pipeviz does not observe. */
		if (np == 0)
			n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "?");
		for (size_t i = 0; i < np; i++)
			n += (size_t)snprintf(buf + n, n < size ? size - n : 0,
			    "%s%s", i > 0 ? "," : "",
			    summary_name_of(sum, pids[i], tmp, sizeof tmp));
	}
}

/* Whether a pipe's bytes are marked ~ (estimated), or >= (at_least). */
static bool
summary_estimated(const struct summary *sum, bool at_least)
{
	for (size_t i = 0; i < sum->npipes; i++) {
		const struct summary_pipe *p = &sum->pipes[i];

		if (p->bytes >= 0 && !p->exact && p->at_least == at_least)
			return true;
	}
	return false;
}

/* The stages' table from row y; returns the next row. */
static int
summary_stages(struct layout *l, const struct summary *sum, bool wide, int y)
{
	/* Columns: name, pid (wide), status, cpu, wall, max RSS. */
	int nw = wide ? 12 : 7, x_pid = 2 + nw, x_st = x_pid + (wide ? 9 : 0);
	int sw = wide ? 12 : 9, x_cpu = x_st + sw, cw = wide ? 9 : 7;
	int x_wall = x_cpu + cw, x_rss = x_wall + cw, rw = wide ? 10 : 8;
	char buf[64];

	canvas_put(l, 2, y, "stage", nw, LAYOUT_DIM);
	if (wide)
		summary_right(l, x_st - 2, y, "pid", 7, LAYOUT_DIM);
	canvas_put(l, x_st, y, "status", sw, LAYOUT_DIM);
	summary_right(l, x_cpu + cw, y, "cpu", cw, LAYOUT_DIM);
	summary_right(l, x_wall + cw, y, "wall", cw, LAYOUT_DIM);
	summary_right(l, x_rss + rw, y, "max RSS", rw, LAYOUT_DIM);
	y++;
	for (size_t i = 0; i < sum->nstages; i++, y++) {
		const struct summary_stage *st = &sum->stages[i];
		enum layout_style style;

		canvas_put(l, 2, y, st->comm[0] != '\0' ? st->comm : "?", nw - 1,
		    LAYOUT_NAME);
		if (wide) {
			snprintf(buf, sizeof buf, "%d", (int)st->pid);
			summary_right(l, x_st - 2, y, buf, 7, LAYOUT_NORMAL);
		}
		style = summary_status(st, buf, sizeof buf);
		canvas_put(l, x_st, y, buf, sw - 1, style);
		summary_seconds(buf, sizeof buf, st->cpu_s);
		summary_right(l, x_cpu + cw, y, buf, cw - 1, LAYOUT_NORMAL);
		summary_seconds(buf, sizeof buf, st->wall_s);
		summary_right(l, x_wall + cw, y, buf, cw - 1, LAYOUT_NORMAL);
		if (st->max_rss_kib >= 0)
			util_format_bytes(buf, sizeof buf,
			    (double)st->max_rss_kib * 1024);
		else
			snprintf(buf, sizeof buf, "?");
		summary_right(l, x_rss + rw, y, buf, rw - 1, LAYOUT_NORMAL);
	}
	return y;
}

/* The pipes' table from row y; returns the next row. */
static int
summary_pipes(struct layout *l, const struct summary *sum, bool wide,
    bool utf8, int y)
{
	/* Columns: pipe (wide), from -> to, bytes, average rate. */
	int iw = wide ? 16 : 0, x_route = 2 + iw, routew = wide ? 24 : 16;
	int x_bytes = x_route + routew, bw = wide ? 11 : 9;
	int x_rate = x_bytes + bw, raw = wide ? 12 : 11;
	char buf[160], num[32];

	if (wide)
		canvas_put(l, 2, y, "pipe", iw, LAYOUT_DIM);
	canvas_put(l, x_route, y, utf8 ? "from \u2192 to" : "from -> to", routew,
	    LAYOUT_DIM);
	summary_right(l, x_bytes + bw, y, "bytes", bw, LAYOUT_DIM);
	summary_right(l, x_rate + raw, y, "avg rate", raw, LAYOUT_DIM);
	y++;
	for (size_t i = 0; i < sum->npipes; i++, y++) {
		const struct summary_pipe *p = &sum->pipes[i];

		if (wide) {
			snprintf(buf, sizeof buf, "%s %llu", p->kind == SNAP_FD_FIFO ?
			    "fifo" : "pipe", (unsigned long long)p->inode);
			canvas_put(l, 2, y, buf, iw - 1, LAYOUT_NORMAL);
		}
		summary_route(sum, p, utf8, buf, sizeof buf);
		canvas_put(l, x_route, y, buf, routew - 1, LAYOUT_NAME);
		if (p->bytes >= 0) {
			util_format_bytes(num, sizeof num, (double)p->bytes);
			snprintf(buf, sizeof buf, "%s%s", p->exact ? "" :
			    p->at_least ? (utf8 ? "\u2265" : ">=") : "~", num);
		} else
			snprintf(buf, sizeof buf, "?");
		summary_right(l, x_bytes + bw, y, buf, bw - 1, LAYOUT_NORMAL);
		if (p->avg_bps >= 0) {
			util_format_bytes(num, sizeof num, p->avg_bps);
			snprintf(buf, sizeof buf, "%s/s", num);
		} else
			snprintf(buf, sizeof buf, "?");
		summary_right(l, x_rate + raw, y, buf, raw - 1, LAYOUT_NORMAL);
	}
	return y;
}

struct layout *
summary_layout(const struct summary *sum, int width, bool utf8)
{
	struct layout *l = canvas_create(width);
	bool wide = width >= SUMMARY_WIDE;
	int y = 0;

	canvas_put(l, 0, y, "summary", width, LAYOUT_HEADING);
	if (sum->nstages == 0 && sum->npipes == 0)
		canvas_put(l, 7, y, ": nothing was observed", width - 7,
		    LAYOUT_DIM);
	y++;
	if (sum->nstages > 0)
		y = summary_stages(l, sum, wide, y);
	if (sum->npipes > 0)
		y = summary_pipes(l, sum, wide, utf8, y);
	if (summary_estimated(sum, false))
		canvas_put(l, 2, y++, wide ? "~ estimated from the processes' "
		    "read/write counters, not counted" : "~ estimated, not counted",
		    width - 2, LAYOUT_DIM);
	if (summary_estimated(sum, true))
		canvas_put(l, 2, y++, wide ? (utf8 ? "\u2265 at least: a process "
		    "ended, or came and went, after its counters were last "
		    "read" : ">= at least: a process ended, or came and went, "
		    "after its counters were last read") :
		    utf8 ? "\u2265 at least (ended between samples)" :
		    ">= at least (ended between samples)", width - 2, LAYOUT_DIM);
	canvas_rows(l, y);
	return l;
}
