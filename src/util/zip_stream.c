/*
 * zip_stream.c — the streamed ZIP writer (zip_stream.h) over libarchive: archive_write_open with
 * our callback and no block buffering (bytes_per_block 0), so each header and each compressed
 * chunk (at most libarchive's 64 KiB deflate buffer) goes straight to the caller.
 */
#include "util/zip_stream.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct zip_stream {
    struct archive *a;
    struct archive_entry *entry; /* reused for every entry */
    zip_stream_write_fn write;
    void *ctx;
    bool in_entry;
    bool broken;      /* a call failed: everything after fails */
    bool finished;    /* the central directory is written */
    bool discard;     /* zip_stream_free of an unfinished archive: swallow libarchive's last bytes */
    int64_t declared; /* the open entry's size, -1 if unknown */
    int64_t written;  /* bytes written into the open entry */
    char name[256];   /* the open entry's name, for messages (truncated) */
    char err[512];
};

static int fail(zip_stream_t *z, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(zip_stream_t *z, const char *fmt, ...)
{
    if (!z->broken) { /* keep the first reason */
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(z->err, sizeof z->err, fmt, ap);
        va_end(ap);
    }
    z->broken = true;
    return -1;
}

static int fail_archive(zip_stream_t *z, const char *what)
{
    const char *why = archive_error_string(z->a);
    return fail(z, "%s: %s", what, why ? why : "libarchive error");
}

static la_ssize_t on_write(struct archive *a, void *data, const void *p, size_t n)
{
    (void)a;
    zip_stream_t *z = data;
    if (z->discard)
        return (la_ssize_t)n;
    if (z->write(z->ctx, p, n) < 0) {
        archive_set_error(a, -1, "the output refused the archive's bytes");
        return -1;
    }
    return (la_ssize_t)n;
}

zip_stream_t *zip_stream_new(zip_stream_write_fn write, void *ctx)
{
    zip_stream_t *z = calloc(1, sizeof *z);
    if (!z)
        return NULL;
    z->write = write;
    z->ctx = ctx;
    z->a = archive_write_new();
    z->entry = archive_entry_new();
    if (!z->a || !z->entry || archive_write_set_format_zip(z->a) != ARCHIVE_OK ||
        archive_write_set_options(z->a, "zip:hdrcharset=UTF-8") != ARCHIVE_OK ||
        archive_write_set_bytes_per_block(z->a, 0) != ARCHIVE_OK ||
        archive_write_open(z->a, z, NULL, on_write, NULL) != ARCHIVE_OK) {
        z->discard = true;
        zip_stream_free(z);
        return NULL;
    }
    return z;
}

int zip_stream_entry_begin(zip_stream_t *z, const char *name, int64_t size, time_t mtime, bool compress)
{
    if (z->broken)
        return -1;
    if (z->in_entry || z->finished)
        return fail(z, "zip_stream_entry_begin: %s", z->finished ? "the archive is finished" : "an entry is open");
    if (!name || !*name)
        return fail(z, "zip_stream_entry_begin: an entry needs a name");
    snprintf(z->name, sizeof z->name, "%s", name);
    archive_entry_clear(z->entry);
    archive_entry_set_pathname_utf8(z->entry, name);
    archive_entry_set_filetype(z->entry, AE_IFREG);
    archive_entry_set_perm(z->entry, 0644);
    archive_entry_set_mtime(z->entry, mtime, 0);
    if (size >= 0)
        archive_entry_set_size(z->entry, size);
    else
        archive_entry_unset_size(z->entry);
    int rc = compress ? archive_write_zip_set_compression_deflate(z->a) : archive_write_zip_set_compression_store(z->a);
    if (rc != ARCHIVE_OK)
        return fail_archive(z, "choosing the compression");
    if (archive_write_header(z->a, z->entry) != ARCHIVE_OK)
        return fail_archive(z, z->name);
    z->in_entry = true;
    z->declared = size;
    z->written = 0;
    return 0;
}

int zip_stream_entry_write(zip_stream_t *z, const void *p, size_t n)
{
    if (z->broken)
        return -1;
    if (!z->in_entry)
        return fail(z, "zip_stream_entry_write: no entry is open");
    if (z->declared >= 0 && (uint64_t)(z->declared - z->written) < n)
        return fail(z, "%s: more than the %lld bytes declared", z->name, (long long)z->declared);
    while (n > 0) {
        la_ssize_t k = archive_write_data(z->a, p, n);
        if (k <= 0)
            return fail_archive(z, z->name);
        p = (const char *)p + k;
        n -= (size_t)k;
        z->written += k;
    }
    return 0;
}

int zip_stream_entry_end(zip_stream_t *z)
{
    if (z->broken)
        return -1;
    if (!z->in_entry)
        return fail(z, "zip_stream_entry_end: no entry is open");
    if (z->declared >= 0 && z->written != z->declared)
        return fail(z, "%s: %lld bytes written, %lld declared", z->name, (long long)z->written, (long long)z->declared);
    z->in_entry = false;
    if (archive_write_finish_entry(z->a) != ARCHIVE_OK)
        return fail_archive(z, z->name);
    return 0;
}

int zip_stream_finish(zip_stream_t *z)
{
    if (z->broken)
        return -1;
    if (z->in_entry || z->finished)
        return fail(z, "zip_stream_finish: %s", z->finished ? "already finished" : "an entry is open");
    z->finished = true;
    if (archive_write_close(z->a) != ARCHIVE_OK)
        return fail_archive(z, "writing the central directory");
    return 0;
}

const char *zip_stream_error(const zip_stream_t *z)
{
    return z->err;
}

void zip_stream_free(zip_stream_t *z)
{
    if (!z)
        return;
    if (!z->finished || z->broken)
        z->discard = true; /* archive_write_free closes the archive: nothing of that may reach the output */
    if (z->a)
        archive_write_free(z->a);
    archive_entry_free(z->entry);
    free(z);
}

/* The media type's length before parameters and spaces. */
static size_t media_type_len(const char *ct)
{
    size_t n = strcspn(ct, "; \t");
    return n;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && strncasecmp(s + n - k, suffix, k) == 0;
}

bool zip_stream_worth_compressing(const char *ct)
{
    if (!ct)
        return false;
    static const char *const yes[] = {
        "application/json",       "application/xml", "application/javascript", "application/x-javascript",
        "application/ecmascript", "image/bmp",       "image/x-ms-bmp",         "application/rtf",
        "application/x-ndjson",   "application/csv", "image/svg+xml",
    };
    size_t n = media_type_len(ct);
    if (n > 5 && strncasecmp(ct, "text/", 5) == 0)
        return true;
    if (ends_with(ct, n, "+xml") || ends_with(ct, n, "+json"))
        return true;
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (strlen(yes[i]) == n && strncasecmp(ct, yes[i], n) == 0)
            return true;
    return false;
}
