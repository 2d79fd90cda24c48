// The time grain of a series and the periods missing from it.
//
// Making Data Count assumes a series has no gaps; the reference tools neither check nor warn. We
// infer the grain (daily, weekly, monthly, quarterly, yearly) from the dates themselves and report
// every gap, so an analyst learns that "March is missing" instead of reading a run across it.
//
// Example:
//   std::vector<Date> d = {Jan1, Feb1, Apr1};          // first-of-month dates
//   Frequency f = InferFrequency(d);                   // Frequency::kMonthly
//   std::vector<DateGap> gaps = FindGaps(d, f);        // {after Feb1, before Apr1, 1 missing}
#ifndef SHEWHART_STATS_PERIODS_H_
#define SHEWHART_STATS_PERIODS_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/date.h"

namespace shewhart::stats {

enum class Frequency : uint8_t { kUnknown, kDaily, kWeekly, kMonthly, kQuarterly, kYearly };

std::string_view Name(Frequency f);  // "daily", ..., "unknown"

// The grain that explains the most consecutive steps: months (same day of month, or both month
// ends), else the most common step in days (1 or 7). kUnknown for fewer than 2 dates or when no
// grain explains at least half of the steps.
// REQUIRES: dates strictly increasing.
Frequency InferFrequency(std::span<const Date> dates);

// A run of periods with no row: between `after` and `before` there should have been
// `missing_periods` more.
struct DateGap {
  Date after;
  Date before;
  int32_t missing_periods;
};

// Every step longer than one period of `frequency`. None for kUnknown.
// REQUIRES: dates strictly increasing.
std::vector<DateGap> FindGaps(std::span<const Date> dates, Frequency frequency);

}  // namespace shewhart::stats

#endif  // SHEWHART_STATS_PERIODS_H_
