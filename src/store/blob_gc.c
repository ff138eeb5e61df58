/*
 * blob_gc.c — one garbage-collection pass over the blob store (see blob_gc.h): blob_each lists the
 * blobs, young ones are kept at once, the others go through blob_delete_unused, which asks the
 * caller's unused() with the blob locked against an identical upload.
 */
#include "store/blob_gc.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    blob_store_t *store;
    const blob_gc_t *gc;
    blob_gc_report_t *r;
    int answer; /* the last unused() answer, -2 if it was not asked */
    char *err;
    size_t errlen;
    bool failed;
} pass_t;

static int ask(const char *hex, void *ctx)
{
    pass_t *p = ctx;
    p->answer = p->gc->unused(hex, p->gc->ctx);
    return p->answer;
}

static int visit(const char *hex, int64_t age, void *ctx)
{
    pass_t *p = ctx;
    uint64_t size = 0;
    if (!blob_stat(p->store, hex, &size))
        return 0; /* removed meanwhile */
    p->answer = -2;
    int rc;
    if (age < p->gc->grace_seconds)
        rc = 0;
    else if (p->gc->dry_run)
        rc = ask(hex, p);
    else
        rc = blob_delete_unused(p->store, hex, p->gc->grace_seconds, ask, p);
    if (rc < 0) {
        snprintf(p->err, p->errlen, "%s: %s", hex,
                 p->answer == -1 ? "could not tell whether a row names it" : "could not remove it");
        p->failed = true;
        return 1;
    }
    if (rc == 1) {
        p->r->removed++, p->r->removed_bytes += size;
        if (p->gc->removed)
            p->gc->removed(hex, size, p->gc->ctx);
    } else if (p->answer == 0) {
        p->r->referenced++, p->r->referenced_bytes += size;
    } else { /* young, or made young again by an identical upload during the pass */
        p->r->young++, p->r->young_bytes += size;
    }
    return 0;
}

int blob_gc(blob_store_t *s, const blob_gc_t *gc, blob_gc_report_t *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    pass_t p = {.store = s, .gc = gc, .r = r, .err = err, .errlen = errlen};
    if (blob_each(s, visit, &p) < 0 && !p.failed) {
        snprintf(err, errlen, "cannot read the blob store");
        return -1;
    }
    if (p.failed)
        return -1;
    if (!gc->dry_run) {
        r->tmp_removed = blob_sweep_tmp(s, gc->grace_seconds);
        if (r->tmp_removed < 0) {
            r->tmp_removed = 0;
            snprintf(err, errlen, "cannot read the blob store's temporary directory");
            return -1;
        }
    }
    return 0;
}
