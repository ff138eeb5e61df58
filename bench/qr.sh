#!/usr/bin/env bash
# bench/qr.sh — QR code images: trackgen /qr/{token}.png against the qrencode CLI drawing the same
# image, in ONE run on this machine. For 300 px and 1024 px (ECC M, margin 4):
#   1. trackgen GET /qr/{token}.png?size=N&ecc=M&margin=4 under wrk: requests/s, p50/p99
#   2. the qrencode CLI writing the same image (same text, -l M -m 4 -s <pixels a module>) in a
#      loop for BENCH_CLI_SECONDS: images/s (one process start per image, as a script would do)
# prints both, the ratio trackgen/CLI, the PNG byte sizes of the two images, and checks with
# zbarimg that both images decode to the link's redirect_url, and that trackgen's is exactly N px
# (the CLI's is the same modules at the same module size, without the leftover pixels that trackgen
# adds to the quiet zone).
#   BENCH_SECONDS (10), BENCH_CONNECTIONS (32), BENCH_CLI_SECONDS (5), TRACKGEN_THREADS (16 per process)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

BIN=$(bench_build) # also installs qrencode and zbar-tools (deploy/install-deps.sh bench)
THREADS=${TRACKGEN_THREADS:-16}
CLI_SECONDS=${BENCH_CLI_SECONDS:-5}
bench_work qr

bench_stack_up "$WORK/stack" "$THREADS"
read -r TOKEN TEXT < <(curl -fsS -X POST -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d '{"offers":"all"}' "$BASE/v1/tracking-links" \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const l=JSON.parse(s).data[0];console.log(l.token, l.redirect_url)})')

[ -n "${TOKEN:-}" ] && [ -n "${TEXT:-}" ] || { echo "no tracking link from $BASE/v1/tracking-links" >&2; exit 1; }

png_width() { od -An -tu1 -j16 -N4 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }'; }
png_type() { od -An -tu1 -j24 -N2 "$1" | awk '{ printf "%s-bit, colour type %s", $1, $2 }'; }
decoded() { zbarimg --raw -q -Sbinary "$1" 2>/dev/null; }

# The code's own width in modules, as libqrencode draws this text at ECC M.
qrencode -l M -m 0 -s 1 -o "$WORK/modules.png" "$TEXT"
MODULES=$(png_width "$WORK/modules.png")

echo "bench/qr.sh — $(date -u +%FT%TZ), $(nproc) cores, wrk -t1 -c${BENCH_CONNECTIONS:-32} -d${BENCH_SECONDS:-10}s, 2 processes x $THREADS threads"
echo "text: $TEXT (${#TEXT} bytes, $MODULES modules at ECC M, $((MODULES + 8)) with the quiet zone); $(qrencode --version 2>&1 | head -n 1)"
status=0
for SIZE in 300 1024; do
    URL="$BASE/qr/$TOKEN.png?size=$SIZE&ecc=M&margin=4"
    PX=$((SIZE / (MODULES + 8)))
    curl -fsS -o "$WORK/ours-$SIZE.png" "$URL"
    qrencode -l M -m 4 -s "$PX" -o "$WORK/cli-$SIZE.png" "$TEXT"

    bench_wrk "trackgen /qr/{token}.png size=$SIZE" "$URL"
    OURS=$WRK_RPS

    n=0
    start=$EPOCHREALTIME
    end=$(awk -v s="$start" -v d="$CLI_SECONDS" 'BEGIN { printf "%.6f", s + d }')
    while :; do
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            qrencode -l M -m 4 -s "$PX" -o "$WORK/loop.png" "$TEXT"
        done
        n=$((n + 10))
        awk -v now="$EPOCHREALTIME" -v end="$end" 'BEGIN { exit !(now >= end) }' && break
    done
    CLI=$(awk -v n="$n" -v s="$start" -v e="$EPOCHREALTIME" 'BEGIN { printf "%.1f", n / (e - s) }')
    printf '%-44s %10s img/s (%d images in a loop, one process each)\n' "qrencode CLI -l M -m 4 -s $PX" "$CLI" "$n"
    echo "ratio trackgen/CLI at $SIZE px: $(bench_ratio "$OURS" "$CLI")"

    ow=$(png_width "$WORK/ours-$SIZE.png")
    cw=$(png_width "$WORK/cli-$SIZE.png")
    echo "PNG at $SIZE px: trackgen $(stat -c %s "$WORK/ours-$SIZE.png") bytes (${ow}x$ow, $(png_type "$WORK/ours-$SIZE.png")), qrencode $(stat -c %s "$WORK/cli-$SIZE.png") bytes (${cw}x$cw, $(png_type "$WORK/cli-$SIZE.png"))"
    od_text=$(decoded "$WORK/ours-$SIZE.png" || true)
    cli_text=$(decoded "$WORK/cli-$SIZE.png" || true)
    if [ "$od_text" = "$TEXT" ] && [ "$cli_text" = "$TEXT" ] && [ "$ow" = "$SIZE" ] && [ "$cw" = $(((MODULES + 8) * PX)) ]; then
        echo "check at $SIZE px: both decode to the link's redirect_url; trackgen exactly $SIZE px, the CLI $cw px at the same $PX px a module: SAME CODE"
    else
        echo "check at $SIZE px: DIFFERENT — trackgen '$od_text' ($ow px, want $SIZE), qrencode '$cli_text' ($cw px), expected '$TEXT'"
        status=1
    fi
done
exit $status
