/*
 * test-sanitize.c - the one sanitizer for text that reaches a terminal or
 * a DOT file: what each kind of character is shown as, that no control
 * byte or invalid UTF-8 survives, and that sanitizing twice changes
 * nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeviz/sanitize.h"

static void
shows(const char *in, const char *want)
{
	char *out = sanitize_dup(in);

	assert_string_equal(out, want);
	/* One cell per code point shown: the clean text's own count. */
	assert_int_equal(sanitize_width(in), sanitize_width(want));
	free(out);
}

/* Printable text, ASCII or not, is left as it is. */
static void
printable_text_is_itself(void **state)
{
	(void)state;
	shows("", "");
	shows("sort -n", "sort -n");
	shows("caf\xc3\xa9 \xe2\x94\x80 \xf0\x9f\x90\x8d", "caf\xc3\xa9 \xe2\x94\x80 \xf0\x9f\x90\x8d");
	/* U+00A0, the first code point past C1, is not a control. */
	shows("a\xc2\xa0" "b", "a\xc2\xa0" "b");
	/* Caret and M- of the user's own text stay what they are. */
	shows("^[ M-x", "^[ M-x");
}

/* C0 and DEL in caret notation, as cat -v shows them. */
static void
c0_and_del_in_caret_notation(void **state)
{
	(void)state;
	shows("\033]0;PWN\a", "^[]0;PWN^G");
	shows("a\nb\rc\td", "a^Jb^Mc^Id");
	shows("\x01\x1f\x7f", "^A^_^?");
}

/* C1 (U+0080-U+009F, two bytes in UTF-8) as M- and the C0 twin. */
static void
c1_as_cat_v_shows_the_byte(void **state)
{
	(void)state;
	shows("\xc2\x9b" "2J", "M-^[2J");
	shows("\xc2\x80\xc2\x9f", "M-^@M-^_");
	shows("\xc2\x85", "M-^E");
}

/* Bytes that start no valid sequence are '?', one each. */
static void
invalid_utf8_is_replaced(void **state)
{
	(void)state;
	/* A lone C1 byte: CSI to an 8-bit terminal. */
	shows("a\x9b" "b", "a?b");
	shows("\xff\xfe", "??");
	/* Cut sequences: the next character is kept whole. */
	shows("\xe2\x94" "x", "??x");
	shows("\xf0\x9f\x90", "???");
	/* Overlong forms (of '/', of NUL, of U+0080) and surrogates. */
	shows("\xc0\xaf", "??");
	shows("\xe0\x80\xaf", "???");
	shows("\xc1\xbf", "??");
	shows("\xed\xa0\x80", "???");
	/* Past U+10FFFF. */
	shows("\xf4\x90\x80\x80", "????");
	/* An overlong ESC is no ESC. */
	shows("\xc0\x9b", "??");
}

/* Each visible form is one cell per code point. */
static void
width_counts_cells(void **state)
{
	(void)state;
	assert_int_equal(sanitize_width("ab"), 2);
	assert_int_equal(sanitize_width("\033"), 2);
	assert_int_equal(sanitize_width("\xc2\x9b"), 4);
	assert_int_equal(sanitize_width("\xe2\x94\x80"), 1);
	assert_int_equal(sanitize_width("\xff"), 1);
}

/* Appending never cuts a visible form, and always terminates. */
static void
append_keeps_whole_forms(void **state)
{
	char buf[8];
	size_t n;

	(void)state;
	n = sanitize_append(buf, sizeof buf, 0, "ab\033cd");
	assert_string_equal(buf, "ab^[cd");
	assert_int_equal(n, 6);
	n = sanitize_append(buf, sizeof buf, n, "\033");
	/* "^[" needs two bytes and the NUL: one is left, so it stops. */
	assert_string_equal(buf, "ab^[cd");
	assert_int_equal(n, 6);
	n = sanitize_append(buf, sizeof buf, 0, "\xc2\x9b\xc2\x9b");
	assert_string_equal(buf, "M-^[");
	n = sanitize_append(buf, 1, 0, "x");
	assert_int_equal(n, 0);
	assert_string_equal(buf, "");
	assert_int_equal(sanitize_append(buf, 0, 0, "x"), 0);
	n = sanitize_append(buf, sizeof buf, 3, NULL);
	assert_int_equal(n, 3);
}

/* Every byte value, alone and in pairs: the output is clean, twice. */
static void
no_control_byte_survives(void **state)
{
	(void)state;
	for (int a = 1; a < 256; a++) {
		for (int b = 0; b < 256; b++) {
			char in[3] = { (char)a, (char)b, '\0' };
			char *out = sanitize_dup(in), *again;

			for (const unsigned char *p = (const unsigned char *)out;
			    *p != '\0'; p++) {
				assert_false(*p < 0x20 || *p == 0x7f);
				/* A C1 code point is C2 80..C2 9F in UTF-8. */
				if (*p == 0xc2)
					assert_true(p[1] >= 0xa0);
			}
			again = sanitize_dup(out);
			assert_string_equal(again, out);
			free(again);
			free(out);
		}
	}
}

/* sanitize_fputs writes what sanitize_dup returns. */
static void
fputs_matches_dup(void **state)
{
	const char *in = "x\033[31m\xc2\x9b\xff\n";
	char *buf = NULL, *want = sanitize_dup(in);
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	sanitize_fputs(in, f);
	fclose(f);
	assert_string_equal(buf, want);
	assert_string_equal(buf, "x^[[31mM-^[?^J");
	free(buf);
	free(want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(printable_text_is_itself),
		cmocka_unit_test(c0_and_del_in_caret_notation),
		cmocka_unit_test(c1_as_cat_v_shows_the_byte),
		cmocka_unit_test(invalid_utf8_is_replaced),
		cmocka_unit_test(width_counts_cells),
		cmocka_unit_test(append_keeps_whole_forms),
		cmocka_unit_test(no_control_byte_survives),
		cmocka_unit_test(fputs_matches_dup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
