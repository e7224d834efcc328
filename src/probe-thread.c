/*
 * probe-thread.c - the threads of a multithreaded process.
 *
 * A multithreaded writer blocks in one thread only: zstd -T2 sleeps in a
 * futex in its main thread while a worker sleeps in write(2) on the full
 * pipe, and /proc/PID/syscall is the main thread's alone.  So for a
 * process with more than one thread each task/TID is read: its state,
 * and for a sleeper its wchan and syscall, decoded as the process's own
 * wait would be; and its I/O counters, summed, since /proc/PID/io would
 * count the reaped children too.  Single-threaded processes never come
 * here and keep their cost.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipeviz/procparse.h"
#include "pipeviz/util.h"
#include "probe-internal.h"

/* Threads read at most; a process with more is summed over these. */
#define PROBE_THREADS_MAX 1024

/* task/TID/NAME into buf: its length, or -errno. */
static long
probe_thread_file(int taskdir, const char *tid, const char *name, char *buf,
    size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	/* tid is a directory entry's name: a long one is no thread. */
	if ((size_t)snprintf(path, sizeof path, "%s/%s", tid, name) >=
	    sizeof path)
		return -ENAMETOOLONG;
	if ((fd = openat(taskdir, path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (long)n;
}

/* The thread tid of p's last view, or NULL. */
static const struct snap_thread *
probe_thread_last(const struct snap_proc *p, pid_t tid)
{
	for (size_t i = 0; i < p->nthreads_read; i++) {
		if (p->threads[i].tid == tid)
			return &p->threads[i];
	}
	return NULL;
}

/*
 * One thread into t; false if it is gone (a thread may end between the
 * listing and the reads: it is then left out, not reported as unknown).
 * A thread that has not run since the last sample (its schedstat has not
 * moved) cannot have changed its state, wait or counters: its last view
 * is kept, and that one read is all it costs, as for a quiet process.
 */
static bool
probe_thread_one(int piddir, int taskdir, const char *name,
    const struct snap_proc *p, struct snap_thread *t, uint64_t io[2],
    int *stale, char *buf, size_t size)
{
	struct probe_wait_ctx w = { p->pid, piddir, p };
	const struct snap_thread *last;
	struct procparse_stat st;
	uint64_t run_ns = 0, slices = 0;
	char *end;
	long tid = strtol(name, &end, 10);
	bool sched;

	memset(t, 0, sizeof *t);
	t->blocked.fd = -1;
	t->syscall = -1;
	sched = probe_thread_file(taskdir, name, "schedstat", buf, size) > 0 &&
	    procparse_schedstat(buf, &run_ns, &slices) == 0;
	last = *end == '\0' ? probe_thread_last(p, (pid_t)tid) : NULL;
	if (sched && last != NULL && last->state != 'R' &&
	    last->run_ns == run_ns && last->slices == slices) {
		*t = *last;
		t->blocked.waits = NULL;
		t->blocked.nwaits = 0;
		snapshot_blocked_set_waits(&t->blocked, last->blocked.waits,
		    last->blocked.nwaits);
		io[0] += t->rchar;
		io[1] += t->wchar;
		return true;
	}
	if (probe_thread_file(taskdir, name, "stat", buf, size) <= 0 ||
	    procparse_stat(buf, &st) != 0)
		return false;
	t->tid = st.pid;
	t->state = st.state;
	t->run_ns = run_ns;
	t->slices = slices;
	if (probe_thread_file(taskdir, name, "io", buf, size) > 0 &&
	    procparse_io(buf, &t->rchar, &t->wchar) == 0) {
		io[0] += t->rchar;
		io[1] += t->wchar;
	}
	if (t->state != 'S' && t->state != 'D')
		return true;
	if (probe_thread_file(taskdir, name, "wchan", buf, size) > 0 &&
	    strcmp(buf, "0") != 0)
		snprintf(t->wchan, sizeof t->wchan, "%.*s",
		    (int)strcspn(buf, "\n"), buf);
	if (probe_thread_file(taskdir, name, "syscall", buf, size) <= 0)
		buf[0] = '\0';
	if (probe_fd_decode_wait(&w, buf, t->state, t->wchan, &t->syscall,
	    &t->blocked) != 0)
		*stale = 1;
	if (t->blocked.op != SNAP_BLOCK_NONE && t->tid != p->pid)
		t->blocked.tid = t->tid;
	return true;
}

/* How much a thread's wait says about the process: higher says more. */
static int
probe_thread_rank(const struct snap_thread *t, pid_t pid)
{
	const struct snap_blocked *b = &t->blocked;
	int main_bonus = t->tid == pid ? 1 : 0;

	switch (b->op) {
	case SNAP_BLOCK_WRITE:
		return b->pipe != 0 ? 8 + main_bonus : 4 + main_bonus;
	case SNAP_BLOCK_READ:
		return b->pipe != 0 ? 6 + main_bonus : 4 + main_bonus;
	case SNAP_BLOCK_POLL:
		return 4 + main_bonus;
	case SNAP_BLOCK_OPEN:
	case SNAP_BLOCK_WAIT:
		return 2 + main_bonus;
	case SNAP_BLOCK_NONE:
		break;
	}
	return main_bonus;
}

/*
 * The process's summary wait: none while a thread runs (the process is
 * busy, whatever the others wait for), else the wait that says most
 * about the data path: a channel write, then a channel read, a poll set,
 * then the main thread's.
 */
static void
probe_thread_summary(struct snap_proc *p)
{
	const struct snap_thread *best = NULL;
	int rank = -1;

	for (size_t i = 0; i < p->nthreads_read; i++) {
		const struct snap_thread *t = &p->threads[i];
		int r;

		if (t->state == 'R') {
			p->state = 'R';
			p->syscall = -1;
			p->wchan[0] = '\0';
			snapshot_blocked_clear(&p->blocked);
			return;
		}
		if ((r = probe_thread_rank(t, p->pid)) > rank) {
			rank = r;
			best = t;
		}
	}
	if (best == NULL)
		return;
	/* The main thread's own stat letter says T, Z and D best. */
	if (p->state == 'S' || p->state == 'D')
		p->state = best->state;
	p->syscall = best->syscall;
	snprintf(p->wchan, sizeof p->wchan, "%s", best->wchan);
	snapshot_blocked_copy(&p->blocked, &best->blocked);
}

static int
probe_thread_cmp(const void *a, const void *b)
{
	pid_t x = ((const struct snap_thread *)a)->tid;
	pid_t y = ((const struct snap_thread *)b)->tid;

	return (x > y) - (x < y);
}

int
probe_thread_read(int piddir, struct snap_proc *p, char *buf, size_t size)
{
	struct snap_thread *t = NULL;
	size_t n = 0, cap = 0;
	uint64_t io[2] = { 0, 0 };
	struct dirent *de;
	int taskdir, stale = 0;
	DIR *d;

	if ((taskdir = openat(piddir, "task",
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return 0;
	if ((d = fdopendir(taskdir)) == NULL) {
		close(taskdir);
		return 0;
	}
	while ((de = readdir(d)) != NULL && n < PROBE_THREADS_MAX) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		if (n == cap) {
			cap = cap > 0 ? cap * 2 : 8;
			t = xreallocarray(t, cap, sizeof *t);
		}
		if (probe_thread_one(piddir, dirfd(d), de->d_name, p, &t[n], io,
		    &stale, buf, size))
			n++;
	}
	closedir(d);
	/* The main thread first, then by tid: a stable order for the trace. */
	qsort(t, n, sizeof *t, probe_thread_cmp);
	for (size_t i = 0; i < n; i++) {
		if (t[i].tid == p->pid && i > 0) {
			struct snap_thread main = t[i];

			memmove(&t[1], &t[0], i * sizeof *t);
			t[0] = main;
		}
	}
	snapshot_proc_set_threads(p, t, n);
	for (size_t i = 0; i < n; i++)
		snapshot_blocked_clear(&t[i].blocked);
	free(t);
	if (n > 0 && p->io_known) {
		p->rchar = io[0];
		p->wchar = io[1];
	}
	probe_thread_summary(p);
	return stale;
}
