/* canvas.c - text on a grid of styled cells, control bytes filtered. */
#include "pipeviz/canvas.h"

#include <stdlib.h>

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

/* One UTF-8 character; anything that could steer a terminal is '?'. */
static uint32_t
canvas_decode(const char **sp)
{
	const unsigned char *s = (const unsigned char *)*sp;
	uint32_t c, min;
	int n;

	if (s[0] < 0x80) {
		*sp += 1;
		return s[0] < 0x20 || s[0] == 0x7f ? '?' : s[0];
	}
	if ((s[0] & 0xe0) == 0xc0) {
		c = s[0] & 0x1f;
		n = 1;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		c = s[0] & 0x0f;
		n = 2;
		min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		c = s[0] & 0x07;
		n = 3;
		min = 0x10000;
	} else {
		*sp += 1;
		return '?';
	}
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*sp += i;
			return '?';
		}
		c = (c << 6) | (s[i] & 0x3f);
	}
	*sp += n + 1;
	/* Overlong forms, C1 controls, surrogates, beyond Unicode. */
	if (c < min || (c >= 0x80 && c < 0xa0) || (c >= 0xd800 && c < 0xe000) ||
	    c > 0x10ffff)
		return '?';
	return c;
}

int
canvas_put(struct layout *l, int x, int y, const char *text, int max,
    enum layout_style style)
{
	int n = 0;

	while (*text != '\0' && n < max) {
		canvas_cell(l, x + n, y, canvas_decode(&text), style);
		n++;
	}
	return n;
}

int
canvas_width(const char *text)
{
	int n = 0;

	while (*text != '\0') {
		canvas_decode(&text);
		n++;
	}
	return n;
}
