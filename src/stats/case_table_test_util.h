// Test support: reads the readable case files of tests/cases/<folder>/ (format in each folder's
// README.md). A case file is lines of
//   # a comment
//   key: value
//   table NAME: column | column | ...
//   cell | cell | ...            (rows of the table above, until a line without '|')
// Tables may repeat keys across files; one file holds one case. Test-only, header-only.
//
// Example:
//   CaseFile c = ReadCaseFile(path);
//   c.keys.at("kind");                       // "funnel"
//   const CaseTable& t = c.tables.at("expect");
//   double v = t.Number(0, "value");         // "NA" reads as NaN
#ifndef SHEWHART_STATS_CASE_TABLE_TEST_UTIL_H_
#define SHEWHART_STATS_CASE_TABLE_TEST_UTIL_H_

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace shewhart::stats::testing {

inline std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

inline std::vector<std::string> SplitCells(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t bar = line.find('|', start);
    out.push_back(Trim(line.substr(start, bar == std::string::npos ? bar : bar - start)));
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return out;
}

// A number as written in a case file; "NA", "NaN" and "" read as NaN, "Inf"/"-Inf" as infinities.
inline double ParseNumber(const std::string& text) {
  const std::string t = Trim(text);
  if (t.empty() || t == "NA" || t == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (t == "Inf") return std::numeric_limits<double>::infinity();
  if (t == "-Inf") return -std::numeric_limits<double>::infinity();
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end == t.c_str() || *end != '\0') throw std::runtime_error("not a number: '" + t + "'");
  return v;
}

struct CaseTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;

  size_t Column(const std::string& name) const {
    auto it = std::find(columns.begin(), columns.end(), name);
    if (it == columns.end()) throw std::runtime_error("no column '" + name + "'");
    return static_cast<size_t>(it - columns.begin());
  }
  bool Has(const std::string& name) const {
    return std::find(columns.begin(), columns.end(), name) != columns.end();
  }
  const std::string& Cell(size_t row, const std::string& column) const {
    return rows.at(row).at(Column(column));
  }
  double Number(size_t row, const std::string& column) const {
    return ParseNumber(Cell(row, column));
  }
  std::vector<double> NumberColumn(const std::string& column) const {
    std::vector<double> out;
    for (size_t r = 0; r < rows.size(); ++r) out.push_back(Number(r, column));
    return out;
  }
};

struct CaseFile {
  std::string path;
  std::map<std::string, std::string> keys;
  std::map<std::string, CaseTable> tables;

  std::string Key(const std::string& k, const std::string& fallback = "") const {
    auto it = keys.find(k);
    return it == keys.end() ? fallback : it->second;
  }
  double KeyNumber(const std::string& k, double fallback) const {
    auto it = keys.find(k);
    return it == keys.end() ? fallback : ParseNumber(it->second);
  }
};

inline CaseFile ReadCaseFile(const std::filesystem::path& path) {
  CaseFile c;
  c.path = path.string();
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  std::string line;
  CaseTable* table = nullptr;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string t = Trim(line);
    if (t.empty() || t[0] == '#') {
      table = nullptr;
      continue;
    }
    if (t.rfind("table ", 0) == 0) {
      const size_t colon = t.find(':');
      if (colon == std::string::npos) {
        throw std::runtime_error(path.string() + ":" + std::to_string(line_no) + ": no ':'");
      }
      const std::string name = Trim(t.substr(6, colon - 6));
      table = &c.tables[name];
      table->columns = SplitCells(t.substr(colon + 1));
      continue;
    }
    if (table != nullptr && t.find('|') != std::string::npos) {
      std::vector<std::string> cells = SplitCells(t);
      if (cells.size() != table->columns.size()) {
        throw std::runtime_error(path.string() + ":" + std::to_string(line_no) + ": " +
                                 std::to_string(cells.size()) + " cells, expected " +
                                 std::to_string(table->columns.size()));
      }
      table->rows.push_back(std::move(cells));
      continue;
    }
    table = nullptr;
    const size_t colon = t.find(':');
    if (colon == std::string::npos) {
      throw std::runtime_error(path.string() + ":" + std::to_string(line_no) +
                               ": expected 'key: value'");
    }
    c.keys[Trim(t.substr(0, colon))] = Trim(t.substr(colon + 1));
  }
  return c;
}

// Every *.case file in a folder, sorted by name.
inline std::vector<std::filesystem::path> CaseFilesIn(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".case") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A double with all 17 significant digits, for failure messages.
inline std::string FormatFull(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// A GoogleTest-safe test name from a case file name ("fun01_sr.case" → "fun01_sr").
inline std::string TestNameOf(const std::filesystem::path& p) {
  std::string s = p.stem().string();
  for (char& ch : s) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return s;
}

// |actual − expected| <= rel·|expected| (NaN matches NaN; exact match for zero and infinities).
inline bool NearRelative(double actual, double expected, double rel) {
  if (std::isnan(expected)) return std::isnan(actual);
  if (std::isinf(expected) || expected == 0) return actual == expected;
  return std::fabs(actual - expected) <= rel * std::fabs(expected);
}

}  // namespace shewhart::stats::testing

#endif  // SHEWHART_STATS_CASE_TABLE_TEST_UTIL_H_
