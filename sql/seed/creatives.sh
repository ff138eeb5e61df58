#!/usr/bin/env bash
# sql/seed/creatives.sh BASE_URL ADMIN_KEY SUMMER_SALE_ID PREMIUM_VPN_ID — the demo network's
# creatives, made through the API (./run.sh runs it once the stack serves, when the demo offers have
# none yet): the Summer Sale banner in two sizes (uploaded as files, so they get thumbnails), an HTML
# banner, an e-mail and a text link, and a text link for Premium VPN.
set -euo pipefail
BASE=$1 KEY=$2 SUMMER=$3 VPN=$4
HERE=$(cd "$(dirname "$0")" && pwd)
api() { curl -fsS -H "Authorization: Bearer $KEY" "$@"; }

for size in 300x250 728x90; do
    api -o /dev/null -F "metadata={\"offer_id\":$SUMMER,\"name\":\"Summer Sale banner $size\",\"type\":\"image\",\"description\":\"Static banner, $size px.\"};type=application/json" \
        -F "file=@$HERE/creatives/summer-sale-$size.png;type=image/png" "$BASE/v1/creatives"
done
json() { api -o /dev/null -H 'Content-Type: application/json' -d "$1" "$BASE/v1/creatives"; }
json "{\"offer_id\":$SUMMER,\"name\":\"Summer Sale HTML banner\",\"type\":\"html\",\"description\":\"Paste it into your page.\",
      \"html_code\":\"<a href=\\\"{tracking_link}\\\" target=\\\"_blank\\\" rel=\\\"sponsored\\\"><strong>Summer Sale</strong> — up to 50% off</a>{impression_pixel}\"}"
json "{\"offer_id\":$SUMMER,\"name\":\"Summer Sale e-mail\",\"type\":\"email\",
      \"email_subjects\":[\"Summer Sale: up to 50% off\",\"Last days of the Summer Sale\"],\"email_from_lines\":[\"Shop Deals\"],
      \"html_code\":\"<h1>Summer Sale</h1><p>Up to 50% off the summer collection.</p><p><a href=\\\"{tracking_link}\\\">Shop now</a></p>{impression_pixel}\",
      \"text_body\":\"Summer Sale: up to 50% off the summer collection. Shop now: {tracking_link}\"}"
json "{\"offer_id\":$SUMMER,\"name\":\"Summer Sale text link\",\"type\":\"text\",\"text_body\":\"Up to 50% off summer styles: {tracking_link}\"}"
json "{\"offer_id\":$VPN,\"name\":\"Premium VPN text link\",\"type\":\"text\",\"text_body\":\"Stay private online, 30 days money back: {tracking_link}\"}"
