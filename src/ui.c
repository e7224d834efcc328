/* ui.c - the live view: curses on /dev/tty, drawing a layout and panels. */
#define NCURSES_WIDECHAR 1

#include "pipeviz/ui.h"

#include <curses.h>
#include <term.h>
/* term.h names capabilities as macros; these clash with plain words. */
#undef lines
#undef columns
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#include "pipeviz/diagnose.h"
#include "pipeviz/layout.h"
#include "pipeviz/procparse.h"
#include "pipeviz/sanitize.h"
#include "pipeviz/util.h"
#include "ui-internal.h"

#define UI_MIN_COLS 40
#define UI_MIN_ROWS 12

/* Colour and attribute of each layout style, in one table. */
static const struct {
	short fg;
	attr_t attr;
} ui_styles[LAYOUT_STYLES] = {
	[LAYOUT_NORMAL] = { -1, A_NORMAL },
	[LAYOUT_DIM] = { -1, A_DIM },
	[LAYOUT_NAME] = { -1, A_BOLD },
	[LAYOUT_EDGE] = { COLOR_BLUE, A_NORMAL },
	[LAYOUT_EDGE_FULL] = { COLOR_RED, A_BOLD },
	[LAYOUT_BLOCKED] = { COLOR_RED, A_BOLD | A_REVERSE },
	[LAYOUT_WAITING] = { COLOR_CYAN, A_NORMAL },
	[LAYOUT_RUNNING] = { COLOR_GREEN, A_BOLD },
	[LAYOUT_STOPPED] = { COLOR_YELLOW, A_BOLD | A_REVERSE },
	[LAYOUT_EXITED] = { -1, A_DIM },
	[LAYOUT_FAILED] = { COLOR_RED, A_NORMAL },
	[LAYOUT_HEADING] = { -1, A_BOLD | A_UNDERLINE },
};

static struct ui *ui_current; /* for ui_emergency_restore() */

attr_t
ui_attr(const struct ui *u, int style)
{
	attr_t a = ui_styles[style].attr;

	if (u->colour && ui_styles[style].fg != -1)
		a |= COLOR_PAIR(style + 1);
	/* Without colour, emphasis must carry the meaning alone. */
	if (!u->colour && style == LAYOUT_EDGE_FULL)
		a |= A_REVERSE;
	return a;
}

struct ui *
ui_open(bool utf8, bool colour, char **err, bool *fatal)
{
	const char *term = getenv("TERM");
	struct ui *u;
	int fd, fd2, errret;

	*err = NULL;
	*fatal = false;
	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)) == -1) {
		*err = xasprintf("no terminal (%s)", strerror(errno));
		return NULL;
	}
	if (term != NULL && strcmp(term, "dumb") == 0) {
		close(fd);
		*err = xstrdup("TERM is dumb");
		return NULL;
	}
	*fatal = true;
	if (term == NULL || *term == '\0') {
		close(fd);
		*err = xstrdup("TERM is not set; set it to your terminal's type "
		    "(e.g. xterm-256color) or use --text");
		return NULL;
	}
	/* Ask terminfo first: newterm() may print its own complaint. */
	if (setupterm(term, fd, &errret) != OK) {
		close(fd);
		*err = xasprintf("unknown terminal type '%s' (TERM); use --text "
		    "or set TERM", term);
		return NULL;
	}
	del_curterm(cur_term);
	if ((fd2 = fcntl(fd, F_DUPFD_CLOEXEC, 3)) == -1) {
		close(fd);
		*err = xasprintf("no terminal: %s", strerror(errno));
		return NULL;
	}
	u = xcalloc(1, sizeof *u);
	u->in = fdopen(fd, "r");
	u->out = fdopen(fd2, "w");
	if (u->in == NULL || u->out == NULL ||
	    (u->screen = newterm(term, u->out, u->in)) == NULL) {
		*err = xasprintf("unknown terminal type '%s' (TERM); use --text "
		    "or set TERM", term);
		if (u->in != NULL)
			fclose(u->in);
		if (u->out != NULL)
			fclose(u->out);
		free(u);
		return NULL;
	}
	set_term(u->screen);
	ui_current = u;
	if (COLS < UI_MIN_COLS || LINES < UI_MIN_ROWS) {
		*err = xasprintf("the terminal is %dx%d; the live view needs at "
		    "least %dx%d (or use --text)", COLS, LINES, UI_MIN_COLS,
		    UI_MIN_ROWS);
		ui_close(u);
		return NULL;
	}
	u->utf8 = utf8;
	u->colour = colour && has_colors();
	u->selected = -1;
	u->list_selected = -1;
	/* Esc alone is a key (closing help, clearing a filter): as htop. */
	set_escdelay(25);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED, NULL);
	mouseinterval(0);
	if (u->colour) {
		start_color();
		use_default_colors();
		for (int i = 0; i < LAYOUT_STYLES; i++)
			init_pair((short)(i + 1), ui_styles[i].fg, -1);
	}
	u->rows = LINES;
	u->cols = COLS;
	return u;
}

void
ui_close(struct ui *u)
{
	if (u == NULL)
		return;
	layout_free(u->layout);
	ui_history_close(u);
	endwin();
	delscreen(u->screen);
	fclose(u->in);
	fclose(u->out);
	if (ui_current == u)
		ui_current = NULL;
	free(u);
}

void
ui_emergency_restore(void)
{
	if (ui_current != NULL)
		endwin();
}

int
ui_input_fd(const struct ui *u)
{
	return fileno(u->in);
}

void
ui_resize(struct ui *u)
{
	struct winsize ws;

	if (ioctl(fileno(u->out), TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	u->rows = LINES;
	u->cols = COLS;
	clearok(curscr, TRUE);
}

void
ui_note(struct ui *u, const char *text)
{
	snprintf(u->note, sizeof u->note, "%s", text);
}

pid_t
ui_selected(const struct ui *u)
{
	return u->selected;
}

/* ---- drawing helpers ---------------------------------------------- */

/*
 * Put text at (y, x), at most max cells; returns cells used.  Everything
 * drawn comes here, sanitized on the way (sanitize.h): names, paths,
 * messages and replayed traces may hold any byte.
 */
int
ui_put(struct ui *u, int y, int x, const char *text, int max, attr_t attr)
{
	int n = 0;

	while (*text != '\0' && n < max && x + n < u->cols) {
		uint32_t c[SANITIZE_MAX];
		int k = sanitize_next(&text, c);

		for (int i = 0; i < k && n < max && x + n < u->cols; i++, n++) {
			/* A terminal that is not UTF-8 gets ASCII only. */
			wchar_t ws[2] = { !u->utf8 && c[i] >= 0x80 ? '?' :
			    (wchar_t)c[i], 0 };
			cchar_t cc;

			/* The pair goes in its own argument: 0 there would clear it. */
			setcchar(&cc, ws, attr & ~A_COLOR, (short)PAIR_NUMBER(attr),
			    NULL);
			mvadd_wch(y, x + n, &cc);
		}
	}
	return n;
}

void
ui_fill(struct ui *u, int y, int x, int w, attr_t attr)
{
	for (int i = 0; i < w && x + i < u->cols; i++)
		mvaddch(y, x + i, ' ' | attr);
}

/*
 * ui_put(), and where text does not fit in max cells, its first max - 1
 * and an ellipsis: a cut is never silent.  Returns cells used.
 */
int
ui_put_cut(struct ui *u, int y, int x, const char *text, int max, attr_t attr)
{
	if (max <= 0)
		return 0;
	if ((int)sanitize_width(text) <= max)
		return ui_put(u, y, x, text, max, attr);
	ui_put(u, y, x, text, max - 1, attr);
	ui_put(u, y, x + max - 1, u->utf8 ? "\u2026" : ">", 1, attr);
	return max;
}

/* ---- the parts of the screen -------------------------------------- */

/* Whether every live process of s is stopped (S, a debugger, ^Z). */
static bool
ui_all_stopped(const struct snapshot *s)
{
	size_t live = 0;

	for (size_t i = 0; i < s->nprocs; i++) {
		if (snapshot_proc_gone(&s->procs[i]))
			continue;
		if (s->procs[i].state != 'T' && s->procs[i].state != 't')
			return false;
		live++;
	}
	return live > 0;
}

const struct snap_proc *
ui_selected_proc(const struct ui *u, const struct snapshot *s)
{
	return u->selected > 0 ? snapshot_find_proc(s, u->selected) : NULL;
}

static void
ui_draw_title(struct ui *u, const struct ui_frame *f)
{
	char right[128], left[512], every[32] = "";
	attr_t bar = A_REVERSE;
	const char *word;
	int rw;

	ui_fill(u, 0, 0, u->cols, bar);
	snprintf(left, sizeof left, " pipeviz  %s", f->command);
	/* The pace is worth its room only where there is room. */
	if (u->cols >= 64)
		snprintf(every, sizeof every, "every %d ms  ", f->interval_ms);
	word = f->paused ? "PAUSED" : f->step_wait ? "FROZEN (n: one step)" :
	    ui_all_stopped(f->snap) ? "all stopped" :
	    f->attached ? "attached" : "running";
	if (f->replay)
		snprintf(right, sizeof right, "replay %zu/%zu  t=%.1fs  %gx  %s ",
		    f->replay_pos + 1, f->replay_len, f->snap->t, f->replay_speed,
		    f->paused ? "PAUSED" : "playing");
	else if (f->over && f->attached)
		snprintf(right, sizeof right, "%.1fs  ended ", f->elapsed);
	else if (f->over)
		snprintf(right, sizeof right, "%.1fs  ended, exit %d ",
		    f->elapsed, f->status);
	else
		snprintf(right, sizeof right, "%.1fs  %s%s%s%s ", f->elapsed,
		    every, f->observe_word != NULL ? f->observe_word : "",
		    f->observe_word != NULL ? "  " : "", word);
	rw = (int)strlen(right);
	/* Two blanks at least between the command and the clock. */
	ui_put_cut(u, 0, 0, left, u->cols - rw - 2, bar | A_BOLD);
	ui_put(u, 0, u->cols - rw, right, rw, bar);
}

/* What the status line says, and how; returns the style. */
static int
ui_status_text(const struct ui *u, const struct ui_frame *f, char *text,
    size_t size)
{
	const struct snap_diag *d = f->snap != NULL ? diagnose_top(f->snap) :
	    NULL;

	text[0] = '\0';
	if (u->note[0] != '\0')
		snprintf(text, size, "%s", u->note);
	else if (d != NULL) {
		snprintf(text, size, "%s: %s", d->kind, d->message);
		return strcmp(d->kind, "sigpipe") == 0 ||
		    strcmp(d->kind, "starved_reader") == 0 ? LAYOUT_WAITING :
		    LAYOUT_EDGE_FULL;
	} else if (f->over && f->stage_exits != NULL)
		snprintf(text, size, "pipeline ended: %s", f->stage_exits);
	return LAYOUT_NORMAL;
}

/*
 * Bytes of text that fit in cols cells as ui_put() shows them, ending at
 * a blank when one is near; never inside a character.
 */
size_t
ui_wrap_at(const char *text, int cols)
{
	const char *p = text;
	size_t cut = 0;
	int cells = 0;

	while (*p != '\0') {
		const char *next = p;
		uint32_t c[SANITIZE_MAX];
		int k = sanitize_next(&next, c);

		if (cells + k > cols && cells > 0)
			break;
		if (*p == ' ')
			cut = (size_t)(p - text);
		cells += k;
		p = next;
	}
	if (*p == '\0')
		return (size_t)(p - text);
	return cut > 0 && cut > (size_t)(p - text) / 2 ? cut + 1 :
	    (size_t)(p - text);
}

/* The status line takes a second row when its message needs one. */
static int
ui_status_rows(const struct ui *u, const struct ui_frame *f)
{
	char text[600];
	size_t first;

	ui_status_text(u, f, text, sizeof text);
	first = ui_wrap_at(text, u->cols - 2);
	return text[first] != '\0' && u->rows >= 16 ? 2 : 1;
}

static void
ui_draw_status(struct ui *u, const struct ui_frame *f, int rows)
{
	char text[600];
	int style = ui_status_text(u, f, text, sizeof text);
	const char *p = text;

	for (int r = 0; r < rows; r++) {
		int y = u->rows - 1 - rows + r;
		size_t n = r + 1 < rows ? ui_wrap_at(p, u->cols - 2) : strlen(p);
		char line[600];

		snprintf(line, sizeof line, "%.*s", (int)n, p);
		ui_fill(u, y, 0, u->cols, A_NORMAL);
		ui_put_cut(u, y, 1, line, u->cols - 2, ui_attr(u, style));
		p += n;
	}
}

/*
 * The key bar: as many keys as fit, most useful first, and "? help"
 * always at its end, so that every key can be found at any width.
 */
static void
ui_draw_hints(struct ui *u, const struct ui_frame *f)
{
	static const char *const live[] = { "q quit", "\u2190\u2192\u2191\u2193 select",
		"\u23ce details", "space pause", "+/- pace", "o output",
		"l log", "t history", NULL };
	static const char *const control[] = { "q quit",
		"\u2190\u2192\u2191\u2193 select", "\u23ce details", "space pause",
		"s/c/k stop/cont/term", "S/C all", "+/- pace", "o/l panes",
		"t history", NULL };
	static const char *const replay[] = { "q quit", "space play",
		", . step", "g G start/end", "+/- speed", "\u23ce details", NULL };
	const char *const *keys = f->replay ? replay : f->control ? control : live;
	const char *help = "? help";
	char bar[256] = "";
	size_t n = 0;
	int room = u->cols - 2 - (int)strlen(help) - 2 -
	    (f->step && !f->over ? 8 : 0);

	for (size_t i = 0; keys[i] != NULL; i++) {
		const char *k = keys[i];
		char ascii[32];

		/* Arrows and the return sign have ASCII words beside them. */
		if (!u->utf8 && strstr(k, "\u2190") != NULL)
			k = "arrows select";
		else if (!u->utf8 && strstr(k, "\u23ce") != NULL) {
			snprintf(ascii, sizeof ascii, "enter%s", k + 3);
			k = ascii;
		}
		if ((int)(sanitize_width(bar) + sanitize_width(k) + 2) > room)
			break;
		n = (size_t)snprintf(bar + n, sizeof bar - n, "%s  ", k) + n;
	}
	snprintf(bar + n, sizeof bar - n, "%s", help);
	ui_fill(u, u->rows - 1, 0, u->cols, A_REVERSE);
	/* --step: its key first, where it cannot be cut off. */
	if (f->step && !f->over) {
		ui_put(u, u->rows - 1, 1, "n step", 6, A_REVERSE | A_BOLD);
		ui_put(u, u->rows - 1, 9, bar, u->cols - 10, A_REVERSE);
	} else
		ui_put(u, u->rows - 1, 1, bar, u->cols - 2, A_REVERSE);
}

static void
ui_draw_lines(struct ui *u, const struct ui_lines *ls, int top, int left,
    int rows, int cols, size_t first)
{
	size_t i = first;
	const char *p = i < ls->n ? ls->v[i].text : NULL;

	for (int r = 0; r < rows; r++) {
		int indent;
		size_t n;

		ui_fill(u, top + r, left, cols, A_NORMAL);
		if (p == NULL)
			continue;
		indent = p == ls->v[i].text ? 1 : 3;
		n = ui_wrap_at(p, cols - 1 - indent);
		{
			char line[600];

			snprintf(line, sizeof line, "%.*s", (int)n, p);
			ui_put(u, top + r, left + indent, line, cols - 1 - indent,
			    ui_attr(u, ls->v[i].style));
		}
		p += n;
		if (*p == '\0')
			p = ++i < ls->n ? ls->v[i].text : NULL;
	}
}

static void
ui_draw_box(struct ui *u, int top, int left, int rows, int cols,
    const char *title)
{
	attr_t a = ui_attr(u, LAYOUT_DIM);

	for (int x = left; x < left + cols; x++)
		ui_put(u, top, x, u->utf8 ? "\u2500" : "-", 1, a);
	ui_put(u, top, left + 2, title, cols - 4, ui_attr(u, LAYOUT_HEADING));
	(void)rows;
}

static void
ui_draw_textlog(struct ui *u, const struct textlog *t, int top, int rows,
    const char *title, const struct ui_frame *f, int which)
{
	struct ui_lines ls = { 0 };
	size_t first, back;
	char head[160];

	snprintf(head, sizeof head, "%s%s", title, u->pane_back[which] > 0 ?
	    "  [scrolled back: G follows]" : u->pane_focus == which + 1 ?
	    "  [j y f b scroll]" : "");
	ui_draw_box(u, top, 0, rows, u->cols, head);
	for (size_t i = 0; t != NULL && i < t->nlines; i++) {
		const char *tag = t->lines[i].tag >= 0 &&
		    (size_t)t->lines[i].tag < f->nstages ?
		    f->stage_names[t->lines[i].tag] : NULL;

		if (tag != NULL)
			ui_addf(&ls, LAYOUT_NORMAL, "[%s] %s", tag, t->lines[i].text);
		else
			ui_addf(&ls, LAYOUT_NORMAL, "%s", t->lines[i].text);
	}
	if (t != NULL && t->partial != NULL)
		ui_addf(&ls, LAYOUT_NORMAL, "%s", t->partial);
	/* The newest lines, or as far back as the pane was scrolled. */
	first = ls.n > (size_t)(rows - 1) ? ls.n - (size_t)(rows - 1) : 0;
	back = (size_t)u->pane_back[which] < first ? (size_t)u->pane_back[which] :
	    first;
	u->pane_back[which] = (int)back;
	u->pane_rows = rows - 1;
	ui_draw_lines(u, &ls, top + 1, 0, rows - 1, u->cols, first - back);
	free(ls.v);
}

const struct layout_hit *
ui_hit_of(const struct ui *u, const struct snapshot *s, pid_t pid)
{
	for (size_t i = 0; u->layout != NULL && i < u->layout->nhits; i++) {
		if (s->procs[u->layout->hits[i].proc].pid == pid)
			return &u->layout->hits[i];
	}
	return NULL;
}

static void
ui_draw_body(struct ui *u, const struct ui_frame *f)
{
	const struct snapshot *s = f->snap;
	struct ui_spark spark = { f, u->utf8 };
	struct layout_opts o = { .utf8 = u->utf8,
	    .output_pipe = f->output_pipe, .spark = ui_history_spark,
	    .spark_arg = &spark };
	const struct layout_hit *sel;
	int panes = (u->show_output ? 1 : 0) + (u->show_log ? 1 : 0);
	int pane_rows = 0, detail_cols = 0, detail_rows = 0;

	u->body_top = 1;
	u->body_rows = u->rows - 2 - u->status_rows;
	u->body_cols = u->cols;
	if (panes > 0) {
		pane_rows = u->body_rows / 3 < 4 ? 4 : u->body_rows / 3;
		u->body_rows -= pane_rows * panes;
	}
	if (u->detail && ui_selected_proc(u, s) != NULL) {
		if (u->cols >= 100) {
			detail_cols = u->cols * 2 / 5;
			u->body_cols -= detail_cols;
		} else {
			detail_rows = u->body_rows / 2;
			u->body_rows -= detail_rows;
		}
	}
	o.width = u->body_cols - 1;
	o.compact = o.width < 70;
	layout_free(u->layout);
	u->layout = layout_build(s, &o);
	/* The summary and timeline panels take rows at the bottom. */
	u->body_rows -= ui_history_rows(u, f, u->body_rows);
	/* A selection that left the picture moves to the first process. */
	if (ui_hit_of(u, s, u->selected) == NULL && u->layout->nhits > 0)
		u->selected = s->procs[u->layout->hits[0].proc].pid;
	sel = ui_hit_of(u, s, u->selected);
	if (sel != NULL) {
		if (sel->y < u->scroll)
			u->scroll = sel->y > 0 ? sel->y - 1 : 0;
		if (sel->y + 2 > u->scroll + u->body_rows)
			u->scroll = sel->y + 2 - u->body_rows;
	}
	if (u->scroll > u->layout->height - 1)
		u->scroll = u->layout->height > 0 ? u->layout->height - 1 : 0;
	if (u->scroll < 0)
		u->scroll = 0;
	for (int r = 0; r < u->body_rows; r++) {
		int cy = u->scroll + r;

		ui_fill(u, u->body_top + r, 0, u->body_cols, A_NORMAL);
		if (cy >= u->layout->height)
			continue;
		for (int x = 0; x < u->layout->width && x + 1 < u->body_cols; x++) {
			const struct layout_cell *cell =
			    &u->layout->cells[cy * u->layout->width + x];
			attr_t a = ui_attr(u, cell->style);
			wchar_t ws[2] = { !u->utf8 && cell->ch >= 0x80 ? '?' :
			    (wchar_t)cell->ch, 0 };
			cchar_t cc;

			if (sel != NULL && cy == sel->y && x >= sel->x &&
			    x < sel->x + sel->w)
				a = (a & ~A_DIM) | A_REVERSE | A_BOLD;
			setcchar(&cc, ws, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL);
			mvadd_wch(u->body_top + r, x + 1, &cc);
		}
	}
	/* Say that there is more above or below. */
	if (u->scroll > 0)
		ui_put(u, u->body_top, u->body_cols - 3, u->utf8 ? "\u25b2" : "^", 1,
		    A_BOLD);
	if (u->scroll + u->body_rows < u->layout->height)
		ui_put(u, u->body_top + u->body_rows - 1, u->body_cols - 3,
		    u->utf8 ? "\u25bc" : "v", 1, A_BOLD);

	if (detail_cols > 0 || detail_rows > 0) {
		struct ui_lines ls = { 0 };
		const struct snap_proc *p = ui_selected_proc(u, s);

		ui_detail_lines(s, p, f, detail_cols > 0 ? detail_cols - 1 : u->cols,
		    &ls);
		if (detail_cols > 0) {
			for (int r = 0; r < u->body_rows; r++)
				ui_put(u, u->body_top + r, u->body_cols, u->utf8 ?
				    "\u2502" : "|", 1, ui_attr(u, LAYOUT_DIM));
			ui_draw_lines(u, &ls, u->body_top, u->body_cols + 1,
			    u->body_rows, detail_cols - 1, 0);
		} else {
			ui_draw_box(u, u->body_top + u->body_rows, 0, detail_rows,
			    u->cols, "details");
			ui_draw_lines(u, &ls, u->body_top + u->body_rows + 1, 0,
			    detail_rows - 1, u->cols, 0);
		}
		free(ls.v);
	}
	int top = u->body_top + u->body_rows + detail_rows;
	if (u->show_output) {
		ui_draw_textlog(u, f->output, top, pane_rows,
		    f->output != NULL ? "output (last stage's stdout)" :
		    "output: not captured (stdout is not the terminal)", f, 0);
		top += pane_rows;
	}
	if (u->show_log)
		ui_draw_textlog(u, f->log, top, pane_rows, f->log != NULL ?
		    "log (stages' stderr)" : "log: not captured", f, 1);
}

static const char *const ui_help_lines[] = {
	"q F10        quit (a launched pipeline is ended; an",
	"             attached one is left alone)",
	"arrows, Tab  select a process (mouse: click)",
	"Enter        details of the selected process",
	"PgUp PgDn    scroll the diagram (the selection follows)",
	"space        pause or resume sampling",
	"+ / -        sample faster / slower",
	"t            history: the last minute per process, pipe",
	"o / l        the output / stderr pane; in it,",
	"             j y line, f b page, d u half, g G ends",
	"p            peek: what waits in each pipe (details)",
	"s / c / k    stop / continue / terminate the selected",
	"             process (asks first; launched pipelines)",
	"S / C        stop / continue the whole pipeline",
	"n            --step: run the pipeline one interval",
	"replay:      , . step  g G start/end  +/- speed",
	"? F1         this help",
	"",
	"Esc or any other key closes it; arrows scroll it.",
};

int
ui_help_count(void)
{
	return (int)(sizeof ui_help_lines / sizeof ui_help_lines[0]);
}

/*
 * The keys, in a frame over the view: centred, as wide as the lines or
 * the screen, scrolled (arrows, PgUp/PgDn) where the screen is too short.
 */
static void
ui_draw_help(struct ui *u)
{
	const char *const *lines = ui_help_lines;
	int n = ui_help_count(), w = 60 < u->cols - 2 ? 60 : u->cols - 2;
	int h = n + 2 < u->rows - 2 ? n + 2 : u->rows - 2;
	int top = (u->rows - h) / 2, left = (u->cols - w) / 2, shown = h - 2;
	attr_t box = A_REVERSE;
	const char *hz = u->utf8 ? "\u2500" : "-", *vt = u->utf8 ? "\u2502" : "|";

	if (u->help_scroll > n - shown)
		u->help_scroll = n - shown;
	if (u->help_scroll < 0)
		u->help_scroll = 0;
	for (int y = 0; y < h; y++) {
		ui_fill(u, top + y, left, w, box);
		ui_put(u, top + y, left, y == 0 ? (u->utf8 ? "\u250c" : "+") :
		    y == h - 1 ? (u->utf8 ? "\u2514" : "+") : vt, 1, box);
		ui_put(u, top + y, left + w - 1, y == 0 ? (u->utf8 ? "\u2510" :
		    "+") : y == h - 1 ? (u->utf8 ? "\u2518" : "+") : vt, 1, box);
		for (int x = 1; (y == 0 || y == h - 1) && x < w - 1; x++)
			ui_put(u, top + y, left + x, hz, 1, box);
	}
	ui_put(u, top, left + 2, " pipeviz keys ", w - 4, box | A_BOLD);
	for (int i = 0; i < shown; i++)
		ui_put_cut(u, top + 1 + i, left + 2, lines[u->help_scroll + i],
		    w - 4, box);
	if (u->help_scroll > 0)
		ui_put(u, top, left + w - 3, u->utf8 ? "\u25b2" : "^", 1, box);
	if (u->help_scroll + shown < n)
		ui_put(u, top + h - 1, left + w - 3, u->utf8 ? "\u25bc" : "v", 1,
		    box);
}

bool
ui_too_small(struct ui *u)
{
	char text[96];

	if (u->cols >= UI_MIN_COLS && u->rows >= UI_MIN_ROWS)
		return false;
	/* Said where there is room to say it; all of it fits in 20x3. */
	erase();
	snprintf(text, sizeof text, "terminal %dx%d:", u->cols, u->rows);
	ui_put(u, u->rows / 2 - 1, 0, text, u->cols, A_BOLD);
	snprintf(text, sizeof text, "pipeviz needs %dx%d", UI_MIN_COLS,
	    UI_MIN_ROWS);
	ui_put(u, u->rows / 2, 0, text, u->cols, A_NORMAL);
	ui_put(u, u->rows / 2 + 1, 0, "(q quits)", u->cols, A_DIM);
	refresh();
	return true;
}

void
ui_draw(struct ui *u, const struct ui_frame *f)
{
	if (f->snap == NULL || ui_too_small(u))
		return;
	erase();
	u->status_rows = ui_status_rows(u, f);
	ui_draw_title(u, f);
	ui_draw_body(u, f);
	ui_history_draw(u);
	ui_draw_status(u, f, u->status_rows);
	ui_draw_hints(u, f);
	if (u->help)
		ui_draw_help(u);
	/* One refresh a frame: curses sends only what changed, no flicker. */
	refresh();
}

/* ---- keys ------------------------------------------------------------ */

