/*
 * cursor.h — opaque, signed pagination cursors, bound to the list that issued them.
 *
 * A cursor carries the key of the last row of a page — any bytes up to CURSOR_KEY_MAX: an id, a
 * time with a transaction id, a report group's 255-character sub1 — and a MAC over the list's
 * scope (its path and filters, see api/resource.c) and that key, under the service secret. So a
 * cursor cannot be forged or edited, and a cursor of one list, or of the same list with other
 * filters, is refused by another: a 400 naming `cursor`, never a silent wrong page.
 *
 * Text: URL-safe base64 without padding of "c1" || MAC (first CURSOR_MAC_LEN bytes of
 * HMAC-SHA256(HMAC-SHA256(secret, "cursor scope:" scope), key)) || key. Pure.
 */
#ifndef TRACKGEN_CURSOR_H
#define TRACKGEN_CURSOR_H

#include <stddef.h>

#define CURSOR_KEY_MAX 1024
#define CURSOR_MAC_LEN 12
/* The longest cursor text, without its NUL. */
#define CURSOR_TEXT_MAX (4 * ((2 + CURSOR_MAC_LEN + CURSOR_KEY_MAX + 2) / 3))

/* What a cursor is bound to: the secret and the list's scope text. Borrowed. */
typedef struct {
    const char *secret;
    size_t secret_len;
    const char *scope;
    size_t scope_len;
} cursor_ctx_t;

/* Writes the cursor of key (key_len <= CURSOR_KEY_MAX) and a NUL into out (size >=
 * CURSOR_TEXT_MAX + 1). Returns the text's length, or -1 if the key is too long. */
int cursor_encode(const cursor_ctx_t *c, const void *key, size_t key_len, char *out);
/* Decodes s (len bytes) into key (size >= CURSOR_KEY_MAX + 1, NUL added). Returns the key's
 * length, or -1 if s is not a cursor made for this scope under this secret. */
int cursor_decode(const cursor_ctx_t *c, const char *s, size_t len, char *key);

#endif
