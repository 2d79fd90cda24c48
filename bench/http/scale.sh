#!/usr/bin/env bash
# Issue 15, side by side in one run: the board and the series endpoint of `shewhart serve`
# against nginx serving the very same bytes as static files, on the demo system (one ICS) and on
# a national-scale database — throughput, p50 and p99, and their ratios; then (unless
# SKIP_IMPORTS=1) the import benchmark (bench/import_bench.sh: shewhart import against
# `sqlite3 .import` and `psql \copy` on the same file).
#
#   bash bench/http/scale.sh
#   DURATION=10 CONNECTIONS=16 NATIONAL_MONTHS=13 bash bench/http/scale.sh
#   SKIP_NATIONAL=1 SKIP_IMPORTS=1 bash bench/http/scale.sh      # the demo system only
#
# Databases (made once, kept under out/bench/):
#   demo      `shewhart demo` (752 series; the board the screens ask for: ?limit=50000)
#   national  bench/http/gen_national.sh: 7,000 organisations under 42 systems, 100 metrics,
#             NATIONAL_MONTHS months (default 13): 704,300 stored series
# Requests, each to shewhart (signed in, as the screens send them: Accept-Encoding gzip) and to
# nginx (the same bytes as static files, precompressed with gzip_static: nginx at its fastest):
#   demo-board       GET /api/board?limit=50000                 the demo board, whole
#   demo-report      GET /api/board/report                      the board screen's four questions
#   demo-series      GET /api/series/AE4H/RJZ... (the first series on the demo board)
#   nat-board-ics    GET /api/board?place=QE01&limit=50000      one system's board, whole
#   nat-report-ics   GET /api/board/report?scope=QE01           one system's board screen report
#   nat-board-first  GET /api/board?limit=100                   the national board's first page
#   nat-series       GET /api/series/NM001/P00300               one stored series
# Both with and without revalidation is not measured: a browser that has the document gets 304s.
# wrk (Debian), THREADS threads, CONNECTIONS connections, DURATION seconds after a warm-up.
# Aim (issue 15): >= 0.5 of nginx's throughput, p99 under 50 ms.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR="${BUILD_DIR:-build}"
SHEWHART="$BUILD_DIR/src/app/shewhart"
DEMO_DB="${DEMO_DB:-out/bench/demo.db}"
NATIONAL_DB="${NATIONAL_DB:-out/bench/national-scale.db}"
NATIONAL_MONTHS="${NATIONAL_MONTHS:-13}"
DURATION="${DURATION:-10}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-16}"
SERVER_THREADS="${SERVER_THREADS:-8}"
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }
[ -x "$NGINX" ] || { echo "nginx is needed (apt-get install nginx)" >&2; exit 1; }
[ -x "$SHEWHART" ] || { echo "build first: bash tools/build.sh" >&2; exit 1; }

free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}
mkdir -p out/bench
if [ ! -f "$DEMO_DB" ]; then
  echo "generating the demo database into $DEMO_DB"
  "$SHEWHART" demo --db "sqlite:$DEMO_DB" >/dev/null
fi
if [ "${SKIP_NATIONAL:-0}" != 1 ] && [ ! -f "$NATIONAL_DB" ]; then
  echo "generating the national database into $NATIONAL_DB (7,000 x 100 x $NATIONAL_MONTHS months)"
  bash bench/http/gen_national.sh "$SHEWHART" "$NATIONAL_DB" 7000 100 "$NATIONAL_MONTHS"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/shewhart-scale-bench.XXXXXX")"
chmod 755 "$WORK"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ ! -f "$WORK/nginx.pid" ] || kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

declare -A PORT COOKIE
start() {  # NAME DB
  local email="bench-$1-$(date +%s%N)@bench.nhs.uk" password="bench passphrase $RANDOM$RANDOM"
  "$SHEWHART" user add --db "sqlite:$2" --email "$email" --role system_quality_lead \
    --password-stdin <<<"$password" >/dev/null
  PORT[$1]="$(free_port)"
  "$SHEWHART" serve --db "sqlite:$2" --listen "127.0.0.1:${PORT[$1]}" --threads "$SERVER_THREADS" \
    --quiet >"$WORK/serve-$1.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:${PORT[$1]}/api/health" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fs -c "$WORK/jar-$1" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"$password\"}" \
    "http://127.0.0.1:${PORT[$1]}/api/session" >/dev/null
  COOKIE[$1]="shewhart_session=$(awk '$6 == "shewhart_session" { print $7 }' "$WORK/jar-$1")"
}
start demo "$DEMO_DB"
[ "${SKIP_NATIONAL:-0}" = 1 ] || start national "$NATIONAL_DB"

DEMO_SERIES="$(curl -fs -H "Cookie: ${COOKIE[demo]}" "http://127.0.0.1:${PORT[demo]}/api/board?limit=1" |
  python3 -c 'import json,sys; r=json.load(sys.stdin)["rows"][0]; print("%s/%s?aggregate=%d" % (r["metric"], r["unit"], 1 if r["aggregate"] else 0))')"
declare -A DB_OF=([demo-board]=demo [demo-report]=demo [demo-series]=demo
                  [nat-board-ics]=national [nat-report-ics]=national [nat-board-first]=national
                  [nat-series]=national)
declare -A TARGET=(
  [demo-board]="/api/board?limit=50000"
  [demo-report]="/api/board/report"
  [demo-series]="/api/series/$DEMO_SERIES"
  [nat-board-ics]="/api/board?place=QE01&limit=50000"
  [nat-report-ics]="/api/board/report?scope=QE01"
  [nat-board-first]="/api/board?limit=100"
  [nat-series]="/api/series/NM001/P00300"
)
ORDER=(demo-board demo-report demo-series nat-board-ics nat-report-ics nat-board-first nat-series)
[ "${SKIP_NATIONAL:-0}" != 1 ] || ORDER=(demo-board demo-report demo-series)
[ -z "${ONLY:-}" ] || read -r -a ORDER <<<"$ONLY"  # e.g. ONLY="nat-board-first nat-series"
mkdir -p "$WORK/www" "$WORK/logs"
chmod 755 "$WORK/www"
declare -A FIRST_MS
for name in "${ORDER[@]}"; do
  db="${DB_OF[$name]}"
  # The first request computes the document (the cache is empty): its time is the cold cost.
  FIRST_MS[$name]="$(curl -fs -o "$WORK/www/$name.json" -w '%{time_total}' -H "Cookie: ${COOKIE[$db]}" \
    "http://127.0.0.1:${PORT[$db]}${TARGET[$name]}" | awk '{ printf "%.0f", $1 * 1000 }')"
  # The same bytes precompressed, for nginx's gzip_static: what shewhart sends a browser.
  curl -fs -o "$WORK/www/$name.json.gz" -H 'Accept-Encoding: gzip' -H "Cookie: ${COOKIE[$db]}" \
    "http://127.0.0.1:${PORT[$db]}${TARGET[$name]}"
  chmod 644 "$WORK/www/$name.json" "$WORK/www/$name.json.gz"
done
NGINX_PORT="$(free_port)"
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
  gzip_static on;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $WORK/www;
  }
}
EOF
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK"

# wrk's summary as "requests/s p50_ms p99_ms non2xx".
measure() {  # URL COOKIE
  local out
  sleep 2
  wrk -t"$THREADS" -c"$CONNECTIONS" -d2s --timeout 30s -H "Cookie: $2" \
    -H 'Accept-Encoding: gzip' "$1" >/dev/null 2>&1 || true
  out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 30s --latency \
    -H "Cookie: $2" -H 'Accept-Encoding: gzip' "$1")"
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

printf '\n%s; shewhart vs nginx %s; wrk -t%s -c%s -d%ss, Accept-Encoding gzip; server threads %s; %s cores (%s); load average before: %s\n' \
  "$(date -u '+%Y-%m-%d %H:%M UTC')" "$("$NGINX" -v 2>&1 | sed 's/.*\///')" "$THREADS" \
  "$CONNECTIONS" "$DURATION" "$SERVER_THREADS" "$(nproc)" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-16s %9s %8s | %9s %8s %8s | %9s %8s %8s | %8s %6s\n' request bytes "cold ms" \
  "shewhart" p50ms p99ms nginx p50ms p99ms "ratio" "p99<50"
for name in "${ORDER[@]}"; do
  db="${DB_OF[$name]}"
  read -r s_rps s_p50 s_p99 s_bad <<<"$(measure "http://127.0.0.1:${PORT[$db]}${TARGET[$name]}" "${COOKIE[$db]}")"
  read -r n_rps n_p50 n_p99 n_bad <<<"$(measure "http://127.0.0.1:$NGINX_PORT/$name.json" "x=y")"
  printf '%-16s %9s %8s | %9s %8s %8s | %9s %8s %8s | %8s %6s%s\n' "$name" \
    "$(stat -c %s "$WORK/www/$name.json")" "${FIRST_MS[$name]}" "$s_rps" "$s_p50" "$s_p99" \
    "$n_rps" "$n_p50" "$n_p99" \
    "$(awk -v a="$s_rps" -v b="$n_rps" 'BEGIN { printf "%.2f", b ? a / b : 0 }')" \
    "$(awk -v a="$s_p99" 'BEGIN { print (a < 50 ? "yes" : "no") }')" \
    "$([ "$s_bad$n_bad" = 00 ] || echo "  (non-2xx: shewhart $s_bad, nginx $n_bad)")"
done

if [ "${SKIP_IMPORTS:-0}" != 1 ]; then
  echo
  echo "imports (bench/import_bench.sh ${IMPORT_ARGS:-})"
  # shellcheck disable=SC2086
  RUNS="${RUNS:-1}" SKIP_RECOMPUTE=1 bash bench/import_bench.sh ${IMPORT_ARGS:-}
fi
