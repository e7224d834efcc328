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

char *
cmdline_pipeline(const struct snapshot *s)
{
	struct cmdline_buf b = { 0 };
	size_t n = s->nprocs, nroots = 0;
	const struct snap_proc **root = xcalloc(n + 1, sizeof *root);
	uint64_t *in = xcalloc(n + 1, sizeof *in), *out = xcalloc(n + 1,
	    sizeof *out);
	bool *done = xcalloc(n + 1, sizeof *done);

	cmdline_put(&b, "", 0);
	for (size_t i = 0; i < n; i++) {
		const struct snap_proc *p = &s->procs[i];

		if (snapshot_find_proc(s, p->ppid) != NULL && p->ppid != p->pid)
			continue;
		in[nroots] = cmdline_std_channel(s, p, 0);
		out[nroots] = cmdline_std_channel(s, p, 1);
		root[nroots++] = p;
	}
	/*
	 * Chains from their heads (nothing shown writes their input), then
	 * whatever is left (a ring has no head) from its lowest pid.
	 */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t h = 0; h < nroots; h++) {
			bool head = true;

			for (size_t k = 0; pass == 0 && k < nroots; k++)
				head &= k == h || in[h] == 0 || out[k] != in[h];
			if (done[h] || !head)
				continue;
			if (b.len > 0)
				cmdline_puts(&b, "; ");
			for (size_t at = h, next; at < nroots; at = next) {
				done[at] = true;
				if (root[at]->argv[0] != NULL)
					cmdline_argv(&b, root[at]->argv);
				else {
					cmdline_puts(&b, "[");
					cmdline_puts(&b, root[at]->comm);
					cmdline_puts(&b, "]");
				}
				for (next = 0; next < nroots; next++) {
					if (!done[next] && out[at] != 0 &&
					    in[next] == out[at])
						break;
				}
				if (next < nroots)
					cmdline_puts(&b, " | ");
			}
		}
	}
	free(root);
	free(in);
	free(out);
	free(done);
	return b.text;
}
