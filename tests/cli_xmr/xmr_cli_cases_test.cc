// Runs every Making Data Count case of tests/cases/xmr/ through the real `shewhart spc` binary
// and compares its per-point and per-series files with the expected ones (the same cases run
// through the engine in src/oversight/spc_series_cases_test.cc). This pins the command-line
// contract: column names, label texts, number formatting, empty cells for missing numbers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "support/case_table.h"

namespace shewhart {
namespace {

namespace fs = std::filesystem;

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(fs::path(SHEWHART_TEST_DATA_DIR) / "cases/xmr")) {
    if (e.is_directory()) names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class XmrCliCaseTest : public ::testing::TestWithParam<std::string> {};

TEST_P(XmrCliCaseTest, CommandLineMatchesReference) {
  const fs::path dir = fs::path(SHEWHART_TEST_DATA_DIR) / "cases/xmr" / GetParam();
  const fs::path out = fs::temp_directory_path() / ("shewhart_xmr_cli_" + GetParam());
  fs::remove_all(out);
  fs::create_directories(out);
  // args holds only option words and dates (no quoting needed).
  const std::string command = std::string(SHEWHART_BINARY) + " spc '" + (dir / "input.csv").string() +
                              "' -o '" + (out / "points.csv").string() + "' --summary '" +
                              (out / "summary.csv").string() + "' " +
                              Trim(testing::ReadFile(dir / "args")) + " 2>'" +
                              (out / "stderr.txt").string() + "'";
  const int status = std::system(command.c_str());
  ASSERT_EQ(status, 0) << command << "\n" << testing::ReadFile(out / "stderr.txt");

  const auto point_diffs = testing::CompareTables(testing::ReadTable(dir / "expected_points.csv"),
                                                  testing::ReadTable(out / "points.csv"),
                                                  {"series", "date"});
  EXPECT_TRUE(point_diffs.empty()) << testing::Join(point_diffs);
  const auto summary_diffs =
      testing::CompareTables(testing::ReadTable(dir / "expected_summary.csv"),
                             testing::ReadTable(out / "summary.csv"), {"series"});
  EXPECT_TRUE(summary_diffs.empty()) << testing::Join(summary_diffs);
  fs::remove_all(out);
}

INSTANTIATE_TEST_SUITE_P(Cases, XmrCliCaseTest, ::testing::ValuesIn(CaseNames()),
                         [](const auto& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

}  // namespace
}  // namespace shewhart
