/*
 * test-layout.c - golden layouts for each topology the live view draws.
 *
 * Each case builds a synthetic snapshot, lays it out and compares the text
 * with tests/golden/layout-NAME.txt.  PIPEVIZ_GOLDEN_UPDATE=1 rewrites the
 * files instead (then read the diff before committing it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "golden.h"

#include "pipeviz/canvas.h"
#include "pipeviz/layout.h"
#include "pipeviz/snapshot.h"


static struct snap_proc *
proc(struct snapshot *s, pid_t pid, pid_t ppid, const char *comm, int stage)
{
	struct snap_proc *p = snapshot_add_proc(s, pid);
	char *argv[] = { (char *)comm, NULL };

	snprintf(p->comm, sizeof p->comm, "%s", comm);
	snapshot_proc_set_argv(p, argv);
	p->ppid = ppid;
	p->stage = stage;
	p->state = 'S';
	return p;
}

static void
pipe_fd(struct snap_proc *p, int fd, enum snap_fd_mode mode, uint64_t ino)
{
	snapshot_proc_add_fd(p, fd, mode, SNAP_FD_PIPE, NULL)->inode = ino;
}

static void
path_fd(struct snap_proc *p, int fd, enum snap_fd_mode mode,
    enum snap_fd_kind kind, const char *path)
{
	snapshot_proc_add_fd(p, fd, mode, kind, path);
}

/* Link the pipes and give every one a fill level. */
static void
finish(struct snapshot *s, int64_t fill)
{
	snapshot_link_pipes(s);
	for (size_t i = 0; i < s->npipes; i++) {
		if (!s->pipes[i].stray) {
			s->pipes[i].capacity = 65536;
			s->pipes[i].fill = fill;
		}
	}
}

static void
check_golden(const char *name, const struct snapshot *s, int width, bool utf8)
{
	struct layout_opts o = { .width = width, .utf8 = utf8,
	    .compact = width < 70 };
	struct layout *l = layout_build(s, &o);
	char *text = layout_to_text(l);

	golden_check("layout", name, text);
	/* Nothing is drawn past the width. */
	for (int y = 0; y < l->height; y++)
		assert_true(l->width <= width || width < 20);
	free(text);
	layout_free(l);
}

/* The lecture's seed pipeline, mid-flight: a full pipe and a blocked writer. */
static struct snapshot *
seed(void)
{
	static const char *names[] = { "ls", "cut", "uniq", "sort", "tee" };
	struct snapshot *s = snapshot_create(1);

	for (int i = 0; i < 5; i++) {
		struct snap_proc *p = proc(s, 100 + i, 99, names[i], i);

		if (i == 0)
			path_fd(p, 0, SNAP_MODE_R, SNAP_FD_DEV, "/dev/null");
		else
			pipe_fd(p, 0, SNAP_MODE_R, 500 + (uint64_t)i);
		if (i == 4)
			path_fd(p, 1, SNAP_MODE_W, SNAP_FD_TTY, "/dev/pts/0");
		else
			pipe_fd(p, 1, SNAP_MODE_W, 501 + (uint64_t)i);
		/* The stray inherited descriptor must not show. */
		pipe_fd(p, 251, SNAP_MODE_W, 42);
	}
	s->procs[0].blocked = (struct snap_blocked){ SNAP_BLOCK_WRITE, 1, 501 };
	s->procs[0].stuck = true; /* as diagnose_sample judged it */
	s->procs[1].state = 'R';
	s->procs[1].cpu_pct = 97;
	s->procs[1].read_bps = 1234567;
	s->procs[2].blocked = (struct snap_blocked){ SNAP_BLOCK_READ, 0, 503 };
	s->procs[3].state = 'T';
	s->procs[4].exit = (struct snap_exit){ true, 0, 13, 1 };
	finish(s, 1000);
	snapshot_find_pipe(s, 501)->fill = 65536;
	snapshot_find_pipe(s, 501)->rate_bps = 1234567;
	snapshot_find_pipe(s, 503)->fill = 0;
	return s;
}

static void
chain_wide(void **state)
{
	struct snapshot *s = seed();

	(void)state;
	check_golden("chain-wide", s, 140, true);
	snapshot_free(s);
}

static void
chain_wraps(void **state)
{
	struct snapshot *s = seed();

	(void)state;
	check_golden("chain-wrap", s, 80, true);
	snapshot_free(s);
}

static void
chain_compact_ascii(void **state)
{
	struct snapshot *s = seed();

	(void)state;
	check_golden("chain-40-ascii", s, 40, false);
	snapshot_free(s);
}

/* tee >(wc -l) | sort: tee writes to sort on fd 1 and to wc on fd 63. */
static void
fan_out(void **state)
{
	struct snapshot *s = snapshot_create(1);
	struct snap_proc *p;

	(void)state;
	p = proc(s, 10, 1, "seq", 0);
	path_fd(p, 0, SNAP_MODE_R, SNAP_FD_DEV, "/dev/null");
	pipe_fd(p, 1, SNAP_MODE_W, 1);
	p = proc(s, 11, 1, "tee", 1);
	pipe_fd(p, 0, SNAP_MODE_R, 1);
	pipe_fd(p, 1, SNAP_MODE_W, 2);
	pipe_fd(p, 63, SNAP_MODE_W, 3);
	p = proc(s, 12, 1, "sort", 2);
	pipe_fd(p, 0, SNAP_MODE_R, 2);
	path_fd(p, 1, SNAP_MODE_W, SNAP_FD_FILE, "/home/u/sorted.txt");
	p = proc(s, 13, 11, "wc", 1);
	pipe_fd(p, 0, SNAP_MODE_R, 3);
	path_fd(p, 1, SNAP_MODE_W, SNAP_FD_TTY, "/dev/pts/1");
	finish(s, 4096);
	check_golden("fan-out", s, 100, true);
	snapshot_free(s);
}

/* (a; b) | c with 2>&1: a subshell's children share the pipe on fds 1,2. */
static void
fan_in_and_stderr(void **state)
{
	struct snapshot *s = snapshot_create(1);
	struct snap_proc *p;

	(void)state;
	p = proc(s, 20, 1, "sh", 0);
	path_fd(p, 0, SNAP_MODE_R, SNAP_FD_DEV, "/dev/null");
	pipe_fd(p, 1, SNAP_MODE_W, 7);
	pipe_fd(p, 2, SNAP_MODE_W, 7);
	p->blocked = (struct snap_blocked){ SNAP_BLOCK_WAIT, -1, 0 };
	p = proc(s, 21, 20, "make", 0);
	path_fd(p, 0, SNAP_MODE_R, SNAP_FD_DEV, "/dev/null");
	pipe_fd(p, 1, SNAP_MODE_W, 7);
	pipe_fd(p, 2, SNAP_MODE_W, 7);
	p->state = 'R';
	p->cpu_pct = 50;
	p = proc(s, 23, 1, "grep", 1);
	pipe_fd(p, 0, SNAP_MODE_R, 7);
	path_fd(p, 1, SNAP_MODE_W, SNAP_FD_TTY, "/dev/pts/0");
	finish(s, 100);
	check_golden("fan-in", s, 100, true);
	snapshot_free(s);
}

/* The lecture's parent and child: two pipes, both ways, and a self-loop. */
static void
parent_child_and_self(void **state)
{
	struct snapshot *s = snapshot_create(1);
	struct snap_proc *p;

	(void)state;
	p = proc(s, 30, 1, "parent", -1);
	path_fd(p, 0, SNAP_MODE_R, SNAP_FD_TTY, "/dev/pts/0");
	path_fd(p, 1, SNAP_MODE_W, SNAP_FD_TTY, "/dev/pts/0");
	pipe_fd(p, 3, SNAP_MODE_R, 70);
	pipe_fd(p, 6, SNAP_MODE_W, 71);
	p->blocked = (struct snap_blocked){ SNAP_BLOCK_READ, 3, 70 };
	p = proc(s, 31, 30, "child", -1);
	path_fd(p, 0, SNAP_MODE_R, SNAP_FD_TTY, "/dev/pts/0");
	path_fd(p, 1, SNAP_MODE_W, SNAP_FD_TTY, "/dev/pts/0");
	pipe_fd(p, 4, SNAP_MODE_W, 70);
	pipe_fd(p, 5, SNAP_MODE_R, 71);
	p = proc(s, 40, 1, "self", -1);
	path_fd(p, 0, SNAP_MODE_R, SNAP_FD_TTY, "/dev/pts/0");
	path_fd(p, 1, SNAP_MODE_W, SNAP_FD_TTY, "/dev/pts/0");
	pipe_fd(p, 3, SNAP_MODE_R, 80);
	pipe_fd(p, 4, SNAP_MODE_W, 80);
	finish(s, 0);
	snapshot_find_pipe(s, 80)->fill = 9;
	check_golden("parent-child-self", s, 100, true);
	snapshot_free(s);
}

/* A FIFO between two processes, and a file read half-way. */
static void
fifo_and_file(void **state)
{
	struct snapshot *s = snapshot_create(1);
	struct snap_proc *p;
	struct snap_fd *f;

	(void)state;
	p = proc(s, 50, 1, "gzip", 0);
	f = snapshot_proc_add_fd(p, 0, SNAP_MODE_R, SNAP_FD_FILE,
	    "/var/log/big.log");
	f->pos = 300;
	f->size = 1000;
	snapshot_proc_add_fd(p, 1, SNAP_MODE_W, SNAP_FD_FIFO, "/tmp/x/f")->inode = 90;
	p = proc(s, 51, 1, "cat", 1);
	snapshot_proc_add_fd(p, 3, SNAP_MODE_R, SNAP_FD_FIFO, "/tmp/x/f")->inode = 90;
	path_fd(p, 1, SNAP_MODE_W, SNAP_FD_DEV, "/dev/null");
	finish(s, 20000);
	check_golden("fifo-file", s, 100, true);
	snapshot_free(s);
}

/* 60 cats: every process drawn once, no two names overlap. */
static void
long_chain(void **state)
{
	struct snapshot *s = snapshot_create(1);
	struct layout_opts o = { .width = 120, .utf8 = true };
	struct layout *l;

	(void)state;
	for (int i = 0; i < 60; i++) {
		struct snap_proc *p = proc(s, 1000 + i, 1, "cat", i);

		if (i == 0)
			path_fd(p, 0, SNAP_MODE_R, SNAP_FD_DEV, "/dev/null");
		else
			pipe_fd(p, 0, SNAP_MODE_R, (uint64_t)(2000 + i));
		pipe_fd(p, 1, SNAP_MODE_W, (uint64_t)(2001 + i));
	}
	finish(s, 0);
	l = layout_build(s, &o);
	assert_int_equal(l->nhits, 60);
	for (size_t i = 0; i < l->nhits; i++) {
		assert_int_equal(l->hits[i].proc, i); /* in stage order */
		assert_true(l->hits[i].x + l->hits[i].w <= 120);
		for (size_t j = 0; j < i; j++) {
			const struct layout_hit *a = &l->hits[i], *b = &l->hits[j];

			assert_false(a->y == b->y && a->x < b->x + b->w + 1 &&
			    b->x < a->x + a->w + 1);
		}
	}
	layout_free(l);
	check_golden("chain-60", s, 120, true);
	snapshot_free(s);
}

/*
 * An end of a process whose fd table could not be read is unknown, not
 * "closed": '?' as for another user's process.  A table kept from an
 * earlier read still names what it held.
 */
static void
unread_table_ends_are_unknown(void **state)
{
	struct snapshot *s = snapshot_create(1);
	struct layout_opts o = { .width = 100, .utf8 = false };
	struct snap_proc *p;
	struct layout *l;
	char *text;

	(void)state;
	p = proc(s, 100, 99, "sleep", 0);
	path_fd(p, 0, SNAP_MODE_R, SNAP_FD_DEV, "/dev/null");
	pipe_fd(p, 1, SNAP_MODE_W, 501);
	p->fds_unread = true;
	p = proc(s, 101, 99, "cat", 1);
	pipe_fd(p, 0, SNAP_MODE_R, 501);
	finish(s, 0);
	l = layout_build(s, &o);
	text = layout_to_text(l);
	assert_non_null(strstr(text, "null"));
	assert_non_null(strstr(text, "closed"));
	free(text);
	layout_free(l);
	s->procs[1].fds_unread = true;
	l = layout_build(s, &o);
	text = layout_to_text(l);
	assert_non_null(strstr(text, "null"));
	assert_null(strstr(text, "closed"));
	assert_non_null(strstr(text, " ?"));
	free(text);
	layout_free(l);
	snapshot_free(s);
}

static void
empty_snapshot(void **state)
{
	struct snapshot *s = snapshot_create(0);

	(void)state;
	check_golden("empty", s, 60, true);
	snapshot_free(s);
}

/* A writer held back by a full pipe it is not stuck on: calm, not red. */
static void
held_writer_is_not_red(void **state)
{
	struct snapshot *s = seed();
	enum layout_style style;

	(void)state;
	assert_string_equal(layout_state_word(s, &s->procs[0], &style),
	    "BLOCKED");
	assert_int_equal(style, LAYOUT_BLOCKED);
	s->procs[0].stuck = false;
	assert_string_equal(layout_state_word(s, &s->procs[0], &style),
	    "held");
	assert_int_equal(style, LAYOUT_WAITING);
	snapshot_free(s);
}

/*
 * A long real-looking pipeline: sort -R | sort | uniq -c | sort -n after
 * a generator, names that repeat (their arguments tell them apart).
 */
static struct snapshot *
long_pipeline(int64_t fill, double cpu, double rate)
{
	static char *const argvs[][4] = {
		{ "head", "-c", "400M", NULL }, { "gzip", "-1", NULL },
		{ "sort", "-R", NULL }, { "sort", NULL }, { "uniq", "-c", NULL },
		{ "sort", "-n", NULL }, { "tee", "dir_contents", NULL },
	};
	const size_t n = sizeof argvs / sizeof argvs[0];
	struct snapshot *s = snapshot_create(2);

	for (size_t i = 0; i < n; i++) {
		struct snap_proc *p = proc(s, 2000 + (pid_t)i, 1999, argvs[i][0],
		    (int)i);

		snapshot_proc_set_argv(p, argvs[i]);
		if (i == 0)
			path_fd(p, 0, SNAP_MODE_R, SNAP_FD_DEV, "/dev/null");
		else
			pipe_fd(p, 0, SNAP_MODE_R, 700 + (uint64_t)i);
		if (i + 1 == n)
			path_fd(p, 1, SNAP_MODE_W, SNAP_FD_TTY, "/dev/pts/0");
		else
			pipe_fd(p, 1, SNAP_MODE_W, 701 + (uint64_t)i);
		p->blocked = (struct snap_blocked){ SNAP_BLOCK_READ, 0,
		    700 + (uint64_t)i };
	}
	s->procs[0].blocked = (struct snap_blocked){ SNAP_BLOCK_WRITE, 1, 701 };
	s->procs[1].state = 'R';
	s->procs[1].cpu_pct = cpu;
	finish(s, 0);
	snapshot_find_pipe(s, 701)->fill = fill;
	snapshot_find_pipe(s, 701)->rate_bps = rate;
	snapshot_find_pipe(s, 702)->rate_bps = rate / 7;
	return s;
}

/* The live view's diagram at 40x12, 80x24 and 120x30 (a column each side). */
static void
long_pipeline_sizes(void **state)
{
	struct snapshot *s = long_pipeline(61440, 92, 252e6);

	(void)state;
	check_golden("long-40", s, 40 - 1, true);
	check_golden("long-80", s, 80 - 1, true);
	check_golden("long-120", s, 120 - 1, true);
	snapshot_free(s);
}
/* A sparkline source for the tests: each channel's inode decides its level. */
struct spark_calls {
	int n;
	uint64_t inode[16];
	int x[16], y[16], cells[16];
	bool draw;
};

static void
spark_test(void *arg, struct layout *l, int x, int y, uint64_t inode, int n)
{
	struct spark_calls *c = arg;

	if (c->n < 16) {
		c->inode[c->n] = inode;
		c->x[c->n] = x;
		c->y[c->n] = y;
		c->cells[c->n] = n;
		c->n++;
	}
	for (int i = 0; c->draw && i < n; i++)
		canvas_level(l, x + i, y, (double)i / (n - 1), true, LAYOUT_EDGE);
}

/*
 * The sparkline under each edge between two nodes: in the status row,
 * in the room the edge leaves left of its rate (with a blank before the
 * rate's cells), never widening anything: the diagram is the same with
 * sparklines, without them, and whatever they draw.
 */
static void
sparklines_under_edges(void **state)
{
	struct snapshot *s = seed();
	struct spark_calls calls = { .draw = true }, none = { .draw = false };
	struct layout_opts o = { .width = 140, .utf8 = true, .spark = spark_test,
	    .spark_arg = &calls };
	struct layout_opts plain = { .width = 140, .utf8 = true };
	struct layout *l = layout_build(s, &o), *l2;
	char *text = layout_to_text(l), *line;

	(void)state;
	/* ls -> cut, cut -> uniq, uniq -> sort, sort -> tee: in order. */
	assert_int_equal(calls.n, 4);
	for (int i = 0; i < calls.n; i++) {
		assert_int_equal(calls.inode[i], 501 + (uint64_t)i);
		assert_in_range(calls.cells[i], LAYOUT_SPARK_MIN,
		    LAYOUT_SPARK_CELLS);
	}
	/* The first band's two (the third edge wraps: the next band's row). */
	assert_int_equal(calls.y[0], l->hits[0].y + 1);
	assert_int_equal(calls.y[1], l->hits[0].y + 1);
	assert_int_equal(calls.y[2], l->hits[0].y + 4);
	/* The first edge's: its levels up to the top, then its rate. */
	line = text;
	for (int y = 0; y < calls.y[0]; y++)
		line = strchr(line, '\n') + 1;
	assert_non_null(strstr(line, "\u2588  1.2MiB/s"));
	golden_check("layout", "chain-spark", text);
	free(text);

	/* Without sparklines, or with nothing drawn: every node where it was. */
	for (int k = 0; k < 2; k++) {
		o.spark_arg = &none;
		l2 = layout_build(s, k == 0 ? &plain : &o);
		assert_int_equal(l2->nhits, l->nhits);
		assert_int_equal(l2->height, l->height);
		assert_int_equal(l2->width, l->width);
		for (size_t i = 0; i < l->nhits; i++) {
			assert_int_equal(l2->hits[i].x, l->hits[i].x);
			assert_int_equal(l2->hits[i].y, l->hits[i].y);
		}
		layout_free(l2);
	}
	assert_int_equal(none.n, 4);

	/* Compact (a narrow terminal): no sparklines. */
	none.n = 0;
	o.width = 60;
	o.compact = true;
	l2 = layout_build(s, &o);
	assert_int_equal(none.n, 0);
	layout_free(l2);
	layout_free(l);
	snapshot_free(s);
}

/*
 * A steady picture: fills, rates and CPU shares change from frame to
 * frame, and no node or edge may move (every hit at the same place, the
 * canvas as tall).
 */
static void
columns_hold_still(void **state)
{
	static const struct { int64_t fill; double cpu, rate; } frames[] = {
		{ 0, 3, 0 }, { 61440, 92, 215e6 }, { 65536, 100, 226e6 },
		{ 63488, 9, 1e3 }, { 1, 100, 1023.0 * 1024 * 1024 },
	};
	(void)state;

	for (int width = 79; width <= 119; width += 40) {
		struct layout_opts o = { .width = width, .utf8 = true,
		    .compact = width < 70 };
		struct snapshot *first = long_pipeline(frames[0].fill,
		    frames[0].cpu, frames[0].rate);
		struct layout *l0 = layout_build(first, &o);

		for (size_t f = 1; f < sizeof frames / sizeof frames[0]; f++) {
			struct snapshot *s = long_pipeline(frames[f].fill,
			    frames[f].cpu, frames[f].rate);
			struct layout *l = layout_build(s, &o);

			assert_int_equal(l->nhits, l0->nhits);
			assert_int_equal(l->height, l0->height);
			for (size_t i = 0; i < l->nhits; i++) {
				assert_int_equal(l->hits[i].x, l0->hits[i].x);
				assert_int_equal(l->hits[i].y, l0->hits[i].y);
			}
			layout_free(l);
			snapshot_free(s);
		}
		layout_free(l0);
		snapshot_free(first);
	}
}


/*
 * 3000 cats attached to (pids given in reverse, no stages), with a child
 * under each tenth: one chain in pipeline order, each child listed under
 * its parent.  The order and the children lists are found through maps,
 * not a search of every process for each (issue 19).
 */
static void
long_chain_in_order_with_children(void **state)
{
	struct snapshot *s = snapshot_create(1.0);
	const int n = 3000;
	size_t order[3300], chain[3300];
	struct layout_opts o = { 100, false, false };
	struct layout *l;
	char *text;

	(void)state;
	for (int i = 0; i < n; i++) {
		struct snap_proc *p = proc(s, 10000 - i, 1, "cat", -1);

		if (i > 0)
			pipe_fd(p, 0, SNAP_MODE_R, (uint64_t)(500 + i));
		if (i + 1 < n)
			pipe_fd(p, 1, SNAP_MODE_W, (uint64_t)(501 + i));
		if (i % 10 == 0)
			proc(s, 20000 + i, 10000 - i, "kid", -1);
	}
	finish(s, 0);
	assert_int_equal(s->nprocs, 3300);
	/* The kids stand alone: one chain of cats, then one chain each. */
	assert_int_equal(layout_chain_order(s, order, chain), 1 + 300);
	for (int i = 0; i < n; i++) {
		assert_int_equal(s->procs[order[i]].pid, 10000 - i);
		assert_int_equal(chain[i], 0);
	}
	l = layout_build(s, &o);
	text = layout_to_text(l);
	/* Each kid under its parent's band, not in a band of its own. */
	assert_non_null(strstr(text, "`- kid 20000 "));
	assert_non_null(strstr(text, "`- kid 22990 "));
	free(text);
	layout_free(l);
	snapshot_free(s);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(held_writer_is_not_red),
		cmocka_unit_test(chain_wide),
		cmocka_unit_test(chain_wraps),
		cmocka_unit_test(chain_compact_ascii),
		cmocka_unit_test(fan_out),
		cmocka_unit_test(fan_in_and_stderr),
		cmocka_unit_test(parent_child_and_self),
		cmocka_unit_test(fifo_and_file),
		cmocka_unit_test(long_chain),
		cmocka_unit_test(long_pipeline_sizes),
		cmocka_unit_test(columns_hold_still),
		cmocka_unit_test(sparklines_under_edges),
		cmocka_unit_test(unread_table_ends_are_unknown),
		cmocka_unit_test(empty_snapshot),
		cmocka_unit_test(long_chain_in_order_with_children),
	};

	if (argc > 1)
		golden_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
