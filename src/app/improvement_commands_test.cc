// `shewhart impact` on the demo system, run in a child process as a person would: the per-metric
// CSV, the per-series CSV and the JSON agree with each other and with the improvement part's own
// answer (what GET /api/portfolio/impact encodes); the demo's real steps (falls at Avonford,
// claimed by two projects, counted once) are detected and their interval excludes no change; bad
// options exit 2 and an unknown programme exits 1, writing nothing.
#include "app/improvement_commands.h"

#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "app/data_commands.h"
#include "app/testing/run_command.h"
#include "db/db.h"
#include "gtest/gtest.h"
#include "improvement/programmes.h"
#include "nlohmann/json.hpp"

namespace shewhart::app {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

int RunShewhart(std::vector<std::string> args) {
  return testing::RunCommand(
      std::move(args),
      [](CLI::App& app, CommandSet& commands) {
        AddDataCommands(app, commands);
        AddImprovementCommands(app, commands);
      },
      /*quiet_errors=*/true);
}

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A CSV without quoted commas in the columns read here: header -> values per row.
std::vector<std::map<std::string, std::string>> Rows(const std::string& csv) {
  std::vector<std::vector<std::string>> cells;
  std::istringstream in(csv);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> row;
    std::string cell;
    bool quoted = false;
    for (char c : line) {
      if (c == '"') quoted = !quoted;
      else if (c == ',' && !quoted) row.push_back(std::exchange(cell, ""));
      else cell += c;
    }
    row.push_back(cell);
    cells.push_back(row);
  }
  std::vector<std::map<std::string, std::string>> out;
  for (size_t r = 1; r < cells.size(); ++r) {
    std::map<std::string, std::string> m;
    for (size_t c = 0; c < cells[0].size() && c < cells[r].size(); ++c) m[cells[0][c]] = cells[r][c];
    out.push_back(m);
  }
  return out;
}

class ImpactCommandTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("shewhart-impact-test-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    db_ = "sqlite:" + (dir_ / "demo.db").string();
    ASSERT_EQ(RunShewhart({"demo", "--db", db_, "--ae-data", ""}), 0);
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  static fs::path dir_;
  static std::string db_;
};
fs::path ImpactCommandTest::dir_;
std::string ImpactCommandTest::db_;

TEST_F(ImpactCommandTest, PerMetricPerSeriesAndJsonAgreeWithThePart) {
  const fs::path metrics = dir_ / "metrics.csv", series = dir_ / "series.csv",
                 as_json = dir_ / "impact.json";
  ASSERT_EQ(RunShewhart({"impact", "--db", db_, "-o", metrics.string()}), 0);
  ASSERT_EQ(RunShewhart({"impact", "--db", db_, "--series", "-o", series.string()}), 0);
  ASSERT_EQ(RunShewhart({"impact", "--db", db_, "--format", "json", "-o", as_json.string()}), 0);

  auto conn = db::Open(db_);
  ASSERT_TRUE(conn.ok());
  auto part = improvement::GetProgrammeImpact(**conn, 0);
  ASSERT_TRUE(part.ok()) << part.status().ToString();

  const auto m = Rows(Read(metrics));
  ASSERT_EQ(m.size(), part->metrics.size());
  const json j = json::parse(Read(as_json));
  ASSERT_EQ(j["metrics"].size(), m.size());
  bool falls = false;
  for (size_t i = 0; i < m.size(); ++i) {
    const improvement::MetricTotal& t = part->metrics[i].total;
    EXPECT_EQ(m[i].at("metric"), part->metrics[i].metric);
    EXPECT_EQ(std::stoi(m[i].at("projects")), t.projects);
    EXPECT_EQ(std::stoi(m[i].at("detected")), t.detected);
    // The CSV's numbers read back as the very doubles the part computed.
    EXPECT_EQ(std::stod(m[i].at("impact")), t.impact) << m[i].at("metric");
    EXPECT_EQ(std::stod(m[i].at("ci_low")), t.ci_low);
    EXPECT_EQ(std::stod(m[i].at("double_count_avoided")), t.double_count_avoided);
    EXPECT_EQ(j["metrics"][i]["impact"].get<double>(), t.impact);
    if (m[i].at("metric") == "FALLS") {
      falls = true;
      // The demo's falls at Avonford step down and two projects claim them: detected, fewer
      // falls with an interval that excludes no change, and the second claim not counted again.
      EXPECT_GE(t.detected, 1);
      EXPECT_GE(t.shared, 1);
      EXPECT_LT(t.impact, 0);
      EXPECT_LT(t.ci_high, 0);
      // What the two claims would have summed to, less what is counted once (signed: fewer
      // falls are a negative impact, so the avoided double count is negative too).
      EXPECT_NE(t.double_count_avoided, 0);
      EXPECT_NEAR(t.claimed - t.impact, t.double_count_avoided, 1e-6 * std::abs(t.claimed));
    }
  }
  EXPECT_TRUE(falls) << Read(metrics);

  const auto s = Rows(Read(series));
  ASSERT_EQ(s.size(), part->series.size());
  ASSERT_EQ(j["series"].size(), s.size());
  int detected = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const improvement::Impact& imp = part->series[i].impact;
    EXPECT_EQ(s[i].at("detected"), imp.detected ? "yes" : "no");
    EXPECT_EQ(std::stod(s[i].at("impact")), imp.impact);
    // A zero impact always says why; a detected one names the rule and its change point.
    if (imp.detected) {
      ++detected;
      EXPECT_FALSE(s[i].at("rule").empty());
      EXPECT_EQ(s[i].at("change_point").size(), 10u);
    } else {
      EXPECT_FALSE(s[i].at("why_zero").empty()) << s[i].at("metric") << " " << s[i].at("unit");
      EXPECT_EQ(std::stod(s[i].at("impact")), 0.0);
    }
  }
  EXPECT_GE(detected, 2);  // falls at Avonford, inpatient FFT at North Wessex Community
}

TEST_F(ImpactCommandTest, OneProgrammeIsPartOfThePortfolioAndBadOptionsWriteNothing) {
  auto conn = db::Open(db_);
  ASSERT_TRUE(conn.ok());
  auto all = improvement::GetProgrammeImpact(**conn, 0);
  ASSERT_TRUE(all.ok());
  std::optional<db::Row> first = *(*conn)->QueryRow(
      "SELECT MIN(id) FROM improvement_programme");
  ASSERT_TRUE(first && !first->IsNull(0));
  const std::string id = std::to_string(first->Int(0));
  const fs::path one = dir_ / "one.csv";
  ASSERT_EQ(RunShewhart({"impact", "--db", db_, "--programme", id, "-o", one.string()}), 0);
  const auto rows = Rows(Read(one));
  EXPECT_LE(rows.size(), all->metrics.size());
  int projects = 0;
  for (const auto& r : rows) projects += std::stoi(r.at("projects"));
  int every = 0;
  for (const auto& m : all->metrics) every += m.total.projects;
  EXPECT_LT(projects, every);  // one programme of three

  const fs::path none = dir_ / "none.csv";
  EXPECT_EQ(RunShewhart({"impact", "--db", db_, "--format", "xml", "-o", none.string()}), 2);
  EXPECT_EQ(RunShewhart({"impact", "--db", db_, "--programme", "-3", "-o", none.string()}), 2);
  EXPECT_EQ(RunShewhart({"impact", "--db", db_, "--programme", "999999", "-o", none.string()}), 1);
  EXPECT_FALSE(fs::exists(none));
}

}  // namespace
}  // namespace shewhart::app
