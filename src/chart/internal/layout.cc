#include "chart/internal/layout.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/date.h"
#include "chart/internal/text_metrics.h"
#include "stats/periods.h"

namespace shewhart::chart::internal {
namespace {

using stats::Assurance;
using stats::PointType;
using stats::SpecialCause;
using stats::Variation;

// Making Data Count colours (NHS England MDC guidance; NHSRplotthedots' palette, with the MDC
// orange for concern because it reads better on white than the package's yellow-orange).
constexpr Rgb kCommonGrey{0x7B, 0x7D, 0x7D};
constexpr Rgb kImprovementBlue{0x28, 0x9D, 0xE0};
constexpr Rgb kConcernOrange{0xED, 0x8B, 0x00};
constexpr Rgb kNeutralPurple{0x36, 0x14, 0x75};
constexpr Rgb kTargetRed{0xDE, 0x1B, 0x1B};
// NHS identity greys: text, secondary text, rules and grid.
constexpr Rgb kTextBlack{0x23, 0x1F, 0x20};
constexpr Rgb kDarkGrey{0x42, 0x55, 0x63};
constexpr Rgb kMidGrey{0x76, 0x86, 0x92};
constexpr Rgb kLineGrey{0xAE, 0xB7, 0xBD};
constexpr Rgb kGridGrey{0xE8, 0xED, 0xEE};
constexpr Rgb kWhite{0xFF, 0xFF, 0xFF};

// Geometry, in canvas units (pixels for SVG, points for PDF).
constexpr double kMargin = 16;
constexpr double kTitleSize = 17;
constexpr double kSubtitleSize = 12;
constexpr double kIconRadius = 24;
constexpr double kIconColumn = 136;  // width of an icon and its caption
constexpr double kIconGap = 6;
constexpr double kCaptionSize = 9.5;
constexpr double kCaptionLine = 11.5;
constexpr int kCaptionLines = 3;
constexpr double kTickSize = 10.5;
constexpr double kLegendSize = 10.5;
constexpr double kNoteSize = 9.5;
constexpr double kNoteRow = 13;
constexpr int kMaxNoteRows = 2;
constexpr int kMaxXLabels = 12;
constexpr double kMinWidth = 480;
constexpr double kMinHeight = 300;
constexpr double kMaxSize = 20000;

constexpr std::array<std::string_view, 12> kMonthNames = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::string_view kEnDash = "\xE2\x80\x93";
constexpr std::string_view kEmDash = "\xE2\x80\x94";

bool IsFinite(double v) { return std::isfinite(v); }

// ---------------------------------------------------------------------------------------------
// Numbers and dates as people read them.

// `v` with `decimals` decimals (trailing zeros dropped when `trim`), thousands grouped by commas
// when the integer part has 5 or more digits.
std::string FormatNumber(double v, int decimals, bool trim) {
  if (std::abs(v) < 0.5 * std::pow(10.0, -decimals)) v = 0;  // no "-0"
  char buf[400];  // room for any double in fixed notation
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed, decimals);
  if (ec != std::errc()) return "?";
  std::string s(buf, end);
  if (trim && s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  const size_t sign = s[0] == '-' ? 1 : 0;
  size_t int_end = s.find('.');
  if (int_end == std::string::npos) int_end = s.size();
  if (int_end - sign >= 5) {
    for (size_t pos = int_end; pos > sign + 3; pos -= 3) s.insert(pos - 3, ",");
  }
  return s;
}

// A value for display: percentages for proportions.
std::string FormatValue(double v, bool percent, int decimals, bool trim) {
  if (percent) return FormatNumber(v * 100, std::max(0, decimals - 2), trim) + "%";
  return FormatNumber(v, decimals, trim);
}

std::string MonthYear(Date d) {
  const CivilDate c = CivilFromDays(d);
  return std::string(kMonthNames[c.month - 1]) + " " + std::to_string(c.year);
}

std::string DayMonthYear(Date d) {
  const CivilDate c = CivilFromDays(d);
  return std::to_string(c.day) + " " + std::string(kMonthNames[c.month - 1]) + " " +
         std::to_string(c.year);
}

bool IsMonthly(stats::Frequency f) {
  return f == stats::Frequency::kMonthly || f == stats::Frequency::kQuarterly ||
         f == stats::Frequency::kYearly;
}

std::string FormatDate(Date d, stats::Frequency f) {
  return IsMonthly(f) ? MonthYear(d) : DayMonthYear(d);
}

// The date `months` calendar months after `from`, on the same day of the month (clamped).
Date AddMonths(Date from, int32_t months) {
  const CivilDate c = CivilFromDays(from);
  const int32_t index = c.year * 12 + (c.month - 1) + months;
  const int32_t year = index / 12;
  const int32_t month = index % 12 + 1;
  return DaysFromCivil(year, month, std::min(c.day, DaysInMonth(year, month)));
}

int32_t MonthsBetween(Date a, Date b) {
  const CivilDate ca = CivilFromDays(a);
  const CivilDate cb = CivilFromDays(b);
  return (cb.year - ca.year) * 12 + (cb.month - ca.month);
}

// ---------------------------------------------------------------------------------------------
// Words.

std::string RuleWords(SpecialCause cause, int32_t rule_length) {
  const std::string n = std::to_string(rule_length);
  switch (cause) {
    case SpecialCause::kCommonCause:
      return "";
    case SpecialCause::kAboveUpl:
      return "above the upper process limit";
    case SpecialCause::kBelowLpl:
      return "below the lower process limit";
    case SpecialCause::kTrendIncreasing:
      return n + " points in a row going up";
    case SpecialCause::kTrendDecreasing:
      return n + " points in a row going down";
    case SpecialCause::kTwoOfThreeAbove:
      return "2 of 3 points close to the upper process limit";
    case SpecialCause::kTwoOfThreeBelow:
      return "2 of 3 points close to the lower process limit";
    case SpecialCause::kShiftAbove:
      return n + " points in a row above the mean";
    case SpecialCause::kShiftBelow:
      return n + " points in a row below the mean";
  }
  return "";
}

std::string PointMeaning(PointType type, SpecialCause cause, int32_t rule_length) {
  std::string kind;
  switch (type) {
    case PointType::kCommonCause:
      return "Common cause variation";
    case PointType::kImprovement:
      kind = "improvement";
      break;
    case PointType::kConcern:
      kind = "concern";
      break;
    case PointType::kNeutralHigh:
    case PointType::kNeutralLow:
      kind = "neither improvement nor concern";
      break;
  }
  return "Special cause " + std::string(kEmDash) + " " + kind + " (" +
         RuleWords(cause, rule_length) + ")";
}

// ---------------------------------------------------------------------------------------------
// Scales and ticks.

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
YAxis NiceYAxis(double lo, double hi, int target_count, bool percent) {
  if (!(hi > lo)) {
    const double pad = lo == 0 ? 1 : std::abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const double raw = (hi - lo) / std::max(1, target_count);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    step = m * mag;
    if (step >= raw) break;
  }
  YAxis axis;
  axis.step = step;
  axis.lo = std::floor(lo / step + 1e-9) * step;
  axis.hi = std::ceil(hi / step - 1e-9) * step;
  if (axis.hi <= axis.lo) axis.hi = axis.lo + step;
  // Decimals: enough for the step (2.5 x 10^k needs one more than 10^k).
  const double display_step = percent ? step * 100 : step;
  int decimals = 0;
  while (decimals < 8 && std::abs(display_step * std::pow(10.0, decimals) -
                                  std::round(display_step * std::pow(10.0, decimals))) > 1e-6) {
    ++decimals;
  }
  axis.decimals = decimals + (percent ? 2 : 0);
  return axis;
}

struct XTick {
  Date date;
  std::string label;
};

// At most kMaxXLabels date ticks that fit in `plot_width` without overlapping: months
// ("Apr 2016") for monthly, quarterly and yearly data and for long daily series, days
// ("7 Jan 2021") otherwise.
std::vector<XTick> DateTicks(Date first, Date last, stats::Frequency frequency, double plot_width) {
  std::vector<XTick> ticks;
  const bool monthly = IsMonthly(frequency);
  const double month_label = TextWidth("May 2088", kTickSize, false) + 14;
  const double day_label = TextWidth("28 May 2088", kTickSize, false) + 14;

  auto fits = [&](int count, double label_width) {
    return count <= kMaxXLabels && count * label_width <= plot_width;
  };
  if (!monthly) {
    const std::array<int32_t, 5> day_steps = {1, 2, 7, 14, 28};
    for (int32_t step : day_steps) {
      if (frequency == stats::Frequency::kWeekly && step < 7) continue;
      const int count = (last - first) / step + 1;
      if (!fits(count, day_label)) continue;
      for (Date d = first; d <= last; d += step) ticks.push_back({d, DayMonthYear(d)});
      return ticks;
    }
  }
  // Month ticks: from the first date's month for monthly data, from the first 1st of a month
  // otherwise; the step is a whole number of months (quarters, years for coarser data).
  Date start = first;
  if (!monthly) {
    const CivilDate c = CivilFromDays(first);
    start = c.day == 1 ? first : AddMonths(DaysFromCivil(c.year, c.month, 1), 1);
  }
  const int32_t span = MonthsBetween(start, last);
  const int32_t min_step = frequency == stats::Frequency::kQuarterly ? 3
                           : frequency == stats::Frequency::kYearly  ? 12
                                                                     : 1;
  const std::array<int32_t, 12> month_steps = {1, 2, 3, 4, 6, 12, 24, 36, 60, 120, 240, 600};
  for (int32_t step : month_steps) {
    if (step < min_step || step % min_step != 0) continue;
    const int count = span / step + 1;
    if (!fits(count, month_label) && step != month_steps.back()) continue;
    for (int32_t k = 0;; k += step) {
      const Date d = AddMonths(start, k);
      if (d > last) break;
      ticks.push_back({d, MonthYear(d)});
    }
    return ticks;
  }
  return ticks;
}

// ---------------------------------------------------------------------------------------------
// Scene building helpers.

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

Stroke Solid(Rgb color, double width, double opacity = 1) {
  return Stroke{color, width, 0, 0, opacity};
}
Stroke Dashed(Rgb color, double width, double dash, double gap, double opacity = 1) {
  return Stroke{color, width, dash, gap, opacity};
}

Rgb VariationColor(Variation v) {
  switch (v) {
    case Variation::kCommonCause:
      return kCommonGrey;
    case Variation::kImprovementHigh:
    case Variation::kImprovementLow:
      return kImprovementBlue;
    case Variation::kConcernHigh:
    case Variation::kConcernLow:
      return kConcernOrange;
    case Variation::kNeutralHigh:
    case Variation::kNeutralLow:
      return kNeutralPurple;
  }
  return kCommonGrey;
}

// The variation icon: a ring in the variation's colour around a small run chart; special causes
// show their last three points in colour, rising (H) or falling (L), with the letter.
void DrawVariationIcon(Builder& b, double cx, double cy, Variation v) {
  const Rgb color = VariationColor(v);
  const std::string caption = VariationCaption(v);
  b.Begin("variation-icon " + std::string(stats::Name(v)));
  b.AddCircle(cx, cy, kIconRadius, kWhite, Solid(color, 2.6), caption);
  constexpr std::array<double, 7> xs = {-14, -9.3, -4.7, 0, 4.7, 9.3, 14};
  constexpr std::array<double, 7> flat = {1, -4, 3, -2, 3, -4, 1};
  constexpr std::array<double, 7> high = {9, 6, 10, 7, 2, -4, -10};
  const bool is_high = v == Variation::kImprovementHigh || v == Variation::kConcernHigh ||
                       v == Variation::kNeutralHigh;
  std::array<double, 7> ys = flat;
  if (v != Variation::kCommonCause) {
    for (size_t i = 0; i < ys.size(); ++i) ys[i] = is_high ? high[i] : -high[i];
  }
  std::vector<Point> pts;
  for (size_t i = 0; i < xs.size(); ++i) pts.push_back({cx + xs[i], cy + ys[i]});
  b.AddPolyline(pts, Solid(kLineGrey, 1.1));
  for (size_t i = 0; i < pts.size(); ++i) {
    const bool special = v != Variation::kCommonCause && i >= 4;
    b.AddCircle(pts[i].x, pts[i].y, 2.4, special ? color : kCommonGrey, std::nullopt);
  }
  if (v != Variation::kCommonCause) {
    b.AddText(cx - 6, is_high ? cy - 4 : cy + 13.5, is_high ? "H" : "L", 13, color, Anchor::kMiddle,
              true);
  }
  b.End();
}

// The assurance icon: a ring with P (blue, pass), F (orange, fail) or ? (grey, hit and miss)
// above a short dashed target line.
void DrawAssuranceIcon(Builder& b, double cx, double cy, Assurance a) {
  Rgb color = kCommonGrey;
  std::string letter = "?";
  if (a == Assurance::kConsistentPass) color = kImprovementBlue, letter = "P";
  if (a == Assurance::kConsistentFail) color = kConcernOrange, letter = "F";
  const std::string caption = AssuranceCaption(a);
  b.Begin("assurance-icon " + std::string(stats::Name(a)));
  b.AddCircle(cx, cy, kIconRadius, kWhite, Solid(color, 2.6), caption);
  b.AddText(cx, cy + 5, letter, 21, color, Anchor::kMiddle, true);
  b.AddLine(cx - 12, cy + 12, cx + 12, cy + 12, Dashed(kTargetRed, 1.6, 3, 2));
  b.End();
}

// Lays out the icon captions under an icon centred at cx; returns the bottom of the last line.
double DrawCaption(Builder& b, double cx, double top, const std::string& caption) {
  double y = top;
  for (std::string& line : WrapText(caption, kCaptionSize, false, kIconColumn, kCaptionLines)) {
    y += kCaptionLine;
    b.AddText(cx, y, std::move(line), kCaptionSize, kDarkGrey, Anchor::kMiddle);
  }
  return y;
}

// One label above the plot: a recalculation or a dated note.
struct Note {
  double x = 0;  // the line
  std::string text;
  bool recalculation = false;
  bool flip = false;  // written leftwards from the line (near the right edge)
  double left = 0;    // the label's extent
  double right = 0;
  int row = 0;  // 0 = top row
};

struct Series {
  size_t n = 0;
  std::span<const Date> dates;
  std::span<const double> values;
  const stats::XmrResult* xmr = nullptr;
  stats::Frequency frequency = stats::Frequency::kUnknown;
  size_t n_values = 0;  // finite values
};

PointType TypeAt(const Series& s, size_t i) {
  return s.xmr != nullptr && i < s.xmr->point_type.size() ? s.xmr->point_type[i]
                                                          : PointType::kCommonCause;
}
SpecialCause CauseAt(const Series& s, size_t i) {
  return s.xmr != nullptr && i < s.xmr->special_cause.size() ? s.xmr->special_cause[i]
                                                             : SpecialCause::kCommonCause;
}

// The recalculation groups clipped to the n drawn points (one group [0, n) without a result).
std::vector<stats::XmrGroup> GroupsOf(const Series& s) {
  std::vector<stats::XmrGroup> groups;
  if (s.xmr != nullptr) {
    for (const stats::XmrGroup& g : s.xmr->groups) {
      if (g.begin >= static_cast<int32_t>(s.n) || g.end <= g.begin) continue;
      stats::XmrGroup clipped = g;
      clipped.end = std::min<int32_t>(g.end, static_cast<int32_t>(s.n));
      groups.push_back(clipped);
    }
  }
  if (groups.empty()) {
    stats::XmrGroup g;
    g.begin = 0;
    g.end = static_cast<int32_t>(s.n);
    g.mean = g.lpl = g.upl = std::nan("");
    groups.push_back(g);
  }
  return groups;
}

std::string Describe(const XmrChartInput& in, const Series& s,
                     const std::vector<stats::XmrGroup>& groups, const std::string& title,
                     int decimals) {
  if (s.n_values == 0) return title + ". No data.";
  auto value = [&](double v) { return FormatValue(v, in.percent, decimals + 1, true); };
  std::string d = title + ". Making Data Count XmR chart of " + std::to_string(s.n_values) +
                  " values from " + FormatDate(s.dates[0], s.frequency) + " to " +
                  FormatDate(s.dates[s.n - 1], s.frequency);
  if (s.n_values < s.n) d += " (" + std::to_string(s.n - s.n_values) + " missing)";
  d += ".";
  for (size_t i = s.n; i-- > 0;) {
    if (IsFinite(s.values[i])) {
      d += " Latest value " + value(s.values[i]) + (IsMonthly(s.frequency) ? " in " : " on ") +
           FormatDate(s.dates[i], s.frequency) + ".";
      break;
    }
  }
  const stats::XmrGroup& last = groups.back();
  if (IsFinite(last.mean)) {
    d += groups.size() > 1 ? " Since the last recalculation, mean " : " Mean ";
    d += value(last.mean);
    if (IsFinite(last.lpl) && IsFinite(last.upl)) {
      d += ", process limits " + value(last.lpl) + " to " + value(last.upl);
    }
    d += ".";
  }
  if (groups.size() == 2) d += " Recalculated once.";
  if (groups.size() > 2) d += " Recalculated " + std::to_string(groups.size() - 1) + " times.";
  int improvement = 0, concern = 0, neutral = 0;
  for (size_t i = 0; i < s.n; ++i) {
    if (!IsFinite(s.values[i])) continue;
    const PointType t = TypeAt(s, i);
    improvement += t == PointType::kImprovement;
    concern += t == PointType::kConcern;
    neutral += t == PointType::kNeutralHigh || t == PointType::kNeutralLow;
  }
  if (in.improvement == stats::Direction::kNeutral) {
    d += " " + std::to_string(neutral) + " points show special cause variation.";
  } else {
    d += " " + std::to_string(improvement) + " points signal improvement and " +
         std::to_string(concern) + " concern.";
  }
  if (s.xmr != nullptr) {
    d += " Variation: " + VariationCaption(s.xmr->variation) + ".";
    if (s.xmr->assurance != Assurance::kNone) {
      d += " Assurance";
      if (IsFinite(in.target)) d += " against the target of " + value(in.target);
      d += ": " + AssuranceCaption(s.xmr->assurance) + ".";
    }
  }
  if (IsFinite(in.target) && (s.xmr == nullptr || s.xmr->assurance == Assurance::kNone)) {
    d += " Target " + value(in.target) + ".";
  }
  return d;
}

}  // namespace

std::string VariationCaption(Variation v) {
  const std::string special = "Special cause variation " + std::string(kEnDash) + " ";
  switch (v) {
    case Variation::kCommonCause:
      return "Common cause variation " + std::string(kEnDash) + " no significant change";
    case Variation::kImprovementHigh:
      return special + "improvement (high)";
    case Variation::kImprovementLow:
      return special + "improvement (low)";
    case Variation::kConcernHigh:
      return special + "concern (high)";
    case Variation::kConcernLow:
      return special + "concern (low)";
    case Variation::kNeutralHigh:
      return special + "neither improvement nor concern (high)";
    case Variation::kNeutralLow:
      return special + "neither improvement nor concern (low)";
  }
  return "";
}

std::string AssuranceCaption(Assurance a) {
  switch (a) {
    case Assurance::kNone:
      return "";
    case Assurance::kConsistentPass:
      return "Consistently passing the target";
    case Assurance::kConsistentFail:
      return "Consistently failing the target";
    case Assurance::kInconsistent:
      return "Hit and miss " + std::string(kEnDash) + " will pass or fail the target by chance";
  }
  return "";
}

Rgb PointColor(PointType type) {
  switch (type) {
    case PointType::kCommonCause:
      return kCommonGrey;
    case PointType::kImprovement:
      return kImprovementBlue;
    case PointType::kConcern:
      return kConcernOrange;
    case PointType::kNeutralHigh:
    case PointType::kNeutralLow:
      return kNeutralPurple;
  }
  return kCommonGrey;
}

Scene LayoutXmrChart(const XmrChartInput& in, double width, double height) {
  // Below this the header, axes and legend no longer fit; NaN sizes become the minimum too.
  width = std::isnan(width) ? kMinWidth : std::clamp(width, kMinWidth, kMaxSize);
  height = std::isnan(height) ? kMinHeight : std::clamp(height, kMinHeight, kMaxSize);
  Scene scene;
  scene.width = width;
  scene.height = height;
  scene.items.reserve(256);
  Builder b(&scene);

  Series s;
  s.n = std::min(in.dates.size(), in.values.size());
  s.dates = in.dates.first(s.n);
  s.values = in.values.first(s.n);
  s.xmr = in.xmr;
  for (double v : s.values) s.n_values += IsFinite(v);
  bool increasing = true;
  for (size_t i = 1; i < s.n; ++i) increasing = increasing && s.dates[i] > s.dates[i - 1];
  if (s.n >= 2 && increasing) s.frequency = stats::InferFrequency(s.dates);
  const bool has_data = s.n_values > 0;
  const std::vector<stats::XmrGroup> groups = GroupsOf(s);

  const std::string title = SanitizeUtf8(in.title);
  const std::string subtitle = SanitizeUtf8(in.subtitle);
  const std::string y_label = SanitizeUtf8(in.y_label);
  scene.title = title.empty() ? "XmR chart" : title;

  b.AddRect(0, 0, width, height, kWhite, std::nullopt);

  // --- Header: icons top right, title and subtitle top left in the space that is left. -------
  double header_bottom = kMargin;
  double icons_left = width - kMargin;
  if (has_data && s.xmr != nullptr) {
    const bool assurance = s.xmr->assurance != Assurance::kNone;
    const int columns = assurance ? 2 : 1;
    icons_left = width - kMargin - columns * kIconColumn - (columns - 1) * kIconGap;
    const double cy = kMargin + kIconRadius + 2;
    const double variation_cx = icons_left + kIconColumn / 2;
    DrawVariationIcon(b, variation_cx, cy, s.xmr->variation);
    b.Begin("variation-caption");
    double bottom =
        DrawCaption(b, variation_cx, cy + kIconRadius + 2, VariationCaption(s.xmr->variation));
    b.End();
    if (assurance) {
      const double assurance_cx = variation_cx + kIconColumn + kIconGap;
      DrawAssuranceIcon(b, assurance_cx, cy, s.xmr->assurance);
      b.Begin("assurance-caption");
      bottom = std::max(bottom, DrawCaption(b, assurance_cx, cy + kIconRadius + 2,
                                            AssuranceCaption(s.xmr->assurance)));
      b.End();
    }
    header_bottom = std::max(header_bottom, bottom + 4);
  }
  {
    const double text_width = icons_left - kMargin - 16;
    double y = kMargin;
    b.Begin("title");
    for (std::string& line : WrapText(title, kTitleSize, true, text_width, 2)) {
      y += kTitleSize + 3;
      b.AddText(kMargin, y, std::move(line), kTitleSize, kTextBlack, Anchor::kStart, true);
    }
    for (std::string& line : WrapText(subtitle, kSubtitleSize, false, text_width, 2)) {
      y += kSubtitleSize + 5;
      b.AddText(kMargin, y, std::move(line), kSubtitleSize, kDarkGrey);
    }
    b.End();
    header_bottom = std::max(header_bottom, y + 8);
  }

  // --- Vertical budget: legend at the bottom, date labels above it. ---------------------------
  const double legend_baseline = height - kMargin + 2;
  const double plot_bottom = legend_baseline - kLegendSize - 30;

  if (!has_data) {
    const double top = header_bottom + 8;
    b.Begin("no-data");
    b.AddRect(kMargin, top, width - 2 * kMargin, std::max(10.0, plot_bottom - top), std::nullopt,
              Solid(kLineGrey, 1));
    b.AddText(width / 2, (top + plot_bottom) / 2 + 6, "No data", 16, kMidGrey, Anchor::kMiddle,
              true);
    b.End();
    scene.description = Describe(in, s, groups, scene.title, 0);
    return scene;
  }

  // --- Notes: recalculations (with their reason) and other dated annotations. -----------------
  // Positions along x are needed before the plot's left edge is known, so notes are kept as
  // dates and placed once the x scale exists.
  struct DatedNote {
    double date_pos;  // a (fractional) date: midway between two points for a recalculation
    std::string text;
    bool recalculation;
  };
  std::vector<DatedNote> dated_notes;
  std::vector<bool> annotation_used(in.annotations.size(), false);
  for (size_t g = 1; g < groups.size(); ++g) {
    const Date start = s.dates[groups[g].begin];
    const Date before = s.dates[groups[g].begin - 1];
    std::string text = "Recalculated";
    for (size_t a = 0; a < in.annotations.size(); ++a) {
      if (!annotation_used[a] && in.annotations[a].date > before &&
          in.annotations[a].date <= start) {
        const std::string reason = SanitizeUtf8(in.annotations[a].text);
        if (!reason.empty()) text += ": " + reason;
        annotation_used[a] = true;
        break;
      }
    }
    dated_notes.push_back({(static_cast<double>(start) + before) / 2, std::move(text), true});
  }
  for (size_t a = 0; a < in.annotations.size(); ++a) {
    if (annotation_used[a]) continue;
    const Date d = in.annotations[a].date;
    if (d < s.dates[0] || d > s.dates[s.n - 1]) continue;
    dated_notes.push_back({static_cast<double>(d), SanitizeUtf8(in.annotations[a].text), false});
  }
  std::sort(dated_notes.begin(), dated_notes.end(),
            [](const DatedNote& a, const DatedNote& b) { return a.date_pos < b.date_pos; });

  // --- Y scale: values, means, limits and target. ---------------------------------------------
  double lo = INFINITY, hi = -INFINITY;
  auto cover = [&](double v) {
    if (IsFinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  };
  for (double v : s.values) cover(v);
  for (const stats::XmrGroup& g : groups) cover(g.mean), cover(g.lpl), cover(g.upl);
  cover(in.target);
  if (hi > lo) {  // a little headroom, so a point or target never sits on the frame
    // ... but not across zero or past 100%, which would add meaningless ticks.
    const double pad = 0.03 * (hi - lo);
    lo = lo >= 0 ? std::max(0.0, lo - pad) : lo - pad;
    hi = in.percent && hi <= 1 ? std::min(1.0, hi + pad) : hi + pad;
  }

  // Rows of notes above the plot need the x scale; reserve the most we allow and give back
  // what is unused once they are placed (the plot only grows, labels never overlap).
  const double notes_band = dated_notes.empty() ? 0 : kMaxNoteRows * kNoteRow + 4;
  double plot_top = header_bottom + 10 + notes_band;
  const int y_count = std::clamp(static_cast<int>((plot_bottom - plot_top) / 48), 3, 8);
  const YAxis y_axis = NiceYAxis(lo, hi, y_count, in.percent);

  std::vector<double> y_ticks;
  for (int k = 0; k <= 40; ++k) {  // at most ~9 in practice; the bound guards absurd ranges
    const double v = y_axis.lo + k * y_axis.step;
    if (!(v <= y_axis.hi + y_axis.step * 1e-6)) break;
    y_ticks.push_back(std::abs(v) < y_axis.step * 1e-9 ? 0 : v);
  }
  std::vector<std::string> y_tick_labels;
  double y_label_width = 0;
  for (double v : y_ticks) {
    y_tick_labels.push_back(FormatValue(v, in.percent, y_axis.decimals, false));
    y_label_width = std::max(y_label_width, TextWidth(y_tick_labels.back(), kTickSize, false));
  }

  const double plot_left = kMargin + (y_label.empty() ? 0 : 18) + y_label_width + 8;
  // The target is labelled in the right margin, beside its line, where no point can hide it.
  const std::string target_label =
      IsFinite(in.target)
          ? "Target " + FormatValue(in.target, in.percent, y_axis.decimals + 1, true)
          : "";
  const double target_label_width =
      target_label.empty() ? 0 : TextWidth(target_label, kNoteSize, true) + 6;
  const double plot_right = width - kMargin - 6 - target_label_width;
  const double plot_width = plot_right - plot_left;

  // --- X scale: dates with half a step of padding at each end. --------------------------------
  const Date first = s.dates[0];
  const Date last = s.dates[s.n - 1];
  double pad = 1;
  if (s.n >= 2 && last > first) {
    pad = std::max(0.5, 0.5 * (last - first) / static_cast<double>(s.n - 1));
  }
  const LinearScale x{first - pad, last + pad, plot_left, plot_right};

  // Place each label on the first row where it does not overlap the previous label; a label that
  // would run off the right edge is written leftwards from its line instead.
  std::vector<Note> notes;
  int rows_used = 0;
  {
    std::array<double, kMaxNoteRows> row_end;
    row_end.fill(-INFINITY);
    for (DatedNote& dn : dated_notes) {
      Note note{x(dn.date_pos), std::move(dn.text), dn.recalculation};
      const double w = TextWidth(note.text, kNoteSize, false);
      note.flip = note.x + 3 + w > width - kMargin;
      note.left = note.flip ? std::max(kMargin, note.x - 3 - w) : note.x + 3;
      note.right = note.flip ? note.x - 3 : note.x + 3 + w;
      int row = 0;
      while (row < kMaxNoteRows && row_end[row] + 8 > note.left) ++row;
      if (row == kMaxNoteRows) {  // crowded: share the emptiest row, labels ellipsized below
        row = static_cast<int>(std::min_element(row_end.begin(), row_end.end()) - row_end.begin());
      }
      note.row = row;
      row_end[row] = note.right;
      rows_used = std::max(rows_used, row + 1);
      notes.push_back(std::move(note));
    }
  }
  plot_top = header_bottom + 10 + (rows_used > 0 ? rows_used * kNoteRow + 4 : 0);
  const LinearScale y{y_axis.lo, y_axis.hi, plot_bottom, plot_top};

  // --- Grid and axes. --------------------------------------------------------------------------
  b.Begin("grid");
  for (size_t i = 0; i < y_ticks.size(); ++i) {
    const double py = y(y_ticks[i]);
    b.AddLine(plot_left, py, plot_right, py, Solid(kGridGrey, 1));
    b.AddText(plot_left - 6, py + kTickSize * 0.36, y_tick_labels[i], kTickSize, kDarkGrey,
              Anchor::kEnd);
  }
  b.AddLine(plot_left, plot_bottom, plot_right, plot_bottom, Solid(kMidGrey, 1));
  const std::vector<XTick> x_ticks = DateTicks(first, last, s.frequency, plot_width);
  for (const XTick& t : x_ticks) {
    const double px = x(t.date);
    b.AddLine(px, plot_bottom, px, plot_bottom + 4, Solid(kMidGrey, 1));
    const double half = TextWidth(t.label, kTickSize, false) / 2;
    const double cx = std::clamp(px, half + 2, width - half - 2);
    b.AddText(cx, plot_bottom + 17, t.label, kTickSize, kDarkGrey, Anchor::kMiddle);
  }
  if (!y_label.empty()) {
    const std::string label = Ellipsize(y_label, kTickSize + 0.5, false, plot_bottom - plot_top);
    b.AddText(kMargin + 10, (plot_top + plot_bottom) / 2, label, kTickSize + 0.5, kDarkGrey,
              Anchor::kMiddle, false, -90);
  }
  b.End();

  // --- Notes. ----------------------------------------------------------------------------------
  if (!notes.empty()) {
    b.Begin("notes");
    for (size_t i = 0; i < notes.size(); ++i) {
      const Note& note = notes[i];
      const double label_y = plot_top - 6 - (rows_used - 1 - note.row) * kNoteRow;
      b.AddLine(note.x, label_y + 3, note.x, plot_bottom,
                note.recalculation ? Dashed(kMidGrey, 1, 3, 3) : Dashed(kLineGrey, 1, 2, 3));
      // A label may run up to its neighbours on the same row (crowded rows), or the edge.
      double left_limit = kMargin;
      double right_limit = width - kMargin;
      for (size_t j = i; j-- > 0;) {
        if (notes[j].row == note.row) {
          left_limit = std::max(left_limit, notes[j].right + 6);
          break;
        }
      }
      for (size_t j = i + 1; j < notes.size(); ++j) {
        if (notes[j].row == note.row) {
          right_limit = std::min(right_limit, notes[j].left - 6);
          break;
        }
      }
      if (note.flip) {
        b.AddText(note.x - 3, label_y,
                  Ellipsize(note.text, kNoteSize, false, note.x - 3 - left_limit), kNoteSize,
                  kDarkGrey, Anchor::kEnd);
      } else {
        b.AddText(note.x + 3, label_y,
                  Ellipsize(note.text, kNoteSize, false, right_limit - note.x - 3), kNoteSize,
                  kDarkGrey);
      }
    }
    b.End();
  }

  // --- Mean and process limits per group: each spans its own points. ---------------------------
  bool any_limits = false;
  b.Begin("limits");
  for (const stats::XmrGroup& g : groups) {
    double x0 = x(s.dates[g.begin]);
    double x1 = x(s.dates[g.end - 1]);
    if (x1 - x0 < 8) x0 -= 4, x1 += 4;
    if (IsFinite(g.lpl)) b.AddLine(x0, y(g.lpl), x1, y(g.lpl), Dashed(kDarkGrey, 1.2, 6, 4));
    if (IsFinite(g.upl)) b.AddLine(x0, y(g.upl), x1, y(g.upl), Dashed(kDarkGrey, 1.2, 6, 4));
    any_limits = any_limits || IsFinite(g.lpl) || IsFinite(g.upl);
  }
  b.End();
  b.Begin("mean");
  for (const stats::XmrGroup& g : groups) {
    if (!IsFinite(g.mean)) continue;
    double x0 = x(s.dates[g.begin]);
    double x1 = x(s.dates[g.end - 1]);
    if (x1 - x0 < 8) x0 -= 4, x1 += 4;
    b.AddLine(x0, y(g.mean), x1, y(g.mean), Solid(kTextBlack, 1.5));
  }
  b.End();

  // --- Target. -----------------------------------------------------------------------------------
  if (IsFinite(in.target)) {
    const double ty = y(in.target);
    b.Begin("target");
    b.AddLine(plot_left, ty, plot_right, ty, Dashed(kTargetRed, 1.6, 8, 4));
    b.AddText(plot_right + 6, ty + kNoteSize * 0.36, target_label, kNoteSize, kTargetRed,
              Anchor::kStart, true);
    b.End();
  }

  // --- The values: a thin grey line broken at missing values and recalculations, then points.
  b.Begin("series");
  for (const stats::XmrGroup& g : groups) {
    std::vector<Point> run;
    for (int32_t i = g.begin; i < g.end; ++i) {
      if (!IsFinite(s.values[i])) {
        b.AddPolyline(std::move(run), Solid(kLineGrey, 1.5));
        run.clear();
        continue;
      }
      run.push_back({x(s.dates[i]), y(s.values[i])});
    }
    b.AddPolyline(std::move(run), Solid(kLineGrey, 1.5));
  }
  b.End();

  const double radius = std::clamp(plot_width / static_cast<double>(s.n) / 3.2, 1.6, 4.2);
  b.Begin("points");
  const int tooltip_decimals = std::min(y_axis.decimals + 2, 8);
  for (size_t i = 0; i < s.n; ++i) {
    if (!IsFinite(s.values[i])) continue;
    const PointType type = TypeAt(s, i);
    std::string tooltip = FormatDate(s.dates[i], s.frequency) + ": " +
                          FormatValue(s.values[i], in.percent, tooltip_decimals, true) + " " +
                          std::string(kEmDash) + " " +
                          PointMeaning(type, CauseAt(s, i), in.rule_length);
    b.AddCircle(x(s.dates[i]), y(s.values[i]), radius, PointColor(type), std::nullopt,
                std::move(tooltip));
  }
  b.End();

  // --- Legend. -----------------------------------------------------------------------------------
  b.Begin("legend");
  {
    double lx = plot_left;
    const double ly = legend_baseline;
    auto dot = [&](Rgb color, std::string_view label) {
      b.AddCircle(lx + 4, ly - 3.6, 4, color, std::nullopt);
      b.AddText(lx + 12, ly, std::string(label), kLegendSize, kDarkGrey);
      lx += 12 + TextWidth(label, kLegendSize, false) + 14;
    };
    auto line = [&](Stroke stroke, std::string_view label) {
      b.AddLine(lx, ly - 3.6, lx + 22, ly - 3.6, stroke);
      b.AddText(lx + 27, ly, std::string(label), kLegendSize, kDarkGrey);
      lx += 27 + TextWidth(label, kLegendSize, false) + 14;
    };
    dot(kCommonGrey, "Common cause");
    if (in.improvement == stats::Direction::kNeutral) {
      dot(kNeutralPurple, "Special cause (neither improvement nor concern)");
    } else {
      dot(kImprovementBlue, "Improvement");
      dot(kConcernOrange, "Concern");
    }
    lx += 8;
    line(Solid(kTextBlack, 1.5), "Mean");
    if (any_limits) line(Dashed(kDarkGrey, 1.2, 6, 4), "Process limits");
    if (IsFinite(in.target)) line(Dashed(kTargetRed, 1.6, 8, 4), "Target");
  }
  b.End();

  scene.description = Describe(in, s, groups, scene.title, y_axis.decimals);
  return scene;
}

}  // namespace shewhart::chart::internal
