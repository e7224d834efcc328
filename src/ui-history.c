/*
 * ui-history.c - the live view's panels under the diagram: the timeline
 * of the last minute (timeline.h; the t key) and, once the pipeline has
 * ended, the run's summary (summary.h).  Both are canvases made by pure
 * code; this file only sizes them and puts their cells on the screen.
 *
 * The timeline is on by default when there is room for it: when the
 * whole diagram still fits above it.  t shows or hides it whatever the
 * room (taking up to half the rows), and the choice sticks.
 */
#define NCURSES_WIDECHAR 1

#include <curses.h>
#include <wchar.h>

#include "pipeviz/canvas.h"
#include "pipeviz/timeline.h"
#include "ui-internal.h"

/* Below this width the timeline is not shown unless asked for. */
#define UI_HISTORY_MIN_COLS 60
/* Rows the diagram keeps, at least, whatever the panels want. */
#define UI_HISTORY_DIAGRAM_ROWS 3

static int
ui_min(int a, int b)
{
	return a < b ? a : b;
}

static int
ui_max(int a, int b)
{
	return a > b ? a : b;
}

int
ui_history_rows(struct ui *u, const struct ui_frame *f, int body_rows)
{
	int diagram = u->layout != NULL ? u->layout->height : 0;
	int room = body_rows - UI_HISTORY_DIAGRAM_ROWS, spare, want, rows;
	int width = u->cols - 2;
	struct timeline_opts o;

	layout_free(u->summary_panel);
	layout_free(u->timeline_panel);
	u->summary_panel = u->timeline_panel = NULL;
	u->panel_rows = 0;
	u->timeline_shown = false;
	if (room < 2 || width < 20)
		return 0;
	/* Rows the diagram does not need. */
	spare = ui_max(body_rows - diagram, 0);
	if (f->summary != NULL) {
		u->summary_panel = summary_layout(f->summary, width, u->utf8);
		/* The summary may take half the rows from a tall diagram. */
		rows = ui_min(u->summary_panel->height,
		    ui_min(room, ui_max(spare, body_rows / 2)));
		if (rows >= 2) {
			u->summary_panel->height = rows; /* the rest is cut */
			u->panel_rows = rows;
			room -= rows;
			spare = ui_max(spare - rows, 0);
		} else {
			layout_free(u->summary_panel);
			u->summary_panel = NULL;
		}
	}
	if (f->history == NULL || f->snap == NULL || u->timeline == UI_TIMELINE_OFF ||
	    room < 2)
		return u->panel_rows;
	if (u->timeline == UI_TIMELINE_AUTO && u->cols < UI_HISTORY_MIN_COLS)
		return u->panel_rows;
	/* Whole first (one ordering of the processes a frame, mostly). */
	o.width = width;
	o.rows = body_rows;
	o.utf8 = u->utf8;
	o.span = HISTORY_SPAN_SECONDS;
	u->timeline_panel = timeline_build(f->history, f->snap, &o);
	want = u->timeline_panel->height;
	if (u->timeline == UI_TIMELINE_AUTO)
		rows = spare >= want ? want : 0;
	else
		rows = ui_min(want, ui_min(room, ui_max(spare,
		    (body_rows - u->panel_rows) / 2)));
	if (rows < want) {
		layout_free(u->timeline_panel);
		u->timeline_panel = NULL;
		o.rows = rows;
		if (rows >= 2)
			u->timeline_panel = timeline_build(f->history, f->snap,
			    &o);
	}
	if (u->timeline_panel != NULL) {
		u->panel_rows += u->timeline_panel->height;
		u->timeline_shown = true;
	}
	return u->panel_rows;
}

/* A canvas's rows at (top, 1); its heading row between rules, as a pane's. */
static int
ui_history_blit(struct ui *u, const struct layout *l, int top)
{
	const char *rule = u->utf8 ? "\u2500" : "-";
	attr_t dim = ui_attr(u, LAYOUT_DIM);

	for (int y = 0; y < l->height; y++) {
		int last = -1;

		ui_fill(u, top + y, 0, u->cols, A_NORMAL);
		for (int x = 0; x < l->width && x + 2 < u->cols; x++) {
			const struct layout_cell *cell = &l->cells[y * l->width + x];
			attr_t a = ui_attr(u, cell->style);
			wchar_t ws[2] = { !u->utf8 && cell->ch >= 0x80 ? '?' :
			    (wchar_t)cell->ch, 0 };
			cchar_t cc;

			if (cell->ch != ' ')
				last = x;
			setcchar(&cc, ws, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL);
			mvadd_wch(top + y, x + 2, &cc);
		}
		if (y == 0) {
			ui_put(u, top, 0, rule, 1, dim);
			for (int x = last + 4; x < u->cols; x++)
				ui_put(u, top, x, rule, 1, dim);
		}
	}
	return l->height;
}

void
ui_history_draw(struct ui *u)
{
	int top = u->rows - 1 - u->status_rows - u->panel_rows;

	if (u->summary_panel != NULL)
		top += ui_history_blit(u, u->summary_panel, top);
	if (u->timeline_panel != NULL)
		ui_history_blit(u, u->timeline_panel, top);
}

void
ui_history_spark(void *arg, struct layout *l, int x, int y, uint64_t inode,
    int n)
{
	const struct ui_spark *sp = arg;
	double level[LAYOUT_SPARK_CELLS];

	if (sp->f->history == NULL || n > LAYOUT_SPARK_CELLS)
		return;
	timeline_chan_spark(l, x, y, sp->f->history, inode, sp->f->snap->t,
	    UI_SPARK_SECONDS * n, level, n, sp->utf8);
}

void
ui_history_toggle(struct ui *u)
{
	u->timeline = u->timeline_shown ? UI_TIMELINE_OFF : UI_TIMELINE_ON;
	ui_note(u, u->timeline == UI_TIMELINE_ON ? "history: the last minute "
	    "of each process and pipe (t hides it)" : "history hidden (t shows "
	    "it)");
}

void
ui_history_close(struct ui *u)
{
	layout_free(u->summary_panel);
	layout_free(u->timeline_panel);
	u->summary_panel = u->timeline_panel = NULL;
}
