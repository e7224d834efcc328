/*
 * probe-proc.c - a process's /proc files and counters.
 *
 * Everything is read raw: stat, statm, io, wchan, children and cmdline
 * (and the CPU clock), and the list of every process that attach discovery needs.
 * libproc2 was measured and does not pay here (docs/performance.md):
 * whatever items are asked for, its select reads /proc/PID/status (the
 * dearest file, 15-25 us) and /proc/uptime for every pid, which made a
 * command line four times dearer than reading it, and its reap costs
 * twice a raw scan.
 */
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

static const char *const probe_file_names[PROBE_F_COUNT] = {
	[PROBE_F_STAT] = "stat",
	[PROBE_F_STATM] = "statm",
	[PROBE_F_IO] = NULL,	   /* task/PID/io */
	[PROBE_F_SYSCALL] = "syscall",
	[PROBE_F_WCHAN] = "wchan",
	[PROBE_F_CHILDREN] = NULL, /* task/PID/children */
};

void
probe_files_init(struct probe_files *f, pid_t pid, struct probe_budget *b)
{
	f->pid = pid;
	f->dir = -1;
	f->dir_held = false;
	for (int i = 0; i < PROBE_F_COUNT; i++)
		f->fd[i] = -1;
	f->pidfd = -1;
	f->budget = b;
	f->hold_extra = false;
	f->clock_known = false;
}

/* May one more descriptor stay open across samples? */
static bool
probe_files_take(struct probe_files *f, bool essential)
{
	struct probe_budget *b = f->budget;

	if (b == NULL || b->left <= (essential ? 0 : b->reserve))
		return false;
	b->left--;
	return true;
}

static void
probe_files_give(struct probe_files *f)
{
	if (f->budget != NULL)
		f->budget->left++;
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
probe_files_release_pidfd(struct probe_files *f)
{
	if (f->pidfd == -1)
		return;
	close(f->pidfd);
	f->pidfd = -1;
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
	probe_files_release_pidfd(f);
	if (f->dir != -1) {
		close(f->dir);
		f->dir = -1;
		if (f->dir_held)
			probe_files_give(f);
		f->dir_held = false;
	}
}

int
probe_files_dir(struct probe_files *f)
{
	char path[32];

	if (f->dir != -1)
		return f->dir;
	snprintf(path, sizeof path, "/proc/%d", (int)f->pid);
	/*
	 * A process that is gone answers ENOENT here, and ESRCH through
	 * descriptors opened while it lived.  Inside a live process's
	 * directory ENOENT only means a missing file, so only this open maps
	 * it to ESRCH.
	 */
	if ((f->dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? -ESRCH : -errno;
	f->dir_held = probe_files_take(f, true);
	return f->dir;
}

/*
 * All of a file from offset 0.  A /proc file of one record (stat, io,
 * syscall...) comes whole in one read, so a read that returns less than
 * asked for has reached the end and a small file costs one pread(), not a
 * second one to see the end.  A file of many records (a children list)
 * comes a page at a time: it is read until a read returns nothing.
 */
static long
probe_files_pread(int fd, char *buf, size_t size, bool records)
{
	size_t len = 0, want;
	ssize_t n;

	while (len < size - 1) {
		want = size - 1 - len;
		n = pread(fd, buf + len, want, (off_t)len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		len += (size_t)n;
		if (n == 0 || ((size_t)n < want && !records))
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
		/*
		 * The main thread's own counters: /proc/PID/io adds those of
		 * every child the process has reaped, so a shell that ran
		 * head -c 300M would seem to read 300 MB from its pipe.
		 */
		if (which == PROBE_F_CHILDREN || which == PROBE_F_IO)
			snprintf(name, sizeof name, "task/%d/%s",
			    (int)f->pid, which == PROBE_F_IO ? "io" :
			    "children");
		else
			snprintf(name, sizeof name, "%s",
			    probe_file_names[which]);
		fd = openat(dir, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd == -1)
			return -errno;
		/* Files are held only by processes that hold their dir. */
		if (f->dir_held && (which == PROBE_F_STAT ?
		    probe_files_take(f, true) :
		    f->hold_extra && probe_files_take(f, false)))
			f->fd[which] = fd;
	}
	n = probe_files_pread(fd, buf, size, which == PROBE_F_CHILDREN);
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
	if (f->dir_held && probe_files_take(f, false))
		f->pidfd = fd;
	else
		*transient = true;
	return fd;
}

/* Longer command lines are cut (ps and top cut far shorter ones). */
#define PROBE_ARGV_BYTES 32768
#define PROBE_ARGV_MAX 1024

struct probe_proc {
	char text[PROBE_ARGV_BYTES];
	char *argv[PROBE_ARGV_MAX];
};

struct probe_proc *
probe_proc_create(void)
{
	return xcalloc(1, sizeof(struct probe_proc));
}

void
probe_proc_free(struct probe_proc *pp)
{
	free(pp);
}

int
probe_proc_read_stat(struct probe_files *f, struct snap_proc *p,
    struct procparse_stat *st)
{
	char text[1024];
	long n;

	if ((n = probe_files_read(f, PROBE_F_STAT, text, sizeof text)) < 0)
		return (int)n;
	if (procparse_stat(text, st) != 0 || st->pid != p->pid)
		return -EINVAL;
	p->ppid = st->ppid;
	p->pgid = st->pgid;
	p->tpgid = st->tpgid;
	p->state = st->state;
	/* A worker thread's name can run past comm[]; cut it there. */
	memcpy(p->comm, st->comm, sizeof p->comm - 1);
	p->comm[sizeof p->comm - 1] = '\0';
	p->cpu_ticks = st->utime + st->stime;
	p->start_ticks = st->start;
	return 0;
}

int
probe_proc_read_runtime(struct probe_files *f, uint64_t *run_ns)
{
	struct timespec ts;

	/*
	 * The process CPU clock of a pid, as the kernel encodes it (what
	 * clock_getcpuclockid() returns, without its clock_getres() call to
	 * check the pid: the first read checks it).
	 */
	if (!f->clock_known) {
		f->clock = (clockid_t)(~(unsigned)f->pid << 3 | 2);
		f->clock_known = true;
	}
	/* The clock names a pid, not the process: EINVAL once it is reaped. */
	if (clock_gettime(f->clock, &ts) == -1)
		return errno == EINVAL ? -ESRCH : -errno;
	*run_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	return 0;
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
		return -errno;
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

void
probe_proc_read_argv(struct probe_proc *pp, struct probe_files *f,
    struct snap_proc *p)
{
	char **argv = pp->argv;
	long n;
	int dir;

	/*
	 * The text keeps room for the NUL procparse_cmdline() may add.  The
	 * kernel copies a command line page by page within one read, so a
	 * read that returns less than asked for has all of it.
	 */
	if ((dir = probe_files_dir(f)) >= 0 &&
	    (n = util_read_record_at(dir, "cmdline", pp->text,
	    sizeof pp->text - 1)) > 0 &&
	    procparse_cmdline(pp->text, (size_t)n, argv, PROBE_ARGV_MAX) > 0) {
		snapshot_proc_set_argv(p, argv);
		return;
	}
	/* None (a zombie, a kernel thread): keep what an earlier step set. */
	if (p->argv == NULL || p->argv[0] == NULL) {
		char *one[] = { p->comm, NULL };

		snapshot_proc_set_argv(p, one);
	}
}
