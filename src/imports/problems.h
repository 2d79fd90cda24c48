// Problems found in an input file, each pinned to a row and a column, in plain words.
//
// Every import validates the whole file before writing anything and reports EVERY problem, not
// just the first: an analyst fixes a spreadsheet in one pass. The list keeps the first `cap`
// problems in full and counts the rest.
//
// Thread-compatible.
//
// Example:
//   Problems problems;
//   problems.Add(7, "value", "\"12,5\" is not a number; write it like 12.5");
//   if (!problems.empty()) return problems.ToStatus("obs.csv");
//   // invalid_argument: obs.csv: 1 problem; nothing was imported.
//   //   row 7, column value: "12,5" is not a number; write it like 12.5
#ifndef SHEWHART_IMPORTS_PROBLEMS_H_
#define SHEWHART_IMPORTS_PROBLEMS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace shewhart::imports {

struct Problem {
  int64_t row = 0;     // 1-based row of the file (CSV line or sheet row); 0 = the whole file
  std::string column;  // header name of the column; empty = the whole row
  std::string message;
};

class Problems {
 public:
  static constexpr size_t kDefaultCap = 100;
  explicit Problems(size_t cap = kDefaultCap) : cap_(cap) {}

  void Add(int64_t row, std::string_view column, std::string message);

  bool empty() const { return count_ == 0; }
  // All problems found, listed or not.
  size_t count() const { return count_; }
  // The first min(count(), cap) problems, in the order they were added.
  const std::vector<Problem>& listed() const { return listed_; }

  // One line per listed problem ("row 7, column value: ..."), then "... and N more problems".
  std::string Format() const;
  // OK when empty; else InvalidArgument: "FILE: N problems; nothing was imported.\n" + Format().
  Status ToStatus(std::string_view file) const;

 private:
  size_t cap_;
  size_t count_ = 0;
  std::vector<Problem> listed_;
};

}  // namespace shewhart::imports

#endif  // SHEWHART_IMPORTS_PROBLEMS_H_
