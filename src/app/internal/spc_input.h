// Reading the long-format input of `shewhart spc` into compact rows, grouped by series.
//
// The input is one row per (series, date): `series`, `date`, `value`, and optionally `target`,
// `improvement_direction`, `rebase`, `rebase_reason`, in any column order. Rows of a series need
// not be together or in date order. SpcInput validates every cell (collecting errors rather than
// stopping at the first), keeps each row as a 32-byte SpcRow, and then hands the series out in
// batches: in order of first appearance, each sorted by date, each checked for duplicate dates.
//
// Memory stays bounded: rows are buffered up to a budget derived from the memory limit; beyond
// it, they are sorted and spilled to temporary run files which are k-way merged at the end (an
// external sort). Input that is already grouped and in date order is never sorted.
//
// Thread-compatible.
//
// Example:
//   SpcInput input(options);
//   RETURN_IF_ERROR(input.Read("in.csv"));          // I/O errors only
//   if (!input.errors().empty()) ...                 // input errors, FILE:LINE:COLUMN each
//   std::vector<SeriesRows> batch;
//   while (input.NextBatch(100000, &batch).value()) { ... }
#ifndef SHEWHART_APP_INTERNAL_SPC_INPUT_H_
#define SHEWHART_APP_INTERNAL_SPC_INPUT_H_

#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/date.h"
#include "base/status.h"
#include "oversight/spc_series.h"
#include "stats/xmr.h"

namespace shewhart::app {

// One input row. `target` is the row's target, or the command-line target for an empty cell
// (NaN when neither) — except when SpcInputOptions::read_denominator is set (control charts):
// it then holds the row's denominator (NaN when missing), and only the series' target is kept
// (SpcSeriesMeta::assurance_target). Sharing the slot keeps a row at 32 bytes for the XmR path.
struct SpcRow {
  int32_t series = 0;  // index into SpcInput::series()
  Date date = 0;
  double value = 0;   // NaN = missing
  double target = 0;  // or the denominator (see above)
  int64_t line = 0;   // 1-based line of the row in the input
};
static_assert(sizeof(SpcRow) == 32);

// What the input says about one series besides its rows.
struct SpcSeriesMeta {
  std::string name;
  stats::Direction direction = stats::Direction::kIncrease;  // the cell's, else the option's
  int64_t direction_line = 0;  // line of the first non-empty improvement_direction cell; 0: none
  // Target for the assurance icon: the non-empty target cell of the latest row that has one, else
  // the command-line target.
  double assurance_target = std::numeric_limits<double>::quiet_NaN();
  Date assurance_target_date = std::numeric_limits<Date>::min();
  std::vector<oversight::Recalculation> recalculations;  // rows with rebase = 1
};

// Collects input errors: keeps the first `max_kept` messages and counts all.
class ErrorList {
 public:
  explicit ErrorList(size_t max_kept = 20) : max_kept_(max_kept) {}
  void Add(std::string message);
  bool empty() const { return count_ == 0; }
  int64_t count() const { return count_; }
  // The kept messages, one per line, then "…and N more errors" if some were dropped.
  std::string Join() const;

 private:
  size_t max_kept_;
  int64_t count_ = 0;
  std::vector<std::string> messages_;
};

struct SpcInputOptions {
  stats::Direction improvement = stats::Direction::kIncrease;  // for empty direction cells
  double target = std::numeric_limits<double>::quiet_NaN();    // for empty target cells
  size_t memory_limit_bytes = size_t{512} << 20;
  size_t max_errors = 20;
  // Control charts (shewhart spc --chart): read the `denominator` column into SpcRow::target;
  // `require_denominator`: the column must exist (p, p', u, u' charts); `proportions`: a value
  // above its denominator is an error (p, p' charts).
  bool read_denominator = false;
  bool require_denominator = false;
  bool proportions = false;
  // Several rows of one series may share a date (the measurements of one subgroup of an Xbar or
  // S chart): no duplicate-date errors.
  bool subgroups = false;
};

// The rows of one series, sorted by date. Valid until the next NextBatch().
struct SeriesRows {
  int32_t series = 0;
  std::span<const SpcRow> rows;
};

// Complete series handed out while the file is still being read (see SpcInput::SetEarlySink).
// Owns copies of its rows and of its series' metadata, so it can be used on another thread.
struct EarlyBatch {
  std::vector<SpcRow> rows;
  std::vector<SeriesRows> series;    // spans into `rows`
  std::vector<SpcSeriesMeta> metas;  // metas[i] describes series[i]
};

class SpcInput {
 public:
  explicit SpcInput(SpcInputOptions options);
  ~SpcInput();
  SpcInput(const SpcInput&) = delete;
  SpcInput& operator=(const SpcInput&) = delete;

  // Reads and validates `path`. Returns a non-OK Status only when the file cannot be read
  // (IoError) or a temporary run file cannot be written; problems with the content go to
  // errors().
  Status Read(const std::string& path);

  // Overlaps analysis with reading: while the input is grouped by series and in date order, each
  // time `batch_rows` rows of complete series have accumulated, Read() passes them to `sink` (on
  // the reading thread; the sink should hand them to another thread). If the input turns out not
  // to be in order (or has errors, or spills), early batches stop and early_batches_valid()
  // is false: the caller must discard what it made of them, and NextBatch() starts from the
  // first series. Otherwise NextBatch() continues after the last early batch.
  void SetEarlySink(std::function<void(EarlyBatch&&)> sink, size_t batch_rows);
  bool early_batches_valid() const { return streaming_; }
  int64_t early_batches() const { return early_batches_; }

  const std::vector<SpcSeriesMeta>& series() const { return series_; }
  ErrorList& errors() { return errors_; }
  // True when the file had a header and no rows.
  bool header_only() const { return header_only_; }
  // True when SpcInputOptions::read_denominator was set and the header has a denominator column:
  // SpcRow::target then holds denominators.
  bool has_denominator() const { return has_denominator_; }
  int64_t row_count() const { return row_count_; }
  int spill_runs() const { return static_cast<int>(runs_.size()); }
  // Rows buffered in memory before a spill (from the memory limit): a guide for batch sizes.
  size_t row_budget() const { return row_budget_; }

  // Fills `batch` with the next complete series, at least `target_rows` rows' worth unless the
  // input runs out. Duplicate dates within a series are reported to errors(). Returns false when
  // there are no more series. REQUIRES: Read() returned OK.
  Result<bool> NextBatch(size_t target_rows, std::vector<SeriesRows>* batch);

 private:
  struct Run;
  void EmitEarly(size_t end);
  Status Spill();
  Status PrepareMerge();
  bool PullMerged(SpcRow* row);  // false at the end; I/O errors set merge_status_
  void CheckDuplicates(const SeriesRows& s);

  SpcInputOptions options_;
  std::string path_;
  ErrorList errors_;
  std::vector<SpcSeriesMeta> series_;
  std::vector<SpcRow> rows_;
  size_t row_budget_ = 0;
  bool in_order_ = true;
  int64_t last_key_ = std::numeric_limits<int64_t>::min();
  bool header_only_ = false;
  bool has_denominator_ = false;
  int64_t row_count_ = 0;
  int date_column_ = 0;
  // Early batches.
  std::function<void(EarlyBatch&&)> sink_;
  size_t early_batch_rows_ = 0;
  bool streaming_ = false;
  size_t stream_cursor_ = 0;
  int64_t early_batches_ = 0;
  // Iteration state.
  bool prepared_ = false;
  size_t cursor_ = 0;  // in-memory path
  std::vector<std::unique_ptr<Run>> runs_;
  std::vector<int> heap_;  // run indices, min-heap on their current row
  std::vector<SpcRow> batch_rows_;
  bool have_pending_ = false;
  SpcRow pending_;
  Status merge_status_;
};

// Sorts rows by (series, date, line): a stable counting sort on the series, then a date sort of
// each series only where it is out of order. `num_series` bounds the series indices.
void SortRows(std::vector<SpcRow>* rows, size_t num_series);

}  // namespace shewhart::app

#endif  // SHEWHART_APP_INTERNAL_SPC_INPUT_H_
