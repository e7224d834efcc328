/* trace-memo.c - last records by identity, reused while unchanged. */
#include "trace-memo.h"

#include <stdlib.h>
#include <string.h>

#include "pipeviz/util.h"

/*
 * A word at a time: a multiply and a shift per 8 bytes (byte-wise FNV-1a
 * was half the writer's time at 100 Hz).  Not for an adversary: a
 * collision costs one record written from an old text, and the inputs are
 * the process's own fields, not chosen to collide.
 */
uint64_t
trace_hash_u64(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0x9e3779b97f4a7c15ULL;
	return h ^ h >> 31;
}

uint64_t
trace_hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t v;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&v, b + i, 8);
		h = trace_hash_u64(h, v);
	}
	v = 0;
	memcpy(&v, b + i, n - i);
	/* The length too: "ab" then "c" is not "a" then "bc". */
	return trace_hash_u64(trace_hash_u64(h, v), n);
}

uint64_t
trace_hash_str(uint64_t h, const char *s)
{
	if (s == NULL)
		return trace_hash_u64(h, 0x6e756c6cULL);
	return trace_hash_bytes(h, s, strlen(s));
}

void
trace_memo_begin(struct trace_memo *m)
{
	m->record++;
}

void
trace_memo_end(struct trace_memo *m)
{
	size_t k = 0;

	idmap_clear(&m->by_key);
	for (size_t i = 0; i < m->n; i++) {
		if (m->e[i].used != m->record) {
			free(m->e[i].text);
			continue;
		}
		m->e[k] = m->e[i];
		idmap_put(&m->by_key, m->e[k].key, k);
		k++;
	}
	m->n = k;
}

bool
trace_memo_get(struct trace_memo *m, uint64_t key, uint64_t hash,
    const char **text, size_t *len)
{
	size_t i = idmap_get(&m->by_key, key);

	if (i == IDMAP_NONE || m->e[i].hash != hash)
		return false;
	m->e[i].used = m->record;
	*text = m->e[i].text;
	*len = m->e[i].len;
	return true;
}

void
trace_memo_put(struct trace_memo *m, uint64_t key, uint64_t hash,
    const char *text, size_t len)
{
	size_t i = idmap_get(&m->by_key, key);
	struct trace_memo_entry *e;

	if (i == IDMAP_NONE) {
		if (m->n == m->cap) {
			m->cap = m->cap > 0 ? 2 * m->cap : 64;
			m->e = xreallocarray(m->e, m->cap, sizeof *m->e);
		}
		i = m->n++;
		memset(&m->e[i], 0, sizeof m->e[i]);
		m->e[i].key = key;
		idmap_put(&m->by_key, key, i);
	}
	e = &m->e[i];
	if (e->cap < len) {
		e->cap = len;
		e->text = xreallocarray(e->text, e->cap, 1);
	}
	memcpy(e->text, text, len);
	e->len = len;
	e->hash = hash;
	e->used = m->record;
}

void
trace_memo_free(struct trace_memo *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->e[i].text);
	free(m->e);
	idmap_free(&m->by_key);
	memset(m, 0, sizeof *m);
}
