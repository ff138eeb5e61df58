/*
 * url.c — strict checker for stored destination URLs (see url.h). Pure; no allocation.
 */
#include "util/url.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool char_allowed(unsigned char c)
{
    if (c <= 0x20 || c >= 0x7f)
        return false;
    return !strchr("\"<>\\^`|", c);
}

static bool host_valid(const char *h, size_t n)
{
    size_t name_len = n > 1 && h[n - 1] == '.' ? n - 1 : n; /* a trailing root dot is not part of the 253 */
    if (n == 0 || name_len > 253)
        return false;
    if (h[0] == '[') { /* IPv6 literal */
        if (n < 4 || h[n - 1] != ']')
            return false;
        for (size_t i = 1; i < n - 1; i++)
            if (!(is_alnum(h[i]) && strchr("0123456789abcdefABCDEF", h[i])) && h[i] != ':' && h[i] != '.')
                return false;
        return true;
    }
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        char c = h[i];
        if (c == '.') {
            if (label == 0)
                return false;
            label = 0;
        } else if (is_alnum(c) || c == '-' || c == '_') {
            if (++label > 63)
                return false;
        } else {
            return false;
        }
    }
    return label > 0 || (n > 1 && h[n - 1] == '.'); /* allow a trailing root dot, not an empty label */
}

static bool port_valid(const char *p, size_t n)
{
    if (n == 0 || n > 5)
        return false;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (p[i] - '0');
    }
    return v >= 1 && v <= 65535;
}

url_status_t url_check(const char *s, size_t len)
{
    if (len == 0)
        return URL_EMPTY;
    if (len > URL_MAX_LEN)
        return URL_TOO_LONG;
    for (size_t i = 0; i < len; i++)
        if (!char_allowed((unsigned char)s[i]))
            return URL_BAD_CHAR;

    size_t skip;
    if (len > 8 && strncasecmp(s, "https://", 8) == 0)
        skip = 8;
    else if (len > 7 && strncasecmp(s, "http://", 7) == 0)
        skip = 7;
    else
        return URL_BAD_SCHEME;

    const char *auth = s + skip;
    size_t alen = 0;
    while (skip + alen < len && !strchr("/?#", auth[alen]))
        alen++;
    if (memchr(auth, '@', alen))
        return URL_USERINFO;

    /* Split host and port: the port colon is the last one, after any IPv6 ']'. */
    size_t hlen = alen;
    const char *close = (alen && auth[0] == '[') ? memchr(auth, ']', alen) : NULL;
    const char *colon = NULL;
    for (size_t i = close ? (size_t)(close - auth) : 0; i < alen; i++)
        if (auth[i] == ':')
            colon = auth + i;
    if (colon) {
        hlen = (size_t)(colon - auth);
        if (!port_valid(colon + 1, alen - hlen - 1))
            return URL_BAD_PORT;
    }
    if (!host_valid(auth, hlen))
        return URL_BAD_HOST;
    if (memchr(auth, '{', hlen) || memchr(auth, '}', hlen))
        return URL_BAD_HOST;
    return URL_OK;
}

const char *url_status_reason(url_status_t st)
{
    switch (st) {
    case URL_OK: return "is valid";
    case URL_EMPTY: return "must not be empty";
    case URL_TOO_LONG: return "must be at most 2048 characters";
    case URL_BAD_SCHEME: return "must be an absolute http or https URL";
    case URL_USERINFO: return "must not contain user information ('@' before the host)";
    case URL_BAD_HOST: return "must have a valid host name";
    case URL_BAD_PORT: return "has an invalid port";
    case URL_BAD_CHAR:
        return "must contain only printable ASCII characters without spaces, quotes, '<', '>' or '\\' (percent-encode "
               "others)";
    }
    return "is invalid";
}
