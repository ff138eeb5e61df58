/*
 * bare_fcgi.c — the baseline for bench/click.sh: a libfcgi responder that does nothing but
 * answer 302, with the same thread model as trackgen (N threads on one listening socket) and
 * the same way of finishing a request (stdin drained, no lingering close), so that the ratio
 * measures trackgen's own work and nothing else.
 * Usage: bare_fcgi SOCKET THREADS
 */
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int listen_fd;

static void *serve(void *arg)
{
    (void)arg;
    FCGX_Request req;
    FCGX_InitRequest(&req, listen_fd, 0);
    while (FCGX_Accept_r(&req) >= 0) {
        FCGX_PutS("Status: 302 Found\r\nLocation: https://example.com/landing\r\nContent-Length: 0\r\n\r\n", req.out);
        char drain[4096];
        while (FCGX_GetStr(drain, sizeof drain, req.in) > 0)
            ;
        FCGX_Detach(&req);
        FCGX_Finish_r(&req);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s SOCKET THREADS\n", argv[0]);
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
