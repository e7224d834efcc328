/*
 * test-exact.c - the kernel's byte counts (--exact) onto a sample: which
 * count a pipe, a FIFO and a socket take, rates from the sample before,
 * the sleeps of a channel's ends and a process's sleep now.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "pipeviz/exact.h"

static struct snap_proc *
proc(struct snapshot *s, pid_t pid, const char *comm)
{
	struct snap_proc *p = snapshot_add_proc(s, pid);

	strcpy(p->comm, comm);
	p->state = 'S';
	return p;
}

static void
fd(struct snap_proc *p, int n, enum snap_fd_mode mode, enum snap_fd_kind kind,
    uint64_t inode, uint64_t dev)
{
	struct snap_fd *f = snapshot_proc_add_fd(p, n, mode, kind,
	    kind == SNAP_FD_FIFO ? "/tmp/f" : NULL);

	f->inode = inode;
	f->dev = dev;
}

/* writer | reader over pipe 100, a FIFO 200 on dev 7, a socket pair 301/302. */
static struct snapshot *
sample(double t)
{
	struct snapshot *s = snapshot_create(t);
	struct snap_proc *w = proc(s, 10, "writer"), *r = proc(s, 11, "reader");
	struct snap_socket *a, *b;

	fd(w, 1, SNAP_MODE_W, SNAP_FD_PIPE, 100, 0);
	fd(r, 0, SNAP_MODE_R, SNAP_FD_PIPE, 100, 0);
	fd(w, 3, SNAP_MODE_W, SNAP_FD_FIFO, 200, 7);
	fd(r, 3, SNAP_MODE_R, SNAP_FD_FIFO, 200, 7);
	fd(w, 4, SNAP_MODE_RW, SNAP_FD_SOCKET, 301, 0);
	fd(r, 4, SNAP_MODE_RW, SNAP_FD_SOCKET, 302, 0);
	a = snapshot_add_socket(s, 301);
	a->type = SNAP_SOCK_UNIX;
	a->peer = 302;
	b = snapshot_add_socket(s, 302);
	b->type = SNAP_SOCK_UNIX;
	b->peer = 301;
	snapshot_link_pipes(s);
	return s;
}

static const struct snap_pipe *
chan(const struct snapshot *s, enum snap_fd_kind kind, uint64_t inode)
{
	for (size_t i = 0; i < s->npipes; i++) {
		if (s->pipes[i].kind == kind && s->pipes[i].inode == inode)
			return &s->pipes[i];
	}
	fail_msg("no channel %llu", (unsigned long long)inode);
	return NULL;
}

static void
test_counts_and_rates(void **state)
{
	struct exact_count c[] = {
		{ SNAP_FD_SOCKET, 302, 0, 0, 4096, 0, 0, 0, 0 },
		{ SNAP_FD_PIPE, 100, 0, 1000, 900, 0, 0, 0, 0 },
		{ SNAP_FD_FIFO, 200, 7, 0, 50, 0, 0, 0, 0 },
		{ SNAP_FD_SOCKET, 301, 0, 4096, 0, 0, 0, 0, 0 },
	};
	struct snapshot *a = sample(1.0), *b = sample(1.5);

	(void)state;
	exact_sort(c, 4);
	exact_apply(a, NULL, c, 4);
	/* A pipe: what its writers wrote in (not the 900 read so far). */
	assert_int_equal(chan(a, SNAP_FD_PIPE, 100)->bytes, 1000);
	assert_true(chan(a, SNAP_FD_PIPE, 100)->bytes_exact);
	/* A FIFO nobody observed writing: what its readers read. */
	assert_int_equal(chan(a, SNAP_FD_FIFO, 200)->bytes, 50);
	/* A socket: written into it. */
	assert_int_equal(chan(a, SNAP_FD_SOCKET, 301)->bytes, 4096);
	assert_int_equal(chan(a, SNAP_FD_SOCKET, 302)->bytes, 0);
	/* No sample before: the rate is left as it was. */
	assert_true(chan(a, SNAP_FD_PIPE, 100)->rate_bps < 0);
	/* Half a second later the writer has written 1000 more. */
	for (size_t i = 0; i < 4; i++) {
		if (c[i].kind == SNAP_FD_PIPE)
			c[i].written = 2000;
	}
	exact_apply(b, a, c, 4);
	assert_int_equal(chan(b, SNAP_FD_PIPE, 100)->bytes, 2000);
	assert_float_equal(chan(b, SNAP_FD_PIPE, 100)->rate_bps, 2000.0, 1e-6);
	assert_float_equal(chan(b, SNAP_FD_SOCKET, 301)->rate_bps, 0, 1e-6);
	snapshot_free(a);
	snapshot_free(b);
}

/* A channel without counters moved no observed byte: 0, exactly. */
static void
test_no_counts(void **state)
{
	struct snapshot *s = sample(1.0);

	(void)state;
	exact_apply(s, NULL, NULL, 0);
	for (size_t i = 0; i < s->npipes; i++) {
		assert_int_equal(s->pipes[i].bytes, 0);
		assert_true(s->pipes[i].bytes_exact);
	}
	snapshot_free(s);
}

static void
test_sleeps(void **state)
{
	struct exact_count c[] = {
		{ SNAP_FD_PIPE, 100, 0, 1000, 1000, 3, 2, 1500000000, 250000000 },
		/* Reads of 302 wait for what 301 is written: the channel 301. */
		{ SNAP_FD_SOCKET, 302, 0, 0, 10, 0, 4, 0, 40000000 },
	};
	struct exact_wait w[] = {
		{ 10, 10, 12500000000ULL, SNAP_FD_PIPE, 100, 0, false },
		/* Another thread of the writer, asleep since later. */
		{ 10, 12, 12900000000ULL, SNAP_FD_PIPE, 100, 0, false },
		{ 11, 11, 12700000000ULL, SNAP_FD_SOCKET, 302, 0, true },
		{ 99, 99, 12000000000ULL, SNAP_FD_PIPE, 100, 0, true },
	};
	struct snapshot *s = sample(3.0);
	const struct snap_proc *p;
	const struct snap_pipe *pp;

	(void)state;
	exact_sort(c, 2);
	exact_apply_sleeps(s, c, 2, w, 4, 10.0);
	pp = chan(s, SNAP_FD_PIPE, 100);
	assert_true(pp->sleeps_known);
	assert_int_equal(pp->writer_sleeps.count, 3);
	assert_float_equal(pp->writer_sleeps.seconds, 1.5, 1e-9);
	assert_int_equal(pp->reader_sleeps.count, 2);
	assert_float_equal(pp->reader_sleeps.seconds, 0.25, 1e-9);
	pp = chan(s, SNAP_FD_SOCKET, 301);
	assert_int_equal(pp->reader_sleeps.count, 4);
	assert_int_equal(pp->writer_sleeps.count, 0);
	/* The writer: asleep writing pipe 100 since 2.5 s (its oldest thread). */
	p = snapshot_find_proc(s, 10);
	assert_true(p->kwait.asleep);
	assert_false(p->kwait.reading);
	assert_int_equal(p->kwait.chan, 100);
	assert_float_equal(p->kwait.since, 2.5, 1e-9);
	/* The reader: asleep reading its socket, that is channel 301. */
	p = snapshot_find_proc(s, 11);
	assert_true(p->kwait.asleep && p->kwait.reading);
	assert_int_equal(p->kwait.chan, 301);
	assert_float_equal(p->kwait.since, 2.7, 1e-9);
	snapshot_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_and_rates),
		cmocka_unit_test(test_no_counts),
		cmocka_unit_test(test_sleeps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
