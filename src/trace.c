/* trace.c - write the JSON Lines trace with jansson. */
#include "pipeviz/trace.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pipeviz/explain.h"
#include "pipeviz/procparse.h"
#include "pipeviz/util.h"

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

/* Length of the valid UTF-8 sequence at s, or 0 if it is not one. */
static size_t
trace_utf8_len(const unsigned char *s)
{
	size_t n;
	uint32_t c;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* No overlong forms, surrogates or code points past U+10FFFF. */
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	return n;
}

/*
 * A JSON string of text from the system: names, argv and paths may hold
 * any bytes, JSON only UTF-8.  Bytes that are not UTF-8 become '?', one
 * each (lengths stay as they were), rather than losing the field.
 */
static json_t *
trace_string(const char *s)
{
	json_t *v = json_string(s);
	char *copy;
	size_t n;

	if (v != NULL)
		return v;
	copy = xstrdup(s);
	for (unsigned char *p = (unsigned char *)copy; *p != '\0'; p += n) {
		if ((n = trace_utf8_len(p)) == 0) {
			*p = '?';
			n = 1;
		}
	}
	if ((v = json_string(copy)) == NULL) {
		for (unsigned char *p = (unsigned char *)copy; *p != '\0'; p++)
			*p = *p < 0x80 ? *p : '?';
		v = json_string(copy);
	}
	free(copy);
	return v;
}

/* Rates and shares with a sensible number of digits. */
static json_t *
trace_real(double v, double scale)
{
	return json_real(round(v * scale) / scale);
}

static json_t *
trace_exit_status(const struct snap_exit *e)
{
	if (e->signal != 0)
		return json_pack("{s:i,s:s}", "signal", e->signal, "name",
		    trace_signal_name(e->signal));
	return json_pack("{s:i}", "code", e->code);
}

static json_t *
trace_fd(const struct snap_fd *f)
{
	json_t *o = json_object();

	json_object_set_new(o, "fd", json_integer(f->fd));
	json_object_set_new(o, "mode", json_string(snapshot_mode_name(f->mode)));
	json_object_set_new(o, "kind", json_string(snapshot_kind_name(f->kind)));
	json_object_set_new(o, "inode", f->inode != 0 ?
	    json_integer((json_int_t)f->inode) : json_null());
	json_object_set_new(o, "path", f->path != NULL ?
	    trace_string(f->path) : json_null());
	json_object_set_new(o, "pos", f->pos >= 0 ? json_integer(f->pos) :
	    json_null());
	json_object_set_new(o, "size", f->size >= 0 ? json_integer(f->size) :
	    json_null());
	return o;
}

static json_t *
trace_proc(const struct snapshot *s, const struct snap_proc *p)
{
	json_t *o = json_object(), *argv = json_array(), *fds = json_array();
	char state[2] = { p->state, '\0' };
	const char *sc;
	char *explain;

	for (char **a = p->argv; *a != NULL; a++)
		json_array_append_new(argv, trace_string(*a));
	for (size_t i = 0; i < p->nfds; i++)
		json_array_append_new(fds, trace_fd(&p->fds[i]));
	json_object_set_new(o, "pid", json_integer(p->pid));
	json_object_set_new(o, "ppid", json_integer(p->ppid));
	json_object_set_new(o, "pgid", json_integer(p->pgid));
	json_object_set_new(o, "start", json_integer((json_int_t)p->start_ticks));
	json_object_set_new(o, "stage", p->stage >= 0 ? json_integer(p->stage) :
	    json_null());
	json_object_set_new(o, "comm", trace_string(p->comm));
	json_object_set_new(o, "argv", argv);
	json_object_set_new(o, "state", trace_string(state));
	json_object_set_new(o, "cpu_pct", trace_real(p->cpu_pct, 10));
	json_object_set_new(o, "rss_kib", json_integer((json_int_t)p->rss_kib));
	json_object_set_new(o, "read_bps", trace_real(p->read_bps, 1));
	json_object_set_new(o, "write_bps", trace_real(p->write_bps, 1));
	json_object_set_new(o, "rchar", p->io_known ?
	    json_integer((json_int_t)p->rchar) : json_null());
	json_object_set_new(o, "wchar", p->io_known ?
	    json_integer((json_int_t)p->wchar) : json_null());
	if (p->blocked.op == SNAP_BLOCK_NONE)
		json_object_set_new(o, "blocked", json_null());
	else
		json_object_set_new(o, "blocked", json_pack("{s:s,s:o,s:o}",
		    "op", snapshot_op_name(p->blocked.op),
		    "fd", p->blocked.fd >= 0 ? json_integer(p->blocked.fd) :
		    json_null(),
		    "pipe", p->blocked.pipe != 0 ?
		    json_integer((json_int_t)p->blocked.pipe) : json_null()));
	sc = p->syscall >= 0 ? procparse_syscall_name(p->syscall) : "";
	json_object_set_new(o, "syscall", sc[0] != '\0' ? json_string(sc) :
	    json_null());
	json_object_set_new(o, "wchan", p->wchan[0] != '\0' ?
	    trace_string(p->wchan) : json_null());
	json_object_set_new(o, "fds", fds);
	if (p->fds_denied)
		json_object_set_new(o, "fds_denied", json_true());
	json_object_set_new(o, "exit", p->exit.exited ?
	    trace_exit_status(&p->exit) : json_null());
	explain = explain_proc(s, p);
	json_object_set_new(o, "explain", trace_string(explain));
	free(explain);
	return o;
}

static json_t *
trace_ends(const struct snap_end *e, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:i,s:i}", "pid", e[i].pid,
		    "fd", e[i].fd));
	return a;
}

/*
 * Bytes as a JSON string in which byte N is code point U+00NN, so that
 * any bytes (NUL, invalid UTF-8) survive the round trip: the UTF-8 of
 * U+0080..U+00FF is two bytes, 0xC2 or 0xC3 and a continuation byte.
 */
static json_t *
trace_bytes(const char *data, size_t n)
{
	char *utf8 = xmalloc(2 * n + 1);
	size_t len = 0;
	json_t *v;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)data[i];

		if (c < 0x80)
			utf8[len++] = (char)c;
		else {
			utf8[len++] = (char)(0xc0 | (c >> 6));
			utf8[len++] = (char)(0x80 | (c & 0x3f));
		}
	}
	v = json_stringn(utf8, len);
	free(utf8);
	return v;
}

static json_t *
trace_pipe(const struct snap_pipe *pp)
{
	json_t *o = json_object();

	json_object_set_new(o, "inode", json_integer((json_int_t)pp->inode));
	json_object_set_new(o, "kind", json_string(snapshot_kind_name(pp->kind)));
	json_object_set_new(o, "path", pp->path != NULL ?
	    trace_string(pp->path) : json_null());
	json_object_set_new(o, "fill", pp->fill >= 0 ? json_integer(pp->fill) :
	    json_null());
	json_object_set_new(o, "capacity", pp->capacity >= 0 ?
	    json_integer(pp->capacity) : json_null());
	json_object_set_new(o, "writers", trace_ends(pp->writers, pp->nwriters));
	json_object_set_new(o, "readers", trace_ends(pp->readers, pp->nreaders));
	if (pp->stray)
		json_object_set_new(o, "stray", json_true());
	/* Pipe data only when it was asked for (--peek). */
	if (pp->peek != NULL && pp->npeek > 0)
		json_object_set_new(o, "peek", trace_bytes(pp->peek, pp->npeek));
	return o;
}

static json_t *
trace_diag(const struct snap_diag *d)
{
	json_t *pids = json_array(), *pipes = json_array();

	for (size_t i = 0; i < d->npids; i++)
		json_array_append_new(pids, json_integer(d->pids[i]));
	for (size_t i = 0; i < d->npipes; i++)
		json_array_append_new(pipes, json_integer((json_int_t)d->pipes[i]));
	return json_pack("{s:o,s:o,s:o,s:o}", "kind", trace_string(d->kind),
	    "pids", pids, "pipes", pipes, "message", trace_string(d->message));
}

static json_t *
trace_sample(const struct snapshot *s)
{
	json_t *procs = json_array(), *pipes = json_array(), *diags = json_array();

	for (size_t i = 0; i < s->nprocs; i++)
		json_array_append_new(procs, trace_proc(s, &s->procs[i]));
	for (size_t i = 0; i < s->npipes; i++)
		json_array_append_new(pipes, trace_pipe(&s->pipes[i]));
	for (size_t i = 0; i < s->ndiags; i++)
		json_array_append_new(diags, trace_diag(&s->diags[i]));
	return json_pack("{s:s,s:o,s:o,s:o,s:o}", "type", "sample",
	    "t", trace_real(s->t, 1000), "procs", procs, "pipes", pipes,
	    "diagnoses", diags);
}

/* One record per line, flushed, so a reader such as jq sees it at once. */
static int
trace_emit(FILE *f, json_t *o)
{
	int rc;

	if (o == NULL)
		fatalx("trace: cannot build a record");
	rc = json_dumpf(o, f, JSON_COMPACT | JSON_ENSURE_ASCII |
	    JSON_REAL_PRECISION(12));
	json_decref(o);
	if (rc != 0 || fputc('\n', f) == EOF || fflush(f) == EOF) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

int
trace_write_start(FILE *f, const char *mode, const char *command,
    int interval_ms)
{
	return trace_emit(f, json_pack("{s:s,s:i,s:o,s:o,s:i,s:s}", "type",
	    "start", "version", TRACE_VERSION, "mode", trace_string(mode),
	    "command", trace_string(command), "interval_ms", interval_ms,
	    "pipeviz", PIPEVIZ_VERSION));
}

int
trace_write_sample(FILE *f, const struct snapshot *s)
{
	return trace_emit(f, trace_sample(s));
}

int
trace_write_exit(FILE *f, double t, pid_t pid, int stage,
    const struct snap_exit *e)
{
	return trace_emit(f, json_pack("{s:s,s:o,s:i,s:o,s:o}", "type", "exit",
	    "t", trace_real(t, 1000), "pid", pid, "stage",
	    stage >= 0 ? json_integer(stage) : json_null(), "status",
	    trace_exit_status(e)));
}

int
trace_write_end(FILE *f, double t, int status, int signal)
{
	json_t *o = json_pack("{s:s,s:o,s:{s:i}}", "type", "end", "t",
	    trace_real(t, 1000), "status", "code", status);

	if (o != NULL && signal != 0)
		json_object_set_new(o, "stopped_by",
		    json_string(trace_signal_name(signal)));
	return trace_emit(f, o);
}

char *
trace_sample_string(const struct snapshot *s)
{
	json_t *o = trace_sample(s);
	char *text = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(12));

	json_decref(o);
	if (text == NULL)
		fatalx("trace: cannot format a sample");
	return text;
}
