// SPDX-License-Identifier: GPL-2.0
/*
 * exact.bpf.c - bytes through the pipes, FIFOs and sockets of the observed
 * processes, counted in the kernel (--exact; probe-exact.c loads it).
 *
 * One program at the exit of every system call (tp_btf/sys_exit: the
 * tracepoints work where fentry is refused), cheap for everyone else: the
 * call's number decides first whether it moves bytes through a file
 * descriptor, then the caller's tgid whether it is observed.  For an
 * observed read, readv, recvfrom, recvmsg (bytes read from the fd),
 * write, writev, sendto, sendmsg (written into it), splice (read from its
 * first fd, written into its second), tee (written into its second: tee
 * consumes nothing) or sendfile (read from its second, written into its
 * first) that moved n > 0 bytes, the fd's file is found through
 * current->files (one probe read, the rest BTF loads), and if it is a
 * pipe, a FIFO or a socket, n is added to its counter: one map lookup and
 * an atomic add per call, aggregated here and read by pipeviz once per
 * sample.  Forked children of an observed process are observed too.
 *
 * Blocking: at a context switch (tp_btf/sched_switch) an observed thread
 * that goes to sleep inside such a call on such an fd is marked asleep
 * on that channel since now; when it is switched in again, the sleep is
 * added to the channel's count and time, and the mark cleared.  Only
 * observed threads cost more than a lookup of their tgid.
 *
 * The registers are x86-64's: the build enables this only there.
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "exact-shared.h"

char LICENSE[] SEC("license") = "GPL";

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

#define PZ_S_IFMT 00170000
#define PZ_S_IFSOCK 0140000
#define PZ_S_IFIFO 0010000
#define PZ_PIPEFS_MAGIC 0x50495045

/* tgid -> EXACT_COUNT (its bytes count) or EXACT_CHILDREN (only its children's). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EXACT_MAX_PROCS);
	__type(key, __u32);
	__type(value, __u8);
} observed SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EXACT_MAX_CHANNELS);
	__type(key, struct exact_key);
	__type(value, __u64);
} bytes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EXACT_MAX_THREADS);
	__type(key, __u32);
	__type(value, struct exact_wait_mark);
} waiting SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EXACT_MAX_CHANNELS);
	__type(key, struct exact_key);
	__type(value, struct exact_sleeps);
} sleeps SEC(".maps");

/* [0]: counts that found the map full; [1]: observed processes refused. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

static __always_inline void
exact_lost(__u32 what)
{
	__u64 *v = bpf_map_lookup_elem(&lost, &what);

	if (v)
		__sync_fetch_and_add(v, 1);
}

/* The channel of task's fd into *k: false when it is none. */
static __always_inline bool
exact_key_of(struct task_struct *task, long fd, __u16 dir,
    struct exact_key *k)
{
	struct fdtable *fdt = task->files->fdt;
	struct file **fds;
	struct inode *ino;
	struct file *f;
	__u32 mode;

	if (fd < 0 || fd >= fdt->max_fds)
		return false;
	fds = fdt->fd;
	if (bpf_probe_read_kernel(&f, sizeof f, &fds[fd]) != 0 || f == NULL)
		return false;
	f = bpf_rdonly_cast(f, bpf_core_type_id_kernel(struct file));
	ino = f->f_inode;
	mode = ino->i_mode & PZ_S_IFMT;
	if (mode == PZ_S_IFSOCK)
		k->kind = EXACT_SOCKET;
	else if (mode == PZ_S_IFIFO)
		k->kind = ino->i_sb->s_magic == PZ_PIPEFS_MAGIC ? EXACT_PIPE :
		    EXACT_FIFO;
	else
		return false;
	k->ino = ino->i_ino;
	k->dev = k->kind == EXACT_FIFO ? ino->i_sb->s_dev : 0;
	k->dir = dir;
	return true;
}

static __always_inline void
exact_count(struct task_struct *task, long fd, __u16 dir, long n)
{
	struct exact_key k = {};
	__u64 *v;

	if (!exact_key_of(task, fd, dir, &k))
		return;
	v = bpf_map_lookup_elem(&bytes, &k);
	if (v == NULL) {
		__u64 first = (__u64)n;

		if (bpf_map_update_elem(&bytes, &k, &first, BPF_NOEXIST) == 0)
			return;
		/* Another CPU made it meanwhile, or the map is full. */
		if ((v = bpf_map_lookup_elem(&bytes, &k)) == NULL) {
			exact_lost(0);
			return;
		}
	}
	__sync_fetch_and_add(v, n);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(exact_sys_exit, struct pt_regs *regs, long ret)
{
	long nr = regs->orig_ax, in = -1, out = -1;
	__u32 tgid;
	__u8 *o;

	switch (nr) {
	case 0:   /* read */
	case 19:  /* readv */
	case 45:  /* recvfrom */
	case 47:  /* recvmsg */
		in = regs->di;
		break;
	case 1:   /* write */
	case 20:  /* writev */
	case 44:  /* sendto */
	case 46:  /* sendmsg */
		out = regs->di;
		break;
	case 275: /* splice(fd_in, off_in, fd_out, ...) */
		in = regs->di;
		out = regs->dx;
		break;
	case 276: /* tee(fd_in, fd_out, ...): nothing is consumed */
		out = regs->si;
		break;
	case 40:  /* sendfile(out_fd, in_fd, ...) */
		in = regs->si;
		out = regs->di;
		break;
	default:
		return 0;
	}
	if (ret <= 0)
		return 0;
	tgid = bpf_get_current_pid_tgid() >> 32;
	o = bpf_map_lookup_elem(&observed, &tgid);
	if (o == NULL || *o != EXACT_COUNT)
		return 0;
	if (in >= 0)
		exact_count(bpf_get_current_task_btf(), in, EXACT_READ, ret);
	if (out >= 0)
		exact_count(bpf_get_current_task_btf(), out, EXACT_WRITTEN, ret);
	return 0;
}

/*
 * The fd and direction of the call nr the thread sleeps in: reads wait
 * for data, writes for room; splice, tee and sendfile are left out (two
 * fds: which one it waits on is not known here).
 */
static __always_inline long
exact_wait_fd(long nr, struct pt_regs *regs, __u16 *dir)
{
	switch (nr) {
	case 0: case 19: case 45: case 47:
		*dir = EXACT_READ;
		return (long)regs->di;
	case 1: case 20: case 44: case 46:
		*dir = EXACT_WRITTEN;
		return (long)regs->di;
	}
	return -1;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(exact_switch, bool preempt, struct task_struct *prev,
    struct task_struct *next, unsigned int prev_state)
{
	__u32 tgid = next->tgid, tid;
	struct exact_wait_mark *w, nw = {};
	struct pt_regs *regs;
	__u8 *o;
	__u16 dir;
	long fd;

	/* Switched in: a sleep it began ends now. */
	o = bpf_map_lookup_elem(&observed, &tgid);
	if (o != NULL && *o == EXACT_COUNT) {
		tid = next->pid;
		w = bpf_map_lookup_elem(&waiting, &tid);
		if (w != NULL && w->since != 0) {
			struct exact_sleeps *sl, first = { 1, 0 };
			__u64 ns = bpf_ktime_get_ns() - w->since;

			sl = bpf_map_lookup_elem(&sleeps, &w->key);
			if (sl != NULL) {
				__sync_fetch_and_add(&sl->count, 1);
				__sync_fetch_and_add(&sl->ns, ns);
			} else {
				first.ns = ns;
				bpf_map_update_elem(&sleeps, &w->key, &first,
				    BPF_NOEXIST);
			}
			w->since = 0;
		}
	}
	/* Switched out asleep (not preempted), inside a read or a write. */
	if (preempt || prev_state == 0)
		return 0;
	tgid = prev->tgid;
	o = bpf_map_lookup_elem(&observed, &tgid);
	if (o == NULL || *o != EXACT_COUNT)
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(prev);
	if (regs == NULL ||
	    (fd = exact_wait_fd((long)regs->orig_ax, regs, &dir)) < 0 ||
	    !exact_key_of(prev, fd, dir, &nw.key))
		return 0;
	nw.since = bpf_ktime_get_ns();
	nw.tgid = tgid;
	tid = prev->pid;
	bpf_map_update_elem(&waiting, &tid, &nw, BPF_ANY);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(exact_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	__u8 count = EXACT_COUNT;

	if (ptgid == ctgid || bpf_map_lookup_elem(&observed, &ptgid) == NULL)
		return 0;
	if (bpf_map_update_elem(&observed, &ctgid, &count, BPF_ANY) != 0)
		exact_lost(1);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(exact_exit, struct task_struct *task)
{
	__u32 tgid = task->tgid, tid = task->pid;

	bpf_map_delete_elem(&waiting, &tid);
	if (task->pid == task->tgid)
		bpf_map_delete_elem(&observed, &tgid);
	return 0;
}
