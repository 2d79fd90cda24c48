// Unit tests of ComputeControlChart beyond the T-QIC cases (qic_cases_test.cc): constants,
// validation, edge cases, options, summaries and labels. Expected numbers are published values
// (Montgomery's table of factors, spc-reference.md §5.2) or follow by hand from the definitions
// in spc-reference.md §2.
#include "stats/control_chart.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <numeric>
#include <vector>

namespace shewhart::stats {
namespace {

// T-QIC-06a data: one outlier at position 5.
const std::vector<double> kOutlier = {1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1};

// T-QIC-25/26 (qicharts2 dataset complaints).
const std::vector<double> kComplaints = {426, 543,  428,  67,   303,  481,  304,  718,  681,  1030,
                                         704, 1062, 1085, 1311, 1309, 1342, 1740, 1468, 1364, 1824};
const std::vector<double> kComplaintsN = {90000,  110000, 90000,  40000,  60000,  70000,  90000,
                                          120000, 150000, 210000, 190000, 250000, 220000, 210000,
                                          230000, 220000, 310000, 330000, 320000, 330000};

ControlChartOptions Chart(ChartType c) {
  ControlChartOptions o;
  o.chart = c;
  return o;
}

ControlChartResult MustCompute(const ControlChartInput& in, const ControlChartOptions& o) {
  ControlChartResult r;
  const Status s = ComputeControlChart(in, o, &r);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return r;
}

void ExpectRel(double got, double want, double tol = 1e-9) {
  EXPECT_NEAR(got, want, std::max(tol * std::fabs(want), 1e-12)) << "want " << want;
}

TEST(ChartType, NamesRoundTrip) {
  for (const char* name :
       {"run", "i", "mr", "xbar", "s", "t", "p", "pp", "c", "u", "up", "g", "ip"}) {
    Result<ChartType> c = ParseChartType(name);
    ASSERT_TRUE(c.ok()) << name;
    EXPECT_EQ(Name(*c), name);
  }
  const Result<ChartType> bad = ParseChartType("xmr");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("xmr"), std::string::npos);
}

// Montgomery, Introduction to Statistical Quality Control, Appendix VI (factors for control
// charts), printed to 4 (c4) or 3 decimals.
TEST(Constants, MatchThePublishedTableOfFactors) {
  struct Row {
    int n;
    double c4, a3, b3, b4;
  };
  for (const Row& r :
       {Row{2, 0.7979, 2.659, 0, 3.267}, Row{3, 0.8862, 1.954, 0, 2.568},
        Row{5, 0.9400, 1.427, 0, 2.089}, Row{6, 0.9515, 1.287, 0.030, 1.970},
        Row{10, 0.9727, 0.975, 0.284, 1.716}, Row{25, 0.9896, 0.606, 0.565, 1.435}}) {
    EXPECT_NEAR(C4(r.n), r.c4, 5e-5) << r.n;
    EXPECT_NEAR(A3(r.n, 3), r.a3, 5e-4) << r.n;
    EXPECT_NEAR(B3(r.n, 3), r.b3, 5e-4) << r.n;
    EXPECT_NEAR(B4(r.n, 3), r.b4, 5e-4) << r.n;
  }
}

TEST(Constants, AreExactNotTableLookUps) {
  // c4(2) = sqrt(2/pi) exactly: Γ(1)/Γ(1/2) = 1/sqrt(pi).
  EXPECT_NEAR(C4(2), std::sqrt(2 / std::numbers::pi), 1e-15);
  // The 2-sigma factor is exactly 2/3 of the 3-sigma one.
  ExpectRel(A3(7, 2), A3(7, 3) * 2 / 3, 1e-15);
  // B3 + B4 = 2 whenever B3 is not floored.
  ExpectRel(B3(25, 3) + B4(25, 3), 2, 1e-15);
  EXPECT_EQ(B3(5, 3), 0);  // floored
  for (double n : {1.0, 0.0, -1.0}) {
    EXPECT_TRUE(std::isnan(C4(n))) << n;
    EXPECT_TRUE(std::isnan(A3(n, 3))) << n;
    EXPECT_TRUE(std::isnan(B3(n, 3))) << n;
    EXPECT_TRUE(std::isnan(B4(n, 3))) << n;
  }
}

TEST(Validation, RejectsBadInputWithClearMessages) {
  const std::vector<double> y = {1, 2, 3};
  const std::vector<double> n = {10, 10, 10};
  struct Bad {
    ControlChartInput in;
    ControlChartOptions opt;
    const char* message_part;
  };
  const std::vector<double> zero_time = {5, 0, 3};
  const std::vector<double> bad_n = {10, 0, 10};
  const std::vector<double> small_n = {10, 1, 10};
  const std::vector<double> negative = {1, -2, 3};
  const std::vector<double> inf = {1, INFINITY, 3};
  const std::vector<double> short_n = {10, 10};
  const std::vector<int32_t> skip = {0, 2, 2};
  const std::vector<int32_t> start1 = {1, 1, 2};
  const std::vector<int32_t> groups = {0, 0, 1};
  ControlChartOptions parts = Chart(ChartType::kI);
  parts.part_starts = {2, 1};
  ControlChartOptions part_zero = Chart(ChartType::kI);
  part_zero.part_starts = {0};
  ControlChartOptions exclude = Chart(ChartType::kI);
  exclude.exclude = {3};
  ControlChartOptions freeze = Chart(ChartType::kI);
  freeze.freeze = -1;
  ControlChartOptions multiply = Chart(ChartType::kI);
  multiply.multiply = 0;
  ControlChartOptions t_cl = Chart(ChartType::kT);
  t_cl.cl = -1;
  const std::vector<Bad> cases = {
      {{.y = y}, Chart(static_cast<ChartType>(99)), "unknown chart type"},
      {{.y = zero_time}, Chart(ChartType::kT), "greater than 0"},
      {{.y = y}, Chart(ChartType::kP), "needs a denominator"},
      {{.y = y}, Chart(ChartType::kU), "needs a denominator"},
      {{.y = y, .n = bad_n}, Chart(ChartType::kU), "denominators must be greater than 0"},
      {{.y = y, .n = small_n}, Chart(ChartType::kP), "larger than its denominator"},
      {{.y = y, .n = small_n}, Chart(ChartType::kPp), "larger than its denominator"},
      {{.y = negative}, Chart(ChartType::kC), "cannot be negative"},
      {{.y = negative, .n = n}, Chart(ChartType::kU), "cannot be negative"},
      {{.y = inf}, Chart(ChartType::kI), "infinite"},
      {{.y = y, .n = short_n}, Chart(ChartType::kP), "denominator column has 2 rows"},
      {{.y = y}, Chart(ChartType::kXbar), "needs the subgroup"},
      {{.y = y}, Chart(ChartType::kS), "needs the subgroup"},
      {{.y = y, .n = n, .subgroup = groups}, Chart(ChartType::kXbar), "no denominator"},
      {{.y = y, .subgroup = skip}, Chart(ChartType::kXbar), "rise by 0 or 1"},
      {{.y = y, .subgroup = start1}, Chart(ChartType::kI), "start at 0"},
      {{.y = y}, parts, "strictly increasing"},
      {{.y = y}, part_zero, "strictly increasing"},
      {{.y = y}, exclude, "not a point of the chart"},
      {{.y = y}, freeze, "freeze"},
      {{.y = y}, multiply, "multiply"},
      {{.y = y}, t_cl, "centre line"},
  };
  for (const Bad& b : cases) {
    ControlChartResult r;
    const Status s = ComputeControlChart(b.in, b.opt, &r);
    ASSERT_FALSE(s.ok()) << b.message_part;
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find(b.message_part), std::string::npos)
        << "'" << s.message() << "' lacks '" << b.message_part << "'";
  }
}

TEST(Validation, MissingValuesAreNotErrors) {
  const std::vector<double> y = {5, NAN, 3};
  const std::vector<double> n = {10, 10, NAN};
  ControlChartResult r;
  EXPECT_TRUE(ComputeControlChart({.y = y}, Chart(ChartType::kT), &r).ok());
  EXPECT_TRUE(ComputeControlChart({.y = y, .n = n}, Chart(ChartType::kP), &r).ok());
}

TEST(EdgeCases, EmptyInputGivesNoPointsAndNoParts) {
  for (ChartType c : {ChartType::kRun, ChartType::kI, ChartType::kP, ChartType::kXbar}) {
    const ControlChartResult r = MustCompute({}, Chart(c));
    EXPECT_TRUE(r.points.empty());
    EXPECT_TRUE(r.parts.empty());
  }
}

TEST(EdgeCases, SinglePointIChartHasNoLimits) {
  const std::vector<double> y = {7};
  const ControlChartResult r = MustCompute({.y = y}, Chart(ChartType::kI));
  ASSERT_EQ(r.points.size(), 1u);
  EXPECT_EQ(r.points[0].cl, 7);
  EXPECT_TRUE(std::isnan(r.points[0].ucl));  // no moving range
  EXPECT_TRUE(std::isnan(r.points[0].lcl));
  EXPECT_FALSE(r.points[0].sigma_signal);
  EXPECT_EQ(r.parts[0].runs.n_obs, 1);
  EXPECT_EQ(r.parts[0].runs.n_useful, 0);  // the point is on its own mean
  EXPECT_EQ(r.parts[0].runs.longest_run, kRunsNotAvailable);
  EXPECT_FALSE(r.parts[0].runs.signal);
}

TEST(EdgeCases, AllMissing) {
  const std::vector<double> y = {NAN, NAN, NAN, NAN};
  for (ChartType c : {ChartType::kRun, ChartType::kI, ChartType::kC, ChartType::kG}) {
    const ControlChartResult r = MustCompute({.y = y}, Chart(c));
    ASSERT_EQ(r.points.size(), 4u);
    for (const ControlChartPoint& p : r.points) {
      EXPECT_TRUE(std::isnan(p.y));
      EXPECT_TRUE(std::isnan(p.cl));
      EXPECT_TRUE(std::isnan(p.ucl));
      EXPECT_FALSE(p.sigma_signal);
    }
    EXPECT_EQ(r.parts[0].runs.n_obs, 4);
    EXPECT_EQ(r.parts[0].runs.n_useful, 0);
    EXPECT_FALSE(r.parts[0].runs.signal);
    EXPECT_TRUE(std::isnan(r.parts[0].mean_cl));
  }
}

TEST(EdgeCases, AllPointsOnTheMedian) {
  const std::vector<double> y = {4, 4, 4, 4, 4};
  const ControlChartResult r = MustCompute({.y = y}, Chart(ChartType::kRun));
  EXPECT_EQ(r.points[0].cl, 4);
  EXPECT_EQ(r.parts[0].runs.n_useful, 0);
  EXPECT_EQ(r.parts[0].runs.n_crossings, kRunsNotAvailable);
  EXPECT_FALSE(r.parts[0].runs.signal);
  // I chart of a constant: every moving range is 0, and screening keeps only ranges strictly
  // below 3.267 x 0, i.e. none, so there are no limits; without screening they have zero width.
  const ControlChartResult screened = MustCompute({.y = y}, Chart(ChartType::kI));
  EXPECT_EQ(screened.points[0].cl, 4);
  EXPECT_TRUE(std::isnan(screened.points[0].ucl));
  ControlChartOptions unscreened = Chart(ChartType::kI);
  unscreened.screen_moving_ranges = false;
  const ControlChartResult i = MustCompute({.y = y}, unscreened);
  EXPECT_EQ(i.points[0].ucl, 4);
  EXPECT_EQ(i.points[0].lcl, 4);
  EXPECT_EQ(i.parts[0].n_sigma_signals, 0);  // strict comparisons
}

TEST(Options, FreezeIsIgnoredWhenThereAreParts) {
  ControlChartOptions parts = Chart(ChartType::kI);
  parts.part_starts = {9};
  ControlChartOptions both = parts;
  both.freeze = 4;
  const ControlChartResult a = MustCompute({.y = kOutlier}, parts);
  const ControlChartResult b = MustCompute({.y = kOutlier}, both);
  ASSERT_EQ(a.points.size(), b.points.size());
  for (size_t i = 0; i < a.points.size(); ++i) {
    EXPECT_EQ(a.points[i].ucl, b.points[i].ucl) << i;
    EXPECT_EQ(a.points[i].baseline, b.points[i].baseline) << i;
    EXPECT_TRUE(b.points[i].baseline);
  }
  ASSERT_EQ(a.parts.size(), 2u);
  EXPECT_EQ(a.parts[1].begin, 9);
  EXPECT_EQ(a.points[9].part, 1);
  // Part 1 = the first 9 points: mean 22/9.
  ExpectRel(a.points[0].cl, 22.0 / 9);
}

TEST(Options, BaselineAndIncludedFlagsT_QIC_19) {
  const std::vector<double> y = {21, 24, 16, 12, 15, 5,  28, 20, 31, 25, 20, 24, 16, 19, 10, 17,
                                 13, 22, 18, 39, 30, 24, 16, 19, 17, 15, 16, 18, 12, 15, 24, 21,
                                 28, 20, 25, 19, 18, 21, 16, 22, 19, 12, 14, 9,  16, 21};
  ControlChartOptions o = Chart(ChartType::kC);
  o.exclude = {5, 19};
  o.freeze = 26;
  const ControlChartResult r = MustCompute({.y = y}, o);
  for (size_t i = 0; i < y.size(); ++i) {
    const bool excluded = i == 5 || i == 19;
    EXPECT_EQ(r.points[i].included, !excluded) << i;
    EXPECT_EQ(r.points[i].baseline, !excluded && i < 26) << i;
  }
  ExpectRel(r.points[40].cl, 19.6666666667);  // post-freeze points use the baseline's line
  EXPECT_TRUE(r.points[5].sigma_signal);      // excluded points are still tested
  EXPECT_TRUE(r.points[19].sigma_signal);
  EXPECT_EQ(r.parts[0].n_sigma_signals, 2);
}

TEST(Options, MultiplyScalesValuesAndLinesT_QIC_18) {
  const std::vector<double> y = {12, 15, 8, 10, 4,  7,  16, 9,  14, 10, 5,  6, 17, 12, 22,
                                 8,  10, 5, 13, 11, 20, 18, 24, 15, 9,  12, 7, 13, 9,  6};
  const std::vector<double> n(y.size(), 50);
  ControlChartOptions o = Chart(ChartType::kP);
  o.exclude = {14, 22};
  o.multiply = 100;
  const ControlChartResult r = MustCompute({.y = y, .n = n}, o);
  ExpectRel(r.points[0].cl, 21.5);  // spec: cl = 0.215
  ExpectRel(r.points[0].lcl, 4.07028399543);
  ExpectRel(r.points[0].ucl, 38.9297160046);
  ExpectRel(r.points[0].y, 24);            // 12 / 50 x 100
  EXPECT_TRUE(r.points[14].sigma_signal);  // 44% > 38.9%
  EXPECT_EQ(r.parts[0].runs.n_obs, 28);
}

TEST(Options, NoNegativeLowerLimitWhenYNegIsFalseT_QIC_06a) {
  ControlChartOptions o = Chart(ChartType::kI);
  o.y_neg = false;
  const ControlChartResult r = MustCompute({.y = kOutlier}, o);
  EXPECT_EQ(r.points[0].lcl, 0);                  // was -0.715130023641
  ExpectRel(r.points[0].lcl_95, 0.171394799054);  // positive: unchanged
  ExpectRel(r.points[0].ucl, 4.60401891253);
  // With a negative value in the data the limits stay negative.
  std::vector<double> with_negative = kOutlier;
  with_negative[0] = -1;
  const ControlChartResult n = MustCompute({.y = with_negative}, o);
  EXPECT_LT(n.points[0].lcl, 0);
}

TEST(Options, CategoricalSwitchesOffRunsSignal) {
  const std::vector<double> y = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};  // T-QIC-01: signals
  ControlChartOptions o = Chart(ChartType::kRun);
  EXPECT_TRUE(MustCompute({.y = y}, o).parts[0].runs.signal);
  o.categorical = true;
  const ControlChartResult r = MustCompute({.y = y}, o);
  EXPECT_FALSE(r.parts[0].runs.signal);
  EXPECT_EQ(r.parts[0].runs.n_crossings, 1);  // the statistics are still reported
}

TEST(Options, CategoricalLaneyUsesTheSdOfZScores) {
  // U′ with categorical x: sigma_z = sd(z) over the baseline, z = (u - cl) / sqrt(cl / n).
  ControlChartOptions o = Chart(ChartType::kUp);
  o.categorical = true;
  const ControlChartResult r = MustCompute({.y = kComplaints, .n = kComplaintsN}, o);
  const double cl = 0.00499725274725;  // T-QIC-25
  std::vector<double> z;
  for (size_t i = 0; i < kComplaints.size(); ++i) {
    z.push_back((kComplaints[i] / kComplaintsN[i] - cl) / std::sqrt(cl / kComplaintsN[i]));
  }
  const double mean = std::accumulate(z.begin(), z.end(), 0.0) / z.size();
  double ss = 0;
  for (double v : z) ss += (v - mean) * (v - mean);
  const double sigma_z = std::sqrt(ss / (z.size() - 1));
  for (size_t i = 0; i < z.size(); ++i) {
    ExpectRel(r.points[i].ucl, cl + 3 * std::sqrt(cl / kComplaintsN[i]) * sigma_z, 1e-8);
  }
}

TEST(Charts, MrChartNeverSignalsRuns) {
  // Moving ranges 1, 2, ..., 11: the first half below the mean, the second above.
  std::vector<double> y = {0};
  for (int k = 1; k <= 11; ++k) y.push_back(y.back() + k);
  const ControlChartResult r = MustCompute({.y = y}, Chart(ChartType::kMr));
  EXPECT_TRUE(std::isnan(r.points[0].y));
  EXPECT_EQ(r.points[3].y, 3);
  EXPECT_EQ(r.points[0].cl, 6);  // mean of 1..11
  EXPECT_EQ(r.parts[0].runs.n_crossings, 1);
  EXPECT_LT(r.parts[0].runs.n_crossings, r.parts[0].runs.n_crossings_min);
  EXPECT_FALSE(r.parts[0].runs.signal);  // forced off for MR charts
}

TEST(Charts, GChartWithUserCentreLine) {
  const std::vector<double> y = {12, 5, 30, 8, 2, 17, 40, 9, 3, 22, 15, 6, 1, 60, 11};
  ControlChartOptions o = Chart(ChartType::kG);
  o.cl = 10;  // the mean; the line drawn is the theoretical median 0.693 x 10
  const ControlChartResult r = MustCompute({.y = y}, o);
  ExpectRel(r.points[0].cl, 6.93);
  ExpectRel(r.points[0].ucl, 10 + 3 * std::sqrt(110.0));
  ExpectRel(r.points[0].ucl_95, 10 + 2 * std::sqrt(110.0));
  EXPECT_EQ(r.points[0].lcl, 0);
  EXPECT_EQ(r.points[0].lcl_95, 0);
}

TEST(Charts, TChartUserCentreLineIsInDataUnitsT_QIC_22) {
  const std::vector<double> y = {286,  948, 536, 124, 816, 729, 4,    143,  431,  8,
                                 2837, 596, 81,  227, 603, 492, 1199, 1214, 2831, 96};
  ControlChartOptions o = Chart(ChartType::kT);
  o.cl = 430.04095179;  // the cl qicharts2 estimates for these data
  const ControlChartResult r = MustCompute({.y = y}, o);
  // Moving ranges do not depend on the centre line, so the limits are T-QIC-22's.
  ExpectRel(r.points[0].cl, 430.04095179);
  ExpectRel(r.points[0].ucl, 6937.93348817, 1e-8);
  ExpectRel(r.points[0].lcl_95, 1.94660574383, 1e-8);
  EXPECT_EQ(r.points[0].lcl, 0);
  EXPECT_EQ(r.points[0].y, 286);  // plotted values are the data themselves
}

TEST(Charts, MissingDenominatorGivesNoLimitsAtThatPoint) {
  // T-QIC-20 data with a 21st subgroup whose denominator is missing.
  std::vector<double> y = {2, 3, 8, 1, 1, 4, 1, 4, 5, 1, 8, 2, 4, 3, 4, 1, 8, 3, 7, 4, 5};
  std::vector<double> n(20, 50);
  n.push_back(NAN);
  const ControlChartResult r = MustCompute({.y = y, .n = n}, Chart(ChartType::kU));
  ExpectRel(r.points[0].cl, 0.074);
  ExpectRel(r.points[19].ucl, 0.18941230437);
  EXPECT_TRUE(std::isnan(r.points[20].y));
  EXPECT_TRUE(std::isnan(r.points[20].ucl));
  EXPECT_TRUE(std::isnan(r.points[20].lcl));
  ExpectRel(r.points[20].cl, 0.074);
  EXPECT_EQ(r.parts[0].runs.n_obs, 21);
  EXPECT_EQ(r.parts[0].runs.n_useful, 20);
}

TEST(Charts, SubgroupOfOnlyMissingRowsCountsZeroOnACChart) {
  // §2.1: a lone missing row stays missing, several missing rows in one subgroup sum to 0.
  const std::vector<double> y = {3, NAN, NAN, 5, NAN};
  const std::vector<int32_t> subgroup = {0, 1, 1, 2, 3};
  const ControlChartResult r = MustCompute({.y = y, .subgroup = subgroup}, Chart(ChartType::kC));
  ASSERT_EQ(r.points.size(), 4u);
  EXPECT_EQ(r.points[1].y, 0);
  EXPECT_TRUE(std::isnan(r.points[3].y));
  ExpectRel(r.points[0].cl, 8.0 / 3);
}

TEST(Charts, RowsOfASubgroupAreAggregated) {
  // P chart over two rows per point: y = Σnum / Σden.
  const std::vector<double> num = {1, 3, 2, 2};
  const std::vector<double> den = {10, 10, 5, 15};
  const std::vector<int32_t> subgroup = {0, 0, 1, 1};
  const ControlChartResult r =
      MustCompute({.y = num, .n = den, .subgroup = subgroup}, Chart(ChartType::kP));
  ASSERT_EQ(r.points.size(), 2u);
  ExpectRel(r.points[0].y, 0.2);
  ExpectRel(r.points[1].y, 0.2);
  EXPECT_EQ(r.points[0].n, 20);
  ExpectRel(r.points[0].ucl, 0.2 + 3 * std::sqrt(0.2 * 0.8 / 20));
}

TEST(Summary, MeansOfVariableLimitsT_QIC_21) {
  const std::vector<double> y = {14, 12, 20, 11, 7, 10, 21, 16, 19, 23};
  const std::vector<double> n = {500, 400, 650, 500, 475, 500, 600, 525, 600, 625};
  ControlChartOptions o = Chart(ChartType::kU);
  o.multiply = 50;
  const ControlChartResult r = MustCompute({.y = y, .n = n}, o);
  const std::vector<double> lcl = {0.2914739301, 0.1578852,    0.4306174366, 0.2914739301,
                                   0.2620721019, 0.2914739301, 0.390085034,  0.318749791,
                                   0.390085034,  0.4109593228};
  const std::vector<double> ucl = {2.555037698, 2.688626428, 2.415894191, 2.555037698, 2.584439526,
                                   2.555037698, 2.456426594, 2.527761837, 2.456426594, 2.435552305};
  ASSERT_EQ(r.parts.size(), 1u);
  ExpectRel(r.parts[0].mean_lcl, std::accumulate(lcl.begin(), lcl.end(), 0.0) / 10);
  ExpectRel(r.parts[0].mean_ucl, std::accumulate(ucl.begin(), ucl.end(), 0.0) / 10);
  ExpectRel(r.parts[0].mean_cl, 1.42325581395);
  EXPECT_EQ(r.parts[0].n_sigma_signals, 0);
}

TEST(Summary, CountsSigmaSignalsT_QIC_24) {
  const std::vector<double> num = {266501, 264225, 276532, 281461, 269071, 261215, 270409,
                                   279778, 270483, 270320, 267923, 271478, 255353, 256820,
                                   261835, 259144, 255910, 260863, 264465, 260989};
  const std::vector<double> den = {280443, 276823, 291681, 296155, 282343, 275888, 283867,
                                   295251, 284468, 282529, 279618, 283932, 266629, 268091,
                                   276803, 271578, 266005, 273520, 278574, 273772};
  const ControlChartResult p = MustCompute({.y = num, .n = den}, Chart(ChartType::kP));
  EXPECT_EQ(p.parts[0].n_sigma_signals, 16);
  const ControlChartResult pp = MustCompute({.y = num, .n = den}, Chart(ChartType::kPp));
  EXPECT_EQ(pp.parts[0].n_sigma_signals, 0);  // T-QIC-23: Laney's limits absorb the spread
}

TEST(Labels, SigmaSignalsBecomeImprovementOrConcernByDirection) {
  const ControlChartResult r = MustCompute({.y = kOutlier}, Chart(ChartType::kI));
  const ControlChartLabels up = LabelControlChart(r, Direction::kIncrease);
  const ControlChartLabels down = LabelControlChart(r, Direction::kDecrease);
  const ControlChartLabels neutral = LabelControlChart(r, Direction::kNeutral);
  ASSERT_EQ(up.point_type.size(), kOutlier.size());
  EXPECT_EQ(up.point_type[4], PointType::kImprovement);
  EXPECT_EQ(down.point_type[4], PointType::kConcern);
  EXPECT_EQ(neutral.point_type[4], PointType::kNeutralHigh);
  for (size_t i = 0; i < kOutlier.size(); ++i) {
    if (i != 4) {
      EXPECT_EQ(up.point_type[i], PointType::kCommonCause) << i;
    }
  }
  EXPECT_EQ(up.variation, Variation::kCommonCause);  // the latest point is common cause
}

TEST(Labels, LatestPointDecidesTheVariationT_QIC_26) {
  // U chart of complaints: point 4 is below its lower limit, point 20 (the latest) above.
  const ControlChartResult r =
      MustCompute({.y = kComplaints, .n = kComplaintsN}, Chart(ChartType::kU));
  const ControlChartLabels lower_is_better = LabelControlChart(r, Direction::kDecrease);
  EXPECT_EQ(lower_is_better.point_type[3], PointType::kImprovement);
  EXPECT_EQ(lower_is_better.point_type[19], PointType::kConcern);
  EXPECT_EQ(lower_is_better.variation, Variation::kConcernHigh);
  const ControlChartLabels higher_is_better = LabelControlChart(r, Direction::kIncrease);
  EXPECT_EQ(higher_is_better.point_type[3], PointType::kConcern);
  EXPECT_EQ(higher_is_better.variation, Variation::kImprovementHigh);
  const ControlChartLabels neutral = LabelControlChart(r, Direction::kNeutral);
  EXPECT_EQ(neutral.point_type[3], PointType::kNeutralLow);
  EXPECT_EQ(neutral.variation, Variation::kNeutralHigh);
}

TEST(Labels, EmptyChart) {
  const ControlChartLabels l = LabelControlChart(ControlChartResult{}, Direction::kIncrease);
  EXPECT_TRUE(l.point_type.empty());
  EXPECT_EQ(l.variation, Variation::kCommonCause);
}

}  // namespace
}  // namespace shewhart::stats
