/* util.h - allocation that cannot fail, one way to die, small helpers. */
#ifndef PIPEVIZ_UTIL_H
#define PIPEVIZ_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* Allocators never return NULL: they die with a message instead. */
void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xreallocarray(void *, size_t, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
__attribute__((format(printf, 1, 2))) char *xasprintf(const char *, ...);

/*
 * Register a hook run before a fatal message is printed (the UI restores
 * the terminal, the launcher ends the pipeline).  One hook; NULL clears it.
 */
void fatal_set_cleanup(void (*)(void));
/* Print "pipeviz: MSG" on stderr, run the cleanup hook and exit(125),
 * EXITCODE_FAILED (exitcode.h). */
__attribute__((noreturn, format(printf, 1, 2))) void fatalx(const char *, ...);
/* Same, with ": strerror(errno)" appended. */
__attribute__((noreturn, format(printf, 1, 2))) void fatal(const char *, ...);
/*
 * The one way pipeviz's own error lines are written: "pipeviz: MSG" on
 * stderr, MSG sanitized (sanitize.h), since it echoes arguments, paths
 * and names that may hold any byte; with errnum != 0, ": strerror" after.
 */
__attribute__((format(printf, 1, 2))) void util_warn(const char *, ...);
void util_vwarn_errno(int errnum, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Seconds on the monotonic clock. */
double util_now(void);

/*
 * Read a small file relative to dirfd into buf (NUL-terminated).  Returns
 * the length, or -errno.  The fd it opens is closed before returning.
 */
long util_read_file_at(int dirfd, const char *path, char *buf, size_t size);
/*
 * The same for a /proc file of one record (stat, fdinfo): such a file
 * comes whole in one read, so one read is all (a second, to see the end,
 * is a tenth of a small read's cost again on a VM).
 */
long util_read_record_at(int dirfd, const char *path, char *buf, size_t size);

/*
 * Call fn for each entry of the directory open as fd (from its start),
 * "." and ".." left out, until fn returns nonzero.  Returns that, 0 at
 * the end, or -errno.  getdents64 into a buffer on the stack: no fstat,
 * fcntl or allocation of fdopendir, three system calls fewer per fd
 * table of every process read.  fd stays open, and is read from where it
 * is: freshly opened, its start (no rewind, another call fewer).
 */
int util_dir_each(int fd, int (*fn)(const char *name, void *arg), void *arg);

/*
 * Append printf-style text to a growing string: *text (allocated, may be
 * NULL at first) holds *len bytes in *cap; it stays NUL-terminated.
 */
void util_vappendf(char **text, size_t *len, size_t *cap, const char *fmt,
    va_list ap) __attribute__((format(printf, 4, 0)));

/*
 * Format a byte count the short way, in IEC units as pv prints them
 * ("512B", "48KiB", "1.5MiB", "2.0GiB"), into buf; returns buf.
 */
char *util_format_bytes(char *buf, size_t size, double bytes);
/* A duration the short way ("45s", "12m05s", "3h07m", "2d04h"); buf. */
char *util_format_age(char *buf, size_t size, double seconds);
/*
 * The length of the valid UTF-8 sequence at s, with its code point in
 * *cp, or 0 when s does not start one: no overlong forms, surrogates or
 * code points past U+10FFFF (each could hide a character from a check).
 * A NUL is not a continuation byte, so a cut sequence stops at it.
 */
size_t util_utf8_decode(const unsigned char *s, uint32_t *cp);
/* qsort and bsearch order of pid_t values. */
int util_cmp_pid(const void *, const void *);

#endif
