/*
 * rfc3339.c — RFC 3339 date-time parsing (see rfc3339.h).
 */
#include "util/rfc3339.h"

#include <stdbool.h>

/* Reads n decimal digits at s; -1 if any is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int fail(const char **why, const char *reason)
{
    *why = reason;
    return -1;
}

int rfc3339_parse(const char *s, size_t len, int64_t *micros, const char **why)
{
    /* YYYY-MM-DDTHH:MM:SS is 19 bytes; the shortest zone is 1 more. */
    if (len < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
        return fail(why, "must be an RFC 3339 date-time, e.g. 2026-11-25T10:00:00Z");
    int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
    int h = digits(s + 11, 2), mi = digits(s + 14, 2), sec = digits(s + 17, 2);
    if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0)
        return fail(why, "must be an RFC 3339 date-time, e.g. 2026-11-25T10:00:00Z");
    if (mo < 1 || mo > 12)
        return fail(why, "has a month outside 01-12");
    if (d < 1 || d > days_in_month(y, mo))
        return fail(why, "has a day that does not exist in that month");
    if (h > 23 || mi > 59 || sec > 60)
        return fail(why, "has a time of day outside 00:00:00-23:59:60");
    size_t i = 19;
    int64_t frac = 0;
    if (s[i] == '.') {
        i++;
        size_t start = i;
        int scale = 100000;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, scale /= 10)
            if (scale > 0)
                frac += (s[i] - '0') * scale;
        if (i == start)
            return fail(why, "has a '.' without fraction digits");
    }
    int64_t offset_min = 0;
    if (i + 1 == len && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i + 6 == len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
        int oh = digits(s + i + 1, 2), om = digits(s + i + 4, 2);
        if (oh < 0 || om < 0 || oh > 23 || om > 59)
            return fail(why, "has a zone offset outside -23:59..+23:59");
        offset_min = (s[i] == '-' ? -1 : 1) * (oh * 60 + om);
        i += 6;
    } else {
        return fail(why, "must end in Z or a zone offset such as +01:00");
    }
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
    *micros = secs * 1000000 + frac;
    return 0;
}
