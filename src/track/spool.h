/*
 * spool.h — the durable local spool of hits, with group commit (see README.md beside this file).
 *
 * spool_append() returns only when the line is on disk (written and fdatasync'ed), batching the
 * lines of all threads that arrive during one sync into the next one. Segments rotate every
 * ~200 ms or 8 MiB so the shipper can move them to PostgreSQL; the writer holds an exclusive
 * flock on the segment it is writing. The spool is owned by the server (one per process).
 *
 * spool_append_async() is the same without waiting: the caller's function runs once the line is
 * durable (or could not be written), so the calling thread is free at once — the click path uses
 * it to answer after the group commit without sleeping. Leader/follower: an append that finds no
 * thread writing writes the batch itself (after a short gather), then runs the batch's functions
 * and any batch that gathered meanwhile before it returns; an append that finds a writer returns
 * at once, and the writer answers it. No hand-off between threads on the way.
 *
 * "Not durable" always means "not recorded": the bytes of a batch whose write or sync failed are
 * cut off the segment again, so no shipper ever sees them (a segment named
 * "<segment>.valid-<bytes>" is one whose cut failed: only its first <bytes> may be shipped).
 * spool_healthy() tells readiness probes whether hits can be made durable right now.
 */
#ifndef TRACKGEN_SPOOL_H
#define TRACKGEN_SPOOL_H

#include <stdbool.h>
#include <stddef.h>

typedef struct spool spool_t;

/* Creates dir if needed and starts the thread that closes idle segments. NULL on failure (errno set). */
spool_t *spool_start(const char *dir);
/* Appends one complete line (ending in '\n'). 0 once durable; -1 if the disk refused it (the hit
 * is not recorded and must not be acknowledged). Thread-safe. */
int spool_append(spool_t *s, const char *line, size_t len);
typedef void (*spool_done_fn)(void *ctx, bool durable);
/* Appends one complete line; done(ctx, durable) runs exactly once (durable false: not recorded,
 * must not be acknowledged) — on this thread before the call returns if it writes the batch,
 * else on the thread that does. Thread-safe; call it holding no lock done() may take. */
void spool_append_async(spool_t *s, const char *line, size_t len, spool_done_fn done, void *ctx);
/* False when hits cannot be made durable now — the last batch failed, or a small synced probe
 * write in the spool directory fails (probed at most once a second, on the caller's thread, never
 * on the click path) — with the reason in why. A successful probe clears an earlier failure. */
bool spool_healthy(spool_t *s, char *why, size_t why_len);
/* Syncs what is pending, runs every pending completion, closes the segment and stops. Accepts NULL. */
void spool_stop(spool_t *s);

#endif
