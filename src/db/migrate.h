/*
 * migrate.h — applies sql/migrations/NNNN_name.sql in order, each in its own transaction,
 * recording version, name and SHA-256 in schema_migrations. Refuses to run when an applied
 * file has changed since it was applied. Concurrent runs serialise on an advisory lock.
 */
#ifndef TRACKGEN_MIGRATE_H
#define TRACKGEN_MIGRATE_H

/* Returns 0 on success (prints what it applied to stdout), 1 on failure (message on stderr). */
int migrate_run(const char *conninfo, const char *dir);

/* The newest migration version this build knows (e.g. "0001"), set by the build from sql/migrations. */
const char *migrate_expected_version(void);

#endif
