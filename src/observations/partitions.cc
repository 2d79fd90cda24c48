#include "observations/partitions.h"

namespace shewhart::observations {
namespace {

// PostgreSQL only (SQLite keeps its one table: "SELECT 1" is its no-op). `observation` becomes a
// table partitioned by RANGE (period): one partition per calendar year from 2015 (or the earliest
// year already stored, if earlier) to five years after the later of today and the latest year
// stored, and a DEFAULT partition for any period outside them, so an import never fails for want
// of a partition. Rows already stored are copied across in the same transaction.
//
// What changes, because PostgreSQL requires the partition key in every unique constraint of a
// partitioned table:
//   - the primary key is (id, period); ids still come from the same sequence
//     (observation_id_seq), so they stay unique and keep counting on;
//   - UNIQUE (metric_id, unit_id, period) is unchanged (it holds the key), and is the index the
//     series read walks (metric_id, unit_id ... ORDER BY period) and the one "this period" reads
//     prune with;
//   - observation_history.observation_id no longer has a foreign key to observation(id): a key
//     to a partitioned table must name its partition key, and the history row does not carry the
//     period. Observations are never deleted (a correction updates the row in place and keeps
//     the old value in observation_history), so nothing can leave a history row dangling.
// The foreign keys from observation to metric, unit and import_batch, and the indexes on unit_id
// and batch_id, are kept (created on the parent, so every partition has them).
constexpr std::string_view kPartitionPostgres = R"SQL(
ALTER TABLE observation_history DROP CONSTRAINT IF EXISTS observation_history_observation_id_fkey;
ALTER SEQUENCE observation_id_seq OWNED BY NONE;
CREATE TABLE observation_partitioned (
  id BIGINT NOT NULL DEFAULT nextval('observation_id_seq'),
  metric_id BIGINT NOT NULL REFERENCES metric(id),
  unit_id BIGINT NOT NULL REFERENCES unit(id),
  period TEXT NOT NULL,
  value DOUBLE PRECISION,
  numerator DOUBLE PRECISION,
  denominator DOUBLE PRECISION,
  batch_id BIGINT NOT NULL REFERENCES import_batch(id),
  received_at TEXT NOT NULL,
  CONSTRAINT observation_id_period_pkey PRIMARY KEY (id, period),
  CONSTRAINT observation_series_period_key UNIQUE (metric_id, unit_id, period)
) PARTITION BY RANGE (period);
DO $$
DECLARE
  first_year INTEGER;
  last_year INTEGER;
BEGIN
  SELECT LEAST(2015, COALESCE(MIN(CAST(substr(period, 1, 4) AS INTEGER)), 2015)),
         GREATEST(CAST(EXTRACT(YEAR FROM CURRENT_DATE) AS INTEGER),
                  COALESCE(MAX(CAST(substr(period, 1, 4) AS INTEGER)), 0)) + 5
    INTO first_year, last_year
    FROM observation WHERE period ~ '^[0-9]{4}-';
  FOR y IN first_year..last_year LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF observation_partitioned FOR VALUES FROM (%L) TO (%L)',
                   'observation_y' || y, lpad(y::text, 4, '0') || '-01-01',
                   lpad((y + 1)::text, 4, '0') || '-01-01');
  END LOOP;
END $$;
CREATE TABLE observation_default PARTITION OF observation_partitioned DEFAULT;
INSERT INTO observation_partitioned (id, metric_id, unit_id, period, value, numerator,
                                     denominator, batch_id, received_at)
  SELECT id, metric_id, unit_id, period, value, numerator, denominator, batch_id, received_at
  FROM observation;
DROP TABLE observation;
ALTER TABLE observation_partitioned RENAME TO observation;
ALTER SEQUENCE observation_id_seq OWNED BY observation.id;
CREATE INDEX observation_unit ON observation(unit_id);
CREATE INDEX observation_batch ON observation(batch_id);
ANALYZE observation;
)SQL";

// One period of one metric for every organisation — the funnel, the benchmark, standing and the
// board's report read that (observations::ForEachStored) — without walking the metric's whole
// history in the series key (metric_id, unit_id, period). Both databases; on PostgreSQL each
// partition has it.
constexpr std::string_view kMetricPeriodIndex =
    "CREATE INDEX observation_metric_period ON observation(metric_id, period);\n";

constexpr db::Migration kMigrations[] = {
    {302, "observations: partitioned by period on PostgreSQL", "SELECT 1", kPartitionPostgres},
    {303, "observations: an index by metric and period", kMetricPeriodIndex, ""},
};

}  // namespace

std::span<const db::Migration> PartitionMigrations() { return kMigrations; }

}  // namespace shewhart::observations
