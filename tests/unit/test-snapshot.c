/* test-snapshot.c - linking fds into pipes, rates, chain order, JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "pipeviz/rates.h"
#include "pipeviz/layout.h"
#include "pipeviz/snapshot.h"
#include "pipeviz/trace.h"

static struct snap_proc *
add_proc(struct snapshot *s, pid_t pid, const char *comm)
{
	struct snap_proc *p = snapshot_add_proc(s, pid);
	char *argv[] = { (char *)comm, NULL };

	snprintf(p->comm, sizeof p->comm, "%s", comm);
	snapshot_proc_set_argv(p, argv);
	p->state = 'S';
	p->io_known = true;
	return p;
}

static void
add_pipe_fd(struct snap_proc *p, int fd, enum snap_fd_mode mode, uint64_t ino)
{
	struct snap_fd *f = snapshot_proc_add_fd(p, fd, mode, SNAP_FD_PIPE, NULL);

	f->inode = ino;
}

/* ls (1) -> (0) sort, plus the inherited stray write end on fd 251. */
static struct snapshot *
two_stage(void)
{
	struct snapshot *s = snapshot_create(1.0);
	struct snap_proc *p;

	p = add_proc(s, 100, "ls");
	snapshot_proc_add_fd(p, 0, SNAP_MODE_R, SNAP_FD_DEV, "/dev/null");
	add_pipe_fd(p, 1, SNAP_MODE_W, 5000);
	add_pipe_fd(p, 251, SNAP_MODE_W, 42);
	p = add_proc(s, 101, "sort");
	add_pipe_fd(p, 0, SNAP_MODE_R, 5000);
	snapshot_proc_add_fd(p, 1, SNAP_MODE_W, SNAP_FD_TTY, "/dev/pts/0");
	add_pipe_fd(p, 251, SNAP_MODE_W, 42);
	snapshot_link_pipes(s);
	return s;
}

static void
link_pipes_finds_reader_and_writer(void **state)
{
	struct snapshot *s = two_stage();
	struct snap_pipe *pp = snapshot_find_pipe(s, 5000);

	(void)state;
	assert_non_null(pp);
	assert_int_equal(pp->nwriters, 1);
	assert_int_equal(pp->writers[0].pid, 100);
	assert_int_equal(pp->writers[0].fd, 1);
	assert_int_equal(pp->nreaders, 1);
	assert_int_equal(pp->readers[0].pid, 101);
	assert_int_equal(pp->readers[0].fd, 0);
	assert_false(pp->stray);
	assert_int_equal(pp->fill, -1);
	snapshot_free(s);
}

static void
link_pipes_marks_inherited_write_end_stray(void **state)
{
	struct snapshot *s = two_stage();
	struct snap_pipe *pp = snapshot_find_pipe(s, 42);

	(void)state;
	assert_non_null(pp);
	assert_int_equal(pp->nwriters, 2);
	assert_int_equal(pp->nreaders, 0);
	assert_true(pp->stray);
	assert_int_equal(s->npipes, 2);
	snapshot_free(s);
}

static void
link_pipes_rw_fd_is_reader_and_writer(void **state)
{
	struct snapshot *s = snapshot_create(0);
	struct snap_proc *p = add_proc(s, 7, "self");

	(void)state;
	add_pipe_fd(p, 3, SNAP_MODE_RW, 9);
	snapshot_link_pipes(s);
	assert_int_equal(s->npipes, 1);
	assert_int_equal(s->pipes[0].nreaders, 1);
	assert_int_equal(s->pipes[0].nwriters, 1);
	assert_false(s->pipes[0].stray);
	snapshot_free(s);
}

static void
link_pipes_lists_exited_stages_pipes_without_ends(void **state)
{
	struct snapshot *s = two_stage();

	(void)state;
	s->procs[0].exit.exited = true;
	snapshot_link_pipes(s);
	assert_non_null(snapshot_find_pipe(s, 5000));
	assert_int_equal(snapshot_find_pipe(s, 5000)->nwriters, 0);
	assert_int_equal(snapshot_find_pipe(s, 5000)->nreaders, 1);
	snapshot_free(s);
}

/* fds out of order, a FIFO opened O_RDWR, a file with the same inode. */
static void
proc_pipe_fd_by_direction_lowest_first(void **state)
{
	struct snapshot *s = snapshot_create(1.0);
	struct snap_proc *p = add_proc(s, 100, "tee");
	struct snap_fd *f;

	(void)state;
	add_pipe_fd(p, 7, SNAP_MODE_W, 5000);
	add_pipe_fd(p, 2, SNAP_MODE_W, 5000);
	add_pipe_fd(p, 0, SNAP_MODE_R, 6000);
	f = snapshot_proc_add_fd(p, 4, SNAP_MODE_RW, SNAP_FD_FIFO, "/tmp/f");
	f->inode = 7000;
	f = snapshot_proc_add_fd(p, 3, SNAP_MODE_R, SNAP_FD_FILE, "/tmp/x");
	f->inode = 5000;

	assert_int_equal(snapshot_proc_pipe_fd(p, 5000, true, 0), 2);
	assert_int_equal(snapshot_proc_pipe_fd(p, 5000, true, 3), 7);
	assert_int_equal(snapshot_proc_pipe_fd(p, 5000, true, 8), -1);
	assert_int_equal(snapshot_proc_pipe_fd(p, 5000, false, 0), -1);
	assert_int_equal(snapshot_proc_pipe_fd(p, 6000, false, 0), 0);
	assert_int_equal(snapshot_proc_pipe_fd(p, 6000, true, 0), -1);
	assert_int_equal(snapshot_proc_pipe_fd(p, 7000, false, 0), 4);
	assert_int_equal(snapshot_proc_pipe_fd(p, 7000, true, 0), 4);
	assert_int_equal(snapshot_proc_pipe_fd(p, 0, true, 0), -1);
	snapshot_free(s);
}

static void
rates_from_counters_of_same_process(void **state)
{
	struct snapshot *a = two_stage(), *b = two_stage();

	(void)state;
	a->t = 1.0;
	b->t = 1.5;
	a->procs[0].cpu_ticks = 100;
	b->procs[0].cpu_ticks = 125; /* 25 ticks in 0.5 s at 100 Hz */
	a->procs[0].wchar = 1000;
	b->procs[0].wchar = 1000 + 500000;
	a->procs[1].rchar = 10;
	b->procs[1].rchar = 10 + 100;
	rates_apply(a, b, 100);
	assert_float_equal(b->procs[0].cpu_pct, 50.0, 1e-9);
	assert_float_equal(b->procs[0].write_bps, 1000000.0, 1e-6);
	assert_float_equal(b->procs[1].read_bps, 200.0, 1e-9);
	snapshot_free(a);
	snapshot_free(b);
}

static void
rates_ignore_reused_pid(void **state)
{
	struct snapshot *a = two_stage(), *b = two_stage();

	(void)state;
	b->t = 2.0;
	a->procs[0].start_ticks = 1;
	b->procs[0].start_ticks = 2; /* same pid, another process */
	b->procs[0].cpu_ticks = 1000;
	rates_apply(a, b, 100);
	assert_float_equal(b->procs[0].cpu_pct, 0.0, 1e-9);
	snapshot_free(a);
	snapshot_free(b);
}

static void
chain_order_follows_pipes(void **state)
{
	struct snapshot *s = snapshot_create(0);
	size_t order[3], chain[3];

	(void)state;
	/* Added out of order: c reads b, b reads a. */
	add_pipe_fd(add_proc(s, 3, "c"), 0, SNAP_MODE_R, 11);
	struct snap_proc *b = add_proc(s, 2, "b");
	add_pipe_fd(b, 0, SNAP_MODE_R, 10);
	add_pipe_fd(b, 1, SNAP_MODE_W, 11);
	add_pipe_fd(add_proc(s, 1, "a"), 1, SNAP_MODE_W, 10);
	snapshot_link_pipes(s);
	assert_int_equal(layout_chain_order(s, order, chain), 1);
	assert_string_equal(s->procs[order[0]].comm, "a");
	assert_string_equal(s->procs[order[1]].comm, "b");
	assert_string_equal(s->procs[order[2]].comm, "c");
	snapshot_free(s);
}

static void
sample_json_has_contract_fields(void **state)
{
	struct snapshot *s = two_stage();
	json_error_t jerr;
	json_t *o, *proc, *pipe;
	char *text;

	(void)state;
	s->procs[0].blocked.op = SNAP_BLOCK_WRITE;
	s->procs[0].blocked.fd = 1;
	s->procs[0].blocked.pipe = 5000;
	s->procs[1].exit.exited = true;
	s->procs[1].exit.signal = 13;
	snapshot_link_pipes(s);
	snapshot_find_pipe(s, 5000)->fill = 65536;
	snapshot_find_pipe(s, 5000)->capacity = 65536;
	text = trace_sample_string(s);
	o = json_loads(text, 0, &jerr);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "type")),
	    "sample");
	proc = json_array_get(json_object_get(o, "procs"), 0);
	assert_int_equal(json_integer_value(json_object_get(proc, "pid")), 100);
	assert_true(json_is_null(json_object_get(proc, "stage")));
	assert_string_equal(json_string_value(json_object_get(proc, "state")), "S");
	assert_string_equal(json_string_value(json_object_get(
	    json_object_get(proc, "blocked"), "op")), "write");
	assert_int_equal(json_integer_value(json_object_get(
	    json_object_get(proc, "blocked"), "pipe")), 5000);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(proc, "fds"), 1), "kind")), "pipe");
	proc = json_array_get(json_object_get(o, "procs"), 1);
	assert_string_equal(json_string_value(json_object_get(
	    json_object_get(proc, "exit"), "name")), "SIGPIPE");
	pipe = json_array_get(json_object_get(o, "pipes"), 0);
	assert_int_equal(json_integer_value(json_object_get(pipe, "fill")), 65536);
	assert_int_equal(json_array_size(json_object_get(pipe, "writers")), 1);
	assert_true(json_is_array(json_object_get(o, "diagnoses")));
	json_decref(o);
	free(text);
	snapshot_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(link_pipes_finds_reader_and_writer),
		cmocka_unit_test(link_pipes_marks_inherited_write_end_stray),
		cmocka_unit_test(link_pipes_rw_fd_is_reader_and_writer),
		cmocka_unit_test(link_pipes_lists_exited_stages_pipes_without_ends),
		cmocka_unit_test(proc_pipe_fd_by_direction_lowest_first),
		cmocka_unit_test(rates_from_counters_of_same_process),
		cmocka_unit_test(rates_ignore_reused_pid),
		cmocka_unit_test(chain_order_follows_pipes),
		cmocka_unit_test(sample_json_has_contract_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
