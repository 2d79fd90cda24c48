// End-to-end cases of the analysis commands (`shewhart funnel`, `compare`, `trend`, and
// `spc --chart`), run through the real binary.
//
// Each folder under cases/ is one case, readable without C++:
//   args                  the command line after `shewhart`, words separated by spaces, with the
//                         placeholders {input} (the case's input.csv), {out}, {summary}, {plot}
//                         (paths in a fresh temporary directory)
//   input.csv             the input
//   expected_exit         optional: 0 (default), 1 or 2
//   expected_stderr       optional: a text that must appear in the messages
//   expected_output.csv   optional: columns that {out} must hold, rows matched on the first column
//                         (and the second too, when it is called date or x)
//   expected_summary.csv  optional: the same for {summary}
//   tolerance             optional: the relative tolerance for numbers (default 1e-9)
//   README.md             where the expected values come from
// A case that expects a non-zero exit also checks that no output file was left behind.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/case_table.h"

namespace shewhart {
namespace {

namespace fs = std::filesystem;
using testing::CompareTables;
using testing::Join;
using testing::ReadFile;
using testing::ReadTable;
using testing::Table;

fs::path CasesDir() { return fs::path(SHEWHART_TEST_DATA_DIR) / "cli_analysis" / "cases"; }

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

void ReplaceAll(std::string* s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s->find(from, pos)) != std::string::npos; pos += to.size()) {
    s->replace(pos, from.size(), to);
  }
}

std::vector<std::string> KeysOf(const Table& t) {
  std::vector<std::string> keys = {t.header.at(0)};
  if (t.header.size() > 1 && (t.header[1] == "date" || t.header[1] == "x")) {
    keys.push_back(t.header[1]);
  }
  return keys;
}

class AnalysisCase : public ::testing::TestWithParam<std::string> {};

TEST_P(AnalysisCase, MatchesExpectation) {
  const fs::path dir = CasesDir() / GetParam();
  const fs::path work = fs::temp_directory_path() /
                        ("shewhart_cli_analysis_" + std::to_string(::getpid()) + "_" + GetParam());
  fs::remove_all(work);
  fs::create_directories(work);
  const fs::path out = work / "out.csv", summary = work / "summary.csv", plot = work / "plot";
  const fs::path err = work / "stderr.txt";

  std::string args = Trim(ReadFile(dir / "args"));
  std::istringstream words(args);
  std::string command = SHEWHART_BINARY, word;
  while (words >> word) {
    ReplaceAll(&word, "{input}", (dir / "input.csv").string());
    ReplaceAll(&word, "{out}", out.string());
    ReplaceAll(&word, "{summary}", summary.string());
    ReplaceAll(&word, "{plot}", plot.string());
    command += " " + ShellQuote(word);
  }
  command += " 2> " + ShellQuote(err.string());
  const int status = std::system(command.c_str());
  const int exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  const std::string stderr_text = ReadFile(err);

  int expected_exit = 0;
  if (fs::exists(dir / "expected_exit")) expected_exit = std::stoi(ReadFile(dir / "expected_exit"));
  EXPECT_EQ(exit_code, expected_exit) << command << "\n" << stderr_text;
  if (fs::exists(dir / "expected_stderr")) {
    const std::string want = Trim(ReadFile(dir / "expected_stderr"));
    EXPECT_NE(stderr_text.find(want), std::string::npos)
        << "stderr does not contain: " << want << "\nstderr: " << stderr_text;
  }
  if (expected_exit != 0) {
    EXPECT_FALSE(fs::exists(out)) << "output left behind after a failure";
    EXPECT_FALSE(fs::exists(summary)) << "summary left behind after a failure";
    EXPECT_FALSE(fs::exists(plot)) << "plot directory left behind after a failure";
  }
  double tolerance = 1e-9;
  if (fs::exists(dir / "tolerance")) tolerance = std::stod(ReadFile(dir / "tolerance"));
  for (const auto& [expected_name, actual] :
       {std::pair<std::string, fs::path>{"expected_output.csv", out},
        {"expected_summary.csv", summary}}) {
    if (!fs::exists(dir / expected_name)) continue;
    ASSERT_TRUE(fs::exists(actual)) << actual << " was not written";
    const Table expected = ReadTable(dir / expected_name);
    const std::vector<std::string> diffs =
        CompareTables(expected, ReadTable(actual), KeysOf(expected), tolerance);
    EXPECT_TRUE(diffs.empty()) << expected_name << ":\n" << Join(diffs);
  }
  if (fs::exists(dir / "expected_plots")) {
    std::istringstream names(ReadFile(dir / "expected_plots"));
    std::string name;
    while (names >> name) {
      EXPECT_TRUE(fs::exists(plot / name)) << "missing chart " << name;
      EXPECT_GT(fs::exists(plot / name) ? fs::file_size(plot / name) : 0, 500u) << name;
    }
  }
  fs::remove_all(work);
}

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(CasesDir())) {
    if (e.is_directory()) names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name;
  for (char c : info.param) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Cases, AnalysisCase, ::testing::ValuesIn(CaseNames()), TestName);

TEST(AnalysisCases, FolderHasTheRequiredKinds) {
  // The "done when": at least one FunnelPlotR case and the bad-input cases exist.
  const std::vector<std::string> names = CaseNames();
  auto has = [&](const std::string& prefix) {
    return std::any_of(names.begin(), names.end(),
                       [&](const std::string& n) { return n.rfind(prefix, 0) == 0; });
  };
  EXPECT_TRUE(has("funnel_T-FUN"));
  EXPECT_TRUE(has("bad_"));
}

}  // namespace
}  // namespace shewhart
