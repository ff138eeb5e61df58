#!/usr/bin/env bash
# bench/heavy.sh — the connection model under load (README, "Heavy answers"), in ONE run:
#   1. clicks alone: /c/{token} under wrk -t1 -c32 for BENCH_SECONDS (10)
#   2. the same while 40 clients download a large CSV export (GET /v1/hits/export, HEAVY_ROWS
#      impressions, 20,000 by default, ~5 MB) slowly (curl --limit-rate HEAVY_RATE, 256k by default), so
#      that every worker thread would be taken if each download held one
# prints rps, p50/p99 and non-2xx/3xx of both, the ratio, how many downloads completed whole
# (status 200 and the full size), and the workers' peak RSS. Target: clicks keep p99 <= 20 ms and
# every click is answered while the downloads run.
#   BENCH_SECONDS (10), HEAVY_DOWNLOADS (40), HEAVY_ROWS (20000), HEAVY_RATE (256k), TRACKGEN_THREADS (16)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

BIN=$(bench_build)
THREADS=${TRACKGEN_THREADS:-16}
DOWNLOADS=${HEAVY_DOWNLOADS:-40}
ROWS=${HEAVY_ROWS:-20000}
RATE=${HEAVY_RATE:-256k}
bench_work heavy
bench_cleanup_extra() {
    if [ ${#CURL_PIDS[@]} -gt 0 ]; then kill "${CURL_PIDS[@]}" 2>/dev/null || true; fi
}
CURL_PIDS=()

bench_stack_up "$WORK/stack" "$THREADS"
TOKEN=$(curl -fsS -X POST -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d '{"offers":"all"}' "$BASE/v1/tracking-links" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).data[0].token))')
PARTNER=$(stack_psql -d trackgen -Atc "SELECT partner_id FROM api_keys WHERE prefix = '${KEY:0:15}'")
OFFER=$(stack_psql -d trackgen -Atc "SELECT min(id) FROM offers")
# The export's hits, written straight into PostgreSQL (the click path is measured separately).
stack_psql -d trackgen -c "INSERT INTO hits (transaction_id, kind, hit_at, partner_id, offer_id, source_id, sub1, sub2, ip,
      user_agent, referer, outcome)
    SELECT md5('heavy' || g), 'impression', now() - g * interval '1 second', $PARTNER, $OFFER, 'bench-source', 'heavy-' || g,
           'banner-300x250', ('203.0.113.' || (g % 250))::inet, 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)',
           'https://blog.partner.example/post-' || g, 'recorded'
      FROM generate_series(1, $ROWS) g" >/dev/null
stack_psql -d trackgen -c "VACUUM ANALYZE hits" -c "CHECKPOINT" >/dev/null # settle before measuring
# Impressions only: the clicks measured meanwhile do not change the file.
EXPORT="$BASE/v1/hits/export?offer_id=$OFFER&kind=impression"
SIZE=$(curl -fsS -H "Authorization: Bearer $KEY" "$EXPORT" | wc -c)

echo "bench/heavy.sh — $(date -u +%FT%TZ), $(nproc) cores, 2 processes x $THREADS threads, heavy slots per process: ${TRACKGEN_HEAVY_REQUESTS:-$((THREADS / 4))}"
echo "export: $ROWS rows, $SIZE bytes; $DOWNLOADS downloads at $RATE/s each"
bench_wrk "1. /c/{token}, clicks alone" "$BASE/c/$TOKEN?sub1=alone"
R1=$WRK_RPS P1=$WRK_P99

peak_rss() { # the largest RSS of the worker processes, in KiB
    local m=0 p r
    for p in $(pgrep -f "$BIN serve" || true); do
        r=$(awk '/^VmHWM:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
        [ "${r:-0}" -gt "$m" ] && m=$r
    done
    echo "$m"
}
for i in $(seq 1 "$DOWNLOADS"); do
    curl -s --limit-rate "$RATE" -H "Authorization: Bearer $KEY" -o /dev/null \
        -w '%{http_code} %{size_download}\n' "$EXPORT" >"$WORK/download-$i" &
    CURL_PIDS+=($!)
done
sleep 1
bench_wrk "2. /c/{token}, during $DOWNLOADS slow downloads" "$BASE/c/$TOKEN?sub1=during"
R2=$WRK_RPS P2=$WRK_P99
running=0
for p in "${CURL_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && running=$((running + 1)); done
echo "downloads still running when the clicks ended: $running of $DOWNLOADS"
wait "${CURL_PIDS[@]}" || true
CURL_PIDS=()
whole=$(cat "$WORK"/download-* | awk -v size="$SIZE" '$1 == 200 && $2 == size' | wc -l)
echo "downloads complete and whole: $whole of $DOWNLOADS (each $SIZE bytes)"
echo "ratio 2/1 (clicks during / alone): $(bench_ratio "$R2" "$R1"); p99 alone $P1 ms, during $P2 ms (target <= 20 ms)"
echo "workers' peak RSS: $(($(peak_rss) / 1024)) MiB"
slow=$(grep -c "to make durable" "$STACK_DIR/log/trackgen.log" || true)
echo "spool batches that took >= 50 ms to make durable: $slow report(s) (at most one a second per worker)"
grep -h "to make durable" "$STACK_DIR/log/trackgen.log" | tail -n 3 | sed 's/^/  /' || true
