/* discover.c - the processes joined to one process by pipes and kinship. */
#include "pipeviz/discover.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pipeviz/procparse.h"
#include "pipeviz/snapshot.h"
#include "pipeviz/util.h"

/* Enough to stop a runaway closure; a pipeline is rarely bigger. */
#define DISCOVER_MAX 4096
/* Rounds of the meeting-point pass, and keys it follows at most. */
#define DISCOVER_MEET_ROUNDS 8
#define DISCOVER_MEET_KEYS 256

struct discover_proc {
	struct {
		pid_t pid, ppid, pgid;
	} id;
	struct discover_pipe {
		uint64_t dev, ino;	/* 0, 0: not a pipe or FIFO */
	} in, out;			/* fd 0 and fd 1 */
	bool kernel;	/* init or a kernel thread: never part of a pipeline */
	unsigned char reads; /* scans that read it, up to 2 */
	bool member;
	bool excluded;	/* kernel, or pipeviz and its ancestors */
	/*
	 * Its fd count when its fd table last showed no meeting point (no
	 * FIFO, no socket on fd 0 or 1), or -1: a member whose count is
	 * still that is not read again for them until the next full rescan.
	 */
	long plain_nfd;
};

/* What the last scan read of each process, by pid (discover.h). */
struct discover {
	struct discover_proc *known;	/* sorted by pid */
	size_t nknown;
	bool reread;	/* the next scan reads every process again */
	discover_peers_fn peers;
	void *peers_arg;
	discover_table_fn tables;
	void *tables_arg;
};

/* The processes, and indices into them sorted four ways for lookups. */
struct discover_scan {
	struct discover_proc *all; /* n, and one more for a lookup's key */
	size_t n;
	size_t *by_pid, *by_ppid, *by_in, *by_out;
};

typedef int (*discover_cmp)(const void *, const void *, void *);

static int
discover_cmp_pid(const void *a, const void *b, void *all)
{
	pid_t x = ((struct discover_proc *)all)[*(const size_t *)a].id.pid;
	pid_t y = ((struct discover_proc *)all)[*(const size_t *)b].id.pid;

	return (x > y) - (x < y);
}

static int
discover_cmp_ppid(const void *a, const void *b, void *all)
{
	pid_t x = ((struct discover_proc *)all)[*(const size_t *)a].id.ppid;
	pid_t y = ((struct discover_proc *)all)[*(const size_t *)b].id.ppid;

	return (x > y) - (x < y);
}

static int
discover_pipe_cmp(const struct discover_pipe *x, const struct discover_pipe *y)
{
	if (x->dev != y->dev)
		return (x->dev > y->dev) - (x->dev < y->dev);
	return (x->ino > y->ino) - (x->ino < y->ino);
}

static int
discover_cmp_in(const void *a, const void *b, void *all)
{
	return discover_pipe_cmp(
	    &((struct discover_proc *)all)[*(const size_t *)a].in,
	    &((struct discover_proc *)all)[*(const size_t *)b].in);
}

static int
discover_cmp_out(const void *a, const void *b, void *all)
{
	return discover_pipe_cmp(
	    &((struct discover_proc *)all)[*(const size_t *)a].out,
	    &((struct discover_proc *)all)[*(const size_t *)b].out);
}

static size_t *
discover_sorted(const struct discover_scan *d, discover_cmp cmp)
{
	size_t *ix = xcalloc(d->n, sizeof *ix);

	for (size_t i = 0; i < d->n; i++)
		ix[i] = i;
	qsort_r(ix, d->n, sizeof *ix, cmp, d->all);
	return ix;
}

/*
 * Call join for each process that cmp finds equal to key, looked up in
 * ix (sorted by cmp).  The key goes in the spare slot all[n].
 */
static void
discover_each(struct discover_scan *d, const size_t *ix, discover_cmp cmp,
    const struct discover_proc *key,
    void (*join)(struct discover_scan *, size_t, void *), void *arg)
{
	size_t lo = 0, hi = d->n, spare = d->n;

	d->all[d->n] = *key;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp(&ix[mid], &spare, d->all) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < d->n && cmp(&ix[lo], &spare, d->all) == 0; lo++)
		join(d, ix[lo], arg);
}

static void
discover_found(struct discover_scan *d, size_t i, void *arg)
{
	(void)d;
	*(size_t *)arg = i;
}

/* The process with this pid, or NULL. */
static struct discover_proc *
discover_find(struct discover_scan *d, pid_t pid)
{
	struct discover_proc key = { .id.pid = pid };
	size_t i = d->n;

	discover_each(d, d->by_pid, discover_cmp_pid, &key, discover_found, &i);
	return i < d->n ? &d->all[i] : NULL;
}

/*
 * pipeviz and the shells it runs under are the observer's side: a pipe
 * they share with the pipeline (a script's stdout) must not pull them in,
 * or the view would include the observer itself.
 */
static void
discover_exclude_ancestors(struct discover_scan *d, pid_t self)
{
	struct discover_proc *p;
	pid_t pid = self;

	for (int depth = 0; pid > 0 && depth < 256; depth++) {
		if ((p = discover_find(d, pid)) == NULL)
			break;
		p->excluded = true;
		pid = p->id.ppid;
	}
}

/*
 * What fds 0 and 1 are, by one stat through the /proc link each: a pipe
 * and a FIFO are both S_IFIFO, and (dev, inode) names either.
 */
static void
discover_std_pipes(int procfd, struct discover_proc *p)
{
	char path[48];
	struct stat st;

	for (int fd = 0; fd < 2; fd++) {
		struct discover_pipe *end = fd == 0 ? &p->in : &p->out;

		snprintf(path, sizeof path, "%d/fd/%d", (int)p->id.pid, fd);
		if (fstatat(procfd, path, &st, 0) == 0 && S_ISFIFO(st.st_mode)) {
			end->dev = st.st_dev;
			end->ino = st.st_ino;
		}
	}
}

/* The members found so far, in the order they joined. */
struct discover_queue {
	size_t *at;
	size_t n;
};

/* Join process i to the pipeline, to pull in its neighbours in turn. */
static void
discover_join(struct discover_scan *d, size_t i, void *arg)
{
	struct discover_queue *q = arg;
	struct discover_proc *p = &d->all[i];

	if (p->member || p->excluded || q->n >= DISCOVER_MAX)
		return;
	p->member = true;
	q->at[q->n++] = i;
}

/*
 * Breadth first from the members: their children, and those that read
 * on fd 0 what a member writes on fd 1 or write on fd 1 what it reads on
 * fd 0.  Each process joins once; each lookup is a binary search.
 */
static void
discover_closure(struct discover_scan *d, struct discover_queue *q)
{
	for (size_t k = 0; k < q->n; k++) {
		const struct discover_proc *m = &d->all[q->at[k]];
		struct discover_proc key = {
			.id.ppid = m->id.pid, .in = m->out, .out = m->in,
		};

		discover_each(d, d->by_ppid, discover_cmp_ppid, &key,
		    discover_join, q);
		if (key.in.ino != 0)
			discover_each(d, d->by_in, discover_cmp_in, &key,
			    discover_join, q);
		if (key.out.ino != 0)
			discover_each(d, d->by_out, discover_cmp_out, &key,
			    discover_join, q);
	}
}

/*
 * FIFOs and sockets are meeting points: a FIFO joins whoever opened it,
 * on any fd (cat FIFO opens it as fd 3), and a socket on a member's fd 0
 * or 1 joins the holders of its peer.  Neither shows in fds 0 and 1
 * alone, so when a member holds one, every other process's fd table is
 * read for it: a cost paid only by pipelines that use them.
 */
struct discover_meet {
	struct discover_fifo {
		dev_t dev;
		ino_t ino;
		char path[256];
	} fifo[DISCOVER_MEET_KEYS];
	size_t nfifo;
	uint64_t sock[DISCOVER_MEET_KEYS];
	size_t nsock;
	bool saw; /* the table being read holds a key, new or not */
};

static bool
discover_meet_has_sock(const struct discover_meet *k, uint64_t ino)
{
	for (size_t i = 0; i < k->nsock; i++) {
		if (k->sock[i] == ino)
			return true;
	}
	return false;
}

typedef bool (*discover_fd_fn)(int procfd, pid_t, const char *fd,
    const char *link, void *);

struct discover_fd_walk {
	int procfd, dfd;
	pid_t pid;
	discover_fd_fn fn;
	void *arg;
};

static int
discover_fd_link(const char *name, void *arg)
{
	struct discover_fd_walk *w = arg;
	char link[256];
	ssize_t n;

	if (name[0] < '0' || name[0] > '9' ||
	    (n = readlinkat(w->dfd, name, link, sizeof link - 1)) <= 0)
		return 0;
	link[n] = '\0';
	return w->fn(w->procfd, w->pid, name, link, w->arg);
}

/* Each fd link of pid: its number, its text.  false when unreadable. */
static bool
discover_each_fd(int procfd, pid_t pid, discover_fd_fn fn, void *arg)
{
	struct discover_fd_walk w = { procfd, -1, pid, fn, arg };
	char path[48];

	snprintf(path, sizeof path, "%d/fd", (int)pid);
	if ((w.dfd = openat(procfd, path, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		return false;
	(void)util_dir_each(w.dfd, discover_fd_link, &w);
	close(w.dfd);
	return true;
}

static bool
discover_link_socket(const char *link, uint64_t *ino)
{
	unsigned long long v;

	if (sscanf(link, "socket:[%llu]", &v) != 1)
		return false;
	*ino = v;
	return true;
}

/* A member's keys: its FIFOs on any fd, its sockets on fds 0 and 1. */
static bool
discover_meet_collect(int procfd, pid_t pid, const char *fd, const char *link,
    void *arg)
{
	struct discover_meet *k = arg;
	char path[64];
	struct stat st;
	uint64_t ino;

	if (link[0] == '/') {
		if ((size_t)snprintf(path, sizeof path, "%d/fd/%s", (int)pid,
		    fd) >= sizeof path || fstatat(procfd, path, &st, 0) != 0 ||
		    !S_ISFIFO(st.st_mode))
			return false;
		k->saw = true;
		if (k->nfifo == DISCOVER_MEET_KEYS)
			return false;
		for (size_t i = 0; i < k->nfifo; i++) {
			if (k->fifo[i].dev == st.st_dev &&
			    k->fifo[i].ino == st.st_ino)
				return false;
		}
		k->fifo[k->nfifo].dev = st.st_dev;
		k->fifo[k->nfifo].ino = st.st_ino;
		snprintf(k->fifo[k->nfifo].path, sizeof k->fifo[0].path, "%s",
		    link);
		k->nfifo++;
	} else if ((strcmp(fd, "0") == 0 || strcmp(fd, "1") == 0) &&
	    discover_link_socket(link, &ino)) {
		k->saw = true;
		if (k->nsock < DISCOVER_MEET_KEYS &&
		    !discover_meet_has_sock(k, ino))
			k->sock[k->nsock++] = ino;
	}
	return false;
}

/* A member's keys from its table as the probe read it (snapshot.h). */
static void
discover_meet_collect_table(const struct snap_proc *t, struct discover_meet *k)
{
	for (size_t i = 0; i < t->nfds; i++) {
		const struct snap_fd *f = &t->fds[i];

		if (f->kind == SNAP_FD_FIFO && f->path != NULL) {
			bool known = false;

			k->saw = true;
			for (size_t j = 0; j < k->nfifo && !known; j++)
				known = k->fifo[j].dev == f->dev &&
				    k->fifo[j].ino == f->inode;
			if (known || k->nfifo == DISCOVER_MEET_KEYS)
				continue;
			k->fifo[k->nfifo].dev = (dev_t)f->dev;
			k->fifo[k->nfifo].ino = (ino_t)f->inode;
			snprintf(k->fifo[k->nfifo].path,
			    sizeof k->fifo[0].path, "%s", f->path);
			k->nfifo++;
		} else if (f->kind == SNAP_FD_SOCKET && (f->fd == 0 ||
		    f->fd == 1)) {
			k->saw = true;
			if (k->nsock < DISCOVER_MEET_KEYS &&
			    !discover_meet_has_sock(k, f->inode))
				k->sock[k->nsock++] = f->inode;
		}
	}
}

struct discover_meet_probe {
	const struct discover_meet *keys;
	bool hit;
};

/* Whether another process holds one of the keys, on any fd. */
static bool
discover_meet_match(int procfd, pid_t pid, const char *fd, const char *link,
    void *arg)
{
	struct discover_meet_probe *mp = arg;
	const struct discover_meet *k = mp->keys;
	char path[64];
	struct stat st;
	uint64_t ino;

	if (discover_link_socket(link, &ino))
		return mp->hit = discover_meet_has_sock(k, ino);
	for (size_t i = 0; i < k->nfifo; i++) {
		/* The same text first: a stat for every file would be dear. */
		if (strcmp(k->fifo[i].path, link) != 0)
			continue;
		if ((size_t)snprintf(path, sizeof path, "%d/fd/%s", (int)pid,
		    fd) < sizeof path && fstatat(procfd, path, &st, 0) == 0 &&
		    st.st_dev == k->fifo[i].dev && st.st_ino == k->fifo[i].ino)
			return mp->hit = true;
	}
	return false;
}

static struct discover_proc *discover_known(const struct discover *, pid_t);

/*
 * The keys member m holds, into k.  A member known to hold none at its
 * current fd count is not read again (each second while processes are
 * being created, 64 members cost 770 system calls otherwise); what it
 * learns is kept in the cache for the next scan.
 */
static void
discover_member_keys(struct discover *cache, int procfd,
    struct discover_proc *m, struct discover_meet *k)
{
	struct discover_proc *known = discover_known(cache, m->id.pid);
	const struct snap_proc *t;
	char path[32];
	struct stat st;
	long nfd = -1;

	snprintf(path, sizeof path, "%d/fd", (int)m->id.pid);
	/* Before Linux 6.2 the size of fd/ is 0 whatever is open. */
	if (fstatat(procfd, path, &st, 0) == 0 && st.st_size > 0)
		nfd = (long)st.st_size;
	if (nfd >= 0 && m->plain_nfd == nfd)
		return;
	k->saw = false;
	if (cache != NULL && cache->tables != NULL &&
	    (t = cache->tables(m->id.pid, cache->tables_arg)) != NULL)
		discover_meet_collect_table(t, k);
	else if (!discover_each_fd(procfd, m->id.pid, discover_meet_collect,
	    k))
		return;
	m->plain_nfd = k->saw ? -1 : nfd;
	if (known != NULL)
		known->plain_nfd = m->plain_nfd;
}

static void
discover_meeting_points(struct discover *cache, struct discover_scan *d,
    struct discover_queue *q, discover_peers_fn peers, void *peers_arg)
{
	struct discover_meet *k = xcalloc(1, sizeof *k);
	int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	for (int round = 0; procfd != -1 && round < DISCOVER_MEET_ROUNDS;
	    round++) {
		struct discover_meet_probe mp = { k, false };
		size_t before = q->n, nsock;

		k->nfifo = k->nsock = 0;
		for (size_t i = 0; i < q->n; i++)
			discover_member_keys(cache, procfd, &d->all[q->at[i]], k);
		if (k->nfifo == 0 && k->nsock == 0)
			break;
		/* A socket's holders are found by its peer's inode. */
		nsock = k->nsock;
		if (peers != NULL && nsock > 0)
			k->nsock += peers(k->sock, nsock, k->sock + nsock,
			    DISCOVER_MEET_KEYS - nsock, peers_arg);
		for (size_t i = 0; i < d->n; i++) {
			struct discover_proc *p = &d->all[i];

			if (p->member || p->excluded || q->n >= DISCOVER_MAX)
				continue;
			mp.hit = false;
			discover_each_fd(procfd, p->id.pid, discover_meet_match,
			    &mp);
			if (mp.hit)
				discover_join(d, i, q);
		}
		discover_closure(d, q);
		if (q->n == before)
			break;
	}
	if (procfd != -1)
		close(procfd);
	free(k);
}

struct discover *
discover_create(void)
{
	return xcalloc(1, sizeof (struct discover));
}

void
discover_set_peers(struct discover *cache, discover_peers_fn fn, void *arg)
{
	cache->peers = fn;
	cache->peers_arg = arg;
}

void
discover_set_tables(struct discover *cache, discover_table_fn fn, void *arg)
{
	cache->tables = fn;
	cache->tables_arg = arg;
}

void
discover_forget(struct discover *cache)
{
	cache->reread = true;
}

void
discover_free(struct discover *cache)
{
	if (cache == NULL)
		return;
	free(cache->known);
	free(cache);
}

static struct discover_proc *
discover_known(const struct discover *cache, pid_t pid)
{
	size_t lo = 0, hi = cache != NULL ? cache->nknown : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cache->known[mid].id.pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (cache != NULL && lo < cache->nknown && cache->known[lo].id.pid == pid)
		return &cache->known[lo];
	return NULL;
}

static int
discover_by_pid(const void *a, const void *b)
{
	pid_t x = ((const struct discover_proc *)a)->id.pid;
	pid_t y = ((const struct discover_proc *)b)->id.pid;

	return (x > y) - (x < y);
}

/*
 * PIDFD_GET_INFO (Linux 6.13): a process's parent through a pidfd, with
 * no /proc file.  Defined here as the kernel's uapi has it (the distro's
 * headers may be older); the kernel copies as much as the size in the
 * request asks for, 64 bytes being its first version.
 */
struct discover_pidfd_info {
	uint64_t mask, cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid;
	uint32_t fsgid, spare0;
};
#define DISCOVER_PIDFD_GET_INFO _IOWR(0xFF, 11, struct discover_pidfd_info)

/* Whether PIDFD_GET_INFO may work; false after ENOSYS, ENOTTY, EINVAL. */
static bool discover_pidfd_works = true;

/*
 * pid's parent and process group without reading its stat: that file
 * costs 12-13 us on the test machine (the kernel works out every field
 * of it), a pidfd's info and getpgid() 6 us, and a scan asks it of every
 * process on the machine.  -1 when the kernel cannot say (before 6.13;
 * kthreadd and a process whose parent is outside our pid namespace,
 * which the kernel answers with ESRCH): the caller reads stat.
 */
static int
discover_ids_pidfd(pid_t pid, struct discover_proc *p)
{
	struct discover_pidfd_info info = { .mask = 1 }; /* PIDFD_INFO_PID */
	pid_t pgid;
	int fd, rc;

	if (!discover_pidfd_works)
		return -1;
	/* pidfd_open() always sets O_CLOEXEC. */
	if ((fd = (int)syscall(SYS_pidfd_open, pid, 0)) == -1) {
		if (errno == ENOSYS)
			discover_pidfd_works = false;
		return -1;
	}
	rc = ioctl(fd, DISCOVER_PIDFD_GET_INFO, &info);
	if (rc == -1 && (errno == ENOTTY || errno == EINVAL))
		discover_pidfd_works = false;
	close(fd);
	if (rc == -1 || (pid_t)info.pid != pid ||
	    (pgid = getpgid(pid)) == -1)
		return -1;
	p->id.pid = pid;
	p->id.ppid = (pid_t)info.ppid;
	p->id.pgid = pgid;
	return 0;
}

/* A process as its ids and fds 0 and 1 show it; -1 if gone. */
static int
discover_read(int procfd, pid_t pid, struct discover_proc *p)
{
	struct procparse_stat st;
	char path[32], text[1024];

	memset(p, 0, sizeof *p);
	p->plain_nfd = -1;
	if (discover_ids_pidfd(pid, p) != 0) {
		snprintf(path, sizeof path, "%d/stat", (int)pid);
		if (util_read_record_at(procfd, path, text, sizeof text) <= 0 ||
		    procparse_stat(text, &st) != 0)
			return -1;
		p->id.pid = st.pid;
		p->id.ppid = st.ppid;
		p->id.pgid = st.pgid;
	}
	p->kernel = p->id.pid <= 2 || p->id.ppid == 2;
	if (!p->kernel)
		discover_std_pipes(procfd, p);
	return 0;
}

/*
 * Every process on the system, with one more slot at the end for the
 * lookups' key.  A pid the cache knows is taken from it; the others are
 * read, and the cache then holds this list.
 */
static size_t
discover_list(struct discover *cache, struct discover_proc **out)
{
	struct discover_proc *all = NULL;
	const struct discover_proc *known;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *dir;

	if ((dir = opendir("/proc")) == NULL) {
		*out = xcalloc(1, sizeof **out);
		return 0;
	}
	while ((de = readdir(dir)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (de->d_name[0] < '1' || de->d_name[0] > '9' || *end != '\0')
			continue;
		if (n + 1 >= cap) {
			cap = cap ? cap * 2 : 256;
			all = xreallocarray(all, cap, sizeof *all);
		}
		/*
		 * A process is read at two scans before it is taken as known:
		 * at the first it may not have set up its fds yet (the shell
		 * redirects between fork and exec).
		 */
		known = discover_known(cache, (pid_t)pid);
		if (known != NULL && known->reads >= 2 && !cache->reread)
			all[n] = *known;
		/* Gone since readdir, or a kernel that hides it: skip. */
		else if (discover_read(dirfd(dir), (pid_t)pid, &all[n]) != 0)
			continue;
		else
			all[n].reads = known != NULL ? 2 : 1;
		all[n].member = false;
		all[n].excluded = all[n].kernel;
		n++;
	}
	closedir(dir);
	if (all == NULL)
		all = xcalloc(1, sizeof *all);
	if (cache != NULL) {
		free(cache->known);
		cache->reread = false;
		cache->known = xreallocarray(NULL, n + 1, sizeof *all);
		memcpy(cache->known, all, n * sizeof *all);
		cache->nknown = n;
		qsort(cache->known, n, sizeof *all, discover_by_pid);
	}
	*out = all;
	return n;
}

size_t
discover_pipeline(struct discover *cache, pid_t pid, pid_t self, pid_t **out)
{
	struct discover_scan d = { 0 };
	struct discover_queue q = { 0 };
	struct discover_proc *target;
	pid_t own_pgid = getpgrp();
	size_t nmember;

	*out = xcalloc(1, sizeof **out);
	(*out)[0] = pid;
	d.n = discover_list(cache, &d.all);
	if (d.n == 0) {
		free(d.all);
		return 1;
	}
	d.by_pid = discover_sorted(&d, discover_cmp_pid);
	d.by_ppid = discover_sorted(&d, discover_cmp_ppid);
	d.by_in = discover_sorted(&d, discover_cmp_in);
	d.by_out = discover_sorted(&d, discover_cmp_out);
	target = discover_find(&d, pid);
	/* Not init or a kernel thread, before pipeviz's ancestors are marked. */
	if (target != NULL && target->excluded)
		target = NULL;
	discover_exclude_ancestors(&d, self);

	q.at = xcalloc(d.n, sizeof *q.at);
	if (target != NULL) {
		pid_t pgid = target->id.pgid;

		/* The target itself joins even if pipeviz runs under it. */
		target->member = true;
		q.at[q.n++] = (size_t)(target - d.all);
		/* Its process group, unless that is pipeviz's own. */
		for (size_t i = 0; pgid > 1 && pgid != own_pgid && i < d.n; i++) {
			if (d.all[i].id.pgid == pgid)
				discover_join(&d, i, &q);
		}
		discover_closure(&d, &q);
		discover_meeting_points(cache, &d, &q, cache != NULL ?
		    cache->peers : NULL, cache != NULL ? cache->peers_arg : NULL);
	}
	free(q.at);

	*out = xreallocarray(*out, d.n + 1, sizeof **out);
	nmember = 1;
	for (size_t i = 0; i < d.n; i++) {
		if (d.all[i].member && d.all[i].id.pid != pid)
			(*out)[nmember++] = d.all[i].id.pid;
	}
	free(d.all);
	free(d.by_pid);
	free(d.by_ppid);
	free(d.by_in);
	free(d.by_out);
	return nmember;
}

long
discover_last_pid(void)
{
	char text[128];
	long last;

	/* "0.20 0.18 0.12 1/80 11206": the fifth field. */
	if (util_read_record_at(AT_FDCWD, "/proc/loadavg", text, sizeof text) <= 0 ||
	    sscanf(text, "%*s %*s %*s %*s %ld", &last) != 1)
		return -1;
	return last;
}
