/*
 * creative_files.c — downloads of creatives: one file, a thumbnail, Download All (see creative_files.h).
 */
#include "api/creative_files.h"

#include <errno.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/creative_store.h"
#include "api/creative_view.h"
#include "api/creatives.h"
#include "api/resource.h"
#include "api/signed_link.h"
#include "db/db.h"
#include "http/response.h"
#include "util/csv_write.h"
#include "util/file_name.h"
#include "util/log.h"
#include "util/text.h"
#include "util/zip_name.h"
#include "util/zip_stream.h"

#define MANIFEST_MAX (CREATIVES_DOWNLOAD_MAX * 12 * 1024) /* a row is well under 12 KiB (its link <= 8 KiB) */

const char *const CREATIVE_DOWNLOAD_QUERY[] = {"offer_id", "ids",  "kind", "source_id", "sub1",
                                               "sub2",     "sub3", "sub4", "sub5",      NULL};

static db_stmt_t OFFER_VISIBLE = DB_STMT("SELECT 1 FROM offers o WHERE o.id = $2 AND " OFFER_VISIBLE_TO_SCOPE, 2, true);

/* Download All's creatives: of offer $2 (not archived), or the ids $3, with something to download. */
static db_stmt_t DOWNLOAD_ROWS =
    DB_STMT("SELECT " CREATIVE_COLUMNS "\n" CREATIVE_FROM " WHERE " CREATIVE_VISIBLE_TO_SCOPE "\n"
            "   AND (c.file_sha256 IS NOT NULL OR c.html_code IS NOT NULL\n"
            "        OR c.text_body IS NOT NULL)\n"
            "   AND ($2::bigint IS NULL OR (c.offer_id = $2 AND c.status <> 'archived'))\n"
            "   AND ($3::bigint[] IS NULL OR c.id = ANY ($3::bigint[]))\n"
            " ORDER BY c.offer_id, c.id\n"
            " LIMIT $4",
            4, true);

/* The headers of every download: attachment, sandboxed, never sniffed, private. */
static int download_headers(request_t *r, const char *file_name)
{
    buf_t d;
    buf_init(&d, 2048);
    int rc = file_name_disposition(file_name, &d) == BUF_OK ? 0 : -1;
    rc = rc == 0 ? resp_header(r, "Content-Disposition", "%s", buf_ptr(&d)) : rc;
    buf_free(&d);
    if (rc < 0)
        return problem_set(&r->problem, PROBLEM_INTERNAL, NULL);
    if (resp_header(r, "Content-Security-Policy", "sandbox") < 0 ||
        resp_header(r, "X-Content-Type-Options", "nosniff") < 0)
        return -1;
    return 0;
}

/* Answers a stored blob through nginx (X-Accel-Redirect), or 304 when If-None-Match names it. */
static int send_blob(request_t *r, const char *hex, const char *content_type)
{
    char rel[2 * BLOB_HEX_LEN];
    if (blob_relative_path(hex, rel, sizeof rel) < 0)
        return problem_set(&r->problem, PROBLEM_INTERNAL, NULL);
    const char *etag = arena_printf(r->arena, "\"%s\"", hex);
    if (resp_cache(r, etag, signed_link_cache_control(r)))
        return resp_empty(r, 304);
    if (resp_header(r, "X-Accel-Redirect", "/_blobs/%s", rel) < 0)
        return -1;
    return resp_bytes(r, 200, content_type, "", 0); /* nginx sends the file in place of this empty body */
}

/* The strong ETag of a generated body: its SHA-256. */
static const char *body_etag(request_t *r, const char *body, size_t len)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (!EVP_Digest(body, len, md, &md_len, EVP_sha256(), NULL))
        abort();
    char hex[2 * 32 + 1];
    text_hex(md, 32, hex);
    return arena_printf(r->arena, "\"%s\"", hex);
}

/* A generated file's name: the creative's name, made safe, with the extension. */
static const char *code_file_name(request_t *r, const char *name, const char *ext)
{
    char base[FILE_NAME_MAX + 1];
    file_name_sanitize(name, strlen(name), "creative", base);
    return arena_printf(r->arena, "%.*s.%s", FILE_NAME_MAX - 8, base, ext);
}

int creative_file_get(request_t *r)
{
    creative_view_t v;
    if (creative_view_parse(r, &v) < 0)
        return -1;
    PGresult *res = creatives_fetch(r, id_param(r, route_param_id(&r->match, "creative_id")));
    if (!res)
        return -1;
    const char *hex = creative_value(res, 0, "file_sha256");
    if (hex) {
        if (download_headers(r, creative_value(res, 0, "file_name_raw")) < 0)
            return -1;
        return send_blob(r, hex, creative_value(res, 0, "file_content_type"));
    }
    const char *type, *ext;
    const char *body = creative_code_body(r, res, 0, &v, &type, &ext);
    if (!body)
        return problem_has(&r->problem) ? -1
                                        : problem_set(&r->problem, PROBLEM_NOT_FOUND, "This creative has no file.");
    if (download_headers(r, code_file_name(r, creative_value(res, 0, "name"), ext)) < 0)
        return -1;
    if (resp_cache(r, body_etag(r, body, strlen(body)), signed_link_cache_control(r)))
        return resp_empty(r, 304);
    return resp_bytes(r, 200, type, body, strlen(body));
}

int creative_thumbnail_get(request_t *r)
{
    PGresult *res = creatives_fetch(r, id_param(r, route_param_id(&r->match, "creative_id")));
    if (!res)
        return -1;
    const char *hex = creative_value(res, 0, "thumbnail_sha256");
    if (!hex)
        return problem_set(&r->problem, PROBLEM_NOT_FOUND, "This creative has no thumbnail.");
    if (resp_header(r, "X-Content-Type-Options", "nosniff") < 0)
        return -1;
    return send_blob(r, hex, creative_value(res, 0, "thumbnail_content_type"));
}

/* What Download All selects: offer_id or ids (as an SQL array), exactly one. */
typedef struct {
    const char *offer; /* SQL parameter or NULL */
    const char *ids;   /* "{1,2,3}" or NULL */
    size_t nids;       /* distinct ids asked */
} download_sel_t;

static int parse_ids(request_t *r, const char *s, size_t len, download_sel_t *sel)
{
    buf_t b;
    buf_init(&b, len + 3);
    buf_append_char(&b, '{');
    int64_t seen[CREATIVES_DOWNLOAD_MAX];
    size_t n = 0;
    const char *p = s, *end = s + len;
    int rc = 0;
    while (rc == 0 && p <= end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        int64_t id;
        if (!text_parse_decimal(p, (size_t)(stop - p), INT64_MAX / 10, &id) || id < 1)
            rc = problem_field(&r->problem, "query", "ids", "must be comma-separated creative ids");
        else {
            bool dup = false;
            for (size_t i = 0; i < n && !dup; i++)
                dup = seen[i] == id;
            if (!dup && n == CREATIVES_DOWNLOAD_MAX)
                rc = problem_field(&r->problem, "query", "ids", "must name at most %d creatives",
                                   CREATIVES_DOWNLOAD_MAX);
            else if (!dup) {
                buf_printf(&b, "%s%" PRId64, n ? "," : "", id);
                seen[n++] = id;
            }
        }
        p = stop + 1;
    }
    buf_append_char(&b, '}');
    if (rc == 0) {
        sel->ids = arena_strndup(r->arena, buf_ptr(&b), b.len);
        sel->nids = n;
    }
    buf_free(&b);
    return rc;
}

static int parse_selection(request_t *r, download_sel_t *sel)
{
    memset(sel, 0, sizeof *sel);
    int64_t offer = 0;
    size_t len = 0;
    const char *ids = query_get(&r->query, "ids", &len);
    int rc = query_int(&r->query, "offer_id", 1, INT64_MAX / 10, 0, &offer, &r->problem);
    if (ids)
        rc |= parse_ids(r, ids, len, sel);
    if (rc)
        return -1;
    if (!offer == !ids)
        return problem_field(&r->problem, "query", offer ? "ids" : "offer_id", "give exactly one of offer_id and ids");
    sel->offer = offer ? id_param(r, offer) : NULL;
    return 0;
}

/* The rows of Download All, checked: the offer visible, every id asked visible (404 otherwise). */
static PGresult *download_rows(request_t *r, const download_sel_t *sel)
{
    if (sel->offer) {
        const char *p[] = {scope_param(r), sel->offer};
        PGresult *o = db_exec(r->db, r->arena, &OFFER_VISIBLE, p, &r->problem);
        if (!o)
            return NULL;
        if (PQntuples(o) == 0) {
            problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL);
            return NULL;
        }
    }
    const char *params[] = {scope_param(r), sel->offer, sel->ids, id_param(r, CREATIVES_DOWNLOAD_MAX + 1)};
    PGresult *res = db_exec(r->db, r->arena, &DOWNLOAD_ROWS, params, &r->problem);
    if (!res)
        return NULL;
    if (sel->ids && (size_t)PQntuples(res) != sel->nids) {
        problem_set(&r->problem, PROBLEM_NOT_FOUND,
                    "Some of these creatives do not exist or have nothing to download.");
        return NULL;
    }
    if (PQntuples(res) > CREATIVES_DOWNLOAD_MAX) {
        problem_set(&r->problem, PROBLEM_UNPROCESSABLE, "This offer has more than %d creatives: choose some with ids.",
                    CREATIVES_DOWNLOAD_MAX);
        return NULL;
    }
    return res;
}

int creatives_download_url(request_t *r)
{
    download_sel_t sel;
    creative_view_t v;
    if (parse_selection(r, &sel) < 0 || creative_view_parse(r, &v) < 0 || !download_rows(r, &sel))
        return -1;
    return signed_link_respond(r, "/v1/creatives/download");
}

/* The entry's extension: the original file's (when it has a short one), else from its type. */
static const char *entry_extension(request_t *r, const PGresult *res, int row)
{
    const char *name = creative_value(res, row, "file_name_raw");
    const char *dot = name ? strrchr(name, '.') : NULL;
    if (dot && dot[1] && strlen(dot + 1) <= 8)
        return arena_strdup(r->arena, dot + 1);
    return "bin";
}

int creative_entry_plan(request_t *r, const PGresult *res, int row, const creative_view_t *v, creative_entry_t *e)
{
    memset(e, 0, sizeof *e);
    const char *ext = NULL;
    e->blob = creative_value(res, row, "file_sha256");
    if (e->blob) {
        e->content = creative_value(res, row, "file_content_type");
        ext = entry_extension(r, res, row);
        e->size = strtoll(creative_value(res, row, "file_size_raw"), NULL, 10);
    } else if (!(e->body = creative_code_body(r, res, row, v, &e->content, &ext)))
        return -1;
    else
        e->size = (int64_t)strlen(e->body);
    e->file = arena_printf(r->arena, "%s.%s", creative_value(res, row, "name"), ext);
    e->mtime = (time_t)strtoll(creative_value(res, row, "updated_epoch"), NULL, 10);
    return 0;
}

/* One entry of the archive: its name, its bytes, and the creative as creative_json shows it. */
typedef struct {
    char name[ZIP_NAME_MAX + 1];
    creative_entry_t c;
    json_t *item; /* for the manifest */
} entry_t;

/* Names every entry and builds creatives.csv (into manifest). Returns 0 or -1 (problem recorded). */
static int plan_entries(request_t *r, const PGresult *res, const creative_view_t *v, entry_t *e, buf_t *manifest)
{
    static const char *const COLUMNS[] = {"id",   "offer_id", "offer_name", "name", "type",         "content_type",
                                          "size", "width",    "height",     "file", "tracking_link"};
    zip_names_t *names = zip_names_new();
    if (!names)
        return problem_set(&r->problem, PROBLEM_SERVICE_UNAVAILABLE, NULL);
    int rc = 0;
    for (size_t c = 0; c < sizeof COLUMNS / sizeof COLUMNS[0]; c++)
        rc |= csv_write_field(manifest, COLUMNS[c], c == 0);
    rc |= csv_write_end_row(manifest);
    for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
        entry_t *x = &e[i];
        x->item = creative_json(r, res, i, v);
        if (!x->item) {
            rc = -1;
            break;
        }
        if (creative_entry_plan(r, res, i, v, &x->c) < 0) {
            rc = -1;
            break;
        }
        if (zip_names_unique(names, creative_value(res, i, "offer_name"), x->c.file, x->name) < 0) {
            rc = problem_set(&r->problem, PROBLEM_SERVICE_UNAVAILABLE, NULL);
            break;
        }
        json_t *link = json_object_get(x->item, "tracking_link");
        json_t *f = json_object_get(x->item, "file");
        json_t *w = json_object_get(f, "width"), *h = json_object_get(f, "height");
        const char *row[] = {
            creative_value(res, i, "id"),
            creative_value(res, i, "offer_id"),
            creative_value(res, i, "offer_name"),
            creative_value(res, i, "name"),
            creative_value(res, i, "type"),
            x->c.content,
            arena_printf(r->arena, "%" PRId64, x->c.size),
            json_is_integer(w) ? arena_printf(r->arena, "%" JSON_INTEGER_FORMAT, json_integer_value(w)) : NULL,
            json_is_integer(h) ? arena_printf(r->arena, "%" JSON_INTEGER_FORMAT, json_integer_value(h)) : NULL,
            x->name,
            json_is_object(link) ? json_string_value(json_object_get(link, "redirect_url")) : NULL,
        };
        for (size_t c = 0; c < sizeof row / sizeof row[0] && rc == 0; c++)
            rc = csv_write_field(manifest, row[c], c == 0);
        rc = rc == 0 ? csv_write_end_row(manifest) : rc;
    }
    zip_names_free(names);
    if (rc != 0 && !problem_has(&r->problem))
        return problem_set(&r->problem, PROBLEM_INTERNAL, "The archive's manifest could not be written.");
    return rc;
}

/* Copies a blob into the current entry. Returns 0 or -1. */
static int copy_blob(blob_store_t *store, zip_stream_t *z, const char *hex, char *chunk)
{
    int fd = blob_open(store, hex);
    if (fd < 0) {
        log_msg(LOG_ERROR, "download: blob %s: %s", hex, strerror(errno));
        return -1;
    }
    ssize_t n;
    int rc = 0;
    while (rc == 0 && (n = read(fd, chunk, CREATIVE_ENTRY_CHUNK)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        rc = n < 0 ? -1 : zip_stream_entry_write(z, chunk, (size_t)n);
    }
    close(fd);
    return rc;
}

int creative_entry_write(zip_stream_t *z, blob_store_t *store, const creative_entry_t *e, const char *name, char *chunk)
{
    int rc = zip_stream_entry_begin(z, name, e->size, e->mtime, zip_stream_worth_compressing(e->content));
    if (rc == 0)
        rc = e->blob ? copy_blob(store, z, e->blob, chunk) : zip_stream_entry_write(z, e->body, (size_t)e->size);
    return rc == 0 ? zip_stream_entry_end(z) : rc;
}

/* Streams the archive: the manifest, then every entry. Returns 0, or -1 (the answer is cut off). */
static int write_archive(request_t *r, blob_store_t *store, const PGresult *res, entry_t *e, const buf_t *manifest)
{
    zip_stream_t *z = zip_stream_new(resp_stream_writer, r);
    char *chunk = malloc(CREATIVE_ENTRY_CHUNK);
    time_t now = time(NULL);
    int rc = z && chunk ? 0 : -1;
    rc = rc == 0 ? zip_stream_entry_begin(z, "creatives.csv", (int64_t)manifest->len, now, true) : rc;
    rc = rc == 0 ? zip_stream_entry_write(z, buf_ptr(manifest), manifest->len) : rc;
    rc = rc == 0 ? zip_stream_entry_end(z) : rc;
    for (int i = 0; i < PQntuples(res) && rc == 0; i++)
        rc = creative_entry_write(z, store, &e[i].c, e[i].name, chunk);
    rc = rc == 0 ? zip_stream_finish(z) : rc;
    if (rc < 0 && z)
        log_msg(LOG_ERROR, "download all: %s", zip_stream_error(z));
    free(chunk);
    zip_stream_free(z);
    return rc;
}

int creatives_download(request_t *r)
{
    download_sel_t sel;
    creative_view_t v;
    if (parse_selection(r, &sel) < 0 || creative_view_parse(r, &v) < 0)
        return -1;
    blob_store_t *store = creative_store(r);
    PGresult *res = store ? download_rows(r, &sel) : NULL;
    if (!res)
        return -1;
    entry_t *e = arena_calloc(r->arena, (size_t)PQntuples(res) + 1, sizeof *e);
    buf_t manifest;
    buf_init(&manifest, MANIFEST_MAX);
    int rc = plan_entries(r, res, &v, e, &manifest);
    if (rc == 0) {
        const char *file = sel.offer ? arena_printf(r->arena, "creatives-offer-%s.zip", sel.offer) : "creatives.zip";
        rc = resp_header(r, "Content-Disposition", "attachment; filename=\"%s\"", file);
        resp_cache_control(r, signed_link_cache_control(r));
        rc = rc == 0 ? resp_stream_begin(r, 200, "application/zip") : rc;
        if (rc == 0 && strcmp(r->method, "HEAD") != 0)
            rc = write_archive(r, store, res, e, &manifest);
    }
    for (int i = 0; i < PQntuples(res); i++)
        json_decref(e[i].item);
    buf_free(&manifest);
    return rc;
}
