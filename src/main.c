/* main.c - check the command line, open what it names, launch or attach. */
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "pipeviz/launch.h"
#include "pipeviz/loop.h"
#include "pipeviz/options.h"
#include "pipeviz/probe.h"
#include "pipeviz/split.h"
#include "pipeviz/util.h"

/* Bad input: one line on stderr, status 2, nothing launched. */
static __attribute__((noreturn, format(printf, 1, 2))) void
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("pipeviz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* A closed fd 0-2 would be handed out by pipe2() and confuse the wiring. */
static void
main_ensure_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) == -1 &&
		    open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) == -1)
			exit(2);
	}
}

static int
main_open_out(const char *path, const char *what)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);

	if (fd == -1)
		usage_error("cannot open %s '%s': %s", what, path,
		    strerror(errno));
	return fd;
}

static int
main_signals(void)
{
	sigset_t set;
	int fd;

	/* Writes to a closed reader fail with EPIPE instead of killing us. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if ((fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		fatal("signalfd");
	return fd;
}

int
main(int argc, char **argv)
{
	struct options o;
	struct loop_config c = { 0 };
	struct split_result sr = { 0 };
	int json_fd = -1, out_fd = -1, null_fd = -1, status;
	char *err, *command;

	main_ensure_std_fds();
	setlocale(LC_ALL, "");
	if (options_parse(argc, argv, &o, &err) == -1) {
		fprintf(stderr, "pipeviz: %s\n", err);
		free(err);
		return 2;
	}
	if (o.help) {
		fputs(options_usage(), stdout);
		return 0;
	}
	if (o.version) {
		printf("pipeviz %s\n", PIPEVIZ_VERSION);
		return 0;
	}

	/* Everything that can be wrong is checked before anything runs. */
	if (o.pipeline != NULL && split_pipeline(o.pipeline, &sr, &err) == -1)
		usage_error("%s", err);
	if (o.pid != 0) {
		if (o.pid == getpid())
			usage_error("pid %d is pipeviz itself", (int)o.pid);
		switch (probe_check_access(o.pid)) {
		case 0:
			break;
		case -ESRCH:
			usage_error("no process with pid %d", (int)o.pid);
		default:
			usage_error("cannot inspect pid %d: %s (attach as its "
			    "owner or as root)", (int)o.pid, strerror(EACCES));
		}
	}
	if (o.output_path != NULL)
		out_fd = main_open_out(o.output_path, "output file");
	c.out = stdout;
	if (o.json_path != NULL && strcmp(o.json_path, "-") != 0) {
		json_fd = main_open_out(o.json_path, "trace file");
		if ((c.out = fdopen(json_fd, "w")) == NULL)
			fatal("fdopen");
	}

	c.sigfd = main_signals();
	c.interval_ms = o.interval_ms;
	c.count = o.count;
	c.attach_pid = o.pid;
	c.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	if (o.json_path != NULL)
		c.output = LOOP_OUT_JSON;
	else if (o.dot)
		c.output = LOOP_OUT_DOT;
	else if (o.text || o.once)
		c.output = LOOP_OUT_TEXT;
	else {
		/* Until the live view lands, frames go to stderr. */
		c.output = LOOP_OUT_TEXT;
		c.out = stderr;
	}

	if (o.pipeline != NULL) {
		struct launch_opts lo = { 0 };
		bool stdout_taken = c.out == stdout;

		null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		/* A terminal on stdin is for us, not for the first stage. */
		lo.stdin_fd = isatty(0) ? null_fd : 0;
		lo.stdout_fd = out_fd != -1 ? out_fd : stdout_taken ? null_fd : 1;
		lo.stderr_fd = 2;
		lo.pipe_size = o.pipe_size;
		lo.pipefail = o.pipefail;
		if ((c.launch = launch_start(&sr, &lo, &err)) == NULL)
			usage_error("%s", err);
		if (out_fd != -1)
			close(out_fd);
		close(null_fd);
		c.mode = "launch";
		command = xstrdup(o.pipeline);
	} else {
		c.mode = "attach";
		command = xasprintf("-p %d", (int)o.pid);
	}
	c.command = command;

	status = loop_run(&c);

	if (c.out != stdout && c.out != stderr && fclose(c.out) == EOF) {
		fprintf(stderr, "pipeviz: cannot write the trace: %s\n",
		    strerror(errno));
		status = status == 0 ? 1 : status;
	}
	launch_free(c.launch);
	split_clear(&sr);
	options_clear(&o);
	free(command);
	return status;
}
