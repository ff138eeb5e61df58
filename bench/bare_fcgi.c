/*
 * bare_fcgi.c — the baselines of the bench scripts: libfcgi responders that do nothing but answer,
 * with the same thread model as trackgen (N threads on one listening socket) and the same way of
 * finishing a request (stdin drained, no lingering close), so that a ratio measures trackgen's own
 * work and nothing else.
 *   302             answer 302 (bench/click.sh)
 *   json FILE       answer 200 with FILE's bytes as application/json (bench/offers.sh)
 *   durable SPOOL   append one line per request to SPOOL, group-committed: the request that finds
 *                   no sync in flight writes and fdatasyncs every line waiting, then wakes their
 *                   requests; each answers 302 once its own line is durable (bench/click.sh)
 * Usage: bare_fcgi SOCKET THREADS [302 | json FILE | durable SPOOL]
 */
#include <fcgiapp.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LINE_MAX_BYTES 256
#define BATCH_MAX_BYTES (1 << 20)

static int listen_fd;
static const char *mode = "302";
static char *json_body; /* json: the answer's body, read once at start */
static size_t json_len;

/* durable: the lines waiting for the next sync, and who is syncing. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t synced;
    int fd;
    char *pending, *writing; /* two buffers of BATCH_MAX_BYTES, swapped by the leader */
    size_t pending_len;
    unsigned long long pending_gen; /* the sync that will cover the pending lines */
    unsigned long long synced_gen;  /* every sync up to this one has finished */
    bool syncing;
} spool = {.mu = PTHREAD_MUTEX_INITIALIZER, .synced = PTHREAD_COND_INITIALIZER, .pending_gen = 1};

/* Appends line and returns once a sync covering it has finished (false if it failed). */
static bool spool_append_durable(const char *line, size_t len)
{
    pthread_mutex_lock(&spool.mu);
    while (spool.pending_len + len > BATCH_MAX_BYTES)
        pthread_cond_wait(&spool.synced, &spool.mu);
    memcpy(spool.pending + spool.pending_len, line, len);
    spool.pending_len += len;
    unsigned long long mine = spool.pending_gen;
    bool ok = true;
    while (spool.synced_gen < mine) {
        if (spool.syncing) {
            pthread_cond_wait(&spool.synced, &spool.mu);
            continue;
        }
        /* The leader: takes the batch, writes and syncs it without the lock. */
        spool.syncing = true;
        char *batch = spool.pending;
        size_t n = spool.pending_len;
        unsigned long long gen = spool.pending_gen++;
        spool.pending = spool.writing;
        spool.pending_len = 0;
        spool.writing = batch;
        pthread_mutex_unlock(&spool.mu);
        ok = write(spool.fd, batch, n) == (ssize_t)n && fdatasync(spool.fd) == 0;
        pthread_mutex_lock(&spool.mu);
        spool.synced_gen = gen;
        spool.syncing = false;
        pthread_cond_broadcast(&spool.synced);
    }
    pthread_mutex_unlock(&spool.mu);
    return ok;
}

static void answer(FCGX_Request *req)
{
    if (strcmp(mode, "json") == 0) {
        FCGX_FPrintF(req->out, "Status: 200 OK\r\nContent-Type: application/json\r\nContent-Length: %lu\r\n\r\n",
                     (unsigned long)json_len); /* libfcgi's printf knows no %zu */
        FCGX_PutStr(json_body, (int)json_len, req->out);
        return;
    }
    if (strcmp(mode, "durable") == 0) {
        char line[LINE_MAX_BYTES];
        const char *uri = FCGX_GetParam("REQUEST_URI", req->envp);
        int n = snprintf(line, sizeof line, "%s\n", uri ? uri : "-");
        if (n < 0 || n >= (int)sizeof line)
            n = (int)sizeof line - 1, line[n - 1] = '\n';
        if (!spool_append_durable(line, (size_t)n)) {
            FCGX_PutS("Status: 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", req->out);
            return;
        }
    }
    FCGX_PutS("Status: 302 Found\r\nLocation: https://example.com/landing\r\nContent-Length: 0\r\n\r\n", req->out);
}

static void *serve(void *arg)
{
    (void)arg;
    FCGX_Request req;
    FCGX_InitRequest(&req, listen_fd, 0);
    while (FCGX_Accept_r(&req) >= 0) {
        answer(&req);
        char drain[4096];
        while (FCGX_GetStr(drain, sizeof drain, req.in) > 0)
            ;
        FCGX_Detach(&req);
        FCGX_Finish_r(&req);
    }
    return NULL;
}

/* The mode's resources: the JSON body or the spool file. Returns false on failure. */
static bool setup(int argc, char **argv)
{
    if (argc > 3)
        mode = argv[3];
    if (strcmp(mode, "302") == 0)
        return argc == 3 || argc == 4;
    if (argc != 5)
        return false;
    if (strcmp(mode, "json") == 0) {
        FILE *f = fopen(argv[4], "rb");
        if (!f)
            return false;
        json_body = malloc(1 << 20); /* freed at exit */
        json_len = json_body ? fread(json_body, 1, 1 << 20, f) : 0;
        fclose(f);
        return json_len > 0;
    }
    if (strcmp(mode, "durable") == 0) {
        spool.fd = open(argv[4], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        spool.pending = malloc(BATCH_MAX_BYTES); /* both freed at exit */
        spool.writing = malloc(BATCH_MAX_BYTES);
        return spool.fd >= 0 && spool.pending && spool.writing;
    }
    return false;
}

int main(int argc, char **argv)
{
    if (argc < 3 || !setup(argc, argv)) {
        fprintf(stderr, "usage: %s SOCKET THREADS [302 | json FILE | durable SPOOL]\n", argv[0]);
        return 2;
    }
    int threads = atoi(argv[2]);
    FCGX_Init();
    signal(SIGTERM, SIG_DFL); /* FCGX_Init's handler only sets a flag; the bench stops us with SIGTERM */
    unlink(argv[1]);
    listen_fd = FCGX_OpenSocket(argv[1], 1024);
    if (listen_fd < 0 || threads < 1)
        return 1;
    chmod(argv[1], 0666);
    pthread_t *t = calloc((size_t)threads, sizeof *t);
    for (int i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, serve, NULL);
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    return 0;
}
