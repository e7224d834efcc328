/* render-text.c - a snapshot as plain text: a chain per line, then details. */
#include "pipeviz/render.h"

#include <stdlib.h>
#include <string.h>

#include "pipeviz/procparse.h"
#include "pipeviz/util.h"

static bool
render_is_pipe(const struct snap_fd *f)
{
	return f != NULL && (f->kind == SNAP_FD_PIPE || f->kind == SNAP_FD_FIFO) &&
	    f->inode != 0;
}

/* The process whose fd 1 or 2 feeds p's fd 0, or -1. */
static long
render_upstream(const struct snapshot *s, size_t pi)
{
	const struct snap_fd *in = snapshot_proc_fd(&s->procs[pi], 0);

	if (!render_is_pipe(in))
		return -1;
	for (size_t i = 0; i < s->nprocs; i++) {
		for (int fd = 1; fd <= 2 && i != pi; fd++) {
			const struct snap_fd *out = snapshot_proc_fd(&s->procs[i], fd);

			if (render_is_pipe(out) && out->inode == in->inode)
				return (long)i;
		}
	}
	return -1;
}

/* The process whose fd 0 reads what p's fd 1 writes, or -1. */
static long
render_downstream(const struct snapshot *s, size_t pi, const bool *placed)
{
	const struct snap_fd *out = snapshot_proc_fd(&s->procs[pi], 1);

	if (!render_is_pipe(out))
		return -1;
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_fd *in = snapshot_proc_fd(&s->procs[i], 0);

		if (i != pi && !placed[i] && render_is_pipe(in) &&
		    in->inode == out->inode)
			return (long)i;
	}
	return -1;
}

static int
render_priority(const struct snap_proc *a, const struct snap_proc *b)
{
	/* Stages first, in stage order; the rest by pid. */
	if ((a->stage >= 0) != (b->stage >= 0))
		return a->stage >= 0 ? -1 : 1;
	if (a->stage != b->stage)
		return a->stage < b->stage ? -1 : 1;
	return a->pid < b->pid ? -1 : a->pid > b->pid;
}

size_t
render_chain_order(const struct snapshot *s, size_t *order)
{
	bool *placed, *seen;
	size_t *prio, n = 0, heads = 0;

	if (s->nprocs == 0)
		return 0;
	placed = xcalloc(s->nprocs, sizeof *placed);
	seen = xcalloc(s->nprocs, sizeof *seen);
	prio = xcalloc(s->nprocs, sizeof *prio);
	for (size_t i = 0; i < s->nprocs; i++) {
		size_t j = i;

		while (j > 0 && render_priority(&s->procs[i],
		    &s->procs[prio[j - 1]]) < 0) {
			prio[j] = prio[j - 1];
			j--;
		}
		prio[j] = i;
	}
	for (size_t k = 0; k < s->nprocs; k++) {
		long u = (long)prio[k], up;

		if (placed[u])
			continue;
		/* Climb to the head of this chain; a cycle stops the climb. */
		memset(seen, 0, s->nprocs * sizeof *seen);
		seen[u] = true;
		while ((up = render_upstream(s, (size_t)u)) >= 0 && !placed[up] &&
		    !seen[up]) {
			u = up;
			seen[u] = true;
		}
		heads++;
		for (; u >= 0; u = render_downstream(s, (size_t)u, placed)) {
			placed[u] = true;
			order[n++] = (size_t)u;
		}
	}
	free(prio);
	free(seen);
	free(placed);
	return heads;
}

static const char *
render_end_name(const struct snap_fd *f)
{
	const char *slash;

	if (f == NULL)
		return "closed";
	if (f->path == NULL)
		return snapshot_kind_name(f->kind);
	slash = strrchr(f->path, '/');
	if (f->kind == SNAP_FD_FILE && slash != NULL)
		return slash + 1;
	return f->path;
}

static void
render_edge(FILE *out, const struct snapshot *s, const struct snap_fd *f,
    bool utf8)
{
	const struct snap_pipe *pp = render_is_pipe(f) ?
	    snapshot_find_pipe(s, f->inode) : NULL;
	const char *line = utf8 ? "\u2500\u2500" : "--";
	char fill[16], cap[16];

	if (pp != NULL && pp->fill >= 0 && pp->capacity > 0)
		fprintf(out, " %s[%s/%s]%s> ", line,
		    util_format_bytes(fill, sizeof fill, (double)pp->fill),
		    util_format_bytes(cap, sizeof cap, (double)pp->capacity),
		    line);
	else
		fprintf(out, " %s%s> ", line, line);
}

static void
render_status(FILE *out, const struct snapshot *s, const struct snap_proc *p)
{
	const struct snap_pipe *pp;

	if (p->exit.exited) {
		if (p->exit.signal != 0)
			fprintf(out, "killed by SIG%s", sigabbrev_np(p->exit.signal) ?
			    sigabbrev_np(p->exit.signal) : "?");
		else
			fprintf(out, "exited %d", p->exit.code);
		return;
	}
	switch (p->state) {
	case 'T':
	case 't':
		fputs("STOPPED", out);
		return;
	case 'Z':
		fputs("exited (zombie)", out);
		return;
	case 'R':
		fputs("running", out);
		return;
	}
	pp = p->blocked.pipe != 0 ? snapshot_find_pipe(s, p->blocked.pipe) : NULL;
	switch (p->blocked.op) {
	case SNAP_BLOCK_WRITE:
		if (pp != NULL && pp->capacity > 0 && pp->fill >= pp->capacity)
			fprintf(out, "BLOCKED writing fd %d: pipe full",
			    p->blocked.fd);
		else
			fprintf(out, "writing fd %d", p->blocked.fd);
		return;
	case SNAP_BLOCK_READ:
		if (pp != NULL && pp->fill == 0)
			fprintf(out, "waiting for input on fd %d: pipe empty",
			    p->blocked.fd);
		else
			fprintf(out, "reading fd %d", p->blocked.fd);
		return;
	case SNAP_BLOCK_OPEN:
		fputs("waiting in open()", out);
		return;
	case SNAP_BLOCK_WAIT:
		fputs("waiting for a child", out);
		return;
	case SNAP_BLOCK_NONE:
		break;
	}
	if (p->syscall >= 0 && procparse_syscall_name(p->syscall)[0] != '\0')
		fprintf(out, "sleeping in %s", procparse_syscall_name(p->syscall));
	else
		fputs("sleeping", out);
}

void
render_text(FILE *out, const struct snapshot *s, const char *title, bool utf8)
{
	size_t *order;
	size_t npipes = 0;
	char a[16], b[16], c[16];

	for (size_t i = 0; i < s->npipes; i++)
		npipes += !s->pipes[i].stray;
	fprintf(out, "%s%st=%.1fs  %zu processes, %zu pipes\n",
	    title != NULL ? title : "", title != NULL ? "  " : "", s->t,
	    s->nprocs, npipes);
	if (s->nprocs == 0)
		return;
	order = xcalloc(s->nprocs, sizeof *order);
	render_chain_order(s, order);
	for (size_t k = 0; k < s->nprocs; k++) {
		const struct snap_proc *p = &s->procs[order[k]];
		const struct snap_fd *in = snapshot_proc_fd(p, 0);
		const struct snap_fd *outfd = snapshot_proc_fd(p, 1);
		bool head = k == 0 || render_upstream(s, order[k]) !=
		    (long)order[k - 1];
		bool tail = k + 1 == s->nprocs || render_upstream(s,
		    order[k + 1]) != (long)order[k];

		if (head) {
			fputs(render_end_name(in), out);
			render_edge(out, s, in, utf8);
		}
		fprintf(out, "(0) %s (1)", p->comm);
		render_edge(out, s, outfd, utf8);
		if (tail)
			fprintf(out, "%s\n", render_end_name(outfd));
	}
	fputc('\n', out);
	for (size_t k = 0; k < s->nprocs; k++) {
		const struct snap_proc *p = &s->procs[order[k]];

		fprintf(out, "  %-12.12s pid %-7d %c  cpu %5.1f%%  rss %6s  "
		    "r %7s/s  w %7s/s  ", p->comm, (int)p->pid, p->state,
		    p->cpu_pct, util_format_bytes(a, sizeof a,
		    (double)p->rss_kib * 1024), util_format_bytes(b, sizeof b,
		    p->read_bps), util_format_bytes(c, sizeof c, p->write_bps));
		render_status(out, s, p);
		fputc('\n', out);
	}
	for (size_t i = 0; i < s->ndiags; i++)
		fprintf(out, "! %s: %s\n", s->diags[i].kind, s->diags[i].message);
	free(order);
}
