/*
 * link_url.c — public URLs of tracking links (see link_url.h).
 */
#include "track/link_url.h"

#include "track/macro.h"

const char *const LINK_PARAM_NAMES[LINK_PARAM_COUNT] = {"source_id", "sub1", "sub2", "sub3", "sub4", "sub5"};

int link_params_append(const link_params_t *lp, char first, buf_t *out)
{
    char sep = first;
    for (int i = 0; i < LINK_PARAM_COUNT; i++) {
        if (!lp->values[i])
            continue;
        int rc = buf_printf(out, "%c%s=", sep, LINK_PARAM_NAMES[i]);
        if (rc != BUF_OK || (rc = macro_url_encode(lp->values[i], out)) != BUF_OK)
            return rc;
        sep = '&';
    }
    return BUF_OK;
}

int link_url_build(const char *public_url, const char *path, const char *token, const char *suffix,
                   const link_params_t *lp, buf_t *out)
{
    int rc = buf_printf(out, "%s/%s/%s%s", public_url, path, token, suffix);
    return rc != BUF_OK ? rc : link_params_append(lp, '?', out);
}
