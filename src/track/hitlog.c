/*
 * hitlog.c — spool line format for hits (see hitlog.h).
 */
#include "track/hitlog.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "util/text.h"

/* COPY text format: backslash, tab, newline and carriage return are escaped; NULL is \N. */
static void put_text(buf_t *b, const char *s)
{
    if (!s) {
        buf_append(b, "\\N", 2);
        return;
    }
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '\\': buf_append(b, "\\\\", 2); break;
        case '\t': buf_append(b, "\\t", 2); break;
        case '\n': buf_append(b, "\\n", 2); break;
        case '\r': buf_append(b, "\\r", 2); break;
        default: buf_append_char(b, *p);
        }
    }
}

static void put_int(buf_t *b, int64_t v, bool zero_is_null)
{
    if (zero_is_null && v == 0)
        buf_append(b, "\\N", 2);
    else
        buf_printf(b, "%" PRId64, v);
}

int hitlog_format(const hit_t *h, buf_t *out)
{
    /* Every field is bounded by the caller, so the row cannot grow past this cap; the length is
     * checked against the line limit once it is built. */
    buf_t row;
    buf_init(&row, 8 * HITLOG_LINE_MAX);
    put_text(&row, h->transaction_id);
    buf_append_char(&row, '\t');
    put_text(&row, h->kind);
    /* hit_at as an ISO 8601 UTC timestamp with milliseconds: COPY parses it into timestamptz */
    time_t secs = (time_t)(h->hit_at_ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    buf_printf(&row, "\t%04d-%02d-%02d %02d:%02d:%02d.%03d+00", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
               tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(h->hit_at_ms % 1000));
    buf_append_char(&row, '\t');
    put_int(&row, h->partner_id, false);
    buf_append_char(&row, '\t');
    put_int(&row, h->offer_id, false);
    buf_append_char(&row, '\t');
    put_int(&row, h->offer_url_id, true);
    const char *const *p = h->params.values; /* source_id, sub1..sub5 */
    const char *texts[] = {p[0], p[1], p[2], p[3], p[4], p[5], h->ip, h->user_agent, h->referer, h->outcome};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        buf_append_char(&row, '\t');
        put_text(&row, texts[i]);
    }
    if (buf_printf(&row, "\t%s", h->is_bot ? "t" : "f") != BUF_OK || row.len > HITLOG_LINE_MAX - 10) {
        buf_free(&row);
        return -1;
    }
    uint32_t crc = (uint32_t)crc32(0L, (const Bytef *)buf_ptr(&row), (uInt)row.len);
    int rc = buf_printf(out, "%08" PRIx32 "\t%s\n", crc, buf_ptr(&row)) == BUF_OK ? 0 : -1;
    buf_free(&row);
    return rc;
}

bool hitlog_line_valid(const char *line, size_t len, const char **row, size_t *row_len)
{
    if (len < 10 || line[8] != '\t')
        return false;
    uint32_t want = 0;
    for (int i = 0; i < 8; i++) {
        int v = text_hex_digit(line[i]);
        if (v < 0)
            return false;
        want = (want << 4) | (uint32_t)v;
    }
    *row = line + 9;
    *row_len = len - 9;
    return (uint32_t)crc32(0L, (const Bytef *)*row, (uInt)*row_len) == want;
}
