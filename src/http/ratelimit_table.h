/*
 * ratelimit_table.h — the rate limiters' state, shared by every worker process of a host: one
 * slot (key, TAT) per limited key in a fixed-size open-addressing table, in a MAP_SHARED mapping
 * of a file (in TRACKGEN_SPOOL_DIR, which the workers of one host already share). Slots are
 * updated with compare-and-swap only, so a limit is one limit across processes and threads.
 *
 * Keys are never deleted: a slot whose TAT is in the past carries no state and is reused by the
 * next key that needs one. When no slot is found within a short probe (the table is full of live
 * keys), the request is allowed and the caller is told: a flood from that many distinct keys is
 * not something per-key limits can stop, and refusing honest callers would be worse.
 *
 * The table is opened by server start (the dispatcher) and closed at exit; all threads share it.
 */
#ifndef TRACKGEN_RATELIMIT_TABLE_H
#define TRACKGEN_RATELIMIT_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "http/ratelimit.h"

#define RATELIMIT_TABLE_SLOTS 65536u /* 1 MiB of slots */
#define RATELIMIT_TABLE_PROBE 64     /* slots looked at per key */

typedef struct ratelimit_table ratelimit_table_t;

/* Opens the table file at path, creating it with nslots slots (a power of two) if it does not
 * exist; an existing table keeps its own size. Creation is serialised with flock(), so whichever
 * process comes first creates it and the others wait and map it. NULL with errno on failure
 * (EINVAL: the file is not a table). */
ratelimit_table_t *ratelimit_table_open(const char *path, uint32_t nslots);
/* Unmaps; the file stays for the other processes. Accepts NULL. */
void ratelimit_table_close(ratelimit_table_t *t);

/* Decides one request of key (any value but 0; see ratelimit_key) at time now and stores the new
 * TAT when it is allowed. *full is set when no slot could be had (the request is then allowed,
 * with the full quota as its headers). */
ratelimit_decision_t ratelimit_table_take(ratelimit_table_t *t, uint64_t key, const ratelimit_policy_t *p, int64_t now,
                                          bool *full);

/* The table key of an identity within a scope ("key" + an API key id, "client" + an address):
 * a 64-bit hash of both, never 0. */
uint64_t ratelimit_key(const char *scope, const char *id);

#endif
