/*
 * csv_export.c — CSV files streamed batch by batch (see csv_export.h).
 */
#include "api/csv_export.h"

#include <string.h>

#include "api/signed_link.h"
#include "http/response.h"
#include "util/csv_write.h"

#define BATCH_ARENA_CHUNK (64 * 1024)

/* The header row, then the rows of first (in arena a) and of every batch after it. */
static int write_batches(request_t *r, const csv_export_t *e, void *ctx, arena_t *a, const PGresult *res,
                         csv_export_write_fn write, void *wctx)
{
    buf_t out;
    buf_init(&out, e->batch_bytes);
    int rc = 0;
    for (int c = 0; c < e->ncolumns && rc == 0; c++)
        rc = csv_write_field(&out, e->columns ? e->columns[c] : PQfname(res, c), c == 0);
    rc = rc == 0 ? csv_write_end_row(&out) : rc;
    rc = rc == 0 ? write(wctx, buf_ptr(&out), out.len) : rc;
    while (rc == 0) {
        int n = PQntuples(res);
        buf_clear(&out);
        rc = e->rows(r, a, res, n, &out, ctx) == BUF_OK ? write(wctx, buf_ptr(&out), out.len) : -1;
        if (rc < 0 || n < e->batch_rows)
            break;
        rc = e->advance(r, res, n, ctx); /* before the reset: the key outlives the batch */
        if (rc < 0)
            break;
        arena_reset(a);
        res = e->fetch(r, a, ctx);
        if (!res)
            rc = -1; /* after the headers: the answer is cut off (see resp_stream_abort) */
    }
    buf_free(&out);
    return rc;
}

int csv_export_stream(request_t *r, const csv_export_t *e, void *ctx, csv_export_write_fn write, void *wctx)
{
    arena_t *a = arena_create(BATCH_ARENA_CHUNK); /* one batch's rows; reset per batch, freed below */
    PGresult *res = e->fetch(r, a, ctx);
    int rc = res ? write_batches(r, e, ctx, a, res, write, wctx) : -1;
    arena_destroy(a);
    return rc;
}

int csv_export_respond(request_t *r, const csv_export_t *e, void *ctx, const char *file_name)
{
    arena_t *a = arena_create(BATCH_ARENA_CHUNK); /* one batch's rows; reset per batch, freed below */
    PGresult *res = e->fetch(r, a, ctx);          /* before the headers: a database outage is still a 503 */
    int rc = res ? 0 : -1;
    if (rc == 0) {
        resp_header(r, "Content-Disposition", "attachment; filename=\"%s\"", file_name);
        resp_cache_control(r, signed_link_cache_control(r));
        rc = resp_stream_begin(r, 200, "text/csv; charset=utf-8; header=present");
        if (rc == 0 && strcmp(r->method, "HEAD") != 0)
            rc = write_batches(r, e, ctx, a, res, resp_stream_writer, r);
        else
            rc = 0; /* HEAD, or an answer already aborted */
    }
    arena_destroy(a);
    return rc;
}
