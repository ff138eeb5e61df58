/*
 * csv_export.h — a CSV file streamed batch by batch, written once for every export (hits, coupons,
 * reports, and the coupons of an asset package).
 *
 * The caller describes its batches: how to fetch the next one (keyset: after the key its last
 * batch left in ctx), how to write a batch's rows, how to keep the key of a batch's last row.
 * Each batch lives in a scratch arena reset before the next one, and the CSV of one batch is the
 * most ever held: memory is bounded however many rows there are. The first batch is fetched
 * before anything is sent, so a database outage is still a 503 problem; a failure after the
 * headers cuts the answer off (resp_stream_abort), never a short file that looks whole.
 */
#ifndef TRACKGEN_CSV_EXPORT_H
#define TRACKGEN_CSV_EXPORT_H

#include <libpq-fe.h>

#include "http/request.h"
#include "util/arena.h"
#include "util/buf.h"

typedef int (*csv_export_write_fn)(void *ctx, const void *p, size_t n); /* 0, or -1 to stop */

typedef struct {
    int batch_rows;             /* rows a full batch has: a shorter one is the last */
    size_t batch_bytes;         /* the cap of one batch's CSV */
    const char *const *columns; /* the header row, or NULL: the first ncolumns field names of the results */
    int ncolumns;
    /* The next batch (the first while ctx holds no key yet), its result in arena a; NULL with the
     * problem recorded. */
    PGresult *(*fetch)(request_t *r, arena_t *a, void *ctx);
    /* Appends rows [0, n) of res to out (empty on entry). BUF_OK, or the buffer's error. */
    int (*rows)(request_t *r, arena_t *a, const PGresult *res, int n, buf_t *out, void *ctx);
    /* Keeps the key of row n - 1 of res in ctx, in memory that outlives the batch arena. 0 or -1. */
    int (*advance)(request_t *r, const PGresult *res, int n, void *ctx);
} csv_export_t;

/* Writes the whole file to write(wctx) (e.g. into a ZIP entry). Returns 0 or -1. */
int csv_export_stream(request_t *r, const csv_export_t *e, void *ctx, csv_export_write_fn write, void *wctx);
/* Answers with the whole file: 200 text/csv as an attachment named file_name (ASCII), private
 * caching for a signed URL (api/signed_link.h), headers only for HEAD. Returns 0 or -1. */
int csv_export_respond(request_t *r, const csv_export_t *e, void *ctx, const char *file_name);

#endif
