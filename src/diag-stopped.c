/*
 * diag-stopped.c - stopped: one report per stopped job, who waits for it,
 * and how to continue it (fg, bg, SIGCONT or the debugger).
 */
#include "diagnose-internal.h"

/* Blocked processes on pp's other side, which wait for p to move. */
static void
stopped_waiters(struct diag_ctx *c, const struct snap_proc *p,
    const struct snap_pipe *pp, size_t *k)
{
	const struct snapshot *s = c->s;
	bool reader = diag_ends_have(pp->readers, pp->nreaders, p->pid);
	bool writer = diag_ends_have(pp->writers, pp->nwriters, p->pid);

	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *q = &s->procs[i];
		bool w = reader &&
		    diag_blocked_pipe(s, q, SNAP_BLOCK_WRITE) == pp;
		bool r = writer &&
		    diag_blocked_pipe(s, q, SNAP_BLOCK_READ) == pp;

		if (q == p || (!w && !r))
			continue;
		diag_msg_printf(&c->msg, "%s", *k == 0 ? "; " : ", and ");
		(*k)++;
		diag_msg_proc(&c->msg, q);
		diag_msg_printf(&c->msg,
		    " waits for it to %s ", w ? "read" : "write");
		diag_msg_pipe_name(&c->msg, pp);
	}
}

/* Whether q is a live, stopped process of the group pgid. */
static bool
stopped_in_group(const struct snap_proc *q, pid_t pgid)
{
	return !snapshot_proc_gone(q) && diag_proc_stopped(q) &&
	    q->pgid == pgid;
}

/*
 * The shell a job belongs to: the parent of its processes that is not in
 * the job itself.  0 if none is known.
 */
static pid_t
stopped_shell(const struct snapshot *s, pid_t pgid)
{
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *q = &s->procs[i], *parent;

		if (q->pgid != pgid || snapshot_proc_gone(q))
			continue;
		parent = snapshot_find_proc(s, q->ppid);
		if (parent == NULL || parent->pgid != pgid)
			return q->ppid > 1 ? q->ppid : 0;
	}
	return 0;
}

static void
msg_shell(struct diag_msg *m, const struct snapshot *s, pid_t shell)
{
	const struct snap_proc *sh = shell > 0 ? snapshot_find_proc(s, shell) :
	    NULL;

	if (sh != NULL)
		diag_msg_proc(m, sh);
	else if (shell > 0)
		diag_msg_printf(m, "(pid %d)", (int)shell);
	else
		diag_msg_printf(m, "the shell that started it");
}

/*
 * One report per stopped job (process group): job control stops and
 * continues groups, so the advice is for the group.  A background job
 * that touched its terminal (SIGTTIN, SIGTTOU) must be brought to the
 * foreground: a SIGCONT would only stop it again.
 */
void
diag_stopped(struct diag_ctx *c)
{
	const struct snapshot *s = c->s;

	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *p = &s->procs[i], *tty = NULL;
		size_t k = 0, n = 0;
		bool debugger = false, first = true;
		pid_t shell;

		/* A stop for a moment (a debugger's step, SIGSTOP then
		 * SIGCONT) holds nothing up. */
		if (!stopped_in_group(p, p->pgid) || !diag_stuck(c, p))
			continue;
		/* Reported with the first stopped process of its group. */
		for (size_t j = 0; j < i && first; j++)
			first = !stopped_in_group(&s->procs[j], p->pgid);
		if (!first)
			continue;
		for (size_t j = i; j < s->nprocs; j++) {
			const struct snap_proc *q = &s->procs[j];

			if (!stopped_in_group(q, p->pgid))
				continue;
			if (n++ > 0)
				diag_msg_printf(&c->msg, ", ");
			diag_msg_proc(&c->msg, q);
			debugger |= q->state == 't';
			if (tty == NULL && (q->stop == SNAP_STOP_TTIN ||
			    q->stop == SNAP_STOP_TTOU))
				tty = q;
		}
		if (debugger)
			diag_msg_printf(&c->msg, " %s stopped by a debugger",
			    n > 1 ? "are" : "is");
		else if (tty != NULL)
			diag_msg_printf(&c->msg,
			    " %s stopped: %s (pid %d) %s its "
			    "terminal from the background (%s)",
			    n > 1 ? "are" : "is", snapshot_proc_name(tty),
			    (int)tty->pid, tty->stop == SNAP_STOP_TTIN ?
			    "read" : "wrote to", tty->stop == SNAP_STOP_TTIN ?
			    "SIGTTIN" : "SIGTTOU");
		else
			diag_msg_printf(&c->msg, " %s stopped (by SIGSTOP or "
			    "job control)", n > 1 ? "are" : "is");
		for (size_t j = i; j < s->nprocs; j++) {
			const struct snap_proc *q = &s->procs[j];

			if (!stopped_in_group(q, p->pgid))
				continue;
			for (size_t e = 0; e < s->npipes; e++) {
				if (!s->pipes[e].stray)
					stopped_waiters(c, q, &s->pipes[e], &k);
			}
		}
		shell = stopped_shell(s, p->pgid);
		if (debugger)
			diag_msg_printf(&c->msg,
			    "; let the debugger continue it");
		else if (tty != NULL) {
			diag_msg_printf(&c->msg,
			    "; bring the job to the foreground "
			    "with fg in its shell ");
			msg_shell(&c->msg, s, shell);
			diag_msg_printf(&c->msg,
			    " (a SIGCONT would only stop it "
			    "again)");
		} else if (p->tpgid > 0) {
			diag_msg_printf(&c->msg,
			    "; resume the job with fg or bg in "
			    "its shell ");
			msg_shell(&c->msg, s, shell);
			diag_msg_printf(&c->msg,
			    ", or kill -CONT -%d", (int)p->pgid);
		} else if (n > 1)
			diag_msg_printf(&c->msg,
			    "; continue them with kill -CONT "
			    "-%d", (int)p->pgid);
		else
			diag_msg_printf(&c->msg,
			    "; continue it with kill -CONT %d",
			    (int)p->pid);
		diag_msg_emit(&c->msg, c->s, "stopped");
	}
}
