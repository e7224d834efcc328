/* canvas.c - text on a grid of styled cells, sanitized (sanitize.h). */
#include "pipeviz/canvas.h"

#include <stdlib.h>

#include "pipeviz/sanitize.h"
#include "pipeviz/util.h"

struct layout *
canvas_create(int width)
{
	struct layout *l = xcalloc(1, sizeof *l);

	l->width = width > 0 ? width : 1;
	return l;
}

void
canvas_rows(struct layout *l, int rows)
{
	if (rows <= l->height)
		return;
	l->cells = xreallocarray(l->cells, (size_t)rows * (size_t)l->width,
	    sizeof *l->cells);
	for (int i = l->height * l->width; i < rows * l->width; i++) {
		l->cells[i].ch = ' ';
		l->cells[i].style = LAYOUT_NORMAL;
	}
	l->height = rows;
}

void
canvas_cell(struct layout *l, int x, int y, uint32_t ch,
    enum layout_style style)
{
	if (y < 0 || x < 0 || x >= l->width)
		return;
	canvas_rows(l, y + 1);
	l->cells[y * l->width + x].ch = ch;
	l->cells[y * l->width + x].style = (uint8_t)style;
}

int
canvas_put(struct layout *l, int x, int y, const char *text, int max,
    enum layout_style style)
{
	int n = 0;

	/* Observed text: shown as sanitize.h does everywhere else. */
	while (*text != '\0' && n < max) {
		uint32_t c[SANITIZE_MAX];
		int k = sanitize_next(&text, c);

		/* A visible form is put whole or not at all ("^" alone misleads). */
		if (n + k > max)
			break;
		for (int i = 0; i < k; i++, n++)
			canvas_cell(l, x + n, y, c[i], style);
	}
	return n;
}

int
canvas_width(const char *text)
{
	return (int)sanitize_width(text);
}

/* Eight levels of a sparkline, lowest first. */
static const char *const canvas_levels_utf8[8] = {
	"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587",
	"\u2588",
};
static const char canvas_levels_ascii[] = "_.:-=+*#";

void
canvas_level(struct layout *l, int x, int y, double v, bool utf8,
    enum layout_style style)
{
	int lv = (int)(v * 7 + 0.5);

	if (lv < 0)
		lv = 0;
	if (lv > 7)
		lv = 7;
	if (utf8)
		canvas_put(l, x, y, canvas_levels_utf8[lv], 1, style);
	else {
		char c[2] = { canvas_levels_ascii[lv], '\0' };

		canvas_put(l, x, y, c, 1, style);
	}
}
