/* loop.c - sample, derive, output; reap stages as they end. */
#include "pipeviz/loop.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "pipeviz/discover.h"
#include "pipeviz/probe.h"
#include "pipeviz/rates.h"
#include "pipeviz/render.h"
#include "pipeviz/trace.h"
#include "pipeviz/util.h"

/* How often attach mode looks for processes that joined the pipeline. */
#define LOOP_REDISCOVER_SECONDS 1.0
/* When the first sample of a launched pipeline is taken, at the latest. */
#define LOOP_FIRST_SAMPLE_MS 50
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
	long samples;
	int stop_signal;
	bool output_failed;
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
		if (l->cfg->output == LOOP_OUT_JSON && !l->output_failed &&
		    trace_write_exit(l->cfg->out, st->exit.t, pid, i,
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
	struct snapshot *s = snapshot_create(loop_elapsed());

	if (ln != NULL) {
		size_t n = launch_nstages(ln), nlive = 0;
		pid_t *live = xcalloc(n, sizeof *live);

		/* Exited stages first, so the probe does not add them twice. */
		for (size_t i = 0; i < n; i++) {
			const struct launch_stage *st = launch_stage(ln, i);

			if (st->exit.exited && l->stage_last[i] != NULL)
				snapshot_copy_proc(s, &l->stage_last[i]->procs[0]);
			else if (!st->exit.exited)
				live[nlive++] = st->pid;
		}
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
	return s;
}

static void
loop_emit(struct loop *l, const struct snapshot *s)
{
	const struct loop_config *c = l->cfg;

	if (l->output_failed)
		return;
	switch (c->output) {
	case LOOP_OUT_JSON:
		if (trace_write_sample(c->out, s) == -1)
			loop_output_failed(l);
		return;
	case LOOP_OUT_TEXT:
		render_text(c->out, s, c->command, c->utf8);
		break;
	case LOOP_OUT_DOT:
		render_dot(c->out, s, c->command);
		break;
	case LOOP_OUT_NONE:
		return;
	}
	if (fflush(c->out) == EOF || ferror(c->out))
		loop_output_failed(l);
}

/* Handle pending signals; returns false when pipeviz must stop. */
static bool
loop_signals(struct loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->cfg->sigfd, &si, sizeof si) == sizeof si) {
		switch (si.ssi_signo) {
		case SIGINT:
		case SIGTERM:
		case SIGHUP:
			l->stop_signal = (int)si.ssi_signo;
			break;
		default:
			break; /* SIGCHLD: loop_reap() looks every turn */
		}
	}
	return l->stop_signal == 0;
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

int
loop_run(const struct loop_config *c)
{
	struct loop l = { 0 };
	struct pollfd pfd = { .fd = c->sigfd, .events = POLLIN };
	double next;
	int status = 0;

	l.cfg = c;
	l.probe = probe_create();
	l.t0 = loop_t0 = util_now();
	l.hz = sysconf(_SC_CLK_TCK);
	l.discovered_at = -LOOP_REDISCOVER_SECONDS;
	if (c->launch != NULL)
		l.stage_last = xcalloc(launch_nstages(c->launch) + 1,
		    sizeof *l.stage_last);
	if (c->output == LOOP_OUT_JSON &&
	    trace_write_start(c->out, c->mode, c->command, c->interval_ms) == -1)
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
		struct snapshot *s = NULL;
		bool sampling = c->count == 0 || l.samples < c->count;

		loop_reap(&l);
		if (!loop_signals(&l))
			break;
		if (sampling && now >= next) {
			s = loop_sample(&l);
			loop_emit(&l, s);
			l.samples++;
			snapshot_free(l.prev);
			l.prev = s;
			next += c->interval_ms / 1000.0;
			if (next < now) /* fell behind: do not burst */
				next = now + c->interval_ms / 1000.0;
		}
		if (loop_finished(&l, s))
			break;
		if (c->launch == NULL && !(c->count == 0 || l.samples < c->count))
			break;
		if (l.output_failed && c->output != LOOP_OUT_NONE) {
			l.stop_signal = SIGPIPE;
			break;
		}
		now = loop_elapsed();
		int timeout = sampling || c->count == 0 ?
		    (int)((next - now) * 1000 + 0.999) : 1000;
		if (poll(&pfd, 1, timeout < 0 ? 0 : timeout) == -1 &&
		    errno != EINTR)
			fatal("poll");
	}

	if (c->launch != NULL) {
		if (l.stop_signal != 0) {
			loop_terminate(&l);
		}
		/* The last frame shows every stage with its exit. */
		if (l.stop_signal != SIGPIPE && (c->count == 0 ||
		    l.samples < c->count)) {
			struct snapshot *s = loop_sample(&l);

			loop_emit(&l, s);
			snapshot_free(s);
		}
		status = launch_status(c->launch);
	}
	if (c->output == LOOP_OUT_JSON && !l.output_failed &&
	    trace_write_end(c->out, loop_elapsed(), status, l.stop_signal) == -1)
		loop_output_failed(&l);

	snapshot_free(l.prev);
	if (l.stage_last != NULL) {
		for (size_t i = 0; i < launch_nstages(c->launch); i++)
			snapshot_free(l.stage_last[i]);
		free(l.stage_last);
	}
	free(l.roots);
	probe_free(l.probe);
	if (l.stop_signal == SIGPIPE)
		return 1;
	if (l.stop_signal != 0)
		return 128 + l.stop_signal;
	return status;
}
