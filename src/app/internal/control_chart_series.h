// `shewhart spc --chart TYPE`: one series of the long-format input through a qicharts2 chart
// (run, i, mr, xbar, s, t, p, pp, c, u, up, g), labelled as Making Data Count points, and its
// per-point and per-series CSV rows.
//
// The rows of a series come sorted by date (SpcInput); rows that share a date form one subgroup
// (one plotted point): the measurements of an Xbar or S chart, or counts that are added up. For
// p, p′, u and u′ charts `value` is the count and the row's denominator (SpcRow::target, see
// SpcInputOptions::read_denominator) what it is counted among; the plotted value is their ratio.
// Recalculation dates become parts (new centre line, limits and runs analysis from that point).
//
// Thread-compatible: one ControlChartSeries per thread.
//
// Example:
//   ControlChartSettings settings{.chart = stats::ChartType::kP};
//   ControlChartSeries s;
//   RETURN_IF_ERROR(AnalyseControlChartSeries(rows, /*has_denominator=*/true, {}, settings,
//                                             stats::Direction::kDecrease, "in.csv", &s));
//   AppendControlPointsCsv("\"RJZ\"", s, NAN, &points);
#ifndef SHEWHART_APP_INTERNAL_CONTROL_CHART_SERIES_H_
#define SHEWHART_APP_INTERNAL_CONTROL_CHART_SERIES_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/internal/spc_input.h"
#include "base/date.h"
#include "base/status.h"
#include "chart/control_chart.h"
#include "oversight/spc_series.h"
#include "stats/control_chart.h"
#include "stats/xmr.h"

namespace shewhart::app {

struct ControlChartSettings {
  stats::ChartType chart = stats::ChartType::kRun;
  int32_t freeze = 0;                // --fix-after: limits from the first N points (0: all)
  bool screen_moving_ranges = true;  // not --no-screen (i, t, pp, up charts)
};

// True for the charts whose `value` is a count over a required denominator (p, pp, u, up).
bool NeedsDenominator(stats::ChartType chart);
// True for p and pp: the count cannot exceed its denominator.
bool IsProportionChart(stats::ChartType chart);
// True for xbar and s: several rows per date form a subgroup.
bool IsSubgroupChart(stats::ChartType chart);

// One analysed series.
struct ControlChartSeries {
  std::vector<Date> dates;  // one per plotted point (subgroup)
  stats::ControlChartResult result;
  stats::ControlChartLabels labels;
  int64_t n_rows = 0;
  int64_t n_missing = 0;  // points whose plotted value is missing
  std::vector<std::string> warnings;
};

// Analyses `rows` (one series, sorted by date). `has_denominator`: SpcRow::target holds the
// denominator. Recalculation dates that match a point's date (other than the first) start a new
// part; others are ignored, as for the XmR chart. InvalidArgument ("FILE:LINE: series "NAME": …")
// when the chart cannot be computed from the data (e.g. negative counts for a c chart).
Status AnalyseControlChartSeries(std::span<const SpcRow> rows, bool has_denominator,
                                 std::span<const oversight::Recalculation> recalculations,
                                 const ControlChartSettings& settings, stats::Direction improvement,
                                 const std::string& path, std::string_view name,
                                 ControlChartSeries* out);

inline constexpr std::string_view kControlPointsCsvHeader =
    "series,date,value,n,part,cl,lcl,ucl,lcl_95,ucl_95,sigma_signal,point_type,target\n";
inline constexpr std::string_view kControlSummaryCsvHeader =
    "series,chart,n,n_missing,parts,frequency,improvement_direction,cl,lcl,ucl,target,variation,"
    "common_cause,improvement,concern,neutral,sigma_signals,longest_run,longest_run_max,"
    "n_crossings,n_crossings_min,runs_signal,warnings\n";

// One CSV row per point. `series_csv` is the series name already CSV-quoted; `target` the
// series' target (NaN: none).
void AppendControlPointsCsv(std::string_view series_csv, const ControlChartSeries& s, double target,
                            std::string* out);

// One CSV row for the series: the latest part's average lines and runs analysis.
void AppendControlSummaryCsv(std::string_view series_csv, const SpcSeriesMeta& meta,
                             const ControlChartSeries& s, std::string* out);

// The chart of the series; spans and pointers refer into `s` and `meta`.
chart::ControlChartInput ControlChartPlot(const SpcSeriesMeta& meta, const ControlChartSeries& s);

}  // namespace shewhart::app

#endif  // SHEWHART_APP_INTERNAL_CONTROL_CHART_SERIES_H_
