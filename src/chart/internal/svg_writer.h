// Writes a Scene as a standalone SVG 1.1 document with real <text> elements.
//
// The document carries the scene's title and description as <title>/<desc> (referenced by
// aria-labelledby, so screen readers announce them) and every circle's tooltip as its own <title>.
// All text is XML-escaped; numbers are written with at most two decimals, independent of the
// C locale, so the same scene always gives the same bytes.
//
// Example:
//   std::string svg;
//   WriteSvg(LayoutXmrChart(input, 960, 540), &svg);
#ifndef SHEWHART_CHART_INTERNAL_SVG_WRITER_H_
#define SHEWHART_CHART_INTERNAL_SVG_WRITER_H_

#include <string>
#include <string_view>

#include "chart/internal/scene.h"

namespace shewhart::chart::internal {

// Appends the SVG document of `scene` to `*out`.
void WriteSvg(const Scene& scene, std::string* out);

}  // namespace shewhart::chart::internal

#endif  // SHEWHART_CHART_INTERNAL_SVG_WRITER_H_
