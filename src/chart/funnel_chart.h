// Drawing funnel plots in the Making Data Count visual language, as SVG, PNG and PDF pages.
//
// A funnel plot shows every unit (trust, ward, practice) as a point: across, its size (the
// denominator, or the expected count of a standardised ratio); up, its value. The target line
// runs across and the 95% and 99.8% limits narrow as units grow (the funnel), from
// stats::FunnelCurve: overdispersion-adjusted when the adjustment applies. Units outside the
// limits in force (stats::FunnelUnit::outlier) are coloured — blue improvement, orange concern,
// purple when the metric has no better direction — and labelled with their names. A note says
// φ, τ² and whether the limits were adjusted for overdispersion.
//
// Thread-compatible: render distinct charts concurrently.
//
// Example:
//   Result<stats::FunnelResult> r = stats::ComputeFunnel(rows, options);
//   FunnelChartInput in;
//   in.title = "4-hour breaches, type 1, March 2019"; in.funnel = &*r; in.percent = true;
//   in.improvement = stats::Direction::kDecrease;
//   std::string svg = RenderFunnelSvg(in);
#ifndef SHEWHART_CHART_FUNNEL_CHART_H_
#define SHEWHART_CHART_FUNNEL_CHART_H_

#include <string>

#include "base/status.h"
#include "chart/xmr_chart.h"  // PdfBoardPack
#include "stats/funnel.h"
#include "stats/xmr.h"

namespace shewhart::chart {

struct FunnelChartInput {
  std::string title;
  std::string subtitle;
  std::string x_label;  // default: "Denominator" ("Expected" for standardised ratios)
  std::string y_label;  // default: "Proportion", "Standardised ratio" or "Rate"
  // REQUIRES: not null to draw anything; borrowed for the call. Values and limits are drawn on
  // the result's scale (value × multiplier), as the per-unit output gives them.
  const stats::FunnelResult* funnel = nullptr;
  // Which way is better: colours the outliers (neutral: purple for both sides).
  stats::Direction improvement = stats::Direction::kNeutral;
  bool percent = false;  // values are proportions (multiplier 1): shown as percentages
  // At most this many outliers are labelled with their names (the most extreme first, by
  // |z|); the rest keep their colour and tooltip.
  int max_labels = 20;
  int width = 960;  // SVG / PNG size, at least 480 x 300; PDF pages are A4
  int height = 540;
};

// A complete standalone SVG document (UTF-8) with a title, a text description and a tooltip on
// every unit. Never fails: no result or no units gives a chart that says "No data".
std::string RenderFunnelSvg(const FunnelChartInput& input);

// The same chart as PNG bytes; errors as RenderXmrPng.
Result<std::string> RenderFunnelPng(const FunnelChartInput& input, double scale = 1);

}  // namespace shewhart::chart

#endif  // SHEWHART_CHART_FUNNEL_CHART_H_
