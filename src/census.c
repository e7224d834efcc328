/* census.c - every process and the pipe, FIFO and socket ends it holds. */
#include "pipeviz/census.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipeviz/procparse.h"
#include "pipeviz/util.h"

/*
 * A known process's fds are read again every this many scans (in slices:
 * the pids whose turn it is), so a reopened fd 0 or a new connection shows
 * within ten refreshes while a scan reads a tenth of the fd tables.
 */
#define CENSUS_SLICES 10

struct census {
	struct census_proc *procs;	/* sorted by pid */
	size_t n;
	unsigned long scans;
};

struct census *
census_create(void)
{
	return xcalloc(1, sizeof (struct census));
}

static void
census_clear_list(struct census_proc *procs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(procs[i].ends);
	free(procs);
}

void
census_free(struct census *c)
{
	if (c == NULL)
		return;
	census_clear_list(c->procs, c->n);
	free(c);
}

static void
census_add_end(struct census_proc *p, size_t *cap, enum census_kind kind,
    uint64_t dev, uint64_t ino, int fd)
{
	if (p->nends == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		p->ends = xreallocarray(p->ends, *cap, sizeof *p->ends);
	}
	p->ends[p->nends++] = (struct census_end){ dev, ino, fd, kind };
}

/*
 * The pipes, FIFOs and sockets among p's fds.  A link names a pipe or a
 * socket by its inode; a path is a FIFO only if a stat says so, and is
 * stat'ed only then (most paths are regular files).
 */
static void
census_read_fds(int procfd, struct census_proc *p)
{
	char path[32], link[64];
	size_t cap = 0;
	struct dirent *de;
	struct stat st;
	DIR *dir;
	int dfd;

	p->nends = 0;
	snprintf(path, sizeof path, "%d/fd", (int)p->pid);
	if ((dfd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		p->denied = errno == EACCES || errno == EPERM;
		return;
	}
	if ((dir = fdopendir(dfd)) == NULL) {
		close(dfd);
		return;
	}
	p->denied = false;
	while ((de = readdir(dir)) != NULL) {
		unsigned long long ino;
		char *end;
		long fd = strtol(de->d_name, &end, 10);
		ssize_t len;

		if (de->d_name[0] < '0' || de->d_name[0] > '9' || *end != '\0' ||
		    (len = readlinkat(dfd, de->d_name, link, sizeof link - 1)) <= 0)
			continue;
		link[len] = '\0';
		if (sscanf(link, "pipe:[%llu]", &ino) == 1)
			census_add_end(p, &cap, CENSUS_PIPE, 0, ino, (int)fd);
		else if (sscanf(link, "socket:[%llu]", &ino) == 1)
			census_add_end(p, &cap, CENSUS_SOCKET, 0, ino, (int)fd);
		else if (link[0] == '/' && fstatat(dfd, de->d_name, &st, 0) == 0 &&
		    S_ISFIFO(st.st_mode))
			census_add_end(p, &cap, CENSUS_FIFO, st.st_dev, st.st_ino,
			    (int)fd);
	}
	closedir(dir);
}

/* Identity and kin from /proc/PID/stat, owner from the directory. */
static int
census_read_stat(int procfd, pid_t pid, struct census_proc *p)
{
	struct procparse_stat st;
	char path[32], text[1024];
	struct stat dst;

	snprintf(path, sizeof path, "%d/stat", (int)pid);
	if (util_read_file_at(procfd, path, text, sizeof text) <= 0 ||
	    procparse_stat(text, &st) != 0)
		return -1;
	snprintf(path, sizeof path, "%d", (int)pid);
	if (fstatat(procfd, path, &dst, 0) != 0)
		return -1;
	p->pid = st.pid;
	p->ppid = st.ppid;
	p->pgid = st.pgid;
	p->uid = dst.st_uid;
	p->start_ticks = st.start;
	p->kernel = st.pid <= 2 || st.ppid == 2 || st.pid == 1;
	return 0;
}

/* Whether a known process is read again at this scan: new, or its turn. */
static bool
census_due(const struct census *c, const struct census_proc *known)
{
	return known->reads < 2 ||
	    (unsigned long)known->pid % CENSUS_SLICES == c->scans % CENSUS_SLICES;
}

static int
census_cmp_pid(const void *a, const void *b)
{
	pid_t x = ((const struct census_proc *)a)->pid;
	pid_t y = ((const struct census_proc *)b)->pid;

	return (x > y) - (x < y);
}

size_t
census_scan(struct census *c, const struct census_proc **out)
{
	struct census_proc *all = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *dir;

	c->scans++;
	if ((dir = opendir("/proc")) == NULL) {
		census_clear_list(c->procs, c->n);
		c->procs = NULL;
		c->n = 0;
		*out = NULL;
		return 0;
	}
	while ((de = readdir(dir)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		struct census_proc *known, *p;

		if (de->d_name[0] < '1' || de->d_name[0] > '9' || *end != '\0')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			all = xreallocarray(all, cap, sizeof *all);
		}
		p = &all[n];
		known = (struct census_proc *)census_find(c->procs, c->n,
		    (pid_t)pid);
		if (known != NULL && !census_due(c, known)) {
			/* Taken over: the old list no longer owns its ends. */
			*p = *known;
			known->ends = NULL;
			n++;
			continue;
		}
		memset(p, 0, sizeof *p);
		/* Gone since readdir, or hidden: skip. */
		if (census_read_stat(dirfd(dir), (pid_t)pid, p) != 0)
			continue;
		/* A pid reused since the last read is a new process. */
		if (known != NULL && known->start_ticks == p->start_ticks)
			p->reads = known->reads < 2 ? known->reads + 1 : 2;
		else
			p->reads = 1;
		p->read_at = c->scans;
		if (!p->kernel)
			census_read_fds(dirfd(dir), p);
		n++;
	}
	closedir(dir);
	census_clear_list(c->procs, c->n);
	/* readdir of /proc gives pids in order; a sort keeps it certain. */
	for (size_t i = 1; i < n; i++) {
		if (all[i - 1].pid > all[i].pid) {
			qsort(all, n, sizeof *all, census_cmp_pid);
			break;
		}
	}
	c->procs = all;
	c->n = n;
	*out = all;
	return n;
}
