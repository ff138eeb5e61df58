/*
 * slot.c — slot addresses, pid file names, restart back-off and fd numbers (see slot.h).
 */
#include "http/slot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int slot_path(const char *path, int k, char *out, size_t outlen)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base) /* no extension, or a dot file such as ".sock" */
        dot = path + strlen(path);
    int n = snprintf(out, outlen, "%.*s-%d%s", (int)(dot - path), path, k, dot);
    return n >= 0 && (size_t)n < outlen ? 0 : -1;
}

int slot_listen(const char *listen, int k, char *out, size_t outlen)
{
    if (strchr(listen, '/'))
        return slot_path(listen, k, out, outlen);
    const char *colon = strrchr(listen, ':');
    if (!colon)
        return -1;
    long port = strtol(colon + 1, NULL, 10) + k - 1; /* the config checked it: 1..65535 */
    if (k < 1 || port > 65535)
        return -1;
    int n = snprintf(out, outlen, "%.*s:%ld", (int)(colon - listen), listen, port);
    return n >= 0 && (size_t)n < outlen ? 0 : -1;
}

int slot_quick_deaths(int prev, int64_t lived_ms)
{
    return lived_ms < SLOT_QUICK_DEATH_MS ? prev + 1 : 1;
}

int slot_restart_delay_ms(int n)
{
    if (n <= 1)
        return 0;
    int delay = 250;
    for (int i = 2; i < n && delay < SLOT_RESTART_DELAY_MAX_MS; i++)
        delay *= 2;
    return delay < SLOT_RESTART_DELAY_MAX_MS ? delay : SLOT_RESTART_DELAY_MAX_MS;
}

int slot_env_fd(const char *value)
{
    if (!value)
        return -1;
    if (!*value || strlen(value) > 5)
        return -2;
    int fd = 0;
    for (const char *p = value; *p; p++) {
        if (*p < '0' || *p > '9')
            return -2;
        fd = fd * 10 + (*p - '0');
    }
    return fd <= 65535 ? fd : -2;
}
