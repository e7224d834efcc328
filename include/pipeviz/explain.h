/*
 * explain.h - what a process is doing, in one plain sentence.
 *
 * Pure: derived only from the facts in a snapshot (state, the syscall it
 * sleeps in, its fds, the fill of its pipes, who holds their other ends,
 * its exit), never from /proc or a terminal.  Written for a student and
 * accurate enough for an engineer:
 *
 *   blocked writing fd 1 into pipe 5159, which is full (64 KiB); it
 *   continues when sleep (pid 812) reads from it
 *
 * The sentence has no subject (the caller shows whose it is) and no final
 * full stop.  Its own words are ASCII; process names and paths appear as
 * the system gives them, with control characters shown as '?'.  It
 * depends only on what the JSON trace records, so a replayed trace gives
 * the same sentences as the live run did.
 */
#ifndef PIPEVIZ_EXPLAIN_H
#define PIPEVIZ_EXPLAIN_H

#include <stddef.h>

#include "pipeviz/snapshot.h"

/* One sentence about p, a process of s; newly allocated (free it). */
char *explain_proc(const struct snapshot *s, const struct snap_proc *p);
/*
 * The sentence judged with the sample (p->explain) if there is one, else
 * explain_proc(): what the trace, --text and the detail panel show.
 */
char *explain_of(const struct snapshot *s, const struct snap_proc *p);

/*
 * A pipe's peek (pp->peek, pp->npeek) for a person, newly allocated:
 *  - explain_peek_text: printable ASCII as itself, \n \t \r \\ as such,
 *    any other byte as \xNN ("1\n2\n3\n");
 *  - explain_peek_hex: the bytes as hex pairs, width bytes to a line
 *    (0: all on one line), lines separated by '\n' ("31 0a 32 0a").
 * Both give "" when the pipe has no peek.
 */
/*
 * How each stage ended, as the status line says it once a pipeline is
 * over: "ls exit 0, yes SIGPIPE, grp not found (exit 127)", from the
 * stages' processes in s (stage 0..n-1, exited) and their names.  The
 * live view and a replay of its trace say the same.  Allocated.
 */
char *explain_stage_exits(const struct snapshot *s, const char *const *names,
    size_t n);
char *explain_peek_text(const struct snap_pipe *pp);
char *explain_peek_hex(const struct snap_pipe *pp, size_t width);

#endif
