/*
 * key_snapshot.h — every API key as authentication needs it, in memory: one immutable array
 * sorted by prefix, built by the key cache (api/key_cache.h) from the database. Complete (every
 * key, revoked ones included), so a prefix it does not hold is unknown without asking anyone.
 * Each entry also records, with a relaxed atomic, when this process last authenticated a request
 * with it; the key cache writes those times to api_keys.last_used_at once a minute, off the
 * request path. Pure: memory only.
 */
#ifndef TRACKGEN_KEY_SNAPSHOT_H
#define TRACKGEN_KEY_SNAPSHOT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/apikey_format.h"

typedef struct {
    char prefix[APIKEY_PREFIX_LEN + 1];
    char hash_hex[2 * APIKEY_HASH_LEN + 1]; /* as stored: encode(key_hash, 'hex') */
    int64_t id;
    int64_t partner_id; /* 0 for admin keys */
    int rate_limit;     /* requests per minute, 0 = none; -1: the server's */
    bool admin;
    bool revoked;
    bool partner_suspended;
    _Atomic int64_t used_at; /* unix seconds of the last use not yet written; 0: none */
} key_entry_t;

typedef struct {
    key_entry_t *keys; /* sorted by prefix (strcmp) */
    size_t n;
} key_snapshot_t;

/* Sorts the entries by prefix; false if two share one (the database's UNIQUE forbids it). */
bool key_snapshot_sort(key_snapshot_t *s);
/* The key with this prefix, or NULL. */
key_entry_t *key_snapshot_find(const key_snapshot_t *s, const char *prefix);
/* Records a use at unix second now (a store only when the second changed). */
void key_snapshot_mark_used(key_entry_t *k, int64_t now);
/* Moves the uses recorded in s into ids/times (room for s->n each), clearing them; returns how
 * many. */
size_t key_snapshot_take_used(key_snapshot_t *s, int64_t *ids, int64_t *times);
/* After a reload: the uses recorded in old and not yet taken go to the same keys in cur (the later
 * time wins). old must be read by nobody any more. */
void key_snapshot_carry_used(key_snapshot_t *old, key_snapshot_t *cur);
/* Frees s and its array. Accepts NULL. */
void key_snapshot_free(key_snapshot_t *s);

#endif
