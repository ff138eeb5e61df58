/*
 * hitbatch.h — the rows of one shipping batch (one or more spool segments), grouped by partner
 * bucket so that shippers serialise only what the unique-visitor rule needs (see README.md beside
 * this file).
 *
 * is_unique depends only on earlier hits of the same partner, and the rollups are keyed by
 * partner, so hits of different partners never need to wait for each other: a row's bucket is
 * partner_id % HITBATCH_BUCKETS, each bucket has its own advisory lock, and a transaction ships
 * the rows of a run of whole buckets. Pure: no I/O, no database.
 */
#ifndef TRACKGEN_HITBATCH_H
#define TRACKGEN_HITBATCH_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define HITBATCH_BUCKETS 16

typedef struct {
    size_t off;       /* into the batch's text */
    uint32_t len;     /* with its '\n' */
    uint16_t segment; /* which added segment it came from */
    uint16_t bucket;  /* hitbatch_bucket_of() */
} hitbatch_row_t;

typedef struct {
    buf_t text;           /* the intact rows, each with its '\n' */
    hitbatch_row_t *rows; /* n rows (malloc); after hitbatch_sort() in bucket order */
    size_t n, cap;
} hitbatch_t;

/* An empty batch whose text may grow to max_bytes. Free with hitbatch_free(). */
void hitbatch_init(hitbatch_t *b, size_t max_bytes);
/* Frees and re-initialises; accepts a zeroed batch. */
void hitbatch_free(hitbatch_t *b);

/* Adds the intact spool lines of one segment's data (see hitlog.h) as rows of segment number
 * `segment`; torn or corrupt lines (never acknowledged) are counted in *bad. Returns 0, or -1
 * when out of memory or over the batch's cap. */
int hitbatch_add_segment(hitbatch_t *b, const char *data, size_t len, uint16_t segment, size_t *bad);

/* The bucket of a COPY row: its partner_id (4th column) modulo HITBATCH_BUCKETS; 0 when the
 * column is no whole number (PostgreSQL will refuse that row for its data anyway). */
uint16_t hitbatch_bucket_of(const char *row, size_t len);

/* Orders the rows by bucket, keeping their order within each bucket. Returns 0, or -1 when out
 * of memory (the batch is unchanged). */
int hitbatch_sort(hitbatch_t *b);

/* After hitbatch_sort(): the end of the transaction that starts at row lo — whole buckets, at
 * least min_rows rows unless the batch ends first. */
size_t hitbatch_group_end(const hitbatch_t *b, size_t lo, size_t min_rows);

#endif
