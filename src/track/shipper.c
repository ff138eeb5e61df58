/*
 * shipper.c — spool segments → PostgreSQL (see shipper.h).
 */
#include "track/shipper.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "track/hitbatch.h"
#include "track/partitions.h"
#include "track/ship_batch.h"
#include "util/buf.h"
#include "util/deadline.h"
#include "util/log.h"

#define PASS_INTERVAL_MS 100
#define RETRY_INTERVAL_MS 1000
#define PARTITION_CHECK_MS (3600 * 1000)
#define SEGMENT_READ_MAX (64 * 1024 * 1024)
/* A batch takes segments until it holds this many bytes of rows (or BATCH_SEGMENTS_MAX), ~16k
 * hits: many small segments (a backlog after an outage) ship in few transactions, and a backlog
 * still divides into batches the shippers of all processes work on at once. */
#define BATCH_BYTES (4 * 1024 * 1024)
#define BATCH_SEGMENTS_MAX 64
#define SEGMENT_NAME_MAX 256

struct shipper {
    char *dir;
    char *conninfo;
    PGconn *conn;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    bool stopping;
    long long partitions_checked_ms;
    unsigned long long quarantined; /* rows this process put into hit_quarantine, for the logs */
    int retention_days;             /* TRACKGEN_HITS_RETENTION_DAYS (track/partitions.h) */
    /* The batch being shipped: its segments, each open and flock'ed until shipped or given up. */
    hitbatch_t batch;
    size_t segments;
    int fd[BATCH_SEGMENTS_MAX];
    char name[BATCH_SEGMENTS_MAX][SEGMENT_NAME_MAX];
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void disconnect(shipper_t *s)
{
    if (s->conn)
        PQfinish(s->conn);
    s->conn = NULL;
}

/* Only a read-write primary will do (after a failover the old primary may come back as a
 * standby): target_session_attrs, after the user's conninfo, overrides whatever it says. */
static bool connected(shipper_t *s)
{
    if (s->conn && PQstatus(s->conn) == CONNECTION_OK)
        return true;
    disconnect(s);
    const char *keys[] = {"dbname", "connect_timeout", "application_name", "target_session_attrs", NULL};
    const char *vals[] = {s->conninfo, "3", "trackgen-shipper", "read-write", NULL};
    s->conn = PQconnectdbParams(keys, vals, 1);
    /* The staging tables live as long as the session: created once per connection. */
    if (PQstatus(s->conn) != CONNECTION_OK || !ship_batch_session(s->conn)) {
        if (PQstatus(s->conn) != CONNECTION_OK)
            log_msg(LOG_DEBUG, "shipper: cannot connect: %s", PQerrorMessage(s->conn));
        disconnect(s);
        return false;
    }
    return true;
}

static int read_segment(int fd, size_t limit, buf_t *out)
{
    char chunk[65536];
    ssize_t k = 0;
    while (out->len < limit && (k = read(fd, chunk, sizeof chunk)) > 0)
        if (buf_append(out, chunk, (size_t)k) != BUF_OK)
            return -1;
    if (k < 0)
        return -1;
    if (out->len > limit)
        out->len = limit; /* the spool's "<segment>.valid-<bytes>": the rest was never acknowledged */
    return 0;
}

/* A spool segment: "hits-<pid>-<n>.log"; "….log.valid-<bytes>" when only its first <bytes> were
 * acknowledged (see spool.c); "….log.rejected" from versions that set refused segments aside
 * whole, shipped now like the others. False when name is no segment; else how many of its
 * bytes may be shipped in *limit. */
static bool is_segment(const char *name, size_t *limit)
{
    const char *log = strstr(name, ".log");
    if (strncmp(name, "hits-", 5) != 0 || !log || strlen(name) >= SEGMENT_NAME_MAX)
        return false;
    const char *tail = log + 4;
    *limit = SEGMENT_READ_MAX;
    if (*tail == '\0' || strcmp(tail, ".rejected") == 0)
        return true;
    if (strncmp(tail, ".valid-", 7) != 0 || tail[7] < '0' || tail[7] > '9')
        return false;
    char *end;
    unsigned long long valid = strtoull(tail + 7, &end, 10);
    *limit = (size_t)valid;
    return *end == '\0' && valid <= SEGMENT_READ_MAX;
}

/* Adds a segment to the batch if this process can lock it (no spool is writing it, no other
 * shipper has it) and it still exists. */
static void take_segment(shipper_t *s, int dir_fd, const char *name, size_t limit)
{
    int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return; /* shipped and removed by another process meanwhile */
    struct stat st;
    if (flock(fd, LOCK_EX | LOCK_NB) < 0 || fstat(fd, &st) < 0 || st.st_nlink == 0) {
        close(fd); /* still being written, or already shipped */
        return;
    }
    buf_t data;
    buf_init(&data, SEGMENT_READ_MAX);
    size_t rows = s->batch.n, bytes = s->batch.text.len, bad = 0;
    if (read_segment(fd, limit, &data) < 0 ||
        hitbatch_add_segment(&s->batch, buf_ptr(&data), data.len, (uint16_t)s->segments, &bad) < 0) {
        log_msg(LOG_ERROR, "shipper: cannot read %s/%s", s->dir, name);
        s->batch.n = rows; /* without this segment's rows */
        s->batch.text.len = bytes;
        close(fd);
    } else {
        if (bad)
            log_msg(LOG_WARN, "shipper: %s: skipped %zu torn or corrupt line(s)", name, bad);
        s->fd[s->segments] = fd;
        snprintf(s->name[s->segments], sizeof s->name[0], "%s", name);
        s->segments++;
    }
    buf_free(&data);
}

static bool batch_full(const shipper_t *s)
{
    return s->segments == BATCH_SEGMENTS_MAX || s->batch.text.len >= BATCH_BYTES;
}

/* Ships the batch; only once every row is committed (or quarantined) are its segments deleted.
 * False when the database failed: the segments stay, to be shipped again. */
static bool ship_batch(shipper_t *s, int dir_fd)
{
    const char *names[BATCH_SEGMENTS_MAX];
    for (size_t i = 0; i < s->segments; i++)
        names[i] = s->name[i];
    size_t quarantined = 0;
    bool shipped =
        s->batch.n == 0 || (hitbatch_sort(&s->batch) == 0 && ship_batch_run(s->conn, &s->batch, names, &quarantined));
    if (!shipped) {
        disconnect(s); /* the next connection may reach the (new) read-write primary */
    } else {
        if (quarantined) {
            s->quarantined += quarantined;
            log_msg(LOG_ERROR,
                    "shipper: PostgreSQL refused %zu of %zu hit(s) in %zu segment(s) (%s, …); they are in "
                    "hit_quarantine (%llu quarantined by this process)",
                    quarantined, s->batch.n, s->segments, s->name[0], s->quarantined);
        }
        for (size_t i = 0; i < s->segments; i++)
            unlinkat(dir_fd, s->name[i], 0);
        log_msg(LOG_DEBUG, "shipper: shipped %zu hit(s) from %zu segment(s)", s->batch.n - quarantined, s->segments);
    }
    for (size_t i = 0; i < s->segments; i++)
        close(s->fd[i]);
    s->segments = 0;
    hitbatch_free(&s->batch);
    return shipped;
}

/* One pass over the spool directory, in batches. */
static void ship_pass(shipper_t *s)
{
    if (!connected(s))
        return;
    if (now_ms() - s->partitions_checked_ms > PARTITION_CHECK_MS && partitions_maintain(s->conn, s->retention_days))
        s->partitions_checked_ms = now_ms();
    DIR *d = opendir(s->dir);
    if (!d)
        return;
    struct dirent *e;
    bool up = true;
    while (up && (e = readdir(d)) != NULL) {
        size_t limit;
        if (!is_segment(e->d_name, &limit))
            continue;
        take_segment(s, dirfd(d), e->d_name, limit);
        if (batch_full(s))
            up = ship_batch(s, dirfd(d));
    }
    if (up && s->segments > 0)
        ship_batch(s, dirfd(d));
    closedir(d);
}

static void *shipper_main(void *arg)
{
    pthread_setname_np(pthread_self(), "tg-ship"); /* for top -H, perf and gdb */
    shipper_t *s = arg;
    pthread_mutex_lock(&s->mu);
    while (!s->stopping) {
        pthread_mutex_unlock(&s->mu);
        ship_pass(s);
        pthread_mutex_lock(&s->mu);
        struct timespec until = deadline_in_ms(CLOCK_REALTIME, s->conn ? PASS_INTERVAL_MS : RETRY_INTERVAL_MS);
        if (!s->stopping)
            pthread_cond_timedwait(&s->wake, &s->mu, &until);
    }
    pthread_mutex_unlock(&s->mu);
    ship_pass(s); /* a last pass for what this process spooled before stopping */
    disconnect(s);
    return NULL;
}

shipper_t *shipper_start(const char *spool_dir, const char *conninfo, int retention_days)
{
    shipper_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->dir = strdup(spool_dir);
    s->conninfo = strdup(conninfo);
    s->partitions_checked_ms = -PARTITION_CHECK_MS - 1;
    s->retention_days = retention_days;
    hitbatch_init(&s->batch, BATCH_BYTES + SEGMENT_READ_MAX);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->wake, NULL);
    if (!s->dir || !s->conninfo || pthread_create(&s->thread, NULL, shipper_main, s) != 0) {
        free(s->dir);
        free(s->conninfo);
        free(s);
        return NULL;
    }
    return s;
}

void shipper_stop(shipper_t *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->wake);
    hitbatch_free(&s->batch);
    free(s->dir);
    free(s->conninfo);
    free(s);
}
