/*
 * hitbatch.c — a shipping batch's rows by partner bucket (see hitbatch.h).
 */
#include "track/hitbatch.h"

#include <stdlib.h>
#include <string.h>

#include "track/hitlog.h"

void hitbatch_init(hitbatch_t *b, size_t max_bytes)
{
    memset(b, 0, sizeof *b);
    buf_init(&b->text, max_bytes);
}

void hitbatch_free(hitbatch_t *b)
{
    size_t max = b->text.max;
    buf_free(&b->text);
    free(b->rows);
    hitbatch_init(b, max);
}

uint16_t hitbatch_bucket_of(const char *row, size_t len)
{
    const char *p = row, *end = row + len;
    for (int tabs = 0; tabs < 3; p++) { /* transaction_id, kind, hit_at */
        if (p == end)
            return 0;
        if (*p == '\t')
            tabs++;
    }
    uint64_t v = 0;
    const char *digits = p;
    for (; p < end && *p >= '0' && *p <= '9' && p - digits < 19; p++)
        v = v * 10 + (uint64_t)(*p - '0');
    if (p == digits || p == end || *p != '\t')
        return 0;
    return (uint16_t)(v % HITBATCH_BUCKETS);
}

static int add_row(hitbatch_t *b, const char *row, size_t row_len, uint16_t segment)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 1024;
        hitbatch_row_t *grown = realloc(b->rows, cap * sizeof *grown);
        if (!grown)
            return -1;
        b->rows = grown;
        b->cap = cap;
    }
    hitbatch_row_t *r = &b->rows[b->n];
    r->off = b->text.len;
    r->len = (uint32_t)(row_len + 1);
    r->segment = segment;
    r->bucket = hitbatch_bucket_of(row, row_len);
    if (buf_append(&b->text, row, row_len + 1) != BUF_OK) /* with its '\n' */
        return -1;
    b->n++;
    return 0;
}

int hitbatch_add_segment(hitbatch_t *b, const char *data, size_t len, uint16_t segment, size_t *bad)
{
    const char *p = data, *end = data + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break; /* torn by a crash: never acknowledged */
        const char *row;
        size_t row_len;
        if (hitlog_line_valid(p, (size_t)(nl - p), &row, &row_len)) {
            if (add_row(b, row, row_len, segment) < 0)
                return -1;
        } else {
            (*bad)++;
        }
        p = nl + 1;
    }
    return 0;
}

int hitbatch_sort(hitbatch_t *b)
{
    if (b->n == 0)
        return 0;
    hitbatch_row_t *sorted = malloc(b->n * sizeof *sorted);
    if (!sorted)
        return -1;
    size_t first[HITBATCH_BUCKETS + 1] = {0}; /* counting sort: stable */
    for (size_t i = 0; i < b->n; i++)
        first[b->rows[i].bucket + 1]++;
    for (int k = 0; k < HITBATCH_BUCKETS; k++)
        first[k + 1] += first[k];
    for (size_t i = 0; i < b->n; i++)
        sorted[first[b->rows[i].bucket]++] = b->rows[i];
    free(b->rows);
    b->rows = sorted;
    b->cap = b->n;
    return 0;
}

size_t hitbatch_group_end(const hitbatch_t *b, size_t lo, size_t min_rows)
{
    size_t hi = lo;
    while (hi < b->n) {
        uint16_t bucket = b->rows[hi].bucket;
        while (hi < b->n && b->rows[hi].bucket == bucket)
            hi++;
        if (hi - lo >= min_rows)
            break;
    }
    return hi;
}
