/*
 * fuzz_csv_read.c — libFuzzer harness for the streaming CSV reader (src/util/csv_read.c).
 *
 * Input: one byte choosing the piece size (1..256), then the CSV bytes. Checks:
 *  - the records and the outcome (end, or a structural error with its line) are the same whether
 *    the input is fed whole or in pieces, so no split (inside a quote, a CRLF, a UTF-8 sequence or
 *    the BOM) changes what is read;
 *  - every record respects the caps and its line numbers never go back; a record without a problem
 *    has NUL-free UTF-8 fields and, after the header, as many as the header;
 *  - the records, written again with every field quoted and CRLF line ends, read back to the same
 *    fields and problems.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/csv_read.h"
#include "util/text.h"

typedef struct {
    buf_t log; /* every record: fields and problem, length-prefixed */
    buf_t csv; /* the records written again */
    size_t last_line, header_fields;
} seen_t;

static int record(void *ctx, const csv_record_t *rec)
{
    seen_t *s = ctx;
    assert(rec->line >= 1 && rec->line >= s->last_line);
    s->last_line = rec->line;
    assert(rec->nfields >= 1 && rec->nfields <= CSV_READ_COLUMNS_MAX);
    if (rec->header)
        s->header_fields = rec->nfields;
    if (!rec->problem) {
        assert(rec->header || rec->nfields == s->header_fields);
        for (size_t i = 0; i < rec->nfields; i++)
            assert(!memchr(rec->fields[i].s, '\0', rec->fields[i].len) &&
                   text_utf8_valid(rec->fields[i].s, rec->fields[i].len));
    }
    buf_printf(&s->log, "%zu:%s|", rec->nfields, rec->problem ? rec->problem : "-");
    for (size_t i = 0; i < rec->nfields; i++) {
        const csv_field_t *f = &rec->fields[i];
        assert(f->len <= CSV_READ_FIELD_MAX && f->s[f->len] == '\0');
        buf_printf(&s->log, "%zu:", f->len);
        buf_append(&s->log, f->s, f->len);
        buf_append_str(&s->csv, i ? ",\"" : "\"");
        for (size_t k = 0; k < f->len; k++)
            buf_append(&s->csv, f->s[k] == '"' ? "\"\"" : &f->s[k], f->s[k] == '"' ? 2 : 1);
        buf_append_char(&s->csv, '"');
    }
    buf_append_str(&s->csv, "\r\n");
    return 0;
}

/* Reads data in pieces of step bytes into s; returns the outcome as text (arena-free, static or s->log). */
static int read_in(const uint8_t *data, size_t size, size_t step, seen_t *s, size_t *err_line)
{
    buf_init(&s->log, SIZE_MAX / 2);
    buf_init(&s->csv, SIZE_MAX / 2);
    s->last_line = 0;
    s->header_fields = 0;
    csv_reader_t *r = csv_read_new(record, s);
    assert(r);
    int rc = 0;
    for (size_t at = 0; at < size && rc == 0; at += step)
        rc = csv_read_feed(r, data + at, size - at < step ? size - at : step);
    if (rc == 0)
        rc = csv_read_finish(r);
    *err_line = 0;
    if (rc == -1) {
        const char *why = csv_read_error(r, err_line);
        assert(why && *why && *err_line >= 1);
    }
    assert(rc == 0 || rc == -1);
    csv_read_free(r);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t step = (size_t)data[0] + 1;
    data++;
    size--;
    seen_t whole, pieces;
    size_t line_w, line_p;
    int rc_w = read_in(data, size, size ? size : 1, &whole, &line_w);
    int rc_p = read_in(data, size, step, &pieces, &line_p);
    assert(rc_w == rc_p && line_w == line_p);
    assert(whole.log.len == pieces.log.len && memcmp(buf_ptr(&whole.log), buf_ptr(&pieces.log), whole.log.len) == 0);

    seen_t again;
    size_t line_a;
    int rc_a = read_in((const uint8_t *)buf_ptr(&whole.csv), whole.csv.len, 4096, &again, &line_a);
    assert(rc_a == 0);
    assert(again.log.len == whole.log.len && memcmp(buf_ptr(&again.log), buf_ptr(&whole.log), whole.log.len) == 0);

    seen_t *all[] = {&whole, &pieces, &again};
    for (size_t i = 0; i < 3; i++) {
        buf_free(&all[i]->log);
        buf_free(&all[i]->csv);
    }
    return 0;
}
