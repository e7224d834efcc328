/*
 * sanitize.h - observed text made fit for a terminal or a DOT file.
 *
 * A process can give itself any name (prctl PR_SET_NAME, exec -a), a path
 * can hold any byte, and a trace holds whatever its writer put there: all
 * of it is hostile.  Every text pipeviz shows on a terminal or writes into
 * a DOT file (frames, sentences, diagnoses, titles, error lines, replayed
 * traces, the live view) goes through this one sanitizer, a character at
 * a time:
 *
 *  - a valid UTF-8 character that is not a control character is itself;
 *  - a C0 control character or DEL is shown in caret notation, as cat -v
 *    does: ESC is ^[, BEL ^G, CR ^M, a newline ^J, DEL ^? (so a newline
 *    never splits a line);
 *  - a C1 control character (U+0080 to U+009F, which some terminals obey
 *    like ESC sequences) is M- and the caret form of the C0 character
 *    0x80 below it, again as cat -v shows the byte: U+009B (CSI) is M-^[;
 *  - a byte that starts no valid UTF-8 sequence (a stray continuation
 *    byte, a cut sequence, an overlong form, a surrogate, a code point
 *    past U+10FFFF) is '?'.
 *
 * What comes out is printable UTF-8, and sanitizing it again changes
 * nothing.  JSON does not come here: jsonw.c escapes every control
 * character and replaces invalid UTF-8 itself.
 */
#ifndef PIPEVIZ_SANITIZE_H
#define PIPEVIZ_SANITIZE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The most code points one character is shown as ("M-^[" is four). */
#define SANITIZE_MAX 4

/*
 * The next character of the NUL-terminated text at *sp, as the code
 * points to show for it (1 to SANITIZE_MAX, each one terminal cell);
 * *sp moves past it.  Must not be called at the terminating NUL.
 */
int sanitize_next(const char **sp, uint32_t out[SANITIZE_MAX]);

/* The cells text takes once sanitized (one per code point shown). */
size_t sanitize_width(const char *text);

/* text sanitized, newly allocated. */
char *sanitize_dup(const char *text);

/* text sanitized, written to out. */
void sanitize_fputs(const char *text, FILE *out);

/*
 * Append text, sanitized, to buf (size bytes, holding a string of length
 * at): only whole characters as shown, always NUL-terminated.  Returns
 * the new length.  text must not overlap buf.
 */
size_t sanitize_append(char *buf, size_t size, size_t at, const char *text);

/* Code point c as UTF-8 in out (room for 4 bytes); returns the length. */
size_t sanitize_encode(uint32_t c, char *out);

#endif
