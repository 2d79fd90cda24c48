#include "chart/funnel_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
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
using internal::Dashed;
using internal::IsFinite;
using internal::LinearScale;
using internal::Point;
using internal::Rgb;
using internal::Scene;
using internal::Solid;
using internal::Stroke;
using stats::FunnelOutlier;
using stats::FunnelType;
using stats::FunnelUnit;

const Stroke kTargetStroke = Solid(internal::kTextBlack, 1.5);
const Stroke kLimit95Stroke = Dashed(internal::kMidGrey, 1.2, 3, 3);
const Stroke kLimit998Stroke = Dashed(internal::kDarkGrey, 1.4, 8, 4);
constexpr double kLabelSize = 9.5;

Rgb OutlierColor(FunnelOutlier o, stats::Direction improvement) {
  if (o == FunnelOutlier::kNone) return internal::kCommonGrey;
  if (improvement == stats::Direction::kNeutral) return internal::kNeutralPurple;
  const bool good = (o == FunnelOutlier::kHigh) == (improvement == stats::Direction::kIncrease);
  return good ? internal::kImprovementBlue : internal::kConcernOrange;
}

std::string OutlierWords(FunnelOutlier o, stats::Direction improvement) {
  if (o == FunnelOutlier::kNone) return "within the limits";
  std::string s = o == FunnelOutlier::kHigh ? "above the upper limit" : "below the lower limit";
  if (improvement != stats::Direction::kNeutral) {
    const bool good = (o == FunnelOutlier::kHigh) == (improvement == stats::Direction::kIncrease);
    s += good ? " (better than expected)" : " (worse than expected)";
  }
  return s;
}

// Appends the part of polyline `pts` (data coordinates, NaN y = break) that lies within
// [y_lo, y_hi], as screen polylines.
void AddClippedCurve(Builder& b, const std::vector<Point>& pts, double y_lo, double y_hi,
                     const LinearScale& x, const LinearScale& y, Stroke stroke) {
  std::vector<Point> run;
  auto flush = [&] {
    b.AddPolyline(std::move(run), stroke);
    run.clear();
  };
  for (size_t i = 1; i < pts.size(); ++i) {
    Point a = pts[i - 1], c = pts[i];
    if (!IsFinite(a.y) || !IsFinite(c.y)) {
      flush();
      continue;
    }
    // Clip the segment a-c to the y band (Liang–Barsky on y only).
    double t0 = 0, t1 = 1;
    const double dy = c.y - a.y;
    auto clip = [&](double p, double q) {  // p·t <= q
      if (p == 0) return q >= 0;
      const double t = q / p;
      if (p < 0) {
        t0 = std::max(t0, t);
      } else {
        t1 = std::min(t1, t);
      }
      return t0 <= t1;
    };
    if (!clip(-dy, a.y - y_lo) || !clip(dy, y_hi - a.y)) {
      flush();
      continue;
    }
    const Point p0{x(a.x + t0 * (c.x - a.x)), y(a.y + t0 * dy)};
    const Point p1{x(a.x + t1 * (c.x - a.x)), y(a.y + t1 * dy)};
    if (!run.empty() && (t0 > 0 || std::abs(run.back().x - p0.x) > 1e-9)) flush();
    if (run.empty()) run.push_back(p0);
    run.push_back(p1);
    if (t1 < 1) flush();
  }
  flush();
}

std::string TypeWord(FunnelType t) {
  return t == FunnelType::kProportion ? "Proportion"
         : t == FunnelType::kRatio    ? "Standardised ratio"
                                      : "Rate";
}

Scene LayoutFunnel(const FunnelChartInput& in, double width, double height) {
  width = std::isnan(width) ? internal::kMinWidth
                            : std::clamp(width, internal::kMinWidth, internal::kMaxSize);
  height = std::isnan(height) ? internal::kMinHeight
                              : std::clamp(height, internal::kMinHeight, internal::kMaxSize);
  Scene scene;
  scene.width = width;
  scene.height = height;
  Builder b(&scene);
  using internal::kMargin;

  const stats::FunnelResult* f = in.funnel;
  const std::string title = internal::SanitizeUtf8(in.title);
  const std::string subtitle = internal::SanitizeUtf8(in.subtitle);
  scene.title = title.empty() ? "Funnel plot" : title;
  size_t n_values = 0;
  if (f != nullptr) {
    for (const FunnelUnit& u : f->units) n_values += IsFinite(u.value) && u.denominator > 0;
  }
  const bool has_data = n_values > 0;
  const FunnelType type = f != nullptr ? f->options.type : FunnelType::kProportion;
  const double m = f != nullptr ? f->options.multiplier : 1;
  const std::string x_label = internal::SanitizeUtf8(!in.x_label.empty()          ? in.x_label
                                                     : type == FunnelType::kRatio ? "Expected"
                                                                                  : "Denominator");
  const std::string y_label =
      internal::SanitizeUtf8(!in.y_label.empty() ? in.y_label : TypeWord(type));

  b.AddRect(0, 0, width, height, internal::kWhite, std::nullopt);

  // --- Header: title, subtitle, the overdispersion note. ----------------------------------------
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
  int n_high = 0, n_low = 0;
  if (has_data) {
    for (const FunnelUnit& u : f->units) {
      n_high += u.outlier == FunnelOutlier::kHigh;
      n_low += u.outlier == FunnelOutlier::kLow;
    }
    const std::string level = f->options.limit == stats::FunnelLimit::k95 ? "95%" : "99.8%";
    note = std::to_string(f->units.size()) + " units; " + std::to_string(n_high) + " above and " +
           std::to_string(n_low) + " below the " + level + " limits. ";
    if (f->options.overdispersion != stats::Overdispersion::kOff) {
      note += "\xCF\x86 = " + internal::FormatNumber(f->phi, 3, false) +
              ", \xCF\x84\xC2\xB2 = " + internal::FormatNumber(f->tau2, 6, true) + "; ";
    }
    if (f->adjusted) {
      note += "limits adjusted for overdispersion";
    } else if (f->options.overdispersion == stats::Overdispersion::kOff) {
      note += "overdispersion not assessed (adjustment turned off)";
    } else {
      note += "no overdispersion adjustment (\xCF\x86 \xE2\x89\xA4 1)";
    }
    b.Begin("funnel-note");
    y_text += internal::kNoteSize + 7;
    b.AddText(kMargin, y_text,
              internal::Ellipsize(note, internal::kNoteSize + 0.5, false, text_width),
              internal::kNoteSize + 0.5, internal::kTextBlack);
    b.End();
  }
  const double header_bottom = y_text + 8;
  const double legend_baseline = height - kMargin + 2;
  const double plot_bottom = legend_baseline - internal::kLegendSize - 44;
  const double plot_top = header_bottom + 10;
  if (!has_data) {
    b.Begin("no-data");
    b.AddRect(kMargin, plot_top, width - 2 * kMargin, std::max(10.0, plot_bottom - plot_top),
              std::nullopt, Solid(internal::kLineGrey, 1));
    b.AddText(width / 2, (plot_top + plot_bottom) / 2 + 6, "No data", 16, internal::kMidGrey,
              Anchor::kMiddle, true);
    b.End();
    scene.description = scene.title + ". No data.";
    return scene;
  }

  // --- Scales: x from 0 to the largest unit; y over the values and the funnel at the units. -----
  double x_max = 0, x_min = INFINITY;
  double lo = INFINITY, hi = -INFINITY;
  auto cover = [&](double v) {
    if (IsFinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  };
  for (const FunnelUnit& u : f->units) {
    if (!(u.denominator > 0)) continue;
    x_max = std::max(x_max, u.denominator);
    x_min = std::min(x_min, u.denominator);
    cover(u.value * m);
    cover(u.limits.lcl998);
    cover(u.limits.ucl998);
  }
  const double target = f->target * m;
  cover(target);
  if (hi > lo) {
    const double pad = 0.04 * (hi - lo);
    lo = lo >= 0 ? std::max(0.0, lo - pad) : lo - pad;
    hi = in.percent && hi <= 1 ? std::min(1.0, hi + pad) : hi + pad;
  }
  const int y_count = std::clamp(static_cast<int>((plot_bottom - plot_top) / 48), 3, 8);
  const internal::YAxis y_axis = internal::NiceYAxis(lo, hi, y_count, in.percent);
  std::vector<double> y_ticks;
  for (int k = 0; k <= 40; ++k) {
    const double v = y_axis.lo + k * y_axis.step;
    if (!(v <= y_axis.hi + y_axis.step * 1e-6)) break;
    y_ticks.push_back(std::abs(v) < y_axis.step * 1e-9 ? 0 : v);
  }
  std::vector<std::string> y_tick_labels;
  double y_label_width = 0;
  for (double v : y_ticks) {
    y_tick_labels.push_back(internal::FormatValue(v, in.percent, y_axis.decimals, false));
    y_label_width = std::max(y_label_width,
                             internal::TextWidth(y_tick_labels.back(), internal::kTickSize, false));
  }
  const double plot_left = kMargin + 18 + y_label_width + 8;
  const double plot_right = width - kMargin - 6;
  const double plot_width = plot_right - plot_left;
  const int x_count = std::clamp(static_cast<int>(plot_width / 90), 2, 10);
  const internal::YAxis x_axis = internal::NiceYAxis(0, x_max * 1.02, x_count, false);
  const LinearScale x{0, x_axis.hi, plot_left, plot_right};
  const LinearScale y{y_axis.lo, y_axis.hi, plot_bottom, plot_top};

  b.Begin("grid");
  for (size_t i = 0; i < y_ticks.size(); ++i) {
    const double py = y(y_ticks[i]);
    b.AddLine(plot_left, py, plot_right, py, Solid(internal::kGridGrey, 1));
    b.AddText(plot_left - 6, py + internal::kTickSize * 0.36, y_tick_labels[i], internal::kTickSize,
              internal::kDarkGrey, Anchor::kEnd);
  }
  b.AddLine(plot_left, plot_bottom, plot_right, plot_bottom, Solid(internal::kMidGrey, 1));
  for (int k = 0; k <= 40; ++k) {
    const double v = k * x_axis.step;
    if (v > x_axis.hi + x_axis.step * 1e-6) break;
    const double px = x(v);
    b.AddLine(px, plot_bottom, px, plot_bottom + 4, Solid(internal::kMidGrey, 1));
    const std::string label = internal::FormatNumber(v, x_axis.decimals, false);
    const double half = internal::TextWidth(label, internal::kTickSize, false) / 2;
    b.AddText(std::clamp(px, half + 2, width - half - 2), plot_bottom + 17, label,
              internal::kTickSize, internal::kDarkGrey, Anchor::kMiddle);
  }
  b.AddText((plot_left + plot_right) / 2, plot_bottom + 33, x_label, internal::kTickSize + 0.5,
            internal::kDarkGrey, Anchor::kMiddle);
  b.AddText(kMargin + 10, (plot_top + plot_bottom) / 2,
            internal::Ellipsize(y_label, internal::kTickSize + 0.5, false, plot_bottom - plot_top),
            internal::kTickSize + 0.5, internal::kDarkGrey, Anchor::kMiddle, false, -90);
  b.End();

  // --- The funnel: limit curves in force, clipped to the plot. ----------------------------------
  const std::vector<stats::FunnelCurvePoint> curve = stats::FunnelCurve(*f);
  auto curve_of = [&](double stats::FunnelLimits::*field) {
    std::vector<Point> pts;
    pts.reserve(curve.size());
    for (const stats::FunnelCurvePoint& c : curve) {
      if (c.denominator > x_axis.hi) break;
      pts.push_back({c.denominator, c.limits.*field});
    }
    return pts;
  };
  const double y_lo = y_axis.lo, y_hi = y_axis.hi;
  b.Begin("limits-95");
  AddClippedCurve(b, curve_of(&stats::FunnelLimits::lcl95), y_lo, y_hi, x, y, kLimit95Stroke);
  AddClippedCurve(b, curve_of(&stats::FunnelLimits::ucl95), y_lo, y_hi, x, y, kLimit95Stroke);
  b.End();
  b.Begin("limits-998");
  AddClippedCurve(b, curve_of(&stats::FunnelLimits::lcl998), y_lo, y_hi, x, y, kLimit998Stroke);
  AddClippedCurve(b, curve_of(&stats::FunnelLimits::ucl998), y_lo, y_hi, x, y, kLimit998Stroke);
  b.End();
  b.Begin("target");
  if (IsFinite(target)) b.AddLine(plot_left, y(target), plot_right, y(target), kTargetStroke);
  b.End();

  // --- Units: grey within the limits, coloured outliers drawn last (on top). ---------------------
  const double radius = std::clamp(
      std::sqrt(plot_width * (plot_bottom - plot_top) / static_cast<double>(n_values)) / 5, 1.8,
      4.2);
  const int decimals = std::min(y_axis.decimals + 2, 8);
  std::vector<size_t> order;
  for (size_t i = 0; i < f->units.size(); ++i) {
    if (f->units[i].denominator > 0 && IsFinite(f->units[i].value)) order.push_back(i);
  }
  std::stable_partition(order.begin(), order.end(),
                        [&](size_t i) { return f->units[i].outlier == FunnelOutlier::kNone; });
  b.Begin("units");
  for (size_t i : order) {
    const FunnelUnit& u = f->units[i];
    const std::string name = internal::SanitizeUtf8(u.name);
    std::string tooltip =
        name + ": " + internal::FormatValue(u.value * m, in.percent, decimals, true) + " (" +
        internal::FormatNumber(u.numerator, 2, true) + " / " +
        internal::FormatNumber(u.denominator, 2, true) + ") " + std::string(internal::kEmDash) +
        " " + OutlierWords(u.outlier, in.improvement);
    b.AddCircle(x(u.denominator), y(u.value * m), radius, OutlierColor(u.outlier, in.improvement),
                Solid(internal::kWhite, 0.6), std::move(tooltip));
  }
  b.End();

  // --- Outlier names: the most extreme first, skipping any that would overlap. -------------------
  std::vector<size_t> outliers;
  for (size_t i : order) {
    if (f->units[i].outlier != FunnelOutlier::kNone) outliers.push_back(i);
  }
  auto extremity = [&](size_t i) {
    const double z = f->units[i].z;
    return std::isnan(z) ? 0.0 : std::abs(z);
  };
  std::stable_sort(outliers.begin(), outliers.end(),
                   [&](size_t a, size_t c) { return extremity(a) > extremity(c); });
  struct Box {
    double x0, y0, x1, y1;
  };
  std::vector<Box> boxes;
  b.Begin("unit-labels");
  int labelled = 0;
  for (size_t i : outliers) {
    if (labelled >= std::max(0, in.max_labels)) break;
    const FunnelUnit& u = f->units[i];
    const std::string text =
        internal::Ellipsize(internal::SanitizeUtf8(u.name), kLabelSize, false, 160);
    if (text.empty()) continue;
    const double w = internal::TextWidth(text, kLabelSize, false);
    const double px = x(u.denominator), py = y(u.value * m);
    const bool left = px + radius + 3 + w > plot_right;
    const Box box{left ? px - radius - 3 - w : px + radius + 3, py - kLabelSize * 0.7,
                  left ? px - radius - 3 : px + radius + 3 + w, py + kLabelSize * 0.45};
    bool clash = false;
    for (const Box& o : boxes) {
      clash = clash || (box.x0 < o.x1 && o.x0 < box.x1 && box.y0 < o.y1 && o.y0 < box.y1);
    }
    if (clash) continue;
    boxes.push_back(box);
    b.AddText(left ? box.x1 : box.x0, py + kLabelSize * 0.36, text, kLabelSize,
              internal::kTextBlack, left ? Anchor::kEnd : Anchor::kStart);
    ++labelled;
  }
  b.End();

  // --- Legend. -----------------------------------------------------------------------------------
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
    auto line = [&](Stroke stroke, std::string_view label) {
      b.AddLine(lx, ly - 3.6, lx + 22, ly - 3.6, stroke);
      b.AddText(lx + 27, ly, std::string(label), size, internal::kDarkGrey);
      lx += 27 + internal::TextWidth(label, size, false) + 14;
    };
    dot(internal::kCommonGrey, "Within limits");
    if (in.improvement == stats::Direction::kNeutral) {
      dot(internal::kNeutralPurple, "Outside limits");
    } else {
      dot(internal::kImprovementBlue, "Better than expected");
      dot(internal::kConcernOrange, "Worse than expected");
    }
    lx += 8;
    line(kTargetStroke, type == FunnelType::kRatio ? "Expected (1)" : "Average");
    line(kLimit95Stroke, "95% limits");
    line(kLimit998Stroke, "99.8% limits");
  }
  b.End();

  scene.description = scene.title + ". Funnel plot of " + std::to_string(n_values) + " units; " +
                      (type == FunnelType::kRatio ? "expected value " : "average ") +
                      internal::FormatValue(target, in.percent, y_axis.decimals + 2, true) + ". " +
                      note + ".";
  return scene;
}

}  // namespace

std::string RenderFunnelSvg(const FunnelChartInput& input) {
  std::string svg;
  internal::WriteSvg(LayoutFunnel(input, input.width, input.height), &svg);
  return svg;
}

Result<std::string> RenderFunnelPng(const FunnelChartInput& input, double scale) {
  if (!(scale > 0 && scale <= 8)) return InvalidArgumentError("PNG scale must be in (0, 8]");
  return internal::PaintPng(LayoutFunnel(input, input.width, input.height), scale);
}

Status PdfBoardPack::AddPage(const FunnelChartInput& input) {
  return AddLaidOutPage(LayoutFunnel(input, internal::kPdfPageWidth, internal::kPdfPageHeight));
}

}  // namespace shewhart::chart
