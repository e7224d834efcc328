/*
 * canvas.h - text on a grid of styled cells (struct layout, layout.h) for
 * the panels under the diagram: the timeline and the end summary.
 *
 * Pure.  Observed text (a process's name) is put through here, so what
 * reaches the terminal goes through the one sanitizer (sanitize.h):
 * control characters (C0, DEL, C1) shown visibly, bytes that are not
 * UTF-8 as '?'.
 */
#ifndef PIPEVIZ_CANVAS_H
#define PIPEVIZ_CANVAS_H

#include <stdbool.h>
#include <stdint.h>

#include "pipeviz/layout.h"

/* An empty canvas width cells wide (at least 1); free it with layout_free(). */
struct layout *canvas_create(int width);
/* Make the canvas at least rows tall (new rows blank). */
void canvas_rows(struct layout *, int rows);
/* One cell, if inside the width (the canvas grows downwards). */
void canvas_cell(struct layout *, int x, int y, uint32_t ch,
    enum layout_style);
/*
 * Text at (x, y), at most max cells and clipped at the width; returns
 * the cells it takes (counted whether drawn or clipped).
 */
int canvas_put(struct layout *, int x, int y, const char *text, int max,
    enum layout_style);
/* The cells text takes, as canvas_put() shows it. */
int canvas_width(const char *text);
/* A sparkline cell at (x, y): v from 0 to 1 as one of eight levels. */
void canvas_level(struct layout *, int x, int y, double v, bool utf8,
    enum layout_style);

#endif
