/* sanitize.c - the one sanitizer for text that reaches a terminal or DOT. */
#include "pipeviz/sanitize.h"

#include <stdlib.h>
#include <string.h>

#include "pipeviz/util.h"

/* Caret notation of a C0 control or DEL: ^@ .. ^_, ^?. */
static int
sanitize_caret(uint32_t c, uint32_t *out)
{
	out[0] = '^';
	out[1] = c == 0x7f ? '?' : c + '@';
	return 2;
}

int
sanitize_next(const char **sp, uint32_t out[SANITIZE_MAX])
{
	const unsigned char *s = (const unsigned char *)*sp;
	uint32_t c;
	size_t n;

	if (s[0] < 0x80) {
		*sp += 1;
		if (s[0] < 0x20 || s[0] == 0x7f)
			return sanitize_caret(s[0], out);
		out[0] = s[0];
		return 1;
	}
	if ((n = util_utf8_decode(s, &c)) == 0) {
		*sp += 1;
		out[0] = '?';
		return 1;
	}
	*sp += n;
	if (c <= 0x9f) {
		/* C1: what cat -v shows for the byte, M- and its C0 twin. */
		out[0] = 'M';
		out[1] = '-';
		return 2 + sanitize_caret(c - 0x80, out + 2);
	}
	out[0] = c;
	return 1;
}

size_t
sanitize_encode(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* One character as shown, UTF-8 encoded into out; returns its length. */
static size_t
sanitize_next_bytes(const char **sp, char out[SANITIZE_MAX * 4])
{
	uint32_t cp[SANITIZE_MAX];
	int n = sanitize_next(sp, cp);
	size_t len = 0;

	for (int i = 0; i < n; i++)
		len += sanitize_encode(cp[i], out + len);
	return len;
}

size_t
sanitize_width(const char *text)
{
	uint32_t cp[SANITIZE_MAX];
	size_t n = 0;

	while (*text != '\0')
		n += (size_t)sanitize_next(&text, cp);
	return n;
}

size_t
sanitize_append(char *buf, size_t size, size_t at, const char *text)
{
	char one[SANITIZE_MAX * 4];

	if (size == 0)
		return 0;
	if (at >= size)
		at = size - 1;
	while (text != NULL && *text != '\0') {
		size_t len = sanitize_next_bytes(&text, one);

		if (at + len + 1 > size)
			break;
		memcpy(buf + at, one, len);
		at += len;
	}
	buf[at] = '\0';
	return at;
}

char *
sanitize_dup(const char *text)
{
	/* A byte is shown as two at most (^[; M-^[ for a two-byte C1). */
	size_t size = strlen(text) * 2 + 1;
	char *out = xmalloc(size);

	sanitize_append(out, size, 0, text);
	return out;
}

void
sanitize_fputs(const char *text, FILE *out)
{
	char one[SANITIZE_MAX * 4];

	while (*text != '\0') {
		size_t len = sanitize_next_bytes(&text, one);

		fwrite(one, 1, len, out);
	}
}
