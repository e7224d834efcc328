/* replay.c - a recorded trace, frame by frame, at the speed it was taken. */
#include "pipeviz/replay.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "pipeviz/explain.h"
#include "pipeviz/exitcode.h"
#include "pipeviz/history.h"
#include "pipeviz/render.h"
#include "pipeviz/summary.h"
#include "pipeviz/ui.h"
#include "pipeviz/util.h"

static const double replay_speeds[] = { 0.25, 0.5, 1, 2, 4, 8 };
#define REPLAY_SPEEDS (sizeof replay_speeds / sizeof replay_speeds[0])

struct replay {
	const struct replay_config *cfg;
	/*
	 * The timeline's history, fed the samples up to pos; stepping back
	 * feeds it again from the first sample of pos's last minute.
	 */
	struct history *history;
	size_t fed;
	struct summary *summary; /* the end record's, or rebuilt */
	size_t pos;
	size_t speed; /* index into replay_speeds */
	bool paused;
	double next;  /* when the next frame is due, on util_now()'s clock */
	int stop_signal;
};

/*
 * The process records of lives that no sample showed and that ended by t
 * (and after the samples fed before), into the timeline.
 */
static void
replay_briefs(struct replay *r, double t)
{
	const struct trace_file *tf = r->cfg->tf;
	double after = r->fed >= 2 ? tf->samples[r->fed - 2]->t : -1e300;

	for (size_t i = 0; i < tf->nlives; i++) {
		const struct trace_life *lf = &tf->lives[i];

		if (!lf->sampled && lf->ended <= t && lf->ended > after)
			history_add_brief(r->history, lf->stage, lf->began,
			    lf->ended);
	}
}

static void
replay_history(struct replay *r)
{
	const struct trace_file *tf = r->cfg->tf;

	if (r->history == NULL || r->fed > r->pos + 1) {
		double window = HISTORY_SLOTS * HISTORY_SLOT_SECONDS;
		size_t from = r->pos;

		while (from > 0 &&
		    tf->samples[from - 1]->t > tf->samples[r->pos]->t - window)
			from--;
		history_free(r->history);
		/* The clock rate and the boot time are not in the trace. */
		r->history = history_create(0, -1);
		r->fed = from;
	}
	while (r->fed <= r->pos) {
		const struct snapshot *s = tf->samples[r->fed++];
		double upto = s->t;

		/*
		 * The last frame of a run that ended has what ended after its
		 * sample too: live, the last events are read at the end.
		 */
		if (r->fed == tf->nsamples && tf->ended && tf->end_t > upto)
			upto = tf->end_t;
		replay_briefs(r, upto);
		history_add(r->history, s);
	}
}

static void
replay_draw(struct replay *r)
{
	const struct trace_file *tf = r->cfg->tf;
	struct ui_frame f = { 0 };
	char *exits = NULL;

	replay_history(r);

	f.snap = tf->samples[r->pos];
	f.command = tf->command;
	f.elapsed = f.snap->t;
	f.interval_ms = tf->interval_ms;
	f.paused = r->paused;
	f.attached = strcmp(tf->mode, "attach") == 0;
	f.output_pipe = tf->output_pipe;
	/* The last frame of a finished run says how it ended, as live. */
	f.over = tf->ended && r->pos + 1 == tf->nsamples;
	f.status = tf->status;
	if (f.over && tf->nstages > 0)
		f.stage_exits = exits = explain_stage_exits(f.snap,
		    (const char *const *)tf->stages, tf->nstages);
	f.replay = true;
	f.replay_pos = r->pos;
	f.replay_len = tf->nsamples;
	f.replay_speed = replay_speeds[r->speed];
	f.history = r->history;
	/* The run's summary with its last frame, as the live view had it. */
	if (r->pos + 1 == tf->nsamples)
		f.summary = r->summary;
	ui_draw(r->cfg->ui, &f);
	free(exits);
}

/* When the frame after pos is due, at the current speed. */
static void
replay_schedule(struct replay *r)
{
	const struct trace_file *tf = r->cfg->tf;
	double gap = tf->interval_ms / 1000.0;

	if (r->pos + 1 < tf->nsamples)
		gap = tf->samples[r->pos + 1]->t - tf->samples[r->pos]->t;
	if (gap < 0)
		gap = 0;
	r->next = util_now() + gap / replay_speeds[r->speed];
}

static void
replay_key(struct replay *r)
{
	const struct trace_file *tf = r->cfg->tf;
	struct ui_frame f = { .snap = tf->samples[r->pos], .replay = true };
	enum ui_action act = ui_input(r->cfg->ui, &f);
	char note[64];

	switch (act) {
	case UI_QUIT:
		r->stop_signal = -1;
		break;
	case UI_PAUSE:
		/* Play from the start again once the end was reached. */
		if (r->paused && r->pos + 1 == tf->nsamples)
			r->pos = 0;
		r->paused = !r->paused;
		replay_schedule(r);
		break;
	case UI_STEP_BACK:
		r->paused = true;
		if (r->pos > 0)
			r->pos--;
		break;
	case UI_STEP_FORWARD:
		r->paused = true;
		if (r->pos + 1 < tf->nsamples)
			r->pos++;
		break;
	case UI_START:
		r->pos = 0;
		replay_schedule(r);
		break;
	case UI_END:
		r->pos = tf->nsamples - 1;
		r->paused = true;
		break;
	case UI_FASTER:
	case UI_SLOWER:
		if (act == UI_FASTER && r->speed + 1 < REPLAY_SPEEDS)
			r->speed++;
		else if (act == UI_SLOWER && r->speed > 0)
			r->speed--;
		snprintf(note, sizeof note, "playing at %gx",
		    replay_speeds[r->speed]);
		ui_note(r->cfg->ui, note);
		replay_schedule(r);
		break;
	default:
		break;
	}
}

static bool
replay_signals(struct replay *r)
{
	struct signalfd_siginfo si;

	while (read(r->cfg->sigfd, &si, sizeof si) == sizeof si) {
		if (si.ssi_signo == SIGWINCH && r->cfg->ui != NULL)
			ui_resize(r->cfg->ui);
		else if (si.ssi_signo != SIGCHLD && si.ssi_signo != SIGWINCH)
			r->stop_signal = (int)si.ssi_signo;
	}
	return r->stop_signal == 0;
}

/*
 * The end record's summary; for a trace written before it had one, the
 * summary of what its samples show (without the launcher's figures).
 */
static struct summary *
replay_summary(const struct trace_file *tf)
{
	struct history *h;
	struct summary *sum;

	if (tf->summary != NULL || !tf->ended)
		return NULL;
	h = history_create(0, -1);
	for (size_t i = 0; i < tf->nsamples; i++)
		history_add(h, tf->samples[i]);
	sum = summary_build(h, NULL, 0);
	history_free(h);
	return sum;
}

int
replay_run(const struct replay_config *c)
{
	const struct trace_file *tf = c->tf;
	struct replay r = { .cfg = c, .speed = 2 };
	struct summary *rebuilt = replay_summary(tf);
	struct pollfd pfd[2];
	int status;

	r.summary = rebuilt != NULL ? rebuilt : tf->summary;
	if (c->ui == NULL) {
		/* Text: every frame at once, as --text printed them. */
		for (size_t i = 0; i < tf->nsamples; i++)
			render_text(c->out, tf->samples[i], tf->command, c->width,
			    c->utf8);
		if (r.summary != NULL)
			render_summary(c->out, r.summary, c->width, c->utf8);
		summary_free(rebuilt);
		if (fflush(c->out) == EOF || ferror(c->out)) {
			if (errno != EPIPE)
				fprintf(stderr, "pipeviz: cannot write the output: "
				    "%s\n", strerror(errno));
			return EXITCODE_FAILED;
		}
		return 0;
	}
	if (tf->warning != NULL)
		ui_note(c->ui, tf->warning);
	replay_schedule(&r);
	pfd[0].fd = c->sigfd;
	pfd[1].fd = ui_input_fd(c->ui);
	pfd[0].events = pfd[1].events = POLLIN;
	for (;;) {
		double now = util_now();
		int timeout = -1;

		if (!replay_signals(&r))
			break;
		if (!r.paused && now >= r.next) {
			if (r.pos + 1 < tf->nsamples) {
				r.pos++;
				replay_schedule(&r);
			} else
				r.paused = true; /* the end: hold the last frame */
		}
		replay_draw(&r);
		if (!r.paused)
			timeout = (int)((r.next - now) * 1000 + 0.999);
		if (timeout < 0 && !r.paused)
			timeout = 0;
		if (poll(pfd, 2, timeout) == -1 && errno != EINTR)
			fatal("poll");
		if (pfd[1].revents != 0)
			replay_key(&r);
		if (r.stop_signal != 0)
			break;
	}
	status = r.stop_signal > 0 ? 128 + r.stop_signal : 0;
	history_free(r.history);
	summary_free(rebuilt);
	return status;
}
