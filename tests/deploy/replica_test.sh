#!/usr/bin/env bash
# The national deployment, tested on one machine: a PostgreSQL primary and a streaming replica
# (pg_basebackup), two `shewhart serve --db PRIMARY --db-read REPLICA` processes behind a
# throwaway nginx (both upstreams). Checks that
#   1. sign-in works through either process, and a session made by one is good on the other;
#   2. the replica serves reads: with the replica's replay paused, an import committed on the
#      primary is not in what a reader sees, and is once replay resumes;
#   3. a write is read back at once by its author (the author's reads go to the primary);
#   4. SIGTERM to one process in the middle of a load loses no request, and that process exits
#      cleanly while the other serves on.
# Everything runs in a temporary directory on free ports (as the postgres user for the database
# when run as root); exit 77 (skipped) where nginx or the PostgreSQL server is not installed.
#
#   bash tests/deploy/replica_test.sh SHEWHART_BINARY
set -euo pipefail
SHEWHART="$(realpath "$1")"
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ ! -x "$NGINX" ] || [ -z "$PGBIN" ] || [ ! -x "$PGBIN/pg_basebackup" ]; then
  echo "nginx or the PostgreSQL server is not installed (tools/install-deps.sh): skipped"
  exit 77
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/shewhart-replica-test.XXXXXX")"
chmod 755 "$WORK"
AS=()
if [ "$(id -u)" -eq 0 ]; then AS=(runuser -u postgres --); fi
mkdir -p "$WORK/pg" "$WORK/logs" "$WORK/tmp"
[ ${#AS[@]} -eq 0 ] || chown postgres: "$WORK/pg"
chmod 777 "$WORK/tmp" "$WORK/logs"
PIDS=()
cleanup() {
  local status=$?
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ ! -f "$WORK/nginx.pid" ] || kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  for d in replica primary; do
    if [ -f "$WORK/pg/$d/postmaster.pid" ]; then
      "${AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/pg/$d" -m immediate -w stop >/dev/null 2>&1 || true
    fi
  done
  wait 2>/dev/null || true
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for f in "$WORK"/serve-*.log "$WORK/logs/error.log" "$WORK/pg/primary.log" "$WORK/pg/replica.log"; do
    [ -f "$f" ] || continue
    echo "--- $f" >&2
    tail -15 "$f" >&2
  done
  exit 1
}
# A port nothing listens on, below the kernel's ephemeral range (32768 and up here): a port in
# that range may be the local end of somebody's outgoing connection, which a probe cannot see
# and a bind refuses. A port can still be taken between the probe and the bind (tests run in
# parallel), so every start below tries again on a new port.
free_port() {
  local p
  while :; do
    p=$((12000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

# ---- PostgreSQL: a primary, and a streaming replica made from it with pg_basebackup. ----------
pg_start() {  # DIR LOG -> prints the port it listens on
  local port
  for _ in 1 2 3 4 5; do
    port="$(free_port)"
    if "${AS[@]}" "$PGBIN/pg_ctl" -D "$1" -l "$2" -w -t 60 -o "$PGOPTS -p $port" start \
      >/dev/null 2>&1; then
      echo "$port"
      return 0
    fi
    # A clash on the port: the server has stopped; the next try takes another port.
    grep -q "could not create any TCP/IP sockets" "$2" || return 1
  done
  return 1
}
"${AS[@]}" "$PGBIN/initdb" -D "$WORK/pg/primary" -U postgres -A trust -E UTF8 --locale=C -N \
  >"$WORK/pg/initdb.log" 2>&1 || { cat "$WORK/pg/initdb.log" >&2; fail "initdb"; }
PGOPTS="-c listen_addresses=127.0.0.1 -k $WORK/pg -c fsync=off -c full_page_writes=off \
  -c max_connections=60 -c wal_level=replica -c max_wal_senders=4 -c hot_standby=on"
PG_PRIMARY="$(pg_start "$WORK/pg/primary" "$WORK/pg/primary.log")" ||
  fail "the primary did not start"
"${AS[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PRIMARY" -U postgres shewhart
"${AS[@]}" "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PRIMARY" -U postgres \
  -D "$WORK/pg/replica" -R -X stream -c fast >"$WORK/pg/basebackup.log" 2>&1 ||
  { cat "$WORK/pg/basebackup.log" >&2; fail "pg_basebackup"; }
PG_REPLICA="$(pg_start "$WORK/pg/replica" "$WORK/pg/replica.log")" ||
  fail "the replica did not start"
PRIMARY="postgresql://postgres@127.0.0.1:$PG_PRIMARY/shewhart"
REPLICA="postgresql://postgres@127.0.0.1:$PG_REPLICA/shewhart"
PSQL="$(command -v psql || echo "$PGBIN/psql")"
psql_at() { "$PSQL" -X -q -t -A -h 127.0.0.1 -p "$1" -U postgres -d shewhart -c "$2"; }
[ "$(psql_at "$PG_REPLICA" 'SELECT pg_is_in_recovery()')" = t ] || fail "the replica is not a standby"

# ---- The data: a small system, one metric, two years; an administrator. -----------------------
"$SHEWHART" init --db "$PRIMARY" >/dev/null
cat >"$WORK/orgs.csv" <<'CSV'
code,name,kind,parent
QHL,Test ICS,system,
RJZ,King's College Hospital,acute trust,QHL
RYJ,Imperial College Healthcare,acute trust,QHL
CSV
cat >"$WORK/metrics.csv" <<'CSV'
code,name,definition,unit,measure,multiplier,improvement_direction,frequency,domain,status
BEDS,Bed occupancy,Occupied beds,n,value,1,decrease,monthly,effective,agreed
CSV
observations() {  # MONTHS LEVEL
  echo "metric,unit,period,value"
  for u in RJZ RYJ; do
    for m in $(seq 1 "$1"); do
      printf 'BEDS,%s,%04d-%02d-01,%d\n' "$u" $((2020 + (m - 1) / 12)) $(((m - 1) % 12 + 1)) $(($2 + m % 5))
    done
  done
}
observations 20 50 >"$WORK/obs1.csv"
observations 24 90 >"$WORK/obs2.csv"
"$SHEWHART" import organisations "$WORK/orgs.csv" --db "$PRIMARY" >/dev/null
"$SHEWHART" import metrics "$WORK/metrics.csv" --db "$PRIMARY" >/dev/null
"$SHEWHART" import observations "$WORK/obs1.csv" --db "$PRIMARY" >/dev/null
PASSWORD="replica test passphrase $RANDOM$RANDOM"
"$SHEWHART" user add --db "$PRIMARY" --email admin@replica.nhs.uk --role administrator \
  --password-stdin <<<"$PASSWORD" >/dev/null

# ---- Two servers, each with the primary and the replica, behind nginx. -------------------------
CURL=(curl -s --max-time 10)
healthy() { [ "$("${CURL[@]}" -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/api/health")" = 200 ]; }
# Starts a server on a free port (another on a clash) and waits until it answers; sets PORT, PID.
start_server() {  # NAME
  local pid
  for _ in 1 2 3 4 5; do
    PORT="$(free_port)"
    "$SHEWHART" serve --db "$PRIMARY" --db-read "$REPLICA" --listen "127.0.0.1:$PORT" \
      --trusted-proxy 127.0.0.1 --no-secure-cookies --threads 4 --quiet --drain 20 \
      >"$WORK/serve-$1.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 150); do
      if healthy "$PORT"; then PIDS+=("$pid"); PID="$pid"; return 0; fi
      kill -0 "$pid" 2>/dev/null || break  # it exited: the port was taken
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  fail "server $1 did not start"
}
start_server a
API_A="$PORT"; PID_A="$PID"
start_server b
API_B="$PORT"; PID_B="$PID"
# A free port may be taken between the probe and the bind (tests run in parallel): try again.
started=""
for _ in 1 2 3 4 5; do
  WEB="$(free_port)"
cat >"$WORK/nginx.conf" <<CONF
worker_processes 1;
daemon on;
pid $WORK/nginx.pid;
error_log $WORK/logs/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path $WORK/tmp/body;
  proxy_temp_path $WORK/tmp/proxy;
  fastcgi_temp_path $WORK/tmp/fastcgi;
  uwsgi_temp_path $WORK/tmp/uwsgi;
  scgi_temp_path $WORK/tmp/scgi;
  upstream shewhart_api {
    server 127.0.0.1:$API_A;
    server 127.0.0.1:$API_B;
    keepalive 16;
  }
  server {
    listen 127.0.0.1:$WEB;
    location /api/ {
      proxy_pass http://shewhart_api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For \$remote_addr;
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
    }
  }
}
CONF
  if "$NGINX" -p "$WORK" -c "$WORK/nginx.conf" 2>>"$WORK/logs/error.log"; then started=1; break; fi
done
[ -n "$started" ] || fail "nginx did not start"
for _ in $(seq 1 150); do
  healthy "$WEB" && break
  sleep 0.1
done
BASE="http://127.0.0.1:$WEB"

sign_in() {  # BASE JAR -> prints the CSRF token
  "${CURL[@]}" -c "$2" -H 'Content-Type: application/json' \
    -d "{\"email\":\"admin@replica.nhs.uk\",\"password\":\"$PASSWORD\"}" "$1/api/session" |
    sed -e 's/.*"csrf_token":"\([^"]*\)".*/\1/'
}
session_of() { awk '$6 == "shewhart_session" { print $7 }' "$1"; }

# 1. Sign-in through either process; one process's session is good on the other.
for s in A B; do
  port="$API_A"; [ "$s" = B ] && port="$API_B"
  csrf="$(sign_in "http://127.0.0.1:$port" "$WORK/jar-$s")"
  [ -n "$csrf" ] && [ "${#csrf}" -gt 10 ] || fail "sign-in through process $s"
done
who="$("${CURL[@]}" -H "Cookie: shewhart_session=$(session_of "$WORK/jar-A")" "http://127.0.0.1:$API_B/api/session")"
[[ "$who" == *admin@replica.nhs.uk* ]] || fail "process A's session on process B: $who"
who="$("${CURL[@]}" -H "Cookie: shewhart_session=$(session_of "$WORK/jar-B")" "http://127.0.0.1:$API_A/api/session")"
[[ "$who" == *admin@replica.nhs.uk* ]] || fail "process B's session on process A: $who"
CSRF="$(sign_in "$BASE" "$WORK/jar")"
[ -n "$CSRF" ] || fail "sign-in through nginx"
READER=(-H "Cookie: shewhart_session=$(session_of "$WORK/jar")")  # a reader: no write cookie
# Wait until the replica has replayed the sessions (so reads stay on it).
for _ in $(seq 1 100); do
  n="$(psql_at "$PG_REPLICA" 'SELECT COUNT(*) FROM session')"
  [ "$n" -ge 3 ] && break
  sleep 0.1
done

# 2. The replica serves reads: pause its replay, commit an import on the primary; a reader does
#    not see it (through both processes) until replay resumes.
board="$("${CURL[@]}" "${READER[@]}" "$BASE/api/board")"
[[ "$board" == *'"last_period":"2021-08-01"'* ]] || fail "the board before the import: $board"
psql_at "$PG_REPLICA" 'SELECT pg_wal_replay_pause()' >/dev/null
"$SHEWHART" import observations "$WORK/obs2.csv" --db "$PRIMARY" >/dev/null
primary_has="$(psql_at "$PG_PRIMARY" "SELECT COUNT(*) FROM observation WHERE period = '2021-12-01'")"
[ "$primary_has" = 2 ] || fail "the import did not land on the primary ($primary_has)"
for port in "$API_A" "$API_B"; do
  board="$("${CURL[@]}" "${READER[@]}" "http://127.0.0.1:$port/api/board")"
  [[ "$board" == *'"last_period":"2021-08-01"'* ]] ||
    fail "a read through :$port did not come from the (paused) replica: $board"
done

# 3. The author of a write reads it back at once (from the primary), while the replica lags.
note="$("${CURL[@]}" -b "$WORK/jar" -c "$WORK/jar" -H "X-CSRF-Token: $CSRF" \
  -H 'Content-Type: application/json' -d '{"period":"2021-03-01","text":"Escalation ward opened"}' \
  "$BASE/api/series/BEDS/RJZ/annotations")"
[[ "$note" == *'Escalation ward opened'* ]] || fail "the annotation was not written: $note"
for _ in 1 2 3 4; do  # nginx alternates: both processes answer the author from the primary
  mine="$("${CURL[@]}" -b "$WORK/jar" "$BASE/api/series/BEDS/RJZ/annotations")"
  [[ "$mine" == *'Escalation ward opened'* ]] || fail "the author did not read back the write: $mine"
  board="$("${CURL[@]}" -b "$WORK/jar" "$BASE/api/board")"
  [[ "$board" == *'"last_period":"2021-12-01"'* ]] || fail "the author's board is not the primary's: $board"
done
# ... and a reader still sees the replica.
board="$("${CURL[@]}" "${READER[@]}" "$BASE/api/board")"
[[ "$board" == *'"last_period":"2021-08-01"'* ]] || fail "the reader left the paused replica"
psql_at "$PG_REPLICA" 'SELECT pg_wal_replay_resume()' >/dev/null
ok=""
for _ in $(seq 1 100); do
  board="$("${CURL[@]}" "${READER[@]}" "$BASE/api/board")"
  if [[ "$board" == *'"last_period":"2021-12-01"'* ]]; then ok=1; break; fi
  sleep 0.1
done
[ -n "$ok" ] || fail "the reader never saw the import after replay resumed: $board"

# 4. SIGTERM to process A in the middle of a load: every request answered 200.
load() {  # N -> one status code per line
  local i
  for i in $(seq 1 "$1"); do
    case $((i % 3)) in
      0) url="$BASE/api/board" ;;
      1) url="$BASE/api/series/BEDS/RYJ" ;;
      *) url="$BASE/api/health" ;;
    esac
    "${CURL[@]}" -o /dev/null -w '%{http_code}\n' "${READER[@]}" "$url" || echo "curl-error"
  done
}
LOADERS=()
for c in 1 2 3 4 5 6; do load 60 >"$WORK/load-$c.txt" & LOADERS+=($!); done
sleep 0.5
kill -TERM "$PID_A"
stop_started=$(date +%s)
set +e
wait "$PID_A"
status_a=$?
set -e
stop_took=$(($(date +%s) - stop_started))
for p in "${LOADERS[@]}"; do wait "$p"; done
[ "$status_a" = 0 ] || fail "process A exited with $status_a after SIGTERM"
[ "$stop_took" -le 15 ] || fail "process A took $stop_took s to stop"
total="$(cat "$WORK"/load-*.txt | wc -l)"
bad="$(grep -vc '^200$' <(cat "$WORK"/load-*.txt) || true)"
[ "$total" -eq 360 ] || fail "$total answers for 360 requests"
[ "$bad" -eq 0 ] || fail "$bad of $total requests failed around the SIGTERM: $(grep -v '^200$' "$WORK"/load-*.txt | sort | uniq -c)"
[ "$("${CURL[@]}" -o /dev/null -w '%{http_code}' "${READER[@]}" "$BASE/api/board")" = 200 ] ||
  fail "process B does not serve after A stopped"

echo "OK: primary + streaming replica (PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}')), two servers behind nginx: sessions shared, reads from the replica, the author's writes read back, SIGTERM lost none of $total requests (process A stopped in $stop_took s)"
