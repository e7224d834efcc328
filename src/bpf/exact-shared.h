/*
 * exact-shared.h - what the BPF program (exact.bpf.c) and its loader
 * (probe-exact.c) agree on: the maps' keys and values.
 */
#ifndef PIPEVIZ_EXACT_SHARED_H
#define PIPEVIZ_EXACT_SHARED_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define EXACT_MAX_PROCS 16384
#define EXACT_MAX_CHANNELS 65536

/* The value of an observed tgid. */
#define EXACT_COUNT 1	 /* its bytes count, and its children are observed */
#define EXACT_CHILDREN 2 /* only its children are (pipeviz itself) */

enum exact_kind { EXACT_PIPE = 1, EXACT_FIFO = 2, EXACT_SOCKET = 3 };
enum exact_dir { EXACT_WRITTEN = 0, EXACT_READ = 1 };

/* A channel and a direction: bytes written into it, or read from it. */
struct exact_key {
	__u64 ino;
	__u32 dev;	/* a FIFO's file system (the kernel's dev_t), else 0 */
	__u16 kind;	/* enum exact_kind */
	__u16 dir;	/* enum exact_dir */
};

/*
 * A thread asleep in a read or write of a channel: since when (the
 * kernel's CLOCK_MONOTONIC, ns; 0 once it woke), on what, and whose.
 */
struct exact_wait_mark {
	__u64 since;
	struct exact_key key;	/* dir: EXACT_READ waits for data, else room */
	__u32 tgid;
	__u32 pad;
};

/* A channel's sleeps (by direction): how many, and how long in all. */
struct exact_sleeps {
	__u64 count;
	__u64 ns;
};

#define EXACT_MAX_THREADS 16384

#endif
