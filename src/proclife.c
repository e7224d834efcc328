/* proclife.c - observed processes' lives from process events; pure. */
#include "pipeviz/proclife.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "pipeviz/util.h"

/* Processes that ended recently, so a sample read before their exit
 * does not bring them back. */
#define PROCLIFE_GONE 1024

struct proclife_node {
	struct proclife_rec rec; /* first: a rec is its node */
	struct proclife_node *next;	/* in its hash bucket */
	struct proclife_node *next_ended; /* in the queue of ended ones */
	bool ended_queued;
};

struct proclife_gone {
	pid_t pid;
	uint64_t start_ticks;
};

struct proclife {
	double t0;
	struct proclife_node **bucket;
	size_t nbuckets, nrecs, nlive;
	struct proclife_node *ended_head, *ended_tail;
	/* Events about processes not observed (yet), oldest first. */
	struct procevent ring[PROCLIFE_RING];
	size_t ring_head, ring_n;
	uint64_t now_ns; /* the newest event's time stamp */
	struct proclife_gone gone[PROCLIFE_GONE];
	size_t gone_next;
	bool created;
	struct proclife_stats stats;
	/* Pids whose record may need a read, oldest first (some stale). */
	pid_t *unread;
	size_t nunread, unread_cap;
};

static char *const proclife_no_argv[] = { NULL };

struct proclife *
proclife_create(double t0)
{
	struct proclife *pl = xcalloc(1, sizeof *pl);

	pl->t0 = t0;
	pl->nbuckets = 1024;
	pl->bucket = xcalloc(pl->nbuckets, sizeof *pl->bucket);
	return pl;
}

void
proclife_rec_free(struct proclife_rec *rec)
{
	if (rec == NULL)
		return;
	free(rec->argv);
	free(rec);
}

void
proclife_free(struct proclife *pl)
{
	if (pl == NULL)
		return;
	for (size_t i = 0; i < pl->nbuckets; i++) {
		struct proclife_node *n = pl->bucket[i], *next;

		for (; n != NULL; n = next) {
			next = n->next;
			proclife_rec_free(&n->rec);
		}
	}
	free(pl->bucket);
	free(pl->unread);
	free(pl);
}

/* rec needs a read now: queue its pid (once while it waits). */
static void
proclife_want_read(struct proclife *pl, struct proclife_rec *rec, bool argv)
{
	bool queued = rec->need_stat || rec->need_argv;

	rec->need_stat = true;
	rec->need_argv |= argv;
	if (queued)
		return;
	if (pl->nunread == pl->unread_cap) {
		pl->unread_cap = pl->unread_cap ? pl->unread_cap * 2 : 64;
		pl->unread = xreallocarray(pl->unread, pl->unread_cap,
		    sizeof *pl->unread);
	}
	pl->unread[pl->nunread++] = rec->pid;
}

static size_t
proclife_hash(const struct proclife *pl, pid_t pid)
{
	return ((size_t)pid * 2654435761u) & (pl->nbuckets - 1);
}

struct proclife_rec *
proclife_find(const struct proclife *pl, pid_t pid)
{
	struct proclife_node *n = pl->bucket[proclife_hash(pl, pid)];

	while (n != NULL && n->rec.pid != pid)
		n = n->next;
	return n != NULL ? &n->rec : NULL;
}

/* Copy a NULL-terminated vector into one block (snapshot_proc_set_argv's way). */
static char **
proclife_argv_copy(char *const *argv)
{
	size_t n = 0, bytes = 0;
	char **out, *text;

	for (; argv != NULL && argv[n] != NULL; n++)
		bytes += strlen(argv[n]) + 1;
	out = xmalloc((n + 1) * sizeof *out + bytes);
	text = (char *)(out + n + 1);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(argv[i]) + 1;

		memcpy(text, argv[i], len);
		out[i] = text;
		text += len;
	}
	out[n] = NULL;
	return out;
}

static void
proclife_grow(struct proclife *pl)
{
	size_t old = pl->nbuckets;
	struct proclife_node **b = pl->bucket;

	pl->nbuckets *= 2;
	pl->bucket = xcalloc(pl->nbuckets, sizeof *pl->bucket);
	for (size_t i = 0; i < old; i++) {
		struct proclife_node *n = b[i], *next;

		for (; n != NULL; n = next) {
			size_t h = proclife_hash(pl, n->rec.pid);

			next = n->next;
			n->next = pl->bucket[h];
			pl->bucket[h] = n;
		}
	}
	free(b);
}

/* A new record for pid (none must exist), or NULL past PROCLIFE_MAX. */
static struct proclife_rec *
proclife_add(struct proclife *pl, pid_t pid, pid_t ppid, int stage)
{
	struct proclife_node *n;
	size_t h;

	if (pl->nlive >= PROCLIFE_MAX)
		return NULL;
	if (pl->nrecs + 1 > pl->nbuckets)
		proclife_grow(pl);
	n = xcalloc(1, sizeof *n);
	n->rec.pid = pid;
	n->rec.ppid = ppid;
	n->rec.stage = stage;
	n->rec.argv = proclife_argv_copy(proclife_no_argv);
	n->rec.began = n->rec.exec_t = n->rec.ended = -1;
	h = proclife_hash(pl, pid);
	n->next = pl->bucket[h];
	pl->bucket[h] = n;
	pl->nrecs++;
	pl->nlive++;
	pl->stats.observed++;
	return &n->rec;
}

/* End a live record at t; queue it for proclife_take_ended(). */
static void
proclife_end(struct proclife *pl, struct proclife_rec *rec, double t,
    bool known, int status)
{
	struct proclife_node *n = (struct proclife_node *)rec;

	if (rec->ended >= 0)
		return;
	rec->ended = t;
	rec->exit.exited = true;
	rec->exit.t = t;
	rec->status_known = known;
	rec->need_stat = rec->need_argv = false;
	if (known && WIFSIGNALED(status))
		rec->exit.signal = WTERMSIG(status);
	else if (known)
		rec->exit.code = WEXITSTATUS(status);
	pl->nlive--;
	pl->stats.ended++;
	if (n->ended_queued)
		return;
	n->ended_queued = true;
	if (pl->ended_tail != NULL)
		pl->ended_tail->next_ended = n;
	else
		pl->ended_head = n;
	pl->ended_tail = n;
}

/* Take rec out of the table (it stays allocated). */
static void
proclife_unlink(struct proclife *pl, struct proclife_rec *rec)
{
	struct proclife_node **p = &pl->bucket[proclife_hash(pl, rec->pid)];

	while (*p != NULL && &(*p)->rec != rec)
		p = &(*p)->next;
	if (*p != NULL) {
		*p = (*p)->next;
		pl->nrecs--;
	}
}

double
proclife_event_t(const struct proclife *pl, const struct procevent *e)
{
	return (double)e->ns / 1e9 - pl->t0;
}

static void proclife_replay(struct proclife *, pid_t);

/* A record made by an event: an observed parent forked it. */
static void
proclife_forked(struct proclife *pl, const struct proclife_rec *parent,
    const struct procevent *e)
{
	struct proclife_rec *old = proclife_find(pl, e->tgid), *rec;
	int stage = parent->stage;
	double t = proclife_event_t(pl, e);
	char **argv = proclife_argv_copy(parent->argv);
	char comm[sizeof parent->comm];

	memcpy(comm, parent->comm, sizeof comm);
	/*
	 * A sample read it before its fork was told (both race on two
	 * CPUs): the same process, whose fork is known now.
	 */
	if (old != NULL && old->ended < 0 && old->began < 0 && !old->is_stage) {
		free(argv);
		old->began = t;
		old->ppid = e->ptgid;
		if (old->stage < 0)
			old->stage = stage;
		return;
	}
	/* A pid given out again: the process we knew by it is gone. */
	if (old != NULL && old->ended < 0)
		proclife_end(pl, old, t, false, 0);
	if (old != NULL) {
		proclife_unlink(pl, old);
		/* Still queued: its node is freed when it is taken. */
		if (!((struct proclife_node *)old)->ended_queued)
			proclife_rec_free(old);
		else
			((struct proclife_node *)old)->next = NULL;
	}
	if ((rec = proclife_add(pl, e->tgid, e->ptgid, stage)) == NULL) {
		free(argv);
		return;
	}
	free(rec->argv);
	rec->argv = argv;
	memcpy(rec->comm, comm, sizeof rec->comm);
	rec->began = t;
	proclife_want_read(pl, rec, false);
	proclife_replay(pl, rec->pid);
}

/* One event about an observed process: true when it was one. */
static bool
proclife_one(struct proclife *pl, const struct procevent *e)
{
	struct proclife_rec *rec;

	switch (e->kind) {
	case PROCEVENT_FORK:
		if (e->pid != e->tgid) /* a thread */
			return true;
		rec = proclife_find(pl, e->ptgid);
		if (rec == NULL || rec->ended >= 0)
			return false;
		proclife_forked(pl, rec, e);
		return true;
	case PROCEVENT_EXEC:
		rec = proclife_find(pl, e->tgid);
		if (rec == NULL || rec->ended >= 0)
			return false;
		rec->exec_t = proclife_event_t(pl, e);
		proclife_want_read(pl, rec, true);
		return true;
	case PROCEVENT_COMM:
		/*
		 * Its name, from the kernel at its exec (before the exec
		 * event): known even when it is gone before its /proc is read.
		 */
		if (e->pid != e->tgid) /* a thread named itself */
			return true;
		rec = proclife_find(pl, e->tgid);
		if (rec == NULL || rec->ended >= 0)
			return false;
		snprintf(rec->comm, sizeof rec->comm, "%s", e->comm);
		return true;
	case PROCEVENT_EXIT:
		if (e->pid != e->tgid) /* a thread */
			return true;
		rec = proclife_find(pl, e->tgid);
		if (rec == NULL || rec->ended >= 0)
			return false;
		proclife_end(pl, rec, proclife_event_t(pl, e), true, e->status);
		return true;
	case PROCEVENT_ACK:
	case PROCEVENT_OTHER:
		break;
	}
	return true;
}

/* Whether ring event e is about pid, newly observed. */
static bool
proclife_ring_about(const struct procevent *e, pid_t pid)
{
	if (e->kind == PROCEVENT_FORK)
		return e->ptgid == pid;
	return (e->kind == PROCEVENT_EXEC || e->kind == PROCEVENT_EXIT ||
	    e->kind == PROCEVENT_COMM) && e->tgid == pid;
}

/* What the ring holds about pid, now that it is observed, in order. */
static void
proclife_replay(struct proclife *pl, pid_t pid)
{
	for (size_t i = 0; i < pl->ring_n; i++) {
		struct procevent *e =
		    &pl->ring[(pl->ring_head + i) % PROCLIFE_RING];

		if (!proclife_ring_about(e, pid) ||
		    pl->now_ns - e->ns > (uint64_t)(PROCLIFE_RING_SECONDS * 1e9))
			continue;
		{
			struct procevent copy = *e;

			e->kind = PROCEVENT_OTHER; /* used */
			proclife_one(pl, &copy);
		}
	}
}

static void
proclife_ring_push(struct proclife *pl, const struct procevent *e)
{
	size_t at;

	/* Only what a later observation can need. */
	if (e->kind != PROCEVENT_FORK && e->kind != PROCEVENT_EXEC &&
	    e->kind != PROCEVENT_EXIT && e->kind != PROCEVENT_COMM)
		return;
	if (pl->ring_n == PROCLIFE_RING) {
		pl->ring_head = (pl->ring_head + 1) % PROCLIFE_RING;
		pl->ring_n--;
	}
	at = (pl->ring_head + pl->ring_n) % PROCLIFE_RING;
	pl->ring[at] = *e;
	pl->ring_n++;
}

void
proclife_apply(struct proclife *pl, const struct procevent *ev, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct procevent *e = &ev[i];

		if (e->kind == PROCEVENT_ACK)
			continue;
		pl->stats.events++;
		if (e->ns > pl->now_ns)
			pl->now_ns = e->ns;
		if (e->kind == PROCEVENT_FORK && e->pid == e->tgid)
			pl->created = true;
		if (!proclife_one(pl, e))
			proclife_ring_push(pl, e);
	}
}

struct proclife_rec *
proclife_track(struct proclife *pl, pid_t pid, pid_t ppid, int stage,
    bool is_stage)
{
	struct proclife_rec *rec = proclife_find(pl, pid);

	if (rec != NULL && rec->ended < 0)
		return rec;
	if (rec != NULL) {
		proclife_unlink(pl, rec);
		if (!((struct proclife_node *)rec)->ended_queued)
			proclife_rec_free(rec);
	}
	if ((rec = proclife_add(pl, pid, ppid, stage)) == NULL)
		return NULL;
	rec->is_stage = is_stage;
	proclife_want_read(pl, rec, false);
	proclife_replay(pl, pid);
	return rec;
}

struct proclife_rec *
proclife_next_unread(struct proclife *pl, bool *argv)
{
	while (pl->nunread > 0) {
		pid_t pid = pl->unread[--pl->nunread];
		struct proclife_rec *rec = proclife_find(pl, pid);

		/* Ended or replaced meanwhile: nothing to read of it. */
		if (rec == NULL || (!rec->need_stat && !rec->need_argv))
			continue;
		*argv = rec->need_argv;
		rec->need_stat = rec->need_argv = false;
		return rec;
	}
	return NULL;
}

void
proclife_learn(struct proclife *pl, struct proclife_rec *rec,
    const struct snap_proc *p)
{
	(void)pl;
	if (p->pid != rec->pid)
		return;
	rec->ppid = p->ppid;
	if (p->start_ticks != 0)
		rec->start_ticks = p->start_ticks;
	if (p->comm[0] != '\0')
		memcpy(rec->comm, p->comm, sizeof rec->comm);
	if (p->argv != NULL && p->argv[0] != NULL) {
		free(rec->argv);
		rec->argv = proclife_argv_copy(p->argv);
	}
}

static bool
proclife_recently_gone(const struct proclife *pl, pid_t pid, uint64_t start)
{
	for (size_t i = 0; i < PROCLIFE_GONE; i++) {
		if (pl->gone[i].pid == pid && pl->gone[i].start_ticks == start)
			return true;
	}
	return false;
}

void
proclife_saw(struct proclife *pl, const struct snapshot *s)
{
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *p = &s->procs[i];
		struct proclife_rec *rec = proclife_find(pl, p->pid);
		bool dead = p->exit.exited || p->state == 'Z' ||
		    p->state == 'X';

		if (rec != NULL && rec->ended < 0 && rec->start_ticks != 0 &&
		    p->start_ticks != 0 && rec->start_ticks != p->start_ticks) {
			/* A pid given out again, its exit missed. */
			proclife_end(pl, rec, s->t, false, 0);
			rec = NULL;
		} else if (rec != NULL && (rec->ended < 0 || rec->start_ticks ==
		    p->start_ticks)) {
			rec->sampled = true;
			if (rec->stage < 0)
				rec->stage = p->stage;
			if (rec->start_ticks == 0 || rec->comm[0] == '\0')
				proclife_learn(pl, rec, p);
			continue;
		}
		if (dead || p->start_ticks == 0 ||
		    proclife_recently_gone(pl, p->pid, p->start_ticks))
			continue;
		if (rec != NULL && rec->ended >= 0)
			continue; /* queued; it is taken before a new one */
		if ((rec = proclife_track(pl, p->pid, p->ppid, p->stage,
		    false)) == NULL)
			continue;
		rec->sampled = true;
		rec->need_stat = false;
		proclife_learn(pl, rec, p);
	}
}

struct proclife_rec *
proclife_take_ended(struct proclife *pl)
{
	struct proclife_node *n = pl->ended_head;

	if (n == NULL)
		return NULL;
	pl->ended_head = n->next_ended;
	if (pl->ended_head == NULL)
		pl->ended_tail = NULL;
	n->next_ended = NULL;
	/* Unlinked unless a newer process took its pid meanwhile. */
	if (proclife_find(pl, n->rec.pid) == &n->rec)
		proclife_unlink(pl, &n->rec);
	pl->gone[pl->gone_next].pid = n->rec.pid;
	pl->gone[pl->gone_next].start_ticks = n->rec.start_ticks;
	pl->gone_next = (pl->gone_next + 1) % PROCLIFE_GONE;
	return &n->rec;
}

size_t
proclife_live(const struct proclife *pl, pid_t *out, size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < pl->nbuckets && k < max; i++) {
		for (struct proclife_node *n = pl->bucket[i]; n != NULL &&
		    k < max; n = n->next) {
			if (n->rec.ended < 0)
				out[k++] = n->rec.pid;
		}
	}
	return k;
}

void
proclife_resync(struct proclife *pl, double t,
    bool (*alive)(pid_t, uint64_t, void *), void *arg)
{
	for (size_t i = 0; i < pl->nbuckets; i++) {
		for (struct proclife_node *n = pl->bucket[i]; n != NULL;
		    n = n->next) {
			if (n->rec.ended < 0 &&
			    !alive(n->rec.pid, n->rec.start_ticks, arg))
				proclife_end(pl, &n->rec, t, false, 0);
		}
	}
	pl->ring_n = 0;
}

bool
proclife_created(struct proclife *pl)
{
	bool c = pl->created;

	pl->created = false;
	return c;
}

void
proclife_stats(const struct proclife *pl, struct proclife_stats *st)
{
	*st = pl->stats;
}
