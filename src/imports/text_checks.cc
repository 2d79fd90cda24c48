#include "imports/text_checks.h"

#include <charconv>
#include <cmath>

namespace shewhart::imports {
bool IsValidNhsNumber(std::string_view d) { return ::shewhart::IsValidNhsNumber(d); }

bool ContainsNhsNumber(std::string_view text) { return ::shewhart::ContainsNhsNumber(text); }

std::optional<double> ParseNumber(std::string_view t) {
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  if (t.empty()) return std::nullopt;
  if (t.front() == '+') t.remove_prefix(1);
  double v = 0;
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || ptr != t.data() + t.size() || !std::isfinite(v)) return std::nullopt;
  // from_chars accepts "inf"/"nan" (rejected above) and hex only with chars_format::hex.
  return v;
}

std::string FormatNumber(double value) {
  char buf[64];
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  (void)ec;
  std::string s(buf, ptr);
  if (s == "-0") s = "0";
  return s;
}

std::string AsciiLower(std::string_view text) {
  std::string s(text);
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

}  // namespace shewhart::imports
