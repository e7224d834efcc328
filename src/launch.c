/* launch.c - fork and wire the stages of a pipeline, reap them. */
#include "pipeviz/launch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipeviz/procparse.h"
#include "pipeviz/util.h"
#include "launch-internal.h"


/* A pipe whose read end pipeviz keeps: non-blocking, close-on-exec. */
static int
launch_capture_pipe(int *write_end, char **err)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) == -1) {
		*err = xasprintf("cannot make a pipe: %s", strerror(errno));
		return -1;
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	*write_end = p[1];
	return p[0];
}

/* Describe fd as the stage will see it, from our own copy of it. */
static void
launch_describe(int fd, enum snap_fd_mode mode, struct launch_end *e)
{
	char path[64], link[4096];
	struct stat st;
	mode_t m = 0;
	ssize_t n;

	memset(e, 0, sizeof *e);
	e->mode = mode;
	e->kind = SNAP_FD_OTHER;
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if ((n = readlink(path, link, sizeof link - 1)) == -1)
		return;
	link[n] = '\0';
	if (fstat(fd, &st) == 0)
		m = st.st_mode;
	e->kind = procparse_fd_kind(link, m, &e->inode);
	if (m != 0) {
		e->inode = st.st_ino;
		if (e->kind != SNAP_FD_PIPE)
			e->dev = st.st_dev;
	}
	if (e->kind != SNAP_FD_PIPE && e->kind != SNAP_FD_SOCKET)
		e->path = xstrdup(link);
}

/*
 * What a stage that could not exec tells pipeviz, on the ready pipe: one
 * write of less than PIPE_BUF, so reports of several stages never mix.
 */
struct launch_report {
	int stage;
	int err;
};

/* How pipeviz and one stage meet before the stage runs its command. */
struct launch_sync {
	int go;		/* read end: a byte lets the stage exec, EOF ends it */
	int go_w;	/* write end, pipeviz's; the stage closes its copy */
	int ready;	/* write end: open until the exec, a report if it fails */
	pid_t parent;	/* pipeviz */
	bool step;	/* --step: stop at the exec (launch-step.c) */
};

static __attribute__((noreturn)) void
launch_child(const char *command, size_t stage, int in, int out, int err,
    pid_t pgid, const char *cwd, const struct launch_sync *sync)
{
	struct launch_report r = { (int)stage, 0 };
	sigset_t none;
	ssize_t n;
	char go;

	/* pipeviz alone may end the wait: EOF must come when it closes. */
	close(sync->go_w);
	/* Leave our signal state behind: the stage gets the defaults. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	setpgid(0, pgid);
	/*
	 * The stage dies with pipeviz: a kill -9 of pipeviz must not leave
	 * the pipeline running under init.  pipeviz may have died before
	 * the prctl, and then our parent is another process already.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != sync->parent)
		_exit(127);
	if (cwd != NULL && chdir(cwd) == -1)
		_exit(126);
	if ((in != 0 && dup2(in, 0) == -1) || (out != 1 && dup2(out, 1) == -1) ||
	    (err != 2 && dup2(err, 2) == -1))
		_exit(126);
	/*
	 * All or nothing: no stage runs until every stage is forked and
	 * wired.  A byte is the go; EOF means a fork failed (or pipeviz
	 * died), and the command must not run at all.
	 */
	while ((n = read(sync->go, &go, 1)) == -1 && errno == EINTR)
		;
	if (n != 1 || go != 'g')
		_exit(127);
	/* --step: the kernel stops us at the exec, for pipeviz to freeze. */
	if (sync->step && ptrace(PTRACE_TRACEME, 0, NULL, NULL) == -1)
		r.err = errno;
	else {
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		r.err = errno;
	}
	if (sync->ready != -1)
		(void)!write(sync->ready, &r, sizeof r);
	/* Not shown as a process named pipeviz: it was to be the shell. */
	prctl(PR_SET_NAME, "sh");
	_exit(r.err == ENOENT ? 127 : 126);
}

static void
launch_kill_started(struct launch *l)
{
	if (l->pgid > 0) {
		kill(-l->pgid, SIGKILL);
		for (size_t i = 0; i < l->nstages; i++) {
			if (l->stages[i].pid > 0)
				waitpid(l->stages[i].pid, NULL, 0);
		}
	}
}

/* Let every stage exec: one byte each, then the end of the go pipe. */
static void
launch_release(struct launch_sync *sync, size_t n)
{
	char go[64];

	memset(go, 'g', sizeof go);
	while (n > 0) {
		ssize_t w = write(sync->go_w, go, n < sizeof go ? n : sizeof go);

		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		n -= (size_t)w;
	}
	close(sync->go_w);
	sync->go_w = -1;
}

/*
 * Wait until every child has exec'd (or died): EOF on the ready pipe,
 * whose write end each holds until then.  A stage whose exec failed
 * wrote why first.
 */
static void
launch_wait_exec(struct launch *l, int ready[2])
{
	struct launch_report r[32];
	ssize_t n;

	if (ready[1] != -1)
		close(ready[1]);
	if (ready[0] == -1)
		return;
	while ((n = read(ready[0], r, sizeof r)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			break;
		for (size_t i = 0; i < (size_t)n / sizeof r[0]; i++) {
			if (r[i].stage >= 0 && (size_t)r[i].stage < l->nstages)
				l->stages[r[i].stage].exec_errno = r[i].err;
		}
	}
	close(ready[0]);
	ready[0] = ready[1] = -1;
}

/* The most a single argument of execve() may hold (MAX_ARG_STRLEN). */
static size_t
launch_arg_max(void)
{
	long page = sysconf(_SC_PAGESIZE);

	return (size_t)(page > 0 ? page : 4096) * 32;
}

int
launch_check(const struct split_result *sr, char **err)
{
	size_t max = launch_arg_max();
	struct stat st;

	*err = NULL;
	if (stat("/bin/sh", &st) == -1 ||
	    faccessat(AT_FDCWD, "/bin/sh", X_OK, AT_EACCESS) == -1) {
		*err = xasprintf("cannot run the stages: /bin/sh: %s",
		    strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		*err = xstrdup("cannot run the stages: /bin/sh is not a program");
		return -1;
	}
	for (size_t i = 0; i < sr->nstages; i++) {
		char *cmd = split_stage_command(&sr->stages[i]);
		size_t len = strlen(cmd);

		free(cmd);
		if (len + 1 > max) {
			*err = xasprintf("stage %zu is too long to run: %zu bytes, "
			    "and one argument of a command may have at most %zu "
			    "(MAX_ARG_STRLEN, %zu KiB)", i + 1, len, max - 1,
			    max / 1024);
			return -1;
		}
	}
	return 0;
}

char *
launch_exec_failures(const struct launch *l)
{
	char *text = NULL, *next;

	for (size_t i = 0; i < l->nstages; i++) {
		if (l->stages[i].exec_errno == 0)
			continue;
		next = xasprintf("%s%sstage %zu could not start: /bin/sh: %s",
		    text != NULL ? text : "", text != NULL ? "; " : "", i + 1,
		    strerror(l->stages[i].exec_errno));
		free(text);
		text = next;
	}
	return text;
}

struct launch *
launch_start(const struct split_result *sr, const struct launch_opts *o,
    char **err)
{
	struct launch *l = xcalloc(1, sizeof *l);
	struct launch_sync sync = { .parent = getpid() };
	int in = o->stdin_fd, p[2], ready[2], go[2];

	/* Orphaned descendants come back to us, so none escapes the view. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/*
	 * Every child holds the write end of this close-on-exec pipe until it
	 * execs: EOF on it means no stage is a copy of pipeviz any more, so
	 * no sample shows pipeviz's own descriptors in a stage.
	 */
	if (pipe2(ready, O_CLOEXEC) == -1)
		ready[0] = ready[1] = -1;
	/* Every child waits on this one for its go (launch_child). */
	if (pipe2(go, O_CLOEXEC) == -1) {
		*err = xasprintf("cannot make a pipe: %s", strerror(errno));
		if (ready[0] != -1)
			close(ready[0]), close(ready[1]);
		free(l);
		return NULL;
	}
	sync.go = go[0];
	sync.go_w = go[1];
	sync.ready = ready[1];
	sync.step = o->step;
	l->pipefail = o->pipefail;
	l->nstages = sr->nstages;
	l->stages = xcalloc(sr->nstages, sizeof *l->stages);
	l->output_fd = -1;
	l->stderr_fds = xcalloc(sr->nstages, sizeof *l->stderr_fds);
	for (size_t i = 0; i < sr->nstages; i++)
		l->stderr_fds[i] = -1;
	for (size_t i = 0; i < sr->nstages; i++) {
		struct launch_stage *s = &l->stages[i];
		bool last = i + 1 == sr->nstages;
		int out = o->stdout_fd, stage_err = o->stderr_fd;
		int cap_out = -1, cap_err = -1;
		pid_t pid;


		s->command = split_stage_command(&sr->stages[i]);
		s->simple = sr->stages[i].exec_at >= 0;
		s->pipe_stderr = sr->stages[i].pipe_stderr && !last;
		if (!last) {
			if (pipe2(p, O_CLOEXEC) == -1) {
				*err = xasprintf("cannot make a pipe: %s",
				    strerror(errno));
				goto fail;
			}
			if (o->pipe_size > 0 &&
			    fcntl(p[1], F_SETPIPE_SZ, o->pipe_size) == -1) {
				*err = xasprintf("cannot set pipe size %d: %s "
				    "(see /proc/sys/fs/pipe-max-size)",
				    o->pipe_size, strerror(errno));
				close(p[0]);
				close(p[1]);
				goto fail;
			}
			out = p[1];
			if (sr->stages[i].pipe_stderr)
				stage_err = p[1];
		}
		if (last && o->capture_stdout &&
		    (l->output_fd = launch_capture_pipe(&cap_out, err)) == -1)
			goto fail;
		if (cap_out != -1)
			out = cap_out;
		/* A |& stage's stderr goes down its pipe, not to the log. */
		if (o->capture_stderr && !s->pipe_stderr && (l->stderr_fds[i] =
		    launch_capture_pipe(&cap_err, err)) == -1) {
			if (cap_out != -1)
				close(cap_out);
			if (!last)
				close(p[0]), close(p[1]);
			goto fail;
		}
		if (cap_err != -1)
			stage_err = cap_err;
		launch_describe(in, SNAP_MODE_R, &s->fd[0]);
		launch_describe(out, SNAP_MODE_W, &s->fd[1]);
		launch_describe(stage_err, SNAP_MODE_W, &s->fd[2]);
		s->forked_at = util_now();
		if ((pid = fork()) == -1) {
			*err = xasprintf("cannot fork: %s", strerror(errno));
			if (cap_out != -1)
				close(cap_out);
			if (cap_err != -1)
				close(cap_err);
			if (!last) {
				close(p[0]);
				close(p[1]);
			}
			goto fail;
		}
		if (pid == 0)
			launch_child(s->command, i, in, out, stage_err, l->pgid,
			    o->cwd, &sync);
		if (cap_out != -1)
			close(cap_out);
		if (cap_err != -1)
			close(cap_err);
		/* Both sides set the group, so neither can race the other. */
		if (l->pgid == 0)
			l->pgid = pid;
		setpgid(pid, l->pgid);
		s->pid = pid;
		if (in != o->stdin_fd)
			close(in);
		if (!last) {
			close(p[1]);
			in = p[0];
		}
	}
	close(go[0]);
	launch_release(&sync, sr->nstages);
	launch_wait_exec(l, ready);
	if (o->step)
		launch_step_freeze(l);
	return l;

fail:
	/* No go: the stages forked so far end without running anything. */
	close(go[0]);
	close(go[1]);
	if (ready[0] != -1)
		close(ready[0]), close(ready[1]);
	if (in != o->stdin_fd)
		close(in);
	launch_kill_started(l);
	launch_free(l);
	return NULL;
}

int
launch_output_fd(const struct launch *l)
{
	return l->output_fd;
}

int
launch_stderr_fd(const struct launch *l, size_t i)
{
	return l->stderr_fds[i];
}

void
launch_close_fd(struct launch *l, int fd)
{
	if (fd < 0)
		return;
	if (l->output_fd == fd)
		l->output_fd = -1;
	for (size_t i = 0; i < l->nstages; i++) {
		if (l->stderr_fds[i] == fd)
			l->stderr_fds[i] = -1;
	}
	close(fd);
}

void
launch_free(struct launch *l)
{
	if (l == NULL)
		return;
	launch_close_fd(l, l->output_fd);
	for (size_t i = 0; i < l->nstages; i++)
		launch_close_fd(l, l->stderr_fds[i]);
	free(l->stderr_fds);
	for (size_t i = 0; i < l->nstages; i++) {
		free(l->stages[i].command);
		for (int j = 0; j < 3; j++)
			free(l->stages[i].fd[j].path);
	}
	free(l->stages);
	free(l);
}

size_t
launch_nstages(const struct launch *l)
{
	return l->nstages;
}

const struct launch_stage *
launch_stage(const struct launch *l, size_t i)
{
	return &l->stages[i];
}

pid_t
launch_pgid(const struct launch *l)
{
	return l->pgid;
}

size_t
launch_orphans(const struct launch *l, pid_t *out, size_t max)
{
	char path[320], text[4096];
	pid_t kids[512];
	struct dirent *de;
	size_t n = 0;
	DIR *dir;
	int nk;

	/* Children are listed per thread that forked them (or adopted them). */
	if ((dir = opendir("/proc/self/task")) == NULL)
		return 0;
	while ((de = readdir(dir)) != NULL && n < max) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/self/task/%s/children",
		    de->d_name);
		if (util_read_file_at(AT_FDCWD, path, text, sizeof text) <= 0 ||
		    (nk = procparse_pid_list(text, kids, 512)) <= 0)
			continue;
		for (int i = 0; i < nk && n < max; i++) {
			if (launch_stage_index(l, kids[i]) == -1)
				out[n++] = kids[i];
		}
	}
	closedir(dir);
	return n;
}

int
launch_stage_index(const struct launch *l, pid_t pid)
{
	for (size_t i = 0; i < l->nstages; i++) {
		if (l->stages[i].pid == pid)
			return (int)i;
	}
	return -1;
}

pid_t
launch_zombie(void)
{
	siginfo_t si;

	memset(&si, 0, sizeof si);
	if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == -1)
		return 0;
	return si.si_pid;
}

int
launch_reap(struct launch *l, pid_t pid, double t)
{
	struct rusage ru;
	int status, i;

	/* wait4: the stage's CPU time and peak memory, as time(1) has them. */
	while (wait4(pid, &status, 0, &ru) == -1) {
		if (errno != EINTR)
			return -1;
	}
	if ((i = launch_stage_index(l, pid)) == -1)
		return -1;
	l->stages[i].exit.exited = true;
	l->stages[i].exit.t = t;
	l->stages[i].reaped_at = util_now();
	l->stages[i].usage_known = true;
	l->stages[i].cpu_s = (double)ru.ru_utime.tv_sec +
	    (double)ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec +
	    ru.ru_stime.tv_usec) / 1e6;
	l->stages[i].max_rss_kib = ru.ru_maxrss;
	if (WIFSIGNALED(status))
		l->stages[i].exit.signal = WTERMSIG(status);
	else
		l->stages[i].exit.code = WEXITSTATUS(status);
	return i;
}

bool
launch_done(const struct launch *l)
{
	for (size_t i = 0; i < l->nstages; i++) {
		if (!l->stages[i].exit.exited)
			return false;
	}
	return true;
}

int
launch_exit_status(const struct snap_exit *e)
{
	return e->signal != 0 ? 128 + e->signal : e->code;
}

int
launch_status(const struct launch *l)
{
	int status = 0;

	if (l->nstages == 0)
		return 0;
	if (!l->pipefail)
		return launch_exit_status(&l->stages[l->nstages - 1].exit);
	for (size_t i = 0; i < l->nstages; i++) {
		int s = launch_exit_status(&l->stages[i].exit);

		if (s != 0)
			status = s;
	}
	return status;
}

void
launch_kill(struct launch *l, int sig)
{
	if (l->pgid <= 0 || launch_done(l))
		return;
	kill(-l->pgid, sig);
	/* A stopped stage would not act on SIGTERM until continued. */
	if (sig == SIGTERM)
		kill(-l->pgid, SIGCONT);
}
