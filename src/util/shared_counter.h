/*
 * shared_counter.h — one 64-bit counter shared by the processes of a host through a small
 * mmap'd file: they read and bump it with lock-free atomics, no system call. The worker processes
 * use it as the host's cache generation (db/live_cache.h): a writer bumps it after its commit, a
 * reader compares it with the generation its snapshot was loaded at. The file holds nothing but
 * the counter; deleting it while processes run splits them into two generations (harmless: each
 * reload is then driven by PostgreSQL's notifications alone).
 */
#ifndef TRACKGEN_SHARED_COUNTER_H
#define TRACKGEN_SHARED_COUNTER_H

#include <stdint.h>

typedef struct shared_counter shared_counter_t;

/* Opens (creating it, 0 at first) the counter in path. NULL with errno set on failure. The
 * caller owns it and closes it with shared_counter_close (accepts NULL). */
shared_counter_t *shared_counter_open(const char *path);
void shared_counter_close(shared_counter_t *c);
/* The current value (0 for a NULL counter). */
uint64_t shared_counter_get(const shared_counter_t *c);
/* Adds one and returns the new value (0 for a NULL counter, which does nothing). */
uint64_t shared_counter_bump(shared_counter_t *c);

#endif
