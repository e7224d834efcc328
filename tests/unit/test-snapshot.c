/* test-snapshot.c - linking fds into pipes, rates, chain order, JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

/* The wait model: poll sets reduced to the wait that matters. */

static void
reduce_set(struct snap_blocked *b, const struct snap_wait_fd *w, size_t n,
    bool partial)
{
	memset(b, 0, sizeof *b);
	b->multiplexed = true;
	b->call = 7;
	b->waits_partial = partial;
	snapshot_blocked_set_waits(b, w, n);
	snapshot_blocked_reduce(b);
}

static void
reduce_room_on_pipes_only_is_write_on_the_first(void **state)
{
	const struct snap_wait_fd w[] = {
		{ .fd = 4, .out = true, .kind = SNAP_FD_PIPE, .inode = 40 },
		{ .fd = 5, .out = true, .kind = SNAP_FD_FIFO, .inode = 50 },
	};
	struct snap_blocked b;

	(void)state;
	reduce_set(&b, w, 2, false);
	assert_int_equal(b.op, SNAP_BLOCK_WRITE);
	assert_int_equal(b.fd, 4);
	assert_int_equal(b.pipe, 40);
	assert_int_equal(b.socket, 0);
	assert_true(b.multiplexed);
	assert_int_equal(b.nwaits, 2);
	snapshot_blocked_clear(&b);
}

static void
reduce_data_only_is_read(void **state)
{
	const struct snap_wait_fd w[] = {
		{ .fd = 0, .in = true, .kind = SNAP_FD_PIPE, .inode = 70 },
		{ .fd = 3, .in = true, .kind = SNAP_FD_PIPE, .inode = 71 },
	};
	struct snap_blocked b;

	(void)state;
	reduce_set(&b, w, 2, false);
	assert_int_equal(b.op, SNAP_BLOCK_READ);
	assert_int_equal(b.fd, 0);
	assert_int_equal(b.pipe, 70);
	assert_int_equal(b.socket, 0);
	snapshot_blocked_clear(&b);
}

static void
reduce_socket_sets_socket_and_pipe(void **state)
{
	const struct snap_wait_fd w[] = {
		{ .fd = 6, .in = true, .kind = SNAP_FD_SOCKET, .inode = 9001 },
	};
	struct snap_blocked b;

	(void)state;
	reduce_set(&b, w, 1, false);
	assert_int_equal(b.op, SNAP_BLOCK_READ);
	assert_int_equal(b.fd, 6);
	assert_int_equal(b.socket, 9001);
	assert_int_equal(b.pipe, 9001);
	snapshot_blocked_clear(&b);
}

static void
reduce_mixed_other_partial_or_empty_is_poll(void **state)
{
	const struct snap_wait_fd mixed[] = {
		{ .fd = 0, .in = true, .kind = SNAP_FD_PIPE, .inode = 70 },
		{ .fd = 1, .out = true, .kind = SNAP_FD_PIPE, .inode = 71 },
	};
	const struct snap_wait_fd eventfd[] = {
		{ .fd = 0, .in = true, .kind = SNAP_FD_PIPE, .inode = 70 },
		{ .fd = 9, .in = true, .kind = SNAP_FD_OTHER, .inode = 0 },
	};
	const struct snap_wait_fd one[] = {
		{ .fd = 0, .in = true, .kind = SNAP_FD_PIPE, .inode = 70 },
	};
	struct snap_blocked b;

	(void)state;
	reduce_set(&b, mixed, 2, false);
	assert_int_equal(b.op, SNAP_BLOCK_POLL);
	assert_int_equal(b.fd, -1);
	assert_int_equal(b.pipe, 0);
	snapshot_blocked_clear(&b);

	reduce_set(&b, eventfd, 2, false);
	assert_int_equal(b.op, SNAP_BLOCK_POLL);
	assert_int_equal(b.fd, -1);
	assert_int_equal(b.pipe, 0);
	snapshot_blocked_clear(&b);

	/* The same single pipe is READ whole, POLL when the set is partial. */
	reduce_set(&b, one, 1, false);
	assert_int_equal(b.op, SNAP_BLOCK_READ);
	snapshot_blocked_clear(&b);
	reduce_set(&b, one, 1, true);
	assert_int_equal(b.op, SNAP_BLOCK_POLL);
	assert_int_equal(b.fd, -1);
	assert_int_equal(b.pipe, 0);
	snapshot_blocked_clear(&b);

	reduce_set(&b, NULL, 0, false);
	assert_int_equal(b.op, SNAP_BLOCK_POLL);
	assert_int_equal(b.fd, -1);
	snapshot_blocked_clear(&b);
}

static void
reduce_ignores_entries_waiting_for_nothing(void **state)
{
	const struct snap_wait_fd w[] = {
		/* Neither in nor out: an eventfd and a pipe, both ignored. */
		{ .fd = 8, .kind = SNAP_FD_OTHER, .inode = 0 },
		{ .fd = 0, .kind = SNAP_FD_PIPE, .inode = 70 },
		{ .fd = 1, .out = true, .kind = SNAP_FD_PIPE, .inode = 71 },
	};
	struct snap_blocked b;

	(void)state;
	reduce_set(&b, w, 3, false);
	assert_int_equal(b.op, SNAP_BLOCK_WRITE);
	assert_int_equal(b.fd, 1);
	assert_int_equal(b.pipe, 71);
	snapshot_blocked_clear(&b);
}

/* Sockets as channels. */

static void
add_sock_fd(struct snap_proc *p, int fd, uint64_t ino)
{
	snapshot_proc_add_fd(p, fd, SNAP_MODE_RW, SNAP_FD_SOCKET, NULL)->inode =
	    ino;
}

static struct snap_pipe *
chan(const struct snapshot *s, enum snap_fd_kind kind, uint64_t ino)
{
	for (size_t i = 0; i < s->npipes; i++) {
		if (s->pipes[i].kind == kind && s->pipes[i].inode == ino)
			return &s->pipes[i];
	}
	fail_msg("no channel %d:%llu", (int)kind, (unsigned long long)ino);
	return NULL;
}

/* A (fd 1, socket 700) <-> B (fd 0, socket 701), a connected UNIX pair. */
static struct snapshot *
unix_pair(enum snap_block_op op_b)
{
	struct snapshot *s = snapshot_create(1.0);
	struct snap_socket *k;
	struct snap_proc *p;

	k = snapshot_add_socket(s, 700);
	k->type = SNAP_SOCK_UNIX;
	k->peer = 701;
	k->rqueue = 11;
	k = snapshot_add_socket(s, 701);
	k->type = SNAP_SOCK_UNIX;
	k->peer = 700;
	k->rqueue = 3000;
	add_sock_fd(add_proc(s, 100, "a"), 1, 700);
	p = add_proc(s, 101, "b");
	add_sock_fd(p, 0, 701);
	if (op_b != SNAP_BLOCK_NONE) {
		p->blocked.op = op_b;
		p->blocked.fd = 0;
		p->blocked.socket = 701;
		p->blocked.pipe = 701;
	}
	snapshot_link_pipes(s);
	return s;
}

static void
link_sockets_unix_pair_is_two_channels(void **state)
{
	struct snapshot *s = unix_pair(SNAP_BLOCK_NONE);
	struct snap_pipe *x = chan(s, SNAP_FD_SOCKET, 700);
	struct snap_pipe *y = chan(s, SNAP_FD_SOCKET, 701);

	(void)state;
	assert_int_equal(s->npipes, 2);
	assert_int_equal(x->nwriters, 1);
	assert_int_equal(x->writers[0].pid, 100);
	assert_int_equal(x->writers[0].fd, 1);
	assert_int_equal(x->nreaders, 1);
	assert_int_equal(x->readers[0].pid, 101);
	assert_int_equal(x->readers[0].fd, 0);
	assert_int_equal(y->nwriters, 1);
	assert_int_equal(y->writers[0].pid, 101);
	assert_int_equal(y->nreaders, 1);
	assert_int_equal(y->readers[0].pid, 100);
	assert_false(x->stray);
	assert_false(y->stray);
	/* Bytes written into X wait in Y's receive queue, and back. */
	assert_int_equal(x->fill, 3000);
	assert_int_equal(y->fill, 11);
	assert_ptr_equal(x->sock, snapshot_find_socket(s, 700));
	assert_ptr_equal(y->sock, snapshot_find_socket(s, 701));
	assert_false(snapshot_chan_remote(x));
	assert_int_equal(snapshot_socket_channel(s, 701, true), 700);
	assert_int_equal(snapshot_socket_channel(s, 701, false), 701);
	snapshot_free(s);
}

static void
link_sockets_read_waits_on_the_peer_write_on_its_own(void **state)
{
	struct snapshot *s = unix_pair(SNAP_BLOCK_READ);

	(void)state;
	assert_int_equal(snapshot_find_proc(s, 101)->blocked.pipe, 700);
	assert_int_equal(snapshot_find_proc(s, 101)->blocked.socket, 701);
	snapshot_free(s);
	s = unix_pair(SNAP_BLOCK_WRITE);
	assert_int_equal(snapshot_find_proc(s, 101)->blocked.pipe, 701);
	snapshot_free(s);
}

static void
link_sockets_tcp_without_peer_has_writers_only(void **state)
{
	struct snapshot *s = snapshot_create(1.0);
	struct snap_socket *k = snapshot_add_socket(s, 900);
	struct snap_pipe *pp;

	(void)state;
	k->type = SNAP_SOCK_TCP;
	k->rqueue = 5;
	k->wqueue = 1200;
	k->local = strdup("127.0.0.1:40000");
	k->remote = strdup("127.0.0.1:5599");
	add_sock_fd(add_proc(s, 100, "nc"), 1, 900);
	snapshot_link_pipes(s);
	assert_int_equal(s->npipes, 1);
	pp = chan(s, SNAP_FD_SOCKET, 900);
	assert_int_equal(pp->nwriters, 1);
	assert_int_equal(pp->writers[0].pid, 100);
	assert_int_equal(pp->nreaders, 0);
	assert_int_equal(pp->fill, 1200);
	assert_false(pp->stray);
	assert_true(snapshot_chan_remote(pp));
	assert_int_equal(snapshot_socket_channel(s, 900, true), 900);
	snapshot_free(s);
}

static void
link_pipes_fifo_on_fd3_is_not_stray_pipe_is(void **state)
{
	struct snapshot *s = snapshot_create(1.0);
	struct snap_proc *p = add_proc(s, 100, "logger");
	struct snap_fd *f;

	(void)state;
	f = snapshot_proc_add_fd(p, 3, SNAP_MODE_W, SNAP_FD_FIFO, "/tmp/f");
	f->inode = 60;
	f->dev = 0xfe00;
	add_pipe_fd(p, 4, SNAP_MODE_W, 61);
	snapshot_link_pipes(s);
	assert_false(chan(s, SNAP_FD_FIFO, 60)->stray);
	assert_true(chan(s, SNAP_FD_PIPE, 61)->stray);
	snapshot_free(s);
}

static void
link_pipes_pipe_in_a_poll_set_is_not_stray(void **state)
{
	struct snapshot *s = snapshot_create(1.0);
	struct snap_proc *p = add_proc(s, 100, "server");
	const struct snap_wait_fd w[] = {
		{ .fd = 3, .in = true, .kind = SNAP_FD_PIPE, .inode = 62 },
		{ .fd = 9, .in = true, .kind = SNAP_FD_OTHER, .inode = 0 },
	};

	(void)state;
	add_pipe_fd(p, 3, SNAP_MODE_R, 62);
	p->blocked.multiplexed = true;
	snapshot_blocked_set_waits(&p->blocked, w, 2);
	snapshot_blocked_reduce(&p->blocked);
	assert_int_equal(p->blocked.op, SNAP_BLOCK_POLL);
	snapshot_link_pipes(s);
	assert_false(chan(s, SNAP_FD_PIPE, 62)->stray);
	assert_true(snapshot_proc_waits_on(snapshot_find_proc(s, 100), 3));
	assert_false(snapshot_proc_waits_on(snapshot_find_proc(s, 100), 4));
	snapshot_free(s);
}

/* Whether a writer waits for room: the kernel's word, or a full pipe. */
static void
waits_room_from_wchan_fill_or_poll(void **state)
{
	struct snapshot *s = snapshot_create(1.0);
	struct snap_proc *p = add_proc(s, 100, "w");
	struct snap_pipe pp = { .kind = SNAP_FD_PIPE, .inode = 5,
	    .fill = 64000, .capacity = 65536 };

	(void)state;
	p->blocked.op = SNAP_BLOCK_WRITE;
	p->blocked.fd = 1;
	snprintf(p->wchan, sizeof p->wchan, "anon_pipe_write");
	assert_true(snapshot_proc_waits_room(p, &pp));
	p->wchan[0] = '\0';
	assert_false(snapshot_proc_waits_room(p, &pp));
	assert_false(snapshot_proc_waits_room(p, NULL));
	pp.fill = 65536;
	assert_true(snapshot_proc_waits_room(p, &pp));
	pp.fill = 64000;
	snprintf(p->wchan, sizeof p->wchan, "sock_alloc_send_pskb");
	assert_true(snapshot_proc_waits_room(p, NULL));
	p->wchan[0] = '\0';
	p->blocked.multiplexed = true;
	assert_true(snapshot_proc_waits_room(p, &pp));
	p->blocked.multiplexed = false;
	p->blocked.op = SNAP_BLOCK_READ;
	snprintf(p->wchan, sizeof p->wchan, "anon_pipe_write");
	pp.fill = 65536;
	assert_false(snapshot_proc_waits_room(p, &pp));
	snapshot_free(s);
}

static void
chan_label_names_each_kind(void **state)
{
	struct snap_socket unix_k = { .inode = 812, .type = SNAP_SOCK_UNIX,
	    .peer = 813 };
	struct snap_socket tcp_k = { .inode = 900, .type = SNAP_SOCK_TCP,
	    .remote = (char *)"127.0.0.1:5599" };
	struct snap_socket bare_tcp = { .inode = 901, .type = SNAP_SOCK_TCP };
	struct snap_pipe pp = { .kind = SNAP_FD_PIPE, .inode = 5159 };
	char buf[64], small[8];

	(void)state;
	assert_string_equal(snapshot_chan_label(&pp, buf, sizeof buf),
	    "pipe 5159");
	pp.kind = SNAP_FD_FIFO;
	pp.path = (char *)"/tmp/a\033[2Jb\n";
	assert_string_equal(snapshot_chan_label(&pp, buf, sizeof buf),
	    "FIFO /tmp/a^[[2Jb^J");
	pp.path = NULL;
	assert_string_equal(snapshot_chan_label(&pp, buf, sizeof buf),
	    "FIFO 5159");
	pp.kind = SNAP_FD_SOCKET;
	pp.inode = 812;
	pp.sock = &unix_k;
	assert_string_equal(snapshot_chan_label(&pp, buf, sizeof buf),
	    "UNIX socket 812");
	assert_string_equal(snapshot_sock_proto(&pp), "a UNIX socket");
	pp.inode = 900;
	pp.sock = &tcp_k;
	assert_string_equal(snapshot_chan_label(&pp, buf, sizeof buf),
	    "TCP 127.0.0.1:5599");
	assert_string_equal(snapshot_chan_far_end(&pp, buf, sizeof buf),
	    "127.0.0.1:5599");
	assert_string_equal(snapshot_sock_proto(&pp), "TCP");
	pp.inode = 901;
	pp.sock = &bare_tcp;
	assert_string_equal(snapshot_chan_label(&pp, buf, sizeof buf),
	    "TCP socket 901");
	pp.inode = 902;
	pp.sock = NULL;
	assert_string_equal(snapshot_chan_label(&pp, buf, sizeof buf),
	    "socket 902");
	assert_string_equal(snapshot_sock_proto(&pp), "a socket");
	assert_string_equal(snapshot_chan_far_end(&pp, buf, sizeof buf),
	    "an end pipeviz cannot see");
	/* Truncated, still terminated. */
	pp.sock = &tcp_k;
	assert_string_equal(snapshot_chan_label(&pp, small, sizeof small),
	    "TCP 127");
}


/*
 * Lookups go through an index (snapshot-index.c): the same answers as a
 * search from the start, as the arrays grow, shrink and are relinked.
 */
static void
lookups_follow_adds_removes_and_relinks(void **state)
{
	struct snapshot *s = snapshot_create(1.0);
	struct snap_proc *p;

	(void)state;
	assert_null(snapshot_find_proc(s, 100));
	for (int i = 0; i < 3000; i++) {
		p = add_proc(s, 100 + i, "cat");
		add_pipe_fd(p, 0, SNAP_MODE_R, (uint64_t)(5000 + i));
		add_pipe_fd(p, 1, SNAP_MODE_W, (uint64_t)(5001 + i));
		/* Looked up while the array grows (and moves). */
		assert_ptr_equal(snapshot_find_proc(s, 100 + i / 2),
		    &s->procs[i / 2]);
	}
	snapshot_link_pipes(s);
	assert_int_equal(s->npipes, 3001);
	for (int i = 0; i <= 3000; i++)
		assert_int_equal(snapshot_find_pipe(s,
		    (uint64_t)(5000 + i))->inode, 5000 + i);
	assert_null(snapshot_find_pipe(s, 4999));
	/* The first of two processes with one pid, as a search finds it. */
	add_proc(s, 150, "again");
	assert_string_equal(snapshot_find_proc(s, 150)->comm, "cat");
	snapshot_remove_proc(s, 50);
	assert_string_equal(snapshot_find_proc(s, 150)->comm, "again");
	assert_ptr_equal(snapshot_find_proc(s, 151), &s->procs[50]);
	/* Relinked without process 50's pipes' ends. */
	snapshot_link_pipes(s);
	assert_int_equal(snapshot_find_pipe(s, 5050)->nreaders, 0);
	assert_int_equal(snapshot_find_pipe(s, 5051)->nreaders, 1);
	snapshot_free(s);
}

/* An exited stage is found by the pipes it was wired to, first first. */
static void
exited_stage_found_by_its_pipes(void **state)
{
	struct snapshot *s = snapshot_create(1.0);
	struct snap_proc *p;

	(void)state;
	for (int i = 0; i < 100; i++) {
		p = add_proc(s, 100 + i, "cat");
		add_pipe_fd(p, 0, SNAP_MODE_R, (uint64_t)(5000 + i));
		add_pipe_fd(p, 1, SNAP_MODE_W, (uint64_t)(5001 + i));
	}
	s->procs[40].exit.exited = true;
	s->procs[41].exit.exited = true;
	snapshot_link_pipes(s);
	assert_null(snapshot_exited_stage_on(s, 5039, true));
	assert_int_equal(snapshot_exited_stage_on(s, 5040, false)->pid, 140);
	assert_int_equal(snapshot_exited_stage_on(s, 5041, true)->pid, 140);
	assert_int_equal(snapshot_exited_stage_on(s, 5041, false)->pid, 141);
	assert_int_equal(snapshot_exited_stage_on(s, 5042, true)->pid, 141);
	assert_null(snapshot_exited_stage_on(s, 5042, false));
	/* Edited in place after a lookup: snapshot_procs_changed() says so. */
	s->procs[60].exit.exited = true;
	snapshot_procs_changed(s);
	assert_int_equal(snapshot_exited_stage_on(s, 5060, false)->pid, 160);
	snapshot_free(s);
}


/* The record trace_write_sample() writes for s, without its newline. */
static char *
written(const struct snapshot *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(trace_write_sample(f, s), 0);
	fclose(f);
	assert_true(len > 0 && buf[len - 1] == '\n');
	buf[len - 1] = '\0';
	return buf;
}

/*
 * The writer reuses the text of a process or pipe that did not change
 * (trace-memo.h): after each change below, what it writes must be what
 * a fresh writer writes, or a changed field was left out of the hash.
 */
static void
trace_reuses_records_only_while_unchanged(void **state)
{
	struct snapshot *s = two_stage();
	struct snap_proc *p = &s->procs[0];
	struct snap_pipe *pp = snapshot_find_pipe(s, 5000);
	struct snap_thread th[2] = { 0 };
	struct snap_wait_fd wf = { 1, false, true, SNAP_FD_PIPE, 5000 };
	char *argv[] = { "ls", "-l", NULL };
	char *a, *b;

	(void)state;
	th[0].tid = 100;
	th[0].state = 'S';
	th[1].tid = 102;
	th[1].state = 'S';
	for (int step = 0; step < 26; step++) {
		switch (step) {
		case 1: p->state = 'R'; break;
		case 2: p->cpu_pct = 12.5; break;
		case 3: p->rss_kib = 4096; break;
		case 4: p->rchar = 77; break;
		case 5: p->write_bps = 1e6; break;
		case 6: p->blocked.op = SNAP_BLOCK_WRITE; p->blocked.fd = 1;
			p->blocked.pipe = 5000; break;
		case 7: p->syscall = 1; snprintf(p->wchan, sizeof p->wchan,
			    "pipe_write"); break;
		case 8: p->fds[0].pos = 10; break;
		case 9: snapshot_proc_add_fd(p, 3, SNAP_MODE_R, SNAP_FD_FILE,
			    "/etc/passwd"); break;
		case 10: p->explain = strdup("blocked writing"); break;
		case 11: free(p->explain); p->explain = strdup("blocked writ");
			break;
		case 12: p->stuck = true; break;
		case 13: p->tpgid = 9; break;
		case 14: p->stop = SNAP_STOP_TTOU; break;
		case 15: snapshot_proc_set_threads(p, th, 2); break;
		case 16: snprintf(p->threads[1].wchan,
			    sizeof p->threads[1].wchan, "futex"); break;
		case 17: p->blocked.multiplexed = true;
			snapshot_blocked_set_waits(&p->blocked, &wf, 1); break;
		case 18: p->blocked.waits[0].in = true; break;
		case 19: snapshot_proc_set_argv(p, argv); break;
		case 20: p->exit.exited = true; p->exit.signal = 13; break;
		case 21: pp->fill = 4096; pp->capacity = 65536; break;
		case 22: pp->rate_bps = 100; break;
		case 23: snapshot_pipe_add_end(pp, false, 101, 7); break;
		case 24: snapshot_pipe_set_peek(pp, "ab\n", 3); break;
		case 25: p->ppid = 1; break;
		default: break;
		}
		/* Written twice: the second from the memo, when unchanged. */
		for (int k = 0; k < 2; k++) {
			a = written(s);
			b = trace_sample_string(s);
			assert_string_equal(a, b);
			free(a);
			free(b);
		}
	}
	trace_release();
	snapshot_free(s);
}

/*
 * A sample larger than a piece of the writer (trace.c: 128 KiB) leaves in
 * pieces between its records: the line is the same as one written whole.
 */
static void
trace_large_sample_written_in_pieces(void **state)
{
	struct snapshot *s = snapshot_create(1.5);
	char *a, *b;

	(void)state;
	for (int i = 0; i < 1500; i++) {
		struct snap_proc *p = snapshot_add_proc(s, 100 + i);
		char arg[200];
		char *argv[] = { "cat", arg, NULL };

		memset(arg, 'a' + i % 26, sizeof arg - 1);
		arg[sizeof arg - 1] = '\0';
		snprintf(p->comm, sizeof p->comm, "cat");
		snapshot_proc_set_argv(p, argv);
		p->state = 'S';
		p->start_ticks = 5000 + (uint64_t)i;
		snapshot_proc_add_fd(p, 0, SNAP_MODE_R, SNAP_FD_PIPE,
		    NULL)->inode = 9000 + (uint64_t)i;
		snapshot_proc_add_fd(p, 1, SNAP_MODE_W, SNAP_FD_PIPE,
		    NULL)->inode = 9001 + (uint64_t)i;
	}
	snapshot_link_pipes(s);
	for (int k = 0; k < 2; k++) {
		a = written(s);
		b = trace_sample_string(s);
		assert_true(strlen(b) > 3 * 128 * 1024);
		assert_string_equal(a, b);
		free(a);
		free(b);
	}
	trace_release();
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
		cmocka_unit_test(reduce_room_on_pipes_only_is_write_on_the_first),
		cmocka_unit_test(reduce_data_only_is_read),
		cmocka_unit_test(reduce_socket_sets_socket_and_pipe),
		cmocka_unit_test(reduce_mixed_other_partial_or_empty_is_poll),
		cmocka_unit_test(reduce_ignores_entries_waiting_for_nothing),
		cmocka_unit_test(link_sockets_unix_pair_is_two_channels),
		cmocka_unit_test(link_sockets_read_waits_on_the_peer_write_on_its_own),
		cmocka_unit_test(link_sockets_tcp_without_peer_has_writers_only),
		cmocka_unit_test(link_pipes_fifo_on_fd3_is_not_stray_pipe_is),
		cmocka_unit_test(link_pipes_pipe_in_a_poll_set_is_not_stray),
		cmocka_unit_test(waits_room_from_wchan_fill_or_poll),
		cmocka_unit_test(chan_label_names_each_kind),
		cmocka_unit_test(lookups_follow_adds_removes_and_relinks),
		cmocka_unit_test(exited_stage_found_by_its_pipes),
		cmocka_unit_test(trace_reuses_records_only_while_unchanged),
		cmocka_unit_test(trace_large_sample_written_in_pieces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
