// The integrated performance report: the four questions for a system and for one organisation,
// like for like (peers of the same kind), whole-number positions and rates with their unit.
// SQLite and PostgreSQL.
#include "oversight/report.h"

#include <cmath>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "imports/imports.h"
#include "imports/testing/storage_fixture.h"

namespace shewhart::oversight {
namespace {

using ::shewhart::testing::ValueOrDie;
using ::shewhart::testing::WriteText;

class ReportTest : public ::shewhart::testing::StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    LoadBase(/*with_observations=*/false);
    // FALLS over 2023: RAA falls steadily (improving: lower is better), RBB flat; in December
    // both have the same rate (a tie); RCC, a community trust, is far better but no peer of
    // acute trusts.
    std::string obs = "metric,unit,period,numerator,denominator\n";
    for (int m = 1; m <= 12; ++m) {
      char period[16];
      std::snprintf(period, sizeof period, "2023-%02d-01", m);
      obs += "FALLS,RAA," + std::string(period) + "," + std::to_string(m == 12 ? 60 : 130 - 5 * m) +
             ",20000\n";
      obs += "FALLS,RBB," + std::string(period) + "," + std::to_string(m == 12 ? 60 : 60 + m % 2) +
             ",20000\n";
      obs += "FALLS,RCC," + std::string(period) + ",10,20000\n";
    }
    WriteText(dir_ / "falls.csv", obs);
    ValueOrDie(imports::ImportObservationsFile(*conn_, (dir_ / "falls.csv").string(), Options()));
  }
  static const ReportRow* Find(const Report& r, const std::string& metric) {
    for (const ReportRow& x : r.rows) {
      if (x.row.metric == metric) return &x;
    }
    return nullptr;
  }
};

TEST_P(ReportTest, AnOrganisationIsComparedWithItsPeersInWholeNumbers) {
  Report r = ValueOrDie(BuildReport(*conn_, {.scope = "RAA"}));
  EXPECT_FALSE(r.aggregate);
  EXPECT_EQ(r.scope_name, "Northtown Hospitals NHS Trust");
  const ReportRow* falls = Find(r, "FALLS");
  ASSERT_NE(falls, nullptr);
  EXPECT_EQ(falls->peer_period, "2023-12-01");
  EXPECT_EQ(falls->peers, 2);  // RAA and RBB: the community trust is not a peer
  EXPECT_EQ(falls->peer_group, "acute trust");
  EXPECT_EQ(falls->position, 1);  // tied with RBB: both first, never 1.5
  EXPECT_NE(falls->best_unit, "RCC");
  EXPECT_NEAR(falls->latest, 3.0, 1e-9);
  // Rate of improvement with its unit: falling by about 3 per 1,000 bed days a year.
  EXPECT_EQ(falls->unit, "per 1,000 bed days");
  EXPECT_LT(falls->slope_per_year, 0);
  EXPECT_EQ(falls->trend_word, "improving");
}

TEST_P(ReportTest, ASystemAnswersFromItsAggregateAndItsOrganisations) {
  Report r = ValueOrDie(BuildReport(*conn_, {}));  // the first system
  EXPECT_EQ(r.scope, "SYS");
  EXPECT_TRUE(r.aggregate);
  const ReportRow* falls = Find(r, "FALLS");
  ASSERT_NE(falls, nullptr);
  EXPECT_TRUE(falls->row.aggregate);
  EXPECT_EQ(falls->row.reported, 3);
  EXPECT_EQ(falls->row.expected, 3);
  EXPECT_EQ(falls->peers, 3);
  // RCC is best overall (lower is better); compared within kinds, the community trust alone
  // has no funnel.
  EXPECT_EQ(falls->best_unit, "RCC");
  EXPECT_EQ(falls->row.aggregation, "pooled");
}

TEST_P(ReportTest, UnknownOrWrongScopeIsAnError) {
  EXPECT_EQ(BuildReport(*conn_, {.scope = "NOPE"}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(BuildReport(*conn_, {.scope = "PL1"}).status().code(), StatusCode::kInvalidArgument);
}

INSTANTIATE_STORAGE_TEST(ReportTest);

}  // namespace
}  // namespace shewhart::oversight
