/* probe.c - one sample of a process tree: who, which fds, which pipes. */
#include "pipeviz/probe.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pipeviz/procparse.h"
#include "pipeviz/util.h"
#include "probe-internal.h"

/* A runaway fork loop must not take the observer down with it. */
#define PROBE_MAX_PROCS 4096

struct probe {
	struct probe_proc *proc;
};

struct probe *
probe_create(void)
{
	struct probe *pr = xcalloc(1, sizeof *pr);

	pr->proc = probe_proc_create();
	return pr;
}

void
probe_free(struct probe *pr)
{
	if (pr == NULL)
		return;
	probe_proc_free(pr->proc);
	free(pr);
}

static int
probe_open_pid(pid_t pid)
{
	char path[32];

	snprintf(path, sizeof path, "/proc/%d", (int)pid);
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

struct probe_pids {
	pid_t *v;
	size_t n, cap;
	pid_t self;
};

static bool
probe_pids_has(const struct probe_pids *l, pid_t pid)
{
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i] == pid)
			return true;
	}
	return false;
}

static void
probe_pids_add(struct probe_pids *l, pid_t pid)
{
	if (pid == l->self || probe_pids_has(l, pid) || l->n >= PROBE_MAX_PROCS)
		return;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n++] = pid;
}

/* Children are listed per thread that forked them: read every task. */
static void
probe_add_children(pid_t pid, struct probe_pids *l)
{
	char path[320], text[4096];
	pid_t kids[512];
	struct dirent *de;
	DIR *dir;
	int n;

	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	if ((dir = opendir(path)) == NULL)
		return;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/%d/task/%s/children",
		    (int)pid, de->d_name);
		if (util_read_file_at(AT_FDCWD, path, text, sizeof text) <= 0)
			continue;
		n = procparse_pid_list(text, kids, sizeof kids / sizeof kids[0]);
		for (int i = 0; i < n; i++)
			probe_pids_add(l, kids[i]);
	}
	closedir(dir);
}

size_t
probe_sample(struct probe *pr, struct snapshot *snap, const pid_t *roots,
    size_t nroots)
{
	struct probe_pids l = { 0 };
	size_t first = snap->nprocs;

	/* The observer is never part of what it observes. */
	l.self = getpid();
	for (size_t i = 0; i < nroots; i++)
		probe_pids_add(&l, roots[i]);
	/* l grows while walked: breadth-first over descendants. */
	for (size_t i = 0; i < l.n; i++)
		probe_add_children(l.v[i], &l);
	for (size_t i = 0; i < l.n; i++) {
		if (snapshot_find_proc(snap, l.v[i]) == NULL)
			snapshot_add_proc(snap, l.v[i]);
	}
	free(l.v);

	probe_proc_read(pr->proc, snap->procs + first, snap->nprocs - first);
	for (size_t i = first; i < snap->nprocs; i++) {
		struct snap_proc *p = &snap->procs[i];
		int piddir;

		if (p->state == '?' || (piddir = probe_open_pid(p->pid)) == -1) {
			/* Gone between listing and reading: drop it. */
			p->state = '?';
			continue;
		}
		if (probe_fd_read(piddir, p) == -EACCES)
			p->fds_denied = true;
		p->io_known = !p->fds_denied;
		probe_fd_read_blocked(piddir, p);
		close(piddir);
	}
	/* Drop the processes that vanished mid-sample. */
	for (size_t i = snap->nprocs; i-- > first;) {
		if (snap->procs[i].state == '?')
			snapshot_remove_proc(snap, i);
	}

	snapshot_link_pipes(snap);
	probe_read_fill(snap);
	return snap->nprocs - first;
}

int
probe_read_counters(struct probe *pr, struct snap_proc *p)
{
	probe_proc_read(pr->proc, p, 1);
	return p->state == '?' ? -ESRCH : 0;
}

/*
 * An fd on the pipe that cannot change what its processes see.  Reopening
 * through a reader's link adds one more reader to a pipe that has one, so
 * no writer is woken or spared a SIGPIPE; the O_PATH step pins the inode
 * so a link that changed since it was read is not opened blindly.  Without
 * a known reader, a pidfd_getfd() duplicate of a writer's end shares that
 * end, so the counts do not move at all.
 */
static int
probe_pipe_fd(const struct snap_pipe *pp)
{
	char path[64];
	struct stat st;
	int fd, pinned, pidfd;

	if (pp->nreaders > 0) {
		snprintf(path, sizeof path, "/proc/%d/fd/%d",
		    (int)pp->readers[0].pid, pp->readers[0].fd);
		if ((pinned = open(path, O_PATH | O_CLOEXEC)) == -1)
			return -1;
		if (fstat(pinned, &st) == -1 || !S_ISFIFO(st.st_mode) ||
		    st.st_ino != pp->inode) {
			close(pinned);
			return -1;
		}
		snprintf(path, sizeof path, "/proc/self/fd/%d", pinned);
		fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		close(pinned);
		return fd;
	}
	if (pp->nwriters == 0)
		return -1;
	pidfd = (int)syscall(SYS_pidfd_open, pp->writers[0].pid, 0);
	if (pidfd == -1)
		return -1;
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, pp->writers[0].fd, 0);
	close(pidfd);
	if (fd != -1 && (fstat(fd, &st) == -1 || st.st_ino != pp->inode)) {
		close(fd);
		return -1;
	}
	return fd;
}

void
probe_read_fill(struct snapshot *snap)
{
	for (size_t i = 0; i < snap->npipes; i++) {
		struct snap_pipe *pp = &snap->pipes[i];
		int fd, fill, size;

		if (pp->stray || (fd = probe_pipe_fd(pp)) == -1)
			continue;
		if (ioctl(fd, FIONREAD, &fill) == 0)
			pp->fill = fill;
		if ((size = fcntl(fd, F_GETPIPE_SZ)) != -1)
			pp->capacity = size;
		close(fd);
	}
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
