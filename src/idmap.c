/* idmap.c - 64-bit keys to array indices, open addressing (idmap.h). */
#include "pipeviz/idmap.h"

#include <stdlib.h>
#include <string.h>

#include "pipeviz/util.h"

static size_t
idmap_hash(uint64_t key)
{
	/* Fibonacci hashing: pids and inodes are dense, runs of neighbours. */
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 20);
}

void
idmap_free(struct idmap *m)
{
	free(m->keys);
	free(m->slots);
	memset(m, 0, sizeof *m);
}

void
idmap_clear(struct idmap *m)
{
	if (m->slots != NULL)
		memset(m->slots, 0, (m->mask + 1) * sizeof *m->slots);
	m->n = 0;
}

/* The slot of key, or the empty slot where it would go. */
static size_t
idmap_slot(const struct idmap *m, uint64_t key)
{
	size_t i = idmap_hash(key) & m->mask;

	while (m->slots[i] != 0 && m->keys[i] != key)
		i = (i + 1) & m->mask;
	return i;
}

static void
idmap_grow(struct idmap *m)
{
	struct idmap old = *m;
	size_t cap = old.mask == 0 ? 16 : 2 * (old.mask + 1);

	m->keys = xcalloc(cap, sizeof *m->keys);
	m->slots = xcalloc(cap, sizeof *m->slots);
	m->mask = cap - 1;
	for (size_t i = 0; old.slots != NULL && i <= old.mask; i++) {
		if (old.slots[i] != 0) {
			size_t j = idmap_slot(m, old.keys[i]);

			m->keys[j] = old.keys[i];
			m->slots[j] = old.slots[i];
		}
	}
	free(old.keys);
	free(old.slots);
}

bool
idmap_put(struct idmap *m, uint64_t key, size_t index)
{
	size_t i;

	if (m->mask == 0 || 2 * (m->n + 1) > m->mask + 1)
		idmap_grow(m);
	i = idmap_slot(m, key);
	if (m->slots[i] != 0)
		return false;
	m->keys[i] = key;
	m->slots[i] = index + 1;
	m->n++;
	return true;
}

size_t
idmap_get(const struct idmap *m, uint64_t key)
{
	size_t i;

	if (m->n == 0)
		return IDMAP_NONE;
	i = idmap_slot(m, key);
	return m->slots[i] != 0 ? m->slots[i] - 1 : IDMAP_NONE;
}
