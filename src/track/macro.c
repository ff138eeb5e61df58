/*
 * macro.c — macro filling for destination URLs (see macro.h).
 */
#include "track/macro.h"

#include <string.h>

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

int macro_url_encode(const char *s, buf_t *out)
{
    static const char hex[] = "0123456789ABCDEF";
    buf_status_t st = BUF_OK;
    for (const unsigned char *p = (const unsigned char *)s; p && *p && st == BUF_OK; p++) {
        if (unreserved(*p)) {
            st = buf_append_char(out, (char)*p);
        } else {
            char enc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            st = buf_append(out, enc, 3);
        }
    }
    return st;
}

static const macro_t *find(const macro_t *m, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(m[i].name) == len && memcmp(m[i].name, name, len) == 0)
            return &m[i];
    return NULL;
}

int macro_expand(const char *tmpl, const macro_t *macros, size_t n, buf_t *out)
{
    const char *p = tmpl;
    buf_status_t st = BUF_OK;
    while (*p && st == BUF_OK) {
        const char *open = strchr(p, '{');
        if (!open)
            return buf_append_str(out, p);
        const char *close = strchr(open + 1, '}');
        const char *next_open = strchr(open + 1, '{');
        if (!close || (next_open && next_open < close)) {
            /* not a macro: copy up to and including this brace */
            st = buf_append(out, p, (size_t)(open - p) + 1);
            p = open + 1;
            continue;
        }
        const macro_t *m = find(macros, n, open + 1, (size_t)(close - open - 1));
        st = buf_append(out, p, (size_t)(open - p));
        if (st == BUF_OK)
            st = m ? macro_url_encode(m->value, out) : buf_append(out, open, (size_t)(close - open) + 1);
        p = close + 1;
    }
    return st;
}
