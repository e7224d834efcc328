/*
 * snapshot-index.c - a snapshot's processes by pid, channels and sockets
 * by inode, and the exited stages by the pipes they were wired to.
 *
 * Diagnose, explain and layout look processes and pipes up for every
 * process of a sample; linear searches made 2000 processes cost 13 times
 * as much per process as 64 (issue 19).  Each map is built at its first
 * lookup, followed as snapshot.c appends to the arrays, and dropped when
 * they change otherwise.  A lookup checks its answer (a pid or inode
 * edited in place is found again the slow way).
 */
#include <stdlib.h>

#include "pipeviz/idmap.h"
#include "pipeviz/util.h"
#include "snapshot-internal.h"

struct snapshot_index {
	bool procs_ok, pipes_ok, sockets_ok, exited_ok;
	struct idmap procs;	/* pid -> procs[] */
	struct idmap pipes;	/* inode -> pipes[], the first of that inode */
	struct idmap sockets;	/* inode -> sockets[] */
	/* inode -> procs[] of the first exited stage holding it to write,
	 * to read. */
	struct idmap exited_w, exited_r;
};

struct snapshot_index *
snapshot_index_create(void)
{
	return xcalloc(1, sizeof(struct snapshot_index));
}

void
snapshot_index_free(struct snapshot_index *ix)
{
	if (ix == NULL)
		return;
	idmap_free(&ix->procs);
	idmap_free(&ix->pipes);
	idmap_free(&ix->sockets);
	idmap_free(&ix->exited_w);
	idmap_free(&ix->exited_r);
	free(ix);
}

void
snapshot_index_proc_added(struct snapshot *s, size_t i)
{
	if (s->index->procs_ok)
		idmap_put(&s->index->procs, (uint64_t)s->procs[i].pid, i);
	s->index->exited_ok = false;
}

void
snapshot_procs_changed(struct snapshot *s)
{
	s->index->procs_ok = false;
	s->index->exited_ok = false;
}

void
snapshot_index_pipe_added(struct snapshot *s, size_t i)
{
	if (s->index->pipes_ok)
		idmap_put(&s->index->pipes, s->pipes[i].inode, i);
}

void
snapshot_index_pipes_cleared(struct snapshot *s)
{
	s->index->pipes_ok = false;
}

void
snapshot_index_socket_added(struct snapshot *s, size_t i)
{
	if (s->index->sockets_ok)
		idmap_put(&s->index->sockets, s->sockets[i].inode, i);
}

static void
index_procs(const struct snapshot *s)
{
	struct snapshot_index *ix = s->index;

	idmap_clear(&ix->procs);
	for (size_t i = 0; i < s->nprocs; i++)
		idmap_put(&ix->procs, (uint64_t)s->procs[i].pid, i);
	ix->procs_ok = true;
}

static void
index_pipes(const struct snapshot *s)
{
	struct snapshot_index *ix = s->index;

	idmap_clear(&ix->pipes);
	for (size_t i = 0; i < s->npipes; i++)
		idmap_put(&ix->pipes, s->pipes[i].inode, i);
	ix->pipes_ok = true;
}

static void
index_sockets(const struct snapshot *s)
{
	struct snapshot_index *ix = s->index;

	idmap_clear(&ix->sockets);
	for (size_t i = 0; i < s->nsockets; i++)
		idmap_put(&ix->sockets, s->sockets[i].inode, i);
	ix->sockets_ok = true;
}

/* The pipe and FIFO ends of exited stages, first stage first. */
static void
index_exited(const struct snapshot *s)
{
	struct snapshot_index *ix = s->index;

	idmap_clear(&ix->exited_w);
	idmap_clear(&ix->exited_r);
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *p = &s->procs[i];

		if (!p->exit.exited)
			continue;
		for (size_t j = 0; j < p->nfds; j++) {
			const struct snap_fd *f = &p->fds[j];

			if ((f->kind != SNAP_FD_PIPE && f->kind != SNAP_FD_FIFO) ||
			    f->inode == 0)
				continue;
			if (f->mode == SNAP_MODE_W || f->mode == SNAP_MODE_RW)
				idmap_put(&ix->exited_w, f->inode, i);
			if (f->mode == SNAP_MODE_R || f->mode == SNAP_MODE_RW)
				idmap_put(&ix->exited_r, f->inode, i);
		}
	}
	ix->exited_ok = true;
}

struct snap_proc *
snapshot_find_proc(const struct snapshot *s, pid_t pid)
{
	size_t i;

	if (!s->index->procs_ok)
		index_procs(s);
	i = idmap_get(&s->index->procs, (uint64_t)pid);
	if (i != IDMAP_NONE && (i >= s->nprocs || s->procs[i].pid != pid)) {
		/* A pid edited in place: the map is stale; once more, rebuilt. */
		index_procs(s);
		i = idmap_get(&s->index->procs, (uint64_t)pid);
	}
	return i < s->nprocs && s->procs[i].pid == pid ? &s->procs[i] : NULL;
}

struct snap_pipe *
snapshot_find_pipe(const struct snapshot *s, uint64_t inode)
{
	size_t i;

	if (!s->index->pipes_ok)
		index_pipes(s);
	i = idmap_get(&s->index->pipes, inode);
	if (i != IDMAP_NONE && (i >= s->npipes || s->pipes[i].inode != inode)) {
		index_pipes(s);
		i = idmap_get(&s->index->pipes, inode);
	}
	return i < s->npipes && s->pipes[i].inode == inode ? &s->pipes[i] : NULL;
}

struct snap_socket *
snapshot_find_socket(const struct snapshot *s, uint64_t inode)
{
	size_t i;

	if (!s->index->sockets_ok)
		index_sockets(s);
	i = idmap_get(&s->index->sockets, inode);
	if (i != IDMAP_NONE && (i >= s->nsockets || s->sockets[i].inode != inode)) {
		index_sockets(s);
		i = idmap_get(&s->index->sockets, inode);
	}
	return i < s->nsockets && s->sockets[i].inode == inode ? &s->sockets[i] : NULL;
}

const struct snap_proc *
snapshot_exited_stage_on(const struct snapshot *s, uint64_t inode,
    bool writer)
{
	size_t i;

	if (inode == 0)
		return NULL;
	if (!s->index->exited_ok)
		index_exited(s);
	i = idmap_get(writer ? &s->index->exited_w : &s->index->exited_r,
	    inode);
	if (i < s->nprocs && s->procs[i].exit.exited &&
	    snapshot_proc_pipe_fd(&s->procs[i], inode, writer, 0) >= 0)
		return &s->procs[i];
	if (i == IDMAP_NONE)
		return NULL;
	index_exited(s);
	for (i = 0; i < s->nprocs; i++) {
		const struct snap_proc *p = &s->procs[i];

		if (p->exit.exited &&
		    snapshot_proc_pipe_fd(p, inode, writer, 0) >= 0)
			return p;
	}
	return NULL;
}
