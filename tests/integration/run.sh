#!/usr/bin/env bash
# tests/integration/run.sh [TRACKGEN_BIN] — the integration suite on the real stack.
#
# Starts a private stack in a temporary directory (PostgreSQL on a unix socket, trackgen workers
# built with ASan+UBSan when given that binary, nginx on a free 127.0.0.1 port), creates an admin
# key, runs the Node tests (tests/integration/*.test.mjs, every response checked against
# openapi/openapi.yaml) and stops everything. Fails if any sanitizer reported anything.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=$(realpath "${1:-$ROOT/build/trackgen}")
[ -x "$BIN" ] || { echo "no trackgen binary at $BIN" >&2; exit 1; }

source "$ROOT/deploy/stack.sh"
WORK=$(mktemp -d /tmp/trackgen-it.XXXXXX)
chmod 755 "$WORK"
stack_init "$WORK"

cleanup() {
    local rc=$?
    stack_stop_all || true
    if [ $rc -ne 0 ]; then
        echo "--- last lines of the worker log ($WORK/log/trackgen.log) ---" >&2
        tail -n 30 "$WORK"/log/trackgen.log >&2 || true
        echo "(stack directory kept: $WORK)" >&2
    elif [ -z "${KEEP_STACK:-}" ]; then
        rm -rf "$WORK"
    fi
    exit $rc
}
trap cleanup EXIT

# Sanitizer reports go to files; any file means failure. Leak checks run when each process exits.
export ASAN_OPTIONS="log_path=$WORK/log/asan:detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="log_path=$WORK/log/ubsan:print_stacktrace=1:halt_on_error=1"
export TRACKGEN_MAX_BODY=1048576
export TRACKGEN_MAX_UPLOAD=4194304 # 4 MiB: creative_files.test.mjs goes past it quickly
export TRACKGEN_LOG_LEVEL=info
export TRACKGEN_THREADS=${TRACKGEN_THREADS:-4}
# 127.0.0.2 plays a load balancer: its X-Forwarded-For names the client (edge.test.mjs).
export TRACKGEN_TRUSTED_PROXIES=127.0.0.2
# Rate limits: generous per key (the suite shares one admin key; ratelimit.test.mjs gives its own keys
# low limits), low per client address so that ratelimit.test.mjs reaches it quickly.
export TRACKGEN_RATE_LIMIT=100000 TRACKGEN_CLICKS_RATE_LIMIT=20

PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
# The portal also from another origin (web/tests: CORS as an integrator's own page meets it).
WEB_PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
export TRACKGEN_WEB_ALT_LISTEN=127.0.0.1:$WEB_PORT
BASE_URL="http://127.0.0.1:$PORT"
export TRACKGEN_PUBLIC_URL=$BASE_URL

stack_secret
stack_pg_start
stack_db_create
stack_migrate "$BIN" >/dev/null
TG_ADMIN_KEY=$("$BIN" keys create --admin --name integration 2>/dev/null)
stack_workers_start "$BIN"
stack_nginx_start "127.0.0.1:$PORT"
stack_wait_ready "$BASE_URL"

# The tests stop and start PostgreSQL and the workers through this script.
cat >"$WORK/stack-ctl" <<CTL
#!/usr/bin/env bash
set -euo pipefail
source "$ROOT/deploy/stack.sh"
stack_init "$WORK"
export TRACKGEN_SECRET="$TRACKGEN_SECRET" TRACKGEN_PUBLIC_URL="$TRACKGEN_PUBLIC_URL" TRACKGEN_MAX_BODY="$TRACKGEN_MAX_BODY"
export TRACKGEN_MAX_UPLOAD="$TRACKGEN_MAX_UPLOAD"
export TRACKGEN_THREADS="$TRACKGEN_THREADS" ASAN_OPTIONS="$ASAN_OPTIONS" UBSAN_OPTIONS="$UBSAN_OPTIONS"
export TRACKGEN_RATE_LIMIT="$TRACKGEN_RATE_LIMIT" TRACKGEN_CLICKS_RATE_LIMIT="$TRACKGEN_CLICKS_RATE_LIMIT"
case "\${1:-}" in
  pg-stop) stack_pg_stop ;;
  pg-start) stack_pg_start ;;
  worker-kill) p=\$(cat "\$(worker_pidfile "\$2")"); echo "\$p" >"\$(worker_pidfile "\$2").killed"; kill -KILL "\$p" ;;
  worker-start) stack_worker_wait "\$2" "\$(cat "\$(worker_pidfile "\$2").killed" 2>/dev/null || true)" ;;
  worker-pid) cat "\$(worker_pidfile "\$2")" ;;
  workers-reload) stack_workers_reload ;;
  workers-stop) stack_workers_stop ;;
  workers-start) stack_workers_start "$BIN" ;;
  psql) shift; stack_psql -d trackgen "\$@" ;;
  gc) shift; "$BIN" gc "\$@" ;;
  *) echo "usage: stack-ctl pg-stop|pg-start|worker-kill N|worker-start N|worker-pid N|workers-reload|workers-stop|workers-start|psql ARGS|gc ARGS" >&2; exit 2 ;;
esac
CTL
chmod +x "$WORK/stack-ctl"

export TG_WEB_ALT_URL=http://127.0.0.1:$WEB_PORT
export TG_BASE_URL=$BASE_URL TG_ADMIN_KEY TG_STACK_CTL=$WORK/stack-ctl TG_STACK_DIR=$WORK TG_OPENAPI=$ROOT/openapi/openapi.yaml
export TG_MAX_BODY=$TRACKGEN_MAX_BODY TG_MAX_UPLOAD=$TRACKGEN_MAX_UPLOAD TG_RATE_LIMIT=$TRACKGEN_RATE_LIMIT TG_CLICKS_RATE_LIMIT=$TRACKGEN_CLICKS_RATE_LIMIT
set +e
(cd "$HERE" && node --test --test-concurrency=1 --test-reporter=spec ${TG_TESTS:-./*.test.mjs ../../web/tests/*.test.mjs})
status=$?
set -e

stack_workers_stop # a clean shutdown also runs LeakSanitizer in the worker
shopt -s nullglob
reports=("$WORK"/log/asan.* "$WORK"/log/ubsan.*)
if [ ${#reports[@]} -gt 0 ]; then
    echo "sanitizer reports:" >&2
    cat "${reports[@]}" >&2
    status=1
fi
if grep -q "runtime error:" "$WORK"/log/trackgen.log; then
    grep -h "runtime error:" "$WORK"/log/trackgen.log >&2
    status=1
fi
exit $status
