/*
 * fuzz-split.c - split_pipeline() on any text.
 *
 * Invariants: it returns 0 with at least one non-empty stage, or -1 with a
 * one-line message; a stage of a split line is itself one stage; the
 * exec-inserted command of a stage splits into one stage as well.
 */
#include "fuzz.h"

#include "pipeviz/split.h"

static void
check_one_stage(const char *text)
{
	struct split_result r;
	char *err;

	FUZZ_CHECK(split_pipeline(text, &r, &err) == 0);
	FUZZ_CHECK(r.nstages == 1);
	split_clear(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = fuzz_cstring(data, size);
	struct split_result r;
	char *err;

	if (split_pipeline(line, &r, &err) != 0) {
		FUZZ_CHECK(err != NULL && err[0] != '\0');
		FUZZ_CHECK(strchr(err, '\n') == NULL);
		FUZZ_CHECK(r.nstages == 0 && r.stages == NULL);
		free(err);
		free(line);
		return 0;
	}
	FUZZ_CHECK(err == NULL);
	FUZZ_CHECK(r.nstages >= 1);
	FUZZ_CHECK(!r.whole || r.nstages == 1);
	for (size_t i = 0; i < r.nstages; i++) {
		const struct split_stage *s = &r.stages[i];
		size_t len = strlen(s->text);
		char *cmd;

		FUZZ_CHECK(len > 0);
		FUZZ_CHECK(s->exec_at >= -1 && s->exec_at <= (int)len);
		FUZZ_CHECK(!s->pipe_stderr || i + 1 < r.nstages);
		/* A stage is text of the line, and has no top-level '|'. */
		FUZZ_CHECK(strstr(line, s->text) != NULL);
		if (!r.whole && r.nstages > 1) {
			check_one_stage(s->text);
			cmd = split_stage_command(s);
			check_one_stage(cmd);
			free(cmd);
		}
	}
	split_clear(&r);
	FUZZ_CHECK(r.stages == NULL && r.nstages == 0);
	free(line);
	return 0;
}
