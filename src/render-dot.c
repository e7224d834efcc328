/* render-dot.c - a snapshot as a Graphviz digraph. */
#include "pipeviz/render.h"

#include "pipeviz/util.h"

/* DOT strings: escape quotes and backslashes. */
static void
render_dot_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
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
	if (p->blocked.op == SNAP_BLOCK_WRITE &&
	    (pp = snapshot_find_pipe(s, p->blocked.pipe)) != NULL &&
	    pp->capacity > 0 && pp->fill >= pp->capacity)
		return "red";
	return "black";
}

void
render_dot(FILE *out, const struct snapshot *s, const char *title)
{
	char label[256], fill[16], cap[16];

	fputs("digraph pipeviz {\n\trankdir=LR;\n", out);
	fputs("\tnode [shape=box, fontname=\"monospace\"];\n", out);
	if (title != NULL) {
		fputs("\tlabel=", out);
		render_dot_string(out, title);
		fputs(";\n", out);
	}
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *p = &s->procs[i];

		if (p->exit.exited)
			snprintf(label, sizeof label, "%s\npid %d, exited", p->comm,
			    (int)p->pid);
		else
			snprintf(label, sizeof label, "%s\npid %d, %c", p->comm,
			    (int)p->pid, p->state);
		fprintf(out, "\tp%d [label=", (int)p->pid);
		render_dot_string(out, label);
		fprintf(out, ", color=%s];\n", render_dot_proc_colour(s, p));
	}
	for (size_t i = 0; i < s->npipes; i++) {
		const struct snap_pipe *pp = &s->pipes[i];

		if (pp->stray)
			continue;
		if (pp->fill >= 0 && pp->capacity > 0)
			snprintf(label, sizeof label, "%s %s/%s",
			    pp->path != NULL ? pp->path : "pipe",
			    util_format_bytes(fill, sizeof fill, (double)pp->fill),
			    util_format_bytes(cap, sizeof cap,
			    (double)pp->capacity));
		else
			snprintf(label, sizeof label, "%s",
			    pp->path != NULL ? pp->path : "pipe");
		for (size_t w = 0; w < pp->nwriters; w++) {
			for (size_t r = 0; r < pp->nreaders; r++) {
				fprintf(out, "\tp%d -> p%d [label=",
				    (int)pp->writers[w].pid,
				    (int)pp->readers[r].pid);
				render_dot_string(out, label);
				fprintf(out, ", taillabel=\"%d\", headlabel=\"%d\"];\n",
				    pp->writers[w].fd, pp->readers[r].fd);
			}
		}
	}
	fputs("}\n", out);
}
