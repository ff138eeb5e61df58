/*
 * resource.h — the shapes every resource handler shares, written once: list pages with cursor
 * pagination, JSON bodies validated against a field table, merge-patch of the current row, and
 * answering with one row (404 when there is none).
 */
#ifndef TRACKGEN_RESOURCE_H
#define TRACKGEN_RESOURCE_H

#include <libpq-fe.h>
#include <stdint.h>

#include "api/validate.h"
#include "db/db.h"
#include "http/request.h"
#include "track/link_url.h"

#define PAGE_DEFAULT_LIMIT 50
#define PAGE_MAX_LIMIT 200

/* One page of a list. Cursors are bound to the list's path, its query filters (every query
 * parameter but `limit` and `cursor`) and `bind` (see api/cursor.h), so a cursor is only ever
 * accepted by the list, with the filters, that issued it. */
typedef struct {
    const char *bind;  /* what else selects the rows (e.g. a POST body's offer list), or NULL */
    int64_t limit;     /* rows per page */
    const char *key;   /* the cursor's key: the last row of the previous page (NULL on the first page) */
    const char *after; /* id lists: the key as an SQL parameter ("0" on the first page) */
    const char *fetch; /* limit + 1 as an SQL parameter: one extra row tells whether there is a next page */
} page_t;

/* Reads `limit` (1..PAGE_MAX_LIMIT, default PAGE_DEFAULT_LIMIT) and `cursor` (an id key) from the
 * query. Returns 0 or -1 (problem recorded). */
int page_parse(request_t *r, page_t *pg);
/* The same with other bounds for `limit`, and cursors also bound to `bind` (may be NULL). */
int page_parse_limits(request_t *r, page_t *pg, int64_t def, int64_t max, const char *bind);
/* For lists keyed by text (not one id): pg->key holds the cursor's key; the caller parses it. */
int page_parse_text(request_t *r, page_t *pg, int64_t def, int64_t max);
/* Answers {data: first `limit` rows, next_cursor} where the cursor is the last row's key_column. */
int page_respond(request_t *r, const PGresult *res, const page_t *pg, const char *key_column);
/* How many of res's rows belong on this page (it holds up to limit + 1). */
int page_rows(const PGresult *res, const page_t *pg);
/* Answers {data, next_cursor} for items the caller built from the page's rows (steals data); the
 * cursor carries the text of key_column in the page's last row. */
int page_envelope(request_t *r, json_t *data, const PGresult *res, const page_t *pg, const char *key_column);
/* page_envelope's next_cursor alone (a new reference: the cursor text, or JSON null on the last
 * page), for answers shaped otherwise; NULL with a 500 recorded. */
json_t *page_next_cursor(request_t *r, const PGresult *res, const page_t *pg, const char *key_column);
/* The cursor of the page after the one whose last row has key (len bytes): a new reference, or
 * NULL with a 500 recorded. For pages built without a PGresult. */
json_t *page_cursor_after(request_t *r, const page_t *pg, const char *key, size_t len);

/* Reads an optional enum query parameter; *out stays NULL when absent. Returns 0 or -1. */
int query_enum(request_t *r, const char *name, const char *const *values, const char **out);

/* Reads the JSON body and validates it against specs into out (n entries). Returns 0 or -1. */
int body_validated(request_t *r, const field_spec_t *specs, size_t n, field_value_t *out);
/* For PATCH: takes row 0 of current (columns named like the specs), applies the request body as
 * an RFC 7396 merge patch, validates the merged object into out. *changed tells whether the merge
 * changed anything. Returns 0 or -1. */
int body_merge_patched(request_t *r, const PGresult *current, const field_spec_t *specs, size_t n, field_value_t *out,
                       bool *changed);
/* A PATCH in one transaction: lock the row (select_for_update, params = keys), merge the body
 * into it, validate, and run update (params = keys, then the fields in spec order) if anything
 * changed. Commits on success; 404 when the row does not exist. The caller then answers with
 * the fresh resource. Returns 0 or -1. */
typedef struct {
    db_stmt_t *select_for_update;
    db_stmt_t *update;
    const field_spec_t *specs;
    size_t nspecs;
} patch_shape_t;
int patch_in_transaction(request_t *r, const patch_shape_t *shape, const char *const *keys, size_t nkeys);

/* The six link parameters (source_id, sub1..sub5) from validated body fields: v and specs point at
 * the first of six consecutive entries (a table declared with LINK_PARAM_FIELDS). */
void link_params_from_body(request_t *r, const field_value_t *v, const field_spec_t *specs, link_params_t *out);

/* The six link parameters from the query (values borrowed from it), as link generation accepts
 * them: at most LINK_PARAM_MAX_CHARS characters, printable. Returns 0, or nonzero with every bad
 * one recorded (in = "query"). */
int link_params_from_query(request_t *r, link_params_t *lp);

/* SQL parameters from validated values, in spec order, into params[0..n-1] (NULL = SQL NULL). */
void values_to_params(request_t *r, const field_spec_t *specs, const field_value_t *v, size_t n, const char **params);

/* A POST: validates the body against specs and runs insert with params = keys, then the fields in
 * spec order; answers 201 with the row and Location "<collection>/<id>". Returns 0 or -1. */
int create_from_body(request_t *r, const field_spec_t *specs, size_t n, db_stmt_t *insert, const char *const *keys,
                     size_t nkeys, const char *collection);
/* Row 0 as JSON (new reference), or NULL with 404 recorded when there is none. */
json_t *row_json_or_404(request_t *r, const PGresult *res);

/* Answers row 0 of res as JSON with status (200 adds an ETag); 404 when res has no rows. */
int respond_row(request_t *r, const PGresult *res, int status);
/* Like respond_row with 201 and a Location header "<collection>/<id>". */
int respond_created(request_t *r, const PGresult *res, const char *collection);
/* 204 if res has a row, else 404. */
int respond_done(request_t *r, const PGresult *res);

/* The id as text for an SQL parameter (arena memory). */
const char *id_param(request_t *r, int64_t id);
/* The caller's partner id as an SQL parameter, NULL for admins (who see everything). */
const char *scope_param(request_t *r);

#endif
