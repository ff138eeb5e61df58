/*
 * blob_gc.h — one garbage-collection pass over the blob store: every blob older than the grace
 * period that no row names is removed, and temporaries older than the grace (left by a crashed
 * worker) are swept. Whether a row names a blob is the caller's question (cli/gc.c asks
 * PostgreSQL); the grace period covers an upload whose row is being written right now, and
 * blob_delete_unused covers an identical upload committing during the pass.
 */
#ifndef TRACKGEN_BLOB_GC_H
#define TRACKGEN_BLOB_GC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/blob_store.h"

typedef struct {
    int64_t grace_seconds; /* blobs and temporaries younger than this are kept */
    bool dry_run;          /* remove nothing; report what would go */
    /* 1: no row names hex; 0: a row does; -1: cannot tell (the pass stops and fails). */
    int (*unused)(const char *hex, void *ctx);
    /* Optional: told of each blob removed (or that would be, in a dry run). */
    void (*removed)(const char *hex, uint64_t size, void *ctx);
    void *ctx; /* for both callbacks */
} blob_gc_t;

typedef struct {
    uint64_t removed, removed_bytes;       /* removed (dry run: would be) */
    uint64_t referenced, referenced_bytes; /* kept: a row names them */
    uint64_t young, young_bytes;           /* kept: within the grace period */
    int tmp_removed;                       /* temporaries swept (0 in a dry run) */
} blob_gc_report_t;

/* Runs one pass, filling r (zeroed first). 0, or -1 with err filled (the store could not be read,
 * unused returned -1, a removal failed); r then counts what was done before the failure. */
int blob_gc(blob_store_t *s, const blob_gc_t *gc, blob_gc_report_t *r, char *err, size_t errlen);

#endif
