/*
 * test-pipelines.c - grouping a machine's processes into pipelines, each
 * judged in one word; and command lines rebuilt from argv.
 *
 * The census below is the shape of one read on a test machine (pids,
 * fds and inodes as /proc showed them, trimmed to the processes that
 * matter): `yes | sleep 600`; a Python parent deadlocked with the `cat`
 * it started through subprocess pipes; `socat -u EXEC:yes EXEC:sleep`
 * joined by socket pairs; `cat FIFO` reading on fd 3 what `echo > FIFO`
 * writes; every process sharing a log pipe on fd 2; the shell pipeviz
 * runs under, which shares a pipe with it; a lone daemon; a kernel thread.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pipeviz/cmdline.h"
#include "pipeviz/pipelines.h"
#include "pipeviz/snapshot.h"

#define LOG_PIPE 7001

struct fixture {
	struct census_proc procs[32];
	struct census_end ends[32][6];
	size_t n;
};

static struct census_proc *
add(struct fixture *f, pid_t pid, pid_t ppid)
{
	struct census_proc *p = &f->procs[f->n];

	memset(p, 0, sizeof *p);
	p->pid = pid;
	p->ppid = ppid;
	p->pgid = pid;
	p->start_ticks = (uint64_t)pid;
	p->ends = f->ends[f->n];
	p->kernel = ppid == 2 || pid <= 2;
	f->n++;
	/* Everyone's stderr is the same log pipe (a CI runner's). */
	if (!p->kernel)
		p->ends[p->nends++] = (struct census_end){ 0, LOG_PIPE, 2,
		    CENSUS_PIPE };
	return p;
}

static void
end(struct census_proc *p, enum census_kind kind, uint64_t ino, int fd)
{
	p->ends[p->nends++] = (struct census_end){ kind == CENSUS_FIFO ? 2049 :
	    0, ino, fd, kind };
}

/* The machine above; pipeviz is pid 900 under the shell 890. */
static void
machine(struct fixture *f)
{
	struct census_proc *p;

	memset(f, 0, sizeof *f);
	add(f, 1, 0);
	add(f, 45, 2);			/* a kernel thread */
	p = add(f, 300, 1);		/* a daemon, its stdout a pipe to no one */
	end(p, CENSUS_PIPE, 6001, 1);
	p = add(f, 890, 1);		/* the shell pipeviz runs under */
	end(p, CENSUS_PIPE, 6100, 1);
	p = add(f, 900, 890);		/* pipeviz, in a pipe to its shell */
	end(p, CENSUS_PIPE, 6100, 0);
	p = add(f, 1000, 1);		/* yes */
	end(p, CENSUS_PIPE, 5000, 1);
	p = add(f, 1001, 1);		/* sleep 600 */
	end(p, CENSUS_PIPE, 5000, 0);
	p = add(f, 1100, 1);		/* python3, holding cat's pipes */
	end(p, CENSUS_PIPE, 5100, 4);
	end(p, CENSUS_PIPE, 5101, 5);
	p = add(f, 1101, 1100);		/* cat */
	end(p, CENSUS_PIPE, 5100, 0);
	end(p, CENSUS_PIPE, 5101, 1);
	p = add(f, 1200, 1);		/* socat, one end of each pair */
	end(p, CENSUS_SOCKET, 8001, 5);
	end(p, CENSUS_SOCKET, 8003, 6);
	p = add(f, 1201, 1200);		/* yes, writing a socket */
	end(p, CENSUS_SOCKET, 8002, 1);
	p = add(f, 1202, 1200);		/* sleep, reading one */
	end(p, CENSUS_SOCKET, 8004, 0);
	p = add(f, 1300, 1);		/* cat FIFO: fd 3 */
	end(p, CENSUS_FIFO, 9000, 3);
	p = add(f, 1301, 1);		/* echo > FIFO: fd 1 */
	end(p, CENSUS_FIFO, 9000, 1);
}

static const struct pipelines_peer peers[] = {
	{ 8002, 8001 }, { 8004, 8003 },
};

static const struct pipeline_group *
group_of(const struct pipeline_group *g, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < g[i].npids; j++) {
			if (g[i].pids[j] == pid)
				return &g[i];
		}
	}
	return NULL;
}

static void
test_groups(void **state)
{
	struct fixture f;
	struct pipeline_group *g;
	size_t n;
	(void)state;

	machine(&f);
	n = pipelines_group(f.procs, f.n, 900, peers, 2, &g);
	/* yes|sleep, python+cat, socat's three, the FIFO pair. */
	assert_int_equal(n, 4);
	assert_int_equal(g[0].npids, 2);
	assert_int_equal(g[0].pids[0], 1000);
	assert_int_equal(g[0].pids[1], 1001);
	assert_int_equal(g[1].npids, 2);
	assert_int_equal(g[1].pids[0], 1100);
	assert_int_equal(g[1].pids[1], 1101);
	assert_int_equal(g[2].npids, 3);
	assert_int_equal(g[2].pids[0], 1200);
	assert_int_equal(g[2].pids[2], 1202);
	assert_int_equal(g[3].npids, 2);
	assert_int_equal(g[3].pids[0], 1300);
	/* The shared log on fd 2 joined no one; the observer is left out. */
	assert_null(group_of(g, n, 300));
	assert_null(group_of(g, n, 890));
	assert_null(group_of(g, n, 900));
	assert_null(group_of(g, n, 45));
	assert_null(group_of(g, n, 1));
	pipelines_free(g, n);
}

/* Without sock_diag's peers, socat's children stand alone. */
static void
test_no_peers(void **state)
{
	struct fixture f;
	struct pipeline_group *g;
	size_t n;
	(void)state;

	machine(&f);
	n = pipelines_group(f.procs, f.n, 900, NULL, 0, &g);
	assert_int_equal(n, 3);
	assert_null(group_of(g, n, 1201));
	pipelines_free(g, n);
}

/* The sockets grouping asks sock_diag about: those on fds 0 and 1. */
static void
test_std_sockets(void **state)
{
	struct fixture f;
	uint64_t *socks;
	size_t n;
	(void)state;

	machine(&f);
	n = pipelines_std_sockets(f.procs, f.n, &socks);
	assert_int_equal(n, 2);
	assert_int_equal(socks[0], 8002);
	assert_int_equal(socks[1], 8004);
	free(socks);
}

/* Two stages joined by one pipe, as a judged sample has them. */
static struct snapshot *
pair(char state_w, char state_r, double rate, const char *kind)
{
	struct snapshot *s = snapshot_create(1);
	char *wargv[] = { "yes", NULL }, *rargv[] = { "sleep", "600", NULL };
	struct snap_proc *w = snapshot_add_proc(s, 1000);
	struct snap_proc *r;

	snapshot_proc_set_argv(w, wargv);
	w->state = state_w;
	w->ppid = 1;
	snapshot_proc_add_fd(w, 1, SNAP_MODE_W, SNAP_FD_PIPE, NULL)->inode = 5000;
	r = snapshot_add_proc(s, 1001);
	snapshot_proc_set_argv(r, rargv);
	r->state = state_r;
	r->ppid = 1;
	snapshot_proc_add_fd(r, 0, SNAP_MODE_R, SNAP_FD_PIPE, NULL)->inode = 5000;
	snapshot_link_pipes(s);
	s->pipes[0].rate_bps = rate;
	if (kind != NULL) {
		pid_t pids[] = { 1000 };

		snapshot_add_diag(s, kind, pids, 1, NULL, 0, "a message");
	}
	return s;
}

static void
test_judge(void **state)
{
	const struct snap_diag *top;
	struct snapshot *s;
	(void)state;

	s = pair('S', 'S', 0, "blocked_writer");
	assert_int_equal(pipeline_judge(s, &top), PIPELINE_STUCK);
	assert_string_equal(top->kind, "blocked_writer");
	snapshot_free(s);

	s = pair('S', 'S', 0, "deadlock");
	assert_int_equal(pipeline_judge(s, &top), PIPELINE_STUCK);
	snapshot_free(s);

	s = pair('R', 'S', 5e6, "bottleneck");
	assert_int_equal(pipeline_judge(s, &top), PIPELINE_SLOW);
	assert_string_equal(top->kind, "bottleneck");
	snapshot_free(s);

	/* tail -f log | grep x, the log quiet: waiting, not stuck. */
	s = pair('S', 'S', 0, "starved_reader");
	assert_int_equal(pipeline_judge(s, &top), PIPELINE_IDLE);
	assert_string_equal(top->kind, "starved_reader");
	snapshot_free(s);

	s = pair('S', 'S', 1200, NULL);
	assert_int_equal(pipeline_judge(s, &top), PIPELINE_OK);
	assert_null(top);
	assert_true(pipeline_busiest_rate(s) == 1200);
	snapshot_free(s);

	/* A rate unknown, but a stage moved bytes: data flows. */
	s = pair('S', 'S', -1, NULL);
	s->procs[1].read_bps = 300;
	assert_int_equal(pipeline_judge(s, &top), PIPELINE_OK);
	snapshot_free(s);

	s = pair('R', 'S', -1, NULL);
	assert_int_equal(pipeline_judge(s, &top), PIPELINE_OK);
	snapshot_free(s);

	assert_string_equal(pipeline_health_name(PIPELINE_STUCK), "stuck");
	assert_string_equal(pipeline_health_name(PIPELINE_IDLE), "idle");
}

static void
test_quote(void **state)
{
	char *argv1[] = { "grep", "-e", "a\\b", "c", "-e", "it's", "", NULL };
	char *argv2[] = { "printf", "x\ny\n", NULL };
	char *argv3[] = { "tr", "a-z", "A-Z", "/tmp/x.log", "k=v,w@h:1%", NULL };
	char *q;
	(void)state;

	q = cmdline_quote_argv(argv1);
	assert_string_equal(q, "grep -e 'a\\b' c -e 'it'\\''s' ''");
	free(q);
	q = cmdline_quote_argv(argv2);
	assert_string_equal(q, "printf 'x\ny\n'");
	free(q);
	q = cmdline_quote_argv(argv3);
	assert_string_equal(q, "tr a-z A-Z /tmp/x.log k=v,w@h:1%");
	free(q);
}

/* Stages in their pipes' order, whatever the pids say; children hidden. */
static void
test_pipeline_line(void **state)
{
	struct snapshot *s = snapshot_create(1);
	char *a1[] = { "sort", "-n", NULL }, *a2[] = { "yes", NULL };
	char *a3[] = { "tr", "y", "n", NULL }, *a4[] = { "sh", "-c", "x", NULL };
	struct snap_proc *p;
	char *line;
	(void)state;

	p = snapshot_add_proc(s, 10);	/* sort, last: reads pipe 2 */
	snapshot_proc_set_argv(p, a1);
	p->ppid = 1;
	snapshot_proc_add_fd(p, 0, SNAP_MODE_R, SNAP_FD_PIPE, NULL)->inode = 2;
	p = snapshot_add_proc(s, 11);	/* yes, first: writes pipe 1 */
	snapshot_proc_set_argv(p, a2);
	p->ppid = 1;
	snapshot_proc_add_fd(p, 1, SNAP_MODE_W, SNAP_FD_PIPE, NULL)->inode = 1;
	p = snapshot_add_proc(s, 12);	/* tr, between */
	snapshot_proc_set_argv(p, a3);
	p->ppid = 1;
	snapshot_proc_add_fd(p, 0, SNAP_MODE_R, SNAP_FD_PIPE, NULL)->inode = 1;
	snapshot_proc_add_fd(p, 1, SNAP_MODE_W, SNAP_FD_PIPE, NULL)->inode = 2;
	p = snapshot_add_proc(s, 13);	/* a child of tr: not a stage */
	snapshot_proc_set_argv(p, a4);
	p->ppid = 12;
	snapshot_link_pipes(s);
	line = cmdline_pipeline(s);
	assert_string_equal(line, "yes | tr y n | sort -n");
	free(line);
	snapshot_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_no_peers),
		cmocka_unit_test(test_std_sockets),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_pipeline_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
