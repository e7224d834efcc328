/*
 * diag-writers.c - writers the other side does not keep up with:
 * blocked_writer on a pipe with no room, no_reader when the reader stage
 * has exited, sigpipe when a writer was killed for writing to no one.
 */
#include <signal.h>
#include <stdlib.h>

#include "pipeviz/util.h"
#include "diagnose-internal.h"

/* Writers behind a chain's head named in its report, at most. */
#define BLOCKED_NAMED 4

/*
 * The pipe procs[i] is stuck writing, with no room in it for the stuck
 * time; or NULL.
 */
static const struct snap_pipe *
blocked_on(const struct diag_ctx *c, size_t i)
{
	const struct snap_proc *w = &c->s->procs[i];
	const struct snap_pipe *pp = diag_blocked_pipe(c->s, w,
	    SNAP_BLOCK_WRITE);

	return pp != NULL && snapshot_proc_waits_room(w, pp) &&
	    diag_stuck(c, w) ? pp : NULL;
}

/*
 * The one reader of the pipe procs[i] is blocked writing into, if that
 * reader is a blocked writer too (each stage of yes | tr | grep | sleep
 * waits for the next), or DIAG_NONE.
 */
static size_t
blocked_downstream(const struct diag_ctx *c, size_t i)
{
	const struct snap_pipe *pp = blocked_on(c, i);
	const struct snap_proc *rd[2];
	size_t n;

	if (pp == NULL || pp->nreaders == 0)
		return DIAG_NONE;
	if (diag_other_ends(c->s, &c->s->procs[i], pp->readers, 1, rd) != 1)
		return DIAG_NONE;
	for (size_t k = 1; k < pp->nreaders; k++) {
		if (pp->readers[k].pid != rd[0]->pid)
			return DIAG_NONE;
	}
	n = (size_t)(rd[0] - c->s->procs);
	return blocked_on(c, n) != NULL ? n : DIAG_NONE;
}

/* "; upstream, 2 more wait in turn: tr (pid 5258), yes (pid 5257)" */
static void
blocked_upstream_clause(struct diag_ctx *c, const struct snap_proc *w,
    const struct diag_chains *ch)
{
	size_t me = (size_t)(w - c->s->procs), nup = 0, named = 0;

	for (size_t k = ch->start[me]; k < ch->start[me + 1]; k++)
		nup += ch->member[k] != me;
	/* Nearest first: upstream is the other way along the chain. */
	for (size_t k = ch->start[me + 1]; k-- > ch->start[me];) {
		size_t i = ch->member[k];

		if (i == me)
			continue;
		if (named == 0)
			diag_msg_printf(&c->msg, "; upstream, %zu more wait in "
			    "turn: ", nup);
		if (named < BLOCKED_NAMED) {
			diag_msg_printf(&c->msg, "%s", diag_list_sep(named,
			    nup <= BLOCKED_NAMED ? nup : BLOCKED_NAMED + 1));
			diag_msg_proc(&c->msg, &c->s->procs[i]);
		} else
			diag_msg_pid(&c->msg, c->s->procs[i].pid);
		/* Its pipe is one the report concerns too. */
		diag_msg_pipe(&c->msg, blocked_on(c, i)->inode);
		named++;
	}
	if (nup > BLOCKED_NAMED)
		diag_msg_printf(&c->msg, " and %zu others", nup - BLOCKED_NAMED);
}

static void
blocked_writer_report(struct diag_ctx *c, const struct snap_proc *w,
    const struct snap_pipe *pp, const struct diag_chains *ch)
{
	char fill[16], cap[16];
	const struct snap_proc **rd = xcalloc(pp->nreaders + 1, sizeof *rd);
	size_t n = diag_other_ends(c->s, w, pp->readers, pp->nreaders, rd);

	diag_msg_proc(&c->msg, w);
	diag_msg_printf(&c->msg, " is blocked writing fd %d: ", w->blocked.fd);
	diag_msg_pipe_name(&c->msg, pp);
	if (pp->capacity > 0 && pp->fill >= 0)
		diag_msg_printf(&c->msg, " %s (%s/%s) for %.1f s; ",
		    pp->fill >= pp->capacity ? "is full" :
		    "has no room for the next write",
		    util_format_bytes(fill, sizeof fill, (double)pp->fill),
		    util_format_bytes(cap, sizeof cap, (double)pp->capacity),
		    diag_blocked_for(c, w));
	else
		diag_msg_printf(&c->msg, " has no room for %.1f s; ",
		    diag_blocked_for(c, w));
	if (n == 0 && snapshot_chan_remote(pp)) {
		char far[128];

		diag_msg_printf(&c->msg,
		    "the other end, %s, is not taking the data",
		    snapshot_chan_far_end(pp, far, sizeof far));
	} else if (n == 0 && diag_ends_have(pp->readers, pp->nreaders, w->pid))
		/* --demo fill: its own read end, and it never gets to it. */
		diag_msg_printf(&c->msg, "only %s itself holds the read end, "
		    "and it is blocked writing, so nothing will ever read it",
		    snapshot_proc_name(w));
	else if (n == 0)
		diag_msg_printf(&c->msg, "no reader is observed");
	for (size_t k = 0; k < n; k++) {
		const struct snap_proc *q = rd[k];

		diag_msg_printf(&c->msg, "%s", diag_list_sep(k, n));
		diag_msg_proc(&c->msg, q);
		if (diag_proc_stopped(q))
			diag_msg_printf(&c->msg, " is stopped");
		/*
		 * Running, and it read nothing over the last interval (its
		 * own counter; the pipe's rate where that is unknown): it
		 * does something else (a sleep on its way out, a program
		 * busy before its first read), not reading slowly.  A reader
		 * of a byte at a time moves its counter while the writer
		 * waits for a page to free up.
		 */
		else if (diag_proc_active(q) && (q->read_bps == 0 ||
		    (q->read_bps < 0 && pp->rate_bps == 0)))
			diag_msg_printf(&c->msg, " is running but not reading it");
		else if (diag_proc_active(q))
			diag_msg_printf(&c->msg, " reads it more slowly than "
			    "%s writes", snapshot_proc_name(w));
		else if (q->blocked.op != SNAP_BLOCK_NONE &&
		    !(q->blocked.op == SNAP_BLOCK_READ &&
		    q->blocked.pipe == pp->inode)) {
			diag_msg_printf(&c->msg, " is not reading it (");
			diag_msg_doing(&c->msg, c->s, q);
			diag_msg_printf(&c->msg, ")");
		} else
			diag_msg_printf(&c->msg, " is not reading it");
	}
	free(rd);
	blocked_upstream_clause(c, w, ch);
	diag_msg_emit(&c->msg, c->s, "blocked_writer");
}

/*
 * One cause, one report: a writer blocked behind a reader that is itself
 * a blocked writer is named in the report of the chain's last writer,
 * the one the process that does not read holds up.
 */
void
diag_writers(struct diag_ctx *c)
{
	const struct snapshot *s = c->s;
	struct diag_chains ch;
	size_t *down;
	bool *in;

	if (s->nprocs == 0)
		return;
	down = xcalloc(s->nprocs, sizeof *down);
	in = xcalloc(s->nprocs, sizeof *in);
	for (size_t i = 0; i < s->nprocs; i++) {
		down[i] = c->deadlocked[i] ? DIAG_NONE : blocked_downstream(c, i);
		in[i] = blocked_on(c, i) != NULL;
	}
	/* A ring of blocked writers is a deadlock's: each alone. */
	diag_chains_make(&ch, down, in, s->nprocs);
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_pipe *pp = blocked_on(c, i);

		if (pp != NULL && ch.head[i] == i)
			blocked_writer_report(c, &s->procs[i], pp, &ch);
	}
	diag_chains_free(&ch);
	free(in);
	free(down);
}

/*
 * A writer whose launched reader stage has exited: nothing reads the pipe
 * any more, so its next write fails (EPIPE) or kills it (SIGPIPE).
 */
void
diag_no_reader(struct diag_ctx *c)
{
	const struct snapshot *s = c->s;

	for (size_t i = 0; i < s->npipes; i++) {
		const struct snap_pipe *pp = &s->pipes[i];
		const struct snap_proc *gone;

		/* Its writers have had the stuck time to notice. */
		if (pp->stray || pp->nreaders > 0 ||
		    (gone = snapshot_exited_stage_on(s, pp->inode,
		    false)) == NULL ||
		    s->t - gone->exit.t < c->d->stuck_seconds - 1e-6)
			continue;
		for (size_t k = 0; k < pp->nwriters; k++) {
			const struct snap_proc *w = diag_live_proc(s,
			    pp->writers[k].pid);

			if (w == NULL)
				continue;
			diag_msg_proc(&c->msg, w);
			diag_msg_printf(&c->msg, " holds ");
			diag_msg_pipe_name(&c->msg, pp);
			diag_msg_printf(&c->msg, " as fd %d, but its reader ",
			    pp->writers[k].fd);
			diag_msg_proc(&c->msg, gone);
			diag_msg_printf(&c->msg,
			    " has exited and nothing reads it; "
			    "its next write will fail with EPIPE or kill it "
			    "by SIGPIPE");
			diag_msg_emit(&c->msg, c->s, "no_reader");
		}
	}
}

/* The pipe on w's fd 1 and the process that reads it on fd 0, if known. */
static const struct snap_proc *
sigpipe_reader(const struct snapshot *s, const struct snap_proc *w,
    const struct snap_pipe **pp)
{
	const struct snap_fd *out = snapshot_proc_fd(w, 1);

	*pp = NULL;
	if (out != NULL && out->inode != 0 &&
	    (out->kind == SNAP_FD_PIPE || out->kind == SNAP_FD_FIFO))
		*pp = snapshot_find_pipe(s, out->inode);
	return *pp != NULL ? snapshot_fd0_reader(s, w, (*pp)->inode) : NULL;
}

static bool
sigpiped(const struct snap_proc *p)
{
	return p->exit.exited && p->exit.signal == SIGPIPE;
}

/*
 * Where a SIGPIPE cascade began: following readers downstream while they
 * too died of SIGPIPE (yes | tr | cat | head: cat, tr and yes die in
 * turn after head leaves), the first that did not.  Its index, or
 * DIAG_NONE when the chain leaves the picture.
 */
static size_t
sigpipe_root(const struct snapshot *s, size_t i)
{
	const struct snap_pipe *pp;
	const struct snap_proc *r = &s->procs[i];

	for (size_t steps = 0; steps <= s->nprocs; steps++) {
		if ((r = sigpipe_reader(s, r, &pp)) == NULL)
			return DIAG_NONE;
		if (!sigpiped(r))
			return (size_t)(r - s->procs);
	}
	return DIAG_NONE;
}

static void
sigpipe_normal(struct diag_msg *m)
{
	diag_msg_printf(m, "; this is normal when a reader exits before the "
	    "end of its input, as in yes | head");
}

/*
 * One report per cascade, from the reader that left first; a writer
 * whose chain leaves the picture is reported alone.
 */
void
diag_sigpipe(struct diag_ctx *c)
{
	const struct snapshot *s = c->s;
	size_t *root;

	if (s->nprocs == 0)
		return;
	root = xcalloc(s->nprocs, sizeof *root);
	for (size_t i = 0; i < s->nprocs; i++)
		root[i] = sigpiped(&s->procs[i]) ? sigpipe_root(s, i) : DIAG_NONE;
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *w = &s->procs[i], *r;
		const struct snap_pipe *pp;
		size_t n = 0, k = 0;

		if (!sigpiped(w))
			continue;
		for (size_t j = 0; j < s->nprocs; j++)
			n += root[i] != DIAG_NONE && root[j] == root[i];
		r = sigpipe_reader(s, w, &pp);
		if (n > 1) {
			const struct snap_proc *first = &s->procs[root[i]];

			/* Once per cascade: at the writer next to its root. */
			if (r != first)
				continue;
			diag_msg_proc(&c->msg, first);
			diag_msg_printf(&c->msg, " %s and closed ",
			    first->exit.exited ? "exited" : "stopped reading");
			diag_msg_pipe_name(&c->msg, pp);
			diag_msg_printf(&c->msg, "; ");
			/* Nearest first: from the root upstream. */
			for (const struct snap_proc *q = w; q != NULL && k < n;) {
				const struct snap_pipe *qp;
				const struct snap_proc *up = NULL;

				diag_msg_printf(&c->msg, "%s", diag_list_sep(k++, n));
				diag_msg_proc(&c->msg, q);
				for (size_t j = 0; j < s->nprocs && up == NULL; j++) {
					if (root[j] == root[i] && sigpipe_reader(s,
					    &s->procs[j], &qp) == q)
						up = &s->procs[j];
				}
				q = up;
			}
			diag_msg_printf(&c->msg, " then died of SIGPIPE in turn");
			sigpipe_normal(&c->msg);
			diag_msg_emit(&c->msg, c->s, "sigpipe");
			continue;
		}
		diag_msg_proc(&c->msg, w);
		diag_msg_printf(&c->msg, " was killed by SIGPIPE because ");
		if (r != NULL) {
			diag_msg_printf(&c->msg, "its reader ");
			diag_msg_proc(&c->msg, r);
			diag_msg_printf(&c->msg, " %s ", r->exit.exited ?
			    "exited and closed" : "stopped reading");
			diag_msg_pipe_name(&c->msg, pp);
		} else
			diag_msg_printf(&c->msg, "its reader went away");
		sigpipe_normal(&c->msg);
		diag_msg_emit(&c->msg, c->s, "sigpipe");
	}
	free(root);
}
