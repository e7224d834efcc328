/*
 * test-diagnose.c - diagnoses from synthetic snapshots: each kind fires
 * where it should, and the near-misses stay quiet.
 */
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pipeviz/diagnose.h"
#include "pipeviz/snapshot.h"

/* Building snapshots. */

/* A process; (pid, start_ticks) stay the same from sample to sample. */
static void
proc(struct snapshot *s, pid_t pid, pid_t ppid, const char *comm, char state,
    int stage)
{
	struct snap_proc *p = snapshot_add_proc(s, pid);
	char *argv[] = { (char *)comm, NULL };

	snprintf(p->comm, sizeof p->comm, "%s", comm);
	snapshot_proc_set_argv(p, argv);
	p->ppid = ppid;
	p->pgid = 1;
	p->start_ticks = (uint64_t)pid * 10;
	p->state = state;
	p->stage = stage;
	p->io_known = true;
}

static struct snap_proc *
P(const struct snapshot *s, pid_t pid)
{
	struct snap_proc *p = snapshot_find_proc(s, pid);

	assert_non_null(p);
	return p;
}

static void
pipe_fd(struct snapshot *s, pid_t pid, int fd, enum snap_fd_mode mode,
    uint64_t ino)
{
	snapshot_proc_add_fd(P(s, pid), fd, mode, SNAP_FD_PIPE, NULL)->inode =
	    ino;
}

static void
fifo_fd(struct snapshot *s, pid_t pid, int fd, enum snap_fd_mode mode,
    uint64_t ino, const char *path)
{
	struct snap_fd *f = snapshot_proc_add_fd(P(s, pid), fd, mode,
	    SNAP_FD_FIFO, path);

	f->inode = ino;
	f->dev = 0xfe00;
}

/* Blocked on fd (its pipe looked up as the probe does). */
static void
block(struct snapshot *s, pid_t pid, enum snap_block_op op, int fd)
{
	struct snap_proc *p = P(s, pid);
	const struct snap_fd *f = snapshot_proc_fd(p, fd);

	p->blocked.op = op;
	p->blocked.fd = fd;
	p->blocked.pipe = f != NULL ? f->inode : 0;
	p->syscall = op == SNAP_BLOCK_WAIT ? 61 : op == SNAP_BLOCK_READ ? 0 : 1;
}

static void
exited(struct snapshot *s, pid_t pid, int code, int sig)
{
	struct snap_proc *p = P(s, pid);

	p->state = 'X';
	p->exit.exited = true;
	p->exit.code = code;
	p->exit.signal = sig;
}

static void
fill(struct snapshot *s, uint64_t ino, int64_t bytes, int64_t cap)
{
	struct snap_pipe *pp = snapshot_find_pipe(s, ino);

	assert_non_null(pp);
	pp->fill = bytes;
	pp->capacity = cap;
}

/* Checking diagnoses. */

static const struct snap_diag *
diag(const struct snapshot *s, const char *kind)
{
	for (size_t i = 0; i < s->ndiags; i++) {
		if (strcmp(s->diags[i].kind, kind) == 0)
			return &s->diags[i];
	}
	return NULL;
}

static size_t
ndiag(const struct snapshot *s, const char *kind)
{
	size_t n = 0;

	for (size_t i = 0; i < s->ndiags; i++)
		n += strcmp(s->diags[i].kind, kind) == 0;
	return n;
}

static const struct snap_diag *
must(const struct snapshot *s, const char *kind)
{
	const struct snap_diag *d = diag(s, kind);

	if (d == NULL) {
		for (size_t i = 0; i < s->ndiags; i++)
			print_message("# %s: %s\n", s->diags[i].kind,
			    s->diags[i].message);
		fail_msg("no %s diagnosis at t=%.2f", kind, s->t);
	}
	return d;
}

static void
none(const struct snapshot *s, const char *kind)
{
	const struct snap_diag *d = diag(s, kind);

	if (d != NULL)
		fail_msg("unexpected %s at t=%.2f: %s", kind, s->t, d->message);
}

static void
says(const struct snap_diag *d, const char *text)
{
	if (strstr(d->message, text) == NULL)
		fail_msg("%s message \"%s\" lacks \"%s\"", d->kind, d->message,
		    text);
}

static void
pids_are(const struct snap_diag *d, const pid_t *want, size_t n)
{
	if (d->npids != n)
		fail_msg("%s: %zu pids, want %zu (%s)", d->kind, d->npids, n,
		    d->message);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(d->pids[i], want[i]);
}

static void
pipes_are(const struct snap_diag *d, const uint64_t *want, size_t n)
{
	if (d->npipes != n)
		fail_msg("%s: %zu pipes, want %zu (%s)", d->kind, d->npipes, n,
		    d->message);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(d->pipes[i], want[i]);
}

#define PIDS(d, ...) do {						\
	const pid_t want_[] = { __VA_ARGS__ };				\
	pids_are((d), want_, sizeof want_ / sizeof want_[0]);		\
} while (0)
#define PIPES(d, ...) do {						\
	const uint64_t want_[] = { __VA_ARGS__ };			\
	pipes_are((d), want_, sizeof want_ / sizeof want_[0]);		\
} while (0)

/* Feed samples t0, t0 + dt, ... and keep the last; calls check on each. */
typedef struct snapshot *(*scenario)(double t, int variant);

static struct snapshot *
run(struct diagnose *d, scenario make, int variant, double t0, double dt,
    int n, void (*check)(const struct snapshot *, int))
{
	struct snapshot *s = NULL;

	for (int i = 0; i < n; i++) {
		snapshot_free(s);
		s = make(t0 + dt * i, variant);
		diagnose_sample(d, s);
		if (check != NULL)
			check(s, i);
	}
	return s;
}

/*
 * A judge that calls a wait stuck at once: most tests are about what a
 * rule says, and stage a condition for a sample or two.  How long a wait
 * must last first (DIAG_STUCK_SECONDS) has tests of its own, which use
 * diagnose_create() as pipeviz does.
 */
static struct diagnose *
instant(void)
{
	struct diagnose *d = diagnose_create();

	diagnose_set_stuck(d, 0);
	return d;
}

/* Scenarios. */

#define CAP 65536

/* yes | sleep: the pipe is full and sleep never reads it. */
static struct snapshot *
yes_sleep(double t, int variant)
{
	struct snapshot *s = snapshot_create(t);

	proc(s, 812, 500, "yes", 'S', 0);
	pipe_fd(s, 812, 1, SNAP_MODE_W, 5159);
	if (variant != 1) {
		proc(s, 813, 500, "sleep", 'S', 1);
		pipe_fd(s, 813, 0, SNAP_MODE_R, 5159);
		P(s, 813)->syscall = 230;
	}
	/* variant 2: yes made progress since the last sample. */
	P(s, 812)->wchar = variant == 2 ? (uint64_t)(t * 1000) : 4096;
	block(s, 812, SNAP_BLOCK_WRITE, 1);
	/* variants 3-5: sleep is on the CPU: it read nothing and nothing
	 * went through the pipe (3), something went through (4), it read
	 * bytes that freed no page for the writer (5). */
	if (variant >= 3) {
		P(s, 813)->state = 'R';
		P(s, 813)->syscall = -1;
		/* 4 and 5: it read (a byte at a time: nothing freed a page) */
		P(s, 813)->read_bps = variant == 3 ? 0 : 12;
	}
	snapshot_link_pipes(s);
	fill(s, 5159, CAP, CAP);
	if (variant >= 3)
		snapshot_find_pipe(s, 5159)->rate_bps = variant == 4 ? 4096 : 0;
	return s;
}

/*
 * A reader on the CPU is "reading more slowly" only while bytes go
 * through the pipe; with none over the interval it is doing something
 * else (a sleep that woke to exit, seen once in CI under load).
 */
static void
blocked_writer_running_reader_reads_nothing(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, yes_sleep, 3, 1.0, 0.5, 5, NULL);

	(void)state;
	says(must(s, "blocked_writer"), "sleep (pid 813) is running but not "
	    "reading it");
	snapshot_free(s);
	diagnose_free(d);
	d = instant();
	s = run(d, yes_sleep, 4, 1.0, 0.5, 5, NULL);
	says(must(s, "blocked_writer"), "sleep (pid 813) reads it more slowly "
	    "than yes writes");
	snapshot_free(s);
	diagnose_free(d);
	/* Reading, though nothing went through: slowly, not "not reading". */
	d = instant();
	s = run(d, yes_sleep, 5, 1.0, 0.5, 5, NULL);
	says(must(s, "blocked_writer"), "sleep (pid 813) reads it more slowly "
	    "than yes writes");
	snapshot_free(s);
	diagnose_free(d);
}

static void
blocked_writer_names_writer_fd_pipe_and_reader(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, yes_sleep, 0, 1.0, 0.5, 5, NULL);
	const struct snap_diag *g = must(s, "blocked_writer");

	(void)state;
	PIDS(g, 812, 813);
	PIPES(g, 5159);
	says(g, "yes (pid 812) is blocked writing fd 1");
	says(g, "pipe 5159 is full (64KiB/64KiB) for 2.0 s");
	says(g, "sleep (pid 813) is not reading it");
	none(s, "deadlock");
	none(s, "bottleneck");
	none(s, "starved_reader");
	assert_int_equal(ndiag(s, "blocked_writer"), 1);
	snapshot_free(s);
	diagnose_free(d);
}

static void
blocked_writer_without_reader_says_so(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, yes_sleep, 1, 0, 0.1, 1, NULL);
	const struct snap_diag *g = must(s, "blocked_writer");

	(void)state;
	PIDS(g, 812);
	says(g, "no reader is observed");
	says(g, "for 0.0 s");
	snapshot_free(s);
	diagnose_free(d);
}

/* A writer that keeps writing between samples is not stuck the whole time. */
static void
blocked_writer_time_restarts_after_progress(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, yes_sleep, 2, 0, 0.5, 5, NULL);

	(void)state;
	says(must(s, "blocked_writer"), "for 0.0 s");
	snapshot_free(s);
	diagnose_free(d);
}

/* A new process under a reused pid starts its own clock. */
static void
blocked_writer_time_is_per_process_identity(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, yes_sleep, 0, 0, 1.0, 3, NULL);

	(void)state;
	says(must(s, "blocked_writer"), "for 2.0 s");
	snapshot_free(s);
	s = yes_sleep(3.0, 0);
	P(s, 812)->start_ticks = 99999;
	diagnose_sample(d, s);
	says(must(s, "blocked_writer"), "for 0.0 s");
	snapshot_free(s);
	diagnose_free(d);
}

/*
 * sleep | cat, variants: 0 plain; 1 the holder of the write end is a
 * computing process on fd 4; 2 a stopped writer.
 */
static struct snapshot *
sleep_cat(double t, int variant)
{
	struct snapshot *s = snapshot_create(t);

	proc(s, 810, 500, variant == 1 ? "compute" : "sleep",
	    variant == 2 ? 'T' : 'S', 0);
	pipe_fd(s, 810, variant == 1 ? 4 : 1, SNAP_MODE_W, 77);
	if (variant == 1) {
		P(s, 810)->state = 'R';
		P(s, 810)->cpu_pct = 99;
	}
	proc(s, 811, 500, "cat", 'S', 1);
	pipe_fd(s, 811, 0, SNAP_MODE_R, 77);
	block(s, 811, SNAP_BLOCK_READ, 0);
	snapshot_link_pipes(s);
	fill(s, 77, 0, CAP);
	return s;
}

static void
no_eof_held_check(const struct snapshot *s, int i)
{
	(void)i;
	none(s, "eof_held");
	none(s, "deadlock");
}

static void
starved_reader_for_sleep_cat_not_eof_held(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, sleep_cat, 0, 0, 0.25, 8,
	    no_eof_held_check);
	const struct snap_diag *g = must(s, "starved_reader");

	(void)state;
	PIDS(g, 811, 810);
	PIPES(g, 77);
	says(g, "cat (pid 811) is waiting to read fd 0: pipe 77 is empty "
	    "for 1.8 s");
	says(g, "sleep (pid 810) has not written to it");
	none(s, "bottleneck");
	snapshot_free(s);
	diagnose_free(d);
}

/*
 * sleep | cat | cat | ... : n cats (variant) behind one sleep, each
 * blocked reading an empty pipe whose writer is the cat before it.
 */
static struct snapshot *
sleep_cats(double t, int n)
{
	struct snapshot *s = snapshot_create(t);

	proc(s, 900, 500, "sleep", 'S', 0);
	pipe_fd(s, 900, 1, SNAP_MODE_W, 1000);
	for (int i = 1; i <= n; i++) {
		proc(s, 900 + i, 500, "cat", 'S', i);
		pipe_fd(s, 900 + i, 0, SNAP_MODE_R, (uint64_t)(1000 + i - 1));
		if (i < n)
			pipe_fd(s, 900 + i, 1, SNAP_MODE_W, (uint64_t)(1000 + i));
		block(s, 900 + i, SNAP_BLOCK_READ, 0);
	}
	snapshot_link_pipes(s);
	for (int i = 0; i < n; i++)
		fill(s, (uint64_t)(1000 + i), 0, CAP);
	return s;
}

/* An attached pipeline that has gone: nothing to judge, and no crash. */
static void
empty_snapshot_has_no_diagnoses(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = snapshot_create(1.0);

	(void)state;
	diagnose_sample(d, s);
	assert_int_equal(s->ndiags, 0);
	snapshot_free(s);
	diagnose_free(d);
}

/* One cause, one report: the first cat's, naming those behind it. */
static void
starved_chain_is_one_report(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, sleep_cats, 3, 0, 0.25, 4, NULL);
	const struct snap_diag *g = must(s, "starved_reader");

	(void)state;
	assert_int_equal(ndiag(s, "starved_reader"), 1);
	PIDS(g, 901, 900, 902, 903);
	says(g, "cat (pid 901) is waiting to read fd 0");
	says(g, "sleep (pid 900) has not written to it");
	says(g, "downstream, 2 more wait in turn: cat (pid 902) and "
	    "cat (pid 903)");
	snapshot_free(s);
	diagnose_free(d);

	/* A long chain names three and counts the rest, but lists all pids. */
	d = instant();
	s = run(d, sleep_cats, 10, 0, 0.25, 4, NULL);
	g = must(s, "starved_reader");
	assert_int_equal(ndiag(s, "starved_reader"), 1);
	assert_int_equal(g->npids, 11);
	says(g, "downstream, 9 more wait in turn: cat (pid 902), "
	    "cat (pid 903), cat (pid 904) and 6 others");
	snapshot_free(s);
	diagnose_free(d);
}

/*
 * 4000 cats, as a long make -j or xargs -P pipeline can be: still one
 * report, counting all (diagnoses are linear in processes: each chain's
 * head is found once, and its members grouped once).
 */
static void
starved_chain_of_thousands_is_one_report(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, sleep_cats, 4000, 0, 0.25, 4, NULL);
	const struct snap_diag *g = must(s, "starved_reader");

	(void)state;
	assert_int_equal(ndiag(s, "starved_reader"), 1);
	assert_int_equal(g->npids, 4001);
	says(g, "downstream, 3999 more wait in turn: cat (pid 902), "
	    "cat (pid 903), cat (pid 904) and 3996 others");
	snapshot_free(s);
	diagnose_free(d);
}

static void
reader_of_computing_writer_is_not_eof_held(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, sleep_cat, 1, 0, 0.25, 8,
	    no_eof_held_check);
	const struct snap_diag *g = must(s, "starved_reader");

	(void)state;
	PIDS(g, 811, 810);
	says(g, "compute (pid 810) is busy");
	/* It is what the pipeline waits for, so it is the bottleneck. */
	assert_int_equal(must(s, "bottleneck")->pids[0], 810);
	snapshot_free(s);
	diagnose_free(d);
}

/*
 * { sleep 30 & echo hi; } | cat: the stage sh has exited, its background
 * sleep (reparented to the subreaper, outside the snapshot) holds fd 1.
 * variant 1: the sleep is not observed at all.
 */
static struct snapshot *
background_holder(double t, int variant)
{
	struct snapshot *s = snapshot_create(t);

	proc(s, 809, 500, "sh", 'S', 0);
	pipe_fd(s, 809, 0, SNAP_MODE_R, 3);
	pipe_fd(s, 809, 1, SNAP_MODE_W, 77);
	exited(s, 809, 0, 0);
	if (variant == 0) {
		proc(s, 810, 500, "sleep", 'S', -1);
		pipe_fd(s, 810, 1, SNAP_MODE_W, 77);
		P(s, 810)->syscall = 230;
	}
	proc(s, 811, 500, "cat", 'S', 1);
	pipe_fd(s, 811, 0, SNAP_MODE_R, 77);
	block(s, 811, SNAP_BLOCK_READ, 0);
	snapshot_link_pipes(s);
	fill(s, 77, 0, CAP);
	return s;
}

static void
eof_held_by_background_process_of_exited_stage(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, background_holder, 0, 0, 0.1, 1, NULL);
	const struct snap_diag *g = must(s, "eof_held");

	(void)state;
	PIDS(g, 811, 810, 809);
	PIPES(g, 77);
	says(g, "cat (pid 811) waits for EOF on fd 0 (pipe 77), but sleep "
	    "(pid 810) still holds the write end as fd 1 and is not writing");
	says(g, "sh (pid 809), has exited");
	none(s, "starved_reader");
	assert_int_equal(s->ndiags, 1);
	snapshot_free(s);
	diagnose_free(d);
}

static void
eof_held_by_unseen_process_needs_two_samples(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, background_holder, 1, 0, 0.1, 1, NULL);
	const struct snap_diag *g;

	(void)state;
	none(s, "eof_held");
	none(s, "starved_reader");
	snapshot_free(s);
	s = run(d, background_holder, 1, 0.1, 0.1, 1, NULL);
	g = must(s, "eof_held");
	PIDS(g, 811, 809);
	says(g, "does not see");
	snapshot_free(s);
	diagnose_free(d);
}

/* The reader holds a write end of its own input: EOF can never come. */
static struct snapshot *
self_holder(double t, int variant)
{
	struct snapshot *s = snapshot_create(t);

	(void)variant;
	proc(s, 900, 500, "cat", 'S', 0);
	pipe_fd(s, 900, 0, SNAP_MODE_R, 91);
	pipe_fd(s, 900, 5, SNAP_MODE_W, 91);
	block(s, 900, SNAP_BLOCK_READ, 0);
	snapshot_link_pipes(s);
	fill(s, 91, 0, CAP);
	return s;
}

static void
eof_held_by_reader_itself(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, self_holder, 0, 0, 0.2, 6, NULL);
	const struct snap_diag *g = must(s, "eof_held");

	(void)state;
	PIDS(g, 900);
	PIPES(g, 91);
	says(g, "it holds the write end itself as fd 5");
	says(g, "EOF can never come");
	none(s, "deadlock");
	none(s, "starved_reader");
	snapshot_free(s);
	diagnose_free(d);
}

/*
 * The lecture's parent forgets to close filedes[1] (fd 4) and waits for
 * its child, which reads the pipe to the end.
 */
static struct snapshot *
leaked_fd(double t, int variant)
{
	struct snapshot *s = snapshot_create(t);

	(void)variant;
	proc(s, 700, 500, "lecture", 'S', 0);
	pipe_fd(s, 700, 4, SNAP_MODE_W, 90);
	block(s, 700, SNAP_BLOCK_WAIT, -1);
	proc(s, 701, 700, "sort", 'S', 0);
	pipe_fd(s, 701, 0, SNAP_MODE_R, 90);
	block(s, 701, SNAP_BLOCK_READ, 0);
	snapshot_link_pipes(s);
	fill(s, 90, 0, CAP);
	return s;
}

static void
eof_held_by_leaked_descriptor_then_deadlock(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, leaked_fd, 0, 0, 0.2, 1, NULL);
	const struct snap_diag *g = must(s, "eof_held");

	(void)state;
	PIDS(g, 701, 700);
	PIPES(g, 90);
	says(g, "lecture (pid 700) still holds the write end as fd 4");
	says(g, "leaked");
	none(s, "deadlock");
	none(s, "starved_reader");
	snapshot_free(s);
	/* Parent waits for child, child for the parent's write end. */
	s = run(d, leaked_fd, 0, 0.2, 0.2, 3, NULL);
	g = must(s, "deadlock");
	PIDS(g, 701, 700);
	PIPES(g, 90);
	says(g, "sort (pid 701) waits to read pipe 90 written by "
	    "lecture (pid 700), which waits for its child sort (pid 701)");
	must(s, "eof_held");
	snapshot_free(s);
	diagnose_free(d);
}

/* A background process whose parent is gone (attach mode: no stages). */
static struct snapshot *
orphan_holder(double t, int variant)
{
	struct snapshot *s = snapshot_create(t);

	(void)variant;
	proc(s, 100, 50, "bash", 'S', -1);
	block(s, 100, SNAP_BLOCK_WAIT, -1);
	proc(s, 101, 1, "sleep", 'S', -1);
	pipe_fd(s, 101, 1, SNAP_MODE_W, 92);
	proc(s, 102, 100, "cat", 'S', -1);
	pipe_fd(s, 102, 0, SNAP_MODE_R, 92);
	block(s, 102, SNAP_BLOCK_READ, 0);
	snapshot_link_pipes(s);
	fill(s, 92, 0, CAP);
	return s;
}

static void
eof_held_by_orphan(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, orphan_holder, 0, 0, 0.2, 4, NULL);
	const struct snap_diag *g = must(s, "eof_held");

	(void)state;
	PIDS(g, 102, 101);
	says(g, "sleep (pid 101) still holds the write end as fd 1");
	says(g, "parent is gone");
	none(s, "deadlock");
	snapshot_free(s);
	diagnose_free(d);
}

/*
 * sh -c 'head -c 1000000 /dev/zero; cat >/dev/null' < f | cat > f: head
 * fills pipe 7 towards cat, cat fills FIFO f back towards head and sh,
 * and sh waits for head.
 * variant 1: from t = 0.3 on, cat's view is a running one (it got data).
 * variant 2: the probe lists cat before head, as it does for real.
 */
static void
fifo_knot_head(struct snapshot *s)
{
	proc(s, 12, 10, "head", 'S', 0);
	fifo_fd(s, 12, 0, SNAP_MODE_R, 500, "/tmp/f");
	pipe_fd(s, 12, 1, SNAP_MODE_W, 7);
	block(s, 12, SNAP_BLOCK_WRITE, 1);
}

static void
fifo_knot_cat(struct snapshot *s, bool running)
{
	proc(s, 11, 500, "cat", 'S', 1);
	pipe_fd(s, 11, 0, SNAP_MODE_R, 7);
	fifo_fd(s, 11, 1, SNAP_MODE_W, 500, "/tmp/f");
	if (running)
		P(s, 11)->state = 'R';
	else
		block(s, 11, SNAP_BLOCK_WRITE, 1);
}

static struct snapshot *
fifo_knot(double t, int variant)
{
	struct snapshot *s = snapshot_create(t);
	bool running = variant == 1 && t >= 0.3 - 1e-9;

	proc(s, 10, 500, "sh", 'S', 0);
	fifo_fd(s, 10, 0, SNAP_MODE_R, 500, "/tmp/f");
	pipe_fd(s, 10, 1, SNAP_MODE_W, 7);
	block(s, 10, SNAP_BLOCK_WAIT, -1);
	if (variant == 2) {
		fifo_knot_cat(s, running);
		fifo_knot_head(s);
	} else {
		fifo_knot_head(s);
		fifo_knot_cat(s, running);
	}
	snapshot_link_pipes(s);
	fill(s, 7, CAP, CAP);
	fill(s, 500, CAP, CAP);
	return s;
}

static void
deadlock_only_after_it_lasts(const struct snapshot *s, int i)
{
	/* Samples every 0.1 s from 0: the knot is 0.5 s old at i == 5. */
	if (i < 5)
		none(s, "deadlock");
	else
		must(s, "deadlock");
}

static void
deadlock_through_fifo_names_cycle_in_order(void **state)
{
	struct diagnose *d = diagnose_create();
	struct snapshot *s = run(d, fifo_knot, 0, 0, 0.1, 7,
	    deadlock_only_after_it_lasts);
	const struct snap_diag *g = must(s, "deadlock");

	(void)state;
	PIDS(g, 12, 11, 10);
	PIPES(g, 7, 500);
	says(g, "head (pid 12) waits to write pipe 7 read by "
	    "cat (pid 11), which waits to write FIFO /tmp/f read by head "
	    "(pid 12) and sh (pid 10), which waits for its child head "
	    "(pid 12)");
	assert_int_equal(ndiag(s, "deadlock"), 1);
	snapshot_free(s);
	diagnose_free(d);
}

/* The cycle goes along the data; the waiting shell comes last. */
static void
deadlock_cycle_follows_pipes_before_waits(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, fifo_knot, 2, 0, 0.25, 4, NULL);
	const struct snap_diag *g = must(s, "deadlock");

	(void)state;
	PIDS(g, 11, 10, 12);
	PIPES(g, 500, 7);
	says(g, "cat (pid 11) waits to write FIFO /tmp/f read by "
	    "sh (pid 10) and head (pid 12), which waits to write pipe 7 read "
	    "by cat (pid 11), and sh (pid 10) waits for its child head "
	    "(pid 12);");
	snapshot_free(s);
	diagnose_free(d);
}

static void
quiet_deadlock_check(const struct snapshot *s, int i)
{
	(void)i;
	none(s, "deadlock");
}

/* The knot dissolves before it lasts: cat was about to run. */
static void
deadlock_must_persist(void **state)
{
	struct diagnose *d = diagnose_create();
	struct snapshot *s = run(d, fifo_knot, 1, 0, 0.1, 10,
	    quiet_deadlock_check);

	(void)state;
	snapshot_free(s);
	/* Two samples in quick succession are not enough either. */
	diagnose_free(d);
	d = diagnose_create();
	s = run(d, fifo_knot, 0, 0, 0.01, 20, quiet_deadlock_check);
	snapshot_free(s);
	diagnose_free(d);
}

/*
 * head -c 400M /dev/zero | gzip -1 | wc -c.  variant 0: gzip runs between
 * a blocked head and a starved wc.  variant 1 (a noisy sample): gzip's
 * output is momentarily full and wc runs.  variant 2: nothing waits,
 * everyone runs.  variant 3: gzip is caught in read() between two chunks
 * (its input empty, head running at a fifth of a CPU), as real samples
 * often show it.
 */
static struct snapshot *
gzip_chain(double t, int variant)
{
	struct snapshot *s = snapshot_create(t);

	proc(s, 4, 500, "head", 'S', 0);
	pipe_fd(s, 4, 1, SNAP_MODE_W, 11);
	proc(s, 5, 500, "gzip", 'R', 1);
	pipe_fd(s, 5, 0, SNAP_MODE_R, 11);
	pipe_fd(s, 5, 1, SNAP_MODE_W, 12);
	P(s, 5)->cpu_pct = 98;
	proc(s, 6, 500, "wc", 'S', 2);
	pipe_fd(s, 6, 0, SNAP_MODE_R, 12);
	switch (variant) {
	case 0:
		block(s, 4, SNAP_BLOCK_WRITE, 1);
		block(s, 6, SNAP_BLOCK_READ, 0);
		break;
	case 1:
		block(s, 4, SNAP_BLOCK_WRITE, 1);
		block(s, 5, SNAP_BLOCK_WRITE, 1);
		P(s, 5)->state = 'S';
		P(s, 6)->state = 'R';
		P(s, 6)->cpu_pct = 60;
		break;
	case 3:
		P(s, 4)->state = 'R';
		P(s, 4)->cpu_pct = 20;
		block(s, 5, SNAP_BLOCK_READ, 0);
		P(s, 5)->state = 'S';
		block(s, 6, SNAP_BLOCK_READ, 0);
		break;
	default:
		P(s, 4)->state = 'R';
		P(s, 6)->state = 'R';
		break;
	}
	snapshot_link_pipes(s);
	fill(s, 11, variant == 3 ? 0 : variant == 2 ? 4096 : CAP, CAP);
	fill(s, 12, variant == 1 ? CAP : variant == 2 ? 512 : 0, CAP);
	return s;
}

static void
bottleneck_after_three_votes(const struct snapshot *s, int i)
{
	if (i < 2)
		none(s, "bottleneck");
	else
		must(s, "bottleneck");
	none(s, "deadlock");
}

static void
bottleneck_names_busy_middle_stage(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, gzip_chain, 0, 0, 0.1, 10,
	    bottleneck_after_three_votes);
	const struct snap_diag *g = must(s, "bottleneck");

	(void)state;
	PIDS(g, 5, 4, 6);
	PIPES(g, 11, 12);
	says(g, "gzip (pid 5) limits the pipeline's throughput");
	says(g, "10 of the last 10 checks");
	says(g, "head (pid 4) waits to write pipe 11 to it");
	says(g, "wc (pid 6) waits to read pipe 12 from it");
	assert_int_equal(ndiag(s, "bottleneck"), 1);
	snapshot_free(s);
	diagnose_free(d);
}

static void
bottleneck_survives_a_noisy_sample(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, gzip_chain, 0, 0, 0.1, 6, NULL);
	const struct snap_diag *g;

	(void)state;
	snapshot_free(s);
	s = run(d, gzip_chain, 1, 0.6, 0.1, 1, NULL);
	g = must(s, "bottleneck");
	assert_int_equal(g->pids[0], 5);
	says(g, "6 of the last 7 checks");
	assert_int_equal(ndiag(s, "bottleneck"), 1);
	snapshot_free(s);
	s = run(d, gzip_chain, 0, 0.7, 0.1, 1, NULL);
	assert_int_equal(must(s, "bottleneck")->pids[0], 5);
	snapshot_free(s);
	diagnose_free(d);
}

/* The CPU share over the interval outweighs the state of one instant. */
static void
bottleneck_caught_between_reads_is_still_the_busy_stage(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, gzip_chain, 3, 0, 0.1, 4, NULL);
	const struct snap_diag *g = must(s, "bottleneck");

	(void)state;
	PIDS(g, 5, 6);
	PIPES(g, 12);
	says(g, "gzip (pid 5) limits");
	snapshot_free(s);
	diagnose_free(d);
}

static void
no_bottleneck_check(const struct snapshot *s, int i)
{
	(void)i;
	none(s, "bottleneck");
	none(s, "deadlock");
}

/*
 * A momentarily full pipe whose reader runs (one sample in ten): neither
 * a deadlock nor a bottleneck.
 */
static struct snapshot *
blip(double t, int variant)
{
	return gzip_chain(t, variant == 4 ? 1 : 2);
}

static void
momentarily_full_pipe_is_no_deadlock_nor_bottleneck(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = NULL;

	(void)state;
	for (int i = 0; i < 10; i++) {
		snapshot_free(s);
		s = blip(0.1 * i, i);
		diagnose_sample(d, s);
		no_bottleneck_check(s, i);
	}
	snapshot_free(s);
	diagnose_free(d);
}

/* One busy process, no pipes: nothing to blame. */
static struct snapshot *
lone(double t, int variant)
{
	struct snapshot *s = snapshot_create(t);

	(void)variant;
	proc(s, 30, 500, "burn", 'R', 0);
	P(s, 30)->cpu_pct = 100;
	snapshot_link_pipes(s);
	return s;
}

static void
no_bottleneck_without_waiting_neighbours(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, lone, 0, 0, 0.1, 10, no_bottleneck_check);

	(void)state;
	assert_int_equal(s->ndiags, 0);
	snapshot_free(s);
	diagnose_free(d);
	d = instant();
	s = run(d, gzip_chain, 2, 0, 0.1, 10, no_bottleneck_check);
	snapshot_free(s);
	diagnose_free(d);
}

/*
 * gzip_chain's head blocked on gzip's input; variant 1 adds yes | sleep,
 * a writer stalled on a pipe the bottleneck does not read.
 */
static struct snapshot *
bottleneck_and_stall(double t, int variant)
{
	struct snapshot *s = gzip_chain(t, 0);

	if (variant == 1) {
		proc(s, 7, 500, "yes", 'S', 3);
		pipe_fd(s, 7, 1, SNAP_MODE_W, 13);
		proc(s, 8, 500, "sleep", 'S', 4);
		pipe_fd(s, 8, 0, SNAP_MODE_R, 13);
		P(s, 8)->syscall = 230;
		block(s, 7, SNAP_BLOCK_WRITE, 1);
	}
	snapshot_link_pipes(s);
	fill(s, 11, CAP, CAP);
	fill(s, 12, 0, CAP);
	if (variant == 1)
		fill(s, 13, CAP, CAP);
	return s;
}

static size_t
diag_index(const struct snapshot *s, const struct snap_diag *d)
{
	assert_non_null(d);
	return (size_t)(d - s->diags);
}

/* The writer blocked on the bottleneck's input is its symptom, not news. */
static void
top_diagnosis_is_the_bottleneck_not_its_blocked_writer(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, bottleneck_and_stall, 0, 0, 0.1, 10, NULL);
	const struct snap_diag *bn = must(s, "bottleneck");
	const struct snap_diag *bw = must(s, "blocked_writer");
	const struct snap_diag *top = diagnose_top(s);

	(void)state;
	assert_int_equal(bn->pids[0], 5);
	assert_int_equal(bw->pids[0], 4);
	assert_ptr_equal(top, bn);
	/* --text and the trace list them in s->diags order: the same. */
	assert_true(diag_index(s, bn) < diag_index(s, bw));
	snapshot_free(s);
	diagnose_free(d);
}

/* A stall elsewhere is not explained by the bottleneck: it goes first. */
static void
top_diagnosis_is_an_unrelated_blocked_writer(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, bottleneck_and_stall, 1, 0, 0.1, 10, NULL);
	const struct snap_diag *top = diagnose_top(s);

	(void)state;
	assert_int_equal(must(s, "bottleneck")->pids[0], 5);
	assert_int_equal(ndiag(s, "blocked_writer"), 2);
	assert_non_null(top);
	assert_string_equal(top->kind, "blocked_writer");
	assert_int_equal(top->pids[0], 7);
	snapshot_free(s);
	diagnose_free(d);
	s = snapshot_create(0);
	assert_null(diagnose_top(s));
	snapshot_free(s);
}

/* yes | head -n 1: both stages have ended, yes by SIGPIPE. */
static struct snapshot *
yes_head(double t, int variant)
{
	struct snapshot *s = snapshot_create(t);

	(void)variant;
	proc(s, 8, 500, "yes", 'S', 0);
	pipe_fd(s, 8, 1, SNAP_MODE_W, 5);
	exited(s, 8, 0, SIGPIPE);
	proc(s, 9, 500, "head", 'S', 1);
	pipe_fd(s, 9, 0, SNAP_MODE_R, 5);
	exited(s, 9, 0, 0);
	snapshot_link_pipes(s);
	return s;
}

static void
sigpipe_names_reader_and_says_normal(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, yes_head, 0, 0, 0.1, 2, NULL);
	const struct snap_diag *g = must(s, "sigpipe");

	(void)state;
	PIDS(g, 8, 9);
	PIPES(g, 5);
	says(g, "yes (pid 8) was killed by SIGPIPE");
	says(g, "head (pid 9) exited");
	says(g, "normal when a reader exits before the end of its input");
	assert_int_equal(s->ndiags, 1);
	snapshot_free(s);
	diagnose_free(d);
}

/* yes | sort with sort stopped (variant 1: sort has exited, yes lives). */
static struct snapshot *
yes_sort(double t, int variant)
{
	struct snapshot *s = snapshot_create(t);

	proc(s, 8, 500, "yes", 'S', 0);
	pipe_fd(s, 8, 1, SNAP_MODE_W, 5);
	proc(s, 9, 500, "sort", 'T', 1);
	pipe_fd(s, 9, 0, SNAP_MODE_R, 5);
	if (variant == 1) {
		exited(s, 9, 0, 0);
		P(s, 8)->state = 'R';
	} else
		block(s, 8, SNAP_BLOCK_WRITE, 1);
	snapshot_link_pipes(s);
	if (variant == 0)
		fill(s, 5, CAP, CAP);
	return s;
}

static void
stopped_stage_holding_up_a_writer(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, yes_sort, 0, 0, 0.2, 5, NULL);
	const struct snap_diag *g = must(s, "stopped");

	(void)state;
	PIDS(g, 9, 8);
	PIPES(g, 5);
	says(g, "sort (pid 9) is stopped");
	says(g, "yes (pid 8) waits for it to read pipe 5");
	says(g, "kill -CONT 9");
	says(must(s, "blocked_writer"), "sort (pid 9) is stopped");
	none(s, "deadlock");
	none(s, "bottleneck");
	snapshot_free(s);
	diagnose_free(d);
}

static void
no_reader_when_reader_stage_exited(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, yes_sort, 1, 0, 0.2, 2, NULL);
	const struct snap_diag *g = must(s, "no_reader");

	(void)state;
	PIDS(g, 8, 9);
	PIPES(g, 5);
	says(g, "sort (pid 9) has exited");
	none(s, "sigpipe");
	none(s, "stopped");
	snapshot_free(s);
	diagnose_free(d);
}

/*
 * Inherited stray pipes (fd 251 everywhere) are no part of the picture,
 * even when the probe sees a process blocked on one.
 */
static struct snapshot *
strays(double t, int variant)
{
	struct snapshot *s = snapshot_create(t);

	(void)variant;
	proc(s, 40, 500, "logger", 'S', 0);
	pipe_fd(s, 40, 0, SNAP_MODE_R, 3);
	pipe_fd(s, 40, 251, SNAP_MODE_W, 42);
	pipe_fd(s, 40, 250, SNAP_MODE_R, 43);
	proc(s, 41, 500, "tool", 'R', 1);
	pipe_fd(s, 41, 251, SNAP_MODE_W, 42);
	P(s, 41)->cpu_pct = 100;
	snapshot_link_pipes(s);
	assert_true(snapshot_find_pipe(s, 42)->stray);
	assert_true(snapshot_find_pipe(s, 43)->stray);
	/* The probe saw these after linking: still stray. */
	block(s, 40, SNAP_BLOCK_WRITE, 251);
	snapshot_find_pipe(s, 42)->fill = CAP;
	snapshot_find_pipe(s, 42)->capacity = CAP;
	snapshot_find_pipe(s, 43)->fill = 0;
	snapshot_find_pipe(s, 43)->capacity = CAP;
	return s;
}

static void
stray_pipes_are_ignored(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = NULL;

	(void)state;
	for (int i = 0; i < 8; i++) {
		snapshot_free(s);
		s = strays(0.2 * i, 0);
		if (i % 2 == 1)
			block(s, 40, SNAP_BLOCK_READ, 250);
		diagnose_sample(d, s);
		if (s->ndiags > 0)
			fail_msg("stray pipe gave %s: %s", s->diags[0].kind,
			    s->diags[0].message);
	}
	snapshot_free(s);
	diagnose_free(d);
}

/* A parent and child writing to each other, both pipes full. */
static struct snapshot *
two_way(double t, int variant)
{
	struct snapshot *s = snapshot_create(t);

	(void)variant;
	proc(s, 60, 500, "parent", 'S', 0);
	pipe_fd(s, 60, 4, SNAP_MODE_W, 61);
	pipe_fd(s, 60, 5, SNAP_MODE_R, 62);
	block(s, 60, SNAP_BLOCK_WRITE, 4);
	proc(s, 70, 60, "child", 'S', 0);
	pipe_fd(s, 70, 0, SNAP_MODE_R, 61);
	pipe_fd(s, 70, 1, SNAP_MODE_W, 62);
	block(s, 70, SNAP_BLOCK_WRITE, 1);
	snapshot_link_pipes(s);
	fill(s, 61, CAP, CAP);
	fill(s, 62, CAP, CAP);
	return s;
}

static void
deadlock_between_parent_and_child_writing_both_ways(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, two_way, 0, 0, 0.25, 4, NULL);
	const struct snap_diag *g = must(s, "deadlock");

	(void)state;
	PIDS(g, 60, 70);
	PIPES(g, 61, 62);
	says(g, "parent (pid 60) waits to write pipe 61 read by child "
	    "(pid 70), which waits to write pipe 62 read by parent (pid 60)");
	assert_int_equal(ndiag(s, "blocked_writer"), 2);
	snapshot_free(s);
	diagnose_free(d);
}

/*
 * (while :; do echo line; sleep 0.05; done) | grep line | cat: grep (21)
 * reads pipe 30 as the loop (20) writes it, and its output pipe 31 to cat
 * (22) stays empty.  Variants:
 *   0 grep block-buffers: reads, never writes
 *   1 grep --line-buffered: writes as it reads
 *   2 a slow stage: busy on the CPU, its input pipe full
 *   3 writes a burst every second
 *   4 writes a burst every 3 s
 *   5 wrote earlier, and its output waits in pipe 31 for a slow cat
 *   6 sort: holds everything until its input ends, by design
 *   7 reads nothing: its input is idle
 *   8 stopped
 *   10.. the same as 0 for awk, python3, cut, mawk, sed
 */
static const char *const buffered_names[] = { "awk", "python3", "cut",
	"mawk", "sed" };

static struct snapshot *
buffered(double t, int variant)
{
	struct snapshot *s = snapshot_create(t);
	const char *name = variant >= 10 ? buffered_names[variant - 10] :
	    variant == 6 ? "sort" : "grep";
	struct snap_proc *g;
	/* Samples are 0.1 s apart: count them exactly. */
	long tick = lround(t * 10);

	proc(s, 20, 500, "sh", 'S', 0);
	pipe_fd(s, 20, 1, SNAP_MODE_W, 30);
	P(s, 20)->syscall = 230;
	proc(s, 21, 500, name, variant == 8 ? 'T' : 'S', 1);
	pipe_fd(s, 21, 0, SNAP_MODE_R, 30);
	pipe_fd(s, 21, 1, SNAP_MODE_W, 31);
	proc(s, 22, 500, "cat", 'S', 2);
	pipe_fd(s, 22, 0, SNAP_MODE_R, 31);
	block(s, 22, SNAP_BLOCK_READ, 0);
	g = P(s, 21);
	g->rchar = variant == 7 ? 7000 : 7000 + (uint64_t)tick * 10;
	g->wchar = 0;
	block(s, 21, SNAP_BLOCK_READ, 0);
	switch (variant) {
	case 1:
		g->wchar = (uint64_t)tick * 10;
		break;
	case 2:
		g->state = 'R';
		g->cpu_pct = 95;
		g->blocked.op = SNAP_BLOCK_NONE;
		break;
	case 3:
		g->wchar = (uint64_t)(tick / 10) * 4096;
		break;
	case 4:
		g->wchar = (uint64_t)(tick / 30) * 4096;
		break;
	case 5:
		g->wchar = 4096;
		break;
	default:
		break;
	}
	snapshot_link_pipes(s);
	fill(s, 30, variant == 2 ? CAP : 0, CAP);
	fill(s, 31, variant == 5 ? 4096 : 0, CAP);
	return s;
}

/* Fires from 2 s of reading without output on, and never before. */
static void
buffered_after_two_seconds(const struct snapshot *s, int i)
{
	if (i < 20)
		none(s, "buffered_output");
	else
		must(s, "buffered_output");
}

static void
buffered_output_names_grep_and_the_fix(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, buffered, 0, 0, 0.1, 26,
	    buffered_after_two_seconds);
	const struct snap_diag *g = must(s, "buffered_output");

	(void)state;
	PIDS(g, 21);
	PIPES(g, 30, 31);
	says(g, "grep (pid 21) has read 250B from pipe 30 in the last "
	    "2.5 s but written nothing to pipe 31");
	says(g, "stdio buffer");
	says(g, "grep --line-buffered");
	assert_int_equal(ndiag(s, "buffered_output"), 1);
	none(s, "bottleneck");
	none(s, "deadlock");
	snapshot_free(s);
	diagnose_free(d);
}

static void
buffered_output_fix_depends_on_the_program(void **state)
{
	static const char *const fixes[] = {
		"fflush() after print in gawk, or use -W interactive in mawk "
		    "(Debian's default awk, which also reads its input in "
		    "blocks)",
		"python3 -u",
		"stdbuf -oL cut",
		"mawk -W interactive",
		"sed -u",
	};

	(void)state;
	for (int k = 0; k < 5; k++) {
		struct diagnose *d = instant();
		struct snapshot *s = run(d, buffered, 10 + k, 0, 0.1, 22,
		    NULL);
		const struct snap_diag *g = must(s, "buffered_output");

		says(g, buffered_names[k]);
		says(g, fixes[k]);
		snapshot_free(s);
		diagnose_free(d);
	}
}

static void
quiet_buffered_check(const struct snapshot *s, int i)
{
	(void)i;
	none(s, "buffered_output");
}

/* Near misses: each of these stays quiet however long it lasts. */
static void
buffered_output_near_misses(void **state)
{
	/* line-buffered, slow, bursts every 1 s, output waiting, sort,
	   idle input, stopped */
	static const int variants[] = { 1, 2, 3, 5, 6, 7, 8 };

	(void)state;
	for (size_t k = 0; k < sizeof variants / sizeof variants[0]; k++) {
		struct diagnose *d = instant();
		struct snapshot *s = run(d, buffered, variants[k], 0, 0.1, 60,
		    quiet_buffered_check);

		snapshot_free(s);
		diagnose_free(d);
	}
}

/*
 * Bursts every 3 s: before the first one it cannot be told from a stage
 * that never writes, but once it has been seen writing every 3 s it has to
 * stay quiet for 6 s.
 */
static void
buffered_output_learns_a_burst_rhythm(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, buffered, 4, 0, 0.1, 30, NULL);

	(void)state;
	must(s, "buffered_output");
	snapshot_free(s);
	s = run(d, buffered, 4, 3.0, 0.1, 90, quiet_buffered_check);
	snapshot_free(s);
	diagnose_free(d);
}

/* Quiet again at once when it writes; the spell starts over. */
static void
buffered_output_ends_when_it_writes(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, buffered, 0, 0, 0.1, 25, NULL);

	(void)state;
	must(s, "buffered_output");
	snapshot_free(s);
	s = buffered(2.5, 0);
	P(s, 21)->wchar = 4096;
	diagnose_sample(d, s);
	none(s, "buffered_output");
	snapshot_free(s);
	s = run(d, buffered, 0, 2.6, 0.1, 15, NULL);
	none(s, "buffered_output");
	snapshot_free(s);
	diagnose_free(d);
}

/* The wait model: jobs, writers without room, coprocesses, sockets. */

/*
 * A job of bash (pid 500): cat (pid 600) | wc (pid 601) in process group
 * 600, both stopped.  Variants: 0 cat read the terminal from the
 * background (SIGTTIN), the terminal's foreground is the shell's group;
 * 1 Ctrl-Z (a signal), the same terminal; 2 a signal, no terminal.
 */
static struct snapshot *
stopped_job(double t, int variant)
{
	struct snapshot *s = snapshot_create(t);

	proc(s, 500, 1, "bash", 'S', -1);
	proc(s, 600, 500, "cat", 'T', -1);
	proc(s, 601, 500, "wc", 'T', -1);
	for (pid_t pid = 500; pid <= 601; pid += pid == 500 ? 100 : 1) {
		P(s, pid)->pgid = pid == 500 ? 500 : 600;
		P(s, pid)->tpgid = variant == 2 ? -1 : 500;
		if (pid != 500)
			P(s, pid)->stop = SNAP_STOP_SIGNAL;
	}
	if (variant == 0)
		P(s, 600)->stop = SNAP_STOP_TTIN;
	P(s, 500)->blocked.op = SNAP_BLOCK_WAIT;
	pipe_fd(s, 600, 1, SNAP_MODE_W, 30);
	pipe_fd(s, 601, 0, SNAP_MODE_R, 30);
	snapshot_link_pipes(s);
	fill(s, 30, 0, CAP);
	return s;
}

static void
stopped_job_after_sigttin_wants_fg_not_sigcont(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, stopped_job, 0, 0, 0.5, 3, NULL);
	const struct snap_diag *g = must(s, "stopped");

	(void)state;
	assert_int_equal(ndiag(s, "stopped"), 1);
	/* The job, then its shell, named in the advice. */
	PIDS(g, 600, 601, 500);
	says(g, "cat (pid 600), wc (pid 601) are stopped");
	says(g, "cat (pid 600) read its terminal from the background "
	    "(SIGTTIN)");
	says(g, "fg in its shell");
	says(g, "a SIGCONT would only stop it again");
	if (strstr(g->message, "kill -CONT") != NULL)
		fail_msg("SIGTTIN advice suggests kill -CONT: %s", g->message);
	snapshot_free(s);
	diagnose_free(d);
}

static void
stopped_job_after_ctrl_z_wants_fg_bg_or_group_sigcont(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, stopped_job, 1, 0, 0.5, 3, NULL);
	const struct snap_diag *g = must(s, "stopped");

	(void)state;
	assert_int_equal(ndiag(s, "stopped"), 1);
	PIDS(g, 600, 601, 500);
	says(g, "are stopped (by SIGSTOP or job control)");
	says(g, "fg or bg");
	says(g, "kill -CONT -600");
	if (strstr(g->message, "SIGTTIN") != NULL)
		fail_msg("Ctrl-Z job reported as SIGTTIN: %s", g->message);
	snapshot_free(s);
	diagnose_free(d);
}

static void
stopped_group_without_terminal_wants_group_sigcont(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, stopped_job, 2, 0, 0.5, 3, NULL);
	const struct snap_diag *g = must(s, "stopped");

	(void)state;
	assert_int_equal(ndiag(s, "stopped"), 1);
	PIDS(g, 600, 601);
	says(g, "continue them with kill -CONT -600");
	if (strstr(g->message, "fg") != NULL)
		fail_msg("no terminal, yet fg advised: %s", g->message);
	snapshot_free(s);
	diagnose_free(d);
}

/*
 * A writer of 1000-byte records (pid 812) into pipe 5159: 64000 of 65536
 * bytes in it, so the next record does not fit; the kernel's wchan says
 * it waits for room.  sleep (pid 813) holds the read end.
 */
static struct snapshot *
records_sleep(double t, int variant)
{
	struct snapshot *s = yes_sleep(t, variant);

	snprintf(P(s, 812)->wchan, sizeof P(s, 812)->wchan,
	    "anon_pipe_write");
	fill(s, 5159, 64000, CAP);
	return s;
}

static void
blocked_writer_without_room_for_the_next_write(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, records_sleep, 0, 0, 0.5, 3, NULL);
	const struct snap_diag *g = must(s, "blocked_writer");

	(void)state;
	PIDS(g, 812, 813);
	PIPES(g, 5159);
	says(g, "yes (pid 812) is blocked writing fd 1");
	says(g, "has no room for the next write (62KiB/64KiB)");
	says(g, "sleep (pid 813) is not reading it");
	snapshot_free(s);
	/* Without the kernel's word a pipe with room is no blocked writer. */
	d = (diagnose_free(d), instant());
	s = records_sleep(0, 0);
	P(s, 812)->wchan[0] = '\0';
	diagnose_sample(d, s);
	none(s, "blocked_writer");
	snapshot_free(s);
	diagnose_free(d);
}

/*
 * bash's coproc: bash (pid 500) holds the write end of cat's stdin (pipe
 * 10) on fd 60 and the read end of cat's stdout (pipe 11) on fd 63, and
 * reads its terminal; cat (pid 501) is blocked reading its empty stdin.
 * Variant 1: cat's parent is not bash (a subshell gone), so only the
 * conversation tells bash is its feeder.
 */
static struct snapshot *
coproc(double t, int variant)
{
	struct snapshot *s = snapshot_create(t);

	proc(s, 500, 1, "bash", 'S', -1);
	proc(s, 501, variant == 1 ? 499 : 500, "cat", 'S', -1);
	snapshot_proc_add_fd(P(s, 500), 0, SNAP_MODE_RW, SNAP_FD_TTY,
	    "/dev/pts/1");
	pipe_fd(s, 500, 60, SNAP_MODE_W, 10);
	pipe_fd(s, 500, 63, SNAP_MODE_R, 11);
	pipe_fd(s, 501, 0, SNAP_MODE_R, 10);
	pipe_fd(s, 501, 1, SNAP_MODE_W, 11);
	block(s, 500, SNAP_BLOCK_READ, 0);
	block(s, 501, SNAP_BLOCK_READ, 0);
	snapshot_link_pipes(s);
	fill(s, 10, 0, CAP);
	fill(s, 11, 0, CAP);
	return s;
}

static void
no_leak_check(const struct snapshot *s, int i)
{
	(void)i;
	for (size_t k = 0; k < s->ndiags; k++) {
		if (strstr(s->diags[k].message, "leak") != NULL)
			fail_msg("%s at t=%.2f: %s", s->diags[k].kind, s->t,
			    s->diags[k].message);
	}
	none(s, "eof_held");
}

static void
coproc_feeder_is_no_leaked_descriptor(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s;

	(void)state;
	for (int v = 0; v < 2; v++) {
		s = run(d, coproc, v, 0, 0.5, 6, no_leak_check);
		/* cat waits for bash, which may write at any time. */
		PIDS(must(s, "starved_reader"), 501, 500);
		none(s, "deadlock");
		snapshot_free(s);
		diagnose_free(d);
		d = instant();
	}
	diagnose_free(d);
}

/*
 * nc (pid 700) blocked reading a TCP connection (socket 900, fd 3) to
 * 127.0.0.1:5599 whose far end pipeviz does not see, feeding gzip (pid
 * 701) through pipe 20, which is empty.
 */
static struct snapshot *
nc_gzip(double t, int variant)
{
	struct snapshot *s = snapshot_create(t);
	struct snap_socket *k = snapshot_add_socket(s, 900);
	struct snap_proc *p;

	(void)variant;
	k->type = SNAP_SOCK_TCP;
	k->local = strdup("127.0.0.1:40210");
	k->remote = strdup("127.0.0.1:5599");
	k->rqueue = k->wqueue = 0;
	proc(s, 700, 500, "nc", 'S', -1);
	proc(s, 701, 500, "gzip", 'S', -1);
	p = P(s, 700);
	snapshot_proc_add_fd(p, 3, SNAP_MODE_RW, SNAP_FD_SOCKET, NULL)->inode =
	    900;
	pipe_fd(s, 700, 1, SNAP_MODE_W, 20);
	pipe_fd(s, 701, 0, SNAP_MODE_R, 20);
	block(s, 700, SNAP_BLOCK_READ, 3);
	P(s, 700)->blocked.socket = 900;
	snprintf(P(s, 700)->wchan, sizeof P(s, 700)->wchan, "wait_woken");
	block(s, 701, SNAP_BLOCK_READ, 0);
	snapshot_link_pipes(s);
	fill(s, 20, 0, CAP);
	return s;
}

static void
reader_fed_from_the_network_names_the_far_end(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, nc_gzip, 0, 0, 0.5, 6, no_eof_held_check);
	const struct snap_diag *g = must(s, "starved_reader");

	(void)state;
	assert_int_equal(P(s, 700)->blocked.pipe, 900);
	assert_int_equal(ndiag(s, "starved_reader"), 1);
	PIDS(g, 701, 700);
	says(g, "gzip (pid 701) is waiting to read fd 0: pipe 20 is empty");
	says(g, "nc (pid 700) is waiting for data from 127.0.0.1:5599 over "
	    "TCP on fd 3");
	none(s, "blocked_writer");
	snapshot_free(s);
	diagnose_free(d);
}

static void
free_accepts_null(void **state)
{
	(void)state;
	diagnose_free(NULL);
}

/*
 * yes 2>&1 | sleep, and its mirror sleep 2>&1 | cat: a process holding one
 * pipe on fd 1 and fd 2 is named once.  variant 1: --demo fill, a writer
 * blocked on a pipe only it can read.
 */
static struct snapshot *
twice_held(double t, int variant)
{
	struct snapshot *s = snapshot_create(t);

	if (variant == 1) {
		proc(s, 900, 500, "fill", 'S', 0);
		pipe_fd(s, 900, 3, SNAP_MODE_R, 7000);
		pipe_fd(s, 900, 4, SNAP_MODE_W, 7000);
		block(s, 900, SNAP_BLOCK_WRITE, 4);
		snapshot_link_pipes(s);
		fill(s, 7000, CAP, CAP);
		return s;
	}
	proc(s, 812, 500, "yes", 'S', 0);
	pipe_fd(s, 812, 1, SNAP_MODE_W, 5159);
	pipe_fd(s, 812, 2, SNAP_MODE_W, 5159);
	proc(s, 813, 500, "sleep", 'S', 1);
	pipe_fd(s, 813, 0, SNAP_MODE_R, 5159);
	pipe_fd(s, 813, 1, SNAP_MODE_W, 5160);
	pipe_fd(s, 813, 2, SNAP_MODE_W, 5160);
	P(s, 813)->syscall = 230;
	proc(s, 814, 500, "cat", 'S', 2);
	pipe_fd(s, 814, 0, SNAP_MODE_R, 5160);
	block(s, 812, SNAP_BLOCK_WRITE, 1);
	block(s, 814, SNAP_BLOCK_READ, 0);
	snapshot_link_pipes(s);
	fill(s, 5159, CAP, CAP);
	fill(s, 5160, 0, CAP);
	return s;
}

static void
a_process_holding_a_pipe_twice_is_named_once(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, twice_held, 0, 1.0, 0.5, 5, NULL);
	const struct snap_diag *g = must(s, "starved_reader");

	(void)state;
	says(g, "; sleep (pid 813) has not written to it");
	if (strstr(g->message, "and sleep") != NULL)
		fail_msg("sleep named twice: %s", g->message);
	g = must(s, "blocked_writer");
	says(g, "sleep (pid 813) is not reading it");
	if (strstr(g->message, "it and sleep") != NULL)
		fail_msg("sleep named twice: %s", g->message);
	snapshot_free(s);
	diagnose_free(d);
}

static void
a_writer_only_it_can_read_is_told_so(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, twice_held, 1, 1.0, 0.5, 5, NULL);
	const struct snap_diag *g = must(s, "blocked_writer");

	(void)state;
	says(g, "only fill itself holds the read end");
	if (strstr(g->message, "no reader is observed") != NULL)
		fail_msg("fill's own read end ignored: %s", g->message);
	snapshot_free(s);
	diagnose_free(d);
}

/* nosuchcmd | cat, and a program that itself exits 127: only the first. */
static struct snapshot *
exec_failures(double t, int variant)
{
	struct snapshot *s = snapshot_create(t);
	char *argv[] = { "sh", "-c", "nosuchcmd -x", NULL };

	(void)variant;
	proc(s, 700, 500, "sh", 'X', 0);
	snapshot_proc_set_argv(P(s, 700), argv);
	exited(s, 700, 127, 0);
	proc(s, 701, 500, "cat", 'X', 1);
	exited(s, 701, 0, 0);
	proc(s, 702, 500, "myprog", 'X', 2);
	exited(s, 702, 127, 0);
	snapshot_link_pipes(s);
	return s;
}

static void
exec_failed_names_the_command_first(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, exec_failures, 0, 1.0, 0.5, 2, NULL);
	const struct snap_diag *g = must(s, "exec_failed");

	(void)state;
	assert_int_equal(ndiag(s, "exec_failed"), 1);
	PIDS(g, 700);
	says(g, "nosuchcmd: command not found (stage 1, sh (pid 700)");
	assert_string_equal(diagnose_top(s)->kind, "exec_failed");
	snapshot_free(s);
	diagnose_free(d);
}

/* yes | tr | grep | sleep: three writers blocked behind sleep. */
static struct snapshot *
blocked_chain(double t, int variant)
{
	struct snapshot *s = snapshot_create(t);
	static const char *const names[] = { "yes", "tr", "grep", "sleep" };

	(void)variant;
	for (int i = 0; i < 4; i++) {
		pid_t pid = 601 + i;

		proc(s, pid, 500, names[i], 'S', i);
		if (i > 0)
			pipe_fd(s, pid, 0, SNAP_MODE_R, 800 + (uint64_t)i - 1);
		if (i < 3)
			pipe_fd(s, pid, 1, SNAP_MODE_W, 800 + (uint64_t)i);
	}
	P(s, 604)->syscall = 230;
	for (int i = 0; i < 3; i++)
		block(s, 601 + i, SNAP_BLOCK_WRITE, 1);
	snapshot_link_pipes(s);
	for (int i = 0; i < 3; i++)
		fill(s, 800 + (uint64_t)i, CAP, CAP);
	return s;
}

static void
a_chain_of_blocked_writers_is_one_report(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, blocked_chain, 0, 1.0, 0.5, 5, NULL);
	const struct snap_diag *g = must(s, "blocked_writer");

	(void)state;
	assert_int_equal(ndiag(s, "blocked_writer"), 1);
	assert_ptr_equal(g, &s->diags[0]);
	PIDS(g, 603, 604, 602, 601);
	PIPES(g, 802, 801, 800);
	says(g, "grep (pid 603) is blocked writing fd 1");
	says(g, "sleep (pid 604) is not reading it; upstream, 2 more wait in "
	    "turn: tr (pid 602) and yes (pid 601)");
	snapshot_free(s);
	diagnose_free(d);
}

/* yes | tr | cat | head -c 10: head left; cat, tr, yes died in turn. */
static struct snapshot *
sigpipe_cascade(double t, int variant)
{
	struct snapshot *s = snapshot_create(t);
	static const char *const names[] = { "yes", "tr", "cat", "head" };

	(void)variant;
	for (int i = 0; i < 4; i++) {
		pid_t pid = 611 + i;

		proc(s, pid, 500, names[i], 'X', i);
		if (i > 0)
			pipe_fd(s, pid, 0, SNAP_MODE_R, 820 + (uint64_t)i - 1);
		if (i < 3)
			pipe_fd(s, pid, 1, SNAP_MODE_W, 820 + (uint64_t)i);
		exited(s, pid, 0, i < 3 ? SIGPIPE : 0);
	}
	snapshot_link_pipes(s);
	return s;
}

static void
a_sigpipe_cascade_is_one_report_from_the_first_to_leave(void **state)
{
	struct diagnose *d = instant();
	struct snapshot *s = run(d, sigpipe_cascade, 0, 1.0, 0.5, 2, NULL);
	const struct snap_diag *g = must(s, "sigpipe");

	(void)state;
	assert_int_equal(ndiag(s, "sigpipe"), 1);
	PIDS(g, 614, 613, 612, 611);
	says(g, "head (pid 614) exited and closed pipe 822; cat (pid 613), "
	    "tr (pid 612) and yes (pid 611) then died of SIGPIPE in turn");
	says(g, "normal");
	snapshot_free(s);
	diagnose_free(d);
}

/* The stuck time: what normal backpressure must not raise. */

/* A stall: nothing before 1 s, a blocked_writer from 1 s on. */
static void
stall_is_reported_after_the_stuck_time(void **state)
{
	struct diagnose *d = diagnose_create();
	struct snapshot *s = NULL;

	(void)state;
	for (int i = 0; i <= 12; i++) {
		snapshot_free(s);
		s = yes_sleep(0.1 + 0.1 * i, 0);
		diagnose_sample(d, s);
		if (i < 10) {
			assert_int_equal(s->ndiags, 0);
			assert_false(P(s, 812)->stuck);
		} else {
			says(must(s, "blocked_writer"), "for 1.");
			assert_true(P(s, 812)->stuck);
		}
	}
	snapshot_free(s);
	diagnose_free(d);
}

/* Backpressure: a writer that makes progress every sample never is. */
static void
backpressure_raises_no_alarm(void **state)
{
	struct diagnose *d = diagnose_create();
	struct snapshot *s = run(d, yes_sleep, 2, 0.1, 0.1, 40, NULL);

	(void)state;
	assert_int_equal(ndiag(s, "blocked_writer"), 0);
	assert_false(P(s, 812)->stuck);
	snapshot_free(s);
	diagnose_free(d);
}

/* A reader starved for less than the stuck time is only waiting. */
static void
short_wait_for_input_is_no_starved_reader(void **state)
{
	struct diagnose *d = diagnose_create();
	struct snapshot *s = NULL;

	(void)state;
	for (int i = 0; i < 8; i++) {
		snapshot_free(s);
		s = snapshot_create(0.1 + 0.1 * i);
		proc(s, 820, 500, "sleep", 'S', 0);
		pipe_fd(s, 820, 1, SNAP_MODE_W, 830);
		P(s, 820)->syscall = 230;
		proc(s, 821, 500, "cat", 'S', 1);
		pipe_fd(s, 821, 0, SNAP_MODE_R, 830);
		block(s, 821, SNAP_BLOCK_READ, 0);
		snapshot_link_pipes(s);
		fill(s, 830, 0, CAP);
		diagnose_sample(d, s);
		assert_int_equal(ndiag(s, "starved_reader"), 0);
	}
	snapshot_free(s);
	diagnose_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stall_is_reported_after_the_stuck_time),
		cmocka_unit_test(backpressure_raises_no_alarm),
		cmocka_unit_test(short_wait_for_input_is_no_starved_reader),
		cmocka_unit_test(a_chain_of_blocked_writers_is_one_report),
		cmocka_unit_test(a_sigpipe_cascade_is_one_report_from_the_first_to_leave),
		cmocka_unit_test(exec_failed_names_the_command_first),
		cmocka_unit_test(a_process_holding_a_pipe_twice_is_named_once),
		cmocka_unit_test(a_writer_only_it_can_read_is_told_so),
		cmocka_unit_test(blocked_writer_names_writer_fd_pipe_and_reader),
		cmocka_unit_test(blocked_writer_running_reader_reads_nothing),
		cmocka_unit_test(blocked_writer_without_reader_says_so),
		cmocka_unit_test(blocked_writer_time_restarts_after_progress),
		cmocka_unit_test(blocked_writer_time_is_per_process_identity),
		cmocka_unit_test(starved_reader_for_sleep_cat_not_eof_held),
		cmocka_unit_test(starved_chain_is_one_report),
		cmocka_unit_test(starved_chain_of_thousands_is_one_report),
		cmocka_unit_test(empty_snapshot_has_no_diagnoses),
		cmocka_unit_test(reader_of_computing_writer_is_not_eof_held),
		cmocka_unit_test(eof_held_by_background_process_of_exited_stage),
		cmocka_unit_test(eof_held_by_unseen_process_needs_two_samples),
		cmocka_unit_test(eof_held_by_reader_itself),
		cmocka_unit_test(eof_held_by_leaked_descriptor_then_deadlock),
		cmocka_unit_test(eof_held_by_orphan),
		cmocka_unit_test(deadlock_through_fifo_names_cycle_in_order),
		cmocka_unit_test(deadlock_cycle_follows_pipes_before_waits),
		cmocka_unit_test(deadlock_must_persist),
		cmocka_unit_test(deadlock_between_parent_and_child_writing_both_ways),
		cmocka_unit_test(bottleneck_names_busy_middle_stage),
		cmocka_unit_test(bottleneck_survives_a_noisy_sample),
		cmocka_unit_test(bottleneck_caught_between_reads_is_still_the_busy_stage),
		cmocka_unit_test(momentarily_full_pipe_is_no_deadlock_nor_bottleneck),
		cmocka_unit_test(no_bottleneck_without_waiting_neighbours),
		cmocka_unit_test(top_diagnosis_is_the_bottleneck_not_its_blocked_writer),
		cmocka_unit_test(top_diagnosis_is_an_unrelated_blocked_writer),
		cmocka_unit_test(sigpipe_names_reader_and_says_normal),
		cmocka_unit_test(stopped_stage_holding_up_a_writer),
		cmocka_unit_test(no_reader_when_reader_stage_exited),
		cmocka_unit_test(stray_pipes_are_ignored),
		cmocka_unit_test(buffered_output_names_grep_and_the_fix),
		cmocka_unit_test(buffered_output_fix_depends_on_the_program),
		cmocka_unit_test(buffered_output_near_misses),
		cmocka_unit_test(buffered_output_learns_a_burst_rhythm),
		cmocka_unit_test(buffered_output_ends_when_it_writes),
		cmocka_unit_test(stopped_job_after_sigttin_wants_fg_not_sigcont),
		cmocka_unit_test(stopped_job_after_ctrl_z_wants_fg_bg_or_group_sigcont),
		cmocka_unit_test(stopped_group_without_terminal_wants_group_sigcont),
		cmocka_unit_test(blocked_writer_without_room_for_the_next_write),
		cmocka_unit_test(coproc_feeder_is_no_leaked_descriptor),
		cmocka_unit_test(reader_fed_from_the_network_names_the_far_end),
		cmocka_unit_test(free_accepts_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
