/*
 * perfetto.h - a recorded trace as Chrome Trace Event Format JSON, the
 * format ui.perfetto.dev and chrome://tracing open (docs/perfetto.md):
 *
 *   - a track per process (pid), its state as "X" spans named for it:
 *     "running", "blocked writing pipe 5159", "waiting to read pipe
 *     5159", "stopped", ...; consecutive samples in the same state are
 *     one span;
 *   - counter tracks per pipe, FIFO and socket ("C" events): its fill in
 *     bytes and its rate in bytes per second, on a process of their own;
 *   - instant events ("i") for exits and for each diagnosis when it
 *     first appears, on the track of the process it names first.
 *
 * Pure: from the snapshots trace_read() gave back, into a string.
 */
#ifndef PIPEVIZ_PERFETTO_H
#define PIPEVIZ_PERFETTO_H

#include <stddef.h>

#include "pipeviz/snapshot.h"
#include "pipeviz/trace-read.h"

/*
 * The pid of the pipes' own process in the export: past PID_MAX_LIMIT
 * (2^22), so no real process has it.
 */
#define PERFETTO_CHANNELS_PID 4194305

/*
 * The whole JSON document for tf, newly allocated (free it); *len is its
 * length.  version is pipeviz's, for otherData.
 */
char *perfetto_export(const struct trace_file *tf, const char *version,
    size_t *len);

/*
 * The state of p in s as a span's name, into buf: "running", "blocked
 * writing pipe 5159", "waiting to read pipe 5159", "stopped", ...; NULL
 * for a process that has exited (its span is over).
 */
const char *perfetto_state(const struct snapshot *s, const struct snap_proc *p,
    char *buf, size_t size);

#endif
