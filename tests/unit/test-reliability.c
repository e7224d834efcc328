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

/*
 * The wait model in the trace: threads, a poll set, the terminal's
 * foreground group, why a process stopped, pipe rates and sockets read
 * back as written, and the sample read back writes the same line.
 */
static struct snapshot *
wait_model_sample(void)
{
	struct snapshot *s = snapshot_create(2.5);
	const struct snap_wait_fd w[] = {
		{ .fd = 0, .in = true, .kind = SNAP_FD_PIPE, .inode = 5000 },
		{ .fd = 4, .out = true, .kind = SNAP_FD_SOCKET, .inode = 700 },
		{ .fd = 9, .in = true, .kind = SNAP_FD_OTHER, .inode = 0 },
	};
	struct snap_thread t[2];
	struct snap_socket *k;
	struct snap_proc *p;

	k = snapshot_add_socket(s, 700);
	k->type = SNAP_SOCK_UNIX;
	k->peer = 701;
	k->local = strdup("/run/x.sock");
	k->rqueue = 12;
	k = snapshot_add_socket(s, 701);
	k->type = SNAP_SOCK_UNIX;
	k->peer = 700;
	k->rqueue = 0;
	k = snapshot_add_socket(s, 900);
	k->type = SNAP_SOCK_TCP;
	k->local = strdup("127.0.0.1:40210");
	k->remote = strdup("127.0.0.1:5599");
	k->rqueue = 0;

	/* gen: two threads, the second blocked writing fd 1. */
	p = add_proc(s, 100, 1000, "gen");
	p->pgid = 100;
	p->tpgid = 50;
	p->write_bps = 4000;
	snapshot_proc_add_fd(p, 1, SNAP_MODE_W, SNAP_FD_PIPE, NULL)->inode =
	    5000;
	memset(t, 0, sizeof t);
	t[0].tid = 100;
	t[0].state = 'S';
	t[0].syscall = 202;
	t[0].blocked.fd = -1;
	t[1].tid = 101;
	t[1].state = 'S';
	t[1].syscall = 1;
	t[1].blocked.op = SNAP_BLOCK_WRITE;
	t[1].blocked.fd = 1;
	t[1].blocked.pipe = 5000;
	snapshot_proc_set_threads(p, t, 2);
	p->nthreads = 2;
	p->syscall = 1;
	p->blocked.op = SNAP_BLOCK_WRITE;
	p->blocked.fd = 1;
	p->blocked.pipe = 5000;
	p->blocked.tid = 101;

	/* srv: in poll() on a pipe, a UNIX socket and an eventfd. */
	p = add_proc(s, 200, 2000, "srv");
	p->pgid = 100;
	p->tpgid = 50;
	p->state = 'T';
	p->stop = SNAP_STOP_TTIN;
	snapshot_proc_add_fd(p, 0, SNAP_MODE_R, SNAP_FD_PIPE, NULL)->inode =
	    5000;
	snapshot_proc_add_fd(p, 4, SNAP_MODE_RW, SNAP_FD_SOCKET, NULL)->inode =
	    700;
	snapshot_proc_add_fd(p, 9, SNAP_MODE_RW, SNAP_FD_OTHER,
	    "anon_inode:[eventfd]");
	p->syscall = 7;
	p->blocked.multiplexed = true;
	p->blocked.call = 7;
	snapshot_blocked_set_waits(&p->blocked, w, 3);
	snapshot_blocked_reduce(&p->blocked);

	/* peer: the other end of the UNIX pair; nc reads a TCP socket. */
	p = add_proc(s, 300, 3000, "peer");
	p->tpgid = -1;
	snapshot_proc_add_fd(p, 0, SNAP_MODE_RW, SNAP_FD_SOCKET, NULL)->inode =
	    701;
	p = add_proc(s, 400, 4000, "nc");
	p->tpgid = -1;
	snapshot_proc_add_fd(p, 3, SNAP_MODE_RW, SNAP_FD_SOCKET, NULL)->inode =
	    900;
	p->syscall = 45;
	p->blocked.op = SNAP_BLOCK_READ;
	p->blocked.fd = 3;
	p->blocked.socket = 900;
	snapshot_link_pipes(s);
	snapshot_find_pipe(s, 5000)->rate_bps = 4000;
	snapshot_find_pipe(s, 5000)->fill = 1000;
	snapshot_find_pipe(s, 5000)->capacity = 65536;
	return s;
}

static void
trace_round_trip_keeps_the_wait_model(void **state)
{
	struct snapshot *s = wait_model_sample(), *back;
	const struct snap_proc *p;
	const struct snap_pipe *pp;
	char *text, *again, *err = NULL;

	(void)state;
	text = trace_sample_string(s);
	back = trace_read_sample(text, &err);
	if (back == NULL)
		fail_msg("%s", err);
	assert_int_equal(back->nprocs, 4);

	p = snapshot_find_proc(back, 100);
	assert_non_null(p);
	assert_int_equal(p->tpgid, 50);
	assert_int_equal(p->stop, SNAP_STOP_NONE);
	assert_int_equal(p->nthreads, 2);
	assert_int_equal(p->nthreads_read, 2);
	assert_int_equal(p->threads[0].tid, 100);
	assert_int_equal(p->threads[0].syscall, 202);
	assert_int_equal(p->threads[0].blocked.op, SNAP_BLOCK_NONE);
	assert_int_equal(p->threads[1].tid, 101);
	assert_int_equal(p->threads[1].blocked.op, SNAP_BLOCK_WRITE);
	assert_int_equal(p->threads[1].blocked.fd, 1);
	assert_int_equal(p->threads[1].blocked.pipe, 5000);
	assert_int_equal(p->blocked.op, SNAP_BLOCK_WRITE);
	assert_int_equal(p->blocked.tid, 101);
	assert_int_equal(p->blocked.pipe, 5000);

	p = snapshot_find_proc(back, 200);
	assert_non_null(p);
	assert_int_equal(p->state, 'T');
	assert_int_equal(p->stop, SNAP_STOP_TTIN);
	assert_int_equal(p->tpgid, 50);
	assert_true(p->blocked.multiplexed);
	assert_int_equal(p->blocked.op, SNAP_BLOCK_POLL);
	assert_int_equal(p->blocked.call, 7);
	assert_false(p->blocked.waits_partial);
	assert_int_equal(p->blocked.nwaits, 3);
	assert_int_equal(p->blocked.waits[0].fd, 0);
	assert_true(p->blocked.waits[0].in);
	assert_false(p->blocked.waits[0].out);
	assert_int_equal(p->blocked.waits[0].kind, SNAP_FD_PIPE);
	assert_int_equal(p->blocked.waits[0].inode, 5000);
	assert_int_equal(p->blocked.waits[1].fd, 4);
	assert_true(p->blocked.waits[1].out);
	assert_int_equal(p->blocked.waits[1].kind, SNAP_FD_SOCKET);
	assert_int_equal(p->blocked.waits[1].inode, 700);
	assert_int_equal(p->blocked.waits[2].fd, 9);
	assert_int_equal(p->blocked.waits[2].kind, SNAP_FD_OTHER);

	p = snapshot_find_proc(back, 300);
	assert_int_equal(p->tpgid, -1);
	/* A read of a socket with no peer waits on the socket itself. */
	p = snapshot_find_proc(back, 400);
	assert_int_equal(p->blocked.op, SNAP_BLOCK_READ);
	assert_int_equal(p->blocked.socket, 900);
	assert_int_equal(p->blocked.pipe, 900);

	pp = snapshot_find_pipe(back, 5000);
	assert_non_null(pp);
	assert_true(pp->rate_bps == 4000);
	assert_int_equal(pp->fill, 1000);

	assert_int_equal(back->nsockets, 3);
	assert_int_equal(snapshot_find_socket(back, 700)->type, SNAP_SOCK_UNIX);
	assert_int_equal(snapshot_find_socket(back, 700)->peer, 701);
	assert_int_equal(snapshot_find_socket(back, 700)->rqueue, 12);
	assert_string_equal(snapshot_find_socket(back, 700)->local,
	    "/run/x.sock");
	assert_int_equal(snapshot_find_socket(back, 900)->type, SNAP_SOCK_TCP);
	assert_string_equal(snapshot_find_socket(back, 900)->remote,
	    "127.0.0.1:5599");
	assert_int_equal(snapshot_find_socket(back, 900)->peer, 0);
	/* Socket channels are derived again, as the live run derived them. */
	pp = snapshot_find_pipe(back, 700);
	assert_non_null(pp);
	assert_int_equal(pp->kind, SNAP_FD_SOCKET);
	assert_int_equal(pp->nwriters, 1);
	assert_int_equal(pp->writers[0].pid, 200);
	assert_int_equal(pp->nreaders, 1);
	assert_int_equal(pp->readers[0].pid, 300);
	assert_int_equal(pp->fill, 0);
	assert_int_equal(snapshot_find_pipe(back, 701)->fill, 12);
	assert_true(snapshot_chan_remote(snapshot_find_pipe(back, 900)));

	again = trace_sample_string(back);
	assert_string_equal(again, text);
	free(again);
	free(text);
	snapshot_free(back);
	snapshot_free(s);
}

/* Observed names reach a terminal through --text and DOT only shown visibly. */
static void
text_and_dot_never_pass_control_characters(void **state)
{
	struct snapshot *s = snapshot_create(1);
	struct snap_proc *p;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	p = add_proc(s, 42, 1, "sl\033[31mX");
	snapshot_add_diag(s, "stopped", &p->pid, 1, NULL, 0,
	    "sl\033[31mX (pid 42) is stopped\007\xc2\x9b\xff\r\n");
	p = add_proc(s, 43, 1, "a\nb\xc2\x9b" "c\x9b");
	snapshot_link_pipes(s);
	f = open_memstream(&buf, &len);
	render_text(f, s, "t\033itle\xc2\x9b", 80, true);
	render_dot(f, s, "t\033itle\\\"\n");
	fclose(f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		/* Only the frames' own line breaks and DOT's own tabs. */
		assert_false((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f);
		assert_false(c == 0xc2 && (unsigned char)buf[i + 1] < 0xa0);
		assert_false(c >= 0x80 && c < 0xc0 && (i == 0 ||
		    (unsigned char)buf[i - 1] < 0x80));
	}
	assert_non_null(strstr(buf, "t^[itleM-^[  t="));
	assert_non_null(strstr(buf, "sl^[[31mX (pid 42)"));
	assert_non_null(strstr(buf, "stopped: sl^[[31mX (pid 42) is stopped"
	    "^GM-^[?^M^J\n"));
	/* A name's newline is no line break in the frame nor in a label. */
	assert_non_null(strstr(buf, "a^JbM-^[c? (pid 43)"));
	assert_non_null(strstr(buf, "label=\"a^JbM-^[c?\\npid 43, "));
	assert_non_null(strstr(buf, "label=\"t^[itle\\\\\\\"^J\";"));
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
		cmocka_unit_test(text_and_dot_never_pass_control_characters),
		cmocka_unit_test(layout_long_fifo_name_and_huge_numbers),
		cmocka_unit_test(trace_round_trip_keeps_the_wait_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
