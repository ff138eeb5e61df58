/*
 * zip_stream.h — a ZIP archive written while it streams (Download All): libarchive's ZIP writer
 * sends every byte to a callback as soon as it is produced, so nothing seeks and neither an entry
 * nor the archive is ever held in memory (memory stays a few hundred KiB whatever the total).
 *
 * Each entry is deflated or stored as the caller chooses (zip_stream_worth_compressing), sizes and
 * CRCs follow the data in a data descriptor, ZIP64 records are used when sizes or offsets need
 * them, and a non-ASCII name is flagged UTF-8 (general purpose bit 11; an ASCII name reads the same
 * in every ZIP charset, and libarchive leaves the bit off there). Entry names must already be safe
 * and unique (util/zip_name.h): this module writes them as given.
 *
 * One zip_stream_t per archive, used by one thread. Functions return 0 or -1; after -1 the
 * archive is broken (zip_stream_error says why) and only zip_stream_free remains to call.
 */
#ifndef TRACKGEN_ZIP_STREAM_H
#define TRACKGEN_ZIP_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Receives the archive's bytes in order: 0, or -1 to abort (e.g. the client went away). */
typedef int (*zip_stream_write_fn)(void *ctx, const void *p, size_t n);
typedef struct zip_stream zip_stream_t;

/* A new archive writing to write(ctx, ...). NULL on failure (out of memory). The caller owns it:
 * zip_stream_free. */
zip_stream_t *zip_stream_new(zip_stream_write_fn write, void *ctx);
/* Starts an entry named name (UTF-8, already safe and unique), of exactly size bytes when known
 * (-1 if not), modified at mtime, deflated if compress else stored. 0 or -1. */
int zip_stream_entry_begin(zip_stream_t *z, const char *name, int64_t size, time_t mtime, bool compress);
/* Appends n bytes to the open entry; more than the declared size is an error. 0 or -1. */
int zip_stream_entry_write(zip_stream_t *z, const void *p, size_t n);
/* Ends the open entry; fewer bytes than the declared size is an error. 0 or -1. */
int zip_stream_entry_end(zip_stream_t *z);
/* Writes the central directory (the archive is complete once it returns 0). 0 or -1. */
int zip_stream_finish(zip_stream_t *z);
/* Why the last call failed ("" if none); the string belongs to z. */
const char *zip_stream_error(const zip_stream_t *z);
/* Frees z (NULL-safe). An unfinished archive is abandoned: nothing more reaches the callback. */
void zip_stream_free(zip_stream_t *z);

/* Whether a content type is worth deflating: any text/ type, JSON, XML and their +json/+xml kinds (SVG),
 * JavaScript, BMP: yes; already-compressed formats (PNG, JPEG, GIF, WebP, MP4, WebM, ZIP, PDF, ...)
 * and anything unknown: no. Parameters (";charset=...") and case are ignored. NULL: no. */
bool zip_stream_worth_compressing(const char *content_type);

#endif
