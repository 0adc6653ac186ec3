#!/usr/bin/env bash
# A private PostgreSQL cluster for development, tests and benchmarks.
#
#   deploy/postgres/pg.sh install   install Debian's `postgresql` package if no initdb/pg_ctl is found
#   deploy/postgres/pg.sh up        initdb on first start, start, ensure role + database, print the URL
#   deploy/postgres/pg.sh down      stop the cluster (fast shutdown)
#   deploy/postgres/pg.sh status    print state, data dir and URL; exit 0 if running, 3 if not
#   deploy/postgres/pg.sh url       print the SQLAlchemy URL
#   deploy/postgres/pg.sh destroy   stop the cluster and delete its data dir
#
# Environment:
#   SIGNALHUB_PG_PORT   TCP port, default 55432 (the tests use their own port, see tests/fixtures/db.py)
#   SIGNALHUB_PG_DATA   data dir override (default: see "Where the data lives" below)
#   SIGNALHUB_PG_BIN    directory holding initdb/pg_ctl/psql (default: found on PATH or in
#                       /usr/lib/postgresql/<newest>/bin)
#   SIGNALHUB_PG_STATEMENTS=1  (for `up`) load pg_stat_statements (restarting the server if it was
#                       running without it), create the extension, let `signalhub` read every
#                       statement (pg_read_all_stats) and add the login roles signalhub_intake,
#                       signalhub_relay, signalhub_notifier (members of signalhub, same password) so a
#                       benchmark can tell the statements of each process apart by user
#
# Only the URL goes to stdout (for `up` and `url`), so `url=$(pg.sh up)` works; progress goes to stderr.
#
# Security: the server listens on 127.0.0.1 only. TCP logins need a password (scram-sha-256); the unix
# socket lives inside the data dir, which is mode 0700 and owned by the cluster owner, and trusts
# whoever can reach it (the cluster owner, and root). The role `signalhub` has CREATEDB (the tests make a
# database per test) but is not a superuser.
#
# Running as root: PostgreSQL refuses to run as root, so when this script runs as root the data dir
# belongs to, and every server command runs as, the `postgres` OS user (created by the Debian package),
# via `runuser -u postgres --`. When run as an ordinary user the cluster simply runs as that user.
#
# Where the data lives: `var/pg/<port>` inside the repo (var/ is gitignored). When running as root, the
# postgres user must be able to traverse every parent of that dir. We make var/ and var/pg traversable
# (o+x, no read bit: nothing in them can be listed) because they are ours; we never chmod anything above
# the repo (a clone under /root is 0700 on purpose). If postgres still cannot reach var/pg (e.g. the
# clone lives under /root), or the unix socket path would be too long (sun_path is 108 bytes), we fall
# back to /tmp/signalhub-pg-<port>. The choice is made once, on first start; later calls find the
# cluster wherever it was created (repo dir first, then /tmp), so up/down/status always agree. A cluster
# in /tmp may vanish on reboot, which is fine for a test/benchmark database: `up` makes a new one.
set -euo pipefail

PORT="${SIGNALHUB_PG_PORT:-55432}"
DB_USER="signalhub"
DB_PASSWORD="signalhub"
DB_NAME="signalhub"
SUPERUSER="postgres"   # the bootstrap superuser name, whatever OS user owns the cluster

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
REPO_PG_PARENT="$REPO_ROOT/var/pg"
REPO_DATA="$REPO_PG_PARENT/$PORT"
TMP_DATA="/tmp/signalhub-pg-$PORT"

log() { printf 'pg.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

if ! [[ "$PORT" =~ ^[0-9]+$ ]] || (( PORT < 1024 || PORT > 65535 )); then
    die "SIGNALHUB_PG_PORT must be a port number in 1024..65535, got '$PORT'"
fi

url() { printf 'postgresql+psycopg://%s:%s@127.0.0.1:%s/%s\n' "$DB_USER" "$DB_PASSWORD" "$PORT" "$DB_NAME"; }

is_root() { [[ "$(id -u)" == 0 ]]; }

# The directory with initdb and pg_ctl, or nothing. Symlinks (e.g. /usr/local/bin/pg_ctl) are resolved
# so that psql and postgres come from the same installation.
find_bindir() {
    if [[ -n "${SIGNALHUB_PG_BIN:-}" ]]; then
        [[ -x "$SIGNALHUB_PG_BIN/initdb" && -x "$SIGNALHUB_PG_BIN/pg_ctl" ]] && { echo "$SIGNALHUB_PG_BIN"; return 0; }
        return 1
    fi
    local p dir
    if p="$(command -v pg_ctl 2>/dev/null)"; then
        dir="$(dirname "$(readlink -f "$p")")"
        [[ -x "$dir/initdb" ]] && { echo "$dir"; return 0; }
    fi
    # Debian keeps the server binaries off PATH; take the newest major version installed.
    dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null | sort -V | tail -n 1)"
    [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]] && { echo "$dir"; return 0; }
    return 1
}

require_bindir() {
    BINDIR="$(find_bindir)" || die "initdb/pg_ctl not found; run: deploy/postgres/pg.sh install (as root)"
    if is_root && ! id -u postgres >/dev/null 2>&1; then
        die "running as root, but there is no 'postgres' OS user to own the cluster (install the postgresql package)"
    fi
}

# Run a command as the cluster owner: `postgres` when we are root, ourselves otherwise. cd / first so
# the tools don't complain that the owner cannot read our current directory.
as_owner() {
    if is_root; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

owner_name() { if is_root; then echo postgres; else id -un; fi; }

# Can the cluster owner reach a dir (search permission on every ancestor)?
owner_can_traverse() { as_owner test -x "$1" 2>/dev/null; }

socket_path_ok() { (( ${#1} + ${#PORT} + 12 <= 100 )); }   # "<dir>/.s.PGSQL.<port>" + margin

# The data dir of this port: an override, an existing cluster, or the place a new one should go.
resolve_data_dir() {
    if [[ -n "${SIGNALHUB_PG_DATA:-}" ]]; then
        DATA="$SIGNALHUB_PG_DATA"
        return
    fi
    if [[ -f "$REPO_DATA/PG_VERSION" ]]; then DATA="$REPO_DATA"; return; fi
    # The /tmp fallback is only ours if the cluster owner owns it (anyone can create dirs in /tmp).
    if [[ -f "$TMP_DATA/PG_VERSION" && ! -L "$TMP_DATA" && "$(stat -c %U "$TMP_DATA")" == "$(owner_name)" ]]; then
        DATA="$TMP_DATA"
        return
    fi
    DATA=""   # no cluster yet: choose_new_data_dir decides
}

choose_new_data_dir() {
    [[ -n "$DATA" ]] && return
    mkdir -p "$REPO_PG_PARENT"
    if is_root; then
        chmod o+x "$REPO_ROOT/var" "$REPO_PG_PARENT"
    fi
    if socket_path_ok "$REPO_DATA" && owner_can_traverse "$REPO_PG_PARENT"; then
        DATA="$REPO_DATA"
    else
        log "the $(owner_name) user cannot reach $REPO_PG_PARENT (or the socket path is too long); using $TMP_DATA"
        DATA="$TMP_DATA"
    fi
}

pg_running() { [[ -f "$DATA/PG_VERSION" ]] && as_owner "$BINDIR/pg_ctl" status -D "$DATA" >/dev/null 2>&1; }

now() { echo "${EPOCHREALTIME}"; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

psql_super() {
    as_owner "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$DATA" -p "$PORT" -U "$SUPERUSER" -d postgres "$@"
}

init_cluster() {
    # A data dir we did not make (a symlink, or someone else's dir in /tmp) is refused.
    if [[ -L "$DATA" ]]; then die "$DATA is a symlink; refusing to use it"; fi
    if [[ -e "$DATA" ]] && [[ -n "$(ls -A "$DATA" 2>/dev/null)" ]]; then
        die "$DATA exists, is not empty and holds no cluster; remove it first"
    fi
    mkdir -p "$DATA"
    if is_root; then chown postgres:postgres "$DATA"; fi
    chmod 0700 "$DATA"

    log "initdb into $DATA (owner: $(owner_name))"
    local t0
    t0="$(now)"
    local out
    # --auth-local=trust: only the cluster owner (and root) can reach the socket in the 0700 data dir.
    if ! out="$(as_owner "$BINDIR/initdb" -D "$DATA" -U "$SUPERUSER" --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 2>&1)"; then
        printf '%s\n' "$out" >&2
        die "initdb failed"
    fi
    log "initdb took $(elapsed "$t0") s"

    as_owner tee -a "$DATA/postgresql.conf" >/dev/null <<EOF

# --- signalhub (deploy/postgres/pg.sh) ---
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DATA'
unix_socket_permissions = 0700
max_connections = 200
password_encryption = 'scram-sha-256'
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
EOF
    as_owner tee "$DATA/pg_hba.conf" >/dev/null <<EOF
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 trust
host    all       all   127.0.0.1/32  scram-sha-256
EOF
}

start_cluster() {
    local t0
    t0="$(now)"
    log "starting on 127.0.0.1:$PORT"
    # 9>&-: the server must not inherit the lock fd, or it would hold the lock for its whole life.
    if ! as_owner "$BINDIR/pg_ctl" start -w -t 60 -D "$DATA" -l "$DATA/server.log" >/dev/null 9>&-; then
        tail -n 30 "$DATA/server.log" >&2 || true
        die "the server did not start (is port $PORT taken?); log: $DATA/server.log"
    fi
    log "start took $(elapsed "$t0") s"
}

ensure_role_and_db() {
    # Idempotent: the role is (re)set to what the URL says, the database is made if missing.
    psql_super <<EOF
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
        CREATE ROLE $DB_USER;
    END IF;
END
\$\$;
ALTER ROLE $DB_USER WITH LOGIN CREATEDB NOSUPERUSER PASSWORD '$DB_PASSWORD';
SELECT 'CREATE DATABASE $DB_NAME OWNER $DB_USER' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME')
\\gexec
EOF
}

check_version() {
    local have want
    have="$(cat "$DATA/PG_VERSION")"
    # "pg_ctl (PostgreSQL) 15.18 (Debian ...)": the first number is the major version.
    want="$("$BINDIR/pg_ctl" --version | grep -oE '[0-9]+' | head -n 1)"
    if [[ "$have" != "$want" ]]; then
        die "$DATA was made by PostgreSQL $have but the binaries in $BINDIR are $want; run 'pg.sh destroy' first"
    fi
}

with_lock() {
    # Serialise concurrent `up`/`down`/`destroy` for one port (e.g. parallel test sessions).
    mkdir -p "$REPO_PG_PARENT"
    exec 9>"$REPO_PG_PARENT/.$PORT.lock"
    if command -v flock >/dev/null 2>&1; then flock -w 120 9 || die "could not lock $REPO_PG_PARENT/.$PORT.lock"; fi
}

cmd_install() {
    if BINDIR="$(find_bindir)"; then
        log "PostgreSQL found: $BINDIR ($("$BINDIR/pg_ctl" --version))"
        return 0
    fi
    is_root || die "installing packages needs root: sudo $0 install"
    command -v apt-get >/dev/null 2>&1 || die "no apt-get here; install PostgreSQL (initdb, pg_ctl, psql) yourself"
    log "apt-get install postgresql"
    # Note: the Debian package also creates and starts its own 'main' cluster on 5432; we don't use it.
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends postgresql postgresql-contrib >&2
    BINDIR="$(find_bindir)" || die "postgresql installed but initdb/pg_ctl still not found"
    log "installed: $BINDIR ($("$BINDIR/pg_ctl" --version))"
}

cmd_up() {
    require_bindir
    with_lock
    resolve_data_dir
    if [[ -z "$DATA" || ! -f "$DATA/PG_VERSION" ]]; then
        choose_new_data_dir
        init_cluster
    fi
    check_version
    if pg_running; then
        log "already running ($DATA)"
    else
        start_cluster
    fi
    ensure_role_and_db
    if [[ "${SIGNALHUB_PG_STATEMENTS:-}" == 1 ]]; then
        ensure_statements
    fi
    url
}

ensure_statements() {
    local loaded
    loaded="$(psql_super -tA -c "SHOW shared_preload_libraries")"
    if [[ "$loaded" != *pg_stat_statements* ]]; then
        psql_super -c "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"
        as_owner "$BINDIR/pg_ctl" restart -w -t 60 -m fast -D "$DATA" -l "$DATA/server.log" >/dev/null 9>&-
        log "restarted with pg_stat_statements"
    fi
    psql_super -d "$DB_NAME" <<EOF
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
GRANT pg_read_all_stats TO $DB_USER;
DO \$\$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['${DB_USER}_intake', '${DB_USER}_relay', '${DB_USER}_notifier'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE $DB_USER', r, '$DB_PASSWORD');
        END IF;
    END LOOP;
END
\$\$;
EOF
}

cmd_down() {
    require_bindir
    with_lock
    resolve_data_dir
    if [[ -n "$DATA" ]] && pg_running; then
        as_owner "$BINDIR/pg_ctl" stop -w -t 60 -m fast -D "$DATA" >/dev/null
        log "stopped ($DATA)"
    else
        log "not running"
    fi
}

cmd_status() {
    require_bindir
    resolve_data_dir
    if [[ -z "$DATA" ]]; then
        log "no cluster for port $PORT yet (run: pg.sh up)"
        return 3
    fi
    if pg_running; then
        echo "running  port=$PORT  data=$DATA  url=$(url)"
        return 0
    fi
    echo "stopped  port=$PORT  data=$DATA"
    return 3
}

cmd_destroy() {
    cmd_down
    resolve_data_dir
    if [[ -n "$DATA" && -f "$DATA/PG_VERSION" ]]; then
        rm -rf -- "$DATA"
        log "deleted $DATA"
    fi
}

case "${1:-}" in
    install) cmd_install ;;
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    url) url ;;
    destroy) cmd_destroy ;;
    *)
        echo "usage: $0 {install|up|down|status|url|destroy}" >&2
        exit 2
        ;;
esac
