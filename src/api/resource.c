/*
 * resource.c — shared handler shapes (see resource.h).
 */
#include "api/resource.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/cursor.h"
#include "db/rowjson.h"
#include "http/response.h"
#include "util/text.h"

#define PATCH_MAX_PARAMS 32 /* keys + fields of one INSERT or UPDATE */

int page_parse(request_t *r, page_t *pg)
{
    return page_parse_limits(r, pg, PAGE_DEFAULT_LIMIT, PAGE_MAX_LIMIT, NULL);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const query_param_t *)a)->name, ((const query_param_t *)b)->name);
}

/* What a cursor of this request is bound to: the path, every query parameter but limit and
 * cursor (sorted, each with its length, so no two filter sets read alike), and pg->bind. */
static cursor_ctx_t page_cursor_ctx(request_t *r, const page_t *pg)
{
    query_param_t ps[QUERY_MAX_PARAMS];
    int n = 0;
    for (int i = 0; i < r->query.n; i++)
        if (strcmp(r->query.params[i].name, "limit") != 0 && strcmp(r->query.params[i].name, "cursor") != 0)
            ps[n++] = r->query.params[i];
    qsort(ps, (size_t)n, sizeof ps[0], by_name);
    buf_t b;
    buf_init(&b, SIZE_MAX / 2);
    buf_printf(&b, "%zu:%s", r->path_len, r->path);
    for (int i = 0; i < n; i++) {
        buf_printf(&b, "|%zu:%s=%zu:", strlen(ps[i].name), ps[i].name, ps[i].value_len);
        buf_append(&b, ps[i].value, ps[i].value_len);
    }
    if (pg->bind)
        buf_printf(&b, "|%zu:%s", strlen(pg->bind), pg->bind);
    size_t len = b.len;
    const char *scope = arena_strndup(r->arena, buf_ptr(&b), len);
    buf_free(&b);
    const char *secret = r->cfg->secret;
    return (cursor_ctx_t){secret, strlen(secret), scope, len};
}

static int page_parse_cursor(request_t *r, page_t *pg, int64_t def, int64_t max, const char *bind, bool id_key)
{
    pg->bind = bind;
    int rc = query_int(&r->query, "limit", 1, max, def, &pg->limit, &r->problem);
    pg->key = NULL;
    pg->after = "0";
    pg->fetch = arena_printf(r->arena, "%" PRId64, pg->limit + 1);
    size_t clen;
    const char *cursor = query_get(&r->query, "cursor", &clen);
    if (!cursor)
        return rc;
    char *key = arena_alloc(r->arena, CURSOR_KEY_MAX + 1);
    cursor_ctx_t ctx = page_cursor_ctx(r, pg);
    int n = cursor_decode(&ctx, cursor, clen, key);
    bool id_ok = n > 0 && n <= 19 && key[0] != '0' && strspn(key, "0123456789") == (size_t)n;
    if (n < 0 || (id_key && !id_ok))
        return problem_field(&r->problem, "query", "cursor",
                             "is not a cursor of this list with these filters (pass next_cursor unchanged, with "
                             "the same filters)");
    pg->key = key;
    if (id_key)
        pg->after = key;
    return rc;
}

int page_parse_limits(request_t *r, page_t *pg, int64_t def, int64_t max, const char *bind)
{
    return page_parse_cursor(r, pg, def, max, bind, true);
}

int page_parse_text(request_t *r, page_t *pg, int64_t def, int64_t max)
{
    return page_parse_cursor(r, pg, def, max, NULL, false);
}

int page_rows(const PGresult *res, const page_t *pg)
{
    int rows = PQntuples(res);
    return rows > pg->limit ? (int)pg->limit : rows;
}

int page_respond(request_t *r, const PGresult *res, const page_t *pg, const char *key_column)
{
    json_t *data = json_array();
    for (int i = 0; i < page_rows(res, pg); i++)
        json_array_append_new(data, db_row_json(res, i)); /* append_new steals the row */
    return page_envelope(r, data, res, pg, key_column);
}

json_t *page_next_cursor(request_t *r, const PGresult *res, const page_t *pg, const char *key_column)
{
    int shown = page_rows(res, pg);
    if (PQntuples(res) <= shown)
        return json_null();
    int col = PQfnumber(res, key_column);
    assert(col >= 0);
    return page_cursor_after(r, pg, PQgetvalue(res, shown - 1, col), (size_t)PQgetlength(res, shown - 1, col));
}

json_t *page_cursor_after(request_t *r, const page_t *pg, const char *key, size_t len)
{
    char cur[CURSOR_TEXT_MAX + 1];
    cursor_ctx_t ctx = page_cursor_ctx(r, pg);
    if (cursor_encode(&ctx, key, len, cur) < 0) {
        problem_set(&r->problem, PROBLEM_INTERNAL, "A page key is longer than a cursor can carry.");
        return NULL;
    }
    return json_string(cur);
}

int page_envelope(request_t *r, json_t *data, const PGresult *res, const page_t *pg, const char *key_column)
{
    json_t *next = page_next_cursor(r, res, pg, key_column);
    if (!next) {
        json_decref(data);
        return -1;
    }
    json_t *body = json_object();
    json_object_set_new(body, "data", data);
    json_object_set_new(body, "next_cursor", next);
    return resp_json(r, 200, body);
}

int query_enum(request_t *r, const char *name, const char *const *values, const char **out)
{
    *out = NULL;
    const char *v = query_get(&r->query, name, NULL);
    if (!v)
        return 0;
    for (const char *const *e = values; *e; e++)
        if (strcmp(*e, v) == 0) {
            *out = *e;
            return 0;
        }
    char list[256] = "";
    for (const char *const *e = values; *e; e++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", e == values ? "" : ", ", *e);
    return problem_field(&r->problem, "query", name, "must be one of: %s", list);
}

int body_validated(request_t *r, const field_spec_t *specs, size_t n, field_value_t *out)
{
    json_t *body;
    if (req_json_body(r, &body) < 0)
        return -1;
    return validate_object(body, specs, n, out, &r->problem);
}

/* RFC 7396: objects merge key by key, null removes, anything else replaces. Returns a new reference. */
static json_t *merge_patch(json_t *target, json_t *patch)
{
    if (!json_is_object(patch))
        return json_incref(patch);
    json_t *result = json_is_object(target) ? json_deep_copy(target) : json_object();
    const char *key;
    json_t *val;
    json_object_foreach(patch, key, val)
    {
        if (json_is_null(val)) {
            json_object_del(result, key);
        } else {
            json_t *merged = merge_patch(json_object_get(result, key), val);
            json_object_set_new(result, key, merged);
        }
    }
    return result;
}

static void json_release(void *p)
{
    json_decref(p);
}

int body_merge_patched(request_t *r, const PGresult *current, const field_spec_t *specs, size_t n, field_value_t *out,
                       bool *changed)
{
    json_t *patch;
    if (req_json_body(r, &patch) < 0)
        return -1;
    /* Current writable fields only: read-only columns (id, timestamps) are not patchable. */
    json_t *row = db_row_json(current, 0);
    json_t *writable = json_object();
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_object_get(row, specs[i].name);
        if (v && !json_is_null(v))
            json_object_set(writable, specs[i].name, v); /* borrows v: set adds its own reference */
    }
    json_decref(row);
    json_t *merged = merge_patch(writable, patch);
    *changed = !json_equal(merged, writable);
    json_decref(writable);
    arena_cleanup_add(r->arena, json_release, merged); /* out[] borrows strings from merged */

    /* A required field set to null was removed by the merge: put the null back so validation
     * says "must not be null" rather than "is required". */
    for (size_t i = 0; i < n; i++) {
        json_t *pv = json_object_get(patch, specs[i].name);
        if (pv && json_is_null(pv) && specs[i].required)
            json_object_set_new(merged, specs[i].name, json_null());
    }
    return validate_object(merged, specs, n, out, &r->problem);
}

int patch_in_transaction(request_t *r, const patch_shape_t *shape, const char *const *keys, size_t nkeys)
{
    assert(nkeys + shape->nspecs <= PATCH_MAX_PARAMS);
    if (db_begin(r->db, &r->problem) < 0)
        return -1;
    PGresult *cur = db_exec(r->db, r->arena, shape->select_for_update, keys, &r->problem);
    if (!cur)
        return -1;
    if (PQntuples(cur) == 0)
        return problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL);
    field_value_t v[PATCH_MAX_PARAMS];
    bool changed;
    if (body_merge_patched(r, cur, shape->specs, shape->nspecs, v, &changed) < 0)
        return -1;
    if (changed) {
        const char *params[PATCH_MAX_PARAMS];
        memcpy(params, keys, nkeys * sizeof *keys);
        values_to_params(r, shape->specs, v, shape->nspecs, params + nkeys);
        if (!db_exec(r->db, r->arena, shape->update, params, &r->problem))
            return -1;
    }
    return db_commit(r->db, &r->problem);
}

void values_to_params(request_t *r, const field_spec_t *specs, const field_value_t *v, size_t n, const char **params)
{
    for (size_t i = 0; i < n; i++)
        params[i] = field_text(r->arena, &v[i], &specs[i]);
}

int create_from_body(request_t *r, const field_spec_t *specs, size_t n, db_stmt_t *insert, const char *const *keys,
                     size_t nkeys, const char *collection)
{
    assert(nkeys + n <= PATCH_MAX_PARAMS);
    field_value_t v[PATCH_MAX_PARAMS];
    if (body_validated(r, specs, n, v) < 0)
        return -1;
    const char *params[PATCH_MAX_PARAMS];
    if (nkeys)
        memcpy(params, keys, nkeys * sizeof *keys);
    values_to_params(r, specs, v, n, params + nkeys);
    PGresult *res = db_exec(r->db, r->arena, insert, params, &r->problem);
    return res ? respond_created(r, res, collection) : -1;
}

json_t *row_json_or_404(request_t *r, const PGresult *res)
{
    if (PQntuples(res) == 0) {
        problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL);
        return NULL;
    }
    return db_row_json(res, 0);
}

int respond_row(request_t *r, const PGresult *res, int status)
{
    if (PQntuples(res) < 1)
        return problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL);
    json_t *row = db_row_json(res, 0);
    return status == 200 ? resp_json_etag(r, row) : resp_json(r, status, row);
}

int respond_created(request_t *r, const PGresult *res, const char *collection)
{
    if (PQntuples(res) < 1)
        return problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL);
    resp_header(r, "Location", "%s/%s", collection, PQgetvalue(res, 0, PQfnumber(res, "id")));
    return respond_row(r, res, 201);
}

int respond_done(request_t *r, const PGresult *res)
{
    if (PQntuples(res) < 1)
        return problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL);
    return resp_empty(r, 204);
}

void link_params_from_body(request_t *r, const field_value_t *v, const field_spec_t *specs, link_params_t *out)
{
    for (int i = 0; i < LINK_PARAM_COUNT; i++)
        out->values[i] = field_text(r->arena, &v[i], &specs[i]);
}

const char *id_param(request_t *r, int64_t id)
{
    return arena_printf(r->arena, "%" PRId64, id);
}

const char *scope_param(request_t *r)
{
    return r->who.role == ROLE_PARTNER ? id_param(r, r->who.partner_id) : NULL;
}

int link_params_from_query(request_t *r, link_params_t *lp)
{
    int bad = 0;
    for (int i = 0; i < LINK_PARAM_COUNT; i++) {
        size_t len = 0;
        const char *v = query_get(&r->query, LINK_PARAM_NAMES[i], &len);
        lp->values[i] = v;
        if (v && text_utf8_length(v, len) > LINK_PARAM_MAX_CHARS)
            bad = problem_field(&r->problem, "query", LINK_PARAM_NAMES[i], "must be at most %d characters long",
                                LINK_PARAM_MAX_CHARS);
        else if (v && (memchr(v, '\0', len) || text_has_control(v, len, false)))
            bad = problem_field(&r->problem, "query", LINK_PARAM_NAMES[i], "must not contain control characters");
    }
    return bad;
}
