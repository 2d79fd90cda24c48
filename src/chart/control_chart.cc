#include "chart/control_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "chart/internal/cairo_painter.h"
#include "chart/internal/chart_kit.h"
#include "chart/internal/layout.h"
#include "chart/internal/scene.h"
#include "chart/internal/svg_writer.h"
#include "chart/internal/text_metrics.h"
#include "stats/periods.h"

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
using stats::ChartType;
using stats::ControlChartPart;
using stats::ControlChartPoint;
using stats::PointType;

// Line styles of the chart: the centre line as the XmR mean, the limits as its process limits.
const Stroke kCentreStroke = Solid(internal::kTextBlack, 1.5);
// A part whose runs analysis signals: the centre line is dashed (as qicharts2 does), so the
// signal is visible without colouring points that are not themselves special.
const Stroke kCentreSignalStroke = Dashed(internal::kTextBlack, 1.5, 7, 4);
const Stroke kLimitStroke = Dashed(internal::kDarkGrey, 1.2, 6, 4);
const Stroke kWarningStroke = Dashed(internal::kLineGrey, 1.1, 2, 3);

struct Series {
  size_t n = 0;
  std::span<const ControlChartPoint> points;
  std::span<const ControlChartPart> parts;
  bool has_dates = false;
  std::span<const Date> dates;
  stats::Frequency frequency = stats::Frequency::kUnknown;
  size_t n_values = 0;
  bool labelled = false;
  std::span<const PointType> types;
  ChartType type = ChartType::kRun;

  double X(size_t i) const { return has_dates ? static_cast<double>(dates[i]) : i + 1.0; }
  PointType TypeAt(size_t i) const { return labelled ? types[i] : PointType::kCommonCause; }
  std::string XLabel(size_t i) const {
    return has_dates ? internal::FormatDate(dates[i], frequency) : "Point " + std::to_string(i + 1);
  }
};

bool HasLimits(ChartType type) { return type != ChartType::kRun; }

std::string CentreName(ChartType type) {
  return type == ChartType::kRun ? "Median" : "Centre line";
}

std::string PointWords(PointType type, const ControlChartPoint& p) {
  if (type == PointType::kCommonCause) {
    return p.sigma_signal ? "Outside the limits" : "Common cause variation";
  }
  const std::string where =
      IsFinite(p.ucl) && p.y > p.ucl ? "above the upper limit" : "below the lower limit";
  std::string kind = type == PointType::kImprovement ? "improvement"
                     : type == PointType::kConcern   ? "concern"
                                                     : "neither improvement nor concern";
  return "Special cause " + std::string(internal::kEmDash) + " " + kind + " (" + where + ")";
}

// The runs analysis of one part in words.
std::string RunsWords(const ControlChartPart& part, size_t index, size_t n_parts) {
  const stats::RunsAnalysis& r = part.runs;
  std::string s = n_parts > 1 ? "Part " + std::to_string(index + 1) + ": " : "";
  if (r.n_useful <= 0) return s + "no useful points for the runs analysis";
  s += "longest run " + std::to_string(r.longest_run) + " (more than " +
       std::to_string(r.longest_run_max) + " is unusual), " + std::to_string(r.n_crossings) +
       " crossings (fewer than " + std::to_string(r.n_crossings_min) + " is unusual)";
  s += r.signal ? " " + std::string(internal::kEmDash) + " non-random variation"
                : " " + std::string(internal::kEmDash) + " random variation";
  return s;
}

// A stepped line through v(i) for the points of [begin, end): horizontal at each point's value
// from halfway to its left neighbour to halfway to its right neighbour (the part's own ends at the
// first and last point), broken where v is NaN. Constant stretches become one segment.
template <typename Value>
void AddStepLine(Builder& b, const Series& s, const LinearScale& x, const LinearScale& y,
                 int32_t begin, int32_t end, Value v, Stroke stroke) {
  std::vector<Point> run;
  auto flush = [&] {
    b.AddPolyline(std::move(run), stroke);
    run.clear();
  };
  for (int32_t i = begin; i < end; ++i) {
    const double value = v(s.points[i]);
    if (!IsFinite(value)) {
      flush();
      continue;
    }
    double left = i == begin ? x(s.X(i)) : (x(s.X(i - 1)) + x(s.X(i))) / 2;
    double right = i == end - 1 ? x(s.X(i)) : (x(s.X(i)) + x(s.X(i + 1))) / 2;
    if (begin == end - 1) left -= 4, right += 4;
    const double py = y(value);
    if (!run.empty() && run.back().y == py) {
      run.back().x = right;
    } else {
      if (!run.empty()) run.push_back({left, run.back().y});  // the riser
      run.push_back({left, py});
      run.push_back({right, py});
    }
  }
  flush();
}

std::string Describe(const ControlChartInput& in, const Series& s, const std::string& title,
                     int decimals) {
  if (s.n_values == 0) return title + ". No data.";
  auto value = [&](double v) { return internal::FormatValue(v, in.percent, decimals + 1, true); };
  std::string d = title + ". " + ChartTypeTitle(s.type) + " of " + std::to_string(s.n_values) +
                  " values from " + s.XLabel(0) + " to " + s.XLabel(s.n - 1) + ".";
  const ControlChartPart& last = s.parts.back();
  const ControlChartPoint& p = s.points[last.end - 1];
  if (IsFinite(p.cl)) d += " " + CentreName(s.type) + " " + value(p.cl) + ".";
  if (HasLimits(s.type) && IsFinite(p.lcl) && IsFinite(p.ucl)) {
    d += " Latest control limits " + value(p.lcl) + " to " + value(p.ucl) + ".";
  }
  int outside = 0, improvement = 0, concern = 0;
  for (size_t i = 0; i < s.n; ++i) {
    outside += s.points[i].sigma_signal;
    improvement += s.TypeAt(i) == PointType::kImprovement;
    concern += s.TypeAt(i) == PointType::kConcern;
  }
  if (HasLimits(s.type)) {
    d += " " + std::to_string(outside) + " points outside the limits";
    if (s.labelled && in.improvement != stats::Direction::kNeutral) {
      d += " (" + std::to_string(improvement) + " improvement, " + std::to_string(concern) +
           " concern)";
    }
    d += ".";
  }
  d += " Runs analysis: " + RunsWords(last, s.parts.size() - 1, s.parts.size()) + ".";
  return d;
}

Scene LayoutControlChart(const ControlChartInput& in, double width, double height) {
  width = std::isnan(width) ? internal::kMinWidth
                            : std::clamp(width, internal::kMinWidth, internal::kMaxSize);
  height = std::isnan(height) ? internal::kMinHeight
                              : std::clamp(height, internal::kMinHeight, internal::kMaxSize);
  Scene scene;
  scene.width = width;
  scene.height = height;
  Builder b(&scene);

  Series s;
  if (in.chart != nullptr) {
    s.points = in.chart->points;
    s.parts = in.chart->parts;
    s.type = in.chart->chart;
    s.n = s.parts.empty() ? 0 : s.points.size();
  }
  if (in.dates.size() == s.n && s.n > 0) {
    bool increasing = true;
    for (size_t i = 1; i < s.n; ++i) increasing = increasing && in.dates[i] > in.dates[i - 1];
    s.has_dates = increasing;
    s.dates = in.dates;
    if (increasing && s.n >= 2) s.frequency = stats::InferFrequency(in.dates);
  }
  s.labelled = in.point_type.size() == s.n && s.n > 0;
  s.types = in.point_type;
  for (size_t i = 0; i < s.n; ++i) s.n_values += IsFinite(s.points[i].y);
  const bool has_data = s.n_values > 0;

  const std::string title = internal::SanitizeUtf8(in.title);
  const std::string subtitle = internal::SanitizeUtf8(in.subtitle);
  const std::string y_label = internal::SanitizeUtf8(in.y_label);
  scene.title = title.empty() ? ChartTypeTitle(s.type) : title;

  b.AddRect(0, 0, width, height, internal::kWhite, std::nullopt);

  // --- Header: variation icon top right (labelled charts with limits), title, runs outcome. ----
  using internal::kMargin;
  double header_bottom = kMargin;
  double icons_left = width - kMargin;
  if (has_data && s.labelled && HasLimits(s.type)) {
    icons_left = width - kMargin - internal::kIconColumn;
    const double cy = kMargin + internal::kIconRadius + 2;
    const double cx = icons_left + internal::kIconColumn / 2;
    internal::DrawVariationIcon(b, cx, cy, in.variation);
    b.Begin("variation-caption");
    const double bottom = internal::DrawCaption(b, cx, cy + internal::kIconRadius + 2,
                                                internal::VariationCaption(in.variation));
    b.End();
    header_bottom = std::max(header_bottom, bottom + 4);
  }
  {
    const double text_width = icons_left - kMargin - 16;
    double y = kMargin;
    b.Begin("title");
    for (std::string& line : internal::WrapText(title, internal::kTitleSize, true, text_width, 2)) {
      y += internal::kTitleSize + 3;
      b.AddText(kMargin, y, std::move(line), internal::kTitleSize, internal::kTextBlack,
                Anchor::kStart, true);
    }
    for (std::string& line :
         internal::WrapText(subtitle, internal::kSubtitleSize, false, text_width, 2)) {
      y += internal::kSubtitleSize + 5;
      b.AddText(kMargin, y, std::move(line), internal::kSubtitleSize, internal::kDarkGrey);
    }
    b.End();
    if (has_data) {
      // The runs analysis of the latest part, and of any earlier part that signals.
      // At most two lines, in part order: the latest signalling earlier part, then the latest.
      std::vector<size_t> shown = {s.parts.size() - 1};
      for (size_t k = s.parts.size() - 1; k-- > 0;) {
        if (s.parts[k].runs.signal) {
          shown.insert(shown.begin(), k);
          break;
        }
      }
      b.Begin("runs");
      for (size_t k : shown) {
        const std::string text = "Runs analysis " + std::string(internal::kEnDash) + " " +
                                 RunsWords(s.parts[k], k, s.parts.size());
        y += internal::kNoteSize + 6;
        b.AddText(kMargin, y, internal::Ellipsize(text, internal::kNoteSize, false, text_width),
                  internal::kNoteSize,
                  s.parts[k].runs.signal ? internal::kTextBlack : internal::kDarkGrey,
                  Anchor::kStart, s.parts[k].runs.signal);
      }
      b.End();
    }
    header_bottom = std::max(header_bottom, y + 8);
  }

  const double legend_baseline = height - kMargin + 2;
  const double plot_bottom = legend_baseline - internal::kLegendSize - 30;
  if (!has_data) {
    const double top = header_bottom + 8;
    b.Begin("no-data");
    b.AddRect(kMargin, top, width - 2 * kMargin, std::max(10.0, plot_bottom - top), std::nullopt,
              Solid(internal::kLineGrey, 1));
    b.AddText(width / 2, (top + plot_bottom) / 2 + 6, "No data", 16, internal::kMidGrey,
              Anchor::kMiddle, true);
    b.End();
    scene.description = scene.title + ". No data.";
    return scene;
  }

  // --- Y scale. ---------------------------------------------------------------------------------
  const bool limits = HasLimits(s.type);
  double lo = INFINITY, hi = -INFINITY;
  auto cover = [&](double v) {
    if (IsFinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  };
  for (const ControlChartPoint& p : s.points) {
    cover(p.y);
    cover(p.cl);
    if (limits) cover(p.lcl), cover(p.ucl);
    if (limits && in.warning_limits) cover(p.lcl_95), cover(p.ucl_95);
  }
  cover(in.target);
  if (hi > lo) {
    const double pad = 0.03 * (hi - lo);
    lo = lo >= 0 ? std::max(0.0, lo - pad) : lo - pad;
    hi = in.percent && hi <= 1 ? std::min(1.0, hi + pad) : hi + pad;
  }
  const bool parts_band = s.parts.size() > 1;
  const double plot_top = header_bottom + 10 + (parts_band ? internal::kNoteRow + 4 : 0);
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
  const double plot_left = kMargin + (y_label.empty() ? 0 : 18) + y_label_width + 8;
  const std::string target_label =
      IsFinite(in.target)
          ? "Target " + internal::FormatValue(in.target, in.percent, y_axis.decimals + 1, true)
          : "";
  const double target_label_width =
      target_label.empty() ? 0 : internal::TextWidth(target_label, internal::kNoteSize, true) + 6;
  const double plot_right = width - kMargin - 6 - target_label_width;
  const double plot_width = plot_right - plot_left;

  // --- X scale: dates or point numbers, half a step of padding at each end. ----------------------
  const double first = s.X(0);
  const double last = s.X(s.n - 1);
  double pad = s.has_dates ? 1 : 0.5;
  if (s.n >= 2 && last > first) pad = std::max(0.5, 0.5 * (last - first) / (s.n - 1.0));
  const LinearScale x{first - pad, last + pad, plot_left, plot_right};
  const LinearScale y{y_axis.lo, y_axis.hi, plot_bottom, plot_top};

  // --- Grid and axes. ---------------------------------------------------------------------------
  b.Begin("grid");
  for (size_t i = 0; i < y_ticks.size(); ++i) {
    const double py = y(y_ticks[i]);
    b.AddLine(plot_left, py, plot_right, py, Solid(internal::kGridGrey, 1));
    b.AddText(plot_left - 6, py + internal::kTickSize * 0.36, y_tick_labels[i], internal::kTickSize,
              internal::kDarkGrey, Anchor::kEnd);
  }
  b.AddLine(plot_left, plot_bottom, plot_right, plot_bottom, Solid(internal::kMidGrey, 1));
  std::vector<std::pair<double, std::string>> x_ticks;
  if (s.has_dates) {
    for (internal::XTick& t :
         internal::DateTicks(s.dates[0], s.dates[s.n - 1], s.frequency, plot_width)) {
      x_ticks.emplace_back(t.date, std::move(t.label));
    }
  } else {
    const int count = std::clamp(static_cast<int>(plot_width / 60), 2, internal::kMaxXLabels);
    internal::YAxis xa = internal::NiceYAxis(1, std::max(2.0, last), count, false);
    const double step = std::max(1.0, std::round(xa.step));
    for (double v = step > 1 ? step : 1; v <= last + 1e-9; v += step) {
      x_ticks.emplace_back(v, internal::FormatNumber(v, 0, true));
    }
    if (step > 1) x_ticks.insert(x_ticks.begin(), {1.0, "1"});
  }
  for (const auto& [at, label] : x_ticks) {
    const double px = x(at);
    b.AddLine(px, plot_bottom, px, plot_bottom + 4, Solid(internal::kMidGrey, 1));
    const double half = internal::TextWidth(label, internal::kTickSize, false) / 2;
    b.AddText(std::clamp(px, half + 2, width - half - 2), plot_bottom + 17, label,
              internal::kTickSize, internal::kDarkGrey, Anchor::kMiddle);
  }
  if (!y_label.empty()) {
    b.AddText(
        kMargin + 10, (plot_top + plot_bottom) / 2,
        internal::Ellipsize(y_label, internal::kTickSize + 0.5, false, plot_bottom - plot_top),
        internal::kTickSize + 0.5, internal::kDarkGrey, Anchor::kMiddle, false, -90);
  }
  b.End();

  // --- Parts: a dashed rule between parts, labelled above the plot. ------------------------------
  if (parts_band) {
    b.Begin("parts");
    for (size_t k = 1; k < s.parts.size(); ++k) {
      const int32_t begin = s.parts[k].begin;
      const double px = (x(s.X(begin - 1)) + x(s.X(begin))) / 2;
      b.AddLine(px, plot_top - internal::kNoteRow, px, plot_bottom,
                Dashed(internal::kMidGrey, 1, 3, 3));
      b.AddText(px + 3, plot_top - 6, "Part " + std::to_string(k + 1), internal::kNoteSize,
                internal::kDarkGrey);
    }
    b.End();
  }

  // --- Lines of each part: warning lines, limits, centre.
  // -----------------------------------------
  bool any_limits = false, any_warning = false, any_signal = false;
  if (limits) {
    for (const ControlChartPoint& p : s.points) {
      any_limits = any_limits || IsFinite(p.lcl) || IsFinite(p.ucl);
      any_warning = any_warning || IsFinite(p.lcl_95) || IsFinite(p.ucl_95);
    }
  }
  any_warning = any_warning && in.warning_limits;
  if (any_warning) {
    b.Begin("warning-limits");
    for (const ControlChartPart& part : s.parts) {
      AddStepLine(
          b, s, x, y, part.begin, part.end, [](const ControlChartPoint& p) { return p.lcl_95; },
          kWarningStroke);
      AddStepLine(
          b, s, x, y, part.begin, part.end, [](const ControlChartPoint& p) { return p.ucl_95; },
          kWarningStroke);
    }
    b.End();
  }
  if (any_limits) {
    b.Begin("limits");
    for (const ControlChartPart& part : s.parts) {
      AddStepLine(
          b, s, x, y, part.begin, part.end, [](const ControlChartPoint& p) { return p.lcl; },
          kLimitStroke);
      AddStepLine(
          b, s, x, y, part.begin, part.end, [](const ControlChartPoint& p) { return p.ucl; },
          kLimitStroke);
    }
    b.End();
  }
  b.Begin("centre");
  for (const ControlChartPart& part : s.parts) {
    any_signal = any_signal || part.runs.signal;
    AddStepLine(
        b, s, x, y, part.begin, part.end, [](const ControlChartPoint& p) { return p.cl; },
        part.runs.signal ? kCentreSignalStroke : kCentreStroke);
  }
  b.End();

  if (IsFinite(in.target)) {
    const double ty = y(in.target);
    b.Begin("target");
    b.AddLine(plot_left, ty, plot_right, ty, Dashed(internal::kTargetRed, 1.6, 8, 4));
    b.AddText(plot_right + 6, ty + internal::kNoteSize * 0.36, target_label, internal::kNoteSize,
              internal::kTargetRed, Anchor::kStart, true);
    b.End();
  }

  // --- Values: a thin grey line broken at missing values and parts, then the points. -------------
  b.Begin("series");
  for (const ControlChartPart& part : s.parts) {
    std::vector<Point> run;
    for (int32_t i = part.begin; i < part.end; ++i) {
      if (!IsFinite(s.points[i].y)) {
        b.AddPolyline(std::move(run), Solid(internal::kLineGrey, 1.5));
        run.clear();
        continue;
      }
      run.push_back({x(s.X(i)), y(s.points[i].y)});
    }
    b.AddPolyline(std::move(run), Solid(internal::kLineGrey, 1.5));
  }
  b.End();

  const double radius = std::clamp(plot_width / static_cast<double>(s.n) / 3.2, 1.6, 4.2);
  const int decimals = std::min(y_axis.decimals + 2, 8);
  bool any_excluded = false;
  b.Begin("points");
  for (size_t i = 0; i < s.n; ++i) {
    const ControlChartPoint& p = s.points[i];
    if (!IsFinite(p.y)) continue;
    const PointType type = s.TypeAt(i);
    const Rgb color = internal::PointColor(type);
    std::string tooltip = s.XLabel(i) + ": " +
                          internal::FormatValue(p.y, in.percent, decimals, true) + " " +
                          std::string(internal::kEmDash) + " " + PointWords(type, p);
    if (limits && IsFinite(p.lcl) && IsFinite(p.ucl)) {
      tooltip += "; limits " + internal::FormatValue(p.lcl, in.percent, decimals, true) + " to " +
                 internal::FormatValue(p.ucl, in.percent, decimals, true);
    }
    if (IsFinite(p.n) && p.n > 0) tooltip += "; n = " + internal::FormatNumber(p.n, 2, true);
    if (!p.included) {
      any_excluded = true;
      tooltip += " (excluded from the calculations)";
      b.AddCircle(x(s.X(i)), y(p.y), radius, internal::kWhite, Solid(color, 1.5),
                  std::move(tooltip));
    } else {
      b.AddCircle(x(s.X(i)), y(p.y), radius, color, std::nullopt, std::move(tooltip));
    }
  }
  b.End();

  // --- Legend. -----------------------------------------------------------------------------------
  b.Begin("legend");
  {
    double lx = plot_left;
    const double ly = legend_baseline;
    const double size = internal::kLegendSize;
    auto dot = [&](Rgb color, std::string_view label, bool hollow = false) {
      if (hollow) {
        b.AddCircle(lx + 4, ly - 3.6, 4, internal::kWhite, Solid(color, 1.5));
      } else {
        b.AddCircle(lx + 4, ly - 3.6, 4, color, std::nullopt);
      }
      b.AddText(lx + 12, ly, std::string(label), size, internal::kDarkGrey);
      lx += 12 + internal::TextWidth(label, size, false) + 14;
    };
    auto line = [&](Stroke stroke, std::string_view label) {
      b.AddLine(lx, ly - 3.6, lx + 22, ly - 3.6, stroke);
      b.AddText(lx + 27, ly, std::string(label), size, internal::kDarkGrey);
      lx += 27 + internal::TextWidth(label, size, false) + 14;
    };
    dot(internal::kCommonGrey, "Common cause");
    if (s.labelled && limits) {
      if (in.improvement == stats::Direction::kNeutral) {
        dot(internal::kNeutralPurple, "Special cause");
      } else {
        dot(internal::kImprovementBlue, "Improvement");
        dot(internal::kConcernOrange, "Concern");
      }
    }
    if (any_excluded) dot(internal::kCommonGrey, "Excluded", true);
    lx += 8;
    line(kCentreStroke, CentreName(s.type));
    if (any_signal) line(kCentreSignalStroke, "Runs signal");
    if (any_limits) line(kLimitStroke, "Limits (3σ)");
    if (any_warning) line(kWarningStroke, "2σ");
    if (IsFinite(in.target)) line(Dashed(internal::kTargetRed, 1.6, 8, 4), "Target");
  }
  b.End();

  scene.description = Describe(in, s, scene.title, y_axis.decimals);
  return scene;
}

}  // namespace

std::string ChartTypeTitle(ChartType type) {
  switch (type) {
    case ChartType::kRun:
      return "Run chart";
    case ChartType::kI:
      return "I chart (individuals)";
    case ChartType::kMr:
      return "MR chart (moving ranges)";
    case ChartType::kXbar:
      return "Xbar chart (subgroup means)";
    case ChartType::kS:
      return "S chart (subgroup standard deviations)";
    case ChartType::kT:
      return "T chart (time between events)";
    case ChartType::kP:
      return "P chart (proportions)";
    case ChartType::kPp:
      return "P\xE2\x80\xB2 chart (Laney proportions)";
    case ChartType::kC:
      return "C chart (counts)";
    case ChartType::kU:
      return "U chart (rates)";
    case ChartType::kUp:
      return "U\xE2\x80\xB2 chart (Laney rates)";
    case ChartType::kG:
      return "G chart (cases between events)";
    case ChartType::kIp:
      return "I\xE2\x80\xB2 chart (Laney individuals)";
  }
  return "Control chart";
}

std::string RenderControlChartSvg(const ControlChartInput& input) {
  std::string svg;
  internal::WriteSvg(LayoutControlChart(input, input.width, input.height), &svg);
  return svg;
}

Result<std::string> RenderControlChartPng(const ControlChartInput& input, double scale) {
  if (!(scale > 0 && scale <= 8)) return InvalidArgumentError("PNG scale must be in (0, 8]");
  return internal::PaintPng(LayoutControlChart(input, input.width, input.height), scale);
}

Status PdfBoardPack::AddPage(const ControlChartInput& input) {
  return AddLaidOutPage(
      LayoutControlChart(input, internal::kPdfPageWidth, internal::kPdfPageHeight));
}

}  // namespace shewhart::chart
