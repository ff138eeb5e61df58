/*
 * creative_store.h — the process's blob store (store/blob_store.h) for creative files, opened at the
 * first use from TRACKGEN_BLOB_DIR, with libvips set up for thumbnails. Shared by every thread.
 */
#ifndef TRACKGEN_CREATIVE_STORE_H
#define TRACKGEN_CREATIVE_STORE_H

#include "http/request.h"
#include "store/blob_store.h"

/* The store, or NULL with a 503 recorded (the directory cannot be used: logged). */
blob_store_t *creative_store(request_t *r);
/* Whether thumbnails can be made in this process (libvips started). */
bool creative_store_thumbnails(void);
/* The blob's absolute path ("<TRACKGEN_BLOB_DIR>/ab/cd/<hex>") in the arena, or NULL. */
const char *creative_store_path(request_t *r, const char *hex);

#endif
