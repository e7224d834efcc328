/*
 * driver.c - run a fuzz harness on files, without libFuzzer.
 *
 * Usage: fuzz-TARGET FILE|DIR...  Each file (each file of each directory,
 * in name order) is passed to LLVMFuzzerTestOneInput once.  It prints TAP,
 * one test per file, so `meson test` counts corpus files; a crash is a
 * crash of the whole test, which meson reports as a failure.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int ntests;

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL) {
		printf("not ok %d - %s: %s\n", ++ntests, path, strerror(errno));
		return 1;
	}
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((buf = realloc(buf, cap)) == NULL)
				abort();
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	/* libFuzzer hands over an exact-size buffer: so do we, for ASan. */
	uint8_t *exact = malloc(len > 0 ? len : 1);
	if (exact == NULL)
		abort();
	if (len > 0)
		memcpy(exact, buf, len);
	free(buf);
	fflush(stdout);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	printf("ok %d - %s\n", ++ntests, path);
	return 0;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int
main(int argc, char **argv)
{
	int failed = 0;

	for (int i = 1; i < argc; i++) {
		struct dirent **names;
		struct stat st;
		int n;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if ((n = scandir(argv[i], &names, NULL, by_name)) < 0) {
				printf("not ok %d - %s: %s\n", ++ntests, argv[i],
				    strerror(errno));
				failed++;
				continue;
			}
			for (int j = 0; j < n; j++) {
				char path[4096];

				if (names[j]->d_name[0] != '.') {
					snprintf(path, sizeof path, "%s/%s", argv[i],
					    names[j]->d_name);
					failed += run_file(path);
				}
				free(names[j]);
			}
			free(names);
		} else
			failed += run_file(argv[i]);
	}
	printf("1..%d\n", ntests);
	return failed != 0;
}
