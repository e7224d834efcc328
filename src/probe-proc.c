/*
 * probe-proc.c - a process's /proc files and counters.
 *
 * Counters come from raw reads of stat, schedstat, statm, io and wchan:
 * libproc2's select costs two to four times the same reads (FACTS.md §8,
 * docs/performance.md), and they are taken every sample.  libproc2 is
 * used where it pays for itself: command lines, which are read once per
 * process and exec, and the list of every process that attach discovery
 * needs.
 *
 * The only file that includes <libproc2/pids.h>.  Values are copied out
 * of libproc2's stacks before the next call; nothing else sees its types.
 * PIDS_VAL() changed arity in libproc2 4.0.5, so results are read through
 * stack->head[i].result directly.
 */
#include <libproc2/pids.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pipeviz/procparse.h"
#include "pipeviz/util.h"
#include "probe-internal.h"

/* libproc2 refuses more than 255 pids in one select. */
#define PROBE_PROC_BATCH 255

static const char *const probe_file_names[PROBE_F_COUNT] = {
	[PROBE_F_STAT] = "stat",
	[PROBE_F_SCHEDSTAT] = "schedstat",
	[PROBE_F_STATM] = "statm",
	[PROBE_F_IO] = "io",
	[PROBE_F_SYSCALL] = "syscall",
	[PROBE_F_WCHAN] = "wchan",
	[PROBE_F_CHILDREN] = NULL, /* task/PID/children */
};

void
probe_files_init(struct probe_files *f, pid_t pid, int *budget)
{
	f->pid = pid;
	f->dir = -1;
	f->dir_held = false;
	for (int i = 0; i < PROBE_F_COUNT; i++)
		f->fd[i] = -1;
	f->pidfd = -1;
	f->budget = budget;
}

/* May one more descriptor stay open across samples? */
static bool
probe_files_take(struct probe_files *f)
{
	if (f->budget == NULL || *f->budget <= 0)
		return false;
	(*f->budget)--;
	return true;
}

static void
probe_files_give(struct probe_files *f)
{
	if (f->budget != NULL)
		(*f->budget)++;
}

void
probe_files_release(struct probe_files *f, enum probe_file which)
{
	if (f->fd[which] == -1)
		return;
	close(f->fd[which]);
	f->fd[which] = -1;
	probe_files_give(f);
}

void
probe_files_settle(struct probe_files *f)
{
	if (f->dir != -1 && !f->dir_held) {
		close(f->dir);
		f->dir = -1;
	}
}

void
probe_files_close(struct probe_files *f)
{
	for (int i = 0; i < PROBE_F_COUNT; i++)
		probe_files_release(f, i);
	if (f->pidfd != -1) {
		close(f->pidfd);
		f->pidfd = -1;
		probe_files_give(f);
	}
	if (f->dir != -1) {
		close(f->dir);
		f->dir = -1;
		if (f->dir_held)
			probe_files_give(f);
		f->dir_held = false;
	}
}

/*
 * A process that is gone answers ESRCH through descriptors opened while
 * it lived, and ENOENT to a fresh open of /proc/PID.  A missing file in a
 * live process's directory is ENOENT too, so only the directory maps it.
 */
static int
probe_files_errno(int err)
{
	return -err;
}

int
probe_files_dir(struct probe_files *f)
{
	char path[32];

	if (f->dir != -1)
		return f->dir;
	snprintf(path, sizeof path, "/proc/%d", (int)f->pid);
	if ((f->dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? -ESRCH : -errno;
	f->dir_held = probe_files_take(f);
	return f->dir;
}

/*
 * All of a file from offset 0.  /proc files are seq_files: a read that
 * returns less than asked for has reached the end, so a small file costs
 * one pread(), not a second one to see the end.
 */
static long
probe_files_pread(int fd, char *buf, size_t size)
{
	size_t len = 0, want;
	ssize_t n;

	while (len < size - 1) {
		want = size - 1 - len;
		n = pread(fd, buf + len, want, (off_t)len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return probe_files_errno(errno);
		}
		len += (size_t)n;
		if ((size_t)n < want)
			break;
	}
	buf[len] = '\0';
	return (long)len;
}

long
probe_files_read(struct probe_files *f, enum probe_file which, char *buf,
    size_t size)
{
	char name[48];
	long n;
	int dir, fd = f->fd[which];

	if (size == 0)
		return -EINVAL;
	if (fd == -1) {
		if ((dir = probe_files_dir(f)) < 0)
			return dir;
		if (which == PROBE_F_CHILDREN)
			snprintf(name, sizeof name, "task/%d/children",
			    (int)f->pid);
		else
			snprintf(name, sizeof name, "%s",
			    probe_file_names[which]);
		fd = openat(dir, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd == -1)
			return probe_files_errno(errno);
		/* Files are held only by processes that hold their dir. */
		if (f->dir_held && probe_files_take(f))
			f->fd[which] = fd;
	}
	n = probe_files_pread(fd, buf, size);
	if (f->fd[which] != fd)
		close(fd);
	return n;
}

int
probe_files_pidfd(struct probe_files *f, bool *transient)
{
	int fd;

	*transient = false;
	if (f->pidfd != -1)
		return f->pidfd;
	/* pidfd_open() always sets O_CLOEXEC. */
	if ((fd = (int)syscall(SYS_pidfd_open, f->pid, 0)) == -1)
		return -1;
	if (f->dir_held && probe_files_take(f))
		f->pidfd = fd;
	else
		*transient = true;
	return fd;
}

struct probe_proc {
	struct pids_info *argv_info;
};

static enum pids_item probe_argv_items[] = { PIDS_ID_PID, PIDS_CMDLINE_V };

struct probe_proc *
probe_proc_create(void)
{
	struct probe_proc *pp = xcalloc(1, sizeof *pp);

	if (procps_pids_new(&pp->argv_info, probe_argv_items, 2) < 0)
		fatalx("libproc2: cannot set up (is /proc mounted?)");
	return pp;
}

void
probe_proc_free(struct probe_proc *pp)
{
	if (pp == NULL)
		return;
	procps_pids_unref(&pp->argv_info);
	free(pp);
}

int
probe_proc_read_stat(struct probe_files *f, struct snap_proc *p,
    long *nthreads)
{
	struct procparse_stat st;
	char text[1024];
	long n;

	if ((n = probe_files_read(f, PROBE_F_STAT, text, sizeof text)) < 0)
		return (int)n;
	if (procparse_stat(text, &st) != 0 || st.pid != p->pid)
		return -EINVAL;
	p->ppid = st.ppid;
	p->pgid = st.pgid;
	p->state = st.state;
	/* A worker thread's name can run past comm[]; cut it there. */
	memcpy(p->comm, st.comm, sizeof p->comm - 1);
	p->comm[sizeof p->comm - 1] = '\0';
	p->cpu_ticks = st.utime + st.stime;
	p->start_ticks = st.start;
	*nthreads = st.nthreads;
	return 0;
}

int
probe_proc_read_sched(struct probe_files *f, uint64_t *run_ns,
    uint64_t *slices)
{
	char text[128];
	long n;

	if ((n = probe_files_read(f, PROBE_F_SCHEDSTAT, text, sizeof text)) < 0)
		return (int)n;
	return procparse_schedstat(text, run_ns, slices);
}

void
probe_proc_read_rss(struct probe_files *f, struct snap_proc *p)
{
	static long page_kib;
	uint64_t resident;
	char text[256];

	if (page_kib == 0)
		page_kib = sysconf(_SC_PAGESIZE) > 0 ?
		    sysconf(_SC_PAGESIZE) / 1024 : 4;
	if (probe_files_read(f, PROBE_F_STATM, text, sizeof text) > 0 &&
	    procparse_statm(text, &resident) == 0)
		p->rss_kib = resident * (uint64_t)page_kib;
}

int
probe_proc_read_io(struct probe_files *f, struct snap_proc *p)
{
	char text[512];
	long n;

	if ((n = probe_files_read(f, PROBE_F_IO, text, sizeof text)) < 0)
		return (int)n;
	if (procparse_io(text, &p->rchar, &p->wchar) != 0)
		return -EINVAL;
	return 0;
}

void
probe_proc_read_wchan(struct probe_files *f, struct snap_proc *p)
{
	char text[sizeof p->wchan];

	/* "0" for a running process or without ptrace access. */
	if (probe_files_read(f, PROBE_F_WCHAN, text, sizeof text) > 0 &&
	    strcmp(text, "0") != 0 && strcmp(text, "-") != 0) {
		text[strcspn(text, "\n")] = '\0';
		snprintf(p->wchan, sizeof p->wchan, "%s", text);
	} else
		p->wchan[0] = '\0';
}

/* Append the pids of a children list to (*kids)[n..]; the new n or -errno. */
static long
probe_proc_add_kids(const char *text, pid_t **kids, size_t *cap, size_t n)
{
	/* Each pid takes at least two characters: a digit and a blank. */
	size_t most = strlen(text) / 2 + 1;
	int got;

	if (n + most > *cap) {
		*cap = n + most > *cap * 2 ? n + most : *cap * 2;
		*kids = xreallocarray(*kids, *cap, sizeof **kids);
	}
	if ((got = procparse_pid_list(text, *kids + n, most)) < 0)
		return got;
	return (long)n + got;
}

long
probe_proc_read_children(struct probe_files *f, long nthreads, pid_t **kids,
    size_t *cap, char *buf, size_t size)
{
	struct dirent *de;
	DIR *d;
	long n = 0, r;
	int dir, fd;

	if (nthreads <= 1) {
		if ((r = probe_files_read(f, PROBE_F_CHILDREN, buf, size)) < 0)
			return r;
		return probe_proc_add_kids(buf, kids, cap, 0);
	}
	/* Children are listed per thread that forked them: read every task. */
	if ((dir = probe_files_dir(f)) < 0)
		return dir;
	if ((fd = openat(dir, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return probe_files_errno(errno);
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while ((de = readdir(d)) != NULL) {
		char path[300];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/children", de->d_name);
		if (util_read_file_at(dirfd(d), path, buf, size) <= 0)
			continue;
		if ((r = probe_proc_add_kids(buf, kids, cap, (size_t)n)) >= 0)
			n = r;
	}
	closedir(d);
	return n;
}

static void
probe_proc_copy_argv(struct snap_proc *p, char **strv)
{
	/* libproc2 stands "-" or "[comm]" in for an empty command line. */
	if (strv != NULL && strv[0] != NULL && strv[0][0] != '[' &&
	    strcmp(strv[0], "-") != 0)
		snapshot_proc_set_argv(p, strv);
	else if (p->argv == NULL || p->argv[0] == NULL) {
		/* A zombie has no command line; keep what an earlier step set. */
		char *argv[] = { p->comm, NULL };

		snapshot_proc_set_argv(p, argv);
	}
}

void
probe_proc_read_argv(struct probe_proc *pp, struct snap_proc **procs,
    size_t n)
{
	unsigned pids[PROBE_PROC_BATCH];

	for (size_t off = 0; off < n; off += PROBE_PROC_BATCH) {
		size_t batch = n - off < PROBE_PROC_BATCH ? n - off :
		    PROBE_PROC_BATCH;
		struct pids_fetch *fe;
		bool *done = xcalloc(batch, sizeof *done);

		for (size_t i = 0; i < batch; i++)
			pids[i] = (unsigned)procs[off + i]->pid;
		fe = procps_pids_select(pp->argv_info, pids, (int)batch,
		    PIDS_SELECT_PID);
		/* Vanished pids are dropped from the result: match by pid. */
		for (int k = 0; fe != NULL && k < fe->counts->total; k++) {
			const struct pids_result *r = fe->stacks[k]->head;

			for (size_t i = 0; i < batch; i++) {
				if (!done[i] &&
				    procs[off + i]->pid == r[0].result.s_int) {
					probe_proc_copy_argv(procs[off + i],
					    r[1].result.strv);
					done[i] = true;
					break;
				}
			}
		}
		for (size_t i = 0; i < batch; i++) {
			if (!done[i])
				probe_proc_copy_argv(procs[off + i], NULL);
		}
		free(done);
	}
}

size_t
probe_proc_list_all(struct probe_proc_ids **out)
{
	enum pids_item items[] = { PIDS_ID_PID, PIDS_ID_PPID, PIDS_ID_PGRP };
	struct pids_info *info = NULL;
	struct pids_fetch *f;
	size_t n = 0;

	*out = NULL;
	if (procps_pids_new(&info, items, 3) < 0)
		return 0;
	if ((f = procps_pids_reap(info, PIDS_FETCH_TASKS_ONLY)) != NULL &&
	    f->counts->total > 0) {
		*out = xcalloc((size_t)f->counts->total, sizeof **out);
		for (int k = 0; k < f->counts->total; k++) {
			const struct pids_result *r = f->stacks[k]->head;

			(*out)[n].pid = r[0].result.s_int;
			(*out)[n].ppid = r[1].result.s_int;
			(*out)[n].pgid = r[2].result.s_int;
			n++;
		}
	}
	procps_pids_unref(&info);
	return n;
}
