# bench/lib.sh — shared by the bench scripts: a private stack on free ports with the release
# build, and wrk runs reduced to one line of figures. Sourced, not run.

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$BENCH_ROOT/deploy/stack.sh"

# bench_work NAME: a scratch directory WORK (readable by nginx) for this run, removed at exit after
# the stack in WORK/stack is stopped; a script that starts more (load generators, a static nginx)
# defines bench_cleanup_extra, which runs first.
bench_work() {
    WORK=$(mktemp -d "/tmp/trackgen-$1.XXXXXX")
    chmod 755 "$WORK"
    trap bench_cleanup EXIT
}
bench_cleanup() {
    if declare -F bench_cleanup_extra >/dev/null; then bench_cleanup_extra || true; fi
    stack_init "$WORK/stack"
    stack_stop_all || true
    rm -rf "$WORK"
}

bench_free_port() {
    node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# bench_build: release build into build-bench/, prints the binary path.
bench_build() {
    "$BENCH_ROOT/deploy/install-deps.sh" bench >&2
    cmake -S "$BENCH_ROOT" -B "$BENCH_ROOT/build-bench" -DCMAKE_BUILD_TYPE=Release -DTRACKGEN_TESTS=OFF >/dev/null
    cmake --build "$BENCH_ROOT/build-bench" -j "$(nproc)" >/dev/null
    echo "$BENCH_ROOT/build-bench/trackgen"
}

# bench_wrk NAME URL [wrk args...]: runs wrk -t1 -c32 -d${BENCH_SECONDS:-10}s --latency and
# prints "NAME rps p50_ms p99_ms non2xx3xx". Sets WRK_RPS, WRK_P50, WRK_P99.
bench_wrk() {
    local name=$1 url=$2
    shift 2
    local out
    wrk -t1 -c"${BENCH_CONNECTIONS:-32}" -d1s "$@" "$url" >/dev/null # warm-up: connections, prepared statements
    out=$(wrk -t1 -c"${BENCH_CONNECTIONS:-32}" -d"${BENCH_SECONDS:-10}s" --latency "$@" "$url")
    WRK_RPS=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    WRK_P50=$(awk '$1 == "50%" {print $2}' <<<"$out" | bench_ms)
    WRK_P99=$(awk '$1 == "99%" {print $2}' <<<"$out" | bench_ms)
    local bad
    bad=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
    printf '%-44s %10s rps   p50 %7s ms   p99 %7s ms   non-2xx/3xx %s\n' "$name" "$WRK_RPS" "$WRK_P50" "$WRK_P99" "${bad:-0}"
}

# wrk prints latencies as 512.00us / 1.20ms / 1.01s: normalise to milliseconds.
bench_ms() {
    awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v = v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v = v * 1000 } printf "%.3f", v }'
}

# bench_nginx_static PORT DIR: an nginx answering 200 with a small JSON body itself (the ceiling),
# and serving the files of DIR/files/ under /files/ (sendfile, as the /_blobs/ location does).
bench_nginx_static() {
    local port=$1 dir=$2 user=""
    [ "$(id -u)" = 0 ] && user="user root;"
    mkdir -p "$dir"
    cat >"$dir/nginx.conf" <<CONF
$user
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $dir/body; fastcgi_temp_path $dir/fcgi; proxy_temp_path $dir/proxy;
    uwsgi_temp_path $dir/uwsgi; scgi_temp_path $dir/scgi;
    server {
        listen 127.0.0.1:$port;
        location / { default_type application/json; return 200 '{"status":"ok"}'; }
        location /files/ { alias $dir/files/; sendfile on; tcp_nopush on; }
    }
}
CONF
    nginx -e stderr -c "$dir/nginx.conf"
}

bench_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# bench_stack_up DIR THREADS: a trackgen stack with the demo network under DIR on a free port.
# Sets BASE (its URL), KEY (a key of the partner Acme Media) and ADMIN_KEY.
bench_stack_up() {
    stack_init "$1"
    local port
    port=$(bench_free_port)
    BASE="http://127.0.0.1:$port"
    export TRACKGEN_PUBLIC_URL=$BASE TRACKGEN_LOG_LEVEL=warn
    export TRACKGEN_RATE_LIMIT=0 TRACKGEN_CLICKS_RATE_LIMIT=0 # one key (one client) at full speed is the point
    stack_secret
    stack_pg_start
    stack_db_create
    stack_migrate "$BIN" >/dev/null
    stack_psql -d trackgen -f "$BENCH_ROOT/sql/seed/demo.sql" >/dev/null
    local partner
    partner=$(stack_psql -d trackgen -Atc "SELECT id FROM partners WHERE name = 'Acme Media'")
    KEY=$("$BIN" keys create --partner "$partner" --name bench 2>/dev/null)
    ADMIN_KEY=$("$BIN" keys create --admin --name bench 2>/dev/null)
    stack_workers_start "$BIN" "$2"
    stack_nginx_start "127.0.0.1:$port"
    stack_wait_ready "$BASE"
}

# The workers' memory during a transfer (needs BIN): bench_rss_reset clears their peak RSS
# (/proc/PID/clear_refs) and remembers their RSS; bench_rss_growth_mib prints the sum over workers of
# (peak - RSS before), in MiB.
bench_worker_pids() { pgrep -f "$BIN serve" || true; }
bench_rss_reset() {
    RSS0=0
    for p in $(bench_worker_pids); do
        echo 5 >"/proc/$p/clear_refs" 2>/dev/null || true
        RSS0=$((RSS0 + $(awk '/^VmRSS:/ {print $2}' "/proc/$p/status")))
    done
}
bench_rss_growth_mib() {
    local peak=0 p
    for p in $(bench_worker_pids); do peak=$((peak + $(awk '/^VmHWM:/ {print $2}' "/proc/$p/status"))); done
    awk -v a="$peak" -v b="$RSS0" 'BEGIN { printf "%.1f", (a - b) / 1024 }'
}
# bench_median: the median of the numbers on stdin, one a line.
bench_median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
