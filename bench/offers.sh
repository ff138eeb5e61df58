#!/usr/bin/env bash
# bench/offers.sh — the API read with a partner key, GET /v1/offers/{id} and GET /v1/offers, through
# nginx → trackgen, against its reference in the same run: a bare libfcgi responder
# (bench/bare_fcgi.c json FILE) answering the very JSON body trackgen answers, behind the same nginx
# template, with the same two processes and thread count. Both are measured without and with nginx
# upstream keep-alive (NGINX_UPSTREAM_KEEPALIVE); prints requests/s, p50/p99 and the ratios
# trackgen / bare, and nginx answering a static 200 itself (the ceiling).
#   BENCH_SECONDS (10), BENCH_CONNECTIONS (32), TRACKGEN_THREADS (16 per process)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

BIN=$(bench_build)
THREADS=${TRACKGEN_THREADS:-16}
KEEPALIVE=$((THREADS / 2)) # idle connections nginx keeps: fewer than the threads, or requests queue behind them
bench_work offers
bench_cleanup_extra() {
    [ -f "$WORK/static/nginx.pid" ] && kill -QUIT "$(cat "$WORK/static/nginx.pid")" 2>/dev/null || true
    bare_stop
    (stack_init "$WORK/bare" && stack_nginx_stop) || true
}
BARE_PIDS=()
# bare_start FILE: the bare responder answering FILE's bytes, one process per worker socket.
bare_start() {
    bare_stop
    for n in 1 2; do
        "$WORK/bare_fcgi" "$WORK/bare/run/trackgen-$n.sock" "$THREADS" json "$1" &
        BARE_PIDS+=($!)
    done
    sleep 0.3
}
bare_stop() {
    if [ ${#BARE_PIDS[@]} -gt 0 ]; then
        kill "${BARE_PIDS[@]}" 2>/dev/null || true
        wait "${BARE_PIDS[@]}" 2>/dev/null || true
    fi
    BARE_PIDS=()
}

STATIC_PORT=$(bench_free_port)
bench_nginx_static "$STATIC_PORT" "$WORK/static"

bench_stack_up "$WORK/stack" "$THREADS"
OFFER=$(stack_psql -d trackgen -Atc "SELECT id FROM offers WHERE name = 'Premium VPN'")
GET_URL="/v1/offers/$OFFER"
LIST_URL="/v1/offers"
# The bodies the bare responder answers: exactly what trackgen answers the partner.
for u in GET LIST; do
    path_var=${u}_URL
    code=$(curl -s -o "$WORK/$u.json" -w '%{http_code}' -H "Authorization: Bearer $KEY" "$BASE${!path_var}")
    [ "$code" = 200 ] || { echo "GET ${!path_var} answered $code, expected 200" >&2; exit 1; }
done

cc -O2 -o "$WORK/bare_fcgi" "$BENCH_ROOT/bench/bare_fcgi.c" -lfcgi -lpthread
stack_init "$WORK/bare"
mkdir -p "$WORK/bare/run"
BARE_PORT=$(bench_free_port)
BARE="http://127.0.0.1:$BARE_PORT"
stack_init "$WORK/stack"

echo "bench/offers.sh — $(date -u +%FT%TZ), $(nproc) cores, wrk -t1 -c${BENCH_CONNECTIONS:-32} -d${BENCH_SECONDS:-10}s, 2 processes x $THREADS threads"
echo "bodies: GET $(wc -c <"$WORK/GET.json") bytes, list $(wc -c <"$WORK/LIST.json") bytes"
bench_wrk "nginx static 200 (ceiling)" "http://127.0.0.1:$STATIC_PORT/"
declare -A R
# measure KA: trackgen then bare, both endpoints, with upstream keep-alive KA (empty: none).
measure() {
    local ka=$1 label=${1:+, keepalive $1}
    stack_init "$WORK/stack"
    NGINX_UPSTREAM_KEEPALIVE=$ka stack_nginx_start "${BASE#http://}"
    stack_init "$WORK/bare"
    NGINX_UPSTREAM_KEEPALIVE=$ka stack_nginx_start "127.0.0.1:$BARE_PORT"
    sleep 1
    for u in GET LIST; do
        local path_var=${u}_URL
        bench_wrk "trackgen $u ${!path_var}$label" "$BASE${!path_var}" -H "Authorization: Bearer $KEY"
        R[trackgen$u$ka]=$WRK_RPS
        bare_start "$WORK/$u.json"
        curl -s -o "$WORK/bare.out" "$BARE${!path_var}"
        cmp -s "$WORK/bare.out" "$WORK/$u.json" || { echo "the bare responder does not answer the same body" >&2; exit 1; }
        bench_wrk "bare libfcgi, same body$label" "$BARE${!path_var}"
        R[bare$u$ka]=$WRK_RPS
        echo "ratio trackgen / bare ($u$label): $(bench_ratio "${R[trackgen$u$ka]}" "${R[bare$u$ka]}")"
    done
}
measure ""
measure "$KEEPALIVE"
echo "ratio trackgen keepalive / trackgen no keepalive: GET $(bench_ratio "${R[trackgenGET$KEEPALIVE]}" "${R[trackgenGET]}"), list $(bench_ratio "${R[trackgenLIST$KEEPALIVE]}" "${R[trackgenLIST]}")"
echo "ratio trackgen keepalive / best bare (keepalive): GET $(bench_ratio "${R[trackgenGET$KEEPALIVE]}" "${R[bareGET$KEEPALIVE]}"), list $(bench_ratio "${R[trackgenLIST$KEEPALIVE]}" "${R[bareLIST$KEEPALIVE]}")"
