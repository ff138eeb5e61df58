/*
 * csv_read.c — streaming CSV records over libcsv (see csv_read.h).
 *
 * libcsv is fed one physical line at a time (split at each LF, and into pieces of at most
 * SLICE bytes), so that the reader always knows which line libcsv is on when it reports a field
 * or a record, and can check the length of the field in progress between pieces.
 */
#include "util/csv_read.h"

#include <csv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/text.h"

#define SLICE 4096
#define ROW_NOT_BEGUN 0 /* libcsv's parser state between records (libcsv.c) */

struct csv_reader {
    struct csv_parser parser;
    csv_record_fn fn;
    void *ctx;
    unsigned char head[3]; /* the first bytes, held until we know whether they are a BOM */
    size_t head_len;
    bool head_done;
    size_t line;       /* the physical line being fed */
    size_t start_line; /* where the record in progress started */
    bool in_record;    /* a field of the record in progress has been delivered */
    buf_t text;        /* the record's fields, each followed by a NUL */
    size_t offsets[CSV_READ_COLUMNS_MAX];
    size_t lengths[CSV_READ_COLUMNS_MAX];
    size_t nfields;
    size_t header_fields; /* 0 until the header has been read */
    size_t records;
    int stop;          /* the callback's non-zero answer, or -1 on an error */
    const char *error; /* static */
    size_t error_line;
};

static int no_space(unsigned char c)
{
    (void)c;
    return 0; /* fields are taken verbatim: libcsv would otherwise trim spaces and tabs */
}

csv_reader_t *csv_read_new(csv_record_fn fn, void *ctx)
{
    csv_reader_t *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    if (csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        free(r);
        return NULL;
    }
    csv_set_space_func(&r->parser, no_space);
    r->fn = fn;
    r->ctx = ctx;
    r->line = 1;
    r->start_line = 1;
    buf_init(&r->text, (size_t)CSV_READ_COLUMNS_MAX * (CSV_READ_FIELD_MAX + SLICE + 1));
    return r;
}

void csv_read_free(csv_reader_t *r)
{
    if (!r)
        return;
    csv_free(&r->parser);
    buf_free(&r->text);
    free(r);
}

static void fail(csv_reader_t *r, const char *why, size_t line)
{
    if (r->stop)
        return;
    r->stop = -1;
    r->error = why;
    r->error_line = line;
}

static void on_field(void *s, size_t len, void *data)
{
    csv_reader_t *r = data;
    if (r->stop)
        return;
    if (!r->in_record) {
        r->in_record = true;
        r->nfields = 0;
        buf_clear(&r->text);
    }
    if (r->nfields == CSV_READ_COLUMNS_MAX)
        return fail(r, "a record has more fields than the 64 a file may have", r->start_line);
    if (len > CSV_READ_FIELD_MAX)
        return fail(r, "a field is longer than 65536 bytes", r->start_line);
    r->offsets[r->nfields] = r->text.len;
    r->lengths[r->nfields] = len;
    if ((len && buf_append(&r->text, s, len) != BUF_OK) || buf_append_char(&r->text, '\0') != BUF_OK)
        return fail(r, "out of memory", r->start_line);
    r->nfields++;
}

/* A record whose fields are all empty or blank (",,,", as spreadsheets write empty rows). */
static bool blank_record(const csv_reader_t *r)
{
    for (size_t i = 0; i < r->nfields; i++) {
        const char *f = buf_ptr(&r->text) + r->offsets[i];
        if (strspn(f, " \t") != r->lengths[i])
            return false;
    }
    return true;
}

static void on_record(int term, void *data)
{
    (void)term;
    csv_reader_t *r = data;
    if (r->stop || !r->in_record)
        return;
    size_t line = r->start_line;
    r->in_record = false;
    r->start_line = r->line; /* a record after a bare CR starts on this same line */
    if (blank_record(r))
        return;
    csv_field_t fields[CSV_READ_COLUMNS_MAX];
    csv_record_t rec = {line, r->header_fields == 0, fields, r->nfields, NULL, SIZE_MAX};
    for (size_t i = 0; i < r->nfields; i++) {
        fields[i] = (csv_field_t){buf_ptr(&r->text) + r->offsets[i], r->lengths[i]};
        if (!rec.problem && memchr(fields[i].s, '\0', fields[i].len))
            rec.problem = "contains a NUL character", rec.problem_field = i;
        else if (!rec.problem && !text_utf8_valid(fields[i].s, fields[i].len))
            rec.problem = "is not valid UTF-8", rec.problem_field = i;
    }
    if (rec.header)
        r->header_fields = r->nfields;
    else if (r->nfields != r->header_fields)
        rec.problem =
            r->nfields < r->header_fields ? "has fewer fields than the header" : "has more fields than the header",
        rec.problem_field = SIZE_MAX;
    r->records++;
    int rc = r->fn(r->ctx, &rec);
    if (rc)
        r->stop = rc;
}

/* Feeds one piece that contains no LF except possibly as its last byte. */
static int feed_piece(csv_reader_t *r, const unsigned char *p, size_t n)
{
    if (r->parser.pstate == ROW_NOT_BEGUN && !r->in_record)
        r->start_line = r->line;
    size_t used = csv_parse(&r->parser, p, n, on_field, on_record, r);
    if (!r->stop && used != n)
        fail(r,
             csv_error(&r->parser) == CSV_EPARSE
                 ? "malformed quoting: a quote inside an unquoted field, or text after a closing quote"
                 : "out of memory",
             r->line);
    if (!r->stop && r->parser.entry_pos > CSV_READ_FIELD_MAX)
        fail(r, "a field is longer than 65536 bytes (is a quote left open?)", r->start_line);
    if (n && p[n - 1] == '\n')
        r->line++;
    return r->stop;
}

static int feed_body(csv_reader_t *r, const unsigned char *p, size_t n)
{
    while (n && !r->stop) {
        size_t k = n < SLICE ? n : SLICE;
        const unsigned char *lf = memchr(p, '\n', k);
        if (lf)
            k = (size_t)(lf - p) + 1;
        feed_piece(r, p, k);
        p += k;
        n -= k;
    }
    return r->stop;
}

static const unsigned char BOM[3] = {0xEF, 0xBB, 0xBF};

int csv_read_feed(csv_reader_t *r, const void *data, size_t n)
{
    const unsigned char *p = data;
    if (r->stop)
        return r->stop;
    while (!r->head_done && n) {
        r->head[r->head_len++] = *p++;
        n--;
        if (memcmp(r->head, BOM, r->head_len) != 0) { /* not a BOM: the held bytes are data */
            r->head_done = true;
            if (feed_body(r, r->head, r->head_len))
                return r->stop;
        } else if (r->head_len == 3) {
            r->head_done = true; /* a BOM: dropped */
        }
    }
    return feed_body(r, p, n);
}

int csv_read_finish(csv_reader_t *r)
{
    if (r->stop)
        return r->stop;
    if (!r->head_done) { /* fewer than 3 bytes in all: the start of a BOM, but data */
        r->head_done = true;
        if (feed_body(r, r->head, r->head_len))
            return r->stop;
    }
    bool open_quote = r->parser.quoted && r->parser.pstate != ROW_NOT_BEGUN;
    if (csv_fini(&r->parser, on_field, on_record, r) != 0)
        fail(r, open_quote ? "a quoted field is never closed" : "malformed quoting", r->start_line);
    return r->stop;
}

const char *csv_read_error(const csv_reader_t *r, size_t *line)
{
    if (line)
        *line = r->error_line;
    return r->error;
}

size_t csv_read_records(const csv_reader_t *r)
{
    return r->records;
}
