/*
 * launch-step.c - --step's start: every stage frozen right after it has
 * exec'd its program, before that program runs any code of its own.
 *
 * Each stage asked for it in the child (PTRACE_TRACEME just before its
 * exec of /bin/sh), so the kernel stops it with SIGTRAP at each exec.  A
 * simple command's stage is `sh -c 'exec CMD'`: its first stop is the
 * shell, which is let go on to exec CMD; a shell construct's stage stops
 * as its shell.  At the stop that counts the stage is detached with
 * SIGSTOP: it stays stopped (state T) and no tracer is left attached.  A
 * stage that exits instead (its command was not found) is left to the
 * loop's reaping: it is only looked at (WNOWAIT).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "launch-internal.h"

/*
 * Until pid, detached with SIGSTOP, is stopped (state T) and not just
 * about to be: the first sample must see it so.  Its report is taken,
 * not its exit.
 */
static bool
launch_step_stopped(pid_t pid)
{
	siginfo_t si;

	for (;;) {
		memset(&si, 0, sizeof si);
		if (waitid(P_PID, (id_t)pid, &si, WSTOPPED | WEXITED | WNOWAIT) ==
		    -1) {
			if (errno == EINTR)
				continue;
			return false;
		}
		if (si.si_code != CLD_STOPPED)
			return false; /* killed meanwhile: the loop reaps it */
		memset(&si, 0, sizeof si);
		return waitid(P_PID, (id_t)pid, &si, WSTOPPED) == 0;
	}
}

/* Wait for pid's stop at the exec of its program, then leave it stopped. */
static bool
launch_step_one(pid_t pid, bool simple)
{
	int execs = 0;

	for (;;) {
		siginfo_t si;

		memset(&si, 0, sizeof si);
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WSTOPPED |
		    WNOWAIT) == -1) {
			if (errno == EINTR)
				continue;
			return false;
		}
		/* Ended before its program ran: the loop reaps it. */
		if (si.si_code == CLD_EXITED || si.si_code == CLD_KILLED ||
		    si.si_code == CLD_DUMPED)
			return false;
		/* A stop: take it off the queue, then answer it. */
		memset(&si, 0, sizeof si);
		if (waitid(P_PID, (id_t)pid, &si, WSTOPPED) == -1)
			return false;
		if (si.si_code == CLD_TRAPPED && si.si_status == SIGTRAP) {
			if (simple && execs++ == 0) {
				/* The shell: on to its exec of the command. */
				(void)ptrace(PTRACE_CONT, pid, NULL, NULL);
				continue;
			}
			if (ptrace(PTRACE_DETACH, pid, NULL,
			    (void *)(long)SIGSTOP) != 0)
				return false;
			return launch_step_stopped(pid);
		}
		/* Another signal while traced: delivered as it would be. */
		(void)ptrace(PTRACE_CONT, pid, NULL,
		    (void *)(long)si.si_status);
	}
}

void
launch_step_freeze(struct launch *l)
{
	for (size_t i = 0; i < l->nstages; i++) {
		struct launch_stage *s = &l->stages[i];

		s->frozen = s->exec_errno == 0 &&
		    launch_step_one(s->pid, s->simple);
	}
}
