/*
 * fuzz-sockdiag.c - sockdiag_parse() on any reply bytes.  The first byte
 * picks the protocol (0 unix, 1 TCP, 2 UDP) and, with bit 7, a predicate
 * that wants odd inodes only; the rest is the reply, copied to an
 * aligned buffer of exactly its size so that ASan sees any overread.
 */
#include <netinet/in.h>

#include "fuzz.h"

#include "pipeviz/sockdiag.h"

static bool
odd_only(uint64_t inode, void *arg)
{
	(void)arg;
	return (inode & 1) != 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int protocols[] = { 0, IPPROTO_TCP, IPPROTO_UDP };
	struct snapshot *s;
	const struct snap_socket *k, *p;
	uint8_t *buf;
	bool done = true, odd;
	int rc, protocol;

	if (size < 1)
		return 0;
	protocol = protocols[(data[0] & 0x7f) % 3];
	odd = (data[0] & 0x80) != 0;
	data++;
	size--;
	buf = malloc(size > 0 ? size : 1);
	if (buf == NULL)
		abort();
	if (size > 0)
		memcpy(buf, data, size);
	s = snapshot_create(0);
	rc = sockdiag_parse(buf, size, protocol, s, odd ? odd_only : NULL,
	    NULL, &done);
	FUZZ_CHECK(rc <= 0 && rc >= -4095);
	if (rc != 0)
		FUZZ_CHECK(!done);
	sockdiag_pair_tcp(s);
	for (size_t i = 0; i < s->nsockets; i++) {
		k = &s->sockets[i];
		FUZZ_CHECK(k->type >= SNAP_SOCK_UNKNOWN &&
		    k->type <= SNAP_SOCK_UDP);
		if (odd)
			FUZZ_CHECK((k->inode & 1) != 0);
		/* One entry per inode. */
		FUZZ_CHECK(snapshot_find_socket(s, k->inode) == k);
		if (k->local != NULL && protocol != 0)
			FUZZ_CHECK(strlen(k->local) < 64);
		if (k->remote != NULL)
			FUZZ_CHECK(protocol != 0 && strlen(k->remote) < 64);
		FUZZ_CHECK(k->rqueue >= -1 && k->wqueue >= -1);
		if (protocol == 0)
			FUZZ_CHECK(k->type == SNAP_SOCK_UNKNOWN ||
			    k->type == SNAP_SOCK_UNIX ||
			    k->type == SNAP_SOCK_UNIX_DGRAM);
		/* TCP pairs name each other. */
		if (protocol == IPPROTO_TCP && k->peer != 0) {
			p = snapshot_find_socket(s, k->peer);
			FUZZ_CHECK(p != NULL && p->peer == k->inode);
		}
	}
	snapshot_free(s);
	free(buf);
	return 0;
}
