/*
 * slot.h — the pure rules of the worker supervisor (supervisor.c): what each worker slot listens
 * on and how its pid file is named, how quickly a dying worker is restarted, and the file
 * descriptor numbers the master hands to its workers in the environment. No I/O; unit-tested.
 *
 * Slot k (1..N) of TRACKGEN_LISTEN:
 *   a unix socket path  dir/name.sock  ->  dir/name-k.sock   (no extension: dir/name -> dir/name-k)
 *   host:port                          ->  host:(port + k - 1)
 * Pid files follow the path rule: run/trackgen.pid -> run/trackgen-k.pid.
 */
#ifndef TRACKGEN_SLOT_H
#define TRACKGEN_SLOT_H

#include <stddef.h>
#include <stdint.h>

/* A worker that dies within this long of its start counts as dying quickly. */
#define SLOT_QUICK_DEATH_MS 10000
/* The longest wait before restarting a worker that keeps dying. */
#define SLOT_RESTART_DELAY_MAX_MS 5000

/* Writes path with "-k" before the extension of its last component into out.
 * Returns 0, or -1 if it does not fit in outlen bytes. */
int slot_path(const char *path, int k, char *out, size_t outlen);

/* Slot k's listening address for TRACKGEN_LISTEN (the path rule for a unix socket, the port rule
 * for host:port). Returns 0, or -1 if it does not fit or the port would pass 65535. */
int slot_listen(const char *listen, int k, char *out, size_t outlen);

/* Consecutive quick deaths after a worker that had run lived_ms died: prev + 1 if it died
 * quickly, else 1 (this death starts a new count). */
int slot_quick_deaths(int prev, int64_t lived_ms);

/* How long to wait before restarting after n consecutive quick deaths: at once for the first,
 * then 250 ms doubling up to SLOT_RESTART_DELAY_MAX_MS. */
int slot_restart_delay_ms(int n);

/* A file descriptor number from the environment (TRACKGEN_LISTEN_FD, TRACKGEN_READY_FD): digits
 * only, 0..65535. Returns the number, -1 if value is NULL, or -2 if it is not a number. */
int slot_env_fd(const char *value);

#endif
