/*
 * qr.c — QR code images of tracking links and of arbitrary text (see qr.h).
 */
#include "api/qr.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/resource.h"
#include "api/signed_link.h"
#include "http/response.h"
#include "qr/qr_code.h"
#include "qr/qr_image.h"
#include "qr/qr_options.h"
#include "track/link_url.h"
#include "track/token.h"
#include "util/text.h"

#define QR_DATA_MAX_CHARS 4096
#define QR_IMAGE_MAX (8 * 1024 * 1024) /* far above the largest image: 2048 px, version 40 */
#define QR_CACHE_CONTROL "public, max-age=86400"

const char *const QR_LINK_QUERY[] = {"source_id", "sub1", "sub2", "sub3", "sub4",     "sub5", "size",
                                     "margin",    "ecc",  "fg",   "bg",   "download", NULL};
const char *const QR_DATA_QUERY[] = {"data", "size", "margin", "ecc", "fg", "bg", "download", "format", NULL};

static const char *const MEDIA_TYPE[] = {[QR_FORMAT_PNG] = "image/png", [QR_FORMAT_SVG] = "image/svg+xml"};
static const char *const EXTENSION[] = {[QR_FORMAT_PNG] = "png", [QR_FORMAT_SVG] = "svg"};

/* Drawing is pure CPU work. With more drawing threads than cores the scheduler time-slices them
 * all and every image takes as long as the slowest (p99 ~50 ms at 32 connections); letting only
 * as many draw at once as there are cores keeps each image's latency near its own cost. */
static sem_t drawing_slots;
static pthread_once_t drawing_once = PTHREAD_ONCE_INIT;

static void drawing_init(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (sem_init(&drawing_slots, 0, cores > 0 ? (unsigned)cores : 1) != 0)
        abort();
}

/* A strong ETag over everything the image depends on (quoted, arena memory); the prefix names the
 * drawing rules (qr2: exactly size pixels), so a change of them changes every ETag. */
static const char *image_etag(request_t *r, const char *data, size_t len, const qr_options_t *o)
{
    char opts[96];
    int n = snprintf(opts, sizeof opts, "qr2|%d|%d|%d|%c|%02x%02x%02x|%02x%02x%02x|%d|", o->format, o->size, o->margin,
                     o->ecc, o->fg.r, o->fg.g, o->fg.b, o->bg.r, o->bg.g, o->bg.b, o->download);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) || !EVP_DigestUpdate(ctx, opts, (size_t)n) ||
        !EVP_DigestUpdate(ctx, data, len) || !EVP_DigestFinal_ex(ctx, md, &md_len))
        abort();
    EVP_MD_CTX_free(ctx);
    char hex[41];
    text_hex(md, 20, hex);
    return arena_printf(r->arena, "\"%s\"", hex);
}

typedef struct {
    const char *data; /* lives until the request's arena is reset */
    size_t len;
} image_t;

qr_render_result_t qr_render(arena_t *a, const char *data, size_t len, const qr_options_t *o, buf_t *out, int *min_size)
{
    qr_matrix_t m;
    qr_encode_result_t enc = qr_encode(a, data, len, o->ecc, &m);
    if (enc != QR_ENCODED)
        return enc == QR_TOO_LONG ? QR_RENDER_TOO_LONG : QR_RENDER_BAD_INPUT;
    int px = qr_module_pixels(&m, o);
    if (px < 1) {
        if (min_size)
            *min_size = qr_min_size(&m, o);
        return QR_RENDER_TOO_SMALL;
    }
    pthread_once(&drawing_once, drawing_init);
    while (sem_wait(&drawing_slots) != 0)
        ; /* EINTR */
    int rc = o->format == QR_FORMAT_SVG ? qr_svg_write(&m, o, px, out) : qr_png_write(&m, o, px, out);
    sem_post(&drawing_slots);
    return rc < 0 ? QR_RENDER_FAILED : QR_RENDER_OK;
}

void qr_render_defaults(qr_options_t *o, qr_format_t format)
{
    query_t none;
    memset(&none, 0, sizeof none);
    problem_t p;
    memset(&p, 0, sizeof p);
    qr_options_parse(&none, o, &p); /* no parameters: the defaults, never an error */
    o->format = format;
}

/* Encodes and draws into *img, or records why not. */
static int draw(request_t *r, const char *data, size_t len, const qr_options_t *o, const char *data_field, image_t *img)
{
    buf_t b;
    buf_init(&b, QR_IMAGE_MAX);
    int min = 0;
    qr_render_result_t rc = qr_render(r->arena, data, len, o, &b, &min);
    if (rc != QR_RENDER_OK)
        buf_free(&b);
    if (rc == QR_RENDER_TOO_LONG) {
        problem_set(&r->problem, PROBLEM_UNPROCESSABLE, "The data does not fit in a QR code at ECC level %c.", o->ecc);
        return problem_field(&r->problem, "query", data_field,
                             "is %zu bytes: too long for a QR code at ECC level %c, which holds at most %zu bytes of "
                             "text (use a lower ecc level or shorter data)",
                             len, o->ecc, qr_capacity_bytes(o->ecc));
    }
    if (rc == QR_RENDER_BAD_INPUT)
        return problem_field(&r->problem, "query", data_field, "cannot be encoded");
    if (rc == QR_RENDER_TOO_SMALL) {
        problem_set(&r->problem, PROBLEM_UNPROCESSABLE, "The image is too small for this QR code.");
        return problem_field(&r->problem, "query", "size",
                             "must be at least %d pixels: this code is %d modules wide including the margin", min, min);
    }
    if (rc != QR_RENDER_OK)
        return problem_set(&r->problem, PROBLEM_INTERNAL, "The image could not be drawn.");
    char *bytes = buf_take(&b, &img->len);
    arena_cleanup_add(r->arena, free, bytes); /* freed with the request, after the answer is sent */
    img->data = bytes;
    return 0;
}

/* Answers with the image of data (or 304), or records why not: data_field names what made the
 * data too long. */
static int respond_image(request_t *r, const char *data, size_t len, const qr_options_t *o, const char *data_field,
                         const char *filename)
{
    /* Through a signed URL (GET /v1/qr of a coupon code): private, as long as the URL lives. */
    const char *cache = signed_link_used(r) ? signed_link_cache_control(r) : QR_CACHE_CONTROL;
    if (resp_cache(r, image_etag(r, data, len, o), cache))
        return resp_empty(r, 304);
    image_t img = {NULL, 0};
    if (draw(r, data, len, o, data_field, &img) < 0)
        return -1;
    if ((o->download &&
         resp_header(r, "Content-Disposition", "attachment; filename=\"%s.%s\"", filename, EXTENSION[o->format]) < 0) ||
        resp_header(r, "X-Content-Type-Options", "nosniff") < 0)
        return -1;
    return resp_bytes(r, 200, MEDIA_TYPE[o->format], img.data, img.len);
}

int qr_link_image(request_t *r)
{
    size_t len = 0;
    const char *file = route_param_str(&r->match, "file", &len);
    qr_options_t o;
    const char *dot = file ? memrchr(file, '.', len) : NULL;
    size_t token_len = dot ? (size_t)(dot - file) : 0;
    size_t ext_len = dot ? len - token_len - 1 : 0;
    qr_format_t format = !dot                                              ? QR_FORMAT_NONE
                         : ext_len == 3 && strncmp(dot + 1, "png", 3) == 0 ? QR_FORMAT_PNG
                         : ext_len == 3 && strncmp(dot + 1, "svg", 3) == 0 ? QR_FORMAT_SVG
                                                                           : QR_FORMAT_NONE;
    token_claims_t claims;
    const char *secret = r->cfg->secret;
    if (format == QR_FORMAT_NONE ||
        !token_verify(file, token_len, (const unsigned char *)secret, strlen(secret), &claims))
        return problem_set(&r->problem, PROBLEM_NOT_FOUND,
                           "No tracking link has this token (use /qr/{token}.png or .svg).");
    link_params_t lp;
    int bad = link_params_from_query(r, &lp);
    bad |= qr_options_parse(&r->query, &o, &r->problem);
    if (bad)
        return -1;
    o.format = format;
    const char *token = arena_strndup(r->arena, file, token_len);
    buf_t url;
    buf_init(&url, LINK_URL_MAX_BYTES);
    int built = link_url_build(r->cfg->public_url, "c", token, "", &lp, &url);
    const char *data = arena_strndup(r->arena, buf_ptr(&url), url.len);
    size_t data_len = url.len;
    buf_free(&url);
    if (built != BUF_OK) {
        problem_set(&r->problem, PROBLEM_UNPROCESSABLE, "The link would be longer than the %d bytes a link may have.",
                    LINK_URL_MAX_BYTES);
        return link_params_too_long(&lp, "query", "link", &r->problem);
    }
    return respond_image(r, data, data_len, &o, "ecc", arena_printf(r->arena, "trackgen-qr-%s", token));
}

int qr_data_image(request_t *r)
{
    size_t len = 0;
    const char *data = query_get(&r->query, "data", &len);
    int bad = 0;
    if (!data)
        bad = problem_field(&r->problem, "query", "data", "is required");
    else if (len == 0 || text_utf8_length(data, len) > QR_DATA_MAX_CHARS)
        bad = problem_field(&r->problem, "query", "data", "must be 1 to %d characters long", QR_DATA_MAX_CHARS);
    else if (memchr(data, '\0', len))
        bad = problem_field(&r->problem, "query", "data", "must not contain NUL characters");
    qr_options_t o;
    bad |= qr_options_parse(&r->query, &o, &r->problem);
    bad |= qr_options_parse_format(&r->query, &o, &r->problem);
    if (bad)
        return -1;
    if (o.format == QR_FORMAT_NONE) {
        if (resp_header(r, "Vary", "Accept") < 0)
            return -1;
        o.format = qr_format_from_accept(req_header(r, "HTTP_ACCEPT"));
        if (o.format == QR_FORMAT_NONE)
            return problem_set(&r->problem, PROBLEM_NOT_ACCEPTABLE,
                               "This resource is image/png or image/svg+xml; accept one of them or use ?format=.");
    }
    return respond_image(r, data, len, &o, "data", "trackgen-qr");
}
