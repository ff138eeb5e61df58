/*
 * creative_upload.c — creatives with their files (see creative_upload.h).
 */
#include "api/creative_upload.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/creative_store.h"
#include "api/creatives.h"
#include "api/resource.h"
#include "creative/sniff.h"
#include "creative/thumbnail.h"
#include "db/db.h"
#include "http/multipart.h"
#include "util/file_name.h"
#include "util/log.h"
#include "util/text.h"

#define UPLOAD_CHUNK (64 * 1024)

const char *const CREATIVE_FILE_PUT_QUERY[] = {"filename", NULL};

static db_stmt_t TYPE_OF = DB_STMT("SELECT type, name FROM creatives WHERE id = $1", 1, true);

static db_stmt_t SET_FILE = DB_STMT("UPDATE creatives\n"
                                    "   SET file_sha256 = $2, file_size = $3, content_type = $4, file_name = $5,\n"
                                    "       width = $6, height = $7, thumbnail_sha256 = $8,\n"
                                    "       thumbnail_content_type = $9, updated_at = now()\n"
                                    " WHERE id = $1\n"
                                    "RETURNING id",
                                    9, false);

/* One file being received. */
typedef struct {
    request_t *r;
    blob_store_t *store;
    blob_writer_t *w;    /* the blob being written; NULL before begin and after commit/abort */
    unsigned char *head; /* the first SNIFF_HEAD_MAX bytes (malloc, freed by upload_end) */
    size_t head_len;
} upload_t;

static int upload_begin(upload_t *u, request_t *r)
{
    memset(u, 0, sizeof *u);
    u->r = r;
    u->store = creative_store(r);
    if (!u->store)
        return -1;
    char err[256];
    u->w = blob_put_begin(u->store, err, sizeof err);
    if (!u->w) {
        log_msg(LOG_ERROR, "upload: %s", err);
        return problem_set(&r->problem, PROBLEM_SERVICE_UNAVAILABLE, "The file store cannot take the upload now.");
    }
    u->head = malloc(SNIFF_HEAD_MAX);
    if (!u->head)
        return problem_set(&r->problem, PROBLEM_SERVICE_UNAVAILABLE, NULL);
    return 0;
}

static int upload_write(upload_t *u, const void *p, size_t n)
{
    if (u->head_len < SNIFF_HEAD_MAX) {
        size_t k = n < SNIFF_HEAD_MAX - u->head_len ? n : SNIFF_HEAD_MAX - u->head_len;
        memcpy(u->head + u->head_len, p, k);
        u->head_len += k;
    }
    if (blob_put_write(u->w, p, n) < 0) {
        log_msg(LOG_ERROR, "upload: %s", blob_writer_error(u->w));
        return problem_set(&u->r->problem, PROBLEM_SERVICE_UNAVAILABLE, "The file store cannot take the upload now.");
    }
    return 0;
}

/* Abandons what is not committed and frees the head. Safe to call more than once. */
static void upload_end(upload_t *u)
{
    blob_put_abort(u->w);
    u->w = NULL;
    free(u->head);
    u->head = NULL;
}

static int file_problem(request_t *r, const char *reason)
{
    problem_set(&r->problem, PROBLEM_UNPROCESSABLE, "The file cannot be stored for this creative.");
    return problem_field(&r->problem, "body", "file", "%s", reason);
}

/* The whole file is in: decides its type from its magic bytes, checks it suits `declared`, commits
 * it, makes its thumbnail and fills f (arena). given_name: the name the client gave (may be NULL).
 * Returns 0, or -1 with the problem recorded and nothing stored. */
static int upload_finish(upload_t *u, const char *declared, const char *creative_name, const char *given_name,
                         creative_file_t *f)
{
    request_t *r = u->r;
    uint64_t size = blob_writer_size(u->w);
    sniff_result_t s;
    if (size == 0)
        return problem_field(&r->problem, "body", "file", "is empty");
    if (!sniff_detect(u->head, u->head_len, size == u->head_len, &s))
        return file_problem(r, "is not a file type creatives may hold (PNG, JPEG, GIF, WebP, SVG, HTML, text, MP4, "
                               "WebM, PDF or ZIP)");
    if (!sniff_type_allows(declared, &s))
        return file_problem(
            r, arena_printf(r->arena, "is %s, which a creative of type %s cannot hold", s.content_type, declared));
    char hex[BLOB_HEX_LEN + 1], err[256];
    uint64_t stored;
    int rc = blob_put_commit(u->w, hex, &stored, err, sizeof err);
    u->w = NULL; /* freed by commit in every case */
    if (rc < 0) {
        log_msg(LOG_ERROR, "upload: %s", err);
        return problem_set(&r->problem, PROBLEM_SERVICE_UNAVAILABLE, "The file store cannot take the upload now.");
    }
    char name[FILE_NAME_MAX + 1], fallback[FILE_NAME_MAX + 1];
    char base[FILE_NAME_MAX + 1];
    file_name_sanitize(creative_name, strlen(creative_name), "creative", base);
    snprintf(fallback, sizeof fallback, "%.*s.%s", (int)(FILE_NAME_MAX - 8), base, s.extension);
    file_name_sanitize(given_name ? given_name : "", given_name ? strlen(given_name) : 0, fallback, name);
    *f = (creative_file_t){
        .sha256 = arena_strdup(r->arena, hex),
        .size = arena_printf(r->arena, "%" PRIu64, stored),
        .content_type = s.content_type,
        .name = arena_strdup(r->arena, name),
        .width = s.width > 0 ? arena_printf(r->arena, "%d", s.width) : NULL,
        .height = s.height > 0 ? arena_printf(r->arena, "%d", s.height) : NULL,
    };
    bool svg = strcmp(s.extension, "svg") == 0;
    if (strcmp(s.creative_type, "image") == 0 && creative_store_thumbnails() && (!svg || thumbnail_svg_supported())) {
        thumbnail_t t;
        const char *path = creative_store_path(r, hex);
        if (path && thumbnail_make_info(u->store, path, &t, err, sizeof err) == 0) {
            f->thumbnail_sha256 = arena_strdup(r->arena, t.hex);
            f->thumbnail_content_type = t.content_type;
        } else if (!svg) { /* a raster image libvips cannot decode is damaged */
            return file_problem(r, arena_printf(r->arena, "is an image that cannot be decoded (%s)", err));
        } else {
            log_msg(LOG_WARN, "upload: no thumbnail for an SVG: %s", err);
        }
    }
    return 0;
}

/* Streams the request body (the raw file) into u. Returns 0 or -1 (problem recorded). */
static int upload_body(upload_t *u)
{
    char *chunk = malloc(UPLOAD_CHUNK);
    if (!chunk)
        return problem_set(&u->r->problem, PROBLEM_SERVICE_UNAVAILABLE, NULL);
    long n;
    int rc = 0;
    while (rc == 0 && (n = req_body_read(u->r, chunk, UPLOAD_CHUNK)) > 0)
        rc = upload_write(u, chunk, (size_t)n);
    free(chunk);
    return rc < 0 || n < 0 ? -1 : 0;
}

int creative_file_put(request_t *r)
{
    const char *id = id_param(r, route_param_id(&r->match, "creative_id"));
    size_t glen = 0;
    const char *given = query_get(&r->query, "filename", &glen);
    if (given && (glen == 0 || glen > 1024))
        return problem_field(&r->problem, "query", "filename", "must be 1 to 1024 bytes long");
    const char *params[] = {id};
    PGresult *res = db_exec(r->db, r->arena, &TYPE_OF, params, &r->problem);
    if (!res)
        return -1;
    if (PQntuples(res) == 0)
        return problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL);
    if (r->body_len == 0)
        return problem_field(&r->problem, "body", "file", "is empty");
    upload_t u;
    creative_file_t f;
    int rc = upload_begin(&u, r);
    rc = rc == 0 ? upload_body(&u) : rc;
    rc = rc == 0 ? upload_finish(&u, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), given, &f) : rc;
    upload_end(&u);
    if (rc < 0)
        return -1;
    const char *set[] = {
        id, f.sha256, f.size, f.content_type, f.name, f.width, f.height, f.thumbnail_sha256, f.thumbnail_content_type};
    if (!db_exec(r->db, r->arena, &SET_FILE, set, &r->problem))
        return -1;
    return creatives_respond(r, id, 200);
}

/* A multipart/form-data creation in progress. */
typedef struct {
    request_t *r;
    enum { PART_NONE, PART_METADATA, PART_FILE } part;
    bool have_metadata, have_file;
    buf_t metadata; /* the metadata part, up to TRACKGEN_MAX_BODY */
    json_t *json;   /* parsed metadata (released at the end) */
    field_value_t v[CREATIVE_F_COUNT];
    upload_t upload;
    bool uploading;
    const char *file_name; /* as given (arena), or NULL */
} form_t;

static int bad_form(form_t *fm, const char *field, const char *reason)
{
    problem_field(&fm->r->problem, "body", field, "%s", reason);
    return 1;
}

static int part_begin(void *ctx, const char *name, const char *filename, const char *content_type)
{
    (void)content_type; /* never trusted: the type comes from the file's bytes */
    form_t *fm = ctx;
    if (strcmp(name, "metadata") == 0) {
        if (fm->have_metadata || fm->have_file)
            return bad_form(fm, "metadata", "must be the first part, and only once");
        fm->part = PART_METADATA;
        return 0;
    }
    if (strcmp(name, "file") == 0) {
        if (!fm->have_metadata)
            return bad_form(fm, "metadata", "must come before the file part");
        if (fm->have_file)
            return bad_form(fm, "file", "must be sent only once");
        if (upload_begin(&fm->upload, fm->r) < 0)
            return 1;
        fm->uploading = true;
        fm->file_name = filename ? arena_strdup(fm->r->arena, filename) : NULL;
        fm->part = PART_FILE;
        return 0;
    }
    return bad_form(fm, name, "is not a part of this form (metadata, file)");
}

static int part_data(void *ctx, const void *p, size_t n)
{
    form_t *fm = ctx;
    if (fm->part == PART_METADATA) {
        if (buf_append(&fm->metadata, p, n) != BUF_OK) {
            problem_set(&fm->r->problem, PROBLEM_PAYLOAD_TOO_LARGE,
                        "The metadata part is larger than the JSON cap of %zu bytes (TRACKGEN_MAX_BODY).",
                        fm->metadata.max);
            return 1;
        }
        return 0;
    }
    return upload_write(&fm->upload, p, n) < 0 ? 1 : 0;
}

static int part_end(void *ctx)
{
    form_t *fm = ctx;
    if (fm->part == PART_FILE) {
        fm->have_file = true;
    } else if (fm->part == PART_METADATA) {
        fm->have_metadata = true;
        json_error_t e;
        fm->json = json_loadb(buf_ptr(&fm->metadata), fm->metadata.len, JSON_REJECT_DUPLICATES, &e);
        if (!fm->json || !json_is_object(fm->json))
            return bad_form(fm, "metadata", fm->json ? "must be a JSON object" : "is not valid JSON");
        if (validate_object(fm->json, CREATIVE_FIELDS, CREATIVE_F_COUNT, fm->v, &fm->r->problem) < 0)
            return 1;
    }
    fm->part = PART_NONE;
    return 0;
}

/* Reads the whole multipart body through the parser. Returns 0 or -1 (problem recorded). */
static int read_form(request_t *r, form_t *fm)
{
    static const multipart_callbacks_t cb = {part_begin, part_data, part_end};
    const char *why = NULL;
    multipart_t *m = multipart_new(req_header(r, "CONTENT_TYPE"), &cb, fm, &why);
    if (!m)
        return problem_field(&r->problem, "header", "Content-Type", "%s", why);
    char *chunk = malloc(UPLOAD_CHUNK);
    int rc = chunk ? 0 : problem_set(&r->problem, PROBLEM_SERVICE_UNAVAILABLE, NULL);
    long n = 0;
    while (rc == 0 && (n = req_body_read(r, chunk, UPLOAD_CHUNK)) > 0) {
        int fed = multipart_feed(m, chunk, (size_t)n, &why);
        if (fed < 0)
            rc = problem_field(&r->problem, "body", "multipart", "%s", why);
        else if (fed > 0)
            rc = -1; /* a callback recorded why */
    }
    if (rc == 0 && n < 0)
        rc = -1;
    if (rc == 0 && multipart_finish(m, &why) < 0)
        rc = problem_field(&r->problem, "body", "multipart", "%s", why);
    if (rc == 0 && !fm->have_metadata)
        rc = problem_field(&r->problem, "body", "metadata", "is required");
    if (rc == 0 && !fm->have_file)
        rc = problem_field(&r->problem, "body", "file", "is required (without a file, send the metadata as JSON)");
    free(chunk);
    multipart_free(m);
    return rc;
}

static int create_multipart(request_t *r)
{
    form_t fm = {.r = r};
    buf_init(&fm.metadata, r->cfg->max_body);
    creative_file_t f;
    int rc = read_form(r, &fm);
    rc = rc == 0 ? upload_finish(&fm.upload, fm.v[CREATIVE_F_TYPE].s, fm.v[CREATIVE_F_NAME].s, fm.file_name, &f) : rc;
    if (fm.uploading)
        upload_end(&fm.upload);
    rc = rc == 0 ? creatives_insert(r, fm.v, &f) : rc;
    json_decref(fm.json); /* after the insert: v borrows from it */
    buf_free(&fm.metadata);
    return rc;
}

int creatives_create(request_t *r)
{
    const char *ct = req_header(r, "CONTENT_TYPE");
    if (ct && strncasecmp(ct, "multipart/form-data", 19) == 0)
        return create_multipart(r);
    /* A JSON body has the JSON cap (TRACKGEN_MAX_BODY), although the route takes uploads. */
    field_value_t v[CREATIVE_F_COUNT];
    if (req_body_limit(r, BODY_JSON) < 0 || body_validated(r, CREATIVE_FIELDS, CREATIVE_F_COUNT, v) < 0)
        return -1;
    return creatives_insert(r, v, NULL);
}
