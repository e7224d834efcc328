/*
 * diagnose-internal.h - diagnose's private parts, shared by src/diag*.c
 * only: what is remembered between samples, what one call works with, and
 * the helpers every check uses to look at processes and word its message.
 */
#ifndef PIPEVIZ_DIAGNOSE_INTERNAL_H
#define PIPEVIZ_DIAGNOSE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pipeviz/diagnose.h"
#include "pipeviz/idmap.h"
#include "pipeviz/snapshot.h"

/*
 * Checks (calls of diagnose_sample) over which the bottleneck is judged:
 * the loop checks at most every 100 ms, so about the last second.
 */
#define DIAG_WINDOW 10
/* CPU share above which a sleeping-looking stage still counts as busy. */
#define DIAG_BUSY_CPU 50.0
/* CPU share above which a write-end holder is computing, not idle. */
#define DIAG_ACTIVE_CPU 10.0
/* No process (an index into s->procs), as in a list or a chain. */
#define DIAG_NONE SIZE_MAX
/*
 * How long a wait must last without progress before it is called stuck
 * (blocked_writer, starved_reader, eof_held, stopped, no_reader): a writer
 * that blocks and unblocks as its reader drains the pipe is backpressure,
 * not a problem.  A stall of yes | sleep is still named by 1.1 s.
 */
#define DIAG_STUCK_SECONDS 1.0

/* What is remembered of one live process between samples. */
struct diag_hist {
	pid_t pid;
	uint64_t start_ticks;
	bool seen; /* in the current sample */
	struct snap_blocked blocked;
	double blocked_since; /* first sample blocked on it without progress */
	int blocked_samples;
	double stopped_since; /* first sample of this stop; 0 when running */
	uint64_t rchar, wchar;
	bool io_known;
	int knot_samples; /* consecutive samples inside a knot */
	double knot_since;
	/*
	 * buffered_output: the current quiet spell, in which it read but did
	 * not write and its output pipe stayed empty.
	 */
	bool bo_seen;		/* bo_rchar and bo_wchar hold a sample */
	uint64_t bo_rchar, bo_wchar;
	double bo_since;	/* start of the spell */
	double bo_last_write;	/* when wchar last moved (or first seen) */
	double bo_gap;		/* between its last two writes; 0 unknown */
	int bo_reads;		/* samples of the spell in which rchar grew */
	uint64_t bo_read;	/* bytes read in the spell */
};

/* The busy stage of one sample, if there was one. */
struct diag_vote {
	bool valid;
	pid_t pid;
	uint64_t start_ticks;
};

struct diagnose {
	struct diag_hist *hist;
	size_t nhist, hist_cap;
	struct idmap by_id;	/* (pid, start) -> hist[] */
	struct diag_vote window[DIAG_WINDOW];
	size_t nwindow, next;
	double stuck_seconds;	/* diagnose_set_stuck() */
};

/* A message being built, with the pids and pipes it names. */
struct diag_msg {
	char *text;
	size_t len, cap;
	pid_t *pids;
	size_t npids;
	uint64_t *pipes;
	size_t npipes;
};

/* Everything one call works with. */
struct diag_ctx {
	struct diagnose *d;
	struct snapshot *s;
	struct diag_hist **hist; /* per proc; NULL for exited stages */
	bool *deadlocked;	 /* per proc: named in a reported deadlock */
	bool *eof_held;		 /* per proc: named as waiting for EOF */
	/* Launch mode (stages are tagged): a process outside one is an
	 * orphan. */
	bool launched;
	struct diag_msg msg;
};

/*
 * Messages (diag-msg.c).  A message names the processes and pipes it
 * speaks of, so a view can point at them; diag_msg_emit appends it as a
 * diagnosis and starts the next one.
 */
void diag_msg_printf(struct diag_msg *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
void diag_msg_pid(struct diag_msg *, pid_t);
void diag_msg_emit(struct diag_msg *, struct snapshot *, const char *);
void diag_msg_free(struct diag_msg *);
const char *diag_list_sep(size_t, size_t);
void diag_msg_proc(struct diag_msg *, const struct snap_proc *);
void diag_msg_pipe_name(struct diag_msg *, const struct snap_pipe *);
/* Add a pipe the report concerns without naming it in the text. */
void diag_msg_pipe(struct diag_msg *, uint64_t inode);
void diag_msg_doing(struct diag_msg *, const struct snapshot *,
    const struct snap_proc *);

/* Processes and pipes (diagnose.c). */
bool diag_proc_stopped(const struct snap_proc *);
bool diag_proc_active(const struct snap_proc *);
bool diag_proc_is_blocked(const struct snap_proc *, enum snap_block_op);
size_t diag_proc_index(const struct snapshot *, const struct snap_proc *);
struct snap_proc *diag_live_proc(const struct snapshot *, pid_t);
struct snap_pipe *diag_blocked_pipe(const struct snapshot *,
    const struct snap_proc *, enum snap_block_op);
bool diag_ends_have(const struct snap_end *, size_t, pid_t);
/*
 * The live processes holding ends[0..n) other than self, each once (a
 * process holds a pipe twice with 2>&1 or |&), in order, into out[0..n):
 * how many.  A report names each of them once.
 */
size_t diag_other_ends(const struct snapshot *, const struct snap_proc *self,
    const struct snap_end *ends, size_t n, const struct snap_proc **out);
/*
 * Whether p has waited (blocked on one thing without progress, or been
 * stopped) for the stuck time: what a stuck-type report needs, so that
 * normal backpressure, which blocks and unblocks, raises no alarm.
 */
bool diag_stuck(const struct diag_ctx *, const struct snap_proc *);
/* How long p has been stopped, 0 if it is not. */
double diag_stopped_for(const struct diag_ctx *, const struct snap_proc *);
double diag_blocked_for(const struct diag_ctx *, const struct snap_proc *);

/*
 * The checks, each in the file named for what it decides; diagnose_sample
 * runs them in order.  diag_deadlocks and diag_eof mark the processes they
 * name (c->deadlocked, c->eof_held), which diag_starved then leaves out.
 */
void diag_deadlocks(struct diag_ctx *);	/* diag-deadlock.c */
void diag_eof(struct diag_ctx *);	/* diag-readers.c */
void diag_starved(struct diag_ctx *);	/* diag-readers.c */
void diag_writers(struct diag_ctx *);	/* diag-writers.c */
void diag_no_reader(struct diag_ctx *);	/* diag-writers.c */
void diag_sigpipe(struct diag_ctx *);	/* diag-writers.c */
void diag_exec_failed(struct diag_ctx *); /* diag-exits.c */
/*
 * The head of each process's chain: follow next[] (DIAG_NONE ends it)
 * from every i with in[i] set; a ring has no head, so each of its members
 * is its own.  head[i] is DIAG_NONE where in[i] is not set.  Chains of
 * starved readers and of blocked writers are reported from their heads.
 */
void diag_chain_heads(const size_t *next, const bool *in, size_t n,
    size_t *head);
/*
 * Chains by their heads: head[] as diag_chain_heads() gives it, and the
 * members of the chain whose head is h (h among them) as
 * member[start[h]] .. member[start[h + 1] - 1], in index order.
 */
struct diag_chains {
	size_t *head;
	size_t *start;
	size_t *member;
};
void diag_chains_make(struct diag_chains *, const size_t *next,
    const bool *in, size_t n);
void diag_chains_free(struct diag_chains *);
/* Order s->diags most urgent first (diag-rank.c). */
void diag_rank(struct snapshot *);
void diag_buffered(struct diag_ctx *);	/* diag-buffered.c */
void diag_stopped(struct diag_ctx *);	/* diag-stopped.c */
void diag_bottleneck(struct diag_ctx *);	/* diag-bottleneck.c */

#endif
