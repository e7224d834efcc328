/* demo.c - the lecture demos, and where their programs live. */
#include "pipeviz/demo.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipeviz/util.h"

#ifndef PIPEVIZ_LIBEXECDIR
#define PIPEVIZ_LIBEXECDIR "/usr/local/libexec/pipeviz"
#endif

struct demo {
	const char *name;
	const char *summary;
	const char *pipeline; /* a shell pipeline, or NULL for program */
	const char *program;  /* a program of demos/ */
	bool scratch;	      /* runs in a scratch directory of sample files */
};

static const struct demo demo_table[] = {
	{ "seed", "the notes' ls -1 | cut -d. -f1 | uniq | sort | tee "
	    "dir_contents, in a scratch directory",
	    "ls -1 | cut -d'.' -f1 | uniq | sort | tee dir_contents", NULL, true },
	{ "fill", "a loop writes to a pipe nobody reads: the fill reaches the "
	    "capacity and the writer blocks", NULL, "fill", false },
	{ "self", "a process sends itself a message through its own pipe",
	    NULL, "self", false },
	{ "parent-child", "pipe before fork: the child writes \"done\", the "
	    "parent waits reading", NULL, "parent-child", false },
	{ "sigpipe", "yes | head -n 1: head leaves, yes dies of SIGPIPE "
	    "(normal)", "yes | head -n 1", NULL, false },
	{ "leak", "a reader never sees end-of-file: its own write end was "
	    "not closed", NULL, "leak", false },
	{ "deadlock", "two pipes fill both ways: parent and child wait for "
	    "each other", NULL, "deadlock", false },
	{ "bottleneck", "head -c 400M /dev/zero | gzip -1 | wc -c: gzip "
	    "limits the flow", "head -c 400M /dev/zero | gzip -1 | wc -c", NULL,
	    false },
};

static char demo_scratch[PATH_MAX];

/* Files whose names the seed pipeline cuts, dedups and sorts. */
static const char *demo_seed_files[] = { "pipes.md", "pipes.c", "pipes.h",
	"notes.txt", "notes.md", "main.c", "main.o", "Makefile", "README",
	"fork.c", "dir_contents" /* written by tee */ };
#define DEMO_SEED_FILES (sizeof demo_seed_files / sizeof demo_seed_files[0])

void
demo_list(FILE *f)
{
	for (size_t i = 0; i < sizeof demo_table / sizeof demo_table[0]; i++)
		fprintf(f, "%-13s %s\n", demo_table[i].name, demo_table[i].summary);
}

static bool
demo_dir_has(const char *dir, const char *program)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof path, "%s/%s", dir, program);
	return access(path, X_OK) == 0;
}

/* $PIPEVIZ_DEMO_DIR, else demos/ beside the binary (a build tree), else
 * the installed libexec directory. */
static const char *
demo_dir(const char *program)
{
	static char dir[PATH_MAX];
	const char *env = getenv("PIPEVIZ_DEMO_DIR");
	char self[PATH_MAX];
	ssize_t n;

	if (env != NULL && *env != '\0')
		return env;
	if ((n = readlink("/proc/self/exe", self, sizeof self - 1)) > 0) {
		self[n] = '\0';
		snprintf(dir, sizeof dir, "%s/demos", dirname(self));
		if (demo_dir_has(dir, program))
			return dir;
	}
	return PIPEVIZ_LIBEXECDIR;
}

static int
demo_make_scratch(char **err)
{

	snprintf(demo_scratch, sizeof demo_scratch, "%s/pipeviz-seed.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(demo_scratch) == NULL) {
		*err = xasprintf("cannot make a scratch directory: %s",
		    strerror(errno));
		demo_scratch[0] = '\0';
		return -1;
	}
	for (size_t i = 0; i + 1 < DEMO_SEED_FILES; i++) {
		char path[PATH_MAX + 32];
		int fd;

		snprintf(path, sizeof path, "%s/%s", demo_scratch,
		    demo_seed_files[i]);
		if ((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) != -1)
			close(fd);
	}
	return 0;
}

char *
demo_pipeline(const char *name, const char **scratch, char **err)
{
	const char *dir;

	*scratch = NULL;
	for (size_t i = 0; i < sizeof demo_table / sizeof demo_table[0]; i++) {
		const struct demo *d = &demo_table[i];

		if (strcmp(d->name, name) != 0)
			continue;
		if (d->pipeline != NULL) {
			if (d->scratch && demo_make_scratch(err) == -1)
				return NULL;
			if (d->scratch)
				*scratch = demo_scratch;
			return xstrdup(d->pipeline);
		}
		dir = demo_dir(d->program);
		if (!demo_dir_has(dir, d->program)) {
			*err = xasprintf("demo program %s/%s is missing (set "
			    "PIPEVIZ_DEMO_DIR)", dir, d->program);
			return NULL;
		}
		/* Quoted for sh: the directory may hold blanks. */
		return xasprintf("'%s/%s'", dir, d->program);
	}
	*err = xasprintf("no demo named '%s' (pipeviz --demo lists them)", name);
	return NULL;
}

void
demo_cleanup(void)
{
	char path[PATH_MAX + 32];

	if (demo_scratch[0] == '\0')
		return;
	for (size_t i = 0; i < DEMO_SEED_FILES; i++) {
		snprintf(path, sizeof path, "%s/%s", demo_scratch,
		    demo_seed_files[i]);
		unlink(path);
	}
	rmdir(demo_scratch);
	demo_scratch[0] = '\0';
}
