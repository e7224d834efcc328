/* loop-stages.c - the launched stages: their wiring, ends and reaping. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipeviz/trace.h"
#include "pipeviz/util.h"
#include "loop-internal.h"

/* A stage as it was wired at launch, for when it can no longer be read. */
static void
loop_add_wiring(struct snap_proc *p, const struct launch_stage *st)
{
	for (size_t i = 0; i < p->nfds; i++)
		free(p->fds[i].path);
	free(p->fds);
	p->fds = NULL;
	p->nfds = 0;
	/* The wiring is known whatever the last read of the table gave. */
	p->fds_denied = p->fds_unread = false;
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

static bool
loop_same_argv(char *const *a, char *const *b)
{
	for (; *a != NULL && *b != NULL; a++, b++) {
		if (strcmp(*a, *b) != 0)
			return false;
	}
	return *a == NULL && *b == NULL;
}

/*
 * Whether the view kept of a stage still holds what its end record takes
 * from it (fds and blocking are replaced then): an idle stage's is.
 */
static bool
loop_same_view(const struct snap_proc *kept, const struct snap_proc *p)
{
	return kept->pid == p->pid && kept->start_ticks == p->start_ticks &&
	    kept->ppid == p->ppid && kept->pgid == p->pgid &&
	    kept->cpu_ticks == p->cpu_ticks && kept->rss_kib == p->rss_kib &&
	    kept->io_known == p->io_known && kept->rchar == p->rchar &&
	    kept->wchar == p->wchar && kept->exit.exited == p->exit.exited &&
	    strcmp(kept->comm, p->comm) == 0 &&
	    loop_same_argv(kept->argv, p->argv);
}

void
loop_freeze(struct loop *l, const struct snapshot *s)
{
	pid_t pgid = launch_pgid(l->cfg->launch);

	loop_thaw(l);
	l->frozen = xreallocarray(l->frozen, s->nprocs + 1, sizeof *l->frozen);
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *p = &s->procs[i];

		/* Stopped already (by the user, s), gone, or not ours. */
		if (p->exit.exited || strchr("TtZX", p->state) != NULL ||
		    p->pgid != pgid)
			continue;
		if (kill(p->pid, SIGSTOP) == 0)
			l->frozen[l->nfrozen++] = p->pid;
	}
}

void
loop_thaw(struct loop *l)
{
	pid_t pgid = launch_pgid(l->cfg->launch);

	/* A stopped process cannot exit, but SIGKILL can end it: check. */
	for (size_t i = 0; i < l->nfrozen; i++) {
		if (getpgid(l->frozen[i]) == pgid)
			kill(l->frozen[i], SIGCONT);
	}
	l->nfrozen = 0;
}

/* Keep a stage's last view, or record its end from the zombie. */
void
loop_remember_stage(struct loop *l, size_t i, const struct snap_proc *p)
{
	/* A sample's or a reaping's view: better than an exec's first look. */
	if (l->stage_evented != NULL)
		l->stage_evented[i] = false;
	if (l->stage_last[i] != NULL && !p->exit.exited &&
	    loop_same_view(&l->stage_last[i]->procs[0], p))
		return;
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
			/*
			 * A backslash quotes the next character outside quotes;
			 * inside double quotes only $ ` " \ and a newline, and
			 * stays before anything else: printf "x\ny" is given x\ny.
			 */
			else if (*cmd == '\\' && cmd[1] != '\0' && (quote == 0 ||
			    (quote == '"' && strchr("$`\"\\\n", cmd[1]) != NULL)))
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

void
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
		char seen[sizeof p->comm];

		if (i >= 0) {
			/* Read the final counters before the zombie is gone. */
			tmp = snapshot_create(0);
			if (l->stage_last[i] != NULL)
				p = snapshot_copy_proc(tmp, &l->stage_last[i]->procs[0]);
			else
				p = loop_unseen_stage(tmp, launch_stage(ln, (size_t)i));
			snprintf(seen, sizeof seen, "%s", p->comm);
			p->io_known = probe_read_counters(l->probe, p) == 0;
			/*
			 * A shell that ended before its command line was read (a
			 * zombie's is empty; an exec event read too late) says
			 * only its name, or the shell's command line when its
			 * zombie has another name than its last view (it exec'd
			 * since): the stage's own text says what it ran.
			 */
			if (p->argv[0] == NULL || (p->argv[1] == NULL &&
			    strcmp(p->argv[0], p->comm) == 0) ||
			    strcmp(seen, p->comm) != 0) {
				struct snapshot *t = snapshot_create(0);

				snapshot_proc_set_argv(p, loop_unseen_stage(t,
				    launch_stage(ln, (size_t)i))->argv);
				snapshot_free(t);
			}
		}
		/* Its children, if any, are pipeviz's now. */
		l->orphans_stale = true;
		if (launch_reap(ln, pid, loop_elapsed(l)) < 0 || i < 0) {
			snapshot_free(tmp);
			continue;
		}
		st = launch_stage(ln, (size_t)i);
		/*
		 * Its shell never ran (launch_exec_failures() said why): what
		 * could not be run is /bin/sh, not the command it was given.
		 */
		if (st->exec_errno != 0) {
			snapshot_proc_set_argv(p, (char *[]){ (char *)"/bin/sh",
			    NULL });
			snprintf(p->comm, sizeof p->comm, "sh");
		}
		p->stage = i;
		p->state = 'X';
		p->exit = st->exit;
		p->syscall = -1;
		/* Gone: no wait, no threads, no stop reason left over. */
		snapshot_blocked_clear(&p->blocked);
		snapshot_proc_set_threads(p, NULL, 0);
		p->stop = SNAP_STOP_NONE;
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
void
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

/* SIGTERM, a grace period, then SIGKILL; every stage reaped and recorded. */
/*
 * Descendants that left the process group (setsid) escape the group's
 * signal; pipeviz is their subreaper, so once the stages are gone they are
 * its children, and they go the same way: SIGTERM, grace, SIGKILL.
 */
static void
loop_terminate_orphans(struct loop *l)
{
	double deadline = util_now() + LOOP_GRACE_SECONDS;
	pid_t kids[256];
	bool first = true;
	size_t n;

	while ((n = launch_orphans(l->cfg->launch, kids, 256)) > 0) {
		int sig = util_now() >= deadline ? SIGKILL : SIGTERM;

		for (size_t i = 0; i < n; i++) {
			if (first || sig == SIGKILL)
				kill(kids[i], sig);
			if (sig == SIGTERM)
				kill(kids[i], SIGCONT);
		}
		first = false;
		poll(NULL, 0, 10);
		loop_reap(l);
		if (sig == SIGKILL)
			deadline = util_now() + 3600; /* sent once */
	}
}

void
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
	loop_terminate_orphans(l);
}

/*
 * Whether a stage is a shell construct rather than one command: its
 * first word does not say what ran (cat words || seq 1e6 ends with seq's
 * status, not cat's).
 */
static bool
loop_construct(const char *cmd)
{
	static const char *const words[] = { "for", "while", "until", "if",
		"case", "{", "(", NULL };
	size_t len = strcspn(cmd, " \t\n");

	if (strstr(cmd, "||") != NULL || strstr(cmd, "&&") != NULL ||
	    strchr(cmd, ';') != NULL || cmd[0] == '(' || cmd[0] == '{')
		return true;
	for (size_t i = 0; words[i] != NULL; i++) {
		if (strlen(words[i]) == len && strncmp(cmd, words[i], len) == 0)
			return true;
	}
	return false;
}

/* The construct as written, cut to a name's length: "cat words || se…". */
static char *
loop_short(const char *cmd)
{
	size_t len = strlen(cmd), cut = 0, chars = 0;

	/* Count characters, not bytes: a cut must not split a UTF-8 one. */
	while (cut < len && chars < 24) {
		cut++;
		while (cut < len && ((unsigned char)cmd[cut] & 0xc0) == 0x80)
			cut++;
		chars++;
	}
	return cut < len ? xasprintf("%.*s\u2026", (int)cut, cmd) :
	    xstrdup(cmd);
}

char **
loop_names(const struct launch *ln)
{
	size_t n = ln != NULL ? launch_nstages(ln) : 0;
	char **names = xcalloc(n + 1, sizeof *names);

	for (size_t i = 0; i < n; i++) {
		const char *cmd = launch_stage(ln, i)->command;

		if (strncmp(cmd, "exec ", 5) == 0)
			cmd += 5;
		names[i] = loop_construct(cmd) ? loop_short(cmd) :
		    xstrndup(cmd, strcspn(cmd, " \t\n"));
	}
	return names;
}

