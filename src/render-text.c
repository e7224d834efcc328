/* render-text.c - a snapshot as plain text: the layout, then diagnoses. */
#include "pipeviz/render.h"

#include <stdbool.h>
#include <stdlib.h>

#include "pipeviz/explain.h"
#include "pipeviz/layout.h"
#include "pipeviz/sanitize.h"
#include "pipeviz/util.h"

void
render_text(FILE *out, const struct snapshot *s, const char *title, int width,
    bool utf8)
{
	struct layout_opts o = { .width = width, .utf8 = utf8,
	    .compact = width < 70 };
	struct layout *l = layout_build(s, &o);
	char *text = layout_to_text(l);
	size_t npipes = 0, nsockets = 0;
	bool *said = xcalloc(s->nprocs + 1, sizeof *said);

	for (size_t i = 0; i < s->npipes; i++) {
		if (s->pipes[i].stray)
			continue;
		if (s->pipes[i].kind == SNAP_FD_SOCKET)
			nsockets++;
		else
			npipes++;
	}
	if (title != NULL) {
		sanitize_fputs(title, out);
		fputs("  ", out);
	}
	fprintf(out, "t=%.1fs  %zu processes, %zu pipes", s->t, s->nprocs,
	    npipes);
	if (nsockets > 0)
		fprintf(out, ", %zu socket channels", nsockets);
	fputc('\n', out);
	fputs(text, out);
	/*
	 * What each process does, in words, in the order the picture reads:
	 * once, however often the picture shows it (other pipes).
	 */
	for (size_t i = 0; i < l->nhits; i++) {
		const struct snap_proc *p = &s->procs[l->hits[i].proc];
		char *what;

		if (said[l->hits[i].proc])
			continue;
		said[l->hits[i].proc] = true;
		what = explain_of(s, p);
		fputs("  ", out);
		sanitize_fputs(p->comm, out);
		fprintf(out, " (pid %d): ", (int)p->pid);
		sanitize_fputs(what, out);
		fputc('\n', out);
		free(what);
	}
	for (size_t i = 0; i < s->ndiags; i++) {
		sanitize_fputs(s->diags[i].kind, out);
		fputs(": ", out);
		sanitize_fputs(s->diags[i].message, out);
		fputc('\n', out);
	}
	free(said);
	fputc('\n', out);
	free(text);
	layout_free(l);
}
