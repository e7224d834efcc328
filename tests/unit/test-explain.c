/*
 * test-explain.c - the one-sentence explanations from synthetic snapshots,
 * one test per state, and the pipe peek in the trace (written, read back).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "pipeviz/explain.h"
#include "pipeviz/snapshot.h"
#include "pipeviz/trace-read.h"
#include "pipeviz/trace.h"

#define CAP 65536
/* Syscall numbers as the probe stores them (x86_64). */
#define NR_READ 0
#define NR_WRITE 1
#define NR_POLL 7
#define NR_WAIT4 61
#define NR_CLOCK_NANOSLEEP 230
#define NR_OPENAT 257
#define NR_UNKNOWN 999

/* Building snapshots (as in test-diagnose.c). */

static struct snap_proc *
P(const struct snapshot *s, pid_t pid)
{
	struct snap_proc *p = snapshot_find_proc(s, pid);

	assert_non_null(p);
	return p;
}

static void
proc(struct snapshot *s, pid_t pid, pid_t ppid, const char *comm, char state)
{
	struct snap_proc *p = snapshot_add_proc(s, pid);
	char *argv[] = { (char *)comm, NULL };

	snprintf(p->comm, sizeof p->comm, "%s", comm);
	snapshot_proc_set_argv(p, argv);
	p->ppid = ppid;
	p->pgid = 1;
	p->start_ticks = (uint64_t)pid * 10;
	p->state = state;
	p->io_known = true;
}

static void
pipe_fd(struct snapshot *s, pid_t pid, int fd, enum snap_fd_mode mode,
    uint64_t ino)
{
	snapshot_proc_add_fd(P(s, pid), fd, mode, SNAP_FD_PIPE, NULL)->inode =
	    ino;
}

static void
block(struct snapshot *s, pid_t pid, enum snap_block_op op, int fd)
{
	struct snap_proc *p = P(s, pid);
	const struct snap_fd *f = fd >= 0 ? snapshot_proc_fd(p, fd) : NULL;

	p->blocked.op = op;
	p->blocked.fd = fd;
	p->blocked.pipe = f != NULL && (f->kind == SNAP_FD_PIPE ||
	    f->kind == SNAP_FD_FIFO) ? f->inode : 0;
	p->syscall = op == SNAP_BLOCK_WAIT ? NR_WAIT4 :
	    op == SNAP_BLOCK_READ ? NR_READ : op == SNAP_BLOCK_OPEN ?
	    NR_OPENAT : NR_WRITE;
}

static void
fill(struct snapshot *s, uint64_t ino, int64_t bytes, int64_t cap)
{
	struct snap_pipe *pp = snapshot_find_pipe(s, ino);

	assert_non_null(pp);
	pp->fill = bytes;
	pp->capacity = cap;
}

static void
exited(struct snapshot *s, pid_t pid, int code, int sig)
{
	struct snap_proc *p = P(s, pid);

	p->state = 'X';
	p->exit.exited = true;
	p->exit.code = code;
	p->exit.signal = sig;
}

/* Checking sentences. */

/* One sentence: printable ASCII, no newline, no final full stop. */
static void
one_sentence(const char *text)
{
	size_t n = strlen(text);

	assert_true(n > 0);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c < 0x20 || c > 0x7e)
			fail_msg("byte 0x%02x at %zu in \"%s\"", c, i, text);
	}
	if (text[n - 1] == '.')
		fail_msg("ends with a full stop: \"%s\"", text);
}

/* The explanation of pid in s contains every one of the texts. */
static void
explains(const struct snapshot *s, pid_t pid, ...)
{
	char *text = explain_proc(s, P(s, pid));
	const char *want;
	va_list ap;

	one_sentence(text);
	va_start(ap, pid);
	while ((want = va_arg(ap, const char *)) != NULL) {
		if (strstr(text, want) == NULL) {
			va_end(ap);
			fail_msg("explanation \"%s\" lacks \"%s\"", text, want);
		}
	}
	va_end(ap);
	free(text);
}

/* The explanation of pid in s is exactly want. */
static void
explains_exactly(const struct snapshot *s, pid_t pid, const char *want)
{
	char *text = explain_proc(s, P(s, pid));

	one_sentence(text);
	assert_string_equal(text, want);
	free(text);
}

static void
lacks(const struct snapshot *s, pid_t pid, const char *unwanted)
{
	char *text = explain_proc(s, P(s, pid));

	if (strstr(text, unwanted) != NULL)
		fail_msg("explanation \"%s\" has \"%s\"", text, unwanted);
	free(text);
}

/* Writers. */

/* yes | sleep: variant 0 plain, 1 sleep stopped, 2 no reader observed. */
static struct snapshot *
yes_sleep(int variant)
{
	struct snapshot *s = snapshot_create(1.0);

	proc(s, 812, 500, "yes", 'S');
	pipe_fd(s, 812, 1, SNAP_MODE_W, 5159);
	if (variant != 2) {
		proc(s, 813, 500, "sleep", variant == 1 ? 'T' : 'S');
		pipe_fd(s, 813, 0, SNAP_MODE_R, 5159);
		P(s, 813)->syscall = NR_CLOCK_NANOSLEEP;
	}
	block(s, 812, SNAP_BLOCK_WRITE, 1);
	snapshot_link_pipes(s);
	fill(s, 5159, CAP, CAP);
	return s;
}

static void
writer_blocked_on_full_pipe_names_the_reader(void **state)
{
	struct snapshot *s = yes_sleep(0);

	(void)state;
	explains_exactly(s, 812, "blocked writing fd 1 into pipe 5159, which "
	    "is full (64 KiB); it continues when sleep (pid 813) reads from "
	    "it");
	snapshot_free(s);
}

static void
writer_blocked_on_stopped_reader_says_so(void **state)
{
	struct snapshot *s = yes_sleep(1);

	(void)state;
	explains(s, 812, "which is full (64 KiB)", "when sleep (pid 813) reads",
	    "but sleep is stopped (kill -CONT 813)", NULL);
	snapshot_free(s);
}

static void
writer_blocked_without_reader(void **state)
{
	struct snapshot *s = yes_sleep(2);

	(void)state;
	explains(s, 812, "blocked writing fd 1 into pipe 5159",
	    "no reader is visible to pipeviz", NULL);
	snapshot_free(s);
}

static void
writer_waiting_for_room_or_unknown_fill(void **state)
{
	struct snapshot *s = yes_sleep(0);

	(void)state;
	fill(s, 5159, 40960, CAP);
	explains(s, 812, "waiting for room to write fd 1 into pipe 5159 "
	    "(40 KiB of 64 KiB in it", "sleep (pid 813) reads", NULL);
	fill(s, 5159, -1, -1);
	explains(s, 812, "blocked writing fd 1 into pipe 5159, whose fill "
	    "level could not be read", NULL);
	fill(s, 5159, 1000, 1536);
	explains(s, 812, "(1000 bytes of 1.5 KiB", NULL);
	snapshot_free(s);
}

/* The wait model: poll sets and threads. */

static void
set_waits(struct snap_proc *p, long call, const struct snap_wait_fd *w,
    size_t n)
{
	p->syscall = call;
	p->blocked.multiplexed = true;
	p->blocked.call = call;
	snapshot_blocked_set_waits(&p->blocked, w, n);
	snapshot_blocked_reduce(&p->blocked);
}

/* A filter in poll(): data on fd 0 (pipe 70) or room on fd 1 (pipe 71). */
static void
poll_set_for_data_and_room_names_both_fds(void **state)
{
	struct snapshot *s = snapshot_create(1.0);
	const struct snap_wait_fd w[] = {
		{ .fd = 0, .in = true, .kind = SNAP_FD_PIPE, .inode = 70 },
		{ .fd = 1, .out = true, .kind = SNAP_FD_PIPE, .inode = 71 },
	};

	(void)state;
	proc(s, 600, 500, "filter", 'S');
	pipe_fd(s, 600, 0, SNAP_MODE_R, 70);
	pipe_fd(s, 600, 1, SNAP_MODE_W, 71);
	set_waits(P(s, 600), NR_POLL, w, 2);
	assert_int_equal(P(s, 600)->blocked.op, SNAP_BLOCK_POLL);
	snapshot_link_pipes(s);
	fill(s, 70, 0, CAP);
	fill(s, 71, CAP, CAP);
	explains_exactly(s, 600, "waiting in poll() until fd 0 (pipe 70) has "
	    "data or fd 1 (pipe 71) has room");
	snapshot_free(s);
}

/* A writer in poll() for room only is a blocked writer. */
static void
poll_for_room_only_is_a_blocked_write(void **state)
{
	struct snapshot *s = yes_sleep(0);
	const struct snap_wait_fd w[] = {
		{ .fd = 1, .out = true, .kind = SNAP_FD_PIPE, .inode = 5159 },
	};

	(void)state;
	set_waits(P(s, 812), NR_POLL, w, 1);
	assert_int_equal(P(s, 812)->blocked.op, SNAP_BLOCK_WRITE);
	explains_exactly(s, 812, "in poll(), blocked writing fd 1 into pipe "
	    "5159, which is full (64 KiB); it continues when sleep (pid 813) "
	    "reads from it");
	/* Room enough for poll() to return soon: it still only waits. */
	fill(s, 5159, 4096, CAP);
	explains(s, 812, "in poll(), blocked writing fd 1 into pipe 5159, "
	    "which has no room for the next write (4 KiB of 64 KiB)", NULL);
	snapshot_free(s);
}

/* A multithreaded writer: its writing thread speaks for it. */
static void
thread_blocked_writing_is_a_blocked_write(void **state)
{
	struct snapshot *s = yes_sleep(0);
	struct snap_proc *p = P(s, 812);
	struct snap_thread t[2];

	(void)state;
	memset(t, 0, sizeof t);
	t[0].tid = 812;
	t[0].state = 'S';
	t[0].syscall = 202;
	snprintf(t[0].wchan, sizeof t[0].wchan, "futex_wait_queue");
	t[0].blocked.op = SNAP_BLOCK_NONE;
	t[0].blocked.fd = -1;
	t[1].tid = 815;
	t[1].state = 'S';
	t[1].syscall = NR_WRITE;
	snprintf(t[1].wchan, sizeof t[1].wchan, "anon_pipe_write");
	t[1].blocked.op = SNAP_BLOCK_WRITE;
	t[1].blocked.fd = 1;
	t[1].blocked.pipe = 5159;
	snapshot_proc_set_threads(p, t, 2);
	p->nthreads = 2;
	p->blocked.tid = 815;
	snprintf(p->wchan, sizeof p->wchan, "anon_pipe_write");
	explains(s, 812, "blocked writing fd 1 into pipe 5159, which is full "
	    "(64 KiB)", "sleep (pid 813) reads from it", NULL);
	lacks(s, 812, "futex");
	snapshot_free(s);
}

/* A FIFO is named by its path; several readers are all named. */
static void
writer_into_fifo_with_two_readers(void **state)
{
	struct snapshot *s = snapshot_create(1.0);

	(void)state;
	proc(s, 10, 1, "writer", 'S');
	snapshot_proc_add_fd(P(s, 10), 1, SNAP_MODE_W, SNAP_FD_FIFO,
	    "/tmp/f")->inode = 44;
	proc(s, 11, 1, "a", 'S');
	snapshot_proc_add_fd(P(s, 11), 0, SNAP_MODE_R, SNAP_FD_FIFO,
	    "/tmp/f")->inode = 44;
	proc(s, 12, 1, "b", 'S');
	snapshot_proc_add_fd(P(s, 12), 3, SNAP_MODE_R, SNAP_FD_FIFO,
	    "/tmp/f")->inode = 44;
	block(s, 10, SNAP_BLOCK_WRITE, 1);
	snapshot_link_pipes(s);
	fill(s, 44, 1048576, 1048576);
	explains_exactly(s, 10, "blocked writing fd 1 into FIFO /tmp/f, which "
	    "is full (1 MiB); it continues when a (pid 11) or b (pid 12) "
	    "reads from it");
	snapshot_free(s);
}

/* Readers. */

/* sleep | cat: variant 0 sleeping writer, 1 running, 2 stopped. */
static struct snapshot *
sleep_cat(int variant)
{
	struct snapshot *s = snapshot_create(1.0);

	proc(s, 810, 500, "sleep", variant == 2 ? 'T' : variant == 1 ? 'R' :
	    'S');
	pipe_fd(s, 810, 1, SNAP_MODE_W, 77);
	proc(s, 811, 500, "cat", 'S');
	pipe_fd(s, 811, 0, SNAP_MODE_R, 77);
	block(s, 811, SNAP_BLOCK_READ, 0);
	snapshot_link_pipes(s);
	fill(s, 77, 0, CAP);
	return s;
}

static void
reader_on_empty_pipe_names_the_writer(void **state)
{
	struct snapshot *s = sleep_cat(0);

	(void)state;
	explains_exactly(s, 811, "waiting for input on fd 0: pipe 77 is empty "
	    "and its writer sleep (pid 810) is still alive, so more data or "
	    "end-of-file may come");
	snapshot_free(s);
	s = sleep_cat(1);
	explains(s, 811, "its writer sleep (pid 810) is still running", NULL);
	snapshot_free(s);
	s = sleep_cat(2);
	explains(s, 811, "its writer sleep (pid 810) is stopped, so nothing "
	    "comes until it is continued (kill -CONT 810)", NULL);
	snapshot_free(s);
}

static void
reader_with_data_waiting_is_about_to_read(void **state)
{
	struct snapshot *s = sleep_cat(0);

	(void)state;
	fill(s, 77, 4096, CAP);
	explains_exactly(s, 811, "about to read fd 0: pipe 77 has 4 KiB "
	    "waiting for it");
	fill(s, 77, -1, -1);
	explains(s, 811, "waiting for input on fd 0: pipe 77 (its fill level "
	    "could not be read); its writer sleep (pid 810)", NULL);
	snapshot_free(s);
}

static void
reader_holding_its_own_write_end_never_gets_eof(void **state)
{
	struct snapshot *s = snapshot_create(1.0);

	(void)state;
	proc(s, 900, 500, "cat", 'S');
	pipe_fd(s, 900, 0, SNAP_MODE_R, 91);
	pipe_fd(s, 900, 5, SNAP_MODE_W, 91);
	block(s, 900, SNAP_BLOCK_READ, 0);
	snapshot_link_pipes(s);
	fill(s, 91, 0, CAP);
	explains_exactly(s, 900, "waiting for input on fd 0: pipe 91 is empty "
	    "and it holds a write end itself (fd 5), so end-of-file can never "
	    "come");
	/* With a real writer too: data may come, end-of-file still not. */
	proc(s, 901, 500, "echo", 'S');
	pipe_fd(s, 901, 1, SNAP_MODE_W, 91);
	snapshot_link_pipes(s);
	fill(s, 91, 0, CAP);
	explains_exactly(s, 900, "waiting for input on fd 0: pipe 91 is empty "
	    "and its writer echo (pid 901) is still alive, so more data may "
	    "come; but it holds a write end itself (fd 5), so end-of-file can "
	    "never come");
	snapshot_free(s);
}

/* { sleep & echo; } | cat: the stage sh exited, an unseen sleep holds on. */
static void
reader_whose_writer_stage_exited_blames_an_unseen_holder(void **state)
{
	struct snapshot *s = snapshot_create(1.0);

	(void)state;
	proc(s, 809, 500, "sh", 'S');
	pipe_fd(s, 809, 1, SNAP_MODE_W, 77);
	exited(s, 809, 0, 0);
	proc(s, 811, 500, "cat", 'S');
	pipe_fd(s, 811, 0, SNAP_MODE_R, 77);
	block(s, 811, SNAP_BLOCK_READ, 0);
	snapshot_link_pipes(s);
	fill(s, 77, 0, CAP);
	explains(s, 811, "pipe 77 is empty and its writer sh (pid 809) has "
	    "exited, but a process pipeviz does not see still holds the write "
	    "end", NULL);
	snapshot_free(s);
	/* No stage known at all. */
	s = snapshot_create(1.0);
	proc(s, 811, 500, "cat", 'S');
	pipe_fd(s, 811, 0, SNAP_MODE_R, 77);
	block(s, 811, SNAP_BLOCK_READ, 0);
	snapshot_link_pipes(s);
	fill(s, 77, 0, CAP);
	explains(s, 811, "no writer is visible to pipeviz", NULL);
	snapshot_free(s);
}

static void
reader_of_two_writers_names_both(void **state)
{
	struct snapshot *s = sleep_cat(0);

	(void)state;
	proc(s, 812, 500, "echo", 'S');
	pipe_fd(s, 812, 1, SNAP_MODE_W, 77);
	snapshot_link_pipes(s);
	fill(s, 77, 0, CAP);
	explains(s, 811, "its writers sleep (pid 810) and echo (pid 812) are "
	    "still alive", NULL);
	snapshot_free(s);
}

static void
reader_of_terminal_and_other_fds(void **state)
{
	struct snapshot *s = snapshot_create(1.0);

	(void)state;
	proc(s, 5, 1, "cat", 'S');
	snapshot_proc_add_fd(P(s, 5), 0, SNAP_MODE_RW, SNAP_FD_TTY,
	    "/dev/pts/3");
	snapshot_proc_add_fd(P(s, 5), 3, SNAP_MODE_RW, SNAP_FD_SOCKET,
	    NULL)->inode = 99;
	snapshot_proc_add_fd(P(s, 5), 4, SNAP_MODE_R, SNAP_FD_FILE,
	    "/mnt/nfs/big");
	block(s, 5, SNAP_BLOCK_READ, 0);
	snapshot_link_pipes(s);
	explains(s, 5, "waiting for input from the terminal on fd 0",
	    "Ctrl-D", NULL);
	block(s, 5, SNAP_BLOCK_READ, 3);
	explains_exactly(s, 5, "waiting for data on fd 3 from a socket");
	block(s, 5, SNAP_BLOCK_READ, 4);
	explains_exactly(s, 5, "blocked reading fd 4 (file /mnt/nfs/big)");
	block(s, 5, SNAP_BLOCK_WRITE, 0);
	explains(s, 5, "blocked writing fd 0 (the terminal /dev/pts/3)", NULL);
	block(s, 5, SNAP_BLOCK_WRITE, 9);
	explains_exactly(s, 5, "blocked writing fd 9");
	block(s, 5, SNAP_BLOCK_WRITE, -1);
	explains(s, 5, "blocked writing; on which fd is not known", NULL);
	snapshot_free(s);
}

/* Waiting, stopped, running. */

static void
shell_waits_for_its_child(void **state)
{
	struct snapshot *s = snapshot_create(1.0);

	(void)state;
	proc(s, 904, 500, "sh", 'S');
	block(s, 904, SNAP_BLOCK_WAIT, -1);
	proc(s, 905, 904, "head", 'S');
	snapshot_link_pipes(s);
	explains_exactly(s, 904, "waiting for its child head (pid 905) to "
	    "finish");
	proc(s, 906, 904, "tail", 'R');
	explains_exactly(s, 904, "waiting for its children head (pid 905) and "
	    "tail (pid 906) to finish");
	/* An exited child is not waited for any more. */
	exited(s, 905, 0, 0);
	explains_exactly(s, 904, "waiting for its child tail (pid 906) to "
	    "finish");
	exited(s, 906, 0, 0);
	explains(s, 904, "waiting for a child process to finish (none is "
	    "visible to pipeviz)", NULL);
	snapshot_free(s);
}

static void
stopped_by_signal_or_debugger(void **state)
{
	struct snapshot *s = yes_sleep(1);

	(void)state;
	explains_exactly(s, 813, "stopped by a signal (SIGSTOP, or Ctrl-Z); it "
	    "does nothing until it is continued (kill -CONT 813)");
	P(s, 813)->state = 't';
	explains(s, 813, "stopped by a debugger", NULL);
	/* Stopped in the middle of a write: the stop is what matters. */
	P(s, 812)->state = 'T';
	explains(s, 812, "stopped by a signal", NULL);
	lacks(s, 812, "blocked");
	snapshot_free(s);
}

static void
running_on_the_cpu(void **state)
{
	struct snapshot *s = snapshot_create(1.0);

	(void)state;
	proc(s, 5, 1, "gzip", 'R');
	P(s, 5)->cpu_pct = 98.44;
	snapshot_link_pipes(s);
	explains_exactly(s, 5, "running on the CPU (98% of one core over the "
	    "last interval)");
	P(s, 5)->cpu_pct = 0.2;
	explains_exactly(s, 5, "running on the CPU");
	snapshot_free(s);
}

static void
uninterruptible_and_unknown_states(void **state)
{
	struct snapshot *s = snapshot_create(1.0);

	(void)state;
	proc(s, 5, 1, "dd", 'D');
	P(s, 5)->syscall = NR_READ;
	snprintf(P(s, 5)->wchan, sizeof P(s, 5)->wchan, "io_schedule");
	snapshot_link_pipes(s);
	explains_exactly(s, 5, "in an uninterruptible wait in the kernel "
	    "(state D, in read(), wait channel io_schedule), usually for a "
	    "disk or the network");
	P(s, 5)->state = '?';
	explains_exactly(s, 5, "its state could not be read");
	P(s, 5)->state = 'W';
	explains_exactly(s, 5, "in state W");
	snapshot_free(s);
}

/* Exits. */

static void
exits_normally_with_a_code_or_by_a_signal(void **state)
{
	struct snapshot *s = snapshot_create(1.0);

	(void)state;
	proc(s, 5, 1, "ls", 'S');
	proc(s, 6, 1, "sh", 'S');
	proc(s, 7, 1, "grep", 'S');
	snapshot_link_pipes(s);
	exited(s, 5, 0, 0);
	explains_exactly(s, 5, "exited normally with status 0 (success)");
	exited(s, 5, 2, 0);
	explains(s, 5, "exited with status 2 (not 0: it reports a failure",
	    NULL);
	exited(s, 6, 127, 0);
	explains(s, 6, "exited with status 127", "command not found", NULL);
	exited(s, 6, 126, 0);
	explains(s, 6, "exited with status 126", "could not be run", NULL);
	exited(s, 6, 130, 0);
	explains(s, 6, "exited with status 130 (128 + 2: the command it ran "
	    "was killed by SIGINT)", NULL);
	/* Only a shell's 127 means "not found". */
	exited(s, 7, 127, 0);
	lacks(s, 7, "not found");
	exited(s, 5, 0, SIGTERM);
	explains_exactly(s, 5, "killed by SIGTERM (Terminated)");
	exited(s, 5, 0, SIGKILL);
	explains(s, 5, "killed by SIGKILL (kill -9", NULL);
	exited(s, 5, 0, SIGINT);
	explains_exactly(s, 5, "killed by SIGINT (Ctrl-C)");
	exited(s, 5, 0, 99);
	explains_exactly(s, 5, "killed by signal 99");
	snapshot_free(s);
}

/* yes | head -n 1: yes is killed by SIGPIPE once head has gone. */
static void
sigpipe_is_explained_as_the_reader_going_away(void **state)
{
	struct snapshot *s = snapshot_create(1.0);

	(void)state;
	proc(s, 8, 500, "yes", 'S');
	pipe_fd(s, 8, 1, SNAP_MODE_W, 5);
	exited(s, 8, 0, SIGPIPE);
	proc(s, 9, 500, "head", 'S');
	pipe_fd(s, 9, 0, SNAP_MODE_R, 5);
	exited(s, 9, 0, 0);
	snapshot_link_pipes(s);
	explains_exactly(s, 8, "exited by SIGPIPE because its reader head "
	    "(pid 9) went away: it wrote to pipe 5 after the last reader had "
	    "closed it (normal when a reader stops early, as head does in "
	    "yes | head)");
	snapshot_free(s);
	/* Nothing known of its output. */
	s = snapshot_create(1.0);
	proc(s, 8, 500, "yes", 'S');
	exited(s, 8, 0, SIGPIPE);
	snapshot_link_pipes(s);
	explains(s, 8, "exited by SIGPIPE because its reader went away",
	    "normal when a reader stops early", NULL);
	snapshot_free(s);
}

static void
zombie_names_the_parent_that_has_not_waited(void **state)
{
	struct snapshot *s = snapshot_create(1.0);

	(void)state;
	proc(s, 50, 1, "make", 'S');
	proc(s, 51, 50, "cc", 'Z');
	proc(s, 52, 77, "orphan", 'Z');
	snapshot_link_pipes(s);
	explains_exactly(s, 51, "has exited but is a zombie: its parent make "
	    "(pid 50) has not collected its exit status with wait() yet");
	explains(s, 52, "its parent (pid 77) has not collected", NULL);
	snapshot_free(s);
}

/* Other sleeps. */

static void
sleeping_in_other_syscalls(void **state)
{
	struct snapshot *s = snapshot_create(1.0);
	struct snap_proc *p;

	(void)state;
	proc(s, 5, 1, "sleep", 'S');
	snapshot_link_pipes(s);
	p = P(s, 5);
	p->syscall = NR_CLOCK_NANOSLEEP;
	explains(s, 5, "sleeping (timer)", "wakes up by itself", NULL);
	p->syscall = NR_POLL;
	explains_exactly(s, 5, "waiting in poll() until one of its fds is "
	    "ready");
	p->syscall = 72; /* fcntl */
	explains_exactly(s, 5, "waiting for a file lock (fcntl)");
	p->syscall = 3; /* close: known by name, not special */
	snprintf(p->wchan, sizeof p->wchan, "some_wait");
	explains_exactly(s, 5, "sleeping in the system call close() (kernel "
	    "wait channel some_wait)");
	p->syscall = NR_UNKNOWN;
	explains_exactly(s, 5, "sleeping in the kernel (wait channel "
	    "some_wait)");
	p->syscall = -1;
	p->wchan[0] = '\0';
	explains_exactly(s, 5, "sleeping; what it waits for is not known");
	snapshot_free(s);
}

static void
open_of_a_fifo_waits_for_the_other_end(void **state)
{
	struct snapshot *s = snapshot_create(1.0);

	(void)state;
	proc(s, 5, 1, "cat", 'S');
	snapshot_link_pipes(s);
	block(s, 5, SNAP_BLOCK_OPEN, -1);
	snprintf(P(s, 5)->wchan, sizeof P(s, 5)->wchan, "wait_for_partner");
	explains(s, 5, "blocked in open() of a FIFO, waiting for the other "
	    "end", "both a reader and a writer", NULL);
	P(s, 5)->wchan[0] = '\0';
	explains(s, 5, "blocked in open() of a FIFO", NULL);
	snprintf(P(s, 5)->wchan, sizeof P(s, 5)->wchan, "nfs_wait");
	explains_exactly(s, 5, "blocked in open() (kernel wait channel "
	    "nfs_wait)");
	snapshot_free(s);
}

/* Another user's process: what cannot be read is said to be unknown. */
static void
unreadable_fds_are_said_to_be_unknown(void **state)
{
	struct snapshot *s = snapshot_create(1.0);
	struct snap_proc *p;

	(void)state;
	proc(s, 5, 1, "daemon", 'S');
	snapshot_link_pipes(s);
	p = P(s, 5);
	p->fds_denied = true;
	p->io_known = false;
	explains_exactly(s, 5, "sleeping; what it waits for could not be read "
	    "(no permission); its fds could not be read (another user's "
	    "process), so which pipes it holds is not known");
	p->state = 'R';
	explains(s, 5, "running on the CPU; its fds could not be read", NULL);
	p->state = 'S';
	p->blocked.op = SNAP_BLOCK_READ;
	p->blocked.fd = 0;
	explains_exactly(s, 5, "blocked reading fd 0; what fd 0 is cannot be "
	    "known: its fd table could not be read (another user's process)");
	/* An exit is known however much else is not. */
	exited(s, 5, 0, 0);
	explains_exactly(s, 5, "exited normally with status 0 (success)");
	snapshot_free(s);
}

/*
 * A table pipeviz could not read this time (out of descriptors): what is
 * shown is the last table read, and the sentence says so; with no table
 * at all, what the process holds is unknown.
 */
static void
unread_fds_are_said_to_be_as_last_read(void **state)
{
	struct snapshot *s = yes_sleep(0);
	struct snap_proc *p;

	(void)state;
	P(s, 812)->fds_unread = true;
	explains_exactly(s, 812, "blocked writing fd 1 into pipe 5159, which "
	    "is full (64 KiB); it continues when sleep (pid 813) reads from "
	    "it; its fds could not be read this time (pipeviz out of "
	    "descriptors, or another passing error), so they are as last "
	    "read");
	P(s, 813)->fds_unread = true;
	explains(s, 813, "; its fds could not be read this time", NULL);
	snapshot_free(s);

	s = snapshot_create(1.0);
	proc(s, 5, 1, "cat", 'S');
	snapshot_link_pipes(s);
	p = P(s, 5);
	p->fds_unread = true;
	explains_exactly(s, 5, "sleeping; what it waits for is not known; its "
	    "fds could not be read (pipeviz out of descriptors, or another "
	    "passing error), so which pipes it holds is not known");
	/* Short of descriptors, the other reads fail too: not "permission". */
	p->io_known = false;
	explains_exactly(s, 5, "sleeping; what it waits for is not known; its "
	    "fds could not be read (pipeviz out of descriptors, or another "
	    "passing error), so which pipes it holds is not known");
	p->io_known = true;
	p->blocked.op = SNAP_BLOCK_READ;
	p->blocked.fd = 0;
	explains_exactly(s, 5, "blocked reading fd 0; what fd 0 is cannot be "
	    "known: its fd table could not be read (pipeviz out of "
	    "descriptors, or another passing error)");
	/* Another user's process says that, not both. */
	p->fds_denied = true;
	lacks(s, 5, "descriptors");
	p->fds_denied = false;
	exited(s, 5, 0, 0);
	explains_exactly(s, 5, "exited normally with status 0 (success)");
	snapshot_free(s);
}

/*
 * Names from the system may hold anything; the sentence stays one line,
 * the control characters shown in caret notation (sanitize.h).
 */
static void
control_characters_in_names_are_shown_visibly(void **state)
{
	struct snapshot *s = yes_sleep(0);
	char *text;

	(void)state;
	snprintf(P(s, 813)->comm, sizeof P(s, 813)->comm, "sl\neep\x1b");
	text = explain_proc(s, P(s, 812));
	assert_non_null(strstr(text, "when sl^Jeep^[ (pid 813) reads"));
	assert_null(strchr(text, '\n'));
	free(text);
	/* A stage not seen alive is named by its argv. */
	P(s, 813)->comm[0] = '\0';
	snapshot_proc_set_argv(P(s, 813), (char *[]){ "/bin/sleep", "9",
	    NULL });
	explains(s, 812, "when sleep (pid 813) reads", NULL);
	snapshot_free(s);
}

/* Peek formatting. */

static void
peek_as_text_and_hex(void **state)
{
	struct snapshot *s = yes_sleep(0);
	struct snap_pipe *pp = snapshot_find_pipe(s, 5159);
	const char data[] = "1\n2\t\\\x00\xff" "A";
	char *text, *hex;

	(void)state;
	text = explain_peek_text(pp);
	hex = explain_peek_hex(pp, 0);
	assert_string_equal(text, "");
	assert_string_equal(hex, "");
	free(text);
	free(hex);
	snapshot_pipe_set_peek(pp, data, sizeof data - 1);
	text = explain_peek_text(pp);
	assert_string_equal(text, "1\\n2\\t\\\\\\x00\\xffA");
	free(text);
	hex = explain_peek_hex(pp, 4);
	assert_string_equal(hex, "31 0a 32 09\n5c 00 ff 41");
	free(hex);
	hex = explain_peek_hex(pp, 0);
	assert_string_equal(hex, "31 0a 32 09 5c 00 ff 41");
	free(hex);
	snapshot_free(s);
}

/* The trace: explain on every proc, peek only when there is one. */

static json_t *
sample_json(const struct snapshot *s)
{
	char *text = trace_sample_string(s);
	json_error_t err;
	json_t *o = json_loads(text, JSON_ALLOW_NUL, &err);

	assert_non_null(o);
	free(text);
	return o;
}

static void
trace_has_explain_on_every_proc(void **state)
{
	struct snapshot *s = yes_sleep(0);
	json_t *o = sample_json(s), *v;
	size_t i;

	(void)state;
	json_array_foreach(json_object_get(o, "procs"), i, v) {
		char *want = explain_proc(s, &s->procs[i]);

		assert_true(json_is_string(json_object_get(v, "explain")));
		assert_string_equal(json_string_value(json_object_get(v,
		    "explain")), want);
		free(want);
	}
	json_decref(o);
	snapshot_free(s);
}

static void
trace_without_peek_has_no_peek_key(void **state)
{
	struct snapshot *s = yes_sleep(0);
	char *text = trace_sample_string(s);

	(void)state;
	assert_null(strstr(text, "\"peek\""));
	free(text);
	snapshot_free(s);
}

/* Every byte value, NUL included, survives the trace both ways. */
static void
peek_round_trips_every_byte(void **state)
{
	struct snapshot *s = yes_sleep(0), *back;
	struct snap_pipe *pp = snapshot_find_pipe(s, 5159);
	char data[512], *text, *again, *err = NULL;
	json_t *o, *v;
	const char *str;

	(void)state;
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (char)(i % 256);
	snapshot_pipe_set_peek(pp, data, sizeof data);
	text = trace_sample_string(s);
	o = sample_json(s);
	v = json_object_get(json_array_get(json_object_get(o, "pipes"), 0),
	    "peek");
	str = json_string_value(v);
	assert_non_null(str);
	/*
	 * Byte N is code point N: 0..0x7f one byte each, 0x80..0xff two
	 * (0x80 is C2 80, 0xe9 is C3 A9).
	 */
	assert_int_equal(json_string_length(v), 2 * (128 + 2 * 128));
	assert_int_equal((unsigned char)str[0x41], 0x41);
	assert_int_equal((unsigned char)str[128], 0xc2);
	assert_int_equal((unsigned char)str[129], 0x80);
	assert_int_equal((unsigned char)str[128 + 2 * (0xe9 - 0x80)], 0xc3);
	assert_int_equal((unsigned char)str[129 + 2 * (0xe9 - 0x80)], 0xa9);
	json_decref(o);
	back = trace_read_sample(text, &err);
	assert_non_null(back);
	pp = snapshot_find_pipe(back, 5159);
	assert_non_null(pp);
	assert_int_equal(pp->npeek, sizeof data);
	assert_memory_equal(pp->peek, data, sizeof data);
	again = trace_sample_string(back);
	assert_string_equal(text, again);
	free(again);
	free(text);
	snapshot_free(back);
	snapshot_free(s);
}

static void
peek_in_the_ascii_trace_file(void **state)
{
	struct snapshot *s = yes_sleep(0);
	struct snap_pipe *pp = snapshot_find_pipe(s, 5159);
	char *buf = NULL, *line, *err = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct trace_file tf;

	(void)state;
	snapshot_pipe_set_peek(pp, "1\n2\n\0\xe9", 6);
	assert_int_equal(trace_write_start(f, "launch", "seq | sleep", 100), 0);
	assert_int_equal(trace_write_sample(f, s), 0);
	assert_int_equal(trace_write_end(f, 1.0, 0, 0, NULL), 0);
	fclose(f);
	line = strstr(buf, "\"peek\":");
	assert_non_null(line);
	assert_memory_equal(line, "\"peek\":\"1\\n2\\n\\u0000\\u00E9\"", 27);
	f = fmemopen(buf, len, "r");
	assert_int_equal(trace_read(f, &tf, &err), 0);
	fclose(f);
	pp = snapshot_find_pipe(tf.samples[0], 5159);
	assert_int_equal(pp->npeek, 6);
	assert_memory_equal(pp->peek, "1\n2\n\0\xe9", 6);
	trace_file_clear(&tf);
	free(buf);
	snapshot_free(s);
}

/* A peek this pipeviz did not write (a code point past U+00FF) is left out. */
static void
peek_with_wide_code_points_is_ignored(void **state)
{
	const char *text = "{\"type\":\"sample\",\"t\":1,\"procs\":[],\"pipes\":"
	    "[{\"inode\":7,\"kind\":\"pipe\",\"peek\":\"a\\u0100\"},"
	    "{\"inode\":8,\"kind\":\"pipe\",\"peek\":\"\"},"
	    "{\"inode\":9,\"kind\":\"pipe\",\"peek\":12}],\"diagnoses\":[]}";
	char *err = NULL;
	struct snapshot *s = trace_read_sample(text, &err);

	(void)state;
	assert_non_null(s);
	for (size_t i = 0; i < s->npipes; i++) {
		assert_null(s->pipes[i].peek);
		assert_int_equal(s->pipes[i].npeek, 0);
	}
	snapshot_free(s);
}

/* fds_unread is in the trace only when true, and read back. */
static void
fds_unread_round_trips_in_the_trace(void **state)
{
	struct snapshot *s = yes_sleep(0), *back;
	char *text, *again, *err = NULL;
	json_t *o;

	(void)state;
	o = sample_json(s);
	assert_null(json_object_get(json_array_get(json_object_get(o,
	    "procs"), 0), "fds_unread"));
	json_decref(o);
	P(s, 812)->fds_unread = true;
	o = sample_json(s);
	assert_true(json_is_true(json_object_get(json_array_get(
	    json_object_get(o, "procs"), 0), "fds_unread")));
	assert_null(json_object_get(json_array_get(json_object_get(o,
	    "procs"), 1), "fds_unread"));
	json_decref(o);
	text = trace_sample_string(s);
	back = trace_read_sample(text, &err);
	assert_non_null(back);
	assert_true(P(back, 812)->fds_unread);
	assert_false(P(back, 812)->fds_denied);
	assert_false(P(back, 813)->fds_unread);
	assert_int_equal(P(back, 812)->nfds, 1);
	again = trace_sample_string(back);
	assert_string_equal(text, again);
	free(again);
	free(text);
	snapshot_free(back);
	snapshot_free(s);
}

/* nosuchcmd | cat: the stage's shell says the command was not found. */
static void
shell_exit_127_names_the_command(void **state)
{
	struct snapshot *s = snapshot_create(1);
	char *seen[] = { "sh", "-c", "exec nosuchcmd --flag", NULL };
	char *unseen[] = { "otherbad", NULL };

	(void)state;
	proc(s, 10, 1, "sh", 'X');
	snapshot_proc_set_argv(P(s, 10), seen);
	exited(s, 10, 127, 0);
	/* Gone before its first sample: only the command's words are known. */
	proc(s, 11, 1, "sh", 'X');
	snapshot_proc_set_argv(P(s, 11), unseen);
	exited(s, 11, 126, 0);
	proc(s, 12, 1, "sh", 'X');
	exited(s, 12, 127, 0);
	snapshot_link_pipes(s);
	explains_exactly(s, 10, "nosuchcmd: command not found (the shell "
	    "exited with status 127)");
	explains_exactly(s, 11, "otherbad: found but could not be run (the "
	    "shell exited with status 126)");
	/* Nothing to name: the code is explained as before. */
	explains(s, 12, "exited with status 127", "command not found", NULL);
	snapshot_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shell_exit_127_names_the_command),
		cmocka_unit_test(writer_blocked_on_full_pipe_names_the_reader),
		cmocka_unit_test(writer_blocked_on_stopped_reader_says_so),
		cmocka_unit_test(writer_blocked_without_reader),
		cmocka_unit_test(writer_waiting_for_room_or_unknown_fill),
		cmocka_unit_test(poll_set_for_data_and_room_names_both_fds),
		cmocka_unit_test(poll_for_room_only_is_a_blocked_write),
		cmocka_unit_test(thread_blocked_writing_is_a_blocked_write),
		cmocka_unit_test(writer_into_fifo_with_two_readers),
		cmocka_unit_test(reader_on_empty_pipe_names_the_writer),
		cmocka_unit_test(reader_with_data_waiting_is_about_to_read),
		cmocka_unit_test(reader_holding_its_own_write_end_never_gets_eof),
		cmocka_unit_test(reader_whose_writer_stage_exited_blames_an_unseen_holder),
		cmocka_unit_test(reader_of_two_writers_names_both),
		cmocka_unit_test(reader_of_terminal_and_other_fds),
		cmocka_unit_test(shell_waits_for_its_child),
		cmocka_unit_test(stopped_by_signal_or_debugger),
		cmocka_unit_test(running_on_the_cpu),
		cmocka_unit_test(uninterruptible_and_unknown_states),
		cmocka_unit_test(exits_normally_with_a_code_or_by_a_signal),
		cmocka_unit_test(sigpipe_is_explained_as_the_reader_going_away),
		cmocka_unit_test(zombie_names_the_parent_that_has_not_waited),
		cmocka_unit_test(sleeping_in_other_syscalls),
		cmocka_unit_test(open_of_a_fifo_waits_for_the_other_end),
		cmocka_unit_test(unreadable_fds_are_said_to_be_unknown),
		cmocka_unit_test(unread_fds_are_said_to_be_as_last_read),
		cmocka_unit_test(control_characters_in_names_are_shown_visibly),
		cmocka_unit_test(peek_as_text_and_hex),
		cmocka_unit_test(trace_has_explain_on_every_proc),
		cmocka_unit_test(trace_without_peek_has_no_peek_key),
		cmocka_unit_test(peek_round_trips_every_byte),
		cmocka_unit_test(peek_in_the_ascii_trace_file),
		cmocka_unit_test(peek_with_wide_code_points_is_ignored),
		cmocka_unit_test(fds_unread_round_trips_in_the_trace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
