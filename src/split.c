/*
 * split.c - split a shell command line into pipeline stages.
 *
 * This is a small sh lexer, not a parser: it finds tokens, follows quotes
 * and nesting ($(...), ${...}, `...`, ( ), { } and case ... esac, whose
 * pattern ')' must not close anything) and notes where the top-level
 * pipeline's stages start and end.  Anything it is unsure of makes the line
 * "whole", so that one /bin/sh runs it as written.
 */
#include "pipeviz/split.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pipeviz/util.h"

enum tok_type {
	T_END,
	T_WORD,
	T_REDIR,   /* operator only; its target is the next word */
	T_PIPE,	   /* | */
	T_PIPEERR, /* |& */
	T_OR,	   /* || */
	T_AND,	   /* && */
	T_AMP,	   /* & */
	T_SEMI,	   /* ; */
	T_DSEMI,   /* ;; ;& ;;& ending a case item */
	T_NL,
	T_LPAREN, /* scanned up to and including its ')' */
	T_RPAREN,
};

struct token {
	enum tok_type type;
	size_t start;
	size_t end;
};

struct scan {
	const char *line;
	size_t pos;
	char *err;    /* first syntax error */
	bool heredoc; /* stopped at "<<": its body is not sh syntax */
	bool whole;   /* the top level has something we must not split */
	int depth;    /* nesting of ( ) and $( ), bounded to spare the stack */
};

/* Deeper nesting than any real pipeline; beyond it the input is refused. */
#define SPLIT_MAX_DEPTH 100

/* Reserved-word state of one list: the line itself or a ( ) inside it. */
struct list {
	int groups;    /* open { } groups */
	int cases;     /* open case ... esac */
	int compounds; /* open for/while/until ... done and if ... fi */
	bool cmdpos;   /* the next word is in command position */
	bool casein;   /* after "case", waiting for "in" */
	bool pattern;  /* in a case pattern, before its ')' */
	bool funcname; /* after "function": the name, then a command */
	bool command;  /* a command since the last operator or separator */
	const char *need; /* "||" or "&&" still waiting for its command */
};

/* The top-level pipeline being collected. */
struct top {
	struct split_stage *stages;
	size_t nstages;
	const char *op; /* the operator before the current stage */
	bool nl;	/* a newline ended a command in this stage */

	/* The current stage. */
	size_t start;
	size_t end;
	bool empty;
	bool simple;   /* only words and redirections */
	bool redir;    /* a redirection came before the command word */
	bool target;   /* the next word is a redirection's target */
	bool named;    /* the command word has been seen */
	bool noexec;   /* "exec" must not be inserted */
	int exec_at;
};

/* Words that make a line whole when a stage starts with them. */
static const char *const keywords[] = {
	"!", "[[", "]]", "case", "do", "done", "elif", "else", "esac", "fi",
	"for", "function", "if", "in", "select", "then", "until", "while", NULL
};

/*
 * Reserved words that open a compound command sh runs as one: a stage
 * that starts with one is that command, up to its done, fi or esac.
 */
static const char *const openers[] = {
	"case", "for", "if", "until", "while", NULL
};

/* Reserved words after which a command is still to come. */
static const char *const pending[] = {
	"!", "{", "do", "elif", "else", "if", "then", "until", "while", NULL
};

/* Builtins with no external program of the same name to exec. */
static const char *const builtins[] = {
	":", ".", "alias", "bg", "break", "cd", "command", "continue",
	"declare", "eval", "exec", "exit", "export", "fg", "getopts", "hash",
	"jobs", "let", "local", "read", "readonly", "return", "set", "shift",
	"source", "times", "trap", "type", "typeset", "ulimit", "umask",
	"unalias", "unset", "wait", NULL
};

static int scan_list(struct scan *, struct top *);
static int scan_dollar(struct scan *);

static bool
in_set(char c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

static bool
word_is(const struct scan *s, const struct token *t, const char *w)
{
	size_t len = t->end - t->start;

	return strlen(w) == len && memcmp(s->line + t->start, w, len) == 0;
}

static bool
word_in(const struct scan *s, const struct token *t, const char *const *list)
{
	for (; *list != NULL; list++) {
		if (word_is(s, t, *list))
			return true;
	}
	return false;
}

/* NAME=value, NAME being [A-Za-z_][A-Za-z0-9_]*. */
static bool
word_assigns(const struct scan *s, const struct token *t)
{
	const char *p = s->line + t->start;

	if (!isalpha((unsigned char)*p) && *p != '_')
		return false;
	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	return *p == '=';
}

static int
fail(struct scan *s, const char *msg)
{
	s->err = xstrdup(msg);
	return -1;
}

static int
scan_squote(struct scan *s)
{
	const char *end = strchr(s->line + s->pos + 1, '\'');

	if (end == NULL)
		return fail(s, "unterminated single quote");
	s->pos = (size_t)(end - s->line) + 1;
	return 0;
}

/* Backquotes nest only with backslashes, so their text is not parsed. */
static int
scan_bquote(struct scan *s)
{
	for (s->pos++; s->line[s->pos] != '`'; s->pos++) {
		if (s->line[s->pos] == '\0')
			return fail(s, "unterminated backquote");
		if (s->line[s->pos] == '\\' && s->line[s->pos + 1] != '\0')
			s->pos++;
	}
	s->pos++;
	return 0;
}

static int
scan_dquote(struct scan *s)
{
	s->pos++;
	for (;;) {
		switch (s->line[s->pos]) {
		case '\0':
			return fail(s, "unterminated double quote");
		case '"':
			s->pos++;
			return 0;
		case '\\':
			if (s->line[++s->pos] != '\0')
				s->pos++;
			break;
		case '`':
			if (scan_bquote(s) != 0)
				return -1;
			break;
		case '$':
			if (scan_dollar(s) != 0)
				return -1;
			break;
		default:
			s->pos++;
			break;
		}
	}
}

/*
 * Skip a quote, escape or expansion starting at pos.  Returns 1 if there was
 * one, 0 if the character is plain and -1 on error.
 */
static int
scan_quoting(struct scan *s)
{
	int error;

	switch (s->line[s->pos]) {
	case '\\':
		if (s->line[s->pos + 1] == '\0')
			return fail(s, "trailing backslash");
		s->pos += 2;
		return 1;
	case '\'':
		error = scan_squote(s);
		break;
	case '"':
		error = scan_dquote(s);
		break;
	case '`':
		error = scan_bquote(s);
		break;
	case '$':
		error = scan_dollar(s);
		break;
	default:
		return 0;
	}
	return error != 0 ? -1 : 1;
}

/* $((...)): count parentheses; no words, comments or here-documents. */
static int
scan_arith(struct scan *s)
{
	int depth = 2, r;

	while (depth > 0) {
		if ((r = scan_quoting(s)) < 0)
			return -1;
		if (r > 0)
			continue;
		switch (s->line[s->pos++]) {
		case '\0':
			s->pos--;
			return fail(s, "unterminated '('");
		case '(':
			depth++;
			break;
		case ')':
			depth--;
			break;
		}
	}
	return 0;
}

/* ${...}: '#', '%', '(' and '|' mean nothing special inside. */
static int
scan_param(struct scan *s)
{
	int r;

	while (s->line[s->pos] != '}') {
		if (s->line[s->pos] == '\0')
			return fail(s, "unterminated '${'");
		if ((r = scan_quoting(s)) < 0)
			return -1;
		if (r == 0)
			s->pos++;
	}
	s->pos++;
	return 0;
}

static int
scan_dollar(struct scan *s)
{
	const char *p = s->line + s->pos;

	if (p[1] == '(' && p[2] == '(') {
		s->pos += 3;
		return scan_arith(s);
	}
	if (p[1] == '(') {
		s->pos += 2;
		return scan_list(s, NULL);
	}
	if (p[1] == '{') {
		s->pos += 2;
		return scan_param(s);
	}
	/* "$$" is the pid: a '(' or '{' after it starts nothing. */
	s->pos += p[1] == '$' ? 2 : 1;
	return 0;
}

/* A redirection operator at pos: < <& <> > >> >& >| &> &>>. */
static int
lex_redir(struct scan *s, struct token *t)
{
	const char *l = s->line;
	char c;

	if (l[s->pos] == '&')
		s->pos++;
	if (l[s->pos] == '<' && l[s->pos + 1] == '<') {
		s->heredoc = true;
		return -1;
	}
	c = l[s->pos++];
	if (c == '>' ? in_set(l[s->pos], ">&|") : in_set(l[s->pos], "&>"))
		s->pos++;
	t->type = T_REDIR;
	return 0;
}

static int
lex(struct scan *s, struct token *t)
{
	const char *l = s->line;
	size_t p;
	int r;

	/* Blanks, line continuations and comments separate tokens. */
	for (;;) {
		if (l[s->pos] == ' ' || l[s->pos] == '\t')
			s->pos++;
		else if (l[s->pos] == '\\' && l[s->pos + 1] == '\n')
			s->pos += 2;
		else if (l[s->pos] == '#') {
			while (l[s->pos] != '\0' && l[s->pos] != '\n')
				s->pos++;
		} else
			break;
	}
	t->start = p = s->pos;

	/* Digits right before '<' or '>' name the fd being redirected. */
	while (isdigit((unsigned char)l[p]))
		p++;
	if (l[p] == '<' || l[p] == '>' ||
	    (p == s->pos && l[p] == '&' && l[p + 1] == '>')) {
		s->pos = p;
		if (lex_redir(s, t) != 0)
			return -1;
		t->end = s->pos;
		return 0;
	}

	t->type = T_WORD;
	switch (l[s->pos]) {
	case '\0':
		t->type = T_END;
		break;
	case '\n':
		t->type = T_NL;
		s->pos++;
		break;
	case '(':
		t->type = T_LPAREN;
		s->pos++;
		break;
	case ')':
		t->type = T_RPAREN;
		s->pos++;
		break;
	case ';':
		t->type = T_SEMI;
		if (strncmp(l + s->pos, ";;&", 3) == 0)
			s->pos++;
		if (in_set(l[++s->pos], ";&")) {
			t->type = T_DSEMI;
			s->pos++;
		}
		break;
	case '|':
		t->type = T_PIPE;
		if (l[++s->pos] == '|')
			t->type = T_OR;
		else if (l[s->pos] == '&')
			t->type = T_PIPEERR;
		if (t->type != T_PIPE)
			s->pos++;
		break;
	case '&':
		t->type = T_AMP;
		if (l[++s->pos] == '&') {
			t->type = T_AND;
			s->pos++;
		}
		break;
	default:
		/* A word ends at an unquoted blank or operator character. */
		while (!in_set(l[s->pos], " \t\n|&;<>()") && l[s->pos] != '\0') {
			if ((r = scan_quoting(s)) < 0)
				return -1;
			if (r == 0)
				s->pos++;
		}
		break;
	}
	t->end = s->pos;
	return 0;
}

/*
 * Follow reserved words; they count only in command position.  Returns
 * true when t opens a compound command (openers[]).
 */
static bool
list_word(struct list *ls, const struct scan *s, const struct token *t)
{
	if (ls->casein) {
		if (word_is(s, t, "in")) {
			ls->casein = false;
			ls->pattern = true;
		}
		return false;
	}
	if (ls->pattern) {
		if (word_is(s, t, "esac")) {
			ls->cases--;
			ls->pattern = false;
		}
		return false;
	}
	if (ls->funcname) {
		ls->funcname = false;
		return false;
	}
	if (!ls->cmdpos)
		return false;
	/* Unmatched closers are taken as plain words: sh will complain. */
	if (word_is(s, t, "{"))
		ls->groups++;
	else if (word_is(s, t, "}") && ls->groups > 0)
		ls->groups--;
	else if (word_is(s, t, "case")) {
		ls->cases++;
		ls->casein = true;
		ls->cmdpos = false;
		return true;
	} else if (word_is(s, t, "esac") && ls->cases > 0)
		ls->cases--;
	else if (word_in(s, t, openers)) {
		ls->compounds++;
		return true;
	} else if ((word_is(s, t, "done") || word_is(s, t, "fi")) &&
	    ls->compounds > 0)
		ls->compounds--;
	else if (word_is(s, t, "function"))
		ls->funcname = true;
	else if (!word_in(s, t, keywords))
		ls->cmdpos = false;
	return false;
}

/*
 * "||" and "&&" need a command on both sides: "ls ||" is refused here,
 * not handed to sh for its syntax error.  t is the token about to be
 * taken by ls (its reserved words not yet followed).
 */
static int
list_and_or(struct scan *s, struct list *ls, const struct token *t)
{
	const char *op = t->type == T_OR ? "||" : t->type == T_AND ? "&&" : NULL;

	switch (t->type) {
	case T_WORD:
		if (!(ls->cmdpos && word_in(s, t, pending)))
			ls->command = true;
		ls->need = NULL;
		return 0;
	case T_REDIR:
	case T_LPAREN:
		ls->command = true;
		ls->need = NULL;
		return 0;
	case T_NL:
		/* A newline after "||" continues the line. */
		if (ls->need == NULL)
			ls->command = false;
		return 0;
	default:
		break;
	}
	/* A case pattern's '|' and ')': its command is still to come. */
	if (ls->pattern) {
		ls->command = false;
		return 0;
	}
	if (ls->need != NULL) {
		s->err = xasprintf("missing command after '%s'", ls->need);
		return -1;
	}
	if (op != NULL && !ls->command) {
		s->err = xasprintf("missing command before '%s'", op);
		return -1;
	}
	ls->need = op;
	ls->command = false;
	return 0;
}

static void
top_reset(struct top *top)
{
	top->empty = true;
	top->simple = true;
	top->redir = top->target = top->named = top->noexec = false;
	top->exec_at = -1;
}

/* A '|' or '|&' (t), or the end of the line (t is NULL), ends a stage. */
static int
top_pipe(struct scan *s, struct top *top, const struct token *t)
{
	const char *op = NULL;
	struct split_stage *st;

	if (t != NULL)
		op = t->type == T_PIPEERR ? "|&" : "|";
	if (top->empty) {
		if (t == NULL && top->nstages == 0)
			return fail(s, "empty pipeline");
		if (t == NULL)
			s->err = xasprintf("missing command after '%s'", top->op);
		else if (top->nstages == 0)
			s->err = xasprintf("missing command before '%s'", op);
		else {
			s->err = xasprintf("empty command between '%s' and '%s'",
			    top->op, op);
		}
		return -1;
	}

	top->stages = xreallocarray(top->stages, top->nstages + 1,
	    sizeof *top->stages);
	st = &top->stages[top->nstages++];
	st->text = xstrndup(s->line + top->start, top->end - top->start);
	st->pipe_stderr = t != NULL && t->type == T_PIPEERR;
	st->exec_at = -1;
	if (top->simple && top->named && !top->noexec)
		st->exec_at = top->exec_at;

	top->op = op;
	top_reset(top);
	return 0;
}

/*
 * Note a token of the top-level list.  inside is set for tokens within a
 * { } group or a case statement: they belong to the stage but are not its
 * operators.
 */
static int
top_token(struct scan *s, struct top *top, const struct token *t, bool inside,
    bool opens)
{
	if (inside) {
		/* Only a compound command has tokens inside it. */
		top->simple = false;
		top->end = s->pos;
		return 0;
	}
	switch (t->type) {
	case T_END:
		return top_pipe(s, top, NULL);
	case T_NL:
		/* Newlines after '|' or at the very end are fine. */
		if (!top->empty)
			top->nl = true;
		return 0;
	case T_PIPE:
	case T_PIPEERR:
		if (top->nl)
			s->whole = true;
		return top_pipe(s, top, t);
	case T_OR:
	case T_AND:
	case T_AMP:
	case T_SEMI:
	case T_DSEMI:
		s->whole = true;
		top->simple = false;
		break;
	case T_LPAREN:
		top->simple = false;
		break;
	default:
		break;
	}
	if (top->nl)
		s->whole = true;
	if (top->empty) {
		top->empty = false;
		top->start = t->start;
		/* A compound command is one stage; other keywords are not. */
		if (t->type == T_WORD && word_in(s, t, keywords) && !opens)
			s->whole = true;
		if (opens)
			top->simple = false;
	}
	top->end = s->pos;

	/* Find where "exec " goes: before the first non-assignment. */
	if (t->type == T_REDIR) {
		if (!top->named && !top->redir)
			top->exec_at = (int)(t->start - top->start);
		top->redir = top->target = true;
	} else if (t->type == T_WORD && top->target)
		top->target = false;
	else if (t->type == T_WORD && !top->named && word_assigns(s, t)) {
		/* "exec >f A=1 cmd" would run "A=1". */
		if (top->redir)
			top->noexec = true;
	} else if (t->type == T_WORD && !top->named) {
		top->named = true;
		if (!top->redir)
			top->exec_at = (int)(t->start - top->start);
		if (word_in(s, t, builtins))
			top->noexec = true;
	}
	return 0;
}

/*
 * Scan a list of commands up to its ')' (top is NULL) or, for the line
 * itself, to its end, collecting the stages in top.
 */
static int scan_list_body(struct scan *, struct top *);

static int
scan_list(struct scan *s, struct top *top)
{
	int rc;

	if (s->depth >= SPLIT_MAX_DEPTH)
		return fail(s, "nesting too deep");
	s->depth++;
	rc = scan_list_body(s, top);
	s->depth--;
	return rc;
}

static int
scan_list_body(struct scan *s, struct top *top)
{
	struct list ls = { .cmdpos = true };
	struct token t;
	bool inside, opens;

	for (;;) {
		if (lex(s, &t) != 0)
			return -1;
		inside = ls.groups > 0 || ls.cases > 0 || ls.compounds > 0;
		opens = false;
		if (list_and_or(s, &ls, &t) != 0)
			return -1;

		switch (t.type) {
		case T_END:
			if (top == NULL)
				return fail(s, "unterminated '('");
			if (ls.groups > 0)
				return fail(s, "unterminated '{'");
			if (ls.compounds > 0)
				return fail(s, "missing 'done' or 'fi'");
			return top_token(s, top, &t, false, false);
		case T_RPAREN:
			if (ls.pattern) {
				ls.pattern = false;
				ls.cmdpos = true;
				break;
			}
			if (top != NULL)
				return fail(s, "unmatched ')'");
			if (ls.groups > 0)
				return fail(s, "unterminated '{'");
			if (ls.compounds > 0)
				return fail(s, "missing 'done' or 'fi'");
			return 0;
		case T_LPAREN:
			if (ls.pattern)
				break;
			if (scan_list(s, NULL) != 0)
				return -1;
			/* Let "f() {" open a group. */
			ls.cmdpos = true;
			break;
		case T_WORD:
			opens = list_word(&ls, s, &t);
			break;
		case T_REDIR:
			break;
		case T_DSEMI:
			if (ls.cases > 0)
				ls.pattern = true;
			ls.cmdpos = true;
			ls.funcname = false;
			break;
		default:
			/*
			 * An operator ends a command: what follows is in
			 * command position, and "function |" named nothing.
			 */
			ls.cmdpos = true;
			ls.funcname = false;
			break;
		}

		if (top != NULL && top_token(s, top, &t, inside, opens) != 0)
			return -1;
	}
}

static void
free_stages(struct split_stage *stages, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(stages[i].text);
	free(stages);
}

int
split_pipeline(const char *line, struct split_result *out, char **err)
{
	struct scan s = { .line = line };
	struct top top = { .stages = NULL };
	struct split_stage *st;
	size_t len;

	memset(out, 0, sizeof *out);
	*err = NULL;
	top_reset(&top);

	if (scan_list(&s, &top) != 0 && !s.heredoc) {
		free_stages(top.stages, top.nstages);
		*err = s.err;
		return -1;
	}
	if (!s.heredoc && !s.whole) {
		out->stages = top.stages;
		out->nstages = top.nstages;
		return 0;
	}
	free_stages(top.stages, top.nstages);

	/* Syntax was checked (up to any here-document); sh runs the rest. */
	while (in_set(*line, " \t\n"))
		line++;
	len = strlen(line);
	while (len > 0 && in_set(line[len - 1], " \t\n"))
		len--;
	st = xcalloc(1, sizeof *st);
	st->text = xstrndup(line, len);
	st->exec_at = -1;
	out->stages = st;
	out->nstages = 1;
	out->whole = true;
	return 0;
}

void
split_clear(struct split_result *r)
{
	if (r == NULL)
		return;
	free_stages(r->stages, r->nstages);
	memset(r, 0, sizeof *r);
}

char *
split_stage_command(const struct split_stage *s)
{
	if (s->exec_at < 0)
		return xstrdup(s->text);
	return xasprintf("%.*sexec %s", s->exec_at, s->text,
	    s->text + s->exec_at);
}
