// Standing: where each unit sits among its peers for one metric and one period.
//
// For many units (trusts, wards, practices) measured on the same metric in the same period, this
// gives each unit its rank (1 = best, ties share the average of their positions, as R's
// rank(ties.method = "average")), its quartile (1 = best quarter), and how far it is from the
// best unit and from the edge of the top quartile, always in the direction of improvement. No
// reference tool defines this; the definitions are ours and are written out in
// docs/standing-and-trend.md.
//
// Quartile boundaries are R's default quantile (type 7, Hyndman & Fan 1996: linear interpolation
// between order statistics, h = (N − 1)p + 1). A unit exactly on a boundary is put in the better
// quartile. For a neutral metric (no better direction) rank 1 is the lowest value, quartile 1 the
// lowest quarter, and the gaps are NaN: there is no "best" to close a gap to.
//
// Missing values (NaN) take no part: their rank and gaps are NaN and quartile 0. Pure; thread-safe.
//
// Example:
//   std::vector<double> v = {70, 90, 80, 60, 90};
//   Result<StandingResult> s = ComputeStanding(v, Direction::kIncrease);
//   s->units[1].rank;                // 1.5  (90 and 90 share ranks 1 and 2)
//   s->units[3].quartile;            // 4
//   s->units[0].gap_to_best;         // 20
//   s->top_quartile_boundary;        // 90   (type-7 75th percentile of 60,70,80,90,90)
#ifndef SHEWHART_STATS_STANDING_H_
#define SHEWHART_STATS_STANDING_H_

#include <cstdint>
#include <span>
#include <vector>

#include "base/status.h"
#include "stats/xmr.h"  // Direction

namespace shewhart::stats {

// R's rank(x, ties.method = "average") of the non-NaN values, 1 = smallest; NaN stays NaN.
std::vector<double> RankAverage(std::span<const double> x);

// R's quantile(x, p, type = 7) over the non-NaN values; NaN when there are none.
// REQUIRES: 0 <= p <= 1.
double QuantileType7(std::span<const double> x, double p);

struct UnitStanding {
  double value = 0;
  double rank = 0;       // 1 = best; average over ties; NaN for a missing value
  int32_t quartile = 0;  // 1 = best quarter .. 4 = worst; 0 for a missing value
  // How much better the value would have to be to equal the best unit (>= 0; NaN if neutral).
  double gap_to_best = 0;
  // ... to reach the top-quartile boundary (0 when already in the top quartile; NaN if neutral).
  double gap_to_top_quartile = 0;
};

struct StandingResult {
  std::vector<UnitStanding> units;  // in input order
  int32_t n = 0;                    // units with a value
  double best = 0;                  // best value (max for increase, min for decrease/neutral)
  double q25 = 0;                   // type-7 quartiles of the values
  double median = 0;
  double q75 = 0;
  double top_quartile_boundary = 0;  // q75 for increase, q25 for decrease and neutral
};

// InvalidArgument naming the 1-based row for an infinite value. An empty input, or one whose
// values are all missing, gives n = 0 and NaN summaries.
Result<StandingResult> ComputeStanding(std::span<const double> values, Direction improvement);

}  // namespace shewhart::stats

#endif  // SHEWHART_STATS_STANDING_H_
