/* textlog.c - captured output, split into tagged lines. */
#include "pipeviz/textlog.h"

#include <stdlib.h>
#include <string.h>

#include "pipeviz/util.h"

void
textlog_init(struct textlog *t, size_t max_lines)
{
	memset(t, 0, sizeof *t);
	t->max_lines = max_lines > 0 ? max_lines : 1;
	t->partial_tag = -1;
}

void
textlog_clear(struct textlog *t)
{
	for (size_t i = 0; i < t->nlines; i++)
		free(t->lines[i].text);
	free(t->lines);
	free(t->partial);
	textlog_init(t, t->max_lines);
}

static void
textlog_push(struct textlog *t, int tag, char *text)
{
	if (t->nlines == t->max_lines) {
		/* Full: drop the oldest line. */
		free(t->lines[0].text);
		memmove(t->lines, t->lines + 1, (t->nlines - 1) * sizeof *t->lines);
		t->nlines--;
		t->dropped++;
	}
	if (t->nlines == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->lines = xreallocarray(t->lines, t->cap, sizeof *t->lines);
	}
	t->lines[t->nlines].tag = tag;
	t->lines[t->nlines].text = text;
	t->nlines++;
}

void
textlog_flush(struct textlog *t)
{
	if (t->partial == NULL)
		return;
	textlog_push(t, t->partial_tag, t->partial);
	t->partial = NULL;
	t->npartial = 0;
}

void
textlog_append(struct textlog *t, int tag, const char *buf, size_t len)
{
	/* Another writer's bytes end the pending line of the last one. */
	if (t->partial != NULL && t->partial_tag != tag)
		textlog_flush(t);
	while (len > 0) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl != NULL ? (size_t)(nl - buf) : len;

		t->partial = xreallocarray(t->partial, t->npartial + n + 1, 1);
		memcpy(t->partial + t->npartial, buf, n);
		t->npartial += n;
		t->partial[t->npartial] = '\0';
		t->partial_tag = tag;
		if (nl == NULL)
			break;
		textlog_flush(t);
		buf += n + 1;
		len -= n + 1;
	}
}
