/* sockdiag.c - NETLINK_SOCK_DIAG requests and replies as bytes; no I/O. */
#include "pipeviz/sockdiag.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

#include "pipeviz/util.h"

/* The largest errno the kernel returns; anything else is not an error. */
#define SOCKDIAG_MAX_ERRNO 4095

size_t
sockdiag_request(void *buf, size_t size, int family, int protocol,
    uint32_t seq)
{
	struct nlmsghdr *nlh;
	struct unix_diag_req *ureq;
	struct inet_diag_req_v2 *ireq;
	size_t need;

	if (family == AF_UNIX && protocol == 0)
		need = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof *ureq);
	else if ((family == AF_INET || family == AF_INET6) &&
	    (protocol == IPPROTO_TCP || protocol == IPPROTO_UDP))
		need = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof *ireq);
	else
		return 0;
	if (buf == NULL || size < need)
		return 0;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	if (family == AF_UNIX) {
		ureq = mnl_nlmsg_put_extra_header(nlh, sizeof *ureq);
		ureq->sdiag_family = AF_UNIX;
		ureq->udiag_states = ~0U;
		ureq->udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER |
		    UDIAG_SHOW_RQLEN;
		ureq->udiag_cookie[0] = ureq->udiag_cookie[1] = ~0U;
	} else {
		ireq = mnl_nlmsg_put_extra_header(nlh, sizeof *ireq);
		ireq->sdiag_family = (uint8_t)family;
		ireq->sdiag_protocol = (uint8_t)protocol;
		ireq->idiag_states = ~0U;
		ireq->id.idiag_cookie[0] = ireq->id.idiag_cookie[1] =
		    INET_DIAG_NOCOOKIE;
	}
	return nlh->nlmsg_len;
}

/* The snap_socket for inode: s's own, emptied, or a new one. */
static struct snap_socket *
sockdiag_socket(struct snapshot *s, uint64_t inode)
{
	struct snap_socket *k = snapshot_find_socket(s, inode);

	if (k == NULL)
		return snapshot_add_socket(s, inode);
	free(k->local);
	free(k->remote);
	memset(k, 0, sizeof *k);
	k->inode = inode;
	k->rqueue = k->wqueue = -1;
	return k;
}

/*
 * A UNIX_DIAG_NAME as text.  A path is taken to its first NUL (the
 * kernel includes the terminator); an abstract name has no terminator
 * and may hold any bytes: ss shows each NUL as '@', and so do we.
 */
static char *
sockdiag_unix_name(const char *name, size_t len)
{
	char *text;

	if (len == 0)
		return NULL;
	if (name[0] != '\0') {
		len = strnlen(name, len);
		text = xmalloc(len + 1);
		memcpy(text, name, len);
		text[len] = '\0';
		return text;
	}
	text = xmalloc(len + 1);
	for (size_t i = 0; i < len; i++)
		text[i] = name[i] == '\0' ? '@' : name[i];
	text[len] = '\0';
	return text;
}

static int
sockdiag_unix(const struct nlmsghdr *nlh, struct snapshot *s,
    sockdiag_wanted_fn wanted, void *arg)
{
	const struct unix_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	const struct unix_diag_rqlen *rq;
	const struct nlattr *attr;
	struct snap_socket *k;
	size_t n;

	if (wanted != NULL && !wanted(m->udiag_ino, arg))
		return 0;
	k = sockdiag_socket(s, m->udiag_ino);
	switch (m->udiag_type) {
	case SOCK_STREAM:
	case SOCK_SEQPACKET:
		k->type = SNAP_SOCK_UNIX;
		break;
	case SOCK_DGRAM:
		k->type = SNAP_SOCK_UNIX_DGRAM;
		break;
	default:
		k->type = SNAP_SOCK_UNKNOWN;
		break;
	}
	k->listening = m->udiag_state == TCP_LISTEN;

	/* mnl_attr_ok() stops the walk at an attribute that does not fit. */
	mnl_attr_for_each(attr, nlh, sizeof *m) {
		n = mnl_attr_get_payload_len(attr);
		switch (mnl_attr_get_type(attr)) {
		case UNIX_DIAG_NAME:
			free(k->local);
			k->local = sockdiag_unix_name(
			    mnl_attr_get_payload(attr), n);
			break;
		case UNIX_DIAG_PEER:
			if (n >= sizeof(uint32_t))
				k->peer = mnl_attr_get_u32(attr);
			break;
		case UNIX_DIAG_RQLEN:
			if (n < sizeof *rq)
				break;
			rq = mnl_attr_get_payload(attr);
			k->rqueue = rq->udiag_rqueue;
			/*
			 * A connected socket's wqueue is the memory its
			 * unread skbs take (768 for 5 bytes on 6.18), not
			 * bytes: the bytes are the peer's rqueue.
			 */
			k->wqueue = k->listening ? (int64_t)rq->udiag_wqueue : -1;
			break;
		}
	}
	return 0;
}

/* "127.0.0.1:5599", "[::1]:80". */
static char *
sockdiag_inet_addr(int family, const uint32_t addr[4], uint16_t port_be)
{
	char host[INET6_ADDRSTRLEN], text[INET6_ADDRSTRLEN + 16];

	if (inet_ntop(family, addr, host, sizeof host) == NULL)
		return NULL;
	if (family == AF_INET6)
		snprintf(text, sizeof text, "[%s]:%u", host, ntohs(port_be));
	else
		snprintf(text, sizeof text, "%s:%u", host, ntohs(port_be));
	return xstrdup(text);
}

static int
sockdiag_inet(const struct nlmsghdr *nlh, int protocol, struct snapshot *s,
    sockdiag_wanted_fn wanted, void *arg)
{
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	const struct inet_diag_sockid *id = &m->id;
	struct snap_socket *k;

	if (wanted != NULL && !wanted(m->idiag_inode, arg))
		return 0;
	k = sockdiag_socket(s, m->idiag_inode);
	k->type = protocol == IPPROTO_TCP ? SNAP_SOCK_TCP : SNAP_SOCK_UDP;
	k->listening = protocol == IPPROTO_TCP &&
	    m->idiag_state == TCP_LISTEN;
	/*
	 * For UDP both are sk_rmem_alloc and sk_wmem_alloc, memory rather
	 * than bytes (832 for one 4-byte datagram on 6.18): not known.
	 */
	if (protocol == IPPROTO_TCP) {
		k->rqueue = m->idiag_rqueue;
		k->wqueue = m->idiag_wqueue;
	}
	k->local = sockdiag_inet_addr(m->idiag_family, id->idiag_src,
	    id->idiag_sport);
	if (id->idiag_dport != 0 || id->idiag_dst[0] != 0 ||
	    id->idiag_dst[1] != 0 || id->idiag_dst[2] != 0 ||
	    id->idiag_dst[3] != 0)
		k->remote = sockdiag_inet_addr(m->idiag_family, id->idiag_dst,
		    id->idiag_dport);
	return 0;
}

/* The -errno an NLMSG_ERROR or NLMSG_DONE carries: 0, < 0, or 1 if bad. */
static int
sockdiag_errno(const struct nlmsghdr *nlh)
{
	int32_t e;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof e)
		return 1;
	memcpy(&e, mnl_nlmsg_get_payload(nlh), sizeof e);
	if (e > 0 || e < -SOCKDIAG_MAX_ERRNO)
		return 1;
	return e;
}

/*
 * Whether a whole message starts at nlh with rest bytes left.
 * mnl_nlmsg_ok() (libmnl 1.0.4) compares (int)nlmsg_len, so a length of
 * 2^31 or more passes it as negative: the unsigned test stops that.
 */
static bool
sockdiag_msg_ok(const struct nlmsghdr *nlh, int rest)
{
	return mnl_nlmsg_ok(nlh, rest) && nlh->nlmsg_len <= (unsigned int)rest;
}

int
sockdiag_parse(const void *buf, size_t len, int protocol,
    struct snapshot *s, sockdiag_wanted_fn wanted, void *arg, bool *done)
{
	const struct nlmsghdr *nlh = buf;
	size_t need;
	int rest, family, e;

	*done = false;
	if (len == 0)
		return 0;
	if (buf == NULL || ((uintptr_t)buf & 3) != 0 || len > INT_MAX)
		return -EINVAL;
	if (protocol != 0 && protocol != IPPROTO_TCP &&
	    protocol != IPPROTO_UDP)
		return -EINVAL;
	need = protocol == 0 ? sizeof(struct unix_diag_msg) :
	    sizeof(struct inet_diag_msg);

	/*
	 * sockdiag_msg_ok() checks that the header and the length it claims
	 * fit in what is left; mnl_nlmsg_next() steps over the padding, which
	 * may take rest below 0 after an unpadded last message.
	 */
	for (rest = (int)len; sockdiag_msg_ok(nlh, rest);
	    nlh = mnl_nlmsg_next(nlh, &rest)) {
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			continue;
		case NLMSG_DONE:
			/* A dump that failed part-way says so here. */
			e = mnl_nlmsg_get_payload_len(nlh) == 0 ? 0 :
			    sockdiag_errno(nlh);
			if (e > 0)
				return -EINVAL;
			if (e < 0)
				return e;
			*done = true;
			return 0;
		case NLMSG_ERROR:
			e = sockdiag_errno(nlh);
			if (e > 0)
				return -EINVAL;
			if (e < 0)
				return e;
			continue; /* an acknowledgement */
		case SOCK_DIAG_BY_FAMILY:
			break;
		default:
			return -EINVAL;
		}
		/*
		 * The attribute walk runs to the padded end of the message:
		 * that end must be in the buffer too.
		 */
		if (mnl_nlmsg_get_payload_len(nlh) < need ||
		    MNL_ALIGN(nlh->nlmsg_len) > (unsigned int)rest)
			return -EINVAL;
		family = *(const uint8_t *)mnl_nlmsg_get_payload(nlh);
		if (protocol == 0 && family == AF_UNIX)
			e = sockdiag_unix(nlh, s, wanted, arg);
		else if (protocol != 0 &&
		    (family == AF_INET || family == AF_INET6))
			e = sockdiag_inet(nlh, protocol, s, wanted, arg);
		else
			return -EINVAL;
		if (e != 0)
			return e;
	}
	/* Bytes left that do not hold a whole message: cut short. */
	return rest > 0 ? -EINVAL : 0;
}

static bool
sockdiag_same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

void
sockdiag_pair_tcp(struct snapshot *s)
{
	struct snap_socket *a, *b;

	/* Few sockets are held: a plain double loop. */
	for (size_t i = 0; i < s->nsockets; i++) {
		a = &s->sockets[i];
		/* Inode 0 is no socket of a process (TIME_WAIT). */
		if (a->type != SNAP_SOCK_TCP || a->remote == NULL ||
		    a->listening || a->peer != 0 || a->inode == 0)
			continue;
		/*
		 * An end already paired stays so: a connection has two
		 * ends, and a third with the same addresses (bad input;
		 * the dumps hold one namespace only) must not take one.
		 */
		for (size_t j = i + 1; j < s->nsockets; j++) {
			b = &s->sockets[j];
			if (b->type != SNAP_SOCK_TCP || b->listening ||
			    b->peer != 0 || b->inode == 0)
				continue;
			if (sockdiag_same(a->local, b->remote) &&
			    sockdiag_same(a->remote, b->local)) {
				a->peer = b->inode;
				b->peer = a->inode;
				break;
			}
		}
	}
}
