// End-to-end tests of `shewhart spc`, running the real binary.
//
// ErrorCases walks tests/cli/cases/: each folder holds input.csv (absent for a missing-file case),
// args (extra command-line words), expected_exit and expected_stderr (a substring that must appear
// on stderr). An analyst adds a case by adding a folder. On failure no output file may remain.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "app/internal/spc_input.h"
#include "csv/csv_reader.h"

namespace shewhart {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (const char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

// A fresh directory, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string t = (fs::temp_directory_path() / "shewhart_cli_XXXXXX").string();
    path_ = mkdtemp(t.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

struct RunResult {
  int exit_code = -1;
  std::string stderr_text;
};

// Runs `shewhart spc INPUT -o OUT_DIR/points.EXT --summary OUT_DIR/series.EXT EXTRA`.
RunResult RunSpc(const fs::path& input, const fs::path& out_dir, const std::string& extra,
                 const std::string& ext = "csv") {
  const fs::path err = out_dir.parent_path() / (out_dir.filename().string() + ".stderr");
  const std::string command = std::string(SHEWHART_BINARY) + " spc " + ShellQuote(input) + " -o " +
                              ShellQuote(out_dir / ("points." + ext)) + " --summary " +
                              ShellQuote(out_dir / ("series." + ext)) + " " + extra + " 2> " +
                              ShellQuote(err);
  const int status = std::system(command.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.stderr_text = ReadFile(err);
  fs::remove(err);
  return r;
}

std::vector<fs::path> FilesIn(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) files.push_back(e.path());
  return files;
}

TEST(CliTest, ErrorCases) {
  const fs::path root = fs::path(SHEWHART_TEST_DATA_DIR) / "cli" / "cases";
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(root)) {
    if (e.is_directory()) cases.push_back(e.path());
  }
  std::sort(cases.begin(), cases.end());
  ASSERT_GE(cases.size(), 20u);
  for (const fs::path& dir : cases) {
    SCOPED_TRACE("case " + dir.filename().string());
    TempDir tmp;
    const fs::path out = tmp.path() / "out";
    fs::create_directory(out);
    const RunResult r = RunSpc(dir / "input.csv", out, Trim(ReadFile(dir / "args")));
    const int expected_exit = std::stoi(ReadFile(dir / "expected_exit"));
    EXPECT_EQ(r.exit_code, expected_exit) << r.stderr_text;
    EXPECT_THAT(r.stderr_text, HasSubstr(Trim(ReadFile(dir / "expected_stderr"))));
    if (expected_exit != 0) {
      EXPECT_TRUE(FilesIn(out).empty()) << "an output file was left behind after a failure";
    } else {
      EXPECT_TRUE(fs::exists(out / "points.csv"));
      EXPECT_TRUE(fs::exists(out / "series.csv"));
      EXPECT_EQ(FilesIn(out).size(), 2u);
    }
  }
}

// A deterministic long-format data set: `n_series` monthly series of `n_points`, with shifts and
// outliers so that every rule fires somewhere, a few missing values, and per-row targets.
struct Row {
  std::string series;
  std::string date;
  std::string value;
  std::string target;
};

std::vector<Row> MakeRows(int n_series, int n_points, const std::string& prefix = "Trust ") {
  std::vector<Row> rows;
  std::mt19937 rng(42);
  std::normal_distribution<double> noise(0, 3);
  for (int s = 0; s < n_series; ++s) {
    for (int i = 0; i < n_points; ++i) {
      double v = 50 + s % 7 + noise(rng);
      if (s % 3 == 1 && i >= n_points / 2) v += 12;  // a sustained shift
      if (s % 5 == 2 && i == n_points - 3) v += 40;  // an outlier
      Row r;
      r.series = prefix + std::to_string(s);
      char date[16];
      std::snprintf(date, sizeof date, "%04d-%02d-01", 2015 + i / 12, i % 12 + 1);
      r.date = date;
      char value[32];
      std::snprintf(value, sizeof value, "%.3f", v);
      r.value = (s % 4 == 3 && i == 5) ? "NA" : value;
      r.target = s % 2 == 0 ? "55" : "";
      rows.push_back(r);
    }
  }
  return rows;
}

std::string ToCsv(const std::vector<Row>& rows, bool quote_all = false, const char* eol = "\n",
                  bool bom = false) {
  std::string text = bom ? "\xEF\xBB\xBF" : "";
  text += std::string("series,date,value,target") + eol;
  for (const Row& r : rows) {
    std::string name;
    if (quote_all) {
      name = "\"";
      for (const char c : r.series) name += c == '"' ? std::string("\"\"") : std::string(1, c);
      name += "\"";
    } else {
      csv::AppendCsvField(r.series, &name);
    }
    text += name + "," + r.date + "," + r.value + "," + r.target + eol;
  }
  return text;
}

struct Outputs {
  std::string points;
  std::string series;
};

Outputs RunOk(const TempDir& tmp, const std::string& name, const std::string& input_text,
              const std::string& extra = "", const std::string& ext = "csv") {
  const fs::path input = tmp.path() / (name + ".csv");
  WriteFile(input, input_text);
  const fs::path out = tmp.path() / name;
  fs::create_directory(out);
  const RunResult r = RunSpc(input, out, extra, ext);
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  return {ReadFile(out / ("points." + ext)), ReadFile(out / ("series." + ext))};
}

std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::unique_ptr<csv::Reader> reader = csv::Reader::FromString("out.csv", text);
  std::vector<std::vector<std::string>> rows;
  for (;;) {
    const csv::Reader::Step step = reader->Next();
    if (step == csv::Reader::Step::kEnd) break;
    EXPECT_EQ(step, csv::Reader::Step::kRecord) << reader->error().message();
    if (step != csv::Reader::Step::kRecord) break;
    std::vector<std::string> row;
    for (std::string_view f : reader->record().fields) row.emplace_back(f);
    rows.push_back(std::move(row));
  }
  return rows;
}

TEST(CliTest, CrlfBomAndQuotedNamesGiveTheSameOutputAsThePlainFile) {
  TempDir tmp;
  const std::vector<Row> rows = MakeRows(6, 30);
  const Outputs plain = RunOk(tmp, "plain", ToCsv(rows));
  const Outputs fancy = RunOk(tmp, "fancy", ToCsv(rows, /*quote_all=*/true, "\r\n", /*bom=*/true));
  EXPECT_EQ(plain.points, fancy.points);
  EXPECT_EQ(plain.series, fancy.series);
  EXPECT_EQ(ParseCsv(plain.series).size(), 7u);  // header + 6 series
}

TEST(CliTest, NamesWithCommasAndQuotesRoundTrip) {
  TempDir tmp;
  const std::vector<Row> rows = MakeRows(2, 15, "Smith, \"J\" ward ");
  const Outputs out = RunOk(tmp, "names", ToCsv(rows));
  const auto points = ParseCsv(out.points);
  ASSERT_EQ(points.size(), 31u);
  EXPECT_EQ(points[1][0], "Smith, \"J\" ward 0");
  EXPECT_EQ(points[30][0], "Smith, \"J\" ward 1");
  const auto series = ParseCsv(out.series);
  ASSERT_EQ(series.size(), 3u);
  EXPECT_EQ(series[2][0], "Smith, \"J\" ward 1");
}

TEST(CliTest, PointAndSummaryColumnsAreTheContract) {
  TempDir tmp;
  const Outputs out = RunOk(tmp, "cols", ToCsv(MakeRows(1, 20)));
  EXPECT_EQ(out.points.substr(0, out.points.find('\n')),
            "series,date,value,group,mean,lpl,upl,point_type,rule,special_cause_type,target");
  EXPECT_EQ(out.series.substr(0, out.series.find('\n')),
            "series,n,n_missing,groups,frequency,improvement_direction,mean,lpl,upl,target,"
            "variation,assurance,common_cause,improvement,concern,neutral,short_group_warning,"
            "gaps,warnings");
}

// The worked example of the XmR kernel's header (from the reference's published values): 19
// points, mean 11.7368..., upper process limit 15.1357309942, a shift of improvement at the end.
TEST(CliTest, ReferenceSeriesThroughTheCommand) {
  TempDir tmp;
  const double y[] = {10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 13, 13, 13, 13, 13, 13, 13};
  std::string text = "date,value,series\n";  // columns in any order
  for (int i = 0; i < 19; ++i) {
    char line[64];
    std::snprintf(line, sizeof line, "%04d-%02d-01,%g,Example\n", 2020 + i / 12, i % 12 + 1, y[i]);
    text += line;
  }
  const Outputs out = RunOk(tmp, "ref", text);
  const auto series = ParseCsv(out.series);
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[1][0], "Example");
  EXPECT_EQ(series[1][1], "19");
  EXPECT_NEAR(std::stod(series[1][8]), 15.1357309942, 1e-9);  // upl
  EXPECT_EQ(series[1][10], "improvement_high");               // variation
  const auto points = ParseCsv(out.points);
  EXPECT_EQ(points.back()[7], "special_cause_improvement");
  EXPECT_EQ(points.back()[8], "shift");
  EXPECT_EQ(points[1][8], "");  // common cause: no rule
}

TEST(CliTest, UnsortedAndInterleavedInputGivesTheSameOutputAsSorted) {
  TempDir tmp;
  std::vector<Row> rows = MakeRows(40, 36);
  const Outputs sorted = RunOk(tmp, "sorted", ToCsv(rows));
  // Interleaved: all series for month 1, then month 2, ... (like the A&E file).
  std::vector<Row> by_month = rows;
  std::stable_sort(by_month.begin(), by_month.end(),
                   [](const Row& a, const Row& b) { return a.date < b.date; });
  // Series must keep their order of first appearance, which month order preserves here.
  const Outputs interleaved = RunOk(tmp, "interleaved", ToCsv(by_month));
  EXPECT_EQ(sorted.points, interleaved.points);
  EXPECT_EQ(sorted.series, interleaved.series);
  // Shuffled within each series' block of rows, and across series after the first rows.
  std::vector<Row> shuffled = rows;
  std::mt19937 rng(7);
  std::vector<Row> firsts;
  std::vector<Row> rest;
  std::set<std::string> seen;
  for (const Row& r : rows) {
    if (seen.insert(r.series).second) {
      firsts.push_back(r);
    } else {
      rest.push_back(r);
    }
  }
  std::shuffle(rest.begin(), rest.end(), rng);
  shuffled = firsts;
  shuffled.insert(shuffled.end(), rest.begin(), rest.end());
  const Outputs random = RunOk(tmp, "shuffled", ToCsv(shuffled));
  EXPECT_EQ(sorted.points, random.points);
  EXPECT_EQ(sorted.series, random.series);
}

TEST(CliTest, SpillToDiskGivesIdenticalOutput) {
  TempDir tmp;
  std::vector<Row> rows = MakeRows(8000, 60);  // 480,000 rows: several runs at 16 MB
  std::mt19937 rng(3);
  std::shuffle(rows.begin() + 8000 * 30, rows.end(), rng);
  const std::string text = ToCsv(rows);
  const Outputs memory = RunOk(tmp, "memory", text, "--memory-limit 512");
  const Outputs spilled = RunOk(tmp, "spilled", text, "--memory-limit 16 --threads 1");
  EXPECT_EQ(memory.points, spilled.points);
  EXPECT_EQ(memory.series, spilled.series);

  // The 16 MB run really went through the external sort.
  app::SpcInputOptions options;
  options.memory_limit_bytes = size_t{16} << 20;
  app::SpcInput input(options);
  ASSERT_TRUE(input.Read((tmp.path() / "spilled.csv").string()).ok());
  EXPECT_GE(input.spill_runs(), 2);
  std::vector<app::SeriesRows> batch;
  int64_t n = 0;
  int32_t last_series = -1;
  for (;;) {
    Result<bool> more = input.NextBatch(100000, &batch);
    ASSERT_TRUE(more.ok());
    if (!*more) break;
    for (const app::SeriesRows& s : batch) {
      EXPECT_EQ(s.series, last_series + 1);
      last_series = s.series;
      EXPECT_EQ(s.rows.size(), 60u);
      for (size_t i = 1; i < s.rows.size(); ++i) EXPECT_LT(s.rows[i - 1].date, s.rows[i].date);
      n += static_cast<int64_t>(s.rows.size());
    }
  }
  EXPECT_EQ(n, 480000);
  EXPECT_TRUE(input.errors().empty());
}

// Sorted input is analysed while it is still being read; a row out of order near the end must
// throw that work away and start again from the sorted rows, with the same result.
TEST(CliTest, InputOutOfOrderOnlyAtTheEndGivesTheSameOutput) {
  TempDir tmp;
  const std::vector<Row> in_order = MakeRows(8000, 60);
  const Outputs sorted = RunOk(tmp, "sorted", ToCsv(in_order));
  std::vector<Row> rows = in_order;
  std::swap(rows[rows.size() - 1], rows[rows.size() - 2]);  // the last series' last two months
  const Outputs late = RunOk(tmp, "late", ToCsv(rows));
  EXPECT_EQ(sorted.points, late.points);
  EXPECT_EQ(sorted.series, late.series);
  const Outputs late_json = RunOk(tmp, "late_json", ToCsv(rows), "--format json", "json");
  const Outputs sorted_json =
      RunOk(tmp, "sorted_json", ToCsv(in_order), "--format json --threads 1", "json");
  EXPECT_EQ(sorted_json.points, late_json.points);
  EXPECT_EQ(nlohmann::json::parse(late_json.series).size(), 8000u);
}

TEST(CliTest, DuplicatesAreFoundAcrossSpilledRuns) {
  TempDir tmp;
  std::vector<Row> rows = MakeRows(8000, 60);
  rows.push_back(rows[5]);  // a duplicate of an early row, far away from it
  const fs::path input = tmp.path() / "dup.csv";
  WriteFile(input, ToCsv(rows));
  const fs::path out = tmp.path() / "out";
  fs::create_directory(out);
  const RunResult r = RunSpc(input, out, "--memory-limit 16");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.stderr_text, HasSubstr("a second row for series \"Trust 0\" on 2015-06-01 (the "
                                       "first is on line 7)"));
  EXPECT_TRUE(FilesIn(out).empty());
}

TEST(CliTest, JsonOutputParsesAndMatchesCsv) {
  TempDir tmp;
  std::vector<Row> rows = MakeRows(12, 30, "Ward \"Q\"\\ ");
  const std::string text = ToCsv(rows);
  const Outputs csv_out =
      RunOk(tmp, "csv", text, "--rebase 2016-01-01 --rebase-reason 'New model'");
  const Outputs json_out = RunOk(
      tmp, "json", text, "--rebase 2016-01-01 --rebase-reason 'New model' --format json", "json");
  const nlohmann::json points = nlohmann::json::parse(json_out.points);
  const nlohmann::json series = nlohmann::json::parse(json_out.series);
  const auto csv_points = ParseCsv(csv_out.points);
  const auto csv_series = ParseCsv(csv_out.series);
  ASSERT_EQ(points.size() + 1, csv_points.size());
  ASSERT_EQ(series.size() + 1, csv_series.size());
  // Every CSV cell equals its JSON value: numbers bit for bit, empty cells as null.
  auto same = [](const nlohmann::json& j, const std::string& cell, const std::string& where) {
    if (cell.empty()) {
      EXPECT_TRUE(j.is_null()) << where << ": " << j.dump();
    } else if (j.is_number()) {
      EXPECT_EQ(j.get<double>(), std::stod(cell)) << where;
    } else if (j.is_boolean()) {
      EXPECT_EQ(j.get<bool>() ? "true" : "false", cell) << where;
    } else {
      ASSERT_TRUE(j.is_string()) << where << ": " << j.dump();
      EXPECT_EQ(j.get<std::string>(), cell) << where;
    }
  };
  for (size_t i = 0; i < points.size(); ++i) {
    for (size_t c = 0; c < csv_points[0].size(); ++c) {
      same(points[i].at(csv_points[0][c]), csv_points[i + 1][c],
           "point " + std::to_string(i) + " " + csv_points[0][c]);
    }
  }
  for (size_t i = 0; i < series.size(); ++i) {
    for (size_t c = 0; c < csv_series[0].size(); ++c) {
      const std::string& key = csv_series[0][c];
      const nlohmann::json& j = series[i].at(key);
      if (key == "groups" || key == "gaps") {
        ASSERT_TRUE(j.is_array());
        EXPECT_EQ(std::to_string(j.size()), csv_series[i + 1][c]);
      } else if (key == "warnings") {
        std::string joined;
        for (const auto& w : j) joined += (joined.empty() ? "" : " | ") + w.get<std::string>();
        EXPECT_EQ(joined, csv_series[i + 1][c]);
      } else {
        same(j, csv_series[i + 1][c], "series " + std::to_string(i) + " " + key);
      }
    }
    // The rebase split each series into two groups; the second carries the reason.
    ASSERT_EQ(series[i]["groups"].size(), 2u);
    EXPECT_EQ(series[i]["groups"][1]["start"], "2016-01-01");
    EXPECT_EQ(series[i]["groups"][1]["recalculation_reason"], "New model");
    EXPECT_TRUE(series[i]["groups"][0]["recalculation_reason"].is_null());
  }
  EXPECT_EQ(series[0]["series"], "Ward \"Q\"\\ 0");
}

TEST(CliTest, RebaseColumnAndPerRowOptionsOverrideTheCommandLine) {
  TempDir tmp;
  std::string text = "series,date,value,improvement_direction,rebase,rebase_reason,target\n";
  for (int i = 0; i < 24; ++i) {
    char line[160];
    std::snprintf(line, sizeof line, "A,%04d-%02d-01,%d,%s,%s,%s,%s\n", 2020 + i / 12, i % 12 + 1,
                  i < 12 ? 10 + i % 2 : 20 + i % 2, i == 0 ? "decrease" : "", i == 12 ? "1" : "0",
                  i == 12 ? "New pathway" : "", i == 23 ? "25" : "");
    text += line;
  }
  const Outputs out = RunOk(tmp, "rebase", text, "--improvement increase --target 5");
  const auto series = ParseCsv(out.series);
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[1][3], "2");         // groups
  EXPECT_EQ(series[1][5], "decrease");  // improvement_direction from the column
  EXPECT_EQ(series[1][6], "20.5");      // mean of the latest group
  EXPECT_EQ(series[1][9], "25");        // target at the latest row
  const auto points = ParseCsv(out.points);
  EXPECT_EQ(points[13][3], "1");  // the 13th point opens group 1
  EXPECT_EQ(points[1][10], "5");  // empty target cell: --target
  EXPECT_EQ(points[24][10], "25");
}

TEST(CliTest, PlotWritesOneChartPerSeriesAndABoardPack) {
  TempDir tmp;
  const fs::path input = tmp.path() / "in.csv";
  WriteFile(input, ToCsv(MakeRows(3, 24, "Ward/")));
  const fs::path out = tmp.path() / "out";
  fs::create_directory(out);
  const fs::path plots = tmp.path() / "plots";
  const RunResult r = RunSpc(input, out, "--plot " + ShellQuote(plots.string()));
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_TRUE(fs::exists(plots / "Ward_0.svg"));
  EXPECT_TRUE(fs::exists(plots / "Ward_2.svg"));
  EXPECT_TRUE(fs::exists(plots / "charts.pdf"));
  EXPECT_THAT(ReadFile(plots / "Ward_1.svg"), HasSubstr("<svg"));
  EXPECT_EQ(FilesIn(plots).size(), 4u);  // no staging directory left

  // On failure the plot directory the command created is gone again.
  const fs::path bad = tmp.path() / "bad.csv";
  WriteFile(bad, "series,date,value\nA,2020-01-01,x\n");
  const fs::path plots2 = tmp.path() / "plots2";
  const RunResult r2 = RunSpc(bad, out, "--plot " + ShellQuote(plots2.string()));
  EXPECT_EQ(r2.exit_code, 2);
  EXPECT_FALSE(fs::exists(plots2));
}

TEST(CliTest, HelpExplainsOptionsAndVersionPrints) {
  TempDir tmp;
  const fs::path out = tmp.path() / "help.txt";
  ASSERT_EQ(
      std::system((std::string(SHEWHART_BINARY) + " spc --help > " + ShellQuote(out)).c_str()), 0);
  const std::string help = ReadFile(out);
  EXPECT_THAT(help, HasSubstr("--fix-after"));
  EXPECT_THAT(help, HasSubstr("Making Data Count Excel tool"));
  EXPECT_THAT(help, HasSubstr("--memory-limit"));
  ASSERT_EQ(std::system((std::string(SHEWHART_BINARY) + " --version > " + ShellQuote(out)).c_str()),
            0);
  EXPECT_THAT(ReadFile(out), HasSubstr("shewhart 0."));
}

// The real A&E attendances file (wide: period, org_code, type, attendances, breaches, ...),
// converted here to the long format for one metric: 4-hour performance per trust and A&E type.
TEST(CliTest, AeAttendancesFileRunsEndToEnd) {
  const fs::path source = fs::path(SHEWHART_REPO_DIR) / "data" / "ae_attendances.csv";
  ASSERT_TRUE(fs::exists(source));
  const std::string wide = ReadFile(source);
  std::unique_ptr<csv::Reader> reader = csv::Reader::FromString(source.string(), wide);
  ASSERT_EQ(reader->Next(), csv::Reader::Step::kRecord);
  const std::vector<std::string_view> header(reader->record().fields.begin(),
                                             reader->record().fields.end());
  const size_t c_period = *csv::FindColumn(header, "period");
  const size_t c_org = *csv::FindColumn(header, "org_code");
  const size_t c_type = *csv::FindColumn(header, "type");
  const size_t c_att = *csv::FindColumn(header, "attendances");
  const size_t c_breach = *csv::FindColumn(header, "breaches");
  std::string text = "series,date,value,improvement_direction,target\n";
  std::set<std::string> names;
  int rows = 0;
  while (reader->Next() == csv::Reader::Step::kRecord) {
    const auto& f = reader->record().fields;
    const double att = std::stod(std::string(f[c_att]));
    const double breaches = std::stod(std::string(f[c_breach]));
    const std::string name = std::string(f[c_org]) + " type " + std::string(f[c_type]);
    names.insert(name);
    char value[32] = "";
    if (att > 0) std::snprintf(value, sizeof value, "%.6f", 1 - breaches / att);
    text += name + "," + std::string(f[c_period]) + "," + value + ",increase,0.95\n";
    ++rows;
  }
  ASSERT_GT(rows, 10000);
  TempDir tmp;
  const Outputs out = RunOk(tmp, "ae", text, "--threads 2");
  const auto series = ParseCsv(out.series);
  EXPECT_EQ(series.size(), names.size() + 1);
  EXPECT_EQ(ParseCsv(out.points).size(), static_cast<size_t>(rows) + 1);
}

// Writes `n_series` monthly series of `n_months` in month order (all series for a month, then the
// next month): rows of a series are far apart, so the whole input must be sorted. Streams the file,
// so that this test process stays small (a forked child starts with the parent's memory).
// `note_bytes` > 0 adds a column of that much text, which the command ignores.
void WriteInterleaved(const fs::path& path, int n_series, int n_months, int note_bytes = 0) {
  std::ofstream out(path, std::ios::binary);
  out << (note_bytes > 0 ? "series,date,value,note\n" : "series,date,value\n");
  const std::string note = note_bytes > 0 ? "," + std::string(note_bytes, 'n') : "";
  char line[64];
  for (int m = 0; m < n_months; ++m) {
    for (int s = 0; s < n_series; ++s) {
      const int n = std::snprintf(line, sizeof line, "S%06d,%04d-%02d-01,%d.%d", s, 2015 + m / 12,
                                  m % 12 + 1, 100 + (s * 7 + m * 13) % 17, m % 10);
      out.write(line, n);
      out << note << '\n';
    }
  }
}

// Memory stays bounded for a large interleaved input with a small memory limit.
TEST(CliTest, LargeInputRunsInBoundedMemory) {
  TempDir tmp;
  const fs::path input = tmp.path() / "big.csv";
  WriteInterleaved(input, 20000, 60);  // 1.2 M rows, 33 MB
  const fs::path out = tmp.path() / "out";
  fs::create_directory(out);
  // GNU time measures this one run's peak memory (getrusage(RUSAGE_CHILDREN) would report the
  // largest of every child this test process has run, e.g. an earlier test's bigger run).
  const char* kGnuTime = "/usr/bin/time";
  if (!fs::exists(kGnuTime)) {
    if (std::getenv("CI") != nullptr) FAIL() << "/usr/bin/time (Debian package time) is missing";
    GTEST_SKIP() << "/usr/bin/time (Debian package time) is not installed";
  }
  const fs::path peak = tmp.path() / "peak_kib";
  const std::string command = std::string(kGnuTime) + " -f %M -o " + ShellQuote(peak) + " " +
                              SHEWHART_BINARY + " spc " + ShellQuote(input) + " -o " +
                              ShellQuote(out / "points.csv") + " --summary " +
                              ShellQuote(out / "series.csv") + " --memory-limit 16";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  const long peak_kib = std::stol(ReadFile(peak));
  EXPECT_LT(peak_kib, 80 * 1024) << "peak resident memory in KiB";
  EXPECT_EQ(ParseCsv(ReadFile(out / "series.csv")).size(), 20001u);
}

// A file of several GB, streamed with bounded memory. Slow (minutes): run it by hand with
// --gtest_also_run_disabled_tests --gtest_filter=*SeveralGigabytes*.
TEST(CliTest, DISABLED_SeveralGigabytesInBoundedMemory) {
  TempDir tmp;
  const fs::path input = tmp.path() / "huge.csv";
  WriteInterleaved(input, 200000, 120, 100);  // 24 M rows, ~3 GB
  ASSERT_GT(fs::file_size(input), uintmax_t{2900000000});
  const fs::path out = tmp.path() / "out";
  fs::create_directory(out);
  const RunResult r = RunSpc(input, out, "--memory-limit 256");
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  rusage usage;
  getrusage(RUSAGE_CHILDREN, &usage);
  EXPECT_LT(usage.ru_maxrss, 400 * 1024) << "peak resident memory in KiB";
  EXPECT_EQ(ParseCsv(ReadFile(out / "series.csv")).size(), 200001u);
}

}  // namespace
}  // namespace shewhart
