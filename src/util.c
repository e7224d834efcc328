/* util.c - allocation, fatal errors, clock and small file reads. */
#include "pipeviz/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "pipeviz/exitcode.h"
#include "pipeviz/sanitize.h"

static void (*fatal_cleanup)(void);

void
fatal_set_cleanup(void (*fn)(void))
{
	fatal_cleanup = fn;
}

static __attribute__((noreturn)) void
fatal_common(int errnum, const char *fmt, va_list ap)
{
	void (*fn)(void) = fatal_cleanup;

	/* Run the hook once even if it fails itself. */
	fatal_cleanup = NULL;
	if (fn != NULL)
		fn();
	util_vwarn_errno(errnum, fmt, ap);
	exit(EXITCODE_FAILED);
}

void
util_vwarn_errno(int errnum, const char *fmt, va_list ap)
{
	char *text;

	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	/* The message quotes arguments, paths and names: any byte at all. */
	fputs("pipeviz: ", stderr);
	sanitize_fputs(text != NULL ? text : fmt, stderr);
	if (errnum != 0) {
		fputs(": ", stderr);
		fputs(strerror(errnum), stderr);
	}
	fputc('\n', stderr);
	free(text);
}

void
util_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	util_vwarn_errno(0, fmt, ap);
	va_end(ap);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fatal_common(0, fmt, ap);
}

void
fatal(const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	fatal_common(errnum, fmt, ap);
}

void *
xmalloc(size_t size)
{
	void *p;

	if (size == 0)
		fatalx("xmalloc: zero size");
	if ((p = malloc(size)) == NULL)
		fatal("xmalloc: %zu bytes", size);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if (n == 0 || size == 0)
		fatalx("xcalloc: zero size");
	if ((p = calloc(n, size)) == NULL)
		fatal("xcalloc: %zu x %zu bytes", n, size);
	return p;
}

void *
xreallocarray(void *old, size_t n, size_t size)
{
	void *p;

	if (n == 0 || size == 0)
		fatalx("xreallocarray: zero size");
	if (size > SIZE_MAX / n)
		fatalx("xreallocarray: %zu x %zu overflows", n, size);
	if ((p = realloc(old, n * size)) == NULL)
		fatal("xreallocarray: %zu x %zu bytes", n, size);
	return p;
}

char *
xstrdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		fatal("xstrdup");
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;

	if ((p = strndup(s, n)) == NULL)
		fatal("xstrndup");
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("xasprintf");
	return s;
}

double
util_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* path under dirfd opened to read (never our terminal), or -errno. */
static int
util_open_read_at(int dirfd, const char *path, size_t size)
{
	int fd;

	if (size == 0)
		return -EINVAL;
	if ((fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return -errno;
	return fd;
}

long
util_read_file_at(int dirfd, const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd, err;

	if ((fd = util_open_read_at(dirfd, path, size)) < 0)
		return fd;
	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			err = errno;
			close(fd);
			return -err;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (long)len;
}

long
util_read_record_at(int dirfd, const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd, err;

	if ((fd = util_open_read_at(dirfd, path, size)) < 0)
		return fd;
	while ((n = read(fd, buf, size - 1)) == -1 && errno == EINTR)
		;
	err = errno;
	close(fd);
	if (n == -1)
		return -err;
	buf[n] = '\0';
	return (long)n;
}

/* What getdents64 fills in (linux_dirent64, not in glibc's headers). */
struct util_dirent64 {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

int
util_dir_each(int fd, int (*fn)(const char *name, void *arg), void *arg)
{
	char buf[8192] __attribute__((aligned(8)));
	long n;
	int r;

	while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
		for (long at = 0; at < n;) {
			const struct util_dirent64 *d =
			    (const struct util_dirent64 *)(buf + at);

			at += d->reclen;
			if (d->name[0] == '.' && (d->name[1] == '\0' ||
			    (d->name[1] == '.' && d->name[2] == '\0')))
				continue;
			if ((r = fn(d->name, arg)) != 0)
				return r;
		}
	}
	return n == -1 ? -errno : 0;
}

char *
util_format_bytes(char *buf, size_t size, double bytes)
{
	static const char units[] = "KMGTP";
	int u = -1;

	while (bytes >= 1024 && u < (int)sizeof units - 2) {
		bytes /= 1024;
		u++;
	}
	/* IEC, as pv prints them: 512B, 48KiB, 1.5MiB. */
	if (u < 0)
		snprintf(buf, size, "%.0fB", bytes);
	else if (bytes < 10 && bytes != (double)(long)bytes)
		snprintf(buf, size, "%.1f%ciB", bytes, units[u]);
	else
		snprintf(buf, size, "%.0f%ciB", bytes, units[u]);
	return buf;
}

char *
util_format_age(char *buf, size_t size, double seconds)
{
	long s = seconds > 0 ? (long)seconds : 0;

	if (s < 60)
		snprintf(buf, size, "%lds", s);
	else if (s < 3600)
		snprintf(buf, size, "%ldm%02lds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%ldh%02ldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, size, "%ldd%02ldh", s / 86400, s % 86400 / 3600);
	return buf;
}

int
util_cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

void
util_vappendf(char **text, size_t *len, size_t *cap, const char *fmt,
    va_list ap)
{
	va_list again;
	size_t room = *cap > *len ? *cap - *len : 0;
	int n;

	/* Most text fits what is left: format once, and again only if not. */
	va_copy(again, ap);
	n = vsnprintf(room > 0 ? *text + *len : NULL, room, fmt, ap);
	if (n < 0) {
		if (room > 0)
			(*text)[*len] = '\0';
		va_end(again);
		return;
	}
	if ((size_t)n >= room) {
		*cap = (*len + (size_t)n + 1) * 2;
		if (*cap < 256)
			*cap = 256;
		*text = xreallocarray(*text, *cap, 1);
		vsnprintf(*text + *len, *cap - *len, fmt, again);
	}
	va_end(again);
	*len += (size_t)n;
}

size_t
util_utf8_decode(const unsigned char *s, uint32_t *cp)
{
	uint32_t c;
	size_t n;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return n;
}
