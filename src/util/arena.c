/*
 * arena.c — bump allocator with a cleanup list, one per request (see arena.h).
 *
 * Chunks form a singly linked list; the first chunk survives arena_reset() so a worker thread
 * serving request after request does not touch malloc for small requests at all.
 */
#include "util/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct chunk {
    struct chunk *next;
    size_t size;
    size_t used;
    alignas(max_align_t) unsigned char data[];
} chunk_t;

typedef struct cleanup {
    struct cleanup *next;
    arena_cleanup_fn fn;
    void *ptr;
} cleanup_t;

struct arena {
    chunk_t *head; /* newest chunk first; the last one in the list is the kept one */
    size_t chunk_size;
    size_t used_total;
    cleanup_t *cleanups;
};

static void oom(void)
{
    fputs("trackgen: out of memory\n", stderr);
    abort();
}

static chunk_t *chunk_new(size_t size)
{
    if (size > SIZE_MAX - sizeof(chunk_t)) /* the header would wrap the malloc size around */
        return NULL;
    chunk_t *c = malloc(sizeof(*c) + size);
    if (!c)
        return NULL;
    c->next = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

arena_t *arena_create(size_t chunk_size)
{
    arena_t *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->chunk_size = chunk_size < 256 ? 256 : chunk_size;
    a->head = chunk_new(a->chunk_size);
    if (!a->head) {
        free(a);
        return NULL;
    }
    return a;
}

static void run_cleanups(arena_t *a)
{
    /* The cleanup records live in the arena's own chunks, which are still valid here. */
    for (cleanup_t *c = a->cleanups; c; c = c->next)
        c->fn(c->ptr);
    a->cleanups = NULL;
}

void arena_reset(arena_t *a)
{
    if (!a)
        return;
    run_cleanups(a);
    chunk_t *c = a->head;
    while (c->next) {
        chunk_t *next = c->next;
        free(c);
        c = next;
    }
    c->used = 0;
    a->head = c;
    a->used_total = 0;
}

void arena_destroy(arena_t *a)
{
    if (!a)
        return;
    arena_reset(a);
    free(a->head);
    free(a);
}

static size_t align_up(size_t n)
{
    const size_t al = alignof(max_align_t);
    return (n + al - 1) & ~(al - 1);
}

void *arena_alloc(arena_t *a, size_t size)
{
    size_t need = align_up(size ? size : 1);
    if (need < size)
        oom();
    chunk_t *c = a->head;
    if (c->size - c->used < need) {
        size_t csize = need > a->chunk_size ? need : a->chunk_size;
        chunk_t *n = chunk_new(csize);
        if (!n)
            oom();
        /* Insert after nothing: the new chunk becomes the head; the kept chunk stays last. */
        n->next = a->head;
        a->head = n;
        c = n;
    }
    void *p = c->data + c->used;
    c->used += need;
    a->used_total += need;
    return p;
}

void *arena_calloc(arena_t *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        oom();
    void *p = arena_alloc(a, n * size);
    memset(p, 0, n * size);
    return p;
}

char *arena_strndup(arena_t *a, const char *s, size_t len)
{
    char *p = arena_alloc(a, len + 1);
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *arena_strdup(arena_t *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_vprintf(arena_t *a, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        oom();
    char *p = arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *arena_printf(arena_t *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

void arena_cleanup_add(arena_t *a, arena_cleanup_fn fn, void *ptr)
{
    if (!ptr)
        return;
    cleanup_t *c = arena_alloc(a, sizeof(*c));
    c->fn = fn;
    c->ptr = ptr;
    c->next = a->cleanups;
    a->cleanups = c;
}

size_t arena_used(const arena_t *a)
{
    return a->used_total;
}
