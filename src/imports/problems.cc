#include "imports/problems.h"

#include <utility>

namespace shewhart::imports {

void Problems::Add(int64_t row, std::string_view column, std::string message) {
  ++count_;
  if (listed_.size() < cap_) listed_.push_back({row, std::string(column), std::move(message)});
}

std::string Problems::Format() const {
  std::string out;
  for (const Problem& p : listed_) {
    out += "  ";
    if (p.row > 0) {
      out += "row " + std::to_string(p.row);
      if (!p.column.empty()) out += ", column " + p.column;
      out += ": ";
    } else if (!p.column.empty()) {
      out += "column " + p.column + ": ";
    }
    out += p.message;
    out += '\n';
  }
  if (count_ > listed_.size()) {
    const size_t rest = count_ - listed_.size();
    out +=
        "  ... and " + std::to_string(rest) + (rest == 1 ? " more problem\n" : " more problems\n");
  }
  return out;
}

Status Problems::ToStatus(std::string_view file) const {
  if (empty()) return Status::Ok();
  std::string head = std::string(file) + ": " + std::to_string(count_) +
                     (count_ == 1 ? " problem" : " problems") + "; nothing was imported.\n";
  return InvalidArgumentError(head + Format());
}

}  // namespace shewhart::imports
