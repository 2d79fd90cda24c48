#include "oversight/spc_series.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace shewhart::oversight {
namespace {

using ::testing::HasSubstr;

std::vector<Date> Days(Date first, int n, int step = 1) {
  std::vector<Date> d;
  for (int i = 0; i < n; ++i) d.push_back(first + i * step);
  return d;
}

std::vector<Date> Months(int year, int month, int n) {
  std::vector<Date> d;
  for (int i = 0; i < n; ++i) {
    const int m0 = month - 1 + i;
    d.push_back(DaysFromCivil(year + m0 / 12, m0 % 12 + 1, 1));
  }
  return d;
}

bool AnyWarningContains(const SpcSeriesResult& r, const std::string& text) {
  for (const auto& w : r.warnings) {
    if (w.find(text) != std::string::npos) return true;
  }
  return false;
}

// spc-reference.md §5.1 T-PTD-U2: rebase dates 2020-01-03 and 2020-01-08 on dates
// 2020-01-02..2020-01-11 start groups at rows 2 and 7 (1-based).
TEST(SpcSeries, RebaseDatesStartGroupsWhereTheDatesMatch) {
  const std::vector<Date> dates = Days(DaysFromCivil(2020, 1, 2), 10);
  const std::vector<double> values = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  const std::vector<Recalculation> recalcs = {{DaysFromCivil(2020, 1, 8), "second"},
                                              {DaysFromCivil(2020, 1, 3), "first"}};
  SpcSeriesInput in;
  in.dates = dates;
  in.values = values;
  in.recalculations = recalcs;
  SpcSeriesResult out;
  AnalyseSpcSeries(in, &out);
  ASSERT_EQ(out.xmr.groups.size(), 3u);
  EXPECT_EQ(out.xmr.groups[1].begin, 1);
  EXPECT_EQ(out.xmr.groups[2].begin, 6);
  ASSERT_EQ(out.recalculations.size(), 2u);
  EXPECT_EQ(out.recalculations[0].reason, "first");
  EXPECT_EQ(out.recalculations[1].reason, "second");
}

// T-PTD-26: a rebase date that matches no row is ignored (and, our addition, warned about).
TEST(SpcSeries, UnmatchedRecalculationIsIgnoredWithAWarning) {
  const std::vector<Date> dates = Days(DaysFromCivil(2021, 1, 1), 15);
  const std::vector<double> values(15, 1.0);
  const std::vector<Recalculation> recalcs = {{DaysFromCivil(2020, 6, 1), "x"}};
  SpcSeriesInput in;
  in.dates = dates;
  in.values = values;
  in.recalculations = recalcs;
  SpcSeriesResult out;
  AnalyseSpcSeries(in, &out);
  EXPECT_EQ(out.xmr.groups.size(), 1u);
  EXPECT_TRUE(AnyWarningContains(out, "2020-06-01 matches no date"));
}

TEST(SpcSeries, RecalculationWithoutReasonIsWarned) {
  const std::vector<Date> dates = Days(DaysFromCivil(2021, 1, 1), 30);
  std::vector<double> values;
  for (int i = 0; i < 30; ++i) values.push_back(i % 2 + (i >= 15 ? 5 : 0));
  const std::vector<Recalculation> recalcs = {{dates[15], ""}};
  SpcSeriesInput in;
  in.dates = dates;
  in.values = values;
  in.recalculations = recalcs;
  SpcSeriesResult out;
  AnalyseSpcSeries(in, &out);
  EXPECT_EQ(out.xmr.groups.size(), 2u);
  EXPECT_TRUE(AnyWarningContains(out, "has no recorded reason"));
}

TEST(SpcSeries, MonthlyGapsAreFoundAndReported) {
  std::vector<Date> dates = Months(2020, 1, 24);
  dates.erase(dates.begin() + 5, dates.begin() + 7);  // June and July 2020 missing
  std::vector<double> values(dates.size(), 0);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(i % 3);
  SpcSeriesInput in;
  in.dates = dates;
  in.values = values;
  SpcSeriesResult out;
  AnalyseSpcSeries(in, &out);
  EXPECT_EQ(out.frequency, stats::Frequency::kMonthly);
  ASSERT_EQ(out.gaps.size(), 1u);
  EXPECT_EQ(out.gaps[0].missing_periods, 2);
  EXPECT_EQ(out.gaps[0].after, DaysFromCivil(2020, 5, 1));
  EXPECT_TRUE(AnyWarningContains(out, "No data for 2 months between 2020-05-01 and 2020-08-01"));
}

TEST(SpcSeries, ShortGroupsMissingValuesAndLatestMissingAreWarned) {
  const std::vector<Date> dates = Days(DaysFromCivil(2021, 1, 1), 8);
  const std::vector<double> values = {1, 2, NAN, 2, 1, 2, 1, NAN};
  SpcSeriesInput in;
  in.dates = dates;
  in.values = values;
  SpcSeriesResult out;
  AnalyseSpcSeries(in, &out);
  EXPECT_TRUE(out.xmr.groups[0].short_group);
  EXPECT_EQ(out.xmr.n_missing, 2);
  EXPECT_TRUE(AnyWarningContains(out, "trial limits"));
  EXPECT_TRUE(AnyWarningContains(out, "2 values are missing"));
  EXPECT_TRUE(AnyWarningContains(out, "latest date (2021-01-08) has no value"));
}

TEST(SpcSeries, ConstantSeriesSaysWhyThereAreNoLimits) {
  const std::vector<Date> dates = Days(DaysFromCivil(2021, 1, 1), 15);
  const std::vector<double> values(15, 5.0);
  SpcSeriesInput in;
  in.dates = dates;
  in.values = values;
  SpcSeriesResult out;
  AnalyseSpcSeries(in, &out);
  EXPECT_TRUE(std::isnan(out.xmr.groups[0].upl));
  EXPECT_TRUE(AnyWarningContains(out, "process limits cannot be calculated"));
}

TEST(SpcSeries, EmptySeriesIsHarmless) {
  SpcSeriesInput in;
  SpcSeriesResult out;
  AnalyseSpcSeries(in, &out);
  EXPECT_TRUE(out.xmr.groups.empty());
  EXPECT_EQ(out.xmr.variation, stats::Variation::kCommonCause);
}

}  // namespace
}  // namespace shewhart::oversight
