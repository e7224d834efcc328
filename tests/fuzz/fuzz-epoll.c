/* fuzz-epoll.c - waitparse_epoll() on any epoll fdinfo text. */
#include "fuzz.h"

#include "pipeviz/waitparse.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A max from the first byte, so truncation is reached too. */
	size_t max = size > 0 ? data[0] % 8 : 0;
	char *text = fuzz_cstring(size > 0 ? data + 1 : data,
	    size > 0 ? size - 1 : 0);
	struct snap_wait_fd *out = malloc((max > 0 ? max : 1) * sizeof *out);
	size_t len = strlen(text);
	bool trunc = false;
	int rc;

	if (out == NULL)
		abort();
	rc = waitparse_epoll(text, out, max, &trunc);
	FUZZ_CHECK(rc == -22 /* -EINVAL */ || (rc >= 0 && (size_t)rc <= max));
	if (rc < 0) {
		FUZZ_CHECK(!trunc);
	} else {
		FUZZ_CHECK(strncmp(text, "pos:", 4) == 0 || strstr(text, "\npos:"));
		/* Truncated: no room left, or a cut last line. */
		FUZZ_CHECK(!trunc || (size_t)rc == max ||
		    (len > 0 && text[len - 1] != '\n'));
		if (len > 0 && text[len - 1] != '\n')
			FUZZ_CHECK(trunc);
		for (int i = 0; i < rc; i++)
			FUZZ_CHECK(out[i].fd >= 0 && out[i].kind == SNAP_FD_OTHER);
		/* Every target is a tfd line. */
		if (rc > 0)
			FUZZ_CHECK(strncmp(text, "tfd:", 4) == 0 ||
			    strstr(text, "\ntfd:"));
	}
	free(out);
	free(text);
	return 0;
}
