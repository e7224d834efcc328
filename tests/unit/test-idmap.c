/* test-idmap.c - 64-bit keys to indices: first wins, growth, clearing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pipeviz/idmap.h"

static void
empty_map_finds_nothing(void **state)
{
	struct idmap m = { 0 };

	(void)state;
	assert_true(idmap_get(&m, 0) == IDMAP_NONE);
	assert_true(idmap_get(&m, 42) == IDMAP_NONE);
	idmap_free(&m);
}

/* A key is kept with the index put first, as a linear search finds it. */
static void
first_index_of_a_key_wins(void **state)
{
	struct idmap m = { 0 };

	(void)state;
	assert_true(idmap_put(&m, 7, 3));
	assert_false(idmap_put(&m, 7, 9));
	assert_int_equal(idmap_get(&m, 7), 3);
	/* 0 and UINT64_MAX are keys like any other. */
	assert_true(idmap_put(&m, 0, 1));
	assert_true(idmap_put(&m, UINT64_MAX, 2));
	assert_int_equal(idmap_get(&m, 0), 1);
	assert_int_equal(idmap_get(&m, UINT64_MAX), 2);
	idmap_free(&m);
}

/* Dense pids and sparse inodes, many more than the first capacity. */
static void
grows_and_keeps_every_key(void **state)
{
	struct idmap m = { 0 };

	(void)state;
	for (size_t i = 0; i < 20000; i++) {
		assert_true(idmap_put(&m, 1000 + i, i));
		assert_true(idmap_put(&m, (uint64_t)i << 40 | 5, 20000 + i));
	}
	assert_int_equal(m.n, 40000);
	for (size_t i = 0; i < 20000; i++) {
		assert_int_equal(idmap_get(&m, 1000 + i), i);
		assert_int_equal(idmap_get(&m, (uint64_t)i << 40 | 5),
		    20000 + i);
	}
	assert_true(idmap_get(&m, 999) == IDMAP_NONE);
	assert_true(idmap_get(&m, 21000) == IDMAP_NONE);
	idmap_free(&m);
}

static void
clear_empties_and_map_is_reusable(void **state)
{
	struct idmap m = { 0 };

	(void)state;
	for (size_t i = 0; i < 100; i++)
		idmap_put(&m, i, i);
	idmap_clear(&m);
	assert_int_equal(m.n, 0);
	assert_true(idmap_get(&m, 5) == IDMAP_NONE);
	assert_true(idmap_put(&m, 5, 50));
	assert_int_equal(idmap_get(&m, 5), 50);
	idmap_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_map_finds_nothing),
		cmocka_unit_test(first_index_of_a_key_wins),
		cmocka_unit_test(grows_and_keeps_every_key),
		cmocka_unit_test(clear_empties_and_map_is_reusable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
