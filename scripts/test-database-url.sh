#!/usr/bin/env bash
# test-database-url.sh — print a PostgreSQL URL the Talat test suite can use.
#
# Usage:
#   scripts/test-database-url.sh          # prints postgres://USER@HOST:PORT/DBNAME on stdout
#   scripts/test-database-url.sh --stop   # stops the throwaway cluster (no-op if none runs)
#
# Resolution order (diagnostics go to stderr, stdout carries only the URL):
#   a. $TALAT_TEST_DATABASE_URL, if set and non-empty;
#   b. a server on 127.0.0.1:5432 that user "postgres" can reach (skipped if
#      TALAT_TEST_PG_FORCE_LOCAL=1);
#   c. a throwaway cluster in <repo>/.cache/pgtest on 127.0.0.1:$TALAT_TEST_PG_PORT
#      (default 54329), trust auth, durability off. Started once and reused.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PGT="$REPO_ROOT/.cache/pgtest"
DATA="$PGT/data"
PORT="${TALAT_TEST_PG_PORT:-54329}"
PG_BIN=""

log() { echo "test-database-url: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }
is_root() { [ "$(id -u)" -eq 0 ]; }

# Is something accepting connections on 127.0.0.1:$1?  ($PG_BIN/pg_isready preferred)
ready() {
  local isready="${PG_BIN:+$PG_BIN/pg_isready}"
  [ -x "${isready:-}" ] || isready="$(command -v pg_isready || true)"
  if [ -n "$isready" ]; then
    "$isready" -q -h 127.0.0.1 -p "$1"
  else
    timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
  fi
}

# Run a command as the postgres OS user when we are root (initdb refuses root).
as_pg() {
  if ! is_root; then "$@"
  elif have runuser; then runuser -u postgres -- "$@"
  else su -s /bin/sh -c 'exec "$@"' postgres sh "$@"
  fi
}

# Locate initdb/pg_ctl: PATH first, then the highest /usr/lib/postgresql/*/bin.
find_pg_bin() {
  local d candidates=()
  if have pg_ctl; then candidates+=("$(dirname "$(readlink -f "$(command -v pg_ctl)")")"); fi
  candidates+=("$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)")
  for d in "${candidates[@]}"; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then PG_BIN="$d"; return 0; fi
  done
  return 1
}
running() { [ -f "$DATA/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1; }

# --stop: only ever touches the cluster in .cache/pgtest, never anything else.
if [ "${1:-}" = "--stop" ]; then
  if find_pg_bin && running; then
    log "stopping throwaway cluster in .cache/pgtest/data"
    (cd "$PGT" && as_pg "$PG_BIN/pg_ctl" stop -D "$DATA" -m fast) >&2
  else
    log "no throwaway cluster running; nothing to stop"
  fi
  exit 0
elif [ $# -gt 0 ]; then
  die "unknown argument '$1' (usage: $0 [--stop])"
fi

# a. explicit override
if [ -n "${TALAT_TEST_DATABASE_URL:-}" ]; then
  echo "$TALAT_TEST_DATABASE_URL"; exit 0
fi

# b. existing server on the default port
URL5432="postgres://postgres@127.0.0.1:5432/postgres"
if [ "${TALAT_TEST_PG_FORCE_LOCAL:-}" != "1" ] && ready 5432; then
  if ! have psql || PGCONNECT_TIMEOUT=5 psql -w -Atqc 'select 1' "$URL5432" >/dev/null 2>&1; then
    log "using server on 127.0.0.1:5432"
    echo "$URL5432"; exit 0
  fi
  log "server on 127.0.0.1:5432 refuses user postgres; falling back to a throwaway cluster"
fi

# c. throwaway cluster
if ! find_pg_bin; then
  if is_root && have apt-get; then
    log "PostgreSQL server binaries not found; installing package 'postgresql'"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq postgresql >&2
  fi
  find_pg_bin || die "initdb/pg_ctl not found (install PostgreSQL, or set TALAT_TEST_DATABASE_URL)"
fi

mkdir -p "$PGT"
[ -f "$PGT/.gitignore" ] || echo '*' > "$PGT/.gitignore"   # keep the cache out of git
if have flock; then exec 9>"$PGT/.lock"; flock -w 120 9 || die "timed out waiting for $PGT/.lock"; fi

URL="postgres://postgres@127.0.0.1:$PORT/postgres"
if ready "$PORT"; then
  log "reusing server already running on 127.0.0.1:$PORT"
  echo "$URL"; exit 0
fi

if is_root; then
  id postgres >/dev/null 2>&1 || useradd --system --user-group --shell /usr/sbin/nologin postgres
  chown -R postgres: "$PGT"
  as_pg test -w "$PGT" || die "user postgres cannot write to $PGT (check permissions of parent directories)"
fi

if [ ! -s "$DATA/PG_VERSION" ]; then
  log "initialising throwaway cluster in .cache/pgtest/data ($PG_BIN)"
  (cd "$PGT" && as_pg "$PG_BIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --no-locale --no-sync) >&2
  cat >> "$DATA/postgresql.conf" <<CONF

# --- added by scripts/test-database-url.sh (test-only, NOT durable) ---
listen_addresses = '127.0.0.1'
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
fi

running && die "cluster in .cache/pgtest runs, but not on port $PORT; run '$0 --stop' first"
log "starting throwaway cluster on 127.0.0.1:$PORT"
# 9>&- : the server must not inherit (and forever hold) our flock.
(cd "$PGT" && as_pg "$PG_BIN/pg_ctl" start -D "$DATA" -l "$PGT/server.log" -o "-p $PORT -k '$PGT'" -w -t 30) >&2 9>&- \
  || die "pg_ctl start failed; see .cache/pgtest/server.log"
for _ in $(seq 60); do ready "$PORT" && break; sleep 0.5; done
ready "$PORT" || die "server on 127.0.0.1:$PORT not ready after 30 s; see .cache/pgtest/server.log"
echo "$URL"
