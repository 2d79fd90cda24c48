// Comparison over stored observations: the funnel and the standing of every organisation for one
// metric and one period, and the rate of improvement of one series — the one service behind
// GET /api/funnel, /api/standing and /api/trend (and anything else that compares units), so that
// nothing is computed differently in one face of Shewhart than in another.
//
// Who takes part: the organisations with an observation of the metric in the period. Aggregate
// units (system, nation) and places are not their own peers and are left out. The metric's
// definition IN FORCE FOR THE PERIOD (dictionary::Metric::VersionFor) decides the funnel's type
// (proportion or rate, multiplier) and the standing's direction of improvement.
//
// The statistics are stats::ComputeFunnel, stats::ComputeStanding and stats::ComputeTrend,
// unchanged; this module only reads their inputs. Thread-compatible.
//
// Example:
//   ASSIGN_OR_RETURN(FunnelView f, oversight::FunnelForPeriod(*conn, "FALLS",
//                                                             DaysFromCivil(2023, 1, 1)));
//   f.result.units[0].outlier;  // stats::FunnelOutlier::kNone
//   f.multiplier;               // 1000: values and limits are shown per 1,000
#ifndef SHEWHART_OVERSIGHT_COMPARISON_H_
#define SHEWHART_OVERSIGHT_COMPARISON_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/date.h"
#include "base/status.h"
#include "db/db.h"
#include "stats/funnel.h"
#include "stats/standing.h"
#include "stats/trend.h"

namespace shewhart::oversight {

struct FunnelView {
  std::string metric;  // code
  Date period = 0;
  double multiplier = 1;       // of the definition in force: multiply values, limits and target
  stats::FunnelResult result;  // units named by their codes; limits WITHOUT the multiplier
};

// NotFound for an unknown metric; FailedPrecondition when the definition in force for `period`
// is a plain value (a funnel needs a numerator and a denominator). Observations without a
// positive denominator are left out.
Result<FunnelView> FunnelForPeriod(db::Connection& conn, std::string_view metric_code, Date period);

struct StandingView {
  std::string metric;  // code
  Date period = 0;
  std::vector<std::string> units;  // codes, in the order of result.units
  stats::StandingResult result;
};

// NotFound for an unknown metric. A missing value (a ratio with a zero denominator) takes no part
// (stats::ComputeStanding's NaN rule).
Result<StandingView> StandingForPeriod(db::Connection& conn, std::string_view metric_code,
                                       Date period);

// The rate of improvement of one series (every stored observation of the metric for the unit).
// NotFound for an unknown metric or unit.
Result<stats::TrendResult> TrendOfSeries(db::Connection& conn, std::string_view metric_code,
                                         std::string_view unit_code);

}  // namespace shewhart::oversight

#endif  // SHEWHART_OVERSIGHT_COMPARISON_H_
