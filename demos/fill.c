/*
 * fill - the notes' loop: write to a pipe that nobody reads until the
 * writer blocks.  It holds both ends itself, so pipeviz draws one process
 * and a pipe from it to itself; the fill rises to the capacity, then the
 * writer is BLOCKED for good (quit pipeviz with q).
 *
 * usage: fill [MICROSECONDS between writes, default 2000]
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MESG "..............................."

int
main(int argc, char **argv)
{
	useconds_t pause = argc > 1 ? (useconds_t)atoi(argv[1]) : 2000;
	int fh[2];
	long b = 0;

	if (pipe(fh) == -1) {
		perror("pipe");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		printf("%ld\n", b);
		if (write(fh[1], MESG, sizeof(MESG)) == -1) {
			perror("write");
			return 1;
		}
		b += sizeof(MESG);
		if (pause > 0)
			usleep(pause);
	}
}
