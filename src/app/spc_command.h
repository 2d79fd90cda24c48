// `shewhart spc`: Making Data Count XmR analysis of many series from one long-format CSV file.
//
// The command reads rows of (series, date, value[, target, improvement_direction, rebase,
// rebase_reason]), groups them by series, runs each series through oversight::AnalyseSpcSeries
// and writes two files: one row per point (limits, special-cause rule, point type) and one row per
// series (icons, counts, warnings), as CSV or JSON, plus optional charts. It is built for scale
// (millions of rows): the input is streamed, rows are kept compactly with an external sort beyond
// the memory limit, and series are analysed and formatted in parallel.
//
// All or nothing: on any failure no output file is left behind. Input problems are collected (up to
// 20 reported, the rest counted) and returned as one InvalidArgument whose message has one
// `FILE:LINE:COLUMN: what was found; what was expected` line per problem; the command line maps
// InvalidArgument to exit status 2 and any other failure to 1.
//
// Example:
//   SpcCommandOptions o;
//   o.input = "ae.csv"; o.points_path = "points.csv"; o.summary_path = "series.csv";
//   std::string notes;
//   Status s = RunSpcCommand(o, &notes);
#ifndef SHEWHART_APP_SPC_COMMAND_H_
#define SHEWHART_APP_SPC_COMMAND_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace shewhart::app {

struct SpcCommandOptions {
  std::string input;           // the CSV file to read
  std::string points_path;     // -o: one row per point
  std::string summary_path;    // --summary: one row per series
  std::string format = "csv";  // "csv" or "json"
  // Default improvement direction for series whose improvement_direction cells are empty:
  // "increase", "decrease" or "neutral".
  std::string improvement = "increase";
  std::optional<double> target;             // default target for empty target cells
  std::vector<std::string> rebase;          // YYYY-MM-DD recalculation dates for every series
  std::vector<std::string> rebase_reasons;  // i-th reason for the i-th rebase date
  int32_t fix_after = 0;    // 0: limits from all points; >= 12: from the first N of each group
  bool no_screen = false;   // turn off moving-range screening (MDC Excel tool behaviour)
  int32_t rule_length = 7;  // 7 or 6
  // Empty: the Making Data Count XmR analysis. Otherwise a qicharts2 chart type (run, i, mr,
  // xbar, s, t, p, pp, c, u, up, g): see app/internal/control_chart_series.h.
  std::string chart;
  std::string plot_dir;  // empty: no charts
  int32_t threads = 0;   // 0: all cores
  int64_t memory_limit_mb = 512;
};

// Runs the command. OK on success; InvalidArgument when the input or options are wrong (nothing
// is written); IoError when a file cannot be read or written. `notes` receives informational
// lines for the user (e.g. "the file has no rows"), one per line.
Status RunSpcCommand(const SpcCommandOptions& options, std::string* notes);

}  // namespace shewhart::app

#endif  // SHEWHART_APP_SPC_COMMAND_H_
