/* test-split.c - unit tests for splitting a pipeline into stages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pipeviz/split.h"

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

/* Split line, which must succeed, into r. */
static void
split_ok(const char *line, struct split_result *r)
{
	char *err = NULL;
	int rc;

	rc = split_pipeline(line, r, &err);
	if (rc != 0)
		fail_msg("split \"%s\": %s", line, err);
	assert_null(err);
}

/* line splits (not whole) into exactly these stage texts. */
static void
expect_stages(const char *line, const char *const *texts, size_t n)
{
	struct split_result r;
	size_t i;

	split_ok(line, &r);
	assert_false(r.whole);
	assert_int_equal(r.nstages, n);
	for (i = 0; i < n; i++)
		assert_string_equal(r.stages[i].text, texts[i]);
	split_clear(&r);
}

/* line is one whole stage holding text. */
static void
expect_whole(const char *line, const char *text)
{
	struct split_result r;

	split_ok(line, &r);
	assert_true(r.whole);
	assert_int_equal(r.nstages, 1);
	assert_string_equal(r.stages[0].text, text);
	assert_int_equal(r.stages[0].exec_at, -1);
	assert_false(r.stages[0].pipe_stderr);
	split_clear(&r);
}

static void
expect_error(const char *line, const char *msg)
{
	struct split_result r;
	char *err = NULL;

	memset(&r, 0xa5, sizeof r);
	assert_int_equal(split_pipeline(line, &r, &err), -1);
	assert_non_null(err);
	assert_string_equal(err, msg);
	/* Nothing to free, so a stray split_clear is harmless too. */
	assert_null(r.stages);
	assert_int_equal(r.nstages, 0);
	split_clear(&r);
	free(err);
}

/* exec_at of a line that must be a single, splittable stage. */
static int
exec_at(const char *line)
{
	struct split_result r;
	int at;

	split_ok(line, &r);
	assert_false(r.whole);
	assert_int_equal(r.nstages, 1);
	at = r.stages[0].exec_at;
	split_clear(&r);
	return at;
}

static void
test_seed_pipeline_five_stages(void **state)
{
	struct split_result r;
	static const char *const texts[] = {
		"ls -1", "cut -d'.' -f1", "uniq", "sort", "tee dir_contents"
	};
	size_t i;

	(void)state;
	split_ok("ls -1 | cut -d'.' -f1 | uniq | sort | tee dir_contents", &r);
	assert_false(r.whole);
	assert_int_equal(r.nstages, nitems(texts));
	for (i = 0; i < nitems(texts); i++) {
		assert_string_equal(r.stages[i].text, texts[i]);
		assert_false(r.stages[i].pipe_stderr);
		assert_int_equal(r.stages[i].exec_at, 0);
	}
	split_clear(&r);
}

static void
test_single_command(void **state)
{
	static const char *const texts[] = { "ls -l" };

	(void)state;
	expect_stages("ls -l", texts, nitems(texts));
}

static void
test_stages_trimmed(void **state)
{
	static const char *const texts[] = { "ls", "sort -r" };

	(void)state;
	expect_stages(" \t ls\t|   sort -r \t ", texts, nitems(texts));
}

static void
test_quoted_pipes_not_split(void **state)
{
	static const char *const texts[] = {
		"echo 'a|b' \"c|d\" e'|'f", "wc -c"
	};

	(void)state;
	expect_stages("echo 'a|b' \"c|d\" e'|'f | wc -c", texts, nitems(texts));
}

static void
test_double_quote_escapes(void **state)
{
	static const char *const texts[] = { "echo \"a\\\"|b\"", "cat" };

	(void)state;
	expect_stages("echo \"a\\\"|b\" | cat", texts, nitems(texts));
}

static void
test_escaped_pipe_not_split(void **state)
{
	static const char *const texts[] = { "echo a\\|b \\|", "cat" };

	(void)state;
	expect_stages("echo a\\|b \\| | cat", texts, nitems(texts));
}

static void
test_or_is_whole(void **state)
{
	(void)state;
	expect_whole("false || echo no | cat", "false || echo no | cat");
}

static void
test_pipe_stderr(void **state)
{
	struct split_result r;

	(void)state;
	split_ok("make |& grep error | wc -l", &r);
	assert_false(r.whole);
	assert_int_equal(r.nstages, 3);
	assert_string_equal(r.stages[0].text, "make");
	assert_string_equal(r.stages[1].text, "grep error");
	assert_string_equal(r.stages[2].text, "wc -l");
	assert_true(r.stages[0].pipe_stderr);
	assert_false(r.stages[1].pipe_stderr);
	assert_false(r.stages[2].pipe_stderr);
	split_clear(&r);
}

static void
test_command_substitution(void **state)
{
	static const char *const texts[] = { "echo $(a|b)", "c" };

	(void)state;
	expect_stages("echo $(a|b) | c", texts, nitems(texts));
}

static void
test_nested_substitution_with_quotes(void **state)
{
	static const char *const texts[] = {
		"echo \"$(echo \")|\" $(x | y))\"", "cat"
	};

	(void)state;
	expect_stages("echo \"$(echo \")|\" $(x | y))\" | cat", texts,
	    nitems(texts));
}

static void
test_substitution_with_case(void **state)
{
	static const char *const texts[] = {
		"echo $(case x in x) echo a|b;; esac)", "cat"
	};

	(void)state;
	expect_stages("echo $(case x in x) echo a|b;; esac) | cat", texts,
	    nitems(texts));
}

static void
test_arithmetic_and_parameter(void **state)
{
	static const char *const texts[] = {
		"echo $((1 | (2 << 1))) ${x:-a|b} ${#y} ${z%|*} $${", "cat"
	};

	(void)state;
	expect_stages("echo $((1 | (2 << 1))) ${x:-a|b} ${#y} ${z%|*} $${ | cat",
	    texts, nitems(texts));
}

static void
test_backquotes(void **state)
{
	static const char *const texts[] = { "echo `ls | wc -l`", "cat" };

	(void)state;
	expect_stages("echo `ls | wc -l` | cat", texts, nitems(texts));
}

static void
test_subshell(void **state)
{
	struct split_result r;

	(void)state;
	split_ok("(a; b | c) | d", &r);
	assert_false(r.whole);
	assert_int_equal(r.nstages, 2);
	assert_string_equal(r.stages[0].text, "(a; b | c)");
	assert_string_equal(r.stages[1].text, "d");
	assert_int_equal(r.stages[0].exec_at, -1);
	assert_int_equal(r.stages[1].exec_at, 0);
	split_clear(&r);
}

static void
test_brace_group(void **state)
{
	struct split_result r;

	(void)state;
	split_ok("{ sleep 30 & echo hi; } | cat", &r);
	assert_false(r.whole);
	assert_int_equal(r.nstages, 2);
	assert_string_equal(r.stages[0].text, "{ sleep 30 & echo hi; }");
	assert_string_equal(r.stages[1].text, "cat");
	assert_int_equal(r.stages[0].exec_at, -1);
	split_clear(&r);
}

static void
test_brace_words_are_plain(void **state)
{
	static const char *const texts[] = {
		"find . -exec rm {} +", "awk '{print}'", "echo { }"
	};

	(void)state;
	expect_stages("find . -exec rm {} + | awk '{print}' | echo { }", texts,
	    nitems(texts));
}

static void
test_function_definition_is_whole(void **state)
{
	(void)state;
	expect_whole("f() { echo a | tr a b; }; f | cat",
	    "f() { echo a | tr a b; }; f | cat");
	expect_whole("function f { echo; }; f | cat",
	    "function f { echo; }; f | cat");
}

/*
 * A "function" that an operator ends names nothing: the "{" after the
 * '|' opens a group, as it does when that stage is split alone (found by
 * the fuzzer: the stage "{ a|b; }" split in two here but not alone).
 */
static void
test_function_before_pipe_names_nothing(void **state)
{
	static const char *const texts[] = { "(x)function", "{ a|b; }" };

	(void)state;
	expect_stages("(x)function|{ a|b; }", texts, 2);
}

static void
test_redirections_not_background(void **state)
{
	static const char *const texts[] = {
		"make 2>&1", "grep x >&2", "tee log &>/dev/null", "cat 1<&0",
		"sort >|out"
	};

	(void)state;
	expect_stages("make 2>&1 | grep x >&2 | tee log &>/dev/null | "
	    "cat 1<&0 | sort >|out", texts, nitems(texts));
}

static void
test_background_is_whole(void **state)
{
	(void)state;
	expect_whole("sleep 1 & ls | wc", "sleep 1 & ls | wc");
	expect_whole("ls | wc &", "ls | wc &");
}

static void
test_semicolon_is_whole(void **state)
{
	(void)state;
	expect_whole("  a; b | c\t", "a; b | c");
}

static void
test_and_is_whole(void **state)
{
	(void)state;
	expect_whole("a && b", "a && b");
}

static void
test_comment(void **state)
{
	static const char *const texts[] = { "ls", "sort" };
	static const char *const hash[] = { "echo a#b $#", "cat" };

	(void)state;
	expect_stages("ls | sort # | uniq; rm -rf x &", texts, nitems(texts));
	expect_stages("echo a#b $# | cat", hash, nitems(hash));
}

static void
test_newline_after_pipe(void **state)
{
	static const char *const texts[] = { "ls", "sort", "uniq" };

	(void)state;
	expect_stages("ls |\n  sort | # why\n\n uniq\n", texts, nitems(texts));
}

static void
test_line_continuation(void **state)
{
	static const char *const texts[] = { "ls \\\n  -l", "sort" };

	(void)state;
	expect_stages("ls \\\n  -l \\\n | sort", texts, nitems(texts));
}

static void
test_newline_is_whole(void **state)
{
	(void)state;
	expect_whole("ls\nsort | uniq", "ls\nsort | uniq");
	expect_whole("ls\n| sort", "ls\n| sort");
}

static void
test_keywords_are_whole(void **state)
{
	(void)state;
	expect_whole("! grep x f | wc", "! grep x f | wc");
	expect_whole("[[ -f x ]] | cat", "[[ -f x ]] | cat");
	expect_whole("select x in a; do ls; done | cat",
	    "select x in a; do ls; done | cat");
	/* A compound command that is not a stage's start is a list. */
	expect_whole("ls; for i in 1; do echo; done | cat",
	    "ls; for i in 1; do echo; done | cat");
}

/* A compound command is one stage, as sh sees it, up to done/fi/esac. */
static void
test_compound_commands_are_stages(void **state)
{
	static const char *const loop[] = {
		"for i in 1 2 3; do echo $i; done 2>&1", "grep -n ."
	};
	static const char *const ifs[] = {
		"if true; then ls; elif false; then :; else echo; fi", "cat"
	};
	static const char *const whiles[] = {
		"ls", "while read x; do echo $x | tr a b; done", "wc -l"
	};
	static const char *const nested[] = {
		"for i in 1; do while false; do :; done; if :; then "
		"case $i in 1|2) echo $i;; esac; fi; done", "cat"
	};
	static const char *const untils[] = {
		"until false; do break; done", "cat"
	};
	static const char *const cases[] = {
		"case $1 in a|b) ls;; esac", "cat"
	};
	static const char *const words[] = {
		"echo for if while done", "cat"
	};
	struct split_result r;

	(void)state;
	expect_stages("for i in 1 2 3; do echo $i; done 2>&1 | grep -n .", loop,
	    nitems(loop));
	expect_stages("if true; then ls; elif false; then :; else echo; fi | cat",
	    ifs, nitems(ifs));
	expect_stages("ls | while read x; do echo $x | tr a b; done | wc -l",
	    whiles, nitems(whiles));
	expect_stages("for i in 1; do while false; do :; done; if :; then "
	    "case $i in 1|2) echo $i;; esac; fi; done | cat", nested,
	    nitems(nested));
	expect_stages("until false; do break; done | cat", untils,
	    nitems(untils));
	/* After it, an operator of the line's own makes the line a list. */
	expect_whole("until false; do break; done || echo no | cat",
	    "until false; do break; done || echo no | cat");
	expect_stages("case $1 in a|b) ls;; esac | cat", cases, nitems(cases));
	/* Keywords that are arguments open nothing. */
	expect_stages("echo for if while done | cat", words, nitems(words));
	/* sh runs a compound stage itself: no exec in front of it. */
	split_ok("for i in 1; do echo; done | cat", &r);
	assert_int_equal(r.stages[0].exec_at, -1);
	assert_int_equal(r.stages[1].exec_at, 0);
	split_clear(&r);
	expect_error("for i in 1; do echo | cat", "missing 'done' or 'fi'");
	expect_error("echo $(if true; then ls) | cat", "missing 'done' or 'fi'");
}

/* "||" and "&&" need a command on each side: sh is not asked. */
static void
test_and_or_need_commands(void **state)
{
	(void)state;
	expect_error("ls ||", "missing command after '||'");
	expect_error("ls && ", "missing command after '&&'");
	expect_error("|| ls", "missing command before '||'");
	expect_error("ls | && cat", "missing command before '&&'");
	expect_error("ls || | cat", "missing command after '||'");
	expect_error("ls || ; echo", "missing command after '||'");
	expect_error("ls && && cat", "missing command after '&&'");
	expect_error("echo $(ls ||) | cat", "missing command after '||'");
	expect_error("{ ls || ; } | cat", "missing command after '||'");
	expect_error("if || x; then :; fi", "missing command before '||'");
	/* A newline after the operator continues the line. */
	expect_whole("ls ||\n echo no", "ls ||\n echo no");
	expect_whole("ls || >f", "ls || >f");
	expect_whole("ls && (cd / && ls) || if :; then :; fi",
	    "ls && (cd / && ls) || if :; then :; fi");
	expect_whole("case x in a) ls;; b) ;; esac && ls",
	    "case x in a) ls;; b) ;; esac && ls");
}

static void
test_quoted_keyword_is_plain(void **state)
{
	static const char *const texts[] = { "'if' x", "echo if" };

	(void)state;
	expect_stages("'if' x | echo if", texts, nitems(texts));
}

static void
test_heredoc_is_whole(void **state)
{
	(void)state;
	expect_whole("cat <<EOF | wc\nit's | here\nEOF\n",
	    "cat <<EOF | wc\nit's | here\nEOF");
}

static void
test_exec_at_plain_command(void **state)
{
	(void)state;
	assert_int_equal(exec_at("ls -1"), 0);
	assert_int_equal(exec_at("  ls -1"), 0);
	assert_int_equal(exec_at("echo exec"), 0);
}

static void
test_exec_at_after_assignments(void **state)
{
	static const char *line = "FOO=1 BAR='x y' sort -r";

	(void)state;
	assert_int_equal(exec_at(line), (int)(strstr(line, "sort") - line));
	assert_int_equal(exec_at("A_1=\"a b\" B=$(x) ls"), 17);
}

static void
test_exec_at_redirection_first(void **state)
{
	(void)state;
	assert_int_equal(exec_at(">out ls"), 0);
	assert_int_equal(exec_at("A=1 2>/dev/null ls"), 4);
	/* "exec >out B=2 ls" would run "B=2". */
	assert_int_equal(exec_at(">out B=2 ls"), -1);
}

static void
test_exec_at_builtins(void **state)
{
	(void)state;
	assert_int_equal(exec_at("cd /tmp"), -1);
	assert_int_equal(exec_at("read x"), -1);
	assert_int_equal(exec_at(": hi"), -1);
	assert_int_equal(exec_at("X=1 export X"), -1);
	assert_int_equal(exec_at("2>/dev/null cd /tmp"), -1);
	assert_int_equal(exec_at("exec ls"), -1);
}

static void
test_exec_at_compound(void **state)
{
	(void)state;
	assert_int_equal(exec_at("(ls)"), -1);
	assert_int_equal(exec_at("{ ls; }"), -1);
}

static void
test_exec_at_expansions_are_simple(void **state)
{
	(void)state;
	assert_int_equal(exec_at("echo $(ls) `ls` ${x} \"(\" \\("), 0);
}

static void
test_exec_at_no_command(void **state)
{
	(void)state;
	assert_int_equal(exec_at("x=1"), -1);
	assert_int_equal(exec_at("x=1 y='2 3'"), -1);
	assert_int_equal(exec_at(">out"), -1);
}

static void
test_stage_command(void **state)
{
	struct split_result r;
	char *cmd;

	(void)state;
	split_ok("FOO=1 sort -r | cd /tmp | ls", &r);
	assert_int_equal(r.nstages, 3);
	cmd = split_stage_command(&r.stages[0]);
	assert_string_equal(cmd, "FOO=1 exec sort -r");
	free(cmd);
	cmd = split_stage_command(&r.stages[1]);
	assert_string_equal(cmd, "cd /tmp");
	free(cmd);
	cmd = split_stage_command(&r.stages[2]);
	assert_string_equal(cmd, "exec ls");
	free(cmd);
	split_clear(&r);
}

static void
test_stage_command_whole(void **state)
{
	struct split_result r;
	char *cmd;

	(void)state;
	split_ok("a; b", &r);
	cmd = split_stage_command(&r.stages[0]);
	assert_string_equal(cmd, "a; b");
	free(cmd);
	split_clear(&r);
}

static void
test_error_empty(void **state)
{
	(void)state;
	expect_error("", "empty pipeline");
	expect_error(" \t\n ", "empty pipeline");
	expect_error("# nothing", "empty pipeline");
}

static void
test_error_missing_after(void **state)
{
	(void)state;
	expect_error("ls |", "missing command after '|'");
	expect_error("ls |& ", "missing command after '|&'");
}

static void
test_error_missing_before(void **state)
{
	(void)state;
	expect_error("| sort", "missing command before '|'");
	expect_error("  |", "missing command before '|'");
}

static void
test_error_empty_between(void **state)
{
	(void)state;
	expect_error("ls | | sort", "empty command between '|' and '|'");
	expect_error("ls |&\n| sort", "empty command between '|&' and '|'");
}

static void
test_error_unterminated_quotes(void **state)
{
	(void)state;
	expect_error("echo 'a | b", "unterminated single quote");
	expect_error("echo \"a | b", "unterminated double quote");
	expect_error("echo \"a\\", "unterminated double quote");
	expect_error("echo `a | b", "unterminated backquote");
}

static void
test_error_unterminated_paren(void **state)
{
	(void)state;
	expect_error("echo $(ls | wc", "unterminated '('");
	expect_error("(ls | wc", "unterminated '('");
	expect_error("echo $((1 + 2)", "unterminated '('");
	expect_error("echo ${x | cat", "unterminated '${'");
}

static void
test_error_unmatched_paren(void **state)
{
	(void)state;
	expect_error("ls) | wc", "unmatched ')'");
}

static void
test_error_unterminated_brace(void **state)
{
	(void)state;
	expect_error("{ ls; | wc", "unterminated '{'");
	expect_error("{ echo }", "unterminated '{'");
}

static void
test_error_trailing_backslash(void **state)
{
	(void)state;
	expect_error("ls | wc \\", "trailing backslash");
}

static void
test_error_nesting_too_deep(void **state)
{
	char line[4096];
	size_t n = 0;

	(void)state;
	/* 2000 nested $( would overflow a recursive scanner's stack. */
	for (int i = 0; i < 2000; i++) {
		line[n++] = '$';
		line[n++] = '(';
	}
	line[n] = '\0';
	expect_error(line, "nesting too deep");
}

static void
test_error_in_whole_line(void **state)
{
	(void)state;
	expect_error("a; echo 'b", "unterminated single quote");
	expect_error("a && (b", "unterminated '('");
}

static void
test_clear_null_and_zeroes(void **state)
{
	struct split_result r;

	(void)state;
	split_clear(NULL);
	split_ok("a | b", &r);
	split_clear(&r);
	assert_null(r.stages);
	assert_int_equal(r.nstages, 0);
	assert_false(r.whole);
	split_clear(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_pipeline_five_stages),
		cmocka_unit_test(test_single_command),
		cmocka_unit_test(test_stages_trimmed),
		cmocka_unit_test(test_quoted_pipes_not_split),
		cmocka_unit_test(test_double_quote_escapes),
		cmocka_unit_test(test_escaped_pipe_not_split),
		cmocka_unit_test(test_or_is_whole),
		cmocka_unit_test(test_pipe_stderr),
		cmocka_unit_test(test_command_substitution),
		cmocka_unit_test(test_nested_substitution_with_quotes),
		cmocka_unit_test(test_substitution_with_case),
		cmocka_unit_test(test_arithmetic_and_parameter),
		cmocka_unit_test(test_backquotes),
		cmocka_unit_test(test_subshell),
		cmocka_unit_test(test_brace_group),
		cmocka_unit_test(test_brace_words_are_plain),
		cmocka_unit_test(test_function_definition_is_whole),
		cmocka_unit_test(test_function_before_pipe_names_nothing),
		cmocka_unit_test(test_redirections_not_background),
		cmocka_unit_test(test_background_is_whole),
		cmocka_unit_test(test_semicolon_is_whole),
		cmocka_unit_test(test_and_is_whole),
		cmocka_unit_test(test_comment),
		cmocka_unit_test(test_newline_after_pipe),
		cmocka_unit_test(test_line_continuation),
		cmocka_unit_test(test_newline_is_whole),
		cmocka_unit_test(test_keywords_are_whole),
		cmocka_unit_test(test_compound_commands_are_stages),
		cmocka_unit_test(test_and_or_need_commands),
		cmocka_unit_test(test_quoted_keyword_is_plain),
		cmocka_unit_test(test_heredoc_is_whole),
		cmocka_unit_test(test_exec_at_plain_command),
		cmocka_unit_test(test_exec_at_after_assignments),
		cmocka_unit_test(test_exec_at_redirection_first),
		cmocka_unit_test(test_exec_at_builtins),
		cmocka_unit_test(test_exec_at_compound),
		cmocka_unit_test(test_exec_at_expansions_are_simple),
		cmocka_unit_test(test_exec_at_no_command),
		cmocka_unit_test(test_stage_command),
		cmocka_unit_test(test_stage_command_whole),
		cmocka_unit_test(test_error_empty),
		cmocka_unit_test(test_error_missing_after),
		cmocka_unit_test(test_error_missing_before),
		cmocka_unit_test(test_error_empty_between),
		cmocka_unit_test(test_error_unterminated_quotes),
		cmocka_unit_test(test_error_unterminated_paren),
		cmocka_unit_test(test_error_unmatched_paren),
		cmocka_unit_test(test_error_unterminated_brace),
		cmocka_unit_test(test_error_trailing_backslash),
		cmocka_unit_test(test_error_nesting_too_deep),
		cmocka_unit_test(test_error_in_whole_line),
		cmocka_unit_test(test_clear_null_and_zeroes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
