#include "chart/internal/chart_kit.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <vector>

#include "chart/internal/layout.h"
#include "chart/internal/text_metrics.h"

namespace shewhart::chart::internal {

using stats::Variation;

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
Stroke Solid(Rgb color, double width, double opacity) {
  return Stroke{color, width, 0, 0, opacity};
}
Stroke Dashed(Rgb color, double width, double dash, double gap, double opacity) {
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
// Lays out the icon captions under an icon centred at cx; returns the bottom of the last line.
double DrawCaption(Builder& b, double cx, double top, const std::string& caption) {
  double y = top;
  for (std::string& line : WrapText(caption, kCaptionSize, false, kIconColumn, kCaptionLines)) {
    y += kCaptionLine;
    b.AddText(cx, y, std::move(line), kCaptionSize, kDarkGrey, Anchor::kMiddle);
  }
  return y;
}

}  // namespace shewhart::chart::internal
