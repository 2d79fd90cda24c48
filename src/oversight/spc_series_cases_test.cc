// Walks tests/cases/xmr/: each case's input through AnalyseSpcSeries, compared with the expected
// per-point and per-series values (see tests/cases/xmr/README.md). The same cases also run
// through the `shewhart spc` command in tests/cli.
#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>

#include "base/date.h"
#include "oversight/spc_series.h"
#include "support/case_table.h"

namespace shewhart::oversight {
namespace {

namespace fs = std::filesystem;
using testing::CompareTables;
using testing::ReadTable;
using testing::Table;

std::string Num(double v) {
  if (std::isnan(v)) return "";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

double ParseNum(const std::string& s) {
  if (s.empty() || s == "NA") return NAN;
  double v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

struct CaseOptions {
  stats::XmrOptions xmr;
  double target = NAN;
  std::vector<Recalculation> recalculations;
};

CaseOptions ParseArgs(const std::string& line) {
  CaseOptions o;
  std::istringstream in(line);
  std::string flag, value;
  while (in >> flag) {
    if (flag == "--no-screen") {
      o.xmr.screen_outliers = false;
      continue;
    }
    in >> value;
    if (flag == "--fix-after") o.xmr.fix_after_n_points = std::stoi(value);
    if (flag == "--rule-length") o.xmr.rule_length = std::stoi(value);
    if (flag == "--target") o.target = ParseNum(value);
    if (flag == "--improvement") {
      o.xmr.improvement = value == "decrease"  ? stats::Direction::kDecrease
                          : value == "neutral" ? stats::Direction::kNeutral
                                               : stats::Direction::kIncrease;
    }
    if (flag == "--rebase") {
      std::istringstream dates(value);
      std::string d;
      while (std::getline(dates, d, ',')) o.recalculations.push_back({*ParseIsoDate(d), ""});
    }
  }
  return o;
}

// Runs every series of a case and renders the output tables the way the command line names them.
void RunCase(const fs::path& dir, Table* points, Table* summary) {
  const Table input = ReadTable(dir / "input.csv");
  const CaseOptions options = ParseArgs(testing::ReadFile(dir / "args"));
  const int c_series = input.Column("series"), c_date = input.Column("date"),
            c_value = input.Column("value");
  std::vector<std::string> order;
  std::map<std::string, std::vector<std::pair<Date, double>>> rows;
  for (const auto& r : input.rows) {
    if (!rows.count(r[c_series])) order.push_back(r[c_series]);
    rows[r[c_series]].push_back({*ParseIsoDate(r[c_date]), ParseNum(r[c_value])});
  }
  points->header = {"series", "date", "value", "group", "mean", "lpl", "upl",
                    "special_cause_type", "point_type"};
  summary->header = {"series", "n", "n_missing", "variation", "assurance", "short_group_warning"};
  for (const std::string& name : order) {
    auto& series = rows[name];
    std::sort(series.begin(), series.end());
    std::vector<Date> dates;
    std::vector<double> values;
    for (auto [d, v] : series) {
      dates.push_back(d);
      values.push_back(v);
    }
    SpcSeriesInput in;
    in.dates = dates;
    in.values = values;
    in.recalculations = options.recalculations;
    in.target = options.target;
    in.options = options.xmr;
    SpcSeriesResult out;
    AnalyseSpcSeries(in, &out);
    bool short_group = false;
    for (size_t g = 0; g < out.xmr.groups.size(); ++g) {
      const stats::XmrGroup& grp = out.xmr.groups[g];
      short_group |= grp.short_group;
      for (int32_t i = grp.begin; i < grp.end; ++i) {
        points->rows.push_back({name, FormatIsoDate(dates[i]), Num(values[i]),
                                std::to_string(g), Num(grp.mean), Num(grp.lpl), Num(grp.upl),
                                std::string(stats::Label(out.xmr.special_cause[i],
                                                         options.xmr.rule_length)),
                                std::string(stats::Name(out.xmr.point_type[i]))});
      }
    }
    summary->rows.push_back({name, std::to_string(dates.size()), std::to_string(out.xmr.n_missing),
                             std::string(stats::Name(out.xmr.variation)),
                             std::string(stats::Name(out.xmr.assurance)),
                             short_group ? "true" : "false"});
  }
}

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(fs::path(SHEWHART_TEST_DATA_DIR) / "cases/xmr")) {
    if (e.is_directory()) names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class XmrCaseTest : public ::testing::TestWithParam<std::string> {};

TEST_P(XmrCaseTest, MatchesReference) {
  const fs::path dir = fs::path(SHEWHART_TEST_DATA_DIR) / "cases/xmr" / GetParam();
  Table points, summary;
  RunCase(dir, &points, &summary);
  const auto point_diffs =
      CompareTables(ReadTable(dir / "expected_points.csv"), points, {"series", "date"});
  EXPECT_TRUE(point_diffs.empty()) << testing::Join(point_diffs);
  const auto summary_diffs =
      CompareTables(ReadTable(dir / "expected_summary.csv"), summary, {"series"});
  EXPECT_TRUE(summary_diffs.empty()) << testing::Join(summary_diffs);
}

INSTANTIATE_TEST_SUITE_P(Cases, XmrCaseTest, ::testing::ValuesIn(CaseNames()),
                         [](const auto& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

TEST(XmrCases, FolderIsNotEmpty) { EXPECT_GE(CaseNames().size(), 35u); }

}  // namespace
}  // namespace shewhart::oversight
