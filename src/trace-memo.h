/*
 * trace-memo.h - the text of each process's and pipe's last record, by
 * identity, with a hash of what it was written from (trace.c only).
 *
 * At 100 Hz the JSON record was a third of pipeviz's time, almost all of
 * it spent writing again, number by number, processes that had not
 * changed.  A record whose inputs hash the same as last time is copied
 * from here instead: the same bytes, at the cost of the hash.
 */
#ifndef PIPEVIZ_TRACE_MEMO_H
#define PIPEVIZ_TRACE_MEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeviz/idmap.h"

struct trace_memo_entry {
	uint64_t key, hash;
	char *text;
	size_t len, cap;
	unsigned long used; /* the record that last used or wrote it */
};

struct trace_memo {
	struct trace_memo_entry *e;
	size_t n, cap;
	struct idmap by_key;
	unsigned long record;
};

/* A new record: entries that it neither uses nor writes go at its end. */
void trace_memo_begin(struct trace_memo *);
void trace_memo_end(struct trace_memo *);
/* The text kept under key if it was written from inputs hashing to hash. */
bool trace_memo_get(struct trace_memo *, uint64_t key, uint64_t hash,
    const char **text, size_t *len);
void trace_memo_put(struct trace_memo *, uint64_t key, uint64_t hash,
    const char *text, size_t len);
void trace_memo_free(struct trace_memo *);

/* A 64-bit hash over integers, bytes and strings (NULL differs from ""). */
#define TRACE_HASH_INIT 0xcbf29ce484222325ULL
uint64_t trace_hash_bytes(uint64_t h, const void *p, size_t n);
uint64_t trace_hash_str(uint64_t h, const char *s);
uint64_t trace_hash_u64(uint64_t h, uint64_t v);

#endif
