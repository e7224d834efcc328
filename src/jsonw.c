/* jsonw.c - compact JSON written straight into a growing buffer. */
#include "pipeviz/jsonw.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeviz/util.h"

/*
 * Room for n more bytes and the NUL, and where they go.  Writers fill it
 * through a local pointer and end with jsonw_done(): one length update
 * per value, not one per byte.
 */
static char *
jsonw_space(struct jsonw *w, size_t n)
{
	if (w->len + n + 1 > w->cap) {
		w->cap = (w->len + n + 1) * 2;
		if (w->cap < 4096)
			w->cap = 4096;
		w->buf = xreallocarray(w->buf, w->cap, 1);
	}
	return w->buf + w->len;
}

static void
jsonw_done(struct jsonw *w, char *end)
{
	w->len = (size_t)(end - w->buf);
	*end = '\0';
}

static void
jsonw_put(struct jsonw *w, const char *s, size_t n)
{
	char *o = jsonw_space(w, n);

	memcpy(o, s, n);
	jsonw_done(w, o + n);
}

static void
jsonw_putc(struct jsonw *w, char c)
{
	char *o = jsonw_space(w, 1);

	*o++ = c;
	jsonw_done(w, o);
}

/*
 * The comma before a member, its key (our own ASCII names) and room for
 * a value of up to n bytes after them; returns where the value goes.
 */
static char *
jsonw_member_n(struct jsonw *w, const char *key, size_t n)
{
	size_t klen = key != NULL ? strlen(key) : 0;
	char *o = jsonw_space(w, klen + 4 + n);

	if (w->depth > 0) {
		if (w->filled[w->depth - 1])
			*o++ = ',';
		w->filled[w->depth - 1] = true;
	}
	if (key != NULL) {
		*o++ = '"';
		memcpy(o, key, klen);
		o += klen;
		*o++ = '"';
		*o++ = ':';
	}
	return o;
}

static void
jsonw_member(struct jsonw *w, const char *key)
{
	jsonw_done(w, jsonw_member_n(w, key, 0));
}

void
jsonw_reset(struct jsonw *w)
{
	w->len = 0;
	w->depth = 0;
	if (w->buf != NULL)
		w->buf[0] = '\0';
}

void
jsonw_free(struct jsonw *w)
{
	free(w->buf);
	memset(w, 0, sizeof *w);
}

static void
jsonw_open(struct jsonw *w, const char *key, char c)
{
	jsonw_member(w, key);
	jsonw_putc(w, c);
	if (w->depth >= JSONW_MAX_DEPTH)
		fatalx("jsonw: nested too deep");
	w->filled[w->depth++] = false;
}

static void
jsonw_close(struct jsonw *w, char c)
{
	if (w->depth == 0)
		fatalx("jsonw: close without open");
	w->depth--;
	jsonw_putc(w, c);
}

void
jsonw_object_begin(struct jsonw *w, const char *key)
{
	jsonw_open(w, key, '{');
}

void
jsonw_object_end(struct jsonw *w)
{
	jsonw_close(w, '}');
}

void
jsonw_array_begin(struct jsonw *w, const char *key)
{
	jsonw_open(w, key, '[');
}

void
jsonw_array_end(struct jsonw *w)
{
	jsonw_close(w, ']');
}

void
jsonw_null(struct jsonw *w, const char *key)
{
	char *o = jsonw_member_n(w, key, 4);

	memcpy(o, "null", 4);
	jsonw_done(w, o + 4);
}

void
jsonw_bool(struct jsonw *w, const char *key, bool v)
{
	jsonw_member(w, key);
	if (v)
		jsonw_put(w, "true", 4);
	else
		jsonw_put(w, "false", 5);
}

/* Integers are most of a record: no printf for them. */
void
jsonw_int(struct jsonw *w, const char *key, long long v)
{
	char digits[24], *p = digits + sizeof digits, *o;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v :
	    (unsigned long long)v;
	size_t n;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	n = (size_t)(digits + sizeof digits - p);
	o = jsonw_member_n(w, key, n);
	memcpy(o, p, n);
	jsonw_done(w, o + n);
}

/*
 * As jansson prints a real: "%.12g" in the C locale's notation, with
 * ".0" added when that looks like an integer (so it reads back as a real)
 * and no '+' or leading zeros in the exponent.
 */
void
jsonw_real(struct jsonw *w, const char *key, double v, double scale)
{
	char text[40], *e, *from;
	int n;

	if (scale > 0)
		v = round(v * scale) / scale;
	if (!isfinite(v)) {
		jsonw_null(w, key);
		return;
	}
	/* Whole numbers (rates of idle processes: 0) without printf. */
	if (v == trunc(v) && fabs(v) < 1e12 && !(v == 0 && signbit(v))) {
		jsonw_int(w, key, (long long)v);
		jsonw_put(w, ".0", 2);
		return;
	}
	n = snprintf(text, sizeof text - 2, "%.12g", v);
	if (n < 0 || (size_t)n >= sizeof text - 2)
		fatalx("jsonw: cannot format %g", v);
	for (char *c = text; *c != '\0'; c++)
		if (*c == ',')	/* a locale's decimal comma */
			*c = '.';
	if (strpbrk(text, ".e") == NULL) {
		text[n++] = '.';
		text[n++] = '0';
		text[n] = '\0';
	}
	if ((e = strchr(text, 'e')) != NULL) {
		e++;
		if (*e == '-')
			e++;
		for (from = e; *from == '+' || *from == '0'; from++)
			;
		memmove(e, from, strlen(from) + 1);
		n = (int)strlen(text);
	}
	jsonw_member(w, key);
	jsonw_put(w, text, (size_t)n);
}

static void
jsonw_escape(struct jsonw *w, uint32_t c)
{
	static const char hex[] = "0123456789ABCDEF";
	char u[6] = { '\\', 'u' };

	switch (c) {
	case '"':  jsonw_put(w, "\\\"", 2); return;
	case '\\': jsonw_put(w, "\\\\", 2); return;
	case '\b': jsonw_put(w, "\\b", 2); return;
	case '\f': jsonw_put(w, "\\f", 2); return;
	case '\n': jsonw_put(w, "\\n", 2); return;
	case '\r': jsonw_put(w, "\\r", 2); return;
	case '\t': jsonw_put(w, "\\t", 2); return;
	}
	if (c >= 0x10000) {	/* a surrogate pair */
		c -= 0x10000;
		jsonw_escape(w, 0xd800 | (c >> 10));
		c = 0xdc00 | (c & 0x3ff);
	}
	for (int i = 0; i < 4; i++)
		u[2 + i] = hex[(c >> (12 - 4 * i)) & 0xf];
	jsonw_put(w, u, sizeof u);
}

/* Plain ASCII goes in runs; everything else one code point at a time. */
static int
jsonw_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

void
jsonw_string(struct jsonw *w, const char *key, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	size_t plain;
	char *o;

	if (s == NULL) {
		jsonw_null(w, key);
		return;
	}
	/* Most strings are plain ASCII: one copy, with the member. */
	while (jsonw_plain(*p))
		p++;
	plain = (size_t)(p - (const unsigned char *)s);
	o = jsonw_member_n(w, key, plain + 2);
	*o++ = '"';
	memcpy(o, s, plain);
	o += plain;
	if (*p == '\0') {
		*o++ = '"';
		jsonw_done(w, o);
		return;
	}
	jsonw_done(w, o);
	while (*p != '\0') {
		const unsigned char *run = p;
		uint32_t cp;
		size_t n;

		while (jsonw_plain(*p))
			p++;
		jsonw_put(w, (const char *)run, (size_t)(p - run));
		if (*p == '\0')
			break;
		if (*p < 0x80) {
			jsonw_escape(w, *p++);
		} else if ((n = util_utf8_decode(p, &cp)) != 0) {
			jsonw_escape(w, cp);
			p += n;
		} else {
			jsonw_putc(w, '?');
			p++;
		}
	}
	jsonw_putc(w, '"');
}

void
jsonw_bytes(struct jsonw *w, const char *key, const char *data, size_t n)
{
	jsonw_member(w, key);
	jsonw_putc(w, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)data[i];

		if (jsonw_plain(c))
			jsonw_putc(w, (char)c);
		else
			jsonw_escape(w, c);
	}
	jsonw_putc(w, '"');
}

void
jsonw_raw(struct jsonw *w, const char *key, const char *text, size_t n)
{
	char *o = jsonw_member_n(w, key, n);

	memcpy(o, text, n);
	jsonw_done(w, o + n);
}

size_t
jsonw_mark(const struct jsonw *w)
{
	/* A comma comes first when the open container has a member. */
	return w->len + (w->depth > 0 && w->filled[w->depth - 1]);
}

void
jsonw_forget(struct jsonw *w)
{
	w->len = 0;
	if (w->buf != NULL)
		w->buf[0] = '\0';
}
