/*
 * fuzz-pollfd.c - waitparse_pollfd() and waitparse_fdset() on any bytes
 * copied out of a sleeper's memory.  Input: a mode byte (even: pollfd
 * array, odd: fd_sets), a max byte, for fd_sets two bytes of nfds, then
 * the bytes, each set in an exact-size buffer so that ASan sees a read
 * past it.
 */
#include "fuzz.h"

#include "pipeviz/waitparse.h"

static void
fuzz_pollfd(struct fuzz_in *in, size_t max, struct snap_wait_fd *out)
{
	uint8_t *buf = calloc(in->n > 0 ? in->n : 1, 1);
	size_t nonneg = 0;
	bool trunc = false;
	int rc;

	if (buf == NULL)
		abort();
	if (in->n > 0)
		memcpy(buf, in->p, in->n);
	rc = waitparse_pollfd(buf, in->n, out, max, &trunc);
	if (in->n % WAITPARSE_POLLFD_SIZE != 0) {
		FUZZ_CHECK(rc == -22 /* -EINVAL */ && !trunc);
		free(buf);
		return;
	}
	for (size_t off = 0; off < in->n; off += WAITPARSE_POLLFD_SIZE) {
		int fd;

		memcpy(&fd, buf + off, sizeof fd);
		nonneg += fd >= 0;
	}
	FUZZ_CHECK(rc >= 0 && (size_t)rc <= max);
	FUZZ_CHECK((size_t)rc == (nonneg < max ? nonneg : max));
	FUZZ_CHECK(trunc == (nonneg > max));
	for (int i = 0; i < rc; i++)
		FUZZ_CHECK(out[i].fd >= 0 && out[i].kind == SNAP_FD_OTHER &&
		    out[i].inode == 0);
	free(buf);
}

static uint8_t *
take_set(struct fuzz_in *in, size_t size)
{
	uint8_t *set;

	if (size == 0 || in->n < size)
		return NULL;
	if ((set = malloc(size)) == NULL)
		abort();
	memcpy(set, in->p, size);
	in->p += size;
	in->n -= size;
	return set;
}

static void
fuzz_fdset(struct fuzz_in *in, size_t max, struct snap_wait_fd *out)
{
	uint64_t nfds = fuzz_u64(in, 2);
	size_t size = waitparse_fdset_size(nfds);
	uint8_t *rd = take_set(in, size), *wr = take_set(in, size);
	bool trunc = false;
	int rc;

	rc = waitparse_fdset(rd, wr, nfds, out, max, &trunc);
	FUZZ_CHECK(rc >= 0 && (size_t)rc <= max);
	FUZZ_CHECK(!trunc || (size_t)rc == max);
	for (int i = 0; i < rc; i++) {
		FUZZ_CHECK(out[i].fd >= 0 && (uint64_t)out[i].fd < nfds);
		FUZZ_CHECK(out[i].in || out[i].out);
		FUZZ_CHECK(!out[i].in || rd != NULL);
		FUZZ_CHECK(!out[i].out || wr != NULL);
		FUZZ_CHECK(i == 0 || out[i].fd > out[i - 1].fd);
		FUZZ_CHECK(out[i].kind == SNAP_FD_OTHER && out[i].inode == 0);
	}
	free(rd);
	free(wr);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	unsigned mode = fuzz_u8(&in);
	size_t max = fuzz_u8(&in);
	struct snap_wait_fd *out = malloc((max > 0 ? max : 1) * sizeof *out);

	if (out == NULL)
		abort();
	if (mode % 2 == 0)
		fuzz_pollfd(&in, max, out);
	else
		fuzz_fdset(&in, max, out);
	free(out);
	return 0;
}
