/*
 * deadline.h — points in time for timed waits: a clock's now plus a delay, normalised
 * (0 <= tv_nsec < 1 s). pthread_cond_timedwait takes CLOCK_REALTIME (the default condition
 * attribute); clock_nanosleep(TIMER_ABSTIME) any clock. Pure apart from reading the clock.
 */
#ifndef TRACKGEN_DEADLINE_H
#define TRACKGEN_DEADLINE_H

#include <time.h>

/* t plus ns nanoseconds (ns >= 0). */
struct timespec deadline_plus_ns(struct timespec t, long long ns);
/* clock's current time plus ms milliseconds (ms >= 0). */
struct timespec deadline_in_ms(clockid_t clock, long long ms);

#endif
