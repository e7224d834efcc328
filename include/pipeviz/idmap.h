/*
 * idmap.h - a map from 64-bit keys (a pid, an inode) to array indices.
 *
 * The lookups by pid and inode that diagnose, explain and layout make for
 * every process of a sample: a linear search each made a sample of 2000
 * processes quadratic (docs/performance.md).  Open addressing, doubling
 * at half full; the first index stored under a key stays (a snapshot
 * lists a pid or an inode again only after the one a linear search would
 * find first).
 */
#ifndef PIPEVIZ_IDMAP_H
#define PIPEVIZ_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IDMAP_NONE SIZE_MAX

struct idmap {
	uint64_t *keys;
	size_t *slots; /* index + 1; 0 is an empty slot */
	size_t mask;   /* capacity - 1; 0 before the first put */
	size_t n;
};

/* A zeroed struct idmap is an empty map. */
void idmap_free(struct idmap *);
/* Empty it, keeping its memory for as many keys again. */
void idmap_clear(struct idmap *);
/* Store index under key unless key is there already; false if it was. */
bool idmap_put(struct idmap *, uint64_t key, size_t index);
/* The index stored under key, or IDMAP_NONE. */
size_t idmap_get(const struct idmap *, uint64_t key);

#endif
