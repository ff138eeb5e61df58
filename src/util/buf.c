/*
 * buf.c — growable, capped byte buffer (see buf.h).
 * Going over the cap frees the content and reports BUF_TOO_BIG, so a half-built value is never used.
 */
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(buf_t *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->max = max;
}

void buf_free(buf_t *b)
{
    if (!b)
        return;
    free(b->data);
    buf_init(b, b->max);
}

void buf_clear(buf_t *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static buf_status_t grow(buf_t *b, size_t extra)
{
    if (extra > b->max || b->len > b->max - extra) {
        buf_free(b);
        return BUF_TOO_BIG;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->alloc)
        return BUF_OK;
    size_t n = b->alloc ? b->alloc : 64;
    while (n < need)
        n *= 2;
    char *p = realloc(b->data, n);
    if (!p) {
        buf_free(b);
        return BUF_NOMEM;
    }
    b->data = p;
    b->alloc = n;
    return BUF_OK;
}

buf_status_t buf_append(buf_t *b, const void *p, size_t n)
{
    buf_status_t st = grow(b, n);
    if (st != BUF_OK)
        return st;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return BUF_OK;
}

buf_status_t buf_append_str(buf_t *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

buf_status_t buf_append_char(buf_t *b, char c)
{
    return buf_append(b, &c, 1);
}

buf_status_t buf_printf(buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return BUF_NOMEM;
    buf_status_t st = grow(b, (size_t)n);
    if (st != BUF_OK)
        return st;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return BUF_OK;
}

const char *buf_ptr(const buf_t *b)
{
    return b->data ? b->data : "";
}

char *buf_take(buf_t *b, size_t *len)
{
    char *p = b->data;
    if (len)
        *len = b->len;
    if (!p)
        p = calloc(1, 1);
    buf_init(b, b->max);
    return p;
}
