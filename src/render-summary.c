/*
 * render-summary.c - the end summary as plain text, after the last
 * --text frame: the canvas the live view draws (summary-text.c).
 */
#include "pipeviz/render.h"

#include <stdlib.h>

#include "pipeviz/layout.h"
#include "pipeviz/summary.h"

void
render_summary(FILE *out, const struct summary *sum, int width, bool utf8)
{
	struct layout *l = summary_layout(sum, width, utf8);
	char *text = layout_to_text(l);

	fputs(text, out);
	fputc('\n', out);
	free(text);
	layout_free(l);
}
