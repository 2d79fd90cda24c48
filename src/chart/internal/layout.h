// Lays an XmR chart out into a Scene: every position, colour and string, decided once.
//
// This is where the Making Data Count visual language lives (colours, icons, captions, axes,
// legend). Both backends (SVG text and cairo) paint the Scene as given, so they look the same.
//
// Example:
//   Scene scene = LayoutXmrChart(input, 842, 595);   // an A4 landscape page in points
#ifndef SHEWHART_CHART_INTERNAL_LAYOUT_H_
#define SHEWHART_CHART_INTERNAL_LAYOUT_H_

#include <string>

#include "chart/internal/scene.h"
#include "chart/xmr_chart.h"
#include "stats/xmr.h"

namespace shewhart::chart::internal {

// The chart of `input` on a canvas of width x height units (pixels or points). Never fails:
// an empty series, or one with no value, gives a chart that says "No data"; NaN limits or means
// are simply not drawn. `input.width`/`height` are ignored in favour of the arguments, which are
// clamped to at least 480 x 300 (the scene's width and height say what was used).
Scene LayoutXmrChart(const XmrChartInput& input, double width, double height);

// The words under each icon, e.g. "Special cause variation – improvement (high)" and
// "Consistently passing the target" ("" for Assurance::kNone).
std::string VariationCaption(stats::Variation variation);
std::string AssuranceCaption(stats::Assurance assurance);

// The Making Data Count colour of a point type (grey, blue, orange, purple).
Rgb PointColor(stats::PointType type);

}  // namespace shewhart::chart::internal

#endif  // SHEWHART_CHART_INTERNAL_LAYOUT_H_
