// The two faces of one analysis agree: for every organisation, the server's benchmark comparison
// (value, 95% interval, better / same / worse, rank, quartile, gaps) and rate of improvement
// (OLS and Theil-Sen slopes per year with their intervals, the recent-trend marker) equal what the
// real `shewhart compare` and `shewhart trend` binaries write for the same data.
//
// The data goes in through the real binary (`shewhart init`, `import`, `user add`) and comes out
// through it (`shewhart export observations`); the test only reshapes the exported CSV into the
// analysis commands' inputs (one period for compare; every period up to it for trend, with the
// value multiplier x numerator / denominator computed as the import computes it).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "http/test_harness.h"
#include "server/server.h"
#include "support/case_table.h"

namespace shewhart {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::CompareTables;
using testing::Join;
using testing::ReadTable;
using testing::Table;

constexpr char kPassword[] = "correct horse battery staple";
constexpr char kPeriod[] = "2021-06-01";

constexpr char kOrganisations[] =
    "code,name,kind,parent,opened,closed,successor,member_of\n"
    "QHL,Test ICS,system,,,,,\n"
    "RJZ,King's College Hospital,acute trust,QHL,,,,\n"
    "RYJ,Imperial College Healthcare,acute trust,QHL,,,,\n"
    "RAX,Kingston Hospital,acute trust,QHL,,,,\n"
    "RVR,Epsom and St Helier,acute trust,QHL,,,,\n";

// A proportion shown as a percentage (higher is better) and a rate per 1,000 (lower is better).
constexpr char kMetrics[] =
    "code,applies_from,name,definition,numerator_definition,denominator_definition,unit,measure,"
    "multiplier,improvement_direction,chart_type,frequency,domain,target,target_from,source,owner,"
    "status\n"
    "AE4H,,A&E 4 hours,Seen within 4 hours,Seen in 4 hours,Attendances,%,proportion,100,increase,"
    "xmr,monthly,responsive,95,,NHS England,Ana,agreed\n"
    "FALLS,,Falls,Inpatient falls,Falls,Occupied bed days,per 1000 bed days,rate,1000,decrease,"
    "xmr,monthly,safe,,,Local,Ben,agreed\n";

std::string Observations() {
  std::string csv = "metric,unit,period,numerator,denominator\n";
  const char* units[] = {"RJZ", "RYJ", "RAX", "RVR"};
  for (int u = 0; u < 4; ++u) {
    for (int m = 1; m <= 24; ++m) {
      char period[16];
      std::snprintf(period, sizeof(period), "20%02d-%02d-01", 20 + (m - 1) / 12, (m - 1) % 12 + 1);
      const int attendances = 1000 + 37 * ((m * 7 + u * 3) % 11);
      const int seen = attendances * (78 + u * 5) / 100 + (m * 13 + u) % 17 + (u == 1 ? m : 0);
      const int bed_days = 9000 + 113 * ((m * 5 + u) % 13);
      const int falls = 40 + u * 9 + (m * 11 + u * 7) % 15 - (u == 3 ? m / 2 : 0);
      csv += std::string("AE4H,") + units[u] + "," + period + "," + std::to_string(seen) + "," +
             std::to_string(attendances) + "\n";
      csv += std::string("FALLS,") + units[u] + "," + period + "," + std::to_string(falls) + "," +
             std::to_string(bed_days) + "\n";
    }
  }
  return csv;
}

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

void Write(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// A JSON number as the CSV writers print it (shortest round trip); "" for null.
std::string Cell(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v.get<double>());
  return buf;
}

class BenchmarkApiCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    work_ = fs::temp_directory_path() / ("shewhart_benchmark_api_cli_" + std::to_string(getpid()));
    fs::remove_all(work_);
    fs::create_directories(work_);
    db_ = "sqlite:" + (work_ / "shewhart.db").string();
    Write(work_ / "orgs.csv", kOrganisations);
    Write(work_ / "metrics.csv", kMetrics);
    Write(work_ / "obs.csv", Observations());
    Shewhart("init --db " + Quote(db_));
    Shewhart("import organisations " + Quote((work_ / "orgs.csv").string()) + " --db " +
             Quote(db_));
    Shewhart("import metrics " + Quote((work_ / "metrics.csv").string()) + " --db " + Quote(db_));
    Shewhart("import observations " + Quote((work_ / "obs.csv").string()) + " --db " + Quote(db_));
    Shewhart("user add --email viewer@nhs.net --role viewer --org RJZ --password-stdin --db " +
                 Quote(db_),
             kPassword);
    Shewhart("export observations -o " + Quote((work_ / "exported.csv").string()) + " --db " +
             Quote(db_));

    auto api = server::Api::Create({.db_url = db_, .pool_size = 2});
    ASSERT_TRUE(api.ok()) << api.status().ToString();
    api_ = std::move(*api);
    server_ = std::make_unique<http::TestServer>(
        http::ServerOptions{}, [this](const http::Request& r) { return api_->Handle(r); });
    client_ = std::make_unique<http::TestClient>(server_->port());
    json body = {{"email", "viewer@nhs.net"}, {"password", kPassword}};
    ASSERT_EQ(client_->Send("POST", "/api/session", body.dump()).status, 200);
  }

  void TearDown() override {
    client_.reset();
    server_.reset();
    api_.reset();
    fs::remove_all(work_);
  }

  // Runs the real binary; fails the test unless it exits 0.
  void Shewhart(const std::string& args, const std::string& stdin_text = "") {
    std::string command = std::string(SHEWHART_BINARY) + " " + args + " >/dev/null 2>" +
                          Quote((work_ / "stderr.txt").string());
    if (!stdin_text.empty()) command = "printf '%s\\n' " + Quote(stdin_text) + " | " + command;
    const int rc = std::system(command.c_str());
    ASSERT_EQ(rc, 0) << command << "\n" << testing::ReadFile(work_ / "stderr.txt");
  }

  // The exported observations of `metric`: one period for compare, every period up to it (with
  // the counts) for trend.
  void WriteInputs(const std::string& metric, double multiplier, const fs::path& compare_in,
                   const fs::path& trend_in) {
    const Table exported = ReadTable(work_ / "exported.csv");
    const int c_metric = exported.Column("metric"), c_unit = exported.Column("unit"),
              c_period = exported.Column("period"), c_num = exported.Column("numerator"),
              c_den = exported.Column("denominator");
    ASSERT_GE(c_num, 0);
    ASSERT_GE(c_den, 0);
    std::string compare = "unit,numerator,denominator\n";
    std::string trend =
        metric == "AE4H" ? "series,date,value,numerator,denominator\n" : "series,date,value\n";
    for (const std::vector<std::string>& r : exported.rows) {
      if (r[c_metric] != metric || r[c_unit] == "QHL" || r[c_period] > kPeriod) continue;
      if (r[c_period] == kPeriod) compare += r[c_unit] + "," + r[c_num] + "," + r[c_den] + "\n";
      const double value = multiplier * std::stod(r[c_num]) / std::stod(r[c_den]);
      char text[40];
      std::snprintf(text, sizeof text, "%.17g", value);
      trend += r[c_unit] + "," + r[c_period] + "," + text;
      if (metric == "AE4H") trend += "," + r[c_num] + "," + r[c_den];
      trend += "\n";
    }
    Write(compare_in, compare);
    Write(trend_in, trend);
  }

  json Get(const std::string& target) {
    http::TestResponse r = client_->Send("GET", target);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body, nullptr, false);
  }

  // The API's numbers against the binaries' for one metric.
  void ExpectSameNumbers(const std::string& metric, double multiplier,
                         const std::string& compare_args) {
    const fs::path compare_in = work_ / (metric + "_compare_in.csv"),
                   trend_in = work_ / (metric + "_trend_in.csv"),
                   compare_out = work_ / (metric + "_compare.csv"),
                   trend_out = work_ / (metric + "_trend.csv");
    WriteInputs(metric, multiplier, compare_in, trend_in);
    if (HasFatalFailure()) return;
    Shewhart("compare " + Quote(compare_in.string()) + " -o " + Quote(compare_out.string()) + " " +
             compare_args);
    Shewhart("trend " + Quote(trend_in.string()) + " -o " + Quote(trend_out.string()));

    const json api = Get("/api/benchmark/" + metric + "?period=" + kPeriod);
    ASSERT_TRUE(api.is_object());
    ASSERT_EQ(api["units"].size(), 4u);
    Table expected_compare;
    expected_compare.header = {
        "unit",       "value", "lower",    "upper",       "benchmark",
        "comparison", "rank",  "quartile", "gap_to_best", "gap_to_top_quartile"};
    Table expected_trend;
    expected_trend.header = {"series",
                             "n",
                             "ols_slope_per_year",
                             "ols_lower95",
                             "ols_upper95",
                             "theil_sen_slope_per_year",
                             "theil_sen_lower95",
                             "theil_sen_upper95"};
    if (metric == "AE4H") expected_trend.header.push_back("trend_marker");
    for (const json& u : api["units"]) {
      expected_compare.rows.push_back({u["unit"].get<std::string>(), Cell(u["value"]),
                                       Cell(u["lower"]), Cell(u["upper"]), Cell(api["benchmark"]),
                                       Cell(u["comparison"]), Cell(u["rank"]), Cell(u["quartile"]),
                                       Cell(u["gap_to_best"]), Cell(u["gap_to_top_quartile"])});
      const json& t = u["trend"];
      std::vector<std::string> row = {
          u["unit"].get<std::string>(),    Cell(t["n"]),
          Cell(t["ols"]["per_year"]),      Cell(t["ols"]["lower95"]),
          Cell(t["ols"]["upper95"]),       Cell(t["theil_sen"]["per_year"]),
          Cell(t["theil_sen"]["lower95"]), Cell(t["theil_sen"]["upper95"])};
      if (metric == "AE4H") row.push_back(Cell(t["marker"]));
      expected_trend.rows.push_back(row);
    }
    const std::vector<std::string> compare_diffs =
        CompareTables(expected_compare, ReadTable(compare_out), {"unit"}, 1e-12);
    EXPECT_TRUE(compare_diffs.empty()) << Join(compare_diffs);
    const std::vector<std::string> trend_diffs =
        CompareTables(expected_trend, ReadTable(trend_out), {"series"}, 1e-12);
    EXPECT_TRUE(trend_diffs.empty()) << Join(trend_diffs);
    // Something was actually compared, and the comparisons are not all the same word.
    EXPECT_EQ(api["period"], kPeriod);
    EXPECT_GT(api["units"][0]["trend"]["n"].get<int>(), 2);
  }

  fs::path work_;
  std::string db_;
  std::unique_ptr<server::Api> api_;
  std::unique_ptr<http::TestServer> server_;
  std::unique_ptr<http::TestClient> client_;
};

TEST_F(BenchmarkApiCliTest, ProportionMatchesCompareWilsonAndTrend) {
  ExpectSameNumbers("AE4H", 100, "--method wilson --multiplier 100 --polarity high-is-good");
  const json api = Get(std::string("/api/benchmark/AE4H?period=") + kPeriod);
  EXPECT_EQ(api["method"], "wilson");
  EXPECT_EQ(api["unit"], "%");
  EXPECT_EQ(api["trend_unit"], "% per year");
  EXPECT_EQ(api["confidence"], 95);
  // The organisations differ enough for the comparison to say better and worse.
  EXPECT_GT(api["counts"]["better"].get<int>(), 0);
  EXPECT_GT(api["counts"]["worse"].get<int>(), 0);
}

TEST_F(BenchmarkApiCliTest, RateMatchesCompareByarsAndTrend) {
  ExpectSameNumbers("FALLS", 1000, "--method byars --multiplier 1000 --polarity low-is-good");
  const json api = Get(std::string("/api/benchmark/FALLS?period=") + kPeriod);
  EXPECT_EQ(api["method"], "byars");
  EXPECT_EQ(api["polarity"], "low-is-good");
  EXPECT_EQ(api["trend_unit"], "per 1000 bed days per year");
}

TEST_F(BenchmarkApiCliTest, UnknownMetricIsNotFoundAndPeriodIsRequired) {
  EXPECT_EQ(client_->Send("GET", "/api/benchmark/NOPE?period=2021-06-01").status, 404);
  EXPECT_EQ(client_->Send("GET", "/api/benchmark/AE4H").status, 400);
}

}  // namespace
}  // namespace shewhart
