/*
 * spool.h — the durable local spool of hits, with group commit (see README.md beside this file).
 *
 * spool_append() returns only when the line is on disk (written and fdatasync'ed), batching the
 * lines of all threads that arrive during one sync into the next one. Segments rotate every
 * ~200 ms or 8 MiB so the shipper can move them to PostgreSQL; the writer holds an exclusive
 * flock on the segment it is writing. The spool is owned by the server (one per process).
 */
#ifndef TRACKGEN_SPOOL_H
#define TRACKGEN_SPOOL_H

#include <stddef.h>

typedef struct spool spool_t;

/* Creates dir if needed and starts the writer thread. NULL on failure (errno set). */
spool_t *spool_start(const char *dir);
/* Appends one complete line (ending in '\n'). 0 once durable; -1 if the disk refused it (the hit
 * is not recorded and must not be acknowledged). Thread-safe. */
int spool_append(spool_t *s, const char *line, size_t len);
/* Syncs what is pending, closes the segment and stops the writer. Accepts NULL. */
void spool_stop(spool_t *s);

#endif
