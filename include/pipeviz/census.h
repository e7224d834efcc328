/*
 * census.h - every process on the machine, with the ends of pipes, FIFOs
 * and sockets it holds: what `pipeviz --all` groups into pipelines.
 *
 * One pass over /proc per scan.  What a process holds is read when it is
 * new (at two scans in a row: the shell sets up a child's fds between fork
 * and exec) and again in slices, a tenth of the processes per scan, so
 * that a machine of 500 processes costs a readdir and fifty fd tables a
 * scan rather than five hundred.  Processes whose fds cannot be read
 * (another user's, without the right) are listed with denied set and no
 * ends.  Reads /proc only; holds nothing open between scans.
 */
#ifndef PIPEVIZ_CENSUS_H
#define PIPEVIZ_CENSUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum census_kind {
	CENSUS_PIPE,	/* an anonymous pipe: inode on pipefs */
	CENSUS_FIFO,	/* a named pipe: dev and inode of the file */
	CENSUS_SOCKET,	/* a socket: inode on sockfs */
};

struct census_end {
	uint64_t dev, ino;	/* dev is 0 for pipes and sockets */
	int fd;
	enum census_kind kind;
};

struct census_proc {
	pid_t pid, ppid, pgid;
	uid_t uid;
	uint64_t start_ticks;	/* clock ticks after boot */
	bool kernel;		/* init or a kernel thread */
	bool denied;		/* its fds could not be read */
	struct census_end *ends;
	size_t nends;
	unsigned long read_at;	/* the scan that last read its fds */
	unsigned char reads;	/* scans that read it, up to 2 */
};

struct census;

struct census *census_create(void);
void census_free(struct census *); /* NULL is a no-op */

/*
 * Scan /proc.  *out points at every process (sorted by pid) until the next
 * scan or census_free(); returns how many.
 */
size_t census_scan(struct census *, const struct census_proc **out);

/* The pid's entry in procs (sorted by pid), or NULL.  Pure: inline. */
static inline const struct census_proc *
census_find(const struct census_proc *procs, size_t n, pid_t pid)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && procs[lo].pid == pid ? &procs[lo] : NULL;
}

#endif
