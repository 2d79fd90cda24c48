// Calendar dates as day numbers: the one date type every layer shares.
//
// A Date is the count of days since 1970-01-01 (proleptic Gregorian), so dates compare and
// subtract as integers and an array of them is a plain std::span<const int32_t>. Parsing accepts
// exactly YYYY-MM-DD (ISO 8601 calendar date) and rejects impossible dates such as 2023-02-29.
//
// Example:
//   std::optional<Date> d = ParseIsoDate("2024-02-29");   // a leap day: valid
//   std::string s = FormatIsoDate(*d);                    // "2024-02-29"
#ifndef SHEWHART_BASE_DATE_H_
#define SHEWHART_BASE_DATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shewhart {

using Date = int32_t;  // days since 1970-01-01

struct CivilDate {
  int32_t year;
  int32_t month;  // 1..12
  int32_t day;    // 1..31
};

// Days since 1970-01-01 of a valid civil date. (Howard Hinnant's days_from_civil.)
constexpr Date DaysFromCivil(int32_t y, int32_t m, int32_t d) {
  y -= m <= 2;
  const int32_t era = (y >= 0 ? y : y - 399) / 400;
  const int32_t yoe = y - era * 400;
  const int32_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

constexpr CivilDate CivilFromDays(Date z) {
  z += 719468;
  const int32_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int32_t doe = z - era * 146097;
  const int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int32_t y = yoe + era * 400;
  const int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int32_t mp = (5 * doy + 2) / 153;
  const int32_t d = doy - (153 * mp + 2) / 5 + 1;
  const int32_t m = mp + (mp < 10 ? 3 : -9);
  return CivilDate{y + (m <= 2), m, d};
}

constexpr bool IsLeapYear(int32_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr int32_t DaysInMonth(int32_t y, int32_t m) {
  constexpr int32_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// Parses exactly "YYYY-MM-DD" (years 1000..9999). Returns nullopt for any other text or an
// impossible date.
std::optional<Date> ParseIsoDate(std::string_view text);

// Writes "YYYY-MM-DD" into out[0..9]. REQUIRES: out has room for 10 chars; year in 0..9999.
void FormatIsoDate(Date date, char* out);
std::string FormatIsoDate(Date date);

}  // namespace shewhart

#endif  // SHEWHART_BASE_DATE_H_
