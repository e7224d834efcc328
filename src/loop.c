/* loop.c - sample, derive, output; reap stages as they end. */
#include "pipeviz/loop.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "pipeviz/diagnose.h"
#include "pipeviz/discover.h"
#include "pipeviz/probe.h"
#include "pipeviz/rates.h"
#include "pipeviz/render.h"
#include "pipeviz/trace.h"
#include "pipeviz/ui.h"
#include "pipeviz/util.h"

/* How often attach mode looks for processes that joined the pipeline. */
#define LOOP_REDISCOVER_SECONDS 1.0
/* When the first sample of a launched pipeline is taken, at the latest. */
#define LOOP_FIRST_SAMPLE_MS 50
/* Orphaned descendants followed at most. */
#define LOOP_MAX_ORPHANS 256
/* How long stages get to exit after SIGTERM before SIGKILL. */
#define LOOP_GRACE_SECONDS 2.0

struct loop {
	const struct loop_config *cfg;
	struct probe *probe;
	double t0;
	long hz;
	struct snapshot *prev;
	/* Launch: the last view of each stage; exited ones hold the final. */
	struct snapshot **stage_last;
	/* Attach: the discovered members, refreshed now and then. */
	pid_t *roots;
	size_t nroots;
	double discovered_at;
	struct diagnose *diag;
	long samples;
	int interval_ms;	/* the live view can change it */
	bool paused;
	bool over;		/* the pipeline has ended */
	bool quit;		/* the user asked to leave */
	int stop_signal;
	bool output_failed;
	/* Captured output for the live view's panes. */
	struct textlog out_log, err_log;
	char **stage_names;
};

static double loop_t0;

static double
loop_elapsed(void)
{
	return util_now() - loop_t0;
}

static void
loop_output_failed(struct loop *l)
{
	if (l->output_failed)
		return;
	l->output_failed = true;
	/* A reader that went away (| head) is not worth a message. */
	if (errno != EPIPE)
		fprintf(stderr, "pipeviz: cannot write the output: %s\n",
		    strerror(errno));
}

/* A stage as it was wired at launch, for when it can no longer be read. */
static void
loop_add_wiring(struct snap_proc *p, const struct launch_stage *st)
{
	for (size_t i = 0; i < p->nfds; i++)
		free(p->fds[i].path);
	free(p->fds);
	p->fds = NULL;
	p->nfds = 0;
	for (int fd = 0; fd < 3; fd++) {
		const struct launch_end *e = &st->fd[fd];
		struct snap_fd *f;

		if (fd == 2 && !st->pipe_stderr)
			continue;
		f = snapshot_proc_add_fd(p, fd, e->mode, e->kind, e->path);
		f->inode = e->inode;
		f->dev = e->dev;
	}
}

/* Keep a stage's last view, or record its end from the zombie. */
static void
loop_remember_stage(struct loop *l, size_t i, const struct snap_proc *p)
{
	snapshot_free(l->stage_last[i]);
	l->stage_last[i] = snapshot_create(0);
	snapshot_copy_proc(l->stage_last[i], p);
}

/*
 * A stage that ended before any sample saw it: its argv is its command
 * text split into words as sh would for simple words (quotes removed);
 * expansions are not performed.
 */
static struct snap_proc *
loop_unseen_stage(struct snapshot *s, const struct launch_stage *st)
{
	struct snap_proc *p = snapshot_add_proc(s, st->pid);
	const char *cmd = st->command;
	char **argv = xcalloc(strlen(cmd) / 2 + 2, sizeof *argv);
	size_t n = 0;

	if (strncmp(cmd, "exec ", 5) == 0)
		cmd += 5;
	cmd += strspn(cmd, " \t\n");
	while (*cmd != '\0') {
		char *w = argv[n++] = xcalloc(1, strlen(cmd) + 1);
		char quote = 0;

		/* Blanks split words outside quotes; quote marks go. */
		for (; *cmd != '\0' && (quote || !strchr(" \t\n", *cmd)); cmd++) {
			if (quote == 0 && (*cmd == '\'' || *cmd == '"'))
				quote = *cmd;
			else if (*cmd == quote)
				quote = 0;
			else if (*cmd == '\\' && quote != '\'' && cmd[1] != '\0')
				*w++ = *++cmd;
			else
				*w++ = *cmd;
		}
		cmd += strspn(cmd, " \t\n");
	}
	snapshot_proc_set_argv(p, argv);
	for (size_t i = 0; i < n; i++)
		free(argv[i]);
	free(argv);
	return p;
}

static void
loop_reap(struct loop *l)
{
	struct launch *ln = l->cfg->launch;
	pid_t pid;

	if (ln == NULL)
		return;
	while ((pid = launch_zombie()) > 0) {
		int i = launch_stage_index(ln, pid);
		struct snapshot *tmp = NULL;
		struct snap_proc *p = NULL;
		const struct launch_stage *st;

		if (i >= 0) {
			/* Read the final counters before the zombie is gone. */
			tmp = snapshot_create(0);
			if (l->stage_last[i] != NULL)
				p = snapshot_copy_proc(tmp, &l->stage_last[i]->procs[0]);
			else
				p = loop_unseen_stage(tmp, launch_stage(ln, (size_t)i));
			p->io_known = probe_read_counters(l->probe, p) == 0;
		}
		if (launch_reap(ln, pid, loop_elapsed()) < 0 || i < 0) {
			snapshot_free(tmp);
			continue;
		}
		st = launch_stage(ln, (size_t)i);
		p->stage = i;
		p->state = 'X';
		p->exit = st->exit;
		p->syscall = -1;
		p->blocked.op = SNAP_BLOCK_NONE;
		p->wchan[0] = '\0';
		p->cpu_pct = p->read_bps = p->write_bps = 0;
		loop_add_wiring(p, st);
		loop_remember_stage(l, (size_t)i, p);
		snapshot_free(tmp);
		if (l->cfg->trace != NULL && !l->output_failed &&
		    trace_write_exit(l->cfg->trace, st->exit.t, pid, i,
		    &st->exit) == -1)
			loop_output_failed(l);
	}
}

/* Which launched stage a descendant belongs to, by walking its parents. */
static void
loop_tag_stages(struct loop *l, struct snapshot *s)
{
	struct launch *ln = l->cfg->launch;

	if (ln == NULL)
		return;
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *q = &s->procs[i];

		for (int depth = 0; q != NULL && depth < 64; depth++) {
			int stage = launch_stage_index(ln, q->pid);

			if (stage >= 0) {
				s->procs[i].stage = stage;
				break;
			}
			q = snapshot_find_proc(s, q->ppid);
		}
	}
}

static struct snapshot *
loop_sample(struct loop *l)
{
	struct launch *ln = l->cfg->launch;
	/* Milliseconds, as the trace keeps them. */
	struct snapshot *s = snapshot_create(round(loop_elapsed() * 1000) / 1000);

	if (ln != NULL) {
		size_t n = launch_nstages(ln), nlive = 0;
		pid_t *live = xcalloc(n + LOOP_MAX_ORPHANS, sizeof *live);

		/* Exited stages first, so the probe does not add them twice. */
		for (size_t i = 0; i < n; i++) {
			const struct launch_stage *st = launch_stage(ln, i);

			if (st->exit.exited && l->stage_last[i] != NULL)
				snapshot_copy_proc(s, &l->stage_last[i]->procs[0]);
			else if (!st->exit.exited)
				live[nlive++] = st->pid;
		}
		/* Background processes a stage left behind stay in view. */
		nlive += launch_orphans(ln, live + nlive, LOOP_MAX_ORPHANS);
		probe_sample(l->probe, s, live, nlive);
		free(live);
		loop_tag_stages(l, s);
		for (size_t i = 0; i < s->nprocs; i++) {
			struct snap_proc *p = &s->procs[i];
			int stage = launch_stage_index(ln, p->pid);

			if (stage >= 0 && !p->exit.exited)
				loop_remember_stage(l, (size_t)stage, p);
		}
	} else {
		if (s->t - l->discovered_at >= LOOP_REDISCOVER_SECONDS) {
			free(l->roots);
			l->nroots = discover_pipeline(l->cfg->attach_pid,
			    getpid(), &l->roots);
			l->discovered_at = s->t;
		}
		probe_sample(l->probe, s, l->roots, l->nroots);
	}
	rates_apply(l->prev, s, l->hz);
	diagnose_sample(l->diag, s);
	return s;
}

static void
loop_emit(struct loop *l, const struct snapshot *s)
{
	const struct loop_config *c = l->cfg;

	if (l->output_failed)
		return;
	if (c->trace != NULL && trace_write_sample(c->trace, s) == -1) {
		loop_output_failed(l);
		return;
	}
	switch (c->output) {
	case LOOP_OUT_TEXT:
		render_text(c->out, s, c->command, c->width, c->utf8);
		break;
	case LOOP_OUT_DOT:
		render_dot(c->out, s, c->command);
		break;
	case LOOP_OUT_UI:
	case LOOP_OUT_NONE:
		return;
	}
	if (fflush(c->out) == EOF || ferror(c->out))
		loop_output_failed(l);
}

/* Handle pending signals; returns true when the screen needs a redraw. */
static bool
loop_signals(struct loop *l)
{
	struct signalfd_siginfo si;
	bool redraw = false;

	while (read(l->cfg->sigfd, &si, sizeof si) == sizeof si) {
		switch (si.ssi_signo) {
		case SIGINT:
		case SIGTERM:
		case SIGHUP:
			l->stop_signal = (int)si.ssi_signo;
			break;
		case SIGWINCH:
			if (l->cfg->ui != NULL)
				ui_resize(l->cfg->ui);
			redraw = true;
			break;
		default:
			break; /* SIGCHLD: loop_reap() looks every turn */
		}
	}
	return redraw;
}

/* SIGTERM, a grace period, then SIGKILL; every stage reaped and recorded. */
static void
loop_terminate(struct loop *l)
{
	struct launch *ln = l->cfg->launch;
	double deadline = util_now() + LOOP_GRACE_SECONDS;
	bool killed = false;

	launch_kill(ln, SIGTERM);
	while (loop_reap(l), !launch_done(ln)) {
		if (!killed && util_now() >= deadline) {
			launch_kill(ln, SIGKILL);
			killed = true;
		}
		poll(NULL, 0, 10);
	}
}

static bool
loop_finished(const struct loop *l, const struct snapshot *s)
{
	if (l->cfg->launch != NULL)
		return launch_done(l->cfg->launch);
	return s != NULL && s->nprocs == 0;
}

/* Move captured bytes into the replay file and the pane; false at EOF. */
static bool
loop_capture(struct loop *l, int fd, int tag)
{
	char buf[65536];
	ssize_t n;
	bool out = tag < 0;

	while ((n = read(fd, buf, sizeof buf)) > 0) {
		int keep = out ? l->cfg->capture_out_fd : l->cfg->capture_err_fd;

		if (keep >= 0 && write(keep, buf, (size_t)n) != n)
			fatal("cannot keep the captured output");
		textlog_append(out ? &l->out_log : &l->err_log, tag, buf,
		    (size_t)n);
	}
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		launch_close_fd(l->cfg->launch, fd);
		textlog_flush(out ? &l->out_log : &l->err_log);
		return false;
	}
	return true;
}

/* The fds to wait on: signals, keys, captured output. */
static nfds_t
loop_pollfds(const struct loop *l, struct pollfd *pfd, int *tags, size_t max)
{
	const struct loop_config *c = l->cfg;
	nfds_t n = 0;

	pfd[n].fd = c->sigfd;
	tags[n++] = -2;
	if (c->ui != NULL) {
		pfd[n].fd = ui_input_fd(c->ui);
		tags[n++] = -3;
	}
	if (c->launch != NULL) {
		if (launch_output_fd(c->launch) >= 0) {
			pfd[n].fd = launch_output_fd(c->launch);
			tags[n++] = -1;
		}
		for (size_t i = 0; i < launch_nstages(c->launch) && n < max; i++) {
			if (launch_stderr_fd(c->launch, i) >= 0) {
				pfd[n].fd = launch_stderr_fd(c->launch, i);
				tags[n++] = (int)i;
			}
		}
	}
	for (nfds_t i = 0; i < n; i++)
		pfd[i].events = POLLIN;
	return n;
}

static char *
loop_stage_exits(const struct loop *l)
{
	struct launch *ln = l->cfg->launch;
	char *text = xstrdup(""), *next;

	for (size_t i = 0; ln != NULL && i < launch_nstages(ln); i++) {
		const struct snap_exit *e = &launch_stage(ln, i)->exit;
		char what[32];

		if (e->signal != 0)
			snprintf(what, sizeof what, "%s", trace_signal_name(e->signal));
		else
			snprintf(what, sizeof what, "exit %d", e->code);
		next = xasprintf("%s%s%s %s", text, i > 0 ? ", " : "",
		    l->stage_names[i], what);
		free(text);
		text = next;
	}
	return text;
}

static void
loop_draw(struct loop *l, const struct snapshot *s, int status)
{
	const struct loop_config *c = l->cfg;
	struct ui_frame f = { 0 };
	char *exits = NULL;

	if (c->ui == NULL || s == NULL)
		return;
	f.snap = s;
	f.command = c->command;
	f.elapsed = loop_elapsed();
	f.interval_ms = l->interval_ms;
	f.paused = l->paused;
	f.attached = c->launch == NULL;
	f.over = l->over;
	f.status = status;
	f.control = c->launch != NULL && !l->over;
	if (l->over && c->launch != NULL)
		f.stage_exits = exits = loop_stage_exits(l);
	f.output = c->capture_out_fd >= 0 ? &l->out_log : NULL;
	if (f.output != NULL)
		f.output_pipe = launch_stage(c->launch,
		    launch_nstages(c->launch) - 1)->fd[1].inode;
	f.log = c->capture_err_fd >= 0 ? &l->err_log : NULL;
	f.stage_names = (const char *const *)l->stage_names;
	f.nstages = c->launch != NULL ? launch_nstages(c->launch) : 0;
	ui_draw(c->ui, &f);
	free(exits);
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
	if (kill(pid, sig) == -1)
		snprintf(note, sizeof note, "cannot signal %s (pid %d): %s",
		    p->comm, (int)pid, strerror(errno));
	else
		snprintf(note, sizeof note, "sent %s to %s (pid %d)%s",
		    trace_signal_name(sig), p->comm, (int)pid, sig == SIGSTOP ?
		    "; c continues it" : "");
	ui_note(l->cfg->ui, note);
}

static void
loop_key(struct loop *l, const struct snapshot *s)
{
	const struct loop_config *c = l->cfg;
	struct ui_frame f = { .snap = s };
	char note[128];

	enum ui_action act;

	f.control = c->launch != NULL && !l->over;
	switch ((act = ui_input(c->ui, &f))) {
	case UI_QUIT:
		l->quit = true;
		break;
	case UI_PAUSE:
		l->paused = !l->paused;
		ui_note(c->ui, l->paused ? "sampling paused (space resumes)" :
		    "sampling resumed");
		break;
	case UI_FASTER:
		if (l->interval_ms > 1)
			l->interval_ms /= 2;
		snprintf(note, sizeof note, "sampling every %d ms", l->interval_ms);
		ui_note(c->ui, note);
		break;
	case UI_SLOWER:
		if (l->interval_ms <= 5000)
			l->interval_ms *= 2;
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
			ui_note(c->ui, act == UI_STOP_ALL ? "the pipeline is stopped "
			    "(C continues it)" : "the pipeline continues");
		}
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

static char **
loop_names(const struct launch *ln)
{
	size_t n = ln != NULL ? launch_nstages(ln) : 0;
	char **names = xcalloc(n + 1, sizeof *names);

	for (size_t i = 0; i < n; i++) {
		const char *cmd = launch_stage(ln, i)->command;

		if (strncmp(cmd, "exec ", 5) == 0)
			cmd += 5;
		names[i] = xstrndup(cmd, strcspn(cmd, " \t\n"));
	}
	return names;
}

int
loop_run(const struct loop_config *c)
{
	struct loop l = { 0 };
	struct pollfd pfd[64];
	int tags[64];
	double next, thaw_at = 0;
	int status = 0;
	bool redraw = false;

	l.cfg = c;
	l.probe = probe_create();
	l.diag = diagnose_create();
	l.t0 = loop_t0 = util_now();
	l.hz = sysconf(_SC_CLK_TCK);
	l.interval_ms = c->interval_ms;
	l.discovered_at = -LOOP_REDISCOVER_SECONDS;
	l.stage_names = loop_names(c->launch);
	textlog_init(&l.out_log, 2000);
	textlog_init(&l.err_log, 2000);
	if (c->launch != NULL)
		l.stage_last = xcalloc(launch_nstages(c->launch) + 1,
		    sizeof *l.stage_last);
	if (c->trace != NULL &&
	    trace_write_start(c->trace, c->mode, c->command, c->interval_ms) == -1)
		loop_output_failed(&l);
	/*
	 * Give launched stages a moment to exec before the first look (they
	 * are still copies of pipeviz, then sh, for a millisecond or so);
	 * --once waits a whole interval, so the sample shows work under way.
	 */
	next = 0;
	if (c->launch != NULL)
		next = c->count > 0 || c->interval_ms < LOOP_FIRST_SAMPLE_MS ?
		    c->interval_ms / 1000.0 : LOOP_FIRST_SAMPLE_MS / 1000.0;
	for (;;) {
		double now = loop_elapsed();
		bool sampling = !l.over && !l.paused &&
		    (c->count == 0 || l.samples < c->count);
		nfds_t npfd;
		int timeout;

		loop_reap(&l);
		redraw |= loop_signals(&l);
		if (l.stop_signal != 0 || l.quit)
			break;
		if (sampling && now >= next) {
			struct snapshot *s = loop_sample(&l);

			loop_emit(&l, s);
			l.samples++;
			snapshot_free(l.prev);
			l.prev = s;
			redraw = true;
			next += l.interval_ms / 1000.0;
			if (next < now) /* fell behind: do not burst */
				next = now + l.interval_ms / 1000.0;
			/* Slow motion: freeze the pipeline while the frame shows. */
			if (c->slow_ms > 0 && c->launch != NULL &&
			    !launch_done(c->launch)) {
				launch_kill(c->launch, SIGSTOP);
				thaw_at = now + c->slow_ms / 1000.0;
				next = thaw_at + l.interval_ms / 1000.0;
			}
		}
		if (thaw_at > 0 && loop_elapsed() >= thaw_at) {
			launch_kill(c->launch, SIGCONT);
			thaw_at = 0;
		}
		if (!l.over && loop_finished(&l, l.prev)) {
			l.over = true;
			if (c->launch != NULL) {
				/* The last frame shows every stage with its exit. */
				status = launch_status(c->launch);
				if (c->count == 0 || l.samples < c->count) {
					struct snapshot *s = loop_sample(&l);

					loop_emit(&l, s);
					snapshot_free(l.prev);
					l.prev = s;
				}
			}
			redraw = true;
			if (c->ui == NULL || c->exit_at_end)
				break;
		}
		/* The count is reached: stop, and end a launched pipeline. */
		if (c->count > 0 && l.samples >= c->count && !l.over)
			break;
		if (l.output_failed) {
			l.stop_signal = SIGPIPE;
			break;
		}
		if (redraw) {
			loop_draw(&l, l.prev, status);
			redraw = false;
		}
		now = loop_elapsed();
		timeout = -1;
		if (sampling)
			timeout = (int)(((thaw_at > 0 ? thaw_at : next) - now) *
			    1000 + 0.999);
		else if (c->launch != NULL && !l.over)
			timeout = 100; /* still reaping */
		npfd = loop_pollfds(&l, pfd, tags, 64);
		if (poll(pfd, npfd, timeout) == -1 && errno != EINTR)
			fatal("poll");
		for (nfds_t i = 0; i < npfd; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (tags[i] == -3) {
				loop_key(&l, l.prev);
				redraw = true;
			} else if (tags[i] >= -1) {
				loop_capture(&l, pfd[i].fd, tags[i]);
				redraw |= c->ui != NULL;
			}
		}
	}

	if (c->launch != NULL && !l.over) {
		loop_terminate(&l);
		/*
		 * Ended by the user (q, a signal): the pipeline's status.  Ended
		 * because the samples asked for (-n, --once) were taken: done
		 * as asked, 0.
		 */
		status = l.quit || l.stop_signal != 0 ? launch_status(c->launch) : 0;
		if (l.stop_signal != SIGPIPE && (c->count == 0 ||
		    l.samples < c->count)) {
			struct snapshot *s = loop_sample(&l);

			loop_emit(&l, s);
			snapshot_free(s);
		}
	}
	/* What the stages wrote last, before they ended. */
	if (c->launch != NULL) {
		for (size_t i = 0; i < launch_nstages(c->launch); i++) {
			if (launch_stderr_fd(c->launch, i) >= 0)
				loop_capture(&l, launch_stderr_fd(c->launch, i), (int)i);
		}
		if (launch_output_fd(c->launch) >= 0)
			loop_capture(&l, launch_output_fd(c->launch), -1);
	}
	if (c->trace != NULL && !l.output_failed &&
	    trace_write_end(c->trace, loop_elapsed(), status, l.stop_signal) == -1)
		loop_output_failed(&l);

	snapshot_free(l.prev);
	if (l.stage_last != NULL) {
		for (size_t i = 0; i < launch_nstages(c->launch); i++)
			snapshot_free(l.stage_last[i]);
		free(l.stage_last);
	}
	for (char **n = l.stage_names; *n != NULL; n++)
		free(*n);
	free(l.stage_names);
	textlog_clear(&l.out_log);
	textlog_clear(&l.err_log);
	free(l.roots);
	diagnose_free(l.diag);
	probe_free(l.probe);
	if (l.stop_signal == SIGPIPE)
		return 1;
	if (l.stop_signal != 0)
		return 128 + l.stop_signal;
	return status;
}
