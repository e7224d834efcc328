/*
 * test-exitcode.c - a launched pipeline's exit status: 127 and 126 from
 * the stage that could not start, the pipeline's status otherwise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pipeviz/exitcode.h"

static struct snap_exit
code(int c)
{
	return (struct snap_exit){ .exited = true, .code = c };
}

static struct snap_exit
killed(int sig)
{
	return (struct snap_exit){ .exited = true, .signal = sig };
}

static void
status_is_the_pipelines_when_every_stage_ran(void **state)
{
	struct snap_exit e[] = { code(0), code(1), code(2) };

	(void)state;
	assert_int_equal(exitcode_pipeline(2, e, 3), 2);
	assert_int_equal(exitcode_pipeline(0, e, 0), 0);
}

static void
a_stage_not_found_gives_127_wherever_it_is(void **state)
{
	/* nosuchcmd | cat: sh says 0 (cat's), pipeviz says why. */
	struct snap_exit first[] = { code(127), code(0) };
	struct snap_exit last[] = { code(0), code(127) };

	(void)state;
	assert_int_equal(exitcode_pipeline(0, first, 2), EXITCODE_NOT_FOUND);
	assert_int_equal(exitcode_pipeline(127, last, 2), EXITCODE_NOT_FOUND);
}

static void
a_stage_that_could_not_run_gives_126(void **state)
{
	struct snap_exit e[] = { code(0), code(126), code(0) };

	(void)state;
	assert_int_equal(exitcode_pipeline(0, e, 3), EXITCODE_CANNOT_RUN);
}

static void
the_first_stage_that_could_not_start_decides(void **state)
{
	struct snap_exit e[] = { code(126), code(127) };
	struct snap_exit f[] = { code(127), code(126) };

	(void)state;
	assert_int_equal(exitcode_pipeline(127, e, 2), EXITCODE_CANNOT_RUN);
	assert_int_equal(exitcode_pipeline(126, f, 2), EXITCODE_NOT_FOUND);
}

static void
signals_and_stages_still_running_are_not_exec_failures(void **state)
{
	/* Signal 127 does not exist, but its number must not count. */
	struct snap_exit e[] = { killed(13), killed(127), { .exited = false,
		.code = 127 }, code(0) };

	(void)state;
	assert_int_equal(exitcode_pipeline(141, e, 4), 141);
}

static void
the_convention_of_timeout_and_env(void **state)
{
	(void)state;
	assert_int_equal(EXITCODE_FAILED, 125);
	assert_int_equal(EXITCODE_CANNOT_RUN, 126);
	assert_int_equal(EXITCODE_NOT_FOUND, 127);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(status_is_the_pipelines_when_every_stage_ran),
		cmocka_unit_test(a_stage_not_found_gives_127_wherever_it_is),
		cmocka_unit_test(a_stage_that_could_not_run_gives_126),
		cmocka_unit_test(the_first_stage_that_could_not_start_decides),
		cmocka_unit_test(signals_and_stages_still_running_are_not_exec_failures),
		cmocka_unit_test(the_convention_of_timeout_and_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
