/*
 * probe-exact.h - the BPF backend of --exact (src/bpf/exact.bpf.c): bytes
 * written into and read from each pipe, FIFO and socket by the observed
 * processes, counted in the kernel, read once per sample.
 *
 * Optional: without libbpf, bpftool and clang at build time (meson
 * -Dbpf=auto) probe_exact_built() is false and probe_exact_open() says
 * so.  Loading needs root, or CAP_BPF and CAP_PERFMON, and a kernel with
 * BTF.  Nothing here touches an observed process: the program only counts
 * at the exit of its system calls.
 */
#ifndef PIPEVIZ_PROBE_EXACT_H
#define PIPEVIZ_PROBE_EXACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pipeviz/exact.h"

struct probe_exact;

/* Whether this pipeviz has the backend at all. */
bool probe_exact_built(void);
/*
 * Load and attach the program.  NULL with *err set to a newly allocated
 * one-line reason (not built, not permitted, no BTF) when it cannot.
 */
struct probe_exact *probe_exact_open(char **err);
void probe_exact_close(struct probe_exact *); /* NULL is a no-op */
/*
 * Observe pid from now on, and every process it forks: count its bytes
 * too, or (count false: pipeviz itself, before it launches) only its
 * children's.  0 or -errno (the table of observed processes is full).
 */
int probe_exact_observe(struct probe_exact *, pid_t pid, bool count);
/*
 * The counters now, one per channel, sorted for exact_apply(): *out
 * points into pe, valid until the next call.  *lost gets how many counts
 * found the kernel's table full (they are missing).  Returns how many.
 */
size_t probe_exact_read(struct probe_exact *, const struct exact_count **out,
    uint64_t *lost);
/*
 * The threads asleep now in a read or write of a channel, as the last
 * probe_exact_read() found them: *out points into pe.  How many.
 */
size_t probe_exact_waits(struct probe_exact *, const struct exact_wait **out);

#endif
