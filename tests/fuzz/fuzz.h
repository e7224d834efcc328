/*
 * fuzz.h - shared by the libFuzzer harnesses in tests/fuzz/.
 *
 * Each fuzz-*.c defines LLVMFuzzerTestOneInput().  Built with -Dfuzz=true
 * (clang, -fsanitize=fuzzer) it is a libFuzzer binary; in the normal build
 * it links with driver.c instead and replays its corpus in tests/fuzz/corpus/
 * as part of `meson test`, so every input that once crashed stays a test.
 *
 * FUZZ_CHECK is an assertion that survives NDEBUG: a broken invariant is a
 * crash the fuzzer reports like any other.
 */
#ifndef PIPEVIZ_FUZZ_H
#define PIPEVIZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
			    __LINE__, #cond);                                \
			abort();                                             \
		}                                                            \
	} while (0)

/* The input as a NUL-terminated string (it may hold NULs: C sees less). */
static inline char *
fuzz_cstring(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A tiny FuzzedDataProvider: takes bytes off the front of the input. */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint64_t
fuzz_u64(struct fuzz_in *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && in->n > 0; i++, in->p++, in->n--)
		v = (v << 8) | *in->p;
	return v;
}

static inline unsigned
fuzz_u8(struct fuzz_in *in)
{
	return (unsigned)fuzz_u64(in, 1);
}

/* A string of up to max bytes: a length byte, then the bytes (no NULs). */
static inline char *
fuzz_str(struct fuzz_in *in, size_t max)
{
	size_t len = fuzz_u8(in) % (max + 1), n = 0;
	char *s;

	if (len > in->n)
		len = in->n;
	s = malloc(len + 1);
	if (s == NULL)
		abort();
	for (size_t i = 0; i < len; i++) {
		if (in->p[i] != '\0')
			s[n++] = (char)in->p[i];
	}
	s[n] = '\0';
	in->p += len;
	in->n -= len;
	return s;
}

#endif
