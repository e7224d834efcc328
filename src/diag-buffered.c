/*
 * diag-buffered.c - buffered_output: a stage that keeps reading but
 * writes nothing, its output probably held in a stdio buffer, and how to
 * make that program write as it goes.
 */
#include <string.h>

#include "pipeviz/util.h"
#include "diagnose-internal.h"

/*
 * buffered_output: how long a stage must read without writing, and in how
 * many samples its read counter must have grown; a stage seen writing in
 * bursts must stay quiet for twice the time between its last two writes.
 */
#define DIAG_BUFFERED_SECONDS 2.0
#define DIAG_BUFFERED_READS 3
#define DIAG_BUFFERED_GAPS 2.0

/* p's pipe on fd with a mode that includes want, if it is in the picture. */
static const struct snap_pipe *
stdio_pipe(const struct snapshot *s, const struct snap_proc *p, int fd,
    enum snap_fd_mode want)
{
	const struct snap_fd *f = snapshot_proc_fd(p, fd);
	const struct snap_pipe *pp;

	if (f == NULL || (f->kind != SNAP_FD_PIPE && f->kind != SNAP_FD_FIFO) ||
	    f->inode == 0 || (f->mode != want && f->mode != SNAP_MODE_RW))
		return NULL;
	pp = snapshot_find_pipe(s, f->inode);
	return pp != NULL && !pp->stray ? pp : NULL;
}

/*
 * Programs that hold their output by design until their input ends (sort,
 * wc, checksums) or in large blocks (compressors): their silence is not a
 * buffering mistake.  tail reading a pipe prints at its end too.
 */
static bool
holds_output_by_design(const struct snap_proc *p)
{
	static const char *const names[] = { "sort", "tac", "wc", "shuf",
		"tsort", "sponge", "tail", "md5sum", "sha1sum", "sha224sum",
		"sha256sum", "sha384sum", "sha512sum", "b2sum", "cksum", "sum",
		"gzip", "pigz", "bzip2", "xz", "lzma", "zstd", "lz4",
		"compress", "tar", NULL };
	const char *name = snapshot_proc_name(p);

	for (size_t i = 0; names[i] != NULL; i++) {
		if (strcmp(name, names[i]) == 0)
			return true;
	}
	return false;
}

/*
 * In this sample, p reads a pipe that drains (not full) and its output
 * pipe is empty, and it is neither stopped nor busy computing.
 */
static bool
buffered_looks(const struct snapshot *s, const struct snap_proc *p,
    const struct snap_pipe **in, const struct snap_pipe **out)
{
	*in = stdio_pipe(s, p, 0, SNAP_MODE_R);
	*out = stdio_pipe(s, p, 1, SNAP_MODE_W);
	return *in != NULL && *out != NULL && *in != *out &&
	    !diag_proc_stopped(p) && p->io_known &&
	    p->cpu_pct < DIAG_BUSY_CPU &&
	    (*in)->capacity > 0 && (*in)->fill >= 0 &&
	    (*in)->fill < (*in)->capacity && (*out)->fill == 0;
}

static void
buffered_spell(struct diag_hist *h, double t)
{
	h->bo_since = t;
	h->bo_reads = 0;
	h->bo_read = 0;
}

/* Follow p's spell; true when it has lasted long enough to report. */
static bool
buffered_update(struct diag_hist *h, const struct snap_proc *p, double t,
    bool looks)
{
	if (!p->io_known) {
		h->bo_seen = false;
		return false;
	}
	if (!h->bo_seen) {
		h->bo_seen = true;
		h->bo_last_write = t;
		h->bo_gap = 0;
		buffered_spell(h, t);
	} else if (p->wchar != h->bo_wchar) {
		h->bo_gap = t - h->bo_last_write;
		h->bo_last_write = t;
		buffered_spell(h, t);
	} else if (!looks)
		buffered_spell(h, t);
	else if (p->rchar > h->bo_rchar) {
		h->bo_reads++;
		h->bo_read += p->rchar - h->bo_rchar;
	}
	h->bo_rchar = p->rchar;
	h->bo_wchar = p->wchar;
	return looks && h->bo_reads >= DIAG_BUFFERED_READS &&
	    t - h->bo_since >= DIAG_BUFFERED_SECONDS - 1e-9 &&
	    t - h->bo_since >= DIAG_BUFFERED_GAPS * h->bo_gap - 1e-9;
}

/* The way to make this program write as it goes. */
static void
buffered_fix(struct diag_msg *m, const struct snap_proc *p)
{
	const char *name = snapshot_proc_name(p);

	if (strcmp(name, "grep") == 0 || strcmp(name, "egrep") == 0 ||
	    strcmp(name, "fgrep") == 0 || strcmp(name, "rg") == 0)
		diag_msg_printf(m,
		    "use %s --line-buffered (or stdbuf -oL %s ...)",
		    name, name);
	else if (strcmp(name, "sed") == 0)
		diag_msg_printf(m, "use sed -u (or stdbuf -oL sed ...)");
	else if (strncmp(name, "python", 6) == 0)
		diag_msg_printf(m,
		    "run it with python3 -u (or PYTHONUNBUFFERED=1), "
		    "or print(..., flush=True)");
	else if (strcmp(name, "gawk") == 0)
		diag_msg_printf(m,
		    "call fflush() after print in gawk (or run it as "
		    "stdbuf -oL gawk ...)");
	else if (strcmp(name, "mawk") == 0)
		diag_msg_printf(m,
		    "run it as mawk -W interactive (mawk also reads "
		    "its input in blocks)");
	else if (strstr(name, "awk") != NULL)
		diag_msg_printf(m, "call fflush() after print in gawk, or use "
		    "-W interactive in mawk (Debian's default awk, which also "
		    "reads its input in blocks)");
	else if (strcmp(name, "perl") == 0)
		diag_msg_printf(m, "set $| = 1 in the perl script");
	else if (strcmp(name, "jq") == 0)
		diag_msg_printf(m, "use jq --unbuffered");
	else
		diag_msg_printf(m,
		    "run it as stdbuf -oL %s ... if it uses C stdio "
		    "(python3 -u for Python, fflush() in gawk, -W interactive "
		    "in mawk)", name);
}

static void
buffered_report(struct diag_ctx *c, const struct snap_proc *p,
    const struct diag_hist *h, const struct snap_pipe *in,
    const struct snap_pipe *out)
{
	char bytes[16];

	diag_msg_proc(&c->msg, p);
	diag_msg_printf(&c->msg, " has read %s from ",
	    util_format_bytes(bytes, sizeof bytes, (double)h->bo_read));
	diag_msg_pipe_name(&c->msg, in);
	diag_msg_printf(&c->msg, " in the last %.1f s but written nothing to ",
	    c->s->t - h->bo_since);
	diag_msg_pipe_name(&c->msg, out);
	diag_msg_printf(&c->msg, ": any output it made is probably held in its "
	    "stdio buffer, which is flushed only when full because its "
	    "output is a pipe; ");
	buffered_fix(&c->msg, p);
	diag_msg_emit(&c->msg, c->s, "buffered_output");
}

void
diag_buffered(struct diag_ctx *c)
{
	const struct snapshot *s = c->s;

	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *p = &s->procs[i];
		const struct snap_pipe *in, *out;
		struct diag_hist *h = c->hist[i];
		bool looks;

		if (h == NULL)
			continue;
		looks = buffered_looks(s, p, &in, &out);
		if (buffered_update(h, p, s->t, looks) &&
		    !holds_output_by_design(p))
			buffered_report(c, p, h, in, out);
	}
}
