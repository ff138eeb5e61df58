/*
 * link_url.c — public URLs of tracking links (see link_url.h).
 */
#include "track/link_url.h"

#include <inttypes.h>
#include <stdio.h>

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

int link_destination_fill(const char *tmpl, const link_fill_t *f, buf_t *out)
{
    char partner[24], offer[24], url_id[24], ts[24];
    snprintf(partner, sizeof partner, "%" PRId64, f->partner_id);
    snprintf(offer, sizeof offer, "%" PRId64, f->offer_id);
    snprintf(url_id, sizeof url_id, "%" PRId64, f->offer_url_id);
    snprintf(ts, sizeof ts, "%" PRId64, f->timestamp);
    const char *const *p = f->params.values; /* source_id, sub1..sub5 */
    const macro_t macros[] = {
        {"transaction_id", f->transaction_id},
        {"partner_id", partner},
        {"affiliate_id", partner},
        {"offer_id", offer},
        {"offer_url_id", f->offer_url_id ? url_id : NULL},
        {"source_id", p[0]},
        {"sub1", p[1]},
        {"sub2", p[2]},
        {"sub3", p[3]},
        {"sub4", p[4]},
        {"sub5", p[5]},
        {"timestamp", f->timestamp >= 0 ? ts : NULL},
    };
    return macro_expand(tmpl, macros, sizeof macros / sizeof macros[0], out);
}

int link_params_too_long(const link_params_t *lp, const char *in, const char *what, problem_t *p)
{
    for (int i = 0; i < LINK_PARAM_COUNT; i++)
        if (lp->values[i] && *lp->values[i])
            problem_field(p, in, LINK_PARAM_NAMES[i],
                          "makes the %s longer than the %d bytes a link may have; shorten it (non-ASCII characters "
                          "take 6 to 12 bytes each once percent-encoded)",
                          what, LINK_URL_MAX_BYTES);
    return -1;
}
