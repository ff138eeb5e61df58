/*
 * blob_store.h — the content-addressed blob store: files (creatives and their thumbnails) named by
 * the SHA-256 of their bytes. Uploads are streamed into a temporary file while hashed, made durable
 * (fsync), then given their final name at once, so no reader ever sees a partial blob; identical
 * uploads are stored once.
 *
 * The interface is a small table of operations (blob_store_impl.h) so an S3-compatible object store
 * can replace the filesystem one (blob_store_fs.c, the only implementation today) without touching
 * the callers. One store per process, shared by every thread; a writer belongs to one upload.
 *
 * Removal: identical uploads share one blob, so a blob named by one creative may be the very blob
 * another creative names. Nothing on the request path deletes blobs: a failed upload calls
 * blob_put_abort before blob_put_commit; a blob committed and then not used is left to `trackgen gc`
 * (cli/gc.h), which removes it with blob_delete_unused once no row names it and its grace is over.
 */
#ifndef TRACKGEN_BLOB_STORE_H
#define TRACKGEN_BLOB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLOB_HEX_LEN 64

typedef struct blob_store blob_store_t;   /* thread-safe: one per process, shared by all threads */
typedef struct blob_writer blob_writer_t; /* one upload in progress; not shared */

/* The filesystem store rooted at dir (TRACKGEN_BLOB_DIR), created if missing (with its tmp/
 * subdirectory); directories it creates are 0755, blobs 0644 (nginx's worker user may differ from
 * ours). NULL with err filled. The caller owns the store: blob_store_close. */
blob_store_t *blob_store_open_fs(const char *dir, char *err, size_t errlen);
void blob_store_close(blob_store_t *s); /* NULL-safe; no writer may still be open */

/* Starts an upload: a new temporary file (O_TMPFILE in <dir>/tmp, else mkstemp there). NULL with
 * err filled (e.g. disk full). The writer is freed by blob_put_commit or blob_put_abort. */
blob_writer_t *blob_put_begin(blob_store_t *s, char *err, size_t errlen);
/* Appends bytes, hashing them (SHA-256) as they go. 0, or -1 with the reason kept in the writer
 * (blob_writer_error); after a failure every later write fails too and commit refuses. */
int blob_put_write(blob_writer_t *w, const void *p, size_t n);
/* The writer's last error ("" if none); the string belongs to the writer. */
const char *blob_writer_error(const blob_writer_t *w);
/* Bytes written so far. */
uint64_t blob_writer_size(const blob_writer_t *w);
/* Makes the blob durable under its hash: fsync the file, link it to its final name, fsync the
 * directory; if a blob with that hash exists already, the temporary file is discarded (and the
 * existing blob's age restarts, so gc's grace protects it as a fresh upload). Writes the lowercase
 * hex SHA-256 into hex (BLOB_HEX_LEN + 1) and the size into *size. Frees w in every case.
 * 0, or -1 with err filled: the temporary file is gone; if only the last directory fsync failed,
 * the blob may stay under its name, complete, for gc to remove if no row names it. */
int blob_put_commit(blob_writer_t *w, char *hex, uint64_t *size, char *err, size_t errlen);
/* Abandons an upload: the temporary file is removed, nothing remains. Frees w. NULL-safe. */
void blob_put_abort(blob_writer_t *w);

/* True if hex is 64 lowercase hex digits (a blob name). */
bool blob_hex_valid(const char *hex);
/* The blob's path relative to the store root, "ab/cd/abcd…(64 hex)" (for nginx's X-Accel-Redirect,
 * whose internal location is rooted at the same directory). 0, or -1 if hex is not 64 lowercase hex
 * digits or out is too small (outlen >= 2 * BLOB_HEX_LEN is always enough). */
int blob_relative_path(const char *hex, char *out, size_t outlen);

/* Opens the blob for reading (O_RDONLY|O_CLOEXEC): an fd the caller closes, or -1 (errno ENOENT
 * when absent, EINVAL when hex is not a blob name). */
int blob_open(blob_store_t *s, const char *hex);
/* Whether it exists, and its size (size may be NULL). */
bool blob_stat(blob_store_t *s, const char *hex, uint64_t *size);
/* Calls fn(hex, age_seconds, ctx) for every stored blob (never a temporary); stops when fn returns
 * nonzero. hex is lent for the call. 0, or -1 if the store could not be read. */
int blob_each(blob_store_t *s, int (*fn)(const char *hex, int64_t age_seconds, void *ctx), void *ctx);
/* Removes a blob unconditionally: 0 (absent too), or -1. Not for the request path (see above). */
int blob_delete(blob_store_t *s, const char *hex);
/* gc's removal, safe against an identical upload committing at the same moment: with the blob
 * locked against such commits, removes it only if it is at least min_age_seconds old and
 * unused(hex, ctx) returns 1 (0: in use; -1: could not tell). Returns 1 removed, 0 kept (or
 * absent), -1 on an error or when unused returned -1. */
int blob_delete_unused(blob_store_t *s, const char *hex, int64_t min_age_seconds,
                       int (*unused)(const char *hex, void *ctx), void *ctx);
/* Removes temporaries older than max_age_seconds (left by a crashed worker). Returns how many,
 * or -1 if the temporary directory could not be read. */
int blob_sweep_tmp(blob_store_t *s, int64_t max_age_seconds);

#endif
