/* sanitize.c - the one sanitizer for text that reaches a terminal or DOT. */
#include "pipeviz/sanitize.h"

#include <stdlib.h>
#include <string.h>

#include "pipeviz/util.h"

/*
 * The code point of the valid UTF-8 sequence at s and its length, or 0
 * when s does not start one (no overlong forms, surrogates or code points
 * past U+10FFFF: each of those could hide a character from a check).
 */
static size_t
sanitize_utf8(const unsigned char *s, uint32_t *cp)
{
	uint32_t c;
	size_t n;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	/* A NUL is not a continuation byte: a cut sequence stops at it. */
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return n;
}

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
	if ((n = sanitize_utf8(s, &c)) == 0) {
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
