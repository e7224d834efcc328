/*
 * launch-internal.h - the launcher's state, shared by launch.c (forking
 * and wiring, reaping) and launch-step.c (--step's frozen start).
 */
#ifndef PIPEVIZ_LAUNCH_INTERNAL_H
#define PIPEVIZ_LAUNCH_INTERNAL_H

#include "pipeviz/launch.h"

struct launch {
	struct launch_stage *stages;
	size_t nstages;
	pid_t pgid;
	bool pipefail;
	int output_fd;	/* read end of the captured stdout, or -1 */
	int *stderr_fds; /* read ends of captured stderr, per stage, or -1 */
};

/*
 * --step: wait for each stage's stop at the exec of its program (it asked
 * for PTRACE_TRACEME) and detach it with SIGSTOP; stages[i].frozen says
 * which ones are stopped so.
 */
void launch_step_freeze(struct launch *);

#endif
