/*
 * diagnose.h - why a pipeline is stuck or slow, in sentences a person can
 * act on.  Pure: it reads snapshots (and remembers what it needs of the
 * earlier ones) and never touches /proc or a terminal.
 *
 * Kinds (their names are part of the JSON contract, docs/json-format.md):
 *   blocked_writer  a process blocked writing a full pipe or FIFO
 *   starved_reader  a process blocked reading an empty pipe whose writers live
 *   bottleneck      the stage that limits throughput, judged over a window
 *   deadlock        a knot in the wait-for graph: each waits on the others
 *   eof_held        a reader waits for EOF that a non-writing holder prevents
 *   sigpipe         a stage was killed by SIGPIPE (normal for yes | head)
 *   stopped         a stopped process holds up the pipeline
 *   no_reader       a writer's pipe has no reader left
 *   buffered_output a stage reads its input but its output stays in a
 *                   stdio buffer: nothing reaches its output pipe
 */
#ifndef PIPEVIZ_DIAGNOSE_H
#define PIPEVIZ_DIAGNOSE_H

#include "pipeviz/snapshot.h"

struct diagnose;

struct diagnose *diagnose_create(void);
void diagnose_free(struct diagnose *); /* NULL is a no-op */

/*
 * Append the diagnoses of s to s->diags (snapshot_add_diag), judged from s
 * and the snapshots given to earlier calls (successive samples, t rising).
 * It copies what it keeps, so s may be freed afterwards.
 */
void diagnose_sample(struct diagnose *, struct snapshot *s);

/*
 * How long (seconds) a wait must last without progress through the pipe
 * before a stuck-type report (blocked_writer, starved_reader, eof_held,
 * stopped, no_reader) is made and the process is marked stuck: 1 s by
 * default; --once, which judges a burst of half a second, asks for less.
 */
void diagnose_set_stuck(struct diagnose *, double seconds);

/*
 * The most urgent of s's diagnoses, the one a one-line view (the live
 * view's status line) shows, or NULL.  What stops the pipeline ranks above
 * what slows it, but a bottleneck ranks above the writers blocked on its
 * input: they are its symptom.  Judged from s alone, so a replayed trace
 * gets the same answer.
 */
const struct snap_diag *diagnose_top(const struct snapshot *s);

#endif
