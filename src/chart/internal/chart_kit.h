// Shared pieces of chart layout: the Making Data Count palette and geometry, number and date
// formatting, nice axis ticks, a Scene builder, and the variation icon.
//
// Every chart of the library (XmR, control charts, funnel plots) is laid out with these, so the
// charts share one visual language: the same colours, fonts, margins, ticks and icons.
//
// Example:
//   Scene scene;
//   Builder b(&scene);
//   b.AddLine(0, 0, 10, 10, Solid(kDarkGrey, 1));
//   YAxis axis = NiceYAxis(0.12, 0.87, 5, /*percent=*/true);   // 10% .. 90% by 20%
//   std::string label = FormatValue(0.95, true, 2, true);       // "95%"
#ifndef SHEWHART_CHART_INTERNAL_CHART_KIT_H_
#define SHEWHART_CHART_INTERNAL_CHART_KIT_H_

#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/date.h"
#include "chart/internal/scene.h"
#include "stats/periods.h"
#include "stats/xmr.h"

namespace shewhart::chart::internal {

// Making Data Count colours (NHS England MDC guidance; NHSRplotthedots' palette, with the MDC
// orange for concern because it reads better on white than the package's yellow-orange).
inline constexpr Rgb kCommonGrey{0x7B, 0x7D, 0x7D};
inline constexpr Rgb kImprovementBlue{0x28, 0x9D, 0xE0};
inline constexpr Rgb kConcernOrange{0xED, 0x8B, 0x00};
inline constexpr Rgb kNeutralPurple{0x36, 0x14, 0x75};
inline constexpr Rgb kTargetRed{0xDE, 0x1B, 0x1B};
// NHS identity greys: text, secondary text, rules and grid.
inline constexpr Rgb kTextBlack{0x23, 0x1F, 0x20};
inline constexpr Rgb kDarkGrey{0x42, 0x55, 0x63};
inline constexpr Rgb kMidGrey{0x76, 0x86, 0x92};
inline constexpr Rgb kLineGrey{0xAE, 0xB7, 0xBD};
inline constexpr Rgb kGridGrey{0xE8, 0xED, 0xEE};
inline constexpr Rgb kWhite{0xFF, 0xFF, 0xFF};

// Geometry, in canvas units (pixels for SVG, points for PDF).
inline constexpr double kMargin = 16;
inline constexpr double kTitleSize = 17;
inline constexpr double kSubtitleSize = 12;
inline constexpr double kIconRadius = 24;
inline constexpr double kIconColumn = 136;  // width of an icon and its caption
inline constexpr double kIconGap = 6;
inline constexpr double kCaptionSize = 9.5;
inline constexpr double kCaptionLine = 11.5;
inline constexpr int kCaptionLines = 3;
inline constexpr double kTickSize = 10.5;
inline constexpr double kLegendSize = 10.5;
inline constexpr double kNoteSize = 9.5;
inline constexpr double kNoteRow = 13;
inline constexpr int kMaxNoteRows = 2;
inline constexpr int kMaxXLabels = 12;
inline constexpr double kMinWidth = 480;
inline constexpr double kMinHeight = 300;
inline constexpr double kMaxSize = 20000;

inline constexpr std::array<std::string_view, 12> kMonthNames = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
inline constexpr std::string_view kEnDash = "\xE2\x80\x93";
inline constexpr std::string_view kEmDash = "\xE2\x80\x94";

inline bool IsFinite(double v) { return std::isfinite(v); }

// ---- Numbers and dates as people read them. ------------------------------------------------

// `v` with `decimals` decimals (trailing zeros dropped when `trim`), thousands grouped by commas
// when the integer part has 5 or more digits.
std::string FormatNumber(double v, int decimals, bool trim);
// A value for display: percentages for proportions (0.95 -> "95%").
std::string FormatValue(double v, bool percent, int decimals, bool trim);
std::string MonthYear(Date d);     // "Apr 2016"
std::string DayMonthYear(Date d);  // "7 Jan 2021"
// Monthly, quarterly and yearly data are labelled by month.
bool IsMonthly(stats::Frequency f);
std::string FormatDate(Date d, stats::Frequency f);
// The date `months` calendar months after `from`, on the same day of the month (clamped).
Date AddMonths(Date from, int32_t months);
int32_t MonthsBetween(Date a, Date b);

// ---- Scales and ticks. -----------------------------------------------------------------------

struct LinearScale {
  double d0 = 0, d1 = 1;  // domain
  double r0 = 0, r1 = 1;  // range
  double operator()(double v) const { return r0 + (v - d0) / (d1 - d0) * (r1 - r0); }
};

struct YAxis {
  double lo = 0, hi = 1, step = 1;
  int decimals = 0;  // decimals a tick label needs (of the raw value)
};

// Nice round ticks covering [lo, hi] with about `target_count` intervals.
YAxis NiceYAxis(double lo, double hi, int target_count, bool percent);

struct XTick {
  Date date;
  std::string label;
};

// At most kMaxXLabels date ticks that fit in `plot_width` without overlapping.
std::vector<XTick> DateTicks(Date first, Date last, stats::Frequency frequency, double plot_width);

// ---- Scene building. -------------------------------------------------------------------------

// Appends items to a Scene (empty texts and one-point polylines are skipped).
class Builder {
 public:
  explicit Builder(Scene* scene) : scene_(scene) {}

  void Begin(std::string css_class) {
    scene_->items.emplace_back(std::in_place_type<GroupBegin>, GroupBegin{std::move(css_class)});
  }
  void End() { scene_->items.emplace_back(std::in_place_type<GroupEnd>); }

  void AddLine(double x1, double y1, double x2, double y2, Stroke stroke) {
    scene_->items.push_back(Line{{x1, y1}, {x2, y2}, stroke});
  }
  void AddText(double x, double y, std::string text, double size, Rgb color,
               Anchor anchor = Anchor::kStart, bool bold = false, double rotate = 0) {
    if (text.empty()) return;
    scene_->items.push_back(Text{{x, y}, std::move(text), size, bold, anchor, color, rotate});
  }
  void AddCircle(double cx, double cy, double r, std::optional<Rgb> fill,
                 std::optional<Stroke> stroke, std::string tooltip = "") {
    scene_->items.push_back(Circle{{cx, cy}, r, fill, stroke, std::move(tooltip)});
  }
  void AddRect(double x, double y, double w, double h, std::optional<Rgb> fill,
               std::optional<Stroke> stroke) {
    scene_->items.push_back(Rect{x, y, w, h, fill, stroke});
  }
  void AddPolyline(std::vector<Point> points, Stroke stroke) {
    if (points.size() < 2) return;
    scene_->items.push_back(Polyline{std::move(points), stroke});
  }

 private:
  Scene* scene_;
};

Stroke Solid(Rgb color, double width, double opacity = 1);
Stroke Dashed(Rgb color, double width, double dash, double gap, double opacity = 1);

// The Making Data Count colour of a variation icon.
Rgb VariationColor(stats::Variation v);

// The variation icon: a ring in the variation's colour around a small run chart; special causes
// show their last three points in colour, rising (H) or falling (L), with the letter.
void DrawVariationIcon(Builder& b, double cx, double cy, stats::Variation v);

// Lays out an icon's caption under an icon centred at cx; returns the bottom of the last line.
double DrawCaption(Builder& b, double cx, double top, const std::string& caption);

}  // namespace shewhart::chart::internal

#endif  // SHEWHART_CHART_INTERNAL_CHART_KIT_H_
