#include "chart/comparison_chart.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "chart/internal/cairo_painter.h"
#include "chart/internal/chart_kit.h"
#include "chart/internal/scene.h"
#include "chart/internal/svg_writer.h"
#include "chart/internal/text_metrics.h"

namespace shewhart::chart {
namespace {

using internal::Anchor;
using internal::Builder;
using internal::IsFinite;
using internal::LinearScale;
using internal::Rgb;
using internal::Scene;
using internal::Solid;
using stats::Comparison;

constexpr Rgb kNotComparedGrey{0xC4, 0xC9, 0xCC};
constexpr double kNameSize = 9;

Rgb ComparisonColor(Comparison c) {
  switch (c) {
    case Comparison::kBetter:
      return internal::kImprovementBlue;
    case Comparison::kWorse:
      return internal::kConcernOrange;
    case Comparison::kSame:
      return internal::kCommonGrey;
    case Comparison::kNone:
      return kNotComparedGrey;
  }
  return kNotComparedGrey;
}

std::string ComparisonWords(Comparison c) {
  switch (c) {
    case Comparison::kBetter:
      return "better than the benchmark";
    case Comparison::kWorse:
      return "worse than the benchmark";
    case Comparison::kSame:
      return "similar to the benchmark";
    case Comparison::kNone:
      return "not compared";
  }
  return "";
}

Scene LayoutComparison(const ComparisonChartInput& in, double width, double height) {
  width = std::isnan(width) ? internal::kMinWidth
                            : std::clamp(width, internal::kMinWidth, internal::kMaxSize);
  height = std::isnan(height) ? internal::kMinHeight
                              : std::clamp(height, internal::kMinHeight, internal::kMaxSize);
  Scene scene;
  scene.width = width;
  scene.height = height;
  Builder b(&scene);
  using internal::kMargin;
  const std::string title = internal::SanitizeUtf8(in.title);
  const std::string subtitle = internal::SanitizeUtf8(in.subtitle);
  const std::string y_label = internal::SanitizeUtf8(in.y_label);
  scene.title = title.empty() ? "Comparison with the benchmark" : title;
  b.AddRect(0, 0, width, height, internal::kWhite, std::nullopt);

  std::vector<size_t> order;
  for (size_t i = 0; i < in.units.size(); ++i) {
    if (IsFinite(in.units[i].value)) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t c) { return in.units[a].value < in.units[c].value; });
  int counts[4] = {0, 0, 0, 0};
  for (size_t i : order) ++counts[static_cast<int>(in.units[i].comparison)];

  double y_text = kMargin;
  const double text_width = width - 2 * kMargin;
  b.Begin("title");
  for (std::string& line : internal::WrapText(title, internal::kTitleSize, true, text_width, 2)) {
    y_text += internal::kTitleSize + 3;
    b.AddText(kMargin, y_text, std::move(line), internal::kTitleSize, internal::kTextBlack,
              Anchor::kStart, true);
  }
  for (std::string& line :
       internal::WrapText(subtitle, internal::kSubtitleSize, false, text_width, 2)) {
    y_text += internal::kSubtitleSize + 5;
    b.AddText(kMargin, y_text, std::move(line), internal::kSubtitleSize, internal::kDarkGrey);
  }
  b.End();
  std::string note;
  if (!order.empty()) {
    note = std::to_string(order.size()) +
           " units: " + std::to_string(counts[static_cast<int>(Comparison::kBetter)]) +
           " better, " + std::to_string(counts[static_cast<int>(Comparison::kSame)]) +
           " similar, " + std::to_string(counts[static_cast<int>(Comparison::kWorse)]) + " worse";
    if (counts[static_cast<int>(Comparison::kNone)] > 0) {
      note += ", " + std::to_string(counts[static_cast<int>(Comparison::kNone)]) + " not compared";
    }
    if (IsFinite(in.benchmark)) {
      note += "; benchmark " + internal::FormatValue(in.benchmark, in.percent, 4, true);
    }
    b.Begin("comparison-note");
    y_text += internal::kNoteSize + 7;
    b.AddText(kMargin, y_text,
              internal::Ellipsize(note, internal::kNoteSize + 0.5, false, text_width),
              internal::kNoteSize + 0.5, internal::kTextBlack);
    b.End();
  }
  const double plot_top = y_text + 18;
  const double legend_baseline = height - kMargin + 2;
  const bool named = !order.empty() && static_cast<int>(order.size()) <= in.max_named;
  double name_band = 12;
  if (named) {
    double longest = 0;
    for (size_t i : order) {
      longest = std::max(
          longest, internal::TextWidth(internal::SanitizeUtf8(in.units[i].name), kNameSize, false));
    }
    name_band = std::min(longest, 110.0) + 10;
  }
  const double plot_bottom = legend_baseline - internal::kLegendSize - 14 - name_band;
  if (order.empty()) {
    b.Begin("no-data");
    b.AddRect(kMargin, plot_top, width - 2 * kMargin, std::max(10.0, plot_bottom - plot_top),
              std::nullopt, Solid(internal::kLineGrey, 1));
    b.AddText(width / 2, (plot_top + plot_bottom) / 2 + 6, "No data", 16, internal::kMidGrey,
              Anchor::kMiddle, true);
    b.End();
    scene.description = scene.title + ". No data.";
    return scene;
  }

  double lo = INFINITY, hi = -INFINITY;
  auto cover = [&](double v) {
    if (IsFinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  };
  for (size_t i : order) {
    cover(in.units[i].value);
    cover(in.units[i].lower);
    cover(in.units[i].upper);
  }
  cover(in.benchmark);
  if (hi > lo) {
    const double pad = 0.04 * (hi - lo);
    lo = lo >= 0 ? std::max(0.0, lo - pad) : lo - pad;
    hi = in.percent && hi <= 1 ? std::min(1.0, hi + pad) : hi + pad;
  }
  const int y_count = std::clamp(static_cast<int>((plot_bottom - plot_top) / 48), 3, 8);
  const internal::YAxis y_axis = internal::NiceYAxis(lo, hi, y_count, in.percent);
  std::vector<std::pair<double, std::string>> ticks;
  double label_width = 0;
  for (int k = 0; k <= 40; ++k) {
    const double v = y_axis.lo + k * y_axis.step;
    if (!(v <= y_axis.hi + y_axis.step * 1e-6)) break;
    ticks.emplace_back(std::abs(v) < y_axis.step * 1e-9 ? 0 : v,
                       internal::FormatValue(v, in.percent, y_axis.decimals, false));
    label_width =
        std::max(label_width, internal::TextWidth(ticks.back().second, internal::kTickSize, false));
  }
  const double plot_left = kMargin + (y_label.empty() ? 0 : 18) + label_width + 8;
  const double plot_right = width - kMargin - 6;
  const LinearScale x{0, static_cast<double>(order.size()), plot_left, plot_right};
  const LinearScale y{y_axis.lo, y_axis.hi, plot_bottom, plot_top};

  b.Begin("grid");
  for (const auto& [v, label] : ticks) {
    b.AddLine(plot_left, y(v), plot_right, y(v), Solid(internal::kGridGrey, 1));
    b.AddText(plot_left - 6, y(v) + internal::kTickSize * 0.36, label, internal::kTickSize,
              internal::kDarkGrey, Anchor::kEnd);
  }
  b.AddLine(plot_left, plot_bottom, plot_right, plot_bottom, Solid(internal::kMidGrey, 1));
  if (!y_label.empty()) {
    b.AddText(
        kMargin + 10, (plot_top + plot_bottom) / 2,
        internal::Ellipsize(y_label, internal::kTickSize + 0.5, false, plot_bottom - plot_top),
        internal::kTickSize + 0.5, internal::kDarkGrey, Anchor::kMiddle, false, -90);
  }
  b.End();
  if (IsFinite(in.benchmark)) {
    b.Begin("benchmark");
    b.AddLine(plot_left, y(in.benchmark), plot_right, y(in.benchmark),
              Solid(internal::kTextBlack, 1.5));
    b.End();
  }

  const double step = (plot_right - plot_left) / static_cast<double>(order.size());
  const double radius = std::clamp(step / 3, 1.2, 4.2);
  const int decimals = std::min(y_axis.decimals + 2, 8);
  b.Begin("intervals");
  for (size_t k = 0; k < order.size(); ++k) {
    const ComparisonUnit& u = in.units[order[k]];
    if (!IsFinite(u.lower) || !IsFinite(u.upper)) continue;
    const double px = x(k + 0.5);
    b.AddLine(px, y(u.lower), px, y(u.upper), Solid(ComparisonColor(u.comparison), 1.2, 0.7));
  }
  b.End();
  b.Begin("units");
  for (size_t k = 0; k < order.size(); ++k) {
    const ComparisonUnit& u = in.units[order[k]];
    std::string tooltip = internal::SanitizeUtf8(u.name) + ": " +
                          internal::FormatValue(u.value, in.percent, decimals, true);
    if (IsFinite(u.lower) && IsFinite(u.upper)) {
      tooltip += " (" + internal::FormatValue(u.lower, in.percent, decimals, true) + " to " +
                 internal::FormatValue(u.upper, in.percent, decimals, true) + ")";
    }
    tooltip += " " + std::string(internal::kEmDash) + " " + ComparisonWords(u.comparison);
    b.AddCircle(x(k + 0.5), y(u.value), radius, ComparisonColor(u.comparison), std::nullopt,
                std::move(tooltip));
  }
  b.End();
  if (named) {
    b.Begin("unit-names");
    for (size_t k = 0; k < order.size(); ++k) {
      const std::string name = internal::Ellipsize(internal::SanitizeUtf8(in.units[order[k]].name),
                                                   kNameSize, false, name_band - 10);
      b.AddText(x(k + 0.5) + kNameSize * 0.35, plot_bottom + 6, name, kNameSize,
                internal::kDarkGrey, Anchor::kEnd, false, -90);
    }
    b.End();
  }

  b.Begin("legend");
  {
    double lx = plot_left;
    const double ly = legend_baseline;
    const double size = internal::kLegendSize;
    auto dot = [&](Rgb color, std::string_view label) {
      b.AddCircle(lx + 4, ly - 3.6, 4, color, std::nullopt);
      b.AddText(lx + 12, ly, std::string(label), size, internal::kDarkGrey);
      lx += 12 + internal::TextWidth(label, size, false) + 14;
    };
    dot(internal::kImprovementBlue, "Better");
    dot(internal::kCommonGrey, "Similar");
    dot(internal::kConcernOrange, "Worse");
    if (counts[static_cast<int>(Comparison::kNone)] > 0) dot(kNotComparedGrey, "Not compared");
    lx += 8;
    if (IsFinite(in.benchmark)) {
      b.AddLine(lx, ly - 3.6, lx + 22, ly - 3.6, Solid(internal::kTextBlack, 1.5));
      b.AddText(lx + 27, ly, "Benchmark", size, internal::kDarkGrey);
      lx += 27 + internal::TextWidth("Benchmark", size, false) + 14;
    }
    b.AddLine(lx + 4, ly - 9, lx + 4, ly + 1, Solid(internal::kCommonGrey, 1.2, 0.7));
    b.AddText(lx + 12, ly, "Interval", size, internal::kDarkGrey);
  }
  b.End();
  scene.description = scene.title + ". Units ranked by value. " + note + ".";
  return scene;
}

}  // namespace

std::string RenderComparisonSvg(const ComparisonChartInput& input) {
  std::string svg;
  internal::WriteSvg(LayoutComparison(input, input.width, input.height), &svg);
  return svg;
}

Result<std::string> RenderComparisonPng(const ComparisonChartInput& input, double scale) {
  if (!(scale > 0 && scale <= 8)) return InvalidArgumentError("PNG scale must be in (0, 8]");
  return internal::PaintPng(LayoutComparison(input, input.width, input.height), scale);
}

Status PdfBoardPack::AddPage(const ComparisonChartInput& input) {
  return AddLaidOutPage(LayoutComparison(input, internal::kPdfPageWidth, internal::kPdfPageHeight));
}

}  // namespace shewhart::chart
