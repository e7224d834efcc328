/*
 * deadlock - two pipes that fill both ways: parent and child each write
 * more than a pipe holds to the other before reading anything, so both
 * block writing, each waiting for the other to read.  Quit with q.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* More than a default pipe (64 KiB) holds. */
#define AMOUNT (256 * 1024)

static void
talk(int out, int in)
{
	static char buf[AMOUNT];
	ssize_t n;

	memset(buf, 'x', sizeof buf);
	for (size_t off = 0; off < sizeof buf; off += (size_t)n) {
		if ((n = write(out, buf + off, sizeof buf - off)) <= 0)
			return;
	}
	while (read(in, buf, sizeof buf) > 0)
		;
}

int
main(void)
{
	int down[2], up[2];
	pid_t child;

	if (pipe(down) == -1 || pipe(up) == -1) {
		perror("pipe");
		return 1;
	}
	if ((child = fork()) == -1) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		close(down[1]);
		close(up[0]);
		talk(up[1], down[0]);
		return 0;
	}
	close(down[0]);
	close(up[1]);
	talk(down[1], up[0]);
	waitpid(child, NULL, 0);
	return 0;
}
