/* trace.c - write the JSON Lines trace (jsonw.h says why not jansson). */
#include "pipeviz/trace.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "pipeviz/explain.h"
#include "pipeviz/jsonw.h"
#include "pipeviz/procparse.h"
#include "pipeviz/summary.h"
#include "pipeviz/util.h"
#include "trace-memo.h"

const char *
trace_signal_name(int sig)
{
	static char buf[16];
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev == NULL) {
		snprintf(buf, sizeof buf, "SIG%d", sig);
		return buf;
	}
	snprintf(buf, sizeof buf, "SIG%s", abbrev);
	return buf;
}

static void
trace_exit_status(struct jsonw *w, const char *key, const struct snap_exit *e)
{
	jsonw_object_begin(w, key);
	if (e->signal != 0) {
		jsonw_int(w, "signal", e->signal);
		jsonw_string(w, "name", trace_signal_name(e->signal));
	} else
		jsonw_int(w, "code", e->code);
	jsonw_object_end(w);
}

/* An integer that the snapshot marks unknown with a sentinel. */
static void
trace_int_or_null(struct jsonw *w, const char *key, long long v, int known)
{
	if (known)
		jsonw_int(w, key, v);
	else
		jsonw_null(w, key);
}

static void
trace_fd(struct jsonw *w, const struct snap_fd *f)
{
	jsonw_object_begin(w, NULL);
	jsonw_int(w, "fd", f->fd);
	jsonw_string(w, "mode", snapshot_mode_name(f->mode));
	jsonw_string(w, "kind", snapshot_kind_name(f->kind));
	trace_int_or_null(w, "inode", (long long)f->inode, f->inode != 0);
	jsonw_string(w, "path", f->path);
	trace_int_or_null(w, "pos", f->pos, f->pos >= 0);
	trace_int_or_null(w, "size", f->size, f->size >= 0);
	if (f->kind == SNAP_FD_SOCKET && f->inode != 0)
		jsonw_int(w, "socket", (long long)f->inode);
	jsonw_object_end(w);
}

static const char *
trace_wait_dir(const struct snap_wait_fd *wf)
{
	return wf->in && wf->out ? "both" : wf->out ? "write" : wf->in ?
	    "read" : "none";
}

/* A wait as the trace records it: the one of a process or a thread. */
static void
trace_blocked(struct jsonw *w, const char *key, const struct snap_blocked *b)
{
	const char *call;

	if (b->op == SNAP_BLOCK_NONE && !b->multiplexed) {
		jsonw_null(w, key);
		return;
	}
	jsonw_object_begin(w, key);
	/* A multiplexed wait is "poll" whatever it reduces to (json-format). */
	jsonw_string(w, "op", b->multiplexed ? "poll" :
	    snapshot_op_name(b->op));
	trace_int_or_null(w, "fd", b->fd, b->fd >= 0);
	trace_int_or_null(w, "pipe", (long long)b->pipe,
	    b->pipe != 0 && b->socket == 0);
	if (b->socket != 0)
		jsonw_int(w, "socket", (long long)b->socket);
	if (b->tid != 0)
		jsonw_int(w, "tid", b->tid);
	if (b->multiplexed) {
		call = procparse_syscall_name(b->call);
		jsonw_string(w, "call", call[0] != '\0' ? call : NULL);
		jsonw_array_begin(w, "waits");
		for (size_t i = 0; i < b->nwaits; i++) {
			const struct snap_wait_fd *wf = &b->waits[i];

			jsonw_object_begin(w, NULL);
			jsonw_int(w, "fd", wf->fd);
			jsonw_string(w, "for", trace_wait_dir(wf));
			if (wf->inode != 0)
				jsonw_int(w, wf->kind == SNAP_FD_SOCKET ?
				    "socket" : wf->kind == SNAP_FD_PIPE ||
				    wf->kind == SNAP_FD_FIFO ? "pipe" : "inode",
				    (long long)wf->inode);
			jsonw_object_end(w);
		}
		jsonw_array_end(w);
		if (b->waits_partial)
			jsonw_bool(w, "partial", true);
	}
	jsonw_object_end(w);
}

static void
trace_thread(struct jsonw *w, const struct snap_thread *t)
{
	char state[2] = { t->state, '\0' };
	const char *sc = t->syscall >= 0 ? procparse_syscall_name(t->syscall) :
	    "";

	jsonw_object_begin(w, NULL);
	jsonw_int(w, "tid", t->tid);
	jsonw_string(w, "state", state);
	jsonw_string(w, "syscall", sc[0] != '\0' ? sc : NULL);
	jsonw_string(w, "wchan", t->wchan[0] != '\0' ? t->wchan : NULL);
	trace_blocked(w, "blocked", &t->blocked);
	jsonw_object_end(w);
}

static uint64_t
trace_hash_real(uint64_t h, double v)
{
	uint64_t bits;

	memcpy(&bits, &v, sizeof bits);
	return trace_hash_u64(h, bits);
}

static uint64_t
trace_hash_blocked(uint64_t h, const struct snap_blocked *b)
{
	h = trace_hash_u64(h, (uint64_t)b->op << 32 | (uint32_t)b->fd);
	h = trace_hash_u64(h, b->pipe);
	h = trace_hash_u64(h, b->socket);
	h = trace_hash_u64(h, (uint64_t)(uint32_t)b->tid << 32 |
	    (uint64_t)b->multiplexed << 1 | b->waits_partial);
	h = trace_hash_u64(h, (uint64_t)b->call);
	h = trace_hash_u64(h, b->nwaits);
	for (size_t i = 0; i < b->nwaits; i++) {
		const struct snap_wait_fd *wf = &b->waits[i];

		h = trace_hash_u64(h, (uint64_t)(uint32_t)wf->fd << 32 |
		    (uint64_t)wf->kind << 2 | (uint64_t)wf->in << 1 | wf->out);
		h = trace_hash_u64(h, wf->inode);
	}
	return h;
}

/*
 * Everything trace_proc() writes of p, hashed: a record whose hash is the
 * same as last time is the same text (trace-memo.h).  A field added to
 * the record is added here, or its changes would not be written.
 */
static uint64_t
trace_proc_hash(const struct snap_proc *p, const char *explain)
{
	uint64_t h = TRACE_HASH_INIT;

	h = trace_hash_u64(h, (uint64_t)(uint32_t)p->pid << 32 |
	    (uint32_t)p->ppid);
	h = trace_hash_u64(h, (uint64_t)(uint32_t)p->pgid << 32 |
	    (uint32_t)p->stage);
	h = trace_hash_u64(h, p->start_ticks);
	h = trace_hash_str(h, p->comm);
	for (char **a = p->argv; a != NULL && *a != NULL; a++)
		h = trace_hash_str(h, *a);
	h = trace_hash_u64(h, (uint64_t)(unsigned char)p->state << 8 |
	    (uint64_t)p->io_known << 4 | (uint64_t)p->fds_denied << 3 |
	    (uint64_t)p->fds_unread << 2 | (uint64_t)p->stuck << 1 |
	    p->exit.exited);
	h = trace_hash_real(h, p->cpu_pct);
	h = trace_hash_real(h, p->read_bps);
	h = trace_hash_real(h, p->write_bps);
	h = trace_hash_u64(h, p->rss_kib);
	h = trace_hash_u64(h, p->rchar);
	h = trace_hash_u64(h, p->wchar);
	h = trace_hash_blocked(h, &p->blocked);
	h = trace_hash_u64(h, (uint64_t)p->syscall);
	h = trace_hash_str(h, p->wchan);
	h = trace_hash_u64(h, p->nfds);
	for (size_t i = 0; i < p->nfds; i++) {
		const struct snap_fd *f = &p->fds[i];

		h = trace_hash_u64(h, (uint64_t)(uint32_t)f->fd << 32 |
		    (uint64_t)f->mode << 8 | (uint64_t)f->kind);
		h = trace_hash_u64(h, f->inode);
		h = trace_hash_str(h, f->path);
		h = trace_hash_u64(h, (uint64_t)f->pos);
		h = trace_hash_u64(h, (uint64_t)f->size);
	}
	h = trace_hash_u64(h, (uint64_t)(uint32_t)p->tpgid << 32 |
	    (uint64_t)p->stop);
	h = trace_hash_u64(h, p->nthreads_read);
	for (size_t i = 0; i < p->nthreads_read; i++) {
		const struct snap_thread *t = &p->threads[i];

		h = trace_hash_u64(h, (uint64_t)(uint32_t)t->tid << 8 |
		    (unsigned char)t->state);
		h = trace_hash_u64(h, (uint64_t)t->syscall);
		h = trace_hash_str(h, t->wchan);
		h = trace_hash_blocked(h, &t->blocked);
	}
	h = trace_hash_u64(h, (uint64_t)(uint32_t)p->exit.code << 32 |
	    (uint32_t)p->exit.signal);
	/* --exact's kernel wait (trace_proc()'s kwait). */
	h = trace_hash_u64(h, (uint64_t)p->kwait.asleep << 1 | p->kwait.reading);
	if (p->kwait.asleep) {
		h = trace_hash_real(h, p->kwait.since);
		h = trace_hash_u64(h, p->kwait.chan);
	}
	return trace_hash_str(h, explain);
}

static void
trace_proc(struct jsonw *w, const struct snapshot *s, const struct snap_proc *p,
    struct trace_memo *memo)
{
	char state[2] = { p->state, '\0' };
	const char *sc, *text;
	/* The sentence judged with the sample, else one worked out now. */
	char *own = p->explain == NULL ? explain_proc(s, p) : NULL;
	const char *explain = own != NULL ? own : p->explain;
	uint64_t key = (uint64_t)p->pid ^ p->start_ticks << 22, hash = 0;
	size_t len, at;

	if (memo != NULL) {
		hash = trace_proc_hash(p, explain);
		if (trace_memo_get(memo, key, hash, &text, &len)) {
			jsonw_raw(w, NULL, text, len);
			free(own);
			return;
		}
	}
	at = jsonw_mark(w);

	jsonw_object_begin(w, NULL);
	jsonw_int(w, "pid", p->pid);
	jsonw_int(w, "ppid", p->ppid);
	jsonw_int(w, "pgid", p->pgid);
	jsonw_int(w, "start", (long long)p->start_ticks);
	trace_int_or_null(w, "stage", p->stage, p->stage >= 0);
	jsonw_string(w, "comm", p->comm);
	jsonw_array_begin(w, "argv");
	for (char **a = p->argv; *a != NULL; a++)
		jsonw_string(w, NULL, *a);
	jsonw_array_end(w);
	jsonw_string(w, "state", state);
	jsonw_real(w, "cpu_pct", p->cpu_pct, 10);
	jsonw_int(w, "rss_kib", (long long)p->rss_kib);
	jsonw_real(w, "read_bps", p->read_bps, 1);
	jsonw_real(w, "write_bps", p->write_bps, 1);
	trace_int_or_null(w, "rchar", (long long)p->rchar, p->io_known);
	trace_int_or_null(w, "wchar", (long long)p->wchar, p->io_known);
	trace_blocked(w, "blocked", &p->blocked);
	sc = p->syscall >= 0 ? procparse_syscall_name(p->syscall) : "";
	jsonw_string(w, "syscall", sc[0] != '\0' ? sc : NULL);
	jsonw_string(w, "wchan", p->wchan[0] != '\0' ? p->wchan : NULL);
	jsonw_array_begin(w, "fds");
	for (size_t i = 0; i < p->nfds; i++)
		trace_fd(w, &p->fds[i]);
	jsonw_array_end(w);
	if (p->fds_denied)
		jsonw_bool(w, "fds_denied", true);
	if (p->fds_unread)
		jsonw_bool(w, "fds_unread", true);
	trace_int_or_null(w, "tpgid", p->tpgid, p->tpgid > 0);
	if (p->stop != SNAP_STOP_NONE)
		jsonw_string(w, "stop", snapshot_stop_name(p->stop));
	if (p->stuck)
		jsonw_bool(w, "stuck", true);
	/* --exact: the kernel's word that it sleeps on a channel, since when. */
	if (p->kwait.asleep) {
		jsonw_object_begin(w, "kwait");
		jsonw_real(w, "since", p->kwait.since, 1e6);
		jsonw_string(w, "op", p->kwait.reading ? "read" : "write");
		jsonw_int(w, "pipe", (long long)p->kwait.chan);
		jsonw_object_end(w);
	}
	if (p->nthreads_read > 0) {
		jsonw_array_begin(w, "threads");
		for (size_t i = 0; i < p->nthreads_read; i++)
			trace_thread(w, &p->threads[i]);
		jsonw_array_end(w);
	}
	if (p->exit.exited)
		trace_exit_status(w, "exit", &p->exit);
	else
		jsonw_null(w, "exit");
	jsonw_string(w, "explain", explain);
	free(own);
	jsonw_object_end(w);
	if (memo != NULL)
		trace_memo_put(memo, key, hash, w->buf + at, w->len - at);
}

static void
trace_ends(struct jsonw *w, const char *key, const struct snap_end *e,
    size_t n)
{
	jsonw_array_begin(w, key);
	for (size_t i = 0; i < n; i++) {
		jsonw_object_begin(w, NULL);
		jsonw_int(w, "pid", e[i].pid);
		jsonw_int(w, "fd", e[i].fd);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
}

/* A channel's bytes: counted, or estimated and marked so; null unknown. */
static void
trace_bytes(struct jsonw *w, const struct snap_pipe *pp)
{
	trace_int_or_null(w, "bytes", pp->bytes, pp->bytes >= 0);
	if (pp->bytes >= 0 && !pp->bytes_exact)
		jsonw_bool(w, "bytes_estimated", true);
	if (!pp->sleeps_known)
		return;
	/* --exact: how often and how long its ends slept on it. */
	jsonw_object_begin(w, "sleeps");
	jsonw_object_begin(w, "writers");
	jsonw_int(w, "count", (long long)pp->writer_sleeps.count);
	jsonw_real(w, "seconds", pp->writer_sleeps.seconds, 1e6);
	jsonw_object_end(w);
	jsonw_object_begin(w, "readers");
	jsonw_int(w, "count", (long long)pp->reader_sleeps.count);
	jsonw_real(w, "seconds", pp->reader_sleeps.seconds, 1e6);
	jsonw_object_end(w);
	jsonw_object_end(w);
}

/* Everything trace_pipe() writes of pp, hashed (as trace_proc_hash()). */
static uint64_t
trace_pipe_hash(const struct snap_pipe *pp)
{
	uint64_t h = TRACE_HASH_INIT;

	h = trace_hash_u64(h, pp->inode);
	h = trace_hash_u64(h, pp->dev);
	h = trace_hash_u64(h, (uint64_t)pp->kind << 1 | pp->stray);
	h = trace_hash_str(h, pp->path);
	h = trace_hash_u64(h, (uint64_t)pp->fill);
	h = trace_hash_u64(h, (uint64_t)pp->capacity);
	h = trace_hash_real(h, pp->rate_bps);
	h = trace_hash_u64(h, pp->nwriters);
	for (size_t i = 0; i < pp->nwriters; i++)
		h = trace_hash_u64(h, (uint64_t)(uint32_t)pp->writers[i].pid <<
		    32 | (uint32_t)pp->writers[i].fd);
	h = trace_hash_u64(h, pp->nreaders);
	for (size_t i = 0; i < pp->nreaders; i++)
		h = trace_hash_u64(h, (uint64_t)(uint32_t)pp->readers[i].pid <<
		    32 | (uint32_t)pp->readers[i].fd);
	h = trace_hash_u64(h, pp->peek != NULL ? pp->npeek : 0);
	if (pp->peek != NULL)
		h = trace_hash_bytes(h, pp->peek, pp->npeek);
	/* What trace_bytes() writes: --exact's counts change every sample. */
	h = trace_hash_u64(h, (uint64_t)pp->bytes);
	h = trace_hash_u64(h, (uint64_t)pp->bytes_exact << 1 | pp->sleeps_known);
	if (pp->sleeps_known) {
		h = trace_hash_u64(h, pp->writer_sleeps.count);
		h = trace_hash_real(h, pp->writer_sleeps.seconds);
		h = trace_hash_u64(h, pp->reader_sleeps.count);
		h = trace_hash_real(h, pp->reader_sleeps.seconds);
	}
	return h;
}

static void
trace_pipe(struct jsonw *w, const struct snap_pipe *pp,
    struct trace_memo *memo)
{
	uint64_t key = pp->inode ^ pp->dev << 40 ^ (uint64_t)pp->kind << 60;
	uint64_t hash = 0;
	const char *text;
	size_t len, at;

	if (memo != NULL) {
		hash = trace_pipe_hash(pp);
		if (trace_memo_get(memo, key, hash, &text, &len)) {
			jsonw_raw(w, NULL, text, len);
			return;
		}
	}
	at = jsonw_mark(w);
	jsonw_object_begin(w, NULL);
	jsonw_int(w, "inode", (long long)pp->inode);
	jsonw_string(w, "kind", snapshot_kind_name(pp->kind));
	jsonw_string(w, "path", pp->path);
	trace_int_or_null(w, "fill", pp->fill, pp->fill >= 0);
	trace_int_or_null(w, "capacity", pp->capacity, pp->capacity >= 0);
	trace_ends(w, "writers", pp->writers, pp->nwriters);
	trace_ends(w, "readers", pp->readers, pp->nreaders);
	if (pp->stray)
		jsonw_bool(w, "stray", true);
	if (pp->rate_bps >= 0)
		jsonw_real(w, "rate_bps", pp->rate_bps, 1);
	else
		jsonw_null(w, "rate_bps");
	trace_bytes(w, pp);
	/* Pipe data only when it was asked for (--peek). */
	if (pp->peek != NULL && pp->npeek > 0)
		jsonw_bytes(w, "peek", pp->peek, pp->npeek);
	jsonw_object_end(w);
	if (memo != NULL)
		trace_memo_put(memo, key, hash, w->buf + at, w->len - at);
}

/*
 * A socket, with what its channel knows (snapshot_link_sockets()): the
 * channel's writers are the socket's holders, and its rate the socket's.
 */
static void
trace_socket(struct jsonw *w, const struct snapshot *s,
    const struct snap_socket *k)
{
	const struct snap_pipe *chan = NULL;

	for (size_t i = 0; i < s->npipes && chan == NULL; i++) {
		if (s->pipes[i].kind == SNAP_FD_SOCKET &&
		    s->pipes[i].inode == k->inode)
			chan = &s->pipes[i];
	}
	jsonw_object_begin(w, NULL);
	jsonw_int(w, "inode", (long long)k->inode);
	jsonw_string(w, "type", snapshot_sock_type_name(k->type));
	trace_int_or_null(w, "peer", (long long)k->peer, k->peer != 0);
	jsonw_string(w, "local", k->local);
	jsonw_string(w, "remote", k->remote);
	trace_ends(w, "holders", chan != NULL ? chan->writers : NULL,
	    chan != NULL ? chan->nwriters : 0);
	trace_int_or_null(w, "queued", k->rqueue, k->rqueue >= 0);
	if (k->wqueue >= 0)
		jsonw_int(w, "unsent", k->wqueue);
	/* Socket channels are derived again on reading: the rate goes here. */
	if (chan != NULL && chan->rate_bps >= 0)
		jsonw_real(w, "rate_bps", chan->rate_bps, 1);
	if (chan != NULL && chan->bytes >= 0)
		trace_bytes(w, chan);
	if (k->listening)
		jsonw_bool(w, "listening", true);
	jsonw_object_end(w);
}

/* A diagnosis, as an element of an array (key NULL) or a member. */
static void
trace_diag(struct jsonw *w, const char *key, const struct snap_diag *d)
{
	jsonw_object_begin(w, key);
	jsonw_string(w, "kind", d->kind);
	jsonw_array_begin(w, "pids");
	for (size_t i = 0; i < d->npids; i++)
		jsonw_int(w, NULL, d->pids[i]);
	jsonw_array_end(w);
	jsonw_array_begin(w, "pipes");
	for (size_t i = 0; i < d->npipes; i++)
		jsonw_int(w, NULL, (long long)d->pipes[i]);
	jsonw_array_end(w);
	jsonw_string(w, "message", d->message);
	jsonw_object_end(w);
}

/*
 * A sample of 2000 processes is 2 MB of text: it goes out in pieces of
 * about this much between records, not held whole (peak memory,
 * docs/performance.md).
 */
#define TRACE_PIECE (128 * 1024)

/* 0, or the errno of a piece of this record that could not be written. */
static int trace_piece_errno;

static void
trace_piece(struct jsonw *w, FILE *out)
{
	if (out == NULL || w->len < TRACE_PIECE)
		return;
	errno = 0;
	if (fwrite(w->buf, 1, w->len, out) != w->len) {
		if (trace_piece_errno == 0)
			trace_piece_errno = errno != 0 ? errno : EIO;
	}
	jsonw_forget(w);
}

/*
 * memo: the last records to reuse, or NULL to write everything anew.
 * out: where the text may go in pieces as it grows, or NULL to keep it all.
 */
static void
trace_sample(struct jsonw *w, const struct snapshot *s,
    struct trace_memo *memo, FILE *out)
{
	if (memo != NULL)
		trace_memo_begin(memo);
	jsonw_object_begin(w, NULL);
	jsonw_string(w, "type", "sample");
	jsonw_real(w, "t", s->t, 1000);
	jsonw_array_begin(w, "procs");
	for (size_t i = 0; i < s->nprocs; i++) {
		trace_proc(w, s, &s->procs[i], memo);
		trace_piece(w, out);
	}
	jsonw_array_end(w);
	jsonw_array_begin(w, "pipes");
	for (size_t i = 0; i < s->npipes; i++) {
		if (s->pipes[i].kind != SNAP_FD_SOCKET) {
			trace_pipe(w, &s->pipes[i], memo);
			trace_piece(w, out);
		}
	}
	jsonw_array_end(w);
	jsonw_array_begin(w, "sockets");
	for (size_t i = 0; i < s->nsockets; i++)
		trace_socket(w, s, &s->sockets[i]);
	jsonw_array_end(w);
	jsonw_array_begin(w, "diagnoses");
	for (size_t i = 0; i < s->ndiags; i++)
		trace_diag(w, NULL, &s->diags[i]);
	jsonw_array_end(w);
	jsonw_object_end(w);
	if (memo != NULL)
		trace_memo_end(memo);
}

/*
 * The record being written.  It keeps its buffer from record to record:
 * a sample is about 1 KB per process, every interval.
 */
static struct jsonw trace_record;
/* The records of the last sample written, by process and by pipe. */
static struct trace_memo trace_last;

static struct jsonw *
trace_begin(void)
{
	jsonw_reset(&trace_record);
	return &trace_record;
}

/* One record per line, flushed, so a reader such as jq sees it at once. */
static int
trace_emit(FILE *f, struct jsonw *w)
{
	if (w->depth != 0)
		fatalx("trace: record left open");
	if (trace_piece_errno != 0) {
		errno = trace_piece_errno;
		trace_piece_errno = 0;
		return -1;
	}
	errno = 0;
	if (fwrite(w->buf, 1, w->len, f) != w->len || fputc('\n', f) == EOF ||
	    fflush(f) == EOF) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

int
trace_write_start(FILE *f, const struct trace_start *st)
{
	struct jsonw *w = trace_begin();

	jsonw_object_begin(w, NULL);
	jsonw_string(w, "type", "start");
	jsonw_int(w, "version", TRACE_VERSION);
	jsonw_string(w, "mode", st->mode);
	jsonw_string(w, "command", st->command);
	jsonw_int(w, "interval_ms", st->interval_ms);
	jsonw_string(w, "pipeviz", PIPEVIZ_VERSION);
	if (st->nstages > 0) {
		jsonw_array_begin(w, "stages");
		for (size_t i = 0; i < st->nstages; i++)
			jsonw_string(w, NULL, st->stages[i]);
		jsonw_array_end(w);
	}
	if (st->output_pipe != 0)
		jsonw_int(w, "output_pipe", (long long)st->output_pipe);
	jsonw_object_end(w);
	return trace_emit(f, w);
}

int
trace_write_sample(FILE *f, const struct snapshot *s)
{
	struct jsonw *w = trace_begin();

	trace_sample(w, s, &trace_last, f);
	return trace_emit(f, w);
}

int
trace_write_exit(FILE *f, double t, pid_t pid, int stage,
    const struct snap_exit *e)
{
	struct jsonw *w = trace_begin();

	jsonw_object_begin(w, NULL);
	jsonw_string(w, "type", "exit");
	jsonw_real(w, "t", t, 1000);
	jsonw_int(w, "pid", pid);
	trace_int_or_null(w, "stage", stage, stage >= 0);
	trace_exit_status(w, "status", e);
	jsonw_object_end(w);
	return trace_emit(f, w);
}

static void
trace_pids(struct jsonw *w, const char *key, const pid_t *pids, size_t n)
{
	jsonw_array_begin(w, key);
	for (size_t i = 0; i < n; i++)
		jsonw_int(w, NULL, pids[i]);
	jsonw_array_end(w);
}

/* A number that the summary marks unknown with a negative value. */
static void
trace_real_or_null(struct jsonw *w, const char *key, double v, double scale)
{
	if (v >= 0)
		jsonw_real(w, key, v, scale);
	else
		jsonw_null(w, key);
}

/* The end summary (summary.h), rounded as summary_build() rounds it. */
static void
trace_summary(struct jsonw *w, const struct summary *sum)
{
	jsonw_object_begin(w, "summary");
	jsonw_array_begin(w, "pipes");
	for (size_t i = 0; i < sum->npipes; i++) {
		const struct summary_pipe *p = &sum->pipes[i];

		jsonw_object_begin(w, NULL);
		jsonw_int(w, "inode", (long long)p->inode);
		jsonw_string(w, "kind", snapshot_kind_name(p->kind));
		trace_int_or_null(w, "bytes", p->bytes, p->bytes >= 0);
		trace_real_or_null(w, "avg_bps", p->avg_bps, 1);
		jsonw_bool(w, "exact", p->exact);
		jsonw_string(w, "estimate", summary_source_name(p->source));
		if (p->at_least)
			jsonw_bool(w, "at_least", true);
		trace_pids(w, "writers", p->writers, p->nwriters);
		trace_pids(w, "readers", p->readers, p->nreaders);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_array_begin(w, "stages");
	for (size_t i = 0; i < sum->nstages; i++) {
		const struct summary_stage *st = &sum->stages[i];

		jsonw_object_begin(w, NULL);
		trace_int_or_null(w, "stage", st->stage, st->stage >= 0);
		jsonw_int(w, "pid", st->pid);
		jsonw_string(w, "comm", st->comm);
		trace_real_or_null(w, "cpu_s", st->cpu_s, 1000);
		trace_real_or_null(w, "wall_s", st->wall_s, 1000);
		trace_int_or_null(w, "max_rss_kib", st->max_rss_kib,
		    st->max_rss_kib >= 0);
		if (st->exit.exited)
			trace_exit_status(w, "status", &st->exit);
		else
			jsonw_null(w, "status");
		if (st->running)
			jsonw_bool(w, "running", true);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_object_end(w);
}

int
trace_write_end(FILE *f, double t, int status, int signal,
    const struct summary *sum)
{
	struct jsonw *w = trace_begin();

	jsonw_object_begin(w, NULL);
	jsonw_string(w, "type", "end");
	jsonw_real(w, "t", t, 1000);
	jsonw_object_begin(w, "status");
	jsonw_int(w, "code", status);
	jsonw_object_end(w);
	if (signal != 0)
		jsonw_string(w, "stopped_by", trace_signal_name(signal));
	if (sum != NULL)
		trace_summary(w, sum);
	jsonw_object_end(w);
	return trace_emit(f, w);
}

/* A time that is not known (-1) is null. */
static void
trace_time_or_null(struct jsonw *w, const char *key, double t)
{
	if (t >= 0)
		jsonw_real(w, key, t, 1e6);
	else
		jsonw_null(w, key);
}

int
trace_write_process(FILE *f, const struct proclife_rec *r)
{
	struct jsonw *w = trace_begin();

	jsonw_object_begin(w, NULL);
	jsonw_string(w, "type", "process");
	jsonw_real(w, "t", r->ended, 1e6);
	jsonw_int(w, "pid", r->pid);
	jsonw_int(w, "ppid", r->ppid);
	trace_int_or_null(w, "start", (long long)r->start_ticks,
	    r->start_ticks != 0);
	trace_int_or_null(w, "stage", r->stage, r->stage >= 0);
	jsonw_string(w, "comm", r->comm[0] != '\0' ? r->comm : NULL);
	jsonw_array_begin(w, "argv");
	for (char **a = r->argv; *a != NULL; a++)
		jsonw_string(w, NULL, *a);
	jsonw_array_end(w);
	trace_time_or_null(w, "began", r->began);
	trace_time_or_null(w, "exec", r->exec_t);
	trace_time_or_null(w, "ended", r->ended);
	if (r->status_known)
		trace_exit_status(w, "status", &r->exit);
	else
		jsonw_null(w, "status");
	jsonw_bool(w, "sampled", r->sampled);
	jsonw_object_end(w);
	return trace_emit(f, w);
}

int
trace_write_note(FILE *f, double t, const char *kind, const char *message)
{
	struct jsonw *w = trace_begin();

	jsonw_object_begin(w, NULL);
	jsonw_string(w, "type", "note");
	jsonw_real(w, "t", t, 1000);
	jsonw_string(w, "kind", kind);
	jsonw_string(w, "message", message);
	jsonw_object_end(w);
	return trace_emit(f, w);
}

int
trace_write_pipeline(FILE *f, const struct trace_pipeline *p)
{
	struct jsonw *w = trace_begin();

	jsonw_object_begin(w, NULL);
	jsonw_string(w, "type", "pipeline");
	jsonw_array_begin(w, "pids");
	for (size_t i = 0; i < p->npids; i++)
		jsonw_int(w, NULL, p->pids[i]);
	jsonw_array_end(w);
	jsonw_string(w, "command", p->command);
	jsonw_string(w, "health", p->health);
	if (p->top != NULL)
		trace_diag(w, "top", p->top);
	else
		jsonw_null(w, "top");
	jsonw_real(w, "since", p->since, 10);
	if (p->rate_bps >= 0)
		jsonw_real(w, "rate_bps", p->rate_bps, 1);
	else
		jsonw_null(w, "rate_bps");
	jsonw_int(w, "uid", (long long)p->uid);
	jsonw_string(w, "user", p->user);
	jsonw_object_end(w);
	return trace_emit(f, w);
}

void
trace_release(void)
{
	jsonw_free(&trace_record);
	trace_memo_free(&trace_last);
}

char *
trace_sample_string(const struct snapshot *s)
{
	struct jsonw w = { 0 };

	trace_sample(&w, s, NULL, NULL);
	return w.buf;
}
