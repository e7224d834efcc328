/*
 * history.h - the last minute of a pipeline, and what the end summary
 * needs of the whole run.
 *
 * Pure: fed one judged snapshot per sample (after rates and diagnoses), it
 * keeps
 *  - for each process in view, its state in slots of HISTORY_SLOT_SECONDS
 *    over the last HISTORY_SLOTS slots (the timeline panel's rows), and
 *    for each channel its fill and rate in the same slots (its sparkline);
 *  - over the whole run, for each process its peak resident memory, its
 *    last counters and the channels it wrote into and read from, and for
 *    each channel the bytes its rate accounts for (summary.c turns these
 *    into the end summary).
 *
 * A replay feeds the trace's samples and gets the same history.  Slots of
 * a process or channel that leaves the picture are freed at once; the run
 * totals of at most HISTORY_MAX_GONE processes and channels that left are
 * kept (older ones fold into their channels' totals, or are dropped), so
 * a pipeline that runs thousands of short-lived processes stays small.
 */
#ifndef PIPEVIZ_HISTORY_H
#define PIPEVIZ_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pipeviz/snapshot.h"

#define HISTORY_SLOT_SECONDS 0.25
#define HISTORY_SLOTS 256 /* 64 s: the panel shows the last 60 */
#define HISTORY_SPAN_SECONDS 60.0
#define HISTORY_MAX_GONE 256
/* Channels a process is seen to write into (or read from) that are kept. */
#define HISTORY_MAX_CHANS 4

/*
 * What a process was doing, as the diagram said at each sample (its
 * state word's style, layout_state_word()).  Ordered by how much a column
 * of the timeline that holds several says about the pipeline (see
 * history_proc_states()).
 */
enum history_state {
	HISTORY_NONE,	  /* not in view then */
	HISTORY_EXITED,	  /* exited, or a zombie */
	HISTORY_SLEEPING, /* asleep, not on a channel (sleep, a child, disk) */
	HISTORY_RUNNING,
	HISTORY_WAITING,  /* for data or room on a channel, in poll, in open */
	HISTORY_STOPPED,
	HISTORY_BLOCKED,  /* stuck: the diagram's red BLOCKED */
	HISTORY_STATES
};

/* The channels one side of a process (writing or reading) moved bytes through. */
struct history_side {
	uint64_t chans[HISTORY_MAX_CHANS]; /* channel inodes, first seen first */
	size_t nchans;
	/*
	 * It may move bytes through something else too: a file, a terminal,
	 * a device, more channels than chans holds.  The rule of a channel's
	 * rate (rates.h): stderr and stray pipes aside; and a read end of
	 * /dev/null aside, and a terminal on fd 0 (1) only read (written):
	 * history.c says why.
	 */
	bool other;
};

/* One process over the run. */
struct history_proc {
	pid_t pid;
	uint64_t start_ticks;
	int stage;
	char comm[32];
	double first_t, last_t;	/* the first and last sample that showed it */
	double start_t;		/* when it started, seconds of the session
				   (from start_ticks; first_t if unknown) */
	uint64_t cpu_ticks, max_rss_kib, rchar, wchar; /* as last seen */
	bool io_known;		/* rchar and wchar were readable last time */
	bool io_final;		/* and read once it had ended: its last */
	struct snap_exit exit;
	struct history_side writes, reads;
	/*
	 * Timeline slots (NULL while out of view), a byte each: the one state
	 * its samples had and how many (history.c).  A process that changes
	 * state has counts of each state per slot as well, until the last
	 * slot that saw two states is older than the ring.
	 */
	uint8_t *slots;
	uint8_t (*counts)[HISTORY_STATES];
	long last_mixed;	/* the newest slot that needed counts */
	long last_slot;		/* the newest slot written, -1 none */
	enum history_state last_state;
	bool in_view;		/* in the newest sample */
};

/* One side of a channel: what its ends' counters say. */
struct history_tally {
	double bytes; /* the sum of their counters (wchar or rchar) */
	size_t n;     /* processes seen on this side */
	bool shared;  /* one of them moved bytes elsewhere too */
	bool unknown; /* one of them had no readable counters */
	bool partial; /* one of them ended after its counters were last
			 read, or its stage had processes no sample showed:
			 bytes is a lower bound */
};

/* A channel in one slot of the timeline. */
struct history_chan_slot {
	int16_t fill_pm;   /* the largest fill seen, per mille; -1 none */
	uint16_t nrates;
	float rate_sum;	   /* bytes per second, summed over nrates */
};

/* One channel (pipe, FIFO, socket) over the run. */
struct history_chan {
	enum snap_fd_kind kind;
	uint64_t inode;
	double first_t, last_t;
	/* Bytes its rate accounts for: rate_bps times the time between samples. */
	double sampled_bytes;
	/* Its bytes as counted in the kernel (--exact), the last sample's. */
	int64_t counted;
	bool counted_known;
	bool sampled;		/* a rate was known at some sample */
	double sampled_for;	/* seconds of the run those rates cover */
	/* From its first writer's start to its last writer's end (or last sight). */
	double span_start, span_end;	/* span_end < span_start: no writer seen */
	/* The totals of its ends that were dropped (HISTORY_MAX_GONE). */
	struct history_tally gone_w, gone_r;
	/*
	 * Timeline slots (NULL while out of view), a byte each: 1 + the rates
	 * it holds, all of them 0, and its samples' fill plain_fill (an idle
	 * channel's: most of a large pipeline's).  A channel whose samples
	 * differ keeps full slots as well, until that is older than the ring.
	 */
	uint8_t *slots;
	struct history_chan_slot *full;
	int16_t plain_fill;
	long last_change;	/* the newest slot whose samples were not plain */
	long last_slot;
	struct history_chan_slot last; /* the newest sample's, for the slots up to the next */
	bool in_view;
};

/*
 * The processes of one stage that no sample showed: they came and went
 * between two samples (known from the kernel's process events).  Each
 * slot counts those alive in it.
 */
struct history_brief {
	int stage;	/* the launched stage they descend from, -1 none */
	size_t total;	/* over the whole run */
	uint16_t slots[HISTORY_SLOTS];
	long last_slot;
};

struct history;

/*
 * hz is the clock tick rate of start_ticks and cpu_ticks, 0 when not
 * known (a replay: a trace has no ticks); boot_t0 the seconds since boot
 * (CLOCK_BOOTTIME) at the session's t = 0, or a negative number when not
 * known: processes then start when first seen.
 */
struct history *history_create(long hz, double boot_t0);
void history_free(struct history *); /* NULL is a no-op */
/* One sample, in order of time (an older one is ignored). */
void history_add(struct history *, const struct snapshot *);
/*
 * The counters of a process that has ended, read from its zombie (its
 * exit event came before its parent reaped it): what it moved after the
 * last sample counts too.  Unknown processes are ignored.
 */
void history_final_counters(struct history *, pid_t pid,
    uint64_t start_ticks, uint64_t rchar, uint64_t wchar);
/*
 * A process of stage (-1: of none) that lived from began to ended
 * (seconds of the session; began -1 when not known) and that no sample
 * showed.  Times may be older than the newest sample; slots older than
 * the span kept count in the total only.
 */
void history_add_brief(struct history *, int stage, double began,
    double ended);
/* Those of one stage, or NULL when there was none. */
const struct history_brief *history_find_brief(const struct history *,
    int stage);
/*
 * How many were alive at once, at most, in each of ncols columns over
 * (t_end - span, t_end], oldest first.
 */
void history_brief_series(const struct history_brief *, double t_end,
    double span, double *count, int ncols);

/* t of the newest sample, 0 before any. */
double history_now(const struct history *);
long history_hz(const struct history *); /* 0: not known */

/* Every process and channel seen, in view or not, in the order first seen. */
size_t history_nprocs(const struct history *);
const struct history_proc *history_proc_at(const struct history *, size_t i);
size_t history_nchans(const struct history *);
const struct history_chan *history_chan_at(const struct history *, size_t i);
const struct history_proc *history_find_proc(const struct history *,
    pid_t pid, uint64_t start_ticks);
const struct history_chan *history_find_chan(const struct history *,
    uint64_t inode);

/*
 * The writers' and readers' totals of a channel: the last counters of
 * every process seen on that side (and of those dropped), and whether any
 * of them moved bytes elsewhere too or had no counters.
 */
void history_chan_tally(const struct history *, const struct history_chan *,
    struct history_tally *writers, struct history_tally *readers);

/*
 * A process's states over (t_end - span, t_end] in ncols columns, oldest
 * first.  A column is BLOCKED if any of its samples was, else STOPPED if
 * any was, else the state most of them had (ties: the higher); NONE when
 * none showed the process.  Between two samples a slot holds the state
 * of the earlier one.
 */
void history_proc_states(const struct history_proc *, double t_end,
    double span, enum history_state *out, int ncols);
/*
 * A channel's fill (0..1, its largest in the column; -1 none) and rate
 * (bytes per second, the mean of those known; -1 none) over the same
 * columns.
 */
void history_chan_series(const struct history_chan *, double t_end,
    double span, double *fill, double *rate, int ncols);

#endif
