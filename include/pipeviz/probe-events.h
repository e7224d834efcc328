/*
 * probe-events.h - the kernel's process events (fork, exec, exit with its
 * status) from the NETLINK_CONNECTOR socket, and the first look at a
 * process an event names.  The bytes are built and decoded by
 * procevents.c; this file only opens, subscribes, receives and reads /proc.
 *
 * The socket is close-on-exec and non-blocking; the loop polls it.  The
 * events are the whole machine's: the caller keeps those of the processes
 * it observes (proclife.h).  Nothing here touches an observed process.
 */
#ifndef PIPEVIZ_PROBE_EVENTS_H
#define PIPEVIZ_PROBE_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pipeviz/procevents.h"
#include "pipeviz/snapshot.h"

struct probe_events;

/*
 * Open the socket, join CN_IDX_PROC, subscribe and wait (at most a
 * second) for the kernel's answer.  rcvbuf is the receive buffer to ask
 * for in bytes (0: 8 MiB; the kernel may give less, and doubles it).  Returns the subscription, or NULL
 * with *err set to the errno that refused it (EPERM on a kernel that
 * needs CAP_NET_ADMIN, EPROTONOSUPPORT without CONFIG_PROC_EVENTS,
 * ETIMEDOUT when no answer came).  Events that arrive while waiting are
 * kept for the first probe_events_read().
 */
struct probe_events *probe_events_open(int rcvbuf, int *err);
/* Unsubscribe (the kernel counts listeners) and close; NULL is a no-op. */
void probe_events_close(struct probe_events *);
int probe_events_fd(const struct probe_events *);

/*
 * The events queued now, without waiting: *out points at an array owned
 * by pe, valid until the next call.  Returns how many (at most a few
 * thousand: call again while the socket stays readable), or -errno.
 * *lost is set when the socket's buffer overflowed (ENOBUFS) since the
 * last call: events were dropped, so what they would have said must be
 * read from /proc again.
 */
long probe_events_read(struct probe_events *, const struct procevent **out,
    bool *lost);

/*
 * The first look at a new process: its stat (ppid, comm, start time)
 * and, with argv, its command line, into p (set up with
 * snapshot_add_proc() or zeroed with pid set).  Returns 0, or -errno
 * (-ESRCH: it is gone already).
 */
int probe_events_read_proc(struct probe_events *, struct snap_proc *p,
    bool argv);

#endif
