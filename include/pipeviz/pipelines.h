/*
 * pipelines.h - the pipelines on a machine: a census of its processes
 * grouped by what joins them on their data path, and each group judged.
 * Pure: it reads census entries and judged snapshots, never /proc.
 *
 * Two processes are in one pipeline when:
 *   - one holds a pipe or FIFO as fd 1 that the other holds as fd 0 (the
 *     shell's `a | b`);
 *   - one holds a pipe or FIFO as fd 0 or 1 that the other holds as fd 3
 *     or above (a parent that reads its child's output, as Python's
 *     subprocess does; `cat FIFO`; `diff <(a) <(b)`);
 *   - both hold a FIFO on fds other than 2 (it is a meeting point by name);
 *   - one holds a socket as fd 0 or 1 whose peer the other holds on any fd
 *     (socat's EXEC children, a socketpair handed to a child).
 * A pipe that only fd 2 shares (a log every process inherits) joins no
 * one, nor does the kernel, init, or pipeviz and its ancestors (the shell
 * it runs in may share a pipe with what it watches).  Every group has two
 * processes or more; their descendants join when they are sampled.
 */
#ifndef PIPEVIZ_PIPELINES_H
#define PIPEVIZ_PIPELINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pipeviz/census.h"
#include "pipeviz/snapshot.h"

/* A socket's peer, as sock_diag tells it. */
struct pipelines_peer {
	uint64_t ino, peer;
};

struct pipeline_group {
	pid_t *pids;	/* ascending */
	size_t npids;
};

/*
 * Group procs[0..n) (sorted by pid, as census_scan() gives them) into
 * pipelines, excluding self and its ancestors; peers[0..npeers) are the
 * peers of the sockets on fds 0 and 1 (any order).  *out is allocated,
 * groups ordered by their lowest pid; returns how many.
 */
size_t pipelines_group(const struct census_proc *procs, size_t n, pid_t self,
    const struct pipelines_peer *peers, size_t npeers,
    struct pipeline_group **out);
void pipelines_free(struct pipeline_group *, size_t n);

/* The sockets on fds 0 and 1 of procs, whose peers grouping needs. */
size_t pipelines_std_sockets(const struct census_proc *procs, size_t n,
    uint64_t **out);

/* A pipeline's health in one word, most urgent first (the list's order). */
enum pipeline_health {
	PIPELINE_STUCK,	/* a deadlock, or a stuck-type diagnosis that lasted */
	PIPELINE_SLOW,	/* a bottleneck holds the others back */
	PIPELINE_IDLE,	/* nothing runs and no byte moved: waiting on input */
	PIPELINE_OK,	/* data flows */
};

/* "stuck", "slow", "idle", "ok": the JSON contract. */
const char *pipeline_health_name(enum pipeline_health);

/*
 * The health of one pipeline from its judged sample (diagnoses and rates
 * applied), and its most urgent diagnosis (*top, NULL if none).
 */
enum pipeline_health pipeline_judge(const struct snapshot *,
    const struct snap_diag **top);

/* The busiest channel's rate in bytes per second, -1 if none is known. */
double pipeline_busiest_rate(const struct snapshot *);

#endif
