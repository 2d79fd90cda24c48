// Standing has no reference tool: expectations are worked by hand in the comments, plus
// properties (order invariance, ties, direction flip).
#include "stats/standing.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace shewhart::stats {
namespace {

// R: rank(c(3, 1, 4, 1, 5)) = 3.0 1.5 4.0 1.5 5.0
TEST(RankAverageTest, TiesShareTheMeanPosition) {
  const std::vector<double> x = {3, 1, 4, 1, 5};
  EXPECT_EQ(RankAverage(x), (std::vector<double>{3, 1.5, 4, 1.5, 5}));
}

TEST(RankAverageTest, MissingValuesStayMissingAndTakeNoPosition) {
  const std::vector<double> x = {2, NAN, 1};
  const std::vector<double> r = RankAverage(x);
  EXPECT_EQ(r[0], 2);
  EXPECT_TRUE(std::isnan(r[1]));
  EXPECT_EQ(r[2], 1);
}

// R: quantile(1:4, c(.25, .5, .75)) = 1.75 2.50 3.25 (type 7: h = 3p + 1, interpolate).
TEST(QuantileType7Test, InterpolatesBetweenOrderStatistics) {
  const std::vector<double> x = {4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(QuantileType7(x, 0.25), 1.75);
  EXPECT_DOUBLE_EQ(QuantileType7(x, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(QuantileType7(x, 0.75), 3.25);
  EXPECT_EQ(QuantileType7(x, 0), 1);
  EXPECT_EQ(QuantileType7(x, 1), 4);
  EXPECT_TRUE(std::isnan(QuantileType7(std::vector<double>{NAN}, 0.5)));
}

// Values 70, 90, 80, 60, 90, higher is better. Sorted 60 70 80 90 90: type-7 quartiles
// q25 = x[2] = 70, median = x[3] = 80, q75 = x[4] = 90. Ranks (1 = best): the two 90s share
// 1 and 2 → 1.5; 80 → 3; 70 → 4; 60 → 5.
TEST(StandingTest, HigherIsBetterWorkedExample) {
  const std::vector<double> v = {70, 90, 80, 60, 90};
  Result<StandingResult> s = ComputeStanding(v, Direction::kIncrease);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->n, 5);
  EXPECT_EQ(s->best, 90);
  EXPECT_EQ(s->q25, 70);
  EXPECT_EQ(s->median, 80);
  EXPECT_EQ(s->q75, 90);
  EXPECT_EQ(s->top_quartile_boundary, 90);
  const double ranks[] = {4, 1.5, 3, 5, 1.5};
  const int quartiles[] = {3, 1, 2, 4, 1};
  const double gap_best[] = {20, 0, 10, 30, 0};
  const double gap_top[] = {20, 0, 10, 30, 0};
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_EQ(s->units[i].rank, ranks[i]) << i;
    EXPECT_EQ(s->units[i].quartile, quartiles[i]) << i;
    EXPECT_EQ(s->units[i].gap_to_best, gap_best[i]) << i;
    EXPECT_EQ(s->units[i].gap_to_top_quartile, gap_top[i]) << i;
  }
}

// Same values, lower is better: best 60; boundary q25 = 70. 60 and 70 (on the boundary) are in
// the top quartile; 80 = median → 2; 90 = q75 → 3 (ties go to the better quartile).
TEST(StandingTest, LowerIsBetterWorkedExample) {
  const std::vector<double> v = {70, 90, 80, 60, 90};
  Result<StandingResult> s = ComputeStanding(v, Direction::kDecrease);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->best, 60);
  EXPECT_EQ(s->top_quartile_boundary, 70);
  const double ranks[] = {2, 4.5, 3, 1, 4.5};
  const int quartiles[] = {1, 3, 2, 1, 3};
  const double gap_best[] = {10, 30, 20, 0, 30};
  const double gap_top[] = {0, 20, 10, 0, 20};
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_EQ(s->units[i].rank, ranks[i]) << i;
    EXPECT_EQ(s->units[i].quartile, quartiles[i]) << i;
    EXPECT_EQ(s->units[i].gap_to_best, gap_best[i]) << i;
    EXPECT_EQ(s->units[i].gap_to_top_quartile, gap_top[i]) << i;
  }
}

TEST(StandingTest, NeutralRanksAscendingWithNoGaps) {
  const std::vector<double> v = {3, 1, 2};
  Result<StandingResult> s = ComputeStanding(v, Direction::kNeutral);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->units[1].rank, 1);
  EXPECT_EQ(s->units[1].quartile, 1);
  EXPECT_TRUE(std::isnan(s->units[0].gap_to_best));
  EXPECT_TRUE(std::isnan(s->units[0].gap_to_top_quartile));
}

TEST(StandingTest, RankIsInvariantToUnitOrder) {
  const std::vector<double> v = {5.5, 3, 9, 3, 7, 1, 8, 8, 2};
  Result<StandingResult> a = ComputeStanding(v, Direction::kIncrease);
  std::vector<double> reversed(v.rbegin(), v.rend());
  Result<StandingResult> b = ComputeStanding(reversed, Direction::kIncrease);
  ASSERT_TRUE(a.ok() && b.ok());
  const size_t n = v.size();
  for (size_t i = 0; i < n; ++i) {
    EXPECT_EQ(a->units[i].rank, b->units[n - 1 - i].rank);
    EXPECT_EQ(a->units[i].quartile, b->units[n - 1 - i].quartile);
    EXPECT_EQ(a->units[i].gap_to_top_quartile, b->units[n - 1 - i].gap_to_top_quartile);
  }
  EXPECT_EQ(a->q75, b->q75);
}

// Flipping the direction is the same as negating the values: ranks and quartiles agree, and the
// ranks of one direction are n + 1 minus the other's.
TEST(StandingTest, DirectionFlipEqualsNegation) {
  const std::vector<double> v = {5.5, 3, 9, 3, 7, 1, 8, 8, 2, 4};
  std::vector<double> neg;
  for (double x : v) neg.push_back(-x);
  Result<StandingResult> inc = ComputeStanding(v, Direction::kIncrease);
  Result<StandingResult> dec = ComputeStanding(v, Direction::kDecrease);
  Result<StandingResult> dec_neg = ComputeStanding(neg, Direction::kDecrease);
  ASSERT_TRUE(inc.ok() && dec.ok() && dec_neg.ok());
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_EQ(inc->units[i].rank, dec_neg->units[i].rank) << i;
    EXPECT_EQ(inc->units[i].quartile, dec_neg->units[i].quartile) << i;
    EXPECT_DOUBLE_EQ(inc->units[i].gap_to_best, dec_neg->units[i].gap_to_best) << i;
    EXPECT_DOUBLE_EQ(inc->units[i].gap_to_top_quartile, dec_neg->units[i].gap_to_top_quartile) << i;
    EXPECT_EQ(inc->units[i].rank + dec->units[i].rank, 11) << i;
  }
}

TEST(StandingTest, TiedUnitsGetTheSameEverything) {
  const std::vector<double> v = {4, 4, 4, 1};
  Result<StandingResult> s = ComputeStanding(v, Direction::kIncrease);
  ASSERT_TRUE(s.ok());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(s->units[i].rank, 2);  // positions 1, 2, 3 → 2
    EXPECT_EQ(s->units[i].quartile, 1);
    EXPECT_EQ(s->units[i].gap_to_best, 0);
  }
  EXPECT_EQ(s->units[3].rank, 4);
}

TEST(StandingTest, MissingValuesTakeNoPart) {
  const std::vector<double> v = {NAN, 2, 1};
  Result<StandingResult> s = ComputeStanding(v, Direction::kIncrease);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->n, 2);
  EXPECT_TRUE(std::isnan(s->units[0].rank));
  EXPECT_EQ(s->units[0].quartile, 0);
  EXPECT_EQ(s->units[1].rank, 1);
  EXPECT_EQ(s->units[2].rank, 2);
}

TEST(StandingTest, InfiniteValueIsRejectedNamingTheRow) {
  const std::vector<double> v = {1, INFINITY};
  Result<StandingResult> s = ComputeStanding(v, Direction::kIncrease);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("row 2"), std::string::npos);
}

TEST(StandingTest, EmptyInputGivesNoUnits) {
  Result<StandingResult> s = ComputeStanding({}, Direction::kIncrease);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->n, 0);
  EXPECT_TRUE(std::isnan(s->best));
}

}  // namespace
}  // namespace shewhart::stats
