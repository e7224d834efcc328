/* loop-view.c - the live view's frames and keys, for the loop. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipeviz/explain.h"
#include "pipeviz/trace.h"
#include "pipeviz/ui.h"
#include "pipeviz/util.h"
#include "loop-internal.h"

uint64_t
loop_output_pipe(const struct loop *l)
{
	const struct loop_config *c = l->cfg;

	if (c->launch == NULL || c->capture_out_fd < 0)
		return 0;
	return launch_stage(c->launch, launch_nstages(c->launch) - 1)->fd[1].inode;
}

void
loop_draw(struct loop *l, const struct snapshot *s, int status)
{
	const struct loop_config *c = l->cfg;
	struct ui_frame f = { 0 };
	char *exits = NULL;
	uint64_t *logs = NULL;

	if (c->ui == NULL || s == NULL)
		return;
	f.snap = s;
	f.command = loop_title(l);
	f.elapsed = l->over ? l->ended_at : loop_elapsed(l);
	f.interval_ms = l->interval_ms;
	f.paused = l->paused;
	f.attached = c->launch == NULL;
	f.over = l->over;
	f.status = status;
	f.control = c->launch != NULL && !l->over;
	f.observe_word = l->events_word;
	f.step = c->step;
	f.step_wait = l->step_wait;
	if (l->over && c->launch != NULL)
		f.stage_exits = exits = explain_stage_exits(s,
		    (const char *const *)l->stage_names, launch_nstages(c->launch));
	f.output = c->capture_out_fd >= 0 ? &l->out_log : NULL;
	f.output_pipe = loop_output_pipe(l);
	f.log = c->capture_err_fd >= 0 ? &l->err_log : NULL;
	if (f.log != NULL) {
		size_t n = launch_nstages(c->launch);

		logs = xcalloc(n + 1, sizeof *logs);
		for (size_t i = 0; i < n; i++)
			logs[i] = launch_stage(c->launch, i)->fd[2].inode;
		f.log_pipes = logs;
		f.nlog_pipes = n;
	}
	f.stage_names = (const char *const *)l->stage_names;
	f.nstages = c->launch != NULL ? launch_nstages(c->launch) : 0;
	f.history = l->history;
	f.summary = l->over ? l->summary : NULL;
	ui_draw(c->ui, &f);
	free(exits);
	free(logs);
}

/*
 * Stage control: only processes of the group pipeviz launched, checked
 * again right before the signal so a reused pid is never hit.
 */
static void
loop_signal_one(struct loop *l, const struct snapshot *s, pid_t pid, int sig)
{
	const struct snap_proc *p = s != NULL ? snapshot_find_proc(s, pid) : NULL;
	char note[160];

	if (p == NULL || l->cfg->launch == NULL ||
	    getpgid(pid) != launch_pgid(l->cfg->launch)) {
		ui_note(l->cfg->ui, "that process is not part of the launched "
		    "pipeline any more");
		return;
	}
	/* The user's stop over slow motion's: no thaw undoes it. */
	for (size_t i = 0; sig == SIGSTOP && i < l->nfrozen; i++) {
		if (l->frozen[i] == pid)
			l->frozen[i--] = l->frozen[--l->nfrozen];
	}
	if (kill(pid, sig) == -1)
		snprintf(note, sizeof note, "cannot signal %s (pid %d): %s",
		    p->comm, (int)pid, strerror(errno));
	else
		snprintf(note, sizeof note, "sent %s to %s (pid %d)%s",
		    trace_signal_name(sig), p->comm, (int)pid, sig == SIGSTOP ?
		    "; c continues it" : "");
	ui_note(l->cfg->ui, note);
}

void
loop_key(struct loop *l, const struct snapshot *s)
{
	const struct loop_config *c = l->cfg;
	struct ui_frame f = { .snap = s };
	char note[128];

	enum ui_action act;

	f.control = c->launch != NULL && !l->over;
	f.attached = c->launch == NULL;
	switch ((act = ui_input(c->ui, &f))) {
	case UI_QUIT:
		l->quit = true;
		break;
	case UI_PEEK:
		/* --peek's bytes, or its default; the next sample reads them. */
		l->peek = l->peek > 0 ? 0 : c->peek > 0 ? c->peek : LOOP_PEEK_BYTES;
		ui_note(c->ui, l->peek > 0 ? "peeking into the pipes: what waits "
		    "in them shows in the details (p stops)" : "peeking stopped");
		break;
	case UI_PAUSE:
		l->paused = !l->paused;
		ui_note(c->ui, l->paused ? "sampling paused (space resumes)" :
		    "sampling resumed");
		break;
	case UI_FASTER:
	case UI_SLOWER:
		if (l->over) {
			ui_note(c->ui, "the pipeline has ended: nothing is sampled "
			    "any more");
			break;
		}
		if (act == UI_SLOWER) {
			if (l->interval_ms <= 5000)
				l->interval_ms *= 2;
		} else if (l->interval_ms > 1)
			l->interval_ms /= 2;
		probe_set_interval(l->probe, l->interval_ms);
		snprintf(note, sizeof note, "sampling every %d ms", l->interval_ms);
		ui_note(c->ui, note);
		break;
	case UI_STOP:
	case UI_CONTINUE:
	case UI_TERMINATE:
		loop_signal_one(l, s, ui_selected(c->ui), act == UI_STOP ? SIGSTOP :
		    act == UI_CONTINUE ? SIGCONT : SIGTERM);
		break;
	case UI_STOP_ALL:
	case UI_CONTINUE_ALL:
		if (c->launch != NULL && !l->over) {
			launch_kill(c->launch, act == UI_STOP_ALL ? SIGSTOP : SIGCONT);
			l->nfrozen = 0;
			ui_note(c->ui, act == UI_STOP_ALL ? "the pipeline is stopped "
			    "(C continues it)" : "the pipeline continues");
		}
		break;
	case UI_STEP:
		if (!c->step)
			ui_note(c->ui, "n steps a pipeline launched with --step");
		else if (l->step_wait)
			l->step_request = true;
		break;
	case UI_STEP_BACK:
	case UI_STEP_FORWARD:
	case UI_START:
	case UI_END:
	case UI_REDRAW:
	case UI_NONE:
		break;
	}
}

