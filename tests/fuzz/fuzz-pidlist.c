/*
 * fuzz-pidlist.c - procparse_pid_list() on any children-file text.  The
 * first byte is the room given (0-63 pids); the rest is the text.
 */
#include "fuzz.h"

#include "pipeviz/procparse.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	size_t max = fuzz_u8(&in) % 64;
	char *text = fuzz_cstring(in.p, in.n);
	/* Exactly max pids, so ASan catches a write past the room given. */
	pid_t *pids = malloc((max > 0 ? max : 1) * sizeof *pids);
	int n;

	if (pids == NULL)
		abort();
	n = procparse_pid_list(text, max > 0 ? pids : NULL, max);
	FUZZ_CHECK(n == -22 /* -EINVAL */ || (n >= 0 && (size_t)n <= max));
	for (int i = 0; i < n; i++)
		FUZZ_CHECK(pids[i] > 0);
	free(pids);
	free(text);
	return 0;
}
