/*
 * body_limit.c — request body caps by kind (see body_limit.h).
 */
#include "http/body_limit.h"

#include <stdint.h>
#include <string.h>

#include "util/text.h"

body_limit_t body_limit(const config_t *cfg, body_kind_t kind)
{
    switch (kind) {
    case BODY_CSV: return (body_limit_t){cfg->max_csv_body, "CSV imports", "TRACKGEN_MAX_CSV_BODY"};
    case BODY_UPLOAD: return (body_limit_t){cfg->max_upload, "file uploads", "TRACKGEN_MAX_UPLOAD"};
    case BODY_JSON: break;
    }
    return (body_limit_t){cfg->max_body, "JSON bodies", "TRACKGEN_MAX_BODY"};
}

int body_limit_check(const body_limit_t *l, const char *content_length, size_t *len, problem_t *p)
{
    *len = 0;
    if (!content_length || !*content_length)
        return 0;
    int64_t n;
    size_t digits = strlen(content_length);
    if (!text_parse_decimal(content_length, digits, INT64_MAX, &n)) {
        /* a number too long to be any body we take is still a number: too large */
        if (digits > 19 && strspn(content_length, "0123456789") == digits && content_length[0] != '0')
            return problem_set(p, PROBLEM_PAYLOAD_TOO_LARGE,
                               "The request body has %s bytes; %s may have at most %zu bytes (%s).", content_length,
                               l->what, l->cap, l->setting);
        return problem_field(p, "header", "Content-Length", "is not a byte count");
    }
    if ((uint64_t)n > l->cap)
        return problem_set(p, PROBLEM_PAYLOAD_TOO_LARGE,
                           "The request body has %llu bytes; %s may have at most %zu bytes (%s).",
                           (unsigned long long)n, l->what, l->cap, l->setting);
    *len = (size_t)n;
    return 0;
}
