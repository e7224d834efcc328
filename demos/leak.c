/*
 * leak - a reader that never sees end-of-file: the parent forgets to
 * close its own copy of the write end (filedes[1]), so after the child
 * has written and exited, the parent's read waits forever.  Quit pipeviz
 * with q.
 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(void)
{
	int filedes[2];
	char buffer[80];
	ssize_t n;
	pid_t child;

	if (pipe(filedes) == -1) {
		perror("pipe");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((child = fork()) == -1) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		close(filedes[0]);
		if (write(filedes[1], "hello\n", 6) != 6)
			return 1;
		return 0;
	}
	/* The bug: close(filedes[1]) is missing here. */
	waitpid(child, NULL, 0);
	while ((n = read(filedes[0], buffer, sizeof buffer)) > 0)
		printf("parent read %zd bytes\n", n);
	printf("parent saw end-of-file\n"); /* never printed */
	return 0;
}
