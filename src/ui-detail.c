/* ui-detail.c - what the detail panel says about a process. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeviz/cmdline.h"
#include "pipeviz/explain.h"
#include "pipeviz/procparse.h"
#include "pipeviz/util.h"
#include "ui-internal.h"

__attribute__((format(printf, 3, 4))) void
ui_addf(struct ui_lines *ls, int style, const char *fmt, ...)
{
	va_list ap;

	ls->v = xreallocarray(ls->v, ls->n + 1, sizeof *ls->v);
	va_start(ap, fmt);
	vsnprintf(ls->v[ls->n].text, sizeof ls->v[ls->n].text, fmt, ap);
	va_end(ap);
	ls->v[ls->n].style = style;
	ls->n++;
}

static const char *
ui_state_name(char state)
{
	switch (state) {
	case 'R':
		return "running";
	case 'S':
		return "sleeping";
	case 'D':
		return "uninterruptible sleep";
	case 'T':
		return "stopped";
	case 't':
		return "stopped by a debugger";
	case 'Z':
		return "zombie";
	case 'X':
		return "exited";
	}
	return "unknown";
}

/* A pipe held on two fds shows its bytes once, at the first. */
static bool
ui_peek_shown(const struct snap_proc *p, size_t i)
{
	for (size_t j = 0; j < i; j++) {
		if (p->fds[j].inode == p->fds[i].inode &&
		    p->fds[j].kind == p->fds[i].kind)
			return true;
	}
	return false;
}

/* What pipeviz itself made of a pipe: its capture of a pane's text. */
static const char *
ui_capture_of(const struct ui_frame *f, uint64_t inode)
{
	if (f == NULL || inode == 0)
		return NULL;
	if (inode == f->output_pipe)
		return "pipeviz's capture: the output pane";
	for (size_t i = 0; i < f->nlog_pipes; i++) {
		if (f->log_pipes[i] == inode)
			return "pipeviz's capture: the log pane";
	}
	return NULL;
}

/* The what column of a pipe or FIFO fd: path, inode, then its state. */
static void
ui_pipe_what(const struct ui_frame *f, const struct snap_fd *fd,
    const struct snap_pipe *pp, char *what, size_t size)
{
	const char *capture = ui_capture_of(f, fd->inode);
	char a[16], b[16];
	int n;

	n = snprintf(what, size, "%s%s%-10llu", fd->path ? fd->path : "",
	    fd->path ? " " : "", (unsigned long long)fd->inode);
	if (n < 0 || (size_t)n >= size)
		return;
	if (capture != NULL)
		snprintf(what + n, size - (size_t)n, "  %s", capture);
	else if (pp != NULL && pp->stray)
		snprintf(what + n, size - (size_t)n, "  (not in the picture)");
	else if (pp != NULL && pp->capacity > 0)
		snprintf(what + n, size - (size_t)n, "  %s/%s",
		    util_format_bytes(a, sizeof a, (double)pp->fill),
		    util_format_bytes(b, sizeof b, (double)pp->capacity));
}

void
ui_detail_lines(const struct snapshot *s, const struct snap_proc *p,
    const struct ui_frame *fr, int width, struct ui_lines *ls)
{
	/* Hex bytes a line: what fits after the indent, 4 to 16, by fours. */
	size_t hex_width = width > 8 + 3 * 4 ? (size_t)(width - 8) / 3 / 4 * 4 : 4;
	char a[16], b[16], c[16], *says, *argv;

	ui_addf(ls, LAYOUT_HEADING, "%s  pid %d", p->comm, (int)p->pid);
	/* As a shell would need it typed: words with blanks stay words. */
	argv = cmdline_quote_argv(p->argv);
	ui_addf(ls, LAYOUT_NORMAL, "argv   %s", argv);
	free(argv);
	says = explain_of(s, p);
	ui_addf(ls, LAYOUT_NAME, "what   %s", says);
	free(says);
	/* An attached pipeline has no stages: no stage line. */
	if (p->stage >= 0)
		ui_addf(ls, LAYOUT_NORMAL, "ppid %d  pgid %d  stage %d",
		    (int)p->ppid, (int)p->pgid, p->stage);
	else
		ui_addf(ls, LAYOUT_NORMAL, "ppid %d  pgid %d", (int)p->ppid,
		    (int)p->pgid);
	if (p->exit.exited) {
		if (p->exit.signal != 0)
			ui_addf(ls, LAYOUT_FAILED, "state  killed by SIG%s at %.2fs",
			    sigabbrev_np(p->exit.signal), p->exit.t);
		else
			ui_addf(ls, p->exit.code ? LAYOUT_FAILED : LAYOUT_EXITED,
			    "state  exited with %d at %.2fs", p->exit.code,
			    p->exit.t);
	} else
		ui_addf(ls, LAYOUT_NORMAL, "state  %c (%s)  wchan %s", p->state,
		    ui_state_name(p->state), p->wchan[0] ? p->wchan : "-");
	if (p->syscall >= 0) {
		char tid[32] = "";

		if (p->blocked.tid != 0)
			snprintf(tid, sizeof tid, " (thread %d)",
			    (int)p->blocked.tid);
		ui_addf(ls, LAYOUT_NORMAL, "in     %s()%s%s%s",
		    procparse_syscall_name(p->syscall), tid,
		    p->blocked.op != SNAP_BLOCK_NONE ? "  blocked " : "",
		    snapshot_op_name(p->blocked.op));
	}
	if (p->blocked.op != SNAP_BLOCK_NONE && p->blocked.fd >= 0) {
		const struct snap_pipe *pp = snapshot_find_pipe(s, p->blocked.pipe);
		char label[160];

		if (pp != NULL && pp->capacity > 0)
			ui_addf(ls, snapshot_proc_waits_room(p, pp) ?
			    LAYOUT_BLOCKED : LAYOUT_WAITING,
			    "       on fd %d, %s: %s of %s", p->blocked.fd,
			    snapshot_chan_label(pp, label, sizeof label),
			    util_format_bytes(a, sizeof a, (double)pp->fill),
			    util_format_bytes(b, sizeof b, (double)pp->capacity));
		else if (pp != NULL)
			ui_addf(ls, LAYOUT_NORMAL, "       on fd %d, %s", p->blocked.fd,
			    snapshot_chan_label(pp, label, sizeof label));
		else
			ui_addf(ls, LAYOUT_NORMAL, "       on fd %d", p->blocked.fd);
	}
	if (p->blocked.multiplexed) {
		char set[160];
		size_t len = 0;

		set[0] = '\0';
		for (size_t i = 0; i < p->blocked.nwaits && len + 24 < sizeof set;
		    i++) {
			const struct snap_wait_fd *w = &p->blocked.waits[i];

			len += (size_t)snprintf(set + len, sizeof set - len,
			    "%s%d%s", len > 0 ? " " : "", w->fd, w->in && w->out ?
			    "rw" : w->out ? "w" : w->in ? "r" : "-");
		}
		ui_addf(ls, LAYOUT_NORMAL, "waits  %s%s", len > 0 ? set : "none",
		    p->blocked.waits_partial ? " (not read whole)" : "");
	}
	if (p->nthreads_read > 0) {
		ui_addf(ls, LAYOUT_HEADING, "threads %zu", p->nthreads_read);
		for (size_t i = 0; i < p->nthreads_read && i < 8; i++) {
			const struct snap_thread *t = &p->threads[i];
			const char *sc = t->syscall >= 0 ?
			    procparse_syscall_name(t->syscall) : "";
			char on[24] = "";

			if (t->blocked.op != SNAP_BLOCK_NONE && t->blocked.fd >= 0)
				snprintf(on, sizeof on, " fd %d", t->blocked.fd);
			ui_addf(ls, t->blocked.op == SNAP_BLOCK_WRITE ?
			    LAYOUT_BLOCKED : LAYOUT_NORMAL, "%8d %c %s%s",
			    (int)t->tid, t->state, sc[0] != '\0' ? sc : "-", on);
		}
		if (p->nthreads_read > 8)
			ui_addf(ls, LAYOUT_DIM, "         and %zu more",
			    p->nthreads_read - 8);
	}
	ui_addf(ls, LAYOUT_NORMAL, "cpu %.1f%%  rss %s  read %s/s  write %s/s",
	    p->cpu_pct, util_format_bytes(a, sizeof a, (double)p->rss_kib * 1024),
	    util_format_bytes(b, sizeof b, p->read_bps),
	    util_format_bytes(c, sizeof c, p->write_bps));
	if (p->fds_denied)
		ui_addf(ls, LAYOUT_FAILED, "fds    not readable (another user's)");
	else if (p->fds_unread && p->nfds > 0)
		ui_addf(ls, LAYOUT_FAILED, "fds    as last read: not readable "
		    "now (pipeviz out of descriptors?)");
	else if (p->fds_unread)
		ui_addf(ls, LAYOUT_FAILED, "fds    could not be read (pipeviz "
		    "out of descriptors?)");
	else
		ui_addf(ls, LAYOUT_HEADING, "fds");
	for (size_t i = 0; i < p->nfds; i++) {
		const struct snap_fd *f = &p->fds[i];
		const struct snap_pipe *pp = snapshot_find_pipe(s, f->inode);
		char what[300];

		if (f->kind == SNAP_FD_PIPE || f->kind == SNAP_FD_FIFO) {
			ui_pipe_what(fr, f, pp, what, sizeof what);
		} else if (f->kind == SNAP_FD_SOCKET) {
			const struct snap_socket *k = snapshot_find_socket(s,
			    f->inode);

			if (k == NULL)
				snprintf(what, sizeof what, "%llu",
				    (unsigned long long)f->inode);
			else if (k->peer != 0)
				snprintf(what, sizeof what, "%llu %s, peer %llu",
				    (unsigned long long)f->inode,
				    snapshot_sock_type_name(k->type),
				    (unsigned long long)k->peer);
			else
				snprintf(what, sizeof what, "%llu %s %s%s%s",
				    (unsigned long long)f->inode,
				    snapshot_sock_type_name(k->type),
				    k->local != NULL ? k->local : "",
				    k->remote != NULL ? " -> " : "",
				    k->remote != NULL ? k->remote : "");
		} else if (f->kind == SNAP_FD_FILE && f->pos >= 0)
			snprintf(what, sizeof what, "%s  at %s of %s", f->path,
			    util_format_bytes(a, sizeof a, (double)f->pos),
			    f->size >= 0 ? util_format_bytes(b, sizeof b,
			    (double)f->size) : "?");
		else
			snprintf(what, sizeof what, "%s", f->path ? f->path :
			    f->inode ? "" : "-");
		ui_addf(ls, p->blocked.fd == f->fd ? LAYOUT_NAME : LAYOUT_NORMAL,
		    "%4d %-2s %-6s %s", f->fd, snapshot_mode_name(f->mode),
		    snapshot_kind_name(f->kind), what);
		/* --peek: what waits in the pipe, as text and as hex. */
		if (pp != NULL && pp->npeek > 0 && !ui_peek_shown(p, i)) {
			char *text = explain_peek_text(pp);
			char *hex = explain_peek_hex(pp, hex_width > 16 ? 16 :
			    hex_width);

			ui_addf(ls, LAYOUT_WAITING, "       waiting: %s", text);
			for (char *line = strtok(hex, "\n"); line != NULL;
			    line = strtok(NULL, "\n"))
				ui_addf(ls, LAYOUT_DIM, "       %s", line);
			free(text);
			free(hex);
		}
	}
	for (size_t i = 0; i < s->ndiags; i++) {
		for (size_t j = 0; j < s->diags[i].npids; j++) {
			if (s->diags[i].pids[j] == p->pid) {
				ui_addf(ls, LAYOUT_EDGE_FULL, "%s: %s",
				    s->diags[i].kind, s->diags[i].message);
				break;
			}
		}
	}
}

/* Lines in a panel, wrapped at its width; continuations indented. */
