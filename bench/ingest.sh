#!/usr/bin/env bash
# bench/ingest.sh — the shippers (spool → PostgreSQL), in ONE run on this machine:
#   1. ingest: INGEST_HITS hits of INGEST_PARTNERS partners in spool segments of INGEST_SEGMENT_HITS
#      lines (written as the workers write them: bench/spoolfill.c links src/track/hitlog.c) are put
#      into the spool of idle workers at once; hits/s until every segment is shipped and counted,
#      with one worker process (one shipper) and with two, INGEST_ROUNDS times alternating; prints
#      the medians and the ratio two/one (target >= 1.5).
#   2. sustained: SUSTAIN_SECONDS of clicks at the highest rate the click path holds (h2load,
#      BENCH_CONNECTIONS closed-loop connections, the request count calibrated by a 5 s wrk run),
#      /c/ links of both demo partners; every SUSTAIN_SAMPLE s the spool backlog (segments, bytes)
#      and the rows the shippers stored (rows/s); then how long after the last answer every hit
#      was in PostgreSQL (target <= 5 s) and the exact count (302 answers == hits stored).
# Run it under the shared lock: flock /work/bench.lock bench/ingest.sh (the CPU is shared).
#   INGEST_HITS (300000), INGEST_SEGMENT_HITS (2000), INGEST_PARTNERS (200), INGEST_ROUNDS (3),
#   SUSTAIN_SECONDS (60; 0 skips part 2), SUSTAIN_SAMPLE (5), BENCH_CONNECTIONS (32), TRACKGEN_THREADS (16)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

BIN=$(bench_build)
THREADS=${TRACKGEN_THREADS:-16}
HITS=${INGEST_HITS:-300000}
SEGMENT_HITS=${INGEST_SEGMENT_HITS:-2000}
PARTNERS=${INGEST_PARTNERS:-200}
ROUNDS=${INGEST_ROUNDS:-3}
SUSTAIN=${SUSTAIN_SECONDS:-60}
SAMPLE=${SUSTAIN_SAMPLE:-5}
bench_work ingest

cc -O2 -std=c17 -D_GNU_SOURCE -I "$BENCH_ROOT/src" -o "$WORK/spoolfill" "$BENCH_ROOT/bench/spoolfill.c" \
    "$BENCH_ROOT/src/track/hitlog.c" "$BENCH_ROOT/src/util/buf.c" "$BENCH_ROOT/src/util/text.c" "$BENCH_ROOT/src/util/arena.c" -lz
bench_stack_up "$WORK/stack" "$THREADS"
sql() { stack_psql -d trackgen -Atc "$1"; }
now() { date +%s.%N; }
spool_segments() { find "$SPOOL_DIR" -maxdepth 1 -name 'hits-*' | wc -l; }
spool_bytes() { find "$SPOOL_DIR" -maxdepth 1 -name 'hits-*' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }
# Every hit and rollup away, and a checkpoint: each run starts from the same empty tables.
reset_hits() {
    sql "TRUNCATE hits, $(sql "SELECT string_agg(tablename, ', ') FROM pg_tables WHERE tablename LIKE 'hit\_rollup\_%'")" >/dev/null
    sql "CHECKPOINT" >/dev/null
}

echo "bench/ingest.sh — $(date -u +%FT%TZ), $(nproc) cores (shared: load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo "1. ingest: $HITS hits of $PARTNERS partners in segments of $SEGMENT_HITS lines, put into the spool at once"
# ingest_run SHIPPERS SEED: prints hits/s and sets RATE.
ingest_run() {
    stack_workers_stop
    reset_hits
    mkdir -p "$WORK/fill"
    "$WORK/spoolfill" "$WORK/fill" "$HITS" "$SEGMENT_HITS" "$PARTNERS" "$2"
    STACK_WORKERS=$1 stack_workers_start "$BIN" "$THREADS"
    sleep 1 # the shippers connected and kept their partitions
    local t0 t1 stored
    t0=$(now)
    mv "$WORK/fill"/hits-* "$SPOOL_DIR"/
    while [ -n "$(find "$SPOOL_DIR" -maxdepth 1 -name "hits-$2-*" -print -quit)" ]; do sleep 0.05; done
    t1=$(now)
    stored=$(sql "SELECT count(*) FROM hits")
    [ "$stored" = "$HITS" ] || { echo "ingest: $stored hits stored of $HITS"; exit 1; }
    RATE=$(awk -v n="$HITS" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
    printf '   %d shipper(s): %8d hits/s  (%.2f s, every hit stored once)\n' "$1" "$RATE" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
}
ONE=()
TWO=()
for r in $(seq 1 "$ROUNDS"); do
    ingest_run 1 $((1000 + 2 * r))
    ONE+=("$RATE")
    ingest_run 2 $((1001 + 2 * r))
    TWO+=("$RATE")
done
M1=$(printf '%s\n' "${ONE[@]}" | bench_median)
M2=$(printf '%s\n' "${TWO[@]}" | bench_median)
echo "   median: one shipper $M1 hits/s, two shippers $M2 hits/s, ratio two/one $(bench_ratio "$M2" "$M1") (target >= 1.5)"

[ "$SUSTAIN" -gt 0 ] || exit 0
echo "2. sustained: ${SUSTAIN} s of clicks at the highest rate the click path holds, two workers (two shippers)"
stack_workers_stop
reset_hits
stack_workers_start "$BIN" "$THREADS"
URLS=()
TAG="sustain-$RANDOM$RANDOM"
for name in 'Acme Media' 'Bright Influencers'; do
    partner=$(sql "SELECT id FROM partners WHERE name = '$name'")
    key=$("$BIN" keys create --partner "$partner" --name bench-ingest 2>/dev/null)
    token=$(curl -fsS -X POST -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
        -d '{"offers":"all"}' "$BASE/v1/tracking-links" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).data[0].token))')
    URLS+=("$BASE/c/$token?sub1=$TAG")
done
BENCH_SECONDS=5 bench_wrk "   calibration: wrk -d5s /c/{token}" "${URLS[0]%%\?*}?sub1=calibration"
N=$(awk -v r="$WRK_RPS" -v s="$SUSTAIN" 'BEGIN { printf "%d", r * s }')
# The hits stored since the load began: the partner rollups' clicks (kept in the shippers'
# transactions; small) less what they held before it, once the calibration's hits are all in.
rollup_clicks() { sql "SELECT coalesce(sum(clicks), 0) FROM hit_rollup_partner"; }
BASELINE=$(rollup_clicks)
while sleep 1.5 && [ "$(rollup_clicks)" != "$BASELINE" ]; do BASELINE=$(rollup_clicks); done
stored_now() { echo $(($(rollup_clicks) - BASELINE)); }
echo "   h2load --h1 -n $N -c ${BENCH_CONNECTIONS:-32} -t 1 over ${#URLS[@]} partners' links; every ${SAMPLE} s:"
h2load --h1 -n "$N" -c "${BENCH_CONNECTIONS:-32}" -t 1 "${URLS[@]}" >"$WORK/h2load.out" 2>&1 &
LOAD=$!
T0=$(now)
prev_t=$T0
prev_n=0
max_bytes=0
max_segments=0
while kill -0 "$LOAD" 2>/dev/null; do
    sleep "$SAMPLE"
    kill -0 "$LOAD" 2>/dev/null || break
    t=$(now)
    n=$(stored_now)
    segs=$(spool_segments)
    bytes=$(spool_bytes)
    [ "$bytes" -gt "$max_bytes" ] && max_bytes=$bytes
    [ "$segs" -gt "$max_segments" ] && max_segments=$segs
    awk -v t="$t" -v t0="$T0" -v pt="$prev_t" -v n="$n" -v pn="$prev_n" -v s="$segs" -v b="$bytes" \
        'BEGIN { printf "   t=%5.1f s  spool %3d segment(s) %8.2f MiB   stored %9d  shipped %7.0f rows/s\n", t - t0, s, b / 1048576, n, (n - pn) / (t - pt) }'
    prev_t=$t
    prev_n=$n
done
wait "$LOAD" || true
T_END=$(now)
answered=$(awk '/^status codes:/ {for (i = 1; i <= NF; i++) if ($(i+1) ~ /^3xx/) print $i}' "$WORK/h2load.out" | tr -d ,)
rps=$(awk '/^finished in/ { for (i = 1; i <= NF; i++) if ($i ~ /req\/s/) print $(i-1) }' "$WORK/h2load.out" | tr -d ,)
echo "   h2load: $(grep -E '^(finished in|status codes):' "$WORK/h2load.out" | tr '\n' ' ')"
drained=""
while awk -v a="$(now)" -v b="$T_END" 'BEGIN { exit !(a - b < 30) }'; do
    if [ "$(stored_now)" -ge "$answered" ]; then
        drained=$(awk -v a="$(now)" -v b="$T_END" 'BEGIN { printf "%.2f", a - b }')
        break
    fi
    sleep 0.1
done
read -r stored distinct < <(sql "SELECT count(*), count(DISTINCT transaction_id) FROM hits WHERE sub1 = '$TAG'" | tr '|' ' ')
awk -v n="$stored" -v a="$T0" -v b="$T_END" -v r="$rps" 'BEGIN { printf "   clicks %s/s; shippers %.0f rows/s over the run\n", r, n / (b - a) }'
echo "   spool backlog at most $max_segments segment(s), $(awk -v b="$max_bytes" 'BEGIN { printf "%.2f", b / 1048576 }') MiB (sampled every ${SAMPLE} s)"
echo "   every hit in PostgreSQL ${drained:-NOT within 30} s after the last answer (target <= 5 s)"
echo "   exact check: 302 answers $answered, hits stored $stored, distinct transaction_ids $distinct"
if [ "$answered" = "$stored" ] && [ "$stored" = "$distinct" ] && [ "$answered" = "$N" ] && [ -n "$drained" ]; then
    echo "   exact check: EQUAL"
else
    echo "   exact check: NOT EQUAL"
    exit 1
fi
