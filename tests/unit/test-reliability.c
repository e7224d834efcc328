/*
 * test-reliability.c - regressions for issue 7 (reliability and safety):
 * process identity across samples (PID reuse), text that is not UTF-8 in
 * the trace, and drawing what a replayed trace may hold.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "pipeviz/layout.h"
#include "pipeviz/rates.h"
#include "pipeviz/render.h"
#include "pipeviz/snapshot.h"
#include "pipeviz/trace-read.h"
#include "pipeviz/trace.h"

static struct snap_proc *
add_proc(struct snapshot *s, pid_t pid, uint64_t start, const char *comm)
{
	struct snap_proc *p = snapshot_add_proc(s, pid);
	char *argv[] = { (char *)comm, NULL };

	snprintf(p->comm, sizeof p->comm, "%s", comm);
	snapshot_proc_set_argv(p, argv);
	p->start_ticks = start;
	p->state = 'S';
	p->io_known = true;
	return p;
}

/* A pid reused by another process: no rate from the old one's counters. */
static void
pid_reuse_gives_no_rate(void **state)
{
	struct snapshot *a = snapshot_create(1.0), *b = snapshot_create(1.1);
	struct snap_proc *old, *new;

	(void)state;
	old = add_proc(a, 500, 1000, "sleep");
	old->rchar = 7000;
	old->cpu_ticks = 1;
	new = add_proc(b, 500, 1030, "head");
	new->rchar = 900000000;
	new->cpu_ticks = 9;
	rates_apply(a, b, 100);
	assert_true(new->read_bps == 0);
	assert_true(new->cpu_pct == 0);

	/* The same process (same start) does get its rate. */
	new->start_ticks = 1000;
	rates_apply(a, b, 100);
	assert_true(new->read_bps > 0);
	assert_true(new->cpu_pct > 0);
	snapshot_free(a);
	snapshot_free(b);
}

/* Counters that go down (a reused pid with the same start tick) or time
 * that does not advance give no rate, never a negative or infinite one. */
static void
rates_never_negative_or_infinite(void **state)
{
	struct snapshot *a = snapshot_create(2.0), *b = snapshot_create(2.0);
	struct snap_proc *p, *q;

	(void)state;
	p = add_proc(a, 7, 5, "cat");
	p->rchar = 100000;
	p->wchar = 100000;
	p->cpu_ticks = 50;
	q = add_proc(b, 7, 5, "cat");
	q->rchar = 10;
	q->wchar = 10;
	q->cpu_ticks = 1;
	rates_apply(a, b, 100); /* dt = 0 */
	assert_true(q->read_bps == 0 && q->cpu_pct == 0);
	b->t = 2.5;
	rates_apply(a, b, 100); /* counters went down */
	assert_true(q->read_bps == 0 && q->write_bps == 0 && q->cpu_pct == 0);
	rates_apply(a, b, 0); /* no clock rate */
	assert_true(q->cpu_pct == 0);
	rates_apply(NULL, b, 100);
	snapshot_free(a);
	snapshot_free(b);
}

static json_t *
first_proc(const char *text)
{
	json_error_t err;
	json_t *o = json_loads(text, 0, &err), *p;

	assert_non_null(o);
	p = json_array_get(json_object_get(o, "procs"), 0);
	assert_non_null(p);
	json_incref(p);
	json_decref(o);
	return p;
}

/*
 * Names, argv and paths are bytes to the kernel.  A comm or a path that
 * is not UTF-8 (a program or file named in Latin-1) keeps its field in
 * the trace, with '?' for the bytes JSON cannot hold; before, the field
 * was dropped, and a pipeline text that was not UTF-8 stopped pipeviz
 * ("trace: cannot build a record").
 */
static void
trace_keeps_fields_that_are_not_utf8(void **state)
{
	struct snapshot *s = snapshot_create(0.5), *back;
	struct snap_proc *p;
	char *argv[] = { "./caf\xe9", "\xff\xfe", "ok \xc3\xa9", NULL };
	char *text, *again, *err = NULL, *buf = NULL;
	size_t len = 0;
	json_t *o;
	FILE *f;

	(void)state;
	p = add_proc(s, 42, 1, "caf\xe9");
	snapshot_proc_set_argv(p, argv);
	snapshot_proc_add_fd(p, 1, SNAP_MODE_W, SNAP_FD_FILE, "/tmp/\xe9t\xe9.log");
	snprintf(p->wchan, sizeof p->wchan, "w\x80");
	snapshot_add_diag(s, "stopped", &p->pid, 1, NULL, 0, "caf\xe9 is stopped");
	text = trace_sample_string(s);
	o = first_proc(text);
	assert_string_equal(json_string_value(json_object_get(o, "comm")), "caf?");
	assert_int_equal(json_array_size(json_object_get(o, "argv")), 3);
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(o, "argv"), 0)), "./caf?");
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(o, "argv"), 1)), "??");
	/* Valid UTF-8 stays as it is. */
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(o, "argv"), 2)), "ok \xc3\xa9");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(o, "fds"), 0), "path")), "/tmp/?t?.log");
	assert_string_equal(json_string_value(json_object_get(o, "wchan")), "w?");
	json_decref(o);
	assert_non_null(strstr(text, "\"message\":\"caf? is stopped\""));

	/* It reads back into what it says, and writes again the same. */
	back = trace_read_sample(text, &err);
	assert_non_null(back);
	again = trace_sample_string(back);
	assert_string_equal(again, text);

	/* The start record too: the pipeline text as the user typed it. */
	f = open_memstream(&buf, &len);
	assert_int_equal(trace_write_start(f, "launch", "cat caf\xe9 | sort", 100), 0);
	fclose(f);
	assert_non_null(strstr(buf, "\"command\":\"cat caf? | sort\""));

	free(buf);
	free(again);
	free(text);
	snapshot_free(back);
	snapshot_free(s);
}

/*
 * A FIFO whose name fills the edge label's buffer, with a fill level: the
 * label was built with strcat() one byte past its end (found by
 * fuzz-trace-sample).  Fill levels and file positions from a replayed
 * trace may be any 64-bit numbers: no overflow on the way to a bar.
 */
static void
layout_long_fifo_name_and_huge_numbers(void **state)
{
	struct snapshot *s = snapshot_create(1.0);
	struct snap_proc *w, *r;
	struct snap_fd *f;
	struct snap_pipe *pp;
	char path[200], *text, *buf = NULL;
	size_t len = 0;
	FILE *out;

	(void)state;
	memset(path, 'n', sizeof path - 1);
	path[0] = '/';
	path[sizeof path - 1] = '\0';
	w = add_proc(s, 10, 1, "writer");
	f = snapshot_proc_add_fd(w, 0, SNAP_MODE_R, SNAP_FD_FILE, "/big/file");
	f->pos = INT64_MAX;
	f->size = 1;
	f = snapshot_proc_add_fd(w, 1, SNAP_MODE_W, SNAP_FD_FIFO, path);
	f->inode = 77;
	r = add_proc(s, 11, 1, "reader");
	f = snapshot_proc_add_fd(r, 0, SNAP_MODE_R, SNAP_FD_FIFO, path);
	f->inode = 77;
	snapshot_link_pipes(s);
	pp = snapshot_find_pipe(s, 77);
	assert_non_null(pp);
	pp->fill = INT64_MAX - 1;
	pp->capacity = INT64_MAX;

	for (int width = 20; width <= 200; width += 30) {
		struct layout_opts o = { .width = width, .utf8 = width % 40 == 0 };
		struct layout *l = layout_build(s, &o);

		text = layout_to_text(l);
		/* Narrow canvases clip the name; wide ones show it whole. */
		assert_non_null(strstr(text, width >= 80 ? "writer" : "(0) w"));
		free(text);
		layout_free(l);
		o.compact = true;
		l = layout_build(s, &o);
		layout_free(l);
	}
	out = open_memstream(&buf, &len);
	render_text(out, s, "t", 120, true);
	fclose(out);
	assert_non_null(strstr(buf, "fifo nnn"));
	assert_non_null(strstr(buf, "999%"));
	free(buf);
	snapshot_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pid_reuse_gives_no_rate),
		cmocka_unit_test(rates_never_negative_or_infinite),
		cmocka_unit_test(trace_keeps_fields_that_are_not_utf8),
		cmocka_unit_test(layout_long_fifo_name_and_huge_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
