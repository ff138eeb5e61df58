#!/usr/bin/env bash
# run.sh — the Quick start: installs what is missing, builds, starts a private PostgreSQL
# cluster under var/pg, migrates, seeds a demo network and serves nginx + trackgen workers on
# http://127.0.0.1:8080. Run again, it reuses what exists. `./run.sh stop` stops it all.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
LISTEN=${TRACKGEN_HTTP_LISTEN:-127.0.0.1:8080}
BASE_URL="http://$LISTEN"

source deploy/stack.sh
stack_init "$ROOT/var"

if [ "${1:-}" = stop ]; then
    stack_stop_all
    echo "stopped"
    exit 0
fi
[ $# -eq 0 ] || { echo "usage: ./run.sh [stop]" >&2; exit 2; }

deploy/install-deps.sh run
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DTRACKGEN_TESTS=OFF >/dev/null
cmake --build build -j "$(nproc)" >/dev/null
web/build.sh >/dev/null # the partner portal, served at /
BIN=$ROOT/build/trackgen

stack_secret
export TRACKGEN_PUBLIC_URL=${TRACKGEN_PUBLIC_URL:-$BASE_URL}
stack_pg_start
stack_db_create
stack_migrate "$BIN" >/dev/null
stack_psql -d trackgen -f sql/seed/demo.sql >/dev/null

# Demo keys: made once, kept in var/demo-keys.env; a key that stopped working is replaced.
KEYS=$ROOT/var/demo-keys.env
key_works() { [ -n "${1:-}" ] && stack_psql -d trackgen -Atc \
    "SELECT 1 FROM api_keys WHERE prefix = '${1:0:15}' AND revoked_at IS NULL" | grep -q 1; }
ADMIN_KEY="" PARTNER1_KEY="" PARTNER2_KEY=""
[ -f "$KEYS" ] && source "$KEYS"
partner_id() { stack_psql -d trackgen -Atc "SELECT id FROM partners WHERE name = '$1'"; }
key_works "$ADMIN_KEY" || ADMIN_KEY=$("$BIN" keys create --admin --name demo-admin 2>/dev/null)
key_works "$PARTNER1_KEY" || PARTNER1_KEY=$("$BIN" keys create --partner "$(partner_id 'Acme Media')" --name demo 2>/dev/null)
key_works "$PARTNER2_KEY" || PARTNER2_KEY=$("$BIN" keys create --partner "$(partner_id 'Bright Influencers')" --name demo 2>/dev/null)
(umask 077 && printf 'ADMIN_KEY=%s\nPARTNER1_KEY=%s\nPARTNER2_KEY=%s\n' "$ADMIN_KEY" "$PARTNER1_KEY" "$PARTNER2_KEY" >"$KEYS")

stack_workers_stop # a fresh build is served: restart the workers (in-flight requests finish first)
stack_workers_start "$BIN"
stack_nginx_start "$LISTEN"
stack_wait_ready "$BASE_URL"
offer_id() { stack_psql -d trackgen -Atc "SELECT id FROM offers WHERE name = '$1'"; }
if [ "$(stack_psql -d trackgen -Atc 'SELECT count(*) FROM creatives')" = 0 ]; then
    sql/seed/creatives.sh "$BASE_URL" "$ADMIN_KEY" "$(offer_id 'Summer Sale')" "$(offer_id 'Premium VPN')"
fi

cat <<MSG

trackgen is serving on $BASE_URL  (logs: var/log/, stop: ./run.sh stop)

Demo keys (also in var/demo-keys.env, for scripts: source var/demo-keys.env):
  ADMIN_KEY=$ADMIN_KEY
  PARTNER1_KEY=$PARTNER1_KEY   (Acme Media)
  PARTNER2_KEY=$PARTNER2_KEY   (Bright Influencers)

Try:
  curl -s -H "Authorization: Bearer $PARTNER1_KEY" $BASE_URL/v1/offers
  curl -s -H "Authorization: Bearer $ADMIN_KEY" $BASE_URL/v1/partners
  curl -s -X POST -H "Authorization: Bearer $PARTNER1_KEY" -H 'Content-Type: application/json' -d '{"offers":"all","sub1":"demo"}' $BASE_URL/v1/tracking-links
  curl -s -H "Authorization: Bearer $PARTNER1_KEY" "$BASE_URL/v1/creatives?sub1=demo"
  curl -s -o creatives.zip -H "Authorization: Bearer $PARTNER1_KEY" "$BASE_URL/v1/creatives/download?offer_id=1&sub1=demo"
MSG
