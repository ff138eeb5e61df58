#!/usr/bin/env bash
# bench/coupons.sh — coupon codes at volume (issue 12), in ONE run on a private stack:
#   1. import COUPON_ROWS (100,000) rows of CSV (~10 MB) in one POST /v1/coupons/import: seconds, rows/s;
#   2. export them (GET /v1/coupons/export.csv, each row with its partner's tracking link) with a
#      partner key: rows/s, and the workers' peak RSS after exporting a tenth of them and after all
#      of them (freshly started workers: it must not grow with the row count);
#   3. with 1,000,000 codes stored (the rest inserted straight into PostgreSQL), the first page of
#      GET /v1/coupons (50 codes with tracking links and signed QR URLs) under wrk -t1 -c32 for
#      BENCH_SECONDS (10): rps, p50, p99 — for the partner and for an admin filtering by offer.
# Not part of ./test.sh.  COUPON_ROWS (100000), COUPON_TOTAL (1000000), TRACKGEN_THREADS (16)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

BIN=$(bench_build)
THREADS=${TRACKGEN_THREADS:-16}
ROWS=${COUPON_ROWS:-100000}
TOTAL=${COUPON_TOTAL:-1000000}
bench_work coupons

bench_stack_up "$WORK/stack" "$THREADS"
ADMIN=$("$BIN" keys create --admin --name bench-admin 2>/dev/null)
PARTNER=$(stack_psql -d trackgen -Atc "SELECT partner_id FROM api_keys WHERE prefix = '${KEY:0:15}'")
OFFER=$(stack_psql -d trackgen -Atc "SELECT id FROM offers WHERE name = 'Summer Sale'")
SMALL=$(stack_psql -d trackgen -Atc "SELECT id FROM offers WHERE name = 'Premium VPN'")
peak_rss() { # the largest peak RSS (VmHWM) of the worker processes, in MiB
    local m=0 p r
    for p in $(pgrep -f "$BIN serve" || true); do
        r=$(awk '/^VmHWM:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
        [ "${r:-0}" -gt "$m" ] && m=$r
    done
    echo $((m / 1024))
}
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }

# The file: every row assigned to the bench partner, with a description that needs quoting and dates.
awk -v rows="$ROWS" -v offer="$OFFER" -v partner="$PARTNER" 'BEGIN {
    printf "code,offer_id,partner_id,description,starts_at,ends_at\r\n"
    for (i = 1; i <= rows; i++)
        printf "BENCH-%07d,%d,%d,\"%d%% off, first order \"\"welcome\"\"\",2026-01-01T00:00:00Z,2027-12-31T23:59:59Z\r\n", i, offer, partner, i % 50
}' >"$WORK/import.csv"
BYTES=$(wc -c <"$WORK/import.csv")

echo "bench/coupons.sh — $(date -u +%FT%TZ), $(nproc) cores, 2 processes x $THREADS threads"
out=$(curl -sS -o "$WORK/import.json" -w '%{http_code} %{time_total}' -X POST -H "Authorization: Bearer $ADMIN" \
    -H 'Content-Type: text/csv' --data-binary "@$WORK/import.csv" "$BASE/v1/coupons/import")
read -r code secs <<<"$out"
echo "1. import $ROWS rows ($BYTES bytes): HTTP $code $(cat "$WORK/import.json") in ${secs}s = $(rate "$ROWS" "$secs") rows/s"

# A tenth as many on another offer, for the RSS comparison; then fresh workers.
stack_psql -d trackgen -c "INSERT INTO coupons (offer_id, code, partner_id, description, assigned_at)
    SELECT $SMALL, 'SMALL-' || g, $PARTNER, 'a tenth', now() FROM generate_series(1, $((ROWS / 10))) g" >/dev/null
stack_workers_stop
stack_workers_start "$BIN" "$THREADS"
stack_wait_ready "$BASE"
echo "2. export (partner key, tracking link per row), fresh workers: peak RSS $(peak_rss) MiB"
for what in "$SMALL $((ROWS / 10))" "$OFFER $ROWS"; do
    read -r offer n <<<"$what"
    out=$(curl -sS -o "$WORK/export.csv" -w '%{http_code} %{time_total}' -H "Authorization: Bearer $KEY" \
        "$BASE/v1/coupons/export.csv?offer_id=$offer")
    read -r code secs <<<"$out"
    lines=$(($(wc -l <"$WORK/export.csv") - 1))
    echo "   $n rows: HTTP $code, $lines rows, $(wc -c <"$WORK/export.csv") bytes in ${secs}s = $(rate "$lines" "$secs") rows/s; workers' peak RSS now $(peak_rss) MiB"
done

# Up to TOTAL codes, spread over the offers and the two demo partners and the pool.
have=$(stack_psql -d trackgen -Atc "SELECT count(*) FROM coupons")
stack_psql -d trackgen -c "INSERT INTO coupons (offer_id, code, partner_id, description, assigned_at)
    SELECT o.id, 'FILL-' || g, p.id, 'filler', CASE WHEN p.id IS NULL THEN NULL ELSE now() END
      FROM generate_series(1, $((TOTAL - have))) g
      JOIN offers o ON o.id = (SELECT id FROM offers ORDER BY id OFFSET g % 3 LIMIT 1)
      LEFT JOIN partners p ON p.id = (SELECT id FROM partners WHERE g % 4 <> 0 ORDER BY id OFFSET g % 2 LIMIT 1)" >/dev/null
stack_psql -d trackgen -c "VACUUM ANALYZE coupons" -c "CHECKPOINT" >/dev/null
echo "3. list with $(stack_psql -d trackgen -Atc "SELECT count(*) FROM coupons") codes stored (first page, limit 50):"
bench_wrk "   GET /v1/coupons (partner)" "$BASE/v1/coupons" -H "Authorization: Bearer $KEY"
bench_wrk "   GET /v1/coupons?offer_id&state (admin)" "$BASE/v1/coupons?offer_id=$SMALL&state=active" -H "Authorization: Bearer $ADMIN"
