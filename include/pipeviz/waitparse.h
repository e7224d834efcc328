/*
 * waitparse.h - decoders for the fd set of a multiplexed wait (poll,
 * ppoll, select, pselect6, epoll_wait, epoll_pwait, epoll_pwait2).
 *
 * Pure: the probe copies the bytes out of the sleeper's memory or reads
 * its epoll fdinfo, and these turn them into struct snap_wait_fd entries.
 * They never touch the file system and never read past the buffers they
 * are given, so they can be unit-tested and fuzzed.  The entries come out
 * with kind SNAP_FD_OTHER and inode 0 (poll, select) or the target's
 * inode (epoll): resolving them through the fd table is the probe's job.
 *
 * Every decoder stores at most max entries and sets *truncated when the
 * input held more (the caller then marks the set partial); it returns the
 * number stored, or -EINVAL on malformed input, with out[] then
 * undefined and *truncated untouched.  max must not exceed INT_MAX.
 *
 * The layouts are those of a 64-bit process of the same architecture as
 * pipeviz; a 32-bit (compat) process has other syscall numbers and is
 * not recognized as multiplexed.
 */
#ifndef PIPEVIZ_WAITPARSE_H
#define PIPEVIZ_WAITPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeviz/snapshot.h"

/* Where the set of a multiplexed syscall lives. */
enum waitparse_kind {
	WAITPARSE_NONE,	  /* not a multiplexed syscall */
	WAITPARSE_POLL,	  /* poll, ppoll */
	WAITPARSE_SELECT, /* select, pselect6 */
	WAITPARSE_EPOLL,  /* epoll_wait, epoll_pwait, epoll_pwait2 */
};

struct waitparse_where {
	enum waitparse_kind kind;
	/*
	 * POLL: the struct pollfd array (args[0]) and its length nfds
	 * (args[1]).  SELECT: nfds (args[0]) and the read and write
	 * fd_sets (args[1], args[2]; 0 for NULL); the except set is not a
	 * wait for data or room and is left out.
	 */
	uint64_t addr, nfds;
	uint64_t readfds, writefds;
	int epfd; /* EPOLL: the epoll instance (args[0]); else -1 */
};

/*
 * Whether syscall nr is multiplexed, and where its set is (*w).
 * Returns 0 with w->kind NONE for any other syscall; 0 with the fields
 * set for a multiplexed one; -EINVAL, with w->kind still set, when the
 * arguments are impossible for a sleeper (nfds or an fd beyond the int
 * range; the kernel refuses those before sleeping), so the caller can
 * record a multiplexed wait whose set is unknown.
 */
int waitparse_where(long nr, const uint64_t args[6], struct waitparse_where *w);

/* Bytes of one struct pollfd: int fd, short events, short revents. */
#define WAITPARSE_POLLFD_SIZE 8

/*
 * Decode a pollfd array of len bytes (a multiple of 8, else -EINVAL), in
 * the byte order of this machine, as poll() keeps it.  Negative fds are
 * skipped (poll ignores them).  POLLIN, POLLPRI, POLLRDNORM, POLLRDBAND
 * set in; POLLOUT, POLLWRNORM, POLLWRBAND set out; an fd asking for
 * neither (events 0: only errors and hangups wake it) is kept with both
 * false.  Entries keep the array's order; an fd listed twice is listed
 * twice.  revents is ignored (it is the last return's).
 */
int waitparse_pollfd(const void *buf, size_t len, struct snap_wait_fd *out,
    size_t max, bool *truncated);

/*
 * Bytes of the first nfds bits of an fd_set (whole unsigned longs), for
 * nfds up to INT_MAX.
 */
size_t waitparse_fdset_size(uint64_t nfds);

/*
 * Decode select()'s read set rd (in) and write set wr (out), each NULL
 * or waitparse_fdset_size(nfds) bytes of unsigned long words in this
 * machine's order, bit fd % 64 of word fd / 64.  Bits at or past nfds are
 * ignored, as select ignores them.  One entry per fd in either set, in
 * increasing fd order, with in and out both set for an fd in both.
 * nfds beyond INT_MAX is -EINVAL.
 */
int waitparse_fdset(const void *rd, const void *wr, uint64_t nfds,
    struct snap_wait_fd *out, size_t max, bool *truncated);

/*
 * Parse the text of an epoll instance's /proc/PID/fdinfo/N: one entry
 * per "tfd:" line, in the order of the text, such as
 *   tfd:        4 events:       1c data:     7f4400000004  pos:0 ino:1aa69d sdev:f
 * The line is "key: value" fields separated by blanks; tfd (decimal fd),
 * events (hex) and ino (hex, the target's inode, stored in inode) are
 * required, other fields are checked for shape only and ignored.
 * EPOLLIN, EPOLLPRI, EPOLLRDNORM, EPOLLRDBAND set in; EPOLLOUT,
 * EPOLLWRNORM, EPOLLWRBAND set out (EPOLLERR and EPOLLHUP are always
 * reported and say nothing).  The text must have a "pos:" line (it is
 * an fdinfo at all); other lines (flags, mnt_id, the epoll's own ino)
 * are ignored.  The kernel ends every line, so a last line without its
 * newline was cut by the reader's buffer: it is not decoded and sets
 * *truncated (it may have been a target's).  A malformed tfd line is
 * -EINVAL.
 */
int waitparse_epoll(const char *text, struct snap_wait_fd *out, size_t max,
    bool *truncated);

#endif
