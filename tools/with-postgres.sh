#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server and SHEWHART_TEST_POSTGRES_URL pointing at it.
#
#   bash tools/with-postgres.sh ctest --test-dir build --output-on-failure
#
# Installs Debian's postgresql (15 on Debian 12) if it is missing, creates a cluster in a fresh
# temporary directory (as the `postgres` user when run as root: the server refuses to run as
# root), starts it on 127.0.0.1 on a free port with its socket in that directory, creates the
# database `shewhart_test`, exports
#   SHEWHART_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:PORT/shewhart_test
#   SHEWHART_REQUIRE_POSTGRES=1   (the PostgreSQL tests then fail instead of skipping)
# runs the command, and on exit (success, failure or signal) stops the server and deletes the
# directory. The command's exit status is the script's. The cluster trades durability for speed
# (fsync off): it is thrown away anyway.
#
# If SHEWHART_TEST_POSTGRES_URL is already set, the command runs against that server instead.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi

if [ -n "${SHEWHART_TEST_POSTGRES_URL:-}" ]; then
  export SHEWHART_REQUIRE_POSTGRES=1
  exec "$@"
fi

pg_bindir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

if [ -z "$(pg_bindir)" ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "with-postgres: installing postgresql" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >&2
fi
BIN="$(pg_bindir)"
if [ -z "$BIN" ]; then
  echo "with-postgres: PostgreSQL server binaries not found under /usr/lib/postgresql" >&2
  exit 1
fi

DIR="$(mktemp -d "${TMPDIR:-/tmp}/shewhart-pg.XXXXXX")"
AS=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$DIR"
  AS=(runuser -u postgres --)
fi

cleanup() {
  local status=$?
  if [ -f "$DIR/data/postmaster.pid" ]; then
    "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DIR"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"${AS[@]}" "$BIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --locale=C -N >"$DIR/initdb.log" 2>&1 || {
  cat "$DIR/initdb.log" >&2
  exit 1
}
mkdir -p "$DIR/socket"
[ ${#AS[@]} -eq 0 ] || chown postgres: "$DIR/socket"

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

started=""
for _ in $(seq 1 20); do
  PORT=$((20000 + RANDOM % 40000))
  port_in_use "$PORT" && continue
  if "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR/socket -c fsync=off \
          -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" \
      start >/dev/null; then
    started=1
    break
  fi
done
if [ -z "$started" ]; then
  echo "with-postgres: the server did not start; its log:" >&2
  cat "$DIR/server.log" >&2 || true
  exit 1
fi

"${AS[@]}" "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres shewhart_test
export SHEWHART_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$PORT/shewhart_test"
export SHEWHART_REQUIRE_POSTGRES=1
echo "with-postgres: PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') at $SHEWHART_TEST_POSTGRES_URL" >&2

set +e
"$@"
status=$?
set -e
exit "$status"
