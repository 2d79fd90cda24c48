#!/usr/bin/env bash
# Signals at national scale (issue 10, "Done when"): the national database of gen_national.sh
# (7,000 organisations, 100 metrics, 5 years monthly) plus England's volume of patient safety
# incidents — about 2.3 million a year for 5 years — then
#   (a) the signals of every organisation computed once (GET /api/signals, the system view), timed;
#   (b) one organisation's signals (GET /api/organisations/{org}/signals) under load with wrk:
#       p50 and p99, for the busiest acute trust and for a GP practice. Aim: p99 under 50 ms.
#
#   bash bench/http/signals.sh                # builds out/bench/national-incidents.db once
#   DURATION=20 CONNECTIONS=16 bash bench/http/signals.sh
#
# The incidents (deterministic: the same rows every run, from a fixed arithmetic hash of the unit
# and the incident's number, no random state): 220 acute trusts × 8,400 a year and 6,780 GP
# practices × 68 a year = 2,309,040 a year, 11,545,200 over 2019-01-01 .. 2023-12-31, spread
# evenly over the days; harm none 70%, low 24%, moderate 5%, severe 0.7%, fatal 0.3%; eight
# categories; a PSIRF investigation (psii) for every severe or fatal one. Everything before
# December 2023 goes straight into the table by bulk SQL (one import batch); December 2023
# (about 190,000 incidents at every organisation) through `shewhart import incidents`, which
# validates the file and brings the incident count series (PSI_*) of all 7,000 organisations up
# to date — reading every stored incident and storing and charting ~100,000 series.
#
# The national observations come from bench/http/gen_national.sh (reused when
# out/bench/national.db exists: copied, so that file stays as run.sh expects it).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR="${BUILD_DIR:-build}"
SHEWHART="$BUILD_DIR/src/app/shewhart"
NATIONAL="${NATIONAL:-out/bench/national.db}"
DB_FILE="${DB_FILE:-out/bench/national-incidents.db}"
DURATION="${DURATION:-20}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-16}"
PORT="${PORT:-18190}"
SERVER_THREADS="${SERVER_THREADS:-8}"
ORGS="${ORGS:-7000}"
METRICS="${METRICS:-100}"
# Incidents per organisation over the 5 years (acute trusts, GP practices).
ACUTE_5Y="${ACUTE_5Y:-42000}"
GP_5Y="${GP_5Y:-340}"

for tool in wrk curl sqlite3; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install $tool)" >&2; exit 1; }
done
if [ ! -x "$SHEWHART" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" >/dev/null
  cmake --build "$BUILD_DIR" --target shewhart -j "$(nproc)"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/shewhart-signals-bench.XXXXXX")"
SERVER_PID=""
cleanup() {
  [ -z "$SERVER_PID" ] || kill "$SERVER_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ ! -f "$DB_FILE" ] || [ "${REGENERATE:-0}" = 1 ]; then
  mkdir -p "$(dirname "$DB_FILE")"
  if [ -f "$NATIONAL" ] && [ "${REGENERATE:-0}" != 1 ]; then
    echo "copying $NATIONAL"
    cp "$NATIONAL" "$DB_FILE"
  else
    echo "generating the national database into $DB_FILE"
    t0=$(date +%s)
    bash bench/http/gen_national.sh "$SHEWHART" "$DB_FILE" "$ORGS" "$METRICS" 60
    echo "national database: $(($(date +%s) - t0)) s"
  fi
  # The incidents: unit u's incident number n (0 .. N_u - 1) occurred on day n * 1826 / N_u
  # after 2019-01-01; h is a fixed hash of (u, n) that picks the harm and the category.
  DAY="(s.n * 1826 / (CASE WHEN u.kind = 'acute trust' THEN $ACUTE_5Y ELSE $GP_5Y END))"
  H="((u.id * 2654435761 + s.n * 40503 + 977) % 1000003)"
  HARM="CASE WHEN $H % 1000 < 700 THEN 'none' WHEN $H % 1000 < 940 THEN 'low'
             WHEN $H % 1000 < 990 THEN 'moderate' WHEN $H % 1000 < 997 THEN 'severe'
             ELSE 'fatal' END"
  CATEGORY="CASE ($H / 1000) % 8 WHEN 0 THEN 'Falls' WHEN 1 THEN 'Medication'
             WHEN 2 THEN 'Pressure ulcer' WHEN 3 THEN 'Treatment or procedure'
             WHEN 4 THEN 'Clinical assessment' WHEN 5 THEN 'Access, admission, transfer, discharge'
             WHEN 6 THEN 'Infrastructure' ELSE 'Other' END"
  COLUMNS="printf('INC-%s-%06d', u.code, s.n), u.code, date('2019-01-01', '+' || $DAY || ' days'),
           date('2019-01-01', '+' || ($DAY + $H % 4) || ' days'), $CATEGORY, $HARM,
           CASE WHEN $H % 1000 >= 990 THEN 'psii' ELSE '' END, 'closed'"
  FROM="FROM unit u JOIN seq s ON s.n < (CASE WHEN u.kind = 'acute trust' THEN $ACUTE_5Y ELSE $GP_5Y END)
        WHERE u.kind NOT IN ('nation', 'system')"
  DECEMBER=1795  # days from 2019-01-01 to 2023-12-01
  t0=$(date +%s)
  sqlite3 "$DB_FILE" <<SQL
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -1000000;
CREATE TEMP TABLE seq (n INTEGER PRIMARY KEY);
WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n + 1 < $ACUTE_5Y)
INSERT INTO seq SELECT n FROM k;
BEGIN;
INSERT INTO import_batch (kind, file_name, sha256, actor, imported_at)
  VALUES ('incidents', 'bench/http/signals.sh (bulk SQL)', '-', 'bench', '2023-12-01T00:00:00Z');
CREATE TEMP TABLE b AS SELECT MAX(id) AS id FROM import_batch;
INSERT INTO incident (reference, unit_id, occurred, reported, category, harm, response, status,
                      summary, version, batch_id, created_by, created_at)
SELECT printf('INC-%s-%06d', u.code, s.n), u.id, date('2019-01-01', '+' || $DAY || ' days'),
       date('2019-01-01', '+' || ($DAY + $H % 4) || ' days'), $CATEGORY, $HARM,
       CASE WHEN $H % 1000 >= 990 THEN 'psii' ELSE '' END, 'closed', '', 1, (SELECT id FROM b),
       'bench', '2023-12-01T00:00:00Z'
$FROM AND $DAY < $DECEMBER ORDER BY u.id, s.n;
COMMIT;
SQL
  t1=$(date +%s)
  echo "bulk SQL: $(sqlite3 "$DB_FILE" 'SELECT COUNT(*) FROM incident') incidents in $((t1 - t0)) s"
  echo "reference,organisation,occurred,reported,category,harm,response,status" >"$WORK/december.csv"
  sqlite3 -csv "$DB_FILE" <<SQL >>"$WORK/december.csv"
CREATE TEMP TABLE seq (n INTEGER PRIMARY KEY);
WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n + 1 < $ACUTE_5Y)
INSERT INTO seq SELECT n FROM k;
SELECT $COLUMNS $FROM AND $DAY >= $DECEMBER ORDER BY u.id, s.n;
SQL
  echo "December 2023: $(($(wc -l <"$WORK/december.csv") - 1)) incidents in a CSV of $(du -h "$WORK/december.csv" | cut -f1)"
  t0=$(date +%s)
  /usr/bin/time -f '  (peak memory %M KiB)' \
    "$SHEWHART" import incidents "$WORK/december.csv" --db "sqlite:$DB_FILE" --as bench | tail -n 4
  t1=$(date +%s)
  echo "import of December 2023 with the count series of every organisation: $((t1 - t0)) s"
  sqlite3 "$DB_FILE" "SELECT 'incidents: ' || COUNT(*) FROM incident;
    SELECT 'stored SPC results: ' || COUNT(*) || ', of them incident counts: ' ||
           SUM(m.code LIKE 'PSI\_%' ESCAPE '\') FROM spc_result r JOIN metric m ON m.id = r.metric_id;"
fi

# A system quality lead sees every strand, restricted ones included.
PASSWORD="bench-passphrase-$(date +%s)"
"$SHEWHART" user add --db "sqlite:$DB_FILE" --email "bench-$(date +%s%N)@bench.nhs.uk" \
  --role system_quality_lead --password-stdin <<<"$PASSWORD" >"$WORK/user.txt"
EMAIL="$(awk '{ print $3 }' "$WORK/user.txt")"
"$SHEWHART" serve --db "sqlite:$DB_FILE" --listen "127.0.0.1:$PORT" --threads "$SERVER_THREADS" \
  --quiet >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fs -c "$WORK/jar" -H 'Content-Type: application/json' -X POST \
  "http://127.0.0.1:$PORT/api/session" \
  -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" >/dev/null
COOKIE="shewhart_session=$(awk '$6 == "shewhart_session" { print $7 }' "$WORK/jar")"
get() { curl -fs -o "$2" -w '%{time_total}' -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT$1"; }

printf '\nshewhart %s; %s cores (%s); load average %s\n' \
  "$("$SHEWHART" --version 2>/dev/null | head -n 1)" "$(nproc)" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" "$(cut -d' ' -f1-3 /proc/loadavg)"
echo "incidents: $(sqlite3 "$DB_FILE" 'SELECT COUNT(*) FROM incident'); stored SPC results: $(sqlite3 "$DB_FILE" 'SELECT COUNT(*) FROM spc_result')"

# (a) Every organisation's signals: the system view, three times (the first one cold).
for i in 1 2 3; do
  t="$(get /api/signals "$WORK/system.json")"
  printf 'GET /api/signals (every organisation), run %d: %.2f s, %s organisations with signals, %s bytes\n' \
    "$i" "$t" "$(grep -o '"top":' "$WORK/system.json" | wc -l)" "$(stat -c %s "$WORK/system.json")"
done

# (b) One organisation's signals under load.
measure() {
  local url="$1" out
  sleep 2
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
    END { printf "%.0f req/s, p50 %.2f ms, p99 %.2f ms, non-2xx %d\n", rps, p50, p99, bad + 0 }' <<<"$out"
}
for org in R0001 P00300; do
  t="$(get "/api/organisations/$org/signals" "$WORK/$org.json")"
  printf 'GET /api/organisations/%s/signals: %s signals, %s bytes, first request %.1f ms\n' "$org" \
    "$(grep -o '"rank":' "$WORK/$org.json" | wc -l)" "$(stat -c %s "$WORK/$org.json")" \
    "$(awk -v t="$t" 'BEGIN { print t * 1000 }')"
  printf '  wrk -t%s -c%s -d%ss: %s\n' "$THREADS" "$CONNECTIONS" "$DURATION" \
    "$(measure "http://127.0.0.1:$PORT/api/organisations/$org/signals")"
done
