/* probe-fd.c - a process's fd table and the syscall it sleeps in. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipeviz/procparse.h"
#include "pipeviz/util.h"
#include "probe-internal.h"

/* The r/w bits of the link itself tell the mode without reading fdinfo. */
static enum snap_fd_mode
probe_fd_mode(int fddir, const char *name)
{
	struct stat st;

	if (fstatat(fddir, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return SNAP_MODE_NONE;
	switch (st.st_mode & (S_IRUSR | S_IWUSR)) {
	case S_IRUSR:
		return SNAP_MODE_R;
	case S_IWUSR:
		return SNAP_MODE_W;
	case S_IRUSR | S_IWUSR:
		return SNAP_MODE_RW;
	}
	return SNAP_MODE_NONE;
}

/*
 * A path and a stat of one and the same object.  An fd can be replaced
 * between a readlink and a stat through the link (a shell's exec 6<file
 * while 6 was a pipe), and a pipe's mode under a file's name would make a
 * FIFO that does not exist.  An O_PATH open pins what the link points to
 * at that moment without opening it for I/O (no FIFO open, no reader
 * added), and its own /proc/self/fd link names the same object.
 */
static int
probe_fd_pinned(int fddir, const char *name, char *link, size_t size,
    struct stat *st)
{
	char self[48];
	ssize_t n;
	int pin;

	if ((pin = openat(fddir, name, O_PATH | O_CLOEXEC)) == -1)
		return -errno;
	snprintf(self, sizeof self, "/proc/self/fd/%d", pin);
	if (fstat(pin, st) == -1 ||
	    (n = readlink(self, link, size - 1)) == -1) {
		close(pin);
		return -ENOENT;
	}
	link[n] = '\0';
	close(pin);
	return 0;
}

/*
 * Add one fd to p.  An fd closed while the table is read is left out;
 * one that could not be looked at because pipeviz has no descriptor to
 * spare fails the whole table (-errno), which would otherwise lack every
 * file, terminal and /dev/null and look complete.
 */
static int
probe_fd_one(int piddir, int fddir, const char *name, struct snap_proc *p)
{
	char link[4096], path[64], info[512];
	struct procparse_fdinfo fi;
	enum snap_fd_kind kind;
	struct snap_fd *f;
	struct stat st;
	uint64_t inode = 0;
	mode_t mode = 0;
	ssize_t n;
	char *end;
	long fd;
	int err;

	fd = strtol(name, &end, 10);
	if (*end != '\0' || fd < 0 || fd > 1 << 30)
		return 0;
	if ((n = readlinkat(fddir, name, link, sizeof link - 1)) == -1)
		return 0; /* closed since readdir: normal */
	link[n] = '\0';
	/* Paths need a stat through the link to tell FIFOs and devices. */
	if (link[0] == '/') {
		err = probe_fd_pinned(fddir, name, link, sizeof link, &st);
		if (err == -EMFILE || err == -ENFILE || err == -ENOMEM)
			return err;
		if (err != 0)
			return 0; /* closed since readlink */
		mode = st.st_mode;
	}
	kind = procparse_fd_kind(link, mode, &inode);
	f = snapshot_proc_add_fd(p, (int)fd, probe_fd_mode(fddir, name), kind,
	    kind == SNAP_FD_PIPE || kind == SNAP_FD_SOCKET ? NULL : link);
	f->inode = inode;
	/* A pipe or socket (it may have become one) is keyed by its text. */
	if (mode != 0 && kind != SNAP_FD_PIPE && kind != SNAP_FD_SOCKET) {
		f->inode = st.st_ino;
		f->dev = st.st_dev;
		if (S_ISREG(st.st_mode))
			f->size = st.st_size;
	}
	if (kind == SNAP_FD_FILE) {
		snprintf(path, sizeof path, "fdinfo/%s", name);
		if (util_read_record_at(piddir, path, info, sizeof info) > 0 &&
		    procparse_fdinfo(info, &fi) == 0)
			f->pos = fi.pos;
	}
	return 0;
}

struct probe_fd_walk {
	int piddir, fddir;
	struct snap_proc *p;
	long listed;
};

static int
probe_fd_each(const char *name, void *arg)
{
	struct probe_fd_walk *w = arg;

	w->listed++;
	return probe_fd_one(w->piddir, w->fddir, name, w->p);
}

int
probe_fd_read(int piddir, struct snap_proc *p, long *listed)
{
	struct probe_fd_walk w = { piddir, -1, p, 0 };
	int err;

	w.fddir = openat(piddir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w.fddir == -1)
		return -errno;
	/* ENOENT: the process went away during the read. */
	err = util_dir_each(w.fddir, probe_fd_each, &w);
	close(w.fddir);
	*listed = w.listed;
	return err;
}

/*
 * Files are the only entries of a known table whose contents move without
 * the table changing: a reader's position, a log's size.  The identity
 * check through the link catches an fd that was closed or replaced.
 */
int
probe_fd_refresh(int piddir, struct snap_proc *p)
{
	char path[48], info[512];
	struct procparse_fdinfo fi;
	struct stat st;

	for (size_t i = 0; i < p->nfds; i++) {
		struct snap_fd *f = &p->fds[i];

		if (f->kind != SNAP_FD_FILE)
			continue;
		snprintf(path, sizeof path, "fd/%d", f->fd);
		if (fstatat(piddir, path, &st, 0) == -1 ||
		    st.st_ino != f->inode || st.st_dev != f->dev)
			return 1;
		if (S_ISREG(st.st_mode))
			f->size = st.st_size;
		snprintf(path, sizeof path, "fdinfo/%d", f->fd);
		if (util_read_record_at(piddir, path, info, sizeof info) > 0 &&
		    procparse_fdinfo(info, &fi) == 0)
			f->pos = fi.pos;
	}
	return 0;
}

long
probe_fd_count(int piddir)
{
	struct stat st;

	/* Before Linux 6.2 the size of fd/ is 0 whatever is open. */
	if (fstatat(piddir, "fd", &st, 0) == -1 || st.st_size <= 0)
		return -1;
	return (long)st.st_size;
}

int
probe_fd_decode_wait(const struct probe_wait_ctx *w, const char *text,
    char state, const char *wchan, long *nr, struct snap_blocked *b)
{
	uint64_t args[6];
	const struct snap_fd *f;
	int fd;

	*nr = -1;
	snapshot_blocked_clear(b);
	/* Only a sleeper waits for something; R has no syscall to show. */
	if ((state != 'S' && state != 'D') ||
	    procparse_syscall(text, nr, args) != 0 || *nr < 0)
		return 0;
	if (probe_wait_multiplexed(*nr)) {
		probe_wait_read(w->pid, w->piddir, *nr, args, w->p, b);
		b->multiplexed = true;
		b->call = *nr;
		snapshot_blocked_reduce(b);
		return 0;
	}
	b->op = procparse_block_op(*nr, args, wchan, &fd);
	if (b->op == SNAP_BLOCK_NONE)
		return 0;
	b->fd = fd;
	if (fd < 0)
		return 0;
	if ((f = snapshot_proc_fd(w->p, fd)) == NULL)
		return !w->p->fds_denied;
	if (f->kind == SNAP_FD_PIPE || f->kind == SNAP_FD_FIFO)
		b->pipe = f->inode;
	else if (f->kind == SNAP_FD_SOCKET)
		b->socket = b->pipe = f->inode;
	return 0;
}

/*
 * Why a stopped process stopped.  Job control stops a background group
 * that touches its terminal (SIGTTIN for a read, SIGTTOU for a write with
 * tostop) while it sits in that very call; kill -CONT would only stop it
 * again, so the advice differs from a stop by SIGSTOP or Ctrl-Z.
 */
static enum snap_stop
probe_fd_stop(const struct snap_proc *p, const char *text)
{
	const struct snap_fd *f;
	uint64_t args[6];
	long nr;
	int fd;
	enum snap_block_op op;

	if (procparse_syscall(text, &nr, args) != 0 || nr < 0 ||
	    p->tpgid <= 0 || p->tpgid == p->pgid)
		return SNAP_STOP_SIGNAL;
	op = procparse_block_op(nr, args, "", &fd);
	if ((op != SNAP_BLOCK_READ && op != SNAP_BLOCK_WRITE) ||
	    (f = snapshot_proc_fd(p, fd)) == NULL || f->kind != SNAP_FD_TTY)
		return SNAP_STOP_SIGNAL;
	return op == SNAP_BLOCK_READ ? SNAP_STOP_TTIN : SNAP_STOP_TTOU;
}

int
probe_fd_read_blocked(struct probe_files *pf, struct snap_proc *p)
{
	struct probe_wait_ctx w = { pf->pid, pf->dir, p };
	char text[256];

	p->stop = SNAP_STOP_NONE;
	if (p->state == 'T') {
		snapshot_blocked_clear(&p->blocked);
		p->syscall = -1;
		if (probe_files_read(pf, PROBE_F_SYSCALL, text, sizeof text) <= 0)
			text[0] = '\0';
		p->stop = probe_fd_stop(p, text);
		return 0;
	}
	if (p->state != 'S' && p->state != 'D') {
		snapshot_blocked_clear(&p->blocked);
		p->syscall = -1;
		return 0;
	}
	if (probe_files_read(pf, PROBE_F_SYSCALL, text, sizeof text) <= 0)
		text[0] = '\0';
	return probe_fd_decode_wait(&w, text, p->state, p->wchan, &p->syscall,
	    &p->blocked);
}

int
probe_fd_reopen(const struct snap_pipe *pp, const struct snap_end *end)
{
	char path[64];
	struct stat st;
	int pinned, fd;

	snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)end->pid, end->fd);
	if ((pinned = open(path, O_PATH | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(pinned, &st) == -1 || !S_ISFIFO(st.st_mode) ||
	    st.st_ino != pp->inode ||
	    (pp->kind == SNAP_FD_FIFO && st.st_dev != pp->dev)) {
		close(pinned);
		return -1;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", pinned);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	close(pinned);
	return fd;
}

void
probe_hold_begin(sigset_t *saved)
{
	sigset_t stops;

	sigemptyset(&stops);
	sigaddset(&stops, SIGTSTP);
	sigaddset(&stops, SIGTTIN);
	sigaddset(&stops, SIGTTOU);
	sigprocmask(SIG_BLOCK, &stops, saved);
}

void
probe_hold_end(const sigset_t *saved)
{
	/* A stop that came meanwhile is delivered here, with the end closed. */
	sigprocmask(SIG_SETMASK, saved, NULL);
}
