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
	/*
	 * Multiplexed (poll, select, epoll) for fds in both directions, or
	 * for none that is a channel.  A multiplexed wait for room only is
	 * WRITE, for data only READ: see snap_blocked.multiplexed.
	 */
	SNAP_BLOCK_POLL,
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

/* One fd of a multiplexed wait (a pollfd, an fd_set bit, an epoll target). */
struct snap_wait_fd {
	int fd;
	bool in, out;		/* waits for data (POLLIN), for room (POLLOUT) */
	enum snap_fd_kind kind; /* as the fd table says; OTHER when not in it */
	uint64_t inode;		/* pipe, FIFO or socket inode; 0 if none */
};

/*
 * What a thread sleeps for.  op is the effective wait: a poll for room
 * on pipes and sockets only is WRITE on the first of them (fd, pipe,
 * socket name it), for data only READ, mixed POLL.
 */
struct snap_blocked {
	enum snap_block_op op;
	int fd;	      /* -1 when not known (open, wait) */
	uint64_t pipe; /* the channel waited on: pipe/FIFO inode, or for a
		       * socket the inode whose data it waits for (its peer
		       * when reading a connected pair); 0 if none */
	uint64_t socket; /* socket inode of fd, 0 if not a socket */
	pid_t tid;	 /* the waiting thread when not the main one, else 0 */
	bool multiplexed; /* in poll/select/epoll: waits lists the set */
	long call;	  /* multiplexed: that syscall's number */
	bool waits_partial; /* the set could not be read whole (memory
			     * unreadable, changed, too large) */
	struct snap_wait_fd *waits; /* owned; multiplexed only */
	size_t nwaits;
};

/* Why a process in state T is stopped, as far as the probe can tell. */
enum snap_stop {
	SNAP_STOP_NONE,	  /* not stopped, or not known why */
	SNAP_STOP_SIGNAL, /* SIGSTOP, SIGTSTP (Ctrl-Z) or the like */
	SNAP_STOP_TTIN,	  /* a background job that read its terminal */
	SNAP_STOP_TTOU,	  /* a background job that wrote to it (tostop) */
};

/* A thread of a multithreaded process, as sampled. */
struct snap_thread {
	pid_t tid;
	char state;
	long syscall; /* -1 running/unknown */
	char wchan[48];
	struct snap_blocked blocked; /* waits owned by the thread */
	/* The probe's cue (schedstat) and counters, as last read. */
	uint64_t run_ns, slices, rchar, wchar;
};

/* A socket an observed process holds, as NETLINK_SOCK_DIAG tells it. */
enum snap_sock_type {
	SNAP_SOCK_UNKNOWN, /* sock_diag did not say (refused, vanished) */
	SNAP_SOCK_UNIX,	   /* stream or seqpacket */
	SNAP_SOCK_UNIX_DGRAM,
	SNAP_SOCK_TCP,
	SNAP_SOCK_UDP,
};

struct snap_socket {
	uint64_t inode;
	enum snap_sock_type type;
	uint64_t peer;	  /* inode of the other end, 0 if none or unknown */
	char *local;	  /* "127.0.0.1:5599", "[::1]:80", a UNIX path; or NULL */
	char *remote;	  /* the peer's address (inet), or NULL */
	int64_t rqueue;	  /* bytes received, not yet read; -1 unknown */
	int64_t wqueue;	  /* bytes sent, not yet taken (TCP unacked); -1 */
	bool listening;
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
	/*
	 * The process's wait: its main thread's, or for a multithreaded one
	 * the wait of a thread that sleeps on a channel while none runs
	 * (blocked.tid names it); syscall and wchan are then that thread's.
	 */
	struct snap_blocked blocked;
	pid_t tpgid;	/* foreground group of its terminal, -1 if none */
	/*
	 * For state T: TTIN when it stopped in a read of a terminal whose
	 * foreground group is not its own (TTOU: a write), else SIGNAL.
	 */
	enum snap_stop stop;
	/*
	 * Judged with the diagnoses: it has waited on the same thing, with
	 * no progress through its pipes, for the stuck time (1 s; less for
	 * --once).  A writer under normal backpressure never is.
	 */
	bool stuck;
	long nthreads;	/* 1 for most */
	struct snap_thread *threads; /* nthreads > 1: each one, main first */
	size_t nthreads_read;	     /* entries in threads */
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
	 * --exact: the kernel's word that a thread of it sleeps in a read or
	 * write of a channel: since when (seconds of the session), which
	 * channel (as snapshot_fd_channel() names it) and which way;
	 * asleep is false when none does, and without --exact.
	 */
	struct snap_kwait {
		bool asleep;
		double since;
		uint64_t chan;
		bool reading;
	} kwait;
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
	/*
	 * Bytes per second through it over the last interval, from its
	 * writers' counters where they write only there; -1 unknown.
	 */
	double rate_bps;
	/*
	 * Bytes through it while observed, -1 unknown: with --exact counted
	 * in the kernel (bytes_exact; exact.h), else estimated from its rate
	 * over the samples that knew one (rates_apply_pipes()).
	 */
	int64_t bytes;
	bool bytes_exact;
	/*
	 * --exact: how often its observed writers slept waiting for room in
	 * it, and its readers for data, and how long in all (seconds); the
	 * counts are 0 and known false without --exact.
	 */
	struct snap_sleeps {
		uint64_t count;
		double seconds;
	} writer_sleeps, reader_sleeps;
	bool sleeps_known;
	const struct snap_socket *sock; /* SOCKET channels: the socket */
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
	/*
	 * Channels: pipes, FIFOs and, as kind SOCKET, one per socket inode
	 * for the bytes written into it (writers: its holders; readers: the
	 * holders of its peer).  The trace writes the sockets apart.
	 */
	struct snap_pipe *pipes;
	size_t npipes;
	struct snap_socket *sockets; /* sockets observed processes hold */
	size_t nsockets;
	struct snap_diag *diags;
	size_t ndiags;
	/*
	 * The lookups by pid and inode (snapshot_find_*), snapshot-index.c's
	 * business.  Built at the first lookup and kept up as snapshot_*
	 * functions add to the arrays; code that edits a process's pid,
	 * fds or exit in place after a lookup calls
	 * snapshot_procs_changed().
	 */
	struct snapshot_index *index;
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
/* The processes were edited in place: lookups index them again. */
void snapshot_procs_changed(struct snapshot *);
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
/* Free b's waits and reset it to no wait (fd -1). */
void snapshot_blocked_clear(struct snap_blocked *);
/* Set b's waits to a copy of waits[0..n). */
void snapshot_blocked_set_waits(struct snap_blocked *,
    const struct snap_wait_fd *waits, size_t n);
/* A deep copy of from into to (to's old waits are freed). */
void snapshot_blocked_copy(struct snap_blocked *to,
    const struct snap_blocked *from);
/*
 * The effective wait of a multiplexed b from its waits: for room only on
 * pipes, FIFOs and sockets WRITE, for data only READ, with fd, pipe and
 * socket of the first such fd; anything else (mixed, a timer or eventfd
 * in the set, a partial set) POLL.  The probe and the trace reader call
 * it, so a replay judges as the live run did.
 */
void snapshot_blocked_reduce(struct snap_blocked *);
/* Set p's threads to a deep copy of t[0..n). */
void snapshot_proc_set_threads(struct snap_proc *, const struct snap_thread *t,
    size_t n);
/* Append a socket (rqueue, wqueue -1); addresses are set by the caller. */
struct snap_socket *snapshot_add_socket(struct snapshot *, uint64_t inode);
struct snap_socket *snapshot_find_socket(const struct snapshot *,
    uint64_t inode);
/* "unix", "tcp", ... as the trace writes them. */
const char *snapshot_sock_type_name(enum snap_sock_type);
/* Set p's argv from a NULL-terminated vector, copied into one block. */
void snapshot_proc_set_argv(struct snap_proc *, char *const *argv);

/*
 * A new snapshot of s's processes whose take[] is set, the sockets they
 * hold and the channels between them, with the fill levels and peeks s
 * read (src/snapshot-subset.c: one pipeline of a machine-wide sample).
 * Rates and diagnoses are left to be derived.
 */
struct snapshot *snapshot_subset(const struct snapshot *s, const bool *take);

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

/*
 * Add a channel per socket that a live process holds (kind SOCKET, keyed
 * by the socket's inode: the bytes written into it; writers its holders,
 * readers the holders of its peer, none when it has no known peer: the
 * far end is elsewhere), and point socket waits at their channel.  Needs sockets;
 * snapshot_link_pipes calls it, and the trace reader after the sockets.
 */
void snapshot_link_sockets(struct snapshot *);
/* Whether p (any thread, any fd of a poll set) waits on fd. */
bool snapshot_proc_waits_on(const struct snap_proc *, int fd);
/*
 * The channel an fd moves bytes through: for a pipe or FIFO its inode;
 * for a socket, the socket's own inode when writing, its peer's when
 * reading from a known peer; 0 for anything else.
 */
uint64_t snapshot_fd_channel(const struct snapshot *, const struct snap_fd *,
    bool reading);
uint64_t snapshot_socket_channel(const struct snapshot *, uint64_t inode,
    bool reading);
/* The channel an fd of a poll set waits on (for data only: its peer's). */
uint64_t snapshot_wait_channel(const struct snapshot *,
    const struct snap_wait_fd *);

/*
 * Whether p is a blocked writer: it sleeps writing (or polls for room
 * only), and the kernel says it waits for room (its wchan) or channel pp
 * is full.  Fill alone does not tell: 1000-byte writes stop at 64000 of
 * 65536 bytes.  pp may be NULL.
 */
bool snapshot_proc_waits_room(const struct snap_proc *, const struct snap_pipe *pp);

/*
 * A channel's name for sentences: "pipe 5159", "FIFO /tmp/f", "UNIX
 * socket 812", "TCP 127.0.0.1:5599" (the far end), control bytes
 * replaced.  Returns buf.
 */
const char *snapshot_chan_label(const struct snap_pipe *, char *buf,
    size_t size);

/*
 * The command a shell stage was asked to run (sh -c 'nosuchcmd arg'), or
 * for a stage gone before its first sample the first of its command's
 * words: its first word into buf (control bytes replaced), and true;
 * false when p's argv does not say.
 */
bool snapshot_proc_command_word(const struct snap_proc *, char *buf,
    size_t size);
/* Whether pp is a socket whose other end is not observed (elsewhere). */
bool snapshot_chan_remote(const struct snap_pipe *);
/* Who is at the other end of a remote socket: its address, or a phrase. */
const char *snapshot_chan_far_end(const struct snap_pipe *, char *buf,
    size_t size);
/* "TCP", "UDP", "a UNIX socket", "a socket": the carrier, for sentences. */
const char *snapshot_sock_proto(const struct snap_pipe *);

/* Names used in the JSON trace and the text views. */
const char *snapshot_kind_name(enum snap_fd_kind);
const char *snapshot_mode_name(enum snap_fd_mode);
const char *snapshot_op_name(enum snap_block_op);
const char *snapshot_stop_name(enum snap_stop); /* "signal", "ttin"... */

#endif
