// improvement impact: how much a change made, measured on the system's own series — the method of
// docs/improvement.md ("Impact, measured"), pure (no database, no I/O).
//
// One series (a metric at a unit, in period order) and the date of the first PDSA cycle of the
// project that claims it. The impact is zero until the Making Data Count rules (stats/xmr.h) say
// the change is real:
//   1. the analysis starts at the last recorded recalculation on or before the first PDSA cycle
//      (or the first period); at least kMinBaselinePoints values must come before the cycle;
//   2. the points before the first cycle, charted alone, must show no sustained improvement (a run
//      or a trend): otherwise the process was already improving and the change is not the
//      project's (recalculate at that earlier change, with its reason, and ask again);
//   3. the whole segment is charted with one set of limits; the first special-cause improvement
//      point on or after the first cycle, in a block of flagged points that did not start before
//      it, is the change point — or a recorded recalculation on or after the first cycle, when
//      there is one (a person named the change);
//   4. baseline = the points before the change point, post = from it on; shift = post mean -
//      baseline mean in the metric's unit, with a Welch t interval (95%); the impact is reported
//      only when that interval excludes no change;
//   5. volume = the post points' denominators (rates and proportions: impact = shift x volume /
//      multiplier, e.g. falls per 1,000 bed days x bed days / 1,000 = falls) or the number of post
//      periods (plain values: impact = shift x periods); the interval scales the same way.
// Signs are the metric's own: a fall in falls is a negative shift and a negative impact.
//
// A portfolio (PortfolioImpact) measures each claimed series ONCE, from the earliest first PDSA
// cycle among the projects claiming it, so a unit-period claimed by two projects counts once;
// the shared series are listed. Per metric it sums the series' impacts, with an interval from
// their summed variances (normal approximation, series independent).
//
// Thread-compatible; no allocation beyond the results.
//
// Example:
//   ImpactSeries s{.periods = dates, .values = values, .volumes = bed_days, .multiplier = 1000,
//                  .improvement = stats::Direction::kDecrease, .first_pdsa = DaysFromCivil(2022, 1, 10)};
//   Impact i = MeasureImpact(s);
//   i.detected;  // true: "7 Points Below CL" from 2022-04-01
//   i.impact;    // -212.4 (falls), i.ci_low .. i.ci_high
#ifndef SHEWHART_IMPROVEMENT_IMPACT_H_
#define SHEWHART_IMPROVEMENT_IMPACT_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/date.h"
#include "stats/xmr.h"

namespace shewhart::improvement {

// Points needed before the first PDSA cycle: the engine's own minimum for fixed limits.
inline constexpr int kMinBaselinePoints = 12;

struct ImpactSeries {
  std::span<const Date> periods;   // REQUIRES: strictly increasing
  std::span<const double> values;  // same length; NaN = missing
  std::span<const double> volumes;  // same length (denominators; NaN = unknown), or empty: periods
  double multiplier = 1;            // value = multiplier x numerator / denominator
  stats::Direction improvement = stats::Direction::kIncrease;
  std::optional<Date> first_pdsa;  // the first PDSA cycle's start; none: nothing to measure
  std::span<const Date> recalculations;  // recorded recalculations of the series (any order)
};

struct Impact {
  bool detected = false;  // the rules found a real improvement attributable to the change
  std::string reason;     // why the impact is zero, in plain English ("" when detected)
  // Evidence: the rule that fired (stats::Name(Rule), "shift"), its label ("7 Points Below CL"),
  // the change point and whether a person recorded it as a recalculation.
  std::string rule, label;
  std::optional<Date> change_point;
  bool change_point_recorded = false;
  double baseline_mean = 0, post_mean = 0;
  int n_baseline = 0, n_post = 0;
  double shift = 0, shift_ci_low = 0, shift_ci_high = 0;
  double se = 0, df = 0;  // of the shift
  double volume = 0;      // denominators or periods after the change
  double per_volume = 1;  // impact = shift x volume x per_volume (1 / multiplier or 1)
  double impact = 0, ci_low = 0, ci_high = 0;
  bool volume_is_periods = true;
};

Impact MeasureImpact(const ImpactSeries& series);

// A portfolio: the series (owned), and the projects' claims on them.
struct PortfolioSeries {
  int64_t metric_id = 0, unit_id = 0;
  std::vector<Date> periods;
  std::vector<double> values, volumes;
  double multiplier = 1;
  stats::Direction improvement = stats::Direction::kIncrease;
  std::vector<Date> recalculations;
};
struct PortfolioClaim {
  int64_t project_id = 0;
  size_t series = 0;  // index into the series
  std::optional<Date> first_pdsa;
};

struct SeriesImpact {
  size_t series = 0;
  std::vector<int64_t> projects;  // claiming it, ascending
  std::optional<Date> first_pdsa;  // the earliest among them
  Impact impact;
};
struct MetricTotal {
  int64_t metric_id = 0;
  int series = 0, projects = 0, detected = 0, shared = 0;
  double volume = 0, impact = 0, ci_low = 0, ci_high = 0;
  // What summing every project's own measurement would have claimed, and the difference
  // avoided by counting each unit-period once.
  double claimed = 0, double_count_avoided = 0;
};
struct Portfolio {
  std::vector<SeriesImpact> series;  // one per claimed series
  std::vector<MetricTotal> metrics;  // by metric id
};

Portfolio PortfolioImpact(std::span<const PortfolioSeries> series,
                          std::span<const PortfolioClaim> claims);

}  // namespace shewhart::improvement

#endif  // SHEWHART_IMPROVEMENT_IMPACT_H_
