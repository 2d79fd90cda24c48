// Run charts and Shewhart control charts, exactly as qicharts2 0.8.1 computes them.
//
// One function, ComputeControlChart, draws every chart type of qicharts2's qic(): the run chart
// (median, Anhøj runs rules), the I and MR charts, Xbar and S charts of subgrouped measurements,
// the T chart (time between rare events), the P, C, U and G charts of counts and proportions, and
// Laney's P′, U′ and I′ charts for very large denominators. The method, the constants and every
// quirk kept for parity are in ../shared/spc-reference.md §2 and docs/control-charts.md.
//
// Input rows are already in x order. Rows that share a subgroup index form one plotted point
// (qicharts2 groups rows by x): for Xbar/S charts the raw measurements, for the others usually one
// row per point. Within each part (a new part starts at each `part_starts` index) the centre line
// and limits are estimated from the baseline points (the first `freeze` points, none excluded),
// and the runs analysis (stats/runs.h) uses every included point of the part.
//
// Differences from qicharts2, each deliberate and documented in docs/control-charts.md:
//   - a user-supplied centre line for a T chart is in the data's units (it is transformed with the
//     data); qicharts2 reads it on the transformed scale;
//   - a point whose numerator or denominator is missing has no limits (qicharts2 draws 0..1 on a
//     P chart there, from a zero denominator);
//   - only the "mean" aggregation of rows within a subgroup is offered (qicharts2's agg.fun).
//
// Pure: no I/O. Thread-compatible: concurrent calls on distinct results are safe.
//
// Example:
//   std::vector<double> y = {1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1};
//   ControlChartOptions options;
//   options.chart = ChartType::kI;            // MR screening on, as library(qicharts2) does
//   ControlChartResult chart;
//   Status s = ComputeControlChart({.y = y}, options, &chart);
//   chart.points[0].ucl;                      // 4.60401891253...
//   chart.points[4].sigma_signal;             // true (10 > ucl)
//   chart.parts[0].runs.signal;               // false
//   ControlChartLabels labels = LabelControlChart(chart, Direction::kDecrease);
//   labels.point_type[4];                     // PointType::kConcern
#ifndef SHEWHART_STATS_CONTROL_CHART_H_
#define SHEWHART_STATS_CONTROL_CHART_H_

#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "stats/runs.h"
#include "stats/xmr.h"

namespace shewhart::stats {

// qicharts2's chart types, in the order of its documentation.
enum class ChartType : uint8_t {
  kRun,   // "run": run chart, median centre line, no limits
  kI,     // "i": individuals (XmR) chart
  kMr,    // "mr": moving-range chart
  kXbar,  // "xbar": subgroup means
  kS,     // "s": subgroup standard deviations
  kT,     // "t": time (or days) between rare events
  kP,     // "p": proportions
  kPp,    // "pp": Laney P′ (proportions with overdispersion)
  kC,     // "c": counts
  kU,     // "u": rates (counts per unit)
  kUp,    // "up": Laney U′
  kG,     // "g": opportunities (cases, days) between rare events
  kIp,    // "ip": Laney I′ (individuals with varying subgroup size)
};

// "run", "i", "mr", "xbar", "s", "t", "p", "pp", "c", "u", "up", "g", "ip".
std::string_view Name(ChartType chart);
// The inverse of Name (lower case, exact); InvalidArgument listing the valid names otherwise.
Result<ChartType> ParseChartType(std::string_view name);

// The data of one chart: rows in x order. Spans are borrowed for the duration of the call.
struct ControlChartInput {
  // Values: measurements (run, i, mr, xbar, s, t, g, ip), counts (c) or numerators (p, pp, u, up).
  // NaN marks a missing value. REQUIRES (checked): no infinities.
  std::span<const double> y;
  // Denominators, one per row (REQUIRED for p, pp, u, up; optional for the others, which then plot
  // Σy / Σn per subgroup). Empty: none. NaN: missing (the row's y is then missing too).
  std::span<const double> n;
  // Subgroup (point) index of each row, 0-based: starts at 0 and rises by 0 or 1 from row to row.
  // REQUIRED for xbar and s. Empty: each row is its own point.
  std::span<const int32_t> subgroup;
};

// How to compute a chart. Each field defaults to qicharts2's default. Positions are 0-based point
// indices (qicharts2's are 1-based).
struct ControlChartOptions {
  ChartType chart = ChartType::kRun;
  // Points at which a new part starts (its own centre line, limits and runs analysis): strictly
  // increasing, each in (0, number of points). qicharts2's part = 30 is part_starts = {30}.
  std::vector<int32_t> part_starts;
  // 0: the limits use every point. k > 0: only the first k points (the baseline); later points are
  // plotted against those limits. IGNORED when part_starts is not empty, as in qicharts2.
  int32_t freeze = 0;
  // Points left out of the centre line, the limits and the runs analysis but still plotted and
  // still tested against the limits. Each in [0, number of points); order and repeats don't matter.
  std::vector<int32_t> exclude;
  // A centre line given by the user (NaN: estimate it). Limits are built around it. For the G
  // chart it is the mean (the drawn line is 0.693 x cl); for the T chart it is in the data's units.
  double cl = std::numeric_limits<double>::quiet_NaN();
  // y, the centre line and the limits are multiplied by this after the computation (e.g. 100 for
  // percentages). REQUIRES (checked): finite and > 0.
  double multiply = 1;
  // Moving-range screening (Nelson 1982) for the i, t, pp, up and ip charts: moving ranges of
  // 3.267 x their mean or more are dropped before sigma is estimated. true is what users of
  // library(qicharts2) get (the package sets the option when attached).
  bool screen_moving_ranges = true;
  // false: when no plotted value is negative, negative lower limits are drawn at 0.
  bool y_neg = true;
  // The x axis is categorical (funnel-style use): no runs signal, and P′/U′ take sigma_z as the
  // SD of the z-scores instead of their average moving range.
  bool categorical = false;
};

// One plotted point (one subgroup). Values are NaN where qicharts2 has NA.
struct ControlChartPoint {
  double y = 0;           // plotted value, after `multiply`
  double n = 0;           // denominator Σn, or the number of non-missing values when there is none
  double cl = 0;          // centre line
  double lcl = 0;         // lower control limit (3 sigma); NaN where there is none
  double ucl = 0;         // upper control limit (3 sigma)
  double lcl_95 = 0;      // lower warning limit (2 sigma)
  double ucl_95 = 0;      // upper warning limit (2 sigma)
  int32_t part = 0;       // 0-based part index
  bool baseline = false;  // used to estimate the centre line and limits
  bool included = false;  // not excluded: takes part in the runs analysis
  bool sigma_signal = false;  // y > ucl or y < lcl (strict; false when either is NaN)
};

// One part of the chart: points [begin, end), with qicharts2's summary() of it.
struct ControlChartPart {
  int32_t begin = 0;
  int32_t end = 0;
  RunsAnalysis runs;  // on the included points; signal forced false for MR and categorical charts
  // Means over the part's points of each line, NaN ones skipped (summary()'s aLCL, aLCL.95, CL,
  // aUCL.95, aUCL): the average limits of a chart with varying denominators.
  double mean_lcl = 0;
  double mean_lcl_95 = 0;
  double mean_cl = 0;
  double mean_ucl_95 = 0;
  double mean_ucl = 0;
  int32_t n_sigma_signals = 0;  // points outside the 3-sigma limits
};

struct ControlChartResult {
  ChartType chart = ChartType::kRun;
  std::vector<ControlChartPoint> points;  // one per subgroup, in order
  std::vector<ControlChartPart> parts;    // at least one when there are points
};

// Computes one chart. OK, or InvalidArgument (nothing computed) when the input or the options are
// not valid for the chart: wrong lengths, bad subgroup indices, infinite values, a missing or
// non-positive denominator column where needed, negative counts, a proportion's numerator above
// its denominator, non-positive times for a T chart, bad parts/exclusions/freeze/multiply.
// An empty input is OK and gives no points and no parts.
Status ComputeControlChart(const ControlChartInput& input, const ControlChartOptions& options,
                           ControlChartResult* result);

// Bias-correction and limit constants for subgroups of size n, computed exactly from the gamma
// function (not from printed tables). NaN for n <= 1. `sigmas` is 3 for the control limits and 2
// for the warning limits.
double C4(double n);                 // E[s] / sigma
double A3(double n, double sigmas);  // xbar limits: cl ± A3 · s̄
double B3(double n, double sigmas);  // s chart lower limit factor, floored at 0
double B4(double n, double sigmas);  // s chart upper limit factor

// Making Data Count labels for a qicharts2 chart, so that (say) a P chart reads like an XmR chart
// on a board. A point above its upper limit is an improvement when higher is better, a concern
// when lower is better, neutral-high for a neutral measure; below its lower limit the reverse.
// Every other point is common cause: runs signals are not attributed to points (they are reported
// per part in ControlChartPart::runs). `variation` is the variation icon of the latest point
// (common cause when the chart is empty).
struct ControlChartLabels {
  std::vector<PointType> point_type;  // one per point
  Variation variation = Variation::kCommonCause;
};
ControlChartLabels LabelControlChart(const ControlChartResult& chart, Direction improvement);

}  // namespace shewhart::stats

#endif  // SHEWHART_STATS_CONTROL_CHART_H_
