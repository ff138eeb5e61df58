/*
 * spoolfill.c — writes spool segments of made-up hits for bench/ingest.sh, each line exactly as a
 * worker writes it (src/track/hitlog.c, linked in), so the shippers ship them like real clicks.
 *
 *   spoolfill DIR HITS HITS_PER_SEGMENT PARTNERS SEED
 *
 * Hits of PARTNERS partners (ids 1..PARTNERS) on 20 offers, in the last hour, from a pool of
 * visitors (so some are repeat clicks and is_unique has work to do); 10 % impressions, 2 % bots.
 * Segments are named hits-<SEED>-<n>.log, as a worker of pid SEED would name them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "track/hitlog.h"

static uint64_t rng_state;
static uint64_t rng(void) /* xorshift64* */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: spoolfill DIR HITS HITS_PER_SEGMENT PARTNERS SEED\n");
        return 2;
    }
    const char *dir = argv[1];
    long hits = atol(argv[2]), per_segment = atol(argv[3]), partners = atol(argv[4]), seed = atol(argv[5]);
    if (hits <= 0 || per_segment <= 0 || partners <= 0 || seed <= 0)
        return 2;
    rng_state = (uint64_t)seed * 0x9E3779B97F4A7C15ULL + 1;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t now_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    static const char *const agents[] = {
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
        "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile "
        "Safari/537.36",
    };
    buf_t out;
    buf_init(&out, (size_t)per_segment * HITLOG_LINE_MAX);
    for (long i = 0, segment = 0; i < hits; segment++) {
        buf_clear(&out);
        for (long k = 0; k < per_segment && i < hits; k++, i++) {
            uint64_t r = rng();
            char ip[32], sub1[32];
            uint64_t visitor = r % 50000;
            snprintf(ip, sizeof ip, "10.%u.%u.%u", (unsigned)(visitor >> 16) & 255, (unsigned)(visitor >> 8) & 255,
                     (unsigned)visitor & 255);
            snprintf(sub1, sizeof sub1, "kw-%u", (unsigned)(r >> 20) % 100);
            hit_t h = {.kind = (r >> 40) % 10 == 0 ? "impression" : "click",
                       .hit_at_ms = now_ms - (int64_t)((r >> 8) % 3600000),
                       .partner_id = 1 + (int64_t)((r >> 24) % (uint64_t)partners),
                       .offer_id = 1 + (int64_t)((r >> 32) % 20),
                       .params = {{(r >> 44) % 2 ? "newsletter" : NULL, sub1, NULL, NULL, NULL, NULL}},
                       .ip = ip,
                       .user_agent = agents[visitor % 4],
                       .referer = (r >> 50) % 2 ? "https://blog.partner.example/post" : NULL,
                       .is_bot = (r >> 52) % 50 == 0};
            h.outcome = h.kind[0] == 'c' ? "redirected" : "recorded";
            uint64_t tid[2] = {rng(), rng()};
            snprintf(h.transaction_id, sizeof h.transaction_id, "%016" PRIx64 "%016" PRIx64, tid[0], tid[1]);
            if (hitlog_format(&h, &out) != 0)
                return 1;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/hits-%ld-%ld.log", dir, seed, segment);
        FILE *f = fopen(path, "w");
        if (!f || fwrite(buf_ptr(&out), 1, out.len, f) != out.len || fclose(f) != 0) {
            perror(path);
            return 1;
        }
    }
    buf_free(&out);
    return 0;
}
