/* fuzz-fdinfo.c - procparse_fdinfo() on any /proc/PID/fdinfo/N text. */
#include <fcntl.h>

#include "fuzz.h"

#include "pipeviz/procparse.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstring(data, size);
	struct procparse_fdinfo fi = { -7, 7, 7 };
	enum snap_fd_mode m;
	int rc = procparse_fdinfo(text, &fi);

	FUZZ_CHECK(rc == 0 || rc == -22 /* -EINVAL */);
	if (rc != 0) {
		/* Nothing is written on failure. */
		FUZZ_CHECK(fi.pos == -7 && fi.flags == 7 && fi.ino == 7);
	} else {
		/* Both keys were there, at the start of a line. */
		FUZZ_CHECK(strncmp(text, "pos:", 4) == 0 || strstr(text, "\npos:"));
		FUZZ_CHECK(strncmp(text, "flags:", 6) == 0 ||
		    strstr(text, "\nflags:"));
		m = procparse_mode_from_flags(fi.flags);
		FUZZ_CHECK(m >= SNAP_MODE_NONE && m <= SNAP_MODE_RW);
		if (fi.flags & O_PATH)
			FUZZ_CHECK(m == SNAP_MODE_NONE);
	}
	free(text);
	return 0;
}
