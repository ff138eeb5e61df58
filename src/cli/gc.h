/*
 * gc.h — `trackgen gc [--grace SECONDS] [--dry-run]`: removes the blobs of TRACKGEN_BLOB_DIR that no
 * creative names any more (creatives.file_sha256, creatives.thumbnail_sha256) and that are older
 * than the grace period (default 3600 s, so an upload whose row is being written is never taken),
 * and the temporaries crashed uploads left. Prints what it removed and kept. Run it from cron or a
 * systemd timer; it is safe to run while the workers serve.
 */
#ifndef TRACKGEN_CLI_GC_H
#define TRACKGEN_CLI_GC_H

/* Exit status: 0 done, 1 failed (database, store), 2 bad arguments. */
int cli_gc(const char *conninfo, const char *blob_dir, int argc, char **argv);

#endif
