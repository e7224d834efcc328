/*
 * ui-internal.h - the live view's private parts, shared by ui.c (the
 * terminal and drawing), ui-keys.c (keys, mouse, selection) and
 * ui-detail.c (the detail panel's text, which needs no curses).
 */
#ifndef PIPEVIZ_UI_INTERNAL_H
#define PIPEVIZ_UI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "pipeviz/layout.h"
#include "pipeviz/snapshot.h"
#include "pipeviz/ui.h"

/* ui-detail.c: styled lines of text, no curses. */
/* A line with a style, for the detail panel and panes. */
struct ui_line {
	char text[512];
	int style;
};

struct ui_lines {
	struct ui_line *v;
	size_t n;
};

__attribute__((format(printf, 3, 4))) void ui_addf(struct ui_lines *,
    int style, const char *fmt, ...);
/* What the detail panel, width columns wide, says about p. */
void ui_detail_lines(const struct snapshot *, const struct snap_proc *p,
    const struct ui_frame *, int width, struct ui_lines *);


#ifdef NCURSES_WIDECHAR
/* ui.c: the screen.  Only files that include <curses.h> see these. */
struct ui {
	SCREEN *screen;
	FILE *in, *out;
	bool utf8, colour;
	int rows, cols;
	pid_t selected;	   /* by pid, so it survives new samples */
	int scroll;	   /* first canvas row shown */
	bool detail, help, show_output, show_log;
	char note[256];
	enum ui_action confirm; /* asked about the selection, waiting for y */
	struct layout *layout; /* the last one drawn, for keys and mouse */
	int body_top, body_rows, body_cols;
	int status_rows; /* 1, or 2 for a long diagnosis */
	int help_scroll;   /* first line of the help shown */
	/* The panes: which one the scroll keys move, and how far back. */
	int pane_focus;	   /* 0 none, 1 output, 2 log */
	int pane_back[2];  /* lines above the newest, per pane; 0 follows */
	int pane_rows;	   /* rows of text a pane showed last */
	/* The panels under the diagram (ui-history.c). */
	enum { UI_TIMELINE_AUTO, UI_TIMELINE_ON, UI_TIMELINE_OFF } timeline;
	bool timeline_shown;	/* in the last frame drawn */
	struct layout *summary_panel, *timeline_panel; /* this frame's */
	int panel_rows;		/* the rows they take, above the status line */
	/* The --all list (ui-list.c). */
	pid_t list_selected;	/* the selected row's id, -1 none */
	int list_scroll;	/* first row shown */
	char list_filter[128];	/* typed after '/' */
	bool list_editing;
};


attr_t ui_attr(const struct ui *, int style);
int ui_put(struct ui *, int y, int x, const char *text, int max, attr_t attr);
int ui_put_cut(struct ui *, int y, int x, const char *text, int max,
    attr_t attr);
/* Whether the screen is below the 40x12 the views need. */
bool ui_too_small(struct ui *);
/* Lines of the help screen. */
int ui_help_count(void);
void ui_fill(struct ui *, int y, int x, int w, attr_t attr);
size_t ui_wrap_at(const char *text, int cols);
const struct snap_proc *ui_selected_proc(const struct ui *,
    const struct snapshot *);
const struct layout_hit *ui_hit_of(const struct ui *, const struct snapshot *,
    pid_t);

/*
 * ui-history.c: the rows the summary and timeline panels take of the
 * body's (made for this frame; call after the diagram's layout), then
 * drawing them above the status line; t; freeing them.
 */
int ui_history_rows(struct ui *, const struct ui_frame *, int body_rows);
void ui_history_draw(struct ui *);
/*
 * The sparkline under an edge of the diagram (layout_opts.spark): the
 * channel's last UI_SPARK_SECONDS per cell from the frame's history.
 */
struct ui_spark {
	const struct ui_frame *f;
	bool utf8;
};
#define UI_SPARK_SECONDS 2.0
void ui_history_spark(void *arg, struct layout *, int x, int y,
    uint64_t inode, int n);
void ui_history_toggle(struct ui *);
void ui_history_close(struct ui *);
#endif

#endif
