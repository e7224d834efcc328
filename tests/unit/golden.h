/*
 * golden.h - text compared with a golden file, for the unit tests that
 * draw (layout, history, summary).  Included after <cmocka.h>.
 *
 * golden_check("layout", "chain-wide", text) compares text with
 * GOLDEN_DIR/layout-chain-wide.txt; PIPEVIZ_GOLDEN_UPDATE=1 rewrites the
 * file first.  The directory is the test's first argument (meson gives
 * it), tests/golden when run by hand from the source tree.
 */
#ifndef PIPEVIZ_TEST_GOLDEN_H
#define PIPEVIZ_TEST_GOLDEN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *golden_dir = "tests/golden";

static char *
golden_read(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void
golden_check(const char *kind, const char *name, const char *text)
{
	char path[512], *want;

	snprintf(path, sizeof path, "%s/%s-%s.txt", golden_dir, kind, name);
	if (getenv("PIPEVIZ_GOLDEN_UPDATE") != NULL) {
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs(text, f);
		fclose(f);
	}
	want = golden_read(path);
	if (want == NULL)
		fail_msg("no golden file %s", path);
	if (strcmp(want, text) != 0) {
		fprintf(stderr, "--- want %s\n%s--- got\n%s", path, want, text);
		fail_msg("%s %s differs from its golden file", kind, name);
	}
	free(want);
}

#endif
