/*
 * test-history.c - the last minute of a run (history.c) and the panel
 * that draws it (timeline.c): slots, columns, gaps, churn, and golden
 * panels in tests/golden/timeline-NAME.txt (PIPEVIZ_GOLDEN_UPDATE=1
 * rewrites them; read the diff before committing it).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "golden.h"

#include "pipeviz/history.h"
#include "pipeviz/layout.h"
#include "pipeviz/snapshot.h"
#include "pipeviz/timeline.h"


static struct snap_proc *
proc(struct snapshot *s, pid_t pid, const char *comm, int stage, char state)
{
	struct snap_proc *p = snapshot_add_proc(s, pid);
	char *argv[] = { (char *)comm, NULL };

	snprintf(p->comm, sizeof p->comm, "%s", comm);
	snapshot_proc_set_argv(p, argv);
	p->ppid = 1;
	p->stage = stage;
	p->state = state;
	p->start_ticks = 1000 + (uint64_t)pid;
	p->io_known = true;
	return p;
}

static void
fd_pipe(struct snap_proc *p, int fd, enum snap_fd_mode mode, uint64_t ino)
{
	snapshot_proc_add_fd(p, fd, mode, SNAP_FD_PIPE, NULL)->inode = ino;
}

static void
fd_path(struct snap_proc *p, int fd, enum snap_fd_mode mode,
    enum snap_fd_kind kind, const char *path)
{
	snapshot_proc_add_fd(p, fd, mode, kind, path);
}

static void
block(struct snap_proc *p, enum snap_block_op op, int fd, uint64_t pipe)
{
	p->blocked.op = op;
	p->blocked.fd = fd;
	p->blocked.pipe = pipe;
}

static struct snap_pipe *
find(struct snapshot *s, uint64_t ino)
{
	struct snap_pipe *pp = snapshot_find_pipe(s, ino);

	assert_non_null(pp);
	return pp;
}

/* One process alone, in state st at time t. */
static struct snapshot *
one(double t, char state, bool stuck_writer)
{
	struct snapshot *s = snapshot_create(t);
	struct snap_proc *p = proc(s, 10, "yes", 0, state);

	fd_path(p, 1, SNAP_MODE_W, SNAP_FD_DEV, "/dev/null");
	if (stuck_writer) {
		fd_pipe(p, 1, SNAP_MODE_W, 7);
		block(p, SNAP_BLOCK_WRITE, 1, 7);
		strcpy(p->wchan, "pipe_wait_writable");
		p->stuck = true;
	}
	snapshot_link_pipes(s);
	return s;
}

static void
states_of(struct history *h, double t_end, double span, int ncols,
    enum history_state *out)
{
	const struct history_proc *r = history_find_proc(h, 10, 1010);

	assert_non_null(r);
	history_proc_states(r, t_end, span, out, ncols);
}

/* A column says BLOCKED if any of its samples was: a short stall shows. */
static void
column_blocked_wins(void **state)
{
	struct history *h = history_create(100, -1);
	enum history_state st[4];

	(void)state;
	/* 4 s in 4 columns of 1 s; samples every 0.1 s. */
	for (int i = 1; i <= 40; i++) {
		struct snapshot *s = one(i / 10.0, i == 25 ? 'S' : 'R', i == 25);

		history_add(h, s);
		snapshot_free(s);
	}
	states_of(h, 4.0, 4.0, 4, st);
	assert_int_equal(st[0], HISTORY_RUNNING);
	assert_int_equal(st[1], HISTORY_RUNNING);
	assert_int_equal(st[2], HISTORY_BLOCKED); /* one sample of ten */
	assert_int_equal(st[3], HISTORY_RUNNING);
	history_free(h);
}

/* Otherwise the state most samples had. */
static void
column_majority(void **state)
{
	struct history *h = history_create(100, -1);
	enum history_state st[2];

	(void)state;
	for (int i = 1; i <= 20; i++) {
		/* Column 0: 7 running, 3 asleep; column 1: 3 running, 7 asleep. */
		char c = i <= 7 || (i > 10 && i <= 13) ? 'R' : 'S';
		struct snapshot *s = one(i / 10.0, c, false);

		history_add(h, s);
		snapshot_free(s);
	}
	states_of(h, 2.0, 2.0, 2, st);
	assert_int_equal(st[0], HISTORY_RUNNING);
	assert_int_equal(st[1], HISTORY_SLEEPING);
	history_free(h);
}

/*
 * Sampling less often than a slot: the slots between two samples hold
 * the earlier one's state, so a 2 s interval draws a continuous row.
 */
static void
slow_sampling_holds(void **state)
{
	struct history *h = history_create(100, -1);
	enum history_state st[40];

	(void)state;
	for (int i = 1; i <= 5; i++) {
		struct snapshot *s = one(i * 2.0, i < 3 ? 'R' : 'T', false);

		history_add(h, s);
		snapshot_free(s);
	}
	/* (0, 10] in 40 columns of one slot (0.25 s) each. */
	states_of(h, 10.0, 10.0, 40, st);
	for (int c = 0; c < 7; c++)
		assert_int_equal(st[c], HISTORY_NONE); /* before the first */
	for (int c = 7; c < 23; c++)
		assert_int_equal(st[c], HISTORY_RUNNING);
	for (int c = 23; c < 40; c++)
		assert_int_equal(st[c], HISTORY_STOPPED);
	history_free(h);
}

/*
 * A process out of view is not held: its absence is blank, and its row's
 * past went with it (the slots are freed at once; the totals stay).
 */
static void
absence_is_blank(void **state)
{
	struct history *h = history_create(100, -1);
	enum history_state st[3];
	const struct history_proc *r;

	(void)state;
	for (int i = 1; i <= 30; i++) {
		struct snapshot *s = i > 10 && i <= 25 ? snapshot_create(i / 10.0) :
		    one(i / 10.0, 'R', false);

		history_add(h, s);
		snapshot_free(s);
		if (i == 15)
			assert_null(history_find_proc(h, 10, 1010)->slots);
	}
	states_of(h, 3.0, 3.0, 3, st);
	assert_int_equal(st[0], HISTORY_NONE);
	assert_int_equal(st[1], HISTORY_NONE);
	assert_int_equal(st[2], HISTORY_RUNNING);
	r = history_find_proc(h, 10, 1010);
	assert_true(r->in_view);
	assert_int_equal(history_nprocs(h), 1);
	history_free(h);
}

/* An older sample than the newest is ignored. */
static void
older_sample_ignored(void **state)
{
	struct history *h = history_create(100, -1);
	struct snapshot *a = one(5, 'R', false), *b = one(4, 'T', false);

	(void)state;
	history_add(h, a);
	history_add(h, b);
	assert_true(history_now(h) == 5);
	assert_int_equal(history_find_proc(h, 10, 1010)->last_state,
	    HISTORY_RUNNING);
	snapshot_free(a);
	snapshot_free(b);
	history_free(h);
}

/*
 * Thousands of short-lived writers into one pipe: the history keeps at
 * most HISTORY_MAX_GONE of them, and what the dropped ones wrote is still
 * counted in the pipe's writers' total.
 */
static void
churn_is_bounded_and_counted(void **state)
{
	struct history *h = history_create(100, -1);
	struct history_tally w, r;
	const struct history_chan *c;

	(void)state;
	for (int i = 0; i < 3000; i++) {
		struct snapshot *s = snapshot_create(0.01 * (i + 1));
		struct snap_proc *sink = proc(s, 5, "cat", 1, 'S');
		struct snap_proc *p = proc(s, 100 + i, "echo", 0, 'R');

		fd_pipe(p, 1, SNAP_MODE_W, 77);
		p->wchar = 10;
		fd_pipe(sink, 0, SNAP_MODE_R, 77);
		fd_path(sink, 1, SNAP_MODE_W, SNAP_FD_TTY, "/dev/pts/0");
		snapshot_link_pipes(s);
		history_add(h, s);
		snapshot_free(s);
	}
	assert_true(history_nprocs(h) <= 2 + HISTORY_MAX_GONE);
	c = history_find_chan(h, 77);
	assert_non_null(c);
	history_chan_tally(h, c, &w, &r);
	assert_int_equal((int)w.n, 3000);
	assert_true(w.bytes == 30000);
	assert_false(w.shared);
	assert_int_equal((int)r.n, 1);
	history_free(h);
}

/* A process's start time comes from its start ticks and the boot clock. */
static void
start_from_ticks(void **state)
{
	/* Ticks at 100 Hz; the session began 20 s after boot. */
	struct history *h = history_create(100, 20.0);
	struct snapshot *s = snapshot_create(1.0);
	struct snap_proc *p = proc(s, 10, "cat", -1, 'S');
	const struct history_proc *r;

	(void)state;
	p->start_ticks = 1500; /* 15 s after boot: 5 s before the session */
	snapshot_link_pipes(s);
	history_add(h, s);
	r = history_find_proc(h, 10, 1500);
	assert_non_null(r);
	assert_true(r->start_t > -5.001 && r->start_t < -4.999);
	assert_true(r->first_t == 1.0);
	snapshot_free(s);
	history_free(h);
}

/* ---- the panel ---------------------------------------------------------- */

static void
check_golden(const char *name, const struct layout *l)
{
	char *text = layout_to_text(l);

	golden_check("timeline", name, text);
	free(text);
}

/*
 * 70 s of yes | tr | sleep, sampled every 0.5 s: yes runs, is held, then
 * BLOCKED from 22 s; tr runs, is stopped from 30 s to 45 s, then waits;
 * sleep sleeps and exits at 60 s.  The first pipe fills in 20 s.
 */
static struct snapshot *
stall_at(double t)
{
	struct snapshot *s = snapshot_create(t);
	struct snap_proc *yes = proc(s, 812, "yes", 0, 'R');
	struct snap_proc *tr = proc(s, 813, "tr", 1, 'R');
	struct snap_proc *sl = proc(s, 814, "sleep", 2, 'S');
	double f1 = t < 20 ? t / 20 : 1, f2 = t < 30 ? t / 30 : 1;

	fd_path(yes, 0, SNAP_MODE_R, SNAP_FD_DEV, "/dev/null");
	fd_pipe(yes, 1, SNAP_MODE_W, 501);
	fd_pipe(tr, 0, SNAP_MODE_R, 501);
	fd_pipe(tr, 1, SNAP_MODE_W, 502);
	fd_pipe(sl, 0, SNAP_MODE_R, 502);
	fd_path(sl, 1, SNAP_MODE_W, SNAP_FD_TTY, "/dev/pts/0");
	if (t >= 20) {
		yes->state = 'S';
		block(yes, SNAP_BLOCK_WRITE, 1, 501);
		strcpy(yes->wchan, "pipe_wait_writable");
		yes->stuck = t >= 22;
	}
	if (t >= 30 && t < 45)
		tr->state = 'T';
	else if (t >= 45) {
		tr->state = 'S';
		block(tr, SNAP_BLOCK_READ, 0, 501);
	}
	if (t >= 60) {
		sl->exit.exited = true;
		sl->exit.t = 60;
		sl->state = 'X';
		snapshot_proc_clear(sl);
		sl->argv = calloc(1, sizeof *sl->argv);
	}
	snapshot_link_pipes(s);
	find(s, 501)->capacity = find(s, 502)->capacity = 65536;
	find(s, 501)->fill = (int64_t)(f1 * 65536);
	find(s, 502)->fill = t >= 45 ? 0 : (int64_t)(f2 * 65536);
	find(s, 501)->rate_bps = t < 20 ? 1048576 : 0;
	find(s, 502)->rate_bps = t < 30 ? 524288 : -1;
	return s;
}

static struct history *
stall_history(struct snapshot **last)
{
	struct history *h = history_create(100, -1);

	*last = NULL;
	for (int i = 1; i <= 140; i++) {
		snapshot_free(*last);
		*last = stall_at(i * 0.5);
		history_add(h, *last);
	}
	return h;
}

static void
timeline_80(void **state)
{
	struct snapshot *s;
	struct history *h = stall_history(&s);
	struct timeline_opts o = { .width = 78, .rows = 20, .utf8 = true,
	    .span = HISTORY_SPAN_SECONDS };
	struct layout *l = timeline_build(h, s, &o);

	(void)state;
	assert_int_equal(timeline_rows(h, s), 6); /* heading, 3 + 2 rows */
	assert_int_equal(l->height, 6);
	check_golden("stall-80", l);
	layout_free(l);
	snapshot_free(s);
	history_free(h);
}

static void
timeline_40_ascii(void **state)
{
	struct snapshot *s;
	struct history *h = stall_history(&s);
	struct timeline_opts o = { .width = 40, .rows = 20, .utf8 = false,
	    .span = HISTORY_SPAN_SECONDS };
	struct layout *l = timeline_build(h, s, &o);

	(void)state;
	check_golden("stall-40-ascii", l);
	/* Nothing past the width, nothing but ASCII. */
	assert_int_equal(l->width, 40);
	for (int i = 0; i < l->width * l->height; i++)
		assert_true(l->cells[i].ch < 0x80);
	layout_free(l);
	snapshot_free(s);
	history_free(h);
}

/* Fewer rows than it needs: the last one says what is left out. */
static void
timeline_cut(void **state)
{
	struct snapshot *s;
	struct history *h = stall_history(&s);
	struct timeline_opts o = { .width = 78, .rows = 4, .utf8 = true,
	    .span = HISTORY_SPAN_SECONDS };
	struct layout *l = timeline_build(h, s, &o);

	(void)state;
	assert_int_equal(l->height, 4);
	check_golden("stall-cut", l);
	layout_free(l);
	snapshot_free(s);
	history_free(h);
}

/* A name that would drive the terminal is drawn visibly (sanitize.h). */
static void
timeline_hostile_name(void **state)
{
	struct history *h = history_create(100, -1);
	struct snapshot *s = snapshot_create(1);
	struct snap_proc *p = proc(s, 10, "x\033[31mred\x9b", 0, 'R');
	struct timeline_opts o = { .width = 60, .rows = 5, .utf8 = true,
	    .span = HISTORY_SPAN_SECONDS };
	struct layout *l;
	char *text;

	(void)state;
	fd_path(p, 1, SNAP_MODE_W, SNAP_FD_DEV, "/dev/null");
	snapshot_link_pipes(s);
	history_add(h, s);
	l = timeline_build(h, s, &o);
	text = layout_to_text(l);
	assert_null(strchr(text, '\033'));
	assert_non_null(strstr(text, "x^[[31mred?"));
	free(text);
	layout_free(l);
	snapshot_free(s);
	history_free(h);
}

/*
 * Processes no sample showed (from the kernel's process events): counted
 * by stage, each slot with how many lived in it; older than the slots
 * kept, in the total only.
 */
static void
brief_lives_counted(void **state)
{
	struct history *h = history_create(100, -1);
	const struct history_brief *b;
	double count[4];

	(void)state;
	assert_null(history_find_brief(h, 1));
	/* Three of stage 1 in the first quarter second, one later. */
	history_add_brief(h, 1, 0.01, 0.03);
	history_add_brief(h, 1, 0.02, 0.04);
	history_add_brief(h, 1, 0.1, 0.2);
	history_add_brief(h, 1, 0.9, 0.95);
	history_add_brief(h, -5, -1, 0.5); /* no stage, began unknown */
	assert_non_null(b = history_find_brief(h, 1));
	assert_int_equal(b->total, 4);
	assert_int_equal(b->slots[0], 3);
	assert_int_equal(b->slots[3], 1);
	assert_non_null(b = history_find_brief(h, -1));
	assert_int_equal(b->total, 1);
	assert_int_equal(b->slots[2], 1);
	/* Four columns of a slot each: a column ends at its slot's start. */
	history_brief_series(history_find_brief(h, 1), 0.75, 1.0, count, 4);
	assert_true(count[0] == 3 && count[1] == 0 && count[2] == 0 &&
	    count[3] == 1);
	/* A long life spans its slots; a very old one counts in the total. */
	history_add_brief(h, 2, 100, 101);
	history_add_brief(h, 2, 0, 0.1);
	b = history_find_brief(h, 2);
	assert_int_equal(b->total, 2);
	assert_int_equal(b->slots[(long)(100 / HISTORY_SLOT_SECONDS) %
	    HISTORY_SLOTS], 1);
	assert_int_equal(b->slots[0], 0);
	history_free(h);
}

/* The timeline shows a stage's brief lives under its first process. */
static void
timeline_brief(void **state)
{
	struct snapshot *s;
	struct history *h = stall_history(&s);
	struct timeline_opts o = { .width = 78, .rows = 20, .utf8 = true,
	    .span = HISTORY_SPAN_SECONDS };
	struct layout *l;

	(void)state;
	for (int i = 0; i < 300; i++)
		history_add_brief(h, 1, 40 + i * 0.05, 40 + i * 0.05 + 0.2);
	l = timeline_build(h, s, &o);
	assert_int_equal(timeline_rows(h, s), 7); /* one more: tr's brief */
	check_golden("brief-80", l);
	layout_free(l);
	snapshot_free(s);
	history_free(h);
}

/*
 * The slots are kept compact (a byte each while a process keeps one state
 * and a channel is idle) and widened when they must be: against a model
 * that keeps every count (the slots as they were before issue 19), the
 * panel's columns must come out the same for any run of samples.
 */
struct model_proc {
	bool has;
	uint8_t n[HISTORY_SLOTS][HISTORY_STATES];
	long last;
	enum history_state st;
};

struct model_chan {
	bool has;
	struct history_chan_slot sl[HISTORY_SLOTS], prev;
	long last;
};

static bool
model_gap(long last, long k, long *from)
{
	if (last >= 0 && k <= last)
		return false;
	*from = last >= 0 ? last + 1 : k;
	if (k - *from >= HISTORY_SLOTS)
		*from = k - HISTORY_SLOTS + 1;
	return true;
}

static void
model_put_proc(struct model_proc *m, long k, enum history_state st, bool held)
{
	long from;

	if (!m->has) {
		memset(m->n, 0, sizeof m->n);
		m->has = true;
		m->last = -1;
		held = false;
	}
	if (model_gap(m->last, k, &from)) {
		for (long j = from; j <= k; j++) {
			memset(m->n[j % HISTORY_SLOTS], 0, HISTORY_STATES);
			if (held && j < k)
				m->n[j % HISTORY_SLOTS][m->st] = 1;
		}
	}
	if (m->n[k % HISTORY_SLOTS][st] < UINT8_MAX)
		m->n[k % HISTORY_SLOTS][st]++;
	m->last = k;
	m->st = st;
}

static void
model_put_chan(struct model_chan *m, long k, const struct snap_pipe *pp,
    bool held)
{
	static const struct history_chan_slot empty = { -1, 0, 0 };
	struct history_chan_slot *sl;
	int16_t fill = -1;
	long from;

	if (!m->has) {
		memset(m->sl, 0, sizeof m->sl);
		m->has = true;
		m->last = -1;
		held = false;
	}
	if (model_gap(m->last, k, &from)) {
		for (long j = from; j <= k; j++)
			m->sl[j % HISTORY_SLOTS] = held && j < k ? m->prev : empty;
	}
	sl = &m->sl[k % HISTORY_SLOTS];
	if (pp->capacity > 0 && pp->fill >= 0) {
		double f = (double)pp->fill / (double)pp->capacity;

		fill = (int16_t)lround((f > 1 ? 1 : f) * 1000);
	}
	if (fill > sl->fill_pm)
		sl->fill_pm = fill;
	if (pp->rate_bps >= 0 && sl->nrates < UINT16_MAX) {
		sl->nrates++;
		sl->rate_sum += (float)pp->rate_bps;
	}
	m->prev = empty;
	m->prev.fill_pm = fill;
	if (pp->rate_bps >= 0) {
		m->prev.nrates = 1;
		m->prev.rate_sum = (float)pp->rate_bps;
	}
	m->last = k;
}

static void
model_column(double t_end, double span, int c, int ncols, long *k0, long *k1)
{
	double t0 = t_end - span + span * c / ncols;
	double t1 = t_end - span + span * (c + 1) / ncols;

	*k1 = (long)floor(t1 / HISTORY_SLOT_SECONDS);
	*k0 = (long)floor(t0 / HISTORY_SLOT_SECONDS) + 1;
	if (*k0 > *k1)
		*k0 = *k1;
}

static bool
model_valid(long k, long last)
{
	return k >= 0 && k <= last && k > last - HISTORY_SLOTS;
}

static void
model_states(const struct model_proc *m, double t_end, double span,
    enum history_state *out, int ncols)
{
	for (int c = 0; c < ncols; c++) {
		unsigned n[HISTORY_STATES] = { 0 };
		enum history_state best = HISTORY_NONE;
		long k0, k1;

		model_column(t_end, span, c, ncols, &k0, &k1);
		for (long k = k0; m->has && k <= k1; k++) {
			if (!model_valid(k, m->last))
				continue;
			for (int st = 0; st < HISTORY_STATES; st++)
				n[st] += m->n[k % HISTORY_SLOTS][st];
		}
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

static void
model_series(const struct model_chan *m, double t_end, double span,
    double *fill, double *rate, int ncols)
{
	for (int c = 0; c < ncols; c++) {
		int best = -1;
		double sum = 0;
		unsigned n = 0;
		long k0, k1;

		model_column(t_end, span, c, ncols, &k0, &k1);
		for (long k = k0; m->has && k <= k1; k++) {
			const struct history_chan_slot *sl;

			if (!model_valid(k, m->last))
				continue;
			sl = &m->sl[k % HISTORY_SLOTS];
			if (sl->fill_pm > best)
				best = sl->fill_pm;
			sum += sl->rate_sum;
			n += sl->nrates;
		}
		fill[c] = best >= 0 ? best / 1000.0 : -1;
		rate[c] = n > 0 ? sum / n : -1;
	}
}

/* A small deterministic generator: the same run every time. */
static uint32_t model_seed = 12345;

static unsigned
model_rand(unsigned n)
{
	model_seed = model_seed * 1103515245u + 12345u;
	return (model_seed >> 16) % n;
}

#define MODEL_PROCS 3
#define MODEL_CHANS 2

static void
model_compare(struct history *h, const struct model_proc *mp,
    const struct model_chan *mc, double t)
{
	static const int widths[] = { 60, 240, 7, 1 };
	enum history_state a[240], b[240];
	double fa[240], ra[240], fb[240], rb[240];

	for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
		int n = widths[w];

		for (int i = 0; i < MODEL_PROCS; i++) {
			const struct history_proc *r = history_find_proc(h,
			    10 + i, 1010 + (uint64_t)i);

			if (r == NULL || !mp[i].has)
				continue;
			history_proc_states(r, t, HISTORY_SPAN_SECONDS, a, n);
			model_states(&mp[i], t, HISTORY_SPAN_SECONDS, b, n);
			assert_memory_equal(a, b, (size_t)n * sizeof a[0]);
		}
		for (int i = 0; i < MODEL_CHANS; i++) {
			const struct history_chan *c = history_find_chan(h,
			    7 + (uint64_t)i);

			if (c == NULL || !mc[i].has)
				continue;
			history_chan_series(c, t, HISTORY_SPAN_SECONDS, fa, ra, n);
			model_series(&mc[i], t, HISTORY_SPAN_SECONDS, fb, rb, n);
			for (int k = 0; k < n; k++) {
				assert_true(fa[k] == fb[k]);
				assert_true(ra[k] == rb[k]);
			}
		}
	}
}

static void
compact_slots_same_columns(void **state)
{
	static const char letters[] = { 'S', 'S', 'R', 'T', 'W', 'B', 'Z' };
	static const double steps[] = { 0.01, 0.1, 0.004, 0.3, 2.0 };
	static const double rates[] = { -1, 0, 0, 0, 512.5, 1e6 };
	struct history *h = history_create(100, -1);
	struct model_proc *mp = calloc(MODEL_PROCS, sizeof *mp);
	struct model_chan *mc = calloc(MODEL_CHANS, sizeof *mc);
	char cur[MODEL_PROCS] = { 'S', 'S', 'S' };
	bool present[MODEL_PROCS] = { true, true, true };
	bool was[MODEL_PROCS] = { false }, chan_was[MODEL_CHANS] = { false };
	long fill[MODEL_CHANS] = { 0, 0 };
	double rate[MODEL_CHANS] = { 0, 0 }, t = 0, step = 0.1;
	unsigned phase = 0, change = 0, widened = 0, narrowed = 0;

	(void)state;
	for (int n = 0; n < 40000; n++) {
		struct snapshot *s;
		long k;

		if (phase-- == 0) {
			/* Long quiet runs (longer than the ring) and busy ones. */
			static const unsigned changes[] = { 0, 0, 2, 30, 100 };

			phase = 1 + model_rand(1500);
			change = changes[model_rand(5)];
			step = steps[model_rand(5)];
			if (model_rand(40) == 0)
				step = 70; /* a gap longer than the ring */
		}
		t += step;
		if (step == 70)
			step = 0.1;
		for (int i = 0; i < MODEL_PROCS; i++) {
			if (change > 0 && model_rand(100) < change)
				cur[i] = letters[model_rand(7)];
			if (model_rand(2000) == 0)
				present[i] = !present[i];
		}
		for (int i = 0; i < MODEL_CHANS; i++) {
			if (change > 0 && model_rand(100) < change) {
				static const long fills[] = { 0, 0, 32768, 65536, -1 };

				fill[i] = fills[model_rand(5)];
				rate[i] = rates[model_rand(6)];
			}
		}
		s = snapshot_create(t);
		for (int i = 0; i < MODEL_PROCS; i++) {
			char c = cur[i] == 'W' || cur[i] == 'B' ? 'S' : cur[i];
			struct snap_proc *p;

			if (!present[i])
				continue;
			p = proc(s, 10 + i, "cat", i, c);
			if (i > 0)
				fd_pipe(p, 0, SNAP_MODE_R, 7 + (uint64_t)i - 1);
			if (i < MODEL_PROCS - 1)
				fd_pipe(p, 1, SNAP_MODE_W, 7 + (uint64_t)i);
			if (cur[i] == 'W' && i > 0)
				block(p, SNAP_BLOCK_READ, 0, 7 + (uint64_t)i - 1);
			if (cur[i] == 'B' && i < MODEL_PROCS - 1) {
				block(p, SNAP_BLOCK_WRITE, 1, 7 + (uint64_t)i);
				p->stuck = true;
				p->blocked.multiplexed = true;
			}
		}
		snapshot_link_pipes(s);
		for (int i = 0; i < MODEL_CHANS; i++) {
			struct snap_pipe *pp = snapshot_find_pipe(s, 7 + (uint64_t)i);

			if (pp == NULL)
				continue;
			pp->capacity = 65536;
			pp->fill = fill[i];
			pp->rate_bps = rate[i];
		}
		history_add(h, s);
		k = (long)floor(t / HISTORY_SLOT_SECONDS);
		for (int i = 0; i < MODEL_PROCS; i++) {
			const struct history_proc *r = history_find_proc(h,
			    10 + i, 1010 + (uint64_t)i);

			if (!present[i]) {
				mp[i].has = false;
				was[i] = false;
				continue;
			}
			assert_non_null(r);
			model_put_proc(&mp[i], k, r->last_state, was[i]);
			was[i] = true;
			widened += r->counts != NULL;
			narrowed += r->counts == NULL;
		}
		for (int i = 0; i < MODEL_CHANS; i++) {
			const struct snap_pipe *pp = snapshot_find_pipe(s,
			    7 + (uint64_t)i);
			const struct history_chan *c;

			if (pp == NULL) {
				mc[i].has = false;
				chan_was[i] = false;
				continue;
			}
			model_put_chan(&mc[i], k, pp, chan_was[i]);
			chan_was[i] = true;
			c = history_find_chan(h, 7 + (uint64_t)i);
			widened += c->full != NULL;
			narrowed += c->full == NULL;
		}
		snapshot_free(s);
		if (n % 5 == 0)
			model_compare(h, mp, mc, t);
	}
	/* Both forms were used. */
	assert_true(widened > 0);
	assert_true(narrowed > 0);
	free(mp);
	free(mc);
	history_free(h);
}

/* A steady minute and more after a busy one: back to a byte a slot. */
static void
compact_slots_narrow_again(void **state)
{
	struct history *h = history_create(100, -1);
	const struct history_proc *r;
	const struct history_chan *c;

	(void)state;
	for (int i = 1; i <= 1500; i++) {
		double t = i / 10.0;
		bool busy = t > 20 && t < 30;
		struct snapshot *s = one(t, busy && i % 2 ? 'R' : 'S', false);
		struct snap_proc *p = snapshot_find_proc(s, 10);
		struct snap_pipe *pp;

		fd_pipe(p, 0, SNAP_MODE_R, 9);
		snapshot_link_pipes(s);
		pp = find(s, 9);
		pp->capacity = 65536;
		pp->fill = 0;
		pp->rate_bps = busy ? 1000 + i : 0;
		history_add(h, s);
		snapshot_free(s);
		r = history_find_proc(h, 10, 1010);
		c = history_find_chan(h, 9);
		if (t == 10) {
			assert_null(r->counts);
			assert_null(c->full);
		}
		if (t == 30) {
			assert_non_null(r->counts);
			assert_non_null(c->full);
		}
	}
	/* 120 s later than the busy ten: the ring (64 s) holds none of it. */
	assert_null(r->counts);
	assert_null(c->full);
	history_free(h);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(column_blocked_wins),
		cmocka_unit_test(column_majority),
		cmocka_unit_test(slow_sampling_holds),
		cmocka_unit_test(absence_is_blank),
		cmocka_unit_test(older_sample_ignored),
		cmocka_unit_test(churn_is_bounded_and_counted),
		cmocka_unit_test(start_from_ticks),
		cmocka_unit_test(timeline_80),
		cmocka_unit_test(timeline_40_ascii),
		cmocka_unit_test(timeline_cut),
		cmocka_unit_test(timeline_hostile_name),
		cmocka_unit_test(brief_lives_counted),
		cmocka_unit_test(timeline_brief),
		cmocka_unit_test(compact_slots_same_columns),
		cmocka_unit_test(compact_slots_narrow_again),
	};

	if (argc > 1)
		golden_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
