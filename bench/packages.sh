#!/usr/bin/env bash
# bench/packages.sh — the ZIP of an asset package for all of OFFERS (200) offers, each with 5
# creatives (two PNG banners of noise, 728x90 and 300x250, so they do not compress; an HTML banner,
# an e-mail and a text link, with the link inserted) and 20 coupon codes of the partner, tracking
# links with additional URLs off: time to first byte, total time and MB/s of the download (median of
# RUNS (3)), the entries it holds, and the workers' peak RSS growth during the downloads (VmHWM after
# resetting it with /proc/PID/clear_refs, minus their RSS before). Also the JSON's first page.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

BIN=$(bench_build)
N=${OFFERS:-200}
RUNS=${RUNS:-3}
bench_work packages

bench_stack_up "$WORK/stack" 16
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(eval("JSON.parse(s)"+process.argv[1])))' "$1"; }
post() { curl -fsS -H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/json' -d "$2" "$BASE$1"; }

vips gaussnoise "$WORK/n1.v" 728 90
vips gaussnoise "$WORK/n2.v" 300 250
vips cast "$WORK/n1.v" "$WORK/leaderboard.png" uchar
vips cast "$WORK/n2.v" "$WORK/rectangle.png" uchar

PARTNER=$(post /v1/partners '{"name":"bench packages"}' | json .id)
PKEY=$(post /v1/api-keys "{\"role\":\"partner\",\"partner_id\":$PARTNER,\"name\":\"bench\"}" | json .key)
IDS=""
echo "setting up $N offers x (5 creatives, 20 coupons)..." >&2
for i in $(seq 1 "$N"); do
    O=$(post /v1/offers "{\"name\":\"Bench offer $i\",\"destination_url\":\"https://shop.example/p/$i?tid={transaction_id}&s1={sub1}\"}" | json .id)
    IDS="$IDS${IDS:+,}$O"
    for f in leaderboard rectangle; do
        curl -fsS -o /dev/null -H "Authorization: Bearer $ADMIN_KEY" \
            -F "metadata={\"offer_id\":$O,\"name\":\"$f\",\"type\":\"image\"};type=application/json" \
            -F "file=@$WORK/$f.png" "$BASE/v1/creatives"
    done
    post /v1/creatives "{\"offer_id\":$O,\"name\":\"html banner\",\"type\":\"html\",\"html_code\":\"<a href=\\\"{tracking_link}\\\"><img src=\\\"https://cdn.example/b$i.png\\\"></a><img src=\\\"{impression_pixel}\\\">\"}" >/dev/null
    post /v1/creatives "{\"offer_id\":$O,\"name\":\"email\",\"type\":\"email\",\"html_code\":\"<p>Hello, see <a href=\\\"{tracking_link}\\\">our offer $i</a></p>\",\"email_subjects\":[\"Offer $i\"]}" >/dev/null
    post /v1/creatives "{\"offer_id\":$O,\"name\":\"text link\",\"type\":\"text\",\"text_body\":\"Offer $i: {tracking_link}\"}" >/dev/null
    post /v1/coupons/generate "{\"offer_id\":$O,\"count\":20,\"partner_id\":$PARTNER}" >/dev/null
done
PKG=$(curl -fsS -H "Authorization: Bearer $PKEY" -H 'Content-Type: application/json' \
    -d "{\"offers\":[$IDS],\"tracking_links\":{\"sub1\":\"bench\"},\"creatives\":true,\"coupons\":true}" \
    -w '\n%{time_total}' "$BASE/v1/asset-packages")
JSON_T=$(tail -n1 <<<"$PKG")
ID=$(head -n1 <<<"$PKG" | json .id)
URL=$(head -n1 <<<"$PKG" | json .download_url)


curl -fsS -o /dev/null "$URL" # warm-up: prepared statements, page cache
bench_rss_reset
: >"$WORK/t.txt"
for i in $(seq 1 "$RUNS"); do
    curl -fsS -o "$WORK/p.zip" -w '%{time_starttransfer} %{time_total} %{size_download}\n' "$URL" >>"$WORK/t.txt"
done
GROW=$(bench_rss_growth_mib)
TTFB=$(awk '{ print $1 * 1000 }' "$WORK/t.txt" | bench_median)
TOTAL=$(awk '{ print $2 }' "$WORK/t.txt" | bench_median)
MBS=$(awk '{ print $3 / $2 / 1e6 }' "$WORK/t.txt" | bench_median)
BYTES=$(awk 'END { print $3 }' "$WORK/t.txt")
unzip -tq "$WORK/p.zip" >/dev/null && ZIPOK="unzip -t: ok" || ZIPOK="unzip -t: FAILED"
ENTRIES=$(zipinfo -1 "$WORK/p.zip" | wc -l)
COUNTS=$(zipinfo -1 "$WORK/p.zip" | awk -F/ '{ n[$1 ~ /\.(txt|csv)$/ ? $1 : $1 "/"]++ } END { for (k in n) printf "%s %d, ", k, n[k] }')

echo "bench/packages.sh — $(date -u +%FT%TZ), $(nproc) cores, package $ID: $N offers x (5 creatives, 20 coupons), median of $RUNS"
printf 'ZIP: %s bytes, %s entries (%s)   %s\n' "$BYTES" "$ENTRIES" "${COUNTS%, }" "$ZIPOK"
printf 'time to first byte %8.1f ms   total %6.2f s   %6.1f MB/s\n' "$TTFB" "$TOTAL" "$MBS"
echo "workers' peak RSS growth during the downloads: $GROW MiB"
printf 'POST /v1/asset-packages (first page of 20 offers, JSON): %.0f ms\n' "$(awk -v t="$JSON_T" 'BEGIN { print t * 1000 }')"
