/*
 * offer_snapshot.c — snapshots of offer data: lookups and the snapshot file (see offer_snapshot.h).
 *
 * The file has one record per line, tab-separated, "\N" for NULL, after a version line. Stored
 * URLs contain no tabs, newlines or spaces (url_check), so no escaping is needed.
 */
#include "track/offer_snapshot.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FILE_VERSION "trackgen-offer-cache 1\n"

char offer_snapshot_status_code(const char *s)
{
    return s[0] == 'a' && s[1] == 'r' ? 'r' : s[0]; /* active / paused / archived */
}

char offer_snapshot_visibility_code(const char *s)
{
    return s[0] == 'p' && s[1] == 'u' ? 'u' : s[0] == 'r' ? 'r' : 'p';
}

void offer_snapshot_free(offer_snapshot_t *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_offers; i++) {
        free(s->offers[i].destination_url);
        free(s->offers[i].fallback_url);
    }
    for (size_t i = 0; i < s->n_urls; i++)
        free(s->urls[i].destination_url);
    for (size_t i = 0; s->offer_views && i < s->n_offers; i++) {
        free(s->offer_views[i].json);
        free(s->offer_views[i].name_lower);
    }
    for (size_t i = 0; s->url_json && i < s->n_urls; i++)
        free(s->url_json[i]);
    free(s->offer_views);
    free(s->url_json);
    free(s->url_order);
    free(s->offers);
    free(s->urls);
    free(s->grants);
    free(s->partners);
    free(s);
}

static const char *or_null(const char *s)
{
    return s ? s : "\\N";
}

int offer_snapshot_save(const offer_snapshot_t *s, const char *path)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return -1;
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    fputs(FILE_VERSION, f);
    for (size_t i = 0; i < s->n_offers; i++)
        fprintf(f, "O\t%" PRId64 "\t%c\t%c\t%s\t%s\n", s->offers[i].id, s->offers[i].status, s->offers[i].visibility,
                or_null(s->offers[i].destination_url), or_null(s->offers[i].fallback_url));
    for (size_t i = 0; i < s->n_urls; i++)
        fprintf(f, "U\t%" PRId64 "\t%" PRId64 "\t%c\t%s\n", s->urls[i].id, s->urls[i].offer_id, s->urls[i].status,
                or_null(s->urls[i].destination_url));
    for (size_t i = 0; i < s->n_grants; i++)
        fprintf(f, "G\t%" PRId64 "\t%" PRId64 "\n", s->grants[i].offer_id, s->grants[i].partner_id);
    for (size_t i = 0; i < s->n_partners; i++)
        fprintf(f, "P\t%" PRId64 "\t%d\n", s->partners[i].id, s->partners[i].active);
    bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

static char *field_dup(const char *s)
{
    return strcmp(s, "\\N") == 0 ? NULL : strdup(s);
}

/* A positive decimal id, whole field; -1 if it is not one. */
static int64_t id_field(const char *s)
{
    if (!*s || *s == '0' || strspn(s, "0123456789") != strlen(s) || strlen(s) > 18)
        return -1;
    return strtoll(s, NULL, 10);
}

static bool code_field(const char *s, const char *allowed)
{
    return s[0] && !s[1] && strchr(allowed, s[0]);
}

/* Grows an array by one element; aborts when memory runs out, like the rest of the loader. */
static void *grow(void *p, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return p;
    *cap = 2 * *cap + 16;
    void *q = realloc(p, *cap * size);
    if (!q)
        abort();
    return q;
}

/* Appends one parsed record to s; false if the line is not a complete, well-formed record. */
static bool add_line(offer_snapshot_t *s, char *line, size_t caps[4])
{
    size_t len = strlen(line);
    if (len == 0 || line[len - 1] != '\n')
        return false; /* cut short */
    line[len - 1] = '\0';
    char *f[7] = {0};
    int n = 0;
    for (char *p = line; p && n < 7; n++) {
        f[n] = p;
        p = strchr(p, '\t');
        if (p)
            *p++ = '\0';
    }
    if (n == 6 && strcmp(f[0], "O") == 0 && id_field(f[1]) > 0 && code_field(f[2], "apr") && code_field(f[3], "urp")) {
        s->offers = grow(s->offers, s->n_offers, &caps[0], sizeof *s->offers);
        s->offers[s->n_offers++] = (offer_entry_t){id_field(f[1]), f[2][0], f[3][0], field_dup(f[4]), field_dup(f[5])};
    } else if (n == 5 && strcmp(f[0], "U") == 0 && id_field(f[1]) > 0 && id_field(f[2]) > 0 &&
               code_field(f[3], "apr")) {
        s->urls = grow(s->urls, s->n_urls, &caps[1], sizeof *s->urls);
        s->urls[s->n_urls++] = (url_entry_t){id_field(f[1]), id_field(f[2]), f[3][0], field_dup(f[4])};
    } else if (n == 3 && strcmp(f[0], "G") == 0 && id_field(f[1]) > 0 && id_field(f[2]) > 0) {
        s->grants = grow(s->grants, s->n_grants, &caps[2], sizeof *s->grants);
        s->grants[s->n_grants++] = (grant_entry_t){id_field(f[1]), id_field(f[2])};
    } else if (n == 3 && strcmp(f[0], "P") == 0 && id_field(f[1]) > 0 && code_field(f[2], "01")) {
        s->partners = grow(s->partners, s->n_partners, &caps[3], sizeof *s->partners);
        s->partners[s->n_partners++] = (partner_entry_t){id_field(f[1]), f[2][0] == '1'};
    } else {
        return false;
    }
    return true;
}

static int cmp_grant(const void *k, const void *e)
{
    const grant_entry_t *a = k, *b = e;
    if (a->offer_id != b->offer_id)
        return (a->offer_id > b->offer_id) - (a->offer_id < b->offer_id);
    return (a->partner_id > b->partner_id) - (a->partner_id < b->partner_id);
}

/* Binary search needs every array in strictly ascending key order. */
static bool sorted(const offer_snapshot_t *s)
{
    for (size_t i = 1; i < s->n_offers; i++)
        if (s->offers[i - 1].id >= s->offers[i].id)
            return false;
    for (size_t i = 1; i < s->n_urls; i++)
        if (s->urls[i - 1].id >= s->urls[i].id)
            return false;
    for (size_t i = 1; i < s->n_grants; i++)
        if (cmp_grant(&s->grants[i - 1], &s->grants[i]) >= 0)
            return false;
    for (size_t i = 1; i < s->n_partners; i++)
        if (s->partners[i - 1].id >= s->partners[i].id)
            return false;
    return true;
}

offer_snapshot_t *offer_snapshot_read(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char line[8192];
    offer_snapshot_t *s = NULL;
    if (!fgets(line, sizeof line, f) || strcmp(line, FILE_VERSION) != 0)
        goto out;
    s = calloc(1, sizeof *s);
    if (!s)
        goto out;
    size_t caps[4] = {0, 0, 0, 0};
    bool ok = true;
    while (ok && fgets(line, sizeof line, f))
        ok = add_line(s, line, caps);
    if (!ok || ferror(f) || !sorted(s)) {
        offer_snapshot_free(s);
        s = NULL;
    }
out:
    fclose(f);
    return s;
}

static int cmp_id(int64_t a, int64_t b)
{
    return (a > b) - (a < b);
}

static int cmp_offer(const void *k, const void *e)
{
    return cmp_id(*(const int64_t *)k, ((const offer_entry_t *)e)->id);
}

static int cmp_url(const void *k, const void *e)
{
    return cmp_id(*(const int64_t *)k, ((const url_entry_t *)e)->id);
}

static int cmp_partner(const void *k, const void *e)
{
    return cmp_id(*(const int64_t *)k, ((const partner_entry_t *)e)->id);
}

const offer_entry_t *offer_snapshot_offer(const offer_snapshot_t *s, int64_t id)
{
    return s->n_offers ? bsearch(&id, s->offers, s->n_offers, sizeof *s->offers, cmp_offer) : NULL;
}

const url_entry_t *offer_snapshot_url(const offer_snapshot_t *s, int64_t id)
{
    return s->n_urls ? bsearch(&id, s->urls, s->n_urls, sizeof *s->urls, cmp_url) : NULL;
}

const partner_entry_t *offer_snapshot_partner(const offer_snapshot_t *s, int64_t id)
{
    return s->n_partners ? bsearch(&id, s->partners, s->n_partners, sizeof *s->partners, cmp_partner) : NULL;
}

bool offer_snapshot_granted(const offer_snapshot_t *s, int64_t offer_id, int64_t partner_id)
{
    grant_entry_t key = {offer_id, partner_id};
    return s->n_grants && bsearch(&key, s->grants, s->n_grants, sizeof key, cmp_grant) != NULL;
}

void offer_snapshot_index_urls(offer_snapshot_t *s)
{
    free(s->url_order);
    s->url_order = calloc(s->n_urls + 1, sizeof *s->url_order);
    if (!s->url_order)
        abort();
    for (size_t i = 0; i < s->n_offers; i++)
        s->offer_views[i].n_urls = 0;
    /* Counts per offer, then each offer's range, then the URLs in id order into their ranges. */
    for (size_t u = 0; u < s->n_urls; u++) {
        const offer_entry_t *o = offer_snapshot_offer(s, s->urls[u].offer_id);
        if (o)
            s->offer_views[o - s->offers].n_urls++;
    }
    size_t next = 0;
    for (size_t i = 0; i < s->n_offers; i++) {
        s->offer_views[i].first_url = next;
        next += s->offer_views[i].n_urls;
        s->offer_views[i].n_urls = 0;
    }
    for (size_t u = 0; u < s->n_urls; u++) {
        const offer_entry_t *o = offer_snapshot_offer(s, s->urls[u].offer_id);
        if (o) {
            offer_view_t *v = &s->offer_views[o - s->offers];
            s->url_order[v->first_url + v->n_urls++] = u;
        }
    }
}

bool offer_snapshot_visible(const offer_snapshot_t *s, const offer_entry_t *o, int64_t partner_id)
{
    return partner_id == 0 ||
           (o->status != 'r' && (o->visibility == 'u' || offer_snapshot_granted(s, o->id, partner_id)));
}

size_t offer_snapshot_after(const offer_snapshot_t *s, int64_t after)
{
    size_t lo = 0, hi = s->n_offers;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->offers[mid].id <= after)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
