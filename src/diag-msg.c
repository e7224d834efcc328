/*
 * diag-msg.c - the wording of diagnoses.  A message names the processes
 * and pipes it speaks of, so that a view can point at them, and says what
 * a process is doing in the words of its wait (a pipe, a socket's far
 * end, a poll set).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>

#include "pipeviz/procparse.h"
#include "pipeviz/util.h"
#include "diagnose-internal.h"

void
diag_msg_printf(struct diag_msg *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	util_vappendf(&m->text, &m->len, &m->cap, fmt, ap);
	va_end(ap);
}

void
diag_msg_pid(struct diag_msg *m, pid_t pid)
{
	for (size_t i = 0; i < m->npids; i++) {
		if (m->pids[i] == pid)
			return;
	}
	m->pids = xreallocarray(m->pids, m->npids + 1, sizeof *m->pids);
	m->pids[m->npids++] = pid;
}

void
diag_msg_pipe(struct diag_msg *m, uint64_t inode)
{
	for (size_t i = 0; i < m->npipes; i++) {
		if (m->pipes[i] == inode)
			return;
	}
	m->pipes = xreallocarray(m->pipes, m->npipes + 1, sizeof *m->pipes);
	m->pipes[m->npipes++] = inode;
}

/* Append the message as a diagnosis of s and start the next one. */
void
diag_msg_emit(struct diag_msg *m, struct snapshot *s, const char *kind)
{
	snapshot_add_diag(s, kind, m->pids, m->npids, m->pipes, m->npipes,
	    m->text != NULL ? m->text : "");
	m->len = 0;
	if (m->text != NULL)
		m->text[0] = '\0';
	m->npids = m->npipes = 0;
}

void
diag_msg_free(struct diag_msg *m)
{
	free(m->text);
	free(m->pids);
	free(m->pipes);
}

/* The separator before item i of n in "a, b and c". */
const char *
diag_list_sep(size_t i, size_t n)
{
	if (i == 0)
		return "";
	return i + 1 == n ? " and " : ", ";
}

void
diag_msg_proc(struct diag_msg *m, const struct snap_proc *p)
{
	diag_msg_printf(m, "%s (pid %d)", snapshot_proc_name(p), (int)p->pid);
	diag_msg_pid(m, p->pid);
}

void
diag_msg_pipe_name(struct diag_msg *m, const struct snap_pipe *pp)
{
	char label[160];

	diag_msg_printf(m, "%s", snapshot_chan_label(pp, label, sizeof label));
	diag_msg_pipe(m, pp->inode);
}

/* " on fd 3 (TCP 127.0.0.1:22) and fd 5": the channels of a poll set. */
static void
msg_poll_fds(struct diag_msg *m, const struct snapshot *s,
    const struct snap_blocked *b)
{
	size_t shown = 0;

	for (size_t i = 0; i < b->nwaits && shown < 3; i++) {
		const struct snap_wait_fd *w = &b->waits[i];
		const struct snap_pipe *pp;
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = b->waits[j].fd == w->fd;
		if (seen || (!w->in && !w->out))
			continue;
		diag_msg_printf(m,
		    "%s fd %d", shown++ == 0 ? " on" : ",", w->fd);
		pp = w->inode != 0 ? snapshot_find_pipe(s,
		    snapshot_wait_channel(s, w)) : NULL;
		if (pp != NULL) {
			diag_msg_printf(m, " (");
			diag_msg_pipe_name(m, pp);
			diag_msg_printf(m, ")");
		}
	}
	if (shown == 0)
		diag_msg_printf(m, " for several fds");
}

/* What a process is doing instead of serving its pipe, for messages. */
void
diag_msg_doing(struct diag_msg *m, const struct snapshot *s,
    const struct snap_proc *p)
{
	const struct snap_pipe *pp = NULL;

	if (p->blocked.pipe != 0)
		pp = snapshot_find_pipe(s, p->blocked.pipe);
	if (pp != NULL && snapshot_chan_remote(pp) &&
	    (p->blocked.op == SNAP_BLOCK_READ ||
	    p->blocked.op == SNAP_BLOCK_WRITE)) {
		char far[128];

		diag_msg_printf(m, p->blocked.op == SNAP_BLOCK_READ ?
		    "waiting for data from %s over %s on fd %d" :
		    "blocked sending to %s over %s on fd %d",
		    snapshot_chan_far_end(pp, far, sizeof far),
		    snapshot_sock_proto(pp), p->blocked.fd);
		diag_msg_pipe(m, pp->inode);
		return;
	}
	switch (p->blocked.op) {
	case SNAP_BLOCK_READ:
	case SNAP_BLOCK_WRITE:
		diag_msg_printf(m, "blocked %s fd %d",
		    p->blocked.op == SNAP_BLOCK_READ ? "reading" : "writing",
		    p->blocked.fd);
		if (pp != NULL) {
			diag_msg_printf(m, p->blocked.op == SNAP_BLOCK_READ ?
			    " from " : " to ");
			diag_msg_pipe_name(m, pp);
		}
		break;
	case SNAP_BLOCK_OPEN:
		diag_msg_printf(m, "blocked opening a FIFO");
		break;
	case SNAP_BLOCK_WAIT:
		diag_msg_printf(m, "waiting for a child");
		break;
	case SNAP_BLOCK_POLL:
		diag_msg_printf(m, "waiting in %s", procparse_syscall_name(
		    p->blocked.multiplexed ? p->blocked.call : p->syscall));
		msg_poll_fds(m, s, &p->blocked);
		break;
	case SNAP_BLOCK_NONE:
		diag_msg_printf(m, "sleeping");
		break;
	}
}
