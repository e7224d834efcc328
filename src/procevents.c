/* procevents.c - the process events connector as bytes; no I/O. */
#include "pipeviz/procevents.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>

/* The largest errno the kernel returns; anything else is not an error. */
#define PROCEVENTS_MAX_ERRNO 4095

/* What a proc_event holds before its union, and the union's largest arm. */
#define PROCEVENTS_HEAD offsetof(struct proc_event, event_data)

size_t
procevents_request(void *buf, size_t size, bool listen, uint32_t seq)
{
	size_t need = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct cn_msg) +
	    sizeof(uint32_t));
	struct nlmsghdr *nlh;
	struct cn_msg *cn;
	uint32_t op = listen ? PROC_CN_MCAST_LISTEN : PROC_CN_MCAST_IGNORE;

	if (buf == NULL || size < need)
		return 0;
	memset(buf, 0, need);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_DONE; /* the connector's own convention */
	nlh->nlmsg_seq = seq;
	/*
	 * The 4-byte op alone: every kernel since 2.6.15 takes it, and 6.6
	 * and later read it as "all events" (a proc_input with a filter is
	 * ignored by the older ones, which would then never answer).
	 */
	cn = mnl_nlmsg_put_extra_header(nlh, sizeof *cn + sizeof op);
	cn->id.idx = CN_IDX_PROC;
	cn->id.val = CN_VAL_PROC;
	/* The kernel numbers what it sends itself, but answers ack + 1. */
	cn->seq = seq;
	cn->ack = seq;
	cn->len = sizeof op;
	memcpy(cn->data, &op, sizeof op);
	return nlh->nlmsg_len;
}

static uint32_t
procevents_u32(const unsigned char *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, sizeof v);
	return v;
}

/* One proc_event of len bytes at p into e: false when it is cut short. */
static bool
procevents_event(const unsigned char *p, size_t len, struct procevent *e)
{
	uint32_t what;
	size_t need;
	const size_t u = PROCEVENTS_HEAD;

	if (len < u)
		return false;
	what = procevents_u32(p, offsetof(struct proc_event, what));
	memcpy(&e->ns, p + offsetof(struct proc_event, timestamp_ns),
	    sizeof e->ns);
	switch (what) {
	case PROC_EVENT_NONE:
		e->kind = PROCEVENT_ACK;
		need = sizeof(uint32_t);
		break;
	case PROC_EVENT_FORK:
		e->kind = PROCEVENT_FORK;
		need = sizeof(struct fork_proc_event);
		break;
	case PROC_EVENT_EXEC:
		e->kind = PROCEVENT_EXEC;
		need = sizeof(struct exec_proc_event);
		break;
	case PROC_EVENT_EXIT:
		e->kind = PROCEVENT_EXIT;
		/* Kernels before 4.12 had no parent in the exit event. */
		need = offsetof(struct exit_proc_event, parent_pid);
		break;
	case PROC_EVENT_COMM:
		e->kind = PROCEVENT_COMM;
		need = sizeof(struct comm_proc_event);
		break;
	default:
		e->kind = PROCEVENT_OTHER;
		need = 2 * sizeof(uint32_t);
		break;
	}
	if (len - u < need)
		return false;
	p += u;
	len -= u;
	switch (e->kind) {
	case PROCEVENT_ACK:
		e->err = (int)procevents_u32(p, 0);
		break;
	case PROCEVENT_FORK:
		e->ppid = (pid_t)procevents_u32(p,
		    offsetof(struct fork_proc_event, parent_pid));
		e->ptgid = (pid_t)procevents_u32(p,
		    offsetof(struct fork_proc_event, parent_tgid));
		e->pid = (pid_t)procevents_u32(p,
		    offsetof(struct fork_proc_event, child_pid));
		e->tgid = (pid_t)procevents_u32(p,
		    offsetof(struct fork_proc_event, child_tgid));
		break;
	case PROCEVENT_COMM:
		/* Observed data: cut at its size whatever the bytes say. */
		memcpy(e->comm, p + offsetof(struct comm_proc_event, comm),
		    sizeof e->comm - 1);
		e->comm[sizeof e->comm - 1] = '\0';
		/* FALLTHROUGH */
	case PROCEVENT_EXEC:
	case PROCEVENT_OTHER:
	case PROCEVENT_EXIT:
		/* pid and tgid come first in each of these. */
		e->pid = (pid_t)procevents_u32(p, 0);
		e->tgid = (pid_t)procevents_u32(p, sizeof(uint32_t));
		break;
	}
	if (e->kind != PROCEVENT_EXIT)
		return true;
	e->status = (int)procevents_u32(p,
	    offsetof(struct exit_proc_event, exit_code));
	e->exit_signal = (int)procevents_u32(p,
	    offsetof(struct exit_proc_event, exit_signal));
	if (len >= sizeof(struct exit_proc_event)) {
		e->ppid = (pid_t)procevents_u32(p,
		    offsetof(struct exit_proc_event, parent_pid));
		e->ptgid = (pid_t)procevents_u32(p,
		    offsetof(struct exit_proc_event, parent_tgid));
	}
	return true;
}

int
procevents_parse(const void *buf, size_t len, struct procevent *out,
    size_t max, size_t *n, bool *more)
{
	const struct nlmsghdr *nlh = buf;
	int left = len > (size_t)INT32_MAX ? INT32_MAX : (int)len;

	*n = 0;
	*more = false;
	if (buf == NULL || ((uintptr_t)buf & 3) != 0)
		return -EINVAL;
	while (left > 0) {
		const unsigned char *payload;
		struct cn_msg cn;
		size_t plen;
		struct procevent e;

		/*
		 * mnl_nlmsg_ok() compares the length as an int: 0xffffffff is
		 * -1 and passes, and mnl_nlmsg_next() then aligns it to 0 and
		 * never moves.  The length is checked unsigned here.
		 */
		if (!mnl_nlmsg_ok(nlh, left) || nlh->nlmsg_len > (uint32_t)left)
			return -EINVAL;
		payload = mnl_nlmsg_get_payload(nlh);
		plen = mnl_nlmsg_get_payload_len(nlh);
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			int32_t err;

			if (plen < sizeof err)
				return -EINVAL;
			memcpy(&err, payload, sizeof err);
			if (err == 0) /* an acknowledgement, not an error */
				goto next;
			return err < 0 && err >= -PROCEVENTS_MAX_ERRNO ? err :
			    -EINVAL;
		}
		if (nlh->nlmsg_type == NLMSG_OVERRUN)
			return -ENOBUFS;
		if (nlh->nlmsg_type == NLMSG_NOOP)
			goto next;
		if (plen < sizeof cn)
			return -EINVAL;
		memcpy(&cn, payload, sizeof cn);
		if (cn.len > plen - sizeof cn)
			return -EINVAL;
		if (cn.id.idx != CN_IDX_PROC || cn.id.val != CN_VAL_PROC)
			goto next;
		memset(&e, 0, sizeof e);
		if (!procevents_event(payload + sizeof cn, cn.len, &e))
			return -EINVAL;
		e.seq = cn.seq;
		e.ack = cn.ack;
		if (*n == max) {
			*more = true;
			return 0;
		}
		out[(*n)++] = e;
next:
		nlh = mnl_nlmsg_next(nlh, &left);
	}
	return 0;
}

const char *
procevents_kind_name(enum procevent_kind k)
{
	switch (k) {
	case PROCEVENT_ACK:
		return "ack";
	case PROCEVENT_FORK:
		return "fork";
	case PROCEVENT_EXEC:
		return "exec";
	case PROCEVENT_EXIT:
		return "exit";
	case PROCEVENT_COMM:
		return "comm";
	case PROCEVENT_OTHER:
		break;
	}
	return "other";
}
