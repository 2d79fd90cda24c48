#!/usr/bin/env bash
# The board-summary and series endpoints under load at national scale, against nginx serving the
# same response bodies as static files: throughput and p50/p99 latency, and their ratios.
#
#   bash bench/http/run.sh                    # generates the database once (out/bench/national.db)
#   DURATION=30 CONNECTIONS=32 bash bench/http/run.sh
#
# The database (bench/http/gen_national.sh): 7,000 organisations under 42 systems, 100 metrics,
# 5 years monthly (42 million observations, 704,300 stored SPC results). `shewhart serve` on
# 127.0.0.1 with a signed-in session cookie; nginx (Debian) as a throwaway instance with its own
# configuration in a temporary directory, on another port. wrk (Debian) drives both the same way:
# THREADS threads, CONNECTIONS connections, DURATION seconds, after a 3-second warm-up.
# Requests (the same for both):
#   board-ics     GET /api/board?place=QE01&domain=safe  (one system's board for one domain)
#   board-ics-all GET /api/board?place=QE01               (one system, every domain: 5,000 rows)
#   board-all     GET /api/board                          (the national board: first 5,000 rows
#                                                          of 704,300, concerns first)
#   series        GET /api/series/NM001/P00300             (one stored series, 60 points)
# Requests time out after 30 s (wrk --timeout), so slow answers are measured, not dropped.
# Aim (issue 5): at least half nginx's throughput, p99 under 50 ms.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR="${BUILD_DIR:-build}"
SHEWHART="$BUILD_DIR/src/app/shewhart"
DB_FILE="${DB_FILE:-out/bench/national.db}"
DURATION="${DURATION:-20}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-16}"
PORT="${PORT:-18180}"
NGINX_PORT="${NGINX_PORT:-18181}"
SERVER_THREADS="${SERVER_THREADS:-8}"

# wrk and nginx from Debian. A service started by the package would be a stray server: keep
# invoke-rc.d from starting anything while installing.
install_tools() {
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v curl >/dev/null || missing+=(curl)
  command -v sqlite3 >/dev/null || missing+=(sqlite3)
  [ ${#missing[@]} -eq 0 ] && return
  local sudo="" policy=/usr/sbin/policy-rc.d added=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod +x "$policy"
    added=1
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ -z "$added" ] || $sudo rm -f "$policy"
}
install_tools
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

if [ ! -x "$SHEWHART" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" >/dev/null
  cmake --build "$BUILD_DIR" --target shewhart -j "$(nproc)"
fi
if [ ! -f "$DB_FILE" ] || [ "${REGENERATE:-0}" = 1 ]; then
  mkdir -p "$(dirname "$DB_FILE")"
  echo "generating the national database (once) into $DB_FILE"
  bash bench/http/gen_national.sh "$SHEWHART" "$DB_FILE"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/shewhart-http-bench.XXXXXX")"
chmod 755 "$WORK"
SERVER_PID="" NGINX_STARTED=""
cleanup() {
  [ -z "$SERVER_PID" ] || kill "$SERVER_PID" 2>/dev/null || true
  if [ -n "$NGINX_STARTED" ] && [ -f "$WORK/nginx.pid" ]; then
    kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# The benchmark account (idempotent: a second run finds it).
PASSWORD="bench-passphrase-$(date +%s)"
"$SHEWHART" user add --db "sqlite:$DB_FILE" --email "bench-$(date +%s%N)@bench.nhs.uk" \
  --role viewer --org R0001 --password-stdin <<<"$PASSWORD" >"$WORK/user.txt"
EMAIL="$(awk '{ print $3 }' "$WORK/user.txt")"

"$SHEWHART" serve --db "sqlite:$DB_FILE" --listen "127.0.0.1:$PORT" --threads "$SERVER_THREADS" \
  --quiet >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fs -c "$WORK/jar" -H 'Content-Type: application/json' -X POST \
  "http://127.0.0.1:$PORT/api/session" \
  -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" >/dev/null
COOKIE="shewhart_session=$(awk '$6 == "shewhart_session" { print $7 }' "$WORK/jar")"

# The same bodies as static files for nginx.
mkdir -p "$WORK/www" "$WORK/logs"
chmod 755 "$WORK/www"
declare -A TARGETS=(
  [board-ics]="/api/board?place=QE01&domain=safe"
  [board-ics-all]="/api/board?place=QE01"
  [board-all]="/api/board"
  [series]="/api/series/NM001/P00300"
)
ORDER=(series board-ics board-ics-all board-all)
for name in "${ORDER[@]}"; do
  curl -fs -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT${TARGETS[$name]}" >"$WORK/www/$name.json"
  chmod 644 "$WORK/www/$name.json"
done
cat >"$WORK/nginx.conf" <<EOF
worker_processes auto;
daemon on;
pid $WORK/nginx.pid;
error_log $WORK/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  default_type application/json;
  client_body_temp_path $WORK/logs/body;
  proxy_temp_path $WORK/logs/proxy;
  fastcgi_temp_path $WORK/logs/fastcgi;
  uwsgi_temp_path $WORK/logs/uwsgi;
  scgi_temp_path $WORK/logs/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $WORK/www;
  }
}
EOF
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK"
NGINX_STARTED=1

# wrk's summary as "requests/s p50_ms p99_ms non2xx".
measure() {
  local url="$1" out
  # Let the server finish what the previous run left in flight, then warm up.
  sleep 5
  wrk -t"$THREADS" -c"$CONNECTIONS" -d3s --timeout 30s -H "Cookie: $COOKIE" "$url" >/dev/null 2>&1 || true
  out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 30s --latency \
    -H "Cookie: $COOKIE" "$url")"
  awk '
    function ms(v) {
      if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
      if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
      if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
      return v
    }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { bad = $NF }
    END { printf "%.0f %.2f %.2f %d\n", rps, p50, p99, bad + 0 }' <<<"$out"
}

printf '\nshewhart %s vs nginx %s; wrk -t%s -c%s -d%ss; server threads %s; %s cores (%s)\n' \
  "$("$SHEWHART" --version 2>/dev/null | head -n 1)" "$("$NGINX" -v 2>&1 | sed 's/.*\///')" \
  "$THREADS" "$CONNECTIONS" "$DURATION" "$SERVER_THREADS" "$(nproc)" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
printf '%-14s %9s | %9s %8s %8s | %9s %8s %8s | %10s %9s\n' request bytes "shewhart" p50ms p99ms \
  nginx p50ms p99ms throughput p99
printf '%-14s %9s | %9s %8s %8s | %9s %8s %8s | %10s %9s\n' "" "" "req/s" "" "" "req/s" "" "" \
  "ratio" "ratio"
for name in "${ORDER[@]}"; do
  read -r s_rps s_p50 s_p99 s_bad <<<"$(measure "http://127.0.0.1:$PORT${TARGETS[$name]}")"
  read -r n_rps n_p50 n_p99 n_bad <<<"$(measure "http://127.0.0.1:$NGINX_PORT/$name.json")"
  printf '%-14s %9s | %9s %8s %8s | %9s %8s %8s | %10s %9s%s\n' "$name" \
    "$(stat -c %s "$WORK/www/$name.json")" "$s_rps" "$s_p50" "$s_p99" "$n_rps" "$n_p50" "$n_p99" \
    "$(awk -v a="$s_rps" -v b="$n_rps" 'BEGIN { printf "%.2f", b ? a / b : 0 }')" \
    "$(awk -v a="$s_p99" -v b="$n_p99" 'BEGIN { printf "%.1fx", b ? a / b : 0 }')" \
    "$([ "$s_bad$n_bad" = 00 ] || echo "  (non-2xx: shewhart $s_bad, nginx $n_bad)")"
done
