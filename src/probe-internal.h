/* probe-internal.h - the probe's private parts, shared by probe*.c only. */
#ifndef PIPEVIZ_PROBE_INTERNAL_H
#define PIPEVIZ_PROBE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "pipeviz/snapshot.h"

/*
 * The /proc files of one process (probe-proc.c).  Opening a /proc file
 * costs two to four times reading it, so a process that stays in view
 * keeps its directory and the files read every sample open, and reads
 * them with pread() at offset 0, which makes the kernel generate the text
 * afresh.  The descriptors name the process, not the number: once it is
 * reaped they fail with ESRCH, so a reused pid can never be mistaken for
 * the old process.  How many may stay open is bounded by *budget, shared
 * by all processes; past it, files are opened and closed per read as
 * before.  Every descriptor is O_CLOEXEC.
 */
enum probe_file {
	PROBE_F_STAT,
	PROBE_F_STATM,
	PROBE_F_IO,
	PROBE_F_SYSCALL,
	PROBE_F_WCHAN,
	PROBE_F_CHILDREN, /* task/PID/children: the main thread's */
	PROBE_F_COUNT
};

/*
 * Descriptors the probe may keep open, shared by all processes.  The
 * directory and stat come first: the other files are held only while
 * enough is left for every process to hold its first two (reserve), and
 * only for a process that keeps running (hold_extra).  The cue read every
 * sample, the process's CPU clock, needs no descriptor: two per quiet
 * process let 4096 of them stay pinned in the budget of 8192.  A held /proc file that has been read costs the kernel a
 * 4 KiB seq_file buffer, so the probe holds no more than it reads.
 */
struct probe_budget {
	int left;
	int reserve;
};

struct probe_files {
	pid_t pid;
	int dir;	/* /proc/PID, or -1 */
	bool dir_held;	/* dir stays open across samples */
	int fd[PROBE_F_COUNT];
	int pidfd;	/* for pidfd_getfd(), or -1 */
	struct probe_budget *budget; /* NULL: hold nothing */
	bool hold_extra; /* hold files beyond the first two if opened */
	bool clock_known; /* clock is the process's CPU clock */
	clockid_t clock;
};

void probe_files_init(struct probe_files *, pid_t, struct probe_budget *);
/* Close everything and give the held descriptors back to the budget. */
void probe_files_close(struct probe_files *);
/* Close what is not held (once a process has been read). */
void probe_files_settle(struct probe_files *);
/* Close one held file and give its descriptor back to the budget. */
void probe_files_release(struct probe_files *, enum probe_file);
void probe_files_release_pidfd(struct probe_files *);
/* /proc/PID as a directory fd, or -errno (-ESRCH: the process is gone). */
int probe_files_dir(struct probe_files *);
/* The text of one file into buf (NUL-terminated): its length or -errno. */
long probe_files_read(struct probe_files *, enum probe_file, char *buf,
    size_t size);
/* A pidfd for the process, or -1; close it after use if *transient. */
int probe_files_pidfd(struct probe_files *, bool *transient);

/* probe-proc.c: the counters, command lines and the process list. */
struct probe_proc;
struct probe_proc *probe_proc_create(void);
void probe_proc_free(struct probe_proc *);

/*
 * Read /proc/PID/stat into p: ppid, pgid, state, comm, CPU ticks and start
 * time; *st gets all that was parsed (thread count, startcode).  0 or
 * -errno.
 */
struct procparse_stat;
int probe_proc_read_stat(struct probe_files *, struct snap_proc *p,
    struct procparse_stat *st);
/*
 * The CPU time in ns of all the process's threads, from its CPU clock
 * (clock_gettime(), no file: a third of a schedstat read): 0, or -ESRCH
 * when the pid is gone, or -errno.
 */
int probe_proc_read_runtime(struct probe_files *, uint64_t *run_ns);
/* Exact resident size (statm); p->rss_kib is left alone on failure. */
void probe_proc_read_rss(struct probe_files *, struct snap_proc *p);
/* rchar and wchar; 0, or -errno (-EACCES for another user's process). */
int probe_proc_read_io(struct probe_files *, struct snap_proc *p);
/* wchan, "" when running or not allowed to know. */
void probe_proc_read_wchan(struct probe_files *, struct snap_proc *p);
/*
 * The children of every thread (nthreads > 1 walks task/) into *kids,
 * grown as needed; buf is scratch space.  Returns how many, or -errno.
 */
long probe_proc_read_children(struct probe_files *, long nthreads,
    pid_t **kids, size_t *cap, char *buf, size_t size);
/*
 * p's command line as argv.  A process without one (a zombie, a kernel
 * thread) keeps its argv, or gets {comm} when it has none.
 */
void probe_proc_read_argv(struct probe_proc *, struct probe_files *,
    struct snap_proc *p);


/* probe-fd.c: fd table and blocking syscall, relative to /proc/PID. */
/*
 * A read-only, non-blocking fd on pipe pp reopened through end's /proc
 * link, or -1.  The link is pinned with O_PATH first and checked to be pp
 * still, so a link that changed since it was read is not opened blindly.
 */
int probe_fd_reopen(const struct snap_pipe *pp, const struct snap_end *end);
/*
 * Around the microseconds in which pipeviz holds an end of an observed
 * pipe (a reopen or a pidfd_getfd() duplicate, until its close): a stop
 * of pipeviz then would keep the end for as long as the stop lasts, and
 * a writer would get no EPIPE, or a reader no EOF, meanwhile.  The stops
 * that can be held off (SIGTSTP, SIGTTIN, SIGTTOU) wait until the end is
 * closed; SIGSTOP, a debugger or a frozen cgroup cannot be held off
 * (docs/architecture.md, Observation safety).
 */
void probe_hold_begin(sigset_t *saved);
void probe_hold_end(const sigset_t *saved);
/*
 * Add the fd table of p from piddir to p: 0, or -errno (EACCES: denied;
 * ENOENT, ESRCH: gone; EMFILE and others: not read), with part of the
 * table added then.  *listed: the fds the directory listed, as
 * probe_fd_count() would have counted them then.
 */
int probe_fd_read(int piddir, struct snap_proc *p, long *listed);
/*
 * Refresh what changes in an fd table that is otherwise known: position
 * and size of the files.  Returns 1 when an fd no longer refers to what
 * the table says (the table must be read again), else 0.
 */
int probe_fd_refresh(int piddir, struct snap_proc *p);
/* The number of open fds (st_size of fd/, Linux >= 6.2), or -1. */
long probe_fd_count(int piddir);
/*
 * Read /proc/PID/syscall and fill p->syscall and p->blocked.  Returns 1
 * when p sleeps on an fd its table does not list (the table is stale).
 */
int probe_fd_read_blocked(struct probe_files *, struct snap_proc *p);

/* Whose wait is decoded: the process (tgid), its /proc dir, its view. */
struct probe_wait_ctx {
	pid_t pid;
	int piddir;
	const struct snap_proc *p;
};
/*
 * The wait of one thread from its syscall text (nr into *nr, -1 if
 * none) and state and wchan, into b; the fds are p's (threads share
 * them).  Returns 1 when it names an fd the table lacks.
 */
int probe_fd_decode_wait(const struct probe_wait_ctx *, const char *text,
    char state, const char *wchan, long *nr, struct snap_blocked *b);

/* probe-wait.c: the fd set of a multiplexed wait (poll, select, epoll). */
/* The largest set read; a larger one is partial. */
#define PROBE_WAIT_MAX 4096
/* Whether syscall nr is poll, ppoll, select, pselect6 or an epoll wait. */
bool probe_wait_multiplexed(long nr);
/*
 * Read the set of process pid (the tgid: all threads share the memory,
 * whichever of them sleeps) asleep in multiplexed syscall nr with args,
 * piddir its /proc/PID, and store it in b: multiplexed, waits, and the
 * effective op through snapshot_blocked_reduce().  poll and select sets
 * are copied from its memory with one process_vm_readv() (read only);
 * an epoll set is its epoll fd's fdinfo.  A set that cannot be read
 * whole (EPERM, ESRCH, EFAULT, more than PROBE_WAIT_MAX fds, a cut
 * fdinfo) is partial, with what could be read.  Each fd is resolved
 * through p's fd table to kind and inode (OTHER and 0 when not in it).
 * An epoll target whose fd's inode no longer agrees with the fdinfo's
 * (closed or reused since it was added) takes its kind from an fd that
 * holds that inode, else is OTHER with the fdinfo's inode kept.  Does
 * nothing for a syscall that is not multiplexed.
 */
void probe_wait_read(pid_t pid, int piddir, long nr, const uint64_t args[6],
    const struct snap_proc *p, struct snap_blocked *b);

/* probe-thread.c: the threads of a multithreaded process. */
/*
 * Read each thread's state, syscall and wait, and the I/O counters
 * summed over them, into p (threads, nthreads_read, rchar, wchar); then
 * p's own wait as the process's summary (snapshot.h).  Returns 1 when a
 * wait names an fd the table lacks.
 */
int probe_thread_read(int piddir, struct snap_proc *p, char *buf, size_t size);

#endif
