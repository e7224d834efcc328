/*
 * perfetto.c - a recorded trace as Chrome Trace Event Format JSON
 * (perfetto.h; the mapping is in docs/perfetto.md).
 */
#include "pipeviz/perfetto.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeviz/idmap.h"
#include "pipeviz/jsonw.h"
#include "pipeviz/trace.h"
#include "pipeviz/util.h"

/* A process's track, by identity (pid and start time): its open span. */
struct pf_track {
	pid_t pid;
	uint64_t start;
	char *state;	/* the open span's name, NULL when none is open */
	char *explain;	/* the sentence of the span's first sample, or NULL */
	char letter;	/* the state letter then */
	double t0;	/* when the span began */
	bool seen;	/* in the sample at hand */
};

struct pf {
	const struct trace_file *tf;
	struct jsonw w;
	struct pf_track *tracks;
	size_t ntracks;
	struct idmap track_ix; /* pf_track_key() -> index into tracks */
	struct idmap named;    /* pids whose track has its name written */
	size_t nnamed;
};

/* A track's key: pid (below 2^22, PID_MAX_LIMIT) and start time. */
static uint64_t
pf_track_key(pid_t pid, uint64_t start)
{
	return start << 22 ^ (uint64_t)(uint32_t)pid;
}

/* Seconds into the integer microseconds of "ts"; hostile values clamped. */
static long long
pf_us(double t)
{
	if (!isfinite(t) || t < 0)
		return 0;
	if (t > 1e9) /* 31 years */
		t = 1e9;
	return llround(t * 1e6);
}

/* Control bytes as '?': a viewer shows names as they are. */
static char *
pf_clean(char *text)
{
	for (char *c = text; *c != '\0'; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	}
	return text;
}

/* Open an event object; the caller adds what is left and closes it. */
static void
pf_event(struct pf *f, const char *ph, const char *cat, const char *name,
    pid_t pid, double t)
{
	jsonw_object_begin(&f->w, NULL);
	jsonw_string(&f->w, "ph", ph);
	jsonw_string(&f->w, "cat", cat);
	jsonw_string(&f->w, "name", name);
	jsonw_int(&f->w, "pid", pid);
	jsonw_int(&f->w, "tid", pid);
	jsonw_int(&f->w, "ts", pf_us(t));
}

/* A metadata record: a track's name or its place in the list. */
static void
pf_meta(struct pf *f, const char *what, pid_t pid, const char *name,
    long long sort_index)
{
	jsonw_object_begin(&f->w, NULL);
	jsonw_string(&f->w, "ph", "M");
	jsonw_string(&f->w, "name", what);
	jsonw_int(&f->w, "pid", pid);
	jsonw_int(&f->w, "tid", pid);
	jsonw_object_begin(&f->w, "args");
	if (name != NULL)
		jsonw_string(&f->w, "name", name);
	else
		jsonw_int(&f->w, "sort_index", sort_index);
	jsonw_object_end(&f->w);
	jsonw_object_end(&f->w);
}

static bool
pf_is_named(const struct pf *f, pid_t pid)
{
	return idmap_get(&f->named, (uint64_t)(uint32_t)pid) != IDMAP_NONE;
}

/*
 * Name pid's track once: "yes (pid 812, stage 1)", stages first in
 * pipeline order, then the others as they came.
 */
static void
pf_name_track(struct pf *f, pid_t pid, const char *comm, int stage)
{
	char name[96], thread[32];

	if (!idmap_put(&f->named, (uint64_t)(uint32_t)pid, f->nnamed))
		return;
	f->nnamed++;
	if (stage >= 0)
		snprintf(name, sizeof name, "%s (pid %d, stage %d)", comm,
		    (int)pid, stage + 1);
	else
		snprintf(name, sizeof name, "%s (pid %d)", comm, (int)pid);
	snprintf(thread, sizeof thread, "%s", comm);
	pf_meta(f, "process_name", pid, pf_clean(name), 0);
	pf_meta(f, "thread_name", pid, pf_clean(thread), 0);
	pf_meta(f, "process_sort_index", pid, NULL, stage >= 0 ? stage :
	    1000 + (long long)f->nnamed);
}

static void
pf_name_tracks(struct pf *f)
{
	const struct trace_file *tf = f->tf;

	pf_meta(f, "process_name", PERFETTO_CHANNELS_PID,
	    "pipes and sockets", 0);
	pf_meta(f, "process_sort_index", PERFETTO_CHANNELS_PID, NULL, 100000);
	for (size_t i = 0; i < tf->nsamples; i++) {
		const struct snapshot *s = tf->samples[i];

		for (size_t k = 0; k < s->nprocs; k++)
			pf_name_track(f, s->procs[k].pid,
			    snapshot_proc_name(&s->procs[k]), s->procs[k].stage);
	}
	/* A stage reaped before any sample saw it. */
	for (size_t i = 0; i < tf->nexits; i++) {
		char comm[32];

		snprintf(comm, sizeof comm, "stage %d", tf->exits[i].stage + 1);
		pf_name_track(f, tf->exits[i].pid, comm, tf->exits[i].stage);
	}
}

const char *
perfetto_state(const struct snapshot *s, const struct snap_proc *p, char *buf,
    size_t size)
{
	const struct snap_blocked *b = &p->blocked;
	const struct snap_pipe *pp;
	char chan[128];

	if (p->exit.exited || p->state == 'X')
		return NULL;
	chan[0] = '\0';
	if (b->pipe != 0 && (pp = snapshot_find_pipe(s, b->pipe)) != NULL)
		snapshot_chan_label(pp, chan, sizeof chan);
	else if (b->fd >= 0)
		snprintf(chan, sizeof chan, "fd %d", b->fd);
	if (p->state == 'Z')
		snprintf(buf, size, "exiting (zombie)");
	else if (p->state == 'T' || p->state == 't')
		snprintf(buf, size, "stopped%s", p->stop == SNAP_STOP_TTIN ?
		    " (SIGTTIN)" : p->stop == SNAP_STOP_TTOU ? " (SIGTTOU)" : "");
	else if (p->state == 'R')
		snprintf(buf, size, "running");
	else if (b->op == SNAP_BLOCK_WRITE)
		snprintf(buf, size, "blocked writing%s%s", *chan ? " " : "", chan);
	else if (b->op == SNAP_BLOCK_READ)
		snprintf(buf, size, "waiting to read%s%s", *chan ? " " : "", chan);
	else if (b->op == SNAP_BLOCK_OPEN)
		snprintf(buf, size, "waiting to open a FIFO");
	else if (b->op == SNAP_BLOCK_WAIT)
		snprintf(buf, size, "waiting for a child");
	else if (b->op == SNAP_BLOCK_POLL)
		snprintf(buf, size, "polling");
	else if (p->state == 'D')
		snprintf(buf, size, "in uninterruptible sleep");
	else if (p->state == 'S' || p->state == 'I')
		snprintf(buf, size, "sleeping");
	else
		snprintf(buf, size, "state %c", p->state > 0x20 &&
		    p->state < 0x7f ? p->state : '?');
	return buf;
}

/* The span tr is in, from its start to t. */
static void
pf_close_span(struct pf *f, struct pf_track *tr, double t)
{
	char letter[2] = { tr->letter, '\0' };

	if (tr->state == NULL)
		return;
	if (t < tr->t0)
		t = tr->t0;
	pf_event(f, "X", "state", tr->state, tr->pid, tr->t0);
	jsonw_int(&f->w, "dur", pf_us(t) - pf_us(tr->t0));
	jsonw_object_begin(&f->w, "args");
	if (letter[0] <= 0x20 || letter[0] >= 0x7f)
		letter[0] = '?';
	jsonw_string(&f->w, "state", letter);
	if (tr->explain != NULL)
		jsonw_string(&f->w, "explain", tr->explain);
	jsonw_object_end(&f->w);
	jsonw_object_end(&f->w);
	free(tr->state);
	free(tr->explain);
	tr->state = tr->explain = NULL;
}

static struct pf_track *
pf_track(struct pf *f, const struct snap_proc *p)
{
	uint64_t key = pf_track_key(p->pid, p->start_ticks);
	size_t i = idmap_get(&f->track_ix, key);
	struct pf_track *tr;

	/*
	 * The key drops start's top bits: a key two identities share (a
	 * start time no kernel gives, in a hostile trace) is looked up in
	 * all of them.
	 */
	if (i != IDMAP_NONE && (f->tracks[i].pid != p->pid ||
	    f->tracks[i].start != p->start_ticks)) {
		for (i = 0; i < f->ntracks; i++) {
			if (f->tracks[i].pid == p->pid &&
			    f->tracks[i].start == p->start_ticks)
				break;
		}
		if (i == f->ntracks)
			i = IDMAP_NONE;
	}
	if (i != IDMAP_NONE)
		return &f->tracks[i];
	idmap_put(&f->track_ix, key, f->ntracks);
	f->tracks = xreallocarray(f->tracks, f->ntracks + 1, sizeof *f->tracks);
	tr = &f->tracks[f->ntracks++];
	memset(tr, 0, sizeof *tr);
	tr->pid = p->pid;
	tr->start = p->start_ticks;
	return tr;
}

/* When pid was reaped, if an exit record says so and it is in (t0, t]. */
static double
pf_exit_time(const struct pf *f, pid_t pid, double t0, double t)
{
	for (size_t i = 0; i < f->tf->nexits; i++) {
		const struct trace_exit *e = &f->tf->exits[i];

		if (e->pid == pid && e->t >= t0 && e->t <= t)
			return e->t;
	}
	return t;
}

/* Each process's state at sample s: a new span where it changed. */
static void
pf_states(struct pf *f, const struct snapshot *s)
{
	char name[192];

	for (size_t i = 0; i < f->ntracks; i++)
		f->tracks[i].seen = false;
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *p = &s->procs[i];
		struct pf_track *tr = pf_track(f, p);
		const char *state = perfetto_state(s, p, name, sizeof name);

		tr->seen = true;
		if (state == NULL) {
			if (tr->state != NULL)
				pf_close_span(f, tr, pf_exit_time(f, tr->pid,
				    tr->t0, s->t));
			continue;
		}
		if (tr->state != NULL && strcmp(tr->state, state) == 0)
			continue;
		pf_close_span(f, tr, s->t);
		tr->state = xstrdup(state);
		tr->explain = p->explain != NULL ? xstrdup(p->explain) : NULL;
		tr->letter = p->state;
		tr->t0 = s->t;
	}
	/* Gone from the picture (an attached process that ended). */
	for (size_t i = 0; i < f->ntracks; i++) {
		if (!f->tracks[i].seen)
			pf_close_span(f, &f->tracks[i], s->t);
	}
}

/* A counter's track name: the channel's label, one per channel. */
static void
pf_chan_name(const struct snap_pipe *pp, char *buf, size_t size)
{
	char label[128];

	snapshot_chan_label(pp, label, sizeof label);
	/* "TCP 127.0.0.1:80" names the far end, which two sockets share. */
	if (pp->kind == SNAP_FD_SOCKET && strstr(label, "socket") == NULL)
		snprintf(buf, size, "%s (socket %" PRIu64 ")", label, pp->inode);
	else
		snprintf(buf, size, "%s", label);
}

static void
pf_counters(struct pf *f, const struct snapshot *s)
{
	char chan[160], name[192];

	for (size_t i = 0; i < s->npipes; i++) {
		const struct snap_pipe *pp = &s->pipes[i];

		if (pp->stray)
			continue;
		pf_chan_name(pp, chan, sizeof chan);
		if (pp->fill >= 0) {
			snprintf(name, sizeof name, "%s fill", chan);
			pf_event(f, "C", "channel", name, PERFETTO_CHANNELS_PID,
			    s->t);
			jsonw_object_begin(&f->w, "args");
			jsonw_int(&f->w, "bytes", pp->fill);
			jsonw_object_end(&f->w);
			jsonw_object_end(&f->w);
		}
		if (pp->rate_bps >= 0 && isfinite(pp->rate_bps)) {
			snprintf(name, sizeof name, "%s rate", chan);
			pf_event(f, "C", "channel", name, PERFETTO_CHANNELS_PID,
			    s->t);
			jsonw_object_begin(&f->w, "args");
			jsonw_real(&f->w, "bytes_per_s", pp->rate_bps, 1);
			jsonw_object_end(&f->w);
			jsonw_object_end(&f->w);
		}
	}
}

static bool
pf_same_diag(const struct snap_diag *a, const struct snap_diag *b)
{
	return strcmp(a->kind, b->kind) == 0 && a->npids == b->npids &&
	    (a->npids == 0 ||
	    memcmp(a->pids, b->pids, a->npids * sizeof *a->pids) == 0);
}

/* Diagnoses that s has and the sample before it had not: one instant each. */
static void
pf_diagnoses(struct pf *f, const struct snapshot *s, const struct snapshot *prev)
{
	for (size_t i = 0; i < s->ndiags; i++) {
		const struct snap_diag *d = &s->diags[i];
		bool seen = false;
		pid_t pid;

		for (size_t k = 0; prev != NULL && k < prev->ndiags && !seen; k++)
			seen = pf_same_diag(d, &prev->diags[k]);
		if (seen)
			continue;
		/* On the track of the process it names first, else global. */
		pid = d->npids > 0 && pf_is_named(f, d->pids[0]) ? d->pids[0] :
		    PERFETTO_CHANNELS_PID;
		pf_event(f, "i", "diagnosis", d->kind, pid, s->t);
		jsonw_string(&f->w, "s", pid == PERFETTO_CHANNELS_PID ? "g" : "t");
		jsonw_object_begin(&f->w, "args");
		jsonw_string(&f->w, "message", d->message);
		jsonw_array_begin(&f->w, "pids");
		for (size_t k = 0; k < d->npids; k++)
			jsonw_int(&f->w, NULL, d->pids[k]);
		jsonw_array_end(&f->w);
		jsonw_array_begin(&f->w, "pipes");
		for (size_t k = 0; k < d->npipes; k++)
			jsonw_int(&f->w, NULL, (long long)d->pipes[k]);
		jsonw_array_end(&f->w);
		jsonw_object_end(&f->w);
		jsonw_object_end(&f->w);
	}
}

/* An exit as an instant on the process's track: "exit 0", "SIGPIPE". */
static void
pf_exit(struct pf *f, pid_t pid, double t, int stage,
    const struct snap_exit *status)
{
	char name[32];

	if (status->signal != 0)
		snprintf(name, sizeof name, "%s", trace_signal_name(status->signal));
	else
		snprintf(name, sizeof name, "exit %d", status->code);
	pf_event(f, "i", "exit", name, pid, t);
	jsonw_string(&f->w, "s", "t");
	jsonw_object_begin(&f->w, "args");
	if (stage >= 0)
		jsonw_int(&f->w, "stage", stage);
	if (status->signal != 0)
		jsonw_int(&f->w, "signal", status->signal);
	else
		jsonw_int(&f->w, "code", status->code);
	jsonw_object_end(&f->w);
	jsonw_object_end(&f->w);
}

static void
pf_exits(struct pf *f)
{
	for (size_t i = 0; i < f->tf->nexits; i++) {
		const struct trace_exit *e = &f->tf->exits[i];

		pf_exit(f, e->pid, e->t, e->stage, &e->status);
	}
}

/*
 * The process records (the kernel's process events): one that no sample
 * showed gets a track with a span "alive between samples" from its fork
 * to its exit; each its exit instant, when its status is known.
 */
static void
pf_lives(struct pf *f)
{
	for (size_t i = 0; i < f->tf->nlives; i++) {
		const struct trace_life *r = &f->tf->lives[i];

		/* Not a stage itself (stages have exit records): no stage's place. */
		pf_name_track(f, r->pid, r->comm[0] != '\0' ? r->comm : "?", -1);
		if (!r->sampled && r->began >= 0 && r->ended >= r->began) {
			pf_event(f, "X", "state", "alive between samples",
			    r->pid, r->began);
			jsonw_int(&f->w, "dur", pf_us(r->ended) - pf_us(r->began));
			jsonw_object_begin(&f->w, "args");
			jsonw_int(&f->w, "ppid", r->ppid);
			if (r->stage >= 0)
				jsonw_int(&f->w, "stage", r->stage);
			jsonw_object_end(&f->w);
			jsonw_object_end(&f->w);
		}
		if (r->ended >= 0 && r->status_known)
			pf_exit(f, r->pid, r->ended, -1, &r->status);
	}
}

/* When the last spans end: the end record, else one interval on. */
static double
pf_end_time(const struct trace_file *tf)
{
	double last = tf->nsamples > 0 ? tf->samples[tf->nsamples - 1]->t : 0;

	if (tf->ended && isfinite(tf->end_t) && tf->end_t >= last)
		return tf->end_t;
	return last + tf->interval_ms / 1000.0;
}

char *
perfetto_export(const struct trace_file *tf, const char *version, size_t *len)
{
	struct pf f = { .tf = tf };
	double end = pf_end_time(tf);

	jsonw_reset(&f.w);
	jsonw_object_begin(&f.w, NULL);
	jsonw_array_begin(&f.w, "traceEvents");
	pf_name_tracks(&f);
	for (size_t i = 0; i < tf->nsamples; i++) {
		pf_states(&f, tf->samples[i]);
		pf_counters(&f, tf->samples[i]);
		pf_diagnoses(&f, tf->samples[i], i > 0 ? tf->samples[i - 1] : NULL);
	}
	for (size_t i = 0; i < f.ntracks; i++)
		pf_close_span(&f, &f.tracks[i], end);
	pf_exits(&f);
	pf_lives(&f);
	jsonw_array_end(&f.w);
	jsonw_string(&f.w, "displayTimeUnit", "ms");
	jsonw_object_begin(&f.w, "otherData");
	jsonw_string(&f.w, "pipeviz", version);
	jsonw_string(&f.w, "mode", tf->mode);
	jsonw_string(&f.w, "command", tf->command);
	jsonw_int(&f.w, "interval_ms", tf->interval_ms);
	if (tf->ended)
		jsonw_int(&f.w, "status", tf->status);
	jsonw_object_end(&f.w);
	jsonw_object_end(&f.w);
	free(f.tracks);
	idmap_free(&f.named);
	idmap_free(&f.track_ix);
	*len = f.w.len;
	return f.w.buf;
}
