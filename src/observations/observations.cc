#include "observations/observations.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <vector>

#include "observations/partitions.h"

namespace shewhart::observations {
namespace {

#define SHEWHART_OBSERVATIONS_SCHEMA(PK, FK)                                       \
  "CREATE TABLE import_batch (\n"                                                  \
  "  id " PK                                                                       \
  ",\n"                                                                            \
  "  kind TEXT NOT NULL,\n"                                                        \
  "  file_name TEXT NOT NULL,\n"                                                   \
  "  sha256 TEXT NOT NULL,\n"                                                      \
  "  actor TEXT NOT NULL,\n"                                                       \
  "  imported_at TEXT NOT NULL,\n"                                                 \
  "  rows_added BIGINT NOT NULL DEFAULT 0,\n"                                      \
  "  rows_changed BIGINT NOT NULL DEFAULT 0,\n"                                    \
  "  rows_unchanged BIGINT NOT NULL DEFAULT 0\n"                                   \
  ");\n"                                                                           \
  "CREATE TABLE observation (\n"                                                   \
  "  id " PK                                                                       \
  ",\n"                                                                            \
  "  metric_id " FK                                                                \
  " NOT NULL REFERENCES metric(id),\n"                                             \
  "  unit_id " FK                                                                  \
  " NOT NULL REFERENCES unit(id),\n"                                               \
  "  period TEXT NOT NULL,\n"                                                      \
  "  value DOUBLE PRECISION,\n"                                                    \
  "  numerator DOUBLE PRECISION,\n"                                                \
  "  denominator DOUBLE PRECISION,\n"                                              \
  "  batch_id " FK                                                                 \
  " NOT NULL REFERENCES import_batch(id),\n"                                       \
  "  received_at TEXT NOT NULL,\n"                                                 \
  "  UNIQUE (metric_id, unit_id, period)\n"                                        \
  ");\n"                                                                           \
  "CREATE INDEX observation_unit ON observation(unit_id);\n"                       \
  "CREATE INDEX observation_batch ON observation(batch_id);\n"                     \
  "CREATE TABLE observation_history (\n"                                           \
  "  id " PK                                                                       \
  ",\n"                                                                            \
  "  observation_id " FK                                                           \
  " NOT NULL REFERENCES observation(id),\n"                                        \
  "  value DOUBLE PRECISION,\n"                                                    \
  "  numerator DOUBLE PRECISION,\n"                                                \
  "  denominator DOUBLE PRECISION,\n"                                              \
  "  batch_id " FK                                                                 \
  " NOT NULL REFERENCES import_batch(id),\n"                                       \
  "  replaced_by_batch_id " FK                                                     \
  " NOT NULL REFERENCES import_batch(id),\n"                                       \
  "  replaced_by TEXT NOT NULL,\n"                                                 \
  "  replaced_at TEXT NOT NULL\n"                                                  \
  ");\n"                                                                           \
  "CREATE INDEX observation_history_obs ON observation_history(observation_id);\n" \
  "CREATE TABLE submission_expectation (\n"                                        \
  "  id " PK                                                                       \
  ",\n"                                                                            \
  "  unit_id " FK                                                                  \
  " NOT NULL REFERENCES unit(id),\n"                                               \
  "  metric_id " FK                                                                \
  " NOT NULL REFERENCES metric(id),\n"                                             \
  "  first_period TEXT NOT NULL,\n"                                                \
  "  last_period TEXT,\n"                                                          \
  "  due_days INTEGER NOT NULL,\n"                                                 \
  "  created_by TEXT NOT NULL,\n"                                                  \
  "  created_at TEXT NOT NULL,\n"                                                  \
  "  UNIQUE (unit_id, metric_id)\n"                                                \
  ");\n"

constexpr db::Migration kMigrations[] = {
    {301, "observations: batches, observations, history, submissions",
     SHEWHART_OBSERVATIONS_SCHEMA("INTEGER PRIMARY KEY", "INTEGER"),
     SHEWHART_OBSERVATIONS_SCHEMA("BIGSERIAL PRIMARY KEY", "BIGINT")},
};

constexpr std::string_view kInsertBatch =
    "INSERT INTO import_batch (kind, file_name, sha256, actor, imported_at) "
    "VALUES (?, ?, ?, ?, ?) RETURNING id";
constexpr std::string_view kSetBatchCounts =
    "UPDATE import_batch SET rows_added = ?, rows_changed = ?, rows_unchanged = ? WHERE id = ?";
constexpr std::string_view kSelectStored =
    "SELECT id, unit_id, period, value, numerator, denominator, batch_id FROM observation "
    "WHERE metric_id = ? AND period >= ? AND period <= ? ORDER BY unit_id, period";
constexpr std::string_view kSelectSeries =
    "SELECT id, period, value, numerator, denominator, batch_id FROM observation "
    "WHERE metric_id = ? AND unit_id = ? ORDER BY period";
constexpr std::string_view kInsertHistory =
    "INSERT INTO observation_history (observation_id, value, numerator, denominator, batch_id, "
    "replaced_by_batch_id, replaced_by, replaced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
constexpr std::string_view kUpdateObservation =
    "UPDATE observation SET value = ?, numerator = ?, denominator = ?, batch_id = ? WHERE id = ?";
constexpr std::string_view kSelectHistory =
    "SELECT h.value, h.numerator, h.denominator, h.batch_id, h.replaced_by_batch_id, "
    "h.replaced_by, h.replaced_at FROM observation_history h "
    "JOIN observation o ON o.id = h.observation_id "
    "WHERE o.metric_id = ? AND o.unit_id = ? AND o.period = ? ORDER BY h.id";
constexpr std::string_view kSelectExport =
    "SELECT m.code, u.code, o.period, o.value, o.numerator, o.denominator FROM observation o "
    "JOIN metric m ON m.id = o.metric_id JOIN unit u ON u.id = o.unit_id "
    "ORDER BY m.code, u.code, o.period";
constexpr std::string_view kSelectExpectation =
    "SELECT id FROM submission_expectation WHERE unit_id = ? AND metric_id = ?";
constexpr std::string_view kInsertExpectation =
    "INSERT INTO submission_expectation (unit_id, metric_id, first_period, last_period, "
    "due_days, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
constexpr std::string_view kUpdateExpectation =
    "UPDATE submission_expectation SET first_period = ?, last_period = ?, due_days = ? "
    "WHERE id = ?";
constexpr std::string_view kSetReceivedAt =
    "UPDATE observation SET received_at = ? WHERE metric_id = ? AND unit_id = ? AND period = ?";
constexpr std::string_view kSelectExpectations =
    "SELECT e.unit_id, u.code, e.metric_id, e.first_period, e.last_period, e.due_days "
    "FROM submission_expectation e JOIN unit u ON u.id = e.unit_id ORDER BY u.code, e.metric_id";
constexpr std::string_view kSelectReceived =
    "SELECT period, received_at FROM observation WHERE metric_id = ? AND unit_id = ?";

constexpr std::string_view kSelectLatestExpected =
    "SELECT MAX(o.period), MAX(e.due_days) FROM observation o JOIN submission_expectation e "
    "ON e.unit_id = o.unit_id AND e.metric_id = o.metric_id";

constexpr size_t kChunkRows = 8192;

// New observations go in through the database's bulk path (COPY FROM STDIN on PostgreSQL, one
// reused prepared INSERT on SQLite), straight into `observation`: they are new by construction
// (the import compared the file with what is stored, in the same transaction), and the table's
// unique key still refuses a duplicate. All or nothing: inside the import's transaction.
constexpr std::string_view kObservationColumns[] = {"metric_id", "unit_id",     "period",
                                                    "value",     "numerator",   "denominator",
                                                    "batch_id",  "received_at"};

// Corrections on PostgreSQL: COPY the new numbers into a session's staging table, then merge in
// two statements (the history of what they replace, then the update), in the same transaction.
constexpr size_t kStagedCorrectionsFrom = 256;
constexpr std::string_view kCreateCorrectionStaging =
    "CREATE TEMP TABLE IF NOT EXISTS observation_correction_staging (id BIGINT PRIMARY KEY, "
    "value DOUBLE PRECISION, numerator DOUBLE PRECISION, denominator DOUBLE PRECISION)";
constexpr std::string_view kClearCorrectionStaging = "DELETE FROM observation_correction_staging";
constexpr std::string_view kCorrectionStagingColumns[] = {"id", "value", "numerator",
                                                          "denominator"};
constexpr std::string_view kMergeHistory =
    "INSERT INTO observation_history (observation_id, value, numerator, denominator, batch_id, "
    "replaced_by_batch_id, replaced_by, replaced_at) "
    "SELECT o.id, o.value, o.numerator, o.denominator, o.batch_id, CAST(? AS BIGINT), "
    "CAST(? AS TEXT), CAST(? AS TEXT) FROM observation_correction_staging s "
    "JOIN observation o ON o.id = s.id ORDER BY o.id";
constexpr std::string_view kMergeUpdate =
    "UPDATE observation SET value = s.value, numerator = s.numerator, "
    "denominator = s.denominator, batch_id = CAST(? AS BIGINT) "
    "FROM observation_correction_staging s WHERE observation.id = s.id";

db::Value DateValue(Date d) { return db::Value(FormatIsoDate(d)); }

Date AddMonths(Date d, int months) {
  const CivilDate c = CivilFromDays(d);
  const int32_t total = c.year * 12 + (c.month - 1) + months;
  return DaysFromCivil(total / 12, total % 12 + 1, 1);
}

}  // namespace

std::span<const db::Migration> Migrations() {
  // The tables (here), then PostgreSQL's partitioning of observation (partitions.cc).
  static const std::vector<db::Migration> all = [] {
    std::vector<db::Migration> v(std::begin(kMigrations), std::end(kMigrations));
    const std::span<const db::Migration> partitions = PartitionMigrations();
    v.insert(v.end(), partitions.begin(), partitions.end());
    std::sort(v.begin(), v.end(),
              [](const db::Migration& a, const db::Migration& b) { return a.version < b.version; });
    return v;
  }();
  return all;
}

Result<int64_t> InsertBatch(db::Connection& conn, const Batch& b) {
  return conn.ExecuteReturningId(kInsertBatch,
                                 {b.kind, b.file_name, b.sha256, b.actor, b.imported_at});
}

Status SetBatchCounts(db::Connection& conn, int64_t batch_id, int64_t added, int64_t changed,
                      int64_t unchanged) {
  return conn.Execute(kSetBatchCounts, {added, changed, unchanged, batch_id});
}

Status ForEachStored(db::Connection& conn, int64_t metric_id, Date from, Date to,
                     const std::function<void(const StoredObservation&)>& fn) {
  StoredObservation s;
  s.obs.metric_id = metric_id;
  return conn.Query(kSelectStored, {metric_id, FormatIsoDate(from), FormatIsoDate(to)},
                    [&](const db::Row& r) {
                      s.id = r.Int(0);
                      s.obs.unit_id = r.Int(1);
                      s.obs.period = ParseIsoDate(r.Text(2)).value_or(0);
                      s.obs.value = r.OptionalDouble(3);
                      s.obs.numerator = r.OptionalDouble(4);
                      s.obs.denominator = r.OptionalDouble(5);
                      s.batch_id = r.Int(6);
                      fn(s);
                      return db::Flow::kContinue;
                    });
}

Status ForEachInSeries(db::Connection& conn, int64_t metric_id, int64_t unit_id,
                       const std::function<void(const StoredObservation&)>& fn) {
  StoredObservation s;
  s.obs.metric_id = metric_id;
  s.obs.unit_id = unit_id;
  return conn.Query(kSelectSeries, {metric_id, unit_id}, [&](const db::Row& r) {
    s.id = r.Int(0);
    s.obs.period = ParseIsoDate(r.Text(1)).value_or(0);
    s.obs.value = r.OptionalDouble(2);
    s.obs.numerator = r.OptionalDouble(3);
    s.obs.denominator = r.OptionalDouble(4);
    s.batch_id = r.Int(5);
    fn(s);
    return db::Flow::kContinue;
  });
}

Status InsertObservations(db::Connection& conn, std::span<const Observation> rows, int64_t batch_id,
                          std::string_view received_at) {
  // One chunk of rows, allocated once and overwritten in place (its strings keep their buffers).
  std::vector<std::vector<db::Value>> chunk(std::min(rows.size(), kChunkRows),
                                            std::vector<db::Value>(std::size(kObservationColumns)));
  const db::Value received{received_at};
  size_t n = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Observation& o = rows[i];
    std::vector<db::Value>& r = chunk[n++];
    r[0] = o.metric_id;
    r[1] = o.unit_id;
    r[2] = DateValue(o.period);
    r[3] = o.value;
    r[4] = o.numerator;
    r[5] = o.denominator;
    r[6] = batch_id;
    r[7] = received;
    if (n == chunk.size() || i + 1 == rows.size()) {
      RETURN_IF_ERROR(conn.BulkInsert("observation", kObservationColumns,
                                      std::span<const std::vector<db::Value>>(chunk.data(), n)));
      n = 0;
    }
  }
  return Status::Ok();
}

Status ApplyCorrections(db::Connection& conn, std::span<const Correction> corrections,
                        int64_t batch_id, std::string_view actor, std::string_view at) {
  if (conn.dialect() == db::Dialect::kPostgres && corrections.size() >= kStagedCorrectionsFrom) {
    std::vector<std::vector<db::Value>> staged;
    staged.reserve(corrections.size());
    for (const Correction& c : corrections) {
      staged.push_back({c.before.id, c.after.value, c.after.numerator, c.after.denominator});
    }
    RETURN_IF_ERROR(conn.Execute(kCreateCorrectionStaging));
    RETURN_IF_ERROR(conn.Execute(kClearCorrectionStaging));
    RETURN_IF_ERROR(conn.BulkInsert("observation_correction_staging", kCorrectionStagingColumns,
                                    staged));
    RETURN_IF_ERROR(conn.Execute(kMergeHistory, {batch_id, actor, at}));
    RETURN_IF_ERROR(conn.Execute(kMergeUpdate, {batch_id}));
    return conn.Execute(kClearCorrectionStaging);
  }
  std::vector<std::vector<db::Value>> history, updates;
  for (const Correction& c : corrections) {
    history.push_back({c.before.id, c.before.obs.value, c.before.obs.numerator,
                       c.before.obs.denominator, c.before.batch_id, batch_id, actor, at});
    updates.push_back(
        {c.after.value, c.after.numerator, c.after.denominator, batch_id, c.before.id});
  }
  if (corrections.empty()) return Status::Ok();
  RETURN_IF_ERROR(conn.ExecuteMany(kInsertHistory, history));
  return conn.ExecuteMany(kUpdateObservation, updates);
}

Result<std::vector<HistoryEntry>> HistoryOf(db::Connection& conn, int64_t metric_id,
                                            int64_t unit_id, Date period) {
  std::vector<HistoryEntry> out;
  RETURN_IF_ERROR(conn.Query(
      kSelectHistory, {metric_id, unit_id, FormatIsoDate(period)}, [&](const db::Row& r) {
        out.push_back({r.OptionalDouble(0), r.OptionalDouble(1), r.OptionalDouble(2), r.Int(3),
                       r.Int(4), r.Text(5), r.Text(6)});
        return db::Flow::kContinue;
      }));
  return out;
}

Status ForEachForExport(db::Connection& conn, const std::function<void(const ExportRow&)>& fn) {
  ExportRow e;
  return conn.Query(kSelectExport, {}, [&](const db::Row& r) {
    e.metric = r.Text(0);
    e.unit = r.Text(1);
    e.period = ParseIsoDate(r.Text(2)).value_or(0);
    e.value = r.OptionalDouble(3);
    e.numerator = r.OptionalDouble(4);
    e.denominator = r.OptionalDouble(5);
    fn(e);
    return db::Flow::kContinue;
  });
}

Status UpsertExpectation(db::Connection& conn, const Expectation& e, std::string_view actor,
                         std::string_view at) {
  const db::Value last = e.last_period ? DateValue(*e.last_period) : db::Value();
  ASSIGN_OR_RETURN(std::optional<db::Row> row,
                   conn.QueryRow(kSelectExpectation, {e.unit_id, e.metric_id}));
  if (row) {
    return conn.Execute(kUpdateExpectation,
                        {DateValue(e.first_period), last, e.due_days, row->Int(0)});
  }
  return conn.Execute(kInsertExpectation, {e.unit_id, e.metric_id, DateValue(e.first_period), last,
                                           e.due_days, actor, at});
}

Status SetReceivedAt(db::Connection& conn, int64_t metric_id, int64_t unit_id, Date period,
                     std::string_view received_at) {
  return conn.Execute(kSetReceivedAt, {received_at, metric_id, unit_id, FormatIsoDate(period)});
}

Date DueDate(Date period, int32_t days) { return AddMonths(period, 1) + days; }

Result<Date> DefaultSubmissionsAsOf(db::Connection& conn, Date today, std::optional<Date>* latest) {
  ASSIGN_OR_RETURN(std::optional<db::Row> row, conn.QueryRow(kSelectLatestExpected, {}));
  if (!row || !row->OptionalText(0)) return today;
  const std::optional<Date> period = ParseIsoDate(*row->OptionalText(0));
  if (!period) return today;
  if (latest != nullptr) *latest = period;
  const int32_t due_days = static_cast<int32_t>(row->OptionalInt(1).value_or(0));
  return std::min(today, DueDate(*period, due_days));
}

Result<std::vector<SubmissionStatus>> Submissions(db::Connection& conn, Date as_of) {
  struct Exp {
    int64_t unit_id, metric_id;
    std::string unit_code;
    Date first;
    std::optional<Date> last;
    int32_t due_days;
  };
  std::vector<Exp> exps;
  RETURN_IF_ERROR(conn.Query(kSelectExpectations, {}, [&](const db::Row& r) {
    exps.push_back({r.Int(0), r.Int(2), r.Text(1), ParseIsoDate(r.Text(3)).value_or(0),
                    r.OptionalText(4) ? ParseIsoDate(*r.OptionalText(4)) : std::nullopt,
                    static_cast<int32_t>(r.Int(5))});
    return db::Flow::kContinue;
  }));
  std::vector<SubmissionStatus> out;
  for (const Exp& e : exps) {
    if (out.empty() || out.back().unit_id != e.unit_id) {
      out.push_back(SubmissionStatus{e.unit_id, e.unit_code, 0, 0, 0});
    }
    std::map<Date, std::string> received;
    RETURN_IF_ERROR(conn.Query(kSelectReceived, {e.metric_id, e.unit_id}, [&](const db::Row& r) {
      if (auto d = ParseIsoDate(r.Text(0))) received[*d] = r.Text(1);
      return db::Flow::kContinue;
    }));
    SubmissionStatus& s = out.back();
    for (Date p = e.first; (!e.last || p <= *e.last) && DueDate(p, e.due_days) <= as_of;
         p = AddMonths(p, 1)) {
      ++s.expected;
      const auto it = received.find(p);
      if (it == received.end()) continue;
      ++s.received;
      // received_at is ISO 8601: its first 10 characters are the date it arrived.
      const std::optional<Date> got = ParseIsoDate(std::string_view(it->second).substr(0, 10));
      if (got && *got <= DueDate(p, e.due_days)) ++s.on_time;
    }
  }
  return out;
}

}  // namespace shewhart::observations
