/* procparse.c - parsers for the text of /proc files; no I/O. */
#include "pipeviz/procparse.h"

#include <sys/stat.h>
#include <sys/syscall.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>

/*
 * Hand-rolled number parsing: strtoull() accepts leading blanks, a sign
 * and a "0x" prefix on its own, and reports overflow through errno, all of
 * which make it easy to accept text the kernel never writes.
 */
static int
digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
procparse_u64(const char **pp, unsigned int base, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;
	int d;

	/*
	 * Overflow by the compiler's checked arithmetic: a division per digit
	 * was a twentieth of a whole attach snapshot (perf).
	 */
	for (; (d = digit_value(*p)) >= 0 && (unsigned int)d < base; p++) {
		if (__builtin_mul_overflow(v, (uint64_t)base, &v) ||
		    __builtin_add_overflow(v, (uint64_t)d, &v))
			return -1;
	}
	if (p == *pp)
		return -1;
	*pp = p;
	*out = v;
	return 0;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int
is_space(char c)
{
	return is_blank(c) || c == '\n';
}

static const char *
skip_space(const char *p)
{
	while (is_space(*p))
		p++;
	return p;
}

/* A field ends at a separator or the end of the text, never mid-word. */
static int
field_ends(const char *p)
{
	return *p == '\0' || is_space(*p);
}

/* One "0x..." field of /proc/PID/syscall. */
static int
parse_hex_field(const char **pp, uint64_t *out)
{
	const char *p = skip_space(*pp);

	if (p[0] != '0' || p[1] != 'x')
		return -1;
	p += 2;
	if (procparse_u64(&p, 16, out) != 0 || !field_ends(p))
		return -1;
	*pp = p;
	return 0;
}

/* "pipe:[N]" or "socket:[N]": the whole link, N decimal. */
static int
parse_bracket_inode(const char *s, const char *prefix, uint64_t *inode)
{
	size_t len = strlen(prefix);
	uint64_t v;

	if (strncmp(s, prefix, len) != 0)
		return -1;
	s += len;
	if (procparse_u64(&s, 10, &v) != 0 || strcmp(s, "]") != 0)
		return -1;
	*inode = v;
	return 0;
}

static int
is_tty_path(const char *path)
{
	/* /dev/pts/ptmx is the multiplexer, not a terminal. */
	if (strncmp(path, "/dev/pts/", 9) == 0)
		return isdigit((unsigned char)path[9]);
	/* /dev/tty itself, /dev/ttyN, /dev/ttyS0, /dev/ttyUSB0... */
	if (strncmp(path, "/dev/tty", 8) == 0)
		return 1;
	return strcmp(path, "/dev/console") == 0;
}

enum snap_fd_kind
procparse_fd_kind(const char *link, mode_t st_mode, uint64_t *inode)
{
	uint64_t v;

	if (link == NULL)
		return SNAP_FD_OTHER;
	if (strncmp(link, "pipe:", 5) == 0) {
		if (parse_bracket_inode(link, "pipe:[", &v) != 0)
			return SNAP_FD_OTHER;
		*inode = v;
		return SNAP_FD_PIPE;
	}
	if (strncmp(link, "socket:", 7) == 0) {
		if (parse_bracket_inode(link, "socket:[", &v) != 0)
			return SNAP_FD_OTHER;
		*inode = v;
		return SNAP_FD_SOCKET;
	}
	/* Not a path: anon_inode:..., and namespace links such as net:[N]. */
	if (link[0] != '/')
		return SNAP_FD_OTHER;

	/* A FIFO shows as its path; only the mode tells, wherever it lives. */
	if (S_ISFIFO(st_mode))
		return SNAP_FD_FIFO;
	if (is_tty_path(link))
		return SNAP_FD_TTY;
	if (strncmp(link, "/dev/", 5) == 0 || S_ISCHR(st_mode) ||
	    S_ISBLK(st_mode))
		return SNAP_FD_DEV;
	return SNAP_FD_FILE;
}

/* The text after "key:" when line starts with it, else NULL. */
static const char *
after_key(const char *line, const char *key)
{
	size_t len = strlen(key);

	return strncmp(line, key, len) == 0 ? line + len : NULL;
}

/* The value of an fdinfo line: blanks, the number, blanks, end of line. */
static int
parse_fdinfo_value(const char *p, unsigned int base, int sign_ok,
    uint64_t *out, int *negative)
{
	while (is_blank(*p))
		p++;
	*negative = 0;
	if (sign_ok && *p == '-') {
		*negative = 1;
		p++;
	}
	if (procparse_u64(&p, base, out) != 0)
		return -1;
	while (is_blank(*p))
		p++;
	return (*p == '\0' || *p == '\n') ? 0 : -1;
}

int
procparse_fdinfo(const char *text, struct procparse_fdinfo *out)
{
	struct procparse_fdinfo fi = { 0, 0, 0 };
	const char *line, *next, *p;
	uint64_t v;
	int have_pos = 0, have_flags = 0, neg;

	/*
	 * Keys are matched only at the start of a line: epoll's "tfd:" lines
	 * carry "pos:" and "ino:" (in hex) of the watched files further on.
	 */
	for (line = text; *line != '\0'; line = next) {
		next = line + strcspn(line, "\n");
		if (*next == '\n')
			next++;
		if ((p = after_key(line, "pos:")) != NULL) {
			if (parse_fdinfo_value(p, 10, 1, &v, &neg) != 0 ||
			    v > INT64_MAX)
				return -EINVAL;
			fi.pos = neg ? -(int64_t)v : (int64_t)v;
			have_pos = 1;
		} else if ((p = after_key(line, "flags:")) != NULL) {
			if (parse_fdinfo_value(p, 8, 0, &v, &neg) != 0 ||
			    v > UINT_MAX)
				return -EINVAL;
			fi.flags = (unsigned int)v;
			have_flags = 1;
		} else if ((p = after_key(line, "ino:")) != NULL) {
			if (parse_fdinfo_value(p, 10, 0, &v, &neg) != 0)
				return -EINVAL;
			fi.ino = v;
		}
	}
	if (!have_pos || !have_flags)
		return -EINVAL;
	*out = fi;
	return 0;
}

enum snap_fd_mode
procparse_mode_from_flags(unsigned int flags)
{
	/* An O_PATH fd keeps O_RDONLY (0) in its access bits yet cannot read. */
	if (flags & O_PATH)
		return SNAP_MODE_NONE;
	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		return SNAP_MODE_R;
	case O_WRONLY:
		return SNAP_MODE_W;
	case O_RDWR:
		return SNAP_MODE_RW;
	}
	return SNAP_MODE_NONE;
}

int
procparse_syscall(const char *text, long *nr, uint64_t args[6])
{
	const char *p = skip_space(text);
	uint64_t a[6] = { 0, 0, 0, 0, 0, 0 }, v, extra;
	int i, nargs = 6, negative = 0;

	if (strncmp(p, "running", 7) == 0 && *skip_space(p + 7) == '\0') {
		*nr = -1;
		return 0;
	}
	if (*p == '-') {
		negative = 1;
		p++;
	}
	if (procparse_u64(&p, 10, &v) != 0 || !field_ends(p) || v > INT_MAX)
		return -EINVAL;
	/*
	 * The kernel prints any negative number (in practice -1) when the
	 * task is not in a syscall, followed only by sp and pc.
	 */
	if (negative) {
		if (v == 0)
			return -EINVAL;
		nargs = 0;
	}
	for (i = 0; i < nargs; i++) {
		if (parse_hex_field(&p, &a[i]) != 0)
			return -EINVAL;
	}
	/* sp and pc are of no use to us; a short read may have lost them. */
	for (i = 0; i < 2 && *skip_space(p) != '\0'; i++) {
		if (parse_hex_field(&p, &extra) != 0)
			return -EINVAL;
	}
	if (*skip_space(p) != '\0')
		return -EINVAL;

	*nr = negative ? -1 : (long)v;
	memcpy(args, a, sizeof a);
	return 0;
}

/* An fd from a syscall argument; -1 when it cannot be one. */
static int
arg_fd(uint64_t arg)
{
	return arg <= INT_MAX ? (int)arg : -1;
}

static enum snap_block_op
one_fd_op(uint64_t arg, enum snap_block_op op, int *fd)
{
	*fd = arg_fd(arg);
	return *fd == -1 ? SNAP_BLOCK_NONE : op;
}

/*
 * The two-fd calls sleep either for data on the input or for room on the
 * output; only the wait channel says which (pipe_wait_writable,
 * anon_pipe_write, pipe_write all contain "writ").
 */
static enum snap_block_op
two_fd_op(uint64_t in, uint64_t out, const char *wchan, int *fd)
{
	if (wchan != NULL && strstr(wchan, "writ") != NULL)
		return one_fd_op(out, SNAP_BLOCK_WRITE, fd);
	return one_fd_op(in, SNAP_BLOCK_READ, fd);
}

enum snap_block_op
procparse_block_op(long nr, const uint64_t args[6], const char *wchan,
    int *fd)
{
	*fd = -1;
	switch (nr) {
	case SYS_read:
	case SYS_readv:
	case SYS_pread64:
	case SYS_recvfrom:
	case SYS_recvmsg:
	case SYS_recvmmsg:
		return one_fd_op(args[0], SNAP_BLOCK_READ, fd);
	case SYS_write:
	case SYS_writev:
	case SYS_pwrite64:
	case SYS_vmsplice:
	case SYS_sendto:
	case SYS_sendmsg:
	case SYS_sendmmsg:
		return one_fd_op(args[0], SNAP_BLOCK_WRITE, fd);
	case SYS_splice:
	case SYS_copy_file_range:
		return two_fd_op(args[0], args[2], wchan, fd);
	case SYS_tee:
		return two_fd_op(args[0], args[1], wchan, fd);
	case SYS_sendfile:
		return two_fd_op(args[1], args[0], wchan, fd);
#ifdef SYS_open
	case SYS_open:
#endif
#ifdef SYS_creat
	case SYS_creat:
#endif
#ifdef SYS_openat2
	case SYS_openat2:
#endif
	case SYS_openat:
		/* Opening a FIFO waits for its partner; there is no fd yet. */
		return SNAP_BLOCK_OPEN;
#ifdef SYS_wait4
	case SYS_wait4:
#endif
	case SYS_waitid:
		return SNAP_BLOCK_WAIT;
	}
	return SNAP_BLOCK_NONE;
}

static const struct {
	long nr;
	const char *name;
} syscall_names[] = {
	{ SYS_read, "read" },
	{ SYS_write, "write" },
	{ SYS_readv, "readv" },
	{ SYS_writev, "writev" },
	{ SYS_pread64, "pread64" },
	{ SYS_pwrite64, "pwrite64" },
	{ SYS_preadv, "preadv" },
	{ SYS_pwritev, "pwritev" },
	{ SYS_splice, "splice" },
	{ SYS_tee, "tee" },
	{ SYS_vmsplice, "vmsplice" },
	{ SYS_sendfile, "sendfile" },
	{ SYS_copy_file_range, "copy_file_range" },
#ifdef SYS_open
	{ SYS_open, "open" },
#endif
#ifdef SYS_creat
	{ SYS_creat, "creat" },
#endif
	{ SYS_openat, "openat" },
#ifdef SYS_openat2
	{ SYS_openat2, "openat2" },
#endif
	{ SYS_close, "close" },
#ifdef SYS_wait4
	{ SYS_wait4, "wait4" },
#endif
	{ SYS_waitid, "waitid" },
#ifdef SYS_poll
	{ SYS_poll, "poll" },
#endif
#ifdef SYS_ppoll
	{ SYS_ppoll, "ppoll" },
#endif
#ifdef SYS_select
	{ SYS_select, "select" },
#endif
#ifdef SYS_pselect6
	{ SYS_pselect6, "pselect6" },
#endif
#ifdef SYS_epoll_wait
	{ SYS_epoll_wait, "epoll_wait" },
#endif
	{ SYS_epoll_pwait, "epoll_pwait" },
#ifdef SYS_epoll_pwait2
	{ SYS_epoll_pwait2, "epoll_pwait2" },
#endif
#ifdef SYS_nanosleep
	{ SYS_nanosleep, "nanosleep" },
#endif
#ifdef SYS_clock_nanosleep
	{ SYS_clock_nanosleep, "clock_nanosleep" },
#endif
#ifdef SYS_pause
	{ SYS_pause, "pause" },
#endif
#ifdef SYS_futex
	{ SYS_futex, "futex" },
#endif
	{ SYS_rt_sigsuspend, "rt_sigsuspend" },
#ifdef SYS_rt_sigtimedwait
	{ SYS_rt_sigtimedwait, "rt_sigtimedwait" },
#endif
	{ SYS_recvfrom, "recvfrom" },
	{ SYS_recvmsg, "recvmsg" },
	{ SYS_sendto, "sendto" },
	{ SYS_sendmsg, "sendmsg" },
	{ SYS_recvmmsg, "recvmmsg" },
	{ SYS_sendmmsg, "sendmmsg" },
#ifdef SYS_accept
	{ SYS_accept, "accept" },
#endif
	{ SYS_accept4, "accept4" },
	{ SYS_connect, "connect" },
	{ SYS_flock, "flock" },
	{ SYS_fcntl, "fcntl" },
	{ SYS_ioctl, "ioctl" },
	{ SYS_kill, "kill" },
	{ SYS_tgkill, "tgkill" },
	{ SYS_clone, "clone" },
#ifdef SYS_clone3
	{ SYS_clone3, "clone3" },
#endif
#ifdef SYS_vfork
	{ SYS_vfork, "vfork" },
#endif
	{ SYS_execve, "execve" },
	{ SYS_exit_group, "exit_group" },
};

const char *
procparse_syscall_name(long nr)
{
	size_t i;

	for (i = 0; i < sizeof syscall_names / sizeof syscall_names[0]; i++) {
		if (syscall_names[i].nr == nr)
			return syscall_names[i].name;
	}
	return "";
}

long
procparse_syscall_number(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof syscall_names / sizeof syscall_names[0]; i++) {
		if (strcmp(syscall_names[i].name, name) == 0)
			return syscall_names[i].nr;
	}
	return -1;
}

int
procparse_pid_list(const char *text, pid_t *pids, size_t max)
{
	const char *p = skip_space(text);
	size_t n = 0;
	uint64_t v;

	/* Check the whole list even past max: bad text is bad anywhere. */
	while (*p != '\0') {
		if (procparse_u64(&p, 10, &v) != 0 || !field_ends(p) || v == 0 ||
		    v > INT_MAX)
			return -EINVAL;
		if (n < max && n < INT_MAX)
			pids[n++] = (pid_t)v;
		p = skip_space(p);
	}
	return (int)n;
}

/*
 * One blank-separated decimal field of /proc/PID/stat, into *out.  Signed
 * fields (tpgid is -1 without a terminal, nice can be negative) are only
 * skipped, so a '-' is accepted there and out may be NULL.
 */
static int
stat_field(const char **pp, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v;

	if (*p != ' ')
		return -1;
	p++;
	if (out == NULL && *p == '-')
		p++;
	if (procparse_u64(&p, 10, &v) != 0 || !field_ends(p))
		return -1;
	if (out != NULL)
		*out = v;
	*pp = p;
	return 0;
}

int
procparse_stat(const char *text, struct procparse_stat *out)
{
	struct procparse_stat st;
	const char *lparen, *rparen, *p = text;
	uint64_t v, *want[25] = { NULL };
	uint64_t ppid, pgid, nthreads, tty = 0;
	size_t len;
	bool no_tpgid;

	memset(&st, 0, sizeof st);
	if (procparse_u64(&p, 10, &v) != 0 || v == 0 || v > INT_MAX)
		return -EINVAL;
	st.pid = (pid_t)v;
	/* The name is whatever the process chose, ")" and newlines too. */
	lparen = p + 1;
	if (p[0] != ' ' || *lparen != '(' ||
	    (rparen = strrchr(lparen, ')')) == NULL)
		return -EINVAL;
	len = (size_t)(rparen - lparen - 1);
	if (len >= sizeof st.comm)
		len = sizeof st.comm - 1;
	memcpy(st.comm, lparen + 1, len);
	st.comm[len] = '\0';
	p = rparen + 1;
	if (p[0] != ' ' || p[1] == '\0' || !field_ends(p + 2))
		return -EINVAL;
	st.state = p[1];
	p += 2;

	want[4] = &ppid;
	want[5] = &pgid;
	want[7] = &tty;
	want[14] = &st.utime;
	want[15] = &st.stime;
	want[20] = &nthreads;
	want[22] = &st.start;
	want[24] = &st.rss_pages;
	for (int field = 4; field <= 24; field++) {
		uint64_t tpgid;

		/* tpgid is -1 for a process without a terminal. */
		if (field == 8) {
			no_tpgid = p[0] == ' ' && p[1] == '-';
			if (stat_field(&p, no_tpgid ? NULL : &tpgid) != 0)
				return -EINVAL;
			st.tpgid = no_tpgid || tpgid > INT_MAX ? -1 :
			    (pid_t)tpgid;
			continue;
		}
		if (stat_field(&p, want[field]) != 0)
			return -EINVAL;
	}
	/* Fields 25 (rsslim) and 26 (startcode), if there. */
	if (*p == ' ' && stat_field(&p, NULL) == 0 && *p == ' ')
		(void)stat_field(&p, &st.startcode);
	if (ppid > INT_MAX || pgid > INT_MAX || nthreads > LONG_MAX)
		return -EINVAL;
	st.ppid = (pid_t)ppid;
	st.pgid = (pid_t)pgid;
	st.tty_nr = tty <= UINT32_MAX ? (uint32_t)tty : 0;
	st.nthreads = (long)nthreads;
	*out = st;
	return 0;
}

/* n blank-separated decimal fields at the start of text; NULL if not. */
static const char *
parse_u64_fields(const char *p, uint64_t *v, int n)
{
	for (int i = 0; i < n; i++) {
		if (i > 0 && *p++ != ' ')
			return NULL;
		if (procparse_u64(&p, 10, &v[i]) != 0 || !field_ends(p))
			return NULL;
	}
	return p;
}

int
procparse_schedstat(const char *text, uint64_t *run_ns, uint64_t *slices)
{
	const char *end;
	uint64_t v[3];

	if ((end = parse_u64_fields(text, v, 3)) == NULL ||
	    *skip_space(end) != '\0')
		return -EINVAL;
	*run_ns = v[0];
	*slices = v[2];
	return 0;
}

int
procparse_statm(const char *text, uint64_t *resident)
{
	uint64_t v[2];

	if (parse_u64_fields(text, v, 2) == NULL)
		return -EINVAL;
	*resident = v[1];
	return 0;
}

int
procparse_io(const char *text, uint64_t *rchar, uint64_t *wchar)
{
	const char *line, *next, *p;
	uint64_t v, r = 0, w = 0;
	int have = 0;

	for (line = text; *line != '\0'; line = next) {
		next = line + strcspn(line, "\n");
		if (*next == '\n')
			next++;
		if ((p = after_key(line, "rchar:")) != NULL) {
			p = skip_space(p);
			if (procparse_u64(&p, 10, &v) != 0 || !field_ends(p))
				return -EINVAL;
			r = v;
			have |= 1;
		} else if ((p = after_key(line, "wchar:")) != NULL) {
			p = skip_space(p);
			if (procparse_u64(&p, 10, &v) != 0 || !field_ends(p))
				return -EINVAL;
			w = v;
			have |= 2;
		}
	}
	if (have != 3)
		return -EINVAL;
	*rchar = r;
	*wchar = w;
	return 0;
}

size_t
procparse_cmdline(char *text, size_t len, char **argv, size_t max)
{
	size_t n = 0, off = 0;

	if (max == 0)
		return 0;
	while (off < len && n < max - 1) {
		char *end = memchr(text + off, '\0', len - off);

		argv[n++] = text + off;
		if (end == NULL) {
			/* A rewritten command line may lose its last NUL. */
			text[len] = '\0';
			break;
		}
		off = (size_t)(end - text) + 1;
	}
	argv[n] = NULL;
	return n;
}
