# deploy/stack.sh — start and stop a private trackgen stack: PostgreSQL cluster, FastCGI
# workers and nginx, all under one directory. Sourced by run.sh and tests/integration/run.sh.
#
# Layout under $STACK_DIR: pg/ (data), run/ (sockets, pids), log/, spool/, blobs/, secret.
# Every function is idempotent: starting what runs already is a no-op, stopping what is not
# running is a no-op. Only processes recorded in our own pid files are ever stopped.

STACK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}

stack_log() { printf '[stack] %s\n' "$*" >&2; }
stack_die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }

# stack_init DIR: sets the variables every other function uses.
stack_init() {
    STACK_DIR=$(mkdir -p "$1" && cd "$1" && pwd)
    mkdir -p "$STACK_DIR/run" "$STACK_DIR/log"
    PG_DATA=$STACK_DIR/pg
    PG_SOCK_DIR=$STACK_DIR/run/pg
    SPOOL_DIR=$STACK_DIR/spool
    BLOB_DIR=$STACK_DIR/blobs
    TRACKGEN_DATABASE_URL="host=$PG_SOCK_DIR port=5432 dbname=trackgen user=trackgen"
    export TRACKGEN_DATABASE_URL
    export TRACKGEN_SPOOL_DIR=$SPOOL_DIR
    export TRACKGEN_BLOB_DIR=$BLOB_DIR
    # PostgreSQL refuses to run as root: as root, run it as the unprivileged 'postgres' user.
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/false postgres
        PG_AS=(runuser -u postgres --)
    else
        PG_AS=()
    fi
}

stack_secret() {
    local f=$STACK_DIR/secret
    if [ ! -s "$f" ]; then
        (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > "$f")
    fi
    TRACKGEN_SECRET=$(cat "$f")
    export TRACKGEN_SECRET
}

pg_running() { [ -f "$PG_DATA/postmaster.pid" ] && "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

stack_pg_start() {
    [ -x "$PG_BIN/postgres" ] || stack_die "PostgreSQL server binaries not found (apt-get install postgresql)"
    if [ ! -f "$PG_DATA/PG_VERSION" ]; then
        stack_log "initialising PostgreSQL cluster in $PG_DATA"
        mkdir -p "$PG_DATA" "$PG_SOCK_DIR"
        [ ${#PG_AS[@]} -gt 0 ] && chown postgres: "$PG_DATA" "$PG_SOCK_DIR"
        if ! "${PG_AS[@]}" test -w "$PG_DATA"; then
            stack_die "the postgres user cannot write $PG_DATA (a parent directory is not traversable); clone the repository elsewhere, e.g. under /srv or /tmp"
        fi
        "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$STACK_DIR/log/initdb.log" 2>&1 \
            || { cat "$STACK_DIR/log/initdb.log" >&2; stack_die "initdb failed"; }
        cat >>"$PG_DATA/postgresql.conf" <<CONF
# trackgen private cluster: unix socket only, in the stack's own directory
listen_addresses = ''
unix_socket_directories = '$PG_SOCK_DIR'
unix_socket_permissions = 0700
max_connections = 200
CONF
    fi
    mkdir -p "$PG_SOCK_DIR"
    touch "$STACK_DIR/log/postgres.log"
    [ ${#PG_AS[@]} -gt 0 ] && chown postgres: "$PG_SOCK_DIR" "$STACK_DIR/log/postgres.log"
    if pg_running; then
        return 0
    fi
    "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$STACK_DIR/log/postgres.log" -w -t 60 start >/dev/null \
        || { tail -n 20 "$STACK_DIR/log/postgres.log" >&2; stack_die "PostgreSQL did not start"; }
}

stack_pg_stop() {
    pg_running || return 0
    "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null
}

stack_psql() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK_DIR" -U postgres "$@"; }

stack_db_create() {
    stack_psql -d postgres -Atc "SELECT 1 FROM pg_roles WHERE rolname = 'trackgen'" | grep -q 1 \
        || stack_psql -d postgres -c "CREATE ROLE trackgen LOGIN"
    stack_psql -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = 'trackgen'" | grep -q 1 \
        || stack_psql -d postgres -c "CREATE DATABASE trackgen OWNER trackgen"
}

# stack_migrate BIN
stack_migrate() { (cd "$STACK_ROOT" && "$1" migrate --dir "$STACK_ROOT/sql/migrations"); }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1" 2>/dev/null)" 2>/dev/null; } # the file may vanish as we read it

# The workers: one supervisor (`trackgen serve --workers 2`, src/http/supervisor.h) that owns
# both sockets (TRACKGEN_LISTEN=run/trackgen.sock -> run/trackgen-1.sock and -2.sock, which
# nginx lists), restarts a worker that dies and replaces both on SIGHUP. It writes its own pid to
# run/trackgen.pid and worker N's, once ready, to run/trackgen-N.pid. The workers share the
# spool directory. $STACK_DIR/trackgen.env (TRACKGEN_ENV_FILE, KEY=VALUE lines) is read over the
# environment at start and again on SIGHUP. All processes log to log/trackgen.log.
STACK_WORKERS=2
master_pidfile() { echo "$STACK_DIR/run/trackgen.pid"; }
worker_socket() { echo "$STACK_DIR/run/trackgen-$1.sock"; }
worker_pidfile() { echo "$STACK_DIR/run/trackgen-$1.pid"; }

# stack_workers_start BIN [THREADS per process]: starts the supervisor unless it runs; returns
# once every worker is ready.
stack_workers_start() {
    local master="" i n ready
    pid_alive "$(master_pidfile)" && master=$(cat "$(master_pidfile)")
    if [ -z "$master" ]; then
        touch "$STACK_DIR/trackgen.env"
        TRACKGEN_LISTEN=$STACK_DIR/run/trackgen.sock TRACKGEN_THREADS=${2:-${TRACKGEN_THREADS:-16}} \
            TRACKGEN_ENV_FILE=$STACK_DIR/trackgen.env \
            nohup "$1" serve --workers "$STACK_WORKERS" --pid-file "$(master_pidfile)" >>"$STACK_DIR/log/trackgen.log" 2>&1 &
        master=$!
        disown $! # it lives on its own: no job notice when it stops
    fi
    for i in $(seq 1 300); do
        ready=0
        for n in $(seq 1 "$STACK_WORKERS"); do pid_alive "$(worker_pidfile "$n")" && ready=$((ready + 1)); done
        [ "$ready" = "$STACK_WORKERS" ] && return 0
        kill -0 "$master" 2>/dev/null || { tail -n 20 "$STACK_DIR/log/trackgen.log" >&2; stack_die "trackgen serve --workers exited"; }
        sleep 0.1
    done
    stack_die "the trackgen workers were not ready within 30 s"
}

# stack_worker_wait N [NOT_PID]: until worker N is ready (its pid file names a live process
# other than NOT_PID, e.g. the one just killed). 10 s at most.
stack_worker_wait() {
    local pidf i pid
    pidf=$(worker_pidfile "$1")
    for i in $(seq 1 1000); do
        pid=$(cat "$pidf" 2>/dev/null || true)
        [ -n "$pid" ] && [ "$pid" != "${2:-}" ] && kill -0 "$pid" 2>/dev/null && return 0
        sleep 0.01
    done
    stack_die "trackgen worker $1 was not back within 10 s"
}

# stack_workers_reload: SIGHUP to the supervisor (new binary and configuration, one worker at a time).
stack_workers_reload() {
    pid_alive "$(master_pidfile)" || stack_die "the trackgen supervisor is not running"
    kill -HUP "$(cat "$(master_pidfile)")"
}

# stack_workers_stop: SIGTERM to the supervisor, which stops the workers (their requests in
# flight finish, their spools are synced) and exits; the pid files and sockets go with it.
stack_workers_stop() {
    local pidf i f pid
    pidf=$(master_pidfile)
    pid_alive "$pidf" || { rm -f "$pidf"; return 0; }
    pid=$(cat "$pidf")
    kill -TERM "$pid"
    for i in $(seq 1 300); do
        kill -0 "$pid" 2>/dev/null || return 0 # gone, not only its pid file: nothing of it is left
        sleep 0.1
    done
    stack_log "the trackgen supervisor did not stop in 30 s; killing it and its workers"
    for f in "$pidf" "$STACK_DIR"/run/trackgen-*.pid; do
        pid_alive "$f" && kill -KILL "$(cat "$f")" 2>/dev/null
        rm -f "$f"
    done
    return 0
}

# One address or CIDR block: IPv4 (a.b.c.d[/0-32]) or IPv6 (hex groups with '::'[/0-128]).
stack_proxy_valid() {
    local addr=${1%/*} bits="" o
    [[ $1 == */* ]] && bits=${1#*/}
    if [[ $addr =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]]; then
        for o in "${BASH_REMATCH[@]:1}"; do [ $((10#$o)) -le 255 ] || return 1; done
        [ -z "$bits" ] || { [[ $bits =~ ^[0-9]{1,2}$ ]] && [ $((10#$bits)) -le 32 ]; }
    elif [[ $addr =~ ^[0-9A-Fa-f:]{2,39}$ && $addr == *:* ]]; then
        [ -z "$bits" ] || { [[ $bits =~ ^[0-9]{1,3}$ ]] && [ $((10#$bits)) -le 128 ]; }
    else
        return 1
    fi
}

# The realip directives for TRACKGEN_TRUSTED_PROXIES (comma-separated addresses or CIDR blocks;
# empty or unset: trust nobody), as one sed replacement (lines joined by '\n'). Dies naming the
# variable on a bad entry.
stack_real_ip_directives() {
    local list=${TRACKGEN_TRUSTED_PROXIES:-} p out=""
    list=${list// /}
    [ -n "$list" ] || return 0
    local IFS=,
    for p in $list; do
        stack_proxy_valid "$p" || stack_die "TRACKGEN_TRUSTED_PROXIES: '$p' is not an IPv4/IPv6 address or CIDR block"
        out+="        set_real_ip_from $p;\\n"
    done
    printf '%s' "${out}        real_ip_header X-Forwarded-For;\\n        real_ip_recursive on;"
}

# nginx's request body cap in bytes: at least 8 MiB, and 1 MiB above the worker's JSON cap
# (TRACKGEN_MAX_BODY), so the worker's 413, naming its cap, is the one clients get.
stack_client_max_body() {
    local json=${TRACKGEN_MAX_BODY:-1048576} floor=$((8 * 1024 * 1024))
    [[ $json =~ ^[0-9]+$ ]] || json=1048576 # the worker refuses to start on a bad value, naming it
    local want=$((json + 1024 * 1024))
    echo $((want > floor ? want : floor))
}

# stack_body_cap VALUE DEFAULT: nginx's cap for a large-body route, 1 MiB above the worker's cap
# (VALUE, or DEFAULT when empty or not a number: the worker refuses to start on a bad value, naming it).
stack_body_cap() {
    local cap=$1
    [[ $cap =~ ^[0-9]+$ ]] || cap=$2
    echo $((cap + 1024 * 1024))
}

# stack_web_alt_server API_LISTEN: with TRACKGEN_WEB_ALT_LISTEN set, a second server serving only the
# portal on that address, calling the API on API_LISTEN from this other origin (so CORS is used the
# way an integrator's own single-page app meets it: open it as http://ALT/?api=http://API_LISTEN).
# One sed replacement (lines joined by '\n'); empty without the variable.
stack_web_alt_server() {
    [ -n "${TRACKGEN_WEB_ALT_LISTEN:-}" ] || return 0
    local api="http://$1" csp
    csp="default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' $api data:; connect-src $api; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    printf '%s\\n' "    server {" "        listen $TRACKGEN_WEB_ALT_LISTEN;" \
        "        location = / { root $STACK_ROOT/web/dist; types { text/html html; } try_files /index.html =404; add_header Cache-Control \"no-cache\" always; add_header Content-Security-Policy \"$csp\" always; add_header X-Content-Type-Options nosniff always; }" \
        "        location /assets/ { root $STACK_ROOT/web/dist; types { text/javascript js; text/css css; } default_type application/octet-stream; add_header Cache-Control \"public, max-age=31536000, immutable\" always; }" \
        "        location / { return 404; }" "    }"
}

# stack_nginx_start LISTEN (e.g. 127.0.0.1:8080). NGINX_UPSTREAM_KEEPALIVE=N turns on upstream
# keep-alive with N kept connections (for measurements; see deploy/nginx.conf.template).
# TRACKGEN_TRUSTED_PROXIES: the load balancers whose X-Forwarded-For gives the client address.
stack_nginx_start() {
    local conf=$STACK_DIR/run/nginx.conf user="" ka="" kc="" realip
    realip=$(stack_real_ip_directives) || exit 1
    [ "$(id -u)" = 0 ] && user="user root;"
    if [ -n "${NGINX_UPSTREAM_KEEPALIVE:-}" ]; then
        ka="keepalive $NGINX_UPSTREAM_KEEPALIVE;"
        kc="fastcgi_keep_conn on;"
    fi
    sed -e "s|@USER_DIRECTIVE@|$user|" -e "s|@UPSTREAM_KEEPALIVE@|$ka|" -e "s|@KEEP_CONN@|$kc|" -e "s|@RUN_DIR@|$STACK_DIR/run|g" -e "s|@LOG_DIR@|$STACK_DIR/log|g" \
        -e "s|@SOCKET1@|$(worker_socket 1)|g" -e "s|@SOCKET2@|$(worker_socket 2)|g" -e "s|@LISTEN@|$1|g" \
        -e "s|@PUBLIC_DIR@|$STACK_ROOT/deploy/public|g" -e "s|@REAL_IP@|$realip|" \
        -e "s|@CLIENT_MAX_BODY@|$(stack_client_max_body)|" \
        -e "s|@MAX_UPLOAD_BODY@|$(stack_body_cap "${TRACKGEN_MAX_UPLOAD:-}" 67108864)|" \
        -e "s|@MAX_CSV_BODY@|$(stack_body_cap "${TRACKGEN_MAX_CSV_BODY:-}" 33554432)|" \
        -e "s|@BLOB_DIR@|${TRACKGEN_BLOB_DIR:-$STACK_DIR/blobs}|" -e "s|@WEB_DIR@|$STACK_ROOT/web/dist|g" \
        -e "s|@WEB_ALT_SERVER@|$(stack_web_alt_server "$1")|" "$STACK_ROOT/deploy/nginx.conf.template" >"$conf"
    if pid_alive "$STACK_DIR/run/nginx.pid"; then
        nginx -e "$STACK_DIR/log/nginx-error.log" -c "$conf" -s reload
        return 0
    fi
    nginx -e stderr -t -q -c "$conf" || stack_die "nginx configuration test failed"
    nginx -e stderr -c "$conf" || stack_die "nginx did not start (is $1 in use?)"
}

stack_nginx_stop() {
    local pidf=$STACK_DIR/run/nginx.pid i
    pid_alive "$pidf" || return 0
    kill -QUIT "$(cat "$pidf")"
    for i in $(seq 1 50); do pid_alive "$pidf" || return 0; sleep 0.1; done
    kill -TERM "$(cat "$pidf")" 2>/dev/null
}

# stack_wait_ready URL: until /readyz answers 200 (30 s).
stack_wait_ready() {
    local i
    for i in $(seq 1 150); do
        curl -fsS -o /dev/null "$1/readyz" 2>/dev/null && return 0
        sleep 0.2
    done
    stack_die "$1/readyz did not become ready"
}

stack_stop_all() {
    stack_nginx_stop
    stack_workers_stop
    stack_pg_stop
}
