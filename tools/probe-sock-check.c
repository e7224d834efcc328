/*
 * probe-sock-check.c - a manual check of probe_sock_read() on live
 * processes: probe-sock-check PID...  Reads the pids' fd tables, resolves
 * their sockets and prints one line per socket fd, to compare with
 * `ss -xp` / `ss -tnp`.  tools/probe-sock-check.sh drives it.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipeviz/procparse.h"
#include "pipeviz/snapshot.h"
#include "probe-sock.h"

static void
read_fds(struct snap_proc *p)
{
	char dir[64], path[PATH_MAX], link[256];
	struct dirent *d;
	uint64_t inode;
	enum snap_fd_kind kind;
	struct snap_fd *f;
	ssize_t n;
	DIR *dp;

	snprintf(dir, sizeof dir, "/proc/%d/fd", (int)p->pid);
	if ((dp = opendir(dir)) == NULL) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return;
	}
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, d->d_name);
		if ((n = readlink(path, link, sizeof link - 1)) < 0)
			continue;
		link[n] = '\0';
		inode = 0;
		kind = procparse_fd_kind(link, 0, &inode);
		if (kind != SNAP_FD_SOCKET)
			continue;
		f = snapshot_proc_add_fd(p, atoi(d->d_name), SNAP_MODE_RW,
		    kind, NULL);
		f->inode = inode;
	}
	closedir(dp);
}

int
main(int argc, char **argv)
{
	struct snapshot *s = snapshot_create(0);
	struct probe_sock *ps = probe_sock_create();
	const struct snap_socket *k;
	int rc;

	for (int i = 1; i < argc; i++)
		read_fds(snapshot_add_proc(s, atoi(argv[i])));
	rc = probe_sock_read(ps, s);
	printf("rc %d (%s), %zu sockets\n", rc, rc ? strerror(-rc) : "ok",
	    s->nsockets);
	for (size_t i = 0; i < s->nprocs; i++) {
		for (size_t j = 0; j < s->procs[i].nfds; j++) {
			k = snapshot_find_socket(s, s->procs[i].fds[j].inode);
			printf("pid %d fd %d inode %llu %s%s peer %llu "
			    "local %s remote %s rq %lld wq %lld\n",
			    (int)s->procs[i].pid, s->procs[i].fds[j].fd,
			    (unsigned long long)k->inode,
			    snapshot_sock_type_name(k->type),
			    k->listening ? " listening" : "",
			    (unsigned long long)k->peer,
			    k->local ? k->local : "-",
			    k->remote ? k->remote : "-",
			    (long long)k->rqueue, (long long)k->wqueue);
		}
	}
	probe_sock_free(ps);
	snapshot_free(s);
	return rc == 0 ? 0 : 1;
}
