/*
 * gc.c — the `gc` subcommand (see gc.h): the arguments, the database question "does a row name this
 * blob?" (one parameterised query per candidate, on the two partial indexes of 0006_creatives),
 * and the report; the pass itself is store/blob_gc.c.
 */
#include "cli/gc.h"

#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/blob_gc.h"

#define DEFAULT_GRACE 3600
#define MAX_GRACE (10L * 365 * 24 * 3600)

static const char BLOB_NAMED_SQL[] = "SELECT EXISTS (SELECT 1 FROM creatives WHERE file_sha256 = $1)\n"
                                     "    OR EXISTS (SELECT 1 FROM creatives WHERE thumbnail_sha256 = $1)";

static int usage(void)
{
    fputs("usage: trackgen gc [--grace SECONDS] [--dry-run]\n"
          "  removes blobs of TRACKGEN_BLOB_DIR that no creative names and that are older than\n"
          "  SECONDS (default 3600), and temporaries of crashed uploads older than that\n",
          stderr);
    return 2;
}

typedef struct {
    PGconn *conn;
    bool dry_run;
    char error[512];
} gc_db_t;

/* 1 no row names hex, 0 one does, -1 the query failed. */
static int blob_unused(const char *hex, void *ctx)
{
    gc_db_t *db = ctx;
    const char *params[] = {hex};
    PGresult *res = PQexecPrepared(db->conn, "gc_blob_named", 1, params, NULL, NULL, 0);
    int rc = -1;
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
        rc = strcmp(PQgetvalue(res, 0, 0), "t") == 0 ? 0 : 1;
    else
        snprintf(db->error, sizeof db->error, "%s", PQerrorMessage(db->conn));
    PQclear(res);
    return rc;
}

static void blob_removed(const char *hex, uint64_t size, void *ctx)
{
    gc_db_t *db = ctx;
    printf("%s %s (%llu bytes)\n", db->dry_run ? "would remove" : "removed", hex, (unsigned long long)size);
}

static bool parse_grace(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*s < '0' || *s > '9' || errno || *end || v > MAX_GRACE)
        return false;
    *out = v;
    return true;
}

int cli_gc(const char *conninfo, const char *blob_dir, int argc, char **argv)
{
    long grace = DEFAULT_GRACE;
    bool dry_run = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--dry-run") == 0) {
            dry_run = true;
        } else if (strcmp(argv[i], "--grace") == 0 && i + 1 < argc) {
            if (!parse_grace(argv[++i], &grace)) {
                fprintf(stderr, "trackgen gc: --grace: '%s' is not a number of seconds from 0 to %ld\n", argv[i],
                        MAX_GRACE);
                return 2;
            }
        } else {
            return usage();
        }
    }
    char err[512];
    blob_store_t *store = blob_store_open_fs(blob_dir, err, sizeof err);
    if (!store) {
        fprintf(stderr, "trackgen gc: TRACKGEN_BLOB_DIR: %s\n", err);
        return 1;
    }
    gc_db_t db = {.conn = PQconnectdb(conninfo), .dry_run = dry_run};
    int rc = 1;
    if (PQstatus(db.conn) != CONNECTION_OK) {
        fprintf(stderr, "trackgen gc: cannot connect: %s", PQerrorMessage(db.conn));
        goto done;
    }
    PGresult *prep = PQprepare(db.conn, "gc_blob_named", BLOB_NAMED_SQL, 1, NULL);
    bool prepared = PQresultStatus(prep) == PGRES_COMMAND_OK;
    PQclear(prep);
    if (!prepared) {
        fprintf(stderr, "trackgen gc: %s", PQerrorMessage(db.conn));
        goto done;
    }
    blob_gc_t gc = {
        .grace_seconds = grace, .dry_run = dry_run, .unused = blob_unused, .removed = blob_removed, .ctx = &db};
    blob_gc_report_t r;
    int pass = blob_gc(store, &gc, &r, err, sizeof err);
    printf("%s %llu blobs (%llu bytes); kept %llu named by a creative (%llu bytes) and %llu younger than %ld s "
           "(%llu bytes)\n",
           dry_run ? "would remove" : "removed", (unsigned long long)r.removed, (unsigned long long)r.removed_bytes,
           (unsigned long long)r.referenced, (unsigned long long)r.referenced_bytes, (unsigned long long)r.young, grace,
           (unsigned long long)r.young_bytes);
    if (dry_run)
        printf("temporary files: not swept (dry run)\n");
    else
        printf("removed %d temporary files older than %ld s\n", r.tmp_removed, grace);
    if (pass < 0)
        fprintf(stderr, "trackgen gc: stopped: %s%s%s", err, db.error[0] ? ": " : "\n", db.error);
    else
        rc = 0;
done:
    PQfinish(db.conn);
    blob_store_close(store);
    return rc;
}
