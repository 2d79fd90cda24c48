// Runs analysis with the Anhøj rules: is there non-random variation around a centre line?
//
// This is the signal test of every run chart and of every qicharts2 control chart (Anhøj 2014,
// as implemented by qicharts2 0.8.1; specification ../shared/spc-reference.md §2.2). Two rules:
//   - unusually long run: the longest run of consecutive points on one side of the centre line is
//     longer than round(log2(n)) + 3 (Schilling 2012);
//   - too few crossings: the number of times the line is crossed is below the 5% lower quantile
//     of Binomial(n - 1, 0.5) (Chen 2010),
// where n ("useful observations") counts the points not on the centre line and not missing.
// Points exactly on the centre line are dropped *before* runs are formed, so the runs either side
// of them merge (above, on, above is one run of two).
//
// Pure functions, no allocation; thread-safe.
//
// Example:
//   std::vector<double> y = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
//   RunsAnalysis r = AnalyseRuns(y, /*cl=*/6.5);
//   r.longest_run;      // 6, not above longest_run_max (7)
//   r.n_crossings;      // 1, below n_crossings_min (3): too few crossings
//   r.signal;           // true
#ifndef SHEWHART_STATS_RUNS_H_
#define SHEWHART_STATS_RUNS_H_

#include <cstdint>
#include <span>

namespace shewhart::stats {

// The value of a runs statistic that cannot be computed (R's NA): no useful observations.
inline constexpr int32_t kRunsNotAvailable = -1;

// The outcome of the Anhøj rules on one part of a chart. The four statistics are
// kRunsNotAvailable when n_useful == 0 (and then signal is false).
struct RunsAnalysis {
  int32_t n_obs = 0;     // points analysed, missing ones included
  int32_t n_useful = 0;  // points neither missing nor on the centre line
  int32_t longest_run = kRunsNotAvailable;
  int32_t longest_run_max = kRunsNotAvailable;  // LongestRunMax(n_useful)
  int32_t n_crossings = kRunsNotAvailable;
  int32_t n_crossings_min = kRunsNotAvailable;  // CrossingsMin(n_useful)
  bool signal = false;  // longest_run > longest_run_max || n_crossings < n_crossings_min
};

// round(log2(n_useful)) + 3; kRunsNotAvailable when n_useful <= 0.
int32_t LongestRunMax(int32_t n_useful);

// qbinom(0.05, n_useful - 1, 0.5): the fewest crossings expected of a random process;
// kRunsNotAvailable when n_useful <= 0. Exact (a table for n <= 100, BinomialQuantile beyond).
int32_t CrossingsMin(int32_t n_useful);

// R's qbinom(p, size, prob): the smallest x in 0..size with P(X <= x) >= p, p fuzzed downwards
// by 64 DBL_EPSILON relative as R does, so a cdf equal to p counts.
// REQUIRES: size >= 0, 0 <= prob <= 1, 0 < p < 1; returns -1 otherwise.
int32_t BinomialQuantile(double p, int32_t size, double prob);

// Runs analysis of y against a per-point centre line. Both spans have the same length; a NaN in
// either makes that point missing (counted in n_obs, not in n_useful). The caller passes only the
// points that take part (qicharts2: the included points of one part, in order).
RunsAnalysis AnalyseRuns(std::span<const double> y, std::span<const double> cl);

// The same against a constant centre line.
RunsAnalysis AnalyseRuns(std::span<const double> y, double cl);

}  // namespace shewhart::stats

#endif  // SHEWHART_STATS_RUNS_H_
