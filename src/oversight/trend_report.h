// The rate of improvement of one series, as `shewhart trend` reports it: the change per year by
// least squares and by the robust Theil-Sen slope (each with a 95% confidence interval), whether
// the latest recalculated period differs from the one before (Welch's t-test), and the Fingertips
// recent-trend marker when the points carry counts or intervals.
//
// The one function behind `shewhart trend` (a CSV of series) and the server's rate of improvement
// of a metric's series (GET /api/benchmark/{metric}, GET /api/trend/{metric}/{unit}): both faces
// call TrendOfPoints, so their numbers are the same. The statistics are stats/trend.h and
// stats/intervals.h, unchanged.
//
// Pure: no I/O, no database. Thread-safe.
//
// Example:
//   std::vector<Date> d = {...};  std::vector<double> v = {...};   // strictly increasing dates
//   TrendReport r = TrendOfPoints({.dates = d, .values = v});
//   if (r.trend.ok()) r.trend->theil_sen.slope_per_year;  // change per year, value units
#ifndef SHEWHART_OVERSIGHT_TREND_REPORT_H_
#define SHEWHART_OVERSIGHT_TREND_REPORT_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "base/date.h"
#include "base/status.h"
#include "stats/intervals.h"
#include "stats/trend.h"

namespace shewhart::oversight {

// One series, oldest first. Spans are borrowed for the call.
struct TrendPoints {
  std::span<const Date> dates;     // REQUIRES: strictly increasing
  std::span<const double> values;  // same length; NaN = missing
  // Positions (> 0, increasing) where a recalculated period starts: the step-change test compares
  // the last two periods. Empty: no step-change test.
  std::span<const int32_t> period_starts;
  // Counts for the proportion trend marker (both or neither, same length as values).
  std::span<const double> numerators;
  std::span<const double> denominators;
  // 95% intervals for the interval trend marker, used when there are no counts (both or neither).
  std::span<const double> lower95;
  std::span<const double> upper95;
};

struct TrendReport {
  // The rates of change; an error (e.g. fewer than 2 values) explains why there are none.
  Result<stats::TrendResult> trend = stats::TrendResult{};
  // The step change of the last two periods; an error when there is no test (no recalculation:
  // FailedPrecondition "no recalculation") or it cannot be computed.
  Result<stats::StepChange> step = FailedPreconditionError("no recalculation");
  // The recent-trend marker; nullopt when the points carry neither counts nor intervals.
  std::optional<stats::TrendMarkerResult> marker;
  // Plain English: why a rate, a step change or a marker is missing ("" when nothing is).
  std::string note;
};

TrendReport TrendOfPoints(const TrendPoints& points);

}  // namespace shewhart::oversight

#endif  // SHEWHART_OVERSIGHT_TREND_REPORT_H_
