#include "base/text_checks.h"

#include <charconv>
#include <cmath>

namespace shewhart {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool IsValidNhsNumber(std::string_view d) {
  if (d.size() != 10) return false;
  int sum = 0;
  for (int i = 0; i < 10; ++i) {
    if (!IsDigit(d[i])) return false;
    if (i < 9) sum += (d[i] - '0') * (10 - i);
  }
  int check = 11 - sum % 11;
  if (check == 11) check = 0;
  if (check == 10) return false;  // no valid number has this
  return check == d[9] - '0';
}

bool ContainsNhsNumber(std::string_view text) {
  const size_t n = text.size();
  for (size_t i = 0; i < n; ++i) {
    if (!IsDigit(text[i]) || (i > 0 && IsDigit(text[i - 1]))) continue;
    // Run of digits starting at i.
    size_t j = i;
    while (j < n && IsDigit(text[j])) ++j;
    if (j - i == 10 && IsValidNhsNumber(text.substr(i, 10))) return true;
    // 3-3-4 with single separators.
    if (j - i == 3 && j < n) {
      const char sep = text[j];
      if (sep == ' ' || sep == '-') {
        const size_t k = j + 1;
        size_t m = k;
        while (m < n && IsDigit(text[m])) ++m;
        if (m - k == 3 && m < n && text[m] == sep) {
          const size_t p = m + 1;
          size_t q = p;
          while (q < n && IsDigit(text[q])) ++q;
          if (q - p == 4) {
            std::string digits;
            digits.append(text.substr(i, 3)).append(text.substr(k, 3)).append(text.substr(p, 4));
            if (IsValidNhsNumber(digits)) return true;
          }
        }
      }
    }
    i = j;
  }
  return false;
}

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
