/*
 * render.h - plain-text and Graphviz views of a snapshot, written to a
 * FILE the caller gives.  No terminal handling.
 */
#ifndef PIPEVIZ_RENDER_H
#define PIPEVIZ_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "pipeviz/snapshot.h"

/* One frame: the pipeline as a chain, then each process and pipe. */
void render_text(FILE *, const struct snapshot *, const char *title,
    bool utf8);
/* A Graphviz digraph of processes and the pipes between them. */
void render_dot(FILE *, const struct snapshot *, const char *title);

/*
 * Order the processes for drawing a chain: upstream writers before their
 * readers, stage order first.  Fills order[0..nprocs) with indexes into
 * snap->procs; returns how many of them start a new chain (heads).  Pure.
 */
size_t render_chain_order(const struct snapshot *, size_t *order);

#endif
