/*
 * ratelimit.c — GCRA decisions and RateLimit header values (see ratelimit.h).
 *
 * With T = window / limit (the emission interval), a request at `now` moves the TAT to
 * max(tat, now) + T and is allowed iff that is at most now + window: `limit` requests fit in a
 * burst, then one per T. T is rounded down to whole nanoseconds; up to RATELIMIT_MAX_LIMIT per
 * minute the rounding never lets a request more than `limit` into a burst.
 */
#include "http/ratelimit.h"

#include <inttypes.h>
#include <stdio.h>

ratelimit_decision_t ratelimit_decide(const ratelimit_policy_t *p, int64_t tat, int64_t now)
{
    int64_t interval = p->window / p->limit;
    if (ratelimit_tat_stale(tat, now, p->window))
        tat = 0;
    int64_t base = tat > now ? tat : now;
    int64_t next = base + interval;
    ratelimit_decision_t d = {0};
    if (next > now + p->window) {
        d.allowed = false;
        d.tat = tat;
        d.remaining = 0;
        d.reset = base - now;
        d.retry_after = next - (now + p->window);
        return d;
    }
    d.allowed = true;
    d.tat = next;
    d.remaining = (now + p->window - next) / interval;
    d.reset = next - now;
    return d;
}

bool ratelimit_tat_stale(int64_t tat, int64_t now, int64_t window)
{
    return tat > now + 2 * window;
}

int64_t ratelimit_seconds(int64_t ns)
{
    if (ns <= 0)
        return 0;
    return (ns + RATELIMIT_NS_PER_S - 1) / RATELIMIT_NS_PER_S;
}

void ratelimit_policy_value(const ratelimit_policy_t *p, char *out, size_t cap)
{
    snprintf(out, cap, "\"%s\";q=%" PRId64 ";w=%" PRId64, p->name, p->limit, ratelimit_seconds(p->window));
}

void ratelimit_value(const ratelimit_policy_t *p, const ratelimit_decision_t *d, char *out, size_t cap)
{
    int64_t t = ratelimit_seconds(d->allowed ? d->reset : d->retry_after);
    snprintf(out, cap, "\"%s\";r=%" PRId64 ";t=%" PRId64, p->name, d->remaining, t);
}
