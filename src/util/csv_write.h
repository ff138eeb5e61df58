/*
 * csv_write.h — writing CSV (RFC 4180) safely: fields separated by commas, rows ended by CRLF,
 * a field quoted when it holds a comma, a quote, CR or LF (quotes doubled), and a field that a
 * spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) prefixed with a single
 * quote so it stays text (OWASP "CSV injection"). Used by CSV exports; appends to a capped buf_t.
 * Pure.
 */
#ifndef TRACKGEN_CSV_WRITE_H
#define TRACKGEN_CSV_WRITE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Appends one field (NULL = empty), preceded by a comma unless first. Returns BUF_OK or the buffer's error. */
int csv_write_field(buf_t *out, const char *s, bool first);
/* Ends the row (CRLF). */
int csv_write_end_row(buf_t *out);

#endif
