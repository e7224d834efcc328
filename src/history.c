/*
 * history.c - the last minute of each process and channel, in slots, and
 * the run totals the end summary reads (history.h).
 *
 * Records are kept in the order first seen, with an index sorted by key
 * (pid and start time; a channel's inode) rebuilt when records come or
 * go, so that a sample costs a binary search per process and channel.
 */
#include "pipeviz/history.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pipeviz/util.h"

struct history {
	long hz;
	double boot_t0;
	double now;		/* t of the newest sample */
	bool started;		/* a sample was added */
	struct history_proc *procs;
	size_t nprocs;
	size_t *proc_ix;	/* indexes into procs, sorted by (pid, start) */
	size_t nproc_ix;	/* records in the index (new ones come after) */
	bool proc_ix_stale;
	struct history_chan *chans;
	size_t nchans;
	size_t *chan_ix;	/* by inode */
	size_t nchan_ix;
	bool chan_ix_stale;
	/* Processes no sample showed, by stage (history_add_brief()). */
	struct history_brief *briefs;
	size_t nbriefs;
};

/* The slots of a process or channel go when it leaves the picture. */
static void
history_proc_drop(struct history_proc *r)
{
	free(r->slots);
	free(r->counts);
	r->slots = NULL;
	r->counts = NULL;
}

static void
history_chan_drop(struct history_chan *c)
{
	free(c->slots);
	free(c->full);
	c->slots = NULL;
	c->full = NULL;
}

struct history *
history_create(long hz, double boot_t0)
{
	struct history *h = xcalloc(1, sizeof *h);

	h->hz = hz > 0 ? hz : 0;
	h->boot_t0 = boot_t0;
	return h;
}

void
history_free(struct history *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->nprocs; i++)
		history_proc_drop(&h->procs[i]);
	for (size_t i = 0; i < h->nchans; i++)
		history_chan_drop(&h->chans[i]);
	free(h->procs);
	free(h->proc_ix);
	free(h->chans);
	free(h->chan_ix);
	free(h->briefs);
	free(h);
}

double
history_now(const struct history *h)
{
	return h->now;
}

long
history_hz(const struct history *h)
{
	return h->hz;
}

size_t
history_nprocs(const struct history *h)
{
	return h->nprocs;
}

const struct history_proc *
history_proc_at(const struct history *h, size_t i)
{
	return i < h->nprocs ? &h->procs[i] : NULL;
}

size_t
history_nchans(const struct history *h)
{
	return h->nchans;
}

const struct history_chan *
history_chan_at(const struct history *h, size_t i)
{
	return i < h->nchans ? &h->chans[i] : NULL;
}

/* ---- the indexes ---------------------------------------------------- */

/* qsort_r is not C11: the arrays being sorted are passed through here. */
static const struct history *history_sorting;

static int
history_proc_cmp(const void *a, const void *b)
{
	const struct history_proc *x = &history_sorting->procs[*(const size_t *)a];
	const struct history_proc *y = &history_sorting->procs[*(const size_t *)b];

	if (x->pid != y->pid)
		return (x->pid > y->pid) - (x->pid < y->pid);
	return (x->start_ticks > y->start_ticks) - (x->start_ticks < y->start_ticks);
}

static int
history_chan_cmp(const void *a, const void *b)
{
	uint64_t x = history_sorting->chans[*(const size_t *)a].inode;
	uint64_t y = history_sorting->chans[*(const size_t *)b].inode;

	return (x > y) - (x < y);
}

static void
history_index(struct history *h)
{
	history_sorting = h;
	if (h->proc_ix_stale) {
		h->proc_ix = xreallocarray(h->proc_ix, h->nprocs + 1,
		    sizeof *h->proc_ix);
		for (size_t i = 0; i < h->nprocs; i++)
			h->proc_ix[i] = i;
		qsort(h->proc_ix, h->nprocs, sizeof *h->proc_ix, history_proc_cmp);
		h->nproc_ix = h->nprocs;
		h->proc_ix_stale = false;
	}
	if (h->chan_ix_stale) {
		h->chan_ix = xreallocarray(h->chan_ix, h->nchans + 1,
		    sizeof *h->chan_ix);
		for (size_t i = 0; i < h->nchans; i++)
			h->chan_ix[i] = i;
		qsort(h->chan_ix, h->nchans, sizeof *h->chan_ix, history_chan_cmp);
		h->nchan_ix = h->nchans;
		h->chan_ix_stale = false;
	}
	history_sorting = NULL;
}

static long
history_proc_slot(const struct history *h, pid_t pid, uint64_t start)
{
	size_t lo = 0, hi = h->nproc_ix;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct history_proc *r = &h->procs[h->proc_ix[mid]];

		if (r->pid < pid || (r->pid == pid && r->start_ticks < start))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < h->nproc_ix) {
		const struct history_proc *r = &h->procs[h->proc_ix[lo]];

		if (r->pid == pid && r->start_ticks == start)
			return (long)h->proc_ix[lo];
	}
	return -1;
}

static long
history_chan_slot(const struct history *h, uint64_t inode)
{
	size_t lo = 0, hi = h->nchan_ix;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (h->chans[h->chan_ix[mid]].inode < inode)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < h->nchan_ix && h->chans[h->chan_ix[lo]].inode == inode)
		return (long)h->chan_ix[lo];
	return -1;
}

const struct history_proc *
history_find_proc(const struct history *h, pid_t pid, uint64_t start_ticks)
{
	long i;

	/* Lookups between samples: the index is current after each add. */
	if (h->proc_ix_stale)
		return NULL;
	i = history_proc_slot(h, pid, start_ticks);
	return i >= 0 ? &h->procs[i] : NULL;
}

const struct history_chan *
history_find_chan(const struct history *h, uint64_t inode)
{
	long i;

	if (h->chan_ix_stale)
		return NULL;
	i = history_chan_slot(h, inode);
	return i >= 0 ? &h->chans[i] : NULL;
}

/* ---- one sample ------------------------------------------------------ */

/*
 * What the diagram's state word says, in the timeline's terms: the style
 * layout_state_word() gives, decided the same way (exited; stopped;
 * running; a write: BLOCKED when stuck waiting for room, else waiting;
 * a read, open or poll: waiting; else asleep), with the channel a writer
 * waits on found through the sample's index rather than a scan.
 */
static enum history_state
history_state_of(const struct snap_proc *p, const struct snap_pipe *waited)
{
	if (p->exit.exited || p->state == 'Z' || p->state == 'X')
		return HISTORY_EXITED;
	switch (p->state) {
	case 'T':
	case 't':
		return HISTORY_STOPPED;
	case 'R':
		return HISTORY_RUNNING;
	}
	switch (p->blocked.op) {
	case SNAP_BLOCK_WRITE:
		return p->stuck && snapshot_proc_waits_room(p, waited) ?
		    HISTORY_BLOCKED : HISTORY_WAITING;
	case SNAP_BLOCK_READ:
	case SNAP_BLOCK_OPEN:
	case SNAP_BLOCK_POLL:
		return HISTORY_WAITING;
	case SNAP_BLOCK_WAIT:
	case SNAP_BLOCK_NONE:
		break;
	}
	return HISTORY_SLEEPING;
}

static long
history_slot_of(double t)
{
	return t > 0 ? (long)floor(t / HISTORY_SLOT_SECONDS) : 0;
}

/*
 * Slot k becomes the newest of a ring whose newest was last: the slots
 * from *from up to k must be set anew (those before k are the gap between
 * two samples).  Returns false when k is the newest already.
 */
static bool
history_gap(long last, long k, long *from)
{
	if (last >= 0 && k <= last)
		return false;
	*from = last >= 0 ? last + 1 : k;
	if (k - *from >= HISTORY_SLOTS)
		*from = k - HISTORY_SLOTS + 1;
	return true;
}

static void
history_side_add(struct history_side *side, uint64_t chan)
{
	if (chan == 0) {
		side->other = true;
		return;
	}
	for (size_t i = 0; i < side->nchans; i++) {
		if (side->chans[i] == chan)
			return;
	}
	if (side->nchans < HISTORY_MAX_CHANS)
		side->chans[side->nchans++] = chan;
	else
		side->other = true;
}

static bool
history_side_has(const struct history_side *side, uint64_t chan)
{
	for (size_t i = 0; i < side->nchans; i++) {
		if (side->chans[i] == chan)
			return true;
	}
	return false;
}

static bool
history_side_shared(const struct history_side *side)
{
	return side->other || side->nchans > 1;
}

/* The sample's channels by inode, for the one a writer waits on. */
static const struct snapshot *history_sorting_sample;

static int
history_sample_cmp(const void *a, const void *b)
{
	uint64_t x = history_sorting_sample->pipes[*(const size_t *)a].inode;
	uint64_t y = history_sorting_sample->pipes[*(const size_t *)b].inode;

	return (x > y) - (x < y);
}

static size_t *
history_sample_index(const struct snapshot *s)
{
	size_t *ix = xreallocarray(NULL, s->npipes + 1, sizeof *ix);

	for (size_t i = 0; i < s->npipes; i++)
		ix[i] = i;
	history_sorting_sample = s;
	qsort(ix, s->npipes, sizeof *ix, history_sample_cmp);
	history_sorting_sample = NULL;
	return ix;
}

static const struct snap_pipe *
history_sample_chan(const struct snapshot *s, const size_t *ix,
    uint64_t inode)
{
	size_t lo = 0, hi = s->npipes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->pipes[ix[mid]].inode < inode)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->npipes && s->pipes[ix[lo]].inode == inode ?
	    &s->pipes[ix[lo]] : NULL;
}

/* The stray pipes (snapshot.h) of a sample by inode, sorted: few, if any. */
struct history_strays {
	uint64_t *inode;
	size_t n;
};

static int
history_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static void
history_strays_of(const struct snapshot *s, struct history_strays *st)
{
	st->n = 0;
	st->inode = xreallocarray(NULL, s->npipes + 1, sizeof *st->inode);
	for (size_t i = 0; i < s->npipes; i++) {
		if (s->pipes[i].stray && s->pipes[i].kind == SNAP_FD_PIPE)
			st->inode[st->n++] = s->pipes[i].inode;
	}
	qsort(st->inode, st->n, sizeof *st->inode, history_u64_cmp);
}

static bool
history_stray(const struct history_strays *st, const struct snap_fd *f)
{
	return f->kind == SNAP_FD_PIPE && st->n > 0 && bsearch(&f->inode,
	    st->inode, st->n, sizeof *st->inode, history_u64_cmp) != NULL;
}

/* A read end of /dev/null: it never gives a byte (rchar does not move). */
static bool
history_reads_nothing(const struct snap_fd *f)
{
	return f->kind == SNAP_FD_DEV && f->path != NULL &&
	    strcmp(f->path, "/dev/null") == 0;
}

/*
 * The channels p moves bytes through, by the rule of a channel's rate
 * (rates.c): every fd it may write (read) through, stderr aside, stray
 * pipes aside.  Two refinements for a count over the whole run: a read
 * end of /dev/null reads nothing (a shell often leaves one open), and a
 * terminal on fd 0, 1 or 2 is opened for both (an interactive shell's
 * are) but used one way: 0 is read, 1 written, 2 neither.  Without them
 * no pipe of a pipeline typed at a terminal would have a count.
 */
static void
history_sides(const struct snapshot *s, const struct history_strays *st,
    const struct snap_proc *p, struct history_proc *r)
{
	for (size_t i = 0; i < p->nfds; i++) {
		const struct snap_fd *f = &p->fds[i];
		bool w = f->mode == SNAP_MODE_W || f->mode == SNAP_MODE_RW;
		bool rd = f->mode == SNAP_MODE_R || f->mode == SNAP_MODE_RW;

		if (history_stray(st, f) || f->fd == 2)
			continue;
		if (f->kind == SNAP_FD_TTY && f->fd <= 1) {
			w = w && f->fd == 1;
			rd = rd && f->fd == 0;
		}
		if (w)
			history_side_add(&r->writes, snapshot_fd_channel(s, f, false));
		if (rd && !history_reads_nothing(f))
			history_side_add(&r->reads, snapshot_fd_channel(s, f, true));
	}
}

/*
 * The record of p, made if it is new.  Records made during this sample
 * are not in the index yet: they are looked for from first_new on.
 */
static struct history_proc *
history_proc_get(struct history *h, const struct snap_proc *p, double t,
    size_t first_new)
{
	long i = history_proc_slot(h, p->pid, p->start_ticks);
	struct history_proc *r;

	if (i >= 0)
		return &h->procs[i];
	for (size_t j = first_new; j < h->nprocs; j++) {
		if (h->procs[j].pid == p->pid &&
		    h->procs[j].start_ticks == p->start_ticks)
			return &h->procs[j];
	}
	h->procs = xreallocarray(h->procs, h->nprocs + 1, sizeof *h->procs);
	r = &h->procs[h->nprocs++];
	memset(r, 0, sizeof *r);
	r->pid = p->pid;
	r->start_ticks = p->start_ticks;
	r->first_t = t;
	r->start_t = t;
	if (p->start_ticks > 0 && h->boot_t0 >= 0 && h->hz > 0) {
		double st = (double)p->start_ticks / (double)h->hz - h->boot_t0;

		/* Started before the session (attach) or just before it. */
		if (st < t)
			r->start_t = st;
	}
	r->last_slot = -1;
	h->proc_ix_stale = true;
	return r;
}

static struct history_chan *
history_chan_get(struct history *h, const struct snap_pipe *pp, double t,
    size_t first_new)
{
	long i = history_chan_slot(h, pp->inode);
	struct history_chan *c;

	if (i >= 0)
		return &h->chans[i];
	for (size_t j = first_new; j < h->nchans; j++) {
		if (h->chans[j].inode == pp->inode)
			return &h->chans[j];
	}
	h->chans = xreallocarray(h->chans, h->nchans + 1, sizeof *h->chans);
	c = &h->chans[h->nchans++];
	memset(c, 0, sizeof *c);
	c->kind = pp->kind;
	c->inode = pp->inode;
	c->first_t = t;
	c->span_start = 0;
	c->span_end = -1;
	c->last_slot = -1;
	h->chan_ix_stale = true;
	return c;
}

/*
 * A process's slots, a byte each: (samples << 3) | state, 0 for none.
 * Most slots of most processes see one state (an idle stage waits all
 * minute), so that is the whole of them; counts per state, 7 bytes a
 * slot, are kept only while a slot of the ring saw two states (or more
 * samples than the byte holds).  Both say the same: the column rule of
 * history_proc_states() reads the counts either way.
 */
#define HISTORY_BYTE_MAX 31 /* samples a byte holds: 25 at 100 Hz */

static uint8_t
history_byte(enum history_state st, unsigned n)
{
	return (uint8_t)(n << 3 | (unsigned)st);
}

/* Slot k's counts of each state, whichever way it is kept. */
static void
history_proc_counts(const struct history_proc *r, long k,
    uint8_t n[HISTORY_STATES])
{
	uint8_t b;

	if (r->counts != NULL) {
		memcpy(n, r->counts[k % HISTORY_SLOTS], HISTORY_STATES);
		return;
	}
	memset(n, 0, HISTORY_STATES);
	b = r->slots[k % HISTORY_SLOTS];
	if (b != 0)
		n[b & 7] = (uint8_t)(b >> 3);
}

/* From bytes to counts: a slot is about to see a second state. */
static void
history_proc_widen(struct history_proc *r)
{
	r->counts = xcalloc(HISTORY_SLOTS, sizeof *r->counts);
	for (long j = 0; j < HISTORY_SLOTS; j++) {
		uint8_t b = r->slots[j];

		if (b != 0)
			r->counts[j][b & 7] = (uint8_t)(b >> 3);
	}
}

/*
 * From counts back to bytes, once no slot of the ring (the newest is
 * last_slot) needs them; false if one does after all.
 */
static bool
history_proc_narrow(struct history_proc *r)
{
	uint8_t b[HISTORY_SLOTS];

	for (long j = 0; j < HISTORY_SLOTS; j++) {
		b[j] = 0;
		for (int st = 0; st < HISTORY_STATES; st++) {
			unsigned n = r->counts[j][st];

			if (n == 0)
				continue;
			if (b[j] != 0 || n > HISTORY_BYTE_MAX)
				return false;
			b[j] = history_byte((enum history_state)st, n);
		}
	}
	memcpy(r->slots, b, sizeof b);
	free(r->counts);
	r->counts = NULL;
	return true;
}

/*
 * Count state st in slot k.  The slots between the sample before and
 * this one hold that sample's state when the process was in it too
 * (sampling less often than a slot), else nothing.
 */
static void
history_put_proc(struct history_proc *r, long k, enum history_state st,
    bool held)
{
	long from;
	uint8_t *b;

	if (r->slots == NULL) {
		r->slots = xcalloc(HISTORY_SLOTS, 1);
		r->counts = NULL;
		r->last_slot = -1;
		r->last_mixed = -1;
		held = false;
	}
	if (r->counts != NULL && r->last_slot - r->last_mixed >= HISTORY_SLOTS)
		history_proc_narrow(r);
	if (history_gap(r->last_slot, k, &from)) {
		for (long j = from; j <= k; j++) {
			bool keep = held && j < k;

			if (r->counts != NULL) {
				uint8_t *sl = r->counts[j % HISTORY_SLOTS];

				memset(sl, 0, sizeof r->counts[0]);
				if (keep)
					sl[r->last_state] = 1;
			} else {
				r->slots[j % HISTORY_SLOTS] = keep ?
				    history_byte(r->last_state, 1) : 0;
			}
		}
	}
	b = &r->slots[k % HISTORY_SLOTS];
	if (r->counts == NULL) {
		if (*b == 0)
			*b = history_byte(st, 1);
		else if ((*b & 7) == (uint8_t)st && (*b >> 3) < HISTORY_BYTE_MAX)
			*b = (uint8_t)(*b + (1 << 3));
		else
			history_proc_widen(r);
	}
	if (r->counts != NULL) {
		uint8_t *sl = r->counts[k % HISTORY_SLOTS];
		int states = 0;

		if (sl[st] < UINT8_MAX)
			sl[st]++;
		for (int i = 0; i < HISTORY_STATES; i++)
			states += sl[i] > 0;
		if (states > 1 || sl[st] > HISTORY_BYTE_MAX)
			r->last_mixed = k;
	}
	r->last_slot = k;
	r->last_state = st;
}

/*
 * A channel's slots, a byte each: 1 + the rates it holds (all 0), 0 for a
 * slot never written; the fill of all its samples is c->plain_fill.  That
 * is an idle channel (most of a large pipeline's).  Other samples need
 * full slots (fill, rates and their sum: 8 bytes), kept until the ring
 * holds none of them.
 */
#define HISTORY_CHAN_BYTE_MAX 254

/* Whether one sample's slot value can be told by a byte. */
static bool
history_chan_plain(const struct history_chan_slot *v)
{
	return v->nrates == 0 || v->rate_sum == 0;
}

/*
 * Slot k, whichever way it is kept: 0 is a slot never written (all 0, as
 * full slots are made).  A slot set anew holds -1 as its fill until its
 * first sample, in the same call: a byte never shows that.
 */
static struct history_chan_slot
history_chan_slot_at(const struct history_chan *c, long k)
{
	struct history_chan_slot v = { 0, 0, 0 };
	uint8_t b;

	if (c->full != NULL)
		return c->full[k % HISTORY_SLOTS];
	b = c->slots[k % HISTORY_SLOTS];
	if (b > 0) {
		v.fill_pm = c->plain_fill;
		v.nrates = (uint16_t)(b - 1);
	}
	return v;
}

static void
history_chan_widen(struct history_chan *c)
{
	struct history_chan_slot *full = xreallocarray(NULL, HISTORY_SLOTS,
	    sizeof *full);

	for (long j = 0; j < HISTORY_SLOTS; j++)
		full[j] = history_chan_slot_at(c, j);
	c->full = full;
}

/* Back to bytes if every slot of the ring has the fill of c->last. */
static bool
history_chan_narrow(struct history_chan *c)
{
	uint8_t b[HISTORY_SLOTS];

	for (long j = 0; j < HISTORY_SLOTS; j++) {
		const struct history_chan_slot *sl = &c->full[j];

		if (sl->fill_pm != c->last.fill_pm || sl->rate_sum != 0 ||
		    sl->nrates > HISTORY_CHAN_BYTE_MAX)
			return false;
		b[j] = (uint8_t)(1 + sl->nrates);
	}
	memcpy(c->slots, b, sizeof b);
	c->plain_fill = c->last.fill_pm;
	free(c->full);
	c->full = NULL;
	return true;
}

/* The same for a channel: its largest fill and its rates in slot k. */
static void
history_put_chan(struct history_chan *c, long k, const struct snap_pipe *pp,
    bool held)
{
	static const struct history_chan_slot empty = { -1, 0, 0 };
	struct history_chan_slot v = empty, *sl;
	bool first = c->slots == NULL;
	long from;

	if (pp->capacity > 0 && pp->fill >= 0) {
		double f = (double)pp->fill / (double)pp->capacity;

		v.fill_pm = (int16_t)lround((f > 1 ? 1 : f) * 1000);
	}
	if (pp->rate_bps >= 0) {
		v.nrates = 1;
		v.rate_sum = (float)pp->rate_bps;
	}
	if (first) {
		c->slots = xcalloc(HISTORY_SLOTS, 1);
		c->full = NULL;
		c->plain_fill = v.fill_pm;
		c->last_slot = -1;
		held = false;
	}
	if (first || v.fill_pm != c->last.fill_pm || !history_chan_plain(&v))
		c->last_change = k;
	if (c->full != NULL && c->last_slot - c->last_change >= HISTORY_SLOTS)
		history_chan_narrow(c);
	if (c->full == NULL && (!history_chan_plain(&v) ||
	    v.fill_pm != c->plain_fill))
		history_chan_widen(c);
	if (history_gap(c->last_slot, k, &from)) {
		for (long j = from; j <= k; j++) {
			bool keep = held && j < k;

			if (c->full != NULL)
				c->full[j % HISTORY_SLOTS] = keep ? c->last : empty;
			else
				c->slots[j % HISTORY_SLOTS] = (uint8_t)(1 +
				    (keep ? c->last.nrates : 0));
		}
	}
	if (c->full == NULL && c->slots[k % HISTORY_SLOTS] >
	    HISTORY_CHAN_BYTE_MAX)
		history_chan_widen(c);
	if (c->full == NULL) {
		c->slots[k % HISTORY_SLOTS] += v.nrates;
	} else {
		sl = &c->full[k % HISTORY_SLOTS];
		if (v.fill_pm > sl->fill_pm)
			sl->fill_pm = v.fill_pm;
		if (v.nrates > 0 && sl->nrates < UINT16_MAX) {
			sl->nrates++;
			sl->rate_sum += v.rate_sum;
		}
	}
	c->last = v;
	c->last_slot = k;
}

/* Count r's counters on one side of a channel (h: its stage's briefs). */
static void
history_tally_add(const struct history *h, struct history_tally *t,
    const struct history_proc *r, bool writes)
{
	t->n++;
	t->shared |= history_side_shared(writes ? &r->writes : &r->reads);
	/*
	 * Its stage's processes that no sample showed inherited its fds:
	 * what they moved through them is not counted.
	 */
	if (r->stage >= 0 && history_find_brief(h, r->stage) != NULL)
		t->partial = true;
	if (!r->io_known) {
		t->unknown = true;
		return;
	}
	t->bytes += (double)(writes ? r->wchar : r->rchar);
	/* Out of view and not read at its end: it may have moved more. */
	t->partial |= !r->in_view && !r->io_final;
}

/* Fold a process's totals into its channels' (it is being dropped). */
static void
history_fold(struct history *h, const struct history_proc *r)
{
	for (int side = 0; side < 2; side++) {
		const struct history_side *sd = side == 0 ? &r->writes : &r->reads;

		for (size_t i = 0; i < sd->nchans; i++) {
			long ci = history_chan_slot(h, sd->chans[i]);
			struct history_tally *t;

			if (ci < 0)
				continue;
			t = side == 0 ? &h->chans[ci].gone_w : &h->chans[ci].gone_r;
			history_tally_add(h, t, r, side == 0);
		}
	}
}

/*
 * Keep at most HISTORY_MAX_GONE processes and channels out of view: the
 * ones seen longest ago go (a process's totals folded into its channels').
 */
static void
history_trim(struct history *h)
{
	size_t gone = 0;

	for (size_t i = 0; i < h->nprocs; i++)
		gone += !h->procs[i].in_view;
	while (gone > HISTORY_MAX_GONE) {
		size_t old = h->nprocs;

		for (size_t i = 0; i < h->nprocs; i++) {
			if (!h->procs[i].in_view && (old == h->nprocs ||
			    h->procs[i].last_t < h->procs[old].last_t))
				old = i;
		}
		history_fold(h, &h->procs[old]);
		history_proc_drop(&h->procs[old]);
		memmove(&h->procs[old], &h->procs[old + 1],
		    (h->nprocs - old - 1) * sizeof *h->procs);
		h->nprocs--;
		h->proc_ix_stale = true;
		gone--;
	}
	gone = 0;
	for (size_t i = 0; i < h->nchans; i++)
		gone += !h->chans[i].in_view;
	while (gone > HISTORY_MAX_GONE) {
		size_t old = h->nchans;

		for (size_t i = 0; i < h->nchans; i++) {
			if (!h->chans[i].in_view && (old == h->nchans ||
			    h->chans[i].last_t < h->chans[old].last_t))
				old = i;
		}
		history_chan_drop(&h->chans[old]);
		memmove(&h->chans[old], &h->chans[old + 1],
		    (h->nchans - old - 1) * sizeof *h->chans);
		h->nchans--;
		h->chan_ix_stale = true;
		gone--;
	}
	history_index(h);
}

void
history_add(struct history *h, const struct snapshot *s)
{
	long k = history_slot_of(s->t);
	double dt = h->started ? s->t - h->now : 0;
	bool *was_proc, *was_chan;
	size_t nprocs0, nchans0;
	struct history_strays strays;
	size_t *chans;

	if (h->started && s->t < h->now)
		return;
	history_strays_of(s, &strays);
	chans = history_sample_index(s);
	history_index(h);
	nprocs0 = h->nprocs;
	nchans0 = h->nchans;
	was_proc = xcalloc(h->nprocs + s->nprocs + 1, sizeof *was_proc);
	was_chan = xcalloc(h->nchans + s->npipes + 1, sizeof *was_chan);
	for (size_t i = 0; i < h->nprocs; i++) {
		was_proc[i] = h->procs[i].in_view;
		h->procs[i].in_view = false;
	}
	for (size_t i = 0; i < h->nchans; i++) {
		was_chan[i] = h->chans[i].in_view;
		h->chans[i].in_view = false;
	}
	/* Channels first: processes stretch their channels' spans. */
	for (size_t i = 0; i < s->npipes; i++) {
		const struct snap_pipe *pp = &s->pipes[i];
		struct history_chan *c;
		size_t ci;

		if (pp->stray || pp->inode == 0)
			continue;
		c = history_chan_get(h, pp, s->t, nchans0);
		ci = (size_t)(c - h->chans);
		if (c->in_view)
			continue; /* listed twice (a pipe and a socket alike) */
		history_put_chan(c, k, pp, was_chan[ci]);
		c->in_view = true;
		c->last_t = s->t;
		c->kind = pp->kind;
		if (pp->bytes_exact && pp->bytes >= c->counted) {
			c->counted = pp->bytes;
			c->counted_known = true;
		}
		if (pp->rate_bps >= 0 && dt > 0) {
			c->sampled_bytes += pp->rate_bps * dt;
			c->sampled_for += dt;
			c->sampled = true;
		}
	}
	history_index(h);
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *p = &s->procs[i];
		struct history_proc *r = history_proc_get(h, p, s->t, nprocs0);
		size_t ri = (size_t)(r - h->procs);
		double end;

		if (r->in_view)
			continue;
		r->in_view = true;
		r->stage = p->stage;
		snprintf(r->comm, sizeof r->comm, "%s", snapshot_proc_name(p));
		r->last_t = s->t;
		r->cpu_ticks = p->cpu_ticks;
		if (p->rss_kib > r->max_rss_kib)
			r->max_rss_kib = p->rss_kib;
		/* Counters once read stay: an exited stage keeps its final ones. */
		if (p->io_known) {
			r->rchar = p->rchar;
			r->wchar = p->wchar;
			r->io_known = true;
			/*
			 * A launched stage's, read from its zombie at reaping;
			 * or a zombie sampled (one thread left: it moves no
			 * more bytes).
			 */
			r->io_final |= p->exit.exited ||
			    (p->state == 'Z' && p->nthreads <= 1);
		}
		r->exit = p->exit;
		history_sides(s, &strays, p, r);
		history_put_proc(r, k, history_state_of(p, p->blocked.op ==
		    SNAP_BLOCK_WRITE && p->blocked.pipe != 0 ?
		    history_sample_chan(s, chans, p->blocked.pipe) : NULL),
		    was_proc[ri]);
		end = p->exit.exited && p->exit.t > 0 ? p->exit.t : s->t;
		for (size_t j = 0; j < r->writes.nchans; j++) {
			long ci = history_chan_slot(h, r->writes.chans[j]);
			struct history_chan *c;

			if (ci < 0)
				continue;
			c = &h->chans[ci];
			if (c->span_end < c->span_start || r->start_t < c->span_start)
				c->span_start = r->start_t;
			if (end > c->span_end)
				c->span_end = end;
		}
	}
	/* Out of view: the slots go now, the totals later (history_trim). */
	for (size_t i = 0; i < h->nprocs; i++) {
		if (!h->procs[i].in_view)
			history_proc_drop(&h->procs[i]);
	}
	for (size_t i = 0; i < h->nchans; i++) {
		if (!h->chans[i].in_view)
			history_chan_drop(&h->chans[i]);
	}
	free(was_proc);
	free(was_chan);
	free(strays.inode);
	free(chans);
	h->now = s->t;
	h->started = true;
	history_trim(h);
}

/* The brief lives of one stage (-1: of none), made if new. */
static struct history_brief *
history_brief_get(struct history *h, int stage)
{
	struct history_brief *b;

	for (size_t i = 0; i < h->nbriefs; i++) {
		if (h->briefs[i].stage == stage)
			return &h->briefs[i];
	}
	h->briefs = xreallocarray(h->briefs, h->nbriefs + 1, sizeof *h->briefs);
	b = &h->briefs[h->nbriefs++];
	memset(b, 0, sizeof *b);
	b->stage = stage;
	b->last_slot = -1;
	return b;
}

void
history_final_counters(struct history *h, pid_t pid, uint64_t start_ticks,
    uint64_t rchar, uint64_t wchar)
{
	long i = h->proc_ix_stale ? -1 : history_proc_slot(h, pid, start_ticks);

	if (i < 0)
		return;
	h->procs[i].rchar = rchar;
	h->procs[i].wchar = wchar;
	h->procs[i].io_known = true;
	h->procs[i].io_final = true;
}

void
history_add_brief(struct history *h, int stage, double began, double ended)
{
	struct history_brief *b = history_brief_get(h, stage < 0 ? -1 : stage);
	long k0 = history_slot_of(began >= 0 && began <= ended ? began : ended);
	long k1 = history_slot_of(ended), from;

	b->total++;
	if (history_gap(b->last_slot, k1, &from)) {
		for (long j = from; j <= k1; j++)
			b->slots[j % HISTORY_SLOTS] = 0;
		b->last_slot = k1;
	}
	/* Older than the slots kept: counted in the total only. */
	if (k0 <= b->last_slot - HISTORY_SLOTS)
		k0 = b->last_slot - HISTORY_SLOTS + 1;
	for (long j = k0; j <= k1; j++) {
		if (b->slots[j % HISTORY_SLOTS] < UINT16_MAX)
			b->slots[j % HISTORY_SLOTS]++;
	}
}

const struct history_brief *
history_find_brief(const struct history *h, int stage)
{
	for (size_t i = 0; i < h->nbriefs; i++) {
		if (h->briefs[i].stage == (stage < 0 ? -1 : stage))
			return &h->briefs[i];
	}
	return NULL;
}

/* ---- queries ---------------------------------------------------------- */

void
history_chan_tally(const struct history *h, const struct history_chan *c,
    struct history_tally *w, struct history_tally *r)
{
	*w = c->gone_w;
	*r = c->gone_r;
	for (size_t i = 0; i < h->nprocs; i++) {
		const struct history_proc *p = &h->procs[i];

		for (int side = 0; side < 2; side++) {
			const struct history_side *sd = side == 0 ? &p->writes :
			    &p->reads;
			struct history_tally *t = side == 0 ? w : r;

			if (history_side_has(sd, c->inode))
				history_tally_add(h, t, p, side == 0);
		}
	}
}

/* The slots column c of ncols covers: (t_end - span + c w, ... + w]. */
static void
history_column(double t_end, double span, int c, int ncols, long *k0, long *k1)
{
	double t0 = t_end - span + span * c / ncols;
	double t1 = t_end - span + span * (c + 1) / ncols;

	*k1 = (long)floor(t1 / HISTORY_SLOT_SECONDS);
	*k0 = (long)floor(t0 / HISTORY_SLOT_SECONDS) + 1;
	if (*k0 > *k1)
		*k0 = *k1;
}

/* Whether slot k of a ring whose newest is last still holds slot k. */
static bool
history_slot_valid(long k, long last)
{
	return k >= 0 && k <= last && k > last - HISTORY_SLOTS;
}

void
history_proc_states(const struct history_proc *r, double t_end, double span,
    enum history_state *out, int ncols)
{
	for (int c = 0; c < ncols; c++) {
		unsigned n[HISTORY_STATES] = { 0 };
		enum history_state best = HISTORY_NONE;
		long k0, k1;

		history_column(t_end, span, c, ncols, &k0, &k1);
		for (long k = k0; r->slots != NULL && k <= k1; k++) {
			uint8_t sl[HISTORY_STATES];

			if (!history_slot_valid(k, r->last_slot))
				continue;
			history_proc_counts(r, k, sl);
			for (int st = 0; st < HISTORY_STATES; st++)
				n[st] += sl[st];
		}
		/* A stall, however short, shows: that is what the panel is for. */
		if (n[HISTORY_BLOCKED] > 0)
			best = HISTORY_BLOCKED;
		else if (n[HISTORY_STOPPED] > 0)
			best = HISTORY_STOPPED;
		else {
			for (int st = HISTORY_EXITED; st < HISTORY_STATES; st++) {
				if (n[st] > 0 && n[st] >= n[best])
					best = (enum history_state)st;
			}
		}
		out[c] = best;
	}
}

void
history_chan_series(const struct history_chan *ch, double t_end, double span,
    double *fill, double *rate, int ncols)
{
	for (int c = 0; c < ncols; c++) {
		int best = -1;
		double sum = 0;
		unsigned n = 0;
		long k0, k1;

		history_column(t_end, span, c, ncols, &k0, &k1);
		for (long k = k0; ch->slots != NULL && k <= k1; k++) {
			struct history_chan_slot sl;

			if (!history_slot_valid(k, ch->last_slot))
				continue;
			sl = history_chan_slot_at(ch, k);
			if (sl.fill_pm > best)
				best = sl.fill_pm;
			sum += sl.rate_sum;
			n += sl.nrates;
		}
		fill[c] = best >= 0 ? best / 1000.0 : -1;
		rate[c] = n > 0 ? sum / n : -1;
	}
}

void
history_brief_series(const struct history_brief *b, double t_end, double span,
    double *count, int ncols)
{
	for (int c = 0; c < ncols; c++) {
		unsigned best = 0;
		long k0, k1;

		history_column(t_end, span, c, ncols, &k0, &k1);
		for (long k = k0; k <= k1; k++) {
			if (history_slot_valid(k, b->last_slot) &&
			    b->slots[k % HISTORY_SLOTS] > best)
				best = b->slots[k % HISTORY_SLOTS];
		}
		count[c] = best;
	}
}
