/*
 * parent-child - the notes' pipe made before fork: the child writes
 * "done" after a pause, the parent waits reading until it arrives.
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
		sleep(3); /* look: the parent waits on an empty pipe */
		if (write(filedes[1], "done", 4) != 4)
			return 1;
		sleep(3);
		return 0;
	}
	n = read(filedes[0], buffer, sizeof buffer - 1);
	buffer[n > 0 ? n : 0] = '\0';
	printf("parent read %zd bytes: %s\n", n, buffer);
	waitpid(child, NULL, 0);
	return 0;
}
