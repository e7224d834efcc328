/*
 * self - the notes' program that sends a message to itself through its
 * own pipe, slowed down so the class can see the nine bytes sit in the
 * pipe before it reads them back.
 */
#include <stdio.h>
#include <unistd.h>

int
main(void)
{
	int fh[2], results[3], ok;
	FILE *reader, *writer;

	if (pipe(fh) == -1) {
		perror("pipe");
		return 1;
	}
	reader = fdopen(fh[0], "r");
	writer = fdopen(fh[1], "w");
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("Writing...\n");
	fprintf(writer, "%d %d %d\n", 10, 20, 30);
	fflush(writer);
	sleep(3); /* look: the bytes wait in the pipe */
	printf("Reading...\n");
	ok = fscanf(reader, "%d %d %d", results, results + 1, results + 2);
	printf("%d values parsed: %d %d %d\n", ok, results[0], results[1],
	    results[2]);
	sleep(3);
	return 0;
}
