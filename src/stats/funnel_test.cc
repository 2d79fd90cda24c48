// Unit tests for funnel.h beyond the reference cases in tests/cases/funnel (walked by
// funnel_cases_test.cc): validation messages, the overdispersion switch, R rounding, the grid and
// the proportion limits' repair.
#include "stats/funnel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace shewhart::stats {
namespace {

std::vector<FunnelInput> SixTrusts() {
  return {{"a", 100, 108}, {"b", 150, 112}, {"c", 180, 165},
          {"d", 80, 95},   {"e", 120, 100}, {"f", 225, 220}};
}

TEST(FunnelValidationTest, NamesTheUnitAndRow) {
  std::vector<FunnelInput> rows = SixTrusts();
  rows[3].numerator = -1;
  Result<FunnelResult> r = ComputeFunnel(rows, FunnelOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("unit 'd', row 4"), std::string::npos)
      << r.status().message();
  rows = SixTrusts();
  rows[0].denominator = 0;
  EXPECT_NE(ComputeFunnel(rows, FunnelOptions{}).status().message().find("'a', row 1"),
            std::string::npos);
}

TEST(FunnelValidationTest, ProportionAboveOneAfterSumming) {
  const std::vector<FunnelInput> rows = {{"x", 5, 10}, {"x", 9, 3}, {"y", 1, 10}};
  FunnelOptions o;
  o.type = FunnelType::kProportion;
  Result<FunnelResult> r = ComputeFunnel(rows, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("'x'"), std::string::npos);
}

TEST(FunnelValidationTest, OptionsAndUnitCount) {
  FunnelOptions o;
  o.trim_by = 0.5;
  EXPECT_FALSE(ValidateFunnelOptions(o).ok());
  o = FunnelOptions{};
  o.multiplier = 0;
  EXPECT_FALSE(ValidateFunnelOptions(o).ok());
  const std::vector<FunnelInput> one = {{"a", 1, 2}, {"a", 3, 4}};
  EXPECT_FALSE(ComputeFunnel(one, FunnelOptions{}).ok());
}

TEST(FunnelTest, UnitsKeepTheirFirstAppearanceOrder) {
  const std::vector<FunnelInput> rows = {{"z", 10, 10}, {"a", 10, 12}, {"z", 5, 6}};
  Result<FunnelResult> r = ComputeFunnel(rows, FunnelOptions{});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->units.size(), 2u);
  EXPECT_EQ(r->units[0].name, "z");
  EXPECT_EQ(r->units[0].numerator, 15);
  EXPECT_EQ(r->units[1].name, "a");
}

// Identical proportions: every z is 0, φ = 0 ≤ 1. auto switches to the unadjusted limits; on keeps
// the adjusted formula (τ² = 0, which for PR is the same curve); off reports φ = 0.
TEST(FunnelTest, OverdispersionSwitch) {
  const std::vector<FunnelInput> rows = {{"a", 10, 100}, {"b", 20, 200}, {"c", 30, 300}};
  FunnelOptions o;
  o.type = FunnelType::kProportion;
  Result<FunnelResult> automatic = ComputeFunnel(rows, o);
  ASSERT_TRUE(automatic.ok());
  EXPECT_EQ(automatic->phi, 0);
  EXPECT_FALSE(automatic->adjusted);
  EXPECT_EQ(automatic->units[0].limits.ucl998, automatic->units[0].unadjusted.ucl998);
  o.overdispersion = Overdispersion::kOn;
  Result<FunnelResult> on = ComputeFunnel(rows, o);
  ASSERT_TRUE(on.ok());
  EXPECT_TRUE(on->adjusted);
  EXPECT_EQ(on->tau2, 0);
  EXPECT_DOUBLE_EQ(on->units[0].limits.ucl998, automatic->units[0].limits.ucl998);
  // For SR the unadjusted limits are exact Poisson, so forcing the adjustment changes them.
  FunnelOptions sr;
  sr.overdispersion = Overdispersion::kOff;
  Result<FunnelResult> off = ComputeFunnel(SixTrusts(), sr);
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(off->phi, 0);
  EXPECT_FALSE(off->adjusted);
}

// SHMI with a zero numerator: U = −∞ (as the reference), ranked first and truncated when N >= 10,
// so φ stays finite.
TEST(FunnelTest, ShmiZeroNumeratorIsTruncated) {
  std::vector<FunnelInput> rows;
  const char* names[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
  for (int i = 0; i < 10; ++i) rows.push_back({names[i], 90.0 + 3 * i, 100});
  rows[0].numerator = 0;
  Result<FunnelResult> r = ComputeFunnel(rows, FunnelOptions{});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(std::isinf(r->units[0].z));
  EXPECT_TRUE(r->units[0].trimmed);
  EXPECT_TRUE(std::isnan(r->units[0].w));
  EXPECT_TRUE(std::isfinite(r->phi));
  EXPECT_EQ(r->units[0].outlier, FunnelOutlier::kLow);
}

// R >= 4: round(0.125, 2) = 0.12 (a tie, even digit); round(2.675, 2) = 2.67 (2.675 is stored just
// below); round(2.5) = 2; round(0.5) = 0; round(1.005, 2) = 1 (stored below).
TEST(RRoundTest, MatchesR4) {
  EXPECT_EQ(RRound(0.125, 2), 0.12);
  EXPECT_EQ(RRound(2.675, 2), 2.67);
  EXPECT_EQ(RRound(2.5, 0), 2);
  EXPECT_EQ(RRound(0.5, 0), 0);
  EXPECT_EQ(RRound(1.005, 2), 1);
  EXPECT_EQ(RRound(108.456, 2), 108.46);
}

TEST(FunnelCurveTest, GridFromFirstPointToCeilingOfLargestDenominator) {
  Result<FunnelResult> r = ComputeFunnel(SixTrusts(), FunnelOptions{});
  ASSERT_TRUE(r.ok());
  const std::vector<FunnelCurvePoint> c = FunnelCurve(*r);
  EXPECT_EQ(c.front().denominator, 1.1);
  EXPECT_EQ(c.back().denominator, 220);
  // 1000 grid points plus the unit denominators not already on the grid (220 is the last point).
  EXPECT_GE(c.size(), 1000u);
  EXPECT_LE(c.size(), 1005u);
  for (size_t i = 1; i < c.size(); ++i) {
    EXPECT_LT(c[i - 1].denominator, c[i].denominator);
    EXPECT_LE(c[i].limits.ucl998 - c[i].limits.lcl998,
              c[i - 1].limits.ucl998 - c[i - 1].limits.lcl998 + 1e-12);  // the funnel narrows
  }
}

// Proportion limits near 0: the folded sine is repaired so the lower limit never rises again as
// the denominator falls, and sits at 0 where the angle goes below 0.
TEST(FunnelCurveTest, ProportionLimitsAreMonotone) {
  const std::vector<FunnelInput> rows = {{"a", 1, 50}, {"b", 3, 400}, {"c", 10, 1000}};
  FunnelOptions o;
  o.type = FunnelType::kProportion;
  o.overdispersion = Overdispersion::kOff;
  Result<FunnelResult> r = ComputeFunnel(rows, o);
  ASSERT_TRUE(r.ok());
  const std::vector<FunnelCurvePoint> c = FunnelCurve(*r);
  EXPECT_EQ(c.front().denominator, 3);
  EXPECT_EQ(c.front().limits.lcl998, 0);
  for (size_t i = 1; i < c.size(); ++i) {
    EXPECT_LE(c[i - 1].limits.lcl998, c[i].limits.lcl998) << c[i].denominator;
    EXPECT_GE(c[i - 1].limits.ucl998, c[i].limits.ucl998) << c[i].denominator;
    EXPECT_LE(c[i].limits.ucl998, 1);
  }
}

TEST(PheFunnelTest, ProportionLimitsTouchTheWilsonIntervalOfTheMean) {
  // §4.4 check: the high limit's Wilson lower bound equals p̄ (verified by re-deriving Wilson).
  const double pbar = 0.2, n = 1000, z = 1.959963984540054;
  const PheLimitPair l = PheProportionLimits(pbar, n, 0.975);
  const double x = l.high * n;
  const double lower =
      (2 * x + z * z - z * std::sqrt(z * z + 4 * x * (1 - x / n))) / (2 * (n + z * z));
  EXPECT_NEAR(lower, pbar, 1e-12);
}

TEST(PheFunnelTest, SignificanceNames) {
  EXPECT_EQ(Name(PheSignificance::kHigh0001), "High (0.001)");
  EXPECT_EQ(Name(PheSignificance::kLow0025), "Low (0.025)");
  EXPECT_EQ(Name(PheSignificance::kNotSignificant), "Not significant");
}

}  // namespace
}  // namespace shewhart::stats
