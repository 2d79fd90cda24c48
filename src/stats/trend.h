// Trend: how fast a series is changing, and whether its latest step change is real.
//
// Three questions a quality lead asks of one series, each answered by a textbook method (no
// reference tool defines these; docs/standing-and-trend.md explains them in words):
//   - Rate of change per year, by ordinary least squares, with a 95% confidence interval from
//     Student's t on n − 2 degrees of freedom.
//   - The same, robust to outliers: the Theil–Sen slope (median of all pairwise slopes; Sen 1968)
//     with the distribution-free interval of Sen / Conover (1999, §5.5) using the normal
//     approximation to Kendall's S, with the tie correction for tied values.
//   - Is the latest recalculated period a real step change: Welch's two-sample t-test of the
//     means of the last two recalculation groups (why Welch, and its caveats: the doc).
//
// Missing values (NaN) are skipped. Pure; thread-safe.
//
// Example:
//   std::vector<double> years = {1, 2, 3, 4, 5}, y = {1, 3, 2, 5, 4};
//   Result<TrendResult> t = ComputeTrendYears(years, y);
//   t->ols.slope_per_year;           // 0.8, 95% CI -0.302 .. 1.902
//   t->theil_sen.slope_per_year;     // 0.875
//   std::vector<double> z = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
//   Result<StepChange> s = TestStepChange(z, /*group_starts=*/std::vector<int32_t>{5});
//   s->difference;                   // 5 (t = 5 on 8 df, p = 0.00105)
#ifndef SHEWHART_STATS_TREND_H_
#define SHEWHART_STATS_TREND_H_

#include <cstdint>
#include <span>

#include "base/date.h"
#include "base/status.h"

namespace shewhart::stats {

inline constexpr double kDaysPerYear = 365.25;

struct SlopeEstimate {
  double slope_per_year = 0;
  double lower95 = 0;  // NaN when there are too few points for an interval
  double upper95 = 0;
};

struct TrendResult {
  int32_t n = 0;             // points used (non-missing)
  SlopeEstimate ols;         // least squares; interval needs n >= 3
  double ols_intercept = 0;  // value at the first used date
  double ols_std_error = 0;  // standard error of the slope, per year
  SlopeEstimate theil_sen;   // median pairwise slope; Sen's interval
  int32_t n_pairs = 0;       // pairwise slopes the Theil–Sen estimate is the median of
};

// The trend of values over dates (days; slopes are per 365.25 days). InvalidArgument naming the
// row for dates out of order (must be strictly increasing) or infinite values, and when fewer
// than 2 values remain.
Result<TrendResult> ComputeTrend(std::span<const Date> dates, std::span<const double> values);

// The same with the time axis given directly in years (any origin). REQUIRES nothing of the
// order; times must be distinct among non-missing values.
Result<TrendResult> ComputeTrendYears(std::span<const double> years,
                                      std::span<const double> values);

struct StepChange {
  int32_t n_previous = 0;
  int32_t n_latest = 0;
  double previous_mean = 0;
  double latest_mean = 0;
  double difference = 0;  // latest − previous
  double lower95 = 0;     // Welch 95% interval of the difference
  double upper95 = 0;
  double t = 0;
  double df = 0;             // Welch–Satterthwaite degrees of freedom
  double p_value = 1;        // two-sided
  bool significant = false;  // p < 0.05
};

// Welch's t-test of the last two recalculation groups' means. `group_starts` as for ComputeXmr
// (indices where a new group starts, strictly increasing, each in (0, n)). FailedPrecondition when
// there are fewer than 2 groups or either of the last two has fewer than 2 values; InvalidArgument
// for bad group starts. Two groups with no variation: p = 0 if the means differ, 1 if not.
Result<StepChange> TestStepChange(std::span<const double> values,
                                  std::span<const int32_t> group_starts);

}  // namespace shewhart::stats

#endif  // SHEWHART_STATS_TREND_H_
