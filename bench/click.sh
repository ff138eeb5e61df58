#!/usr/bin/env bash
# bench/click.sh — the click path against its ceilings, in ONE run on this machine:
#   1. nginx answering `return 302` itself (the ceiling)
#   2. a bare libfcgi responder that only answers 302 (bench/bare_fcgi.c), behind the same nginx
#      configuration, the same two processes and thread count as trackgen
#   3. trackgen /c/{token} with durable hit recording
#   4. trackgen /i/{token}
# prints requests/s, p50/p99 and the ratios 3/2 and 3/1, then the exact check with a fixed-count
# load generator: hits stored for the run == answers with 302, and every transaction_id distinct.
#   BENCH_SECONDS (10), BENCH_CONNECTIONS (32), BENCH_EXACT_REQUESTS (200000), TRACKGEN_THREADS (16 per process)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

BIN=$(bench_build)
THREADS=${TRACKGEN_THREADS:-16}
bench_work click
bench_cleanup_extra() {
    [ -f "$WORK/static/nginx.pid" ] && kill -QUIT "$(cat "$WORK/static/nginx.pid")" 2>/dev/null || true
    if [ ${#BARE_PIDS[@]} -gt 0 ]; then kill "${BARE_PIDS[@]}" 2>/dev/null || true; fi
    (stack_init "$WORK/bare" && stack_nginx_stop) || true
}
BARE_PIDS=()

# 1. the ceiling: nginx answering 302 itself
STATIC_PORT=$(bench_free_port)
mkdir -p "$WORK/static"
bench_nginx_static "$STATIC_PORT" "$WORK/static"
sed -i 's|location / { default_type application/json; return 200 .*|location / { return 302 https://example.com/landing; }|' "$WORK/static/nginx.conf"
kill -HUP "$(cat "$WORK/static/nginx.pid")"
sleep 0.5

# 2. the bare responder behind the same nginx template
cc -O2 -o "$WORK/bare_fcgi" "$BENCH_ROOT/bench/bare_fcgi.c" -lfcgi -lpthread
stack_init "$WORK/bare"
for n in 1 2; do
    "$WORK/bare_fcgi" "$(worker_socket $n)" "$THREADS" &
    BARE_PIDS+=($!)
done
sleep 0.3
BARE_PORT=$(bench_free_port)
stack_nginx_start "127.0.0.1:$BARE_PORT"

# 3, 4. trackgen
bench_stack_up "$WORK/stack" "$THREADS"
TOKEN=$(curl -fsS -X POST -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d '{"offers":"all"}' "$BASE/v1/tracking-links" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).data[0].token))')

echo "bench/click.sh — $(date -u +%FT%TZ), $(nproc) cores, wrk -t1 -c${BENCH_CONNECTIONS:-32} -d${BENCH_SECONDS:-10}s, 2 processes x $THREADS threads"
bench_wrk "1. nginx return 302 (ceiling)" "http://127.0.0.1:$STATIC_PORT/c/x"
R1=$WRK_RPS
bench_wrk "2. bare libfcgi 302" "http://127.0.0.1:$BARE_PORT/c/x"
R2=$WRK_RPS
bench_wrk "3. trackgen /c/{token} (durable)" "$BASE/c/$TOKEN?sub1=wrk"
R3=$WRK_RPS
bench_wrk "4. trackgen /i/{token} (durable)" "$BASE/i/$TOKEN?sub1=wrk"
echo "ratio 3/2 (trackgen / bare FastCGI): $(bench_ratio "$R3" "$R2")"
echo "ratio 3/1 (trackgen / nginx alone):  $(bench_ratio "$R3" "$R1")"

# The exact check: a fixed number of requests, every answer awaited.
N=${BENCH_EXACT_REQUESTS:-200000}
TAG="exact-$RANDOM$RANDOM"
out=$(h2load --h1 -n "$N" -c "${BENCH_CONNECTIONS:-32}" -t 1 "$BASE/c/$TOKEN?sub1=$TAG")
answered=$(awk '/^status codes:/ {for (i = 1; i <= NF; i++) if ($(i+1) ~ /^3xx/) print $i}' <<<"$out" | tr -d ,)
echo "exact check: h2load -n $N: $(grep -E '^(requests|status codes):' <<<"$out" | tr '\n' ' ')"
for i in $(seq 1 300); do
    [ -z "$(ls "$SPOOL_DIR" 2>/dev/null)" ] && break
    sleep 0.2
done
read -r stored distinct < <(stack_psql -d trackgen -Atc \
    "SELECT count(*), count(DISTINCT transaction_id) FROM hits WHERE sub1 = '$TAG'" | tr '|' ' ')
echo "exact check: 302 answers $answered, hits stored $stored, distinct transaction_ids $distinct"
if [ "$answered" = "$stored" ] && [ "$stored" = "$distinct" ] && [ "$answered" = "$N" ]; then
    echo "exact check: EQUAL"
else
    echo "exact check: NOT EQUAL"
    exit 1
fi
slow=$(grep -c "to make durable" "$STACK_DIR/log/trackgen.log" || true)
echo "spool batches that took >= 50 ms to make durable: $slow report(s) (at most one a second per worker; they set the p99)"
