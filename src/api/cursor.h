/*
 * cursor.h — opaque pagination cursors for keyset pagination ("give me rows after id X").
 *
 * A cursor is URL-safe base64 (no padding) of "k1:<id>". Clients must treat it as opaque; a
 * cursor that does not decode is a 400 naming `cursor`, never a silent first page.
 */
#ifndef TRACKGEN_CURSOR_H
#define TRACKGEN_CURSOR_H

#include <stddef.h>
#include <stdint.h>

#define CURSOR_MAX_LEN 40

/* Writes the cursor for last_id (> 0) and a NUL into out (size >= CURSOR_MAX_LEN). */
void cursor_encode(int64_t last_id, char *out);
/* Decodes a cursor; returns 0 and the id (> 0), or -1 if it is not a cursor we made. */
int cursor_decode(const char *s, size_t len, int64_t *last_id);

#endif
