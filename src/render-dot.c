/* render-dot.c - a snapshot as a Graphviz digraph. */
#include "pipeviz/render.h"

#include <stdlib.h>

#include "pipeviz/layout.h"
#include "pipeviz/sanitize.h"
#include "pipeviz/util.h"

/* One end of a pipe in the graph; gone: held by a stage that has exited. */
struct render_dot_end {
	pid_t pid;
	int fd;
	bool gone;
};

/*
 * Observed text inside a DOT string: sanitized (sanitize.h), so no
 * control character or invalid UTF-8 reaches the file and no newline of
 * its own breaks a label; then quotes and backslashes escaped.
 */
static void
render_dot_text(FILE *out, const char *s)
{
	char bytes[4];

	while (s != NULL && *s != '\0') {
		uint32_t cp[SANITIZE_MAX];
		int n = sanitize_next(&s, cp);

		for (int i = 0; i < n; i++) {
			if (cp[i] == '"' || cp[i] == '\\')
				fputc('\\', out);
			fwrite(bytes, 1, sanitize_encode(cp[i], bytes), out);
		}
	}
}

/* A DOT string of one text. */
static void
render_dot_string(FILE *out, const char *s)
{
	fputc('"', out);
	render_dot_text(out, s);
	fputc('"', out);
}

static const char *
render_dot_proc_colour(const struct snapshot *s, const struct snap_proc *p)
{
	const struct snap_pipe *pp;

	if (p->exit.exited)
		return "grey";
	if (p->state == 'T' || p->state == 't')
		return "orange";
	if (p->stuck && p->blocked.op == SNAP_BLOCK_WRITE &&
	    (pp = snapshot_find_pipe(s, p->blocked.pipe)) != NULL &&
	    snapshot_proc_waits_room(p, pp))
		return "red";
	return "black";
}

/*
 * The writers (or readers) of pp to draw: its live ends, then the stages
 * that have exited and were wired to it.  Those hold no ends any more
 * (snapshot_link_pipes), but their remembered fds still say where they
 * sat, and the text layout keeps them in the chain; so does the graph.
 */
static struct render_dot_end *
render_dot_ends(const struct snapshot *s, const struct snap_pipe *pp,
    bool writer, size_t *n)
{
	const struct snap_end *live = writer ? pp->writers : pp->readers;
	size_t nlive = writer ? pp->nwriters : pp->nreaders;
	struct render_dot_end *e = xcalloc(nlive + 1, sizeof *e);

	for (*n = 0; *n < nlive; (*n)++) {
		e[*n].pid = live[*n].pid;
		e[*n].fd = live[*n].fd;
	}
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *p = &s->procs[i];
		int fd;

		if (!p->exit.exited)
			continue;
		for (fd = snapshot_proc_pipe_fd(p, pp->inode, writer, 0);
		    fd >= 0; fd = snapshot_proc_pipe_fd(p, pp->inode, writer,
		    fd + 1)) {
			e = xreallocarray(e, *n + 1, sizeof *e);
			e[*n].pid = p->pid;
			e[*n].fd = fd;
			e[*n].gone = true;
			(*n)++;
		}
	}
	return e;
}

/*
 * A socket: a bold blue edge to its peer's holders, or to an endpoint of
 * its own (an ellipse named by the far end's address) when the peer is
 * not observed.  Its label is the channel's name and what is queued.
 */
static void
render_dot_socket(FILE *out, const struct snap_pipe *pp)
{
	char label[200], name[160], q[16], far[128];

	snapshot_chan_label(pp, name, sizeof name);
	if (pp->fill >= 0)
		snprintf(label, sizeof label, "%s, %s queued", name,
		    util_format_bytes(q, sizeof q, (double)pp->fill));
	else
		snprintf(label, sizeof label, "%s", name);
	if (snapshot_chan_remote(pp) && pp->nwriters > 0) {
		fprintf(out, "\ts%llu [shape=ellipse, label=",
		    (unsigned long long)pp->inode);
		render_dot_string(out, snapshot_chan_far_end(pp, far,
		    sizeof far));
		fputs("];\n", out);
	}
	for (size_t w = 0; w < pp->nwriters; w++) {
		if (snapshot_chan_remote(pp)) {
			fprintf(out, "\tp%d -> s%llu [label=",
			    (int)pp->writers[w].pid,
			    (unsigned long long)pp->inode);
			render_dot_string(out, label);
			fprintf(out, ", taillabel=\"%d\", style=bold, "
			    "color=blue];\n", pp->writers[w].fd);
			continue;
		}
		for (size_t r = 0; r < pp->nreaders; r++) {
			fprintf(out, "\tp%d -> p%d [label=",
			    (int)pp->writers[w].pid, (int)pp->readers[r].pid);
			render_dot_string(out, label);
			fprintf(out, ", taillabel=\"%d\", headlabel=\"%d\", "
			    "style=bold, color=blue];\n", pp->writers[w].fd,
			    pp->readers[r].fd);
		}
	}
}

void
render_dot(FILE *out, const struct snapshot *s, const char *title)
{
	char label[256], fill[16], cap[16];
	enum layout_style style;

	fputs("digraph pipeviz {\n\trankdir=LR;\n", out);
	fputs("\tnode [shape=box, fontname=\"monospace\"];\n", out);
	if (title != NULL) {
		fputs("\tlabel=", out);
		render_dot_string(out, title);
		fputs(";\n", out);
	}
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *p = &s->procs[i];

		/* Exited: "exit 0", "SIGPIPE"... as the text layout says it. */
		if (p->exit.exited)
			snprintf(label, sizeof label, "%s",
			    layout_state_word(s, p, &style));
		else
			snprintf(label, sizeof label, "%c", p->state);
		/* The line break is ours (\n in DOT); the name's are not. */
		fprintf(out, "\tp%d [label=\"", (int)p->pid);
		render_dot_text(out, p->comm);
		fprintf(out, "\\npid %d, ", (int)p->pid);
		render_dot_text(out, label);
		fprintf(out, "\", color=%s%s];\n", render_dot_proc_colour(s, p),
		    p->exit.exited ? ", style=dashed, fontcolor=grey" : "");
	}
	for (size_t i = 0; i < s->npipes; i++) {
		const struct snap_pipe *pp = &s->pipes[i];
		struct render_dot_end *wr, *rd;
		size_t nwr, nrd;

		if (pp->stray)
			continue;
		if (pp->kind == SNAP_FD_SOCKET) {
			render_dot_socket(out, pp);
			continue;
		}
		if (pp->fill >= 0 && pp->capacity > 0)
			snprintf(label, sizeof label, "%s %s/%s",
			    pp->path != NULL ? pp->path : "pipe",
			    util_format_bytes(fill, sizeof fill, (double)pp->fill),
			    util_format_bytes(cap, sizeof cap,
			    (double)pp->capacity));
		else
			snprintf(label, sizeof label, "%s",
			    pp->path != NULL ? pp->path : "pipe");
		wr = render_dot_ends(s, pp, true, &nwr);
		rd = render_dot_ends(s, pp, false, &nrd);
		for (size_t w = 0; w < nwr; w++) {
			for (size_t r = 0; r < nrd; r++) {
				fprintf(out, "\tp%d -> p%d [label=",
				    (int)wr[w].pid, (int)rd[r].pid);
				render_dot_string(out, label);
				fprintf(out, ", taillabel=\"%d\", "
				    "headlabel=\"%d\"%s];\n", wr[w].fd, rd[r].fd,
				    wr[w].gone || rd[r].gone ?
				    ", style=dashed, color=grey" : "");
			}
		}
		free(rd);
		free(wr);
	}
	fputs("}\n", out);
}
