/*
 * creative_files.h — the bytes of creatives, for a key or a signed URL (ROUTE_SIGNED):
 * GET /v1/creatives/{id}/file (one download), GET /v1/creatives/{id}/thumbnail, and Download All
 * (GET /v1/creatives/download, a ZIP streamed while it is written) with its key-less URL
 * (GET /v1/creatives/download-url).
 *
 * Stored files are sent by nginx, not the worker: once the caller may see the creative (checked
 * live, also for a signed URL), the worker answers X-Accel-Redirect to the internal /_blobs/
 * location (deploy/nginx.conf.template), which gives sendfile, Range and HEAD; the worker itself
 * answers If-None-Match against the file's SHA-256. Every download is an attachment with
 * Content-Security-Policy: sandbox and X-Content-Type-Options: nosniff, so an HTML or SVG file can
 * never run on our origin. Code creatives (html, email, text without a file) are generated with the
 * caller's link inserted. Download All is a heavy answer (README, "Heavy answers").
 */
#ifndef TRACKGEN_CREATIVE_FILES_H
#define TRACKGEN_CREATIVE_FILES_H

#include <libpq-fe.h>
#include <stdint.h>
#include <time.h>

#include "api/creative_view.h"
#include "http/request.h"
#include "store/blob_store.h"
#include "util/zip_stream.h"

/* The most creatives one Download All may hold. */
#define CREATIVES_DOWNLOAD_MAX 500

extern const char *const CREATIVE_DOWNLOAD_QUERY[];

int creative_file_get(request_t *r);
int creative_thumbnail_get(request_t *r);
int creatives_download(request_t *r);
int creatives_download_url(request_t *r);

/* One creative as an archive entry, for ZIPs that hold creatives (Download All, asset packages). */
typedef struct {
    const char *blob;    /* the stored file's SHA-256 hex, or NULL */
    const char *body;    /* or the generated code with the links inserted (arena) */
    const char *content; /* media type */
    const char *file;    /* "<name>.<ext>", unsanitised (arena): give it to zip_names_unique */
    int64_t size;        /* bytes */
    time_t mtime;        /* the creative's updated_at */
} creative_entry_t;
/* The scratch buffer creative_entry_write needs, in bytes. */
#define CREATIVE_ENTRY_CHUNK (64 * 1024)
/* The entry of row `row` of a CREATIVE_COLUMNS result seen through v. Returns 0, or -1 with the
 * problem recorded. */
int creative_entry_plan(request_t *r, const PGresult *res, int row, const creative_view_t *v, creative_entry_t *e);
/* Writes e as the entry `name` of z (blobs read from store through chunk, CREATIVE_ENTRY_CHUNK bytes).
 * Returns 0 or -1 (logged when a blob cannot be read). */
int creative_entry_write(zip_stream_t *z, blob_store_t *store, const creative_entry_t *e, const char *name,
                         char *chunk);

#endif
