// Test support: small CSV tables and the comparison rule the data-driven cases use.
//
// Test-only code: reads whole files into memory and is not built for speed or for hostile input.
// Example:
//   Table expected = ReadTable(dir / "expected_points.csv");
//   Table actual = ReadTable(out / "points.csv");
//   std::vector<std::string> diffs = CompareTables(expected, actual, {"series", "date"});
//   EXPECT_TRUE(diffs.empty()) << Join(diffs);
#ifndef SHEWHART_TESTS_SUPPORT_CASE_TABLE_H_
#define SHEWHART_TESTS_SUPPORT_CASE_TABLE_H_

#include <filesystem>
#include <string>
#include <vector>

namespace shewhart::testing {

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  int Column(const std::string& name) const;  // -1 if absent
};

// Parses RFC 4180 CSV (quotes, CRLF); fails the current test on unreadable files.
Table ReadTable(const std::filesystem::path& path);
Table ParseTable(const std::string& text);
std::string ReadFile(const std::filesystem::path& path);

// Compares every column of `expected` against the same-named column of `actual`, matching rows
// by the `keys` columns. Numbers: relative tolerance `rel_tol` (absolute 1e-12 near zero), an
// empty expected cell requires an empty actual cell; "true"/"false" case-insensitively; other
// text exactly. Returns one line per difference (empty when equal). Extra actual rows are an error.
std::vector<std::string> CompareTables(const Table& expected, const Table& actual,
                                       const std::vector<std::string>& keys,
                                       double rel_tol = 1e-9);

std::string Join(const std::vector<std::string>& lines);

}  // namespace shewhart::testing

#endif  // SHEWHART_TESTS_SUPPORT_CASE_TABLE_H_
