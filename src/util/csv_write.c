/*
 * csv_write.c — CSV fields and rows (see csv_write.h).
 */
#include "util/csv_write.h"

#include <string.h>

int csv_write_field(buf_t *out, const char *s, bool first)
{
    int rc = first ? BUF_OK : buf_append_char(out, ',');
    if (rc != BUF_OK || !s || !*s)
        return rc;
    bool formula = strchr("=+-@\t\r", s[0]) != NULL;
    bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    if (quote && (rc = buf_append_char(out, '"')) != BUF_OK)
        return rc;
    if (formula && (rc = buf_append_char(out, '\'')) != BUF_OK)
        return rc;
    for (const char *p = s; *p; p++) {
        if (*p == '"' && (rc = buf_append_char(out, '"')) != BUF_OK)
            return rc;
        if ((rc = buf_append_char(out, *p)) != BUF_OK)
            return rc;
    }
    return quote ? buf_append_char(out, '"') : BUF_OK;
}

int csv_write_end_row(buf_t *out)
{
    return buf_append(out, "\r\n", 2);
}
