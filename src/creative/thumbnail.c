/*
 * thumbnail.c — image previews with libvips (see thumbnail.h): the header is read first to refuse
 * oversized images, then vips_thumbnail shrinks while loading (JPEG and WebP decode at reduced
 * size, SVG renders at the target scale) and the result is encoded in memory (at most a few
 * hundred KiB for 320 px) and written to the blob store.
 */
#include "creative/thumbnail.h"

#include <stdio.h>
#include <string.h>
#include <vips/vips.h>

#include "util/log.h"

/* The loaders left enabled (their subclasses — file, buffer, source — follow). */
static const char *const ALLOWED_LOADERS[] = {
    "VipsForeignLoadPng", "VipsForeignLoadJpeg", "VipsForeignLoadNsgif", "VipsForeignLoadWebp", "VipsForeignLoadSvg",
};

/* libvips' warnings (a damaged tile, an odd chunk) become debug lines of our JSON log. */
static void on_vips_log(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
    (void)domain, (void)level, (void)data;
    log_msg(LOG_DEBUG, "libvips: %s", message);
}

int thumbnail_init(const char *argv0)
{
    if (VIPS_INIT(argv0 ? argv0 : "trackgen") != 0)
        return -1;
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    vips_cache_set_max_files(0);
    vips_concurrency_set(1);
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG,
                      on_vips_log, NULL);
    vips_operation_block_set("VipsForeignLoad", TRUE);
    for (size_t i = 0; i < sizeof ALLOWED_LOADERS / sizeof ALLOWED_LOADERS[0]; i++)
        vips_operation_block_set(ALLOWED_LOADERS[i], FALSE);
    return 0;
}

void thumbnail_shutdown(void)
{
    vips_shutdown();
}

bool thumbnail_svg_supported(void)
{
    return vips_type_find("VipsOperation", "svgload") != 0;
}

/* libvips' message (its error buffer is per process: take it and clear it), one line. */
static int fail_vips(char *err, size_t errlen, const char *what)
{
    char *msg = vips_error_buffer_copy();
    size_t n = msg ? strcspn(msg, "\n") : 0;
    snprintf(err, errlen, "%s%s%.*s", what, n ? ": " : "", (int)n, msg ? msg : "");
    g_free(msg);
    return -1;
}

/* Whether the file starts like an SVG document (for a clearer message when SVG is unsupported). */
static bool looks_like_svg(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    char head[1025];
    size_t n = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    head[n] = '\0';
    return strstr(head, "<svg") != NULL;
}

/* Refuses what cannot be previewed before any pixel is decoded: unknown formats and images over
 * the pixel limit (SVG is exempt from the limit: it is rendered at the thumbnail's scale). */
/* Whether the loader class vips_foreign_find_load named (e.g. "VipsForeignLoadPngFile") is one of
 * ALLOWED_LOADERS or below it. */
static bool loader_is(const char *class_name, const char *allowed)
{
    GType t = class_name ? g_type_from_name(class_name) : 0, a = g_type_from_name(allowed);
    return t && a && g_type_is_a(t, a);
}

static bool loader_allowed(const char *class_name)
{
    for (size_t i = 0; i < sizeof ALLOWED_LOADERS / sizeof ALLOWED_LOADERS[0]; i++)
        if (loader_is(class_name, ALLOWED_LOADERS[i]))
            return true;
    return false;
}

static int check_header(const char *src_path, char *err, size_t errlen)
{
    const char *loader = vips_foreign_find_load(src_path);
    if (!loader_allowed(loader)) {
        vips_error_clear();
        if (!thumbnail_svg_supported() && looks_like_svg(src_path)) {
            snprintf(err, errlen, "SVG previews need libvips built with librsvg, which this one is not");
            return -1;
        }
        snprintf(err, errlen, "not a PNG, JPEG, GIF, WebP or SVG image");
        return -1;
    }
    VipsImage *hdr = vips_image_new_from_file(src_path, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    if (!hdr)
        return fail_vips(err, errlen, "cannot read the image header");
    int64_t w = vips_image_get_width(hdr), h = vips_image_get_height(hdr);
    g_object_unref(hdr);
    if (!loader_is(loader, "VipsForeignLoadSvg") && w * h > (int64_t)THUMBNAIL_MAX_MEGAPIXELS * 1000000) {
        snprintf(err, errlen, "the image is %lld x %lld pixels, over the %d-megapixel limit for previews", (long long)w,
                 (long long)h, THUMBNAIL_MAX_MEGAPIXELS);
        return -1;
    }
    return 0;
}

static int store_bytes(blob_store_t *store, const void *p, size_t n, thumbnail_t *out, char *err, size_t errlen)
{
    blob_writer_t *w = blob_put_begin(store, err, errlen);
    if (!w)
        return -1;
    if (blob_put_write(w, p, n) < 0) {
        snprintf(err, errlen, "%s", blob_writer_error(w));
        blob_put_abort(w);
        return -1;
    }
    return blob_put_commit(w, out->hex, &out->size, err, errlen);
}

int thumbnail_make_info(blob_store_t *store, const char *src_path, thumbnail_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (check_header(src_path, err, errlen) < 0)
        return -1;
    VipsImage *thumb = NULL;
    if (vips_thumbnail(src_path, &thumb, THUMBNAIL_MAX_PX, "height", THUMBNAIL_MAX_PX, "size", VIPS_SIZE_DOWN,
                       "fail_on", VIPS_FAIL_ON_ERROR, NULL) != 0)
        return fail_vips(err, errlen, "cannot decode the image");
    bool alpha = vips_image_hasalpha(thumb);
    void *buf = NULL;
    size_t len = 0;
    int rc = alpha ? vips_pngsave_buffer(thumb, &buf, &len, "strip", TRUE, NULL)
                   : vips_jpegsave_buffer(thumb, &buf, &len, "Q", 80, "strip", TRUE, NULL);
    out->width = vips_image_get_width(thumb);
    out->height = vips_image_get_height(thumb);
    g_object_unref(thumb);
    if (rc != 0)
        return fail_vips(err, errlen, "cannot decode the image"); /* decoding runs while saving */
    out->content_type = alpha ? "image/png" : "image/jpeg";
    rc = store_bytes(store, buf, len, out, err, errlen);
    g_free(buf);
    return rc;
}

int thumbnail_make(blob_store_t *store, const char *src_path, char *hex, int *width, int *height, char *err,
                   size_t errlen)
{
    thumbnail_t t;
    if (thumbnail_make_info(store, src_path, &t, err, errlen) < 0)
        return -1;
    memcpy(hex, t.hex, sizeof t.hex);
    *width = t.width;
    *height = t.height;
    return 0;
}
