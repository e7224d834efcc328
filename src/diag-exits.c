/*
 * diag-exits.c - stages that could not even start: exec_failed when a
 * stage's shell exited 127 (command not found) or 126 (found but not
 * executable).  The shell's name says nothing; the command's does.
 */
#include "pipeviz/util.h"
#include "diagnose-internal.h"

/* A shell's own exit codes for a command it could not run. */
static bool
exec_failure(const struct snap_proc *p)
{
	return p->exit.exited && p->exit.signal == 0 &&
	    (p->exit.code == 127 || p->exit.code == 126) && p->stage >= 0;
}

void
diag_exec_failed(struct diag_ctx *c)
{
	const struct snapshot *s = c->s;

	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *p = &s->procs[i];
		char word[64];

		if (!exec_failure(p) ||
		    !snapshot_proc_command_word(p, word, sizeof word))
			continue;
		diag_msg_printf(&c->msg, "%s: %s (stage %d, ", word,
		    p->exit.code == 127 ? "command not found" :
		    "found but could not be run", p->stage + 1);
		diag_msg_proc(&c->msg, p);
		diag_msg_printf(&c->msg, ", exited %d)", p->exit.code);
		diag_msg_emit(&c->msg, c->s, "exec_failed");
	}
}
