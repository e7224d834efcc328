/*
 * test-jsonw.c - the JSON writer prints what jansson prints for the same
 * values (JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(12)), so
 * traces written before and after it read the same, and its text parses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pipeviz/jsonw.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(12) | \
	JSON_ENCODE_ANY)

/* jansson's text for v (consumed). */
static char *
jansson_text(json_t *v)
{
	char *text;

	assert_non_null(v);
	text = json_dumps(v, DUMP_FLAGS);
	json_decref(v);
	assert_non_null(text);
	return text;
}

static void
assert_same_real(double v)
{
	struct jsonw w = { 0 };
	char *want = jansson_text(json_real(v));

	jsonw_real(&w, NULL, v, 0);
	assert_string_equal(w.buf, want);
	free(want);
	jsonw_free(&w);
}

static void
test_reals_as_jansson(void **state)
{
	static const double reals[] = {
		0, -0.0, 1, -1, 0.5, 100, 1e6, 123456789012, 1e12, 1e13,
		1e20, 1e-5, 1.5e-10, 3.25e100, 4096, 65536.5, -2.5e15,
	};
	(void)state;
	for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++)
		assert_same_real(reals[i]);
	srandom(7);
	for (int i = 0; i < 2000; i++) {
		double v = ldexp((double)random() / RAND_MAX, (int)(random() % 120) - 60);

		assert_same_real(i % 2 ? v : -v);
	}
}

static void
test_real_scale_rounds(void **state)
{
	struct jsonw w = { 0 };

	(void)state;
	jsonw_array_begin(&w, NULL);
	jsonw_real(&w, NULL, 12.345, 10);
	jsonw_real(&w, NULL, 0.0004, 1000);
	jsonw_real(&w, NULL, 99.96, 10);
	jsonw_real(&w, NULL, NAN, 1);
	jsonw_real(&w, NULL, INFINITY, 1);
	jsonw_array_end(&w);
	assert_string_equal(w.buf, "[12.3,0.0,100.0,null,null]");
	jsonw_free(&w);
}

static void
test_ints(void **state)
{
	static const long long ints[] = {
		0, 1, -1, 9, 10, 4096, -4096, 2147483647, -2147483648LL,
		INT64_MAX, INT64_MIN, 1000000007,
	};
	(void)state;
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
		struct jsonw w = { 0 };
		char *want = jansson_text(json_integer(ints[i]));

		jsonw_int(&w, NULL, ints[i]);
		assert_string_equal(w.buf, want);
		free(want);
		jsonw_free(&w);
	}
}

static void
assert_same_string(const char *s)
{
	struct jsonw w = { 0 };
	char *want = jansson_text(json_string(s));

	jsonw_string(&w, NULL, s);
	assert_string_equal(w.buf, want);
	free(want);
	jsonw_free(&w);
}

static void
test_strings_as_jansson(void **state)
{
	static const char *strings[] = {
		"", "cat", "say \"hi\"", "back\\slash", "tab\there",
		"\b\f\n\r\t\x01\x1f\x7f", "/usr/bin/sort", "caf\xc3\xa9",
		"\xe2\x94\x80\xe2\x94\x80>", "\xf0\x9f\x98\x80 emoji",
		"\xef\xbf\xbf", "\xf4\x8f\xbf\xbf",
	};
	(void)state;
	for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
		assert_same_string(strings[i]);
}

/* Each byte that is not valid UTF-8 becomes one '?'; the rest stays. */
static void
test_strings_bad_utf8(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "caf\xe9", "\"caf?\"" },
		{ "\xc0\xaf", "\"??\"" },		/* overlong '/' */
		{ "\xed\xa0\x80", "\"???\"" },		/* a surrogate */
		{ "\xf4\x90\x80\x80", "\"????\"" },	/* past U+10FFFF */
		{ "a\xc3", "\"a?\"" },			/* cut short */
		{ "\xff\xc3\xa9", "\"?\\u00E9\"" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct jsonw w = { 0 };

		jsonw_string(&w, NULL, cases[i].in);
		assert_string_equal(w.buf, cases[i].out);
		jsonw_free(&w);
	}
}

/* Random bytes: one line of JSON that reads back with the same length. */
static void
test_random_strings_parse(void **state)
{
	(void)state;
	srandom(11);
	for (int i = 0; i < 3000; i++) {
		char s[40];
		size_t n = (size_t)(random() % (sizeof s - 1));
		struct jsonw w = { 0 };
		json_error_t err;
		json_t *back;

		for (size_t j = 0; j < n; j++)
			s[j] = (char)(random() % 255 + 1);
		s[n] = '\0';
		jsonw_string(&w, NULL, s);
		assert_null(strchr(w.buf, '\n'));
		back = json_loads(w.buf, JSON_DECODE_ANY, &err);
		assert_non_null(back);
		assert_true(json_is_string(back));
		/* '?' for each bad byte, valid sequences as they were. */
		assert_int_equal(json_string_length(back), n);
		json_decref(back);
		jsonw_free(&w);
	}
}

static void
test_bytes_round_trip(void **state)
{
	char data[256];
	struct jsonw w = { 0 };
	json_error_t err;
	json_t *back;
	const unsigned char *u;

	(void)state;
	for (int i = 0; i < 256; i++)
		data[i] = (char)i;
	jsonw_bytes(&w, NULL, data, sizeof data);
	back = json_loads(w.buf, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	assert_non_null(back);
	/* Byte N came back as U+00NN: one byte below 0x80, two from 0x80. */
	assert_int_equal(json_string_length(back), 128 + 2 * 128);
	u = (const unsigned char *)json_string_value(back);
	assert_int_equal(u[0], 0);
	assert_int_equal(u[127], 127);
	assert_int_equal(u[128], 0xc2);
	assert_int_equal(u[129], 0x80);
	assert_int_equal(u[382], 0xc3);
	assert_int_equal(u[383], 0xbf);
	json_decref(back);
	jsonw_free(&w);
}

/* Nesting, commas and keys as jansson prints an object it was given. */
static void
test_structure_as_jansson(void **state)
{
	struct jsonw w = { 0 };
	char *want;

	(void)state;
	want = jansson_text(json_pack("{s:i,s:[],s:{},s:[i,{s:n,s:b},[s]],s:b}",
	    "a", 1, "empty", "none", "list", 2, "x", "y", 0, "z", "last", 1));
	/* json_pack keeps insertion order (jansson >= 2.8). */
	jsonw_object_begin(&w, NULL);
	jsonw_int(&w, "a", 1);
	jsonw_array_begin(&w, "empty");
	jsonw_array_end(&w);
	jsonw_object_begin(&w, "none");
	jsonw_object_end(&w);
	jsonw_array_begin(&w, "list");
	jsonw_int(&w, NULL, 2);
	jsonw_object_begin(&w, NULL);
	jsonw_null(&w, "x");
	jsonw_bool(&w, "y", false);
	jsonw_object_end(&w);
	jsonw_array_begin(&w, NULL);
	jsonw_string(&w, NULL, "z");
	jsonw_array_end(&w);
	jsonw_array_end(&w);
	jsonw_bool(&w, "last", true);
	jsonw_object_end(&w);
	assert_string_equal(w.buf, want);
	assert_int_equal(w.depth, 0);
	free(want);

	/* A reset writer starts a new text and keeps its buffer. */
	{
		char *buf = w.buf;

		jsonw_reset(&w);
		jsonw_string(&w, NULL, "again");
		assert_ptr_equal(w.buf, buf);
		assert_string_equal(w.buf, "\"again\"");
	}
	jsonw_free(&w);
}

/* A large record grows the buffer and stays whole. */
static void
test_large_record(void **state)
{
	struct jsonw w = { 0 };
	json_error_t err;
	json_t *back;

	(void)state;
	jsonw_array_begin(&w, NULL);
	for (int i = 0; i < 50000; i++)
		jsonw_int(&w, NULL, i);
	jsonw_array_end(&w);
	assert_int_equal(strlen(w.buf), w.len);
	back = json_loads(w.buf, 0, &err);
	assert_non_null(back);
	assert_int_equal(json_array_size(back), 50000);
	assert_int_equal(json_integer_value(json_array_get(back, 49999)), 49999);
	json_decref(back);
	jsonw_free(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reals_as_jansson),
		cmocka_unit_test(test_real_scale_rounds),
		cmocka_unit_test(test_ints),
		cmocka_unit_test(test_strings_as_jansson),
		cmocka_unit_test(test_strings_bad_utf8),
		cmocka_unit_test(test_random_strings_parse),
		cmocka_unit_test(test_bytes_round_trip),
		cmocka_unit_test(test_structure_as_jansson),
		cmocka_unit_test(test_large_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
