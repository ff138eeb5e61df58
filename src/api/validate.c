/*
 * validate.c — table-driven validation of JSON request bodies (see validate.h).
 * Soft errors: every bad field is recorded, then the caller answers once with all of them.
 */
#include "api/validate.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/text.h"
#include "util/url.h"

static bool email_valid(const char *s, size_t len)
{
    const char *at = memchr(s, '@', len);
    if (len < 3 || len > 254 || !at || at == s || at == s + len - 1 || memchr(at + 1, '@', len - (size_t)(at - s) - 1))
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
            return false;
    return true;
}

static bool currency_valid(const char *s, size_t len)
{
    return len == 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' && s[2] >= 'A' && s[2] <= 'Z';
}

static void enum_reason(const field_spec_t *spec, problem_t *p)
{
    buf_t b;
    buf_init(&b, 512);
    for (const char *const *v = spec->values; *v; v++)
        buf_printf(&b, "%s%s", v == spec->values ? "" : ", ", *v);
    problem_field(p, "body", spec->name, "must be one of: %s", buf_ptr(&b));
    buf_free(&b);
}

static int check_string(const field_spec_t *spec, const json_t *j, field_value_t *v, problem_t *p)
{
    if (!json_is_string(j))
        return problem_field(p, "body", spec->name, "must be a string");
    v->s = json_string_value(j);
    v->len = json_string_length(j);
    if (memchr(v->s, '\0', v->len))
        return problem_field(p, "body", spec->name, "must not contain NUL characters");
    size_t chars = text_utf8_length(v->s, v->len);
    if (!spec->max_len && chars < spec->min_len) /* max_len 0 lifts the maximum, not the minimum */
        return problem_field(p, "body", spec->name, "must be at least %zu characters long", spec->min_len);
    if (spec->max_len && (chars < spec->min_len || chars > spec->max_len)) {
        if (spec->min_len == spec->max_len)
            return problem_field(p, "body", spec->name, "must be exactly %zu characters", spec->min_len);
        return problem_field(p, "body", spec->name, "must be %zu to %zu characters long", spec->min_len, spec->max_len);
    }
    if (spec->not_blank && text_is_blank(v->s, v->len))
        return problem_field(p, "body", spec->name, "must not be only white space");
    switch (spec->kind) {
    case VF_STRING:
        if (text_has_control(v->s, v->len, false))
            return problem_field(p, "body", spec->name, "must not contain control characters or line breaks");
        break;
    case VF_TEXT:
        if (text_has_control(v->s, v->len, true))
            return problem_field(p, "body", spec->name, "must not contain control characters");
        break;
    case VF_URL: {
        url_status_t st = url_check(v->s, v->len);
        if (st != URL_OK)
            return problem_field(p, "body", spec->name, "%s", url_status_reason(st));
        break;
    }
    case VF_ENUM:
        for (const char *const *e = spec->values; *e; e++)
            if (strcmp(*e, v->s) == 0)
                return 0;
        enum_reason(spec, p);
        return -1;
    case VF_EMAIL:
        if (!email_valid(v->s, v->len))
            return problem_field(p, "body", spec->name, "must be an e-mail address");
        break;
    case VF_CURRENCY:
        if (!currency_valid(v->s, v->len))
            return problem_field(p, "body", spec->name, "must be a three-letter uppercase currency code (e.g. USD)");
        break;
    default: break;
    }
    return 0;
}

/* Each item is checked as a VF_STRING named "<name>[<index>]"; every bad one is recorded. */
static int check_string_list(const field_spec_t *spec, const json_t *j, problem_t *p)
{
    if (!json_is_array(j))
        return problem_field(p, "body", spec->name, "must be an array of strings");
    if ((int64_t)json_array_size(j) > spec->max)
        return problem_field(p, "body", spec->name, "must have at most %" PRId64 " items", spec->max);
    int rc = 0;
    for (size_t i = 0; i < json_array_size(j); i++) {
        char name[96];
        snprintf(name, sizeof name, "%s[%zu]", spec->name, i);
        field_spec_t item = {name, VF_STRING, .min_len = spec->min_len, .max_len = spec->max_len};
        field_value_t ignored = {0};
        if (check_string(&item, json_array_get(j, i), &ignored, p) < 0)
            rc = -1;
    }
    return rc;
}

static int check_value(const field_spec_t *spec, const json_t *j, field_value_t *v, problem_t *p)
{
    switch (spec->kind) {
    case VF_INT:
        if (!json_is_integer(j))
            return problem_field(p, "body", spec->name, "must be an integer");
        v->i = json_integer_value(j);
        if (v->i < spec->min || v->i > spec->max)
            return problem_field(p, "body", spec->name, "must be from %" PRId64 " to %" PRId64, spec->min, spec->max);
        return 0;
    case VF_BOOL:
        if (!json_is_boolean(j))
            return problem_field(p, "body", spec->name, "must be true or false");
        v->b = json_is_true(j);
        return 0;
    case VF_STRING_LIST: return check_string_list(spec, j, p);
    case VF_ANY: return 0;
    default: return check_string(spec, j, v, p);
    }
}

int validate_object(const json_t *obj, const field_spec_t *specs, size_t n, field_value_t *out, problem_t *p)
{
    int rc = 0;
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)obj, key, val)
    {
        bool known = false;
        for (size_t i = 0; i < n && !known; i++)
            known = strcmp(specs[i].name, key) == 0;
        if (!known)
            rc = problem_field(p, "body", key, "is not a known field");
    }
    for (size_t i = 0; i < n; i++) {
        const field_spec_t *spec = &specs[i];
        field_value_t *v = &out[i];
        memset(v, 0, sizeof *v);
        json_t *j = json_object_get(obj, spec->name); /* borrowed */
        if (!j) {
            if (spec->required)
                rc = problem_field(p, "body", spec->name, "is required");
            continue;
        }
        v->present = true;
        v->json = j;
        if (json_is_null(j)) {
            v->is_null = true;
            if (spec->required || !spec->nullable)
                rc = problem_field(p, "body", spec->name, "must not be null");
            continue;
        }
        if (check_value(spec, j, v, p) < 0)
            rc = -1;
    }
    return rc;
}

const char *field_text(arena_t *a, const field_value_t *v, const field_spec_t *spec)
{
    if (!v->present || v->is_null)
        return NULL;
    switch (spec->kind) {
    case VF_INT: return arena_printf(a, "%" PRId64, v->i);
    case VF_BOOL: return v->b ? "true" : "false";
    case VF_STRING_LIST: {
        char *s = json_dumps(v->json, JSON_COMPACT);
        const char *out = s ? arena_strdup(a, s) : NULL;
        free(s);
        return out;
    }
    default: return v->s;
    }
}
