/*
 * split.h - split a shell pipeline into stages on top-level '|'.
 *
 * Pure: no I/O.  Quotes ('', ""), backslash escapes, $(...), $((...)),
 * ${...}, backquotes, ( ) subshells and { } groups are respected; '||' is
 * not a pipe; '|&' pipes stderr too.  A line that cannot be split safely
 * (top-level ';', '&', '&&', '||', newline, here-documents, shell keywords
 * such as if/while/for/case, a leading '!') is returned whole, as a single
 * stage with `whole` set, to be run by one /bin/sh.
 */
#ifndef PIPEVIZ_SPLIT_H
#define PIPEVIZ_SPLIT_H

#include <stdbool.h>
#include <stddef.h>

struct split_stage {
	char *text;	  /* the stage's source, trimmed of blanks */
	bool pipe_stderr; /* followed by '|&': its fd 2 joins the pipe too */
	/*
	 * Offset into text where "exec " can be inserted so that sh replaces
	 * itself with the command (dash forks even for a lone command): after
	 * any leading VAR=value assignments.  -1 when the stage needs the shell
	 * to stay (compound commands, lists, builtins such as cd or read).
	 */
	int exec_at;
};

struct split_result {
	struct split_stage *stages;
	size_t nstages;
	bool whole; /* could not be split safely; one stage holds the line */
};

/*
 * Split line.  Returns 0 and fills out (free with split_clear), or -1 and
 * sets *err to a newly allocated one-line message without a trailing
 * newline or "pipeviz:" prefix (the caller frees it), e.g. "empty pipeline",
 * "empty command before '|'", "unterminated single quote".
 */
int split_pipeline(const char *line, struct split_result *out, char **err);
void split_clear(struct split_result *); /* frees the contents; NULL ok */

/* The command line to give /bin/sh -c for stage s (newly allocated). */
char *split_stage_command(const struct split_stage *s);

#endif
