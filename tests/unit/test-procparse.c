/* test-procparse.c - the /proc text parsers, fed with text seen on 6.18. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "pipeviz/procparse.h"

/* Distinct from every inode in the samples, to see it left alone. */
#define UNTOUCHED 0xdeadbeefULL

static enum snap_fd_kind
kind_of(const char *link, mode_t mode, uint64_t *inode)
{
	*inode = UNTOUCHED;
	return procparse_fd_kind(link, mode, inode);
}

static void
assert_kind(const char *link, mode_t mode, enum snap_fd_kind want)
{
	uint64_t inode;

	assert_int_equal(kind_of(link, mode, &inode), want);
	assert_int_equal(inode, UNTOUCHED);
}

/* procparse_fd_kind: one test per row of FACTS.md section 1. */

static void
test_fd_kind_pipe_read_end(void **state)
{
	uint64_t inode;

	(void)state;
	assert_int_equal(kind_of("pipe:[7380]", S_IFIFO | 0600, &inode),
	    SNAP_FD_PIPE);
	assert_int_equal(inode, 7380);
}

static void
test_fd_kind_pipe_without_stat(void **state)
{
	uint64_t inode;

	(void)state;
	assert_int_equal(kind_of("pipe:[6748]", 0, &inode), SNAP_FD_PIPE);
	assert_int_equal(inode, 6748);
}

static void
test_fd_kind_pipe_largest_inode(void **state)
{
	uint64_t inode;

	(void)state;
	assert_int_equal(kind_of("pipe:[18446744073709551615]", 0, &inode),
	    SNAP_FD_PIPE);
	assert_true(inode == UINT64_MAX);
}

static void
test_fd_kind_pipe_inode_overflow_is_other(void **state)
{
	(void)state;
	assert_kind("pipe:[18446744073709551616]", 0, SNAP_FD_OTHER);
	assert_kind("pipe:[99999999999999999999999]", 0, SNAP_FD_OTHER);
}

static void
test_fd_kind_pipe_malformed_is_other(void **state)
{
	(void)state;
	assert_kind("pipe:[abc]", S_IFIFO, SNAP_FD_OTHER);
	assert_kind("pipe:[]", 0, SNAP_FD_OTHER);
	assert_kind("pipe:[12", 0, SNAP_FD_OTHER);
	assert_kind("pipe:[12]x", 0, SNAP_FD_OTHER);
	assert_kind("pipe:12", 0, SNAP_FD_OTHER);
	assert_kind("pipe:[-1]", 0, SNAP_FD_OTHER);
	assert_kind("pipe:[ 12]", 0, SNAP_FD_OTHER);
	assert_kind("pipe:[0x1cd4]", 0, SNAP_FD_OTHER);
	assert_kind("pipe:", 0, SNAP_FD_OTHER);
}

static void
test_fd_kind_socket(void **state)
{
	uint64_t inode;

	(void)state;
	assert_int_equal(kind_of("socket:[7397]", S_IFSOCK | 0777, &inode),
	    SNAP_FD_SOCKET);
	assert_int_equal(inode, 7397);
	assert_int_equal(kind_of("socket:[6660]", 0, &inode),
	    SNAP_FD_SOCKET);
	assert_int_equal(inode, 6660);
}

static void
test_fd_kind_socket_malformed_is_other(void **state)
{
	(void)state;
	assert_kind("socket:[x]", S_IFSOCK, SNAP_FD_OTHER);
	assert_kind("socket:[12] ", 0, SNAP_FD_OTHER);
}

static void
test_fd_kind_fifo_path(void **state)
{
	(void)state;
	assert_kind("/tmp/x/fifo1", S_IFIFO | 0600, SNAP_FD_FIFO);
}

static void
test_fd_kind_fifo_under_dev(void **state)
{
	(void)state;
	assert_kind("/dev/initctl", S_IFIFO | 0600, SNAP_FD_FIFO);
	assert_kind("/dev/shm/f", S_IFIFO | 0644, SNAP_FD_FIFO);
}

static void
test_fd_kind_fifo_path_without_stat_is_file(void **state)
{
	/* Only the mode can tell a FIFO from a file by its path. */
	(void)state;
	assert_kind("/tmp/x/fifo1", 0, SNAP_FD_FILE);
}

static void
test_fd_kind_regular_file(void **state)
{
	(void)state;
	assert_kind("/etc/hostname", S_IFREG | 0644, SNAP_FD_FILE);
	assert_kind("/tmp/x/regw", S_IFREG | 0644, SNAP_FD_FILE);
}

static void
test_fd_kind_deleted_file(void **state)
{
	(void)state;
	assert_kind("/tmp/x/deleted (deleted)", S_IFREG | 0644, SNAP_FD_FILE);
}

static void
test_fd_kind_memfd(void **state)
{
	(void)state;
	assert_kind("/memfd:mymem (deleted)", S_IFREG | 0777, SNAP_FD_FILE);
	assert_kind("/memfd:x (deleted)", 0, SNAP_FD_FILE);
}

static void
test_fd_kind_directory(void **state)
{
	(void)state;
	assert_kind("/tmp", S_IFDIR | 01777, SNAP_FD_FILE);
}

static void
test_fd_kind_dev_null(void **state)
{
	(void)state;
	assert_kind("/dev/null", S_IFCHR | 0666, SNAP_FD_DEV);
	assert_kind("/dev/null", 0, SNAP_FD_DEV);
}

static void
test_fd_kind_ptmx_is_dev(void **state)
{
	(void)state;
	assert_kind("/dev/ptmx", S_IFCHR | 0666, SNAP_FD_DEV);
	assert_kind("/dev/pts/ptmx", S_IFCHR | 0666, SNAP_FD_DEV);
}

static void
test_fd_kind_pty_slave_is_tty(void **state)
{
	(void)state;
	assert_kind("/dev/pts/0", S_IFCHR | 0620, SNAP_FD_TTY);
	assert_kind("/dev/pts/3", 0, SNAP_FD_TTY);
}

static void
test_fd_kind_terminals_are_tty(void **state)
{
	(void)state;
	assert_kind("/dev/tty", S_IFCHR | 0666, SNAP_FD_TTY);
	assert_kind("/dev/tty1", S_IFCHR | 0620, SNAP_FD_TTY);
	assert_kind("/dev/ttyS0", S_IFCHR | 0660, SNAP_FD_TTY);
	assert_kind("/dev/console", S_IFCHR | 0600, SNAP_FD_TTY);
}

static void
test_fd_kind_devices_outside_dev(void **state)
{
	(void)state;
	assert_kind("/run/chroot/null", S_IFCHR | 0666, SNAP_FD_DEV);
	assert_kind("/mnt/loop0", S_IFBLK | 0660, SNAP_FD_DEV);
}

static void
test_fd_kind_anon_inodes_are_other(void **state)
{
	(void)state;
	assert_kind("anon_inode:[eventfd]", 0600, SNAP_FD_OTHER);
	assert_kind("anon_inode:[eventpoll]", 0600, SNAP_FD_OTHER);
	assert_kind("anon_inode:[timerfd]", 0600, SNAP_FD_OTHER);
	assert_kind("anon_inode:[signalfd]", 0600, SNAP_FD_OTHER);
	assert_kind("anon_inode:[pidfd]", 0700, SNAP_FD_OTHER);
	assert_kind("anon_inode:inotify", 0600, SNAP_FD_OTHER);
}

static void
test_fd_kind_non_paths_are_other(void **state)
{
	(void)state;
	assert_kind("net:[4026531840]", 0, SNAP_FD_OTHER);
	assert_kind("relative/path", S_IFREG, SNAP_FD_OTHER);
	assert_kind("", 0, SNAP_FD_OTHER);
	assert_kind(NULL, 0, SNAP_FD_OTHER);
}

/* procparse_fdinfo */

static void
assert_fdinfo(const char *text, int64_t pos, unsigned int flags, uint64_t ino)
{
	struct procparse_fdinfo fi;

	memset(&fi, 0xa5, sizeof fi);
	assert_int_equal(procparse_fdinfo(text, &fi), 0);
	assert_true(fi.pos == pos);
	assert_int_equal(fi.flags, flags);
	assert_true(fi.ino == ino);
}

static void
assert_fdinfo_invalid(const char *text)
{
	struct procparse_fdinfo fi, before;

	memset(&fi, 0xa5, sizeof fi);
	before = fi;
	assert_int_equal(procparse_fdinfo(text, &fi), -EINVAL);
	assert_memory_equal(&fi, &before, sizeof fi);
}

static void
test_fdinfo_pipe_read_end(void **state)
{
	(void)state;
	assert_fdinfo("pos:\t0\nflags:\t00\nmnt_id:\t16\nino:\t7380\n",
	    0, 0, 7380);
}

static void
test_fdinfo_pipe_write_end(void **state)
{
	(void)state;
	assert_fdinfo("pos:\t0\nflags:\t01\nmnt_id:\t16\nino:\t7380\n",
	    0, 01, 7380);
}

static void
test_fdinfo_pipe2_nonblock_cloexec(void **state)
{
	(void)state;
	assert_fdinfo("pos:\t0\nflags:\t02004000\nmnt_id:\t16\nino:\t7388\n",
	    0, 02004000, 7388);
}

static void
test_fdinfo_fifo(void **state)
{
	(void)state;
	assert_fdinfo("pos:\t0\nflags:\t0104000\nmnt_id:\t27\n"
	    "ino:\t10952969\n", 0, 0104000, 10952969);
	assert_fdinfo("pos:\t0\nflags:\t0100001\nmnt_id:\t27\n"
	    "ino:\t10952969\n", 0, 0100001, 10952969);
}

static void
test_fdinfo_file_with_pos(void **state)
{
	(void)state;
	assert_fdinfo("pos:\t1\nflags:\t0100000\nmnt_id:\t27\nino:\t131\n",
	    1, 0100000, 131);
	assert_fdinfo("pos:\t3\nflags:\t0102001\nmnt_id:\t27\nino:\t132\n",
	    3, 0102001, 132);
}

static void
test_fdinfo_largest_pos(void **state)
{
	(void)state;
	assert_fdinfo("pos:\t9223372036854775807\nflags:\t02\n",
	    INT64_MAX, 02, 0);
}

static void
test_fdinfo_socket_scm_fds_ignored(void **state)
{
	(void)state;
	assert_fdinfo("pos:\t0\nflags:\t02\nmnt_id:\t8\nino:\t7397\n"
	    "scm_fds: 0\n", 0, 02, 7397);
}

static void
test_fdinfo_eventfd_extra_lines_ignored(void **state)
{
	(void)state;
	assert_fdinfo("pos:\t0\nflags:\t04002\nmnt_id:\t15\nino:\t1039\n"
	    "eventfd-count:                3\neventfd-id: 1\n"
	    "eventfd-semaphore: 0\n", 0, 04002, 1039);
}

static void
test_fdinfo_epoll_tfd_line_does_not_override(void **state)
{
	/* The tfd line's "pos:0 ino:1cd4" belong to the watched pipe. */
	(void)state;
	assert_fdinfo("pos:\t0\nflags:\t02\nmnt_id:\t15\nino:\t1039\n"
	    "tfd:        3 events:       19 data:                3"
	    "  pos:0 ino:1cd4 sdev:f\n", 0, 02, 1039);
}

static void
test_fdinfo_pidfd_extra_lines_ignored(void **state)
{
	(void)state;
	assert_fdinfo("pos:\t0\nflags:\t02000002\nmnt_id:\t14\nino:\t5012\n"
	    "Pid:\t4034\nNSpid:\t4034\n", 0, 02000002, 5012);
}

static void
test_fdinfo_without_ino_gives_zero(void **state)
{
	/* Kernels before 5.x print no ino: line. */
	(void)state;
	assert_fdinfo("pos:\t5\nflags:\t0100002\nmnt_id:\t0\n", 5, 0100002, 0);
}

static void
test_fdinfo_without_trailing_newline(void **state)
{
	(void)state;
	assert_fdinfo("pos:\t7\nflags:\t01", 7, 01, 0);
}

static void
test_fdinfo_missing_flags_is_invalid(void **state)
{
	(void)state;
	assert_fdinfo_invalid("pos:\t0\nmnt_id:\t16\nino:\t7380\n");
}

static void
test_fdinfo_missing_pos_is_invalid(void **state)
{
	(void)state;
	assert_fdinfo_invalid("flags:\t00\nmnt_id:\t16\nino:\t7380\n");
}

static void
test_fdinfo_empty_is_invalid(void **state)
{
	(void)state;
	assert_fdinfo_invalid("");
	assert_fdinfo_invalid("\n\n");
}

static void
test_fdinfo_bad_values_are_invalid(void **state)
{
	(void)state;
	assert_fdinfo_invalid("pos:\t0\nflags:\t0109\n");	/* not octal */
	assert_fdinfo_invalid("pos:\t0\nflags:\t\n");
	assert_fdinfo_invalid("pos:\tx\nflags:\t00\n");
	assert_fdinfo_invalid("pos:\t0\nflags:\t00\nino:\t1cd4\n");
	assert_fdinfo_invalid("pos:\t0 1\nflags:\t00\n");
}

static void
test_fdinfo_overflow_is_invalid(void **state)
{
	(void)state;
	assert_fdinfo_invalid("pos:\t9223372036854775808\nflags:\t00\n");
	assert_fdinfo_invalid("pos:\t0\nflags:\t040000000000\n");
	assert_fdinfo_invalid("pos:\t0\nflags:\t00\n"
	    "ino:\t18446744073709551616\n");
}

static void
test_fdinfo_key_must_start_line(void **state)
{
	/* "xpos:" and "oflags:" are other keys, so pos and flags are missing. */
	(void)state;
	assert_fdinfo_invalid("xpos:\t0\noflags:\t00\n");
}

/* procparse_mode_from_flags */

static void
test_mode_access_bits(void **state)
{
	(void)state;
	assert_int_equal(procparse_mode_from_flags(00), SNAP_MODE_R);
	assert_int_equal(procparse_mode_from_flags(01), SNAP_MODE_W);
	assert_int_equal(procparse_mode_from_flags(02), SNAP_MODE_RW);
	assert_int_equal(procparse_mode_from_flags(03), SNAP_MODE_NONE);
}

static void
test_mode_ignores_largefile(void **state)
{
	/* The kernel's O_LARGEFILE (0100000) is set by open(), not pipe(). */
	(void)state;
	assert_int_equal(procparse_mode_from_flags(0100000), SNAP_MODE_R);
	assert_int_equal(procparse_mode_from_flags(0102001), SNAP_MODE_W);
	assert_int_equal(procparse_mode_from_flags(0100002), SNAP_MODE_RW);
	assert_int_equal(procparse_mode_from_flags(0300000), SNAP_MODE_R);
}

static void
test_mode_ignores_cloexec_nonblock(void **state)
{
	(void)state;
	assert_int_equal(procparse_mode_from_flags(02004000), SNAP_MODE_R);
	assert_int_equal(procparse_mode_from_flags(02000002), SNAP_MODE_RW);
	assert_int_equal(procparse_mode_from_flags(0104001), SNAP_MODE_W);
}

static void
test_mode_o_path_is_none(void **state)
{
	(void)state;
	assert_int_equal(procparse_mode_from_flags(O_PATH), SNAP_MODE_NONE);
	assert_int_equal(procparse_mode_from_flags(O_PATH | O_CLOEXEC),
	    SNAP_MODE_NONE);
	assert_int_equal(procparse_mode_from_flags(O_PATH | 0100000),
	    SNAP_MODE_NONE);
}

/* procparse_syscall */

static void
assert_syscall_line(const char *text, long want_nr, const uint64_t want[6])
{
	uint64_t args[6];
	long nr = 12345;
	int i;

	assert_int_equal(procparse_syscall(text, &nr, args), 0);
	assert_int_equal(nr, want_nr);
	for (i = 0; want != NULL && i < 6; i++)
		assert_true(args[i] == want[i]);
}

static void
assert_syscall_invalid(const char *text)
{
	uint64_t args[6] = { 1, 2, 3, 4, 5, 6 };
	long nr = 12345;
	int i;

	assert_int_equal(procparse_syscall(text, &nr, args), -EINVAL);
	assert_int_equal(nr, 12345);
	for (i = 0; i < 6; i++)
		assert_true(args[i] == (uint64_t)i + 1);
}

static void
test_syscall_running(void **state)
{
	(void)state;
	assert_syscall_line("running", -1, NULL);
	assert_syscall_line("running\n", -1, NULL);
}

static void
test_syscall_zombie(void **state)
{
	(void)state;
	assert_syscall_line("-1 0x0 0x0\n", -1, NULL);
}

static void
test_syscall_not_in_syscall_with_sp_pc(void **state)
{
	(void)state;
	assert_syscall_line("-1 0x7ffd5a1b2c08 0x7f2c1a2b3c4d\n", -1, NULL);
	assert_syscall_line("-1", -1, NULL);
}

static void
test_syscall_read_blocked(void **state)
{
	static const uint64_t want[6] = {
		0x3, 0x7ffd5a1b2c30, 0x20000, 0x0, 0x0, 0x0
	};

	(void)state;
	assert_syscall_line("0 0x3 0x7ffd5a1b2c30 0x20000 0x0 0x0 0x0 "
	    "0x7ffd5a1b2c08 0x7f2c1a2b3c4d", 0, want);
}

static void
test_syscall_read_live_sample(void **state)
{
	/* cat /proc/self/syscall, as read on the test machine. */
	static const uint64_t want[6] = {
		0x3, 0x7fa6724e2000, 0x20000, 0x7fa672573b60, 0xffffffff, 0x0
	};

	(void)state;
	assert_syscall_line("0 0x3 0x7fa6724e2000 0x20000 0x7fa672573b60 "
	    "0xffffffff 0x0 0x7fff90ca0e78 0x7fa67265c2ad\n", 0, want);
}

static void
test_syscall_write_blocked(void **state)
{
	static const uint64_t want[6] = {
		0x5, 0x7ffc0a1b2c3d, 0xa, 0x0, 0x0, 0x0
	};

	(void)state;
	assert_syscall_line("1 0x5 0x7ffc0a1b2c3d 0xa 0x0 0x0 0x0 "
	    "0x7ffc0a1b2b00 0x7f0011223344\n", 1, want);
}

static void
test_syscall_openat_fifo(void **state)
{
	static const uint64_t want[6] = {
		0xffffff9c, 0x55a68f55a004, 0x0, 0x0, 0x0, 0x0
	};

	(void)state;
	assert_syscall_line("257 0xffffff9c 0x55a68f55a004 0x0 0x0 0x0 0x0 "
	    "0x7ffc1e851900 0x7f2c1a2b3c4d\n", 257, want);
}

static void
test_syscall_largest_values(void **state)
{
	static const uint64_t want[6] = {
		UINT64_MAX, 0, 0, 0, 0, UINT64_MAX
	};

	(void)state;
	assert_syscall_line("2147483647 0xffffffffffffffff 0x0 0x0 0x0 0x0 "
	    "0xFFFFFFFFFFFFFFFF 0x0 0x0", 2147483647L, want);
	assert_syscall_line("7 0x00000000000000000001 0x0 0x0 0x0 0x0 0x0",
	    7, NULL);
}

static void
test_syscall_sp_pc_optional(void **state)
{
	static const uint64_t want[6] = { 0x4, 0x1, 0x2, 0x3, 0x4, 0x5 };

	(void)state;
	assert_syscall_line("0 0x4 0x1 0x2 0x3 0x4 0x5", 0, want);
	assert_syscall_line("0 0x4 0x1 0x2 0x3 0x4 0x5\n", 0, want);
	assert_syscall_line("0 0x4 0x1 0x2 0x3 0x4 0x5 0x7ffc", 0, want);
}

static void
test_syscall_truncated_is_invalid(void **state)
{
	(void)state;
	assert_syscall_invalid("");
	assert_syscall_invalid("\n");
	assert_syscall_invalid("0");
	assert_syscall_invalid("0 0x3 0x7ffd5a1b2c30");
	assert_syscall_invalid("0 0x3 0x7ffd5a1b2c30 0x20000 0x0 0x0");
	assert_syscall_invalid("0 0x3 0x7ffd5a1b2c30 0x20000 0x0 0x0 0x");
	assert_syscall_invalid("run");
}

static void
test_syscall_too_many_fields_is_invalid(void **state)
{
	(void)state;
	assert_syscall_invalid("0 0x0 0x0 0x0 0x0 0x0 0x0 0x0 0x0 0x0");
	assert_syscall_invalid("-1 0x0 0x0 0x0");
	assert_syscall_invalid("running 0x0");
}

static void
test_syscall_garbage_is_invalid(void **state)
{
	(void)state;
	assert_syscall_invalid("hello");
	assert_syscall_invalid("runningx");
	assert_syscall_invalid("0 3 0x0 0x0 0x0 0x0 0x0");
	assert_syscall_invalid("0x0 0x3 0x0 0x0 0x0 0x0 0x0");
	assert_syscall_invalid("0 0xg 0x0 0x0 0x0 0x0 0x0");
	assert_syscall_invalid("0 0x3z 0x0 0x0 0x0 0x0 0x0");
	assert_syscall_invalid("0 -0x3 0x0 0x0 0x0 0x0 0x0");
	assert_syscall_invalid("+1 0x3 0x0 0x0 0x0 0x0 0x0");
	assert_syscall_invalid("- 1 0x0 0x0");
	assert_syscall_invalid("-0 0x0 0x0");
	assert_syscall_invalid("1a 0x3 0x0 0x0 0x0 0x0 0x0");
	assert_syscall_invalid("-1 0x0 zz");
	assert_syscall_invalid("0 0x3 0x0 0x0 0x0 0x0 0x0 junk");
}

static void
test_syscall_overflow_is_invalid(void **state)
{
	(void)state;
	assert_syscall_invalid("0 0x10000000000000000 0x0 0x0 0x0 0x0 0x0");
	assert_syscall_invalid("0 0x0 0x0 0x0 0x0 0x0 0x0 "
	    "0xfffffffffffffffff 0x0");
	assert_syscall_invalid("2147483648 0x0 0x0 0x0 0x0 0x0 0x0");
	assert_syscall_invalid("99999999999999999999999 0x0 0x0 0x0 0x0 0x0 "
	    "0x0");
	assert_syscall_invalid("-99999999999999999999999 0x0 0x0");
}

/* procparse_block_op */

static enum snap_block_op
block_op(long nr, uint64_t a0, uint64_t a1, uint64_t a2, const char *wchan,
    int *fd)
{
	const uint64_t args[6] = { a0, a1, a2, 0, 0, 0 };

	*fd = 42;
	return procparse_block_op(nr, args, wchan, fd);
}

static void
test_block_read_family(void **state)
{
	int fd;

	(void)state;
	assert_int_equal(block_op(SYS_read, 4, 0x7ffc, 1, "anon_pipe_read",
	    &fd), SNAP_BLOCK_READ);
	assert_int_equal(fd, 4);
	assert_int_equal(block_op(SYS_readv, 4, 0x7ffc, 1, "anon_pipe_read",
	    &fd), SNAP_BLOCK_READ);
	assert_int_equal(fd, 4);
	assert_int_equal(block_op(SYS_pread64, 0, 0, 0, "", &fd),
	    SNAP_BLOCK_READ);
	assert_int_equal(fd, 0);
}

static void
test_block_read_ignores_wchan(void **state)
{
	int fd;

	/* A read on a socket still reads, whatever the wait channel says. */
	(void)state;
	assert_int_equal(block_op(SYS_read, 8, 0, 0,
	    "unix_stream_read_generic", &fd), SNAP_BLOCK_READ);
	assert_int_equal(fd, 8);
	assert_int_equal(block_op(SYS_read, 8, 0, 0, NULL, &fd),
	    SNAP_BLOCK_READ);
	assert_int_equal(fd, 8);
}

static void
test_block_write_family(void **state)
{
	int fd;

	(void)state;
	assert_int_equal(block_op(SYS_write, 5, 0x7ffc, 10, "anon_pipe_write",
	    &fd), SNAP_BLOCK_WRITE);
	assert_int_equal(fd, 5);
	assert_int_equal(block_op(SYS_writev, 5, 0, 0, "anon_pipe_write",
	    &fd), SNAP_BLOCK_WRITE);
	assert_int_equal(fd, 5);
	assert_int_equal(block_op(SYS_pwrite64, 1, 0, 0, "", &fd),
	    SNAP_BLOCK_WRITE);
	assert_int_equal(fd, 1);
	/* Python's socket.send() is sendto(fd, buf, n, 0, NULL, 0). */
	assert_int_equal(block_op(SYS_sendto, 3, 0x5607f5a00540, 65536,
	    "sock_alloc_send_pskb", &fd), SNAP_BLOCK_WRITE);
	assert_int_equal(fd, 3);
	assert_int_equal(block_op(SYS_sendmsg, 6, 0, 0, "", &fd),
	    SNAP_BLOCK_WRITE);
	assert_int_equal(fd, 6);
	assert_int_equal(block_op(SYS_sendmmsg, 7, 0, 0, "", &fd),
	    SNAP_BLOCK_WRITE);
	assert_int_equal(fd, 7);
}

static void
test_block_recv_family(void **state)
{
	int fd;

	(void)state;
	assert_int_equal(block_op(SYS_recvfrom, 3, 0, 4096,
	    "unix_stream_read_generic", &fd), SNAP_BLOCK_READ);
	assert_int_equal(fd, 3);
	assert_int_equal(block_op(SYS_recvmsg, 9, 0, 0, "", &fd),
	    SNAP_BLOCK_READ);
	assert_int_equal(fd, 9);
	assert_int_equal(block_op(SYS_recvmmsg, 2, 0, 0, "", &fd),
	    SNAP_BLOCK_READ);
	assert_int_equal(fd, 2);
}

static void
test_block_fd_beyond_int_is_none(void **state)
{
	int fd;

	(void)state;
	assert_int_equal(block_op(SYS_read, 0x80000000ULL, 0, 0, "", &fd),
	    SNAP_BLOCK_NONE);
	assert_int_equal(fd, -1);
	assert_int_equal(block_op(SYS_write, UINT64_MAX, 0, 0, "", &fd),
	    SNAP_BLOCK_NONE);
	assert_int_equal(fd, -1);
	assert_int_equal(block_op(SYS_read, 0x7fffffff, 0, 0, "", &fd),
	    SNAP_BLOCK_READ);
	assert_int_equal(fd, 0x7fffffff);
}

static void
test_block_splice_waiting_for_data(void **state)
{
	int fd;

	(void)state;
	assert_int_equal(block_op(SYS_splice, 4, 0, 7, "pipe_wait_readable",
	    &fd), SNAP_BLOCK_READ);
	assert_int_equal(fd, 4);
	assert_int_equal(block_op(SYS_splice, 4, 0, 7, "anon_pipe_read",
	    &fd), SNAP_BLOCK_READ);
	assert_int_equal(fd, 4);
}

static void
test_block_splice_waiting_for_room(void **state)
{
	int fd;

	(void)state;
	assert_int_equal(block_op(SYS_splice, 8, 0, 7, "pipe_wait_writable",
	    &fd), SNAP_BLOCK_WRITE);
	assert_int_equal(fd, 7);
	assert_int_equal(block_op(SYS_splice, 8, 0, 7, "anon_pipe_write",
	    &fd), SNAP_BLOCK_WRITE);
	assert_int_equal(fd, 7);
	assert_int_equal(block_op(SYS_splice, 8, 0, 7, "pipe_write", &fd),
	    SNAP_BLOCK_WRITE);
	assert_int_equal(fd, 7);
}

static void
test_block_splice_unknown_wchan_reads(void **state)
{
	int fd;

	(void)state;
	assert_int_equal(block_op(SYS_splice, 8, 0, 7, "", &fd),
	    SNAP_BLOCK_READ);
	assert_int_equal(fd, 8);
	assert_int_equal(block_op(SYS_splice, 8, 0, 7, NULL, &fd),
	    SNAP_BLOCK_READ);
	assert_int_equal(fd, 8);
	assert_int_equal(block_op(SYS_splice, 8, 0, 7, "pipe_wait", &fd),
	    SNAP_BLOCK_READ);
	assert_int_equal(fd, 8);
}

static void
test_block_splice_bad_fd_is_none(void **state)
{
	int fd;

	(void)state;
	assert_int_equal(block_op(SYS_splice, 8, 0, UINT64_MAX,
	    "pipe_wait_writable", &fd), SNAP_BLOCK_NONE);
	assert_int_equal(fd, -1);
	assert_int_equal(block_op(SYS_splice, 0x100000000ULL, 0, 7,
	    "pipe_wait_readable", &fd), SNAP_BLOCK_NONE);
	assert_int_equal(fd, -1);
}

static void
test_block_tee_both_directions(void **state)
{
	int fd;

	/* tee(fd_in, fd_out, len, flags): the output is the second arg. */
	(void)state;
	assert_int_equal(block_op(SYS_tee, 4, 7, 0x1000, "pipe_wait_readable",
	    &fd), SNAP_BLOCK_READ);
	assert_int_equal(fd, 4);
	assert_int_equal(block_op(SYS_tee, 4, 7, 0x1000, "pipe_wait_writable",
	    &fd), SNAP_BLOCK_WRITE);
	assert_int_equal(fd, 7);
}

static void
test_block_vmsplice_writes(void **state)
{
	int fd;

	(void)state;
	assert_int_equal(block_op(SYS_vmsplice, 7, 0x7ffc, 1,
	    "pipe_wait_writable", &fd), SNAP_BLOCK_WRITE);
	assert_int_equal(fd, 7);
	assert_int_equal(block_op(SYS_vmsplice, 7, 0, 0, "", &fd),
	    SNAP_BLOCK_WRITE);
	assert_int_equal(fd, 7);
}

static void
test_block_sendfile_both_directions(void **state)
{
	int fd;

	/* sendfile(out_fd, in_fd, ...): the output comes first. */
	(void)state;
	assert_int_equal(block_op(SYS_sendfile, 1, 3, 0, "anon_pipe_write",
	    &fd), SNAP_BLOCK_WRITE);
	assert_int_equal(fd, 1);
	assert_int_equal(block_op(SYS_sendfile, 1, 3, 0, "anon_pipe_read",
	    &fd), SNAP_BLOCK_READ);
	assert_int_equal(fd, 3);
}

static void
test_block_copy_file_range_both_directions(void **state)
{
	int fd;

	(void)state;
	assert_int_equal(block_op(SYS_copy_file_range, 3, 0, 1,
	    "anon_pipe_write", &fd), SNAP_BLOCK_WRITE);
	assert_int_equal(fd, 1);
	assert_int_equal(block_op(SYS_copy_file_range, 3, 0, 1,
	    "anon_pipe_read", &fd), SNAP_BLOCK_READ);
	assert_int_equal(fd, 3);
}

static void
test_block_open_family(void **state)
{
	int fd;

	(void)state;
	assert_int_equal(block_op(SYS_openat, 0xffffff9c, 0x55a68f55a004, 0,
	    "wait_for_partner", &fd), SNAP_BLOCK_OPEN);
	assert_int_equal(fd, -1);
#ifdef SYS_open
	assert_int_equal(block_op(SYS_open, 0x55a68f55a004, 1, 0,
	    "wait_for_partner", &fd), SNAP_BLOCK_OPEN);
	assert_int_equal(fd, -1);
#endif
#ifdef SYS_openat2
	assert_int_equal(block_op(SYS_openat2, 3, 0x7ffc, 24,
	    "wait_for_partner", &fd), SNAP_BLOCK_OPEN);
	assert_int_equal(fd, -1);
#endif
}

static void
test_block_wait_family(void **state)
{
	int fd;

	(void)state;
#ifdef SYS_wait4
	assert_int_equal(block_op(SYS_wait4, 0xffffffff, 0x7ffc, 0, "do_wait",
	    &fd), SNAP_BLOCK_WAIT);
	assert_int_equal(fd, -1);
#endif
	assert_int_equal(block_op(SYS_waitid, 0, 0, 0, "do_wait", &fd),
	    SNAP_BLOCK_WAIT);
	assert_int_equal(fd, -1);
}

static void
test_block_sleep_is_none(void **state)
{
	int fd;

	(void)state;
#ifdef SYS_clock_nanosleep
	assert_int_equal(block_op(SYS_clock_nanosleep, 0, 0, 0x7ffc,
	    "hrtimer_nanosleep", &fd), SNAP_BLOCK_NONE);
	assert_int_equal(fd, -1);
#endif
#ifdef SYS_nanosleep
	assert_int_equal(block_op(SYS_nanosleep, 0x7ffc, 0, 0,
	    "hrtimer_nanosleep", &fd), SNAP_BLOCK_NONE);
	assert_int_equal(fd, -1);
#endif
#ifdef SYS_pause
	assert_int_equal(block_op(SYS_pause, 0, 0, 0, "__do_sys_pause", &fd),
	    SNAP_BLOCK_NONE);
	assert_int_equal(fd, -1);
#endif
}

static void
test_block_poll_family_is_none(void **state)
{
	const char *w = "poll_schedule_timeout.constprop.0";
	int fd;

	/* The fds polled live in user memory, not in the syscall line. */
	(void)state;
#ifdef SYS_poll
	assert_int_equal(block_op(SYS_poll, 0x7ffc, 1, 0xffffffff, w, &fd),
	    SNAP_BLOCK_NONE);
	assert_int_equal(fd, -1);
#endif
#ifdef SYS_ppoll
	assert_int_equal(block_op(SYS_ppoll, 0x7ffc, 1, 0, w, &fd),
	    SNAP_BLOCK_NONE);
	assert_int_equal(fd, -1);
#endif
#ifdef SYS_pselect6
	assert_int_equal(block_op(SYS_pselect6, 5, 0x7ffc, 0, w, &fd),
	    SNAP_BLOCK_NONE);
	assert_int_equal(fd, -1);
#endif
	assert_int_equal(block_op(SYS_epoll_pwait, 8, 0x7ffc, 1,
	    "do_epoll_wait", &fd), SNAP_BLOCK_NONE);
	assert_int_equal(fd, -1);
}

static void
test_block_not_in_syscall_is_none(void **state)
{
	int fd;

	(void)state;
	assert_int_equal(block_op(-1, 3, 0, 0, "", &fd), SNAP_BLOCK_NONE);
	assert_int_equal(fd, -1);
	assert_int_equal(block_op(100000, 3, 0, 0, "anon_pipe_read", &fd),
	    SNAP_BLOCK_NONE);
	assert_int_equal(fd, -1);
}

/* procparse_syscall_name */

static void
test_syscall_name_known(void **state)
{
	(void)state;
	assert_string_equal(procparse_syscall_name(SYS_read), "read");
	assert_string_equal(procparse_syscall_name(SYS_write), "write");
	assert_string_equal(procparse_syscall_name(SYS_splice), "splice");
	assert_string_equal(procparse_syscall_name(SYS_tee), "tee");
	assert_string_equal(procparse_syscall_name(SYS_vmsplice), "vmsplice");
	assert_string_equal(procparse_syscall_name(SYS_openat), "openat");
	assert_string_equal(procparse_syscall_name(SYS_waitid), "waitid");
	assert_string_equal(procparse_syscall_name(SYS_epoll_pwait),
	    "epoll_pwait");
	assert_string_equal(procparse_syscall_name(SYS_futex), "futex");
	assert_string_equal(procparse_syscall_name(SYS_rt_sigsuspend),
	    "rt_sigsuspend");
#ifdef SYS_wait4
	assert_string_equal(procparse_syscall_name(SYS_wait4), "wait4");
#endif
#ifdef SYS_clock_nanosleep
	assert_string_equal(procparse_syscall_name(SYS_clock_nanosleep),
	    "clock_nanosleep");
#endif
#ifdef SYS_poll
	assert_string_equal(procparse_syscall_name(SYS_poll), "poll");
#endif
}

static void
test_syscall_name_every_blocking_call(void **state)
{
	static const long nrs[] = {
		SYS_read, SYS_write, SYS_readv, SYS_writev, SYS_pread64,
		SYS_pwrite64, SYS_splice, SYS_tee, SYS_vmsplice, SYS_sendfile,
		SYS_copy_file_range, SYS_openat, SYS_waitid,
#ifdef SYS_open
		SYS_open,
#endif
#ifdef SYS_openat2
		SYS_openat2,
#endif
#ifdef SYS_wait4
		SYS_wait4,
#endif
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof nrs / sizeof nrs[0]; i++)
		assert_true(procparse_syscall_name(nrs[i])[0] != '\0');
}

static void
test_syscall_name_x86_64_numbers(void **state)
{
	/* The numbers in FACTS.md section 3 were taken on x86_64. */
	(void)state;
#if defined(__x86_64__) && !defined(__ILP32__)
	assert_string_equal(procparse_syscall_name(0), "read");
	assert_string_equal(procparse_syscall_name(1), "write");
	assert_string_equal(procparse_syscall_name(61), "wait4");
	assert_string_equal(procparse_syscall_name(230), "clock_nanosleep");
	assert_string_equal(procparse_syscall_name(257), "openat");
	assert_string_equal(procparse_syscall_name(275), "splice");
#else
	skip();
#endif
}

static void
test_syscall_name_unknown_is_empty(void **state)
{
	(void)state;
	assert_string_equal(procparse_syscall_name(-1), "");
	assert_string_equal(procparse_syscall_name(100000), "");
	assert_string_equal(procparse_syscall_name(-100000), "");
}

/* procparse_pid_list */

static void
test_pid_list_children_file(void **state)
{
	pid_t pids[8];

	(void)state;
	assert_int_equal(procparse_pid_list("12 13 14 ", pids, 8), 3);
	assert_int_equal(pids[0], 12);
	assert_int_equal(pids[1], 13);
	assert_int_equal(pids[2], 14);
}

static void
test_pid_list_single_with_newline(void **state)
{
	pid_t pids[2];

	(void)state;
	assert_int_equal(procparse_pid_list("16808 \n", pids, 2), 1);
	assert_int_equal(pids[0], 16808);
	assert_int_equal(procparse_pid_list("1\t2\n3", pids, 2), 2);
}

static void
test_pid_list_empty(void **state)
{
	pid_t pids[2];

	(void)state;
	assert_int_equal(procparse_pid_list("", pids, 2), 0);
	assert_int_equal(procparse_pid_list(" \n", pids, 2), 0);
}

static void
test_pid_list_more_than_max(void **state)
{
	pid_t pids[2] = { 0, 0 };

	(void)state;
	assert_int_equal(procparse_pid_list("5 6 7 8 ", pids, 2), 2);
	assert_int_equal(pids[0], 5);
	assert_int_equal(pids[1], 6);
	assert_int_equal(procparse_pid_list("5 6 7 ", NULL, 0), 0);
}

static void
test_pid_list_largest_pid(void **state)
{
	pid_t pids[1];

	(void)state;
	assert_int_equal(procparse_pid_list("2147483647", pids, 1), 1);
	assert_int_equal(pids[0], 2147483647);
}

static void
test_pid_list_garbage_is_invalid(void **state)
{
	pid_t pids[4];

	(void)state;
	assert_int_equal(procparse_pid_list("12 abc", pids, 4), -EINVAL);
	assert_int_equal(procparse_pid_list("12x", pids, 4), -EINVAL);
	assert_int_equal(procparse_pid_list("-5", pids, 4), -EINVAL);
	assert_int_equal(procparse_pid_list("+5", pids, 4), -EINVAL);
	assert_int_equal(procparse_pid_list("0", pids, 4), -EINVAL);
	assert_int_equal(procparse_pid_list("0x10", pids, 4), -EINVAL);
	/* Past max the text is still checked. */
	assert_int_equal(procparse_pid_list("1 2 x", pids, 1), -EINVAL);
}

static void
test_pid_list_overflow_is_invalid(void **state)
{
	pid_t pids[4];

	(void)state;
	assert_int_equal(procparse_pid_list("2147483648", pids, 4), -EINVAL);
	assert_int_equal(procparse_pid_list("99999999999999999999999", pids,
	    4), -EINVAL);
}

/* Robustness: cut or scrambled text must fail cleanly (run under ASan). */

static const char *const samples[] = {
	"0 0x3 0x7ffd5a1b2c30 0x20000 0x0 0x0 0x0 0x7ffd5a1b2c08 "
	    "0x7f2c1a2b3c4d\n",
	"-1 0x0 0x0\n",
	"running\n",
	"pos:\t0\nflags:\t02004000\nmnt_id:\t16\nino:\t7388\n",
	"pipe:[18446744073709551615]",
	"socket:[7397]",
	"12 13 14 \n",
};

static void
run_all_parsers(const char *text)
{
	struct procparse_fdinfo fi;
	uint64_t args[6], inode;
	pid_t pids[4];
	long nr;
	int fd;

	if (procparse_syscall(text, &nr, args) == 0) {
		procparse_block_op(nr, args, text, &fd);
		assert_true(fd >= -1);
		assert_non_null(procparse_syscall_name(nr));
	}
	procparse_fd_kind(text, S_IFIFO, &inode);
	procparse_fd_kind(text, 0, &inode);
	if (procparse_fdinfo(text, &fi) == 0)
		procparse_mode_from_flags(fi.flags);
	assert_true(procparse_pid_list(text, pids, 4) <= 4);
}

static void
test_robust_every_prefix(void **state)
{
	char buf[256];
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		for (len = 0; len <= strlen(samples[i]); len++) {
			memcpy(buf, samples[i], len);
			buf[len] = '\0';
			run_all_parsers(buf);
		}
	}
}

static void
test_robust_random_mutations(void **state)
{
	static const char alphabet[] = "0123456789abcdefx:[]-+ \t\n\xff";
	uint32_t seed = 12345;
	char buf[256];
	size_t i, len;
	int round, k;

	(void)state;
	for (round = 0; round < 20000; round++) {
		i = (size_t)round % (sizeof samples / sizeof samples[0]);
		len = strlen(samples[i]);
		memcpy(buf, samples[i], len + 1);
		for (k = 0; k < 3; k++) {
			seed = seed * 1103515245 + 12345;
			buf[(seed >> 8) % len] =
			    alphabet[(seed >> 20) % (sizeof alphabet - 1)];
		}
		run_all_parsers(buf);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_kind_pipe_read_end),
		cmocka_unit_test(test_fd_kind_pipe_without_stat),
		cmocka_unit_test(test_fd_kind_pipe_largest_inode),
		cmocka_unit_test(test_fd_kind_pipe_inode_overflow_is_other),
		cmocka_unit_test(test_fd_kind_pipe_malformed_is_other),
		cmocka_unit_test(test_fd_kind_socket),
		cmocka_unit_test(test_fd_kind_socket_malformed_is_other),
		cmocka_unit_test(test_fd_kind_fifo_path),
		cmocka_unit_test(test_fd_kind_fifo_under_dev),
		cmocka_unit_test(test_fd_kind_fifo_path_without_stat_is_file),
		cmocka_unit_test(test_fd_kind_regular_file),
		cmocka_unit_test(test_fd_kind_deleted_file),
		cmocka_unit_test(test_fd_kind_memfd),
		cmocka_unit_test(test_fd_kind_directory),
		cmocka_unit_test(test_fd_kind_dev_null),
		cmocka_unit_test(test_fd_kind_ptmx_is_dev),
		cmocka_unit_test(test_fd_kind_pty_slave_is_tty),
		cmocka_unit_test(test_fd_kind_terminals_are_tty),
		cmocka_unit_test(test_fd_kind_devices_outside_dev),
		cmocka_unit_test(test_fd_kind_anon_inodes_are_other),
		cmocka_unit_test(test_fd_kind_non_paths_are_other),

		cmocka_unit_test(test_fdinfo_pipe_read_end),
		cmocka_unit_test(test_fdinfo_pipe_write_end),
		cmocka_unit_test(test_fdinfo_pipe2_nonblock_cloexec),
		cmocka_unit_test(test_fdinfo_fifo),
		cmocka_unit_test(test_fdinfo_file_with_pos),
		cmocka_unit_test(test_fdinfo_largest_pos),
		cmocka_unit_test(test_fdinfo_socket_scm_fds_ignored),
		cmocka_unit_test(test_fdinfo_eventfd_extra_lines_ignored),
		cmocka_unit_test(test_fdinfo_epoll_tfd_line_does_not_override),
		cmocka_unit_test(test_fdinfo_pidfd_extra_lines_ignored),
		cmocka_unit_test(test_fdinfo_without_ino_gives_zero),
		cmocka_unit_test(test_fdinfo_without_trailing_newline),
		cmocka_unit_test(test_fdinfo_missing_flags_is_invalid),
		cmocka_unit_test(test_fdinfo_missing_pos_is_invalid),
		cmocka_unit_test(test_fdinfo_empty_is_invalid),
		cmocka_unit_test(test_fdinfo_bad_values_are_invalid),
		cmocka_unit_test(test_fdinfo_overflow_is_invalid),
		cmocka_unit_test(test_fdinfo_key_must_start_line),

		cmocka_unit_test(test_mode_access_bits),
		cmocka_unit_test(test_mode_ignores_largefile),
		cmocka_unit_test(test_mode_ignores_cloexec_nonblock),
		cmocka_unit_test(test_mode_o_path_is_none),

		cmocka_unit_test(test_syscall_running),
		cmocka_unit_test(test_syscall_zombie),
		cmocka_unit_test(test_syscall_not_in_syscall_with_sp_pc),
		cmocka_unit_test(test_syscall_read_blocked),
		cmocka_unit_test(test_syscall_read_live_sample),
		cmocka_unit_test(test_syscall_write_blocked),
		cmocka_unit_test(test_syscall_openat_fifo),
		cmocka_unit_test(test_syscall_largest_values),
		cmocka_unit_test(test_syscall_sp_pc_optional),
		cmocka_unit_test(test_syscall_truncated_is_invalid),
		cmocka_unit_test(test_syscall_too_many_fields_is_invalid),
		cmocka_unit_test(test_syscall_garbage_is_invalid),
		cmocka_unit_test(test_syscall_overflow_is_invalid),

		cmocka_unit_test(test_block_read_family),
		cmocka_unit_test(test_block_read_ignores_wchan),
		cmocka_unit_test(test_block_write_family),
		cmocka_unit_test(test_block_recv_family),
		cmocka_unit_test(test_block_fd_beyond_int_is_none),
		cmocka_unit_test(test_block_splice_waiting_for_data),
		cmocka_unit_test(test_block_splice_waiting_for_room),
		cmocka_unit_test(test_block_splice_unknown_wchan_reads),
		cmocka_unit_test(test_block_splice_bad_fd_is_none),
		cmocka_unit_test(test_block_tee_both_directions),
		cmocka_unit_test(test_block_vmsplice_writes),
		cmocka_unit_test(test_block_sendfile_both_directions),
		cmocka_unit_test(test_block_copy_file_range_both_directions),
		cmocka_unit_test(test_block_open_family),
		cmocka_unit_test(test_block_wait_family),
		cmocka_unit_test(test_block_sleep_is_none),
		cmocka_unit_test(test_block_poll_family_is_none),
		cmocka_unit_test(test_block_not_in_syscall_is_none),

		cmocka_unit_test(test_syscall_name_known),
		cmocka_unit_test(test_syscall_name_every_blocking_call),
		cmocka_unit_test(test_syscall_name_x86_64_numbers),
		cmocka_unit_test(test_syscall_name_unknown_is_empty),

		cmocka_unit_test(test_pid_list_children_file),
		cmocka_unit_test(test_pid_list_single_with_newline),
		cmocka_unit_test(test_pid_list_empty),
		cmocka_unit_test(test_pid_list_more_than_max),
		cmocka_unit_test(test_pid_list_largest_pid),
		cmocka_unit_test(test_pid_list_garbage_is_invalid),
		cmocka_unit_test(test_pid_list_overflow_is_invalid),

		cmocka_unit_test(test_robust_every_prefix),
		cmocka_unit_test(test_robust_random_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
