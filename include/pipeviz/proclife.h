/*
 * proclife.h - the life of every observed process, from process events.
 *
 * Pure: fed the connector's events (procevents.h) in the order they came,
 * and each sample, it keeps a record per observed process: when it was
 * forked, what it exec'd, when it ended and how.  A process is observed
 * when it was given (a launched stage, an attach member), a sample showed
 * it, or an observed process forked it; so a process that comes and goes
 * between two samples is not lost.  Events about other processes are
 * kept a little while (a ring of the last PROCLIFE_RING, at most
 * PROCLIFE_RING_SECONDS old): on two CPUs a child's exec can be reported
 * before the fork that made it.
 *
 * The caller reads /proc for what events do not carry (a process's start
 * time, name and command line): proclife_next_unread() says whose, at once,
 * while it still exists.  Ended records are handed over by
 * proclife_take_ended() and then forgotten, so a fork loop does not grow
 * the table.
 */
#ifndef PIPEVIZ_PROCLIFE_H
#define PIPEVIZ_PROCLIFE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pipeviz/procevents.h"
#include "pipeviz/snapshot.h"

#define PROCLIFE_RING 1024
#define PROCLIFE_RING_SECONDS 1.0
/* Observed processes alive at once, at most (a runaway fork loop). */
#define PROCLIFE_MAX 65536

struct proclife_rec {
	pid_t pid, ppid;
	uint64_t start_ticks; /* with pid its identity; 0 when not read */
	int stage;	      /* the launched stage it descends from, or -1 */
	bool is_stage;	      /* it is that stage itself */
	char comm[32];	      /* "" when not read */
	char **argv;	      /* NULL-terminated, never NULL; {} when not read */
	/* Seconds of the session; -1 when not known. */
	double began;	      /* its fork (-1: it was there before) */
	double exec_t;	      /* its last exec */
	double ended;	      /* its exit; -1 while it lives */
	/*
	 * How it ended: exited with code or signal from its exit event;
	 * when events were lost and it was found gone at a resync,
	 * status_known is false.
	 */
	struct snap_exit exit;
	bool status_known;
	bool sampled;	      /* a sample showed it */
	/* What the caller still has to read: its stat, its command line. */
	bool need_stat, need_argv;
};

struct proclife;

/*
 * t0 is the CLOCK_MONOTONIC time in seconds of the session's t = 0: the
 * events' time stamps are CLOCK_MONOTONIC nanoseconds.
 */
struct proclife *proclife_create(double t0);
void proclife_free(struct proclife *); /* NULL is a no-op */

/*
 * Observe pid from now on (stage: the launched stage it is or -1), with
 * what it forks from then; nothing to read.  Its record, new or the one it
 * has.
 */
struct proclife_rec *proclife_track(struct proclife *, pid_t pid, pid_t ppid,
    int stage, bool is_stage);

/*
 * Apply events in order: a fork by an observed process is observed (its
 * stat is to be read, and it has its parent's command line until it
 * exec's), an exec is to be read (stat and command line), an exit ends
 * the record (and queues it for proclife_take_ended()).  Threads are not
 * processes: their forks and exits are skipped.
 */
void proclife_apply(struct proclife *, const struct procevent *ev, size_t n);

/*
 * A record whose stat (and, if *argv, command line) is to be read now,
 * or NULL when none is; the flags are cleared, so each is given once.
 */
struct proclife_rec *proclife_next_unread(struct proclife *, bool *argv);
/*
 * What the caller read of rec's process into p (ppid, start time, comm;
 * argv when it has one): rec takes it.  A p with another pid is ignored.
 * When it could not be read (gone already) there is nothing to learn: rec
 * keeps what its fork gave it.
 */
void proclife_learn(struct proclife *, struct proclife_rec *rec,
    const struct snap_proc *p);

/*
 * A sample: every process it shows is observed from now (and marked
 * sampled); one that the record of its pid does not match (another start
 * time) replaces it.
 */
void proclife_saw(struct proclife *, const struct snapshot *);

/*
 * The oldest ended record not handed over yet, removed from the table
 * (the caller frees it with proclife_rec_free()), or NULL.
 */
struct proclife_rec *proclife_take_ended(struct proclife *);
void proclife_rec_free(struct proclife_rec *); /* NULL is a no-op */

struct proclife_rec *proclife_find(const struct proclife *, pid_t pid);
/* The observed processes alive now, into out[0..max): how many. */
size_t proclife_live(const struct proclife *, pid_t *out, size_t max);

/*
 * Events were lost (the socket overflowed): every live record whose
 * process alive() does not find (by pid and start time; start 0 when not
 * known) ends at t with its status unknown, and the ring is emptied.
 */
void proclife_resync(struct proclife *, double t,
    bool (*alive)(pid_t pid, uint64_t start_ticks, void *arg), void *arg);

/*
 * Whether a process was created anywhere on the machine (a fork event)
 * since the last call: attach discovery looks for newcomers only then.
 */
bool proclife_created(struct proclife *);

/* Counts since the start, for the trace's end and the tests. */
struct proclife_stats {
	size_t observed; /* processes observed */
	size_t ended;	 /* of them, ended */
	size_t events;	 /* events applied (every process's) */
};
void proclife_stats(const struct proclife *, struct proclife_stats *);

/* The session time of an event's time stamp. */
double proclife_event_t(const struct proclife *, const struct procevent *);

#endif
