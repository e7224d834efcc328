/* ui-keys.c - keys, the mouse and the selection of the live view. */
#define NCURSES_WIDECHAR 1

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui-internal.h"

/* Move the selection to the next or previous distinct process. */
static void
ui_select_step(struct ui *u, const struct snapshot *s, int step)
{
	const struct layout *l = u->layout;
	long cur = -1, n;

	if (l == NULL || l->nhits == 0)
		return;
	n = (long)l->nhits;
	for (long i = 0; i < n; i++) {
		if (s->procs[l->hits[i].proc].pid == u->selected) {
			cur = i;
			break;
		}
	}
	for (long k = 1; k <= n; k++) {
		long i = ((cur + step * k) % n + n) % n;
		pid_t pid = s->procs[l->hits[i].proc].pid;

		if (pid != u->selected) {
			u->selected = pid;
			return;
		}
	}
}

/* Up and down: the nearest process on another row. */
static void
ui_select_row(struct ui *u, const struct snapshot *s, int dir)
{
	const struct layout_hit *cur = ui_hit_of(u, s, u->selected), *best = NULL;
	int bestd = 0;

	if (cur == NULL)
		return;
	for (size_t i = 0; i < u->layout->nhits; i++) {
		const struct layout_hit *h = &u->layout->hits[i];
		int dy = (h->y - cur->y) * dir, d;

		if (dy <= 0)
			continue;
		d = dy * 1000 + abs(h->x - cur->x);
		if (best == NULL || d < bestd) {
			best = h;
			bestd = d;
		}
	}
	if (best != NULL)
		u->selected = s->procs[best->proc].pid;
}

static void
ui_click(struct ui *u, const struct snapshot *s)
{
	MEVENT ev;

	if (getmouse(&ev) != OK || u->layout == NULL)
		return;
	for (size_t i = 0; i < u->layout->nhits; i++) {
		const struct layout_hit *h = &u->layout->hits[i];
		int y = h->y - u->scroll + u->body_top, x = h->x + 1;

		if (ev.y == y && ev.x >= x - 4 && ev.x < x + h->w + 4) {
			u->selected = s->procs[h->proc].pid;
			return;
		}
	}
}

/*
 * PgUp, PgDn: the diagram a page on, and the selection with it (the view
 * follows the selection, so a page that left it behind would snap back).
 */
static void
ui_page(struct ui *u, const struct snapshot *s, int dir)
{
	const struct layout_hit *cur = ui_hit_of(u, s, u->selected), *best = NULL;
	int step = u->body_rows > 2 ? u->body_rows - 2 : 1;
	int want;

	if (cur == NULL || u->layout == NULL)
		return;
	want = cur->y + dir * step;
	u->scroll += dir * step;
	if (u->scroll < 0)
		u->scroll = 0;
	/* The process nearest the row a page away, on the side paged to. */
	for (size_t i = 0; i < u->layout->nhits; i++) {
		const struct layout_hit *h = &u->layout->hits[i];
		int d = abs(h->y - want) * 1000 + abs(h->x - cur->x);

		if ((h->y - cur->y) * dir <= 0)
			continue;
		if (best == NULL || d < abs(best->y - want) * 1000 +
		    abs(best->x - cur->x))
			best = h;
	}
	if (best != NULL)
		u->selected = s->procs[best->proc].pid;
}

/* Keys while the help shows: arrows and pages scroll it, others close it. */
static void
ui_help_key(struct ui *u, int ch)
{
	switch (ch) {
	case KEY_DOWN:
	case 'j':
		u->help_scroll++;
		return;
	case KEY_UP:
	case 'k':
		u->help_scroll--;
		return;
	case KEY_NPAGE:
		u->help_scroll += u->rows / 2;
		return;
	case KEY_PPAGE:
		u->help_scroll -= u->rows / 2;
		return;
	default:
		u->help = false;
	}
}

/*
 * The shown pane's scroll keys, as less has them: j (or e) and y a line,
 * f and b a page, d and u half a page, g and G the oldest and the newest.
 * Not k, which less also takes back a line: k terminates a stage here;
 * nor space, which pauses.  Not in a replay, whose g and G jump in time.
 */
static bool
ui_pane_key(struct ui *u, const struct ui_frame *f, int ch)
{
	int *back, page;

	if (u->pane_focus == 0 || f->replay)
		return false;
	back = &u->pane_back[u->pane_focus - 1];
	page = u->pane_rows > 1 ? u->pane_rows - 1 : 1;
	switch (ch) {
	case 'y':
		*back += 1;
		break;
	case 'j':
	case 'e':
		*back -= 1;
		break;
	case 'b':
		*back += page;
		break;
	case 'f':
		*back -= page;
		break;
	case 'u':
		*back += page / 2 > 0 ? page / 2 : 1;
		break;
	case 'd':
		*back -= page / 2 > 0 ? page / 2 : 1;
		break;
	case 'g':
		*back = 1 << 30; /* drawing clamps it to the oldest line */
		break;
	case 'G':
		*back = 0;
		break;
	default:
		return false;
	}
	if (*back < 0)
		*back = 0;
	return true;
}

/* Stage control asks before it signals anything. */
static void
ui_ask(struct ui *u, const struct ui_frame *f, int key)
{
	const struct snap_proc *p = f->snap != NULL ?
	    snapshot_find_proc(f->snap, u->selected) : NULL;
	char text[200];

	if (!f->control) {
		ui_note(u, f->replay ? "a replay cannot signal anything" :
		    f->attached ? "pipeviz never signals an attached pipeline" :
		    "the pipeline has ended");
		return;
	}
	switch (key) {
	case 'S':
		u->confirm = UI_STOP_ALL;
		snprintf(text, sizeof text, "stop the whole pipeline (SIGSTOP)? y/n");
		break;
	case 'C':
		u->confirm = UI_CONTINUE_ALL;
		snprintf(text, sizeof text, "continue the whole pipeline (SIGCONT)? "
		    "y/n");
		break;
	default:
		if (p == NULL || p->exit.exited) {
			ui_note(u, "select a running process first");
			return;
		}
		u->confirm = key == 's' ? UI_STOP : key == 'c' ? UI_CONTINUE :
		    UI_TERMINATE;
		snprintf(text, sizeof text, "%s %s (pid %d) with %s? y/n",
		    key == 's' ? "stop" : key == 'c' ? "continue" : "terminate",
		    p->comm, (int)p->pid, key == 's' ? "SIGSTOP" : key == 'c' ?
		    "SIGCONT" : "SIGTERM");
		break;
	}
	ui_note(u, text);
}

enum ui_action
ui_input(struct ui *u, const struct ui_frame *f)
{
	enum ui_action act = UI_NONE;
	int ch;

	while ((ch = getch()) != ERR) {
		u->note[0] = '\0';
		if (u->help) {
			ui_help_key(u, ch);
			act = UI_REDRAW;
			continue;
		}
		if (ui_pane_key(u, f, ch)) {
			act = UI_REDRAW;
			continue;
		}
		if (u->confirm != UI_NONE) {
			enum ui_action asked = u->confirm;

			u->confirm = UI_NONE;
			if (ch == 'y' || ch == 'Y')
				return asked; /* the selection is what was asked about */
			ui_note(u, "cancelled");
			act = UI_REDRAW;
			continue;
		}
		switch (ch) {
		case 's':
		case 'c':
		case 'k':
		case 'S':
		case 'C':
			ui_ask(u, f, ch);
			act = UI_REDRAW;
			break;
		case ',':
		case '<':
			return UI_STEP_BACK;
		case '.':
		case '>':
			return UI_STEP_FORWARD;
		case 'g':
		case KEY_HOME:
			return UI_START;
		case 'G':
		case KEY_END:
			return UI_END;
		case 'q':
		case 'Q':
		case KEY_F(10):
			return UI_QUIT;
		case 'n':
			return UI_STEP;
		case ' ':
			act = UI_PAUSE;
			break;
		case '+':
		case '=':
			act = UI_FASTER;
			break;
		case '-':
		case '_':
			act = UI_SLOWER;
			break;
		case '\t':
		case KEY_RIGHT:
			ui_select_step(u, f->snap, 1);
			act = UI_REDRAW;
			break;
		case KEY_BTAB:
		case KEY_LEFT:
			ui_select_step(u, f->snap, -1);
			act = UI_REDRAW;
			break;
		case KEY_DOWN:
			ui_select_row(u, f->snap, 1);
			act = UI_REDRAW;
			break;
		case KEY_UP:
			ui_select_row(u, f->snap, -1);
			act = UI_REDRAW;
			break;
		case KEY_NPAGE:
			ui_page(u, f->snap, 1);
			act = UI_REDRAW;
			break;
		case KEY_PPAGE:
			ui_page(u, f->snap, -1);
			act = UI_REDRAW;
			break;
		case '\r':
		case '\n':
		case KEY_ENTER:
			u->detail = !u->detail;
			act = UI_REDRAW;
			break;
		case 'p':
			/* What waits in a pipe shows in the details: open them. */
			u->detail = true;
			return UI_PEEK;
		case 'o':
			u->show_output = !u->show_output;
			u->pane_focus = u->show_output ? 1 : u->show_log ? 2 : 0;
			act = UI_REDRAW;
			break;
		case 'l':
			u->show_log = !u->show_log;
			u->pane_focus = u->show_log ? 2 : u->show_output ? 1 : 0;
			act = UI_REDRAW;
			break;
		case 't':
			ui_history_toggle(u);
			act = UI_REDRAW;
			break;
		case '?':
		case 'h':
		case KEY_F(1):
			u->help = true;
			u->help_scroll = 0;
			act = UI_REDRAW;
			break;
		case KEY_MOUSE:
			ui_click(u, f->snap);
			act = UI_REDRAW;
			break;
		case KEY_RESIZE:
			/*
			 * resizeterm() in ui_resize() queues this key itself:
			 * calling it again here would queue another, forever.
			 */
			u->rows = LINES;
			u->cols = COLS;
			act = UI_REDRAW;
			break;
		case 12: /* ^L */
			clearok(curscr, TRUE);
			act = UI_REDRAW;
			break;
		default:
			break;
		}
	}
	return act;
}
