/*
 * probe-peek.c - the first bytes waiting in a pipe, read without taking
 * them (--peek).
 *
 * The same observation rules as the fill level (probe_pipe_fd() in
 * probe.c, docs/architecture.md):
 *  - The pipe is reached by a reopen of a *reader's* /proc/PID/fd/N link,
 *    read-only and non-blocking, after pinning the inode with O_PATH and
 *    checking that it is still this pipe.  It adds a reader to a pipe
 *    that has one, so it cannot wake a FIFO writer waiting for a reader
 *    nor spare a writer its SIGPIPE.  Pipes without an observed reader,
 *    and stray pipes, are not touched.
 *  - tee(2) with SPLICE_F_NONBLOCK copies buffer references into a pipe
 *    of our own: nothing leaves the observed pipe, so its fill level and
 *    what its reader gets later are unchanged, and no writer is woken.
 *    It never sleeps: an empty pipe gives EAGAIN.
 *  - Every fd is O_CLOEXEC and all are closed before the next pipe; the
 *    observed pipe's is held only for the tee, with the job-control stops
 *    held off meanwhile (probe_hold_begin()).
 * Never F_SETPIPE_SZ on the observed pipe; only on our own.
 */
#include "pipeviz/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "probe-internal.h"

/* The most a peek holds (--peek=N allows up to this). */
#define PEEK_MAX 4096
/*
 * Our pipe for a retry: tee copies whole kernel buffers, one per slot of
 * the destination, and a default pipe has 16.  Data left in many small
 * buffers (packet-mode or spliced writes) needs more slots.
 */
#define PEEK_WIDE_PIPE (1024 * 1024)

/* Read what tee put in our pipe (it is all there: no waiting). */
static size_t
peek_drain(int fd, char *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, buf + got, n - got);
		if (r > 0)
			got += (size_t)r;
		else if (r == -1 && errno == EINTR)
			continue;
		else
			break;
	}
	return got;
}

static void
peek_pipe(struct snap_pipe *pp, size_t max)
{
	char buf[PEEK_MAX];
	int fd = -1, own[2];
	ssize_t n = -1;
	size_t got = 0;
	sigset_t saved;

	/* Our pipe first: the observed one's end is held only for the tee. */
	if (pipe2(own, O_CLOEXEC | O_NONBLOCK) == -1)
		return;
	probe_hold_begin(&saved);
	for (size_t i = 0; i < pp->nreaders && fd == -1; i++)
		fd = probe_fd_reopen(pp, &pp->readers[i]);
	if (fd != -1) {
		n = tee(fd, own[1], max, SPLICE_F_NONBLOCK);
		if (n > 0 && (size_t)n < max && n < pp->fill &&
		    fcntl(own[1], F_SETPIPE_SZ, PEEK_WIDE_PIPE) != -1) {
			/* Our slots ran out first: again from the start, wider. */
			peek_drain(own[0], buf, (size_t)n);
			n = tee(fd, own[1], max, SPLICE_F_NONBLOCK);
		}
		close(fd);
	}
	probe_hold_end(&saved);
	if (n > 0)
		got = peek_drain(own[0], buf, (size_t)n);
	close(own[0]);
	close(own[1]);
	if (fd != -1)
		snapshot_pipe_set_peek(pp, buf, got);
}

void
probe_read_peek_pipe(struct snap_pipe *pp, size_t max)
{
	if (max > PEEK_MAX)
		max = PEEK_MAX;
	snapshot_pipe_set_peek(pp, NULL, 0);
	if (max == 0 || pp->stray || pp->fill <= 0 || pp->nreaders == 0)
		return;
	peek_pipe(pp, max);
}

void
probe_read_peek(struct snapshot *snap, size_t max)
{
	for (size_t i = 0; i < snap->npipes; i++)
		probe_read_peek_pipe(&snap->pipes[i], max);
}
