/*
 * buf.h — growable byte buffer with a hard maximum size (after curl's dynbuf).
 *
 * Used for URLs, JSON, CSV and HTML. Appending past the cap is an error (BUF_TOO_BIG), not an
 * unbounded allocation. A buf_t owns its heap memory: the caller frees it with buf_free(), or
 * takes the bytes with buf_take().
 * The content is always NUL-terminated (the NUL is not counted in len).
 */
#ifndef TRACKGEN_BUF_H
#define TRACKGEN_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef enum { BUF_OK = 0, BUF_TOO_BIG = -1, BUF_NOMEM = -2 } buf_status_t;

typedef struct {
    char *data; /* NULL until the first append */
    size_t len;
    size_t alloc;
    size_t max; /* hard cap on len */
} buf_t;

void buf_init(buf_t *b, size_t max);
void buf_free(buf_t *b);  /* frees and re-initialises (keeps max); NULL-safe */
void buf_clear(buf_t *b); /* len = 0, keeps memory */

buf_status_t buf_append(buf_t *b, const void *p, size_t n);
buf_status_t buf_append_str(buf_t *b, const char *s);
buf_status_t buf_append_char(buf_t *b, char c);
buf_status_t buf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Lends the content ("" when empty); valid until the next append or free. */
const char *buf_ptr(const buf_t *b);
/* Hands the content out; the caller frees it with free(). The buffer is left empty. */
char *buf_take(buf_t *b, size_t *len);

#endif
