/*
 * migrate.c — schema migrations (see migrate.h). Runs from the command line, not in workers.
 */
#include "db/migrate.h"

#include <dirent.h>
#include <libpq-fe.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/text.h"

#ifndef TRACKGEN_SCHEMA_VERSION
#error "TRACKGEN_SCHEMA_VERSION must be defined by the build"
#endif

#define MAX_MIGRATIONS 1000
#define MAX_MIGRATION_BYTES (16 * 1024 * 1024)

const char *migrate_expected_version(void)
{
    return TRACKGEN_SCHEMA_VERSION;
}

static const char *const CREATE_TABLE = "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                        "  version text PRIMARY KEY,"
                                        "  name text NOT NULL,"
                                        "  sha256 text NOT NULL,"
                                        "  applied_at timestamptz NOT NULL DEFAULT now())";
static const char *const SELECT_APPLIED = "SELECT sha256 FROM schema_migrations WHERE version = $1";
static const char *const INSERT_APPLIED = "INSERT INTO schema_migrations (version, name, sha256) VALUES ($1, $2, $3)";

static int is_migration_name(const char *n)
{
    size_t len = strlen(n);
    if (len < 10 || strcmp(n + len - 4, ".sql") != 0 || n[4] != '_')
        return 0;
    for (int i = 0; i < 4; i++)
        if (n[i] < '0' || n[i] > '9')
            return 0;
    for (size_t i = 5; i < len - 4; i++)
        if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' && n[i] <= '9') || n[i] == '_'))
            return 0;
    return 1;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_file(const char *path, buf_t *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char chunk[8192];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (buf_append(out, chunk, n) != BUF_OK) {
            rc = -1;
            break;
        }
    if (ferror(f))
        rc = -1;
    fclose(f);
    return rc;
}

static int command_ok(PGconn *c, PGresult *r, const char *what)
{
    ExecStatusType s = PQresultStatus(r);
    if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
        return 1;
    fprintf(stderr, "trackgen migrate: %s: %s", what, PQerrorMessage(c));
    return 0;
}

static int exec_simple(PGconn *c, const char *sql, const char *what)
{
    PGresult *r = PQexec(c, sql);
    int ok = command_ok(c, r, what);
    PQclear(r);
    return ok;
}

/* Applies one file unless already applied; returns 0 ok, -1 failure. */
static int apply_one(PGconn *c, const char *dir, const char *file)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    buf_t sql;
    buf_init(&sql, MAX_MIGRATION_BYTES);
    if (read_file(path, &sql) < 0) {
        fprintf(stderr, "trackgen migrate: cannot read %s\n", path);
        buf_free(&sql);
        return -1;
    }
    unsigned char md[SHA256_DIGEST_LENGTH];
    char hex[2 * SHA256_DIGEST_LENGTH + 1];
    SHA256((const unsigned char *)buf_ptr(&sql), sql.len, md);
    text_hex(md, sizeof md, hex);

    char version[5];
    memcpy(version, file, 4);
    version[4] = '\0';
    const char *name = file + 5;
    const char *p1[] = {version};
    PGresult *r = PQexecParams(c, SELECT_APPLIED, 1, NULL, p1, NULL, NULL, 0);
    if (!command_ok(c, r, "reading schema_migrations")) {
        PQclear(r);
        buf_free(&sql);
        return -1;
    }
    int applied = PQntuples(r) == 1;
    int changed = applied && strcmp(PQgetvalue(r, 0, 0), hex) != 0;
    PQclear(r);
    if (changed) {
        fprintf(stderr,
                "trackgen migrate: %s was changed after it was applied; refusing to continue. "
                "Add a new migration instead of editing an applied one.\n",
                file);
        buf_free(&sql);
        return -1;
    }
    if (applied) {
        buf_free(&sql);
        return 0;
    }
    int ok = exec_simple(c, "BEGIN", "BEGIN") && exec_simple(c, buf_ptr(&sql), file);
    if (ok) {
        const char *p3[] = {version, name, hex};
        r = PQexecParams(c, INSERT_APPLIED, 3, NULL, p3, NULL, NULL, 0);
        ok = command_ok(c, r, "recording migration");
        PQclear(r);
    }
    ok = ok && exec_simple(c, "COMMIT", "COMMIT");
    if (!ok)
        exec_simple(c, "ROLLBACK", "ROLLBACK");
    else
        printf("applied %s\n", file);
    buf_free(&sql);
    return ok ? 0 : -1;
}

static int list_migrations(const char *dir, char **names, int *count)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "trackgen migrate: cannot open directory %s\n", dir);
        return -1;
    }
    struct dirent *e;
    *count = 0;
    while ((e = readdir(d)) != NULL) {
        if (!is_migration_name(e->d_name))
            continue;
        if (*count == MAX_MIGRATIONS || !(names[*count] = strdup(e->d_name))) {
            closedir(d);
            return -1;
        }
        (*count)++;
    }
    closedir(d);
    qsort(names, (size_t)*count, sizeof *names, cmp_names);
    for (int i = 1; i < *count; i++)
        if (strncmp(names[i - 1], names[i], 4) == 0) {
            fprintf(stderr, "trackgen migrate: two migrations share version %.4s\n", names[i]);
            return -1;
        }
    return 0;
}

int migrate_run(const char *conninfo, const char *dir)
{
    static char *names[MAX_MIGRATIONS];
    int count = 0;
    int rc = 1;
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "trackgen migrate: cannot connect: %s", PQerrorMessage(c));
        goto out;
    }
    if (list_migrations(dir, names, &count) < 0)
        goto out;
    if (!exec_simple(c, "SET client_min_messages = warning", "settings") ||
        !exec_simple(c, "SELECT pg_advisory_lock(7461726)", "lock") ||
        !exec_simple(c, CREATE_TABLE, "creating schema_migrations"))
        goto out;
    for (int i = 0; i < count; i++)
        if (apply_one(c, dir, names[i]) < 0)
            goto out;
    if (count)
        printf("schema is at version %.4s\n", names[count - 1]);
    else
        printf("no migrations in %s\n", dir);
    rc = 0;
out:
    for (int i = 0; i < count; i++)
        free(names[i]);
    PQfinish(c);
    return rc;
}
