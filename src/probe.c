/*
 * probe.c - one sample of a process tree: who, which fds, which pipes.
 *
 * Sampling is incremental: the probe keeps what it learnt about each
 * process (keyed by pid, pinned to that very process by its open
 * /proc/PID directory, or else checked by start time) and reads again
 * only what can have changed since the previous sample.  The cue is the
 * process's CPU clock, read every sample (clock_gettime(), no file): a
 * process that has not run since cannot have changed its fds, counters,
 * children, command line or the syscall it sleeps in, so for such a
 * quiet process that one call is all.  The clock names a pid: a pid
 * reused since shows another process's time, which reads as having run,
 * and the held directory then fails with ESRCH.
 *
 *  - A process that ran (or is in R, or has threads, whose own waits are
 *    read thread by thread) gets stat, children, statm, io, wchan and
 *    syscall, its fd count and the position and size of its files.
 *  - Its whole fd table is read again when it is new, exec'd (name or
 *    program address changed), changed state other than between R and S,
 *    changed its fd count, sleeps on an fd the table lacks, replaced a
 *    file's fd, or its table could not be read last time (pipeviz out of
 *    descriptors: the last table read is kept meanwhile, marked unread);
 *    and, for what none of that shows (dup2() onto an open fd), a refresh
 *    period after the last read if it ran since.
 *  - Every refresh period (PROBE_REFRESH samples, and at least
 *    PROBE_REFRESH_MS; spread over processes by pid) a quiet
 *    process gets stat and fd count too, and each pipe its fill level: a
 *    woken process that has not run yet, a table shared with another
 *    process, a pipe filled by a process outside the view.  Every
 *    PROBE_RECHECK periods, children, statm (memory taken back) and its
 *    files (moved or grown by another process).
 *  - The sample after a process leaves, every process gets stat and
 *    children again: orphans change parent without running.
 *  - A pipe's fill is read when any of its observed ends ran; its
 *    capacity with the periodic reads (only F_SETPIPE_SZ changes it).
 *  - Command lines are read when new, on exec, and every PROBE_RECHECK
 *    periods of a process that runs.
 *
 * docs/performance.md has the staleness bounds and the measurements.
 */
#include "pipeviz/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pipeviz/idmap.h"
#include "pipeviz/procparse.h"
#include "pipeviz/util.h"
#include "probe-internal.h"
#include "probe-sock.h"

/* A runaway fork loop must not take the observer down with it. */
#define PROBE_MAX_PROCS 4096
/*
 * Samples at most before a change the cheap cues miss is seen, and no
 * sooner than PROBE_REFRESH_MS: at 100 Hz a fixed count would re-read
 * quiet processes ten times as often as at the default 10 Hz for no
 * one's benefit (probe_set_interval()).
 */
#define PROBE_REFRESH 8
#define PROBE_REFRESH_MS 1000
/*
 * Files held for a process that runs sample after sample are given back
 * once it has been quiet this many samples and this long: soon, for a
 * pipeline whose busy stage has settled holds no more than a quiet one.
 */
#define PROBE_RELEASE 8
#define PROBE_RELEASE_MS 250
/* Refresh periods between re-reads of what hardly ever changes: command
 * lines, and the children and memory of a process that does not run. */
#define PROBE_RECHECK 8
/* Descriptors kept open across samples, at most (and half the limit). */
#define PROBE_HOLD_MAX 8192

struct probe_entry {
	struct snap_proc p; /* the last view; owns argv and fds */
	struct probe_files files;
	uint64_t run_ns; /* CPU time of all its threads, from its clock */
	uint64_t startcode; /* where its program text starts: exec moves it */
	long nthreads;
	long nfd; /* open fds when the table was read; -1 unknown */
	pid_t *kids;
	size_t nkids, kidcap;
	unsigned long seen;	/* the sample that last visited it */
	unsigned long full_at;	/* the sample that last read its fd table */
	unsigned long argv_at;	/* ... its command line */
	unsigned long active_at; /* ... found it had run */
	bool fresh;		/* nothing read yet */
	bool ran_since_full;	/* it ran after its fd table was read */
	bool gone;
	bool io_denied;
};

/* A pipe's fill as last read, for pipes nobody touched since. */
struct probe_memo {
	uint64_t inode, dev;
	enum snap_fd_kind kind;
	int64_t fill, capacity;
};

struct probe {
	struct probe_proc *proc;
	pid_t self;
	unsigned long gen; /* samples taken */
	unsigned long refresh; /* samples between periodic reads */
	unsigned long release; /* quiet samples before extra files go */
	unsigned long recheck; /* samples between rare re-reads */
	struct probe_budget budget;
	/* pid -> entry, open addressing; a power of two in size. */
	struct probe_entry **map;
	size_t mapcap, nentries;
	/* This sample's processes in walk order: roots, then descendants. */
	struct probe_entry **walk;
	size_t nwalk, walkcap;
	bool died, died_now;
	struct probe_memo *memo;
	size_t nmemo;
	struct probe_sock *sock; /* sock_diag, opened when a socket is held */
	/*
	 * Fd tables read for attach discovery before the process's first
	 * sample (probe_prefetch_table()), taken by that sample; a slot
	 * whose pid is 0 was taken.
	 */
	struct probe_prefetch {
		pid_t pid;
		long listed;
		struct snap_proc p;
	} *pre;
	size_t npre, precap;
	struct idmap pre_by_pid; /* pid -> index into pre */
	char buf[65536]; /* children lists */
};

struct probe *
probe_create(void)
{
	struct probe *pr = xcalloc(1, sizeof *pr);
	struct rlimit rl;
	rlim_t half = 0;

	pr->proc = probe_proc_create();
	pr->sock = probe_sock_create();
	pr->self = getpid();
	/* Leave at least half the descriptor limit to everything else. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		half = rl.rlim_cur / 2;
	else
		half = PROBE_HOLD_MAX;
	pr->budget.left = half > 64 ? (int)(half - 64 < PROBE_HOLD_MAX ?
	    half - 64 : PROBE_HOLD_MAX) : 0;
	pr->mapcap = 64;
	pr->map = xcalloc(pr->mapcap, sizeof *pr->map);
	probe_set_interval(pr, 0);
	return pr;
}

void
probe_set_interval(struct probe *pr, int interval_ms)
{
	pr->refresh = PROBE_REFRESH;
	if (interval_ms > 0 && pr->refresh * (unsigned long)interval_ms <
	    PROBE_REFRESH_MS)
		pr->refresh = (PROBE_REFRESH_MS + (unsigned long)interval_ms - 1) /
		    (unsigned long)interval_ms;
	pr->recheck = pr->refresh * PROBE_RECHECK;
	pr->release = PROBE_RELEASE;
	if (interval_ms > 0 && pr->release * (unsigned long)interval_ms <
	    PROBE_RELEASE_MS)
		pr->release = (PROBE_RELEASE_MS + (unsigned long)interval_ms - 1) /
		    (unsigned long)interval_ms;
}

void
probe_set_one_shot(struct probe *pr)
{
	pr->refresh = pr->recheck = (unsigned long)-1 / 2;
}

static void
probe_entry_clear(struct probe_entry *e)
{
	snapshot_proc_clear(&e->p);
}

static void
probe_entry_init(struct probe *pr, struct probe_entry *e, pid_t pid)
{
	memset(e, 0, sizeof *e);
	e->p.pid = pid;
	e->p.stage = -1;
	e->p.state = '?';
	e->p.syscall = -1;
	e->p.blocked.fd = -1;
	e->nthreads = 1;
	e->nfd = -1;
	e->fresh = true;
	probe_files_init(&e->files, pid, &pr->budget);
}

static void
probe_entry_free(struct probe_entry *e)
{
	probe_files_close(&e->files);
	probe_entry_clear(e);
	free(e->kids);
	free(e);
}

/* The process behind a pid changed: forget everything but the pid. */
static void
probe_entry_reset(struct probe *pr, struct probe_entry *e)
{
	pid_t pid = e->p.pid;
	unsigned long seen = e->seen;

	probe_files_close(&e->files);
	probe_entry_clear(e);
	free(e->kids);
	probe_entry_init(pr, e, pid);
	e->seen = seen;
}

/* The tables read ahead that no sample took. */
static void
probe_prefetch_drop(struct probe *pr)
{
	for (size_t i = 0; i < pr->npre; i++)
		snapshot_proc_clear(&pr->pre[i].p);
	pr->npre = 0;
	idmap_clear(&pr->pre_by_pid);
}

static struct probe_prefetch *
probe_prefetch_find(struct probe *pr, pid_t pid)
{
	size_t i = idmap_get(&pr->pre_by_pid, (uint64_t)pid);

	return i != IDMAP_NONE && pr->pre[i].pid == pid ? &pr->pre[i] : NULL;
}

void
probe_free(struct probe *pr)
{
	if (pr == NULL)
		return;
	for (size_t i = 0; i < pr->mapcap; i++) {
		if (pr->map[i] != NULL)
			probe_entry_free(pr->map[i]);
	}
	probe_prefetch_drop(pr);
	free(pr->pre);
	idmap_free(&pr->pre_by_pid);
	free(pr->map);
	free(pr->walk);
	free(pr->memo);
	probe_proc_free(pr->proc);
	probe_sock_free(pr->sock);
	free(pr);
}

static struct probe_entry **
probe_map_slot(struct probe_entry **map, size_t cap, pid_t pid)
{
	size_t mask = cap - 1, i = ((size_t)pid * 2654435761u) & mask;

	while (map[i] != NULL && map[i]->p.pid != pid)
		i = (i + 1) & mask;
	return &map[i];
}

static struct probe_entry *
probe_lookup(const struct probe *pr, pid_t pid)
{
	return *probe_map_slot(pr->map, pr->mapcap, pid);
}

/* Rebuild the map with room for n entries (dropping nothing). */
static void
probe_map_resize(struct probe *pr, size_t n)
{
	struct probe_entry **map;
	size_t cap = 64;

	while (cap < n * 2)
		cap *= 2;
	map = xcalloc(cap, sizeof *map);
	for (size_t i = 0; i < pr->mapcap; i++) {
		if (pr->map[i] != NULL)
			*probe_map_slot(map, cap, pr->map[i]->p.pid) = pr->map[i];
	}
	free(pr->map);
	pr->map = map;
	pr->mapcap = cap;
}

/* Put pid on this sample's walk, once. */
static void
probe_walk_add(struct probe *pr, pid_t pid)
{
	struct probe_entry **slot, *e;

	if (pid <= 0 || pid == pr->self || pr->nwalk >= PROBE_MAX_PROCS)
		return;
	if ((pr->nentries + 1) * 2 > pr->mapcap)
		probe_map_resize(pr, pr->nentries + 1);
	slot = probe_map_slot(pr->map, pr->mapcap, pid);
	if ((e = *slot) == NULL) {
		e = *slot = xcalloc(1, sizeof *e);
		probe_entry_init(pr, e, pid);
		pr->nentries++;
	} else if (e->seen == pr->gen)
		return;
	e->seen = pr->gen;
	if (pr->nwalk == pr->walkcap) {
		pr->walkcap = pr->walkcap ? pr->walkcap * 2 : 64;
		pr->walk = xreallocarray(pr->walk, pr->walkcap, sizeof *pr->walk);
	}
	pr->walk[pr->nwalk++] = e;
}

/*
 * Read the whole fd table again, into a table of its own: a read that
 * fails (pipeviz out of descriptors, say) must not leave an empty table
 * in place of the one it had, which would look like a process without
 * fds.  Such a process keeps its last table, marked unread, and is read
 * again the next sample.  Another user's process (EACCES) and one that is
 * gone (ENOENT, ESRCH) have no table to show.
 */
static void
probe_read_table(struct probe *pr, struct probe_entry *e, int dir)
{
	struct snap_proc *p = &e->p, t = { 0 };
	struct probe_prefetch *pre = e->fresh ? probe_prefetch_find(pr, p->pid) :
	    NULL;
	struct snap_fd *fds;
	size_t nfds;
	long nfd;
	int err;

	/*
	 * Counted as listed: an fd opened or closed after the listing shows
	 * in the count at the next check (no fd count of its own: a system
	 * call fewer).
	 */
	/* Read ahead for discovery moments ago: the same table, not again. */
	if (pre != NULL) {
		t = pre->p;
		nfd = pre->listed;
		err = 0;
		memset(&pre->p, 0, sizeof pre->p);
		pre->pid = 0;
	} else
		err = probe_fd_read(dir, &t, &nfd);
	if (err != 0)
		nfd = -1;
	p->fds_unread = err != 0 && err != -EACCES && err != -ENOENT &&
	    err != -ESRCH;
	if (p->fds_unread) {
		/* The last table stays; what was read of this one goes. */
		snapshot_proc_clear(&t);
		return;
	}
	/* Another user's, or gone: no table, not even part of one. */
	if (err != 0)
		snapshot_proc_clear(&t);
	/* In with the new, and out with the old through t. */
	fds = p->fds;
	nfds = p->nfds;
	p->fds = t.fds;
	p->nfds = t.nfds;
	t.fds = fds;
	t.nfds = nfds;
	snapshot_proc_clear(&t);
	p->fds_denied = err == -EACCES;
	e->nfd = nfd;
	e->full_at = pr->gen;
	e->ran_since_full = false;
}

static bool
probe_run_state(char state)
{
	return state == 'R' || state == 'S';
}

/* Bring e up to date for this sample; false if the process is gone. */
static bool
probe_update(struct probe *pr, struct probe_entry *e)
{
	struct snap_proc *p = &e->p;
	unsigned long gen = pr->gen;
	bool fresh = e->fresh, ran, periodic, recheck, exec = false;
	bool turned = false, full;
	char old_comm[sizeof p->comm], old_state = p->state;
	uint64_t old_start = p->start_ticks, run_ns = 0;
	struct procparse_stat st;
	long nfd;
	int dir, err;

	periodic = (gen + (unsigned long)p->pid) % pr->refresh == 0;
	recheck = (gen + (unsigned long)p->pid) % pr->recheck == 0;
	/* What a process reads only when it runs is kept while it does. */
	e->files.hold_extra = !fresh && e->active_at + 1 == gen;
	if ((dir = probe_files_dir(&e->files)) < 0)
		return false;
	err = probe_proc_read_runtime(&e->files, &run_ns);
	if (err == -ESRCH)
		return false;
	/*
	 * A process in R may be mid-way through anything, and the threads of
	 * one that has them are read each time: both count as having run.
	 */
	ran = fresh || err != 0 || run_ns != e->run_ns || p->state == 'R' ||
	    e->nthreads > 1;
	e->run_ns = run_ns;

	/* Without a held directory, only the start time pins the process. */
	if (ran || periodic || pr->died || !e->files.dir_held) {
		memcpy(old_comm, p->comm, sizeof old_comm);
		if (probe_proc_read_stat(&e->files, p, &st) != 0)
			return false;
		if (!fresh && p->start_ticks != old_start)
			return false; /* a new process with the old pid */
		e->nthreads = st.nthreads;
		if (!fresh) {
			/* With ASLR even the same program moves. */
			exec = strcmp(old_comm, p->comm) != 0 ||
			    st.startcode != e->startcode;
			turned = old_state != p->state &&
			    !(probe_run_state(old_state) &&
			    probe_run_state(p->state));
			if (turned && (p->state == 'Z' || p->state == 'X'))
				pr->died_now = true;
		}
		e->startcode = st.startcode;
	}

	/*
	 * A quiet process forks nothing; it gains children only by adoption
	 * when a process leaves (pr->died).  Its memory shrinks only when the
	 * kernel takes pages back.
	 */
	if (fresh || ran || pr->died || recheck) {
		long n = probe_proc_read_children(&e->files, e->nthreads,
		    &e->kids, &e->kidcap, pr->buf, sizeof pr->buf);

		e->nkids = n > 0 ? (size_t)n : 0;
	}
	if (fresh || ran || recheck)
		probe_proc_read_rss(&e->files, p);
	if ((fresh || ran) && (!e->io_denied || fresh || exec)) {
		err = probe_proc_read_io(&e->files, p);
		p->io_known = err == 0;
		e->io_denied = err == -EACCES;
	}

	/*
	 * A process that has not run still has the table it had; one that
	 * ran is checked by its fd count, and read in full a refresh period
	 * samples after the last time for what the count cannot show
	 * (dup2() onto an open fd).  The quiet ones are counted now and then
	 * too, with the rare re-reads: a table can be shared with another
	 * process (CLONE_FILES without threads, which are read each time).
	 */
	if (ran)
		e->ran_since_full = true;
	full = fresh || exec || turned || p->fds_unread ||
	    (e->ran_since_full && gen - e->full_at >= pr->refresh);
	if (!full && (ran || recheck) && !p->fds_denied &&
	    (nfd = probe_fd_count(dir)) != e->nfd)
		full = true;
	/*
	 * A quiet process moves none of its files: only another process
	 * sharing an open file description (a log all stages append to) can,
	 * or grow a file it reads.  That waits for the longer period.
	 */
	if (full)
		probe_read_table(pr, e, dir);
	else if ((ran || recheck) && !p->fds_denied &&
	    probe_fd_refresh(dir, p) != 0) {
		probe_read_table(pr, e, dir);
		full = true;
	}

	if (fresh || ran || full) {
		bool threads;

		p->nthreads = e->nthreads > 0 ? e->nthreads : 1;
		threads = p->nthreads > 1 && p->state != 'Z' && p->state != 'X';
		if (threads && probe_thread_read(dir, p, pr->buf,
		    sizeof pr->buf) != 0 && !full) {
			probe_read_table(pr, e, dir);
			full = true;
			probe_thread_read(dir, p, pr->buf, sizeof pr->buf);
		}
		if (!threads && p->nthreads_read > 0)
			snapshot_proc_set_threads(p, NULL, 0);
		p->stop = SNAP_STOP_NONE;
		/*
		 * The threads' reads gave the wait and wchan, the main thread's
		 * among them; the process's own files are read when there are
		 * no threads to read, and for a stop, whose reason they tell.
		 */
		if (!threads || p->nthreads_read == 0 || p->state == 'T') {
			if (p->state != 'R' && p->state != 'Z' &&
			    p->state != 'X')
				probe_proc_read_wchan(&e->files, p);
			else
				p->wchan[0] = '\0';
			if (probe_fd_read_blocked(&e->files, p) != 0 && !full) {
				probe_read_table(pr, e, dir);
				full = true;
				probe_fd_read_blocked(&e->files, p);
			}
		}
	}

	if (fresh || exec || (ran && gen - e->argv_at >= pr->recheck)) {
		probe_proc_read_argv(pr->proc, &e->files, p);
		e->argv_at = gen;
	}
	if (ran)
		e->active_at = gen;
	/* Quiet for a while: keep only what is read every few samples. */
	if (gen - e->active_at == pr->release ||
	    (periodic && gen - e->active_at >= pr->release)) {
		probe_files_release(&e->files, PROBE_F_STATM);
		probe_files_release(&e->files, PROBE_F_IO);
		probe_files_release(&e->files, PROBE_F_SYSCALL);
		probe_files_release(&e->files, PROBE_F_WCHAN);
		probe_files_release(&e->files, PROBE_F_CHILDREN);
	}
	e->fresh = false;
	return true;
}

static void
probe_visit(struct probe *pr, struct probe_entry *e)
{
	if (probe_update(pr, e))
		return;
	/* The pid may name a new process now: look at it afresh, once. */
	if (!e->fresh) {
		pr->died_now = true;
		probe_entry_reset(pr, e);
		if (probe_update(pr, e))
			return;
	}
	e->gone = true;
}

/* Whether e ran (or is new) in this sample. */
static bool
probe_active(const struct probe *pr, const struct probe_entry *e)
{
	return e->active_at == pr->gen;
}

/* Whether pid is among the first n processes of snap (exited stages). */
static bool
probe_in_snapshot(const struct snapshot *snap, size_t n, pid_t pid)
{
	const struct snap_proc *q = snapshot_find_proc(snap, pid);

	return q != NULL && (size_t)(q - snap->procs) < n;
}

static void probe_fill(struct probe *, struct snapshot *);

/* Drop the processes that left; close what is not held. */
static void
probe_settle(struct probe *pr)
{
	size_t kept = 0;

	for (size_t i = 0; i < pr->mapcap; i++) {
		struct probe_entry *e = pr->map[i];

		if (e == NULL)
			continue;
		if (e->seen != pr->gen || e->gone) {
			probe_entry_free(e);
			pr->map[i] = NULL;
			pr->died_now = true;
			continue;
		}
		kept++;
	}
	if (kept != pr->nentries) {
		/* Open addressing cannot just punch holes: rebuild. */
		pr->nentries = kept;
		probe_map_resize(pr, kept);
	}
	pr->died = pr->died_now;
	pr->died_now = false;
}

/*
 * Each process's first two files (directory, stat) come before anyone's
 * others: reserve what the known processes and the roots still lack, and
 * take back others' extra files if that is more than is left.
 */
static void
probe_budget_plan(struct probe *pr, size_t nroots)
{
	struct probe_budget *b = &pr->budget;
	int need = 2 * (int)nroots;

	for (size_t i = 0; i < pr->mapcap; i++) {
		const struct probe_files *f;

		if (pr->map[i] == NULL)
			continue;
		f = &pr->map[i]->files;
		need += 2 - f->dir_held - (f->fd[PROBE_F_STAT] != -1);
	}
	b->reserve = need;
	for (size_t i = 0; i < pr->mapcap && b->left < need; i++) {
		struct probe_files *f;

		if (pr->map[i] == NULL)
			continue;
		f = &pr->map[i]->files;
		for (int k = 0; k < PROBE_F_COUNT; k++) {
			if (k != PROBE_F_STAT)
				probe_files_release(f, k);
		}
		probe_files_release_pidfd(f);
	}
}

size_t
probe_sample(struct probe *pr, struct snapshot *snap, const pid_t *roots,
    size_t nroots)
{
	size_t first = snap->nprocs;

	pr->gen++;
	pr->nwalk = 0;
	probe_budget_plan(pr, nroots);
	for (size_t i = 0; i < nroots; i++)
		probe_walk_add(pr, roots[i]);
	/* The walk grows while walked: breadth-first over descendants. */
	for (size_t i = 0; i < pr->nwalk; i++) {
		struct probe_entry *e = pr->walk[i];

		probe_visit(pr, e);
		/* Past the budget nothing stays open, however many there are. */
		probe_files_settle(&e->files);
		if (e->gone)
			continue;
		for (size_t k = 0; k < e->nkids; k++)
			probe_walk_add(pr, e->kids[k]);
	}

	snapshot_reserve_procs(snap, snap->nprocs + pr->nwalk);
	for (size_t i = 0; i < pr->nwalk; i++) {
		struct probe_entry *e = pr->walk[i];

		if (!e->gone && !probe_in_snapshot(snap, first, e->p.pid))
			snapshot_copy_proc(snap, &e->p);
	}
	/* Nothing is asked of the kernel while no socket is held. */
	(void)probe_sock_read(pr->sock, snap);
	snapshot_link_pipes(snap);
	probe_fill(pr, snap);
	probe_settle(pr);
	probe_prefetch_drop(pr);
	return snap->nprocs - first;
}

const struct snap_proc *
probe_prefetch_table(struct probe *pr, pid_t pid)
{
	struct probe_prefetch *pre;
	struct snap_proc t = { 0 };
	char path[32];
	long listed;
	int dir, err;

	if (pid <= 0 || (pr->mapcap > 0 && probe_lookup(pr, pid) != NULL))
		return NULL;
	if ((pre = probe_prefetch_find(pr, pid)) != NULL)
		return &pre->p;
	snprintf(path, sizeof path, "/proc/%d", (int)pid);
	if ((dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return NULL;
	t.pid = pid;
	err = probe_fd_read(dir, &t, &listed);
	close(dir);
	/* A table read in part (gone, denied, no descriptor): the sample's. */
	if (err != 0) {
		snapshot_proc_clear(&t);
		return NULL;
	}
	if (pr->npre == pr->precap) {
		pr->precap = pr->precap ? pr->precap * 2 : 64;
		pr->pre = xreallocarray(pr->pre, pr->precap, sizeof *pr->pre);
	}
	(void)idmap_put(&pr->pre_by_pid, (uint64_t)pid, pr->npre);
	pre = &pr->pre[pr->npre++];
	pre->pid = pid;
	pre->listed = listed;
	pre->p = t;
	return &pre->p;
}

bool
probe_lost(const struct probe *pr)
{
	return pr->died;
}

int
probe_read_counters(struct probe *pr, struct snap_proc *p)
{
	struct probe_files f;
	struct procparse_stat st;
	int err;

	probe_files_init(&f, p->pid, NULL);
	if ((err = probe_proc_read_stat(&f, p, &st)) == 0) {
		probe_proc_read_rss(&f, p);
		probe_proc_read_wchan(&f, p);
		probe_proc_read_argv(pr->proc, &f, p);
		err = probe_proc_read_io(&f, p);
	}
	probe_files_close(&f);
	return err;
}

int
probe_read_io(struct probe *pr, struct snap_proc *p)
{
	struct probe_files f;
	struct procparse_stat st;
	int err;

	(void)pr;
	probe_files_init(&f, p->pid, NULL);
	if ((err = probe_proc_read_stat(&f, p, &st)) == 0)
		err = probe_proc_read_io(&f, p);
	probe_files_close(&f);
	return err;
}

static int
probe_memo_cmp(const void *a, const void *b)
{
	const struct probe_memo *x = a, *y = b;

	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return (int)x->kind - (int)y->kind;
}

static const struct probe_memo *
probe_memo_find(const struct probe *pr, const struct snap_pipe *pp)
{
	struct probe_memo key = { pp->inode, pp->dev, pp->kind, 0, 0 };

	if (pr->nmemo == 0)
		return NULL;
	return bsearch(&key, pr->memo, pr->nmemo, sizeof *pr->memo,
	    probe_memo_cmp);
}

/*
 * Nothing observed can have moved data through a pipe none of whose ends
 * ran.  Something unobserved could (a writer outside the view), which the
 * periodic read bounds.
 */
static bool
probe_pipe_quiet(const struct probe *pr, const struct snap_pipe *pp)
{
	const struct probe_entry *e;

	if ((pr->gen + pp->inode) % pr->refresh == 0 ||
	    pp->nreaders + pp->nwriters == 0)
		return false;
	for (size_t i = 0; i < pp->nreaders + pp->nwriters; i++) {
		const struct snap_end *end = i < pp->nreaders ?
		    &pp->readers[i] : &pp->writers[i - pp->nreaders];

		e = probe_lookup(pr, end->pid);
		if (e == NULL || e->seen != pr->gen || probe_active(pr, e))
			return false;
	}
	return true;
}

/*
 * A duplicate of a pipe end from another process, checked to be pp's.  A
 * pidfd opened for it alone is left in *pidfd_after, to be closed once
 * the duplicate is: the end is held no longer than it must be.
 */
static int
probe_getfd(struct probe *pr, const struct snap_end *end,
    const struct snap_pipe *pp, int *pidfd_after)
{
	struct probe_entry *e = pr != NULL ? probe_lookup(pr, end->pid) : NULL;
	struct stat st;
	bool transient = true;
	int pidfd, fd;

	if (e != NULL && e->seen == pr->gen && !e->gone)
		pidfd = probe_files_pidfd(&e->files, &transient);
	else
		pidfd = (int)syscall(SYS_pidfd_open, end->pid, 0);
	if (pidfd == -1)
		return -1;
	/* The duplicate is O_CLOEXEC; the pidfd may be held for next time. */
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, end->fd, 0);
	if (transient)
		*pidfd_after = pidfd;
	if (fd != -1 && (fstat(fd, &st) == -1 || !S_ISFIFO(st.st_mode) ||
	    st.st_ino != pp->inode ||
	    (pp->kind == SNAP_FD_FIFO && st.st_dev != pp->dev))) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * An fd on the pipe that cannot change what its processes see.  First a
 * pidfd_getfd() duplicate of a reader's end: it shares that end, so the
 * reader and writer counts do not move at all, and it is the cheapest
 * (no path to resolve).  It needs ptrace-attach rights; without them, a
 * reopen through a reader's link adds one more reader to a pipe that has
 * one, so no writer is woken or spared a SIGPIPE; the O_PATH step pins the
 * inode so a link that changed since it was read is not opened blindly.
 * Without a known reader, a duplicate of a writer's end.  Whatever is
 * returned is closed within microseconds, never kept across samples, and
 * only between probe_hold_begin() and probe_hold_end().
 */
static int
probe_pipe_fd(struct probe *pr, const struct snap_pipe *pp, int *pidfd_after)
{
	int fd;

	if (pp->nreaders > 0) {
		if ((fd = probe_getfd(pr, &pp->readers[0], pp, pidfd_after)) != -1)
			return fd;
		return probe_fd_reopen(pp, &pp->readers[0]);
	}
	if (pp->nwriters == 0)
		return -1;
	return probe_getfd(pr, &pp->writers[0], pp, pidfd_after);
}

/*
 * FIONREAD and F_GETPIPE_SZ each take the pipe's mutex, which a busy
 * reader or writer holds while it copies: the capacity, which only
 * F_SETPIPE_SZ changes, is taken from memo when there is one and read
 * again only with the periodic reads.
 */
static void
probe_fill_pipe(struct probe *pr, struct snap_pipe *pp,
    const struct probe_memo *m)
{
	int fd, fill, size = -1, pidfd = -1;
	bool filled = false;
	sigset_t saved;

	probe_hold_begin(&saved);
	if ((fd = probe_pipe_fd(pr, pp, &pidfd)) != -1) {
		filled = ioctl(fd, FIONREAD, &fill) == 0;
		if (m == NULL || m->capacity <= 0)
			size = fcntl(fd, F_GETPIPE_SZ);
		close(fd);
	}
	probe_hold_end(&saved);
	if (pidfd != -1)
		close(pidfd);
	if (fd == -1)
		return;
	if (filled)
		pp->fill = fill;
	if (m != NULL && m->capacity > 0)
		pp->capacity = m->capacity;
	else if (size != -1)
		pp->capacity = size;
}

static void
probe_fill(struct probe *pr, struct snapshot *snap)
{
	const struct probe_memo *m;

	for (size_t i = 0; i < snap->npipes; i++) {
		struct snap_pipe *pp = &snap->pipes[i];

		if (pp->stray)
			continue;
		m = pr != NULL ? probe_memo_find(pr, pp) : NULL;
		if (m != NULL && probe_pipe_quiet(pr, pp)) {
			pp->fill = m->fill;
			pp->capacity = m->capacity;
			continue;
		}
		if (m != NULL && (pr->gen + pp->inode) % pr->refresh == 0)
			m = NULL;
		probe_fill_pipe(pr, pp, m);
	}
	if (pr == NULL)
		return;
	free(pr->memo);
	pr->memo = NULL;
	pr->nmemo = 0;
	if (snap->npipes == 0)
		return;
	pr->memo = xcalloc(snap->npipes, sizeof *pr->memo);
	for (size_t i = 0; i < snap->npipes; i++) {
		const struct snap_pipe *pp = &snap->pipes[i];

		if (pp->stray)
			continue;
		pr->memo[pr->nmemo++] = (struct probe_memo){ pp->inode,
		    pp->dev, pp->kind, pp->fill, pp->capacity };
	}
	qsort(pr->memo, pr->nmemo, sizeof *pr->memo, probe_memo_cmp);
}

void
probe_read_fill(struct snapshot *snap)
{
	probe_fill(NULL, snap);
}

int
probe_check_access(pid_t pid)
{
	char path[32];
	int fd;

	snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? -ESRCH : -errno;
	close(fd);
	return 0;
}

size_t
probe_socket_peers(struct probe *pr, const uint64_t *inodes, size_t n,
    uint64_t *peers, size_t max)
{
	uint64_t *peer = xcalloc(n + 1, sizeof *peer);
	size_t got = 0;

	probe_socket_peer_of(pr, inodes, n, peer);
	for (size_t i = 0; i < n && got < max; i++) {
		if (peer[i] != 0)
			peers[got++] = peer[i];
	}
	free(peer);
	return got;
}

void
probe_socket_peer_of(struct probe *pr, const uint64_t *inodes, size_t n,
    uint64_t *peer)
{
	struct snapshot *s = snapshot_create(0);
	struct snap_proc *p = snapshot_add_proc(s, pr->self);

	for (size_t i = 0; i < n; i++)
		snapshot_proc_add_fd(p, (int)i, SNAP_MODE_RW, SNAP_FD_SOCKET,
		    NULL)->inode = inodes[i];
	(void)probe_sock_read(pr->sock, s);
	for (size_t i = 0; i < n; i++) {
		const struct snap_socket *k = snapshot_find_socket(s, inodes[i]);

		peer[i] = k != NULL ? k->peer : 0;
	}
	snapshot_free(s);
}
