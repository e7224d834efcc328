/*
 * fuzz-fdkind.c - procparse_fd_kind() on any /proc/PID/fd link text.
 *
 * The first byte picks the st_mode stat() would have given (none, FIFO,
 * character or block device, file, directory, socket, or raw bits); the
 * rest is the link text.
 */
#include <sys/stat.h>

#include "fuzz.h"

#include "pipeviz/procparse.h"

static const mode_t modes[] = {
	0, S_IFIFO | 0600, S_IFCHR | 0666, S_IFBLK | 0660, S_IFREG | 0644,
	S_IFDIR | 0755, S_IFSOCK | 0777, S_IFLNK | 0777,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	unsigned pick = fuzz_u8(&in);
	mode_t mode = pick < 8 * 16 ? modes[pick % 8] :
	    (mode_t)fuzz_u64(&in, 4);
	char *link = fuzz_cstring(in.p, in.n);
	uint64_t inode = 12345;
	enum snap_fd_kind k = procparse_fd_kind(link, mode, &inode);

	FUZZ_CHECK(k >= SNAP_FD_PIPE && k <= SNAP_FD_OTHER);
	FUZZ_CHECK(strcmp(snapshot_kind_name(k), "") != 0);
	if (k == SNAP_FD_PIPE)
		FUZZ_CHECK(strncmp(link, "pipe:[", 6) == 0);
	else if (k == SNAP_FD_SOCKET)
		FUZZ_CHECK(strncmp(link, "socket:[", 8) == 0);
	else
		FUZZ_CHECK(inode == 12345); /* left alone */
	if (k == SNAP_FD_FIFO)
		FUZZ_CHECK(S_ISFIFO(mode) && link[0] == '/');
	if (k == SNAP_FD_FILE || k == SNAP_FD_TTY || k == SNAP_FD_DEV)
		FUZZ_CHECK(link[0] == '/');
	FUZZ_CHECK(procparse_fd_kind(NULL, mode, &inode) == SNAP_FD_OTHER);
	free(link);
	return 0;
}
