/*
 * probe-exact.c - loads src/bpf/exact.bpf.c (its bpftool skeleton) and
 * reads its counters (probe-exact.h).  Built without the skeleton when
 * the bpf feature is off: then it only says so.
 */
#include "pipeviz/probe-exact.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "pipeviz/util.h"

#ifdef PIPEVIZ_BPF

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/exact-shared.h"
#include "exact.skel.h"

struct probe_exact {
	struct exact_bpf *skel;
	int observed_fd, bytes_fd, lost_fd, sleeps_fd, waiting_fd;
	struct exact_count *counts;
	size_t ncounts, cap;
	struct exact_wait *waits;
	size_t nwaits, wcap;
};

/* libbpf's own messages would break the one-line error: kept quiet. */
static int
probe_exact_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

bool
probe_exact_built(void)
{
	return true;
}

struct probe_exact *
probe_exact_open(char **err)
{
	struct probe_exact *pe;
	struct exact_bpf *skel;
	int rc;

	libbpf_set_print(probe_exact_quiet);
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		*err = xstrdup("--exact needs a kernel with BTF "
		    "(/sys/kernel/btf/vmlinux is missing)");
		return NULL;
	}
	if ((skel = exact_bpf__open()) == NULL) {
		*err = xasprintf("--exact: cannot open the BPF program: %s",
		    strerror(errno));
		return NULL;
	}
	if ((rc = exact_bpf__load(skel)) != 0 ||
	    (rc = exact_bpf__attach(skel)) != 0) {
		int e = rc < 0 ? -rc : errno;

		exact_bpf__destroy(skel);
		if (e == EPERM || e == EACCES)
			*err = xasprintf("--exact needs root, or CAP_BPF and "
			    "CAP_PERFMON: loading its BPF program was refused "
			    "(%s)", strerror(e));
		else
			*err = xasprintf("--exact: the kernel refused its BPF "
			    "program (%s)", strerror(e));
		return NULL;
	}
	pe = xcalloc(1, sizeof *pe);
	pe->skel = skel;
	pe->observed_fd = bpf_map__fd(skel->maps.observed);
	pe->bytes_fd = bpf_map__fd(skel->maps.bytes);
	pe->lost_fd = bpf_map__fd(skel->maps.lost);
	pe->sleeps_fd = bpf_map__fd(skel->maps.sleeps);
	pe->waiting_fd = bpf_map__fd(skel->maps.waiting);
	return pe;
}

void
probe_exact_close(struct probe_exact *pe)
{
	if (pe == NULL)
		return;
	exact_bpf__destroy(pe->skel);
	free(pe->counts);
	free(pe->waits);
	free(pe);
}

int
probe_exact_observe(struct probe_exact *pe, pid_t pid, bool count)
{
	uint32_t tgid = (uint32_t)pid;
	uint8_t v = count ? EXACT_COUNT : EXACT_CHILDREN;

	if (bpf_map_update_elem(pe->observed_fd, &tgid, &v, BPF_ANY) != 0)
		return -errno;
	return 0;
}

static enum snap_fd_kind
probe_exact_kind(const struct exact_key *k)
{
	return k->kind == EXACT_PIPE ? SNAP_FD_PIPE :
	    k->kind == EXACT_FIFO ? SNAP_FD_FIFO : SNAP_FD_SOCKET;
}

/* The kernel's dev_t of a FIFO's file system, as stat(2) gives it. */
static uint64_t
probe_exact_dev(const struct exact_key *k)
{
	return k->kind == EXACT_FIFO ? makedev(k->dev >> 20, k->dev & 0xfffff) :
	    0;
}

/*
 * One key's bytes (or, sleeps != NULL, its sleeps), appended: the two
 * directions and both kinds of figure are merged after sorting.
 */
static void
probe_exact_add(struct probe_exact *pe, const struct exact_key *k,
    uint64_t v, const struct exact_sleeps *sleeps)
{
	struct exact_count *c;

	if (pe->ncounts == pe->cap) {
		pe->cap = pe->cap ? pe->cap * 2 : 64;
		pe->counts = xreallocarray(pe->counts, pe->cap, sizeof *pe->counts);
	}
	c = &pe->counts[pe->ncounts++];
	memset(c, 0, sizeof *c);
	c->kind = probe_exact_kind(k);
	c->inode = k->ino;
	c->dev = probe_exact_dev(k);
	if (sleeps != NULL && k->dir == EXACT_READ) {
		c->read_sleeps = sleeps->count;
		c->read_sleep_ns = sleeps->ns;
	} else if (sleeps != NULL) {
		c->write_sleeps = sleeps->count;
		c->write_sleep_ns = sleeps->ns;
	} else if (k->dir == EXACT_READ)
		c->read = v;
	else
		c->written = v;
}

/* After sorting: one entry per channel, both directions in it. */
static void
probe_exact_merge(struct probe_exact *pe)
{
	size_t n = 0;

	for (size_t i = 0; i < pe->ncounts; i++) {
		struct exact_count *c = &pe->counts[i];

		if (n > 0 && pe->counts[n - 1].kind == c->kind &&
		    pe->counts[n - 1].inode == c->inode &&
		    pe->counts[n - 1].dev == c->dev) {
			pe->counts[n - 1].written += c->written;
			pe->counts[n - 1].read += c->read;
			pe->counts[n - 1].write_sleeps += c->write_sleeps;
			pe->counts[n - 1].read_sleeps += c->read_sleeps;
			pe->counts[n - 1].write_sleep_ns += c->write_sleep_ns;
			pe->counts[n - 1].read_sleep_ns += c->read_sleep_ns;
		} else
			pe->counts[n++] = *c;
	}
	pe->ncounts = n;
}

/* The threads marked asleep now (since != 0). */
static void
probe_exact_read_waits(struct probe_exact *pe)
{
	uint32_t tid, next;
	bool first = true;

	pe->nwaits = 0;
	while (bpf_map_get_next_key(pe->waiting_fd, first ? NULL : &tid,
	    &next) == 0) {
		struct exact_wait_mark m;
		struct exact_wait *w;

		first = false;
		tid = next;
		if (bpf_map_lookup_elem(pe->waiting_fd, &tid, &m) != 0 ||
		    m.since == 0)
			continue;
		if (pe->nwaits == pe->wcap) {
			pe->wcap = pe->wcap ? pe->wcap * 2 : 16;
			pe->waits = xreallocarray(pe->waits, pe->wcap,
			    sizeof *pe->waits);
		}
		w = &pe->waits[pe->nwaits++];
		w->tgid = (pid_t)m.tgid;
		w->tid = (pid_t)tid;
		w->since_ns = m.since;
		w->kind = probe_exact_kind(&m.key);
		w->inode = m.key.ino;
		w->dev = probe_exact_dev(&m.key);
		w->reading = m.key.dir == EXACT_READ;
	}
}

size_t
probe_exact_waits(struct probe_exact *pe, const struct exact_wait **out)
{
	*out = pe->waits;
	return pe->nwaits;
}

size_t
probe_exact_read(struct probe_exact *pe, const struct exact_count **out,
    uint64_t *lost)
{
	struct exact_key k, next;
	uint32_t zero = 0;
	bool first = true;

	pe->ncounts = 0;
	*lost = 0;
	(void)bpf_map_lookup_elem(pe->lost_fd, &zero, lost);
	/*
	 * Key by key: the batch lookup needs a kernel that supports it for
	 * hash maps, and a sample reads a few dozen keys.
	 */
	while (bpf_map_get_next_key(pe->bytes_fd, first ? NULL : &k, &next) == 0) {
		uint64_t v;

		first = false;
		k = next;
		if (bpf_map_lookup_elem(pe->bytes_fd, &k, &v) == 0)
			probe_exact_add(pe, &k, v, NULL);
	}
	first = true;
	while (bpf_map_get_next_key(pe->sleeps_fd, first ? NULL : &k, &next) ==
	    0) {
		struct exact_sleeps sl;

		first = false;
		k = next;
		if (bpf_map_lookup_elem(pe->sleeps_fd, &k, &sl) == 0)
			probe_exact_add(pe, &k, 0, &sl);
	}
	probe_exact_read_waits(pe);
	exact_sort(pe->counts, pe->ncounts);
	probe_exact_merge(pe);
	*out = pe->counts;
	return pe->ncounts;
}

#else /* !PIPEVIZ_BPF */

struct probe_exact {
	int unused;
};

bool
probe_exact_built(void)
{
	return false;
}

struct probe_exact *
probe_exact_open(char **err)
{
	*err = xstrdup("--exact: this pipeviz was built without its BPF "
	    "backend (meson -Dbpf=enabled, with libbpf-dev, bpftool and clang)");
	return NULL;
}

void
probe_exact_close(struct probe_exact *pe)
{
	(void)pe;
}

int
probe_exact_observe(struct probe_exact *pe, pid_t pid, bool count)
{
	(void)pe;
	(void)pid;
	(void)count;
	return -ENOSYS;
}

size_t
probe_exact_read(struct probe_exact *pe, const struct exact_count **out,
    uint64_t *lost)
{
	(void)pe;
	*out = NULL;
	*lost = 0;
	return 0;
}

size_t
probe_exact_waits(struct probe_exact *pe, const struct exact_wait **out)
{
	(void)pe;
	*out = NULL;
	return 0;
}

#endif
