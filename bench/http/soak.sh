#!/usr/bin/env bash
# Soak: 10 minutes of mixed reads and imports against one `shewhart serve` on SQLite, then checks
# that nothing was lost and that memory stayed flat.
#
#   bash bench/http/soak.sh                  # 600 s
#   SOAK_SECONDS=120 bash bench/http/soak.sh
#
# - The database: the demo system (`shewhart demo`) in a fresh file, plus a SOAK metric and an
#   administrator.
# - Reads: wrk (Debian), 2 threads x 8 connections for the whole run, rotating through the
#   board, a stored series, its observations, the funnel, standing, trend and submissions
#   (bench/http/soak_reads.lua), with a signed-in cookie.
# - Imports: a loop through the API as a person would do it — upload a CSV of new SOAK
#   observations, preview, commit — one every IMPORT_EVERY seconds (default 2), each with its own
#   month, so every committed row must be there at the end.
# - Every 5 s the server's resident memory (VmRSS) is sampled.
# At the end: every committed row is in the database (sqlite3), every SOAK series has a stored
# SPC result with every point, no read answered 5xx, and RSS in the last minute against the
# minute after warm-up. Exit status 1 if anything was lost or failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR="${BUILD_DIR:-build}"
SHEWHART="$BUILD_DIR/src/app/shewhart"
SOAK_SECONDS="${SOAK_SECONDS:-600}"
IMPORT_EVERY="${IMPORT_EVERY:-2}"
PORT="${PORT:-18090}"
command -v wrk >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
}
[ -x "$SHEWHART" ] || {
  cmake -S . -B "$BUILD_DIR" -G Ninja >/dev/null
  cmake --build "$BUILD_DIR" --target shewhart -j "$(nproc)"
}

WORK="$(mktemp -d "${TMPDIR:-/tmp}/shewhart-soak.XXXXXX")"
DB_FILE="$WORK/soak.db"
DB="sqlite:$DB_FILE"
SERVER_PID="" WRK_PID=""
cleanup() {
  [ -z "$WRK_PID" ] || kill "$WRK_PID" 2>/dev/null || true
  [ -z "$SERVER_PID" ] || kill "$SERVER_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  [ "${KEEP:-0}" = 1 ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

"$SHEWHART" demo --db "$DB" --as soak >/dev/null
# Every unit the soak imports into: the demo's organisations.
mapfile -t UNITS < <(sqlite3 "$DB_FILE" \
  "SELECT code FROM unit WHERE kind IN ('acute trust','community trust','mental health trust','gp practice') ORDER BY code LIMIT 40")
printf 'code,name,definition,unit,measure,improvement_direction,frequency,domain,status\n%s\n' \
  "SOAK,Soak metric,Written by bench/http/soak.sh,n,value,increase,monthly,effective,agreed" \
  >"$WORK/metric.csv"
"$SHEWHART" import metrics "$WORK/metric.csv" --db "$DB" --as soak >/dev/null
PASSWORD="soak passphrase $(date +%s)"
"$SHEWHART" user add --db "$DB" --email soak@bench.nhs.uk --role administrator \
  --password-stdin <<<"$PASSWORD" >/dev/null

"$SHEWHART" serve --db "$DB" --listen "127.0.0.1:$PORT" --quiet >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1 && break
  sleep 0.1
done
BASE="http://127.0.0.1:$PORT"
CSRF="$(curl -fs -c "$WORK/jar" -H 'Content-Type: application/json' -X POST "$BASE/api/session" \
  -d "{\"email\":\"soak@bench.nhs.uk\",\"password\":\"$PASSWORD\"}" |
  sed -E 's/.*"csrf_token":"([^"]+)".*/\1/')"
COOKIE="shewhart_session=$(awk '$6 == "shewhart_session" { print $7 }' "$WORK/jar")"

# Reads for the whole run.
UNIT="${UNITS[0]}"
METRIC="$(sqlite3 "$DB_FILE" "SELECT m.code FROM spc_result r JOIN metric m ON m.id = r.metric_id JOIN unit u ON u.id = r.unit_id WHERE u.code = '$UNIT' AND r.aggregate = 0 ORDER BY m.code LIMIT 1")"
PERIOD="$(sqlite3 "$DB_FILE" "SELECT MAX(period) FROM observation o JOIN metric m ON m.id = o.metric_id WHERE m.code = '$METRIC'")"
SOAK_READS="/api/board,/api/series/$METRIC/$UNIT,/api/observations/$METRIC/$UNIT,/api/funnel/$METRIC?period=$PERIOD,/api/standing/$METRIC?period=$PERIOD,/api/trend/$METRIC/$UNIT,/api/submissions,/api/board?kind=acute%20trust"
export SOAK_READS
wrk -t2 -c8 -d"${SOAK_SECONDS}s" --timeout 10s -H "Cookie: $COOKIE" \
  -s bench/http/soak_reads.lua "$BASE" >"$WORK/wrk.txt" 2>&1 &
WRK_PID=$!

# Memory samples.
(
  while kill -0 "$SERVER_PID" 2>/dev/null; do
    echo "$(date +%s) $(awk '/VmRSS/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null)"
    sleep 5
  done
) >"$WORK/rss.txt" &
RSS_PID=$!

# Imports through the API until the time is up.
committed_rows=0 imports=0 failed=0
start=$(date +%s)
month=0
while [ $(($(date +%s) - start)) -lt "$SOAK_SECONDS" ]; do
  y=$((2000 + month / 12)) m=$((month % 12 + 1))
  period="$(printf '%04d-%02d-01' "$y" "$m")"
  {
    echo "metric,unit,period,value"
    for u in "${UNITS[@]}"; do echo "SOAK,$u,$period,$(((month * 7 + ${#u} * 13) % 50 + 10))"; done
  } >"$WORK/upload.csv"
  ok=0
  id="$(curl -fs -b "$WORK/jar" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: text/csv' \
    --data-binary @"$WORK/upload.csv" "$BASE/api/imports?kind=observations&file_name=soak.csv" |
    sed -E 's/.*"id":([0-9]+).*/\1/')" || id=""
  if [ -n "$id" ] &&
    curl -fs -o /dev/null -b "$WORK/jar" -H "X-CSRF-Token: $CSRF" -d "" "$BASE/api/imports/$id/preview" &&
    curl -fs -o /dev/null -b "$WORK/jar" -H "X-CSRF-Token: $CSRF" -d "" "$BASE/api/imports/$id/commit"; then
    ok=1
  fi
  if [ "$ok" = 1 ]; then
    committed_rows=$((committed_rows + ${#UNITS[@]}))
    imports=$((imports + 1))
  else
    failed=$((failed + 1))
  fi
  month=$((month + 1))
  sleep "$IMPORT_EVERY"
done
wait "$WRK_PID" || true
WRK_PID=""
sleep 1
RSS_END="$(awk '/VmRSS/ { print $2 }' "/proc/$SERVER_PID/status")"
kill "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=""
kill "$RSS_PID" 2>/dev/null || true

# ---- Checks. -----------------------------------------------------------------------------------
stored="$(sqlite3 "$DB_FILE" "SELECT COUNT(*) FROM observation o JOIN metric m ON m.id = o.metric_id WHERE m.code = 'SOAK'")"
series_points="$(sqlite3 "$DB_FILE" "SELECT COALESCE(SUM(n_points), 0) FROM spc_result r JOIN metric m ON m.id = r.metric_id WHERE m.code = 'SOAK' AND r.aggregate = 0")"
requests="$(awk '/requests in/ { print $1 }' "$WORK/wrk.txt")"
non2xx="$(awk '/Non-2xx/ { print $NF }' "$WORK/wrk.txt")"
errors="$(awk '/Socket errors/ { print }' "$WORK/wrk.txt")"
rps="$(awk '/Requests\/sec/ { print $2 }' "$WORK/wrk.txt")"
# RSS: the median of the minute after a one-minute warm-up against the median of the last minute.
read -r rss_early rss_late <<<"$(awk -v s="$start" -v e="$((start + SOAK_SECONDS))" '
  $2 != "" { t = $1 - s
    if (t >= 60 && t < 120) early[++ne] = $2
    if (t >= e - s - 60) late[++nl] = $2 }
  function median(a, n,   i, j, x) {
    for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j > 0 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
    return n ? a[int((n + 1) / 2)] : 0 }
  END { print median(early, ne), median(late, nl) }' "$WORK/rss.txt")"

echo "soak: ${SOAK_SECONDS}s on SQLite; reads: ${requests:-?} requests (${rps:-?}/s), non-2xx ${non2xx:-0} ${errors}"
echo "imports: $imports committed ($committed_rows rows), $failed failed; stored SOAK rows: $stored; points in stored SOAK series: $series_points"
echo "server RSS (KiB): minute 2 median $rss_early, last minute median $rss_late, at the end $RSS_END"
status=0
[ "$stored" = "$committed_rows" ] || { echo "LOST: committed $committed_rows, stored $stored"; status=1; }
[ "$series_points" = "$committed_rows" ] || { echo "STALE: SPC results hold $series_points points"; status=1; }
[ -z "$non2xx" ] || [ "$non2xx" = 0 ] || { echo "non-2xx reads: $non2xx"; status=1; }
[ "$failed" = 0 ] || { echo "failed imports: $failed"; status=1; }
if [ -n "$rss_early" ] && [ "$rss_early" -gt 0 ]; then
  echo "RSS growth from minute 2 to the last minute: $(awk -v a="$rss_early" -v b="$rss_late" 'BEGIN { printf "%+.1f%%", 100 * (b - a) / a }')"
fi
[ "$status" = 0 ] && echo "nothing lost"
exit "$status"
