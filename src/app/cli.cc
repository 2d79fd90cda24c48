#include "app/cli.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <optional>
#include <iostream>
#include <string>

#include "app/analysis_commands.h"
#include "app/command.h"
#include "app/data_commands.h"
#include "app/improvement_commands.h"
#include "app/server_commands.h"
#include "app/spc_command.h"
#include "base/status.h"
#include "base/text_checks.h"

#ifndef SHEWHART_VERSION
#define SHEWHART_VERSION "0.0.0"
#endif

namespace shewhart::app {
namespace {

constexpr const char* kSpcDescription =
    R"(Making Data Count (XmR / "plot the dots") analysis of many series at once.

INPUT.csv has a header row and one row per series and date. Required columns:
  series   the name of the series (e.g. "RJZ A&E 4-hour performance")
  date     the period the value belongs to, as YYYY-MM-DD (e.g. 2023-04-01 for April 2023)
  value    the measurement; leave empty or write NA when it is missing
Optional columns (an empty cell means "use the command-line option"):
  target                 the target for that row (the latest one sets the assurance icon)
  improvement_direction  increase, decrease or neutral (one per series)
  rebase                 1 on the first row of a new period of the process, else 0 or empty
  rebase_reason          why the process changed on that row (shown on charts)
  denominator            with --chart p, pp, u or up: what value counts among (cases, bed days)
Columns can be in any order; other columns are ignored. Rows need not be sorted.

Writes one row per point to -o (limits, the special-cause rule that fired, whether the point is
improvement, concern or common cause) and one row per series to --summary (the variation and
assurance icons, counts, warnings about gaps or short baselines). Nothing is written if the input
has a problem: every problem is listed as FILE:LINE:COLUMN with what to change.

Example:
  shewhart spc ae.csv -o points.csv --summary series.csv --target 0.95 \
      --rebase 2021-04-01 --rebase-reason "New triage model")";

}  // namespace

int RunCli(int argc, char** argv) {
  CLI::App app{"Shewhart: statistical process control and quality oversight for health and care."};
  app.set_version_flag("--version", std::string("shewhart ") + SHEWHART_VERSION);
  app.require_subcommand(1);
  app.get_formatter()->column_width(30);

  CommandSet commands;
  auto options = std::make_shared<SpcCommandOptions>();
  auto target_text = std::make_shared<std::string>();
  SpcCommandOptions& o = *options;
  CLI::App* spc = app.add_subcommand("spc", kSpcDescription);
  spc->add_option("INPUT", o.input, "The CSV file to analyse (long format, see above).")
      ->required();
  spc->add_option("-o,--output", o.points_path,
                  "Where to write one row per point (POINTS.csv): the value, its group's mean and "
                  "process limits, the point type and the rule that fired.")
      ->required();
  spc->add_option("--summary", o.summary_path,
                  "Where to write one row per series (SERIES.csv): latest mean and limits, the "
                  "variation and assurance icons, counts of improvement and concern points, and "
                  "warnings.")
      ->required();
  spc->add_option("--format", o.format,
                  "csv (default) or json. JSON suits programs and dashboards; the summary then "
                  "also lists every recalculation group and every gap in the dates.")
      ->check(CLI::IsMember({"csv", "json"}));
  spc->add_option("--improvement", o.improvement,
                  "Which direction is good when a series does not say: increase (default; e.g. "
                  "% seen within 4 hours), decrease (e.g. waiting times, falls) or neutral (no "
                  "good direction; special causes are then just 'neutral').")
      ->check(CLI::IsMember({"increase", "decrease", "neutral"}));
  spc->add_option("--target", *target_text,
                  "The target for series whose rows give none (e.g. 0.95). Sets the assurance "
                  "icon: will the process consistently meet the target, fail it, or sometimes "
                  "meet it?");
  spc->add_option("--rebase", o.rebase,
                  "Dates (YYYY-MM-DD, comma-separated) on which the process changed for EVERY "
                  "series, e.g. a new triage model: the mean and limits are recalculated from "
                  "that date. Use the rebase column instead for changes in single series. Only "
                  "recalculate for a known, sustained change, not to hide a signal.")
      ->delimiter(',');
  spc->add_option("--rebase-reason", o.rebase_reasons,
                  "Why the process changed; give it once per --rebase date, in the same order. "
                  "It is shown on charts and in the summary.");
  spc->add_option("--fix-after", o.fix_after,
                  "Compute the limits from the first N points of each period only (N >= 12) and "
                  "hold them fixed afterwards, so later points are judged against an agreed "
                  "baseline. Default: limits from all points.");
  spc->add_flag("--no-screen", o.no_screen,
                "Do not screen out very large moving ranges before computing limits. Screening "
                "(the default, as in NHSRplotthedots) stops one unusual jump from widening the "
                "limits; turn it off to match the Making Data Count Excel tool.");
  spc->add_option("--rule-length", o.rule_length,
                  "Points needed for a run (shift) or trend signal: 7 (default, NHS England "
                  "guidance) or 6 (an option of the Making Data Count Excel tool).")
      ->check(CLI::IsMember({6, 7}));
  spc->add_option("--chart", o.chart,
                  "Draw another chart instead of the XmR chart (qicharts2's methods): run (median "
                  "and runs rules), i, mr, xbar and s (several rows per series and date form one "
                  "subgroup), t (time between events), c (counts), g (cases between events), p "
                  "and pp (proportions: value = count, needs a denominator column), u and up "
                  "(rates: value = count, needs a denominator column). Outputs then add cl, lcl, "
                  "ucl, sigma_signal and the runs analysis.");
  spc->add_option("--plot", o.plot_dir,
                  "Also draw charts into this directory: one SVG per series and charts.pdf with "
                  "one page per series, ready for a board pack.");
  spc->add_option("--threads", o.threads,
                  "How many processor cores to use (default: all). Lower it to leave room for "
                  "other work on a shared machine.")
      ->check(CLI::PositiveNumber);
  spc->add_option("--memory-limit", o.memory_limit_mb,
                  "Memory to use in MB (default 512). Larger inputs are sorted in pieces on disk, "
                  "so any file size works; a higher limit is faster for very large files.")
      ->check(CLI::Range(int64_t{16}, int64_t{1} << 40));

  commands.Bind(spc, [options, target_text](std::string* notes) -> Status {
    if (!target_text->empty()) {
      std::optional<double> t = ParseNumber(*target_text);
      if (!t) {
        return InvalidArgumentError("--target " + *target_text +
                                    ": not a number; expected a decimal such as 0.95");
      }
      options->target = *t;
    }
    return RunSpcCommand(*options, notes);
  });
  AddAnalysisCommands(app, commands);  // funnel, compare, trend (app/analysis_commands.h)
  AddServerCommands(app, commands);    // serve, user add (app/server_commands.h)
  AddDataCommands(app, commands);      // init, import, export, demo (app/data_commands.h)
  AddImprovementCommands(app, commands);  // impact (app/improvement_commands.h)
  return ParseAndRun(app, commands, argc, argv);
}

}  // namespace shewhart::app
