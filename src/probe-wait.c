/* probe-wait.c - placeholder until the multiplexed-wait reader lands. */
#include "probe-internal.h"

bool
probe_wait_multiplexed(long nr)
{
	(void)nr;
	return false;
}

void
probe_wait_read(pid_t pid, int piddir, long nr, const uint64_t args[6],
    const struct snap_proc *p, struct snap_blocked *b)
{
	(void)pid, (void)piddir, (void)nr, (void)args, (void)p;
	snapshot_blocked_clear(b);
}
