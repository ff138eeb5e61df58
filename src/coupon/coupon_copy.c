/*
 * coupon_copy.c — COPY text-format rows (see coupon_copy.h).
 */
#include "coupon/coupon_copy.h"

#include <string.h>

int coupon_copy_field(buf_t *out, const char *s, size_t len, bool first)
{
    int rc = first ? BUF_OK : buf_append_char(out, '\t');
    if (rc != BUF_OK)
        return rc;
    if (!s)
        return buf_append(out, "\\N", 2);
    size_t from = 0;
    for (size_t i = 0; i < len && rc == BUF_OK; i++) {
        const char *esc = s[i] == '\\'   ? "\\\\"
                          : s[i] == '\t' ? "\\t"
                          : s[i] == '\n' ? "\\n"
                          : s[i] == '\r' ? "\\r"
                                         : NULL;
        if (!esc)
            continue;
        rc = buf_append(out, s + from, i - from);
        rc = rc == BUF_OK ? buf_append(out, esc, 2) : rc;
        from = i + 1;
    }
    return rc == BUF_OK ? buf_append(out, s + from, len - from) : rc;
}

int coupon_copy_end_row(buf_t *out)
{
    return buf_append_char(out, '\n');
}
