/*
 * ratelimit.h — the rate-limit decision, pure: GCRA (the generic cell rate algorithm) over one
 * 64-bit "theoretical arrival time" (TAT) per limited key, and the values of the response headers.
 * No clock, no I/O, no shared memory: http/ratelimit_table.h stores the TATs across processes and
 * the dispatcher reads the clock.
 *
 * A policy is `limit` requests per `window`, with a burst of the same size: a fresh key may send
 * `limit` requests at once, then one every window/limit. Times are nanoseconds on one monotonic
 * clock. A TAT of 0 means "never seen".
 */
#ifndef TRACKGEN_RATELIMIT_H
#define TRACKGEN_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RATELIMIT_NS_PER_S INT64_C(1000000000)
#define RATELIMIT_WINDOW_NS (60 * RATELIMIT_NS_PER_S) /* limits are per minute */

typedef struct {
    const char *name; /* the policy's name in the RateLimit fields: "key", "client" */
    int64_t limit;    /* requests per window, >= 1 */
    int64_t window;   /* ns, >= limit */
} ratelimit_policy_t;

typedef struct {
    bool allowed;
    int64_t tat;         /* the TAT to store (unchanged when denied) */
    int64_t remaining;   /* requests that would still be allowed right now */
    int64_t reset;       /* ns until the whole quota is available again */
    int64_t retry_after; /* denied: ns until one request is allowed; else 0 */
} ratelimit_decision_t;

/* Limits are exact (exactly `limit` requests fit in a burst) up to this many per window. */
#define RATELIMIT_MAX_LIMIT 100000

/* Decides one request at time now against the stored tat. */
ratelimit_decision_t ratelimit_decide(const ratelimit_policy_t *p, int64_t tat, int64_t now);

/* True if tat cannot come from the clock now is read from: no request ever puts it more than one
 * window ahead, so more than two windows ahead means the clock went back that far or the table
 * outlived a reboot. Such a TAT counts as never seen rather than locking its key out; a smaller
 * step back keeps the state. */
bool ratelimit_tat_stale(int64_t tat, int64_t now, int64_t window);

/* Whole seconds for a header (rounded up; at least 1 for a positive duration). */
int64_t ratelimit_seconds(int64_t ns);

/* The header values (draft-ietf-httpapi-ratelimit-headers-10, the structured fields since -08):
 *   RateLimit-Policy: "<name>";q=<limit>;w=<window seconds>
 *   RateLimit: "<name>";r=<remaining>;t=<seconds until the quota is back; when denied, until the
 *              next request is allowed>
 * and Retry-After (seconds) when denied. Write into out (cap bytes, NUL-terminated, truncated if
 * too small). */
void ratelimit_policy_value(const ratelimit_policy_t *p, char *out, size_t cap);
void ratelimit_value(const ratelimit_policy_t *p, const ratelimit_decision_t *d, char *out, size_t cap);

#endif
