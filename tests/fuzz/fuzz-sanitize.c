/*
 * fuzz-sanitize.c - the sanitizer (sanitize.h) on any bytes.
 *
 * Invariants: what comes out holds no C0 control, DEL or C1 control and
 * is valid UTF-8; sanitizing it again changes nothing; its width is the
 * code points sanitize_next() gives; sanitize_append() into a small
 * buffer gives a prefix of the whole, never a cut form.
 */
#include "fuzz.h"

#include "pipeviz/sanitize.h"

/* Valid UTF-8, and no control character in it at all. */
static void
check_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		uint32_t c;
		size_t n;

		FUZZ_CHECK(!(*p < 0x20 || *p == 0x7f));
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			n = 2, c = *p & 0x1f;
		else if (*p >= 0xe0 && *p <= 0xef)
			n = 3, c = *p & 0x0f;
		else if (*p >= 0xf0 && *p <= 0xf4)
			n = 4, c = *p & 0x07;
		else {
			FUZZ_CHECK(!"a byte that starts no UTF-8 sequence");
			return;
		}
		for (size_t i = 1; i < n; i++) {
			FUZZ_CHECK((p[i] & 0xc0) == 0x80);
			c = (c << 6) | (p[i] & 0x3f);
		}
		FUZZ_CHECK(c >= 0xa0);
		FUZZ_CHECK(!(n == 3 && c < 0x800) && !(n == 4 && c < 0x10000));
		FUZZ_CHECK(!(c >= 0xd800 && c <= 0xdfff) && c <= 0x10ffff);
		p += n;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	size_t room = fuzz_u8(&in) % 32 + 1;
	char *text = fuzz_cstring(in.p, in.n), *clean, *again;
	/* Exactly room bytes, so ASan catches a write past them. */
	char *small = malloc(room);
	size_t n, cells = 0;
	const char *p;

	if (small == NULL)
		abort();
	clean = sanitize_dup(text);
	check_clean(clean);
	again = sanitize_dup(clean);
	FUZZ_CHECK(strcmp(again, clean) == 0);
	for (p = text; *p != '\0';) {
		uint32_t cp[SANITIZE_MAX];
		int k = sanitize_next(&p, cp);

		FUZZ_CHECK(k >= 1 && k <= SANITIZE_MAX);
		cells += (size_t)k;
	}
	FUZZ_CHECK(sanitize_width(text) == cells);
	FUZZ_CHECK(sanitize_width(clean) == cells);
	n = sanitize_append(small, room, 0, text);
	FUZZ_CHECK(n < room && small[n] == '\0' && strlen(small) == n);
	FUZZ_CHECK(strncmp(small, clean, n) == 0);
	check_clean(small);
	free(small);
	free(again);
	free(clean);
	free(text);
	return 0;
}
