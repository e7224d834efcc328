/* cmdline.c - argv quoted as a shell would, and a pipeline's command line. */
#include "pipeviz/cmdline.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pipeviz/util.h"

struct cmdline_buf {
	char *text;
	size_t len, cap;
	bool full;
};

static void
cmdline_put(struct cmdline_buf *b, const char *s, size_t n)
{
	if (b->full)
		return;
	if (b->len + n > CMDLINE_MAX) {
		n = CMDLINE_MAX - b->len;
		b->full = true;
	}
	if (b->len + n + 4 > b->cap) {
		b->cap = b->len + n + 64;
		b->text = xreallocarray(b->text, b->cap, 1);
	}
	memcpy(b->text + b->len, s, n);
	b->len += n;
	if (b->full) {
		memcpy(b->text + b->len, "...", 3);
		b->len += 3;
	}
	b->text[b->len] = '\0';
}

static void
cmdline_puts(struct cmdline_buf *b, const char *s)
{
	cmdline_put(b, s, strlen(s));
}

/* Bytes a shell reads as part of a plain word (UTF-8 included). */
static bool
cmdline_plain(const char *w)
{
	if (*w == '\0')
		return false;
	for (const unsigned char *c = (const unsigned char *)w; *c; c++) {
		if (!(*c >= 0x80 || (*c >= 'a' && *c <= 'z') ||
		    (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		    strchr("_@%+=:,./-", *c) != NULL))
			return false;
	}
	return true;
}

static void
cmdline_word(struct cmdline_buf *b, const char *w)
{
	if (cmdline_plain(w)) {
		cmdline_puts(b, w);
		return;
	}
	cmdline_put(b, "'", 1);
	for (const char *q; (q = strchr(w, '\'')) != NULL; w = q + 1) {
		cmdline_put(b, w, (size_t)(q - w));
		cmdline_puts(b, "'\\''");
	}
	cmdline_puts(b, w);
	cmdline_put(b, "'", 1);
}

static void
cmdline_argv(struct cmdline_buf *b, char *const *argv)
{
	for (size_t i = 0; argv[i] != NULL; i++) {
		if (i > 0)
			cmdline_put(b, " ", 1);
		cmdline_word(b, argv[i]);
	}
}

char *
cmdline_quote_argv(char *const *argv)
{
	struct cmdline_buf b = { 0 };

	cmdline_put(&b, "", 0);
	cmdline_argv(&b, argv);
	return b.text;
}

/* The channel fd (0 read, 1 write) of p is on, or 0. */
static uint64_t
cmdline_std_channel(const struct snapshot *s, const struct snap_proc *p,
    int fd)
{
	const struct snap_fd *f = snapshot_proc_fd(p, fd);

	return f != NULL ? snapshot_fd_channel(s, f, fd == 0) : 0;
}

/* A stage and the channels on its fds 0 and 1, for the sorts below. */
struct cmdline_root {
	const struct snap_proc *p;
	uint64_t in, out;
	bool done;
};

static int
cmdline_cmp_in(const void *a, const void *b)
{
	uint64_t x = (*(struct cmdline_root *const *)a)->in;
	uint64_t y = (*(struct cmdline_root *const *)b)->in;

	return (x > y) - (x < y);
}

static int
cmdline_cmp_out(const void *a, const void *b)
{
	uint64_t x = (*(struct cmdline_root *const *)a)->out;
	uint64_t y = (*(struct cmdline_root *const *)b)->out;

	return (x > y) - (x < y);
}

/* The first of v (sorted by cmp's channel) whose channel is ch, or NULL. */
static struct cmdline_root **
cmdline_lookup(struct cmdline_root **v, size_t n, uint64_t ch, bool by_in)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if ((by_in ? v[mid]->in : v[mid]->out) < ch)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && (by_in ? v[lo]->in : v[lo]->out) == ch ? &v[lo] : NULL;
}

static void
cmdline_stage(struct cmdline_buf *b, const struct snap_proc *p)
{
	if (p->argv[0] != NULL)
		cmdline_argv(b, p->argv);
	else {
		cmdline_puts(b, "[");
		cmdline_puts(b, p->comm);
		cmdline_puts(b, "]");
	}
}

char *
cmdline_pipeline(const struct snapshot *s)
{
	struct cmdline_buf b = { 0 };
	size_t n = 0;
	struct cmdline_root *r = xcalloc(s->nprocs + 1, sizeof *r);
	struct cmdline_root **by_in = xcalloc(s->nprocs + 1, sizeof *by_in);
	struct cmdline_root **by_out = xcalloc(s->nprocs + 1, sizeof *by_out);
	pid_t *pids = xcalloc(s->nprocs + 1, sizeof *pids);

	cmdline_put(&b, "", 0);
	for (size_t i = 0; i < s->nprocs; i++)
		pids[i] = s->procs[i].pid;
	qsort(pids, s->nprocs, sizeof *pids, util_cmp_pid);
	/* Stages: the processes whose parent is not shown. */
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *p = &s->procs[i];

		if (p->ppid != p->pid && bsearch(&p->ppid, pids, s->nprocs,
		    sizeof *pids, util_cmp_pid) != NULL)
			continue;
		r[n] = (struct cmdline_root){ p, cmdline_std_channel(s, p, 0),
		    cmdline_std_channel(s, p, 1), false };
		by_in[n] = by_out[n] = &r[n];
		n++;
	}
	qsort(by_in, n, sizeof *by_in, cmdline_cmp_in);
	qsort(by_out, n, sizeof *by_out, cmdline_cmp_out);
	/*
	 * Chains from their heads (nothing shown writes their input), then
	 * whatever is left (a ring has no head) from its first process.
	 */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t h = 0; h < n; h++) {
			struct cmdline_root *at = &r[h];

			if (at->done || (pass == 0 && at->in != 0 &&
			    cmdline_lookup(by_out, n, at->in, false) != NULL))
				continue;
			if (b.len > 0)
				cmdline_puts(&b, "; ");
			while (at != NULL) {
				struct cmdline_root **next = at->out != 0 ?
				    cmdline_lookup(by_in, n, at->out, true) : NULL;

				at->done = true;
				cmdline_stage(&b, at->p);
				/* The first reader of its output not yet named. */
				while (next != NULL && next < by_in + n &&
				    (*next)->in == at->out && (*next)->done)
					next++;
				at = next != NULL && next < by_in + n &&
				    (*next)->in == at->out ? *next : NULL;
				if (at != NULL)
					cmdline_puts(&b, " | ");
			}
		}
	}
	free(r);
	free(by_in);
	free(by_out);
	free(pids);
	return b.text;
}
