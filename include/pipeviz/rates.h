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

#endif
