/*
 * creative_store.c — the process's blob store for creatives (see creative_store.h).
 */
#include "api/creative_store.h"

#include <pthread.h>

#include "creative/thumbnail.h"
#include "util/log.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static blob_store_t *store;   /* lives as long as the process */
static bool thumbnails_ready; /* thumbnail_init succeeded */
static const config_t *opened_with;

static void open_store(void)
{
    char err[256];
    store = blob_store_open_fs(opened_with->blob_dir, err, sizeof err);
    if (!store)
        log_msg(LOG_ERROR, "blob store %s: %s", opened_with->blob_dir, err);
    thumbnails_ready = thumbnail_init("trackgen") == 0;
    if (!thumbnails_ready)
        log_msg(LOG_ERROR, "libvips could not start: images are stored without thumbnails");
}

blob_store_t *creative_store(request_t *r)
{
    opened_with = r->cfg; /* one configuration per process */
    pthread_once(&once, open_store);
    if (!store)
        problem_set(&r->problem, PROBLEM_SERVICE_UNAVAILABLE, "The file store is not available.");
    return store;
}

bool creative_store_thumbnails(void)
{
    return thumbnails_ready;
}

const char *creative_store_path(request_t *r, const char *hex)
{
    char rel[2 * BLOB_HEX_LEN];
    if (blob_relative_path(hex, rel, sizeof rel) < 0)
        return NULL;
    return arena_printf(r->arena, "%s/%s", r->cfg->blob_dir, rel);
}
