/*
 * procevents.h - the kernel's process events connector (NETLINK_CONNECTOR,
 * group CN_IDX_PROC), as bytes.  Pure: probe-events.c sends and receives,
 * these functions only build the subscription and decode the datagrams, so
 * they are unit-tested on bytes recorded on 6.18 and fuzzed.
 *
 * Each datagram holds netlink messages as the kernel writes them (4-byte
 * aligned, each padded to 4 bytes); each message a struct cn_msg whose
 * data is one struct proc_event.
 */
#ifndef PIPEVIZ_PROCEVENTS_H
#define PIPEVIZ_PROCEVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum procevent_kind {
	PROCEVENT_ACK,	 /* the answer to a subscription: err says how it went */
	PROCEVENT_FORK,	 /* pid/tgid: the child; ppid/ptgid: its parent */
	PROCEVENT_EXEC,	 /* pid/tgid exec'd a program */
	PROCEVENT_EXIT,	 /* pid/tgid exited: status, exit_signal, ppid/ptgid */
	PROCEVENT_COMM,	 /* pid/tgid has a new name, comm (an exec sets it) */
	PROCEVENT_OTHER, /* uid, gid, sid, ptrace, coredump: not used */
};

struct procevent {
	enum procevent_kind kind;
	uint64_t ns;	  /* the kernel's CLOCK_MONOTONIC, in ns */
	pid_t pid, tgid;  /* the thread and its process */
	pid_t ppid, ptgid; /* FORK, EXIT: the parent's thread and process */
	/*
	 * EXIT: the status as wait(2) would give it (WIFEXITED, WTERMSIG
	 * apply), and the signal the parent is sent (SIGCHLD; -1 for a
	 * thread).  ACK: err is the subscription's errno, 0 for success.
	 */
	int status, exit_signal;
	char comm[16];	  /* COMM: NUL-terminated (the kernel's TASK_COMM_LEN) */
	int err;
	uint32_t seq, ack; /* the connector message's: ACK matches them */
};

/*
 * Build the subscription message (op PROC_CN_MCAST_LISTEN when listen,
 * else PROC_CN_MCAST_IGNORE) into buf[0..size), 4-byte aligned.  Returns
 * its length, or 0 when size is too small.  The kernel answers every
 * listener with an ACK event whose ack is seq + 1 (its own seq is a
 * counter of what it sent), so a seq of the caller's own (a nonce) tells
 * its answer from the answers to other subscribers.
 */
size_t procevents_request(void *buf, size_t size, bool listen, uint32_t seq);

/*
 * Decode one datagram buf[0..len) into out[0..max): *n gets how many
 * events were decoded (at most max; the rest of a datagram with more is
 * dropped and *more set).  Messages from another connector (idx or val
 * not CN_IDX_PROC/CN_VAL_PROC) and NLMSG_NOOP are skipped.  Returns 0; an
 * NLMSG_ERROR gives its -errno, NLMSG_OVERRUN -ENOBUFS, a truncated or
 * malformed message or a misaligned buffer -EINVAL (events decoded before
 * it stay in out).  Nothing past buf[len) is read.
 */
int procevents_parse(const void *buf, size_t len, struct procevent *out,
    size_t max, size_t *n, bool *more);

/* "fork", "exec", "exit", "ack", "other": for logs and tests. */
const char *procevents_kind_name(enum procevent_kind);

#endif
