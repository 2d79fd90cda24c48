// One series through a qicharts2 control chart (run, i, mr, xbar, s, t, p, pp, c, u, up, g, ip),
// labelled as Making Data Count points: the control-chart counterpart of spc_series.h, called by
// `shewhart spc --chart TYPE` for each series of a file and by the stored results (spc_store.h)
// for a metric whose definition names a chart type other than XmR.
//
// The rows come sorted by date; rows that share a date form one subgroup (one plotted point): the
// measurements of an Xbar or S chart, or counts that are added up. For p, p′, u and u′ charts a
// row's value is the count and its denominator what it is counted among; the plotted value is
// their ratio (times `multiply`). Recalculation dates become parts (new centre line, limits and
// runs analysis from that point).
//
// Pure: no I/O, no database. Thread-compatible: one ControlChartSeries per thread.
//
// Example:
//   ControlChartSeriesInput in;
//   in.dates = dates; in.values = breaches; in.denominators = attendances;
//   in.settings.chart = stats::ChartType::kP;
//   in.improvement = stats::Direction::kDecrease;
//   ControlChartSeries s;
//   RETURN_IF_ERROR(AnalyseControlChartSeries(in, &s));
//   s.labels.variation;  // the MDC variation icon of the latest point
#ifndef SHEWHART_OVERSIGHT_CONTROL_CHART_SERIES_H_
#define SHEWHART_OVERSIGHT_CONTROL_CHART_SERIES_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/date.h"
#include "base/status.h"
#include "oversight/spc_series.h"  // Recalculation
#include "stats/control_chart.h"
#include "stats/xmr.h"

namespace shewhart::oversight {

struct ControlChartSettings {
  stats::ChartType chart = stats::ChartType::kRun;
  int32_t freeze = 0;                // --fix-after: limits from the first N points (0: all)
  bool screen_moving_ranges = true;  // not --no-screen (i, t, pp, up charts)
  double multiply = 1;               // values and limits x this (e.g. 100 for per cent)
};

// True for the charts whose `value` is a count over a required denominator (p, pp, u, up).
bool NeedsDenominator(stats::ChartType chart);
// True for p and pp: the count cannot exceed its denominator.
bool IsProportionChart(stats::ChartType chart);
// True for xbar and s: several rows per date form a subgroup.
bool IsSubgroupChart(stats::ChartType chart);

// One series. Spans are borrowed for the call.
struct ControlChartSeriesInput {
  std::span<const Date> dates;           // one per row; REQUIRES: non-decreasing
  std::span<const double> values;        // one per row; NaN = missing
  std::span<const double> denominators;  // one per row, or empty (no denominator)
  // Recalculation dates: those that match a point's date (other than the first) start a new part;
  // others are ignored, as for the XmR chart.
  std::span<const Recalculation> recalculations;
  ControlChartSettings settings;
  stats::Direction improvement = stats::Direction::kNeutral;
};

// One analysed series.
struct ControlChartSeries {
  std::vector<Date> dates;  // one per plotted point (subgroup)
  stats::ControlChartResult result;
  stats::ControlChartLabels labels;
  int64_t n_rows = 0;
  int64_t n_missing = 0;  // points whose plotted value is missing
  std::vector<std::string> warnings;
};

// Analyses one series into `out` (reused: its vectors keep their capacity). InvalidArgument
// "cannot draw the NAME chart: …" when the chart cannot be computed from the data (e.g. negative
// counts for a c chart); the caller adds where the series came from.
Status AnalyseControlChartSeries(const ControlChartSeriesInput& input, ControlChartSeries* out);

}  // namespace shewhart::oversight

#endif  // SHEWHART_OVERSIGHT_CONTROL_CHART_SERIES_H_
