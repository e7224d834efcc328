/*
 * loop-output.c - what the loop writes: trace records, text and DOT
 * frames, and the one message when writing them fails.  The bottom of the
 * loop files: it calls none of them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pipeviz/render.h"
#include "pipeviz/trace.h"
#include "loop-internal.h"

void
loop_output_failed(struct loop *l)
{
	if (l->output_failed)
		return;
	l->output_failed = true;
	/* A reader that went away (| head) is not worth a message. */
	if (errno != EPIPE)
		fprintf(stderr, "pipeviz: cannot write the output: %s\n",
		    strerror(errno));
}

void
loop_emit(struct loop *l, const struct snapshot *s)
{
	const struct loop_config *c = l->cfg;

	if (l->output_failed)
		return;
	if (c->trace != NULL && trace_write_sample(c->trace, s) == -1) {
		loop_output_failed(l);
		return;
	}
	switch (c->output) {
	case LOOP_OUT_TEXT:
		render_text(c->out, s, loop_title(l), c->width, c->utf8);
		break;
	case LOOP_OUT_DOT:
		render_dot(c->out, s, loop_title(l));
		break;
	case LOOP_OUT_UI:
	case LOOP_OUT_NONE:
		return;
	}
	if (fflush(c->out) == EOF || ferror(c->out))
		loop_output_failed(l);
}

