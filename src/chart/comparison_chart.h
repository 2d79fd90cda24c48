// Drawing a comparison with a benchmark: every unit's value and interval, ranked, against the
// benchmark line ("caterpillar" chart), in the Making Data Count visual language, as SVG, PNG and
// PDF pages.
//
// Units are ordered by value (lowest left). Each is a dot with its interval as a vertical bar,
// coloured by the comparison with the benchmark (stats::Comparison, the Fingertips methods): blue
// better, orange worse, grey same or not compared. Names are written under the axis when there
// are few enough units to read them (otherwise they are in each dot's tooltip).
//
// Thread-compatible: render distinct charts concurrently.
//
// Example:
//   std::vector<ComparisonUnit> units = {{"Ward A", 0.10, 0.055, 0.174, Comparison::kSame}, ...};
//   ComparisonChartInput in;
//   in.title = "Falls with harm"; in.units = units; in.benchmark = 0.1448; in.percent = true;
//   std::string svg = RenderComparisonSvg(in);
#ifndef SHEWHART_CHART_COMPARISON_CHART_H_
#define SHEWHART_CHART_COMPARISON_CHART_H_

#include <limits>
#include <span>
#include <string>

#include "base/status.h"
#include "chart/xmr_chart.h"  // PdfBoardPack
#include "stats/intervals.h"

namespace shewhart::chart {

struct ComparisonUnit {
  std::string name;
  double value = 0;                                         // NaN: not drawn
  double lower = std::numeric_limits<double>::quiet_NaN();  // interval; NaN: no bar
  double upper = std::numeric_limits<double>::quiet_NaN();
  stats::Comparison comparison = stats::Comparison::kNone;
};

struct ComparisonChartInput {
  std::string title;
  std::string subtitle;
  std::string y_label;
  std::span<const ComparisonUnit> units;                        // any order; borrowed for the call
  double benchmark = std::numeric_limits<double>::quiet_NaN();  // NaN: no line
  bool percent = false;  // values are proportions: shown as percentages
  int max_named = 40;    // names under the axis only up to this many units
  int width = 960;       // SVG / PNG size, at least 480 x 300; PDF pages are A4
  int height = 540;
};

// A complete standalone SVG document (UTF-8) with a title, a description and a tooltip per
// unit. Never fails: no units (or no values) gives a chart that says "No data".
std::string RenderComparisonSvg(const ComparisonChartInput& input);

// The same chart as PNG bytes; errors as RenderXmrPng.
Result<std::string> RenderComparisonPng(const ComparisonChartInput& input, double scale = 1);

}  // namespace shewhart::chart

#endif  // SHEWHART_CHART_COMPARISON_CHART_H_
