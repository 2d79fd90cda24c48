#!/usr/bin/env bash
# Import throughput against the database's own bulk path, on the same file, and the time to
# recompute the stored SPC results of 100,000 series.
#
#   bash bench/import_bench.sh [UNITS] [METRICS] [MONTHS]      # default 2000 x 10 x 50 = 1M rows
#   BUILD_DIR=build-mine bash bench/import_bench.sh             # use an existing build
#
# 1. Generates an observations file (fixed seed: the same file every run): UNITS GP practices
#    under one system, METRICS metrics (half proportions with numerator and denominator, half
#    plain values), MONTHS monthly periods.
# 2. SQLite: `shewhart import observations` into a fresh database that already holds the
#    organisations and metrics — every row validated, all or nothing, provenance, and the SPC
#    results of every affected series (and the system aggregates) recomputed and stored — against
#    `sqlite3 .import` of the same file into a plain table with the same columns (no checks).
# 3. PostgreSQL 15 (a throwaway server, tools/with-postgres.sh): the same import against
#    `psql \copy` (COPY FROM STDIN) into a plain table.
#    On both, for reference, the database's floor for the same rows in observation's own table
#    (its unique key, indexes and foreign keys; no validation, no comparison, no recompute):
#    the file bulk-loaded into a plain table, then one INSERT ... SELECT joining the codes, in one
#    transaction.
#    The import's own phases (SHEWHART_IMPORT_TIMING=1) of its best run are printed too.
# 4. Recompute: imports_benchmark's BM_RecomputeAll, 100,000 series x 24 months (SQLite).
# Each timing is the best of RUNS (default 2) runs. Prints a table; bench/README.md records it.
set -euo pipefail
cd "$(dirname "$0")/.."
UNITS="${1:-2000}"
METRICS="${2:-10}"
MONTHS="${3:-50}"
RUNS="${RUNS:-2}"
BUILD_DIR="${BUILD_DIR:-build}"
SHEWHART="$BUILD_DIR/src/app/shewhart"

if [ ! -x "$SHEWHART" ] || [ ! -x "$BUILD_DIR/src/imports/imports_benchmark" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" >/dev/null
  cmake --build "$BUILD_DIR" --target shewhart imports_benchmark -j "$(nproc)"
fi
command -v sqlite3 >/dev/null || { apt-get install -y -qq sqlite3 >/dev/null; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/shewhart-import-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# ---- The files. --------------------------------------------------------------------------------
{
  echo "code,name,kind,parent"
  echo "BSYS,Bench system,system,"
  awk -v n="$UNITS" 'BEGIN { for (u = 0; u < n; u++) printf "B%05d,Practice %d,gp practice,BSYS\n", u, u }'
} >"$WORK/organisations.csv"
{
  echo "code,name,definition,numerator_definition,denominator_definition,unit,measure,multiplier,improvement_direction,frequency,domain,status"
  awk -v n="$METRICS" 'BEGIN {
    for (m = 0; m < n; m++) {
      if (m % 2) printf "BM%02d,Bench proportion %d,Def,N,D,%%,proportion,100,increase,monthly,safe,agreed\n", m, m
      else       printf "BM%02d,Bench value %d,Def,,,n,value,1,decrease,monthly,effective,agreed\n", m, m
    }
  }'
} >"$WORK/metrics.csv"
awk -v units="$UNITS" -v metrics="$METRICS" -v months="$MONTHS" 'BEGIN {
  srand(20240501)
  print "metric,unit,period,value,numerator,denominator"
  for (m = 0; m < metrics; m++)
    for (u = 0; u < units; u++) {
      level = 20 + 60 * rand()
      for (t = 0; t < months; t++) {
        y = 2019 + int(t / 12); mo = t % 12 + 1
        if (m % 2) {
          d = 80 + int(400 * rand()); k = int(d * (0.6 + 0.3 * rand()))
          printf "BM%02d,B%05d,%04d-%02d-01,,%d,%d\n", m, u, y, mo, k, d
        } else {
          printf "BM%02d,B%05d,%04d-%02d-01,%.2f,,\n", m, u, y, mo, level + 8 * (rand() - 0.5)
        }
      }
    }
}' >"$WORK/observations.csv"
ROWS=$(($(wc -l <"$WORK/observations.csv") - 1))
MB=$(du -m "$WORK/observations.csv" | cut -f1)
echo "file: $ROWS observations ($UNITS units x $METRICS metrics x $MONTHS months), $MB MB, $((UNITS * METRICS)) series"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
best() { printf '%s\n' "$@" | sort -g | head -n 1; }

PLAIN_TABLE="CREATE TABLE bulk_observation (metric TEXT, unit TEXT, period TEXT, value DOUBLE PRECISION, numerator DOUBLE PRECISION, denominator DOUBLE PRECISION);"

# shewhart import into DB (a URL made fresh by $1 = a command that resets it).
shewhart_import() {
  local url="$1" reset="$2" times=()
  for _ in $(seq "$RUNS"); do
    eval "$reset"
    "$SHEWHART" import organisations "$WORK/organisations.csv" --db "$url" --as bench >/dev/null
    "$SHEWHART" import metrics "$WORK/metrics.csv" --db "$url" --as bench >/dev/null
    local t0 t1
    t0=$(now)
    SHEWHART_IMPORT_TIMING=1 "$SHEWHART" import observations "$WORK/observations.csv" \
      --db "$url" --as bench >"$WORK/import.log" 2>"$WORK/phases.$t0"
    t1=$(now)
    local t
    t=$(elapsed "$t0" "$t1")
    times+=("$t")
    if [ "$(best "${times[@]}")" = "$t" ]; then mv "$WORK/phases.$t0" "$WORK/phases.best"; fi
    rm -f "$WORK/phases.$t0"
  done
  best "${times[@]}"
}

# The floor: the rows into observation's own table by the database's bulk path (SQL in $1 run
# by $2 after the plain load), timed from the load's start to the commit.
FLOOR_SQL="INSERT INTO import_batch (kind, file_name, sha256, actor, imported_at) VALUES ('floor', 'f', 'f', 'f', 'f');
INSERT INTO observation (metric_id, unit_id, period, value, numerator, denominator, batch_id, received_at)
  SELECT m.id, u.id, o.period, COALESCE(o.value, 100.0 * o.numerator / o.denominator), o.numerator,
         o.denominator, (SELECT MAX(id) FROM import_batch), '2026-01-01T00:00:00Z'
  FROM bulk_observation o JOIN metric m ON m.code = o.metric JOIN unit u ON u.code = o.unit;"

# ---- SQLite. -----------------------------------------------------------------------------------
SQLITE_DB="$WORK/shewhart.db"
sqlite_reset="rm -f '$SQLITE_DB' '$SQLITE_DB-wal' '$SQLITE_DB-shm'"
S_SHEWHART=$(shewhart_import "sqlite:$SQLITE_DB" "$sqlite_reset")
tail -n 2 "$WORK/import.log" | sed 's/^/  shewhart: /'
times=()
for _ in $(seq "$RUNS"); do
  rm -f "$WORK/bulk.db"
  sqlite3 "$WORK/bulk.db" "PRAGMA journal_mode=WAL;" "$PLAIN_TABLE" >/dev/null
  t0=$(now)
  sqlite3 "$WORK/bulk.db" ".import --csv --skip 1 '$WORK/observations.csv' bulk_observation"
  t1=$(now)
  times+=("$(elapsed "$t0" "$t1")")
done
S_BULK=$(best "${times[@]}")
[ "$(sqlite3 "$WORK/bulk.db" 'SELECT COUNT(*) FROM bulk_observation')" = "$ROWS" ]
cp "$WORK/phases.best" "$WORK/sqlite.phases" 2>/dev/null || true
times=()
for _ in $(seq "$RUNS"); do
  eval "$sqlite_reset"
  "$SHEWHART" import organisations "$WORK/organisations.csv" --db "sqlite:$SQLITE_DB" --as bench >/dev/null
  "$SHEWHART" import metrics "$WORK/metrics.csv" --db "sqlite:$SQLITE_DB" --as bench >/dev/null
  t0=$(now)
  sqlite3 "$SQLITE_DB" "PRAGMA foreign_keys = ON;" "BEGIN IMMEDIATE;" "$PLAIN_TABLE" \
    ".import --csv --skip 1 '$WORK/observations.csv' bulk_observation" "$FLOOR_SQL" "COMMIT;"
  t1=$(now)
  times+=("$(elapsed "$t0" "$t1")")
done
S_FLOOR=$(best "${times[@]}")
[ "$(sqlite3 "$SQLITE_DB" 'SELECT COUNT(*) FROM observation')" = "$ROWS" ]

# ---- PostgreSQL. -------------------------------------------------------------------------------
P_SHEWHART="" P_BULK="" P_FLOOR=""
if [ "${SKIP_POSTGRES:-0}" != 1 ]; then
  export SHEWHART WORK RUNS PLAIN_TABLE FLOOR_SQL ROWS
  export -f now elapsed best shewhart_import
  # shellcheck disable=SC2016  # expanded by the inner shell, where the server's URL is known
  bash tools/with-postgres.sh bash -c '
    set -euo pipefail
    URL="$SHEWHART_TEST_POSTGRES_URL"
    s=$(shewhart_import "$URL" "psql -q \"$URL\" -c \"DROP SCHEMA public CASCADE; CREATE SCHEMA public\" >/dev/null")
    times=()
    for _ in $(seq "$RUNS"); do
      psql -q "$URL" -c "DROP TABLE IF EXISTS bulk_observation" -c "$PLAIN_TABLE" >/dev/null
      t0=$(now)
      psql -q "$URL" -c "\\copy bulk_observation FROM $WORK/observations.csv WITH (FORMAT csv, HEADER true)" >/dev/null
      t1=$(now)
      times+=("$(elapsed "$t0" "$t1")")
    done
    b=$(best "${times[@]}")
    cp "$WORK/phases.best" "$WORK/pg.phases" 2>/dev/null || true
    times=()
    for _ in $(seq "$RUNS"); do
      psql -q "$URL" -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public" >/dev/null 2>&1
      "$SHEWHART" import organisations "$WORK/organisations.csv" --db "$URL" --as bench >/dev/null
      "$SHEWHART" import metrics "$WORK/metrics.csv" --db "$URL" --as bench >/dev/null
      t0=$(now)
      psql -q -v ON_ERROR_STOP=1 "$URL" -c "BEGIN" -c "$PLAIN_TABLE" \
        -c "\\copy bulk_observation FROM $WORK/observations.csv WITH (FORMAT csv, HEADER true)" \
        -c "$FLOOR_SQL" -c "COMMIT" >/dev/null
      t1=$(now)
      times+=("$(elapsed "$t0" "$t1")")
    done
    [ "$(psql -qtA "$URL" -c "SELECT COUNT(*) FROM observation")" = "$ROWS" ]
    echo "$s $b $(best "${times[@]}")" >"$WORK/pg.times"
  ' 2>"$WORK/pg.log" || { cat "$WORK/pg.log" >&2; echo "PostgreSQL run failed" >&2; }
  if [ -f "$WORK/pg.times" ]; then read -r P_SHEWHART P_BULK P_FLOOR <"$WORK/pg.times"; fi
fi

# ---- Recompute of 100,000 series. --------------------------------------------------------------
RECOMPUTE_MS=""
if [ "${SKIP_RECOMPUTE:-0}" != 1 ]; then
  RECOMPUTE_MS=$("$BUILD_DIR/src/imports/imports_benchmark" --benchmark_filter=RecomputeAll \
    --benchmark_format=csv 2>/dev/null | awk -F, '/BM_RecomputeAll/ { print $3 }')
fi

# ---- Report. -----------------------------------------------------------------------------------
rate() { awk -v r="$ROWS" -v t="$1" 'BEGIN { printf "%.0f", r / t }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
printf "%-11s %-44s %9s %12s\n" "database" "path" "seconds" "rows/s"
printf "%-11s %-44s %9s %12s\n" "sqlite" "shewhart import observations" "$S_SHEWHART" "$(rate "$S_SHEWHART")"
printf "%-11s %-44s %9s %12s\n" "sqlite" "sqlite3 .import (plain table)" "$S_BULK" "$(rate "$S_BULK")"
printf "%-11s %-44s %9s %12s\n" "sqlite" "floor: .import + INSERT into observation" "$S_FLOOR" "$(rate "$S_FLOOR")"
echo "sqlite: shewhart runs at $(ratio "$S_BULK" "$S_SHEWHART") x the bulk path's speed" \
  "(the floor into observation's own table: $(ratio "$S_BULK" "$S_FLOOR"))"
[ ! -f "$WORK/sqlite.phases" ] || sed 's/^/  sqlite /' "$WORK/sqlite.phases"
if [ -n "$P_SHEWHART" ]; then
  printf "%-11s %-44s %9s %12s\n" "postgresql" "shewhart import observations" "$P_SHEWHART" "$(rate "$P_SHEWHART")"
  printf "%-11s %-44s %9s %12s\n" "postgresql" "psql \\copy (COPY, plain table)" "$P_BULK" "$(rate "$P_BULK")"
  printf "%-11s %-44s %9s %12s\n" "postgresql" "floor: \\copy + INSERT into observation" "$P_FLOOR" "$(rate "$P_FLOOR")"
  echo "postgresql: shewhart runs at $(ratio "$P_BULK" "$P_SHEWHART") x the bulk path's speed" \
    "(the floor into observation's own table: $(ratio "$P_BULK" "$P_FLOOR"))"
  [ ! -f "$WORK/pg.phases" ] || sed 's/^/  postgresql /' "$WORK/pg.phases"
fi
[ -z "$RECOMPUTE_MS" ] ||
  echo "recompute of 100,000 series x 24 months (SQLite, stored): $RECOMPUTE_MS ms"
