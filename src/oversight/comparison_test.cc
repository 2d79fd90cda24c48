// The comparison services over stored observations: funnel and standing for one metric and
// period (organisations only), trend of one series, and reading one series. SQLite and
// PostgreSQL, over tests/cases/imports/base.
#include "oversight/comparison.h"

#include <cmath>

#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "gtest/gtest.h"
#include "imports/imports.h"
#include "imports/testing/storage_fixture.h"
#include "observations/observations.h"

namespace shewhart::oversight {
namespace {

using ::shewhart::testing::ValueOrDie;
using ::shewhart::testing::WriteText;

class ComparisonTest : public ::shewhart::testing::StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    LoadBase();
    // The system's own submission is no peer of its organisations.
    WriteText(dir_ / "sys.csv",
              "metric,unit,period,value,numerator,denominator\n"
              "CDIFF,SYS,2023-01-01,1,,\nFALLS,SYS,2023-01-01,,1,100000\n");
    ValueOrDie(imports::ImportObservationsFile(*conn_, (dir_ / "sys.csv").string(), Options()));
  }
  const Date jan_ = DaysFromCivil(2023, 1, 1);
};

TEST_P(ComparisonTest, FunnelOfOrganisationsInOnePeriod) {
  FunnelView f = ValueOrDie(FunnelForPeriod(*conn_, "FALLS", jan_));
  ASSERT_EQ(f.result.units.size(), 2u);  // RAA and RBB; not SYS
  EXPECT_EQ(f.result.units[0].name, "RAA");
  EXPECT_EQ(f.result.units[1].name, "RBB");
  EXPECT_EQ(f.multiplier, 1000);
  // The funnel's centre is the pooled rate: sum of falls / sum of bed days.
  EXPECT_NEAR(f.result.target * f.multiplier, 1000.0 * (71 + 40) / (24000 + 15000), 1e-9);
  // A plain count has no funnel; an unknown metric is not found.
  Result<FunnelView> counts = FunnelForPeriod(*conn_, "CDIFF", jan_);
  ASSERT_FALSE(counts.ok());
  EXPECT_EQ(counts.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(FunnelForPeriod(*conn_, "NOPE", jan_).status().code(), StatusCode::kNotFound);
}

TEST_P(ComparisonTest, StandingFollowsTheDirectionOfImprovement) {
  StandingView s = ValueOrDie(StandingForPeriod(*conn_, "CDIFF", jan_));
  ASSERT_EQ(s.units.size(), 2u);
  EXPECT_EQ(s.result.n, 2);
  // Fewer C. difficile cases is better: RBB (2) ranks first, RAA (4) is 2 cases from the best.
  EXPECT_EQ(s.units[0], "RAA");
  EXPECT_EQ(s.result.units[0].rank, 2);
  EXPECT_EQ(s.result.units[1].rank, 1);
  EXPECT_EQ(s.result.units[0].gap_to_best, 2);
  EXPECT_EQ(s.result.best, 2);
  StandingView empty = ValueOrDie(StandingForPeriod(*conn_, "CDIFF", DaysFromCivil(2019, 1, 1)));
  EXPECT_EQ(empty.result.n, 0);
}

TEST_P(ComparisonTest, TrendAndOneSeries) {
  stats::TrendResult t = ValueOrDie(TrendOfSeries(*conn_, "CDIFF", "RAA"));
  EXPECT_EQ(t.n, 2);
  // 4 then 3 a month later: falling by about 12 a year.
  EXPECT_LT(t.ols.slope_per_year, -11);
  EXPECT_GT(t.ols.slope_per_year, -13);
  EXPECT_EQ(TrendOfSeries(*conn_, "CDIFF", "NOWHERE").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(TrendOfSeries(*conn_, "NOPE", "RAA").status().code(), StatusCode::kNotFound);

  auto dir = ValueOrDie(directory::Directory::Load(*conn_));
  auto dict = ValueOrDie(dictionary::Dictionary::Load(*conn_));
  std::vector<observations::StoredObservation> rows;
  ASSERT_TRUE(observations::ForEachInSeries(
                  *conn_, dict.FindByCode("FALLS")->id, dir.FindByCode("RAA")->id,
                  [&](const observations::StoredObservation& s) { rows.push_back(s); })
                  .ok());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].obs.period, jan_);
  EXPECT_EQ(rows[1].obs.period, DaysFromCivil(2023, 2, 1));
  EXPECT_EQ(rows[0].obs.numerator, 71);
  EXPECT_EQ(rows[1].obs.denominator, 22000);
  EXPECT_GT(rows[0].batch_id, 0);
}

TEST_P(ComparisonTest, BenchmarkOfOrganisationsWithTheirRateOfImprovement) {
  BenchmarkView b = ValueOrDie(BenchmarkForPeriod(*conn_, "FALLS", jan_));
  ASSERT_EQ(b.units.size(), 2u);  // RAA and RBB; not SYS
  EXPECT_EQ(b.units[0].unit, "RAA");
  EXPECT_EQ(b.method, "byars");  // a rate: exact / Byar's intervals
  EXPECT_EQ(b.polarity, stats::Polarity::kLowIsGood);
  EXPECT_EQ(b.multiplier, 1000);
  EXPECT_EQ(b.trend_unit, "per 1,000 bed days per year");
  // The same numbers as CompareWithBenchmark on the period's counts.
  std::vector<double> x, n;
  for (const UnitBenchmark& u : b.units) x.push_back(u.numerator), n.push_back(u.denominator);
  BenchmarkOptions o;
  o.method = BenchmarkMethod::kByars;
  o.polarity = stats::Polarity::kLowIsGood;
  o.multiplier = 1000;
  BenchmarkComparison c = ValueOrDie(CompareWithBenchmark(x, n, o));
  EXPECT_EQ(b.benchmark, c.benchmark);
  EXPECT_EQ(b.units[1].comparison.estimate.upper, c.units[1].estimate.upper);
  EXPECT_EQ(b.units[1].comparison.comparison, c.units[1].comparison);
  // Each series up to the period: in January one point, too few for a rate (and it says so)...
  EXPECT_FALSE(b.units[0].trend.trend.ok());
  EXPECT_FALSE(b.units[0].trend.note.empty());
  // ... in February RAA's two points (RBB did not report February).
  BenchmarkView feb = ValueOrDie(BenchmarkForPeriod(*conn_, "FALLS", DaysFromCivil(2023, 2, 1)));
  ASSERT_EQ(feb.units.size(), 1u);
  ASSERT_TRUE(feb.units[0].trend.trend.ok());
  EXPECT_EQ(feb.units[0].trend.trend->n, 2);
  // A plain value has no interval: not compared, still ranked.
  BenchmarkView v = ValueOrDie(BenchmarkForPeriod(*conn_, "CDIFF", jan_));
  EXPECT_EQ(v.method, "");
  EXPECT_EQ(v.counts[static_cast<int>(stats::Comparison::kNone)], 2);
  EXPECT_EQ(v.standing.n, 2);
  EXPECT_EQ(BenchmarkForPeriod(*conn_, "NOPE", jan_).status().code(), StatusCode::kNotFound);
}

INSTANTIATE_STORAGE_TEST(ComparisonTest);

}  // namespace
}  // namespace shewhart::oversight
