/*
 * problem.c — builds RFC 9457 problem+json bodies from a problem_t (see problem.h).
 */
#include "util/problem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define TYPE_BASE "https://trackgen.dev/problems/"

typedef struct {
    int status;
    const char *type; /* full problem type URI */
    const char *title;
    const char *default_detail;
} kind_info_t;

static const kind_info_t kinds[] = {
    [PROBLEM_NONE] = {200, TYPE_BASE "none", "No problem", ""},
    [PROBLEM_VALIDATION] = {400, TYPE_BASE "validation", "Invalid request", "The request has invalid fields."},
    [PROBLEM_MALFORMED_JSON] = {400, TYPE_BASE "malformed-json", "Malformed JSON",
                                "The request body is not valid JSON."},
    [PROBLEM_UNAUTHORIZED] = {401, TYPE_BASE "unauthorized", "Unauthorized",
                              "A valid API key is required (Authorization: Bearer <key> or X-Api-Key)."},
    [PROBLEM_NOT_FOUND] = {404, TYPE_BASE "not-found", "Not found", "No such resource."},
    [PROBLEM_METHOD_NOT_ALLOWED] = {405, TYPE_BASE "method-not-allowed", "Method not allowed",
                                    "This resource does not support that method."},
    [PROBLEM_NOT_ACCEPTABLE] = {406, TYPE_BASE "not-acceptable", "Not acceptable",
                                "None of the media types this resource produces is acceptable."},
    [PROBLEM_CONFLICT] = {409, TYPE_BASE "conflict", "Conflict", "The request conflicts with an existing resource."},
    [PROBLEM_EXPIRED] = {410, TYPE_BASE "expired", "Expired",
                         "This signed URL has expired; ask the API for a new one."},
    [PROBLEM_PAYLOAD_TOO_LARGE] = {413, TYPE_BASE "payload-too-large", "Payload too large",
                                   "The request body is larger than allowed."},
    [PROBLEM_UNSUPPORTED_MEDIA_TYPE] = {415, TYPE_BASE "unsupported-media-type", "Unsupported media type",
                                        "The request body must be application/json."},
    [PROBLEM_UNPROCESSABLE] = {422, TYPE_BASE "unprocessable", "Unprocessable content",
                               "The request is well-formed but cannot be carried out."},
    [PROBLEM_TOO_MANY_REQUESTS] = {429, TYPE_BASE "too-many-requests", "Too many requests",
                                   "The rate limit is exhausted; retry after Retry-After seconds."},
    [PROBLEM_INTERNAL] = {500, TYPE_BASE "internal", "Internal error", "An unexpected error occurred."},
    [PROBLEM_SERVICE_UNAVAILABLE] = {503, TYPE_BASE "service-unavailable", "Service unavailable",
                                     "The database is unavailable; retry shortly."},
};

void problem_init(problem_t *p, arena_t *a)
{
    memset(p, 0, sizeof *p);
    p->arena = a;
}

bool problem_has(const problem_t *p)
{
    return p->kind != PROBLEM_NONE;
}

int problem_set(problem_t *p, problem_kind_t kind, const char *fmt, ...)
{
    p->kind = kind;
    p->detail = NULL;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        p->detail = arena_vprintf(p->arena, fmt, ap);
        va_end(ap);
    }
    return -1;
}

__attribute__((format(printf, 5, 0))) static int field_add(problem_t *p, size_t line, const char *in, const char *field,
                                                           const char *fmt, va_list ap)
{
    if (p->kind == PROBLEM_NONE)
        p->kind = PROBLEM_VALIDATION;
    if (p->nerrors == (p->errors_max ? p->errors_max : PROBLEM_ERRORS_MAX)) {
        p->omitted++;
        return -1;
    }
    if (p->nerrors == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        problem_field_t *n = arena_alloc(p->arena, cap * sizeof *n);
        if (p->nerrors)
            memcpy(n, p->errors, p->nerrors * sizeof *n);
        p->errors = n;
        p->cap = cap;
    }
    problem_field_t *e = &p->errors[p->nerrors++];
    e->in = in;
    e->field = arena_strdup(p->arena, field);
    e->reason = arena_vprintf(p->arena, fmt, ap);
    e->line = line;
    return -1;
}

int problem_field(problem_t *p, const char *in, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    field_add(p, 0, in, field, fmt, ap);
    va_end(ap);
    return -1;
}

int problem_line_field(problem_t *p, size_t line, const char *in, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    field_add(p, line, in, field, fmt, ap);
    va_end(ap);
    return -1;
}

int problem_status(problem_kind_t kind)
{
    return kinds[kind].status;
}

const char *problem_type_uri(problem_kind_t kind)
{
    return kinds[kind].type;
}

const char *problem_title(problem_kind_t kind)
{
    return kinds[kind].title;
}

static json_t *string_or_null(const char *s)
{
    json_t *v = s ? json_string(s) : NULL;
    return v ? v : json_null();
}

json_t *problem_to_json(const problem_t *p, const char *instance, const char *request_id)
{
    const kind_info_t *k = &kinds[p->kind];
    json_t *o = json_object();
    /* json_object_set_new steals the value's reference. */
    json_object_set_new(o, "type", json_string(k->type));
    json_object_set_new(o, "title", json_string(k->title));
    json_object_set_new(o, "status", json_integer(k->status));
    const char *detail = p->detail;
    char count[96];
    size_t total = p->nerrors + p->omitted;
    if (!detail && p->kind == PROBLEM_VALIDATION && total > 0) {
        if (p->omitted)
            snprintf(count, sizeof count, "%zu fields are invalid; the first %zu are listed", total, p->nerrors);
        else
            snprintf(count, sizeof count, "%zu field%s invalid", total, total == 1 ? " is" : "s are");
        detail = count;
    }
    json_object_set_new(o, "detail", string_or_null(detail ? detail : k->default_detail));
    if (instance)
        json_object_set_new(o, "instance", string_or_null(instance));
    if (request_id)
        json_object_set_new(o, "request_id", string_or_null(request_id));
    if (p->nerrors > 0) {
        json_t *errs = json_array();
        for (size_t i = 0; i < p->nerrors; i++) {
            json_t *e = json_object();
            json_object_set_new(e, "field", string_or_null(p->errors[i].field));
            json_object_set_new(e, "in", string_or_null(p->errors[i].in));
            json_object_set_new(e, "reason", string_or_null(p->errors[i].reason));
            if (p->errors[i].line)
                json_object_set_new(e, "line", json_integer((json_int_t)p->errors[i].line));
            json_array_append_new(errs, e);
        }
        json_object_set_new(o, "errors", errs);
        if (p->omitted)
            json_object_set_new(o, "errors_omitted", json_integer((json_int_t)p->omitted));
    }
    return o;
}
