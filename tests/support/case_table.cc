#include "support/case_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

namespace shewhart::testing {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool ParseNumber(const std::string& s, double* out) {
  if (s.empty()) return false;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, *out);
  return ec == std::errc() && ptr == end;
}

bool CellsEqual(const std::string& want, const std::string& got, double rel_tol) {
  if (want == got) return true;
  double w = 0, g = 0;
  if (ParseNumber(want, &w) && ParseNumber(got, &g)) {
    const double scale = std::max(std::fabs(w), std::fabs(g));
    return std::fabs(w - g) <= std::max(rel_tol * scale, 1e-12);
  }
  const std::string lw = Lower(want), lg = Lower(got);
  if ((lw == "true" || lw == "false") && lw == lg) return true;
  return false;
}

}  // namespace

int Table::Column(const std::string& name) const {
  const auto it = std::find(header.begin(), header.end(), name);
  return it == header.end() ? -1 : static_cast<int>(it - header.begin());
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Table ParseTable(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == ',') {
      record.push_back(field);
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) {
        record.push_back(field);
        records.push_back(record);
      }
      record.clear();
      field.clear();
      any = false;
    } else {
      field += c;
      any = true;
    }
  }
  if (any || !field.empty()) {
    record.push_back(field);
    records.push_back(record);
  }
  Table t;
  if (records.empty()) return t;
  t.header = records.front();
  if (!t.header.empty() && t.header[0].rfind("\xEF\xBB\xBF", 0) == 0) t.header[0].erase(0, 3);
  t.rows.assign(records.begin() + 1, records.end());
  return t;
}

Table ReadTable(const std::filesystem::path& path) { return ParseTable(ReadFile(path)); }

std::vector<std::string> CompareTables(const Table& expected, const Table& actual,
                                       const std::vector<std::string>& keys, double rel_tol) {
  std::vector<std::string> diffs;
  std::vector<int> ekeys, akeys;
  for (const std::string& k : keys) {
    ekeys.push_back(expected.Column(k));
    akeys.push_back(actual.Column(k));
    if (ekeys.back() < 0 || akeys.back() < 0) {
      diffs.push_back("key column '" + k + "' missing");
      return diffs;
    }
  }
  auto key_of = [](const std::vector<std::string>& row, const std::vector<int>& cols) {
    std::string key;
    for (int c : cols) key += (c < static_cast<int>(row.size()) ? row[c] : "") + "|";
    return key;
  };
  std::map<std::string, const std::vector<std::string>*> by_key;
  for (const auto& row : actual.rows) by_key[key_of(row, akeys)] = &row;
  if (actual.rows.size() != expected.rows.size()) {
    diffs.push_back("expected " + std::to_string(expected.rows.size()) + " rows, got " +
                    std::to_string(actual.rows.size()));
  }
  for (const auto& row : expected.rows) {
    const std::string key = key_of(row, ekeys);
    const auto it = by_key.find(key);
    if (it == by_key.end()) {
      diffs.push_back("row " + key + " missing");
      continue;
    }
    for (size_t c = 0; c < expected.header.size(); ++c) {
      const int ac = actual.Column(expected.header[c]);
      if (ac < 0) {
        diffs.push_back("column '" + expected.header[c] + "' missing from output");
        continue;
      }
      const std::string& want = c < row.size() ? row[c] : std::string();
      const std::string got = ac < static_cast<int>(it->second->size()) ? (*it->second)[ac] : "";
      if (!CellsEqual(want, got, rel_tol)) {
        diffs.push_back(key + " " + expected.header[c] + ": expected '" + want + "', got '" +
                        got + "'");
      }
    }
  }
  return diffs;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

}  // namespace shewhart::testing
