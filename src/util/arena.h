/*
 * arena.h — per-request memory arena.
 *
 * Everything a request allocates comes from its arena and is released at once by arena_reset()
 * when the response has been sent (the pattern of nginx's ngx_pool_t). Library objects that have
 * their own free function (PGresult, json_t) ride the arena through arena_cleanup_add(), so every
 * exit path, errors included, releases them exactly once. An arena is owned by one thread.
 */
#ifndef TRACKGEN_ARENA_H
#define TRACKGEN_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct arena arena_t;
typedef void (*arena_cleanup_fn)(void *ptr);

/* Creates an arena whose chunks hold chunk_size bytes (larger requests get their own chunk).
 * Returns NULL on OOM. The caller frees it with arena_destroy(). */
arena_t *arena_create(size_t chunk_size);
/* Runs cleanups (newest first) and frees every chunk. Accepts NULL. */
void arena_destroy(arena_t *a);
/* Runs cleanups and forgets all allocations, keeping the first chunk for reuse. */
void arena_reset(arena_t *a);

/* Allocation never returns NULL: on OOM the process aborts (a request cannot be served anyway). */
void *arena_alloc(arena_t *a, size_t size); /* aligned for any type, uninitialised */
void *arena_calloc(arena_t *a, size_t n, size_t size);
char *arena_strndup(arena_t *a, const char *s, size_t len); /* copies len bytes and adds a NUL */
char *arena_strdup(arena_t *a, const char *s);
char *arena_printf(arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(arena_t *a, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Registers fn(ptr) to run when the arena is reset or destroyed. ptr NULL is ignored. */
void arena_cleanup_add(arena_t *a, arena_cleanup_fn fn, void *ptr);
/* Total bytes handed out since the last reset (for tests and limits). */
size_t arena_used(const arena_t *a);

#endif
