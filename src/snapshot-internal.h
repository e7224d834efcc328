/*
 * snapshot-internal.h - what snapshot.c tells snapshot-index.c: the
 * changes that an index of the snapshot must follow.  Included by those
 * two files only.
 */
#ifndef PIPEVIZ_SNAPSHOT_INTERNAL_H
#define PIPEVIZ_SNAPSHOT_INTERNAL_H

#include "pipeviz/snapshot.h"

struct snapshot_index *snapshot_index_create(void);
void snapshot_index_free(struct snapshot_index *);
/* procs[i] was appended, its pid set. */
void snapshot_index_proc_added(struct snapshot *, size_t i);
/* pipes[i] was appended; the pipe list was emptied. */
void snapshot_index_pipe_added(struct snapshot *, size_t i);
void snapshot_index_pipes_cleared(struct snapshot *);
/* sockets[i] was appended. */
void snapshot_index_socket_added(struct snapshot *, size_t i);

#endif
