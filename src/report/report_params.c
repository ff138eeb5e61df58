/*
 * report_params.c — the flex report's query parameters (see report_params.h).
 */
#include "report/report_params.h"

#include <string.h>

#include "track/link_url.h"
#include "util/rfc3339.h"
#include "util/text.h"

static const char *const DIMENSIONS[] = {"hour",      "date", "week",       "month", "offer_id", "offer_url_id",
                                         "source_id", "sub1", "sub2",       "sub3",  "sub4",     "sub5",
                                         "outcome",   "kind", "partner_id", NULL};
const char *const REPORT_METRICS[] = {"clicks",
                                      "unique_clicks",
                                      "impressions",
                                      "bot_hits",
                                      "fallback_clicks",
                                      "fallback_paused",
                                      "fallback_archived",
                                      "fallback_no_access",
                                      "fallback_partner_inactive",
                                      "fallback_url_inactive",
                                      "fallback_too_long",
                                      "ctr",
                                      NULL};
static const char *const ID_FILTERS[] = {"offer_id", "offer_url_id", "partner_id", NULL};
static const char *const TEXT_FILTERS[] = {"source_id", "sub1", "sub2", "sub3", "sub4", "sub5", NULL};
static const char *const KINDS[] = {"click", "impression", NULL};
static const char *const OUTCOMES[] = {"redirected",
                                       "fallback_paused",
                                       "fallback_archived",
                                       "fallback_no_access",
                                       "fallback_partner_inactive",
                                       "fallback_url_inactive",
                                       "fallback_too_long",
                                       "recorded",
                                       NULL};

/* The entry of list equal to s (len bytes), or NULL. */
static const char *find(const char *const *list, const char *s, size_t len)
{
    for (const char *const *e = list; *e; e++)
        if (strlen(*e) == len && memcmp(*e, s, len) == 0)
            return *e;
    return NULL;
}

bool report_is_dimension(const char *name)
{
    return find(DIMENSIONS, name, strlen(name)) != NULL;
}

bool report_is_metric(const char *name)
{
    return find(REPORT_METRICS, name, strlen(name)) != NULL;
}

/* "a, b, c" of a list, in the arena. */
static const char *joined(arena_t *a, const char *const *list)
{
    size_t n = 0;
    for (const char *const *e = list; *e; e++)
        n += strlen(*e) + 2;
    char *s = arena_alloc(a, n + 1);
    s[0] = '\0';
    for (const char *const *e = list; *e; e++) {
        if (e != list)
            strcat(s, ", ");
        strcat(s, *e);
    }
    return s;
}

/* Calls each(item, len) for the comma-separated items of v; an empty item is an error. */
typedef int (*item_fn)(void *ctx, const char *s, size_t len);
static int for_items(const char *v, size_t len, item_fn each, void *ctx)
{
    size_t start = 0;
    for (size_t i = 0; i <= len; i++)
        if (i == len || v[i] == ',') {
            if (each(ctx, v + start, i - start) < 0)
                return -1;
            start = i + 1;
        }
    return 0;
}

typedef struct {
    report_params_t *rp;
    arena_t *a;
    problem_t *p;
    bool admin;
    const char *name; /* the parameter being read */
    json_t *list;
} parse_ctx_t;

static int group_item(void *ctx, const char *s, size_t len)
{
    parse_ctx_t *c = ctx;
    const char *dim = find(DIMENSIONS, s, len);
    if (!dim)
        return problem_field(c->p, "query", "group_by", "unknown dimension '%.*s'; one of: %s",
                             (int)(len > 64 ? 64 : len), s, joined(c->a, DIMENSIONS));
    for (int i = 0; i < c->rp->ngroup; i++)
        if (c->rp->group[i] == dim)
            return problem_field(c->p, "query", "group_by", "names '%s' twice", dim);
    c->rp->group[c->rp->ngroup++] = dim;
    return 0;
}

static bool grouped(const report_params_t *rp, const char *dim)
{
    for (int i = 0; i < rp->ngroup; i++)
        if (strcmp(rp->group[i], dim) == 0)
            return true;
    return false;
}

static int sort_item(void *ctx, const char *s, size_t len)
{
    parse_ctx_t *c = ctx;
    bool desc = len > 0 && s[0] == '-';
    if (desc) {
        s++;
        len--;
    }
    const char *key = find(REPORT_METRICS, s, len);
    if (!key) {
        key = find(DIMENSIONS, s, len);
        if (!key || !grouped(c->rp, key))
            return problem_field(c->p, "query", "sort",
                                 "'%.*s' is neither a metric nor a dimension in group_by (prefix '-' for descending)",
                                 (int)(len > 64 ? 64 : len), s);
    }
    size_t i;
    json_t *e;
    json_array_foreach(c->rp->sort, i, e)
    {
        if (strcmp(json_string_value(json_array_get(e, 0)), key) == 0)
            return problem_field(c->p, "query", "sort", "names '%s' twice", key);
    }
    json_array_append_new(c->rp->sort, json_pack("[sb]", key, desc));
    return 0;
}

static int id_item(void *ctx, const char *s, size_t len)
{
    parse_ctx_t *c = ctx;
    int64_t id;
    if (!text_parse_decimal(s, len, INT64_MAX / 10, &id) || id < 1)
        return problem_field(c->p, "query", c->name, "must be a comma-separated list of ids");
    if (json_array_size(c->list) >= REPORT_IDS_MAX)
        return problem_field(c->p, "query", c->name, "lists more than %d ids", REPORT_IDS_MAX);
    json_array_append_new(c->list, json_integer(id));
    return 0;
}

static int word_item(void *ctx, const char *s, size_t len)
{
    parse_ctx_t *c = ctx;
    const char *const *words = strcmp(c->name, "kind") == 0 ? KINDS : OUTCOMES;
    const char *w = find(words, s, len);
    if (!w)
        return problem_field(c->p, "query", c->name, "must be a comma-separated list of: %s", joined(c->a, words));
    json_array_append_new(c->list, json_string(w));
    return 0;
}

/* A list filter: ids or words. */
static int list_filter(parse_ctx_t *c, const char *name, item_fn each, const char *v, size_t len)
{
    c->name = name;
    c->list = json_array();
    if (for_items(v, len, each, c) < 0) {
        json_decref(c->list);
        return -1;
    }
    json_object_set_new(c->rp->filters, name, c->list);
    return 0;
}

bool report_tz_name_valid(const char *s, size_t len)
{
    if (len == 0 || len > REPORT_TZ_MAX)
        return false;
    bool part_start = true;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        bool alpha = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
        bool other = (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '+';
        if (ch == '/') {
            if (part_start)
                return false;
            part_start = true;
            continue;
        }
        if (part_start ? !alpha : !(alpha || other))
            return false;
        part_start = false;
    }
    return !part_start;
}

bool report_date_valid(const char *s, size_t len)
{
    static const int DAYS[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (len != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    if (m < 1 || m > 12)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return y >= 1970 && m >= 1 && d >= 1 && d <= DAYS[m - 1] + (m == 2 && leap);
}

static int time_param(const query_t *q, arena_t *a, const char *name, report_time_t *out, problem_t *p)
{
    size_t len;
    const char *v = query_get(q, name, &len);
    memset(out, 0, sizeof *out);
    if (!v)
        return 0;
    if (len == 10) {
        if (!report_date_valid(v, len))
            return problem_field(p, "query", name, "must be a date (YYYY-MM-DD) or an RFC 3339 time");
        out->date = arena_strndup(a, v, len);
        return 0;
    }
    const char *why;
    if (rfc3339_parse(v, len, &out->micros, &why) < 0)
        return problem_field(p, "query", name, "must be a date (YYYY-MM-DD) or an RFC 3339 time: %s", why);
    out->has_micros = true;
    return 0;
}

int report_params_parse(const query_t *q, arena_t *a, bool admin, report_params_t *out, problem_t *p)
{
    memset(out, 0, sizeof *out);
    out->filters = json_object();
    out->sort = json_array();
    parse_ctx_t c = {.rp = out, .a = a, .p = p, .admin = admin};
    int rc = 0;
    size_t len;
    const char *v = query_get(q, "group_by", &len);
    if (v)
        rc |= for_items(v, len, group_item, &c);
    else
        out->group[out->ngroup++] = "date";
    if (!admin && grouped(out, "partner_id"))
        rc |= problem_field(p, "query", "group_by", "partner_id is for admin keys");
    /* sort after group_by: it may name grouped dimensions */
    if (rc == 0 && (v = query_get(q, "sort", &len)) != NULL)
        rc |= for_items(v, len, sort_item, &c);
    for (const char *const *f = ID_FILTERS; *f; f++)
        if ((v = query_get(q, *f, &len)) != NULL)
            rc |= list_filter(&c, *f, id_item, v, len);
    for (const char *const *f = (const char *const[]){"kind", "outcome", NULL}; *f; f++)
        if ((v = query_get(q, *f, &len)) != NULL)
            rc |= list_filter(&c, *f, word_item, v, len);
    for (const char *const *f = TEXT_FILTERS; *f; f++)
        if ((v = query_get(q, *f, &len)) != NULL) {
            if (text_utf8_length(v, len) > LINK_PARAM_MAX_CHARS || text_has_control(v, len, false))
                rc |= problem_field(p, "query", *f, "must be at most %d printable characters (empty: hits without it)",
                                    LINK_PARAM_MAX_CHARS);
            else
                json_object_set_new(out->filters, *f, json_stringn(v, len));
        }
    out->tz = "UTC";
    if ((v = query_get(q, "timezone", &len)) != NULL) {
        if (!report_tz_name_valid(v, len))
            rc |= problem_field(p, "query", "timezone", "must be an IANA time zone name such as Europe/Berlin");
        else
            out->tz = arena_strndup(a, v, len);
    }
    rc |= time_param(q, a, "from", &out->from, p);
    rc |= time_param(q, a, "to", &out->to, p);
    if ((v = query_get(q, "format", &len)) != NULL) {
        if (len == 3 && memcmp(v, "csv", 3) == 0)
            out->csv = true;
        else if (!(len == 4 && memcmp(v, "json", 4) == 0))
            rc |= problem_field(p, "query", "format", "must be json or csv");
    }
    if (rc) {
        report_params_free(out);
        return -1;
    }
    return 0;
}

void report_params_free(report_params_t *rp)
{
    json_decref(rp->filters);
    json_decref(rp->sort);
    rp->filters = rp->sort = NULL;
}
