/*
 * snapshot.h - the plain data of one sample: processes, their fds, pipes.
 *
 * This is the contract between the probe (which fills it) and everything
 * that reads it: rates, diagnoses, layout and the renderers.  A snapshot
 * owns all its strings and arrays; nothing in it points into another
 * snapshot.  Pointers returned by snapshot_add_* stay valid only until the
 * next snapshot_add_* call on the same snapshot (arrays grow).
 */
#ifndef PIPEVIZ_SNAPSHOT_H
#define PIPEVIZ_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum snap_fd_kind {
	SNAP_FD_PIPE,
	SNAP_FD_FIFO,
	SNAP_FD_FILE,
	SNAP_FD_TTY,
	SNAP_FD_SOCKET,
	SNAP_FD_DEV,
	SNAP_FD_OTHER,
};

enum snap_fd_mode {
	SNAP_MODE_NONE, /* O_PATH or unknown */
	SNAP_MODE_R,
	SNAP_MODE_W,
	SNAP_MODE_RW,
};

enum snap_block_op {
	SNAP_BLOCK_NONE,
	SNAP_BLOCK_READ,
	SNAP_BLOCK_WRITE,
	SNAP_BLOCK_OPEN,
	SNAP_BLOCK_WAIT,
};

struct snap_fd {
	int fd;
	enum snap_fd_mode mode;
	enum snap_fd_kind kind;
	uint64_t inode; /* pipe:[N]/socket:[N], or st_ino; 0 when unknown */
	uint64_t dev;	/* st_dev; FIFOs are keyed by (dev, inode) */
	char *path;	/* link text for paths; NULL for pipes and sockets */
	int64_t pos;	/* file position, -1 when unknown */
	int64_t size;	/* size of a regular file, -1 otherwise */
};

struct snap_exit {
	bool exited;
	int code;   /* exit code when signal == 0 */
	int signal; /* terminating signal, 0 if none */
	double t;   /* when it was reaped, seconds since start */
};

struct snap_blocked {
	enum snap_block_op op;
	int fd;	      /* -1 when not known (open, wait) */
	uint64_t pipe; /* inode of the pipe/FIFO the fd refers to, 0 if none */
};

struct snap_proc {
	pid_t pid, ppid, pgid;
	uint64_t start_ticks; /* with pid, the identity of a process */
	int stage;	      /* index of the launched stage, -1 if none */
	char comm[32];
	char **argv; /* NULL-terminated, never NULL after snapshot_add_proc */
	char state;  /* letter as in /proc/PID/stat, '?' when unknown */
	uint64_t cpu_ticks;
	uint64_t rss_kib;
	uint64_t rchar, wchar;
	bool io_known; /* rchar/wchar readable */
	/* Derived from the previous sample by rates_apply(); 0 on the first. */
	double cpu_pct, read_bps, write_bps;
	long syscall;	/* syscall number it sleeps in, -1 running/unknown */
	char wchan[48]; /* "" when unknown or running */
	struct snap_blocked blocked;
	struct snap_fd *fds;
	size_t nfds;
	bool fds_denied; /* fd table not readable (another user's process) */
	/*
	 * The fd table could not be read this time (pipeviz out of
	 * descriptors, or another transient error): fds is the last table
	 * read, or empty if none was.
	 */
	bool fds_unread;
	struct snap_exit exit; /* launched stages stay listed after exiting */
	/*
	 * explain_proc()'s sentence as judged with the sample (the loop does
	 * it with the diagnoses; a trace records it), or NULL.  Owned.
	 */
	char *explain;
};

struct snap_end {
	pid_t pid;
	int fd;
};

struct snap_pipe {
	enum snap_fd_kind kind; /* SNAP_FD_PIPE or SNAP_FD_FIFO */
	uint64_t inode, dev;
	char *path; /* FIFO path, NULL for pipes */
	int64_t fill, capacity; /* bytes; -1 when unreadable */
	struct snap_end *writers, *readers;
	size_t nwriters, nreaders;
	/*
	 * Not part of the picture: no observed process reads and writes it,
	 * none holds it as fd 0 or 1 and none is blocked on it (an inherited
	 * stray descriptor such as fd 251 on build machines, or a log pipe
	 * that every process holds as fd 2).
	 */
	bool stray;
	/*
	 * The first bytes waiting in it, copied without consuming them
	 * (--peek); NULL and 0 when not read.  Not a C string: any bytes.
	 */
	char *peek;
	size_t npeek;
};

struct snap_diag {
	char *kind; /* "blocked_writer", "deadlock", ... */
	pid_t *pids;
	size_t npids;
	uint64_t *pipes;
	size_t npipes;
	char *message;
};

struct snapshot {
	double t; /* seconds since the session started */
	struct snap_proc *procs;
	size_t nprocs;
	size_t procs_cap; /* allocated; snapshot.c's business */
	struct snap_pipe *pipes;
	size_t npipes;
	struct snap_diag *diags;
	size_t ndiags;
};

struct snapshot *snapshot_create(double t);
void snapshot_free(struct snapshot *); /* NULL is a no-op */

/* Make room for n processes in all, so that adding them moves nothing. */
void snapshot_reserve_procs(struct snapshot *, size_t n);
/* Append a zeroed process (stage -1, syscall -1, state '?', argv {NULL}). */
struct snap_proc *snapshot_add_proc(struct snapshot *, pid_t);
/* Append a zeroed fd (pos and size -1) to p.  path is copied if not NULL. */
struct snap_fd *snapshot_proc_add_fd(struct snap_proc *, int fd,
    enum snap_fd_mode, enum snap_fd_kind, const char *path);
/* Append a diagnosis; strings and arrays are copied. */
struct snap_diag *snapshot_add_diag(struct snapshot *, const char *kind,
    const pid_t *pids, size_t npids, const uint64_t *pipes, size_t npipes,
    const char *message);
/* Append a deep copy of another snapshot's process. */
struct snap_proc *snapshot_copy_proc(struct snapshot *, const struct snap_proc *);
/* Free what p owns (argv, fds); p itself stays, empty. */
void snapshot_proc_clear(struct snap_proc *);
/* Remove procs[i], keeping the order of the rest. */
void snapshot_remove_proc(struct snapshot *, size_t i);
/* Append a pipe as a trace records it (replay); path is copied. */
struct snap_pipe *snapshot_add_pipe(struct snapshot *, enum snap_fd_kind,
    uint64_t inode, const char *path);
/* Set pp's peek to a copy of data[0..n) (n == 0: no peek). */
void snapshot_pipe_set_peek(struct snap_pipe *, const void *data, size_t n);
/* Append a reader or writer end to a pipe. */
void snapshot_pipe_add_end(struct snap_pipe *, bool writer, pid_t, int fd);
/* Set p's argv from a NULL-terminated vector, copied into one block. */
void snapshot_proc_set_argv(struct snap_proc *, char *const *argv);

struct snap_proc *snapshot_find_proc(const struct snapshot *, pid_t);
const struct snap_fd *snapshot_proc_fd(const struct snap_proc *, int fd);
struct snap_pipe *snapshot_find_pipe(const struct snapshot *, uint64_t inode);
/*
 * The lowest fd >= from of p holding pipe/FIFO inode for writing (writer)
 * or reading; O_RDWR counts for both.  -1 if none.
 */
int snapshot_proc_pipe_fd(const struct snap_proc *, uint64_t inode,
    bool writer, int from);
/* The command name; a stage never seen alive has only its argv ("?"). */
const char *snapshot_proc_name(const struct snap_proc *);
/* Whether p has exited or is dying (a zombie): it serves no pipe now. */
bool snapshot_proc_gone(const struct snap_proc *);
/* A launched stage that has exited and was wired to pipe inode, or NULL. */
const struct snap_proc *snapshot_exited_stage_on(const struct snapshot *,
    uint64_t inode, bool writer);
/* The process other than w that reads pipe inode on fd 0, alive or not. */
const struct snap_proc *snapshot_fd0_reader(const struct snapshot *,
    const struct snap_proc *w, uint64_t inode);

/*
 * Build the pipes list from the processes' fds: one entry per pipe or
 * FIFO, with its readers and writers (an O_RDWR fd is both), and the stray
 * flag.  Processes that have exited hold no ends, but the pipes they were
 * wired to stay listed.  fill and capacity
 * start at -1; the probe fills them in.  Replaces any earlier list.
 */
void snapshot_link_pipes(struct snapshot *);

/* Names used in the JSON trace and the text views. */
const char *snapshot_kind_name(enum snap_fd_kind);
const char *snapshot_mode_name(enum snap_fd_mode);
const char *snapshot_op_name(enum snap_block_op);

#endif
