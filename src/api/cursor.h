/*
 * cursor.h — opaque pagination cursors for keyset pagination ("give me rows after id X").
 *
 * A cursor is URL-safe base64 (no padding) of "k1:<id>" — or, for keys that are not one id, of
 * "k2:<key text>". Clients must treat it as opaque; a cursor that does not decode is a 400 naming
 * `cursor`, never a silent first page.
 */
#ifndef TRACKGEN_CURSOR_H
#define TRACKGEN_CURSOR_H

#include <stddef.h>
#include <stdint.h>

#define CURSOR_MAX_LEN 40
#define CURSOR_KEY_MAX 60 /* text keys: at most this many bytes */
#define CURSOR_TEXT_MAX_LEN 88

/* Writes the cursor for last_id (> 0) and a NUL into out (size >= CURSOR_MAX_LEN). */
void cursor_encode(int64_t last_id, char *out);
/* Decodes a cursor; returns 0 and the id (> 0), or -1 if it is not a cursor we made. */
int cursor_decode(const char *s, size_t len, int64_t *last_id);
/* Text keys (printable ASCII, at most CURSOR_KEY_MAX bytes): out needs CURSOR_TEXT_MAX_LEN + 1. */
void cursor_encode_text(const char *key, char *out);
/* Decodes into key (size >= CURSOR_KEY_MAX + 1); 0 or -1. */
int cursor_decode_text(const char *s, size_t len, char *key);

#endif
