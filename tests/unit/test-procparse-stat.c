/*
 * test-procparse-stat.c - the parsers of the files the probe reads every
 * sample: /proc/PID/stat, schedstat, statm and io, and of cmdline, fed
 * with text seen on Linux 6.18.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pipeviz/procparse.h"

/* `cat /proc/self/stat` on 6.18 (a process without a terminal). */
static const char cat_stat[] =
    "20072 (cat) R 20069 20069 11730 0 -1 4194304 100 0 0 0 7 3 0 0 20 0 "
    "1 0 320791 3133440 380 18446744073709551615 94588913119232 "
    "94588913139113 140733323210768 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 "
    "94588913155120 94588913156736 94589564313600 140733323217537 "
    "140733323217557 140733323217557 140733323218923 0\n";

static void
test_stat_fields(void **state)
{
	struct procparse_stat st;

	(void)state;
	assert_int_equal(procparse_stat(cat_stat, &st), 0);
	assert_int_equal(st.pid, 20072);
	assert_string_equal(st.comm, "cat");
	assert_int_equal(st.state, 'R');
	assert_int_equal(st.ppid, 20069);
	assert_int_equal(st.pgid, 20069);
	assert_int_equal(st.utime, 7);
	assert_int_equal(st.stime, 3);
	assert_int_equal(st.nthreads, 1);
	assert_int_equal(st.start, 320791);
	assert_int_equal(st.rss_pages, 380);
	assert_int_equal(st.startcode, 94588913119232ULL);
}

/* A name may hold blanks and parentheses: it ends at the last ')'. */
static void
test_stat_odd_name(void **state)
{
	static const char text[] =
	    "77 (a) b (c)) S 1 77 77 0 -1 0 0 0 0 0 0 0 0 0 20 0 3 0 99 0 5\n";
	struct procparse_stat st;

	(void)state;
	assert_int_equal(procparse_stat(text, &st), 0);
	assert_string_equal(st.comm, "a) b (c)");
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.ppid, 1);
	assert_int_equal(st.nthreads, 3);
	assert_int_equal(st.start, 99);
	assert_int_equal(st.rss_pages, 5);
}

/* A worker thread's long name is cut, not overflowed. */
static void
test_stat_long_name_is_cut(void **state)
{
	char text[512], name[200];
	struct procparse_stat st;

	(void)state;
	memset(name, 'x', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	snprintf(text, sizeof text,
	    "9 (%s) I 2 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 4 0 0\n", name);
	assert_int_equal(procparse_stat(text, &st), 0);
	assert_int_equal(strlen(st.comm), sizeof st.comm - 1);
	assert_int_equal(st.state, 'I');
	assert_int_equal(st.ppid, 2);
}

/* Signed fields (tpgid -1, a negative nice) are skipped, not refused. */
static void
test_stat_negative_fields(void **state)
{
	static const char text[] =
	    "5 (nice) S 4 5 5 34816 -1 0 0 0 0 0 1 2 -3 -4 39 -19 1 0 6 0 7\n";
	struct procparse_stat st;

	(void)state;
	assert_int_equal(procparse_stat(text, &st), 0);
	assert_int_equal(st.utime, 1);
	assert_int_equal(st.stime, 2);
	assert_int_equal(st.start, 6);
	assert_int_equal(st.rss_pages, 7);
}

/* A zombie keeps its fields; the parser needs nothing past field 24. */
static void
test_stat_zombie_short(void **state)
{
	static const char text[] =
	    "3941 (held) Z 3940 3932 11730 0 -1 4227084 0 0 0 0 2 0 0 0 20 0 "
	    "1 0 42281 0 0";
	struct procparse_stat st;

	(void)state;
	assert_int_equal(procparse_stat(text, &st), 0);
	assert_int_equal(st.state, 'Z');
	assert_int_equal(st.start, 42281);
	assert_int_equal(st.rss_pages, 0);
	assert_int_equal(st.startcode, 0);
}

static void
test_stat_garbage_is_invalid(void **state)
{
	static const char *const bad[] = {
		"",
		"abc",
		"12",
		"12 cat R 1",
		"12 (cat R 1 1",
		"0 (cat) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0",
		"12 (cat) RR 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0",
		"12 (cat) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0",
		"12 (cat) R -1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0",
		"12 (cat) R 1 1 1 0 -1 0 0 0 0 0 x 0 0 0 20 0 1 0 5 0 0",
		"12 (cat) R 1  1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0",
		"12 (cat) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 "
		    "99999999999999999999 0 0",
		"99999999999 (cat) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0",
	};
	struct procparse_stat st;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (procparse_stat(bad[i], &st) != -EINVAL)
			fail_msg("accepted: '%s'", bad[i]);
	}
}

/* Every prefix of a good line is either good or refused, never a crash. */
static void
test_stat_every_prefix(void **state)
{
	char text[sizeof cat_stat];
	struct procparse_stat st;

	(void)state;
	for (size_t len = 0; len < sizeof cat_stat; len++) {
		memcpy(text, cat_stat, len);
		text[len] = '\0';
		(void)procparse_stat(text, &st);
	}
}

static void
test_schedstat(void **state)
{
	uint64_t run, slices;

	(void)state;
	assert_int_equal(procparse_schedstat("234866108 43294620 439\n", &run,
	    &slices), 0);
	assert_int_equal(run, 234866108);
	assert_int_equal(slices, 439);
	/* A process that never ran. */
	assert_int_equal(procparse_schedstat("0 0 0\n", &run, &slices), 0);
	assert_int_equal(run, 0);
	assert_int_equal(slices, 0);
	assert_int_equal(procparse_schedstat("1 2", &run, &slices), -EINVAL);
	assert_int_equal(procparse_schedstat("1 2 3 4\n", &run, &slices),
	    -EINVAL);
	assert_int_equal(procparse_schedstat("", &run, &slices), -EINVAL);
	assert_int_equal(procparse_schedstat("a b c\n", &run, &slices),
	    -EINVAL);
}

static void
test_statm(void **state)
{
	uint64_t resident;

	(void)state;
	assert_int_equal(procparse_statm("11238 3774 1598 1315 0 9412 0\n",
	    &resident), 0);
	assert_int_equal(resident, 3774);
	assert_int_equal(procparse_statm("0 0 0 0 0 0 0\n", &resident), 0);
	assert_int_equal(resident, 0);
	assert_int_equal(procparse_statm("11238\n", &resident), -EINVAL);
	assert_int_equal(procparse_statm("", &resident), -EINVAL);
}

static void
test_io(void **state)
{
	static const char text[] =
	    "rchar: 6976\nwchar: 104857600\nsyscr: 10\nsyscw: 0\n"
	    "read_bytes: 0\nwrite_bytes: 0\ncancelled_write_bytes: 0\n";
	uint64_t r, w;

	(void)state;
	assert_int_equal(procparse_io(text, &r, &w), 0);
	assert_int_equal(r, 6976);
	assert_int_equal(w, 104857600);
}

static void
test_io_needs_both(void **state)
{
	uint64_t r = 1, w = 2;

	(void)state;
	assert_int_equal(procparse_io("rchar: 5\n", &r, &w), -EINVAL);
	assert_int_equal(procparse_io("wchar: 5\n", &r, &w), -EINVAL);
	assert_int_equal(procparse_io("", &r, &w), -EINVAL);
	assert_int_equal(procparse_io("rchar: x\nwchar: 1\n", &r, &w),
	    -EINVAL);
	/* Untouched on failure. */
	assert_int_equal(r, 1);
	assert_int_equal(w, 2);
}

static void
test_cmdline_split(void **state)
{
	char text[] = "cut\0-d.\0-f1\0";
	char *argv[8];

	(void)state;
	assert_int_equal(procparse_cmdline(text, sizeof text - 1, argv, 8), 3);
	assert_string_equal(argv[0], "cut");
	assert_string_equal(argv[1], "-d.");
	assert_string_equal(argv[2], "-f1");
	assert_null(argv[3]);
}

/* printf '' x: an empty argument is an argument. */
static void
test_cmdline_empty_argument(void **state)
{
	char text[] = "printf\0\0x\0";
	char *argv[8];

	(void)state;
	assert_int_equal(procparse_cmdline(text, sizeof text - 1, argv, 8), 3);
	assert_string_equal(argv[1], "");
	assert_string_equal(argv[2], "x");
}

/* A process that rewrote its command line may drop the last NUL. */
static void
test_cmdline_no_final_nul(void **state)
{
	char text[32] = "postgres: writer";
	char *argv[4];

	(void)state;
	assert_int_equal(procparse_cmdline(text, strlen(text), argv, 4), 1);
	assert_string_equal(argv[0], "postgres: writer");
	assert_null(argv[1]);
}

static void
test_cmdline_empty_and_max(void **state)
{
	char none[1] = "";
	char many[] = "a\0b\0c\0d\0";
	char *argv[3];

	(void)state;
	/* A zombie or a kernel thread. */
	assert_int_equal(procparse_cmdline(none, 0, argv, 3), 0);
	assert_null(argv[0]);
	/* Room for two and the NULL. */
	assert_int_equal(procparse_cmdline(many, sizeof many - 1, argv, 3), 2);
	assert_string_equal(argv[1], "b");
	assert_null(argv[2]);
}

/*
 * `cat /proc/self/stat` on 6.18 under a terminal (/dev/pts/1, tty_nr
 * 34817): in the foreground of `sh -c` (tpgid its own group), and as a
 * background job of an interactive bash (tpgid the shell's group).
 */
static const char fg_stat[] =
    "17777 (cat) R 17776 17776 17776 34817 17776 4194304 76 0 0 0 0 0 0 0 "
    "20 0 1 0 137799 3133440 416 18446744073709551615 94419889750016 "
    "94419889769897 140730292498272 0 0 0 0 16781312 0 0 0 0 17 0 0 0 0 0 "
    "0 94419889785904 94419889787520 94420591640576 140730292500698 "
    "140730292500718 140730292500718 140730292502507 0\n";
static const char bg_stat[] =
    "17838 (cat) R 17836 17838 17836 34817 17836 4194304 121 0 0 0 0 0 0 0 "
    "20 0 1 0 138191 3133440 394 18446744073709551615 93991648935936 "
    "93991648955817 140723907264864 0 0 0 0 16781312 0 0 0 0 17 0 0 0 0 0 "
    "0 93991648971824 93991648973440 93992425574400 140723907270859 "
    "140723907270879 140723907270879 140723907272683 0\n";

static void
test_stat_terminal_and_foreground_group(void **state)
{
	struct procparse_stat st;

	(void)state;
	assert_int_equal(procparse_stat(fg_stat, &st), 0);
	assert_int_equal(st.pgid, 17776);
	assert_int_equal(st.tty_nr, 34817);
	assert_int_equal(st.tpgid, 17776);
	assert_int_equal(st.start, 137799);
	assert_int_equal(procparse_stat(bg_stat, &st), 0);
	assert_int_equal(st.pid, 17838);
	assert_int_equal(st.pgid, 17838);
	assert_int_equal(st.tty_nr, 34817);
	assert_int_equal(st.tpgid, 17836);
	assert_int_equal(st.rss_pages, 394);
	/* No terminal: tty_nr 0 and tpgid "-1". */
	assert_int_equal(procparse_stat(cat_stat, &st), 0);
	assert_int_equal(st.tty_nr, 0);
	assert_int_equal(st.tpgid, -1);
	/* The synthetic line with a terminal and no foreground group. */
	assert_int_equal(procparse_stat(
	    "5 (nice) S 4 5 5 34816 -1 0 0 0 0 0 1 2 -3 -4 39 -19 1 0 6 0 7\n",
	    &st), 0);
	assert_int_equal(st.tty_nr, 34816);
	assert_int_equal(st.tpgid, -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stat_fields),
		cmocka_unit_test(test_stat_terminal_and_foreground_group),
		cmocka_unit_test(test_stat_odd_name),
		cmocka_unit_test(test_stat_long_name_is_cut),
		cmocka_unit_test(test_stat_negative_fields),
		cmocka_unit_test(test_stat_zombie_short),
		cmocka_unit_test(test_stat_garbage_is_invalid),
		cmocka_unit_test(test_stat_every_prefix),
		cmocka_unit_test(test_schedstat),
		cmocka_unit_test(test_statm),
		cmocka_unit_test(test_io),
		cmocka_unit_test(test_io_needs_both),
		cmocka_unit_test(test_cmdline_split),
		cmocka_unit_test(test_cmdline_empty_argument),
		cmocka_unit_test(test_cmdline_no_final_nul),
		cmocka_unit_test(test_cmdline_empty_and_max),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
