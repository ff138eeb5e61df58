/*
 * deadline.c — points in time for timed waits (see deadline.h).
 */
#include "util/deadline.h"

#define NS_PER_S 1000000000LL

struct timespec deadline_plus_ns(struct timespec t, long long ns)
{
    long long total = (long long)t.tv_nsec + ns;
    t.tv_sec += (time_t)(total / NS_PER_S);
    t.tv_nsec = (long)(total % NS_PER_S);
    return t;
}

struct timespec deadline_in_ms(clockid_t clock, long long ms)
{
    struct timespec now;
    clock_gettime(clock, &now);
    return deadline_plus_ns(now, ms * 1000000LL);
}
