#include "stats/r_math.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace shewhart::stats {
namespace {

TEST(RMath, MeanSkipsMissingValues) {
  const std::vector<double> x = {1, NAN, 2, 3};
  EXPECT_DOUBLE_EQ(RMeanNaRm(x), 2.0);
  EXPECT_TRUE(std::isnan(RMeanNaRm(std::vector<double>{})));
  EXPECT_TRUE(std::isnan(RMeanNaRm(std::vector<double>{NAN, NAN})));
}

// In double, 2^53 + 1 rounds back to 2^53, so naive summation of these eight values gives 5/8;
// R accumulates in long double, where every step here is exact, and gets 6/8.
TEST(RMath, LongDoubleSumWithCorrectionPassBeatsNaiveSummation) {
  const double big = 9007199254740992.0;  // 2^53
  const std::vector<double> x = {big, 1, -big, 1, 1, 1, 1, 1};
  double naive = 0;
  for (double v : x) naive += v;
  EXPECT_DOUBLE_EQ(naive / 8, 0.625);
  EXPECT_DOUBLE_EQ(RMeanNaRm(x), 0.75);
}

TEST(RMath, MeanBelowIsStrict) {
  const std::vector<double> x = {1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(RMeanBelow(x, 3), 1.5);  // 3 itself is dropped
  EXPECT_TRUE(std::isnan(RMeanBelow(x, NAN)));
  EXPECT_TRUE(std::isnan(RMeanBelow(x, 1)));
}

}  // namespace
}  // namespace shewhart::stats
