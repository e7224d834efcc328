/*
 * diag-writers.c - writers the other side does not keep up with:
 * blocked_writer on a pipe with no room, no_reader when the reader stage
 * has exited, sigpipe when a writer was killed for writing to no one.
 */
#include <signal.h>
#include <stdlib.h>

#include "pipeviz/util.h"
#include "diagnose-internal.h"

static void
blocked_writer_report(struct diag_ctx *c, const struct snap_proc *w,
    const struct snap_pipe *pp)
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
	diag_msg_emit(&c->msg, c->s, "blocked_writer");
}

void
diag_writers(struct diag_ctx *c)
{
	for (size_t i = 0; i < c->s->nprocs; i++) {
		const struct snap_proc *w = &c->s->procs[i];
		const struct snap_pipe *pp = diag_blocked_pipe(c->s, w,
		    SNAP_BLOCK_WRITE);

		if (pp != NULL && snapshot_proc_waits_room(w, pp))
			blocked_writer_report(c, w, pp);
	}
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

		if (pp->stray || pp->nreaders > 0 ||
		    (gone = snapshot_exited_stage_on(s, pp->inode,
		    false)) == NULL)
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

void
diag_sigpipe(struct diag_ctx *c)
{
	const struct snapshot *s = c->s;

	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *w = &s->procs[i];
		const struct snap_fd *out = snapshot_proc_fd(w, 1);
		const struct snap_pipe *pp = NULL;
		const struct snap_proc *r = NULL;

		if (!w->exit.exited || w->exit.signal != SIGPIPE)
			continue;
		if (out != NULL && out->inode != 0 &&
		    (out->kind == SNAP_FD_PIPE || out->kind == SNAP_FD_FIFO))
			pp = snapshot_find_pipe(s, out->inode);
		if (pp != NULL)
			r = snapshot_fd0_reader(s, w, pp->inode);
		diag_msg_proc(&c->msg, w);
		diag_msg_printf(&c->msg, " was killed by SIGPIPE because ");
		if (r != NULL) {
			diag_msg_printf(&c->msg, "its reader ");
			diag_msg_proc(&c->msg, r);
			diag_msg_printf(&c->msg, " %s ", r->exit.exited ?
			    "exited and closed" : "stopped reading");
			diag_msg_pipe_name(&c->msg, pp);
			diag_msg_printf(&c->msg,
			    "; this is normal when a reader "
			    "exits before the end of its input, as in "
			    "yes | head");
		} else
			diag_msg_printf(&c->msg,
			    "its reader went away; this is "
			    "normal when a reader exits before the end of its "
			    "input, as in yes | head");
		diag_msg_emit(&c->msg, c->s, "sigpipe");
	}
}
