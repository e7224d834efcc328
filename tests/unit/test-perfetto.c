/*
 * test-perfetto.c - the Perfetto export: state names, spans merged over
 * samples, counters, a diagnosis's instant once, exits (docs/perfetto.md).
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

#include "pipeviz/perfetto.h"
#include "pipeviz/snapshot.h"

static struct snap_proc *
proc(struct snapshot *s, pid_t pid, const char *comm, char state, int stage)
{
	struct snap_proc *p = snapshot_add_proc(s, pid);
	char *argv[] = { (char *)comm, NULL };

	snprintf(p->comm, sizeof p->comm, "%s", comm);
	snapshot_proc_set_argv(p, argv);
	p->state = state;
	p->stage = stage;
	p->start_ticks = (uint64_t)pid * 7;
	return p;
}

/* yes (pid 10) writes fd 1 into pipe 500, which sleep (pid 11) holds. */
static struct snapshot *
yes_sleep(double t, bool blocked, int64_t fill)
{
	struct snapshot *s = snapshot_create(t);
	struct snap_proc *p = proc(s, 10, "yes", blocked ? 'S' : 'R', 0);

	snapshot_proc_add_fd(p, 1, SNAP_MODE_W, SNAP_FD_PIPE, NULL)->inode = 500;
	if (blocked) {
		p->blocked.op = SNAP_BLOCK_WRITE;
		p->blocked.fd = 1;
		p->blocked.pipe = 500;
	}
	p = proc(s, 11, "sleep", 'S', 1);
	snapshot_proc_add_fd(p, 0, SNAP_MODE_R, SNAP_FD_PIPE, NULL)->inode = 500;
	snapshot_link_pipes(s);
	s->pipes[0].fill = fill;
	s->pipes[0].capacity = 65536;
	return s;
}

static void
state_names(void **state)
{
	struct snapshot *s = yes_sleep(0.1, true, 65536);
	struct snap_proc *p;
	char buf[128];

	(void)state;
	assert_string_equal(perfetto_state(s, &s->procs[0], buf, sizeof buf),
	    "blocked writing pipe 500");
	assert_string_equal(perfetto_state(s, &s->procs[1], buf, sizeof buf),
	    "sleeping");
	p = &s->procs[1];
	p->blocked.op = SNAP_BLOCK_READ;
	p->blocked.fd = 0;
	p->blocked.pipe = 0;
	assert_string_equal(perfetto_state(s, p, buf, sizeof buf),
	    "waiting to read fd 0");
	p->blocked.pipe = 500;
	assert_string_equal(perfetto_state(s, p, buf, sizeof buf),
	    "waiting to read pipe 500");
	p->state = 'T';
	p->stop = SNAP_STOP_TTIN;
	assert_string_equal(perfetto_state(s, p, buf, sizeof buf),
	    "stopped (SIGTTIN)");
	p->stop = SNAP_STOP_SIGNAL;
	assert_string_equal(perfetto_state(s, p, buf, sizeof buf), "stopped");
	p->state = 'R';
	assert_string_equal(perfetto_state(s, p, buf, sizeof buf), "running");
	p->state = 'Z';
	assert_string_equal(perfetto_state(s, p, buf, sizeof buf),
	    "exiting (zombie)");
	p->blocked.op = SNAP_BLOCK_WAIT;
	p->state = 'S';
	assert_string_equal(perfetto_state(s, p, buf, sizeof buf),
	    "waiting for a child");
	p->state = '\033';
	p->blocked.op = SNAP_BLOCK_NONE;
	assert_string_equal(perfetto_state(s, p, buf, sizeof buf), "state ?");
	p->exit.exited = true;
	assert_null(perfetto_state(s, p, buf, sizeof buf));
	snapshot_free(s);
}

static json_t *
export(struct trace_file *tf)
{
	size_t len;
	char *text = perfetto_export(tf, "test", &len);
	json_error_t err;
	json_t *doc = json_loadb(text, len, 0, &err);

	assert_non_null(doc);
	assert_int_equal(strlen(text), len);
	free(text);
	return doc;
}

/* The events of phase ph named name on pid (pid 0: any). */
static size_t
count(json_t *doc, const char *ph, const char *name, pid_t pid)
{
	json_t *e;
	size_t i, n = 0;

	json_array_foreach(json_object_get(doc, "traceEvents"), i, e) {
		if (strcmp(json_string_value(json_object_get(e, "ph")), ph) == 0 &&
		    strcmp(json_string_value(json_object_get(e, "name")), name) == 0 &&
		    (pid == 0 || json_integer_value(json_object_get(e, "pid")) == pid))
			n++;
	}
	return n;
}

static json_t *
find(json_t *doc, const char *ph, const char *name, pid_t pid)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(doc, "traceEvents"), i, e) {
		if (strcmp(json_string_value(json_object_get(e, "ph")), ph) == 0 &&
		    strcmp(json_string_value(json_object_get(e, "name")), name) == 0 &&
		    json_integer_value(json_object_get(e, "pid")) == pid)
			return e;
	}
	fail_msg("no %s event %s on %d", ph, name, (int)pid);
	return NULL;
}

static void
spans_counters_instants(void **state)
{
	struct snapshot *samples[4];
	struct trace_exit exits[1] = { { .t = 0.35, .pid = 11, .stage = 1,
		.status = { .exited = true, .code = 0 } } };
	struct trace_file tf = { .mode = "launch", .command = "yes | sleep 9",
		.interval_ms = 100, .samples = samples, .nsamples = 4,
		.ended = true, .end_t = 0.5, .exits = exits, .nexits = 1 };
	pid_t pids[] = { 10, 11 };
	uint64_t pipes[] = { 500 };
	json_t *doc, *e;

	(void)state;
	samples[0] = yes_sleep(0.0, false, 1000);
	samples[1] = yes_sleep(0.1, true, 65536);
	samples[2] = yes_sleep(0.2, true, 65536);
	samples[3] = yes_sleep(0.4, true, 65536);
	samples[3]->procs[1].exit.exited = true;
	samples[1]->pipes[0].rate_bps = 645360;
	for (int i = 2; i < 4; i++)
		snapshot_add_diag(samples[i], "blocked_writer", pids, 2, pipes,
		    1, "yes (pid 10) is blocked");
	doc = export(&tf);

	/* running 0-0.1, then blocked 0.1 to the end record at 0.5. */
	e = find(doc, "X", "running", 10);
	assert_int_equal(json_integer_value(json_object_get(e, "ts")), 0);
	assert_int_equal(json_integer_value(json_object_get(e, "dur")), 100000);
	assert_int_equal(count(doc, "X", "blocked writing pipe 500", 10), 1);
	e = find(doc, "X", "blocked writing pipe 500", 10);
	assert_int_equal(json_integer_value(json_object_get(e, "ts")), 100000);
	assert_int_equal(json_integer_value(json_object_get(e, "dur")), 400000);
	/* sleep's one span ends at its exit record, not at the sample. */
	e = find(doc, "X", "sleeping", 11);
	assert_int_equal(json_integer_value(json_object_get(e, "dur")), 350000);
	/* A counter point per sample; one rate point. */
	assert_int_equal(count(doc, "C", "pipe 500 fill", PERFETTO_CHANNELS_PID), 4);
	assert_int_equal(count(doc, "C", "pipe 500 rate", PERFETTO_CHANNELS_PID), 1);
	e = find(doc, "C", "pipe 500 fill", PERFETTO_CHANNELS_PID);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(e,
	    "args"), "bytes")), 1000);
	/* The diagnosis once, when it first appears, on yes's track. */
	assert_int_equal(count(doc, "i", "blocked_writer", 0), 1);
	e = find(doc, "i", "blocked_writer", 10);
	assert_int_equal(json_integer_value(json_object_get(e, "ts")), 200000);
	assert_string_equal(json_string_value(json_object_get(e, "s")), "t");
	e = find(doc, "i", "exit 0", 11);
	assert_int_equal(json_integer_value(json_object_get(e, "ts")), 350000);
	e = find(doc, "M", "process_name", 10);
	assert_string_equal(json_string_value(json_object_get(json_object_get(e,
	    "args"), "name")), "yes (pid 10, stage 1)");
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc,
	    "otherData"), "command")), "yes | sleep 9");
	json_decref(doc);
	for (int i = 0; i < 4; i++)
		snapshot_free(samples[i]);
}

/*
 * Process records: one that no sample showed gets a span from its fork
 * to its exit on a track of its own, and its exit instant; one forked
 * before pipeviz followed its parent (began unknown) only its instant;
 * times out of order give no span.
 */
static void
lives_between_samples(void **state)
{
	struct snapshot *samples[1];
	struct trace_life lives[] = {
		{ .pid = 20, .ppid = 10, .stage = 0, .began = 0.010, .ended = 0.025,
		  .status_known = true, .status = { .exited = true, .code = 3 },
		  .comm = "true" },
		{ .pid = 21, .ppid = 10, .stage = 0, .began = -1, .ended = 0.03,
		  .status_known = true, .status = { .exited = true, .signal = 9 },
		  .comm = "sleep" },
		{ .pid = 22, .ppid = 10, .stage = 0, .began = 0.05, .ended = 0.04,
		  .comm = "odd" },
		/* sampled: its track is the samples', named once */
		{ .pid = 10, .ppid = 1, .stage = 0, .began = 0, .ended = 0.2,
		  .sampled = true, .status_known = true,
		  .status = { .exited = true, .code = 0 }, .comm = "yes" },
	};
	struct trace_file tf = { .mode = "launch", .command = "yes | sleep 9",
		.interval_ms = 100, .samples = samples, .nsamples = 1,
		.ended = true, .end_t = 0.3, .lives = lives, .nlives = 4 };
	json_t *doc, *e;

	(void)state;
	samples[0] = yes_sleep(0.0, false, 0);
	doc = export(&tf);
	e = find(doc, "X", "alive between samples", 20);
	assert_int_equal(json_integer_value(json_object_get(e, "ts")), 10000);
	assert_int_equal(json_integer_value(json_object_get(e, "dur")), 15000);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(e,
	    "args"), "ppid")), 10);
	e = find(doc, "M", "process_name", 20);
	assert_string_equal(json_string_value(json_object_get(json_object_get(e,
	    "args"), "name")), "true (pid 20)");
	e = find(doc, "i", "exit 3", 20);
	assert_int_equal(json_integer_value(json_object_get(e, "ts")), 25000);
	assert_int_equal(count(doc, "X", "alive between samples", 21), 0);
	find(doc, "i", "SIGKILL", 21);
	assert_int_equal(count(doc, "X", "alive between samples", 22), 0);
	assert_int_equal(count(doc, "i", "exit 0", 22), 0);
	assert_int_equal(count(doc, "M", "process_name", 10), 1);
	assert_int_equal(count(doc, "X", "alive between samples", 10), 0);
	json_decref(doc);
	snapshot_free(samples[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(state_names),
		cmocka_unit_test(spans_counters_instants),
		cmocka_unit_test(lives_between_samples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
