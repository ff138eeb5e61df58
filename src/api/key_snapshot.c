/*
 * key_snapshot.c — the API keys in memory (see key_snapshot.h).
 */
#include "api/key_snapshot.h"

#include <stdlib.h>
#include <string.h>

static int by_prefix(const void *a, const void *b)
{
    return strcmp(((const key_entry_t *)a)->prefix, ((const key_entry_t *)b)->prefix);
}

bool key_snapshot_sort(key_snapshot_t *s)
{
    if (s->n)
        qsort(s->keys, s->n, sizeof *s->keys, by_prefix);
    for (size_t i = 1; i < s->n; i++)
        if (strcmp(s->keys[i - 1].prefix, s->keys[i].prefix) == 0)
            return false;
    return true;
}

static int prefix_cmp(const void *k, const void *e)
{
    return strcmp(k, ((const key_entry_t *)e)->prefix);
}

key_entry_t *key_snapshot_find(const key_snapshot_t *s, const char *prefix)
{
    return s->n ? bsearch(prefix, s->keys, s->n, sizeof *s->keys, prefix_cmp) : NULL;
}

void key_snapshot_mark_used(key_entry_t *k, int64_t now)
{
    /* Relaxed: the time is a hint written once a minute; a read first keeps the line shared. */
    if (atomic_load_explicit(&k->used_at, memory_order_relaxed) != now)
        atomic_store_explicit(&k->used_at, now, memory_order_relaxed);
}

size_t key_snapshot_take_used(key_snapshot_t *s, int64_t *ids, int64_t *times)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (atomic_load_explicit(&s->keys[i].used_at, memory_order_relaxed) == 0)
            continue;
        int64_t t = atomic_exchange_explicit(&s->keys[i].used_at, 0, memory_order_relaxed);
        if (t) {
            ids[n] = s->keys[i].id;
            times[n++] = t;
        }
    }
    return n;
}

void key_snapshot_carry_used(key_snapshot_t *old, key_snapshot_t *cur)
{
    for (size_t i = 0; i < old->n; i++) {
        int64_t t = atomic_load_explicit(&old->keys[i].used_at, memory_order_relaxed);
        key_entry_t *k = t ? key_snapshot_find(cur, old->keys[i].prefix) : NULL;
        if (!k)
            continue;
        /* Readers may mark cur meanwhile: never replace a later time. */
        int64_t seen = atomic_load_explicit(&k->used_at, memory_order_relaxed);
        while (seen < t && !atomic_compare_exchange_weak_explicit(&k->used_at, &seen, t, memory_order_relaxed,
                                                                  memory_order_relaxed))
            ;
    }
}

void key_snapshot_free(key_snapshot_t *s)
{
    if (!s)
        return;
    free(s->keys);
    free(s);
}
