/*
 * blob_store_impl.h — what an implementation of the blob store provides (blob_store.h is what the
 * callers see). blob_store.c does the parts every backend shares — hashing while writing, checking
 * blob names, the writer's error — and calls the backend through blob_store_ops_t for the rest.
 * A backend embeds blob_store_t / blob_writer_t as the first member of its own structs.
 */
#ifndef TRACKGEN_BLOB_STORE_IMPL_H
#define TRACKGEN_BLOB_STORE_IMPL_H

#include <openssl/evp.h>

#include "store/blob_store.h"

typedef struct {
    void (*close)(blob_store_t *s);
    /* A new writer with its base zeroed except what the backend sets; NULL with err filled. */
    blob_writer_t *(*put_begin)(blob_store_t *s, char *err, size_t errlen);
    /* Stores n bytes; -1 with w->err filled. */
    int (*put_write)(blob_writer_t *w, const void *p, size_t n);
    /* Makes the written bytes durable as blob hex; 0 or -1 with err filled. Does not free w. */
    int (*put_commit)(blob_writer_t *w, const char *hex, char *err, size_t errlen);
    /* Releases the backend's resources of w (discarding what was not committed) and frees w. */
    void (*put_free)(blob_writer_t *w);
    /* The rest receive a valid blob name. */
    int (*open)(blob_store_t *s, const char *hex);
    bool (*stat)(blob_store_t *s, const char *hex, uint64_t *size);
    int (*each)(blob_store_t *s, int (*fn)(const char *hex, int64_t age_seconds, void *ctx), void *ctx);
    int (*remove)(blob_store_t *s, const char *hex);
    int (*remove_unused)(blob_store_t *s, const char *hex, int64_t min_age_seconds,
                         int (*unused)(const char *hex, void *ctx), void *ctx);
    int (*sweep_tmp)(blob_store_t *s, int64_t max_age_seconds);
} blob_store_ops_t;

struct blob_store {
    const blob_store_ops_t *ops;
};

struct blob_writer {
    blob_store_t *store;
    EVP_MD_CTX *md; /* owned; freed by blob_store.c */
    uint64_t size;
    bool failed;
    char err[256];
};

/* For backends: formats the writer's error (and marks it failed). Returns -1. */
int blob_writer_fail(blob_writer_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
