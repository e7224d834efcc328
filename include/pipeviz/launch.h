/*
 * launch.h - run a split pipeline: one process per stage, connected by
 * pipes the launcher makes itself, all in one new process group.
 *
 * The launcher records every pipe's inode and every stage's pid before
 * the first sample, so stages that live a millisecond are still known.
 * It holds no pipe end once the stages run, and every fd of its own is
 * close-on-exec.  It never draws or prints.
 */
#ifndef PIPEVIZ_LAUNCH_H
#define PIPEVIZ_LAUNCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "pipeviz/snapshot.h"
#include "pipeviz/split.h"

struct launch_opts {
	int stdin_fd;	/* the first stage's fd 0 */
	int stdout_fd;	/* the last stage's fd 1 */
	int stderr_fd;	/* every stage's fd 2 (unless it is piped with |&) */
	int pipe_size;	/* F_SETPIPE_SZ for the pipes made, 0 for default */
	bool pipefail;	/* status is the last non-zero stage's */
	const char *cwd; /* where the stages run, NULL for here */
	/*
	 * Instead of stdout_fd/stderr_fd, give the last stage's stdout and
	 * each stage's stderr pipes whose read ends pipeviz keeps (for the
	 * live view's panes): launch_output_fd(), launch_stderr_fd().
	 */
	bool capture_stdout, capture_stderr;
	/*
	 * --step: each stage is left stopped (SIGSTOP, no tracer attached)
	 * right after it exec'd its program: a simple command's program, a
	 * construct's shell (launch-step.c).  launch_stage.frozen says which.
	 */
	bool step;
};

/* What one of a stage's standard fds was connected to at launch. */
struct launch_end {
	enum snap_fd_kind kind;
	enum snap_fd_mode mode;
	uint64_t inode, dev;
	char *path; /* NULL for pipes */
};

struct launch_stage {
	pid_t pid;
	char *command;		 /* what /bin/sh -c runs */
	struct launch_end fd[3]; /* fds 0, 1, 2 as wired at launch */
	bool pipe_stderr;	 /* fd 2 shares the pipe of fd 1 (|&) */
	int exec_errno;		 /* why /bin/sh could not be run, or 0 */
	bool simple;		 /* one command, exec'd by its shell */
	bool frozen;		 /* --step: left stopped at its exec */
	struct snap_exit exit;
	/*
	 * What time(1) reports, from wait4's rusage when it is reaped: user
	 * plus system CPU time (its reaped children's included) and peak
	 * resident memory; and when it was forked and reaped (util_now()).
	 */
	bool usage_known;
	double cpu_s;
	long max_rss_kib;
	double forked_at, reaped_at;
};

struct launch;

/*
 * What can be known before launching sr: /bin/sh can be run, and no
 * stage is longer than one argument of a command may be (128 KiB; the
 * exec would fail with E2BIG).  0, or -1 with *err set to a newly
 * allocated message.
 */
int launch_check(const struct split_result *sr, char **err);

/*
 * Start the stages of sr: all or nothing.  Every stage is forked and
 * wired first, each holding its exec until all are (so a failed fork
 * leaves no stage that has run anything); each dies with pipeviz
 * (PR_SET_PDEATHSIG).  Returns the launch once every stage has exec'd
 * /bin/sh or failed to (launch_exec_failures()), or NULL with *err set
 * to a newly allocated message (nothing ran, nothing is left running).
 */
struct launch *launch_start(const struct split_result *sr,
    const struct launch_opts *, char **err);
/*
 * The stages whose exec of /bin/sh failed, in one line ("stage 2 could
 * not start: /bin/sh: Exec format error"), newly allocated; NULL if none.
 */
char *launch_exec_failures(const struct launch *);

/*
 * The non-blocking read end of the captured stdout, or of stage i's
 * stderr; -1 when not captured or already closed with launch_close_fd().
 */
int launch_output_fd(const struct launch *);
int launch_stderr_fd(const struct launch *, size_t i);
/* Close one of those read ends (at EOF). */
void launch_close_fd(struct launch *, int fd);

/* Free the bookkeeping and close captured fds; NULL is a no-op.  Does
 * not signal anything. */
void launch_free(struct launch *);

size_t launch_nstages(const struct launch *);
/* Valid until launch_free(). */
const struct launch_stage *launch_stage(const struct launch *, size_t i);
pid_t launch_pgid(const struct launch *);
/*
 * Children of pipeviz that are not stages: descendants orphaned by an
 * exiting stage (pipeviz is their subreaper), such as the background
 * sleep of "{ sleep 30 & echo hi; } | cat".  Fills out[0..max); returns n.
 */
size_t launch_orphans(const struct launch *, pid_t *out, size_t max);
/* Index of the stage whose pid this is, or -1. */
int launch_stage_index(const struct launch *, pid_t);

/*
 * A child (stage or orphaned descendant; pipeviz is their subreaper) that
 * has exited but is not reaped yet, so its final counters can still be
 * read from /proc; 0 if there is none.
 */
pid_t launch_zombie(void);
/* Reap pid; if it is a stage, record its exit at time t.  Returns the stage index or -1. */
int launch_reap(struct launch *, pid_t, double t);
/* Every stage has been reaped. */
bool launch_done(const struct launch *);
/* The pipeline's status as sh reports it: 0-255, 128+N for signal N. */
int launch_status(const struct launch *);
/* sh's status for one exit. */
int launch_exit_status(const struct snap_exit *);

/*
 * Send sig to the process group, unless every stage has been reaped
 * (the group id may be reused then).  SIGTERM is followed by SIGCONT, so
 * a stopped stage acts on it.
 */
void launch_kill(struct launch *, int sig);

#endif
