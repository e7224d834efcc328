/*
 * diag-deadlock.c - deadlock: knots in the wait-for graph, blocked
 * processes that wait only for each other, reported once they have lasted
 * long enough not to be an artefact of reading the processes one by one.
 */
#include <stdlib.h>

#include "pipeviz/util.h"
#include "diagnose-internal.h"

/* A knot must last this many samples and this long to be a deadlock. */
#define DIAG_DEADLOCK_SAMPLES 2
/* The time a knot must last: half the stuck time (0.5 s; 0.2 s in --once). */
#define DIAG_DEADLOCK_SHARE 0.5

/* The wait-for graph: edges from each blocked process, as proc indices. */
struct diag_graph {
	bool *blocked;	/* waits for someone (has a place in the graph) */
	size_t *start;	/* edges of proc i: succ[start[i] .. start[i + 1]) */
	size_t *succ;
	size_t nsucc, capsucc;
};

static void
graph_edge(struct diag_graph *g, size_t to)
{
	if (g->nsucc == g->capsucc) {
		g->capsucc = g->capsucc ? g->capsucc * 2 : 16;
		g->succ = xreallocarray(g->succ, g->capsucc, sizeof *g->succ);
	}
	g->succ[g->nsucc++] = to;
}

/* Edges to the live holders of ends other than self, each once. */
static void
graph_ends(struct diag_graph *g, const struct snapshot *s,
    const struct snap_proc *self, const struct snap_end *ends, size_t n,
    size_t first)
{
	for (size_t i = 0; i < n; i++) {
		const struct snap_proc *q = diag_live_proc(s, ends[i].pid);
		bool dup = false;

		if (q == NULL || q == self)
			continue;
		for (size_t k = first; k < g->nsucc; k++)
			dup = dup || g->succ[k] == diag_proc_index(s, q);
		if (!dup)
			graph_edge(g, diag_proc_index(s, q));
	}
}

/*
 * Whom p waits for: a blocked writer for the readers of its pipe, a blocked
 * reader for the other holders of a write end, a waiting parent for its
 * children.  A stopped process waits for no one: it is not stuck on the
 * others, only on a SIGCONT (which the stopped diagnosis asks for).
 */
static void
graph_add_proc(struct diag_graph *g, const struct snapshot *s, size_t i)
{
	const struct snap_proc *p = &s->procs[i];
	const struct snap_pipe *pp;
	size_t first = g->nsucc;

	if ((pp = diag_blocked_pipe(s, p, SNAP_BLOCK_WRITE)) != NULL) {
		/* An empty pipe cannot hold up a writer: a stale view. */
		if (pp->fill == 0)
			return;
		graph_ends(g, s, p, pp->readers, pp->nreaders, first);
	} else if ((pp = diag_blocked_pipe(s, p, SNAP_BLOCK_READ)) != NULL) {
		if (pp->fill > 0)
			return;
		graph_ends(g, s, p, pp->writers, pp->nwriters, first);
	} else if (diag_proc_is_blocked(p, SNAP_BLOCK_WAIT)) {
		for (size_t j = 0; j < s->nprocs; j++) {
			const struct snap_proc *q = &s->procs[j];

			if (q->ppid == p->pid && j != i &&
			    !snapshot_proc_gone(q))
				graph_edge(g, j);
		}
	} else
		return;
	g->blocked[i] = true;
}

static void
graph_build(struct diag_graph *g, const struct snapshot *s)
{
	g->blocked = xcalloc(s->nprocs + 1, sizeof *g->blocked);
	g->start = xcalloc(s->nprocs + 1, sizeof *g->start);
	for (size_t i = 0; i < s->nprocs; i++) {
		g->start[i] = g->nsucc;
		graph_add_proc(g, s, i);
	}
	g->start[s->nprocs] = g->nsucc;
}

static void
graph_free(struct diag_graph *g)
{
	free(g->blocked);
	free(g->start);
	free(g->succ);
}

/*
 * The union of all knots: blocked processes that wait only for blocked
 * processes of the same set.  Someone outside (or running) could still
 * unblock a member, so members with such an edge leave until none does.
 * A process that waits for no one at all is stuck alone (eof_held), not
 * deadlocked with others.
 */
static void
graph_knots(const struct diag_graph *g, size_t n, bool *in)
{
	bool changed;

	for (size_t i = 0; i < n; i++)
		in[i] = g->blocked[i] && g->start[i + 1] > g->start[i];
	do {
		changed = false;
		for (size_t i = 0; i < n; i++) {
			for (size_t k = g->start[i]; in[i] &&
			    k < g->start[i + 1]; k++) {
				if (!in[g->succ[k]]) {
					in[i] = false;
					changed = true;
				}
			}
		}
	} while (changed);
}

static size_t
uf_find(size_t *parent, size_t i)
{
	while (parent[i] != i)
		i = parent[i] = parent[parent[i]];
	return i;
}

/* The process i and the ones it waits for, "X (pid N) waits to ... by Y". */
static void
msg_wait_clause(struct diag_ctx *c, const struct diag_graph *g, size_t i,
    size_t last)
{
	const struct snapshot *s = c->s;
	const struct snap_proc *p = &s->procs[i];
	const struct snap_pipe *pp;
	size_t n = g->start[i + 1] - g->start[i], k = 0;

	if ((pp = diag_blocked_pipe(s, p, SNAP_BLOCK_WRITE)) != NULL ||
	    (pp = diag_blocked_pipe(s, p, SNAP_BLOCK_READ)) != NULL) {
		bool w = p->blocked.op == SNAP_BLOCK_WRITE;

		diag_msg_printf(&c->msg, "waits to %s ", w ? "write" : "read");
		diag_msg_pipe_name(&c->msg, pp);
		diag_msg_printf(&c->msg, " %s by ", w ? "read" : "written");
	} else
		diag_msg_printf(&c->msg, "waits for its %s ",
		    n == 1 ? "child" : "children");
	/* The one the sentence goes on with comes last, before "which". */
	for (size_t e = g->start[i]; e < g->start[i + 1]; e++) {
		if (g->succ[e] == last)
			continue;
		diag_msg_printf(&c->msg, "%s", diag_list_sep(k++, n));
		diag_msg_proc(&c->msg, &s->procs[g->succ[e]]);
	}
	if (last != DIAG_NONE) {
		diag_msg_printf(&c->msg, "%s", diag_list_sep(k, n));
		diag_msg_proc(&c->msg, &s->procs[last]);
	}
}

static bool
in_list(const size_t *v, size_t n, size_t x)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i] == x)
			return true;
	}
	return false;
}

/*
 * Name the knot's members along a cycle: start at a process blocked on a
 * pipe, go on to one it waits for that is not named yet (one blocked on a
 * pipe if there is), and stop where all it waits for are named (the cycle
 * closes).  Members off that path
 * (a shell waiting for its child) follow in their own clauses.
 */
static void
deadlock_report(struct diag_ctx *c, const struct diag_graph *g,
    const size_t *members, size_t n)
{
	const struct snapshot *s = c->s;
	size_t *chain = xcalloc(n, sizeof *chain), nchain = 0, cur = members[0];

	for (size_t k = 0; k < n; k++) {
		if (s->procs[members[k]].blocked.op != SNAP_BLOCK_WAIT) {
			cur = members[k];
			break;
		}
	}
	while (cur != DIAG_NONE) {
		size_t next = DIAG_NONE;

		chain[nchain++] = cur;
		/* Along the data first: a waiting shell is a side branch. */
		for (size_t e = g->start[cur]; e < g->start[cur + 1]; e++) {
			size_t j = g->succ[e];

			if (in_list(chain, nchain, j))
				continue;
			if (next == DIAG_NONE || (s->procs[next].blocked.op ==
			    SNAP_BLOCK_WAIT && s->procs[j].blocked.op !=
			    SNAP_BLOCK_WAIT))
				next = j;
		}
		cur = next;
	}
	for (size_t k = 0; k < nchain; k++) {
		size_t next = k + 1 < nchain ? chain[k + 1] : DIAG_NONE;

		if (k == 0)
			diag_msg_proc(&c->msg, &s->procs[chain[k]]);
		else
			diag_msg_printf(&c->msg, ", which");
		diag_msg_printf(&c->msg, " ");
		msg_wait_clause(c, g, chain[k], next);
	}
	for (size_t k = 0; k < n; k++) {
		if (in_list(chain, nchain, members[k]))
			continue;
		diag_msg_printf(&c->msg, ", and ");
		diag_msg_proc(&c->msg, &s->procs[members[k]]);
		diag_msg_printf(&c->msg, " ");
		msg_wait_clause(c, g, members[k], DIAG_NONE);
	}
	diag_msg_printf(&c->msg,
	    "; none of them can go on until one is killed");
	diag_msg_emit(&c->msg, c->s, "deadlock");
	free(chain);
}

/*
 * A member must have been in a knot for a while: the probe reads the
 * processes one after another, so a sample can catch a reader "blocked"
 * an instant before the data that wakes it arrived.
 */
static bool
knot_lasted(const struct diag_ctx *c, const size_t *members, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		const struct diag_hist *h = c->hist[members[k]];

		if (h == NULL || h->knot_samples < DIAG_DEADLOCK_SAMPLES ||
		    c->s->t - h->knot_since <
		    DIAG_DEADLOCK_SHARE * c->d->stuck_seconds)
			return false;
	}
	return true;
}

void
diag_deadlocks(struct diag_ctx *c)
{
	const struct snapshot *s = c->s;
	size_t n = s->nprocs, *parent, *members, nmembers;
	struct diag_graph g = { 0 };
	bool *in;

	graph_build(&g, s);
	in = xcalloc(n + 1, sizeof *in);
	parent = xcalloc(n + 1, sizeof *parent);
	members = xcalloc(n + 1, sizeof *members);
	graph_knots(&g, n, in);
	for (size_t i = 0; i < n; i++) {
		struct diag_hist *h = c->hist[i];

		parent[i] = i;
		if (h == NULL)
			continue;
		if (!in[i])
			h->knot_samples = 0;
		else if (h->knot_samples++ == 0)
			h->knot_since = s->t;
	}
	/* Knots that share no edge are separate deadlocks. */
	for (size_t i = 0; i < n; i++) {
		for (size_t e = g.start[i]; in[i] && e < g.start[i + 1]; e++)
			parent[uf_find(parent, i)] = uf_find(parent, g.succ[e]);
	}
	for (size_t i = 0; i < n; i++) {
		if (!in[i] || uf_find(parent, i) != i)
			continue;
		nmembers = 0;
		for (size_t j = 0; j < n; j++) {
			if (in[j] && uf_find(parent, j) == i)
				members[nmembers++] = j;
		}
		if (!knot_lasted(c, members, nmembers))
			continue;
		deadlock_report(c, &g, members, nmembers);
		for (size_t k = 0; k < nmembers; k++)
			c->deadlocked[members[k]] = true;
	}
	free(members);
	free(parent);
	free(in);
	graph_free(&g);
}
