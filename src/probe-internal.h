/* probe-internal.h - the probe's private parts, shared by probe*.c only. */
#ifndef PIPEVIZ_PROBE_INTERNAL_H
#define PIPEVIZ_PROBE_INTERNAL_H

#include <stddef.h>
#include <sys/types.h>

#include "pipeviz/snapshot.h"

/* probe-proc.c: the only file that sees libproc2. */
struct probe_proc;
struct probe_proc *probe_proc_create(void);
void probe_proc_free(struct probe_proc *);
/*
 * Fill pid-keyed counters of procs[0..n) (state, comm, argv, ppid, pgid,
 * start time, CPU ticks, RSS, rchar/wchar, wchan).  A process that has
 * vanished keeps state '?'.
 */
void probe_proc_read(struct probe_proc *, struct snap_proc *procs, size_t n);

struct probe_proc_ids {
	pid_t pid, ppid, pgid;
};
/* Every process on the system; *out is allocated (free it).  Returns n. */
size_t probe_proc_list_all(struct probe_proc_ids **out);

/* probe-fd.c: fd table and blocking syscall, relative to /proc/PID. */
/* Read the fd table of p from piddir; 0, or -errno (EACCES: denied). */
int probe_fd_read(int piddir, struct snap_proc *p);
/* Read /proc/PID/syscall and fill p->syscall and p->blocked. */
void probe_fd_read_blocked(int piddir, struct snap_proc *p);

#endif
