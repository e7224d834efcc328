/*
 * ui.h - the live view: curses on the controlling terminal.
 *
 * The only module that includes <curses.h>.  It draws the layout of a
 * snapshot, a status line and a hint bar, a detail panel for the selected
 * process, and panes of captured output; it turns keys into actions for
 * the loop.  It never samples or signals anything itself.
 */
#ifndef PIPEVIZ_UI_H
#define PIPEVIZ_UI_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "pipeviz/history.h"
#include "pipeviz/snapshot.h"
#include "pipeviz/summary.h"
#include "pipeviz/textlog.h"

/* What the loop knows that the screen shows. */
struct ui_frame {
	const struct snapshot *snap;
	const char *command;
	double elapsed;
	int interval_ms;
	bool paused;
	bool attached;
	bool over;   /* the pipeline has ended */
	int status;  /* its status, when over */
	const char *stage_exits; /* "ls 0, sort SIGPIPE" when over, or NULL */
	const struct textlog *output; /* the last stage's stdout, or NULL */
	uint64_t output_pipe;	      /* the pipe it comes through, or 0 */
	/* The pipes pipeviz captures the stages' stderr through. */
	const uint64_t *log_pipes;
	size_t nlog_pipes;
	const struct textlog *log;    /* the stages' stderr, or NULL */
	const char *const *stage_names; /* for tagging log lines */
	size_t nstages;
	bool control;	/* stage control keys may signal (a launched pipeline) */
	/* How the processes are observed, when not as usual: "sampling
	 * only" without process events, "events lost"; or NULL. */
	const char *observe_word;
	/* --step: stepping at all; frozen now, waiting for n. */
	bool step, step_wait;
	/* Replay: which sample of how many, at what speed. */
	bool replay;
	size_t replay_pos, replay_len;
	double replay_speed;
	/* The timeline panel's source, and the run's summary once it ended. */
	const struct history *history;
	const struct summary *summary;
};

enum ui_action {
	UI_NONE,
	UI_QUIT,
	UI_PAUSE,  /* toggle */
	UI_FASTER, /* halve the interval */
	UI_SLOWER, /* double it */
	UI_REDRAW,
	UI_PEEK,   /* toggle peeking into the pipes */
	/* Replay. */
	UI_STEP_BACK,
	UI_STEP_FORWARD,
	UI_START,
	UI_END,
	/* Stage control, confirmed: on ui_selected(), or on the whole group. */
	UI_STOP,
	UI_CONTINUE,
	UI_TERMINATE,
	UI_STOP_ALL,
	UI_CONTINUE_ALL,
	UI_STEP,	/* --step: run the pipeline one interval */
};

struct ui;

/*
 * Take the terminal (/dev/tty).  Returns NULL with *err set (allocated)
 * when there is no usable terminal.  *fatal tells the two cases apart:
 * false when a plain-text fallback is right (no terminal, TERM=dumb),
 * true when the user should fix something first (TERM unset or unknown,
 * a screen smaller than 40x12).
 */
struct ui *ui_open(bool utf8, bool colour, char **err, bool *fatal);
/* Give the terminal back exactly as it was.  NULL is a no-op. */
void ui_close(struct ui *);
/* Restore the terminal from a signal handler path (best effort). */
void ui_emergency_restore(void);
/* The fd to poll for keys. */
int ui_input_fd(const struct ui *);
/* The terminal changed size (SIGWINCH). */
void ui_resize(struct ui *);
/* Draw everything for this frame. */
void ui_draw(struct ui *, const struct ui_frame *);
/* Read pending keys; returns what the loop should do. */
enum ui_action ui_input(struct ui *, const struct ui_frame *);
/* A one-line note on the status line, until the next key. */
void ui_note(struct ui *, const char *);
/* The pid of the selected process, or -1. */
pid_t ui_selected(const struct ui *);

/*
 * `pipeviz --all`'s list (src/ui-list.c): one row per pipeline, the
 * selected one's diagnosis below, a filter typed after '/'.
 */
struct ui_list_row {
	pid_t id;		/* the pipeline's first pid: its identity */
	const char *health;	/* "stuck", "slow", "idle", "ok" */
	const char *user;	/* its owner */
	bool others;		/* another user's: shown, marked */
	size_t nprocs;
	double since;		/* seconds it has run */
	double rate_bps;	/* its busiest pipe's, -1 unknown */
	const char *command;
	const char *why;	/* "kind: message" of its top diagnosis, or NULL */
};

struct ui_list_frame {
	const struct ui_list_row *rows; /* those the filter lets through */
	size_t nrows;
	size_t total;		/* before the filter */
	int interval_ms;
};

enum ui_list_action {
	UI_LIST_NONE,
	UI_LIST_REDRAW,
	UI_LIST_FILTER,	/* the filter changed: rows must be chosen again */
	UI_LIST_OPEN,	/* the selected pipeline's live view */
	UI_LIST_QUIT,
};

void ui_list_draw(struct ui *, const struct ui_list_frame *);
enum ui_list_action ui_list_input(struct ui *, const struct ui_list_frame *);
/* The selected row's id, or -1. */
pid_t ui_list_selected(const struct ui *);
/* What '/' typed, "" for none. */
const char *ui_list_filter(const struct ui *);

#endif
