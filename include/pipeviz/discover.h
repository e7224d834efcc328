/*
 * discover.h - find the pipeline an existing process belongs to (attach).
 *
 * The pipeline of pid is: pid, its process group (unless that is our own),
 * the processes joined to them through a pipe or FIFO that one writes on
 * fd 1 and the other reads on fd 0 (transitively), the holders of a FIFO
 * a member holds on any fd and of the peer of a socket on a member's fd
 * 0 or 1, and all descendants.
 * Only that data path joins, so an inherited stray descriptor (fd 251 on
 * build machines) or a shared log pipe on fd 2 does not pull in every
 * process that inherited it.  Reads /proc only.
 */
#ifndef PIPEVIZ_DISCOVER_H
#define PIPEVIZ_DISCOVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * What a scan read of each process (its parent, group and fds 0 and 1),
 * kept by pid so that the next scan reads only the processes it has not
 * seen: a scan reads every process on the system, at 15-25 us each.  What
 * a known process changes later (a new process group, fd 0 reopened onto
 * a FIFO) shows after discover_forget().
 */
struct discover;
struct discover *discover_create(void);
void discover_free(struct discover *); /* NULL is a no-op */
/*
 * How a scan finds the other end of a socket: fn writes the peers of
 * inodes[0..n) it knows into peers[0..max) and returns how many.  Without
 * it only FIFOs are followed past fds 0 and 1.
 */
typedef size_t (*discover_peers_fn)(const uint64_t *inodes, size_t n,
    uint64_t *peers, size_t max, void *arg);
void discover_set_peers(struct discover *, discover_peers_fn, void *arg);
/*
 * How a scan reads a member's fd table for its meeting points: fn returns
 * the table (its FIFOs with their dev and inode, its sockets) as the
 * probe read it for the member's first sample, so that the table is read
 * once between them (probe_prefetch_table()), or NULL to have the scan
 * read the links itself.  Without it the scan reads every table.
 */
struct snap_proc;
typedef const struct snap_proc *(*discover_table_fn)(pid_t pid, void *arg);
void discover_set_tables(struct discover *, discover_table_fn, void *arg);
/* The next scan reads every process again. */
void discover_forget(struct discover *);

/*
 * Fill *out (allocated; the caller frees it) with the pids of pid's
 * pipeline, pid first, never including self or its ancestors (the shell
 * pipeviz runs under may share a pipe with the pipeline).  Returns how
 * many.  cache may be NULL: everything is read.
 */
size_t discover_pipeline(struct discover *cache, pid_t pid, pid_t self,
    pid_t **out);

/*
 * The last pid the kernel gave out in our pid namespace, or -1 if unknown.
 * While it stays the same no process was created, so a pipeline can have
 * gained none but one that was already running: the caller may then skip
 * discovery, which reads every process on the system.
 */
long discover_last_pid(void);

#endif
