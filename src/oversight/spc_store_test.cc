// Stored SPC results: recomputed after an import for exactly the affected series and their
// system aggregates. Runs on SQLite and PostgreSQL.
#include "oversight/spc_store.h"

#include <charconv>
#include <cmath>

#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "imports/imports.h"
#include "imports/testing/storage_fixture.h"

namespace shewhart::oversight {
namespace {

using ::shewhart::testing::ValueOrDie;
using ::shewhart::testing::WriteText;
using ::testing::HasSubstr;

// The decoded points as the comma-separated text they are stored as.
std::string Periods(const StoredSpcResult& r) {
  std::string out;
  for (const StoredPoint& p : r.points) out += (out.empty() ? "" : ",") + FormatIsoDate(p.period);
  return out;
}
std::string Values(const StoredSpcResult& r) {
  std::string out;
  for (size_t i = 0; i < r.points.size(); ++i) {
    char buf[32];
    const auto end = std::to_chars(buf, buf + sizeof buf, r.points[i].value).ptr;
    out += (i == 0 ? "" : ",") +
           (std::isnan(r.points[i].value) ? std::string() : std::string(buf, end));
  }
  return out;
}
std::string Types(const StoredSpcResult& r) {
  std::string out;
  for (const StoredPoint& p : r.points) out += PointTypeLetter(p.type);
  return out;
}

class SpcStoreTest : public ::shewhart::testing::StorageTest {
 protected:
  SeriesKey Key(const std::string& metric, const std::string& unit, bool aggregate) {
    auto dir = ValueOrDie(directory::Directory::Load(*conn_));
    auto dict = ValueOrDie(dictionary::Dictionary::Load(*conn_));
    return {dict.FindByCode(metric)->id, dir.FindByCode(unit)->id, aggregate};
  }
  StoredSpcResult Load(const std::string& metric, const std::string& unit, bool aggregate) {
    std::optional<StoredSpcResult> r =
        ValueOrDie(LoadSpcResult(*conn_, Key(metric, unit, aggregate)));
    EXPECT_TRUE(r.has_value()) << metric << " " << unit;
    return r.value_or(StoredSpcResult{});
  }
};

TEST_P(SpcStoreTest, ImportStoresEverySeriesAndTheSystemAggregates) {
  LoadBase();
  // 6 series with observations, and one aggregate per metric for the system SYS.
  EXPECT_EQ(Count("spc_result WHERE aggregate = 0"), 6);
  EXPECT_EQ(Count("spc_result WHERE aggregate = 1"), 3);
  // A rate aggregates as multiplier x sum of numerators / sum of denominators.
  StoredSpcResult falls = Load("FALLS", "SYS", true);
  EXPECT_EQ(Periods(falls), "2023-01-01,2023-02-01");
  const std::string jan = Values(falls).substr(0, Values(falls).find(','));
  EXPECT_DOUBLE_EQ(std::stod(jan), 1000.0 * (71 + 40) / (24000 + 15000));
  // A plain value aggregates as the mean of the organisations that reported.
  EXPECT_EQ(Values(Load("CDIFF", "SYS", true)), "3,3");
  StoredSpcResult fft = Load("FFT", "RAA", false);
  EXPECT_EQ(fft.n_points, 1);
  EXPECT_EQ(Types(fft), "c");
  ASSERT_TRUE(fft.target.has_value());
  EXPECT_EQ(*fft.target, 95);
}

TEST_P(SpcStoreTest, RecomputeTouchesExactlyTheAffectedSeries) {
  LoadBase();
  WriteText(dir_ / "one.csv",
            "metric,unit,period,numerator,denominator\nFALLS,RAA,2023-03-01,60,23000\n");
  imports::ImportReport r = ValueOrDie(imports::ImportObservationsFile(
      *conn_, (dir_ / "one.csv").string(), Options("2024-07-01T00:00:00Z")));
  EXPECT_EQ(r.series_recomputed, 1);
  EXPECT_EQ(r.aggregates_recomputed, 1);
  // Exactly two rows carry the new computation time: FALLS/RAA and the FALLS system aggregate.
  EXPECT_EQ(Count("spc_result WHERE computed_at = '2024-07-01T00:00:00Z'"), 2);
  EXPECT_EQ(Count("spc_result"), 9);
  EXPECT_EQ(Load("FALLS", "RAA", false).computed_at, "2024-07-01T00:00:00Z");
  EXPECT_EQ(Load("FALLS", "SYS", true).computed_at, "2024-07-01T00:00:00Z");
  EXPECT_EQ(Load("FALLS", "RBB", false).computed_at, "2024-05-01T10:00:00Z");
  EXPECT_EQ(Load("FALLS", "RAA", false).n_points, 3);
  // A unit outside any system (none here) and unchanged rows recompute nothing.
  imports::ImportReport again = ValueOrDie(imports::ImportObservationsFile(
      *conn_, (dir_ / "one.csv").string(), Options("2024-08-01T00:00:00Z")));
  EXPECT_EQ(again.series_recomputed + again.aggregates_recomputed, 0);
  EXPECT_EQ(Count("spc_result WHERE computed_at = '2024-08-01T00:00:00Z'"), 0);
}

TEST_P(SpcStoreTest, RecomputeAllCountsEverySeries) {
  LoadBase();
  auto dir = ValueOrDie(directory::Directory::Load(*conn_));
  auto dict = ValueOrDie(dictionary::Dictionary::Load(*conn_));
  RecomputeStats s = ValueOrDie(RecomputeAllSpc(*conn_, dir, dict, "2025-01-01T00:00:00Z"));
  EXPECT_EQ(s.series, 6);
  EXPECT_EQ(s.aggregates, 3);
  EXPECT_EQ(s.touched.size(), 9u);
}

TEST_P(SpcStoreTest, NewDefinitionVersionRebasesTheSeries) {
  LoadBase();
  std::string text;
  for (int m = 1; m <= 12; ++m) {
    char line[64];
    std::snprintf(line, sizeof(line), "CDIFF,RBB,2022-%02d-01,%d\n", m, 2 + m % 3);
    text += line;
  }
  WriteText(dir_ / "history.csv", "metric,unit,period,value\n" + text);
  ValueOrDie(imports::ImportObservationsFile(*conn_, (dir_ / "history.csv").string(), Options()));
  WriteText(dir_ / "v2.csv",
            "code,applies_from,name,definition,unit,measure,improvement_direction,frequency,"
            "domain,status\nCDIFF,2022-07-01,C. difficile cases,All onsets,cases,value,decrease,"
            "monthly,safe,agreed\n");
  ValueOrDie(imports::ImportMetricsFile(*conn_, (dir_ / "v2.csv").string(), Options()));
  WriteText(dir_ / "new.csv", "metric,unit,period,value\nCDIFF,RBB,2023-02-01,3\n");
  ValueOrDie(imports::ImportObservationsFile(*conn_, (dir_ / "new.csv").string(), Options()));
  StoredSpcResult r = Load("CDIFF", "RBB", false);
  EXPECT_EQ(r.n_points, 14);
  EXPECT_THAT(GroupsJson(r.groups), HasSubstr("\"begin\":6"));
  EXPECT_THAT(GroupsJson(r.groups), HasSubstr("definition changed (version 2)"));
}

TEST_P(SpcStoreTest, StoredResultsFollowTheMetricsChartType) {
  LoadBase();
  // A proportion whose definition asks for a p chart, and a count that asks for a c chart.
  WriteText(dir_ / "charts.csv",
            "code,applies_from,name,definition,numerator_definition,denominator_definition,unit,"
            "measure,multiplier,improvement_direction,chart_type,frequency,domain,status\n"
            "SEEN,,Seen in 4 hours,Share seen,Seen,Attendances,%,proportion,100,increase,p,"
            "monthly,responsive,agreed\n"
            "NEVER,,Never events,Never events,,,events,value,1,decrease,c,monthly,safe,agreed\n");
  ValueOrDie(imports::ImportMetricsFile(*conn_, (dir_ / "charts.csv").string(), Options()));
  std::string obs = "metric,unit,period,value,numerator,denominator\n";
  for (int m = 1; m <= 12; ++m) {
    char period[16];
    std::snprintf(period, sizeof period, "2023-%02d-01", m);
    const int n = 900 + 50 * (m % 4);
    const int x = m == 12 ? n / 2 : n * 3 / 4 + m % 3;  // the last month falls far below
    obs += "SEEN,RAA," + std::string(period) + ",," + std::to_string(x) + "," + std::to_string(n) +
           "\n";
    obs += "NEVER,RAA," + std::string(period) + "," + std::to_string(m % 3) + ",,\n";
  }
  WriteText(dir_ / "chart_obs.csv", obs);
  ValueOrDie(imports::ImportObservationsFile(*conn_, (dir_ / "chart_obs.csv").string(), Options()));

  StoredSpcResult p = Load("SEEN", "RAA", false);
  EXPECT_EQ(p.chart, "p");
  ASSERT_EQ(p.points.size(), 12u);
  ASSERT_EQ(p.groups.size(), 1u);
  // A p chart's limits depend on each month's denominator; values are per cent (multiplier 100).
  EXPECT_NEAR(p.points[0].value, 100.0 * (950 * 3 / 4 + 1) / 950, 1e-9);
  EXPECT_TRUE(std::isfinite(p.points[0].lcl) && std::isfinite(p.points[1].lcl));
  EXPECT_NE(p.points[0].lcl, p.points[1].lcl);
  EXPECT_LT(p.points[0].lcl, p.points[0].cl);
  EXPECT_GT(p.points[0].ucl, p.points[0].cl);
  // The last month is below its lower limit: a concern, since higher is better.
  EXPECT_EQ(p.points[11].type, stats::PointType::kConcern);
  EXPECT_EQ(p.variation, "concern_low");
  EXPECT_EQ(p.n_concern, 1);

  StoredSpcResult c = Load("NEVER", "RAA", false);
  EXPECT_EQ(c.chart, "c");
  ASSERT_EQ(c.points.size(), 12u);
  EXPECT_NEAR(c.groups[0].mean, 1.0, 1e-12);  // mean of 1,2,0 repeated
  // An XmR metric stays XmR, with no per-point limits.
  StoredSpcResult falls = Load("FALLS", "RAA", false);
  EXPECT_EQ(falls.chart, "xmr");
  EXPECT_TRUE(std::isnan(falls.points[0].lcl));
}

INSTANTIATE_STORAGE_TEST(SpcStoreTest);

}  // namespace
}  // namespace shewhart::oversight
