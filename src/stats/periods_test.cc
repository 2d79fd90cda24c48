#include "stats/periods.h"

#include <gtest/gtest.h>

#include <vector>

namespace shewhart::stats {
namespace {

std::vector<Date> Steps(Date first, std::initializer_list<int> steps) {
  std::vector<Date> d = {first};
  for (int s : steps) d.push_back(d.back() + s);
  return d;
}

TEST(Periods, InfersDailyAndWeekly) {
  EXPECT_EQ(InferFrequency(Steps(0, {1, 1, 1, 2, 1})), Frequency::kDaily);
  EXPECT_EQ(InferFrequency(Steps(0, {7, 7, 14, 7})), Frequency::kWeekly);
}

TEST(Periods, InfersMonthsQuartersYearsOnTheCalendar) {
  const std::vector<Date> monthly = {DaysFromCivil(2016, 4, 1), DaysFromCivil(2016, 5, 1),
                                     DaysFromCivil(2016, 6, 1), DaysFromCivil(2016, 7, 1)};
  EXPECT_EQ(InferFrequency(monthly), Frequency::kMonthly);
  // Month ends count as whole months (31 Jan, 29 Feb, 31 Mar, 30 Apr).
  const std::vector<Date> month_ends = {DaysFromCivil(2024, 1, 31), DaysFromCivil(2024, 2, 29),
                                        DaysFromCivil(2024, 3, 31), DaysFromCivil(2024, 4, 30)};
  EXPECT_EQ(InferFrequency(month_ends), Frequency::kMonthly);
  const std::vector<Date> quarterly = {DaysFromCivil(2020, 1, 1), DaysFromCivil(2020, 4, 1),
                                       DaysFromCivil(2020, 7, 1), DaysFromCivil(2020, 10, 1)};
  EXPECT_EQ(InferFrequency(quarterly), Frequency::kQuarterly);
  const std::vector<Date> yearly = {DaysFromCivil(2019, 4, 1), DaysFromCivil(2020, 4, 1),
                                    DaysFromCivil(2021, 4, 1)};
  EXPECT_EQ(InferFrequency(yearly), Frequency::kYearly);
}

TEST(Periods, IrregularOrTooShortIsUnknown) {
  EXPECT_EQ(InferFrequency(Steps(0, {})), Frequency::kUnknown);
  EXPECT_EQ(InferFrequency(Steps(0, {3, 5, 11, 2})), Frequency::kUnknown);
}

TEST(Periods, FindsEveryGapWithItsSize) {
  const auto d = Steps(100, {7, 21, 7, 14});
  const auto gaps = FindGaps(d, Frequency::kWeekly);
  ASSERT_EQ(gaps.size(), 2u);
  EXPECT_EQ(gaps[0].after, 107);
  EXPECT_EQ(gaps[0].before, 128);
  EXPECT_EQ(gaps[0].missing_periods, 2);
  EXPECT_EQ(gaps[1].missing_periods, 1);
  EXPECT_TRUE(FindGaps(d, Frequency::kUnknown).empty());
}

TEST(Periods, MonthlyGapAcrossAYearEnd) {
  const std::vector<Date> d = {DaysFromCivil(2018, 11, 1), DaysFromCivil(2019, 2, 1)};
  const auto gaps = FindGaps(d, Frequency::kMonthly);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].missing_periods, 2);  // December and January
}

}  // namespace
}  // namespace shewhart::stats
