#!/usr/bin/env bash
# bench/offers.sh — GET /v1/offers/{id} with a partner key through nginx → trackgen → PostgreSQL,
# at 32 connections, next to nginx answering a static 200 itself, in the same run; prints
# requests/s, p50/p99 and the ratio. Also measures the nginx upstream keep-alive variant that
# deploy/nginx.conf.template chose not to use.
#   BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 32), TRACKGEN_THREADS (default 32)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

BIN=$(bench_build)
WORK=$(mktemp -d /tmp/trackgen-bench.XXXXXX)
chmod 755 "$WORK"
stack_init "$WORK/stack"
cleanup() {
    [ -f "$WORK/static/nginx.pid" ] && kill -QUIT "$(cat "$WORK/static/nginx.pid")" 2>/dev/null || true
    stack_stop_all || true
    rm -rf "$WORK"
}
trap cleanup EXIT

THREADS=${TRACKGEN_THREADS:-32}
PORT=$(bench_free_port)
BASE="http://127.0.0.1:$PORT"
export TRACKGEN_PUBLIC_URL=$BASE TRACKGEN_LOG_LEVEL=warn
stack_secret
stack_pg_start
stack_db_create
stack_migrate "$BIN" >/dev/null
stack_psql -d trackgen -f "$BENCH_ROOT/sql/seed/demo.sql" >/dev/null
PARTNER=$(stack_psql -d trackgen -Atc "SELECT id FROM partners WHERE name = 'Acme Media'")
OFFER=$(stack_psql -d trackgen -Atc "SELECT id FROM offers WHERE name = 'Premium VPN'")
KEY=$("$BIN" keys create --partner "$PARTNER" --name bench 2>/dev/null)
stack_workers_start "$BIN" "$THREADS"
stack_nginx_start "127.0.0.1:$PORT"
stack_wait_ready "$BASE"

STATIC_PORT=$(bench_free_port)
bench_nginx_static "$STATIC_PORT" "$WORK/static"

URL="$BASE/v1/offers/$OFFER"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "$URL")
[ "$code" = 200 ] || { echo "GET $URL answered $code, expected 200" >&2; exit 1; }

echo "bench/offers.sh — $(date -u +%FT%TZ), $(nproc) cores, wrk -t1 -c${BENCH_CONNECTIONS:-32} -d${BENCH_SECONDS:-10}s, trackgen threads $THREADS"
bench_wrk "nginx static 200 (ceiling)" "http://127.0.0.1:$STATIC_PORT/"
CEIL=$WRK_RPS
bench_wrk "GET /v1/offers/{id}, partner key" "$URL" -H "Authorization: Bearer $KEY"
API=$WRK_RPS
echo "ratio trackgen / nginx static: $(bench_ratio "$API" "$CEIL")"

NGINX_UPSTREAM_KEEPALIVE=$((THREADS / 2)) stack_nginx_start "127.0.0.1:$PORT"
sleep 1
bench_wrk "same, upstream keepalive $((THREADS / 2))" "$URL" -H "Authorization: Bearer $KEY"
echo "ratio keepalive / no keepalive: $(bench_ratio "$WRK_RPS" "$API")"
