/* exitcode.c - a launched pipeline's status, with 126/127 for its stages. */
#include "pipeviz/exitcode.h"

int
exitcode_pipeline(int status, const struct snap_exit *exits, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct snap_exit *e = &exits[i];

		if (!e->exited || e->signal != 0)
			continue;
		/* A stage that could not start is why the pipeline failed. */
		if (e->code == EXITCODE_NOT_FOUND ||
		    e->code == EXITCODE_CANNOT_RUN)
			return e->code;
	}
	return status;
}
