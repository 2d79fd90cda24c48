// Checks and conversions on the text of one cell, shared by every import.
//
// Numbers are plain decimals ("12", "-0.5", "1e3"); no thousands separators, no percent signs,
// so a value means the same thing in every file. Periods are ISO dates (YYYY-MM-DD). Free text
// is screened for NHS numbers: Shewhart must never hold patient-identifiable data.
//
// Example:
//   std::optional<double> v = ParseNumber("12.5");           // 12.5
//   bool bad = ContainsNhsNumber("patient 943 476 5919");    // true (valid check digit)
//   std::string s = FormatNumber(0.1);                        // "0.1" (shortest round trip)
#ifndef SHEWHART_IMPORTS_TEXT_CHECKS_H_
#define SHEWHART_IMPORTS_TEXT_CHECKS_H_

#include <optional>
#include <string>
#include <string_view>

#include "base/identifiers.h"

namespace shewhart::imports {

// The message every import gives for a cell that contains an NHS number.
inline constexpr std::string_view kNhsNumberMessage = ::shewhart::kNhsNumberMessage;

// The ONE identifier screen lives in base/identifiers.h; these delegate to it.
// True if `digits` (exactly 10 ASCII digits) is a valid NHS number (modulus 11).
bool IsValidNhsNumber(std::string_view digits);
// True if `text` contains a valid NHS number in any spelling base/identifiers.h lists.
bool ContainsNhsNumber(std::string_view text);

// A finite decimal number (leading/trailing spaces ignored); nullopt for anything else,
// including empty text, "NA", "12,5", "5%", "inf" and "nan".
std::optional<double> ParseNumber(std::string_view text);

// Shortest text that reads back to exactly `value` ("12", "0.1", "1e-07"). REQUIRES: finite.
std::string FormatNumber(double value);

// Lower-cases ASCII letters; used to compare enumerated words ("Increase" == "increase").
std::string AsciiLower(std::string_view text);

}  // namespace shewhart::imports

#endif  // SHEWHART_IMPORTS_TEXT_CHECKS_H_
