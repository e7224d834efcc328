/*
 * loop-step.c - --step for the loop: the pipeline, launched frozen at
 * its stages' execs (launch-step.c), runs one interval at a time.
 *
 * Each sample is taken frozen.  In the live view the pipeline then waits
 * for n, which lets it run one interval (-i) and freezes it again for
 * the next sample; with --text, --json or --record it runs its interval
 * right after each sample (after --slow's hold, if any).  A freeze stops
 * the running processes of the launched group with SIGSTOP and the thaw
 * continues exactly those, so a stage the user stopped (s) stays stopped
 * and one the user continued (c) runs on: the processes are those of the
 * last sample and those the process events know (children forked since).
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "pipeviz/procparse.h"
#include "pipeviz/util.h"
#include "loop-internal.h"

/* Processes of the group at most that one freeze stops. */
#define LOOP_STEP_MAX 4096
/* How long a freeze waits for what it stopped to be stopped, at most. */
#define LOOP_STEP_SETTLE_MS 20

/* The state letter of pid now, '?' if it cannot be read. */
static char
loop_step_state(pid_t pid)
{
	struct procparse_stat st;
	char path[64], text[1024];

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (util_read_file_at(AT_FDCWD, path, text, sizeof text) <= 0 ||
	    procparse_stat(text, &st) != 0)
		return '?';
	return st.state;
}

/* Stop pid if it is of the group and runs; remember it. */
static void
loop_step_stop(struct loop *l, pid_t pid, pid_t pgid)
{
	char state;

	for (size_t i = 0; i < l->nfrozen; i++) {
		if (l->frozen[i] == pid)
			return;
	}
	if (getpgid(pid) != pgid)
		return;
	state = loop_step_state(pid);
	if (state == 'T' || state == 't' || state == 'Z' || state == 'X' ||
	    state == '?')
		return;
	if (kill(pid, SIGSTOP) == 0)
		l->frozen[l->nfrozen++] = pid;
}

/*
 * Until what was sent SIGSTOP is stopped: a process on another CPU takes
 * the signal at its next return to user space, and a sample taken before
 * would show it running.  One in an uninterruptible sleep stops only when
 * it wakes: not waited for past LOOP_STEP_SETTLE_MS.
 */
static void
loop_step_settle(struct loop *l)
{
	double deadline = util_now() + LOOP_STEP_SETTLE_MS / 1000.0;

	for (size_t i = 0; i < l->nfrozen; i++) {
		char st;

		while ((st = loop_step_state(l->frozen[i])) != 'T' && st != 't' &&
		    st != 'Z' && st != 'X' && st != '?' && util_now() < deadline)
			(void)poll(NULL, 0, 0);
	}
}

void
loop_step_start(struct loop *l)
{
	struct launch *ln = l->cfg->launch;
	size_t n = launch_nstages(ln);

	/* What the launcher stopped is ours to continue. */
	l->frozen = xreallocarray(l->frozen, n + 1, sizeof *l->frozen);
	l->nfrozen = 0;
	for (size_t i = 0; i < n; i++) {
		if (launch_stage(ln, i)->frozen)
			l->frozen[l->nfrozen++] = launch_stage(ln, i)->pid;
	}
	/* The first frame is taken at once; then the live view waits. */
	l->step_frozen = true;
	l->step_wait = false;
}

void
loop_step_freeze(struct loop *l)
{
	pid_t pgid = launch_pgid(l->cfg->launch), *live;
	const struct snapshot *s = l->prev;
	size_t n;

	if (l->step_frozen)
		return;
	live = xcalloc(LOOP_STEP_MAX, sizeof *live);
	n = loop_events_live(l, live, LOOP_STEP_MAX);
	l->frozen = xreallocarray(l->frozen, LOOP_STEP_MAX +
	    (s != NULL ? s->nprocs : 0) + launch_nstages(l->cfg->launch),
	    sizeof *l->frozen);
	l->nfrozen = 0;
	for (size_t i = 0; i < launch_nstages(l->cfg->launch); i++) {
		const struct launch_stage *st = launch_stage(l->cfg->launch, i);

		if (!st->exit.exited)
			loop_step_stop(l, st->pid, pgid);
	}
	for (size_t i = 0; s != NULL && i < s->nprocs; i++) {
		if (!s->procs[i].exit.exited)
			loop_step_stop(l, s->procs[i].pid, pgid);
	}
	for (size_t i = 0; i < n; i++)
		loop_step_stop(l, live[i], pgid);
	free(live);
	loop_step_settle(l);
	l->step_frozen = true;
}

void
loop_step_run(struct loop *l)
{
	loop_thaw(l);
	l->step_frozen = false;
	l->step_wait = false;
}

void
loop_step_sampled(struct loop *l)
{
	/* The live view waits for n; the other outputs run on. */
	if (l->cfg->ui != NULL)
		l->step_wait = true;
}
