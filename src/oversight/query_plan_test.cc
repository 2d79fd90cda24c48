// Issue 15 at national scale: the plans the database chooses for the board's and the series'
// reads, shown with EXPLAIN over a few thousand series (enough that a scan would be chosen if the
// indexes were not there) — the board's first page walks spc_result(concern_rank, metric_id,
// aggregate); a series reads its observations through UNIQUE (metric_id, unit_id, period), one
// period of a metric through observation_metric_period (metric_id, period); on
// PostgreSQL `observation` is partitioned by period and a read of one period's range touches only
// its year's partition. And the PostgreSQL migration that partitions (302) keeps every row, the
// corrections' history, the ids and the keys of a database that had data before it.
#include <string>

#include "db/migrate.h"
#include "gtest/gtest.h"
#include "imports/imports.h"
#include "imports/testing/storage_fixture.h"
#include "oversight/board.h"
#include "schema/schema.h"

namespace shewhart::oversight {
namespace {

using ::shewhart::testing::ValueOrDie;
using ::shewhart::testing::WriteText;

// The shapes of the reads (observations.cc: kSelectSeries and kSelectStored; spc_store.cc:
// kSelectResult), with their parameters.
constexpr std::string_view kSeriesRead =
    "SELECT id, period, value, numerator, denominator, batch_id FROM observation "
    "WHERE metric_id = ? AND unit_id = ? ORDER BY period";
constexpr std::string_view kPeriodRead =
    "SELECT id, unit_id, period, value, numerator, denominator, batch_id FROM observation "
    "WHERE metric_id = ? AND period >= ? AND period <= ? ORDER BY unit_id, period";
constexpr std::string_view kStoredResultRead =
    "SELECT variation, assurance, periods, point_values FROM spc_result "
    "WHERE metric_id = ? AND unit_id = ? AND aggregate = ?";

class QueryPlanTest : public ::shewhart::testing::StorageTest {
 protected:
  // The base case, then 3,000 more organisations, a stored result for each of them and each
  // metric (one in twenty a concern) and two years of monthly values of one metric for each:
  // 9,000 stored series and 72,000 observations.
  void LoadMany() {
    LoadBase();
    SHEWHART_ASSERT_OK(conn_->ExecuteScript(
        "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 3000) "
        "INSERT INTO unit (code, name, kind, created_by, created_at) "
        "SELECT 'PX' || CAST(n AS TEXT), 'Practice ' || CAST(n AS TEXT), 'gp practice', 'test', "
        "'t' FROM g"));
    SHEWHART_ASSERT_OK(conn_->ExecuteScript(
        "INSERT INTO spc_result (metric_id, unit_id, aggregate, computed_at, n_points, "
        "first_period, last_period, variation, assurance, frequency, n_improvement, n_concern, "
        "periods, point_values, point_types, groups_json, warnings) "
        "SELECT m.id, u.id, 0, 't', 24, '2022-01-01', '2023-12-01', CASE WHEN u.id % 20 = 0 "
        "THEN 'concern_high' ELSE 'common_cause' END, '', 'monthly', 0, 0, '', '', '', '[]', '' "
        "FROM metric m, unit u WHERE u.code LIKE 'PX%'"));
    const std::string period = IsPostgres()
                                   ? "to_char(DATE '2022-01-01' + k * INTERVAL '1 month', "
                                     "'YYYY-MM-DD')"
                                   : "date('2022-01-01', '+' || k || ' months')";
    SHEWHART_ASSERT_OK(conn_->ExecuteScript(
        "WITH RECURSIVE t(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM t WHERE k < 23) "
        "INSERT INTO observation (metric_id, unit_id, period, value, batch_id, received_at) "
        "SELECT m.id, u.id, " +
        period +
        ", 10 + u.id % 7, (SELECT MAX(id) FROM import_batch), 't' "
        "FROM metric m, unit u, t WHERE m.code = 'CDIFF' AND u.code LIKE 'PX%'"));
    SHEWHART_ASSERT_OK(conn_->ExecuteScript("ANALYZE"));
  }

  // The plan of `sql` with `params`, one line per step.
  std::string Plan(std::string_view sql, const db::Params& params) {
    std::string plan;
    const std::string explain =
        (IsPostgres() ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + std::string(sql);
    const Status s = conn_->Query(explain, params, [&](const db::Row& r) {
      plan += r.Text(r.size() - 1) + "\n";
      return db::Flow::kContinue;
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return plan;
  }

  int64_t Id(const std::string& sql) {
    auto row = ValueOrDie(conn_->QueryRow(sql));
    return row ? row->Int(0) : -1;
  }
};

TEST_P(QueryPlanTest, TheBoardsFirstPageWalksTheConcernIndex) {
  LoadMany();
  const int64_t metric = Id("SELECT id FROM metric WHERE code = 'CDIFF'");
  const std::string plan = Plan(BoardGroupQuery(), {int64_t{0}, metric, int64_t{100}, int64_t{0}});
  EXPECT_NE(plan.find("spc_result_concern"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("Seq Scan on spc_result"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("SCAN r\n"), std::string::npos) << plan;
  // And the walk answers what the one query over every row answers (the kind filter takes that
  // path): the same rows in the same order, page by page.
  const std::vector<BoardRow> walked = ValueOrDie(BoardSummary(*conn_, {.limit = 50000}));
  ASSERT_EQ(walked.size(), 9u + 9000u);
  EXPECT_EQ(walked.front().variation, "concern_high");
  for (size_t i = 1; i < walked.size(); ++i) {
    const BoardRow& a = walked[i - 1];
    const BoardRow& b = walked[i];
    const int ra = ConcernRank(a.variation, a.assurance), rb = ConcernRank(b.variation, b.assurance);
    ASSERT_LE(ra, rb) << i;
    if (ra == rb) ASSERT_LE(a.metric, b.metric) << i;
  }
  for (const int64_t offset : {0, 1, 99, 450, 451, 8990}) {
    const std::vector<BoardRow> page =
        ValueOrDie(BoardSummary(*conn_, {.limit = 100, .offset = offset}));
    ASSERT_EQ(page.size(), std::min<size_t>(100, walked.size() - offset)) << offset;
    for (size_t i = 0; i < page.size(); ++i) {
      ASSERT_EQ(page[i].unit + page[i].metric, walked[offset + i].unit + walked[offset + i].metric)
          << offset << "+" << i;
    }
  }
}

TEST_P(QueryPlanTest, ASeriesReadsThroughItsKeyAndAPeriodThroughTheMetricPeriodIndex) {
  LoadMany();
  const int64_t metric = Id("SELECT id FROM metric WHERE code = 'CDIFF'");
  const int64_t unit = Id("SELECT id FROM unit WHERE code = 'PX700'");
  const std::string series = Plan(kSeriesRead, {metric, unit});
  const std::string period =
      Plan(kPeriodRead, {metric, std::string("2023-01-01"), std::string("2023-01-01")});
  // (PostgreSQL names each partition's copy of the index after the partition.)
  EXPECT_NE(period.find(IsPostgres() ? "metric_id_period_idx" : "observation_metric_period"),
            std::string::npos)
      << period;
  const std::string stored = Plan(kStoredResultRead, {metric, unit, int64_t{0}});
  if (IsPostgres()) {
    EXPECT_EQ(series.find("Seq Scan on observation_y2022"), std::string::npos) << series;
    EXPECT_EQ(series.find("Seq Scan on observation_y2023"), std::string::npos) << series;
    EXPECT_NE(series.find("metric_id_unit_id_period"), std::string::npos) << series;
    EXPECT_NE(stored.find("spc_result_pkey"), std::string::npos) << stored;
  } else {
    EXPECT_NE(series.find("USING INDEX sqlite_autoindex_observation"), std::string::npos)
        << series;
    EXPECT_NE(stored.find("USING INDEX sqlite_autoindex_spc_result"), std::string::npos) << stored;
  }
}

TEST_P(QueryPlanTest, OnPostgresObservationsArePartitionedByPeriodAndReadsPrune) {
  if (!IsPostgres()) GTEST_SKIP() << "SQLite keeps one observation table";
  LoadMany();
  EXPECT_EQ(ValueOrDie(conn_->QueryRow(
                           "SELECT c.relkind FROM pg_class c WHERE c.oid = 'observation'::regclass"))
                ->Text(0),
            "p");
  // The rows are in their years' partitions; a period outside every year goes to the default.
  EXPECT_EQ(Id("SELECT COUNT(*) FROM observation_y2022"), 36000);
  EXPECT_EQ(Id("SELECT COUNT(*) FROM observation_y2023"), 36000 + 8);
  // One year's read touches that year's partition only, through its index.
  const int64_t metric = Id("SELECT id FROM metric WHERE code = 'CDIFF'");
  const std::string plan = Plan(kPeriodRead, {metric, std::string("2023-01-01"), std::string("2023-12-01")});
  EXPECT_NE(plan.find("observation_y2023"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("observation_y2022"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("observation_default"), std::string::npos) << plan;
  const std::string one = Plan(
      "SELECT value FROM observation WHERE metric_id = ? AND unit_id = ? AND period = ?",
      {metric, Id("SELECT id FROM unit WHERE code = 'PX700'"), std::string("2022-06-01")});
  EXPECT_NE(one.find("observation_y2022"), std::string::npos) << one;
  EXPECT_EQ(one.find("observation_y2023"), std::string::npos) << one;
  EXPECT_EQ(one.find("Seq Scan on observation_y2022"), std::string::npos) << one;
}

// A database that had observations (and a correction) before migration 302: every row, the
// history and the ids are kept; new ids follow on; the keys still hold.
TEST_P(QueryPlanTest, PartitioningADatabaseWithDataKeepsEveryRowAndKey) {
  if (!IsPostgres()) GTEST_SKIP() << "migration 302 is PostgreSQL's";
  second_schema_ = schema_ + "_b";
  SHEWHART_ASSERT_OK(admin_->ExecuteScript("DROP SCHEMA IF EXISTS " + second_schema_ +
                                           " CASCADE; CREATE SCHEMA " + second_schema_));
  conn_ = ValueOrDie(db::Open(UrlForSchema(second_schema_)));
  std::vector<db::Migration> before;
  for (const db::Migration& m : schema::AllMigrations()) {
    if (m.version != 302) before.push_back(m);
  }
  SHEWHART_ASSERT_OK(db::Migrate(*conn_, before, schema::LegacyRenumberings()));
  EXPECT_EQ(ValueOrDie(conn_->QueryRow(
                           "SELECT c.relkind FROM pg_class c WHERE c.oid = 'observation'::regclass"))
                ->Text(0),
            "r");
  LoadBase();
  // A correction: the old value goes to observation_history.
  WriteText(dir_ / "fix.csv", "metric,unit,period,value\nCDIFF,RAA,2023-01-01,9\n");
  ValueOrDie(imports::ImportObservationsFile(*conn_, (dir_ / "fix.csv").string(), Options()));
  const std::string kRows =
      "SELECT o.id, o.metric_id, o.unit_id, o.period, o.value, o.numerator, o.denominator, "
      "o.batch_id, o.received_at FROM observation o ORDER BY o.id";
  const std::string kHistory =
      "SELECT h.observation_id, h.value, o.period FROM observation_history h "
      "JOIN observation o ON o.id = h.observation_id ORDER BY h.id";
  auto text = [&](const std::string& sql) {
    std::string out;
    EXPECT_TRUE(conn_
                    ->Query(sql, {},
                            [&](const db::Row& r) {
                              for (size_t i = 0; i < r.size(); ++i) out += r[i].DebugString() + "|";
                              out += "\n";
                              return db::Flow::kContinue;
                            })
                    .ok());
    return out;
  };
  const std::string rows = text(kRows), history = text(kHistory);
  ASSERT_NE(history.find("2023-01-01"), std::string::npos) << history;
  const int64_t last_id = Id("SELECT MAX(id) FROM observation");

  SHEWHART_ASSERT_OK(schema::MigrateAll(*conn_));
  EXPECT_EQ(ValueOrDie(conn_->QueryRow(
                           "SELECT c.relkind FROM pg_class c WHERE c.oid = 'observation'::regclass"))
                ->Text(0),
            "p");
  EXPECT_EQ(text(kRows), rows);
  EXPECT_EQ(text(kHistory), history);
  // New observations take new ids from the same sequence; the series key still refuses a
  // second value for the same metric, unit and period; the foreign keys still hold.
  WriteText(dir_ / "more.csv", "metric,unit,period,value\nCDIFF,RAA,2024-02-01,5\n");
  ValueOrDie(imports::ImportObservationsFile(*conn_, (dir_ / "more.csv").string(), Options()));
  EXPECT_GT(Id("SELECT id FROM observation WHERE period = '2024-02-01'"), last_id);
  EXPECT_FALSE(conn_
                   ->Execute("INSERT INTO observation (metric_id, unit_id, period, value, "
                             "batch_id, received_at) SELECT metric_id, unit_id, period, 1, "
                             "batch_id, 't' FROM observation WHERE period = '2024-02-01'")
                   .ok());
  EXPECT_FALSE(conn_
                   ->Execute("INSERT INTO observation (metric_id, unit_id, period, value, "
                             "batch_id, received_at) SELECT 99999, unit_id, '2024-03-01', 1, "
                             "batch_id, 't' FROM observation WHERE period = '2024-02-01'")
                   .ok());
  EXPECT_EQ(Id("SELECT COUNT(*) FROM observation_y2024"), 1);
}

INSTANTIATE_STORAGE_TEST(QueryPlanTest);

}  // namespace
}  // namespace shewhart::oversight
