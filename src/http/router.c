/*
 * router.c — segment-by-segment matcher for the route table (see router.h).
 */
#include "http/router.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/text.h"

const char *const ROUTER_QUERY_ANY[] = {NULL};

/* Parses a positive int64 in decimal without leading zeros or signs. */
static bool parse_id(const char *s, size_t len, int64_t *out)
{
    return len > 0 && s[0] != '0' && text_parse_decimal(s, len, INT64_MAX, out);
}

static size_t segment_len(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n] != '/')
        n++;
    return n;
}

/* Matches one pattern against the path; fills params on success. */
static bool pattern_match(const char *pat, const char *path, size_t path_len, route_match_t *m)
{
    size_t plen = strlen(pat);
    size_t pi = 0, si = 0;
    m->nparams = 0;
    while (pi < plen && si < path_len) {
        if (pat[pi] != '/' || path[si] != '/')
            return false;
        pi++;
        si++;
        size_t pseg = segment_len(pat + pi, plen - pi);
        size_t sseg = segment_len(path + si, path_len - si);
        const char *ps = pat + pi;
        if (pseg >= 2 && ps[0] == '{' && ps[pseg - 1] == '}') {
            if (m->nparams == ROUTE_MAX_PARAMS || sseg == 0)
                return false;
            route_param_t *p = &m->params[m->nparams++];
            const char *colon = memchr(ps, ':', pseg);
            p->name = ps + 1;
            p->str = path + si;
            p->len = sseg;
            p->id = 0;
            if (colon) {
                p->name_len = (size_t)(colon - ps - 1);
            } else {
                p->name_len = pseg - 2;
                if (!parse_id(path + si, sseg, &p->id))
                    return false;
            }
        } else if (pseg != sseg || memcmp(ps, path + si, pseg) != 0) {
            return false;
        }
        pi += pseg;
        si += sseg;
    }
    return pi == plen && si == path_len;
}

static bool method_is(const route_t *r, const char *method)
{
    if (strcmp(r->method, method) == 0)
        return true;
    return strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0;
}

static void allow_add(char *allow, size_t size, const char *method)
{
    size_t used = strlen(allow);
    snprintf(allow + used, size - used, "%s%s", used ? ", " : "", method);
}

route_result_t router_match(const route_t *routes, size_t nroutes, const char *method, const char *path,
                            size_t path_len, route_match_t *m)
{
    memset(m, 0, sizeof *m);
    bool path_found = false;
    route_match_t tmp;
    for (size_t i = 0; i < nroutes; i++) {
        if (!pattern_match(routes[i].pattern, path, path_len, &tmp))
            continue;
        if (method_is(&routes[i], method)) {
            *m = tmp;
            m->route = &routes[i];
            return ROUTE_MATCH;
        }
        if (!path_found)
            m->allow[0] = '\0';
        path_found = true;
        allow_add(m->allow, sizeof m->allow, routes[i].method);
        if (strcmp(routes[i].method, "GET") == 0)
            allow_add(m->allow, sizeof m->allow, "HEAD");
    }
    if (!path_found)
        return ROUTE_NO_PATH;
    allow_add(m->allow, sizeof m->allow, "OPTIONS");
    return ROUTE_NO_METHOD;
}

static const route_param_t *find_param(const route_match_t *m, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; i < m->nparams; i++)
        if (m->params[i].name_len == n && memcmp(m->params[i].name, name, n) == 0)
            return &m->params[i];
    return NULL;
}

int64_t route_param_id(const route_match_t *m, const char *name)
{
    const route_param_t *p = find_param(m, name);
    return p ? p->id : 0;
}

const char *route_param_str(const route_match_t *m, const char *name, size_t *len)
{
    const route_param_t *p = find_param(m, name);
    if (!p)
        return NULL;
    *len = p->len;
    return p->str;
}
