/* rates.h - per-process CPU share and I/O rates from successive samples. */
#ifndef PIPEVIZ_RATES_H
#define PIPEVIZ_RATES_H

#include "pipeviz/snapshot.h"

/*
 * Fill cpu_pct, read_bps and write_bps of every process in cur that prev
 * also holds (same pid and start time) from the change of its counters.
 * hz is the clock tick rate of cpu_ticks.  Pure.  prev may be NULL.
 */
void rates_apply(const struct snapshot *prev, struct snapshot *cur, long hz);

/*
 * Fill rate_bps of every channel in cur from the rates of its ends (call
 * after rates_apply): the sum of its live writers' write rates when each
 * of them writes only into it (stderr aside), else its readers' read
 * rates when each reads only from it, else -1.  A socket's readers are
 * its peer's holders.  Pure.
 */
void rates_apply_pipes(const struct snapshot *prev, struct snapshot *cur);

#endif
