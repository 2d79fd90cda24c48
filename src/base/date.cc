#include "base/date.h"

namespace shewhart {
namespace {

constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::optional<Date> ParseIsoDate(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!IsDigit(t[i])) return std::nullopt;
  }
  const int32_t y = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0');
  const int32_t m = (t[5] - '0') * 10 + (t[6] - '0');
  const int32_t d = (t[8] - '0') * 10 + (t[9] - '0');
  if (y < 1000 || m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) return std::nullopt;
  return DaysFromCivil(y, m, d);
}

void FormatIsoDate(Date date, char* out) {
  const CivilDate c = CivilFromDays(date);
  out[0] = static_cast<char>('0' + c.year / 1000 % 10);
  out[1] = static_cast<char>('0' + c.year / 100 % 10);
  out[2] = static_cast<char>('0' + c.year / 10 % 10);
  out[3] = static_cast<char>('0' + c.year % 10);
  out[4] = '-';
  out[5] = static_cast<char>('0' + c.month / 10);
  out[6] = static_cast<char>('0' + c.month % 10);
  out[7] = '-';
  out[8] = static_cast<char>('0' + c.day / 10);
  out[9] = static_cast<char>('0' + c.day % 10);
}

std::string FormatIsoDate(Date date) {
  std::string s(10, '0');
  FormatIsoDate(date, s.data());
  return s;
}

}  // namespace shewhart
