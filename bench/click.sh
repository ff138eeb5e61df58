#!/usr/bin/env bash
# bench/click.sh — the click path against its references, in ONE run on this machine:
#   1. nginx answering `return 302` itself (the ceiling)
#   2. a bare libfcgi responder that only answers 302 (bench/bare_fcgi.c), behind the same nginx
#      configuration, the same two processes and thread count as trackgen
#   3. the same responder plus the durable part: a group-committed, fdatasync'ed append of one line
#      per request (bare_fcgi durable), so 4/3 shows trackgen's own overhead, not durability's
#   4. trackgen /c/{token} with durable hit recording
#   5. trackgen /i/{token}
# each of 2–4 without and with nginx upstream keep-alive (NGINX_UPSTREAM_KEEPALIVE, threads >= kept
# connections); prints requests/s, p50/p99 and the ratios, then the exact check with a fixed-count
# load generator: hits stored for the run == answers with 302, and every transaction_id distinct.
#   BENCH_SECONDS (10), BENCH_CONNECTIONS (32), BENCH_EXACT_REQUESTS (200000), TRACKGEN_THREADS (16 per
#   process), BENCH_KEEPALIVE (kept connections per nginx worker with keep-alive: THREADS / 2)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

BIN=$(bench_build)
THREADS=${TRACKGEN_THREADS:-16}
KEEPALIVE=${BENCH_KEEPALIVE:-$((THREADS / 2))}
bench_work click
bench_cleanup_extra() {
    [ -f "$WORK/static/nginx.pid" ] && kill -QUIT "$(cat "$WORK/static/nginx.pid")" 2>/dev/null || true
    if [ ${#BARE_PIDS[@]} -gt 0 ]; then kill "${BARE_PIDS[@]}" 2>/dev/null || true; fi
    (stack_init "$WORK/bare" && stack_nginx_stop) || true
    (stack_init "$WORK/bare-durable" && stack_nginx_stop) || true
}
BARE_PIDS=()

# 1. the ceiling: nginx answering 302 itself
STATIC_PORT=$(bench_free_port)
mkdir -p "$WORK/static"
bench_nginx_static "$STATIC_PORT" "$WORK/static"
sed -i 's|location / { default_type application/json; return 200 .*|location / { return 302 https://example.com/landing; }|' "$WORK/static/nginx.conf"
kill -HUP "$(cat "$WORK/static/nginx.pid")"
sleep 0.5

# 2, 3. the bare responders behind the same nginx template, each in a stack directory of its own
cc -O2 -o "$WORK/bare_fcgi" "$BENCH_ROOT/bench/bare_fcgi.c" -lfcgi -lpthread
BARE_PORT=$(bench_free_port)
DURABLE_PORT=$(bench_free_port)
bare_up() { # DIR PORT MODE: two bare processes (durable: each with its spool file) and their nginx
    local dir=$1 port=$2 mode=$3 n
    stack_init "$dir"
    for n in 1 2; do
        if [ "$mode" = durable ]; then set -- durable "$dir/spool-$n.log"; else set -- 302; fi
        "$WORK/bare_fcgi" "$(worker_socket $n)" "$THREADS" "$@" &
        BARE_PIDS+=($!)
    done
    sleep 0.3
    stack_nginx_start "127.0.0.1:$port"
}
bare_up "$WORK/bare" "$BARE_PORT" 302
bare_up "$WORK/bare-durable" "$DURABLE_PORT" durable
# nginx_keepalive DIR PORT: that front's nginx reloaded with upstream keep-alive.
nginx_keepalive() { (stack_init "$1" && NGINX_UPSTREAM_KEEPALIVE=$KEEPALIVE stack_nginx_start "127.0.0.1:$2"); }

# 4, 5. trackgen
bench_stack_up "$WORK/stack" "$THREADS"
TOKEN=$(curl -fsS -X POST -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d '{"offers":"all"}' "$BASE/v1/tracking-links" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).data[0].token))')

echo "bench/click.sh — $(date -u +%FT%TZ), $(nproc) cores, wrk -t1 -c${BENCH_CONNECTIONS:-32} -d${BENCH_SECONDS:-10}s, 2 processes x $THREADS threads"
bench_wrk "1. nginx return 302 (ceiling)" "http://127.0.0.1:$STATIC_PORT/c/x"
R1=$WRK_RPS
for ka in off on; do
    if [ $ka = on ]; then
        nginx_keepalive "$WORK/bare" "$BARE_PORT"
        nginx_keepalive "$WORK/bare-durable" "$DURABLE_PORT"
        nginx_keepalive "$STACK_DIR" "${BASE#http://*:}"
        sleep 1
    fi
    echo "-- nginx upstream keep-alive $ka$([ $ka = on ] && echo " ($KEEPALIVE kept connections per nginx worker)")"
    bench_wrk "2. bare libfcgi 302" "http://127.0.0.1:$BARE_PORT/c/x"
    R2=$WRK_RPS
    bench_wrk "3. bare libfcgi 302 + durable append" "http://127.0.0.1:$DURABLE_PORT/c/x?sub1=wrk"
    R3=$WRK_RPS
    bench_wrk "4. trackgen /c/{token} (durable)" "$BASE/c/$TOKEN?sub1=wrk"
    R4=$WRK_RPS
    [ $ka = off ] && bench_wrk "5. trackgen /i/{token} (durable)" "$BASE/i/$TOKEN?sub1=wrk"
    echo "ratio 4/3 (trackgen / bare + durable append): $(bench_ratio "$R4" "$R3")"
    echo "ratio 4/2 (trackgen / bare FastCGI):          $(bench_ratio "$R4" "$R2")"
    echo "ratio 4/1 (trackgen / nginx alone):           $(bench_ratio "$R4" "$R1")"
    eval "R2_$ka=$R2 R4_$ka=$R4"
done
BEST=$(awk -v a="$R2_off" -v b="$R2_on" 'BEGIN { print (a > b ? a : b) }')
echo "ratio best trackgen / best bare 302: $(bench_ratio "$(awk -v a="$R4_off" -v b="$R4_on" 'BEGIN { print (a > b ? a : b) }')" "$BEST")"

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
