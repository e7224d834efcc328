/*
 * test-sockdiag.c - sock_diag requests and replies; the replies are the
 * kernel's bytes, recorded on 6.18 by tools/sockdiag-record.py.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

#include "pipeviz/sockdiag.h"

#include "sockdiag-recorded.h"

/* Decode buf whole into a new snapshot, asserting rc and *done. */
static struct snapshot *
parse(const void *buf, size_t len, int protocol, int want_rc,
    bool want_done)
{
	struct snapshot *s = snapshot_create(0);
	bool done = !want_done;

	assert_int_equal(sockdiag_parse(buf, len, protocol, s, NULL, NULL,
	    &done), want_rc);
	assert_int_equal(done, want_done);
	return s;
}

static const struct snap_socket *
find(const struct snapshot *s, uint64_t inode)
{
	const struct snap_socket *k = snapshot_find_socket(s, inode);

	assert_non_null(k);
	return k;
}

static void
assert_addr(const char *got, const char *want)
{
	if (want == NULL) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
}

static void
test_request_unix(void **state)
{
	uint32_t buf[64];
	const struct nlmsghdr *nlh = (const void *)buf;
	const struct unix_diag_req *r = (const void *)(nlh + 1);
	size_t n;

	(void)state;
	memset(buf, 0xa5, sizeof buf);
	n = sockdiag_request(buf, sizeof buf, AF_UNIX, 0, 42);
	assert_int_equal(n, sizeof *nlh + sizeof *r);
	assert_int_equal(nlh->nlmsg_len, n);
	assert_int_equal(nlh->nlmsg_type, SOCK_DIAG_BY_FAMILY);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(nlh->nlmsg_seq, 42);
	assert_int_equal(nlh->nlmsg_pid, 0);
	assert_int_equal(r->sdiag_family, AF_UNIX);
	assert_int_equal(r->sdiag_protocol, 0);
	assert_int_equal(r->udiag_states, ~0U);
	assert_int_equal(r->udiag_ino, 0);
	assert_int_equal(r->udiag_show,
	    UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN);
	/* Too small, or not a pair the kernel serves here: nothing. */
	assert_int_equal(sockdiag_request(buf, n - 1, AF_UNIX, 0, 1), 0);
	assert_int_equal(sockdiag_request(buf, sizeof buf, AF_UNIX,
	    IPPROTO_TCP, 1), 0);
	assert_int_equal(sockdiag_request(buf, sizeof buf, AF_INET, 0, 1), 0);
	assert_int_equal(sockdiag_request(buf, sizeof buf, AF_INET6,
	    IPPROTO_SCTP, 1), 0);
}

static void
test_request_inet(void **state)
{
	uint32_t buf[64];
	const struct nlmsghdr *nlh = (const void *)buf;
	const struct inet_diag_req_v2 *r = (const void *)(nlh + 1);
	static const uint8_t zero[sizeof r->id.idiag_src] = { 0 };
	size_t n;

	(void)state;
	memset(buf, 0xa5, sizeof buf);
	n = sockdiag_request(buf, sizeof buf, AF_INET6, IPPROTO_UDP, 7);
	assert_int_equal(n, sizeof *nlh + sizeof *r);
	assert_int_equal(nlh->nlmsg_len, n);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(r->sdiag_family, AF_INET6);
	assert_int_equal(r->sdiag_protocol, IPPROTO_UDP);
	assert_int_equal(r->idiag_ext, 0);
	assert_int_equal(r->idiag_states, ~0U);
	assert_int_equal(r->id.idiag_sport, 0);
	assert_memory_equal(r->id.idiag_src, zero, sizeof zero);
	assert_int_equal(r->id.idiag_cookie[0], INET_DIAG_NOCOOKIE);
	n = sockdiag_request(buf, sizeof buf, AF_INET, IPPROTO_TCP, 8);
	assert_int_equal(r->sdiag_family, AF_INET);
	assert_int_equal(r->sdiag_protocol, IPPROTO_TCP);
}

/* A stream pair: "hello" sent a to b, "hi" b to a, nothing read. */
static void
test_unix_pair(void **state)
{
	struct snapshot *s = parse(rec_unix, sizeof rec_unix, 0, 0, true);
	const struct snap_socket *a = find(s, REC_INO_PAIR_A);
	const struct snap_socket *b = find(s, REC_INO_PAIR_B);

	(void)state;
	assert_int_equal(s->nsockets, 6);
	assert_int_equal(a->type, SNAP_SOCK_UNIX);
	assert_int_equal(a->peer, REC_INO_PAIR_B);
	assert_int_equal(a->rqueue, 2);
	assert_int_equal(a->wqueue, -1);
	assert_false(a->listening);
	assert_null(a->local);
	assert_null(a->remote);
	assert_int_equal(b->peer, REC_INO_PAIR_A);
	assert_int_equal(b->rqueue, 5);
	assert_int_equal(b->wqueue, -1);
	snapshot_free(s);
}

static void
test_unix_listeners(void **state)
{
	struct snapshot *s = parse(rec_unix, sizeof rec_unix, 0, 0, true);
	const struct snap_socket *l = find(s, REC_INO_LISTENER);
	const struct snap_socket *ab = find(s, REC_INO_ABSTRACT);
	const struct snap_socket *c = find(s, REC_INO_CLIENT);
	const struct snap_socket *d = find(s, REC_INO_DGRAM);

	(void)state;
	/* A path listener with one connection waiting, backlog 7. */
	assert_int_equal(l->type, SNAP_SOCK_UNIX);
	assert_true(l->listening);
	assert_addr(l->local, REC_UNIX_PATH);
	assert_int_equal(l->rqueue, 1);
	assert_int_equal(l->wqueue, 7);
	assert_int_equal(l->peer, 0);
	/* An abstract seqpacket name, "\0pipeviz-test\0x". */
	assert_int_equal(ab->type, SNAP_SOCK_UNIX);
	assert_true(ab->listening);
	assert_addr(ab->local, "@pipeviz-test@x");
	assert_int_equal(ab->rqueue, 0);
	assert_int_equal(ab->wqueue, 3);
	/* Its peer is not accepted yet: no inode to name. */
	assert_int_equal(c->type, SNAP_SOCK_UNIX);
	assert_false(c->listening);
	assert_int_equal(c->peer, 0);
	assert_null(c->local);
	assert_int_equal(d->type, SNAP_SOCK_UNIX_DGRAM);
	assert_int_equal(d->rqueue, 0);
	assert_null(d->local);
	snapshot_free(s);
}

static void
test_tcp4(void **state)
{
	struct snapshot *s = parse(rec_tcp4, sizeof rec_tcp4, IPPROTO_TCP, 0,
	    true);
	const struct snap_socket *l = find(s, REC_INO_TCP_LISTENER);
	const struct snap_socket *c = find(s, REC_INO_TCP_CLIENT);
	const struct snap_socket *v = find(s, REC_INO_TCP_SERVER);
	char here[32], there[32];

	(void)state;
	snprintf(here, sizeof here, "127.0.0.1:%d", REC_TCP_PORT);
	snprintf(there, sizeof there, "127.0.0.1:%d", REC_TCP_CLIENT_PORT);
	assert_int_equal(s->nsockets, 3);
	assert_int_equal(l->type, SNAP_SOCK_TCP);
	assert_true(l->listening);
	assert_addr(l->local, here);
	assert_null(l->remote);
	assert_int_equal(l->rqueue, 0);
	assert_int_equal(l->wqueue, 5); /* listen(5) */
	assert_false(c->listening);
	assert_addr(c->local, there);
	assert_addr(c->remote, here);
	assert_int_equal(c->rqueue, 0);
	assert_int_equal(c->wqueue, 0);
	assert_addr(v->local, here);
	assert_addr(v->remote, there);
	assert_int_equal(v->rqueue, 3); /* "abc", unread */
	/* Not paired until asked. */
	assert_int_equal(c->peer, 0);
	assert_int_equal(v->peer, 0);
	sockdiag_pair_tcp(s);
	assert_int_equal(c->peer, REC_INO_TCP_SERVER);
	assert_int_equal(v->peer, REC_INO_TCP_CLIENT);
	assert_int_equal(l->peer, 0);
	snapshot_free(s);
}

static void
test_tcp6(void **state)
{
	struct snapshot *s = parse(rec_tcp6, sizeof rec_tcp6, IPPROTO_TCP, 0,
	    true);
	const struct snap_socket *l = find(s, REC_INO_TCP6_LISTENER);
	const struct snap_socket *c = find(s, REC_INO_TCP6_CLIENT);
	const struct snap_socket *v = find(s, REC_INO_TCP6_SERVER);
	char here[32], there[32];

	(void)state;
	snprintf(here, sizeof here, "[::1]:%d", REC_TCP6_PORT);
	snprintf(there, sizeof there, "[::1]:%d", REC_TCP6_CLIENT_PORT);
	assert_true(l->listening);
	assert_addr(l->local, here);
	assert_null(l->remote);
	assert_addr(c->local, there);
	assert_addr(c->remote, here);
	assert_addr(v->local, here);
	assert_addr(v->remote, there);
	sockdiag_pair_tcp(s);
	assert_int_equal(c->peer, REC_INO_TCP6_SERVER);
	assert_int_equal(v->peer, REC_INO_TCP6_CLIENT);
	snapshot_free(s);
}

static void
test_udp4(void **state)
{
	struct snapshot *s = parse(rec_udp4, sizeof rec_udp4, IPPROTO_UDP, 0,
	    true);
	const struct snap_socket *c = find(s, REC_INO_UDP_CONNECTED);
	const struct snap_socket *b = find(s, REC_INO_UDP_BOUND);
	char here[32], there[32];

	(void)state;
	snprintf(here, sizeof here, "127.0.0.1:%d", REC_UDP_PORT);
	snprintf(there, sizeof there, "127.0.0.1:%d", REC_UDP_PEER_PORT);
	assert_int_equal(c->type, SNAP_SOCK_UDP);
	assert_false(c->listening);
	assert_addr(c->local, here);
	assert_addr(c->remote, there);
	/* A datagram is queued, but the kernel counts memory: unknown. */
	assert_int_equal(c->rqueue, -1);
	assert_int_equal(c->wqueue, -1);
	assert_addr(b->local, there);
	assert_null(b->remote);
	/* UDP is never paired. */
	sockdiag_pair_tcp(s);
	assert_int_equal(c->peer, 0);
	snapshot_free(s);
}

static bool
only_pair_b(uint64_t inode, void *arg)
{
	int *calls = arg;

	(*calls)++;
	return inode == REC_INO_PAIR_B;
}

static void
test_wanted(void **state)
{
	struct snapshot *s = snapshot_create(0);
	struct snap_socket *k;
	int calls = 0;
	bool done;

	(void)state;
	/* A socket s already has is overwritten, not added twice. */
	k = snapshot_add_socket(s, REC_INO_PAIR_B);
	k->local = strdup("stale");
	assert_int_equal(sockdiag_parse(rec_unix, sizeof rec_unix, 0, s,
	    only_pair_b, &calls, &done), 0);
	assert_true(done);
	assert_int_equal(calls, 6);
	assert_int_equal(s->nsockets, 1);
	k = &s->sockets[0];
	assert_int_equal(k->inode, REC_INO_PAIR_B);
	assert_int_equal(k->type, SNAP_SOCK_UNIX);
	assert_null(k->local);
	assert_int_equal(k->peer, REC_INO_PAIR_A);
	snapshot_free(s);
}

static void
test_errors(void **state)
{
	struct snapshot *s;

	(void)state;
	/* NLMSG_ERROR: a request for family 200. */
	s = parse(rec_error, sizeof rec_error, IPPROTO_TCP, -EINVAL, false);
	assert_int_equal(s->nsockets, 0);
	snapshot_free(s);
	/* A protocol without a handler: the error comes in NLMSG_DONE. */
	s = parse(rec_error_proto, sizeof rec_error_proto, IPPROTO_TCP,
	    -ENOENT, false);
	snapshot_free(s);
}

static void
test_malformed(void **state)
{
	static uint32_t buf[sizeof rec_unix / 4 + 1];
	struct nlmsghdr *nlh = (void *)buf;
	struct snapshot *s;
	bool done;

	(void)state;
	/* Cut anywhere inside the first message: -EINVAL, nothing added. */
	for (size_t n = 1; n < 60; n++) {
		s = parse(rec_unix, n, 0, -EINVAL, false);
		assert_int_equal(s->nsockets, 0);
		snapshot_free(s);
	}
	/* Nothing at all is no error, and no end. */
	s = parse(rec_unix, 0, 0, 0, false);
	snapshot_free(s);
	/* The wrong family for the protocol. */
	s = parse(rec_unix, sizeof rec_unix, IPPROTO_TCP, -EINVAL, false);
	snapshot_free(s);
	s = parse(rec_tcp4, sizeof rec_tcp4, 0, -EINVAL, false);
	snapshot_free(s);
	/* Misaligned. */
	memcpy((char *)buf + 1, rec_unix, sizeof rec_unix - 1);
	s = snapshot_create(0);
	assert_int_equal(sockdiag_parse((char *)buf + 1, 60, 0, s, NULL,
	    NULL, &done), -EINVAL);
	snapshot_free(s);
	/* A message shorter than unix_diag_msg. */
	memcpy(buf, rec_unix, sizeof rec_unix);
	nlh->nlmsg_len = sizeof *nlh + 8;
	s = parse(buf, sizeof rec_unix, 0, -EINVAL, false);
	snapshot_free(s);
	/*
	 * A length of 2^31 or more, which mnl_nlmsg_ok() alone lets
	 * through (found by the fuzzer): a NOOP with it must not be
	 * stepped over.
	 */
	memcpy(buf, rec_unix, sizeof rec_unix);
	nlh->nlmsg_len = 0x9200003c;
	nlh->nlmsg_type = NLMSG_NOOP;
	s = parse(buf, sizeof rec_unix, 0, -EINVAL, false);
	snapshot_free(s);
	/* An attribute claiming more than its message: ignored. */
	memcpy(buf, rec_unix, sizeof rec_unix);
	((uint16_t *)buf)[16] = 0xfff0; /* the first nla_len, at 32 */
	s = parse(buf, sizeof rec_unix, 0, 0, true);
	assert_int_equal(s->nsockets, 6);
	snapshot_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_unix),
		cmocka_unit_test(test_request_inet),
		cmocka_unit_test(test_unix_pair),
		cmocka_unit_test(test_unix_listeners),
		cmocka_unit_test(test_tcp4),
		cmocka_unit_test(test_tcp6),
		cmocka_unit_test(test_udp4),
		cmocka_unit_test(test_wanted),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
