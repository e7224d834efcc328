/*
 * exact.h - bytes counted in the kernel (--exact) applied to a sample.
 *
 * Pure: the counters probe-exact.c read (bytes written into and read
 * from each pipe, FIFO and socket by the observed processes, since they
 * were observed) go onto the sample's channels as their byte count, and
 * the rate from the count of the sample before.
 */
#ifndef PIPEVIZ_EXACT_H
#define PIPEVIZ_EXACT_H

#include <stddef.h>
#include <stdint.h>

#include "pipeviz/snapshot.h"

/* One channel's counters. */
struct exact_count {
	enum snap_fd_kind kind; /* SNAP_FD_PIPE, SNAP_FD_FIFO or SNAP_FD_SOCKET */
	uint64_t inode;
	uint64_t dev;		/* a FIFO's st_dev, as stat(2) gives it; else 0 */
	uint64_t written, read;	/* bytes into it and out of it */
	/* Sleeps of its writers for room, of its readers for data. */
	uint64_t write_sleeps, read_sleeps;
	uint64_t write_sleep_ns, read_sleep_ns;
};

/* A thread asleep now in a read or write of a channel. */
struct exact_wait {
	pid_t tgid, tid;
	uint64_t since_ns;	/* CLOCK_MONOTONIC */
	enum snap_fd_kind kind;
	uint64_t inode, dev;	/* as in exact_count */
	bool reading;		/* waits for data, else for room */
};

/*
 * Set each channel of s to its count: for a pipe or FIFO the bytes its
 * observed writers wrote into it, or where none did the bytes its
 * readers read from it; for a socket the bytes written into it.  Counts
 * must be sorted by exact_sort().  A channel without counters moved no
 * observed byte: 0.  bytes_exact is set; rate_bps is the change since
 * prev (its count, at its time) over the time between them, where prev
 * had the channel, else left as it is.
 */
void exact_apply(struct snapshot *s, const struct snapshot *prev,
    const struct exact_count *c, size_t n);
/*
 * Each channel's sleeps from the counts (writer_sleeps: its writers'
 * for room; reader_sleeps: its readers' for data, for a socket those
 * read from its peer), and each process's kwait from the threads asleep
 * now, w[0..nw); t0 is CLOCK_MONOTONIC seconds at the session's t = 0.
 */
void exact_apply_sleeps(struct snapshot *s, const struct exact_count *c,
    size_t n, const struct exact_wait *w, size_t nw, double t0);
/* Sort counts for exact_apply() (by kind, inode, dev). */
void exact_sort(struct exact_count *c, size_t n);

#endif
