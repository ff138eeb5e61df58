/*
 * csv_read.h — reading CSV (RFC 4180) piece by piece, over libcsv (Debian's libcsv-dev), for
 * imports whose body never sits whole in memory.
 *
 * The caller feeds the bytes as they arrive (any split, even inside a quoted field or a UTF-8
 * sequence) and gets one callback per record, with the line it starts on. What this module adds to
 * libcsv: a leading UTF-8 byte order mark is skipped; physical lines are counted (by LF), so every
 * record and error names its line; blank lines are skipped; the first record is the header and
 * every other record must have as many fields (a record that does not is still delivered, with
 * `problem` set, so an import can list every bad record); fields are checked to be UTF-8 and NUL
 * free; no field may be longer than CSV_READ_FIELD_MAX bytes and no record have more than
 * CSV_READ_COLUMNS_MAX fields, so memory stays bounded whatever the input. Fields are taken
 * verbatim: no trimming of spaces, quotes removed and doubled quotes undone, CRLF or LF inside a
 * quoted field kept as they are. Structural errors (a quote inside an unquoted field, text after a
 * closing quote, a quote never closed) stop the reading: after them nothing can be trusted. Pure.
 */
#ifndef TRACKGEN_CSV_READ_H
#define TRACKGEN_CSV_READ_H

#include <stdbool.h>
#include <stddef.h>

#define CSV_READ_FIELD_MAX 65536
#define CSV_READ_COLUMNS_MAX 64

typedef struct {
    const char *s; /* NUL-terminated, len bytes (valid UTF-8 unless the record has a problem) */
    size_t len;
} csv_field_t;

typedef struct {
    size_t line;               /* physical line (1-based) where the record starts */
    bool header;               /* the first record */
    const csv_field_t *fields; /* borrowed until the callback returns */
    size_t nfields;
    const char *problem;  /* NULL, or why the record is bad: a static reason... */
    size_t problem_field; /* ...about this field (0-based), or SIZE_MAX for the whole record */
} csv_record_t;

/* Called once per record; returns 0 to go on, anything else to stop reading (csv_read_feed then
 * returns that value). */
typedef int (*csv_record_fn)(void *ctx, const csv_record_t *rec);

typedef struct csv_reader csv_reader_t;

/* A new reader (heap; free with csv_read_free), or NULL on OOM. */
csv_reader_t *csv_read_new(csv_record_fn fn, void *ctx);
void csv_read_free(csv_reader_t *r); /* NULL-safe */
/* Feeds the next n bytes. Returns 0, -1 on a structural error (csv_read_error), or the callback's
 * non-zero value. */
int csv_read_feed(csv_reader_t *r, const void *p, size_t n);
/* The end of the input: delivers the last record if it lacks a line break. Returns like feed. */
int csv_read_finish(csv_reader_t *r);
/* After -1: why (static text) and on which line. */
const char *csv_read_error(const csv_reader_t *r, size_t *line);
/* Records delivered so far, the header included. */
size_t csv_read_records(const csv_reader_t *r);

#endif
