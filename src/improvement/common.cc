#include <algorithm>
#include <cctype>

#include "base/date.h"
#include "base/identifiers.h"
#include "improvement/internal/common.h"

namespace shewhart::improvement::internal {

std::string Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  const size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return "";
  return std::string(s.substr(b, s.find_last_not_of(kSpace) - b + 1));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Result<std::string> Text(std::string_view name, std::string_view value, bool required,
                         size_t max) {
  std::string t = Trim(value);
  if (t.empty() && required) return InvalidArgumentError("\"" + std::string(name) + "\" is required");
  if (t.size() > max) {
    return InvalidArgumentError("\"" + std::string(name) + "\" is longer than " +
                                std::to_string(max) + " characters");
  }
  if (ContainsNhsNumber(t)) {
    return InvalidArgumentError("\"" + std::string(name) + "\" " + std::string(kNhsNumberMessage));
  }
  return t;
}

Result<std::string> Day(std::string_view name, std::string_view value, std::string_view today) {
  const std::string t = Trim(value);
  if (t.empty()) return InvalidArgumentError("\"" + std::string(name) + "\" is required");
  if (t.size() != 10 || !ParseIsoDate(t)) {
    return InvalidArgumentError("\"" + std::string(name) + "\" must be a date written YYYY-MM-DD");
  }
  if (today.size() >= 10 && t > today.substr(0, 10)) {
    return InvalidArgumentError("\"" + std::string(name) + "\" " + t + " is in the future");
  }
  return t;
}

Result<std::string> Email(std::string_view name, std::string_view value) {
  const std::string e = Lower(Trim(value));
  const size_t at = e.find('@');
  if (e.empty()) return InvalidArgumentError("\"" + std::string(name) + "\" is required");
  if (at == std::string::npos || at == 0 || e.find('.', at) == std::string::npos ||
      e.find(' ') != std::string::npos || e.size() > 254) {
    return InvalidArgumentError("\"" + std::string(name) + "\" must be an e-mail address");
  }
  return e;
}

Status OneOf(std::string_view name, std::string_view value,
             std::span<const std::string_view> words) {
  if (std::find(words.begin(), words.end(), value) != words.end()) return Status::Ok();
  std::string list;
  for (std::string_view w : words) list += (list.empty() ? "" : ", ") + std::string(w);
  return InvalidArgumentError("\"" + std::string(name) + "\" must be one of " + list + " (got \"" +
                              std::string(value) + "\")");
}

}  // namespace shewhart::improvement::internal
