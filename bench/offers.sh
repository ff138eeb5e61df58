#!/usr/bin/env bash
# bench/offers.sh — GET /v1/offers/{id} with a partner key through nginx → trackgen → PostgreSQL,
# at 32 connections, next to nginx answering a static 200 itself, in the same run; prints
# requests/s, p50/p99 and the ratio. Also measures the nginx upstream keep-alive variant that
# deploy/nginx.conf.template chose not to use.
#   BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 32), TRACKGEN_THREADS (default 16 per process)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

BIN=$(bench_build)
WORK=$(mktemp -d /tmp/trackgen-bench.XXXXXX)
chmod 755 "$WORK"
cleanup() {
    [ -f "$WORK/static/nginx.pid" ] && kill -QUIT "$(cat "$WORK/static/nginx.pid")" 2>/dev/null || true
    stack_stop_all || true
    rm -rf "$WORK"
}
trap cleanup EXIT
stack_init "$WORK/stack"

THREADS=${TRACKGEN_THREADS:-16}
bench_stack_up "$WORK/stack" "$THREADS"
OFFER=$(stack_psql -d trackgen -Atc "SELECT id FROM offers WHERE name = 'Premium VPN'")

STATIC_PORT=$(bench_free_port)
bench_nginx_static "$STATIC_PORT" "$WORK/static"

URL="$BASE/v1/offers/$OFFER"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "$URL")
[ "$code" = 200 ] || { echo "GET $URL answered $code, expected 200" >&2; exit 1; }

echo "bench/offers.sh — $(date -u +%FT%TZ), $(nproc) cores, wrk -t1 -c${BENCH_CONNECTIONS:-32} -d${BENCH_SECONDS:-10}s, 2 processes x $THREADS threads"
bench_wrk "nginx static 200 (ceiling)" "http://127.0.0.1:$STATIC_PORT/"
CEIL=$WRK_RPS
bench_wrk "GET /v1/offers/{id}, partner key" "$URL" -H "Authorization: Bearer $KEY"
API=$WRK_RPS
echo "ratio trackgen / nginx static: $(bench_ratio "$API" "$CEIL")"

NGINX_UPSTREAM_KEEPALIVE=$((THREADS / 2)) stack_nginx_start "${BASE#http://}"
sleep 1
bench_wrk "same, upstream keepalive $((THREADS / 2))" "$URL" -H "Authorization: Bearer $KEY"
echo "ratio keepalive / no keepalive: $(bench_ratio "$WRK_RPS" "$API")"
