// Drawing Making Data Count charts: SVG for screens and files, PDF pages for board packs.
//
// A chart is laid out once (scales, ticks, points, lines, icons) and then written by one of two
// backends, so the SVG and the PDF of a series look the same. The visual language follows NHS
// England's Making Data Count: grey common-cause points, orange concern, blue improvement, purple
// neutral; a solid mean line and dashed process limits per recalculation group, steps at each
// recalculation; a red target line; the variation and assurance icons top right.
//
// Thread-compatible: render distinct charts concurrently; one PdfBoardPack per thread.
//
// Example:
//   XmrChartInput in;
//   in.title = "RJZ: A&E 4-hour performance"; in.dates = dates; in.values = values;
//   in.xmr = &result.xmr; in.improvement = stats::Direction::kIncrease; in.target = 0.95;
//   std::string svg = RenderXmrSvg(in);
#ifndef SHEWHART_CHART_XMR_CHART_H_
#define SHEWHART_CHART_XMR_CHART_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/date.h"
#include "base/status.h"
#include "stats/xmr.h"

namespace shewhart::chart {

namespace internal {
struct Scene;
}  // namespace internal
struct ControlChartInput;     // chart/control_chart.h
struct FunnelChartInput;      // chart/funnel_chart.h
struct ComparisonChartInput;  // chart/comparison_chart.h
struct TablePageInput;        // chart/table_page.h

// A labelled moment on the chart, e.g. a recalculation and its reason.
struct Annotation {
  Date date = 0;
  std::string text;
};

struct XmrChartInput {
  std::string title;               // e.g. the series name
  std::string subtitle;            // optional second line, e.g. "Monthly · higher is better"
  std::string y_label;             // optional axis title, e.g. "% within 4 hours"
  std::span<const Date> dates;     // strictly increasing
  std::span<const double> values;  // NaN = missing (drawn as a break in the line)
  const stats::XmrResult* xmr = nullptr;  // REQUIRES: computed from `values`
  stats::Direction improvement = stats::Direction::kIncrease;
  double target = std::numeric_limits<double>::quiet_NaN();  // NaN: no target line
  // Notes on the chart. One dated in (previous point, first point of a recalculation group]
  // labels that recalculation (its reason); others are drawn as dated notes.
  std::vector<Annotation> annotations;
  // Values are proportions (0.95): axis, tooltips and target are shown as percentages ("95%").
  bool percent = false;
  // The run and trend length the XmR result was computed with (stats::XmrOptions::rule_length),
  // used in the plain-English meaning of each point ("7 points in a row above the mean").
  int32_t rule_length = 7;
  // Pixel size of the SVG (and PNG), at least 480 x 300; the PDF page is A4 landscape whatever
  // this says.
  int width = 960;
  int height = 540;
};

// A complete standalone SVG document (UTF-8), with a <title> and a text description for screen
// readers, and a <title> tooltip on every point (date, value, what the point means).
std::string RenderXmrSvg(const XmrChartInput& input);

// The same chart as a PNG image (bytes of the file), `input.width` x `input.height` pixels times
// `scale` (2 for high-density screens and spreadsheets). InvalidArgument for a scale outside
// (0, 8] or an image over 16384 pixels a side; Internal if cairo fails (out of memory).
Result<std::string> RenderXmrPng(const XmrChartInput& input, double scale = 1);

// A multi-page PDF, one chart per A4 landscape page.
class PdfBoardPack {
 public:
  // Opens `path` for writing. IoError if the file cannot be created.
  static Result<std::unique_ptr<PdfBoardPack>> Create(const std::string& path);
  ~PdfBoardPack();
  PdfBoardPack(const PdfBoardPack&) = delete;
  PdfBoardPack& operator=(const PdfBoardPack&) = delete;

  // Adds one chart as a page. The other overloads are defined in control_chart.cc,
  // funnel_chart.cc and comparison_chart.cc (include their headers to call them).
  Status AddPage(const XmrChartInput& input);
  Status AddPage(const ControlChartInput& input);
  Status AddPage(const FunnelChartInput& input);
  Status AddPage(const ComparisonChartInput& input);
  // Adds a table as one or more pages (table_page.cc); returns how many.
  Result<int> AddTablePages(const TablePageInput& input);
  // Flushes and closes the file. Further calls to AddPage fail.
  Status Finish();

 private:
  struct Impl;
  explicit PdfBoardPack(std::unique_ptr<Impl> impl);
  // Paints a scene laid out at A4 landscape (internal::kPdfPageWidth x kPdfPageHeight) as the
  // next page, with an outline entry named after its title.
  Status AddLaidOutPage(const internal::Scene& scene);
  std::unique_ptr<Impl> impl_;
};

}  // namespace shewhart::chart

#endif  // SHEWHART_CHART_XMR_CHART_H_
