// Comparison over stored observations: the funnel and the standing of every organisation for one
// metric and one period, the benchmark comparison and rate of improvement of every organisation,
// and the rate of improvement of one series — the one service behind GET /api/funnel,
// /api/standing, /api/benchmark and /api/trend (and anything else that compares units), so that
// nothing is computed differently in one face of Shewhart than in another.
//
// Who takes part: the organisations with an observation of the metric in the period. Aggregate
// units (system, nation) and places are not their own peers and are left out. The metric's
// definition IN FORCE FOR THE PERIOD (dictionary::Metric::VersionFor) decides the funnel's type
// (proportion or rate, multiplier) and the standing's direction of improvement.
//
// The statistics are stats::ComputeFunnel, stats::ComputeStanding and the pure analyses that
// `shewhart compare` and `shewhart trend` call (oversight/benchmark.h, oversight/trend_report.h),
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
#include "oversight/benchmark.h"
#include "oversight/trend_report.h"
#include "stats/funnel.h"
#include "stats/standing.h"
#include "stats/trend.h"

namespace shewhart::oversight {

// Like for like: which organisations are compared. An empty filter compares every organisation
// with data; `kind` keeps one kind of organisation ("acute trust"); `group` keeps the members of
// one group (a peer group's or collaborative's code). NotFound for an unknown group.
struct PeerFilter {
  std::string kind;
  std::string group;
};

struct FunnelView {
  std::string metric;  // code
  Date period = 0;
  double multiplier = 1;       // of the definition in force: multiply values, limits and target
  stats::FunnelResult result;  // units named by their codes; limits WITHOUT the multiplier
};

// NotFound for an unknown metric; FailedPrecondition when the definition in force for `period`
// is a plain value (a funnel needs a numerator and a denominator). Observations without a
// positive denominator are left out.
Result<FunnelView> FunnelForPeriod(db::Connection& conn, std::string_view metric_code, Date period,
                                   const PeerFilter& peers = {});

struct StandingView {
  std::string metric;  // code
  Date period = 0;
  std::vector<std::string> units;  // codes, in the order of result.units
  stats::StandingResult result;
};

// NotFound for an unknown metric. A missing value (a ratio with a zero denominator) takes no part
// (stats::ComputeStanding's NaN rule).
Result<StandingView> StandingForPeriod(db::Connection& conn, std::string_view metric_code,
                                       Date period, const PeerFilter& peers = {});

// One organisation in a BenchmarkView.
struct UnitBenchmark {
  std::string unit;  // code
  // The period's counts (NaN for a plain value) and value, on the metric's scale.
  double numerator = 0;
  double denominator = 0;
  double value = 0;
  BenchmarkUnit comparison;  // value, interval and comparison; kNone for a plain value
  stats::UnitStanding standing;
  // Its series up to and including the period (oldest first): the rate of improvement per year
  // in the metric's unit, the step change of its last recalculation if any, the Fingertips
  // recent-trend marker (proportions only, from the counts) and why any of them is missing.
  TrendReport trend;
};

// Every organisation's comparison with the benchmark in one period, and its rate of improvement.
struct BenchmarkView {
  std::string metric;  // code
  Date period = 0;
  // The definition in force for the period decides the method: proportions by Wilson intervals
  // ("wilson"), rates by exact/Byar's intervals ("byars"), both at 95% against the pooled value
  // of the organisations (total numerator / total denominator x multiplier); the direction of
  // improvement is the polarity. A plain value has no interval: method "" and every comparison
  // kNone. The same choice as `shewhart compare --method M --multiplier K --polarity P`.
  std::string method;
  stats::Polarity polarity = stats::Polarity::kNotApplicable;
  double confidence = 0.95;
  double benchmark = 0;  // NaN for a plain value
  double multiplier = 1;
  std::string unit;        // what a value is measured in (the definition's unit)
  std::string trend_unit;  // what a rate of improvement is measured in: unit + " per year"
  std::vector<UnitBenchmark> units;  // organisations with a value in the period, by code
  stats::StandingResult standing;
  int64_t counts[4] = {0, 0, 0, 0};  // by stats::Comparison
};

// NotFound for an unknown metric. Organisations as for FunnelForPeriod (for proportions and rates,
// those with a positive denominator in the period).
Result<BenchmarkView> BenchmarkForPeriod(db::Connection& conn, std::string_view metric_code,
                                         Date period, const PeerFilter& peers = {});

// The rate of improvement of one series (every stored observation of the metric for the unit).
// NotFound for an unknown metric or unit.
Result<stats::TrendResult> TrendOfSeries(db::Connection& conn, std::string_view metric_code,
                                         std::string_view unit_code);

}  // namespace shewhart::oversight

#endif  // SHEWHART_OVERSIGHT_COMPARISON_H_
