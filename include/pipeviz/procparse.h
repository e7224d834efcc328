/*
 * procparse.h - parsers for the text of /proc files.  Pure: they take the
 * text that the probe read and never touch the file system, so they can be
 * unit-tested and fuzzed.  Each returns 0 or -EINVAL on malformed text.
 */
#ifndef PIPEVIZ_PROCPARSE_H
#define PIPEVIZ_PROCPARSE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pipeviz/snapshot.h"

/*
 * Classify the target of a /proc/PID/fd/N link.  st_mode is the mode from
 * stat() through the link, or 0 when stat failed.  Sets *inode for
 * "pipe:[N]" and "socket:[N]" (and leaves it alone otherwise).
 *   pipe:[N] -> PIPE, socket:[N] -> SOCKET, anon_inode:... -> OTHER,
 *   a path whose st_mode is a FIFO -> FIFO, /dev/pts/N, /dev/ttyX,
 *   /dev/console, /dev/tty -> TTY, other /dev/ paths or character and block
 *   devices -> DEV, other paths -> FILE, anything else -> OTHER.
 */
enum snap_fd_kind procparse_fd_kind(const char *link, mode_t st_mode,
    uint64_t *inode);

struct procparse_fdinfo {
	int64_t pos;
	unsigned int flags; /* octal "flags:" field */
	uint64_t ino;	    /* "ino:" field, 0 if absent (old kernels) */
};
/* Parse /proc/PID/fdinfo/N ("pos:", "flags:", "ino:" lines; others ignored). */
int procparse_fdinfo(const char *text, struct procparse_fdinfo *out);

/*
 * At least one digit of base (up to 16) at *pp, as the kernel writes
 * numbers: no sign, no blanks, no prefix.  0 and *pp past the digits, or
 * -1 on none or on overflow (*pp unmoved).  The parsers of /proc text
 * share it.
 */
int procparse_u64(const char **pp, unsigned int base, uint64_t *out);

/* r/w/rw from open flags (flags & O_ACCMODE); O_PATH gives NONE. */
enum snap_fd_mode procparse_mode_from_flags(unsigned int flags);

/*
 * Parse /proc/PID/syscall: "running" -> *nr = -1; "-1 ..." (not in a
 * syscall) -> *nr = -1; "NR ARG1 ... ARG6 SP PC" -> *nr and args[0..5].
 */
int procparse_syscall(const char *text, long *nr, uint64_t args[6]);

/*
 * What a sleeping process waits for, from its syscall and arguments: read
 * and write family (read, readv, pread64, recvfrom, recvmsg, recvmmsg;
 * write, writev, pwrite64, sendto, sendmsg, sendmmsg) give op READ/WRITE
 * with the fd in args[0]; splice gives READ on args[0] or WRITE
 * on args[2], tee READ on args[0] or WRITE on args[1] (the wchan tells
 * which: a name containing "writ" means waiting for room); vmsplice gives
 * WRITE on args[0]; sendfile (out args[0], in args[1]) and
 * copy_file_range (in args[0], out args[2]) like splice; open/openat/openat2 give OPEN with fd -1;
 * wait4/waitid give WAIT with fd -1; anything else NONE.
 */
enum snap_block_op procparse_block_op(long nr, const uint64_t args[6],
    const char *wchan, int *fd);

/* A short name for a syscall number ("read", "wait4"...), "" if unknown. */
const char *procparse_syscall_name(long nr);
/* The number of a syscall name procparse_syscall_name() gives, or -1. */
long procparse_syscall_number(const char *name);

/*
 * Parse a /proc/PID/task/TID/children list ("12 13 14 ") into pids[0..max),
 * returning how many were stored (at most max), or -EINVAL.
 */
int procparse_pid_list(const char *text, pid_t *pids, size_t max);

/* The fields of /proc/PID/stat the probe uses (proc(5) numbering). */
struct procparse_stat {
	pid_t pid;	    /* 1 */
	char comm[64];	    /* 2, without the parentheses; cut to fit */
	char state;	    /* 3 */
	pid_t ppid, pgid;   /* 4, 5 */
	uint32_t tty_nr;    /* 7: the controlling terminal, 0 if none */
	pid_t tpgid;	    /* 8: its foreground process group, -1 if none */
	uint64_t utime;	    /* 14, clock ticks */
	uint64_t stime;	    /* 15 */
	long nthreads;	    /* 20 */
	uint64_t start;	    /* 22, clock ticks after boot */
	uint64_t rss_pages; /* 24; approximate, statm is exact */
	uint64_t startcode; /* 26: moves at every exec (ASLR); 0 if hidden */
};
/*
 * Parse /proc/PID/stat.  The command name may hold blanks and
 * parentheses, so it runs from the first '(' to the last ')'.  Fields 1
 * to 24 are required; startcode is 0 when the text stops before it.
 */
int procparse_stat(const char *text, struct procparse_stat *out);

/* /proc/PID/schedstat: "RUN_NS WAIT_NS TIMESLICES" (run time, slices). */
int procparse_schedstat(const char *text, uint64_t *run_ns,
    uint64_t *slices);

/* /proc/PID/statm: the second field, resident pages. */
int procparse_statm(const char *text, uint64_t *resident);

/* /proc/PID/io: the "rchar:" and "wchar:" lines (both needed). */
int procparse_io(const char *text, uint64_t *rchar, uint64_t *wchar);

/*
 * Split /proc/PID/cmdline (text[0..len), NUL-separated, the last NUL
 * possibly missing; text has room for len + 1 bytes) in place into
 * argv[0..max-1), NULL-terminated.
 * Returns the number of arguments; 0 for an empty command line (a zombie,
 * a kernel thread).  Arguments past max - 1 are dropped.
 */
size_t procparse_cmdline(char *text, size_t len, char **argv, size_t max);

#endif
