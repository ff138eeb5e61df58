/*
 * query.c — query-string decoding and typed parameter access (see query.h).
 */
#include "http/query.h"

#include <string.h>

#include "util/text.h"

/* Percent-decodes s into a new arena string; returns NULL on a bad escape. */
static char *decode(arena_t *a, const char *s, size_t len, size_t *out_len)
{
    char *out = arena_alloc(a, len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%') {
            if (i + 2 >= len)
                return NULL;
            int hi = text_hex_digit(s[i + 1]), lo = text_hex_digit(s[i + 2]);
            if (hi < 0 || lo < 0)
                return NULL;
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = s[i] == '+' ? ' ' : s[i];
        }
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

int query_parse(arena_t *a, const char *qs, size_t len, bool lenient, query_t *q, problem_t *p)
{
    q->n = 0;
    size_t i = 0;
    while (qs && i < len) {
        size_t start = i;
        while (i < len && qs[i] != '&')
            i++;
        size_t plen = i - start;
        const char *pair = qs + start;
        i++; /* skip '&' */
        if (plen == 0)
            continue;
        const char *eq = memchr(pair, '=', plen);
        size_t nlen = eq ? (size_t)(eq - pair) : plen;
        size_t name_len, value_len = 0;
        char *name = decode(a, pair, nlen, &name_len);
        char *value = eq ? decode(a, eq + 1, plen - nlen - 1, &value_len) : arena_strdup(a, "");
        bool bad = !name || name_len == 0 || !value || !text_utf8_valid(name, name_len) ||
                   memchr(name, '\0', name_len) || !text_utf8_valid(value, value_len) ||
                   memchr(value, '\0', value_len) || q->n == QUERY_MAX_PARAMS;
        if (bad && lenient)
            continue;
        const char *shown = name ? name : arena_strndup(a, pair, nlen);
        if (!name || !text_utf8_valid(name, name_len) || memchr(name, '\0', name_len))
            return problem_field(p, "query", text_utf8_valid(shown, strlen(shown)) ? shown : "?",
                                 "has an invalid name encoding");
        if (name_len == 0) { /* "=1": there is no name, so the pair itself is shown */
            const char *raw = arena_strndup(a, pair, plen);
            return problem_field(p, "query", text_utf8_valid(raw, plen) ? raw : "?", "has an empty parameter name");
        }
        if (!value)
            return problem_field(p, "query", name, "has an invalid percent-encoding");
        if (!text_utf8_valid(value, value_len) || memchr(value, '\0', value_len))
            return problem_field(p, "query", name, "must be valid UTF-8 text");
        if (q->n == QUERY_MAX_PARAMS)
            return problem_field(p, "query", name, "too many query parameters (at most %d)", QUERY_MAX_PARAMS);
        q->params[q->n++] = (query_param_t){name, value, value_len};
    }
    return 0;
}

const char *query_get(const query_t *q, const char *name, size_t *len)
{
    for (int i = 0; i < q->n; i++) {
        if (strcmp(q->params[i].name, name) == 0) {
            if (len)
                *len = q->params[i].value_len;
            return q->params[i].value;
        }
    }
    return NULL;
}

int query_allow_only(const query_t *q, const char *const *allowed, problem_t *p)
{
    int rc = 0;
    for (int i = 0; i < q->n; i++) {
        bool known = false;
        for (const char *const *a = allowed; *a && !known; a++)
            known = strcmp(*a, q->params[i].name) == 0;
        if (!known) {
            rc = problem_field(p, "query", q->params[i].name, "is not a known parameter");
            continue;
        }
        for (int j = 0; j < i; j++) {
            if (strcmp(q->params[j].name, q->params[i].name) == 0) {
                rc = problem_field(p, "query", q->params[i].name, "must be given at most once");
                break;
            }
        }
    }
    return rc;
}

int query_int(const query_t *q, const char *name, int64_t min, int64_t max, int64_t def, int64_t *out, problem_t *p)
{
    size_t len;
    const char *v = query_get(q, name, &len);
    *out = def;
    if (!v)
        return 0;
    int64_t n = 0;
    bool ok = len > 0 && len <= 18;
    for (size_t i = 0; ok && i < len; i++) {
        ok = v[i] >= '0' && v[i] <= '9';
        n = n * 10 + (v[i] - '0');
    }
    if (!ok || n < min || n > max)
        return problem_field(p, "query", name, "must be an integer from %lld to %lld", (long long)min, (long long)max);
    *out = n;
    return 0;
}
