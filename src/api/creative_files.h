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

#include "http/request.h"

/* The most creatives one Download All may hold. */
#define CREATIVES_DOWNLOAD_MAX 500

extern const char *const CREATIVE_DOWNLOAD_QUERY[];

int creative_file_get(request_t *r);
int creative_thumbnail_get(request_t *r);
int creatives_download(request_t *r);
int creatives_download_url(request_t *r);

#endif
