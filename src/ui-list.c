/* ui-list.c - `pipeviz --all`: the list of the machine's pipelines. */
#define NCURSES_WIDECHAR 1

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeviz/sanitize.h"
#include "pipeviz/util.h"
#include "ui-internal.h"

/* Rows below the list: the selected pipeline's diagnosis, the key bar. */
#define UI_LIST_FOOT 3

static int
ui_list_style(const char *health)
{
	if (strcmp(health, "stuck") == 0)
		return LAYOUT_BLOCKED;
	if (strcmp(health, "slow") == 0)
		return LAYOUT_EDGE_FULL;
	if (strcmp(health, "idle") == 0)
		return LAYOUT_WAITING;
	return LAYOUT_RUNNING;
}

/* The selected row's index in f, after the rows moved; -1 if none. */
static long
ui_list_index(struct ui *u, const struct ui_list_frame *f)
{
	for (size_t i = 0; i < f->nrows; i++) {
		if (f->rows[i].id == u->list_selected)
			return (long)i;
	}
	if (f->nrows == 0)
		return -1;
	/* Gone or filtered out: the first row. */
	u->list_selected = f->rows[0].id;
	return 0;
}

static void
ui_list_row(struct ui *u, int y, const struct ui_list_row *r, bool selected)
{
	char age[16], rate[24], b[16], cells[64];
	attr_t base = selected ? A_REVERSE : A_NORMAL;
	int x = 0;

	util_format_age(age, sizeof age, r->since);
	if (r->rate_bps < 0)
		snprintf(rate, sizeof rate, "-");
	else
		snprintf(rate, sizeof rate, "%s/s",
		    util_format_bytes(b, sizeof b, r->rate_bps));
	ui_fill(u, y, 0, u->cols, base);
	x += ui_put(u, y, x, " ", 1, base);
	ui_put(u, y, x, r->health, 6, base | A_BOLD |
	    (selected ? 0 : ui_attr(u, ui_list_style(r->health))));
	x += 7;
	snprintf(cells, sizeof cells, "%4zu %7s %9s ", r->nprocs, age, rate);
	x += ui_put(u, y, x, cells, u->cols - x, base);
	/* Another user's pipeline: its owner's name stands out. */
	if (u->cols >= 60) {
		ui_put(u, y, x, r->user, 9, base |
		    (r->others && !selected ? ui_attr(u, LAYOUT_STOPPED) : 0));
		x += 10;
	}
	if (ui_put(u, y, x, r->command, u->cols - x - 1, base) ==
	    u->cols - x - 1 && (int)sanitize_width(r->command) > u->cols - x - 1)
		ui_put(u, y, u->cols - 2, u->utf8 ? "…" : ">", 1, base);
}

static void
ui_list_foot(struct ui *u, const struct ui_list_frame *f, long sel)
{
	int y = u->rows - UI_LIST_FOOT;
	const char *why = sel >= 0 ? f->rows[sel].why : NULL;
	const char *keys = u->cols >= 64 ?
	    " Enter open  / filter  ↑↓ select  q quit  ? help" :
	    " Enter open  / filter  q quit";
	char text[600];

	ui_fill(u, y, 0, u->cols, A_NORMAL);
	ui_fill(u, y + 1, 0, u->cols, A_NORMAL);
	if (u->note[0] != '\0')
		snprintf(text, sizeof text, "%s", u->note);
	else if (why != NULL)
		snprintf(text, sizeof text, "%s", why);
	else if (sel >= 0)
		snprintf(text, sizeof text, "no diagnosis: %s",
		    strcmp(f->rows[sel].health, "idle") == 0 ?
		    "every stage waits for input" : "data flows");
	else
		text[0] = '\0';
	/* Two rows of it, cut where a word ends. */
	size_t first = ui_wrap_at(text, u->cols - 2);
	ui_put(u, y, 1, text, (int)first, ui_attr(u, why != NULL ?
	    ui_list_style(f->rows[sel].health) : LAYOUT_DIM));
	ui_put(u, y + 1, 1, text + first, u->cols - 2, ui_attr(u, why != NULL ?
	    ui_list_style(f->rows[sel].health) : LAYOUT_DIM));

	ui_fill(u, u->rows - 1, 0, u->cols, A_REVERSE);
	if (u->list_editing || u->list_filter[0] != '\0') {
		snprintf(text, sizeof text, " filter: %s%s", u->list_filter,
		    u->list_editing ? "_   (Enter keeps it, Esc clears it)" : "");
		ui_put(u, u->rows - 1, 0, text, u->cols, A_REVERSE | A_BOLD);
	} else
		ui_put(u, u->rows - 1, 0, u->utf8 ? keys :
		    " Enter open  / filter  up/down select  q quit", u->cols,
		    A_REVERSE);
}

static void
ui_list_help(struct ui *u)
{
	static const char *const lines[] = {
		"pipeviz --all: every pipeline you may inspect",
		"",
		"Enter    open the selected pipeline's live view",
		"         (q there comes back to this list)",
		"Up Down  select       PgUp PgDn  a page",
		"/        filter by command (Esc clears it)",
		"q F10    quit         ? F1       this help",
		"",
		"stuck: a deadlock, or a wait that lasted with",
		"       no progress (blocked writer, EOF held,",
		"       a stopped job)",
		"slow:  a bottleneck holds the others back",
		"idle:  every stage waits for input",
		"ok:    data flows",
		"",
		"Any key closes this help.",
	};
	int n = (int)(sizeof lines / sizeof lines[0]);
	int w = 52 < u->cols - 2 ? 52 : u->cols - 2;
	int h = n + 2 < u->rows - 2 ? n + 2 : u->rows - 2;
	int y0 = (u->rows - h) / 2, x0 = (u->cols - w) / 2;

	for (int y = 0; y < h; y++)
		ui_fill(u, y0 + y, x0, w, A_REVERSE);
	for (int i = 0; i < n && i < h - 2; i++)
		ui_put(u, y0 + 1 + i, x0 + 2, lines[i], w - 4, A_REVERSE);
}

void
ui_list_draw(struct ui *u, const struct ui_list_frame *f)
{
	long sel = ui_list_index(u, f);
	int body = u->rows - 2 - UI_LIST_FOOT;
	char right[96], cells[96];
	int x;

	erase();
	ui_fill(u, 0, 0, u->cols, A_REVERSE);
	snprintf(right, sizeof right, "%zu of %zu pipelines  every %.1fs ",
	    f->nrows, f->total, f->interval_ms / 1000.0);
	ui_put(u, 0, 0, " pipeviz  every pipeline on this machine",
	    u->cols - (int)strlen(right) - 1, A_REVERSE | A_BOLD);
	ui_put(u, 0, u->cols - (int)strlen(right), right, (int)strlen(right),
	    A_REVERSE);
	snprintf(cells, sizeof cells, " %-7s%4s %7s %9s %s", "HEALTH", "PROC",
	    "AGE", "RATE", u->cols >= 60 ? "USER      COMMAND" : "COMMAND");
	x = ui_put(u, 1, 0, cells, u->cols, ui_attr(u, LAYOUT_HEADING) | A_BOLD);
	(void)x;

	if (sel >= 0) {
		if (sel < u->list_scroll)
			u->list_scroll = (int)sel;
		if (sel >= u->list_scroll + body)
			u->list_scroll = (int)sel - body + 1;
	}
	if (u->list_scroll > 0 && (size_t)u->list_scroll + body > f->nrows)
		u->list_scroll = f->nrows > (size_t)body ?
		    (int)f->nrows - body : 0;
	for (int i = 0; i < body && (size_t)(u->list_scroll + i) < f->nrows; i++)
		ui_list_row(u, 2 + i, &f->rows[u->list_scroll + i],
		    u->list_scroll + i == sel);
	if (f->nrows == 0)
		ui_put(u, 3, 2, f->total > 0 ? "No pipeline's command holds "
		    "the filter." : "No pipelines: no processes you may inspect "
		    "are joined by pipes, FIFOs or sockets.", u->cols - 4,
		    ui_attr(u, LAYOUT_DIM));
	ui_list_foot(u, f, sel);
	if (u->help)
		ui_list_help(u);
	wnoutrefresh(stdscr);
	doupdate();
}

/* A key while the filter is being typed. */
static enum ui_list_action
ui_list_edit(struct ui *u, int ch)
{
	size_t n = strlen(u->list_filter);

	switch (ch) {
	case 27: /* Esc */
		u->list_filter[0] = '\0';
		u->list_editing = false;
		return UI_LIST_FILTER;
	case '\r':
	case '\n':
	case KEY_ENTER:
		u->list_editing = false;
		return UI_LIST_REDRAW;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (n > 0)
			u->list_filter[n - 1] = '\0';
		return UI_LIST_FILTER;
	default:
		if (ch >= 0x20 && ch < 0x7f && n + 1 < sizeof u->list_filter) {
			u->list_filter[n] = (char)ch;
			u->list_filter[n + 1] = '\0';
			return UI_LIST_FILTER;
		}
		return UI_LIST_NONE;
	}
}

enum ui_list_action
ui_list_input(struct ui *u, const struct ui_list_frame *f)
{
	enum ui_list_action act = UI_LIST_NONE;
	int body = u->rows - 2 - UI_LIST_FOOT;
	long sel = ui_list_index(u, f), to = sel;
	int ch;

	while ((ch = getch()) != ERR) {
		u->note[0] = '\0';
		if (u->help) {
			u->help = false;
			act = UI_LIST_REDRAW;
			continue;
		}
		if (u->list_editing) {
			enum ui_list_action a = ui_list_edit(u, ch);

			if (a != UI_LIST_NONE)
				act = a;
			continue;
		}
		switch (ch) {
		case 'q':
		case KEY_F(10):
			return UI_LIST_QUIT;
		case '\r':
		case '\n':
		case KEY_ENTER:
			return sel >= 0 ? UI_LIST_OPEN : act;
		case '/':
			u->list_editing = true;
			act = UI_LIST_REDRAW;
			break;
		case 27:
			if (u->list_filter[0] != '\0') {
				u->list_filter[0] = '\0';
				act = UI_LIST_FILTER;
			}
			break;
		case '?':
		case 'h':
		case KEY_F(1):
			u->help = true;
			act = UI_LIST_REDRAW;
			break;
		case KEY_UP:
		case 'k':
			to--;
			break;
		case KEY_DOWN:
		case 'j':
			to++;
			break;
		case KEY_PPAGE:
			to -= body;
			break;
		case KEY_NPAGE:
			to += body;
			break;
		case KEY_HOME:
		case 'g':
			to = 0;
			break;
		case KEY_END:
		case 'G':
			to = (long)f->nrows - 1;
			break;
		case 12: /* ^L */
			clearok(curscr, TRUE);
			act = UI_LIST_REDRAW;
			break;
		default:
			break;
		}
		/* At once, so that Enter after it opens the row moved to. */
		if (f->nrows > 0 && to != sel) {
			to = to < 0 ? 0 : to >= (long)f->nrows ?
			    (long)f->nrows - 1 : to;
			u->list_selected = f->rows[to].id;
			sel = to;
			act = UI_LIST_REDRAW;
		}
	}
	return act;
}

pid_t
ui_list_selected(const struct ui *u)
{
	return u->list_selected;
}

const char *
ui_list_filter(const struct ui *u)
{
	return u->list_filter;
}
