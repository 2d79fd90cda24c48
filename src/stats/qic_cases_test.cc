// Walks tests/cases/qic/: every folder is one qicharts2 case (format in its README.md), run through
// ComputeControlChart and compared with the expected points and parts, numbers with relative
// tolerance 1e-9 (absolute 1e-12 near zero), flags and counts exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "stats/control_chart.h"
#include "support/case_table.h"

namespace shewhart::stats {
namespace {

namespace fs = std::filesystem;
using testing::Table;

const fs::path kCasesDir = fs::path(SHEWHART_TEST_DATA_DIR) / "cases" / "qic";

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  if (!fs::is_directory(kCasesDir)) return names;
  for (const auto& entry : fs::directory_iterator(kCasesDir)) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// A cell of input.csv: empty or NA is missing.
double Number(const std::string& s) {
  const std::string t = Trim(s);
  if (t.empty() || t == "NA") return std::nan("");
  return std::stod(t);
}

std::vector<int32_t> Positions(const std::string& list) {
  std::vector<int32_t> out;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!Trim(item).empty()) out.push_back(std::stoi(Trim(item)));
  }
  return out;
}

bool Flag(const std::string& v) { return v == "true" || v == "TRUE" || v == "1"; }

// Parses the `options` file (R's 1-based positions) into options.
::testing::AssertionResult ParseOptions(const std::string& text, ControlChartOptions* opt) {
  std::stringstream ss(text);
  std::string token;
  while (ss >> token) {
    const size_t eq = token.find('=');
    if (eq == std::string::npos) return ::testing::AssertionFailure() << "bad option " << token;
    const std::string key = token.substr(0, eq), value = token.substr(eq + 1);
    if (key == "chart") {
      Result<ChartType> chart = ParseChartType(value);
      if (!chart.ok()) return ::testing::AssertionFailure() << chart.status().ToString();
      opt->chart = *chart;
    } else if (key == "freeze") {
      opt->freeze = std::stoi(value);
    } else if (key == "part") {
      opt->part_starts = Positions(value);  // part = k: a new part starts after point k
    } else if (key == "exclude") {
      for (int32_t x : Positions(value)) opt->exclude.push_back(x - 1);
    } else if (key == "cl") {
      opt->cl = std::stod(value);
    } else if (key == "multiply") {
      opt->multiply = std::stod(value);
    } else if (key == "screened_mr") {
      opt->screen_moving_ranges = Flag(value);
    } else if (key == "y_neg") {
      opt->y_neg = Flag(value);
    } else if (key == "categorical") {
      opt->categorical = Flag(value);
    } else {
      return ::testing::AssertionFailure() << "unknown option " << key;
    }
  }
  return ::testing::AssertionSuccess();
}

std::string Cell(double v) {
  if (std::isnan(v)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}
std::string Cell(int32_t v) { return v == kRunsNotAvailable ? "" : std::to_string(v); }
std::string Cell(bool v) { return v ? "true" : "false"; }

class QicCase : public ::testing::TestWithParam<std::string> {};

TEST_P(QicCase, MatchesReference) {
  const fs::path dir = kCasesDir / GetParam();
  const Table input = testing::ReadTable(dir / "input.csv");
  const int x_col = input.Column("x"), y_col = input.Column("y"), n_col = input.Column("n");
  ASSERT_GE(y_col, 0) << "input.csv needs a y column";

  // Rows with the same x form one point (qic groups by x); x labels the point in the output.
  std::vector<double> y, n;
  std::vector<int32_t> subgroup;
  std::vector<std::string> labels;
  for (size_t r = 0; r < input.rows.size(); ++r) {
    const auto& row = input.rows[r];
    const std::string x = x_col >= 0 ? Trim(row[x_col]) : std::to_string(r + 1);
    if (labels.empty() || labels.back() != x) labels.push_back(x);
    subgroup.push_back(static_cast<int32_t>(labels.size()) - 1);
    y.push_back(Number(row[y_col]));
    if (n_col >= 0) n.push_back(Number(row[n_col]));
  }
  const bool grouped = labels.size() != input.rows.size();

  ControlChartOptions options;
  const std::string options_text =
      fs::exists(dir / "options") ? testing::ReadFile(dir / "options") : "";
  ASSERT_TRUE(ParseOptions(options_text, &options));

  ControlChartInput in{.y = y, .n = n};
  if (grouped || options.chart == ChartType::kXbar || options.chart == ChartType::kS) {
    in.subgroup = subgroup;
  }
  ControlChartResult result;
  const Status status = ComputeControlChart(in, options, &result);
  if (fs::exists(dir / "expected_error")) {
    ASSERT_FALSE(status.ok()) << "expected an error";
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    const std::string want = Trim(testing::ReadFile(dir / "expected_error"));
    EXPECT_NE(status.message().find(want), std::string::npos)
        << "message '" << status.message() << "' does not contain '" << want << "'";
    return;
  }
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(result.points.size(), labels.size());

  Table points;
  points.header = {"x",      "part",         "y",        "n",       "cl", "lcl", "ucl", "lcl_95",
                   "ucl_95", "sigma_signal", "baseline", "included"};
  for (size_t i = 0; i < result.points.size(); ++i) {
    const ControlChartPoint& p = result.points[i];
    points.rows.push_back({labels[i], std::to_string(p.part + 1), Cell(p.y), Cell(p.n), Cell(p.cl),
                           Cell(p.lcl), Cell(p.ucl), Cell(p.lcl_95), Cell(p.ucl_95),
                           Cell(p.sigma_signal), Cell(p.baseline), Cell(p.included)});
  }
  Table parts;
  parts.header = {
      "part",        "n_obs",           "n_useful",    "longest_run",    "longest_run_max",
      "n_crossings", "n_crossings_min", "runs_signal", "mean_lcl",       "mean_lcl_95",
      "mean_cl",     "mean_ucl_95",     "mean_ucl",    "n_sigma_signals"};
  for (size_t k = 0; k < result.parts.size(); ++k) {
    const ControlChartPart& p = result.parts[k];
    parts.rows.push_back(
        {std::to_string(k + 1), Cell(p.runs.n_obs), Cell(p.runs.n_useful), Cell(p.runs.longest_run),
         Cell(p.runs.longest_run_max), Cell(p.runs.n_crossings), Cell(p.runs.n_crossings_min),
         Cell(p.runs.signal), Cell(p.mean_lcl), Cell(p.mean_lcl_95), Cell(p.mean_cl),
         Cell(p.mean_ucl_95), Cell(p.mean_ucl), std::to_string(p.n_sigma_signals)});
  }

  bool compared = false;
  if (fs::exists(dir / "expected_points.csv")) {
    compared = true;
    const auto diffs =
        testing::CompareTables(testing::ReadTable(dir / "expected_points.csv"), points, {"x"});
    EXPECT_TRUE(diffs.empty()) << "points:\n" << testing::Join(diffs);
  }
  if (fs::exists(dir / "expected_parts.csv")) {
    compared = true;
    const auto diffs =
        testing::CompareTables(testing::ReadTable(dir / "expected_parts.csv"), parts, {"part"});
    EXPECT_TRUE(diffs.empty()) << "parts:\n" << testing::Join(diffs);
  }
  EXPECT_TRUE(compared) << "the case has no expected_points.csv, expected_parts.csv or "
                           "expected_error";
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Cases, QicCase, ::testing::ValuesIn(CaseNames()), TestName);

TEST(QicCases, FolderHasEveryCaseOfTheSpecification) {
  const std::vector<std::string> names = CaseNames();
  for (const char* id : {"T-QIC-01",  "T-QIC-02", "T-QIC-03", "T-QIC-04", "T-QIC-05", "T-QIC-06a",
                         "T-QIC-06b", "T-QIC-07", "T-QIC-08", "T-QIC-09", "T-QIC-10", "T-QIC-11",
                         "T-QIC-12",  "T-QIC-13", "T-QIC-14", "T-QIC-15", "T-QIC-16", "T-QIC-17",
                         "T-QIC-18",  "T-QIC-19", "T-QIC-20", "T-QIC-21", "T-QIC-22", "T-QIC-23",
                         "T-QIC-24",  "T-QIC-25", "T-QIC-26", "T-QIC-27", "T-QIC-28"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), id), names.end()) << id << " is missing";
  }
}

}  // namespace
}  // namespace shewhart::stats
