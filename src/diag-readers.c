/*
 * diag-readers.c - a reader blocked on an empty pipe: eof_held when the
 * EOF it waits for cannot come (every holder of a write end is idle and one
 * has no business holding it), else starved_reader while a live writer may
 * still fill it.  Judged after deadlocks and eof_held, which say more.
 */
#include <stdint.h>
#include <stdlib.h>

#include "pipeviz/util.h"
#include "diagnose-internal.h"

/* Samples a reader must wait before an unseen holder is blamed. */
#define DIAG_UNSEEN_SAMPLES 2
/* Processes starving behind another named in its report, at most. */
#define STARVED_NAMED 3

/* Why a write end's holder keeps a reader from its EOF. */
enum diag_hold {
	HOLD_NONE,	/* the expected writer: nothing suspicious */
	HOLD_SELF,	/* the reader holds its own write end */
	HOLD_LEFT,	/* the stage wired to write it has exited */
	HOLD_LEAKED,	/* held on an fd that is not stdout or stderr */
	HOLD_ORPHAN,	/* its parent is gone: a forgotten background job */
};

/*
 * Whether q holds a write end of r's input on purpose: it reads what r
 * writes (bash's coproc, Popen(stdin=PIPE, stdout=PIPE): a conversation),
 * or it is r's parent, feeding the child it started through a pipe of its
 * own (Popen(stdin=PIPE)) and not just waiting for it to end.  Such a
 * holder is the writer r waits for, not a descriptor someone forgot to
 * close.
 */
static bool
holds_by_design(const struct snapshot *s, const struct snap_proc *r,
    const struct snap_proc *q)
{
	const struct snap_fd *out = snapshot_proc_fd(r, 1);
	uint64_t chan = snapshot_fd_channel(s, out, false);

	/* A parent that waits for its children while holding it forgot it. */
	if (r->ppid == q->pid && q->blocked.op != SNAP_BLOCK_WAIT)
		return true;
	return chan != 0 && snapshot_proc_pipe_fd(q, chan, false, 0) >= 0;
}

static enum diag_hold
hold_reason(const struct diag_ctx *c, const struct snap_proc *r,
    const struct snap_pipe *pp, const struct snap_end *e)
{
	const struct snapshot *s = c->s;
	const struct snap_proc *q = snapshot_find_proc(s, e->pid);

	if (e->pid == r->pid)
		return HOLD_SELF;
	if (snapshot_exited_stage_on(s, pp->inode, true) != NULL)
		return HOLD_LEFT;
	if (e->fd != 1 && e->fd != 2)
		return q != NULL && holds_by_design(s, r, q) ? HOLD_NONE :
		    HOLD_LEAKED;
	if (q != NULL && (q->ppid <= 1 || (q->stage < 0 && c->launched &&
	    snapshot_find_proc(s, q->ppid) == NULL)))
		return HOLD_ORPHAN;
	return HOLD_NONE;
}

/* A holder that writes, or may be about to: EOF is not overdue then. */
static bool
holder_writing(const struct snapshot *s, const struct snap_pipe *pp,
    const struct snap_end *e)
{
	const struct snap_proc *q = diag_live_proc(s, e->pid);

	if (q == NULL)
		return false;
	return diag_proc_active(q) ||
	    (diag_proc_is_blocked(q, SNAP_BLOCK_WRITE) &&
	    q->blocked.pipe == pp->inode);
}

static void
eof_reason(struct diag_ctx *c, enum diag_hold why, const struct snap_pipe *pp,
    const struct snap_end *e)
{
	const struct snap_proc *st;

	switch (why) {
	case HOLD_LEFT:
		st = snapshot_exited_stage_on(c->s, pp->inode, true);
		diag_msg_printf(&c->msg, "; the stage wired to write it, ");
		diag_msg_proc(&c->msg, st);
		diag_msg_printf(&c->msg, ", has exited, but a process it left "
		    "in the background keeps the pipe open");
		break;
	case HOLD_LEAKED:
		diag_msg_printf(&c->msg,
		    "; fd %d looks like a leaked descriptor "
		    "that should have been closed", e->fd);
		break;
	case HOLD_ORPHAN:
		diag_msg_printf(&c->msg, "; its parent is gone, so it is a "
		    "background process left running");
		break;
	case HOLD_SELF:
	case HOLD_NONE:
		break;
	}
}

/* "but sleep (pid 810) still holds the write end as fd 1 and ..." */
static void
eof_report(struct diag_ctx *c, const struct snap_proc *r,
    const struct snap_pipe *pp, const enum diag_hold *why)
{
	const struct snap_end *first = NULL;
	enum diag_hold first_why = HOLD_NONE;
	size_t nnamed = 0, nothers = 0, k = 0;

	for (size_t i = 0; i < pp->nwriters; i++) {
		if (why[i] != HOLD_NONE)
			nnamed++;
		if (why[i] != HOLD_NONE && why[i] != HOLD_SELF)
			nothers++;
	}
	diag_msg_proc(&c->msg, r);
	diag_msg_printf(&c->msg, " waits for EOF on fd %d (", r->blocked.fd);
	diag_msg_pipe_name(&c->msg, pp);
	diag_msg_printf(&c->msg, "), but ");
	for (size_t i = 0; i < pp->nwriters; i++) {
		const struct snap_end *e = &pp->writers[i];
		const struct snap_proc *q = snapshot_find_proc(c->s, e->pid);

		if (why[i] == HOLD_NONE || q == NULL)
			continue;
		diag_msg_printf(&c->msg, "%s", diag_list_sep(k++, nnamed));
		if (why[i] == HOLD_SELF) {
			diag_msg_printf(&c->msg,
			    "it holds the write end itself "
			    "as fd %d", e->fd);
			continue;
		}
		diag_msg_proc(&c->msg, q);
		diag_msg_printf(&c->msg, " still holds the write end as fd %d",
		    e->fd);
		if (first == NULL) {
			first = e;
			first_why = why[i];
		}
	}
	if (nothers == 0)
		diag_msg_printf(&c->msg, ", so EOF can never come");
	else
		diag_msg_printf(&c->msg, " and %s not writing",
		    nothers == 1 ? "is" : "none of them is");
	if (first != NULL)
		eof_reason(c, first_why, pp, first);
	diag_msg_emit(&c->msg, c->s, "eof_held");
}

/*
 * No observed process holds a write end, yet no EOF came: one we cannot
 * see (a background child out of reach, or fds we may not read) has it.
 */
static void
eof_report_unseen(struct diag_ctx *c, const struct snap_proc *r,
    const struct snap_pipe *pp)
{
	const struct snap_proc *st = snapshot_exited_stage_on(c->s, pp->inode,
	    true);

	diag_msg_proc(&c->msg, r);
	diag_msg_printf(&c->msg, " waits for EOF on fd %d (", r->blocked.fd);
	diag_msg_pipe_name(&c->msg, pp);
	diag_msg_printf(&c->msg, "), but a process pipeviz does not see still "
	    "holds the write end");
	if (st != NULL) {
		diag_msg_printf(&c->msg, " (the stage wired to write it, ");
		diag_msg_proc(&c->msg, st);
		diag_msg_printf(&c->msg, ", has exited: look for a background "
		    "process it started)");
	}
	diag_msg_emit(&c->msg, c->s, "eof_held");
}

/*
 * The reader waits for EOF that cannot come soon when every holder of a
 * write end is idle and at least one of them has no business holding it.
 * Returns whether an eof_held diagnosis was made.
 */
static bool
diag_eof_held(struct diag_ctx *c, const struct snap_proc *r,
    const struct snap_pipe *pp)
{
	const struct diag_hist *h = c->hist[diag_proc_index(c->s, r)];
	enum diag_hold *why;
	bool suspicious = false;

	if (pp->nwriters == 0) {
		if (h == NULL || h->blocked_samples < DIAG_UNSEEN_SAMPLES)
			return false;
		eof_report_unseen(c, r, pp);
		return true;
	}
	for (size_t i = 0; i < pp->nwriters; i++) {
		if (holder_writing(c->s, pp, &pp->writers[i]))
			return false;
	}
	why = xcalloc(pp->nwriters, sizeof *why);
	for (size_t i = 0; i < pp->nwriters; i++) {
		why[i] = hold_reason(c, r, pp, &pp->writers[i]);
		suspicious = suspicious || why[i] != HOLD_NONE;
	}
	if (suspicious)
		eof_report(c, r, pp, why);
	free(why);
	return suspicious;
}

/* "cat (pid 9) is waiting to read fd 0: pipe 7 is empty for 1.0 s; ..." */
static void
starved_report(struct diag_ctx *c, const struct snap_proc *r,
    const struct snap_pipe *pp, const struct diag_chains *ch)
{
	const struct snap_proc **wr = xcalloc(pp->nwriters + 1, sizeof *wr);
	size_t n = diag_other_ends(c->s, r, pp->writers, pp->nwriters, wr);
	size_t me = (size_t)(r - c->s->procs), ndown = 0;

	diag_msg_proc(&c->msg, r);
	diag_msg_printf(&c->msg, " is waiting to read fd %d: ", r->blocked.fd);
	diag_msg_pipe_name(&c->msg, pp);
	diag_msg_printf(&c->msg,
	    " is empty for %.1f s; ", diag_blocked_for(c, r));
	for (size_t k = 0; k < n; k++) {
		const struct snap_proc *q = wr[k];

		diag_msg_printf(&c->msg, "%s", diag_list_sep(k, n));
		diag_msg_proc(&c->msg, q);
		if (diag_proc_stopped(q))
			diag_msg_printf(&c->msg, " is stopped");
		else if (diag_proc_active(q))
			diag_msg_printf(&c->msg, " is busy and has not written "
			    "to it yet");
		else if (q->blocked.op != SNAP_BLOCK_NONE) {
			diag_msg_printf(&c->msg, " is ");
			diag_msg_doing(&c->msg, c->s, q);
		} else
			diag_msg_printf(&c->msg, " has not written to it");
	}
	/* Those starving behind r, named up to a few. */
	for (size_t k = ch->start[me]; k < ch->start[me + 1]; k++)
		ndown += ch->member[k] != me;
	for (size_t k = ch->start[me], named = 0; k < ch->start[me + 1]; k++) {
		size_t i = ch->member[k];

		if (i == me)
			continue;
		if (named == 0)
			diag_msg_printf(&c->msg,
			    "; downstream, %zu more wait in turn: ",
			    ndown);
		if (named < STARVED_NAMED) {
			diag_msg_printf(&c->msg, "%s", diag_list_sep(named,
			    ndown <= STARVED_NAMED ? ndown :
			    STARVED_NAMED + 1));
			diag_msg_proc(&c->msg, &c->s->procs[i]);
		} else
			diag_msg_pid(&c->msg, c->s->procs[i].pid);
		named++;
	}
	if (ndown > STARVED_NAMED)
		diag_msg_printf(&c->msg,
		    " and %zu others", ndown - STARVED_NAMED);
	free(wr);
	diag_msg_emit(&c->msg, c->s, "starved_reader");
}

/*
 * The empty pipeline pipe r has been blocked reading for the stuck time,
 * or NULL: a reader that waits a moment for each chunk is not starved.
 */
static const struct snap_pipe *
starving_pipe(const struct diag_ctx *c, const struct snap_proc *r)
{
	const struct snap_pipe *pp = diag_blocked_pipe(c->s, r,
	    SNAP_BLOCK_READ);

	/* Data from the network is not the pipeline's to give. */
	if (pp != NULL && snapshot_chan_remote(pp))
		return NULL;
	return pp != NULL && pp->fill == 0 && diag_stuck(c, r) ? pp : NULL;
}

void
diag_eof(struct diag_ctx *c)
{
	for (size_t i = 0; i < c->s->nprocs; i++) {
		const struct snap_proc *r = &c->s->procs[i];
		const struct snap_pipe *pp = starving_pipe(c, r);

		if (pp != NULL && diag_eof_held(c, r, pp))
			c->eof_held[i] = true;
	}
}

/* Whether the reader procs[i] starves on a pipe a live process may fill. */
static const struct snap_pipe *
starved_on(struct diag_ctx *c, size_t i)
{
	const struct snapshot *s = c->s;
	const struct snap_proc *r = &s->procs[i];
	const struct snap_pipe *pp = starving_pipe(c, r);

	if (pp == NULL || c->eof_held[i] || c->deadlocked[i])
		return NULL;
	for (size_t k = 0; k < pp->nwriters; k++) {
		const struct snap_proc *q = diag_live_proc(s,
		    pp->writers[k].pid);

		if (q != NULL && q != r)
			return pp;
	}
	return NULL;
}

/*
 * The one live writer of the pipe procs[i] starves on, if that writer
 * starves too (as each cat of sleep | cat | cat does), or DIAG_NONE.
 */
static size_t
starved_upstream(struct diag_ctx *c, size_t i)
{
	const struct snapshot *s = c->s;
	const struct snap_pipe *pp = starved_on(c, i);
	const struct snap_proc *w = NULL;

	for (size_t k = 0; pp != NULL && k < pp->nwriters; k++) {
		const struct snap_proc *q = diag_live_proc(s,
		    pp->writers[k].pid);

		if (q == NULL || q == &s->procs[i] || q == w)
			continue;
		if (w != NULL)
			return DIAG_NONE;
		w = q;
	}
	if (w == NULL || starved_on(c, (size_t)(w - s->procs)) == NULL)
		return DIAG_NONE;
	return (size_t)(w - s->procs);
}

/*
 * Readers whose writers live, unless eof_held or a deadlock says more.
 * One cause, one report: a reader that starves because its only writer
 * starves is named in the report of the head of that chain, not alone.
 */
void
diag_starved(struct diag_ctx *c)
{
	const struct snapshot *s = c->s;
	struct diag_chains ch;
	size_t *up;
	bool *in;

	if (s->nprocs == 0)
		return;
	up = xcalloc(s->nprocs, sizeof *up);
	in = xcalloc(s->nprocs, sizeof *in);
	for (size_t i = 0; i < s->nprocs; i++) {
		up[i] = starved_upstream(c, i);
		in[i] = starved_on(c, i) != NULL;
	}
	/* A ring of starved readers has no head: each stands alone. */
	diag_chains_make(&ch, up, in, s->nprocs);
	for (size_t i = 0; i < s->nprocs; i++) {
		if (ch.head[i] == i)
			starved_report(c, &s->procs[i], starved_on(c, i), &ch);
	}
	diag_chains_free(&ch);
	free(in);
	free(up);
}
