/*
 * test-waitparse.c - the multiplexed wait decoders, fed with bytes and
 * text recorded on this machine (kernel 6.18, x86_64) from python3
 * processes asleep in poll, pselect6 and epoll_wait (/proc/PID/mem at the
 * address in /proc/PID/syscall, and /proc/PID/fdinfo/EPFD).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/syscall.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "pipeviz/waitparse.h"

#define MAX 16

/*
 * poll() of a process holding a full pipe's write end on fd 4, an empty
 * pipe's read end on 5 and one end of a socketpair on 7:
 * {4, POLLOUT}, {5, POLLIN|POLLPRI}, {7, POLLIN}.
 * syscall: 7 0x7f4319e5b730 0x3 0xffffffff ...
 */
static const unsigned char rec_pollfd[] = {
	0x04, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
	0x05, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
	0x07, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
};

/*
 * select([63, 64, 103], [4], []) as glibc's pselect6: nfds 0x68 (104),
 * read set bits 63, 64 and 103, write set bit 4, except set NULL.
 * syscall: 270 0x68 0x7fffe0b08410 0x7fffe0b08490 0x0 ...
 */
static const unsigned char rec_readfds[] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80,
	0x01, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00,
};
static const unsigned char rec_writefds[] = {
	0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/*
 * epoll_wait() with fd 4 (full pipe, inode 8869) for EPOLLOUT, fd 7
 * (socket 8871) for EPOLLIN|EPOLLET and fd 5 (pipe 8870) for
 * EPOLLIN|EPOLLRDHUP.  The kernel adds EPOLLERR|EPOLLHUP.
 */
static const char rec_epoll[] =
    "pos:\t0\n"
    "flags:\t02000002\n"
    "mnt_id:\t17\n"
    "ino:\t1038\n"
    "tfd:        4 events:       1c data:     7fe200000004  pos:0 ino:22a5 sdev:f\n"
    "tfd:        7 events: 80000019 data:     7fe200000007  pos:0 ino:22a7 sdev:9\n"
    "tfd:        5 events:     2019 data:     7fe200000005  pos:0 ino:22a6 sdev:f\n";

/* An epoll with nothing added, and one with a small data word. */
static const char rec_epoll_empty[] =
    "pos:\t0\nflags:\t02000002\nmnt_id:\t17\nino:\t1038\n";
static const char rec_epoll_rdwrnorm[] =
    "pos:\t0\nflags:\t02000002\nmnt_id:\t17\nino:\t1038\n"
    "tfd:        4 events: 4000015b data:                4  pos:0 ino:4573 sdev:f\n";

static void
assert_wait(const struct snap_wait_fd *w, int fd, bool in, bool out,
    uint64_t inode)
{
	assert_int_equal(w->fd, fd);
	assert_int_equal(w->in, in);
	assert_int_equal(w->out, out);
	assert_int_equal(w->kind, SNAP_FD_OTHER);
	assert_int_equal(w->inode, inode);
}

/* waitparse_where */

static void
test_where_poll_family(void **state)
{
	const uint64_t args[6] = { 0x7f4319e5b730, 3, 0xffffffff };
	struct waitparse_where w;

	(void)state;
	assert_int_equal(waitparse_where(SYS_poll, args, &w), 0);
	assert_int_equal(w.kind, WAITPARSE_POLL);
	assert_int_equal(w.addr, 0x7f4319e5b730);
	assert_int_equal(w.nfds, 3);
	assert_int_equal(w.epfd, -1);
	assert_int_equal(waitparse_where(SYS_ppoll, args, &w), 0);
	assert_int_equal(w.kind, WAITPARSE_POLL);
	assert_int_equal(w.addr, 0x7f4319e5b730);
}

static void
test_where_select_family(void **state)
{
	const uint64_t args[6] = { 0x68, 0x7fffe0b08410, 0x7fffe0b08490, 0 };
	struct waitparse_where w;

	(void)state;
	assert_int_equal(waitparse_where(SYS_pselect6, args, &w), 0);
	assert_int_equal(w.kind, WAITPARSE_SELECT);
	assert_int_equal(w.nfds, 104);
	assert_int_equal(w.readfds, 0x7fffe0b08410);
	assert_int_equal(w.writefds, 0x7fffe0b08490);
	assert_int_equal(w.epfd, -1);
	assert_int_equal(waitparse_where(SYS_select, args, &w), 0);
	assert_int_equal(w.kind, WAITPARSE_SELECT);
}

static void
test_where_epoll_family(void **state)
{
	const uint64_t args[6] = { 9, 0x55f221043a50, 0x3ff, 0xffffffff };
	const long nrs[] = { SYS_epoll_wait, SYS_epoll_pwait, SYS_epoll_pwait2 };
	struct waitparse_where w;

	(void)state;
	for (size_t i = 0; i < sizeof nrs / sizeof *nrs; i++) {
		assert_int_equal(waitparse_where(nrs[i], args, &w), 0);
		assert_int_equal(w.kind, WAITPARSE_EPOLL);
		assert_int_equal(w.epfd, 9);
	}
}

static void
test_where_others_are_none(void **state)
{
	const uint64_t args[6] = { 4, 0x7ffc, 1 };
	const long nrs[] = { SYS_read, SYS_write, SYS_wait4, SYS_futex, -1 };
	struct waitparse_where w;

	(void)state;
	for (size_t i = 0; i < sizeof nrs / sizeof *nrs; i++) {
		assert_int_equal(waitparse_where(nrs[i], args, &w), 0);
		assert_int_equal(w.kind, WAITPARSE_NONE);
		assert_int_equal(w.epfd, -1);
	}
}

static void
test_where_impossible_args(void **state)
{
	const uint64_t big[6] = { 0x80000000ULL, 0x80000000ULL, 0 };
	struct waitparse_where w;

	(void)state;
	assert_int_equal(waitparse_where(SYS_epoll_wait, big, &w), -EINVAL);
	assert_int_equal(w.kind, WAITPARSE_EPOLL);
	assert_int_equal(w.epfd, -1);
	assert_int_equal(waitparse_where(SYS_poll, big, &w), -EINVAL);
	assert_int_equal(w.kind, WAITPARSE_POLL);
	assert_int_equal(waitparse_where(SYS_pselect6, big, &w), -EINVAL);
	assert_int_equal(w.kind, WAITPARSE_SELECT);
}

/* waitparse_pollfd */

static void
test_pollfd_recorded(void **state)
{
	struct snap_wait_fd out[MAX];
	bool trunc = false;

	(void)state;
	assert_int_equal(waitparse_pollfd(rec_pollfd, sizeof rec_pollfd, out,
	    MAX, &trunc), 3);
	assert_false(trunc);
	assert_wait(&out[0], 4, false, true, 0);
	assert_wait(&out[1], 5, true, false, 0);
	assert_wait(&out[2], 7, true, false, 0);
}

static void
test_pollfd_unaligned(void **state)
{
	unsigned char buf[sizeof rec_pollfd + 1];
	struct snap_wait_fd out[MAX];
	bool trunc = false;

	(void)state;
	memcpy(buf + 1, rec_pollfd, sizeof rec_pollfd);
	assert_int_equal(waitparse_pollfd(buf + 1, sizeof rec_pollfd, out, MAX,
	    &trunc), 3);
	assert_wait(&out[2], 7, true, false, 0);
}

static void
test_pollfd_flags_negative_and_empty(void **state)
{
	const struct pollfd in[] = {
		{ -1, POLLIN, 0 },	  /* ignored by poll */
		{ 3, POLLRDNORM, 0 },
		{ 6, POLLRDBAND, POLLIN }, /* revents is the last return's */
		{ 8, POLLWRNORM, 0 },
		{ 9, POLLWRBAND | POLLPRI, 0 },
		{ 10, 0, 0 },		  /* errors and hangups only */
		{ 11, POLLERR | POLLHUP, 0 },
		{ -5, POLLOUT, 0 },
		{ 3, POLLOUT, 0 },	  /* listed twice */
	};
	struct snap_wait_fd out[MAX];
	bool trunc = false;

	(void)state;
	assert_int_equal(waitparse_pollfd(in, sizeof in, out, MAX, &trunc), 7);
	assert_false(trunc);
	assert_wait(&out[0], 3, true, false, 0);
	assert_wait(&out[1], 6, true, false, 0);
	assert_wait(&out[2], 8, false, true, 0);
	assert_wait(&out[3], 9, true, true, 0);
	assert_wait(&out[4], 10, false, false, 0);
	assert_wait(&out[5], 11, false, false, 0);
	assert_wait(&out[6], 3, false, true, 0);
}

static void
test_pollfd_truncated_by_max(void **state)
{
	struct snap_wait_fd out[2];
	bool trunc = false;

	(void)state;
	assert_int_equal(waitparse_pollfd(rec_pollfd, sizeof rec_pollfd, out,
	    2, &trunc), 2);
	assert_true(trunc);
	assert_wait(&out[1], 5, true, false, 0);
	trunc = false;
	assert_int_equal(waitparse_pollfd(rec_pollfd, sizeof rec_pollfd, out,
	    0, &trunc), 0);
	assert_true(trunc);
	/* Exactly max entries is whole. */
	trunc = false;
	assert_int_equal(waitparse_pollfd(rec_pollfd, 16, out, 2, &trunc), 2);
	assert_false(trunc);
}

static void
test_pollfd_bad_length(void **state)
{
	struct snap_wait_fd out[MAX];
	bool trunc = false;

	(void)state;
	for (size_t len = 1; len < sizeof rec_pollfd; len++) {
		int rc = waitparse_pollfd(rec_pollfd, len, out, MAX, &trunc);

		if (len % 8 == 0)
			assert_int_equal(rc, (int)(len / 8));
		else
			assert_int_equal(rc, -EINVAL);
	}
	assert_false(trunc);
	assert_int_equal(waitparse_pollfd(NULL, 0, out, MAX, &trunc), 0);
}

/* waitparse_fdset */

static void
test_fdset_size(void **state)
{
	(void)state;
	assert_int_equal(waitparse_fdset_size(0), 0);
	assert_int_equal(waitparse_fdset_size(1), 8);
	assert_int_equal(waitparse_fdset_size(64), 8);
	assert_int_equal(waitparse_fdset_size(65), 16);
	assert_int_equal(waitparse_fdset_size(104), 16);
	assert_int_equal(waitparse_fdset_size(1024), 128);
}

static void
test_fdset_recorded(void **state)
{
	struct snap_wait_fd out[MAX];
	bool trunc = false;

	(void)state;
	assert_int_equal(waitparse_fdset(rec_readfds, rec_writefds, 104, out,
	    MAX, &trunc), 4);
	assert_false(trunc);
	assert_wait(&out[0], 4, false, true, 0);
	assert_wait(&out[1], 63, true, false, 0);
	assert_wait(&out[2], 64, true, false, 0);
	assert_wait(&out[3], 103, true, false, 0);
}

static void
test_fdset_null_sets(void **state)
{
	struct snap_wait_fd out[MAX];
	bool trunc = false;

	(void)state;
	assert_int_equal(waitparse_fdset(NULL, rec_writefds, 104, out, MAX,
	    &trunc), 1);
	assert_wait(&out[0], 4, false, true, 0);
	assert_int_equal(waitparse_fdset(rec_readfds, NULL, 104, out, MAX,
	    &trunc), 3);
	assert_wait(&out[0], 63, true, false, 0);
	assert_int_equal(waitparse_fdset(NULL, NULL, 104, out, MAX, &trunc), 0);
	assert_int_equal(waitparse_fdset(rec_readfds, rec_writefds, 0, out,
	    MAX, &trunc), 0);
	assert_false(trunc);
}

static void
test_fdset_bits_past_nfds_ignored(void **state)
{
	struct snap_wait_fd out[MAX];
	bool trunc = false;

	(void)state;
	/* nfds 64: bit 63 is the last one looked at, 64 is past. */
	assert_int_equal(waitparse_fdset(rec_readfds, NULL, 64, out, MAX,
	    &trunc), 1);
	assert_wait(&out[0], 63, true, false, 0);
	/* nfds 63: bit 63 is past; nfds 65 takes 64 but not 103. */
	assert_int_equal(waitparse_fdset(rec_readfds, NULL, 63, out, MAX,
	    &trunc), 0);
	assert_int_equal(waitparse_fdset(rec_readfds, NULL, 65, out, MAX,
	    &trunc), 2);
	assert_wait(&out[1], 64, true, false, 0);
	assert_int_equal(waitparse_fdset(rec_readfds, NULL, 103, out, MAX,
	    &trunc), 2);
	assert_false(trunc);
}

static void
test_fdset_word_boundaries_both_sets(void **state)
{
	unsigned long rd[3] = { 0 }, wr[3] = { 0 };
	struct snap_wait_fd out[MAX];
	bool trunc = false;

	(void)state;
	rd[0] = 1UL | 1UL << 63; /* fds 0 and 63 */
	rd[1] = 1UL;		  /* 64 */
	wr[1] = 1UL | 1UL << 63;  /* 64 (in both), 127 */
	wr[2] = 1UL << 1;	  /* 129 */
	assert_int_equal(waitparse_fdset(rd, wr, 130, out, MAX, &trunc), 5);
	assert_false(trunc);
	assert_wait(&out[0], 0, true, false, 0);
	assert_wait(&out[1], 63, true, false, 0);
	assert_wait(&out[2], 64, true, true, 0);
	assert_wait(&out[3], 127, false, true, 0);
	assert_wait(&out[4], 129, false, true, 0);
	/* Truncated after three, in fd order. */
	assert_int_equal(waitparse_fdset(rd, wr, 130, out, 3, &trunc), 3);
	assert_true(trunc);
	assert_wait(&out[2], 64, true, true, 0);
}

static void
test_fdset_full_word(void **state)
{
	unsigned long rd[1] = { ~0UL };
	struct snap_wait_fd out[64];
	bool trunc = false;

	(void)state;
	assert_int_equal(waitparse_fdset(rd, NULL, 64, out, 64, &trunc), 64);
	assert_false(trunc);
	for (int i = 0; i < 64; i++)
		assert_wait(&out[i], i, true, false, 0);
}

static void
test_fdset_nfds_beyond_int(void **state)
{
	struct snap_wait_fd out[MAX];
	bool trunc = false;

	(void)state;
	assert_int_equal(waitparse_fdset(NULL, NULL, (uint64_t)INT_MAX + 1,
	    out, MAX, &trunc), -EINVAL);
	assert_false(trunc);
}

/* waitparse_epoll */

static void
test_epoll_recorded(void **state)
{
	struct snap_wait_fd out[MAX];
	bool trunc = false;

	(void)state;
	assert_int_equal(waitparse_epoll(rec_epoll, out, MAX, &trunc), 3);
	assert_false(trunc);
	assert_wait(&out[0], 4, false, true, 8869);
	assert_wait(&out[1], 7, true, false, 8871);
	assert_wait(&out[2], 5, true, false, 8870);
}

static void
test_epoll_rdnorm_wrnorm(void **state)
{
	struct snap_wait_fd out[MAX];
	bool trunc = false;

	(void)state;
	assert_int_equal(waitparse_epoll(rec_epoll_rdwrnorm, out, MAX, &trunc),
	    1);
	assert_wait(&out[0], 4, true, true, 17779);
	assert_false(trunc);
}

static void
test_epoll_empty(void **state)
{
	struct snap_wait_fd out[MAX];
	bool trunc = false;

	(void)state;
	assert_int_equal(waitparse_epoll(rec_epoll_empty, out, MAX, &trunc), 0);
	assert_false(trunc);
}

static void
test_epoll_truncated_by_max(void **state)
{
	struct snap_wait_fd out[2];
	bool trunc = false;

	(void)state;
	assert_int_equal(waitparse_epoll(rec_epoll, out, 2, &trunc), 2);
	assert_true(trunc);
	assert_wait(&out[1], 7, true, false, 8871);
}

static void
test_epoll_cut_text(void **state)
{
	struct snap_wait_fd out[MAX];
	size_t len = strlen(rec_epoll);
	char *text = malloc(len + 1);

	(void)state;
	/*
	 * Every cut: the lines before it are decoded, and a cut line, which
	 * may have been a target's, is reported.
	 */
	for (size_t cut = 0; cut <= len; cut++) {
		bool trunc = false;
		size_t whole = 0;
		int rc;

		memcpy(text, rec_epoll, cut);
		text[cut] = '\0';
		for (const char *l = strstr(text, "tfd:"); l != NULL;
		    l = strstr(l + 4, "tfd:"))
			if (strchr(l, '\n') != NULL)
				whole++;
		rc = waitparse_epoll(text, out, MAX, &trunc);
		if (cut < 4) {
			assert_int_equal(rc, -EINVAL); /* no pos: line */
			continue;
		}
		assert_int_equal(rc, (int)whole);
		assert_int_equal(trunc, text[cut - 1] != '\n');
		if (whole >= 1)
			assert_wait(&out[0], 4, false, true, 8869);
	}
	free(text);
}

static void
test_epoll_malformed_tfd(void **state)
{
	static const char *const bad[] = {
		"pos:\t0\ntfd:        4 events:       1c data:     7fe2  pos:0 sdev:f\n",
		"pos:\t0\ntfd:        4 data:     7fe2  pos:0 ino:22a5 sdev:f\n",
		"pos:\t0\ntfd: x events: 1c data: 0 pos:0 ino:22a5\n",
		"pos:\t0\ntfd: -4 events: 1c data: 0 pos:0 ino:22a5\n",
		"pos:\t0\ntfd: 2147483648 events: 1c data: 0 pos:0 ino:22a5\n",
		"pos:\t0\ntfd: 4 events: 1c data: 0 pos:0 ino:22g5\n",
		"pos:\t0\ntfd: 4 events: 1c data: 0 pos:0 ino:\n",
		"pos:\t0\ntfd: 4 events: 100000000 data: 0 pos:0 ino:1\n",
		"pos:\t0\ntfd: 4 events: 1c data: 0 pos:0 ino:fffffffffffffffff\n",
		"pos:\t0\ntfd: 4 events: 1c junk data: 0 ino:1\n",
		"pos:\t0\ntfd: 4 events: 1c DATA: 0 ino:1\n",
		"pos:\t0\ntfd:4x events: 1c ino:1\n",
		"pos:\t0\ntfd:\n",
		"pos:\t0\ntfd: 4 events: 1c ino:1 :2\n",
	};
	struct snap_wait_fd out[MAX];
	bool trunc = false;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		if (waitparse_epoll(bad[i], out, MAX, &trunc) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
	}
	assert_false(trunc);
}

static void
test_epoll_fields_in_any_order(void **state)
{
	struct snap_wait_fd out[MAX];
	bool trunc = false;

	(void)state;
	/* The required fields, and a negative pos, and an unknown field. */
	assert_int_equal(waitparse_epoll("pos:\t0\n"
	    "tfd: 12 ino:abc events: 4 pos:-1 newfield:7\n", out, MAX, &trunc),
	    1);
	assert_wait(&out[0], 12, false, true, 0xabc);
}

static void
test_epoll_garbage(void **state)
{
	struct snap_wait_fd out[MAX];
	bool trunc = false;

	(void)state;
	assert_int_equal(waitparse_epoll("", out, MAX, &trunc), -EINVAL);
	assert_int_equal(waitparse_epoll("hello\nworld\n", out, MAX, &trunc),
	    -EINVAL);
	/* A tfd: not at the start of a line is no target. */
	assert_int_equal(waitparse_epoll("pos:\t0\n xtfd: 4 events: 1 ino:1\n",
	    out, MAX, &trunc), 0);
	assert_false(trunc);
}

static void
test_epoll_random_mutations(void **state)
{
	struct snap_wait_fd out[4];
	char text[sizeof rec_epoll];
	unsigned int seed = 1;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		bool trunc = false;
		int rc;

		memcpy(text, rec_epoll, sizeof text);
		for (int j = 0; j < 3; j++)
			text[rand_r(&seed) % (sizeof text - 1)] =
			    (char)(rand_r(&seed) % 256);
		rc = waitparse_epoll(text, out, 4, &trunc);
		assert_true(rc == -EINVAL || (rc >= 0 && rc <= 4));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_where_poll_family),
		cmocka_unit_test(test_where_select_family),
		cmocka_unit_test(test_where_epoll_family),
		cmocka_unit_test(test_where_others_are_none),
		cmocka_unit_test(test_where_impossible_args),

		cmocka_unit_test(test_pollfd_recorded),
		cmocka_unit_test(test_pollfd_unaligned),
		cmocka_unit_test(test_pollfd_flags_negative_and_empty),
		cmocka_unit_test(test_pollfd_truncated_by_max),
		cmocka_unit_test(test_pollfd_bad_length),

		cmocka_unit_test(test_fdset_size),
		cmocka_unit_test(test_fdset_recorded),
		cmocka_unit_test(test_fdset_null_sets),
		cmocka_unit_test(test_fdset_bits_past_nfds_ignored),
		cmocka_unit_test(test_fdset_word_boundaries_both_sets),
		cmocka_unit_test(test_fdset_full_word),
		cmocka_unit_test(test_fdset_nfds_beyond_int),

		cmocka_unit_test(test_epoll_recorded),
		cmocka_unit_test(test_epoll_rdnorm_wrnorm),
		cmocka_unit_test(test_epoll_empty),
		cmocka_unit_test(test_epoll_truncated_by_max),
		cmocka_unit_test(test_epoll_cut_text),
		cmocka_unit_test(test_epoll_malformed_tfd),
		cmocka_unit_test(test_epoll_fields_in_any_order),
		cmocka_unit_test(test_epoll_garbage),
		cmocka_unit_test(test_epoll_random_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
