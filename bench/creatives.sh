#!/usr/bin/env bash
# bench/creatives.sh — creatives' files at volume, in ONE run, each next to nginx serving the same
# bytes as a static file (same machine, same nginx, sendfile on both):
#   1. Download All of CREATIVES (50) creatives of FILE_MIB (1) MiB each: MB/s, against one static
#      file of the same total size (target >= 0.3x), and the workers' peak RSS growth (<= 16 MiB);
#   2. a 50 MiB upload (multipart): seconds and the workers' peak RSS growth (<= 16 MiB);
#   3. one download of that file through X-Accel-Redirect, against nginx static (target >= 0.8x).
# Each transfer is run RUNS (9) times, interleaved with its static counterpart; medians are reported. Peak RSS: the workers' VmHWM after
# resetting it (/proc/PID/clear_refs), minus their RSS before.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

BIN=$(bench_build)
N=${CREATIVES:-50}
MIB=${FILE_MIB:-1}
RUNS=${RUNS:-9}
UPLOAD_MIB=50
bench_work creatives
bench_cleanup_extra() {
    [ -f "$WORK/static/nginx.pid" ] && kill "$(cat "$WORK/static/nginx.pid")" 2>/dev/null || true
}

bench_stack_up "$WORK/stack" 16
SPORT=$(bench_free_port)
mkdir -p "$WORK/static/files" "$WORK/files"
bench_nginx_static "$SPORT" "$WORK/static"
OFFER=$(stack_psql -d trackgen -Atc "SELECT id FROM offers WHERE name = 'Summer Sale'")

# Files the sniffer takes for MP4 video (an ftyp box, then random bytes): stored, not deflated,
# as real videos and images would be.
make_file() { # PATH MIB
    { printf '\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2'; head -c $(($2 * 1024 * 1024 - 24)) /dev/urandom; } >"$1"
}
for i in $(seq 1 "$N"); do
    make_file "$WORK/files/clip-$i.mp4" "$MIB"
    curl -fsS -o /dev/null -H "Authorization: Bearer $ADMIN_KEY" \
        -F "metadata={\"offer_id\":$OFFER,\"name\":\"clip $i\",\"type\":\"video\"};type=application/json" \
        -F "file=@$WORK/files/clip-$i.mp4" "$BASE/v1/creatives"
done
cat "$WORK"/files/clip-*.mp4 >"$WORK/static/files/all.bin"

# pair URL_A ARGS_A URL_B: downloads A (with the curl args in ARGS_A, word-split) and B in turn,
# RUNS times each, interleaved so that both see the same machine; sets MBS_A and MBS_B to the median
# MB/s of each (bytes / total time of the transfer, connection included).
pair() {
    local a=$1 args=$2 b=$3 i
    : >"$WORK/a.txt"
    : >"$WORK/b.txt"
    for i in $(seq 1 "$RUNS"); do
        # shellcheck disable=SC2086
        curl -fsS -o /dev/null -w '%{size_download} %{time_total}\n' $args "$a" >>"$WORK/a.txt"
        curl -fsS -o /dev/null -w '%{size_download} %{time_total}\n' "$b" >>"$WORK/b.txt"
    done
    MBS_A=$(awk '{ print $1 / $2 / 1e6 }' "$WORK/a.txt" | bench_median)
    MBS_B=$(awk '{ print $1 / $2 / 1e6 }' "$WORK/b.txt" | bench_median)
}

echo "bench/creatives.sh — $(date -u +%FT%TZ), $(nproc) cores, $N creatives x $MIB MiB, median of $RUNS runs"
bench_rss_reset
pair "$BASE/v1/creatives/download?offer_id=$OFFER" "-H X-Api-Key:$KEY" "http://127.0.0.1:$SPORT/files/all.bin"
GROW1=$(bench_rss_growth_mib)
ALL=$MBS_A STATIC=$MBS_B
curl -fsS -o "$WORK/all.zip" -H "Authorization: Bearer $KEY" "$BASE/v1/creatives/download?offer_id=$OFFER"
unzip -tq "$WORK/all.zip" >/dev/null && ZIPOK="unzip -t: ok" || ZIPOK="unzip -t: FAILED"
printf '1. Download All (%s entries, %s bytes)   %8.1f MB/s   nginx static %8.1f MB/s   ratio %s (target >= 0.3)   %s\n' \
    "$((N + 1))" "$(stat -c %s "$WORK/all.zip")" "$ALL" "$STATIC" "$(bench_ratio "$ALL" "$STATIC")" "$ZIPOK"
echo "   workers' peak RSS growth during Download All: $GROW1 MiB (target <= 16)"

make_file "$WORK/big.mp4" "$UPLOAD_MIB"
cp "$WORK/big.mp4" "$WORK/static/files/big.mp4"
bench_rss_reset
UP=$(curl -fsS -o "$WORK/up.json" -w '%{time_total}' -H "Authorization: Bearer $ADMIN_KEY" \
    -F "metadata={\"offer_id\":$OFFER,\"name\":\"big\",\"type\":\"video\"};type=application/json" \
    -F "file=@$WORK/big.mp4" "$BASE/v1/creatives")
GROW2=$(bench_rss_growth_mib)
ID=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).id)' "$WORK/up.json")
printf '2. upload of %s MiB (multipart)          %8.2f s (%.1f MB/s)   workers'"'"' peak RSS growth %s MiB (target <= 16)\n' \
    "$UPLOAD_MIB" "$UP" "$(awk -v t="$UP" -v m="$UPLOAD_MIB" 'BEGIN { print m * 1.048576 / t }')" "$GROW2"

URL=$(curl -fsS -H "Authorization: Bearer $KEY" "$BASE/v1/creatives/$ID" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).download_url))')
pair "$URL" "" "http://127.0.0.1:$SPORT/files/big.mp4"
ONE=$MBS_A STATIC1=$MBS_B
printf '3. one %s MiB download, X-Accel-Redirect %8.1f MB/s   nginx static %8.1f MB/s   ratio %s (target >= 0.8)\n' \
    "$UPLOAD_MIB" "$ONE" "$STATIC1" "$(bench_ratio "$ONE" "$STATIC1")"
