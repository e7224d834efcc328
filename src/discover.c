/* discover.c - the processes joined to one process by pipes and kinship. */
#include "pipeviz/discover.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipeviz/procparse.h"
#include "pipeviz/util.h"
#include "probe-internal.h"

/* Enough to stop a runaway closure; a pipeline is rarely bigger. */
#define DISCOVER_MAX 4096

struct discover_proc {
	struct probe_proc_ids id;
	uint64_t in, out; /* pipe or FIFO inode on fd 0 and on fd 1, or 0 */
	bool member;
	bool excluded; /* pipeviz, its ancestors, init and kernel threads */
};

/*
 * pipeviz and the shells it runs under are the observer's side: a pipe
 * they share with the pipeline (a script's stdout) must not pull them in,
 * or the view would include the observer itself.
 */
static void
discover_exclude_ancestors(struct discover_proc *all, size_t n, pid_t self)
{
	pid_t pid = self;

	for (int depth = 0; pid > 0 && depth < 256; depth++) {
		pid_t next = 0;

		for (size_t i = 0; i < n; i++) {
			if (all[i].id.pid == pid) {
				all[i].excluded = true;
				next = all[i].id.ppid;
				break;
			}
		}
		pid = next;
	}
}

static void
discover_std_pipes(struct discover_proc *d)
{
	char path[64], link[256];
	struct stat st;
	ssize_t n;

	for (int fd = 0; fd < 2; fd++) {
		mode_t mode = 0;
		uint64_t ino = 0;

		snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)d->id.pid, fd);
		if ((n = readlink(path, link, sizeof link - 1)) == -1)
			continue;
		link[n] = '\0';
		if (link[0] == '/' && stat(path, &st) == 0) {
			mode = st.st_mode;
			ino = st.st_ino;
		}
		switch (procparse_fd_kind(link, mode, &ino)) {
		case SNAP_FD_PIPE:
		case SNAP_FD_FIFO:
			*(fd == 0 ? &d->in : &d->out) = ino;
			break;
		default:
			break;
		}
	}
}

/*
 * One writes on fd 1 what the other reads on fd 0: the data path of a
 * pipeline.  Processes that merely share a log pipe on fd 1 or 2 (every
 * child of a CI job does) are not joined by it.
 */
static bool
discover_shares_pipe(const struct discover_proc *a, const struct discover_proc *b)
{
	return (a->out != 0 && a->out == b->in) || (a->in != 0 && a->in == b->out);
}

size_t
discover_pipeline(pid_t pid, pid_t self, pid_t **out)
{
	struct probe_proc_ids *ids;
	struct discover_proc *all;
	size_t n = probe_proc_list_all(&ids), nmember = 0;
	pid_t pgid = 0, own_pgid = getpgrp();
	bool changed;

	*out = xcalloc(1, sizeof **out);
	(*out)[0] = pid;
	if (n == 0)
		return 1;
	all = xcalloc(n, sizeof *all);
	for (size_t i = 0; i < n; i++) {
		all[i].id = ids[i];
		if (ids[i].pid <= 2 || ids[i].ppid == 2) {
			all[i].excluded = true; /* init and kernel threads */
			continue;
		}
		discover_std_pipes(&all[i]);
		if (ids[i].pid == pid) {
			all[i].member = true;
			pgid = ids[i].pgid;
		}
	}
	free(ids);
	discover_exclude_ancestors(all, n, self);
	/* Grow the set until nothing more joins it. */
	do {
		changed = false;
		for (size_t i = 0; i < n; i++) {
			struct discover_proc *d = &all[i];
			bool join = false;

			if (d->member || d->excluded)
				continue;
			if (pgid > 1 && pgid != own_pgid && d->id.pgid == pgid)
				join = true;
			for (size_t j = 0; j < n && !join; j++) {
				if (!all[j].member)
					continue;
				if (d->id.ppid == all[j].id.pid ||
				    discover_shares_pipe(d, &all[j]))
					join = true;
			}
			if (join) {
				d->member = changed = true;
				nmember++;
			}
		}
	} while (changed && nmember < DISCOVER_MAX);
	*out = xreallocarray(*out, nmember + 1, sizeof **out);
	nmember = 1;
	for (size_t i = 0; i < n; i++) {
		if (all[i].member && all[i].id.pid != pid)
			(*out)[nmember++] = all[i].id.pid;
	}
	free(all);
	return nmember;
}
