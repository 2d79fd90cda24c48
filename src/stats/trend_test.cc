// Trend has no reference tool: expectations are closed forms and hand calculations, shown in the
// comments.
#include "stats/trend.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace shewhart::stats {
namespace {

// t = 1..5, y = 1 3 2 5 4. t̄ = ȳ = 3; Sxy = 4 + 0 + 0 + 2 + 2 = 8; Sxx = 10 → b = 0.8.
// Fitted 1.4 2.2 3.0 3.8 4.6; residuals −0.4 0.8 −1 1.2 −0.6; SSE = 3.6; SE = sqrt(3.6/3/10) =
// sqrt(0.12); t(0.975, 3) = 3.182446305284263 (tables) → 0.8 ∓ 1.1024307...
TEST(TrendTest, OlsMatchesClosedForm) {
  const std::vector<double> t = {1, 2, 3, 4, 5}, y = {1, 3, 2, 5, 4};
  Result<TrendResult> r = ComputeTrendYears(t, y);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->n, 5);
  EXPECT_DOUBLE_EQ(r->ols.slope_per_year, 0.8);
  EXPECT_DOUBLE_EQ(r->ols_std_error, std::sqrt(0.12));
  const double half = 3.182446305284263 * std::sqrt(0.12);
  EXPECT_NEAR(r->ols.lower95, 0.8 - half, 1e-12);
  EXPECT_NEAR(r->ols.upper95, 0.8 + half, 1e-12);
  EXPECT_NEAR(r->ols_intercept, 1.4, 1e-12);  // fitted value at the first time
}

// Same data, Theil–Sen. The 10 pairwise slopes sorted: −1 −1 1/3 0.5 0.75 1 1 4/3 2 3; median
// (0.75 + 1)/2 = 0.875. Var S = 5·4·15/18 = 16.67, C = 1.96·4.08 = 8.0015, M1 = 0.9992 and
// M2 + 1 = 10.0008: both clamp to the extremes −1 and 3.
TEST(TrendTest, TheilSenSmallSetByHand) {
  const std::vector<double> t = {1, 2, 3, 4, 5}, y = {1, 3, 2, 5, 4};
  Result<TrendResult> r = ComputeTrendYears(t, y);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->n_pairs, 10);
  EXPECT_DOUBLE_EQ(r->theil_sen.slope_per_year, 0.875);
  EXPECT_EQ(r->theil_sen.lower95, -1);
  EXPECT_EQ(r->theil_sen.upper95, 3);
}

// t = 1..10, y = 2 4 3 6 5 8 7 10 9 12. 45 pairwise slopes; sorted, the 11th..12th are 5/7 and
// 0.75, the 34th..35th 9/7 and 4/3, and 16 of them equal 1 (positions 15..30) so the median is 1.
// Var S = 10·9·25/18 = 125, C = 1.959964·sqrt(125) = 21.91306; M1 = (45 − C)/2 = 11.54347,
// M2 + 1 = (45 + C)/2 + 1 = 34.45653. Interpolating: lower = 5/7 + 0.54347·(0.75 − 5/7) =
// 0.7336953, upper = 9/7 + 0.45653·(4/3 − 9/7) = 1.3074539.
TEST(TrendTest, TheilSenIntervalInterpolatesOrderStatistics) {
  std::vector<double> t, y = {2, 4, 3, 6, 5, 8, 7, 10, 9, 12};
  for (int i = 1; i <= 10; ++i) t.push_back(i);
  Result<TrendResult> r = ComputeTrendYears(t, y);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->n_pairs, 45);
  EXPECT_DOUBLE_EQ(r->theil_sen.slope_per_year, 1);
  EXPECT_NEAR(r->theil_sen.lower95, 0.7336952943854547, 1e-9);
  EXPECT_NEAR(r->theil_sen.upper95, 1.3074538932003463, 1e-9);
}

// A wild outlier moves OLS but not Theil–Sen: y = t except one point.
TEST(TrendTest, TheilSenIsRobustToOneOutlier) {
  std::vector<double> t, y;
  for (int i = 0; i < 9; ++i) {
    t.push_back(i);
    y.push_back(i == 8 ? 100 : i);
  }
  Result<TrendResult> r = ComputeTrendYears(t, y);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->theil_sen.slope_per_year, 1);
  EXPECT_GT(r->ols.slope_per_year, 4);
}

// Tied values reduce Var S: y = 1 2 2 3 5 has one pair of ties, Var S = (300 − 2·1·9)/18.
// C = 1.959964·sqrt(282/18) = 7.7577; M1 = (10 − C)/2 = 1.1212 → between the 1st and 2nd slopes.
// Slopes sorted: 0 0.5 0.5 2/3 1 1 1 1 1.5 2 (median 1) → lower = 0 + 0.1212·0.5 = 0.0606.
TEST(TrendTest, TheilSenTieCorrection) {
  const std::vector<double> t = {1, 2, 3, 4, 5}, y = {1, 2, 2, 3, 5};
  Result<TrendResult> r = ComputeTrendYears(t, y);
  ASSERT_TRUE(r.ok());
  const double c = 1.959963984540054 * std::sqrt(282.0 / 18);
  EXPECT_NEAR(r->theil_sen.lower95, ((10 - c) / 2 - 1) * 0.5, 1e-12);
  EXPECT_EQ(r->theil_sen.slope_per_year, 1);
}

// Dates 1461 days (exactly 4 years of 365.25 days) apart, values rising by 4: 1 per year.
TEST(TrendTest, DatesAreConvertedToYears) {
  const std::vector<Date> d = {DaysFromCivil(2020, 1, 1), DaysFromCivil(2020, 1, 1) + 1461,
                               DaysFromCivil(2020, 1, 1) + 2922};
  const std::vector<double> y = {10, 14, 18};
  Result<TrendResult> r = ComputeTrend(d, y);
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->ols.slope_per_year, 1);
  EXPECT_DOUBLE_EQ(r->theil_sen.slope_per_year, 1);
  EXPECT_NEAR(r->ols.lower95, 1, 1e-9);  // a perfect fit: zero-width interval
}

TEST(TrendTest, MissingValuesAreSkipped) {
  const std::vector<double> t = {1, 2, 3, 4}, y = {1, NAN, 3, 4};
  Result<TrendResult> r = ComputeTrendYears(t, y);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->n, 3);
  EXPECT_DOUBLE_EQ(r->ols.slope_per_year, 1);
}

TEST(TrendTest, TwoPointsGiveASlopeWithoutInterval) {
  const std::vector<double> t = {0, 2}, y = {1, 2};
  Result<TrendResult> r = ComputeTrendYears(t, y);
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->ols.slope_per_year, 0.5);
  EXPECT_TRUE(std::isnan(r->ols.lower95));
}

TEST(TrendTest, RejectsBadInput) {
  const std::vector<double> one = {1};
  EXPECT_FALSE(ComputeTrendYears(one, one).ok());
  const std::vector<Date> d = {5, 3};
  const std::vector<double> y = {1, 2};
  Result<TrendResult> r = ComputeTrend(d, y);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("row 2"), std::string::npos);
}

// 1..5 against 6..10: means 3 and 8, variances 2.5 each; SE = sqrt(0.5 + 0.5) = 1; t = 5;
// Welch df = 1/(0.25/4 + 0.25/4) = 8; t(0.975, 8) = 2.306004 → 5 ∓ 2.306004; two-sided p for t = 5
// on 8 df = 0.001053 (R: t.test(6:10, 1:5)).
TEST(StepChangeTest, WelchOnEqualVariances) {
  const std::vector<double> y = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  const std::vector<int32_t> starts = {5};
  Result<StepChange> s = TestStepChange(y, starts);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->n_previous, 5);
  EXPECT_EQ(s->n_latest, 5);
  EXPECT_DOUBLE_EQ(s->difference, 5);
  EXPECT_DOUBLE_EQ(s->t, 5);
  EXPECT_DOUBLE_EQ(s->df, 8);
  EXPECT_NEAR(s->lower95, 5 - 2.306004135, 1e-8);
  EXPECT_NEAR(s->upper95, 5 + 2.306004135, 1e-8);
  EXPECT_NEAR(s->p_value, 0.001052, 1e-5);
  EXPECT_TRUE(s->significant);
}

// Three groups: only the last two are compared. Previous 1..10 (mean 5.5, var 55/6), latest
// 7 8 9 (mean 8, var 1): a = 55/60, b = 1/3, SE = sqrt(1.25), t = 2.5/1.1180 = 2.2361;
// df = 1.5625/((55/60)²/9 + (1/3)²/2) = 10.492. The 5% two-sided critical t on 10 and 11 df is
// 2.228 and 2.201, so p is just under 0.05.
TEST(StepChangeTest, ComparesTheLastTwoGroupsWithUnequalVariances) {
  std::vector<double> y = {100, 100, 100};
  for (int i = 1; i <= 10; ++i) y.push_back(i);
  y.insert(y.end(), {7, 8, 9});
  const std::vector<int32_t> starts = {3, 13};
  Result<StepChange> s = TestStepChange(y, starts);
  ASSERT_TRUE(s.ok());
  EXPECT_DOUBLE_EQ(s->previous_mean, 5.5);
  EXPECT_DOUBLE_EQ(s->latest_mean, 8);
  EXPECT_NEAR(s->t, 2.5 / std::sqrt(1.25), 1e-12);
  const double a = 55.0 / 60, b = 1.0 / 3;
  EXPECT_NEAR(s->df, (a + b) * (a + b) / (a * a / 9 + b * b / 2), 1e-12);
  EXPECT_GT(s->p_value, 0.04);
  EXPECT_LT(s->p_value, 0.05);
  EXPECT_TRUE(s->significant);
}

TEST(StepChangeTest, NeedsTwoGroupsOfTwo) {
  const std::vector<double> y = {1, 2, 3, 4};
  EXPECT_EQ(TestStepChange(y, {}).status().code(), StatusCode::kFailedPrecondition);
  const std::vector<int32_t> late = {3};
  EXPECT_EQ(TestStepChange(y, late).status().code(), StatusCode::kFailedPrecondition);
  const std::vector<int32_t> bad = {4};
  EXPECT_EQ(TestStepChange(y, bad).status().code(), StatusCode::kInvalidArgument);
}

TEST(StepChangeTest, ConstantGroups) {
  const std::vector<double> y = {2, 2, 2, 3, 3, 3};
  const std::vector<int32_t> starts = {3};
  Result<StepChange> s = TestStepChange(y, starts);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->p_value, 0);
  EXPECT_TRUE(s->significant);
}

}  // namespace
}  // namespace shewhart::stats
