/*
 * explain.c - one sentence about what a process is doing, from a snapshot.
 *
 * The order of the questions is the order in which the facts are sure:
 * an exit is final, a stop overrides whatever syscall the process was in,
 * a process in state R is not asleep in anything, and only then does the
 * syscall it sleeps in (and the pipe behind its fd) say what it waits for.
 */
#include "pipeviz/explain.h"

#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeviz/procparse.h"
#include "pipeviz/sanitize.h"
#include "pipeviz/util.h"

/* CPU share above which a process counts as working, not idle. */
#define EXPLAIN_ACTIVE_CPU 10.0
/* Why a table is fds_unread, as far as the snapshot can tell. */
#define EXPLAIN_UNREAD "pipeviz out of descriptors, or another passing error"

/* The sentence being built. */
struct ex_buf {
	char *text;
	size_t len, cap;
};

static void ex_printf(struct ex_buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
ex_printf(struct ex_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	util_vappendf(&b->text, &b->len, &b->cap, fmt, ap);
	va_end(ap);
}

/*
 * Text from the system (names, paths) sanitized (sanitize.h): the
 * sentence stays one line of printable text, in the trace as well.
 */
static void
ex_name_text(struct ex_buf *b, const char *s)
{
	char *clean = sanitize_dup(s);

	ex_printf(b, "%s", clean);
	free(clean);
}

/* Sizes: "512 bytes", "64 KiB", "1.5 KiB", "1 MiB". */
static void
ex_bytes(struct ex_buf *b, int64_t n)
{
	if (n < 1024)
		ex_printf(b, "%" PRId64 " byte%s", n, n == 1 ? "" : "s");
	else if (n % (1024 * 1024) == 0)
		ex_printf(b, "%" PRId64 " MiB", n / (1024 * 1024));
	else if (n >= 1024 * 1024)
		ex_printf(b, "%.1f MiB", (double)n / (1024 * 1024));
	else if (n % 1024 == 0)
		ex_printf(b, "%" PRId64 " KiB", n / 1024);
	else
		ex_printf(b, "%.1f KiB", (double)n / 1024);
}

/* The separator before item i of n in "a, b and c" (or "a, b or c"). */
static const char *
ex_sep(size_t i, size_t n, const char *last)
{
	if (i == 0)
		return "";
	return i + 1 == n ? last : ", ";
}

/* Processes. */

/* "sleep (pid 812)" */
static void
ex_proc(struct ex_buf *b, const struct snap_proc *p)
{
	ex_name_text(b, snapshot_proc_name(p));
	ex_printf(b, " (pid %d)", (int)p->pid);
}

static bool
ex_stopped(const struct snap_proc *p)
{
	return p->state == 'T' || p->state == 't';
}

/* The CPU share as the trace keeps it (one decimal), so replays agree. */
static double
ex_cpu(const struct snap_proc *p)
{
	return round(p->cpu_pct * 10) / 10;
}

static bool
ex_active(const struct snap_proc *p)
{
	return !snapshot_proc_gone(p) && !ex_stopped(p) &&
	    (p->state == 'R' || ex_cpu(p) >= EXPLAIN_ACTIVE_CPU);
}

/* A live process other than self, by pid. */
static const struct snap_proc *
ex_other(const struct snapshot *s, const struct snap_proc *self, pid_t pid)
{
	const struct snap_proc *q = snapshot_find_proc(s, pid);

	if (q == NULL || q == self || q->pid == self->pid ||
	    snapshot_proc_gone(q))
		return NULL;
	return q;
}

static bool
ex_is_shell(const struct snap_proc *p)
{
	static const char *const shells[] = { "sh", "dash", "bash", "zsh",
		"ksh", "mksh", "ash", "busybox", NULL };
	const char *name = snapshot_proc_name(p);

	for (size_t i = 0; shells[i] != NULL; i++) {
		if (strcmp(name, shells[i]) == 0)
			return true;
	}
	return false;
}

/* "SIGTERM", or "signal 70" for one without a name. */
static void
ex_signal(struct ex_buf *b, int sig)
{
	const char *abbrev = sig > 0 ? sigabbrev_np(sig) : NULL;

	if (abbrev != NULL)
		ex_printf(b, "SIG%s", abbrev);
	else
		ex_printf(b, "signal %d", sig);
}

/* Pipes and fds. */

static bool
ex_pipe_kind(enum snap_fd_kind k)
{
	return k == SNAP_FD_PIPE || k == SNAP_FD_FIFO || k == SNAP_FD_SOCKET;
}

/* "pipe 5159" or "FIFO /tmp/f" */
static void
ex_pipe_name(struct ex_buf *b, const struct snap_pipe *pp)
{
	char label[160];

	ex_printf(b, "%s", snapshot_chan_label(pp, label, sizeof label));
}

/* The pipe p sleeps on, if the fd it sleeps on is a known pipe or FIFO. */
static const struct snap_pipe *
ex_blocked_pipe(const struct snapshot *s, const struct snap_proc *p)
{
	const struct snap_fd *f;

	if (p->blocked.pipe == 0)
		return NULL;
	if (p->blocked.fd >= 0 && (f = snapshot_proc_fd(p, p->blocked.fd)) &&
	    !ex_pipe_kind(f->kind))
		return NULL;
	return snapshot_find_pipe(s, p->blocked.pipe);
}

/* " (the terminal /dev/pts/0)", " (file /tmp/x)", " (a socket)"... */
static void
ex_fd_what(struct ex_buf *b, const struct snap_fd *f)
{
	switch (f->kind) {
	case SNAP_FD_TTY:
		ex_printf(b, "the terminal");
		break;
	case SNAP_FD_SOCKET:
		ex_printf(b, "a socket");
		break;
	case SNAP_FD_FILE:
		ex_printf(b, "file");
		break;
	case SNAP_FD_DEV:
		ex_printf(b, "device");
		break;
	case SNAP_FD_PIPE:
		ex_printf(b, "a pipe");
		break;
	case SNAP_FD_FIFO:
		ex_printf(b, "a FIFO");
		break;
	case SNAP_FD_OTHER:
		ex_printf(b, "an fd of another kind");
		break;
	}
	if (f->path != NULL && f->kind != SNAP_FD_SOCKET &&
	    f->kind != SNAP_FD_PIPE) {
		ex_printf(b, " ");
		ex_name_text(b, f->path);
	}
}

/* Exits. */

static void
ex_sigpipe(struct ex_buf *b, const struct snapshot *s,
    const struct snap_proc *p)
{
	const struct snap_fd *out = snapshot_proc_fd(p, 1);
	const struct snap_pipe *pp = NULL;
	const struct snap_proc *r = NULL;

	if (out != NULL && out->inode != 0 && ex_pipe_kind(out->kind))
		pp = snapshot_find_pipe(s, out->inode);
	if (pp != NULL)
		r = snapshot_fd0_reader(s, p, pp->inode);
	ex_printf(b, "exited by SIGPIPE because its reader ");
	if (r != NULL) {
		ex_proc(b, r);
		ex_printf(b, " went away: it wrote to ");
		ex_pipe_name(b, pp);
		ex_printf(b, " after the last reader had closed it");
	} else
		ex_printf(b, "went away: it wrote to a pipe nobody reads any "
		    "more");
	ex_printf(b, " (normal when a reader stops early, as head does in "
	    "yes | head)");
}

static void
ex_exit_code(struct ex_buf *b, const struct snap_proc *p, int code)
{
	if (code == 0) {
		ex_printf(b, "exited normally with status 0 (success)");
		return;
	}
	char word[64];

	if ((code == 127 || code == 126) && ex_is_shell(p) &&
	    snapshot_proc_command_word(p, word, sizeof word)) {
		ex_printf(b, "%s", word);
		ex_printf(b, code == 127 ? ": command not found (the shell "
		    "exited with status 127)" : ": found but could not be run "
		    "(the shell exited with status 126)");
		return;
	}
	ex_printf(b, "exited with status %d", code);
	if (code == 127 && ex_is_shell(p))
		ex_printf(b, " (the shell's code for \"command not found\")");
	else if (code == 126 && ex_is_shell(p))
		ex_printf(b, " (the shell's code for \"found but could not be "
		    "run\")");
	else if (code > 128 && code < 128 + 65 && ex_is_shell(p) &&
	    sigabbrev_np(code - 128) != NULL) {
		ex_printf(b, " (128 + %d: the command it ran was killed by ",
		    code - 128);
		ex_signal(b, code - 128);
		ex_printf(b, ")");
	} else
		ex_printf(b, " (not 0: it reports a failure, or for a command "
		    "such as grep, no match)");
}

static void
ex_exited(struct ex_buf *b, const struct snapshot *s,
    const struct snap_proc *p)
{
	const char *descr;

	if (p->exit.signal == SIGPIPE) {
		ex_sigpipe(b, s, p);
		return;
	}
	if (p->exit.signal != 0) {
		ex_printf(b, "killed by ");
		ex_signal(b, p->exit.signal);
		descr = sigabbrev_np(p->exit.signal) != NULL ?
		    sigdescr_np(p->exit.signal) : NULL;
		if (p->exit.signal == SIGINT)
			ex_printf(b, " (Ctrl-C)");
		else if (p->exit.signal == SIGKILL)
			ex_printf(b, " (kill -9, or the kernel's out-of-memory "
			    "killer; it could not clean up)");
		else if (descr != NULL)
			ex_printf(b, " (%s)", descr);
		return;
	}
	ex_exit_code(b, p, p->exit.code);
}

static void
ex_zombie(struct ex_buf *b, const struct snapshot *s,
    const struct snap_proc *p)
{
	const struct snap_proc *parent = snapshot_find_proc(s, p->ppid);

	ex_printf(b, "has exited but is a zombie: its parent ");
	if (parent != NULL && parent != p)
		ex_proc(b, parent);
	else
		ex_printf(b, "(pid %d)", (int)p->ppid);
	ex_printf(b, " has not collected its exit status with wait() yet");
}

/* Writers and readers. */

/* "sleep (pid 812) or cat (pid 813)", each named once. */
static void
ex_list_ends(struct ex_buf *b, const struct snapshot *s,
    const struct snap_proc *self, const struct snap_end *ends, size_t n,
    const char *last)
{
	size_t total = 0, k = 0;
	pid_t *named = xcalloc(n + 1, sizeof *named);

	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		for (size_t j = 0; j < total; j++)
			dup = dup || named[j] == ends[i].pid;
		if (!dup && ex_other(s, self, ends[i].pid) != NULL)
			named[total++] = ends[i].pid;
	}
	for (size_t i = 0; i < total; i++) {
		ex_printf(b, "%s", ex_sep(k++, total, last));
		ex_proc(b, snapshot_find_proc(s, named[i]));
	}
	free(named);
}

/* Distinct live holders of ends other than self. */
static size_t
ex_distinct_ends(const struct snapshot *s, const struct snap_proc *self,
    const struct snap_end *ends, size_t n, const struct snap_proc **first,
    bool *any_stopped)
{
	size_t total = 0;

	*first = NULL;
	*any_stopped = false;
	for (size_t i = 0; i < n; i++) {
		const struct snap_proc *q = ex_other(s, self, ends[i].pid);
		bool dup = false;

		if (q == NULL)
			continue;
		for (size_t j = 0; j < i; j++)
			dup = dup || ends[j].pid == ends[i].pid;
		if (dup)
			continue;
		if (*first == NULL)
			*first = q;
		*any_stopped = *any_stopped || ex_stopped(q);
		total++;
	}
	return total;
}

/* "; it continues when sleep (pid 812) reads from it" */
static void
ex_who_reads(struct ex_buf *b, const struct snapshot *s,
    const struct snap_proc *p, const struct snap_pipe *pp)
{
	const struct snap_proc *first;
	bool stopped;
	size_t n = ex_distinct_ends(s, p, pp->readers, pp->nreaders, &first,
	    &stopped);

	if (n == 0 && snapshot_chan_remote(pp)) {
		char far[128];

		ex_printf(b, "; the other end, %s, is not taking the data",
		    snapshot_chan_far_end(pp, far, sizeof far));
		return;
	}
	if (n == 0) {
		if (snapshot_proc_pipe_fd(p, pp->inode, false, 0) >= 0)
			ex_printf(b, "; only it reads this pipe, so it waits "
			    "for itself and never continues");
		else
			ex_printf(b, "; no reader is visible to pipeviz, so it "
			    "continues only if something reads it");
		return;
	}
	ex_printf(b, "; it continues when ");
	ex_list_ends(b, s, p, pp->readers, pp->nreaders, " or ");
	ex_printf(b, " reads from it");
	if (n == 1 && stopped)
		ex_printf(b, ", but %s is stopped (kill -CONT %d)",
		    snapshot_proc_name(first), (int)first->pid);
	else if (stopped)
		ex_printf(b, ", but some of them are stopped");
}

static void
ex_blocked_write(struct ex_buf *b, const struct snapshot *s,
    const struct snap_proc *p, const struct snap_pipe *pp)
{
	if (p->blocked.multiplexed)
		ex_printf(b, "in %s(), ", procparse_syscall_name(p->blocked.call));
	if (pp->capacity > 0 && pp->fill >= pp->capacity) {
		ex_printf(b, "blocked writing fd %d into ", p->blocked.fd);
		ex_pipe_name(b, pp);
		ex_printf(b, ", which is full (");
		ex_bytes(b, pp->capacity);
		ex_printf(b, ")");
	} else if (snapshot_proc_waits_room(p, pp)) {
		ex_printf(b, "blocked writing fd %d into ", p->blocked.fd);
		ex_pipe_name(b, pp);
		if (pp->capacity > 0 && pp->fill >= 0) {
			ex_printf(b, ", which has no room for the next write (");
			ex_bytes(b, pp->fill);
			ex_printf(b, " of ");
			ex_bytes(b, pp->capacity);
			ex_printf(b, ")");
		} else if (pp->fill >= 0) {
			ex_printf(b, ", which has no room (");
			ex_bytes(b, pp->fill);
			ex_printf(b, " queued)");
		}
	} else if (pp->fill >= 0 && pp->capacity > 0) {
		ex_printf(b, "waiting for room to write fd %d into ",
		    p->blocked.fd);
		ex_pipe_name(b, pp);
		ex_printf(b, " (");
		ex_bytes(b, pp->fill);
		ex_printf(b, " of ");
		ex_bytes(b, pp->capacity);
		ex_printf(b, " in it when looked at)");
	} else {
		ex_printf(b, "blocked writing fd %d into ", p->blocked.fd);
		ex_pipe_name(b, pp);
		ex_printf(b, ", whose fill level could not be read");
	}
	ex_who_reads(b, s, p, pp);
}

/* "its writer sleep (pid 810) is still alive, so ..." */
static void
ex_who_writes(struct ex_buf *b, const struct snapshot *s,
    const struct snap_proc *p, const struct snap_pipe *pp)
{
	const struct snap_proc *first, *gone;
	bool stopped;
	size_t n = ex_distinct_ends(s, p, pp->writers, pp->nwriters, &first,
	    &stopped);
	int self_fd = snapshot_proc_pipe_fd(p, pp->inode, true, 0);

	/* Its own write end rules out end-of-file, whatever the others do. */
	const char *what = self_fd >= 0 ? "more data" :
	    "more data or end-of-file";

	if (n == 1) {
		ex_printf(b, "its writer ");
		ex_proc(b, first);
		if (stopped)
			ex_printf(b, " is stopped, so nothing comes until it is "
			    "continued (kill -CONT %d)", (int)first->pid);
		else
			ex_printf(b, " is still %s, so %s may come",
			    ex_active(first) ? "running" : "alive", what);
	} else if (n > 1) {
		ex_printf(b, "its writers ");
		ex_list_ends(b, s, p, pp->writers, pp->nwriters, " and ");
		ex_printf(b, " are still alive, so %s may come", what);
		if (stopped)
			ex_printf(b, " (some of them are stopped)");
	}
	if (self_fd >= 0) {
		ex_printf(b, "%sit holds a write end itself (fd %d), so "
		    "end-of-file can never come", n > 0 ? "; but " : "",
		    self_fd);
		return;
	}
	if (n > 0)
		return;
	gone = snapshot_exited_stage_on(s, pp->inode, true);
	if (gone != NULL) {
		ex_printf(b, "its writer ");
		ex_proc(b, gone);
		ex_printf(b, " has exited, but a process pipeviz does not see "
		    "still holds the write end, so end-of-file does not come");
	} else
		ex_printf(b, "no writer is visible to pipeviz: one it does not "
		    "see holds the write end (or end-of-file would have come)");
}

static void
ex_blocked_read(struct ex_buf *b, const struct snapshot *s,
    const struct snap_proc *p, const struct snap_pipe *pp)
{
	char far[128];

	if (p->blocked.multiplexed)
		ex_printf(b, "in %s(), ", procparse_syscall_name(p->blocked.call));
	if (snapshot_chan_remote(pp)) {
		ex_printf(b, "waiting for data from %s over %s on fd %d",
		    snapshot_chan_far_end(pp, far, sizeof far),
		    snapshot_sock_proto(pp), p->blocked.fd);
		return;
	}
	if (pp->fill > 0) {
		ex_printf(b, "about to read fd %d: ", p->blocked.fd);
		ex_pipe_name(b, pp);
		ex_printf(b, " has ");
		ex_bytes(b, pp->fill);
		ex_printf(b, " waiting for it");
		return;
	}
	ex_printf(b, "waiting for input on fd %d: ", p->blocked.fd);
	ex_pipe_name(b, pp);
	if (pp->fill == 0)
		ex_printf(b, " is empty and ");
	else
		ex_printf(b, " (its fill level could not be read); ");
	ex_who_writes(b, s, p, pp);
}

/* Blocked on an fd that is not a pipe of the snapshot. */
static void
ex_blocked_other(struct ex_buf *b, const struct snap_proc *p)
{
	bool rd = p->blocked.op == SNAP_BLOCK_READ;
	const struct snap_fd *f = p->blocked.fd >= 0 ?
	    snapshot_proc_fd(p, p->blocked.fd) : NULL;

	if (p->blocked.fd < 0) {
		ex_printf(b, "blocked %s; on which fd is not known",
		    rd ? "reading" : "writing");
		return;
	}
	if (f == NULL) {
		ex_printf(b, "blocked %s fd %d", rd ? "reading" : "writing",
		    p->blocked.fd);
		if (p->fds_denied)
			ex_printf(b, "; what fd %d is cannot be known: its fd "
			    "table could not be read (another user's process)",
			    p->blocked.fd);
		else if (p->fds_unread)
			ex_printf(b, "; what fd %d is cannot be known: its fd "
			    "table could not be read (" EXPLAIN_UNREAD ")",
			    p->blocked.fd);
		return;
	}
	if (rd && f->kind == SNAP_FD_TTY) {
		ex_printf(b, "waiting for input from the terminal on fd %d: "
		    "type a line, or Ctrl-D for end-of-file", f->fd);
		return;
	}
	if (f->kind == SNAP_FD_SOCKET) {
		ex_printf(b, rd ? "waiting for data on fd %d from a socket" :
		    "blocked writing fd %d into a socket whose other side is "
		    "not reading", f->fd);
		return;
	}
	ex_printf(b, "blocked %s fd %d (", rd ? "reading" : "writing", f->fd);
	ex_fd_what(b, f);
	ex_printf(b, ")");
	if (!rd && f->kind == SNAP_FD_TTY)
		ex_printf(b, "; the terminal is not taking output (paused "
		    "with Ctrl-S?)");
}

static void
ex_blocked_io(struct ex_buf *b, const struct snapshot *s,
    const struct snap_proc *p)
{
	const struct snap_pipe *pp = ex_blocked_pipe(s, p);

	/* The other threads sleep too (none runs), in futexes mostly. */
	if (p->blocked.tid != 0)
		ex_printf(b, "its thread %d is ", (int)p->blocked.tid);
	if (pp == NULL)
		ex_blocked_other(b, p);
	else if (p->blocked.op == SNAP_BLOCK_WRITE)
		ex_blocked_write(b, s, p, pp);
	else
		ex_blocked_read(b, s, p, pp);
}

static void
ex_open(struct ex_buf *b, const struct snap_proc *p)
{
	if (p->wchan[0] == '\0' || strstr(p->wchan, "partner") != NULL)
		ex_printf(b, "blocked in open() of a FIFO, waiting for the "
		    "other end: opening a FIFO waits until it has both a "
		    "reader and a writer");
	else {
		ex_printf(b, "blocked in open() (kernel wait channel ");
		ex_name_text(b, p->wchan);
		ex_printf(b, ")");
	}
}

static void
ex_wait(struct ex_buf *b, const struct snapshot *s, const struct snap_proc *p)
{
	size_t n = 0, k = 0;

	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *q = &s->procs[i];

		n += q->ppid == p->pid && q != p && !snapshot_proc_gone(q);
	}
	if (n == 0) {
		ex_printf(b, "waiting for a child process to finish (none is "
		    "visible to pipeviz)");
		return;
	}
	ex_printf(b, "waiting for its %s ", n == 1 ? "child" : "children");
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *q = &s->procs[i];

		if (q->ppid != p->pid || q == p || snapshot_proc_gone(q))
			continue;
		ex_printf(b, "%s", ex_sep(k++, n, " and "));
		ex_proc(b, q);
	}
	ex_printf(b, " to finish");
}

/* Asleep in a syscall that is not about a pipe. */
/* "fd 1 (pipe 5159)": an fd of a poll set and what it is. */
static void
ex_wait_fd(struct ex_buf *b, const struct snapshot *s,
    const struct snap_wait_fd *w)
{
	const struct snap_pipe *pp = NULL;
	uint64_t chan = snapshot_wait_channel(s, w);

	ex_printf(b, "fd %d", w->fd);
	if (chan != 0)
		pp = snapshot_find_pipe(s, chan);
	if (pp != NULL) {
		ex_printf(b, " (");
		ex_pipe_name(b, pp);
		ex_printf(b, ")");
	} else if (w->kind != SNAP_FD_OTHER)
		ex_printf(b, " (a %s)", snapshot_kind_name(w->kind));
}

/*
 * A poll, select or epoll set that is not for room only or data only
 * (those read as a blocked write or read): what each fd waits for.
 */
static void
ex_poll(struct ex_buf *b, const struct snapshot *s, const struct snap_proc *p)
{
	const struct snap_blocked *bl = &p->blocked;
	size_t shown = 0, more = 0;

	ex_printf(b, "waiting in %s() ", procparse_syscall_name(bl->call));
	if (bl->nwaits == 0) {
		ex_printf(b, bl->waits_partial ? "for fds that could not be "
		    "read (its poll set is not readable: no permission, or "
		    "it changed)" : "for no fd (a timer or a signal)");
		return;
	}
	ex_printf(b, "until ");
	for (size_t i = 0; i < bl->nwaits; i++) {
		struct snap_wait_fd merged = bl->waits[i];
		const struct snap_wait_fd *w = &merged;
		bool seen = false;

		/* One fd polled for data and for room is one "is ready". */
		for (size_t j = 0; j < bl->nwaits; j++) {
			if (bl->waits[j].fd != merged.fd)
				continue;
			if (j < i) {
				seen = true;
				break;
			}
			merged.in |= bl->waits[j].in;
			merged.out |= bl->waits[j].out;
		}
		if (seen || (!w->in && !w->out))
			continue;
		if (shown == 4) {
			more++;
			continue;
		}
		if (shown > 0)
			ex_printf(b, " or ");
		ex_wait_fd(b, s, w);
		ex_printf(b, " %s", w->in && w->out ? "is ready" : w->in ?
		    "has data" : "has room");
		shown++;
	}
	if (more > 0)
		ex_printf(b, " or one of %zu more fds is ready", more);
	if (bl->waits_partial)
		ex_printf(b, " (and maybe others: its set was not read whole)");
}

static void
ex_sleeping(struct ex_buf *b, const struct snap_proc *p)
{
	static const struct {
		const char *syscall, *what;
	} known[] = {
		{ "nanosleep", "sleeping (timer) in nanosleep(); it wakes up "
		    "by itself when the time is up" },
		{ "clock_nanosleep", "sleeping (timer) in clock_nanosleep(); "
		    "it wakes up by itself when the time is up" },
		{ "poll", "waiting in poll() until one of its fds is ready" },
		{ "ppoll", "waiting in ppoll() until one of its fds is ready" },
		{ "select", "waiting in select() until one of its fds is "
		    "ready" },
		{ "pselect6", "waiting in select() until one of its fds is "
		    "ready" },
		{ "epoll_wait", "waiting in epoll_wait() until one of its fds "
		    "is ready" },
		{ "epoll_pwait", "waiting in epoll_wait() until one of its "
		    "fds is ready" },
		{ "epoll_pwait2", "waiting in epoll_wait() until one of its "
		    "fds is ready" },
		{ "pause", "waiting for a signal (pause)" },
		{ "rt_sigsuspend", "waiting for a signal (sigsuspend)" },
		{ "rt_sigtimedwait", "waiting for a signal (sigtimedwait)" },
		{ "futex", "waiting for a lock or for another thread (futex)" },
		{ "accept", "waiting for a network connection (accept)" },
		{ "accept4", "waiting for a network connection (accept)" },
		{ "connect", "waiting for a network connection to be set up "
		    "(connect)" },
		{ "recvfrom", "waiting for data from a socket (recvfrom)" },
		{ "recvmsg", "waiting for data from a socket (recvmsg)" },
		{ "sendto", "waiting to send into a socket (sendto)" },
		{ "sendmsg", "waiting to send into a socket (sendmsg)" },
		{ "flock", "waiting for a file lock (flock)" },
		{ "fcntl", "waiting for a file lock (fcntl)" },
	};
	const char *sc = p->syscall >= 0 ? procparse_syscall_name(p->syscall) :
	    "";

	for (size_t i = 0; sc[0] != '\0' && i < sizeof known / sizeof known[0];
	    i++) {
		if (strcmp(sc, known[i].syscall) == 0) {
			ex_printf(b, "%s", known[i].what);
			return;
		}
	}
	if (sc[0] != '\0') {
		ex_printf(b, "sleeping in the system call %s()", sc);
		if (p->wchan[0] != '\0') {
			ex_printf(b, " (kernel wait channel ");
			ex_name_text(b, p->wchan);
			ex_printf(b, ")");
		}
	} else if (p->wchan[0] != '\0') {
		ex_printf(b, "sleeping in the kernel (wait channel ");
		ex_name_text(b, p->wchan);
		ex_printf(b, ")");
	} else if (!p->io_known && !p->fds_unread)
		/* (Short of descriptors, the sentence says so at its end.) */
		ex_printf(b, "sleeping; what it waits for could not be read "
		    "(no permission)");
	else
		ex_printf(b, "sleeping; what it waits for is not known");
}

static void
ex_running(struct ex_buf *b, const struct snap_proc *p)
{
	double cpu = ex_cpu(p);

	ex_printf(b, "running on the CPU");
	if (cpu >= 1)
		ex_printf(b, " (%.0f%% of one core over the last interval)",
		    cpu);
}

static void
ex_disk(struct ex_buf *b, const struct snap_proc *p)
{
	const char *sc = p->syscall >= 0 ? procparse_syscall_name(p->syscall) :
	    "";

	ex_printf(b, "in an uninterruptible wait in the kernel (state D");
	if (sc[0] != '\0')
		ex_printf(b, ", in %s()", sc);
	if (p->wchan[0] != '\0') {
		ex_printf(b, ", wait channel ");
		ex_name_text(b, p->wchan);
	}
	ex_printf(b, "), usually for a disk or the network");
}

char *
explain_proc(const struct snapshot *s, const struct snap_proc *p)
{
	struct ex_buf b = { 0 };
	bool live = false;

	ex_printf(&b, "%s", "");
	if (p->exit.exited)
		ex_exited(&b, s, p);
	else if (p->state == 'Z')
		ex_zombie(&b, s, p);
	else if (p->state == 'X')
		ex_printf(&b, "has exited");
	else if (p->state == 'T')
		ex_printf(&b, "stopped by a signal (SIGSTOP, or Ctrl-Z); it does "
		    "nothing until it is continued (kill -CONT %d)",
		    (int)p->pid);
	else if (p->state == 't')
		ex_printf(&b, "stopped by a debugger that traces it; it "
		    "continues when the debugger lets it");
	else if (p->state == 'R') {
		ex_running(&b, p);
		live = true;
	} else if (p->state == 'D') {
		ex_disk(&b, p);
		live = true;
	} else if (p->state == '?')
		ex_printf(&b, "its state could not be read");
	else {
		live = true;
		switch (p->blocked.op) {
		case SNAP_BLOCK_READ:
		case SNAP_BLOCK_WRITE:
			ex_blocked_io(&b, s, p);
			/*
			 * The fds were read, or the sentence said they were
			 * not; or it took the fd from a table kept from an
			 * earlier read, which must be said.
			 */
			live = p->blocked.fd < 0 || (p->fds_unread &&
			    snapshot_proc_fd(p, p->blocked.fd) != NULL);
			break;
		case SNAP_BLOCK_OPEN:
			ex_open(&b, p);
			break;
		case SNAP_BLOCK_WAIT:
			ex_wait(&b, s, p);
			break;
		case SNAP_BLOCK_POLL:
			if (p->blocked.multiplexed) {
				ex_poll(&b, s, p);
				break;
			}
			/* FALLTHROUGH */
		case SNAP_BLOCK_NONE:
			if (p->state == 'S' || p->state == 'I')
				ex_sleeping(&b, p);
			else
				ex_printf(&b, "in state %c", p->state);
			break;
		}
	}
	if (live && p->fds_denied)
		ex_printf(&b, "; its fds could not be read (another user's "
		    "process), so which pipes it holds is not known");
	else if (live && p->fds_unread && p->nfds > 0)
		ex_printf(&b, "; its fds could not be read this time ("
		    EXPLAIN_UNREAD "), so they are as last read");
	else if (live && p->fds_unread)
		ex_printf(&b, "; its fds could not be read (" EXPLAIN_UNREAD
		    "), so which pipes it holds is not known");
	return b.text;
}

/* Peeks. */

char *
explain_peek_text(const struct snap_pipe *pp)
{
	struct ex_buf b = { 0 };

	ex_printf(&b, "%s", "");
	for (size_t i = 0; pp->peek != NULL && i < pp->npeek; i++) {
		unsigned char c = (unsigned char)pp->peek[i];

		if (c == '\n')
			ex_printf(&b, "\\n");
		else if (c == '\t')
			ex_printf(&b, "\\t");
		else if (c == '\r')
			ex_printf(&b, "\\r");
		else if (c == '\\')
			ex_printf(&b, "\\\\");
		else if (c >= 0x20 && c < 0x7f)
			ex_printf(&b, "%c", c);
		else
			ex_printf(&b, "\\x%02x", c);
	}
	return b.text;
}

char *
explain_peek_hex(const struct snap_pipe *pp, size_t width)
{
	struct ex_buf b = { 0 };

	ex_printf(&b, "%s", "");
	for (size_t i = 0; pp->peek != NULL && i < pp->npeek; i++) {
		const char *sep = i == 0 ? "" :
		    width > 0 && i % width == 0 ? "\n" : " ";

		ex_printf(&b, "%s%02x", sep, (unsigned char)pp->peek[i]);
	}
	return b.text;
}

char *
explain_of(const struct snapshot *s, const struct snap_proc *p)
{
	return p->explain != NULL ? xstrdup(p->explain) : explain_proc(s, p);
}
