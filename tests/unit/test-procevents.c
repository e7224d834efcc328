/*
 * test-procevents.c - the process events connector's bytes, and the lives
 * of processes made from them.  The datagrams are the kernel's, recorded
 * on 6.18 by tools/procevents-record.py: the notes' pipeline run by sh, a
 * shell that exits 3, one killed by SIGKILL, two threads of the recorder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>

#include "pipeviz/procevents.h"
#include "pipeviz/proclife.h"

#include "procevents-recorded.h"

#define MAXEV 64

static size_t
parse_all(const void *buf, size_t len, struct procevent *ev, int want_rc)
{
	size_t n = 99;
	bool more = true;

	assert_int_equal(procevents_parse(buf, len, ev, MAXEV, &n, &more),
	    want_rc);
	assert_false(more);
	return n;
}

static void
test_request(void **state)
{
	uint32_t buf[16];
	size_t len = procevents_request(buf, sizeof buf, true, 0xabcd);
	const struct nlmsghdr *nlh = (const void *)buf;
	const struct cn_msg *cn = (const void *)(nlh + 1);
	uint32_t op;

	(void)state;
	/* The connector takes a message only if its lengths agree exactly. */
	assert_int_equal(len, NLMSG_HDRLEN + sizeof *cn + sizeof op);
	assert_int_equal(nlh->nlmsg_len, len);
	assert_int_equal(nlh->nlmsg_type, NLMSG_DONE);
	assert_int_equal(cn->id.idx, CN_IDX_PROC);
	assert_int_equal(cn->id.val, CN_VAL_PROC);
	assert_int_equal(cn->len, sizeof op);
	assert_int_equal(cn->ack, 0xabcd);
	memcpy(&op, cn->data, sizeof op);
	assert_int_equal(op, PROC_CN_MCAST_LISTEN);
	len = procevents_request(buf, sizeof buf, false, 1);
	memcpy(&op, cn->data, sizeof op);
	assert_int_equal(op, PROC_CN_MCAST_IGNORE);
	/* Too small a buffer: nothing. */
	assert_int_equal(procevents_request(buf, len - 1, true, 1), 0);
	assert_int_equal(procevents_request(NULL, 64, true, 1), 0);
}

static void
test_ack(void **state)
{
	struct procevent ev[MAXEV];
	size_t n;

	(void)state;
	n = parse_all(rec_ack, sizeof rec_ack, ev, 0);
	assert_int_equal(n, 1);
	assert_int_equal(ev[0].kind, PROCEVENT_ACK);
	assert_int_equal(ev[0].err, 0);
	/* The answer to our subscription: its ack is our nonce plus one. */
	assert_int_equal(ev[0].ack, REC_NONCE + 1);
	assert_string_equal(procevents_kind_name(ev[0].kind), "ack");
}

/* The events of the recording, decoded. */
static size_t
recorded(struct procevent *ev)
{
	size_t n = parse_all(rec_events, sizeof rec_events, ev, 0);

	assert_int_equal(n, REC_NEVENTS);
	return n;
}

static const struct procevent *
find_event(const struct procevent *ev, size_t n, enum procevent_kind k,
    pid_t tgid)
{
	for (size_t i = 0; i < n; i++) {
		if (ev[i].kind == k && ev[i].tgid == tgid)
			return &ev[i];
	}
	return NULL;
}

static void
test_recorded_events(void **state)
{
	struct procevent ev[MAXEV];
	size_t n = recorded(ev);
	const struct procevent *e;
	uint64_t last = 0;
	int forks_by_sh = 0;

	(void)state;
	/* sh was forked by the recorder and exec'd. */
	assert_non_null(e = find_event(ev, n, PROCEVENT_FORK, REC_PID_SEED));
	assert_int_equal(e->ptgid, REC_SELF);
	assert_int_equal(e->pid, REC_PID_SEED);
	assert_non_null(find_event(ev, n, PROCEVENT_EXEC, REC_PID_SEED));
	for (size_t i = 0; i < n; i++) {
		/* Time stamps are the kernel's clock, never going back. */
		assert_true(ev[i].ns >= last || ev[i].ns + 1000000 > last);
		last = ev[i].ns;
		if (ev[i].kind == PROCEVENT_FORK && ev[i].ptgid == REC_PID_SEED)
			forks_by_sh++;
	}
	/* The five stages of ls | cut | uniq | sort | tee. */
	assert_int_equal(forks_by_sh, 5);
	/* Exit statuses as wait(2) gives them. */
	assert_non_null(e = find_event(ev, n, PROCEVENT_EXIT, REC_PID_EXIT3));
	assert_int_equal(e->status, 3 << 8);
	assert_int_equal(e->exit_signal, SIGCHLD);
	assert_int_equal(e->ptgid, REC_SELF);
	assert_non_null(e = find_event(ev, n, PROCEVENT_EXIT, REC_PID_KILLED));
	assert_int_equal(e->status, SIGKILL);
	/* A thread: its pid is not its tgid, its exit signal -1. */
	for (size_t i = 0; i < n; i++) {
		if (ev[i].kind == PROCEVENT_EXIT && ev[i].pid != ev[i].tgid) {
			assert_int_equal(ev[i].tgid, REC_SELF);
			assert_int_equal(ev[i].exit_signal, -1);
		}
	}
}

/* Each datagram alone decodes to one event; cut short, to an error. */
static void
test_truncated(void **state)
{
	uint32_t buf[64];
	struct procevent ev[MAXEV];
	const struct nlmsghdr *nlh = (const void *)rec_events;
	size_t len = nlh->nlmsg_len, n;
	bool more;

	(void)state;
	memcpy(buf, rec_events, len);
	assert_int_equal(parse_all(buf, len, ev, 0), 1);
	for (size_t cut = 1; cut < len; cut++)
		assert_int_equal(procevents_parse(buf, cut, ev, MAXEV, &n,
		    &more), -EINVAL);
	/* A cn_msg whose length runs past its message. */
	((struct cn_msg *)((struct nlmsghdr *)buf + 1))->len = 200;
	assert_int_equal(procevents_parse(buf, len, ev, MAXEV, &n, &more),
	    -EINVAL);
	/* Misaligned, empty, NULL. */
	assert_int_equal(procevents_parse((const char *)rec_events + 1, len, ev,
	    MAXEV, &n, &more), -EINVAL);
	assert_int_equal(procevents_parse(rec_events, 0, ev, MAXEV, &n, &more),
	    0);
	assert_int_equal(n, 0);
	assert_int_equal(procevents_parse(NULL, 0, ev, MAXEV, &n, &more),
	    -EINVAL);
}

static void
test_errors_and_others(void **state)
{
	uint32_t buf[64];
	struct nlmsghdr *nlh = (void *)buf;
	struct cn_msg *cn = (void *)(nlh + 1);
	struct procevent ev[MAXEV];
	int32_t err = -EPERM;
	size_t n, len = ((const struct nlmsghdr *)rec_events)->nlmsg_len;
	bool more;

	(void)state;
	memset(buf, 0, sizeof buf);
	nlh->nlmsg_len = NLMSG_HDRLEN + sizeof err;
	nlh->nlmsg_type = NLMSG_ERROR;
	memcpy(nlh + 1, &err, sizeof err);
	assert_int_equal(procevents_parse(buf, nlh->nlmsg_len, ev, MAXEV, &n,
	    &more), -EPERM);
	nlh->nlmsg_type = NLMSG_OVERRUN;
	assert_int_equal(procevents_parse(buf, nlh->nlmsg_len, ev, MAXEV, &n,
	    &more), -ENOBUFS);
	nlh->nlmsg_type = NLMSG_NOOP;
	assert_int_equal(parse_all(buf, nlh->nlmsg_len, ev, 0), 0);
	/* Another connector's message is skipped. */
	memcpy(buf, rec_events, len);
	cn->id.idx = CN_IDX_PROC + 1;
	assert_int_equal(parse_all(buf, len, ev, 0), 0);
	/* More events than room: the rest is said to be dropped. */
	assert_int_equal(procevents_parse(rec_events, sizeof rec_events, ev, 2,
	    &n, &more), 0);
	assert_int_equal(n, 2);
	assert_true(more);
}

/* The lives of the notes' pipeline, observed from its shell on. */
static void
test_life_of_the_pipeline(void **state)
{
	struct procevent ev[MAXEV];
	size_t n = recorded(ev);
	struct proclife *pl = proclife_create((double)ev[0].ns / 1e9);
	struct proclife_rec *rec, *sh;
	struct proclife_stats st;
	bool argv;
	size_t ended = 0, unread = 0;
	pid_t live[8];

	(void)state;
	sh = proclife_track(pl, REC_PID_SEED, REC_SELF, 0, true);
	assert_non_null(sh);
	assert_true(sh->is_stage);
	assert_int_equal(proclife_live(pl, live, 8), 1);
	proclife_apply(pl, ev, n);
	assert_true(proclife_created(pl));
	assert_false(proclife_created(pl));
	/* Each one forked is to be read; each exec'd, with its argv. */
	while ((rec = proclife_next_unread(pl, &argv)) != NULL)
		unread++;
	assert_int_equal(unread, 0); /* all ended: nothing left to read */
	assert_int_equal(proclife_live(pl, live, 8), 0);
	while ((rec = proclife_take_ended(pl)) != NULL) {
		assert_true(rec->exit.exited);
		assert_true(rec->status_known);
		assert_int_equal(rec->exit.code, 0);
		assert_int_equal(rec->exit.signal, 0);
		assert_true(rec->ended >= 0);
		assert_false(rec->sampled);
		if (rec->pid != REC_PID_SEED) {
			/* Forked by sh (stage 0's), so of stage 0. */
			assert_int_equal(rec->ppid, REC_PID_SEED);
			assert_int_equal(rec->stage, 0);
			assert_false(rec->is_stage);
			assert_true(rec->began >= 0);
			assert_true(rec->exec_t >= rec->began);
			assert_true(rec->ended >= rec->exec_t);
		}
		ended++;
		proclife_rec_free(rec);
	}
	/* sh and its five children; not the recorder's other shells. */
	assert_int_equal(ended, 6);
	proclife_stats(pl, &st);
	assert_int_equal(st.observed, 6);
	assert_int_equal(st.ended, 6);
	assert_int_equal(st.events, n);
	proclife_free(pl);
}

/* Observed from the recorder: its shells' statuses; threads are skipped. */
static void
test_life_statuses(void **state)
{
	struct procevent ev[MAXEV];
	size_t n = recorded(ev);
	struct proclife *pl = proclife_create(0);
	struct proclife_rec *rec;
	bool saw3 = false, saw9 = false;
	size_t ended = 0;

	(void)state;
	proclife_track(pl, REC_SELF, 1, -1, false);
	proclife_apply(pl, ev, n);
	while ((rec = proclife_take_ended(pl)) != NULL) {
		assert_int_not_equal(rec->pid, REC_SELF); /* a thread's exit */
		if (rec->pid == REC_PID_EXIT3) {
			assert_int_equal(rec->exit.code, 3);
			saw3 = true;
		}
		if (rec->pid == REC_PID_KILLED) {
			assert_int_equal(rec->exit.signal, SIGKILL);
			saw9 = true;
		}
		ended++;
		proclife_rec_free(rec);
	}
	assert_true(saw3);
	assert_true(saw9);
	assert_int_equal(ended, 8); /* sh and 5, exit 3, kill -9 */
	assert_non_null(rec = proclife_find(pl, REC_SELF));
	assert_true(rec->ended < 0);
	proclife_free(pl);
}

static struct procevent
mk(enum procevent_kind k, pid_t tgid, pid_t ptgid, uint64_t ms, int status)
{
	struct procevent e = { 0 };

	e.kind = k;
	e.pid = e.tgid = tgid;
	e.ptgid = e.ppid = ptgid;
	e.ns = ms * 1000000;
	e.status = status;
	return e;
}

/*
 * A process that renames itself (prctl PR_SET_NAME): a comm event, its
 * name cut at 15 bytes whatever the kernel's bytes say; a thread's name
 * leaves its process's alone.
 */
static void
test_comm_event(void **state)
{
	uint32_t buf[64];
	struct nlmsghdr *nlh = (void *)buf;
	struct cn_msg *cn = (void *)(nlh + 1);
	/* Built aside and copied in: in the datagram it is 4-byte aligned. */
	struct proc_event pe_aside, *pe = &pe_aside;
	struct procevent ev[MAXEV], thread;
	struct proclife *pl = proclife_create(0);
	struct proclife_rec *rec;
	struct procevent fork = mk(PROCEVENT_FORK, 101, 100, 1, 0);

	(void)state;
	memset(buf, 0, sizeof buf);
	memset(pe, 0, sizeof *pe);
	cn->id.idx = CN_IDX_PROC;
	cn->id.val = CN_VAL_PROC;
	cn->len = sizeof *pe;
	pe->what = PROC_EVENT_COMM;
	pe->event_data.comm.process_pid = 101;
	pe->event_data.comm.process_tgid = 101;
	memset(pe->event_data.comm.comm, 'w', sizeof pe->event_data.comm.comm);
	memcpy(cn->data, pe, sizeof *pe);
	nlh->nlmsg_len = NLMSG_LENGTH(sizeof *cn + sizeof *pe);
	nlh->nlmsg_type = NLMSG_DONE;
	assert_int_equal(parse_all(buf, nlh->nlmsg_len, ev, 0), 1);
	assert_int_equal(ev[0].kind, PROCEVENT_COMM);
	assert_int_equal(ev[0].tgid, 101);
	assert_string_equal(ev[0].comm, "wwwwwwwwwwwwwww");
	assert_string_equal(procevents_kind_name(ev[0].kind), "comm");

	proclife_track(pl, 100, 1, 0, true);
	proclife_apply(pl, &fork, 1);
	thread = ev[0];
	thread.pid = 102;
	snprintf(thread.comm, sizeof thread.comm, "a thread");
	proclife_apply(pl, &thread, 1);
	assert_non_null(rec = proclife_find(pl, 101));
	assert_string_not_equal(rec->comm, "a thread");
	proclife_apply(pl, ev, 1);
	assert_string_equal(rec->comm, "wwwwwwwwwwwwwww");
	proclife_free(pl);
}

/* On two CPUs a child can exec, fork and exit before its fork is told. */
static void
test_life_out_of_order(void **state)
{
	struct procevent ev[] = {
		mk(PROCEVENT_EXEC, 101, 0, 1, 0),
		mk(PROCEVENT_FORK, 102, 101, 2, 0),
		mk(PROCEVENT_EXIT, 102, 101, 3, 1 << 8),
		mk(PROCEVENT_EXIT, 101, 100, 4, 0),
		mk(PROCEVENT_FORK, 101, 100, 5, 0),
		/* Another machine's process: never observed. */
		mk(PROCEVENT_FORK, 201, 200, 6, 0),
	};
	struct proclife *pl = proclife_create(0);
	struct proclife_rec *rec;
	int seen = 0;

	(void)state;
	proclife_track(pl, 100, 1, 2, true);
	proclife_apply(pl, ev, sizeof ev / sizeof ev[0]);
	while ((rec = proclife_take_ended(pl)) != NULL) {
		if (rec->pid == 102) {
			assert_int_equal(rec->exit.code, 1);
			assert_int_equal(rec->ppid, 101);
			assert_int_equal(rec->stage, 2);
			seen |= 1;
		} else {
			assert_int_equal(rec->pid, 101);
			assert_float_equal(rec->exec_t, 0.001, 1e-9);
			seen |= 2;
		}
		proclife_rec_free(rec);
	}
	assert_int_equal(seen, 3);
	assert_null(proclife_find(pl, 201));
	proclife_free(pl);
}

static struct snap_proc *
add_proc(struct snapshot *s, pid_t pid, pid_t ppid, uint64_t start,
    char state, const char *comm)
{
	struct snap_proc *p = snapshot_add_proc(s, pid);
	char *argv[] = { (char *)comm, (char *)"-x", NULL };

	p->ppid = ppid;
	p->start_ticks = start;
	p->state = state;
	strcpy(p->comm, comm);
	snapshot_proc_set_argv(p, argv);
	return p;
}

/* Samples: what they show is observed and marked; the gone stay gone. */
static void
test_life_samples(void **state)
{
	struct proclife *pl = proclife_create(0);
	struct snapshot *s = snapshot_create(0.1);
	struct proclife_rec *rec;
	struct procevent fork = mk(PROCEVENT_FORK, 301, 300, 10, 0);
	struct procevent exit1 = mk(PROCEVENT_EXIT, 301, 300, 20, 0);
	bool argv;

	(void)state;
	add_proc(s, 300, 1, 5000, 'S', "make");
	add_proc(s, 299, 1, 4000, 'Z', "zombie");
	proclife_saw(pl, s);
	assert_non_null(rec = proclife_find(pl, 300));
	assert_true(rec->sampled);
	assert_int_equal(rec->start_ticks, 5000);
	assert_string_equal(rec->argv[0], "make");
	assert_null(proclife_find(pl, 299)); /* dead already */
	assert_null(proclife_next_unread(pl, &argv));
	/* make forks; the child is read: its argv is make's until exec. */
	proclife_apply(pl, &fork, 1);
	assert_non_null(rec = proclife_next_unread(pl, &argv));
	assert_false(argv);
	assert_int_equal(rec->pid, 301);
	assert_string_equal(rec->argv[0], "make");
	{
		struct snapshot *r = snapshot_create(0);
		struct snap_proc *p = add_proc(r, 301, 300, 5010, 'R', "cc");

		proclife_learn(pl, rec, p);
		snapshot_free(r);
	}
	assert_int_equal(rec->start_ticks, 5010);
	assert_string_equal(rec->comm, "cc");
	proclife_apply(pl, &exit1, 1);
	assert_non_null(rec = proclife_take_ended(pl));
	assert_int_equal(rec->pid, 301);
	assert_false(rec->sampled);
	proclife_rec_free(rec);
	/* A sample read before that exit does not bring it back. */
	snapshot_free(s);
	s = snapshot_create(0.2);
	add_proc(s, 301, 300, 5010, 'S', "cc");
	proclife_saw(pl, s);
	assert_null(proclife_find(pl, 301));
	/* The pid of make given to another process: make ended unseen. */
	snapshot_free(s);
	s = snapshot_create(0.3);
	add_proc(s, 300, 1, 9000, 'S', "other");
	proclife_saw(pl, s);
	assert_non_null(rec = proclife_take_ended(pl));
	assert_int_equal(rec->start_ticks, 5000);
	assert_false(rec->status_known);
	assert_float_equal(rec->ended, 0.3, 1e-9);
	proclife_rec_free(rec);
	assert_non_null(rec = proclife_find(pl, 300));
	assert_int_equal(rec->start_ticks, 9000);
	snapshot_free(s);
	proclife_free(pl);
}

/* A sample can read a child before its fork is told: one record. */
static void
test_life_sample_before_fork(void **state)
{
	struct proclife *pl = proclife_create(0);
	struct snapshot *s = snapshot_create(0.1);
	struct procevent ev[] = {
		mk(PROCEVENT_FORK, 401, 400, 90, 0),
		mk(PROCEVENT_EXIT, 401, 400, 120, 0),
	};
	struct proclife_rec *rec;

	(void)state;
	proclife_track(pl, 400, 1, 0, true);
	add_proc(s, 401, 400, 7000, 'S', "sleep");
	proclife_saw(pl, s);
	proclife_apply(pl, ev, 2);
	assert_non_null(rec = proclife_take_ended(pl));
	assert_int_equal(rec->pid, 401);
	assert_true(rec->sampled);
	assert_true(rec->status_known);
	assert_int_equal(rec->start_ticks, 7000);
	assert_float_equal(rec->began, 0.09, 1e-9);
	proclife_rec_free(rec);
	assert_null(proclife_take_ended(pl));
	snapshot_free(s);
	proclife_free(pl);
}

static bool
alive_even(pid_t pid, uint64_t start, void *arg)
{
	(void)start;
	(*(int *)arg)++;
	return pid % 2 == 0;
}

static void
test_life_resync(void **state)
{
	struct proclife *pl = proclife_create(0);
	struct proclife_rec *rec;
	int asked = 0;
	pid_t live[8];

	(void)state;
	for (pid_t pid = 10; pid < 14; pid++)
		proclife_track(pl, pid, 1, -1, false);
	proclife_resync(pl, 1.5, alive_even, &asked);
	assert_int_equal(asked, 4);
	assert_int_equal(proclife_live(pl, live, 8), 2);
	for (int i = 0; i < 2; i++) {
		assert_non_null(rec = proclife_take_ended(pl));
		assert_int_equal(rec->pid % 2, 1);
		assert_false(rec->status_known);
		assert_float_equal(rec->ended, 1.5, 1e-9);
		proclife_rec_free(rec);
	}
	assert_null(proclife_take_ended(pl));
	proclife_free(pl);
}

/* A fork loop: the table grows and shrinks back, nothing is lost. */
static void
test_life_churn(void **state)
{
	struct proclife *pl = proclife_create(0);
	struct proclife_rec *rec;
	struct proclife_stats st;
	size_t taken = 0;

	(void)state;
	proclife_track(pl, 2, 1, 0, true);
	for (pid_t pid = 1000; pid < 1000 + 5000; pid++) {
		struct procevent e[2] = {
			mk(PROCEVENT_FORK, pid, 2, (uint64_t)pid, 0),
			mk(PROCEVENT_EXIT, pid, 2, (uint64_t)pid, 0),
		};

		proclife_apply(pl, e, 2);
		if (pid % 7 == 0) {
			while ((rec = proclife_take_ended(pl)) != NULL) {
				taken++;
				proclife_rec_free(rec);
			}
		}
	}
	while ((rec = proclife_take_ended(pl)) != NULL) {
		taken++;
		proclife_rec_free(rec);
	}
	assert_int_equal(taken, 5000);
	proclife_stats(pl, &st);
	assert_int_equal(st.observed, 5001);
	proclife_free(pl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_ack),
		cmocka_unit_test(test_recorded_events),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_errors_and_others),
		cmocka_unit_test(test_life_of_the_pipeline),
		cmocka_unit_test(test_life_statuses),
		cmocka_unit_test(test_life_out_of_order),
		cmocka_unit_test(test_comm_event),
		cmocka_unit_test(test_life_samples),
		cmocka_unit_test(test_life_sample_before_fork),
		cmocka_unit_test(test_life_resync),
		cmocka_unit_test(test_life_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
