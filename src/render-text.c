/* render-text.c - a snapshot as plain text: the layout, then diagnoses. */
#include "pipeviz/render.h"

#include <stdlib.h>

#include "pipeviz/explain.h"
#include "pipeviz/layout.h"
#include "pipeviz/util.h"

void
render_text(FILE *out, const struct snapshot *s, const char *title, int width,
    bool utf8)
{
	struct layout_opts o = { .width = width, .utf8 = utf8,
	    .compact = width < 70 };
	struct layout *l = layout_build(s, &o);
	char *text = layout_to_text(l);
	size_t npipes = 0;

	for (size_t i = 0; i < s->npipes; i++)
		npipes += !s->pipes[i].stray;
	fprintf(out, "%s%st=%.1fs  %zu processes, %zu pipes\n",
	    title != NULL ? title : "", title != NULL ? "  " : "", s->t,
	    s->nprocs, npipes);
	fputs(text, out);
	/* What each process does, in words, in the order the picture reads. */
	for (size_t i = 0; i < l->nhits; i++) {
		const struct snap_proc *p = &s->procs[l->hits[i].proc];
		char *what;

		if (i > 0 && l->hits[i - 1].proc == l->hits[i].proc)
			continue;
		what = explain_of(s, p);
		fprintf(out, "  %s (pid %d): %s\n", p->comm, (int)p->pid, what);
		free(what);
	}
	for (size_t i = 0; i < s->ndiags; i++)
		fprintf(out, "%s: %s\n", s->diags[i].kind, s->diags[i].message);
	fputc('\n', out);
	free(text);
	layout_free(l);
}
