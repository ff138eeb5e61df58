/*
 * ratelimit_table.c — the shared (key, TAT) table in an mmap'd file (see ratelimit_table.h).
 *
 * Layout: a 16-byte header (magic, slot count) and the slots, each two lock-free 64-bit atomics.
 * A key is found by linear probing from its hash; since keys are never removed (only their slots
 * reused once their TAT has passed), a key is never stored beyond the first empty slot of its probe
 * sequence, so the search stops there. Races that cannot be excluded without locks, and why they
 * are harmless:
 *  - two processes claim a reusable slot for the same new key: the loser of the key CAS finds the
 *    winner's slot on its retry;
 *  - a slot is reused for another key while its old key updates the TAT: reuse requires the TAT
 *    to be in the past, i.e. the old key had its whole quota; the new key starts at most one
 *    request stricter.
 */
#include "http/ratelimit_table.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define TABLE_MAGIC UINT64_C(0x31304c5247544b54) /* "TKTGRL01" little-endian */

typedef struct {
    uint64_t magic;
    uint32_t nslots;
    uint32_t reserved;
} table_header_t;

typedef struct {
    _Atomic uint64_t key;
    _Atomic int64_t tat;
} slot_t;

_Static_assert(sizeof(table_header_t) == 16 && sizeof(slot_t) == 16, "the file layout is fixed");

struct ratelimit_table {
    void *map;
    size_t map_len;
    slot_t *slots;
    uint32_t mask;
};

static size_t table_bytes(uint32_t nslots)
{
    return sizeof(table_header_t) + (size_t)nslots * sizeof(slot_t);
}

/* Under the file lock: a new (empty) file gets its header; an existing one must carry it. */
static int table_prepare(int fd, uint32_t nslots, uint32_t *out_slots)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return -1;
    table_header_t h = {0};
    /* Empty, or a creator died between sizing and the header (no one can have mapped it). */
    if (st.st_size == 0 || (pread(fd, &h, sizeof h, 0) == (ssize_t)sizeof h && h.magic == 0)) {
        h = (table_header_t){.magic = TABLE_MAGIC, .nslots = nslots};
        /* The slots are the file's zero-filled tail; the header is written last. */
        if (ftruncate(fd, (off_t)table_bytes(nslots)) < 0 || pwrite(fd, &h, sizeof h, 0) != (ssize_t)sizeof h)
            return -1;
        *out_slots = nslots;
        return 0;
    }
    if (h.magic != TABLE_MAGIC || h.nslots == 0 || (h.nslots & (h.nslots - 1)) != 0 ||
        (size_t)st.st_size != table_bytes(h.nslots)) {
        errno = EINVAL;
        return -1;
    }
    *out_slots = h.nslots;
    return 0;
}

ratelimit_table_t *ratelimit_table_open(const char *path, uint32_t nslots)
{
    if (nslots == 0 || (nslots & (nslots - 1)) != 0) {
        errno = EINVAL;
        return NULL;
    }
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return NULL;
    uint32_t n = 0;
    int rc = flock(fd, LOCK_EX);
    if (rc == 0) {
        rc = table_prepare(fd, nslots, &n);
        int saved = errno;
        flock(fd, LOCK_UN);
        errno = saved;
    }
    void *map = rc == 0 ? mmap(NULL, table_bytes(n), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : MAP_FAILED;
    int saved = errno;
    close(fd); /* the mapping keeps the file */
    errno = saved;
    if (map == MAP_FAILED)
        return NULL;
    ratelimit_table_t *t = malloc(sizeof *t);
    if (!t) {
        munmap(map, table_bytes(n));
        errno = ENOMEM;
        return NULL;
    }
    t->map = map;
    t->map_len = table_bytes(n);
    t->slots = (slot_t *)((char *)map + sizeof(table_header_t));
    t->mask = n - 1;
    return t;
}

void ratelimit_table_close(ratelimit_table_t *t)
{
    if (!t)
        return;
    munmap(t->map, t->map_len);
    free(t);
}

/* splitmix64's finaliser: spreads consecutive key ids over the table. */
static uint64_t mix(uint64_t x)
{
    x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}

/* The slot holding key, claiming one if needed; NULL if none can be had. */
static slot_t *slot_for(ratelimit_table_t *t, uint64_t key, int64_t now)
{
    for (int attempt = 0; attempt < 4; attempt++) {
        uint64_t start = mix(key);
        slot_t *reusable = NULL;
        uint64_t reusable_key = 0;
        for (uint32_t i = 0; i < RATELIMIT_TABLE_PROBE && i <= t->mask; i++) {
            slot_t *s = &t->slots[(start + i) & t->mask];
            uint64_t k = atomic_load(&s->key);
            if (k == key)
                return s;
            if (k == 0) { /* the end of this key's sequence: it is not stored */
                if (!reusable) {
                    reusable = s;
                    reusable_key = 0;
                }
                break;
            }
            int64_t tat = atomic_load(&s->tat);
            if (!reusable && (tat <= now || ratelimit_tat_stale(tat, now, RATELIMIT_WINDOW_NS))) {
                reusable = s;
                reusable_key = k;
            }
        }
        if (!reusable)
            return NULL;
        uint64_t expected = reusable_key;
        if (atomic_compare_exchange_strong(&reusable->key, &expected, key) || expected == key)
            return reusable;
        /* Someone else took it first: look again. */
    }
    return NULL;
}

ratelimit_decision_t ratelimit_table_take(ratelimit_table_t *t, uint64_t key, const ratelimit_policy_t *p, int64_t now,
                                          bool *full)
{
    slot_t *s = slot_for(t, key, now);
    *full = s == NULL;
    if (!s)
        return ratelimit_decide(p, 0, now);
    int64_t tat = atomic_load(&s->tat);
    for (;;) {
        ratelimit_decision_t d = ratelimit_decide(p, tat, now);
        if (!d.allowed || atomic_compare_exchange_weak(&s->tat, &tat, d.tat))
            return d;
        /* tat now holds the value another request stored: decide again on it. */
    }
}

uint64_t ratelimit_key(const char *scope, const char *id)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325); /* FNV-1a 64 over scope, a NUL, id */
    for (const char *parts[] = {scope, id}, **p = parts; p < parts + 2; p++) {
        for (const unsigned char *c = (const unsigned char *)*p; *c; c++)
            h = (h ^ *c) * UINT64_C(0x100000001b3);
        h *= UINT64_C(0x100000001b3); /* the separator: a zero byte */
    }
    return h ? h : 1;
}
