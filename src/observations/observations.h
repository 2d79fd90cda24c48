// observations: the numbers themselves — one value (or numerator and denominator) of one metric
// for one unit for one period — with where each came from, the corrections made to it, and the
// submissions organisations owe.
//
// Provenance: every observation points to the import batch that last set it (who, when, which
// file, the SHA-256 of its content) and remembers when it was first received (for timeliness).
// A correction never overwrites silently: the old value, numerator, denominator and batch move to
// observation_history with the batch and person that replaced them.
//
// Submissions: an expectation says a unit owes a metric every period from `first_period` (to
// `last_period`, or open-ended), due `due_days` days after the period ends. Completeness and
// timeliness per unit are computed from the observations' first-received times.
//
// Writes run inside the caller's transaction (the import's one transaction).
// Thread-compatible.
//
// Example:
//   ASSIGN_OR_RETURN(int64_t batch, observations::InsertBatch(*conn, {"observations",
//                    "q1.csv", sha, "cli:ana", "2024-05-02T10:00:00Z"}));
//   RETURN_IF_ERROR(observations::InsertObservations(*conn, rows, batch, "2024-05-02T10:00:00Z"));
#ifndef SHEWHART_OBSERVATIONS_OBSERVATIONS_H_
#define SHEWHART_OBSERVATIONS_OBSERVATIONS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/date.h"
#include "base/status.h"
#include "db/db.h"
#include "db/migrate.h"

namespace shewhart::observations {

// The schema of this part (import batches, observations, history, submission expectations).
// Versions 300-399.
std::span<const db::Migration> Migrations();

struct Observation {
  int64_t metric_id = 0;
  int64_t unit_id = 0;
  Date period = 0;
  std::optional<double> value;  // nullopt only for a ratio whose denominator is 0
  std::optional<double> numerator;
  std::optional<double> denominator;

  // Same numbers (exact comparison: values round-trip exactly through both databases).
  bool SameNumbers(const Observation& o) const {
    return value == o.value && numerator == o.numerator && denominator == o.denominator;
  }
};

struct StoredObservation {
  int64_t id = 0;
  Observation obs;
  int64_t batch_id = 0;
};

struct Batch {
  std::string kind;         // "observations", "organisations", "metrics", "demo"
  std::string file_name;    // as given by the person importing
  std::string sha256;       // hex digest of the file's bytes
  std::string actor;        // "cli:ana", "user:ana@nhs.net"
  std::string imported_at;  // ISO 8601 UTC
};

// Records an import batch; returns its id.
Result<int64_t> InsertBatch(db::Connection& conn, const Batch& batch);
// Stores the counts of a batch once known.
Status SetBatchCounts(db::Connection& conn, int64_t batch_id, int64_t added, int64_t changed,
                      int64_t unchanged);

// Stored observations of `metric_id` with period in [from, to], in (unit, period) order.
Status ForEachStored(db::Connection& conn, int64_t metric_id, Date from, Date to,
                     const std::function<void(const StoredObservation&)>& fn);

// Stored observations of ONE series (`metric_id` for `unit_id`), in period order. Reads only
// that series (the (metric, unit, period) key), not the whole metric.
Status ForEachInSeries(db::Connection& conn, int64_t metric_id, int64_t unit_id,
                       const std::function<void(const StoredObservation&)>& fn);

// Inserts new observations (all from `batch_id`, first received at `received_at`) with one
// prepared statement. AlreadyExists if one is already stored (a concurrent import got there).
Status InsertObservations(db::Connection& conn, std::span<const Observation> rows, int64_t batch_id,
                          std::string_view received_at);

struct Correction {
  StoredObservation before;
  Observation after;
};
// Moves each old value into history (with `batch_id` and `actor` as who replaced it, at `at`) and
// stores the new numbers with `batch_id`.
Status ApplyCorrections(db::Connection& conn, std::span<const Correction> corrections,
                        int64_t batch_id, std::string_view actor, std::string_view at);

struct HistoryEntry {
  std::optional<double> value, numerator, denominator;  // the old numbers
  int64_t batch_id = 0;                                 // the batch that had set them
  int64_t replaced_by_batch = 0;                        // the batch that corrected them
  std::string replaced_by;                              // who
  std::string replaced_at;                              // when
};
// Corrections of one observation, oldest first.
Result<std::vector<HistoryEntry>> HistoryOf(db::Connection& conn, int64_t metric_id,
                                            int64_t unit_id, Date period);

// Every observation joined with its metric and unit code, ordered by metric code, unit code,
// period (the export order).
struct ExportRow {
  std::string metric;
  std::string unit;
  Date period = 0;
  std::optional<double> value, numerator, denominator;
};
Status ForEachForExport(db::Connection& conn, const std::function<void(const ExportRow&)>& fn);

// Submission expectations and their fulfilment.
struct Expectation {
  int64_t unit_id = 0;
  int64_t metric_id = 0;
  Date first_period = 0;
  std::optional<Date> last_period;
  int32_t due_days = 20;  // days after the end of the period
};
Status UpsertExpectation(db::Connection& conn, const Expectation& e, std::string_view actor,
                         std::string_view at);
// Sets the first-received time of one observation (the demo back-dates its submissions).
Status SetReceivedAt(db::Connection& conn, int64_t metric_id, int64_t unit_id, Date period,
                     std::string_view received_at);

struct SubmissionStatus {
  int64_t unit_id = 0;
  std::string unit_code;
  int64_t expected = 0;  // periods owed up to `as_of` (monthly expectations)
  int64_t received = 0;  // of which an observation exists
  int64_t on_time = 0;   // of which first received by the due date
  double completeness() const { return expected ? double(received) / double(expected) : 1.0; }
  double timeliness() const { return received ? double(on_time) / double(received) : 1.0; }
};
// Completeness and timeliness per unit over its monthly expectations for periods whose due date
// is on or before `as_of`. Ordered by unit code.
Result<std::vector<SubmissionStatus>> Submissions(db::Connection& conn, Date as_of);

// The date submissions are judged at when none is asked for: the due date (under the longest
// due_days of any expectation) of the LATEST PERIOD LOADED for any expected series, or `today`
// if that is earlier or nothing is loaded — so that data ending in March 2024 do not make every
// later month "owed" (issue 16). *latest (optional) receives that latest period.
Result<Date> DefaultSubmissionsAsOf(db::Connection& conn, Date today,
                                    std::optional<Date>* latest = nullptr);

// The first day of the month after `period` plus `days` days (the due date of a monthly period).
Date DueDate(Date period, int32_t days);

}  // namespace shewhart::observations

#endif  // SHEWHART_OBSERVATIONS_OBSERVATIONS_H_
