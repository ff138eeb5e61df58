/*
 * blob_store.c — the backend-independent half of the blob store (blob_store.h): names are checked
 * here, bytes are hashed here as they pass to the backend, and every call is forwarded through the
 * backend's table of operations (blob_store_impl.h).
 */
#include "store/blob_store.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "store/blob_store_impl.h"

bool blob_hex_valid(const char *hex)
{
    if (!hex)
        return false;
    for (int i = 0; i < BLOB_HEX_LEN; i++)
        if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
            return false;
    return hex[BLOB_HEX_LEN] == '\0';
}

int blob_relative_path(const char *hex, char *out, size_t outlen)
{
    if (!blob_hex_valid(hex) || outlen < 6 + BLOB_HEX_LEN + 1)
        return -1;
    snprintf(out, outlen, "%.2s/%.2s/%s", hex, hex + 2, hex);
    return 0;
}

void blob_store_close(blob_store_t *s)
{
    if (s)
        s->ops->close(s);
}

int blob_writer_fail(blob_writer_t *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->err, sizeof w->err, fmt, ap);
    va_end(ap);
    w->failed = true;
    return -1;
}

static void writer_free(blob_writer_t *w)
{
    EVP_MD_CTX *md = w->md;
    w->store->ops->put_free(w);
    EVP_MD_CTX_free(md);
}

blob_writer_t *blob_put_begin(blob_store_t *s, char *err, size_t errlen)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(md);
        snprintf(err, errlen, "cannot start a SHA-256 digest");
        return NULL;
    }
    blob_writer_t *w = s->ops->put_begin(s, err, errlen);
    if (!w) {
        EVP_MD_CTX_free(md);
        return NULL;
    }
    w->store = s;
    w->md = md;
    return w;
}

int blob_put_write(blob_writer_t *w, const void *p, size_t n)
{
    if (w->failed)
        return -1;
    if (n == 0)
        return 0;
    if (EVP_DigestUpdate(w->md, p, n) != 1)
        return blob_writer_fail(w, "SHA-256 update failed");
    if (w->store->ops->put_write(w, p, n) < 0) {
        w->failed = true;
        return -1;
    }
    w->size += n;
    return 0;
}

const char *blob_writer_error(const blob_writer_t *w)
{
    return w->err;
}

uint64_t blob_writer_size(const blob_writer_t *w)
{
    return w->size;
}

int blob_put_commit(blob_writer_t *w, char *hex, uint64_t *size, char *err, size_t errlen)
{
    int rc = -1;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    if (w->failed) {
        snprintf(err, errlen, "%s", w->err);
    } else if (EVP_DigestFinal_ex(w->md, digest, &dlen) != 1 || dlen * 2 != BLOB_HEX_LEN) {
        snprintf(err, errlen, "SHA-256 final failed");
    } else {
        char name[BLOB_HEX_LEN + 1];
        for (unsigned i = 0; i < dlen; i++)
            snprintf(name + 2 * i, 3, "%02x", digest[i]);
        if (w->store->ops->put_commit(w, name, err, errlen) == 0) {
            memcpy(hex, name, sizeof name);
            *size = w->size;
            rc = 0;
        }
    }
    writer_free(w);
    return rc;
}

void blob_put_abort(blob_writer_t *w)
{
    if (w)
        writer_free(w);
}

int blob_open(blob_store_t *s, const char *hex)
{
    if (!blob_hex_valid(hex)) {
        errno = EINVAL;
        return -1;
    }
    return s->ops->open(s, hex);
}

bool blob_stat(blob_store_t *s, const char *hex, uint64_t *size)
{
    return blob_hex_valid(hex) && s->ops->stat(s, hex, size);
}

int blob_each(blob_store_t *s, int (*fn)(const char *hex, int64_t age_seconds, void *ctx), void *ctx)
{
    return s->ops->each(s, fn, ctx);
}

int blob_delete(blob_store_t *s, const char *hex)
{
    if (!blob_hex_valid(hex)) {
        errno = EINVAL;
        return -1;
    }
    return s->ops->remove(s, hex);
}

int blob_delete_unused(blob_store_t *s, const char *hex, int64_t min_age_seconds,
                       int (*unused)(const char *hex, void *ctx), void *ctx)
{
    if (!blob_hex_valid(hex)) {
        errno = EINVAL;
        return -1;
    }
    return s->ops->remove_unused(s, hex, min_age_seconds, unused, ctx);
}

int blob_sweep_tmp(blob_store_t *s, int64_t max_age_seconds)
{
    return s->ops->sweep_tmp(s, max_age_seconds);
}
