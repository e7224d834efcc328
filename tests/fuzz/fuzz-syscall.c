/*
 * fuzz-syscall.c - procparse_syscall() on any /proc/PID/syscall text, then
 * procparse_block_op() on what it found.  The text up to the first '|' is
 * the syscall file, the rest is the wchan.
 */
#include "fuzz.h"

#include "pipeviz/procparse.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstring(data, size), *wchan = strchr(text, '|');
	uint64_t args[6] = { 1, 2, 3, 4, 5, 6 };
	long nr = -99;
	int rc, fd = -99;
	enum snap_block_op op;
	const char *name;

	if (wchan != NULL)
		*wchan++ = '\0';
	rc = procparse_syscall(text, &nr, args);
	FUZZ_CHECK(rc == 0 || rc == -22 /* -EINVAL */);
	if (rc != 0) {
		FUZZ_CHECK(nr == -99 && args[0] == 1 && args[5] == 6);
		/* Any number is still safe to classify. */
		nr = (long)(size * 7) - 3;
	}
	FUZZ_CHECK(nr >= -1 || rc != 0);
	op = procparse_block_op(nr, args, wchan, &fd);
	FUZZ_CHECK(op >= SNAP_BLOCK_NONE && op <= SNAP_BLOCK_WAIT);
	if (op == SNAP_BLOCK_READ || op == SNAP_BLOCK_WRITE)
		FUZZ_CHECK(fd >= 0);
	else
		FUZZ_CHECK(fd == -1);
	name = procparse_syscall_name(nr);
	FUZZ_CHECK(name != NULL);
	if (name[0] != '\0')
		FUZZ_CHECK(procparse_syscall_number(name) == nr);
	if (wchan != NULL)
		FUZZ_CHECK(procparse_syscall_number(wchan) == -1 ||
		    strcmp(procparse_syscall_name(procparse_syscall_number(wchan)),
		    wchan) == 0);
	free(text);
	return 0;
}
