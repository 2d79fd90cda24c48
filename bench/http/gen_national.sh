#!/usr/bin/env bash
# A national-scale Shewhart database in SQLite, the same every run (deterministic values):
#   - 1 nation (ENG), 42 systems (QE01..QE42) and 7,000 organisations (220 acute trusts R0001..,
#     6,780 GP practices P00221..), each under one system — `shewhart import organisations`;
#   - 100 agreed metrics (NM001..NM100), a third with a target — `shewhart import metrics`;
#   - 5 years of monthly observations (2019-01 .. 2023-12) for every organisation x metric
#     (42 million rows): the first 59 months straight into the table by bulk SQL (one import
#     batch), the last month through `shewhart import observations`, which validates it and
#     recomputes and stores the SPC result of all 700,000 series and the 4,300 system and nation
#     aggregates — the stored results the board and series endpoints read.
# One series in ten has a genuine shift in its last year, so the board has signals.
#
#   bash bench/http/gen_national.sh SHEWHART_BINARY DB_FILE [ORGS] [METRICS] [MONTHS]
set -euo pipefail
SHEWHART="$1"
DB_FILE="$2"
ORGS="${3:-7000}"
METRICS="${4:-100}"
MONTHS="${5:-60}"
DB="sqlite:$DB_FILE"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/shewhart-national.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

rm -f "$DB_FILE" "$DB_FILE-wal" "$DB_FILE-shm"
"$SHEWHART" init --db "$DB" >/dev/null
{
  echo "code,name,kind,parent"
  echo "ENG,England,nation,"
  for s in $(seq 1 42); do printf 'QE%02d,Integrated Care System %d,system,ENG\n' "$s" "$s"; done
  awk -v n="$ORGS" 'BEGIN {
    for (i = 1; i <= n; i++) {
      if (i <= 220) printf "R%04d,Acute Trust %d,acute trust,QE%02d\n", i, i, (i % 42) + 1
      else          printf "P%05d,GP Practice %d,gp practice,QE%02d\n", i, i, (i % 42) + 1
    }
  }'
} >"$WORK/organisations.csv"
{
  echo "code,name,definition,unit,measure,improvement_direction,frequency,domain,target,target_from,status"
  awk -v n="$METRICS" 'BEGIN {
    split("safe,effective,caring,responsive,well-led,workforce,improvement capability", d, ",")
    for (m = 1; m <= n; m++) {
      dir = (m % 2) ? "increase" : "decrease"
      target = (m % 3 == 0) ? ((m % 2) ? "52" : "48") : ""
      from = target == "" ? "" : "2019-01-01"
      printf "NM%03d,National metric %d,Generated metric %d for the benchmark,score,value,%s,monthly,%s,%s,%s,agreed\n",
             m, m, m, dir, d[(m % 7) + 1], target, from
    }
  }'
} >"$WORK/metrics.csv"
"$SHEWHART" import organisations "$WORK/organisations.csv" --db "$DB" --as bench >/dev/null
"$SHEWHART" import metrics "$WORK/metrics.csv" --db "$DB" --as bench >/dev/null

# The value of (metric m, unit u, month t): a level per series, deterministic noise, and a shift
# of +/-9 in the last 12 months for one series in ten. The same SQL expression makes the bulk
# rows and the last month's file.
VALUE="(40.0 + ((u.id * 7 + m.id * 13) % 20) + ((u.id * 2654435761 + m.id * 40503 + t.n * 9973) % 1000) / 125.0 - 4.0
        + CASE WHEN (u.id + m.id) % 10 = 0 AND t.n >= $((MONTHS - 12)) THEN (CASE WHEN m.id % 2 = 0 THEN 9.0 ELSE -9.0 END) ELSE 0 END)"
PERIOD="printf('%04d-%02d-01', 2019 + t.n / 12, t.n % 12 + 1)"
ORGS_SQL="u.kind NOT IN ('nation', 'system')"
t0=$(date +%s)
sqlite3 "$DB_FILE" <<SQL
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -1000000;
BEGIN;
INSERT INTO import_batch (kind, file_name, sha256, actor, imported_at)
  VALUES ('observations', 'bench/http/gen_national.sh (bulk SQL)', '-', 'bench', '2024-01-05T00:00:00Z');
WITH RECURSIVE t(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM t WHERE n + 1 < $((MONTHS - 1)))
INSERT INTO observation (metric_id, unit_id, period, value, numerator, denominator, batch_id, received_at)
SELECT m.id, u.id, $PERIOD, round($VALUE, 2), NULL, NULL,
       (SELECT MAX(id) FROM import_batch), $PERIOD || 'T00:00:00Z'
FROM metric m, unit u, t WHERE $ORGS_SQL ORDER BY m.id, u.id, t.n;
COMMIT;
SQL
t1=$(date +%s)
echo "bulk SQL: $(sqlite3 "$DB_FILE" 'SELECT COUNT(*) FROM observation') observations in $((t1 - t0)) s"

# The last month, through the services (validation, provenance, SPC recompute of every series).
sqlite3 -csv "$DB_FILE" "SELECT 'metric','unit','period','value'" >"$WORK/last.csv"
sqlite3 -csv "$DB_FILE" <<SQL >>"$WORK/last.csv"
WITH t(n) AS (SELECT $((MONTHS - 1)))
SELECT m.code, u.code, $PERIOD, printf('%.2f', round($VALUE, 2))
FROM metric m, unit u, t WHERE $ORGS_SQL ORDER BY m.id, u.id;
SQL
t0=$(date +%s)
"$SHEWHART" import observations "$WORK/last.csv" --db "$DB" --as bench | tail -n 3
t1=$(date +%s)
echo "import of the last month with recompute of every series: $((t1 - t0)) s"
sqlite3 "$DB_FILE" "SELECT 'stored SPC results: ' || COUNT(*) || ' (' || SUM(aggregate) || ' aggregates)' FROM spc_result"
