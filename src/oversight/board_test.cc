// The board summary service: every stored series with both icons, the filters, concerns first,
// paging. Runs on SQLite and PostgreSQL over tests/cases/imports/base.
#include "oversight/board.h"

#include "gtest/gtest.h"
#include "imports/imports.h"
#include "imports/testing/storage_fixture.h"

namespace shewhart::oversight {
namespace {

using ::shewhart::testing::ValueOrDie;
using ::shewhart::testing::WriteText;

class BoardTest : public ::shewhart::testing::StorageTest {
 protected:
  std::vector<BoardRow> Board(BoardFilter f = {}) { return ValueOrDie(BoardSummary(*conn_, f)); }
};

TEST_P(BoardTest, EveryStoredSeriesWithFilters) {
  LoadBase();
  // 6 units' series and 3 system aggregates (one per metric).
  std::vector<BoardRow> all = Board();
  ASSERT_EQ(all.size(), 9u);
  int aggregates = 0;
  for (const BoardRow& r : all) {
    EXPECT_FALSE(r.variation.empty()) << r.metric << " " << r.unit;
    EXPECT_FALSE(r.name.empty());
    aggregates += r.aggregate ? 1 : 0;
  }
  EXPECT_EQ(aggregates, 3);
  // PL1 holds RAA (three metrics) and RCC (FFT).
  EXPECT_EQ(Board({.place = "PL1"}).size(), 4u);
  EXPECT_EQ(Board({.kind = "acute trust"}).size(), 5u);
  EXPECT_EQ(Board({.domain = "safe"}).size(), 6u);
  EXPECT_EQ(Board({.domain = "caring", .kind = "community trust"}).size(), 1u);
  EXPECT_EQ(Board({.metric = "FFT"}).size(), 3u);
  EXPECT_EQ(Board({.domain = "well-led"}).size(), 0u);
  // Injection is just a place that does not exist.
  EXPECT_EQ(Board({.place = "PL1' OR '1'='1"}).size(), 0u);
}

TEST_P(BoardTest, ConcernsComeFirstAndPagingKeepsTheOrder) {
  LoadBase();
  // C. difficile (lower is better) at RBB: a steady year, then a month far above the process
  // limits -> special cause of concern (high) on the latest point.
  std::string csv = "metric,unit,period,value\n";
  for (int m = 2; m <= 12; ++m) {
    csv += "CDIFF,RBB,2023-" + std::string(m < 10 ? "0" : "") + std::to_string(m) + "-01," +
           std::to_string(2 + m % 2) + "\n";
  }
  csv += "CDIFF,RBB,2024-01-01,40\n";
  // RAA reports every month too, so the system's total is complete (a month with one trust
  // alone is held back: spc_store.h).
  for (int m = 3; m <= 12; ++m) {
    csv += "CDIFF,RAA,2023-" + std::string(m < 10 ? "0" : "") + std::to_string(m) + "-01,3\n";
  }
  csv += "CDIFF,RAA,2024-01-01,3\n";
  WriteText(dir_ / "shift.csv", csv);
  ValueOrDie(imports::ImportObservationsFile(*conn_, (dir_ / "shift.csv").string(), Options()));
  std::vector<BoardRow> all = Board();
  ASSERT_FALSE(all.empty());
  // The system aggregate of C. difficile (the total of the two trusts) shows the same concern;
  // within a rank the aggregate comes before its units.
  ASSERT_GE(all.size(), 2u);
  EXPECT_EQ(all[0].metric, "CDIFF");
  EXPECT_EQ(all[0].unit, "SYS");
  EXPECT_TRUE(all[0].aggregate);
  EXPECT_EQ(all[0].variation, "concern_high");
  EXPECT_EQ(all[1].metric, "CDIFF");
  EXPECT_EQ(all[1].unit, "RBB");
  EXPECT_EQ(all[1].variation, "concern_high");
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_LE(ConcernRank(all[i - 1].variation, all[i - 1].assurance),
              ConcernRank(all[i].variation, all[i].assurance))
        << i;
  }
  // Pages are slices of the same order.
  std::vector<BoardRow> page = Board({.limit = 3, .offset = 3});
  ASSERT_EQ(page.size(), 3u);
  for (size_t i = 0; i < page.size(); ++i) {
    EXPECT_EQ(page[i].metric + page[i].unit + (page[i].aggregate ? "*" : ""),
              all[i + 3].metric + all[i + 3].unit + (all[i + 3].aggregate ? "*" : ""));
  }
  EXPECT_FALSE(BoardSummary(*conn_, {.limit = 0}).ok());
  EXPECT_FALSE(BoardSummary(*conn_, {.offset = -1}).ok());
}

TEST(BoardMeaningTest, EveryIconHasAPlainMeaning) {
  EXPECT_EQ(ConcernRank("concern_low", ""), 0);
  EXPECT_EQ(ConcernRank("common_cause", "consistent_fail"), 1);
  EXPECT_EQ(ConcernRank("improvement_high", "inconsistent"), 2);
  EXPECT_EQ(ConcernRank("common_cause", "consistent_pass"), 3);
  EXPECT_NE(VariationMeaning("concern_high").find("worse"), std::string::npos);
  EXPECT_NE(AssuranceMeaning("consistent_fail").find("failing"), std::string::npos);
}

INSTANTIATE_STORAGE_TEST(BoardTest);

}  // namespace
}  // namespace shewhart::oversight
