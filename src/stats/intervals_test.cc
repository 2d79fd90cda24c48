// Unit tests for intervals.h beyond the reference cases in tests/cases/phe (walked by
// phe_cases_test.cc): validation, the exact/Byar switch, comparisons' boundaries and the trend
// marker's run selection and outlier check.
#include "stats/intervals.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace shewhart::stats {
namespace {

TEST(ConfidenceTest, AcceptsFractionsAndPercentages) {
  EXPECT_DOUBLE_EQ(*NormalizeConfidence(95), 0.95);
  EXPECT_DOUBLE_EQ(*NormalizeConfidence(0.998), 0.998);
  EXPECT_FALSE(NormalizeConfidence(0.5).ok());
  EXPECT_FALSE(NormalizeConfidence(150).ok());
  EXPECT_FALSE(NormalizeConfidence(NAN).ok());
}

// §4: z = qnorm(c + (1 − c)/2) at full precision.
TEST(ConfidenceTest, TwoSidedZAtFullPrecision) {
  EXPECT_NEAR(TwoSidedZ(0.95), 1.959963984540054, 1e-15);
  EXPECT_NEAR(TwoSidedZ(0.998), 3.090232306167814, 1e-14);
}

TEST(WilsonTest, RejectsImpossibleCounts) {
  EXPECT_EQ(WilsonInterval(11, 10).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(WilsonInterval(-1, 10).ok());
  EXPECT_FALSE(WilsonInterval(0, 0).ok());
}

TEST(WilsonTest, ZeroEventsHasLowerBoundZero) {
  Result<Interval> ci = WilsonInterval(0, 10);
  ASSERT_TRUE(ci.ok());
  EXPECT_NEAR(ci->lower, 0, 1e-15);
  EXPECT_GT(ci->upper, 0);
}

// The switch is at 10 observed events: 9 exact, 10 Byar (T-PHE-02 row "10 | 99.8%").
TEST(PoissonCountTest, SwitchesToByarAtTen) {
  EXPECT_EQ(PoissonCount(9).value().method, IntervalMethod::kExact);
  Result<Estimate> ten = PoissonCount(10, 99.8);
  ASSERT_TRUE(ten.ok());
  EXPECT_EQ(ten->method, IntervalMethod::kByar);
  EXPECT_NEAR(ten->lower, 2.916318374695686, 1e-9 * 2.9);
  EXPECT_NEAR(ten->upper, 24.193724927880535, 1e-9 * 24);
}

TEST(PoissonCountTest, ZeroEventsHasExactLowerZero) {
  Result<Interval> ci = ExactPoissonInterval(0);
  ASSERT_TRUE(ci.ok());
  EXPECT_EQ(ci->lower, 0);
  EXPECT_NEAR(ci->upper, 3.6888794541139363, 1e-12);  // −ln(0.025)
}

// An ISR with O = 20, E = 100 has the same limits as a crude rate of 20 per 100 with
// multiplier 1 (T-PHE-04 row 3 divided by 100).
TEST(StandardisedRatioTest, LimitsAreCountBoundsOverExpected) {
  Result<Estimate> e = StandardisedRatio(20, 100);
  ASSERT_TRUE(e.ok());
  EXPECT_DOUBLE_EQ(e->value, 0.2);
  EXPECT_NEAR(e->lower, 0.12211428834875937, 1e-12);
  EXPECT_NEAR(e->upper, 0.30889880369197066, 1e-12);
  EXPECT_EQ(e->method, IntervalMethod::kByar);
  EXPECT_FALSE(StandardisedRatio(1, 0).ok());
}

// §4.5: the bisection agrees with the exact chi-square value to ~1e-7 relative.
TEST(PoissonBisectTest, CloseToExactChiSquare) {
  for (double o : {0.0, 1.0, 2.0, 7.0, 25.0, 300.0}) {
    Result<Interval> exact = ExactPoissonInterval(o, 0.95);
    ASSERT_TRUE(exact.ok());
    EXPECT_NEAR(PoissonBisect(o, 0.025, BisectSide::kHigh), exact->upper, 3e-7 * exact->upper) << o;
    if (o > 0) {
      EXPECT_NEAR(PoissonBisect(o, 0.025, BisectSide::kLow), exact->lower, 3e-7 * exact->upper)
          << o;
    }
  }
}

TEST(PoissonBisectTest, ProbabilityBetweenSumsToOne) {
  EXPECT_NEAR(PoissonProbabilityBetween(3.5, 0, 1e10), 1, 1e-12);
  EXPECT_NEAR(PoissonProbabilityBetween(2, 0, 0), std::exp(-2.0), 1e-10);
  // Bounds are compared as real numbers: P(X <= 1.5) = P(X <= 1).
  EXPECT_NEAR(PoissonProbabilityBetween(2, 0, 1.5), 3 * std::exp(-2.0), 1e-10);
}

TEST(CompareTest, SingleOverlappingIsInclusive) {
  EXPECT_EQ(CompareSingleOverlappingCi(10, 9, 11, 11, Polarity::kHighIsGood), Comparison::kSame);
  EXPECT_EQ(CompareSingleOverlappingCi(10, 9, 11, 11.01, Polarity::kHighIsGood),
            Comparison::kWorse);
  EXPECT_EQ(CompareSingleOverlappingCi(10, 9, 11, 11.01, Polarity::kLowIsGood),
            Comparison::kBetter);
  EXPECT_EQ(CompareSingleOverlappingCi(10, 9, 11, 8, Polarity::kHighIsGood), Comparison::kBetter);
  EXPECT_EQ(CompareSingleOverlappingCi(10, 9, 11, 8, Polarity::kNotApplicable), Comparison::kNone);
  EXPECT_EQ(CompareSingleOverlappingCi(NAN, 9, 11, 8, Polarity::kHighIsGood), Comparison::kNone);
}

TEST(CompareTest, DoubleOverlappingIsInclusive) {
  EXPECT_EQ(CompareDoubleOverlappingCi(10, 9, 11, 12, 11, 13, Polarity::kHighIsGood),
            Comparison::kSame);
  EXPECT_EQ(CompareDoubleOverlappingCi(10, 9, 11, 12.5, 11.5, 13, Polarity::kHighIsGood),
            Comparison::kWorse);
  EXPECT_EQ(CompareDoubleOverlappingCi(14, 13.5, 15, 12.5, 11.5, 13, Polarity::kLowIsGood),
            Comparison::kWorse);
}

TEST(TrendMarkerTest, NeedsFiveUnbrokenPoints) {
  const std::vector<double> v = {1, 2, NAN, 3, 4, 5, 6};
  const std::vector<double> lo = {0, 1, 1, 2, 3, 4, 5};
  const std::vector<double> hi = {2, 3, 3, 4, 5, 6, 7};
  const TrendMarkerResult r = IntervalTrendMarker(v, lo, hi);
  EXPECT_EQ(r.marker, TrendMarker::kCannotBeCalculated);
  EXPECT_EQ(r.chi_squared, 0);
  EXPECT_EQ(r.reason, "fewer than 5 points");
}

TEST(TrendMarkerTest, UsesTheFiveMostRecentPointsOfTheLatestRun) {
  // Points 0..1, a gap, then 6 valid points 3..8: the 5 used are 4..8.
  std::vector<double> v = {50, 50, NAN, 1, 2, 3, 4, 5, 6};
  std::vector<double> lo, hi;
  for (double x : v) {
    lo.push_back(x - 0.196);
    hi.push_back(x + 0.196);
  }
  const TrendMarkerResult r = IntervalTrendMarker(v, lo, hi);
  EXPECT_EQ(r.first_point, 4);
  EXPECT_EQ(r.marker, TrendMarker::kIncreasing);
  EXPECT_NEAR(r.slope, 1, 1e-12);
}

// A significant rise made by one point: dropping it turns the slope negative → no marker.
TEST(TrendMarkerTest, OutlierCheckBlocksAMarker) {
  const std::vector<double> v = {10.5, 10.4, 10.3, 10.2, 30};
  std::vector<double> lo, hi;
  for (double x : v) {
    lo.push_back(x - 0.196);
    hi.push_back(x + 0.196);
  }
  const TrendMarkerResult r = IntervalTrendMarker(v, lo, hi);
  EXPECT_GT(r.chi_squared, kTrendMarkerThreshold);
  EXPECT_LT(r.leave_one_out[4], 0);
  EXPECT_EQ(r.marker, TrendMarker::kNoSignificantChange);
  EXPECT_EQ(r.reason, "outlier found");
}

TEST(TrendMarkerTest, DecreasingProportion) {
  const std::vector<double> x = {500, 450, 400, 350, 300};
  const std::vector<double> n = {1000, 1000, 1000, 1000, 1000};
  const TrendMarkerResult r = ProportionTrendMarker(x, n);
  EXPECT_EQ(r.marker, TrendMarker::kDecreasing);
  EXPECT_LT(r.slope, 0);
}

}  // namespace
}  // namespace shewhart::stats
