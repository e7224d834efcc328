/* layout.c - a snapshot on a grid of cells: bands of chains, then extras. */
#include "pipeviz/layout.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeviz/canvas.h"
#include "pipeviz/cmdline.h"
#include "pipeviz/idmap.h"
#include "pipeviz/sanitize.h"
#include "pipeviz/util.h"

/* Columns of the fill bar inside an edge label, and the view it needs. */
#define LAYOUT_BAR 5
#define LAYOUT_BAR_WIDTH 99
/* Where a wrapped band continues. */
#define LAYOUT_INDENT 4
/*
 * Cells kept for a state word ("run 100%", "sleeping", "exit 127"; only
 * "wait child" is longer) and for a rate ("1023MiB/s"), whatever they say
 * now: a frame whose words or rates change keeps every node and edge
 * where the last one had it.
 */
#define LAYOUT_WORD_CELLS 8
#define LAYOUT_RATE_CELLS 9
/* The arguments a node shows after its name, at most (then an ellipsis). */
#define LAYOUT_ARGS_CELLS 16

struct layout_ctx {
	struct layout *l;
	const struct snapshot *s;
	const struct layout_opts *o;
	const char *h, *arrow, *wrap, *child; /* glyphs */
	bool *drawn;	/* a process already has its place */
	bool *lone;	/* on no chain with others: may be listed as a child */
	char (*names)[64]; /* each process's node label: its name, and args */
	size_t *order, *chain;
	size_t *at;	/* per process: its place in order[] */
	size_t nchains;
	/* Children by parent pid: kids[] slots, each a list in index order. */
	struct idmap by_ppid;
	size_t *first_kid, *next_kid;
};

/* ---- the canvas ---------------------------------------------------- */

/* Put text at (x, y), clipped at the right edge; returns the new x. */
static int
layout_put(struct layout *l, int x, int y, const char *text,
    enum layout_style style)
{
	canvas_rows(l, y + 1);
	/* Names and paths are observed text: one cell per code point shown. */
	while (*text != '\0') {
		uint32_t c[SANITIZE_MAX];
		int n = sanitize_next(&text, c);

		for (int i = 0; i < n; i++, x++)
			canvas_cell(l, x, y, c[i], style);
	}
	return x;
}

static void
layout_hit(struct layout *l, size_t proc, int x, int y, int w)
{
	l->hits = xreallocarray(l->hits, l->nhits + 1, sizeof *l->hits);
	l->hits[l->nhits].proc = proc;
	l->hits[l->nhits].x = x;
	l->hits[l->nhits].y = y;
	l->hits[l->nhits].w = w;
	l->nhits++;
}

/* ---- reading the snapshot ------------------------------------------ */

/* A channel end: a pipe, a FIFO or a socket (snapshot_link_sockets()). */
static bool
layout_is_pipe(const struct snap_fd *f)
{
	return f != NULL && (f->kind == SNAP_FD_PIPE || f->kind == SNAP_FD_FIFO ||
	    f->kind == SNAP_FD_SOCKET) && f->inode != 0;
}

/*
 * Who reads which channel on fd 0 and writes it on fd 1 and fd 2: for
 * each of the three, the processes on each channel as a list in index
 * order.  A search of every process for each one made the order of 2000
 * processes cost 2000 squared lookups of an fd.
 */
#define LAYOUT_NONE SIZE_MAX

struct layout_links {
	struct idmap slot;	/* channel -> its lists' slot */
	size_t *first[3];	/* per slot: the first process, fd 0, 1, 2 */
	size_t *next[3];	/* per process: the next on its channel */
	uint64_t *chan[3];	/* per process: its channel on that fd, or 0 */
};

static void
layout_links_make(const struct snapshot *s, struct layout_links *k)
{
	size_t n = s->nprocs, nslot = 0;

	memset(&k->slot, 0, sizeof k->slot);
	for (int fd = 0; fd < 3; fd++) {
		k->first[fd] = xcalloc(3 * n + 1, sizeof *k->first[fd]);
		k->next[fd] = xcalloc(n + 1, sizeof *k->next[fd]);
		k->chan[fd] = xcalloc(n + 1, sizeof *k->chan[fd]);
		for (size_t i = 0; i < 3 * n + 1; i++)
			k->first[fd][i] = LAYOUT_NONE;
	}
	for (size_t i = 0; i < n; i++) {
		for (int fd = 0; fd < 3; fd++) {
			const struct snap_fd *f = snapshot_proc_fd(&s->procs[i], fd);

			if (layout_is_pipe(f))
				k->chan[fd][i] = snapshot_fd_channel(s, f, fd == 0);
			if (k->chan[fd][i] != 0 &&
			    idmap_put(&k->slot, k->chan[fd][i], nslot))
				nslot++;
		}
	}
	/* Pushed from the last, so each list runs in index order. */
	for (size_t i = n; i-- > 0;) {
		for (int fd = 0; fd < 3; fd++) {
			size_t at;

			if (k->chan[fd][i] == 0)
				continue;
			at = idmap_get(&k->slot, k->chan[fd][i]);
			k->next[fd][i] = k->first[fd][at];
			k->first[fd][at] = i;
		}
	}
}

static void
layout_links_free(struct layout_links *k)
{
	idmap_free(&k->slot);
	for (int fd = 0; fd < 3; fd++) {
		free(k->first[fd]);
		free(k->next[fd]);
		free(k->chan[fd]);
	}
}

/* The first process on chan's list for fd other than pi (and unplaced). */
static long
layout_links_find(const struct layout_links *k, int fd, uint64_t chan,
    size_t pi, const bool *placed)
{
	size_t at = chan != 0 ? idmap_get(&k->slot, chan) : IDMAP_NONE;

	if (at == IDMAP_NONE)
		return -1;
	for (size_t i = k->first[fd][at]; i != LAYOUT_NONE; i = k->next[fd][i]) {
		if (i != pi && (placed == NULL || !placed[i]))
			return (long)i;
	}
	return -1;
}

/* The process whose fd 1 (or 2) writes what p reads on fd 0, or -1. */
static long
layout_upstream(const struct layout_links *k, size_t pi)
{
	long up = layout_links_find(k, 1, k->chan[0][pi], pi, NULL);

	return up >= 0 ? up : layout_links_find(k, 2, k->chan[0][pi], pi, NULL);
}

/* The process that reads on fd 0 what p writes on fd 1, or -1. */
static long
layout_downstream(const struct layout_links *k, size_t pi, const bool *placed)
{
	return layout_links_find(k, 0, k->chan[1][pi], pi, placed);
}

/* Stages first, in stage order, then the rest by pid. */
static int
layout_priority(const struct snap_proc *a, const struct snap_proc *b)
{
	if ((a->stage >= 0) != (b->stage >= 0))
		return a->stage >= 0 ? -1 : 1;
	if (a->stage != b->stage)
		return a->stage < b->stage ? -1 : 1;
	return a->pid < b->pid ? -1 : a->pid > b->pid;
}

static int
layout_priority_cmp(const void *a, const void *b, void *arg)
{
	const struct snapshot *s = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = layout_priority(&s->procs[i], &s->procs[j]);

	/* Equal ones (the same pid twice) keep their order. */
	return c != 0 ? c : (i > j) - (i < j);
}

size_t
layout_chain_order(const struct snapshot *s, size_t *order, size_t *chain)
{
	struct layout_links k;
	bool *placed;
	size_t *prio, *seen, n = 0, chains = 0;

	if (s->nprocs == 0)
		return 0;
	placed = xcalloc(s->nprocs, sizeof *placed);
	/* seen[i] == the climb's number: no clearing between climbs. */
	seen = xcalloc(s->nprocs, sizeof *seen);
	prio = xcalloc(s->nprocs, sizeof *prio);
	layout_links_make(s, &k);
	for (size_t i = 0; i < s->nprocs; i++)
		prio[i] = i;
	qsort_r(prio, s->nprocs, sizeof *prio, layout_priority_cmp,
	    (void *)s);
	for (size_t j = 0; j < s->nprocs; j++) {
		long u = (long)prio[j], up;

		if (placed[u])
			continue;
		/* Climb to the head of this chain; a cycle stops the climb. */
		seen[u] = j + 1;
		while ((up = layout_upstream(&k, (size_t)u)) >= 0 &&
		    !placed[up] && seen[up] != j + 1) {
			u = up;
			seen[u] = j + 1;
		}
		for (; u >= 0; u = layout_downstream(&k, (size_t)u, placed)) {
			placed[u] = true;
			chain[n] = chains;
			order[n++] = (size_t)u;
		}
		chains++;
	}
	layout_links_free(&k);
	free(prio);
	free(seen);
	free(placed);
	return chains;
}

/* The channel f reads from (reading) or writes into, or NULL. */
static const struct snap_pipe *
layout_pipe(const struct snapshot *s, const struct snap_fd *f, bool reading)
{
	return layout_is_pipe(f) ? snapshot_find_pipe(s,
	    snapshot_fd_channel(s, f, reading)) : NULL;
}

static bool
layout_full(const struct snap_pipe *pp)
{
	return pp != NULL && pp->capacity > 0 && pp->fill >= pp->capacity;
}

const char *
layout_state_word(const struct snapshot *s, const struct snap_proc *p,
    enum layout_style *style)
{
	static char buf[32];
	const struct snap_pipe *pp = p->blocked.pipe != 0 ?
	    snapshot_find_pipe(s, p->blocked.pipe) : NULL;

	*style = LAYOUT_DIM;
	if (p->exit.exited) {
		if (p->exit.signal != 0) {
			*style = LAYOUT_FAILED;
			snprintf(buf, sizeof buf, "SIG%s",
			    sigabbrev_np(p->exit.signal) != NULL ?
			    sigabbrev_np(p->exit.signal) : "?");
			/* Normal for yes | head: not an alarm. */
			if (p->exit.signal == 13)
				*style = LAYOUT_EXITED;
			return buf;
		}
		*style = p->exit.code == 0 ? LAYOUT_EXITED : LAYOUT_FAILED;
		snprintf(buf, sizeof buf, "exit %d", p->exit.code);
		return buf;
	}
	switch (p->state) {
	case 'T':
	case 't':
		*style = LAYOUT_STOPPED;
		return "STOPPED";
	case 'Z':
		*style = LAYOUT_EXITED;
		return "zombie";
	case 'R':
		*style = LAYOUT_RUNNING;
		snprintf(buf, sizeof buf, "run %.0f%%", p->cpu_pct);
		return buf;
	}
	switch (p->blocked.op) {
	case SNAP_BLOCK_WRITE:
		/*
		 * Red only when it is stuck (no progress for the stuck time):
		 * a writer its reader keeps draining is held back, not stuck,
		 * and would flip between red and not every frame.
		 */
		if (p->stuck && snapshot_proc_waits_room(p, pp)) {
			*style = LAYOUT_BLOCKED;
			return "BLOCKED";
		}
		if (snapshot_proc_waits_room(p, pp)) {
			*style = LAYOUT_WAITING;
			return "held";
		}
		*style = LAYOUT_NORMAL;
		return "writing";
	case SNAP_BLOCK_READ:
		*style = LAYOUT_WAITING;
		return pp != NULL && pp->fill == 0 ? "waiting" : "reading";
	case SNAP_BLOCK_OPEN:
		*style = LAYOUT_WAITING;
		return "opening";
	case SNAP_BLOCK_WAIT:
		return "wait child";
	case SNAP_BLOCK_POLL:
		*style = LAYOUT_WAITING;
		return "polling";
	case SNAP_BLOCK_NONE:
		break;
	}
	return p->state == 'D' ? "disk" : "sleeping";
}

/*
 * "0" or "1,2": p's fds among lo..hi that hold the pipe inode in the given
 * direction (writing when write is set), or fallback when there are none.
 */
static void
layout_fd_list(const struct snap_proc *p, uint64_t inode, int lo, int hi,
    bool write, int fallback, char *buf, size_t size)
{
	size_t n = 0;
	int fd;

	buf[0] = '\0';
	for (fd = snapshot_proc_pipe_fd(p, inode, write, lo);
	    fd >= 0 && fd <= hi && n + 12 < size;
	    fd = snapshot_proc_pipe_fd(p, inode, write, fd + 1))
		n += (size_t)snprintf(buf + n, size - n, "%s%d",
		    n > 0 ? "," : "", fd);
	if (n == 0)
		snprintf(buf, size, "%d", fallback);
}

/* A socket to elsewhere: "tcp 10.1.2.3:22", "unix /run/x.sock", "socket". */
static void
layout_socket_end(const struct snapshot *s, const struct snap_fd *f,
    char *buf, size_t size)
{
	const struct snap_socket *k = f != NULL ?
	    snapshot_find_socket(s, f->inode) : NULL;
	const char *where = k == NULL ? NULL : k->remote != NULL ? k->remote :
	    k->local;

	if (k == NULL || k->type == SNAP_SOCK_UNKNOWN)
		snprintf(buf, size, "socket");
	else if (where != NULL)
		snprintf(buf, size, "%s %s", snapshot_sock_type_name(k->type),
		    where);
	else
		snprintf(buf, size, "%s socket", snapshot_sock_type_name(k->type));
}

/* What a non-pipe end is, shortly: a file's name, /dev/null, the tty. */
static void
layout_end_name(const struct layout_ctx *c, const struct snap_proc *p,
    const struct snap_fd *f, char *buf, size_t size)
{
	const char *slash;

	/* Not read now, and not in the last table read either: not known. */
	if (p->fds_denied || (p->fds_unread && f == NULL))
		snprintf(buf, size, "?");
	else if (f == NULL)
		snprintf(buf, size, "closed");
	else if (f->kind == SNAP_FD_PIPE && c->o->output_pipe != 0 &&
	    f->inode == c->o->output_pipe)
		snprintf(buf, size, "output pane");
	else if (f->kind == SNAP_FD_PIPE)
		snprintf(buf, size, "pipe");
	else if (f->kind == SNAP_FD_SOCKET)
		layout_socket_end(c->s, f, buf, size);
	else if (f->path == NULL)
		snprintf(buf, size, "%s", snapshot_kind_name(f->kind));
	else if (f->kind == SNAP_FD_FILE && (slash = strrchr(f->path, '/')) != NULL) {
		char pct[16] = "";

		/* A file being read: how far through it the reader is. */
		if (f->mode == SNAP_MODE_R && f->size > 0 && f->pos >= 0) {
			/* In double: a replayed trace may hold any numbers. */
			double share = (double)f->pos * 100 / (double)f->size;

			snprintf(pct, sizeof pct, " %d%%", share < 999 ?
			    (int)share : 999);
		}
		snprintf(buf, size, "%s%s", slash + 1, pct);
	} else
		snprintf(buf, size, "%s", f->path);
}

/* ---- edges ------------------------------------------------------------ */

/*
 * The label of a pipe edge without its arrow head, e.g. "──[██░░░ 48K/64K]─";
 * layout_draw_edge() stretches it and adds the head.
 */
static void
layout_edge_text(const struct layout_ctx *c, const struct snap_pipe *pp,
    char *buf, size_t size)
{
	char fill[16], cap[16], bar[LAYOUT_BAR * 4 + 2] = "", name[64] = "";
	const char *h = c->h;
	size_t n = 0;

	if (pp != NULL && pp->kind == SNAP_FD_FIFO && pp->path != NULL) {
		const char *slash = strrchr(pp->path, '/');

		/* Leave room for the blank added before a fill level. */
		snprintf(name, sizeof name - 1, "fifo %s",
		    slash ? slash + 1 : pp->path);
	} else if (pp != NULL && pp->kind == SNAP_FD_SOCKET) {
		char q[16];

		/* A socket has no capacity to gauge: its name and queue. */
		snprintf(name, sizeof name, "%s%s%s", pp->sock != NULL ?
		    snapshot_sock_type_name(pp->sock->type) : "socket",
		    pp->fill >= 0 ? " " : "", pp->fill >= 0 ?
		    util_format_bytes(q, sizeof q, (double)pp->fill) : "");
		snprintf(buf, size, "%s[%s]%s", c->o->utf8 ? "\u2550" : "=",
		    name, c->o->utf8 ? "\u2550" : "=");
		return;
	}
	if (pp == NULL || pp->fill < 0 || pp->capacity <= 0) {
		if (name[0] != '\0')
			snprintf(buf, size, "%s[%s]%s", h, name, h);
		else
			snprintf(buf, size, "%s%s", h, h);
		return;
	}
	if (name[0] != '\0')
		strcat(name, " ");
	util_format_bytes(cap, sizeof cap, (double)pp->capacity);
	/* As wide as the capacity, so the edge is as wide however full. */
	util_format_bytes(fill, sizeof fill, (double)pp->fill);
	{
		char padded[16];

		snprintf(padded, sizeof padded, "%*s", (int)strlen(cap), fill);
		snprintf(fill, sizeof fill, "%s", padded);
	}
	/* The bar where there is room for it: 100 columns and more. */
	if (c->o->compact || c->o->width < LAYOUT_BAR_WIDTH) {
		snprintf(buf, size, "%s[%s%s/%s]", h, name, fill, cap);
		return;
	}
	/* Any byte in the pipe shows; a full pipe fills the whole bar. */
	int full = pp->fill >= pp->capacity ? LAYOUT_BAR :
	    (int)ceil((double)pp->fill * LAYOUT_BAR / (double)pp->capacity);
	for (int i = 0; i < LAYOUT_BAR; i++)
		n += (size_t)snprintf(bar + n, sizeof bar - n, "%s", c->o->utf8 ?
		    (i < full ? "\u2588" : "\u2591") : (i < full ? "#" : "."));
	snprintf(buf, size, "%s%s[%s%s %s/%s]%s", h, h, name, bar, fill, cap, h);
}

/* Draw label, stretched to end at column end, then the arrow head. */
static int
layout_draw_edge(struct layout_ctx *c, int x, int y, const char *label,
    int end, enum layout_style style)
{
	x = layout_put(c->l, x, y, label, style);
	while (x < end - 1)
		x = layout_put(c->l, x, y, c->h, style);
	return layout_put(c->l, x, y, ">", style);
}

/*
 * The rate under an edge: the bytes through that channel per second
 * (rates_apply_pipes()), shown only when known.
 */
static void
layout_rate_text(const struct snap_pipe *pp, char *buf, size_t size)
{
	char r[16];

	buf[0] = '\0';
	if (pp != NULL && pp->rate_bps >= 1)
		snprintf(buf, size, "%s/s", util_format_bytes(r, sizeof r,
		    pp->rate_bps));
}

/* ---- bands ------------------------------------------------------------ */

struct layout_node {
	size_t proc;
	char in[16], out[16]; /* fd labels */
	char edge[96];	      /* edge into this node; "" for a chain's head */
	char rate[24];
	uint64_t chan;	      /* the channel of that edge, for its sparkline */
	enum layout_style edge_style;
};

/*
 * Draw one node at (x, y): "(0) name (1)" over "pid word".  Returns the
 * end of the top row; *status_end gets the end of the row beneath.
 */
static int
layout_draw_node(struct layout_ctx *c, const struct layout_node *nd, int x,
    int y, int *status_end)
{
	const struct snap_proc *p = &c->s->procs[nd->proc];
	enum layout_style ws;
	const char *word = layout_state_word(c->s, p, &ws);
	char pid[24];
	int xname;

	x = layout_put(c->l, x, y, "(", LAYOUT_DIM);
	x = layout_put(c->l, x, y, nd->in, LAYOUT_DIM);
	x = layout_put(c->l, x, y, ") ", LAYOUT_DIM);
	xname = x;
	x = layout_put(c->l, x, y, c->names[nd->proc], p->exit.exited ?
	    LAYOUT_EXITED : LAYOUT_NAME);
	layout_hit(c->l, nd->proc, xname, y, x - xname);
	x = layout_put(c->l, x, y, " (", LAYOUT_DIM);
	x = layout_put(c->l, x, y, nd->out, LAYOUT_DIM);
	x = layout_put(c->l, x, y, ")", LAYOUT_DIM);
	snprintf(pid, sizeof pid, "%d ", (int)p->pid);
	*status_end = layout_put(c->l, xname, y + 1, pid, LAYOUT_DIM);
	layout_put(c->l, *status_end, y + 1, word, ws);
	*status_end += LAYOUT_WORD_CELLS;
	return x;
}

static int
layout_node_width(const struct layout_ctx *c, const struct layout_node *nd)
{
	const struct snap_proc *p = &c->s->procs[nd->proc];
	char pid[24];
	int top, bottom, pre;

	pre = 3 + canvas_width(nd->in);
	top = pre + canvas_width(c->names[nd->proc]) + 3 + canvas_width(nd->out);
	snprintf(pid, sizeof pid, "%d ", (int)p->pid);
	bottom = pre + canvas_width(pid) + LAYOUT_WORD_CELLS;
	return top > bottom ? top : bottom;
}

/* Processes of a band's stages that are not on a chain: listed beneath. */
/* Each process's children as lists by parent pid, in index order. */
static void
layout_kids_make(struct layout_ctx *c)
{
	const struct snapshot *s = c->s;
	size_t nslot = 0;

	c->first_kid = xcalloc(s->nprocs + 1, sizeof *c->first_kid);
	c->next_kid = xcalloc(s->nprocs + 1, sizeof *c->next_kid);
	for (size_t i = 0; i < s->nprocs; i++) {
		c->first_kid[i] = LAYOUT_NONE;
		if (idmap_put(&c->by_ppid, (uint64_t)s->procs[i].ppid, nslot))
			nslot++;
	}
	for (size_t i = s->nprocs; i-- > 0;) {
		size_t at = idmap_get(&c->by_ppid, (uint64_t)s->procs[i].ppid);

		c->next_kid[i] = c->first_kid[at];
		c->first_kid[at] = i;
	}
}

static int
layout_draw_children(struct layout_ctx *c, size_t parent, int depth, int y)
{
	const struct snapshot *s = c->s;
	size_t at = idmap_get(&c->by_ppid, (uint64_t)s->procs[parent].pid);

	for (size_t i = at != IDMAP_NONE ? c->first_kid[at] : LAYOUT_NONE;
	    i != LAYOUT_NONE && depth < 8; i = c->next_kid[i]) {
		const struct snap_proc *p = &s->procs[i];
		enum layout_style ws;
		const char *word;
		char pid[24];
		int x, xname;

		/* Processes on a chain of their own get a band instead. */
		if (c->drawn[i] || !c->lone[i])
			continue;
		c->drawn[i] = true;
		word = layout_state_word(s, p, &ws);
		x = layout_put(c->l, LAYOUT_INDENT + 2 * depth, y, c->child,
		    LAYOUT_DIM);
		xname = x = layout_put(c->l, x, y, " ", LAYOUT_DIM);
		x = layout_put(c->l, x, y, p->comm, LAYOUT_NAME);
		layout_hit(c->l, i, xname, y, x - xname);
		snprintf(pid, sizeof pid, " %d ", (int)p->pid);
		x = layout_put(c->l, x, y, pid, LAYOUT_DIM);
		layout_put(c->l, x, y, word, ws);
		y = layout_draw_children(c, i, depth + 1, y + 1);
	}
	return y;
}

/* A chain is drawn as a child list if it is one process under a band. */
static bool
layout_is_child(const struct layout_ctx *c, size_t k, size_t len)
{
	const struct snapshot *s = c->s;
	const struct snap_proc *p = &s->procs[c->order[k]];

	if (len != 1)
		return false;
	/* A stage's own process stands alone; its descendants do not. */
	for (const struct snap_proc *q = snapshot_find_proc(s, p->ppid);
	    q != NULL; q = snapshot_find_proc(s, q->ppid)) {
		if (q == p)
			break;
		if (p->stage >= 0 && q->stage != p->stage)
			return false;
		return true;
	}
	return false;
}

static int
layout_draw_band(struct layout_ctx *c, size_t k, size_t len, int y)
{
	const struct snapshot *s = c->s;
	struct layout_node *nodes = xcalloc(len, sizeof *nodes);
	const struct snap_proc *head = &s->procs[c->order[k]];
	const struct snap_proc *tail = &s->procs[c->order[k + len - 1]];
	const struct snap_fd *in = snapshot_proc_fd(head, 0);
	const struct snap_fd *out = snapshot_proc_fd(tail, 1);
	char end[128], edge[96];
	int x = 1, status_end = 0;

	for (size_t i = 0; i < len; i++) {
		struct layout_node *nd = &nodes[i];
		const struct snap_proc *p = &s->procs[c->order[k + i]];
		const struct snap_fd *pin = snapshot_proc_fd(p, 0);
		const struct snap_fd *pout = snapshot_proc_fd(p, 1);

		nd->proc = c->order[k + i];
		c->drawn[nd->proc] = true;
		layout_fd_list(p, pin != NULL ? pin->inode : 0, 0, 0, false, 0,
		    nd->in, sizeof nd->in);
		layout_fd_list(p, layout_is_pipe(pout) ? pout->inode : 0, 1, 2,
		    true, 1, nd->out, sizeof nd->out);
		if (i > 0) {
			const struct snap_pipe *pp = layout_pipe(s, pin, true);

			layout_edge_text(c, pp, nd->edge, sizeof nd->edge);
			layout_rate_text(pp, nd->rate, sizeof nd->rate);
			nd->chan = pp != NULL ? pp->inode : 0;
			nd->edge_style = layout_full(pp) ? LAYOUT_EDGE_FULL :
			    LAYOUT_EDGE;
		}
	}

	/* Where the head reads from: a file, the terminal, an outside pipe. */
	layout_end_name(c, head, in, end, sizeof end);
	x = layout_put(c->l, x, y, end, LAYOUT_DIM);
	layout_edge_text(c, layout_pipe(s, in, true), edge, sizeof edge);
	x = layout_draw_edge(c, x + 1, y, edge, 0, layout_full(layout_pipe(s,
	    in, true)) ? LAYOUT_EDGE_FULL : LAYOUT_EDGE) + 1;
	for (size_t i = 0; i < len; i++) {
		const struct layout_node *nd = &nodes[i];
		int need = layout_node_width(c, nd);

		if (i > 0) {
			/* Room for a rate whether one is known now or not. */
			int ew = canvas_width(nd->edge) + 2, rw = c->o->compact ?
			    canvas_width(nd->rate) : LAYOUT_RATE_CELLS;
			int under = rw > 0 ? rw + 1 : 0;
			/* (a blank after the longest word, "wait child", too) */
			int end_at = x + 1 + ew, spark_at = status_end + 3, spark;

			/* The edge reaches past the status row, and its rate fits. */
			if (end_at < status_end + 2 + under)
				end_at = status_end + 2 + under;
			/* Wrap before an edge that would not fit with its node. */
			if (end_at + 1 + need > c->l->width && x > LAYOUT_INDENT + 1) {
				y += 3;
				x = layout_put(c->l, LAYOUT_INDENT - 2, y, c->wrap,
				    LAYOUT_EDGE);
				end_at = x + 1 + ew;
				if (end_at < x + 1 + under)
					end_at = x + 1 + under;
				spark_at = x + 1;
			}
			if (nd->rate[0] != '\0')
				layout_put(c->l, end_at - 1 - canvas_width(nd->rate),
				    y + 1, nd->rate, LAYOUT_DIM);
			/*
			 * The sparkline in what room the edge leaves left of
			 * its rate (never widened for it: the diagram keeps its
			 * shape, and so its place beside the history panel);
			 * the room depends on the labels' fixed cells only.
			 */
			spark = end_at - under - 1 - spark_at;
			if (spark > LAYOUT_SPARK_CELLS)
				spark = LAYOUT_SPARK_CELLS;
			if (c->o->spark != NULL && !c->o->compact && nd->chan != 0 &&
			    spark >= LAYOUT_SPARK_MIN)
				c->o->spark(c->o->spark_arg, c->l, end_at - under -
				    1 - spark, y + 1, nd->chan, spark);
			x = layout_draw_edge(c, x + 1, y, nd->edge, end_at,
			    nd->edge_style) + 1;
		}
		x = layout_draw_node(c, nd, x, y, &status_end);
	}
	/* Where the tail writes to. */
	layout_edge_text(c, layout_pipe(s, out, false), edge, sizeof edge);
	layout_end_name(c, tail, out, end, sizeof end);
	int end_at = x + 1 + canvas_width(edge) + 2;
	if (end_at < status_end + 2)
		end_at = status_end + 2;
	if (end_at + 1 + canvas_width(end) > c->l->width) {
		y += 3;
		x = layout_put(c->l, LAYOUT_INDENT - 2, y, c->wrap, LAYOUT_EDGE);
		end_at = x + 1 + canvas_width(edge) + 2;
	}
	x = layout_draw_edge(c, x + 1, y, edge, end_at,
	    layout_full(layout_pipe(s, out, false)) ? LAYOUT_EDGE_FULL :
	    LAYOUT_EDGE);
	layout_put(c->l, x + 1, y, end, LAYOUT_DIM);
	y += 2;
	for (size_t i = 0; i < len; i++)
		y = layout_draw_children(c, nodes[i].proc, 0, y);
	free(nodes);
	return y + 1;
}

/* ---- pipes between non-neighbours ------------------------------------- */

static bool
layout_neighbours(const struct layout_ctx *c, size_t w, size_t r)
{
	size_t k = c->at[w];

	return k + 1 < c->s->nprocs && c->order[k + 1] == r &&
	    c->chain[k] == c->chain[k + 1];
}

static size_t
layout_index(const struct snapshot *s, pid_t pid)
{
	const struct snap_proc *p = snapshot_find_proc(s, pid);

	return p != NULL ? (size_t)(p - s->procs) : SIZE_MAX;
}

/* "(fds) name pid" of one end of a pipe; returns the new x. */
static int
layout_draw_end(struct layout_ctx *c, const struct snap_pipe *pp, size_t pi,
    int fd, bool write, const char *name, int x, int y)
{
	const struct snap_proc *p = &c->s->procs[pi];
	char fds[16], text[32];

	layout_fd_list(p, pp->inode, 0, 1 << 30, write, fd, fds, sizeof fds);
	snprintf(text, sizeof text, "(%s) ", fds);
	x = layout_put(c->l, x, y, text, LAYOUT_DIM);
	x = layout_put(c->l, x, y, name, LAYOUT_NAME);
	layout_hit(c->l, pi, x - canvas_width(name), y, canvas_width(name));
	if (name == p->comm) {
		snprintf(text, sizeof text, " %d", (int)p->pid);
		x = layout_put(c->l, x, y, text, LAYOUT_DIM);
	}
	return x;
}

/* One line "(1) writer 12 ──[…]──> (0) reader 13", wrapped if narrow. */
static int
layout_draw_extra(struct layout_ctx *c, const struct snap_pipe *pp, size_t wi,
    size_t w, size_t ri, size_t r, int y)
{
	const char *rname = ri == wi ? "itself" : c->s->procs[ri].comm;
	char edge[96];
	int x, ew;

	x = layout_draw_end(c, pp, wi, pp->writers[w].fd, true,
	    c->s->procs[wi].comm, LAYOUT_INDENT - 2, y);
	layout_edge_text(c, pp, edge, sizeof edge);
	ew = canvas_width(edge) + 2;
	if (x + 1 + ew + 6 + canvas_width(rname) + 8 > c->l->width) {
		y++;
		x = LAYOUT_INDENT;
	}
	x = layout_draw_edge(c, x + 1, y, edge, x + 1 + ew, layout_full(pp) ?
	    LAYOUT_EDGE_FULL : LAYOUT_EDGE);
	layout_draw_end(c, pp, ri, pp->readers[r].fd, false, rname, x + 1, y);
	return y + 1;
}

/*
 * A socket to elsewhere held off the chain (nc's fd 3): "(3) nc 12
 * ═[tcp 2K]═> tcp 127.0.0.1:5599", each holder once.
 */
static int
layout_draw_remote(struct layout_ctx *c, const struct snap_pipe *pp, int y,
    bool *heading)
{
	for (size_t w = 0; w < pp->nwriters; w++) {
		size_t wi = layout_index(c->s, pp->writers[w].pid);
		const struct snap_proc *p;
		char edge[96], end[160];
		int x;

		if (wi == SIZE_MAX || pp->writers[w].fd <= 1 ||
		    (w > 0 && pp->writers[w - 1].pid == pp->writers[w].pid))
			continue;
		p = &c->s->procs[wi];
		if (!*heading) {
			layout_put(c->l, 1, y++, "other pipes", LAYOUT_HEADING);
			*heading = true;
		}
		x = layout_draw_end(c, pp, wi, pp->writers[w].fd, true, p->comm,
		    LAYOUT_INDENT - 2, y);
		layout_edge_text(c, pp, edge, sizeof edge);
		layout_socket_end(c->s, snapshot_proc_fd(p, pp->writers[w].fd),
		    end, sizeof end);
		if (x + 1 + canvas_width(edge) + 3 + canvas_width(end) >
		    c->l->width) {
			y++;
			x = LAYOUT_INDENT;
		}
		x = layout_draw_edge(c, x + 1, y, edge, x + 1 +
		    canvas_width(edge) + 2, LAYOUT_EDGE);
		layout_put(c->l, x + 1, y, end, LAYOUT_DIM);
		y++;
	}
	return y;
}

static int
layout_draw_extras(struct layout_ctx *c, int y)
{
	const struct snapshot *s = c->s;
	bool heading = false;

	for (size_t i = 0; i < s->npipes; i++) {
		const struct snap_pipe *pp = &s->pipes[i];

		if (pp->stray)
			continue;
		if (snapshot_chan_remote(pp)) {
			y = layout_draw_remote(c, pp, y, &heading);
			continue;
		}
		for (size_t w = 0; w < pp->nwriters; w++) {
			size_t wi = layout_index(s, pp->writers[w].pid);

			/* fds 1 and 2 of one writer share a line. */
			if (wi == SIZE_MAX || (w > 0 && pp->writers[w - 1].pid ==
			    pp->writers[w].pid))
				continue;
			for (size_t r = 0; r < pp->nreaders; r++) {
				size_t ri = layout_index(s, pp->readers[r].pid);

				if (ri == SIZE_MAX || (r > 0 &&
				    pp->readers[r - 1].pid == pp->readers[r].pid))
					continue;
				if (pp->writers[w].fd <= 2 && pp->readers[r].fd == 0 &&
				    layout_neighbours(c, wi, ri))
					continue;
				if (!heading) {
					layout_put(c->l, 1, y++, "other pipes",
					    LAYOUT_HEADING);
					heading = true;
				}
				y = layout_draw_extra(c, pp, wi, w, ri, r, y);
			}
		}
	}
	return heading ? y + 1 : y;
}

/* ---- the whole picture ------------------------------------------------ */

/* text cut to at most cells cells as shown, an ellipsis ending a cut. */
static void
layout_cut(const char *text, int cells, bool utf8, char *buf, size_t size)
{
	const char *p = text;
	int used = 0;

	buf[0] = '\0';
	if ((int)sanitize_width(text) <= cells) {
		sanitize_append(buf, size, 0, text);
		return;
	}
	while (*p != '\0') {
		const char *next = p;
		uint32_t c[SANITIZE_MAX];
		int k = sanitize_next(&next, c);

		if (used + k > cells - 1)
			break;
		used += k;
		p = next;
	}
	{
		char *head = xstrndup(text, (size_t)(p - text));
		size_t n = sanitize_append(buf, size, 0, head);

		snprintf(buf + n, size - n, "%s", utf8 ? "\u2026" : ">");
		free(head);
	}
}

/* Whether p is a stage: its parent is not in s (the others are a stage's
 * own children, which come and go: sleep 0.1 in a loop). */
static bool
layout_is_root(const struct snapshot *s, const pid_t *pids,
    const struct snap_proc *p)
{
	return p->ppid == p->pid || bsearch(&p->ppid, pids, s->nprocs,
	    sizeof *pids, util_cmp_pid) == NULL;
}

/*
 * Each node's label: the process name, and where another stage has that
 * name too (sort -R | sort -n), its arguments as a shell would quote
 * them, cut at LAYOUT_ARGS_CELLS: what tells the two apart.  Only stages
 * count, so a child that comes and goes does not make the labels flip;
 * compact views and pipelines of more than 256 processes show names only.
 */
static void
layout_names(struct layout_ctx *c)
{
	const struct snapshot *s = c->s;
	pid_t *pids = xcalloc(s->nprocs + 1, sizeof *pids);
	bool *root = xcalloc(s->nprocs + 1, sizeof *root);
	bool big = s->nprocs > 256;

	c->names = xcalloc(s->nprocs + 1, sizeof *c->names);
	for (size_t i = 0; i < s->nprocs; i++)
		pids[i] = s->procs[i].pid;
	qsort(pids, s->nprocs, sizeof *pids, util_cmp_pid);
	for (size_t i = 0; !big && i < s->nprocs; i++)
		root[i] = layout_is_root(s, pids, &s->procs[i]);
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct snap_proc *p = &s->procs[i];
		bool twin = false;
		char args[256];
		char *q;

		snprintf(c->names[i], sizeof c->names[i], "%s", p->comm);
		for (size_t j = 0; root[i] && !twin && j < s->nprocs; j++)
			twin = j != i && root[j] &&
			    strcmp(s->procs[j].comm, p->comm) == 0;
		if (c->o->compact || !twin || p->argv[0] == NULL ||
		    p->argv[1] == NULL)
			continue;
		q = cmdline_quote_argv(p->argv + 1);
		layout_cut(q, LAYOUT_ARGS_CELLS, c->o->utf8, args, sizeof args);
		free(q);
		snprintf(c->names[i], sizeof c->names[i], "%s %s", p->comm, args);
	}
	free(pids);
	free(root);
}

struct layout *
layout_build(const struct snapshot *s, const struct layout_opts *o)
{
	struct layout *l = xcalloc(1, sizeof *l);
	struct layout_ctx c = { .l = l, .s = s, .o = o };
	int y = 0;

	l->width = o->width < 20 ? 20 : o->width;
	c.h = o->utf8 ? "\u2500" : "-";
	c.arrow = o->utf8 ? "\u2500>" : "->";
	c.wrap = o->utf8 ? "\u2570" : "\\";
	c.child = o->utf8 ? "\u2514\u2500" : "`-";
	if (s->nprocs == 0) {
		layout_put(l, 1, 0, "(no processes)", LAYOUT_DIM);
		return l;
	}
	c.drawn = xcalloc(s->nprocs, sizeof *c.drawn);
	layout_names(&c);
	c.order = xcalloc(s->nprocs, sizeof *c.order);
	c.chain = xcalloc(s->nprocs, sizeof *c.chain);
	c.nchains = layout_chain_order(s, c.order, c.chain);
	c.lone = xcalloc(s->nprocs, sizeof *c.lone);
	c.at = xcalloc(s->nprocs, sizeof *c.at);
	for (size_t k = 0; k < s->nprocs; k++)
		c.at[c.order[k]] = k;
	layout_kids_make(&c);
	for (size_t k = 0; k < s->nprocs; k++)
		c.lone[c.order[k]] = (k == 0 || c.chain[k - 1] != c.chain[k]) &&
		    (k + 1 == s->nprocs || c.chain[k + 1] != c.chain[k]);
	for (size_t k = 0; k < s->nprocs;) {
		size_t len = 1;

		while (k + len < s->nprocs && c.chain[k + len] == c.chain[k])
			len++;
		/* Lone descendants are drawn beneath their ancestors' band. */
		if (!c.drawn[c.order[k]] && !layout_is_child(&c, k, len))
			y = layout_draw_band(&c, k, len, y);
		k += len;
	}
	/* Whatever is left (a descendant whose ancestor is not drawn). */
	for (size_t k = 0; k < s->nprocs; k++) {
		if (!c.drawn[c.order[k]])
			y = layout_draw_band(&c, k, 1, y);
	}
	layout_draw_extras(&c, y);
	idmap_free(&c.by_ppid);
	free(c.first_kid);
	free(c.next_kid);
	free(c.at);
	free(c.drawn);
	free(c.names);
	free(c.lone);
	free(c.order);
	free(c.chain);
	return l;
}

void
layout_free(struct layout *l)
{
	if (l == NULL)
		return;
	free(l->cells);
	free(l->hits);
	free(l);
}

char *
layout_to_text(const struct layout *l)
{
	size_t cap = (size_t)l->height * ((size_t)l->width * 4 + 1) + 1, n = 0;
	char *text = xmalloc(cap);

	for (int y = 0; y < l->height; y++) {
		size_t line = n;

		for (int x = 0; x < l->width; x++)
			n += sanitize_encode(l->cells[y * l->width + x].ch, text + n);
		while (n > line && text[n - 1] == ' ')
			n--;
		text[n++] = '\n';
	}
	text[n] = '\0';
	return text;
}
