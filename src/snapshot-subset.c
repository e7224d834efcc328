/* snapshot-subset.c - the part of a sample that one pipeline is. */
#include "pipeviz/snapshot.h"

#include <stdlib.h>
#include <string.h>

#include "pipeviz/util.h"

/* Whether p holds socket inode on any fd. */
static bool
subset_holds_socket(const struct snapshot *s, uint64_t inode)
{
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *p = &s->procs[i];

		for (size_t j = 0; j < p->nfds; j++) {
			if (p->fds[j].kind == SNAP_FD_SOCKET &&
			    p->fds[j].inode == inode)
				return true;
		}
	}
	return false;
}

struct snapshot *
snapshot_subset(const struct snapshot *s, const bool *take)
{
	struct snapshot *sub = snapshot_create(s->t);
	size_t n = 0;

	for (size_t i = 0; i < s->nprocs; i++)
		n += take[i];
	snapshot_reserve_procs(sub, n);
	for (size_t i = 0; i < s->nprocs; i++) {
		if (take[i])
			snapshot_copy_proc(sub, &s->procs[i]);
	}
	for (size_t i = 0; i < s->nsockets; i++) {
		const struct snap_socket *k = &s->sockets[i];
		struct snap_socket *c;

		if (!subset_holds_socket(sub, k->inode))
			continue;
		c = snapshot_add_socket(sub, k->inode);
		c->type = k->type;
		c->peer = k->peer;
		c->local = k->local != NULL ? xstrdup(k->local) : NULL;
		c->remote = k->remote != NULL ? xstrdup(k->remote) : NULL;
		c->rqueue = k->rqueue;
		c->wqueue = k->wqueue;
		c->listening = k->listening;
	}
	snapshot_link_pipes(sub);
	/* What the probe read of each channel, as the whole sample has it. */
	for (size_t i = 0; i < sub->npipes; i++) {
		struct snap_pipe *pp = &sub->pipes[i];
		const struct snap_pipe *from = snapshot_find_pipe(s, pp->inode);

		if (from == NULL)
			continue;
		pp->fill = from->fill;
		pp->capacity = from->capacity;
		snapshot_pipe_set_peek(pp, from->peek, from->npeek);
	}
	return sub;
}
