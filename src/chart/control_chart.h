// Drawing run charts and Shewhart control charts (p, u, c, i, xbar, …) in the Making Data Count
// visual language, as SVG, PNG and PDF board-pack pages.
//
// Any result of stats::ComputeControlChart can be drawn. A run chart shows its median and the
// outcome of the runs analysis (Anhøj rules) and no limits. A Shewhart chart shows its centre line
// and its 3-sigma limits, per point: with varying denominators (p and u charts) the limits step
// from point to point. Optionally the 2-sigma warning lines too. Points are coloured as on an XmR
// chart (stats::LabelControlChart): grey common cause, blue improvement, orange concern, purple
// neutral; excluded points are hollow; each part (recalculation) has its own lines, separated by a
// dashed rule. Parts whose runs analysis signals non-random variation get a dashed centre line
// and a note.
//
// Thread-compatible: render distinct charts concurrently.
//
// Example:
//   stats::ControlChartResult result;                // from stats::ComputeControlChart (p chart)
//   stats::ControlChartLabels labels = stats::LabelControlChart(result, Direction::kDecrease);
//   ControlChartInput in;
//   in.title = "RJZ: 4-hour breaches"; in.dates = dates; in.chart = &result;
//   in.point_type = labels.point_type; in.variation = labels.variation; in.percent = true;
//   std::string svg = RenderControlChartSvg(in);
#ifndef SHEWHART_CHART_CONTROL_CHART_H_
#define SHEWHART_CHART_CONTROL_CHART_H_

#include <limits>
#include <span>
#include <string>

#include "base/date.h"
#include "base/status.h"
#include "chart/xmr_chart.h"  // PdfBoardPack
#include "stats/control_chart.h"
#include "stats/xmr.h"

namespace shewhart::chart {

struct ControlChartInput {
  std::string title;     // e.g. the series name
  std::string subtitle;  // optional, e.g. "P chart · monthly · lower is better"
  std::string y_label;   // optional axis title
  // REQUIRES: not null for a chart with points; the chart to draw (borrowed for the call).
  const stats::ControlChartResult* chart = nullptr;
  // The x position of each point: one date per point, strictly increasing. Empty: points are
  // numbered 1..n along the x axis. A span of another length is treated as empty.
  std::span<const Date> dates;
  // The Making Data Count label of each point (stats::LabelControlChart). Empty: every point is
  // common cause and no variation icon is drawn.
  std::span<const stats::PointType> point_type;
  stats::Variation variation = stats::Variation::kCommonCause;  // the icon, when labels are given
  stats::Direction improvement = stats::Direction::kIncrease;   // legend wording
  double target = std::numeric_limits<double>::quiet_NaN();     // NaN: no target line
  bool percent = false;         // values are proportions: shown as percentages
  bool warning_limits = false;  // also draw the 2-sigma lines (lcl_95, ucl_95)
  int width = 960;              // SVG / PNG size, at least 480 x 300; PDF pages are A4
  int height = 540;
};

// A complete standalone SVG document (UTF-8) with a <title>, a text description, and a tooltip
// on every point (date or number, value, denominator, limits, what the point means). Never fails:
// no chart or no values gives a chart that says "No data".
std::string RenderControlChartSvg(const ControlChartInput& input);

// The same chart as PNG bytes; errors as RenderXmrPng.
Result<std::string> RenderControlChartPng(const ControlChartInput& input, double scale = 1);

// The Making Data Count title of a chart type: "Run chart", "P chart", "P′ chart (Laney)", ….
std::string ChartTypeTitle(stats::ChartType type);

}  // namespace shewhart::chart

#endif  // SHEWHART_CHART_CONTROL_CHART_H_
