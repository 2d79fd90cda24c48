// Stored SPC results: recomputed after an import for exactly the affected series and their
// system aggregates. Runs on SQLite and PostgreSQL.
#include "oversight/spc_store.h"

#include <charconv>
#include <cmath>
#include <cstdio>

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
  // A rate aggregates as multiplier x sum of numerators / sum of denominators, labelled pooled.
  // February has RAA alone (1 of 2): held back, not drawn as the system's value.
  StoredSpcResult falls = Load("FALLS", "SYS", true);
  EXPECT_EQ(falls.aggregation, "pooled");
  EXPECT_EQ(Periods(falls), "2023-01-01");
  EXPECT_DOUBLE_EQ(std::stod(Values(falls)), 1000.0 * (71 + 40) / (24000 + 15000));
  ASSERT_EQ(falls.reported.size(), 1u);
  EXPECT_EQ(falls.reported[0], 2);
  EXPECT_EQ(falls.expected[0], 2);
  ASSERT_EQ(falls.held_back.size(), 1u);
  EXPECT_EQ(FormatIsoDate(falls.held_back[0].period), "2023-02-01");
  EXPECT_EQ(falls.held_back[0].reported, 1);
  EXPECT_EQ(falls.held_back[0].expected, 2);
  // A count ("cases") aggregates as the TOTAL of the organisations, labelled as a sum.
  StoredSpcResult cdiff = Load("CDIFF", "SYS", true);
  EXPECT_EQ(cdiff.aggregation, "sum");
  EXPECT_EQ(Values(cdiff), "6");
  StoredSpcResult fft = Load("FFT", "RAA", false);
  EXPECT_EQ(fft.n_points, 1);
  EXPECT_EQ(Types(fft), "c");
  ASSERT_TRUE(fft.target.has_value());
  EXPECT_EQ(*fft.target, 95);
}

// Issue 16's story: one trust uploads three months ahead of every other trust. The system's
// value for those months is held back ("1 of 2 reported"), never plotted as an improvement.
TEST_P(SpcStoreTest, OneTrustAheadIsHeldBackNotPlottedAsTheSystem) {
  LoadBase(/*with_observations=*/false);
  std::string obs = "metric,unit,period,value,numerator,denominator\n";
  for (int m = 1; m <= 12; ++m) {
    char period[16];
    std::snprintf(period, sizeof period, "2023-%02d-01", m);
    obs += "FALLS,RAA," + std::string(period) + ",," + std::to_string(80 + m % 3) + ",24000\n";
    obs += "FALLS,RBB," + std::string(period) + ",," + std::to_string(50 + m % 2) + ",15000\n";
  }
  // RAA alone for the next three months, with far fewer falls (the RZA story of the issue).
  for (const char* period : {"2024-01-01", "2024-02-01", "2024-03-01"}) {
    obs += "FALLS,RAA," + std::string(period) + ",,30,24000\n";
  }
  WriteText(dir_ / "ahead.csv", obs);
  ValueOrDie(imports::ImportObservationsFile(*conn_, (dir_ / "ahead.csv").string(), Options()));
  StoredSpcResult sys = Load("FALLS", "SYS", true);
  EXPECT_EQ(sys.last_period, "2023-12-01");
  EXPECT_EQ(sys.n_points, 12);
  for (const StoredPoint& p : sys.points) EXPECT_GT(p.value, 3.0) << FormatIsoDate(p.period);
  EXPECT_EQ(sys.n_improvement, 0);
  ASSERT_EQ(sys.held_back.size(), 3u);
  for (const HeldBackPeriod& h : sys.held_back) {
    EXPECT_EQ(h.reported, 1);
    EXPECT_EQ(h.expected, 2);
  }
  EXPECT_EQ(FormatIsoDate(sys.held_back.back().period), "2024-03-01");
  // RAA's own series does show its three months.
  EXPECT_EQ(Load("FALLS", "RAA", false).n_points, 15);
  // Once RBB reports them too, the months join the system's series.
  WriteText(dir_ / "rbb.csv",
            "metric,unit,period,numerator,denominator\nFALLS,RBB,2024-01-01,50,15000\n"
            "FALLS,RBB,2024-02-01,51,15000\nFALLS,RBB,2024-03-01,50,15000\n");
  ValueOrDie(imports::ImportObservationsFile(*conn_, (dir_ / "rbb.csv").string(), Options()));
  sys = Load("FALLS", "SYS", true);
  EXPECT_EQ(sys.n_points, 15);
  EXPECT_TRUE(sys.held_back.empty());
}

// An organisation that stopped reporting long ago (merged, say) does not hold the system back
// for ever: six months after its last report it is no longer expected.
TEST_P(SpcStoreTest, AnOrganisationThatStoppedIsNoLongerExpected) {
  LoadBase(/*with_observations=*/false);
  std::string obs = "metric,unit,period,value\n";
  for (int m = 1; m <= 12; ++m) {
    char period[16];
    std::snprintf(period, sizeof period, "2023-%02d-01", m);
    obs += "CDIFF,RAA," + std::string(period) + ",3\n";
    if (m <= 3) obs += "CDIFF,RBB," + std::string(period) + ",2\n";
  }
  WriteText(dir_ / "stopped.csv", obs);
  ValueOrDie(imports::ImportObservationsFile(*conn_, (dir_ / "stopped.csv").string(), Options()));
  StoredSpcResult sys = Load("CDIFF", "SYS", true);
  // Jan-Mar: both (totals of 5); Apr-Sep: RBB late, held back; Oct-Dec: RAA alone is the system.
  EXPECT_EQ(Periods(sys), "2023-01-01,2023-02-01,2023-03-01,2023-10-01,2023-11-01,2023-12-01");
  EXPECT_EQ(sys.held_back.size(), 6u);
  EXPECT_EQ(sys.reported.back(), 1);
  EXPECT_EQ(sys.expected.back(), 1);
}

// Counts cannot be negative: an XmR chart of a count shows its lower limit at 0, not below.
TEST_P(SpcStoreTest, ACountsLowerLimitIsFlooredAtZero) {
  LoadBase(/*with_observations=*/false);
  std::string text = "metric,unit,period,value\n";
  for (int m = 1; m <= 12; ++m) {
    char line[64];
    std::snprintf(line, sizeof(line), "CDIFF,RBB,2022-%02d-01,%d\n", m, m % 2 == 0 ? 0 : 3);
    text += line;
  }
  WriteText(dir_ / "counts.csv", text);
  ValueOrDie(imports::ImportObservationsFile(*conn_, (dir_ / "counts.csv").string(), Options()));
  StoredSpcResult r = Load("CDIFF", "RBB", false);
  ASSERT_EQ(r.groups.size(), 1u);
  EXPECT_EQ(r.groups[0].lpl, 0.0);  // mean 1.5 - 2.66 x 3 would be -6.48
  EXPECT_EQ(r.lpl, 0.0);
  EXPECT_NEAR(r.upl, 1.5 + 2.66 * 3, 1e-9);  // the upper limit is untouched
  EXPECT_EQ(r.n_concern + r.n_improvement, 0);
}

TEST_P(SpcStoreTest, AggregationFollowsTheDefinition) {
  dictionary::MetricVersion v;
  v.measure = "rate";
  EXPECT_EQ(AggregationOf(v), "pooled");
  v.measure = "value";
  v.unit = "projects";
  v.definition = "Registered QI projects active at the end of the month.";
  EXPECT_EQ(AggregationOf(v), "sum");
  v.unit = "minutes";
  EXPECT_EQ(AggregationOf(v), "mean");
  v.unit = "patients";
  v.definition = "Mean daily number of inpatients who no longer meet the criteria to reside.";
  EXPECT_EQ(AggregationOf(v), "mean");
  v.unit = "ratio";
  v.definition = "Observed over expected deaths.";
  EXPECT_EQ(AggregationOf(v), "mean");
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

// Many series are analysed in parallel and written at once (PostgreSQL: COPY into a staging
// table and one merge); each must be stored exactly as when its series is recomputed alone (one
// upsert), NULLs, exact doubles and the aggregates' coverage included.
TEST_P(SpcStoreTest, ManySeriesWrittenAtOnceMatchOneAtATime) {
  LoadBase();
  std::string orgs = "code,name,kind,parent\n";
  std::string obs = "metric,unit,period,value,numerator,denominator\n";
  for (int u = 0; u < 120; ++u) {
    char code[16];
    std::snprintf(code, sizeof code, "Q%03d", u);
    orgs += std::string(code) + ",Practice " + std::to_string(u) + ",gp practice,PL1\n";
    for (int m = 1; m <= 14; ++m) {
      if (u % 7 == 3 && m > 12) continue;  // some stop early: held back, then not expected
      char period[16];
      std::snprintf(period, sizeof period, "%04d-%02d-01", 2022 + (m - 1) / 12, (m - 1) % 12 + 1);
      const int den = u % 11 == 0 && m == 5 ? 0 : 900 + (u * 37 + m * 11) % 400;
      const int num = den == 0 ? 0 : (u * 13 + m * 7) % 9 + (m == 14 && u % 5 == 0 ? 30 : 0);
      obs += "FALLS," + std::string(code) + "," + period + ",," + std::to_string(num) + "," +
             std::to_string(den) + "\n";
      obs += "CDIFF," + std::string(code) + "," + period + "," +
             std::to_string((u + m * 3) % 5) + ".125,,\n";
    }
  }
  WriteText(dir_ / "many_orgs.csv", orgs);
  WriteText(dir_ / "many_obs.csv", obs);
  ValueOrDie(imports::ImportOrganisationsFile(*conn_, (dir_ / "many_orgs.csv").string(),
                                              Options()));
  imports::ImportReport r = ValueOrDie(imports::ImportObservationsFile(
      *conn_, (dir_ / "many_obs.csv").string(), Options("2024-09-01T00:00:00Z")));
  EXPECT_EQ(r.series_recomputed, 240);
  EXPECT_EQ(r.aggregates_recomputed, 2);
  const std::string kRows =
      "SELECT m.code, u.code, r.aggregate, r.n_points, r.first_period, r.last_period, r.mean, "
      "r.lpl, r.upl, r.target, r.variation, r.assurance, r.frequency, r.n_improvement, "
      "r.n_concern, r.periods, r.point_values, r.point_types, r.groups_json, r.warnings, "
      "r.chart, r.point_limits, r.aggregation, r.reported, r.held_back FROM spc_result r "
      "JOIN metric m ON m.id = r.metric_id JOIN unit u ON u.id = r.unit_id "
      "ORDER BY m.code, u.code, r.aggregate";
  auto dump = [&] {
    std::string out;
    for (const db::Row& row : ValueOrDie(conn_->QueryAll(kRows))) {
      for (const db::Value& v : row.values()) out += v.DebugString() + "|";
      out += "\n";
    }
    return out;
  };
  const std::string at_once = dump();
  EXPECT_EQ(Count("spc_result WHERE computed_at = '2024-09-01T00:00:00Z'"), 242);
  EXPECT_THAT(at_once, HasSubstr("'pooled'"));
  // Now every series again, one at a time (its own series and its system's aggregate).
  auto dir = ValueOrDie(directory::Directory::Load(*conn_));
  auto dict = ValueOrDie(dictionary::Dictionary::Load(*conn_));
  for (int u = 0; u < 120; u += 1) {
    char code[16];
    std::snprintf(code, sizeof code, "Q%03d", u);
    for (const char* metric : {"FALLS", "CDIFF"}) {
      const SeriesKey key = Key(metric, code, false);
      RecomputeStats one = ValueOrDie(RecomputeSpc(*conn_, dir, dict, std::vector{key},
                                                   "2024-10-01T00:00:00Z"));
      EXPECT_EQ(one.series, 1);
    }
  }
  EXPECT_EQ(Count("spc_result WHERE computed_at = '2024-10-01T00:00:00Z'"), 242);
  EXPECT_EQ(dump(), at_once);
}

INSTANTIATE_STORAGE_TEST(SpcStoreTest);

}  // namespace
}  // namespace shewhart::oversight
