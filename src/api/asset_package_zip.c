/*
 * asset_package_zip.c — an asset package as one streamed ZIP (see asset_package_zip.h).
 */
#include "api/asset_package_zip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/asset_package.h"
#include "api/coupons.h"
#include "api/creative_files.h"
#include "api/creative_store.h"
#include "api/creative_view.h"
#include "api/link_selection.h"
#include "api/qr.h"
#include "api/resource.h"
#include "api/signed_link.h"
#include "db/db.h"
#include "http/response.h"
#include "qr/qr_code.h"
#include "util/csv_write.h"
#include "util/log.h"
#include "util/zip_name.h"
#include "util/zip_stream.h"

#define CSV_OFFER_MAX (16 * 1024 * 1024) /* one offer's rows of tracking-links.csv: links of <= 8 KiB URLs */
#define QR_IMAGE_MAX (8 * 1024 * 1024)   /* as GET /qr: far above the largest image */
#define README_MAX (64 * 1024)
#define ENTRY_NAME_MAX (ZIP_NAME_MAX + 16) /* "creatives/" or "qr/" and a name */

/* The snapshot every part reads: the same offers, links and names in each pass. */
static db_stmt_t SNAPSHOT = DB_STMT("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", 0, false);

static const char *const LINK_COLUMNS[] = {"offer_id",   "offer",        "offer_url_id", "url_name",
                                           "kind",       "redirect_url", "direct_url",   "impression_url",
                                           "qr_png_url", "qr_svg_url",   "qr_png_file",  "qr_svg_file"};
#define LINK_NCOLUMNS (sizeof LINK_COLUMNS / sizeof LINK_COLUMNS[0])

/* One archive being written. */
typedef struct {
    request_t *r;
    const asset_package_t *p;
    zip_stream_t *z;
    arena_t *page;       /* one page of offers: rows, links, bodies; reset per page */
    blob_store_t *store; /* creative files (NULL when the package has none) */
    char *chunk;         /* CREATIVE_ENTRY_CHUNK bytes */
    zip_names_t *names;  /* the names the current part gave out */
    time_t now;
} pkg_zip_t;

typedef int (*page_fn)(pkg_zip_t *x, const PGresult *offers, int n);

static void decref(void *j)
{
    json_decref(j);
}

static void destroy_arena(void *a)
{
    arena_destroy(a);
}

static int write_to_entry(void *ctx, const void *p, size_t n)
{
    return zip_stream_entry_write(ctx, p, n);
}

/* Runs fn on every page of the package's offers, with the request's arena pointed at the page's
 * (so what links and bodies allocate is freed page by page). 0 or -1. */
static int each_page(pkg_zip_t *x, page_fn fn)
{
    request_t *r = x->r;
    arena_t *own = r->arena;
    const char *fetch = id_param(r, PACKAGE_ZIP_PAGE);
    char after[24] = "0";
    int rc = 0;
    for (;;) {
        arena_reset(x->page);
        r->arena = x->page;
        PGresult *res = asset_package_offers(r, x->page, x->p, after, fetch);
        int n = res ? PQntuples(res) : 0;
        rc = res ? fn(x, res, n) : -1;
        r->arena = own;
        if (rc < 0 || n < PACKAGE_ZIP_PAGE)
            return rc;
        snprintf(after, sizeof after, "%s", PQgetvalue(res, n - 1, 0));
    }
}

/* Runs fn over the offers with a fresh set of names (one part of the archive). 0 or -1. */
static int part(pkg_zip_t *x, page_fn fn)
{
    x->names = zip_names_new();
    int rc = x->names ? each_page(x, fn) : -1;
    zip_names_free(x->names);
    x->names = NULL;
    return rc;
}

/* The links of row i, as POST /v1/tracking-links makes them (in the page's arena), or NULL. */
static json_t *row_links(pkg_zip_t *x, const PGresult *res, int i)
{
    json_t *links = json_array();
    arena_cleanup_add(x->r->arena, decref, links);
    if (asset_package_links_of(x->p, res, i) &&
        link_selection_add_links(x->r, &x->p->link, res, i, x->p->only_url, x->p->include_urls, links) < 0)
        return NULL;
    return links;
}

/* Whether a link's redirect_url can be drawn as a QR code with the defaults, as GET /qr/{token}
 * would (a link with long parameters may not: it then has no images, and empty file names in
 * tracking-links.csv). */
static bool qr_fits(pkg_zip_t *x, const json_t *link)
{
    qr_options_t o;
    qr_render_defaults(&o, QR_FORMAT_PNG);
    const char *data = json_string_value(json_object_get(link, "redirect_url"));
    qr_matrix_t m;
    return qr_encode(x->r->arena, data, strlen(data), o.ecc, &m) == QR_ENCODED;
}

/* The names of a link's QR images, "qr/<offer>[-<url>].png" and ".svg" (out: ENTRY_NAME_MAX + 1),
 * or "" when it has none. */
static int qr_names(pkg_zip_t *x, const json_t *link, char *png, char *svg)
{
    png[0] = svg[0] = '\0';
    if (!qr_fits(x, link))
        return 0;
    const char *offer = json_string_value(json_object_get(link, "offer_name"));
    const char *url = json_string_value(json_object_get(link, "url_name"));
    const char *stem = url ? arena_printf(x->r->arena, "%s-%s", offer, url) : offer;
    char name[ZIP_NAME_MAX + 1];
    if (zip_names_unique(x->names, NULL, arena_printf(x->r->arena, "%s.png", stem), name) < 0)
        return -1;
    snprintf(png, ENTRY_NAME_MAX + 1, "qr/%s", name);
    if (zip_names_unique(x->names, NULL, arena_printf(x->r->arena, "%s.svg", stem), name) < 0)
        return -1;
    snprintf(svg, ENTRY_NAME_MAX + 1, "qr/%s", name);
    return 0;
}

static const char *link_text(const json_t *link, const char *key)
{
    return json_string_value(json_object_get(link, key));
}

/* tracking-links.csv: a page of offers' rows (flushed offer by offer). */
static int links_csv_page(pkg_zip_t *x, const PGresult *res, int n)
{
    buf_t out;
    buf_init(&out, CSV_OFFER_MAX);
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        json_t *links = row_links(x, res, i), *l;
        size_t k;
        rc = links ? 0 : -1;
        buf_clear(&out);
        json_array_foreach(links, k, l)
        {
            char png[ENTRY_NAME_MAX + 1], svg[ENTRY_NAME_MAX + 1];
            rc = rc == 0 ? qr_names(x, l, png, svg) : rc;
            if (rc < 0)
                continue;
            json_t *url_id = json_object_get(l, "offer_url_id");
            const char *row[LINK_NCOLUMNS] = {
                PQgetvalue(res, i, 0),
                link_text(l, "offer_name"),
                json_is_integer(url_id) ? arena_printf(x->r->arena, "%" JSON_INTEGER_FORMAT, json_integer_value(url_id))
                                        : NULL,
                link_text(l, "url_name"),
                link_text(l, "kind"),
                link_text(l, "redirect_url"),
                link_text(l, "direct_url"),
                link_text(l, "impression_url"),
                link_text(l, "qr_png_url"),
                link_text(l, "qr_svg_url"),
                png[0] ? png : NULL,
                svg[0] ? svg : NULL,
            };
            for (size_t c = 0; c < LINK_NCOLUMNS && rc == 0; c++)
                rc = csv_write_field(&out, row[c], c == 0) == BUF_OK ? 0 : -1;
            rc = rc == 0 && csv_write_end_row(&out) == BUF_OK ? 0 : -1;
        }
        rc = rc == 0 ? zip_stream_entry_write(x->z, buf_ptr(&out), out.len) : rc;
    }
    buf_free(&out);
    return rc;
}

/* One QR image of data as the entry name. */
static int qr_entry(pkg_zip_t *x, const char *name, const char *data, qr_format_t format)
{
    qr_options_t o;
    qr_render_defaults(&o, format);
    buf_t img;
    buf_init(&img, QR_IMAGE_MAX);
    int rc = qr_render(x->r->arena, data, strlen(data), &o, &img, NULL) == QR_RENDER_OK ? 0 : -1;
    if (rc < 0)
        log_msg(LOG_ERROR, "package: the QR code of %s could not be drawn", data);
    rc = rc == 0 ? zip_stream_entry_begin(x->z, name, (int64_t)img.len, x->now, format == QR_FORMAT_SVG) : rc;
    rc = rc == 0 ? zip_stream_entry_write(x->z, buf_ptr(&img), img.len) : rc;
    rc = rc == 0 ? zip_stream_entry_end(x->z) : rc;
    buf_free(&img);
    return rc;
}

/* qr/: a page of offers' images, named as tracking-links.csv names them. */
static int qr_page(pkg_zip_t *x, const PGresult *res, int n)
{
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        json_t *links = row_links(x, res, i), *l;
        size_t k;
        rc = links ? 0 : -1;
        json_array_foreach(links, k, l)
        {
            char png[ENTRY_NAME_MAX + 1], svg[ENTRY_NAME_MAX + 1];
            const char *data = link_text(l, "redirect_url");
            rc = rc == 0 ? qr_names(x, l, png, svg) : rc;
            if (rc < 0 || !png[0])
                continue;
            rc = qr_entry(x, png, data, QR_FORMAT_PNG);
            rc = rc == 0 ? qr_entry(x, svg, data, QR_FORMAT_SVG) : rc;
        }
    }
    return rc;
}

/* creatives/<offer>/: a page of offers' creatives, copied or generated entry by entry. */
static int creatives_page(pkg_zip_t *x, const PGresult *offers, int n)
{
    if (n == 0)
        return 0;
    request_t *r = x->r;
    PGresult *res = asset_package_creatives(r, r->arena, x->p, asset_package_ids(r->arena, offers, n));
    if (!res)
        return -1;
    creative_view_t v;
    creative_view_for_link(&v, &x->p->link);
    int rc = 0;
    for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
        creative_entry_t e;
        char name[ZIP_NAME_MAX + 1], full[ENTRY_NAME_MAX + 1];
        rc = creative_entry_plan(r, res, i, &v, &e);
        rc = rc == 0 ? zip_names_unique(x->names, creative_value(res, i, "offer_name"), e.file, name) : rc;
        if (rc == 0) {
            snprintf(full, sizeof full, "creatives/%s", name);
            rc = creative_entry_write(x->z, x->store, &e, full, x->chunk);
        }
    }
    return rc;
}

/* README.txt: what the archive holds, when it was made, for whom, with which parameters. */
static int readme(pkg_zip_t *x)
{
    const asset_package_t *p = x->p;
    char *config = json_dumps(p->config, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    buf_t b;
    buf_init(&b, README_MAX);
    buf_printf(&b,
               "trackgen asset package %s\r\n\r\n"
               "Made:        %s (package created %s)\r\n"
               "For partner: %s (id %s)\r\n\r\n"
               "Contents\r\n",
               p->id, signed_link_time(x->r, x->now), p->created_at, p->partner_name, p->partner);
    if (p->links)
        buf_printf(&b,
                   "  tracking-links.csv  one row per tracking link (%s): redirect, direct or impression and QR "
                   "URLs, and the names of its QR images\r\n"
                   "  qr/                 each link's redirect URL as a QR code, PNG (300 px) and SVG\r\n",
                   p->link.kind);
    if (p->creatives)
        buf_printf(&b, "  creatives/<offer>/  the creatives of each offer: files as uploaded, HTML, e-mail and text "
                       "with your tracking link inserted\r\n");
    if (p->coupons)
        buf_printf(&b, "  coupons.csv         your coupon codes for these offers, with your tracking link\r\n");
    buf_printf(&b,
               "\r\nOnly offers you may run at the time the archive was made are included.\r\n\r\n"
               "Parameters (as requested):\r\n%s\r\n",
               config ? config : "{}");
    free(config);
    int rc = zip_stream_entry_begin(x->z, "README.txt", (int64_t)b.len, x->now, true);
    rc = rc == 0 ? zip_stream_entry_write(x->z, buf_ptr(&b), b.len) : rc;
    rc = rc == 0 ? zip_stream_entry_end(x->z) : rc;
    buf_free(&b);
    return rc;
}

/* A CSV entry of unknown size: the header row, then fn writes the rows page by page. */
static int csv_entry(pkg_zip_t *x, const char *name, const char *const *header, size_t ncols, page_fn fn)
{
    buf_t h;
    buf_init(&h, 1024);
    for (size_t c = 0; c < ncols; c++)
        csv_write_field(&h, header[c], c == 0);
    csv_write_end_row(&h);
    int rc = zip_stream_entry_begin(x->z, name, -1, x->now, true);
    rc = rc == 0 ? zip_stream_entry_write(x->z, buf_ptr(&h), h.len) : rc;
    buf_free(&h);
    rc = rc == 0 ? part(x, fn) : rc;
    return rc == 0 ? zip_stream_entry_end(x->z) : rc;
}

/* The whole archive, part by part. 0, or -1 (the answer is cut off). */
static int write_archive(pkg_zip_t *x)
{
    const asset_package_t *p = x->p;
    int rc = readme(x);
    if (rc == 0 && p->links)
        rc = csv_entry(x, "tracking-links.csv", LINK_COLUMNS, LINK_NCOLUMNS, links_csv_page);
    if (rc == 0 && p->links)
        rc = part(x, qr_page);
    if (rc == 0 && p->creatives)
        rc = part(x, creatives_page);
    if (rc == 0 && p->coupons) {
        rc = zip_stream_entry_begin(x->z, "coupons.csv", -1, x->now, true);
        rc = rc == 0 ? coupons_export_of_offers(x->r, p->partner, p->ids, write_to_entry, x->z) : rc;
        rc = rc == 0 ? zip_stream_entry_end(x->z) : rc;
    }
    return rc == 0 ? zip_stream_finish(x->z) : rc;
}

int asset_package_download_url(request_t *r)
{
    asset_package_t p;
    const char *id = id_param(r, route_param_id(&r->match, "package_id"));
    if (asset_package_load(r, id, &p) < 0)
        return -1;
    return signed_link_respond(r, arena_printf(r->arena, "/v1/asset-packages/%s/download", id));
}

int asset_package_download(request_t *r)
{
    asset_package_t p;
    if (asset_package_load(r, id_param(r, route_param_id(&r->match, "package_id")), &p) < 0)
        return -1;
    pkg_zip_t x = {.r = r, .p = &p, .now = time(NULL)};
    if (p.creatives && !(x.store = creative_store(r)))
        return -1;
    /* The snapshot before the headers, so a database outage is still a 503 problem. */
    if (db_begin(r->db, &r->problem) < 0 || !db_exec(r->db, r->arena, &SNAPSHOT, NULL, &r->problem))
        return -1;
    resp_header(r, "Content-Disposition", "attachment; filename=\"trackgen-package-%s.zip\"", p.id);
    resp_cache_control(r, signed_link_cache_control(r));
    if (resp_stream_begin(r, 200, "application/zip") < 0 || strcmp(r->method, "HEAD") == 0)
        return 0;
    x.page = arena_create(64 * 1024);
    if (x.page) /* freed with the request: a problem recorded midway may point into it */
        arena_cleanup_add(r->arena, destroy_arena, x.page);
    x.chunk = malloc(CREATIVE_ENTRY_CHUNK);
    x.z = zip_stream_new(resp_stream_writer, r);
    int rc = x.page && x.chunk && x.z ? write_archive(&x) : -1;
    if (rc < 0)
        log_msg(LOG_ERROR, "package %s: %s", p.id, x.z ? zip_stream_error(x.z) : "out of memory");
    zip_stream_free(x.z);
    free(x.chunk);
    db_rollback(r->db);
    return rc;
}
