/*
 * probe.h - sample processes from /proc into a snapshot.
 *
 * The probe only observes.  Every fd it opens is O_CLOEXEC; it never
 * keeps a pipe end open.  Between samples it keeps the /proc files (and a
 * pidfd) of the processes it watches open, within a budget of half the
 * descriptor limit, and closes them in probe_free() or when a process
 * leaves.  A fill level is read through a descriptor that cannot change
 * the pipe's readers or writers in a way the pipeline could see, closed
 * at once: a pidfd_getfd() duplicate of a reader's end, else a reopen of
 * an end that already has a reader, else a duplicate of a writer's end.
 * Processes vanishing mid-read are normal and simply skipped.
 */
#ifndef PIPEVIZ_PROBE_H
#define PIPEVIZ_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pipeviz/snapshot.h"

struct probe;

struct probe *probe_create(void);
void probe_free(struct probe *); /* NULL is a no-op */

/*
 * The sampling interval, so that the periodic re-reads of processes that
 * do not run come at least every 8 samples but no more often than 4 times
 * a second.  0 (the default) means every 8 samples whatever the pace.
 */
void probe_set_interval(struct probe *, int interval_ms);
/*
 * A look that lasts a moment (--once: a burst of samples, half a second):
 * no periodic re-reads of processes that do not run, since nothing they
 * catch (a signal sent from outside, a pipe filled by a process out of
 * view) is worth a second read of every process within it.
 */
void probe_set_one_shot(struct probe *);

/*
 * Add roots[0..nroots) and all their live descendants to snap, read each
 * one's counters, fd table and what it is blocked in, link the pipes and
 * read their fill levels.  Roots that have exited are skipped; processes
 * already in snap are not added twice.  Returns the number of processes
 * added.
 */
size_t probe_sample(struct probe *, struct snapshot *snap,
    const pid_t *roots, size_t nroots);

/* Whether the last sample found a process gone (its children moved). */
bool probe_lost(const struct probe *);

/*
 * Read one process's counters (stat, statm, io, cmdline; no fds) into p,
 * which the caller set up with snapshot_add_proc().  Works on a zombie
 * that has not been reaped yet.  Returns 0 or -errno.
 */
int probe_read_counters(struct probe *, struct snap_proc *p);
/* Only its stat and its io: what an ended process's last counters need. */
int probe_read_io(struct probe *, struct snap_proc *p);

/*
 * Read the fill level and capacity of every pipe in snap that is not
 * stray.  probe_sample() calls it; exposed for the tests.
 */
void probe_read_fill(struct snapshot *snap);

/*
 * Check that pid exists and its fd table can be read by us: 0, -ESRCH or
 * -EACCES.
 */
int probe_check_access(pid_t pid);

/*
 * A process's fd table read ahead of its first sample, for attach
 * discovery (discover_set_tables()): discovery looks in each member's
 * table for meeting points, and the first sample reads the same table,
 * so the probe reads it once and keeps it for that sample.  The table is
 * read as a sample reads it (probe-fd.c) and is valid until the next
 * call; NULL when the probe already samples pid (its table is re-read by
 * the probe's own rules, not taken from here) or it could not be read.
 * What the next sample does not take is dropped at its end.
 */
const struct snap_proc *probe_prefetch_table(struct probe *, pid_t);

/*
 * The peers of sockets inodes[0..n) that sock_diag knows, into
 * peers[0..max): how many.  Attach discovery follows socket pairs with it
 * (discover_set_peers()).
 */
size_t probe_socket_peers(struct probe *, const uint64_t *inodes, size_t n,
    uint64_t *peers, size_t max);

/*
 * The peer of each socket inodes[i] into peer[i], 0 where sock_diag does
 * not know one: `pipeviz --all` pairs sockets with it.
 */
void probe_socket_peer_of(struct probe *, const uint64_t *inodes, size_t n,
    uint64_t *peer);

/*
 * Peek (src/probe-peek.c): for every pipe and FIFO of snap that is not
 * stray, has a reader and a fill above 0, copy up to max bytes (at most
 * 4096) of what waits in it into pp->peek, without consuming anything:
 * a reopen through a reader's link, tee(2) into a pipe of our own, read,
 * everything closed before the next pipe.  Call it after probe_sample(),
 * only when the user asked for pipe data (--peek).
 */
void probe_read_peek(struct snapshot *snap, size_t max);
/* The same for one pipe of a snapshot (the live view's peek key). */
void probe_read_peek_pipe(struct snap_pipe *pp, size_t max);

#endif
