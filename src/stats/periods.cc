#include "stats/periods.h"

#include <array>
#include <cmath>

namespace shewhart::stats {
namespace {

bool IsMonthEnd(const CivilDate& c) { return c.day == DaysInMonth(c.year, c.month); }

// Whole months from a to b when b falls on the same day of the month as a (or both are month
// ends, so 31 Jan -> 28 Feb -> 31 Mar counts); -1 otherwise.
int32_t WholeMonthsBetween(const CivilDate& ca, const CivilDate& cb) {
  const int32_t months = (cb.year - ca.year) * 12 + (cb.month - ca.month);
  if (months <= 0) return -1;
  if (ca.day == cb.day || (IsMonthEnd(ca) && IsMonthEnd(cb))) return months;
  return -1;
}

struct Grain {
  Frequency frequency;
  bool in_months;
  int32_t unit;  // months or days
};
constexpr std::array<Grain, 5> kGrains = {{
    {Frequency::kMonthly, true, 1},
    {Frequency::kQuarterly, true, 3},
    {Frequency::kYearly, true, 12},
    {Frequency::kWeekly, false, 7},
    {Frequency::kDaily, false, 1},
}};

const Grain* GrainOf(Frequency f) {
  for (const Grain& g : kGrains) {
    if (g.frequency == f) return &g;
  }
  return nullptr;
}

}  // namespace

std::string_view Name(Frequency f) {
  switch (f) {
    case Frequency::kUnknown:
      return "unknown";
    case Frequency::kDaily:
      return "daily";
    case Frequency::kWeekly:
      return "weekly";
    case Frequency::kMonthly:
      return "monthly";
    case Frequency::kQuarterly:
      return "quarterly";
    case Frequency::kYearly:
      return "yearly";
  }
  return "unknown";
}

Frequency InferFrequency(std::span<const Date> dates) {
  if (dates.size() < 2) return Frequency::kUnknown;
  std::array<size_t, kGrains.size()> exact{};  // steps of exactly one unit of each grain
  CivilDate prev = CivilFromDays(dates[0]);
  for (size_t i = 1; i < dates.size(); ++i) {
    const CivilDate cur = CivilFromDays(dates[i]);
    const int32_t days = dates[i] - dates[i - 1];
    const int32_t months = WholeMonthsBetween(prev, cur);
    prev = cur;
    for (size_t g = 0; g < kGrains.size(); ++g) {
      const int32_t step = kGrains[g].in_months ? months : days;
      exact[g] += step == kGrains[g].unit;
    }
  }
  size_t best = 0;
  for (size_t g = 1; g < kGrains.size(); ++g) {
    if (exact[g] > exact[best]) best = g;
  }
  const size_t steps = dates.size() - 1;
  if (exact[best] * 2 < steps) return Frequency::kUnknown;
  return kGrains[best].frequency;
}

std::vector<DateGap> FindGaps(std::span<const Date> dates, Frequency frequency) {
  std::vector<DateGap> gaps;
  const Grain* grain = GrainOf(frequency);
  if (grain == nullptr) return gaps;
  constexpr double kDaysPerMonth = 365.2425 / 12;
  for (size_t i = 1; i < dates.size(); ++i) {
    const Date a = dates[i - 1], b = dates[i];
    int32_t missing = 0;
    if (grain->in_months) {
      // One step of the grain is at most 31 days a month: no period can be missing.
      if (b - a <= 31 * grain->unit) continue;
      const int32_t months = WholeMonthsBetween(CivilFromDays(a), CivilFromDays(b));
      if (months > 0 && months % grain->unit == 0) {
        missing = months / grain->unit - 1;
      } else {
        missing = static_cast<int32_t>(std::lround((b - a) / (kDaysPerMonth * grain->unit))) - 1;
      }
    } else {
      missing = static_cast<int32_t>(std::lround(static_cast<double>(b - a) / grain->unit)) - 1;
    }
    if (missing > 0) gaps.push_back(DateGap{a, b, missing});
  }
  return gaps;
}

}  // namespace shewhart::stats
