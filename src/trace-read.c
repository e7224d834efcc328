/* trace-read.c - a JSON Lines trace back into snapshots, with jansson. */
#include "pipeviz/trace-read.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "pipeviz/procparse.h"
#include "pipeviz/sanitize.h"
#include "pipeviz/util.h"

/* Values as the writer stored them: a missing or null field is "unknown". */
static int64_t
trace_int(json_t *o, const char *key, int64_t unknown)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? json_integer_value(v) : unknown;
}

static double
trace_num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : 0;
}

static const char *
trace_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static enum snap_fd_kind
trace_kind(const char *name)
{
	for (int k = SNAP_FD_PIPE; k <= SNAP_FD_OTHER; k++) {
		if (name != NULL && strcmp(name, snapshot_kind_name(k)) == 0)
			return k;
	}
	return SNAP_FD_OTHER;
}

static enum snap_fd_mode
trace_mode(const char *name)
{
	for (int m = SNAP_MODE_R; m <= SNAP_MODE_RW; m++) {
		if (name != NULL && strcmp(name, snapshot_mode_name(m)) == 0)
			return m;
	}
	return SNAP_MODE_NONE;
}

static enum snap_block_op
trace_op(const char *name)
{
	for (int op = SNAP_BLOCK_READ; op <= SNAP_BLOCK_POLL; op++) {
		if (name != NULL && strcmp(name, snapshot_op_name(op)) == 0)
			return op;
	}
	return SNAP_BLOCK_NONE;
}

static void
trace_exit(json_t *o, struct snap_exit *e)
{
	if (!json_is_object(o))
		return;
	e->exited = true;
	e->signal = (int)trace_int(o, "signal", 0);
	e->code = (int)trace_int(o, "code", 0);
}

/* A wait back from the trace; a multiplexed one is reduced again. */
static void
trace_blocked(json_t *v, struct snap_blocked *b)
{
	struct snap_wait_fd waits[256];
	size_t n = 0, i;
	const char *str;
	json_t *w;

	snapshot_blocked_clear(b);
	if (!json_is_object(v))
		return;
	b->op = trace_op(trace_str(v, "op"));
	b->fd = (int)trace_int(v, "fd", -1);
	b->pipe = (uint64_t)trace_int(v, "pipe", 0);
	b->socket = (uint64_t)trace_int(v, "socket", 0);
	if (b->socket != 0)
		b->pipe = b->socket;
	b->tid = (pid_t)trace_int(v, "tid", 0);
	if (b->op != SNAP_BLOCK_POLL)
		return;
	b->multiplexed = true;
	b->call = (str = trace_str(v, "call")) != NULL ?
	    procparse_syscall_number(str) : -1;
	b->waits_partial = json_is_true(json_object_get(v, "partial"));
	json_array_foreach(json_object_get(v, "waits"), i, w) {
		struct snap_wait_fd *wf = &waits[n];

		if (!json_is_object(w))
			continue;
		if (n == sizeof waits / sizeof *waits) {
			b->waits_partial = true;
			break;
		}
		memset(wf, 0, sizeof *wf);
		wf->fd = (int)trace_int(w, "fd", -1);
		str = trace_str(w, "for");
		wf->in = str != NULL && (strcmp(str, "read") == 0 ||
		    strcmp(str, "both") == 0);
		wf->out = str != NULL && (strcmp(str, "write") == 0 ||
		    strcmp(str, "both") == 0);
		wf->kind = SNAP_FD_OTHER;
		if ((wf->inode = (uint64_t)trace_int(w, "socket", 0)) != 0)
			wf->kind = SNAP_FD_SOCKET;
		else if ((wf->inode = (uint64_t)trace_int(w, "pipe", 0)) != 0)
			wf->kind = SNAP_FD_PIPE;
		else
			wf->inode = (uint64_t)trace_int(w, "inode", 0);
		n++;
	}
	snapshot_blocked_set_waits(b, waits, n);
	snapshot_blocked_reduce(b);
}

static void
trace_threads(json_t *a, struct snap_proc *p)
{
	struct snap_thread *t;
	size_t n = json_array_size(a), k = 0, i;
	const char *str;
	json_t *v;

	if (!json_is_array(a) || n == 0)
		return;
	t = xcalloc(n, sizeof *t);
	json_array_foreach(a, i, v) {
		if (!json_is_object(v))
			continue;
		t[k].tid = (pid_t)trace_int(v, "tid", 0);
		str = trace_str(v, "state");
		t[k].state = str != NULL && str[0] != '\0' ? str[0] : '?';
		t[k].syscall = (str = trace_str(v, "syscall")) != NULL ?
		    procparse_syscall_number(str) : -1;
		if ((str = trace_str(v, "wchan")) != NULL)
			snprintf(t[k].wchan, sizeof t[k].wchan, "%s", str);
		t[k].blocked.fd = -1;
		trace_blocked(json_object_get(v, "blocked"), &t[k].blocked);
		k++;
	}
	snapshot_proc_set_threads(p, t, k);
	for (i = 0; i < k; i++)
		snapshot_blocked_clear(&t[i].blocked);
	free(t);
	p->nthreads = (long)k;
}

static int
trace_proc(struct snapshot *s, json_t *o)
{
	struct snap_proc *p;
	json_t *v, *fds;
	const char *str;
	size_t i, n = 0;
	char **argv;

	if (!json_is_object(o) || !json_is_integer(json_object_get(o, "pid")))
		return -1;
	p = snapshot_add_proc(s, (pid_t)trace_int(o, "pid", 0));
	p->ppid = (pid_t)trace_int(o, "ppid", 0);
	p->pgid = (pid_t)trace_int(o, "pgid", 0);
	p->start_ticks = (uint64_t)trace_int(o, "start", 0);
	p->stage = (int)trace_int(o, "stage", -1);
	snprintf(p->comm, sizeof p->comm, "%s", (str = trace_str(o, "comm")) ?
	    str : "?");
	v = json_object_get(o, "argv");
	argv = xcalloc(json_array_size(v) + 1, sizeof *argv);
	json_array_foreach(v, i, fds) {
		if (json_is_string(fds))
			argv[n++] = (char *)json_string_value(fds);
	}
	snapshot_proc_set_argv(p, argv);
	free(argv);
	str = trace_str(o, "state");
	p->state = str != NULL && str[0] != '\0' ? str[0] : '?';
	p->cpu_pct = trace_num(o, "cpu_pct");
	p->rss_kib = (uint64_t)trace_int(o, "rss_kib", 0);
	p->read_bps = trace_num(o, "read_bps");
	p->write_bps = trace_num(o, "write_bps");
	p->io_known = json_is_integer(json_object_get(o, "rchar"));
	p->rchar = (uint64_t)trace_int(o, "rchar", 0);
	p->wchar = (uint64_t)trace_int(o, "wchar", 0);
	trace_blocked(json_object_get(o, "blocked"), &p->blocked);
	p->tpgid = (pid_t)trace_int(o, "tpgid", -1);
	p->stuck = json_is_true(json_object_get(o, "stuck"));
	if (json_is_object(v = json_object_get(o, "kwait"))) {
		const char *op = trace_str(v, "op");

		p->kwait.asleep = true;
		p->kwait.since = trace_num(v, "since");
		p->kwait.reading = op != NULL && strcmp(op, "read") == 0;
		p->kwait.chan = (uint64_t)trace_int(v, "pipe", 0);
	}
	if ((str = trace_str(o, "stop")) != NULL)
		for (int k = SNAP_STOP_SIGNAL; k <= SNAP_STOP_TTOU; k++)
			if (strcmp(str, snapshot_stop_name(k)) == 0)
				p->stop = k;
	trace_threads(json_object_get(o, "threads"), p);
	if ((str = trace_str(o, "syscall")) != NULL)
		p->syscall = procparse_syscall_number(str);
	if ((str = trace_str(o, "wchan")) != NULL)
		snprintf(p->wchan, sizeof p->wchan, "%s", str);
	p->fds_denied = json_is_true(json_object_get(o, "fds_denied"));
	p->fds_unread = json_is_true(json_object_get(o, "fds_unread"));
	/* The sentence as the live run judged it (the same, but for pacing). */
	if ((str = trace_str(o, "explain")) != NULL)
		p->explain = xstrdup(str);
	trace_exit(json_object_get(o, "exit"), &p->exit);
	fds = json_object_get(o, "fds");
	json_array_foreach(fds, i, v) {
		struct snap_fd *f;

		if (!json_is_object(v))
			return -1;
		f = snapshot_proc_add_fd(p, (int)trace_int(v, "fd", -1),
		    trace_mode(trace_str(v, "mode")),
		    trace_kind(trace_str(v, "kind")), trace_str(v, "path"));
		f->inode = (uint64_t)trace_int(v, "inode", 0);
		f->pos = trace_int(v, "pos", -1);
		f->size = trace_int(v, "size", -1);
	}
	return 0;
}

/*
 * A peek back into bytes: each code point U+0000..U+00FF is one byte.
 * Anything else is not a peek this pipeviz wrote; it is left out.
 */
static void
trace_peek(struct snap_pipe *pp, json_t *v)
{
	const unsigned char *u;
	size_t len, n = 0;
	char *bytes;

	if (!json_is_string(v) || (len = json_string_length(v)) == 0)
		return;
	u = (const unsigned char *)json_string_value(v);
	bytes = xmalloc(len);
	for (size_t i = 0; i < len; i++) {
		if (u[i] < 0x80)
			bytes[n++] = (char)u[i];
		else if ((u[i] == 0xc2 || u[i] == 0xc3) && i + 1 < len &&
		    (u[i + 1] & 0xc0) == 0x80) {
			bytes[n++] = (char)(((u[i] & 0x03) << 6) |
			    (u[i + 1] & 0x3f));
			i++;
		} else {
			free(bytes);
			return;
		}
	}
	snapshot_pipe_set_peek(pp, bytes, n);
	free(bytes);
}

static int
trace_pipe(struct snapshot *s, json_t *o)
{
	struct snap_pipe *pp;
	json_t *v;
	size_t i;

	if (!json_is_object(o) || !json_is_integer(json_object_get(o, "inode")))
		return -1;
	pp = snapshot_add_pipe(s, trace_kind(trace_str(o, "kind")),
	    (uint64_t)trace_int(o, "inode", 0), trace_str(o, "path"));
	pp->fill = trace_int(o, "fill", -1);
	pp->capacity = trace_int(o, "capacity", -1);
	pp->stray = json_is_true(json_object_get(o, "stray"));
	pp->rate_bps = json_is_number(v = json_object_get(o, "rate_bps")) ?
	    json_number_value(v) : -1;
	pp->bytes = trace_int(o, "bytes", -1);
	if (pp->bytes < -1)
		pp->bytes = -1;
	pp->bytes_exact = pp->bytes >= 0 &&
	    !json_is_true(json_object_get(o, "bytes_estimated"));
	if (json_is_object(v = json_object_get(o, "sleeps"))) {
		json_t *wr = json_object_get(v, "writers");
		json_t *rd = json_object_get(v, "readers");

		pp->sleeps_known = true;
		pp->writer_sleeps.count = (uint64_t)trace_int(wr, "count", 0);
		pp->writer_sleeps.seconds = trace_num(wr, "seconds");
		pp->reader_sleeps.count = (uint64_t)trace_int(rd, "count", 0);
		pp->reader_sleeps.seconds = trace_num(rd, "seconds");
	}
	trace_peek(pp, json_object_get(o, "peek"));
	json_array_foreach(json_object_get(o, "writers"), i, v)
		snapshot_pipe_add_end(pp, true, (pid_t)trace_int(v, "pid", 0),
		    (int)trace_int(v, "fd", -1));
	json_array_foreach(json_object_get(o, "readers"), i, v)
		snapshot_pipe_add_end(pp, false, (pid_t)trace_int(v, "pid", 0),
		    (int)trace_int(v, "fd", -1));
	return 0;
}

static enum snap_sock_type
trace_sock_type(const char *name)
{
	for (int t = SNAP_SOCK_UNIX; t <= SNAP_SOCK_UDP; t++) {
		if (name != NULL && strcmp(name, snapshot_sock_type_name(t)) == 0)
			return t;
	}
	return SNAP_SOCK_UNKNOWN;
}

static int
trace_socket(struct snapshot *s, json_t *o)
{
	struct snap_socket *k;
	const char *str;

	if (!json_is_object(o) || !json_is_integer(json_object_get(o, "inode")))
		return -1;
	k = snapshot_add_socket(s, (uint64_t)trace_int(o, "inode", 0));
	k->type = trace_sock_type(trace_str(o, "type"));
	k->peer = (uint64_t)trace_int(o, "peer", 0);
	if ((str = trace_str(o, "local")) != NULL)
		k->local = xstrdup(str);
	if ((str = trace_str(o, "remote")) != NULL)
		k->remote = xstrdup(str);
	k->rqueue = trace_int(o, "queued", -1);
	k->wqueue = trace_int(o, "unsent", -1);
	k->listening = json_is_true(json_object_get(o, "listening"));
	return 0;
}

static int
trace_diag(struct snapshot *s, json_t *o)
{
	pid_t pids[64];
	uint64_t pipes[64];
	size_t npids = 0, npipes = 0, i;
	json_t *v;

	if (!json_is_object(o) || trace_str(o, "kind") == NULL ||
	    trace_str(o, "message") == NULL)
		return -1;
	json_array_foreach(json_object_get(o, "pids"), i, v) {
		if (npids < 64 && json_is_integer(v))
			pids[npids++] = (pid_t)json_integer_value(v);
	}
	json_array_foreach(json_object_get(o, "pipes"), i, v) {
		if (npipes < 64 && json_is_integer(v))
			pipes[npipes++] = (uint64_t)json_integer_value(v);
	}
	snapshot_add_diag(s, trace_str(o, "kind"), pids, npids, pipes, npipes,
	    trace_str(o, "message"));
	return 0;
}

static struct snapshot *
trace_sample_from(json_t *o, char **err)
{
	struct snapshot *s;
	json_t *v;
	size_t i;

	if (!json_is_array(json_object_get(o, "procs")) ||
	    !json_is_array(json_object_get(o, "pipes"))) {
		*err = xstrdup("a sample without procs or pipes");
		return NULL;
	}
	s = snapshot_create(trace_num(o, "t"));
	json_array_foreach(json_object_get(o, "procs"), i, v) {
		if (trace_proc(s, v) == -1) {
			*err = xasprintf("process %zu of the sample is malformed", i);
			snapshot_free(s);
			return NULL;
		}
	}
	json_array_foreach(json_object_get(o, "pipes"), i, v) {
		if (trace_pipe(s, v) == -1) {
			*err = xasprintf("pipe %zu of the sample is malformed", i);
			snapshot_free(s);
			return NULL;
		}
	}
	json_array_foreach(json_object_get(o, "sockets"), i, v) {
		if (trace_socket(s, v) == -1) {
			*err = xasprintf("socket %zu of the sample is malformed", i);
			snapshot_free(s);
			return NULL;
		}
	}
	/* Socket channels are derived, as the live run derived them. */
	snapshot_link_sockets(s);
	json_array_foreach(json_object_get(o, "sockets"), i, v) {
		json_t *rate = json_object_get(v, "rate_bps");
		int64_t bytes = trace_int(v, "bytes", -1);

		for (size_t k = 0; k < s->npipes; k++) {
			struct snap_pipe *sp = &s->pipes[k];

			if (sp->kind != SNAP_FD_SOCKET ||
			    sp->inode != (uint64_t)trace_int(v, "inode", 0))
				continue;
			if (json_is_number(rate))
				sp->rate_bps = json_number_value(rate);
			if (bytes >= 0) {
				sp->bytes = bytes;
				sp->bytes_exact = !json_is_true(
				    json_object_get(v, "bytes_estimated"));
			}
		}
	}
	json_array_foreach(json_object_get(o, "diagnoses"), i, v) {
		if (trace_diag(s, v) == -1) {
			*err = xasprintf("diagnosis %zu of the sample is malformed", i);
			snapshot_free(s);
			return NULL;
		}
	}
	return s;
}

struct snapshot *
trace_read_sample(const char *text, char **err)
{
	json_error_t jerr;
	/* JSON_ALLOW_NUL: a peek may hold NUL bytes (U+0000). */
	json_t *o = json_loads(text, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
	    &jerr);
	struct snapshot *s;

	if (o == NULL) {
		/* jansson quotes the input near an error: hostile bytes. */
		char *why = sanitize_dup(jerr.text);

		*err = xasprintf("not JSON (%s)", why);
		free(why);
		return NULL;
	}
	s = trace_sample_from(o, err);
	json_decref(o);
	return s;
}

static void
trace_summary_pids(json_t *a, pid_t *pids, size_t *n)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v) {
		if (*n < SUMMARY_MAX_ENDS && json_is_integer(v))
			pids[(*n)++] = (pid_t)json_integer_value(v);
	}
}

/* A number the writer wrote as null when unknown: -1 then. */
static double
trace_num_or(json_t *o, const char *key, double unknown)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) && json_number_value(v) >= 0 ?
	    json_number_value(v) : unknown;
}

/*
 * The end record's summary; what is malformed in it is left out (it is
 * shown as it was, never trusted further).
 */
static struct summary *
trace_summary(json_t *o)
{
	struct summary *sum;
	const char *str;
	json_t *v;
	size_t i;

	if (!json_is_object(o))
		return NULL;
	sum = summary_create();
	json_array_foreach(json_object_get(o, "pipes"), i, v) {
		struct summary_pipe *p;

		if (!json_is_object(v) || !json_is_integer(json_object_get(v,
		    "inode")))
			continue;
		p = summary_add_pipe(sum);
		p->inode = (uint64_t)trace_int(v, "inode", 0);
		p->kind = trace_kind(trace_str(v, "kind")) == SNAP_FD_FIFO ?
		    SNAP_FD_FIFO : SNAP_FD_PIPE;
		p->bytes = trace_int(v, "bytes", -1);
		if (p->bytes < 0)
			p->bytes = -1;
		p->avg_bps = trace_num_or(v, "avg_bps", -1);
		p->exact = json_is_true(json_object_get(v, "exact"));
		p->at_least = json_is_true(json_object_get(v, "at_least"));
		p->source = summary_source_of(trace_str(v, "estimate"));
		trace_summary_pids(json_object_get(v, "writers"), p->writers,
		    &p->nwriters);
		trace_summary_pids(json_object_get(v, "readers"), p->readers,
		    &p->nreaders);
	}
	json_array_foreach(json_object_get(o, "stages"), i, v) {
		struct summary_stage *st;

		if (!json_is_object(v) || !json_is_integer(json_object_get(v,
		    "pid")))
			continue;
		st = summary_add_stage(sum);
		st->stage = (int)trace_int(v, "stage", -1);
		if (st->stage < 0)
			st->stage = -1;
		st->pid = (pid_t)trace_int(v, "pid", 0);
		if ((str = trace_str(v, "comm")) != NULL)
			snprintf(st->comm, sizeof st->comm, "%s", str);
		st->cpu_s = trace_num_or(v, "cpu_s", -1);
		st->wall_s = trace_num_or(v, "wall_s", -1);
		st->max_rss_kib = trace_int(v, "max_rss_kib", -1);
		if (st->max_rss_kib < 0)
			st->max_rss_kib = -1;
		trace_exit(json_object_get(v, "status"), &st->exit);
		st->running = json_is_true(json_object_get(v, "running"));
	}
	return sum;
}

/* One line: 0, or -1 with *err set. */
/* The start record's stage names: strings only, the rest ignored. */
static void
trace_read_stages(struct trace_file *tf, json_t *a)
{
	size_t i;
	json_t *v;

	if (!json_is_array(a))
		return;
	tf->stages = xcalloc(json_array_size(a) + 1, sizeof *tf->stages);
	json_array_foreach(a, i, v) {
		tf->stages[tf->nstages++] = xstrdup(json_is_string(v) ?
		    json_string_value(v) : "?");
	}
}

static int
trace_line(struct trace_file *tf, const char *line, size_t lineno, char **err)
{
	json_error_t jerr;
	json_t *o = json_loads(line, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
	    &jerr);
	const char *type;
	int rc = 0;

	if (o == NULL || !json_is_object(o)) {
		char *why = sanitize_dup(o == NULL ? jerr.text :
		    "another JSON value");

		*err = xasprintf("not a JSON object (%s)", why);
		free(why);
		json_decref(o);
		return -1;
	}
	type = trace_str(o, "type");
	if (lineno == 1 && (type == NULL || strcmp(type, "start") != 0)) {
		*err = xstrdup("not a pipeviz trace (no start record)");
		rc = -1;
	} else if (type == NULL) {
		*err = xstrdup("a record without a type");
		rc = -1;
	} else if (strcmp(type, "start") == 0) {
		const char *cmd = trace_str(o, "command");

		if (lineno != 1 || trace_int(o, "version", 0) != 1) {
			*err = xstrdup(lineno != 1 ? "a second start record" :
			    "a trace version this pipeviz does not know");
			rc = -1;
		} else {
			tf->command = xstrdup(cmd != NULL ? cmd : "?");
			tf->mode = xstrdup(trace_str(o, "mode") ?
			    trace_str(o, "mode") : "launch");
			tf->interval_ms = (int)trace_int(o, "interval_ms", 100);
			if (tf->interval_ms < 1)
				tf->interval_ms = 100;
			trace_read_stages(tf, json_object_get(o, "stages"));
			tf->output_pipe = (uint64_t)trace_int(o, "output_pipe", 0);
		}
	} else if (strcmp(type, "sample") == 0) {
		struct snapshot *s = trace_sample_from(o, err);

		if (s == NULL)
			rc = -1;
		else {
			tf->samples = xreallocarray(tf->samples, tf->nsamples + 1,
			    sizeof *tf->samples);
			tf->samples[tf->nsamples++] = s;
		}
	} else if (strcmp(type, "end") == 0) {
		tf->ended = true;
		tf->status = (int)trace_int(json_object_get(o, "status"), "code", 0);
		tf->end_t = trace_num(o, "t");
		summary_free(tf->summary);
		tf->summary = trace_summary(json_object_get(o, "summary"));
	} else if (strcmp(type, "exit") == 0) {
		/* What samples show too, but at the time of the reaping. */
		struct trace_exit *e;

		tf->exits = xreallocarray(tf->exits, tf->nexits + 1,
		    sizeof *tf->exits);
		e = &tf->exits[tf->nexits++];
		memset(e, 0, sizeof *e);
		e->t = trace_num(o, "t");
		e->pid = (pid_t)trace_int(o, "pid", 0);
		e->stage = (int)trace_int(o, "stage", -1);
		trace_exit(json_object_get(o, "status"), &e->status);
		e->status.t = e->t;
	} else if (strcmp(type, "process") == 0) {
		/* A life between samples, for the timeline of a replay. */
		struct trace_life *lf;
		const char *comm = trace_str(o, "comm");
		json_t *st = json_object_get(o, "status");

		tf->lives = xreallocarray(tf->lives, tf->nlives + 1,
		    sizeof *tf->lives);
		lf = &tf->lives[tf->nlives++];
		memset(lf, 0, sizeof *lf);
		lf->pid = (pid_t)trace_int(o, "pid", 0);
		lf->ppid = (pid_t)trace_int(o, "ppid", 0);
		lf->stage = (int)trace_int(o, "stage", -1);
		lf->began = json_is_number(json_object_get(o, "began")) ?
		    trace_num(o, "began") : -1;
		lf->ended = json_is_number(json_object_get(o, "ended")) ?
		    trace_num(o, "ended") : trace_num(o, "t");
		lf->sampled = json_is_true(json_object_get(o, "sampled"));
		lf->status_known = json_is_object(st);
		if (lf->status_known)
			trace_exit(st, &lf->status);
		snprintf(lf->comm, sizeof lf->comm, "%s", comm != NULL ? comm : "");
	}
	/* Unknown types are newer. */
	json_decref(o);
	return rc;
}

/*
 * One line of f into *line (NUL-terminated, newline kept), at most
 * TRACE_LINE_MAX bytes: its length, -1 at the end of f, or -2 when it is
 * longer (a device such as /dev/zero, or a file that is no trace, would
 * otherwise be read into memory without end).
 */
static long
trace_getline(FILE *f, char **line, size_t *cap)
{
	size_t len = 0;
	int c;

	while ((c = getc_unlocked(f)) != EOF) {
		if (len >= TRACE_LINE_MAX)
			return -2;
		if (len + 2 > *cap) {
			*cap = *cap < 4096 ? 4096 : *cap * 2;
			*line = xreallocarray(*line, *cap, 1);
		}
		(*line)[len++] = (char)c;
		if (c == '\n')
			break;
	}
	if (len == 0)
		return -1;
	(*line)[len] = '\0';
	return (long)len;
}

int
trace_read(FILE *f, struct trace_file *tf, char **err)
{
	char *line = NULL, *why = NULL;
	size_t cap = 0, lineno = 0;
	long n;

	memset(tf, 0, sizeof *tf);
	*err = NULL;
	while ((n = trace_getline(f, &line, &cap)) != -1) {
		lineno++;
		if (n == -2) {
			why = xasprintf("longer than %d MiB (%d bytes); not a "
			    "pipeviz trace", TRACE_LINE_MAX >> 20, TRACE_LINE_MAX);
			break;
		}
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		else if (n > 0) {
			why = xstrdup("the last line is cut off");
			break;
		}
		if (trace_line(tf, line, lineno, &why) == -1)
			break;
	}
	/* A read that failed (EIO, EISDIR) is no end of the trace. */
	if (why == NULL && ferror(f)) {
		why = xasprintf("cannot read: %s", strerror(errno));
		lineno++;
	}
	free(line);
	if (why != NULL && (lineno <= 1 || tf->nsamples == 0)) {
		*err = xasprintf("line %zu: %s", lineno, why);
		free(why);
		trace_file_clear(tf);
		return -1;
	}
	if (lineno == 0 || tf->command == NULL || tf->nsamples == 0) {
		*err = xasprintf("line %zu: %s", lineno == 0 ? 1 : lineno,
		    lineno == 0 ? "empty file" : "no sample records");
		trace_file_clear(tf);
		return -1;
	}
	if (why != NULL) {
		tf->warning = xasprintf("line %zu: %s; playing the %zu samples "
		    "before it", lineno, why, tf->nsamples);
		free(why);
	}
	return 0;
}

void
trace_file_clear(struct trace_file *tf)
{
	for (size_t i = 0; i < tf->nsamples; i++)
		snapshot_free(tf->samples[i]);
	free(tf->samples);
	free(tf->exits);
	free(tf->lives);
	free(tf->command);
	free(tf->mode);
	free(tf->warning);
	for (size_t i = 0; i < tf->nstages; i++)
		free(tf->stages[i]);
	free(tf->stages);
	summary_free(tf->summary);
	memset(tf, 0, sizeof *tf);
}
