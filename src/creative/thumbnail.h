/*
 * thumbnail.h — previews of image creatives (PNG, JPEG, GIF, WebP, SVG) made with libvips and
 * stored in the blob store like the files themselves, so a partner UI can show a grid of them.
 *
 * libvips is set up for a server by thumbnail_init: no operation cache, one thread per call, and
 * only the five loaders above enabled (every other libvips loader — TIFF, PDF, HEIF, ImageMagick,
 * ... — is blocked, so a disguised file cannot reach a decoder we never meant to expose).
 * Decoding is bounded: an image over THUMBNAIL_MAX_MEGAPIXELS is refused from its header, before
 * any pixel is decoded; a damaged file fails instead of giving a half-grey preview.
 * thumbnail_make is thread-safe once thumbnail_init has run.
 */
#ifndef TRACKGEN_THUMBNAIL_H
#define TRACKGEN_THUMBNAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/blob_store.h"

#define THUMBNAIL_MAX_PX 320
#define THUMBNAIL_MAX_MEGAPIXELS 50

/* Call once per process before threads use it (VIPS_INIT, cache off, concurrency 1, loaders
 * limited). 0, or -1 (libvips could not start). */
int thumbnail_init(const char *argv0);
/* Releases libvips' process-wide state (vips_shutdown); call once at exit, after every thread
 * is done with thumbnails. */
void thumbnail_shutdown(void);
/* Whether this libvips can read SVG (librsvg loader). */
bool thumbnail_svg_supported(void);

typedef struct {
    char hex[BLOB_HEX_LEN + 1]; /* the thumbnail's blob */
    uint64_t size;              /* its bytes */
    int width, height;          /* its pixels: longest side <= THUMBNAIL_MAX_PX */
    const char *content_type;   /* static: "image/png" (the source has alpha) or "image/jpeg" */
} thumbnail_t;

/* A thumbnail (longest side <= THUMBNAIL_MAX_PX, never upscaled, aspect kept, metadata stripped) of
 * the image in the file at src_path, as PNG if the source has alpha, else JPEG quality 80, stored
 * in store. 0, or -1 with err filled (not an image of the five formats, SVG without librsvg,
 * decoding failed, over THUMBNAIL_MAX_MEGAPIXELS, the store failed); nothing is stored then. */
int thumbnail_make_info(blob_store_t *store, const char *src_path, thumbnail_t *out, char *err, size_t errlen);
/* The same, giving only the blob's hex (BLOB_HEX_LEN + 1), width and height. */
int thumbnail_make(blob_store_t *store, const char *src_path, char *hex, int *width, int *height, char *err,
                   size_t errlen);

#endif
