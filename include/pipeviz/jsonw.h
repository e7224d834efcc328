/*
 * jsonw.h - write compact JSON straight into a growing buffer.
 *
 * The trace writes a record of about 1 KB per process every sample; built
 * as a jansson tree and dumped, that was 70% of pipeviz's CPU time
 * (docs/performance.md).  This writer appends text in one pass and keeps
 * its buffer from record to record.  Its output is what jansson prints with
 * JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(12), so traces
 * read the same either way; jansson still parses them (trace-read.c).
 *
 * Every value function takes the member's key inside an object and NULL
 * inside an array; commas are the writer's business.
 */
#ifndef PIPEVIZ_JSONW_H
#define PIPEVIZ_JSONW_H

#include <stdbool.h>
#include <stddef.h>

#define JSONW_MAX_DEPTH 16

struct jsonw {
	char		*buf;		/* NUL-terminated text so far */
	size_t		 len;
	size_t		 cap;
	unsigned	 depth;		/* open objects and arrays */
	bool		 filled[JSONW_MAX_DEPTH]; /* a member was written */
};

/* Start a new text, keeping the buffer. */
void jsonw_reset(struct jsonw *);
void jsonw_free(struct jsonw *);

void jsonw_object_begin(struct jsonw *, const char *key);
void jsonw_object_end(struct jsonw *);
void jsonw_array_begin(struct jsonw *, const char *key);
void jsonw_array_end(struct jsonw *);

void jsonw_null(struct jsonw *, const char *key);
void jsonw_bool(struct jsonw *, const char *key, bool);
void jsonw_int(struct jsonw *, const char *key, long long);
/*
 * v rounded to 1/scale first if scale > 0 (10: one decimal), printed as
 * "%.12g" with ".0" added to what looks like an integer; null if not finite.
 */
void jsonw_real(struct jsonw *, const char *key, double v, double scale);
/*
 * Text from the system (names, argv, paths) may hold any bytes, JSON only
 * UTF-8: each byte that is not part of valid UTF-8 becomes '?'.  NULL
 * writes null.
 */
void jsonw_string(struct jsonw *, const char *key, const char *);
/* Bytes as a string in which byte N is code point U+00NN: any bytes survive. */
void jsonw_bytes(struct jsonw *, const char *key, const char *, size_t);
/*
 * A value written before by this writer (text[0..n), a whole object or
 * array), as the next member: the trace repeats the records of what did
 * not change.
 */
void jsonw_raw(struct jsonw *, const char *key, const char *text, size_t n);
/* Where the next member's value starts (after its comma and key). */
size_t jsonw_mark(const struct jsonw *);
/*
 * Forget the text so far, which the caller has written out, and go on
 * with the open objects and arrays: a long record leaves in pieces
 * instead of being held whole.
 */
void jsonw_forget(struct jsonw *);

#endif
