/* main.c - check the command line, open what it names, launch or attach. */
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipeviz/all.h"
#include "pipeviz/demo.h"
#include "pipeviz/exitcode.h"
#include "pipeviz/launch.h"
#include "pipeviz/loop.h"
#include "pipeviz/options.h"
#include "pipeviz/perfetto.h"
#include "pipeviz/probe.h"
#include "pipeviz/probe-events.h"
#include "pipeviz/probe-exact.h"
#include "pipeviz/replay.h"
#include "pipeviz/trace-read.h"
#include "pipeviz/split.h"
#include "pipeviz/ui.h"
#include "pipeviz/util.h"

/* Bad input: one line on stderr, status 125, nothing launched. */
static __attribute__((noreturn, format(printf, 1, 2))) void
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	util_vwarn_errno(0, fmt, ap);
	va_end(ap);
	exit(EXITCODE_FAILED);
}

/* A closed fd 0-2 would be handed out by pipe2() and confuse the wiring. */
static void
main_ensure_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) == -1 &&
		    open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) == -1)
			exit(EXITCODE_FAILED);
	}
}

/* Columns for --text: the terminal's, else $COLUMNS, else 100. */
static int
main_width(void)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS");

	if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
		return ws.ws_col;
	if (cols != NULL && atoi(cols) >= 20)
		return atoi(cols);
	return 100;
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

static volatile pid_t main_pgid;
static struct probe_events *main_events;

/*
 * The kernel counts listeners of process events and keeps making them
 * until each one has said it stops: on every way out, errors included.
 */
static void
main_close_events(void)
{
	probe_events_close(main_events);
	main_events = NULL;
}

/* fatal() and crashes: the terminal back first, then no orphans. */
static void
main_cleanup(void)
{
	ui_emergency_restore();
	if (main_pgid > 0)
		kill(-main_pgid, SIGTERM);
}

static void
main_crash(int sig)
{
	main_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* A file of our own for captured output, replayed when we leave. */
static int
main_tmpfile(void)
{
	const char *dir = getenv("TMPDIR");
	int fd = open(dir != NULL && *dir != '\0' ? dir : "/tmp",
	    O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd == -1)
		fd = memfd_create("pipeviz-capture", MFD_CLOEXEC);
	if (fd == -1)
		fatal("cannot make a file for captured output");
	return fd;
}

static void
main_replay(int from, int to)
{
	char buf[65536];
	ssize_t n;

	if (from < 0)
		return;
	lseek(from, 0, SEEK_SET);
	while ((n = read(from, buf, sizeof buf)) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(to, buf + off, (size_t)(n - off));

			if (w == -1)
				return;
			off += w;
		}
	}
	close(from);
}

static int
main_signals(bool winch)
{
	static const int crash[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	sigset_t set;
	int fd;

	for (size_t i = 0; i < sizeof crash / sizeof crash[0]; i++)
		signal(crash[i], main_crash);
	/* Writes to a closed reader fail with EPIPE instead of killing us. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (winch)
		sigaddset(&set, SIGWINCH);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if ((fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		fatal("signalfd");
	return fd;
}

/* Read --pipe-size's ceiling before launching, to refuse it clearly. */
static void
main_check_pipe_size(int size)
{
	char text[32];
	long max;

	if (size == 0 || util_read_file_at(AT_FDCWD, "/proc/sys/fs/pipe-max-size",
	    text, sizeof text) <= 0)
		return;
	max = atol(text);
	if (max > 0 && size > max)
		usage_error("--pipe-size %d is larger than /proc/sys/fs/"
		    "pipe-max-size (%ld)", size, max);
	if (size < 4096)
		usage_error("--pipe-size %d is smaller than a page (4096); the "
		    "kernel would round it up", size);
}

/*
 * With --text, --once, --dot or --json - our stdout carries frames, so
 * the last stage writes to /dev/null: say so once, or its output seems
 * lost without a word.
 */
static void
main_say_output_discarded(const struct options *o)
{
	const char *opt = o->json_path != NULL ? "--json -" : o->dot ? "--dot" :
	    o->text ? "--text" : "--once";

	fprintf(stderr, "pipeviz: %s prints on stdout, so the last stage's "
	    "output goes to /dev/null (-o FILE keeps it)\n", opt);
}

static FILE *
main_open_trace(const char *path)
{
	FILE *f;

	if (strcmp(path, "-") == 0)
		return stdout;
	if ((f = fdopen(main_open_out(path, "trace file"), "w")) == NULL)
		fatal("fdopen");
	return f;
}

/* The live view when a terminal allows it, else text frames on stderr. */
static void
main_front_end(struct loop_config *c)
{
	const char *nc = getenv("NO_COLOR");
	bool fatal_ui;
	char *err;

	c->ui = ui_open(c->utf8, nc == NULL || *nc == '\0', &err, &fatal_ui);
	if (c->ui == NULL && fatal_ui)
		usage_error("%s", err);
	if (c->ui == NULL) {
		util_warn("%s: printing text frames instead of the live view",
		    err);
		c->output = LOOP_OUT_TEXT;
		c->out = stderr;
	} else
		c->output = LOOP_OUT_UI;
	free(err);
}

/* --replay TRACE --perfetto OUT: the trace for a timeline viewer. */
static int
main_write_perfetto(const struct options *o, const struct trace_file *tf)
{
	int fd = main_open_out(o->perfetto_path, "Perfetto file");
	size_t len, off = 0;
	char *json = perfetto_export(tf, PIPEVIZ_VERSION, &len);
	ssize_t n;

	if (tf->warning != NULL)
		util_warn("%s: %s", o->replay_path, tf->warning);
	while (off < len) {
		if ((n = write(fd, json + off, len - off)) == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	free(json);
	if (off < len || close(fd) == -1) {
		util_warn("cannot write '%s': %s", o->perfetto_path,
		    strerror(errno));
		return EXITCODE_FAILED;
	}
	return 0;
}

/*
 * A trace to replay: a regular file or a pipe.  A device would be opened
 * (a tape rewinds, a terminal becomes ours) and could be read without
 * end (/dev/zero): it is refused from its stat, before any open, and the
 * open file is checked again.
 */
static FILE *
main_open_replay(const char *path)
{
	struct stat st;
	FILE *f;

	if (stat(path, &st) == -1)
		usage_error("cannot open trace '%s': %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		usage_error("cannot open trace '%s': %s", path, strerror(EISDIR));
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode))
		usage_error("cannot replay '%s': not a regular file or a pipe",
		    path);
	if ((f = fopen(path, "re")) == NULL)
		usage_error("cannot open trace '%s': %s", path, strerror(errno));
	if (fstat(fileno(f), &st) == -1 ||
	    (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)))
		usage_error("cannot replay '%s': not a regular file or a pipe",
		    path);
	return f;
}

static int
main_replay_trace(const struct options *o, struct loop_config *c)
{
	struct replay_config rc = { 0 };
	struct trace_file tf;
	FILE *f;
	char *err;
	int status;

	f = main_open_replay(o->replay_path);
	if (trace_read(f, &tf, &err) == -1)
		usage_error("%s: %s", o->replay_path, err);
	fclose(f);
	if (o->perfetto_path != NULL) {
		status = main_write_perfetto(o, &tf);
		trace_file_clear(&tf);
		return status;
	}
	if (o->text || o->once)
		c->output = LOOP_OUT_TEXT;
	else
		main_front_end(c);
	if (c->ui == NULL && tf.warning != NULL)
		util_warn("%s: %s", o->replay_path, tf.warning);
	fatal_set_cleanup(main_cleanup);
	rc.tf = &tf;
	rc.ui = c->ui;
	rc.out = c->output == LOOP_OUT_TEXT && c->out == stderr && !o->text ?
	    stderr : stdout;
	rc.width = c->width;
	rc.utf8 = c->utf8;
	rc.sigfd = main_signals(c->ui != NULL);
	status = replay_run(&rc);
	ui_close(c->ui);
	trace_file_clear(&tf);
	return status;
}

/* The list refreshes every second unless -i says otherwise. */
#define MAIN_ALL_INTERVAL_MS 1000

/* --all: the machine's pipelines, listed live, as a table or as records. */
static int
main_all(const struct options *o, struct loop_config *c)
{
	struct all_config ac = { 0 };
	int status;

	ac.out = stdout;
	ac.interval_ms = o->interval_set ? o->interval_ms : MAIN_ALL_INTERVAL_MS;
	ac.count = o->count;
	if (o->json_path != NULL) {
		ac.output = ALL_OUT_JSON;
		ac.out = main_open_trace(o->json_path);
	} else if (o->text || o->once) {
		ac.output = ALL_OUT_TEXT;
	} else {
		main_front_end(c);
		/* No terminal: the table, once, where text frames would go. */
		ac.output = c->ui != NULL ? ALL_OUT_UI : ALL_OUT_TEXT;
		ac.ui = c->ui;
	}
	if (ac.output == ALL_OUT_TEXT && ac.count == 0)
		ac.count = 1;
	fatal_set_cleanup(main_cleanup);
	ac.sigfd = main_signals(ac.ui != NULL);
	/* An opened pipeline: the live view as -p gives it. */
	ac.view = *c;
	ac.view.interval_ms = o->interval_set ? o->interval_ms : 100;
	ac.view.capture_out_fd = ac.view.capture_err_fd = -1;
	status = all_run(&ac);
	ui_close(ac.ui);
	if (ac.out != stdout && fclose(ac.out) == EOF) {
		fprintf(stderr, "pipeviz: cannot write the list: %s\n",
		    strerror(errno));
		status = status == 0 ? 1 : status;
	}
	return status;
}

int
main(int argc, char **argv)
{
	struct options o;
	struct loop_config c = { 0 };
	struct split_result sr = { 0 };
	int out_fd = -1, null_in, null_out, status;
	char *err, *command, *exec_failed = NULL;
	const char *demo_dir = NULL;

	main_ensure_std_fds();
	setlocale(LC_ALL, "");
	if (options_parse(argc, argv, &o, &err) == -1) {
		util_warn("%s", err);
		free(err);
		return EXITCODE_FAILED;
	}
	if (o.help) {
		fputs(options_usage(), stdout);
		return 0;
	}
	if (o.version) {
		printf("pipeviz %s\n", PIPEVIZ_VERSION);
		return 0;
	}

	/* Sampling only, without process events (a test of the fallback). */
	c.events_off = getenv("PIPEVIZ_NO_EVENTS") != NULL &&
	    *getenv("PIPEVIZ_NO_EVENTS") != '\0';
	/* A small buffer, to see lost events handled (the tests). */
	if (getenv("PIPEVIZ_EVENTS_BUFFER") != NULL)
		c.events_rcvbuf = atoi(getenv("PIPEVIZ_EVENTS_BUFFER"));
	c.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	c.width = main_width();
	c.out = stdout;
	if (o.replay_path != NULL) {
		status = main_replay_trace(&o, &c);
		options_clear(&o);
		return status;
	}
	if (o.all) {
		if (access("/proc/self/stat", R_OK) == -1)
			usage_error("/proc is not mounted (or not readable): "
			    "pipeviz sees processes only through it");
		status = main_all(&o, &c);
		options_clear(&o);
		return status;
	}
	if (o.demo && o.demo_name == NULL) {
		demo_list(stdout);
		options_clear(&o);
		return 0;
	}
	if (o.demo_name != NULL &&
	    (o.pipeline = demo_pipeline(o.demo_name, &demo_dir, &err)) == NULL)
		usage_error("%s", err);

	/* Everything that can be wrong is checked before anything runs. */
	if (access("/proc/self/stat", R_OK) == -1)
		usage_error("/proc is not mounted (or not readable): pipeviz "
		    "sees processes only through it");
	if (o.pipeline != NULL && split_pipeline(o.pipeline, &sr, &err) == -1)
		usage_error("%s", err);
	if (o.pipeline != NULL && launch_check(&sr, &err) == -1)
		usage_error("%s", err);
	main_check_pipe_size(o.pipe_size);
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
	/*
	 * --exact: the counters are loaded before anything is opened or run,
	 * and told to observe whatever pipeviz forks from now on: the
	 * stages, from their first byte.
	 */
	if (o.exact) {
		if ((c.exact = probe_exact_open(&err)) == NULL)
			usage_error("%s", err);
		if (o.pipeline != NULL &&
		    probe_exact_observe(c.exact, getpid(), false) != 0)
			usage_error("--exact: cannot observe the pipeline");
	}
	if (o.output_path != NULL)
		out_fd = main_open_out(o.output_path, "output file");
	if (o.json_path != NULL)
		c.trace = main_open_trace(o.json_path);
	if (o.record_path != NULL)
		c.trace = main_open_trace(o.record_path);

	c.interval_ms = o.interval_ms;
	c.count = o.count;
	/* --once: five looks 100 ms apart are judged before the one shown. */
	c.burst = o.once ? 5 : 0;
	c.attach_pid = o.pid;
	c.exit_at_end = o.exit_at_end;
	c.slow_ms = o.slow_ms;
	c.step = o.step;
	c.peek = o.peek > 0 ? (size_t)o.peek : 0;
	c.capture_out_fd = c.capture_err_fd = -1;
	if (o.json_path != NULL)
		c.output = LOOP_OUT_NONE;
	else if (o.dot)
		c.output = LOOP_OUT_DOT;
	else if (o.text || o.once)
		c.output = LOOP_OUT_TEXT;
	else
		main_front_end(&c);
	fatal_set_cleanup(main_cleanup);
	c.sigfd = main_signals(c.ui != NULL);
	/*
	 * Subscribed before anything is launched, so that no fork of a
	 * stage comes before it; refused, the loop samples and says so.
	 */
	if (!c.events_off) {
		c.events = main_events = probe_events_open(c.events_rcvbuf,
		    &c.events_errno);
		atexit(main_close_events);
	}

	if (o.pipeline != NULL) {
		struct launch_opts lo = { 0 };
		/* Our stdout carries a trace, text or DOT: not the pipeline's. */
		bool stdout_taken = c.trace == stdout ||
		    ((c.output == LOOP_OUT_TEXT || c.output == LOOP_OUT_DOT) &&
		    c.out == stdout);

		null_in = open("/dev/null", O_RDONLY | O_CLOEXEC);
		null_out = open("/dev/null", O_WRONLY | O_CLOEXEC);
		/* A terminal on stdin is for us, not for the first stage. */
		lo.stdin_fd = isatty(0) ? null_in : 0;
		lo.stdout_fd = out_fd != -1 ? out_fd : stdout_taken ? null_out : 1;
		lo.stderr_fd = 2;
		lo.pipe_size = o.pipe_size;
		lo.pipefail = o.pipefail;
		lo.cwd = demo_dir;
		lo.step = o.step;
		/* Nothing the pipeline prints may land on the live view. */
		if (c.ui != NULL && out_fd == -1 && isatty(1)) {
			lo.capture_stdout = true;
			c.capture_out_fd = main_tmpfile();
		}
		if (c.ui != NULL && isatty(2)) {
			lo.capture_stderr = true;
			c.capture_err_fd = main_tmpfile();
		}
		c.launch = launch_start(&sr, &lo, &err);
		/*
		 * All or nothing: nothing ran.  Short of descriptors (a low
		 * ulimit -n), the events socket is one too many: without it,
		 * sampling only (and said so), rather than no pipeline.
		 */
		if (c.launch == NULL && c.events != NULL &&
		    strstr(err, strerror(EMFILE)) != NULL) {
			free(err);
			main_close_events();
			c.events = NULL;
			c.events_errno = EMFILE;
			c.launch = launch_start(&sr, &lo, &err);
		}
		if (c.launch == NULL) {
			ui_close(c.ui);
			usage_error("%s", err);
		}
		main_pgid = launch_pgid(c.launch);
		if (stdout_taken && out_fd == -1)
			main_say_output_discarded(&o);
		/* Said once, where it is seen: after the live view if any. */
		if ((exec_failed = launch_exec_failures(c.launch)) != NULL &&
		    c.ui == NULL) {
			util_warn("%s", exec_failed);
			free(exec_failed);
			exec_failed = NULL;
		}
		if (out_fd != -1)
			close(out_fd);
		close(null_in);
		close(null_out);
		c.mode = "launch";
		command = o.demo_name != NULL ? xasprintf("demo %s: %s",
		    o.demo_name, o.pipeline) : xstrdup(o.pipeline);
	} else {
		c.mode = "attach";
		command = xasprintf("-p %d", (int)o.pid);
	}
	c.command = command;

	status = loop_run(&c);
	main_close_events();
	probe_exact_close(c.exact);
	ui_close(c.ui);
	if (exec_failed != NULL)
		util_warn("%s", exec_failed);
	free(exec_failed);
	/* What the pipeline printed while the view had the screen. */
	main_replay(c.capture_out_fd, 1);
	main_replay(c.capture_err_fd, 2);

	if (c.trace != NULL && c.trace != stdout && fclose(c.trace) == EOF) {
		fprintf(stderr, "pipeviz: cannot write the trace: %s\n",
		    strerror(errno));
		status = EXITCODE_FAILED;
	}
	launch_free(c.launch);
	demo_cleanup();
	split_clear(&sr);
	options_clear(&o);
	free(command);
	return status;
}
