#include "stats/runs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace shewhart::stats {
namespace {

// spc-reference.md §2.2, threshold table computed with R: n.useful -> {longest.run.max,
// n.crossings.min} for n.useful = 1..100.
constexpr int kTable[100][2] = {
    {3, 0},   {4, 0},   {5, 0},   {5, 0},   {5, 0},   {6, 1},   {6, 1},   {6, 1},   {6, 2},
    {6, 2},   {6, 2},   {7, 3},   {7, 3},   {7, 4},   {7, 4},   {7, 4},   {7, 5},   {7, 5},
    {7, 6},   {7, 6},   {7, 6},   {7, 7},   {8, 7},   {8, 8},   {8, 8},   {8, 8},   {8, 9},
    {8, 9},   {8, 10},  {8, 10},  {8, 11},  {8, 11},  {8, 11},  {8, 12},  {8, 12},  {8, 13},
    {8, 13},  {8, 14},  {8, 14},  {8, 14},  {8, 15},  {8, 15},  {8, 16},  {8, 16},  {8, 17},
    {9, 17},  {9, 17},  {9, 18},  {9, 18},  {9, 19},  {9, 19},  {9, 20},  {9, 20},  {9, 21},
    {9, 21},  {9, 21},  {9, 22},  {9, 22},  {9, 23},  {9, 23},  {9, 24},  {9, 24},  {9, 25},
    {9, 25},  {9, 25},  {9, 26},  {9, 26},  {9, 27},  {9, 27},  {9, 28},  {9, 28},  {9, 29},
    {9, 29},  {9, 29},  {9, 30},  {9, 30},  {9, 31},  {9, 31},  {9, 32},  {9, 32},  {9, 33},
    {9, 33},  {9, 34},  {9, 34},  {9, 34},  {9, 35},  {9, 35},  {9, 36},  {9, 36},  {9, 37},
    {10, 37}, {10, 38}, {10, 38}, {10, 39}, {10, 39}, {10, 39}, {10, 40}, {10, 40}, {10, 41},
    {10, 41}};

TEST(RunsThresholds, MatchTheSpecificationTableFrom1To100) {
  for (int n = 1; n <= 100; ++n) {
    EXPECT_EQ(LongestRunMax(n), kTable[n - 1][0]) << "n.useful = " << n;
    EXPECT_EQ(CrossingsMin(n), kTable[n - 1][1]) << "n.useful = " << n;
  }
}

TEST(RunsThresholds, BinomialQuantileReproducesTheTable) {
  // The computed path (used beyond 100) must agree with R's qbinom wherever we know R's answer.
  for (int n = 1; n <= 100; ++n) {
    EXPECT_EQ(BinomialQuantile(0.05, n - 1, 0.5), kTable[n - 1][1]) << "n.useful = " << n;
  }
}

TEST(RunsThresholds, BeyondTheTableFollowsQbinomDefinition) {
  // The defining property of R's qbinom: P(X <= q) >= p > P(X <= q - 1). Checked here against an
  // independent exact cdf (log-space sum of binomial terms) for n.useful well past the table.
  for (int n : {101, 150, 200, 500, 1000, 5000}) {
    const int size = n - 1;
    const int q = CrossingsMin(n);
    auto cdf = [size](int x) {
      double s = 0;
      for (int k = 0; k <= x; ++k) {
        s += std::exp(std::lgamma(size + 1.0) - std::lgamma(k + 1.0) - std::lgamma(size - k + 1.0) -
                      size * std::log(2.0));
      }
      return s;
    };
    EXPECT_GE(cdf(q), 0.05) << n;
    EXPECT_LT(cdf(q - 1), 0.05) << n;
    EXPECT_EQ(LongestRunMax(n), static_cast<int>(std::lround(std::log2(n))) + 3);
  }
}

TEST(RunsThresholds, QbinomEdgeCases) {
  EXPECT_EQ(BinomialQuantile(0.05, 0, 0.5), 0);  // qbinom(0.05, 0, 0.5) = 0 (§0.3)
  EXPECT_EQ(BinomialQuantile(0.5, 10, 0.0), 0);
  EXPECT_EQ(BinomialQuantile(0.5, 10, 1.0), 10);
  EXPECT_EQ(BinomialQuantile(0.5, 2, 0.5), 1);   // P(X<=0)=0.25, P(X<=1)=0.75
  EXPECT_EQ(BinomialQuantile(0.25, 2, 0.5), 0);  // cdf exactly equal to p counts (left continuity)
  EXPECT_EQ(BinomialQuantile(0.0, 10, 0.5), -1);
  EXPECT_EQ(BinomialQuantile(0.5, -1, 0.5), -1);
  EXPECT_EQ(LongestRunMax(0), kRunsNotAvailable);
  EXPECT_EQ(CrossingsMin(0), kRunsNotAvailable);
}

TEST(AnalyseRuns, MonotoneSeriesT_QIC_01) {
  const std::vector<double> y = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const RunsAnalysis r = AnalyseRuns(y, 6.5);
  EXPECT_EQ(r.n_obs, 12);
  EXPECT_EQ(r.n_useful, 12);
  EXPECT_EQ(r.longest_run, 6);
  EXPECT_EQ(r.longest_run_max, 7);
  EXPECT_EQ(r.n_crossings, 1);
  EXPECT_EQ(r.n_crossings_min, 3);
  EXPECT_TRUE(r.signal);
}

TEST(AnalyseRuns, PointsOnTheLineAreDroppedAndRunsMerge) {
  // T-QIC-02: 5 of 13 points on the median 4.
  const std::vector<double> y = {3, 5, 4, 4, 6, 2, 4, 7, 4, 1, 8, 4, 3};
  const RunsAnalysis r = AnalyseRuns(y, 4.0);
  EXPECT_EQ(r.n_obs, 13);
  EXPECT_EQ(r.n_useful, 8);
  EXPECT_EQ(r.longest_run, 2);  // 5, (4, 4), 6 is one run of two above
  EXPECT_EQ(r.n_crossings, 6);
  EXPECT_EQ(r.longest_run_max, 6);
  EXPECT_EQ(r.n_crossings_min, 1);
  EXPECT_FALSE(r.signal);
}

TEST(AnalyseRuns, AboveOnAboveIsOneRunOfTwo) {
  const std::vector<double> y = {1, 0, 1};
  const RunsAnalysis r = AnalyseRuns(y, 0.0);
  EXPECT_EQ(r.n_useful, 2);
  EXPECT_EQ(r.longest_run, 2);
  EXPECT_EQ(r.n_crossings, 0);
}

TEST(AnalyseRuns, AllPointsOnTheCentreLineGiveNoStatistics) {
  const std::vector<double> y = {5, 5, 5, 5};
  const RunsAnalysis r = AnalyseRuns(y, 5.0);
  EXPECT_EQ(r.n_obs, 4);
  EXPECT_EQ(r.n_useful, 0);
  EXPECT_EQ(r.longest_run, kRunsNotAvailable);
  EXPECT_EQ(r.longest_run_max, kRunsNotAvailable);
  EXPECT_EQ(r.n_crossings, kRunsNotAvailable);
  EXPECT_EQ(r.n_crossings_min, kRunsNotAvailable);
  EXPECT_FALSE(r.signal);
}

TEST(AnalyseRuns, SinglePoint) {
  const std::vector<double> y = {3};
  const RunsAnalysis r = AnalyseRuns(y, 2.0);
  EXPECT_EQ(r.n_useful, 1);
  EXPECT_EQ(r.longest_run, 1);
  EXPECT_EQ(r.longest_run_max, 3);
  EXPECT_EQ(r.n_crossings, 0);
  EXPECT_EQ(r.n_crossings_min, 0);
  EXPECT_FALSE(r.signal);
}

TEST(AnalyseRuns, AllMissing) {
  const std::vector<double> y = {NAN, NAN, NAN};
  const RunsAnalysis r = AnalyseRuns(y, 1.0);
  EXPECT_EQ(r.n_obs, 3);
  EXPECT_EQ(r.n_useful, 0);
  EXPECT_EQ(r.longest_run, kRunsNotAvailable);
  EXPECT_FALSE(r.signal);
  // A missing centre line makes every point missing too.
  const std::vector<double> z = {1, 2, 3};
  EXPECT_EQ(AnalyseRuns(z, NAN).n_useful, 0);
}

TEST(AnalyseRuns, EmptyInput) {
  const RunsAnalysis r = AnalyseRuns(std::vector<double>{}, 0.0);
  EXPECT_EQ(r.n_obs, 0);
  EXPECT_EQ(r.n_useful, 0);
  EXPECT_FALSE(r.signal);
}

TEST(AnalyseRuns, LongRunSignalsExactlyWhenLongerThanTheMaximum) {
  // 12 useful points: longest_run_max = 7, n_crossings_min = 3. Build a run of exactly 7 then 8,
  // each followed by alternating points so that crossings stay plentiful.
  std::vector<double> seven = {1, 1, 1, 1, 1, 1, 1, -1, 1, -1, 1, -1};
  RunsAnalysis r = AnalyseRuns(seven, 0.0);
  EXPECT_EQ(r.longest_run, 7);
  EXPECT_EQ(r.n_crossings, 5);
  EXPECT_FALSE(r.signal);
  std::vector<double> eight = {1, 1, 1, 1, 1, 1, 1, 1, -1, 1, -1, 1};
  r = AnalyseRuns(eight, 0.0);
  EXPECT_EQ(r.longest_run, 8);
  EXPECT_TRUE(r.signal);
}

TEST(AnalyseRuns, FewCrossingsSignal) {
  // 12 useful points, runs of 6/6 would signal by crossings (1 < 3); 3 crossings do not.
  std::vector<double> y = {1, 1, 1, -1, -1, -1, 1, 1, 1, -1, -1, -1};
  RunsAnalysis r = AnalyseRuns(y, 0.0);
  EXPECT_EQ(r.n_crossings, 3);
  EXPECT_FALSE(r.signal);
  y = {1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, 1};
  r = AnalyseRuns(y, 0.0);
  EXPECT_EQ(r.n_crossings, 2);
  EXPECT_TRUE(r.signal);
}

TEST(AnalyseRuns, PerPointCentreLine) {
  const std::vector<double> y = {1, 5, 1, 5};
  const std::vector<double> cl = {0, 6, 0, 6};  // above, below, above, below
  const RunsAnalysis r = AnalyseRuns(y, cl);
  EXPECT_EQ(r.n_useful, 4);
  EXPECT_EQ(r.n_crossings, 3);
  EXPECT_EQ(r.longest_run, 1);
}

}  // namespace
}  // namespace shewhart::stats
