// `shewhart funnel`, `shewhart compare` and `shewhart trend`: the analyses of one metric across
// many units (funnel plots, benchmark comparisons and standing) and of each series over time
// (rate of improvement, step changes, the Fingertips recent-trend marker).
//
// Each command reads one CSV file, calls the pure functions of stats/ (funnel.h, intervals.h,
// standing.h, trend.h), and writes CSV files and optional charts (SVG + PDF) with the same
// all-or-nothing behaviour as `shewhart spc`: nothing is left behind on failure. Input problems
// are listed as FILE:LINE:COLUMN: what was found; what was expected, and returned as one
// InvalidArgument (exit status 2); files that cannot be read or written are IoError (exit 1).
//
// Example:
//   FunnelCommandOptions o;
//   o.input = "breaches.csv"; o.output = "units.csv"; o.summary = "funnel.csv";
//   o.type = "proportion";
//   std::string notes;
//   Status s = RunFunnelCommand(o, &notes);
#ifndef SHEWHART_APP_ANALYSIS_COMMANDS_H_
#define SHEWHART_APP_ANALYSIS_COMMANDS_H_

#include "app/command.h"

#include <optional>
#include <string>

#include "base/status.h"

namespace CLI {
class App;
}  // namespace CLI

namespace shewhart::app {

struct FunnelCommandOptions {
  std::string input;               // CSV: unit,numerator,denominator (rows of one unit are summed)
  std::string output;              // -o: one row per unit
  std::string summary;             // --summary: one row for the funnel
  std::string type = "ratio";      // proportion | ratio | rate (FunnelPlotR's default: ratio)
  std::string sr_method = "shmi";  // shmi | cqc (ratios only)
  std::string limit = "99.8";      // 95 | 99.8: the limit outliers are judged at
  std::string overdispersion = "auto";  // auto | on | off
  bool phe = false;                     // PHE's method (calculate_funnel_limits) instead
  double multiplier = 1;                // scale of values and limits (100: per cent)
  double trim_by = 0.1;                 // winsorisation / truncation fraction in each tail
  std::string improvement = "neutral";  // colours of the plot: increase | decrease | neutral
  std::string title;                    // plot title (default: the input file name)
  std::string plot_dir;                 // empty: no charts
};
Status RunFunnelCommand(const FunnelCommandOptions& options, std::string* notes);

struct CompareCommandOptions {
  std::string input;    // CSV: unit,numerator,denominator
  std::string output;   // -o: one row per unit
  std::string summary;  // optional --summary: one row
  // wilson | byars | ratio | spc-proportion | spc-dsr
  std::string method = "wilson";
  std::optional<double> benchmark;  // empty: from the data (1 for ratios unless asked)
  bool benchmark_from_data = false;
  std::string polarity = "not-applicable";  // high-is-good | low-is-good | not-applicable
  std::string confidence = "95";            // 95 | 99.8
  std::optional<double> multiplier;         // default 1 (proportions, ratios), 100000 (rates)
  std::string title;                        // plot title (default: from the input file name)
  std::string plot_dir;                     // empty: no charts
};
Status RunCompareCommand(const CompareCommandOptions& options, std::string* notes);

struct TrendCommandOptions {
  std::string input;   // CSV: series,date,value [,numerator,denominator,rebase,lower95,upper95]
  std::string output;  // -o: one row per series
  std::string plot_dir;
};
Status RunTrendCommand(const TrendCommandOptions& options, std::string* notes);

// Registers `funnel`, `compare` and `trend` as subcommands of `app`. Each runs when its
// subcommand is parsed (a CLI11 callback), prints notes and errors to stderr and ends the parse
// with its exit status (0, 2 input, 1 other), the statuses documented in app/cli.h.
void AddAnalysisCommands(CLI::App& app, CommandSet& commands);

}  // namespace shewhart::app

#endif  // SHEWHART_APP_ANALYSIS_COMMANDS_H_
