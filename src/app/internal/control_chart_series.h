// `shewhart spc --chart TYPE`, the command-line face of oversight/control_chart_series.h: one
// series of the long-format input through a qicharts2 chart (run, i, mr, xbar, s, t, p, pp, c, u,
// up, g), and its per-point and per-series CSV rows and chart.
//
// The rows of a series come sorted by date (SpcInput); for p, p′, u and u′ charts `value` is the
// count and the row's denominator (SpcRow::target, see SpcInputOptions::read_denominator) what it
// is counted among.
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
#include "oversight/control_chart_series.h"
#include "oversight/spc_series.h"
#include "stats/control_chart.h"
#include "stats/xmr.h"

namespace shewhart::app {

using oversight::ControlChartSeries;
using oversight::ControlChartSettings;
using oversight::IsProportionChart;
using oversight::IsSubgroupChart;
using oversight::NeedsDenominator;

// Analyses `rows` (one series, sorted by date) with oversight::AnalyseControlChartSeries.
// `has_denominator`: SpcRow::target holds the denominator. InvalidArgument ("FILE:LINE: series
// "NAME": cannot draw …") when the chart cannot be computed from the data.
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
