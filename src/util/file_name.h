/*
 * file_name.h — safe file names from user input: the name a stored file, a download or a ZIP entry
 * gets from a client-supplied name (upload filename, creative name), and the Content-Disposition
 * header value that hands such a name to a browser (RFC 6266 + RFC 8187). Pure: no I/O.
 */
#ifndef TRACKGEN_FILE_NAME_H
#define TRACKGEN_FILE_NAME_H

#include <stddef.h>

#include "util/buf.h"

#define FILE_NAME_MAX 255 /* bytes, without the NUL */

/* A safe file name from a user-supplied one (in, len bytes of UTF-8; NUL bytes count as control
 * characters). The result:
 *   - is only the last path component (after the last / or \);
 *   - has no control characters (C0, DEL, C1) and no bidirectional or invisible formatting characters
 *     (U+200B..U+200F, U+202A..U+202E, U+2066..U+2069, U+061C, U+FEFF): they are removed;
 *   - has the characters illegal on Windows (< > : " | ? *) replaced by '_';
 *   - has no leading dots or spaces and no trailing dots or spaces (removed);
 *   - does not spell a Windows device name (CON, PRN, AUX, NUL, COM1..9, LPT1..9, any case, with or
 *     without an extension): those get a '_' in front;
 *   - is at most FILE_NAME_MAX bytes, cut on a UTF-8 character boundary, keeping the extension (the
 *     part from the last '.', when it is at most 32 bytes) whenever the name is longer.
 * Invalid UTF-8, or nothing left ("", ".", "..", "  ", only controls), gives fallback instead (the
 * caller's own safe name, e.g. "file"; copied as is, cut to FILE_NAME_MAX bytes; NULL means "file").
 * Writes a NUL-terminated result into out (the caller's, size >= FILE_NAME_MAX + 1). Allocates only
 * temporarily; when that fails the result is fallback. */
void file_name_sanitize(const char *in, size_t len, const char *fallback, char *out);

/* Appends a Content-Disposition value for name (a NUL-terminated, already sanitised UTF-8 name) to out:
 *   attachment; filename="<ASCII fallback>"
 * and, only when name is not plain printable ASCII,
 *   attachment; filename="<ASCII fallback>"; filename*=UTF-8''<RFC 8187 percent-encoding>
 * In the ASCII fallback each '"', '\', control character and non-ASCII character (one '_' per code
 * point) is replaced by '_'. The percent-encoding keeps RFC 8187 attr-chars and writes every other
 * byte as %XX (upper-case hex). Returns BUF_OK, or buf_append's error (out keeps what it had then). */
int file_name_disposition(const char *name, buf_t *out);

#endif
