/*
 * exitcode.h - pipeviz's exit status, as the commands that run another
 * command give theirs (timeout(1), env(1), nice(1), chroot(1)):
 *
 *   125      pipeviz itself failed: bad input, or a runtime error
 *   126      a stage's command was found but could not be run
 *   127      a stage's command was not found
 *   128+N    signal N ended pipeviz
 *   else     the pipeline's status, as sh reports it (--pipefail: the
 *            last non-zero stage's)
 *
 * so that a script can tell pipeviz's own failure from grep's 2.  Pure.
 */
#ifndef PIPEVIZ_EXITCODE_H
#define PIPEVIZ_EXITCODE_H

#include <stddef.h>

#include "pipeviz/snapshot.h"

#define EXITCODE_FAILED 125	 /* pipeviz's own failure */
#define EXITCODE_CANNOT_RUN 126 /* a stage's command could not be run */
#define EXITCODE_NOT_FOUND 127	 /* a stage's command was not found */

/*
 * The status of a launched pipeline whose stages ended as exits[0..n)
 * (in pipeline order; stages not yet reaped have exited false), given
 * status, the pipeline's own: 127 or 126 when a stage's shell said its
 * command was not found or could not be run (the first such stage
 * decides), else status.  Like diag-exits.c, a stage that exits 127 or
 * 126 is taken for one whose command the shell could not run: sh gives
 * those codes for nothing else.
 */
int exitcode_pipeline(int status, const struct snap_exit *exits, size_t n);

#endif
