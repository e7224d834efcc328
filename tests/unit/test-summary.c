/*
 * test-summary.c - the end summary (summary.c): where each pipe's bytes
 * come from, the stages of a launched and an attached pipeline, the end
 * record written and read back, and golden tables in
 * tests/golden/summary-NAME.txt (PIPEVIZ_GOLDEN_UPDATE=1 rewrites them).
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

#include "pipeviz/history.h"
#include "pipeviz/layout.h"
#include "pipeviz/snapshot.h"
#include "pipeviz/summary.h"
#include "pipeviz/trace-read.h"
#include "pipeviz/trace.h"


static struct snap_proc *
proc(struct snapshot *s, pid_t pid, const char *comm, int stage)
{
	struct snap_proc *p = snapshot_add_proc(s, pid);
	char *argv[] = { (char *)comm, NULL };

	snprintf(p->comm, sizeof p->comm, "%s", comm);
	snapshot_proc_set_argv(p, argv);
	p->ppid = 1;
	p->stage = stage;
	p->state = 'S';
	p->start_ticks = 5000 + (uint64_t)pid;
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

/*
 * head -c 1000000 /dev/zero | cat | wc -c at time t, with the counters
 * at that point; tee_file makes cat write into a file too (tee), and
 * shared_reader makes wc read a file too.
 */
static struct snapshot *
chain(double t, uint64_t done, bool tee_file, bool shared_reader)
{
	struct snapshot *s = snapshot_create(t);
	struct snap_proc *head = proc(s, 100, "head", 0);
	struct snap_proc *cat = proc(s, 101, "cat", 1);
	struct snap_proc *wc = proc(s, 102, "wc", 2);

	fd_path(head, 0, SNAP_MODE_R, SNAP_FD_DEV, "/dev/zero");
	fd_pipe(head, 1, SNAP_MODE_W, 501);
	fd_path(head, 2, SNAP_MODE_W, SNAP_FD_TTY, "/dev/pts/0");
	head->rchar = done;
	head->wchar = done;
	fd_pipe(cat, 0, SNAP_MODE_R, 501);
	fd_pipe(cat, 1, SNAP_MODE_W, 502);
	cat->rchar = done + 832;
	cat->wchar = done;
	if (tee_file) {
		fd_path(cat, 3, SNAP_MODE_W, SNAP_FD_FILE, "/tmp/copy");
		cat->wchar = 2 * done;
	}
	fd_pipe(wc, 0, SNAP_MODE_R, 502);
	fd_path(wc, 1, SNAP_MODE_W, SNAP_FD_TTY, "/dev/pts/0");
	wc->rchar = done + 832;
	if (shared_reader) {
		fd_path(wc, 3, SNAP_MODE_R, SNAP_FD_FILE, "/etc/passwd");
		wc->rchar += 3000;
	}
	head->rss_kib = 1700 + (uint64_t)(t * 10);
	head->cpu_ticks = (uint64_t)(t * 50);
	snapshot_link_pipes(s);
	for (size_t i = 0; i < s->npipes; i++) {
		s->pipes[i].capacity = 65536;
		s->pipes[i].fill = 0;
		/* Rates as rates.c would give them: 1 MB over the run. */
		s->pipes[i].rate_bps = t > 0.5 ? 500000 : -1;
	}
	return s;
}

static struct history *
chain_history(bool tee_file, bool shared_reader)
{
	/* The session began 100 s after boot; the stages 0.1 s before it. */
	struct history *h = history_create(100, 100.0);

	for (int i = 1; i <= 4; i++) {
		struct snapshot *s = chain(i * 0.5, (uint64_t)i * 250000,
		    tee_file, shared_reader);

		for (size_t k = 0; k < s->nprocs; k++)
			s->procs[k].start_ticks = 9990; /* 99.9 s after boot */
		history_add(h, s);
		snapshot_free(s);
	}
	return h;
}

static const struct summary_pipe *
pipe_of(const struct summary *sum, uint64_t inode)
{
	for (size_t i = 0; i < sum->npipes; i++) {
		if (sum->pipes[i].inode == inode)
			return &sum->pipes[i];
	}
	fail_msg("no pipe %llu in the summary", (unsigned long long)inode);
	return NULL;
}

/* Writers that write nowhere else: their wchar, marked an estimate. */
static void
bytes_from_writers(void **state)
{
	struct history *h = chain_history(false, false);
	struct summary *sum = summary_build(h, NULL, 0);
	const struct summary_pipe *p = pipe_of(sum, 501);

	(void)state;
	assert_int_equal(sum->npipes, 2);
	assert_int_equal(p->bytes, 1000000);
	assert_false(p->exact);
	assert_int_equal(p->source, SUMMARY_WRITERS);
	assert_int_equal(p->nwriters, 1);
	assert_int_equal(p->writers[0], 100);
	assert_int_equal(p->nreaders, 1);
	assert_int_equal(p->readers[0], 101);
	/* From 99.9 s after boot (-0.1 s) to its last sight (2 s). */
	assert_true(p->avg_bps == 476190);
	/* Along the pipeline: head's pipe, then cat's. */
	assert_int_equal(sum->pipes[0].inode, 501);
	assert_int_equal(sum->pipes[1].inode, 502);
	summary_free(sum);
	history_free(h);
}

/* A writer that writes a file too (tee): its readers' rchar instead. */
static void
bytes_from_readers(void **state)
{
	struct history *h = chain_history(true, false);
	struct summary *sum = summary_build(h, NULL, 0);
	const struct summary_pipe *p = pipe_of(sum, 502);

	(void)state;
	assert_int_equal(p->source, SUMMARY_READERS);
	assert_int_equal(p->bytes, 1000832); /* the loader's reads too */
	assert_int_equal(pipe_of(sum, 501)->source, SUMMARY_WRITERS);
	summary_free(sum);
	history_free(h);
}

/* Neither side alone on the pipe: the sampled rates, else unknown. */
static void
bytes_from_samples(void **state)
{
	struct history *h = chain_history(true, true);
	struct summary *sum = summary_build(h, NULL, 0);
	const struct summary_pipe *p = pipe_of(sum, 502);

	(void)state;
	assert_int_equal(p->source, SUMMARY_SAMPLES);
	/* 500000 B/s over the three intervals after 0.5 s. */
	assert_int_equal(p->bytes, 750000);
	summary_free(sum);
	history_free(h);
}

static void
bytes_unknown(void **state)
{
	struct history *h = history_create(100, -1);
	struct snapshot *s = chain(1, 10, true, true);
	struct summary *sum;

	(void)state;
	snapshot_find_pipe(s, 502)->rate_bps = -1;
	history_add(h, s);
	sum = summary_build(h, NULL, 0);
	assert_int_equal(pipe_of(sum, 502)->source, SUMMARY_NONE);
	assert_int_equal(pipe_of(sum, 502)->bytes, -1);
	assert_true(pipe_of(sum, 502)->avg_bps < 0);
	summary_free(sum);
	snapshot_free(s);
	history_free(h);
}

/*
 * head and cat left between two samples, attached: what they moved after
 * their last sample is unknown, so their pipes' bytes are lower bounds,
 * until head's zombie is read (its exit event before its reaping).
 */
static struct history *
chain_history_gone(void)
{
	struct history *h = chain_history(false, false);
	struct snapshot *s = chain(2.5, 1200000, false, false);

	snapshot_remove_proc(s, 1); /* cat */
	snapshot_remove_proc(s, 0); /* head */
	for (size_t k = 0; k < s->nprocs; k++)
		s->procs[k].start_ticks = 9990;
	history_add(h, s);
	snapshot_free(s);
	return h;
}

static void
bytes_lower_bound(void **state)
{
	struct history *h = chain_history_gone();
	struct summary *sum = summary_build(h, NULL, 0);
	struct layout *l;
	char *text;

	(void)state;
	assert_int_equal(pipe_of(sum, 501)->source, SUMMARY_WRITERS);
	assert_int_equal(pipe_of(sum, 501)->bytes, 1000000);
	assert_true(pipe_of(sum, 501)->at_least);
	/* wc is still there: its rchar is complete, cat's wchar is not. */
	assert_int_equal(pipe_of(sum, 502)->source, SUMMARY_READERS);
	assert_int_equal(pipe_of(sum, 502)->bytes, 1200832);
	assert_false(pipe_of(sum, 502)->at_least);
	l = summary_layout(sum, 80, true);
	text = layout_to_text(l);
	assert_non_null(strstr(text, "\u2265977KiB"));
	assert_non_null(strstr(text, "\u2265 at least: a process ended, or came"));
	free(text);
	layout_free(l);
	summary_free(sum);

	history_final_counters(h, 100, 9990, 1200000, 1200000);
	history_final_counters(h, 4242, 9990, 1, 1); /* unknown: ignored */
	sum = summary_build(h, NULL, 0);
	assert_int_equal(pipe_of(sum, 501)->bytes, 1200000);
	assert_false(pipe_of(sum, 501)->at_least);
	summary_free(sum);
	history_free(h);
}

/* Attached: every process seen, as sampled; none has an exit known. */
static void
attached_stages(void **state)
{
	struct history *h = chain_history(false, false);
	struct summary *sum = summary_build(h, NULL, 0);
	const struct summary_stage *st = &sum->stages[0];

	(void)state;
	assert_int_equal(sum->nstages, 3);
	assert_string_equal(st->comm, "head");
	assert_int_equal(st->pid, 100);
	assert_true(st->cpu_s == 1.0);	  /* 100 ticks at 100 Hz */
	assert_true(st->wall_s == 2.1);	  /* from -0.1 s to 2 s */
	assert_int_equal(st->max_rss_kib, 1720);
	assert_false(st->exit.exited);
	assert_true(st->running);
	summary_free(sum);
	history_free(h);
}

/* Launched: the launcher's figures, rounded as the trace writes them. */
static struct summary *
launched_summary(struct history *h)
{
	struct summary_stage st[3];
	const char *names[] = { "head", "cat", "wc" };

	memset(st, 0, sizeof st);
	for (int i = 0; i < 3; i++) {
		st[i].stage = i;
		st[i].pid = 100 + i;
		snprintf(st[i].comm, sizeof st[i].comm, "%s", names[i]);
		st[i].cpu_s = 0.0031234 * (i + 1);
		st[i].wall_s = 0.0123456;
		st[i].max_rss_kib = 1800 + i;
		st[i].exit.exited = true;
		st[i].start_t = -0.002;
		st[i].end_t = 0.0103456;
	}
	st[0].exit.signal = 13;
	st[2].exit.code = 1;
	return summary_build(h, st, 3);
}

/*
 * cat's stage had processes no sample showed (a shell stage's children):
 * they may have written into cat's pipe, so its writers' count is a
 * lower bound and its reader's, complete, is taken.
 */
static void
brief_children_make_a_side_partial(void **state)
{
	struct history *h = chain_history(false, false);
	struct summary *sum;

	(void)state;
	history_add_brief(h, 1, 0.6, 0.7);
	sum = summary_build(h, NULL, 0);
	assert_int_equal(pipe_of(sum, 502)->source, SUMMARY_READERS);
	assert_int_equal(pipe_of(sum, 502)->bytes, 1000832);
	assert_false(pipe_of(sum, 502)->at_least);
	/* head's pipe: its writer is complete; cat reading it changes nothing. */
	assert_int_equal(pipe_of(sum, 501)->source, SUMMARY_WRITERS);
	assert_false(pipe_of(sum, 501)->at_least);
	summary_free(sum);
	history_free(h);
}

/*
 * Launched, a pipe nothing is known of is listed only when the launcher
 * wired it between stages (not xargs's own pipe to its child).
 */
static void
unknowable_pipes_left_out(void **state)
{
	struct history *h = history_create(100, -1);
	struct snapshot *s = chain(1, 10, true, true);
	struct summary_stage st[3];
	struct summary *sum;

	(void)state;
	snapshot_find_pipe(s, 502)->rate_bps = -1;
	history_add(h, s);
	memset(st, 0, sizeof st);
	for (int i = 0; i < 3; i++) {
		st[i].stage = i;
		st[i].pid = 100 + i;
		st[i].start_t = st[i].end_t = -1;
	}
	sum = summary_build(h, st, 3);
	assert_int_equal(sum->npipes, 1);
	assert_int_equal(sum->pipes[0].inode, 501);
	summary_free(sum);
	st[1].wired[1] = 502;
	st[2].wired[0] = 502;
	sum = summary_build(h, st, 3);
	assert_int_equal(sum->npipes, 2);
	assert_int_equal(pipe_of(sum, 502)->bytes, -1);
	summary_free(sum);
	snapshot_free(s);
	history_free(h);
}

static void
launched_stages(void **state)
{
	struct history *h = chain_history(false, false);
	struct summary *sum = launched_summary(h);

	(void)state;
	assert_int_equal(sum->nstages, 3);
	assert_true(sum->stages[0].cpu_s == 0.003);
	assert_true(sum->stages[2].cpu_s == 0.009);
	assert_true(sum->stages[1].wall_s == 0.012);
	assert_int_equal(sum->stages[0].exit.signal, 13);
	/* The pipe's rate over its launched writer's own run: fork to reap. */
	assert_true(pipe_of(sum, 501)->avg_bps == 81000518);
	summary_free(sum);
	history_free(h);
}

/*
 * A stage's shell with a child that holds its pipe too: a launched
 * pipeline's pipes are named by their stages, an attached one's by all.
 */
static void
ends_prefer_stages(void **state)
{
	struct history *h = history_create(100, -1);
	struct snapshot *s = chain(1, 5, false, false);
	struct snap_proc *kid = proc(s, 150, "sleep", 1);
	struct summary *sum;
	const struct summary_pipe *p;

	(void)state;
	fd_pipe(kid, 0, SNAP_MODE_R, 501);
	snapshot_link_pipes(s);
	history_add(h, s);
	sum = launched_summary(h);
	p = pipe_of(sum, 501);
	assert_int_equal(p->nreaders, 1);
	assert_int_equal(p->readers[0], 101);
	summary_free(sum);
	sum = summary_build(h, NULL, 0);
	assert_int_equal(pipe_of(sum, 501)->nreaders, 2);
	summary_free(sum);
	snapshot_free(s);
	history_free(h);
}

/* The end record carries the summary; the reader gets the same back. */
static void
end_record_round_trip(void **state)
{
	struct history *h = chain_history(false, false);
	struct summary *sum = launched_summary(h), *back;
	struct snapshot *s = chain(1, 5, false, false);
	struct trace_file tf;
	char *err = NULL;
	FILE *f = tmpfile();

	(void)state;
	assert_non_null(f);
	sum->pipes[0].at_least = true;
	assert_int_equal(trace_write_start(f, &(struct trace_start){ "launch", "head | cat | wc", 100, NULL, 0, 0 }), 0);
	assert_int_equal(trace_write_sample(f, s), 0);
	assert_int_equal(trace_write_end(f, 2.0, 1, 0, sum), 0);
	rewind(f);
	assert_int_equal(trace_read(f, &tf, &err), 0);
	back = tf.summary;
	assert_non_null(back);
	assert_int_equal(back->npipes, sum->npipes);
	assert_int_equal(back->nstages, sum->nstages);
	for (size_t i = 0; i < sum->npipes; i++) {
		assert_int_equal(back->pipes[i].inode, sum->pipes[i].inode);
		assert_int_equal(back->pipes[i].bytes, sum->pipes[i].bytes);
		assert_true(back->pipes[i].avg_bps == sum->pipes[i].avg_bps);
		assert_int_equal(back->pipes[i].exact, sum->pipes[i].exact);
		assert_int_equal(back->pipes[i].at_least, sum->pipes[i].at_least);
		assert_int_equal(back->pipes[i].source, sum->pipes[i].source);
		assert_int_equal(back->pipes[i].nwriters, sum->pipes[i].nwriters);
	}
	for (size_t i = 0; i < sum->nstages; i++) {
		const struct summary_stage *a = &sum->stages[i], *b = &back->stages[i];

		assert_int_equal(b->stage, a->stage);
		assert_string_equal(b->comm, a->comm);
		assert_true(b->cpu_s == a->cpu_s);
		assert_true(b->wall_s == a->wall_s);
		assert_int_equal(b->max_rss_kib, a->max_rss_kib);
		assert_int_equal(b->exit.exited, a->exit.exited);
		assert_int_equal(b->exit.signal, a->exit.signal);
		assert_int_equal(b->exit.code, a->exit.code);
	}
	trace_file_clear(&tf);
	trace_release();
	fclose(f);
	snapshot_free(s);
	summary_free(sum);
	history_free(h);
}

/* ---- the table ------------------------------------------------------- */

static void
check_golden(const char *name, const struct summary *sum, int width,
    bool utf8)
{
	struct layout *l = summary_layout(sum, width, utf8);
	char *text = layout_to_text(l);

	golden_check("summary", name, text);
	assert_int_equal(l->width, width);
	free(text);
	layout_free(l);
}

static void
table_launched_80(void **state)
{
	struct history *h = chain_history(true, false);
	struct summary *sum = launched_summary(h);

	(void)state;
	check_golden("launched-80", sum, 78, true);
	summary_free(sum);
	history_free(h);
}

static void
table_attached_40_ascii(void **state)
{
	struct history *h = chain_history(true, true);
	struct summary *sum = summary_build(h, NULL, 0);

	(void)state;
	check_golden("attached-40-ascii", sum, 40, false);
	summary_free(sum);
	history_free(h);
}

static void
table_empty(void **state)
{
	struct summary *sum = summary_create();

	(void)state;
	check_golden("empty", sum, 60, true);
	summary_free(sum);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bytes_from_writers),
		cmocka_unit_test(bytes_from_readers),
		cmocka_unit_test(bytes_from_samples),
		cmocka_unit_test(bytes_unknown),
		cmocka_unit_test(bytes_lower_bound),
		cmocka_unit_test(brief_children_make_a_side_partial),
		cmocka_unit_test(unknowable_pipes_left_out),
		cmocka_unit_test(attached_stages),
		cmocka_unit_test(launched_stages),
		cmocka_unit_test(ends_prefer_stages),
		cmocka_unit_test(end_record_round_trip),
		cmocka_unit_test(table_launched_80),
		cmocka_unit_test(table_attached_40_ascii),
		cmocka_unit_test(table_empty),
	};

	if (argc > 1)
		golden_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
