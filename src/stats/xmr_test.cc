#include "stats/xmr.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "stats/r_math.h"

namespace shewhart::stats {
namespace {

// A prefix that makes the limits wide (mean 50, UPL ~ 316) so that a pattern appended after it is
// judged by the run, trend and two-in-three rules alone.
std::vector<double> WithWidePrefix(std::initializer_list<double> pattern) {
  std::vector<double> y;
  for (int i = 0; i < 10; ++i) y.push_back(i % 2 == 0 ? 0 : 100);
  y.insert(y.end(), pattern);
  return y;
}

XmrResult Xmr(const std::vector<double>& y, XmrOptions options = {}, double target = NAN,
              std::vector<int32_t> starts = {}) {
  XmrResult r;
  ComputeXmr(y, starts, target, options, &r);
  return r;
}

// §5.1 T-PTD-U1 (trend indicator): 1:7 is a trend; a tie breaks it; a trend can start anywhere.
TEST(XmrRules, SevenRisingPointsAreATrendAndATieBreaksIt) {
  XmrResult r = Xmr(WithWidePrefix({41, 42, 43, 44, 45, 46, 47}));
  for (int i = 10; i < 17; ++i) EXPECT_EQ(r.special_cause[i], SpecialCause::kTrendIncreasing) << i;
  r = Xmr(WithWidePrefix({41, 42, 43, 43, 44, 45, 46}));
  for (int i = 10; i < 17; ++i) EXPECT_NE(RuleOf(r.special_cause[i]), Rule::kTrend) << i;
  r = Xmr(WithWidePrefix({47, 46, 45, 44, 43, 42, 41}));
  for (int i = 10; i < 17; ++i) EXPECT_EQ(r.special_cause[i], SpecialCause::kTrendDecreasing);
}

TEST(XmrRules, SixRisingPointsAreATrendOnlyWithTheSixPointOption) {
  const std::vector<double> y = WithWidePrefix({41, 42, 43, 44, 45, 46, 30});
  XmrResult seven = Xmr(y);
  EXPECT_NE(RuleOf(seven.special_cause[12]), Rule::kTrend);
  XmrOptions six;
  six.rule_length = 6;
  XmrResult r = Xmr(y, six);
  for (int i = 10; i < 16; ++i) EXPECT_EQ(r.special_cause[i], SpecialCause::kTrendIncreasing);
  EXPECT_EQ(Label(r.special_cause[10], 6), "6 Point Trend (Increasing)");
}

TEST(XmrRules, SixPointRunOption) {
  // Six points below the mean of 50, then one above.
  const std::vector<double> y = WithWidePrefix({45, 40, 45, 40, 45, 40, 55});
  EXPECT_EQ(Xmr(y).special_cause[10], SpecialCause::kCommonCause);
  XmrOptions six;
  six.rule_length = 6;
  const XmrResult r = Xmr(y, six);
  for (int i = 10; i < 16; ++i) EXPECT_EQ(r.special_cause[i], SpecialCause::kShiftBelow) << i;
  EXPECT_EQ(r.special_cause[16], SpecialCause::kCommonCause);
  EXPECT_EQ(Label(SpecialCause::kShiftBelow, 6), "6 Points Below CL");
}

// Our deviation (T-PTD-21): a missing value inside a would-be trend breaks it instead of failing.
TEST(XmrRules, MissingValueBreaksATrendAndNeverThrows) {
  const XmrResult r = Xmr(WithWidePrefix({41, 42, 43, NAN, 45, 46, 47, 48}));
  for (size_t i = 10; i < r.special_cause.size(); ++i) {
    EXPECT_NE(RuleOf(r.special_cause[i]), Rule::kTrend) << i;
  }
  EXPECT_EQ(r.special_cause[13], SpecialCause::kCommonCause);
  EXPECT_EQ(r.n_missing, 1);
}

// §1.6 precedence: beyond limits > trend > two-in-three > shift.
TEST(XmrRules, BeyondLimitsWinsOverATrend) {
  XmrResult r = Xmr(WithWidePrefix({41, 42, 43, 44, 45, 46, 400}));
  EXPECT_EQ(r.special_cause[16], SpecialCause::kAboveUpl);
  EXPECT_EQ(r.special_cause[15], SpecialCause::kTrendIncreasing);
}

// §5.1 T-PTD-U2 (assurance helper): target 4; (lpl, upl) = (1,3), (5,7), (1,5).
TEST(XmrIcons, AssuranceAgainstTheTarget) {
  EXPECT_EQ(AssuranceOf(4, 1, 3, Direction::kIncrease), Assurance::kConsistentFail);
  EXPECT_EQ(AssuranceOf(4, 5, 7, Direction::kIncrease), Assurance::kConsistentPass);
  EXPECT_EQ(AssuranceOf(4, 1, 5, Direction::kIncrease), Assurance::kInconsistent);
  EXPECT_EQ(AssuranceOf(4, 1, 3, Direction::kDecrease), Assurance::kConsistentPass);
  EXPECT_EQ(AssuranceOf(4, 5, 7, Direction::kDecrease), Assurance::kConsistentFail);
  EXPECT_EQ(AssuranceOf(4, 1, 5, Direction::kDecrease), Assurance::kInconsistent);
  EXPECT_EQ(AssuranceOf(4, 1, 3, Direction::kNeutral), Assurance::kNone);
  EXPECT_EQ(AssuranceOf(NAN, 1, 3, Direction::kIncrease), Assurance::kNone);
  // A target exactly on a limit, or limits that could not be computed: inconsistent.
  EXPECT_EQ(AssuranceOf(3, 1, 3, Direction::kIncrease), Assurance::kInconsistent);
  EXPECT_EQ(AssuranceOf(3, NAN, NAN, Direction::kIncrease), Assurance::kInconsistent);
}

// T-PTD-U2 (one facet, rows in order): the assurance uses the LAST group's limits.
TEST(XmrIcons, AssuranceUsesTheLatestGroup) {
  std::vector<double> y;
  for (int i = 0; i < 20; ++i) y.push_back(10 + i % 2);
  for (int i = 0; i < 20; ++i) y.push_back(30 + i % 2);
  // Latest group: mean 30.5, limits 30.5 +/- 2.66 -> target 16 is below the LPL.
  const XmrResult r = Xmr(y, {}, 16, {20});
  EXPECT_EQ(r.assurance, Assurance::kConsistentPass);
}

// T-PTD-U2 short_group_warning with threshold 12: 11 rows warned, 12 not.
TEST(XmrIcons, ShortGroupThreshold) {
  XmrOptions o;
  o.short_group_threshold = 12;
  EXPECT_TRUE(Xmr(std::vector<double>(11, 1.0), o).groups[0].short_group);
  EXPECT_FALSE(Xmr(std::vector<double>(12, 1.0), o).groups[0].short_group);
  // The default is the reference's code default, 13: twelve points are still warned about.
  EXPECT_TRUE(Xmr(std::vector<double>(12, 1.0)).groups[0].short_group);
  EXPECT_FALSE(Xmr(std::vector<double>(13, 1.0)).groups[0].short_group);
}

TEST(XmrIcons, VariationIconFollowsTheLatestPointAndDirection) {
  EXPECT_EQ(VariationOf(PointType::kImprovement, Direction::kIncrease),
            Variation::kImprovementHigh);
  EXPECT_EQ(VariationOf(PointType::kImprovement, Direction::kDecrease),
            Variation::kImprovementLow);
  EXPECT_EQ(VariationOf(PointType::kConcern, Direction::kIncrease), Variation::kConcernLow);
  EXPECT_EQ(VariationOf(PointType::kConcern, Direction::kDecrease), Variation::kConcernHigh);
  EXPECT_EQ(VariationOf(PointType::kNeutralLow, Direction::kNeutral), Variation::kNeutralLow);
  EXPECT_EQ(PointTypeOf(SpecialCause::kShiftAbove, Direction::kNeutral), PointType::kNeutralHigh);
  EXPECT_EQ(PointTypeOf(SpecialCause::kBelowLpl, Direction::kDecrease), PointType::kImprovement);
}

TEST(XmrOptions, Validation) {
  XmrOptions o;
  EXPECT_TRUE(ValidateXmrOptions(o).ok());
  o.fix_after_n_points = 11;
  EXPECT_EQ(ValidateXmrOptions(o).code(), StatusCode::kInvalidArgument);
  o.fix_after_n_points = 12;
  EXPECT_TRUE(ValidateXmrOptions(o).ok());
  o.rule_length = 5;
  EXPECT_FALSE(ValidateXmrOptions(o).ok());
}

TEST(Xmr, ResultReuseLeavesNoStaleState) {
  XmrResult r;
  const std::vector<double> signal = WithWidePrefix({41, 42, 43, 44, 45, 46, 47});
  ComputeXmr(signal, {}, 60, XmrOptions{}, &r);
  const std::vector<double> flat = {1, 2, 1, 2};
  ComputeXmr(flat, {}, NAN, XmrOptions{}, &r);
  EXPECT_EQ(r.special_cause.size(), 4u);
  EXPECT_EQ(r.groups.size(), 1u);
  EXPECT_EQ(r.assurance, Assurance::kNone);
  EXPECT_EQ(r.variation, Variation::kCommonCause);
  ComputeXmr(std::vector<double>{}, {}, NAN, XmrOptions{}, &r);
  EXPECT_TRUE(r.groups.empty());
  EXPECT_TRUE(r.special_cause.empty());
}

TEST(Xmr, AllMissingGroupHasNoMeanAndNoSignals) {
  const XmrResult r = Xmr({NAN, NAN, NAN});
  EXPECT_TRUE(std::isnan(r.groups[0].mean));
  EXPECT_TRUE(std::isnan(r.groups[0].upl));
  for (auto c : r.special_cause) EXPECT_EQ(c, SpecialCause::kCommonCause);
  EXPECT_EQ(r.n_missing, 3);
}

// The kernel's fused passes must give exactly R's mean(): the same bits as the plain
// implementations in r_math.h, including with missing values and wildly different magnitudes.
TEST(Xmr, MeansAreBitIdenticalToRMean) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0, 1);
  std::uniform_real_distribution<double> unit(0, 1);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<double> y(5 + trial % 50);
    for (double& v : y) {
      v = noise(rng) * std::pow(10.0, static_cast<int>(unit(rng) * 30) - 15);
      if (unit(rng) < 0.1) v = NAN;
    }
    XmrOptions o;
    o.screen_outliers = trial % 2 == 0;
    const XmrResult r = Xmr(y, o);
    std::vector<double> mrs;
    for (size_t i = 1; i < y.size(); ++i) {
      const double mr = std::fabs(y[i] - y[i - 1]);
      if (!std::isnan(mr)) mrs.push_back(mr);
    }
    double amr = RMeanNaRm(mrs);
    if (o.screen_outliers) amr = RMeanBelow(mrs, kScreeningFactor * amr);
    const double mean = RMeanNaRm(y);
    if (std::isnan(mean)) {
      EXPECT_TRUE(std::isnan(r.groups[0].mean));
    } else {
      EXPECT_EQ(r.groups[0].mean, mean) << trial;
    }
    if (std::isnan(amr)) {
      EXPECT_TRUE(std::isnan(r.groups[0].amr));
    } else {
      EXPECT_EQ(r.groups[0].amr, amr) << trial;
    }
  }
}

TEST(Xmr, NamesAreStable) {
  EXPECT_EQ(Name(PointType::kImprovement), "special_cause_improvement");
  EXPECT_EQ(Name(Variation::kConcernHigh), "concern_high");
  EXPECT_EQ(Name(Assurance::kConsistentFail), "consistent_fail");
  EXPECT_EQ(Name(Assurance::kNone), "");
  EXPECT_EQ(Name(Rule::kTwoOfThree), "two_of_three");
  EXPECT_EQ(Label(SpecialCause::kTrendDecreasing), "7 Point Trend (Decreasing)");
}

}  // namespace
}  // namespace shewhart::stats
