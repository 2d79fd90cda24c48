#include "base/identifiers.h"

#include <string>
#include <vector>

namespace shewhart {
namespace {

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// At text[i]: a digit (ASCII or full-width U+FF10..U+FF19, EF BC 90..99) -> its value and length.
bool DigitAt(std::string_view t, size_t i, int* value, size_t* len) {
  if (IsAsciiDigit(t[i])) {
    *value = t[i] - '0';
    *len = 1;
    return true;
  }
  if (i + 2 < t.size() && static_cast<unsigned char>(t[i]) == 0xEF &&
      static_cast<unsigned char>(t[i + 1]) == 0xBC) {
    const unsigned char c = static_cast<unsigned char>(t[i + 2]);
    if (c >= 0x90 && c <= 0x99) {
      *value = c - 0x90;
      *len = 3;
      return true;
    }
  }
  return false;
}

// At text[i]: a separator between digit groups -> its length, else 0.
size_t SeparatorAt(std::string_view t, size_t i) {
  const char c = t[i];
  if (c == ' ' || c == '\t' || c == '.' || c == '-' || c == '/' || c == '_') return 1;
  const auto u = [&](size_t k) { return static_cast<unsigned char>(t[i + k]); };
  if (i + 1 < t.size() && u(0) == 0xC2 && u(1) == 0xA0) return 2;  // NBSP
  if (i + 2 < t.size() && u(0) == 0xE2 && u(1) == 0x80 &&
      (u(2) == 0x80 || u(2) == 0x81 || u(2) == 0x82 || u(2) == 0x83 || u(2) == 0x84 ||
       u(2) == 0x85 || u(2) == 0x86 || u(2) == 0x87 || u(2) == 0x88 || u(2) == 0x89 ||
       u(2) == 0x8A || u(2) == 0xAF || u(2) == 0x90 || u(2) == 0x91 || u(2) == 0x92 ||
       u(2) == 0x93)) {
    return 3;  // en/em/thin/hair/narrow no-break spaces, hyphens and dashes
  }
  if (i + 2 < t.size() && u(0) == 0xE3 && u(1) == 0x80 && u(2) == 0x80) return 3;  // ideographic
  if (i + 2 < t.size() && u(0) == 0xEF && u(1) == 0xBC &&
      (u(2) == 0x8D || u(2) == 0x8E || u(2) == 0x8F)) {
    return 3;  // full-width hyphen, full stop, solidus
  }
  return 0;
}

// Checks the groups of one chain ("943", "476", "5919"): a single group of exactly ten digits, or
// two to four consecutive groups of at least two digits each with ten digits in all (so that a
// list of small numbers, "1 2 3 4 5 6 7 8 9 0", is not read as one).
bool ChainHasNhsNumber(const std::vector<std::string>& groups) {
  for (size_t a = 0; a < groups.size(); ++a) {
    std::string digits;
    for (size_t b = a; b < groups.size() && b < a + 4 && digits.size() < 10; ++b) {
      if (groups[b].size() < 2) break;
      digits += groups[b];
      if (digits.size() == 10 && IsValidNhsNumber(digits)) return true;
    }
  }
  return false;
}

}  // namespace

bool IsValidNhsNumber(std::string_view d) {
  if (d.size() != 10) return false;
  int sum = 0;
  for (int i = 0; i < 10; ++i) {
    if (!IsAsciiDigit(d[i])) return false;
    if (i < 9) sum += (d[i] - '0') * (10 - i);
  }
  int check = 11 - sum % 11;
  if (check == 11) check = 0;
  if (check == 10) return false;  // no valid number has this
  return check == d[9] - '0';
}

bool ContainsNhsNumber(std::string_view t) {
  // Walk the text as chains of digit groups joined by short separator runs (at most 3
  // separators, so "943  476 5919" joins and a table of numbers far apart does not).
  std::vector<std::string> groups;
  std::string group;
  size_t i = 0;
  size_t separators = 0;  // separators since the last digit
  auto end_chain = [&] {
    if (!group.empty()) groups.push_back(group);
    group.clear();
    const bool found = ChainHasNhsNumber(groups);
    groups.clear();
    return found;
  };
  while (i < t.size()) {
    int value = 0;
    size_t len = 0;
    if (DigitAt(t, i, &value, &len)) {
      if (separators > 0 && !group.empty()) {
        groups.push_back(group);
        group.clear();
      }
      separators = 0;
      group += static_cast<char>('0' + value);
      i += len;
      continue;
    }
    const size_t sep = SeparatorAt(t, i);
    if (sep > 0 && (!group.empty() || !groups.empty()) && separators < 3) {
      ++separators;
      i += sep;
      continue;
    }
    separators = 0;
    if (end_chain()) return true;
    i += sep > 0 ? sep : 1;
  }
  return end_chain();
}

bool ContainsControlCharacter(std::string_view t) {
  for (size_t i = 0; i < t.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(t[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < t.size()) {
      const unsigned char d = static_cast<unsigned char>(t[i + 1]);
      if (d >= 0x80 && d <= 0x9F) return true;
    }
  }
  return false;
}

Status ScreenFreeText(std::string_view field, std::string_view text) {
  if (ContainsControlCharacter(text)) {
    return InvalidArgumentError(std::string(field) +
                                ": contains a control character (such as NUL); remove it");
  }
  if (ContainsNhsNumber(text)) {
    return InvalidArgumentError(std::string(field) + ": " + std::string(kNhsNumberMessage));
  }
  return Status::Ok();
}

}  // namespace shewhart
