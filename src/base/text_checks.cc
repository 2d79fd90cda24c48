#include "base/text_checks.h"

#include <charconv>
#include <cmath>

namespace shewhart {

std::optional<double> ParseNumber(std::string_view t) {
  double v = 0;
  if (!ParseNumber(t, &v)) return std::nullopt;
  return v;
}

bool ParseNumber(std::string_view t, double* out) {
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  if (t.empty()) return false;
  if (t.front() == '+') t.remove_prefix(1);
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), *out);
  // from_chars accepts "inf"/"nan" (refused as not finite) and hex only with chars_format::hex.
  return ec == std::errc() && ptr == t.data() + t.size() && std::isfinite(*out);
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

}  // namespace shewhart
