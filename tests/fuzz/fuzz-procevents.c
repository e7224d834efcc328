/*
 * fuzz-procevents.c - procevents_parse() on any datagram bytes, and the
 * events it decodes fed to proclife: the first byte's low bits pick how
 * many events fit (1-64), the rest is the datagram, copied to an aligned
 * buffer of exactly its size so that ASan sees any overread.  The pid of
 * the first event is observed, so forks, execs and exits of its family
 * (and of the ring) go through the tracker; every record handed back must
 * be ended, and the live ones must be alive.
 */
#include "fuzz.h"

#include "pipeviz/procevents.h"
#include "pipeviz/proclife.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct procevent ev[64];
	struct proclife *pl;
	struct proclife_rec *rec;
	uint32_t *buf;
	size_t n = 0, max;
	pid_t live[64];
	bool more = false, argv;
	int rc;

	if (size < 1)
		return 0;
	max = (size_t)(data[0] & 63) + 1;
	data++;
	size--;
	buf = malloc(size > 0 ? size : 1);
	if (buf == NULL)
		abort();
	if (size > 0)
		memcpy(buf, data, size);
	rc = procevents_parse(buf, size, ev, max, &n, &more);
	FUZZ_CHECK(rc <= 0 && rc >= -4095);
	FUZZ_CHECK(n <= max);
	if (more)
		FUZZ_CHECK(n == max);
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(ev[i].kind >= PROCEVENT_ACK &&
		    ev[i].kind <= PROCEVENT_OTHER);
		FUZZ_CHECK(procevents_kind_name(ev[i].kind) != NULL);
	}
	pl = proclife_create(0);
	if (n > 0) {
		proclife_track(pl, ev[0].tgid, ev[0].ptgid, 0, true);
		proclife_track(pl, ev[0].ptgid, 1, -1, false);
	}
	proclife_apply(pl, ev, n);
	while ((rec = proclife_next_unread(pl, &argv)) != NULL)
		FUZZ_CHECK(rec->ended < 0);
	while ((rec = proclife_take_ended(pl)) != NULL) {
		FUZZ_CHECK(rec->exit.exited && rec->ended >= -1e12);
		FUZZ_CHECK(rec->argv != NULL);
		proclife_rec_free(rec);
	}
	n = proclife_live(pl, live, 64);
	for (size_t i = 0; i < n; i++) {
		rec = proclife_find(pl, live[i]);
		FUZZ_CHECK(rec != NULL && rec->ended < 0);
	}
	proclife_free(pl);
	free(buf);
	return 0;
}
