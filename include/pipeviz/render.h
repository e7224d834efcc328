/*
 * render.h - plain-text and Graphviz views of a snapshot, written to a
 * FILE the caller gives.  No terminal handling.
 */
#ifndef PIPEVIZ_RENDER_H
#define PIPEVIZ_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "pipeviz/snapshot.h"

/* One frame: a title line, the layout at width columns, the diagnoses. */
void render_text(FILE *, const struct snapshot *, const char *title,
    int width, bool utf8);
/* The end summary (summary.h), after the last frame; a blank line ends it. */
struct summary;
void render_summary(FILE *, const struct summary *, int width, bool utf8);
/* A Graphviz digraph of processes and the pipes between them. */
void render_dot(FILE *, const struct snapshot *, const char *title);

#endif
