/*
 * test-rates.c - per-channel rates: from writers that write only into the
 * channel, else from readers that read only from it, else unknown.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pipeviz/rates.h"
#include "pipeviz/snapshot.h"

#define HZ 100

static struct snap_proc *
proc(struct snapshot *s, pid_t pid, const char *comm, uint64_t rchar,
    uint64_t wchar)
{
	struct snap_proc *p = snapshot_add_proc(s, pid);
	char *argv[] = { (char *)comm, NULL };

	snprintf(p->comm, sizeof p->comm, "%s", comm);
	snapshot_proc_set_argv(p, argv);
	p->state = 'S';
	p->start_ticks = (uint64_t)pid * 10;
	p->io_known = true;
	p->rchar = rchar;
	p->wchar = wchar;
	return p;
}

static void
pipe_fd(struct snap_proc *p, int fd, enum snap_fd_mode mode, uint64_t ino)
{
	snapshot_proc_add_fd(p, fd, mode, SNAP_FD_PIPE, NULL)->inode = ino;
}

/*
 * gen (pid 100) writes fd 1 into pipe 5000, sink (pid 101) reads fd 0.
 * Variants: 1 gen also writes a log file on fd 3; 2 and sink also reads a
 * file on fd 4; 3 both write stderr (fd 2) into pipe 77 that a logger
 * reads, and gen holds a stray write end (pipe 42), sink a stray read end
 * (pipe 43) on fd 251; 4 as 3, and gen writes the log file too.  Over 2 s at t (k = 1) gen has written
 * 8000 bytes in all, sink read 6000.
 */
static struct snapshot *
gen_sink(double t, int k, int variant)
{
	struct snapshot *s = snapshot_create(t);
	struct snap_proc *p;

	p = proc(s, 100, "gen", 0, (uint64_t)k * 8000);
	pipe_fd(p, 1, SNAP_MODE_W, 5000);
	if (variant == 1 || variant == 2 || variant == 4)
		snapshot_proc_add_fd(p, 3, SNAP_MODE_W, SNAP_FD_FILE,
		    "/tmp/log")->inode = 12;
	if (variant >= 3) {
		pipe_fd(p, 2, SNAP_MODE_W, 77);
		pipe_fd(p, 251, SNAP_MODE_W, 42);
	}
	p = proc(s, 101, "sink", (uint64_t)k * 6000, 0);
	pipe_fd(p, 0, SNAP_MODE_R, 5000);
	if (variant == 2)
		snapshot_proc_add_fd(p, 4, SNAP_MODE_R, SNAP_FD_FILE,
		    "/etc/words")->inode = 13;
	if (variant >= 3) {
		pipe_fd(p, 2, SNAP_MODE_W, 77);
		pipe_fd(p, 251, SNAP_MODE_R, 43);
		/* stderr goes to a logger: pipe 77 is not stray. */
		pipe_fd(proc(s, 102, "logger", 0, 0), 0, SNAP_MODE_R, 77);
	}
	snapshot_link_pipes(s);
	return s;
}

static double
rate_of(int variant)
{
	struct snapshot *prev = gen_sink(1.0, 0, variant);
	struct snapshot *cur = gen_sink(3.0, 1, variant);
	double r;

	rates_apply(NULL, prev, HZ);
	rates_apply_pipes(NULL, prev);
	assert_true(snapshot_find_pipe(prev, 5000)->rate_bps < 0);
	rates_apply(prev, cur, HZ);
	rates_apply_pipes(prev, cur);
	assert_true(snapshot_find_proc(cur, 100)->write_bps == 4000);
	assert_true(snapshot_find_proc(cur, 101)->read_bps == 3000);
	r = snapshot_find_pipe(cur, 5000)->rate_bps;
	snapshot_free(prev);
	snapshot_free(cur);
	return r;
}

static void
rate_is_the_exclusive_writers_rate(void **state)
{
	(void)state;
	assert_true(rate_of(0) == 4000);
}

static void
rate_falls_back_to_the_exclusive_reader(void **state)
{
	(void)state;
	assert_true(rate_of(1) == 3000);
}

static void
rate_unknown_when_neither_end_is_exclusive(void **state)
{
	(void)state;
	assert_true(rate_of(2) == -1);
}

/* stderr and a stray inherited pipe are not the data path. */
static void
rate_ignores_stderr_and_stray_pipes(void **state)
{
	struct snapshot *s = gen_sink(1.0, 0, 3);

	(void)state;
	assert_true(snapshot_find_pipe(s, 42)->stray);
	assert_true(snapshot_find_pipe(s, 43)->stray);
	assert_false(snapshot_find_pipe(s, 77)->stray);
	snapshot_free(s);
	assert_true(rate_of(3) == 4000);
	/* gen writes a file too: sink's stray read end does not count. */
	assert_true(rate_of(4) == 3000);
}

static void
rate_unknown_for_a_process_new_in_this_sample(void **state)
{
	struct snapshot *prev = gen_sink(1.0, 0, 0);
	struct snapshot *cur = gen_sink(3.0, 1, 0);

	(void)state;
	/* A new gen and a new sink under the same pids: no counters to use. */
	snapshot_find_proc(cur, 100)->start_ticks = 7;
	snapshot_find_proc(cur, 101)->start_ticks = 8;
	rates_apply(prev, cur, HZ);
	rates_apply_pipes(prev, cur);
	assert_true(snapshot_find_pipe(cur, 5000)->rate_bps == -1);
	snapshot_free(prev);
	snapshot_free(cur);

	/* Only the writer is new: the reader still tells. */
	prev = gen_sink(1.0, 0, 0);
	cur = gen_sink(3.0, 1, 0);
	snapshot_find_proc(cur, 100)->start_ticks = 7;
	rates_apply(prev, cur, HZ);
	rates_apply_pipes(prev, cur);
	assert_true(snapshot_find_pipe(cur, 5000)->rate_bps == 3000);
	snapshot_free(prev);
	snapshot_free(cur);
}

static void
rate_unknown_without_a_previous_sample(void **state)
{
	struct snapshot *cur = gen_sink(3.0, 1, 0);

	(void)state;
	snapshot_find_pipe(cur, 5000)->rate_bps = 123;
	rates_apply_pipes(NULL, cur);
	assert_true(snapshot_find_pipe(cur, 5000)->rate_bps == -1);
	snapshot_free(cur);
}

/* A socket's bytes: written by its holder, read by its peer's holder. */
static void
rate_of_a_unix_socket_channel(void **state)
{
	struct snapshot *snaps[2];

	(void)state;
	for (int k = 0; k < 2; k++) {
		struct snapshot *s = snapshot_create(1.0 + 2 * k);
		struct snap_socket *x = snapshot_add_socket(s, 700);
		struct snap_socket *y = snapshot_add_socket(s, 701);
		struct snap_proc *p;

		x->type = y->type = SNAP_SOCK_UNIX;
		x->peer = 701;
		y->peer = 700;
		p = proc(s, 100, "a", 0, (uint64_t)k * 2000);
		snapshot_proc_add_fd(p, 1, SNAP_MODE_RW, SNAP_FD_SOCKET,
		    NULL)->inode = 700;
		p = proc(s, 101, "b", (uint64_t)k * 2000, 0);
		snapshot_proc_add_fd(p, 0, SNAP_MODE_RW, SNAP_FD_SOCKET,
		    NULL)->inode = 701;
		snapshot_link_pipes(s);
		snaps[k] = s;
	}
	rates_apply(snaps[0], snaps[1], HZ);
	rates_apply_pipes(snaps[0], snaps[1]);
	/* 700 carries a's writes (1000 B/s); 701 nothing b writes. */
	assert_true(snapshot_find_pipe(snaps[1], 700)->rate_bps == 1000);
	assert_true(snapshot_find_pipe(snaps[1], 701)->rate_bps == 0);
	snapshot_free(snaps[0]);
	snapshot_free(snaps[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rate_is_the_exclusive_writers_rate),
		cmocka_unit_test(rate_falls_back_to_the_exclusive_reader),
		cmocka_unit_test(rate_unknown_when_neither_end_is_exclusive),
		cmocka_unit_test(rate_ignores_stderr_and_stray_pipes),
		cmocka_unit_test(rate_unknown_for_a_process_new_in_this_sample),
		cmocka_unit_test(rate_unknown_without_a_previous_sample),
		cmocka_unit_test(rate_of_a_unix_socket_channel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
