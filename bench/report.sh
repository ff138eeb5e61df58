#!/usr/bin/env bash
# bench/report.sh — the flex report (GET /v1/reports/hits) at volume, in ONE run:
#   data: HITS hits (10 000 000) over the last 30 days, 1 000 offers, 200 partners, written straight
#   into PostgreSQL with generate_series; the largest partner (Acme Media, the bench key's) takes
#   ≈ 10 %, the others a skewed share (partner rank ~ u²), offers are skewed (rank ~ u³), 70 %
#   clicks; the largest partner's sub1 takes ≈ 10 000 distinct values a day (others 500). The
#   rollups are then built day by day the way the shipper maintains them (hits_delta +
#   hit_rollup_apply(), the backfill of sql/migrations/0008_reports.sql).
#   queries, in UTC and in Asia/Kolkata (+05:30), each RUNS (20) times through nginx, with p50/p95,
#   next to the plain GROUP BY over hits in the same run (PLAIN_RUNS, 5, times in psql), as ratios:
#     1. the largest partner's 30-day report by date × offer          (target p95 < 200 ms)
#     2. the largest partner's 7-day breakdown by sub1 (first page)    (target p95 < 500 ms)
#     3. an admin's 30-day daily totals of all partners                (target p95 < 300 ms)
#   and the delay from a click's 302 to the report counting it, over DELAY_CLICKS (20) clicks
#   (target <= 5 s).
#   HITS (10000000), RUNS (20), PLAIN_RUNS (5), DELAY_CLICKS (20), TRACKGEN_THREADS (8)
# Not part of ./test.sh: it takes many minutes. A quick look: HITS=300000 bench/report.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"

BIN=$(bench_build)
HITS=${HITS:-10000000}
RUNS=${RUNS:-20}
PLAIN_RUNS=${PLAIN_RUNS:-5}
DELAY_CLICKS=${DELAY_CLICKS:-20}
THREADS=${TRACKGEN_THREADS:-8}
WORK=$(mktemp -d /tmp/trackgen-report.XXXXXX)
chmod 755 "$WORK"
cleanup() {
    stack_init "$WORK/stack"
    stack_stop_all || true
    rm -rf "$WORK"
}
trap cleanup EXIT

bench_stack_up "$WORK/stack" "$THREADS"
sql() { stack_psql -d trackgen -Atc "$1"; }
P1=$(sql "SELECT partner_id FROM api_keys WHERE prefix = '${KEY:0:15}'")
echo "bench/report.sh — $(date -u +%FT%TZ), $(nproc) cores, $HITS hits; largest partner $P1"

t0=$(date +%s)
sql "INSERT INTO partners (name) SELECT 'bench partner ' || g FROM generate_series(1, 200 - (SELECT count(*) FROM partners)) g" >/dev/null
sql "INSERT INTO offers (name, destination_url) SELECT 'bench offer ' || g, 'https://shop.example/o' || g
       FROM generate_series(1, 1000 - (SELECT count(*) FROM offers)) g" >/dev/null
sql "SELECT hits_ensure_partitions(current_date - 31, current_date + 7)" >/dev/null
sql "CREATE TABLE bench_ids AS SELECT (SELECT array_agg(id ORDER BY id) FROM partners WHERE id <> $P1) AS partners,
       (SELECT array_agg(id ORDER BY id) FROM offers) AS offers" >/dev/null
PER_DAY=$((HITS / 30))
# One instant for every day's hits and rollup window: now() moves on while the days are made, and
# windows taken from it would overlap or leave gaps (rollups counting hits twice or not at all).
T0=$(sql "SELECT now()")
for d in $(seq 0 29); do
    sql "INSERT INTO hits (transaction_id, kind, hit_at, partner_id, offer_id, source_id, sub1, sub2, ip, user_agent, outcome,
                           is_bot, is_unique)
         SELECT md5('$d:' || g), CASE WHEN rk < 0.7 THEN 'click' ELSE 'impression' END,
                timestamptz '$T0' - ($d + random()) * interval '1 day', p, b.offers[1 + floor(1000 * ro ^ 3)::int],
                CASE WHEN rs < 0.5 THEN 'src-' || floor(rs * 20)::int END,
                'kw-' || floor(random() * CASE WHEN p = $P1 THEN 10000 ELSE 500 END)::int,
                CASE WHEN rs < 0.3 THEN 'banner' END, ('10.' || (g % 250) || '.' || (g / 250 % 250) || '.1')::inet, 'Mozilla/5.0',
                CASE WHEN rk >= 0.7 THEN 'recorded' WHEN rk < 0.02 THEN 'fallback_paused' ELSE 'redirected' END,
                rs > 0.98, rk < 0.7 AND rs < 0.6
           FROM bench_ids b,
                LATERAL (SELECT g, random() AS rk, random() AS ro, random() AS rs,
                                CASE WHEN random() < 0.10 THEN $P1 ELSE b.partners[1 + floor(199 * random() ^ 2)::int] END AS p
                           FROM generate_series(1, $PER_DAY) g) x" >/dev/null
    # The rollups of that day's hits, as the shipper would have added them.
    stack_psql -d trackgen -q -c "CREATE TEMP TABLE hits_delta (LIKE hit_rollup_delta_shape)" \
        -c "INSERT INTO hits_delta SELECT partner_id, hit_at, offer_id, offer_url_id, kind, outcome, source_id, sub1, sub2, sub3,
                   sub4, sub5, 1, is_unique::int, is_bot::int
              FROM hits WHERE hit_at > timestamptz '$T0' - ($d + 1) * interval '1 day' AND hit_at <= timestamptz '$T0' - $d * interval '1 day'" \
        -c "SELECT hit_rollup_apply()" >/dev/null
done
sql "VACUUM ANALYZE" >/dev/null
sql "CHECKPOINT" >/dev/null
echo "data made in $(($(date +%s) - t0)) s: hits $(sql "SELECT count(*) FROM hits"), largest partner $(sql "SELECT count(*) FROM hits WHERE partner_id = $P1");" \
    "rollup rows: partner $(sql "SELECT count(*) FROM hit_rollup_partner"), offer $(sql "SELECT count(*) FROM hit_rollup_offer"), sub $(sql "SELECT count(*) FROM hit_rollup_sub")"
echo "largest partner's distinct sub1 yesterday: $(sql "SELECT count(DISTINCT sub1) FROM hits WHERE partner_id = $P1 AND hit_at >= current_date - 1 AND hit_at < current_date")"

pct() { sort -n | awk '{ v[NR] = $1 } END { i50 = int((NR + 1) / 2); i95 = int(NR * 0.95 + 0.999); printf "%.1f %.1f", v[i50], v[i95] }'; }

# api_times KEY QUERY: RUNS response times in ms (after one warm-up), every answer 200.
api_times() {
    local key=$1 q=$2 i
    curl -fsS -o /dev/null -H "Authorization: Bearer $key" "$BASE/v1/reports/hits?$q"
    for i in $(seq 1 "$RUNS"); do
        curl -fsS -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $key" "$BASE/v1/reports/hits?$q"
    done | awk '{ printf "%.3f\n", $1 * 1000 }'
}
# plain_times SQL: PLAIN_RUNS execution times in ms of the plain GROUP BY (one psql session, after one warm-up).
plain_times() {
    local args=(-c '\o /dev/null' -c "$1" -c '\timing on') i
    for i in $(seq 1 "$PLAIN_RUNS"); do args+=(-c "$1"); done
    stack_psql -d trackgen "${args[@]}" | awk '/^Time:/ { print $2 }'
}
METRICS="count(*) FILTER (WHERE kind = 'click'), count(*) FILTER (WHERE kind = 'click' AND is_unique),
         count(*) FILTER (WHERE kind = 'impression'), count(*) FILTER (WHERE is_bot),
         count(*) FILTER (WHERE kind = 'click' AND outcome LIKE 'fallback%')"
TODAY=$(date -u +%F)
DAY29=$(date -u -d '29 days ago' +%F)
DAY6=$(date -u -d '6 days ago' +%F)
row() { # NAME KEY QUERY PLAIN_SQL TARGET
    local a p
    a=$(api_times "$2" "$3" | pct)
    p=$(plain_times "$4" | pct)
    printf '%-46s report p50 %7s p95 %7s ms | plain GROUP BY p50 %8s p95 %8s ms | p95 ratio plain/report %7s | target p95 < %s ms\n' \
        "$1" ${a% *} ${a#* } ${p% *} ${p#* } "$(bench_ratio "${p#* }" "${a#* }")" "$5"
}
for TZ in UTC Asia/Kolkata; do
    range() { echo "hit_at >= timestamp '$1' AT TIME ZONE '$TZ' AND hit_at < (timestamp '$TODAY' + interval '1 day') AT TIME ZONE '$TZ'"; }
    row "1. partner 30 days, date x offer ($TZ)" "$KEY" "group_by=date,offer_id&from=$DAY29&to=$TODAY&timezone=$TZ&limit=1000" \
        "SELECT (hit_at AT TIME ZONE '$TZ')::date, offer_id, $METRICS FROM hits WHERE partner_id = $P1 AND $(range "$DAY29") GROUP BY 1, 2 ORDER BY 1, 2" 200
    row "2. partner 7 days, by sub1 ($TZ)" "$KEY" "group_by=sub1&from=$DAY6&to=$TODAY&timezone=$TZ&limit=100" \
        "SELECT sub1, $METRICS FROM hits WHERE partner_id = $P1 AND $(range "$DAY6") GROUP BY 1 ORDER BY 1 LIMIT 101" 500
    row "3. admin 30 days, daily totals ($TZ)" "$ADMIN_KEY" "group_by=date&from=$DAY29&to=$TODAY&timezone=$TZ&limit=1000" \
        "SELECT (hit_at AT TIME ZONE '$TZ')::date, $METRICS FROM hits WHERE $(range "$DAY29") GROUP BY 1 ORDER BY 1" 300
done

# The delay from a click's answer to the report counting it.
TOKEN=$(curl -fsS -X POST -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d '{"offers":"all"}' "$BASE/v1/tracking-links" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).data[0].token))')
for i in $(seq 1 "$DELAY_CLICKS"); do
    tag="delay-$i-$$"
    start=$(date +%s%N)
    curl -fsS -o /dev/null "$BASE/c/$TOKEN?sub1=$tag"
    until curl -fsS -H "Authorization: Bearer $KEY" "$BASE/v1/reports/hits?group_by=sub1&sub1=$tag" | grep -Eq '"clicks": ?1[,}]'; do
        [ $(($(date +%s%N) - start)) -gt 30000000000 ] && break
        sleep 0.02
    done
    echo $((($(date +%s%N) - start) / 1000000))
done | pct | awk '{ printf "click to report: p50 %s ms, p95 %s ms (target <= 5000 ms)\n", $1, $2 }'
