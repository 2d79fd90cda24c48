// Checks and conversions on text: numbers as every file and screen writes them, and the screen
// for patient identifiers that every free-text field of every part goes through.
//
// Numbers are plain decimals ("12", "-0.5", "1e3"); no thousands separators, no percent signs,
// so a value means the same thing in every file. Periods are ISO dates (YYYY-MM-DD). Free text
// is screened for NHS numbers: Shewhart must never hold patient-identifiable data.
//
// Example:
//   std::optional<double> v = ParseNumber("12.5");           // 12.5
//   bool bad = ContainsNhsNumber("patient 943 476 5919");    // true (valid check digit)
//   std::string s = FormatNumber(0.1);                        // "0.1" (shortest round trip)
#ifndef SHEWHART_BASE_TEXT_CHECKS_H_
#define SHEWHART_BASE_TEXT_CHECKS_H_

#include <optional>
#include <string>
#include <string_view>

#include "base/identifiers.h"

namespace shewhart {

// The screen for NHS numbers (IsValidNhsNumber, ContainsNhsNumber, kNhsNumberMessage) is the ONE
// identifier screen of base/identifiers.h, included above so that every free-text check finds it
// here too.

// A finite decimal number (leading/trailing spaces ignored); nullopt for anything else,
// including empty text, "NA", "12,5", "5%", "inf" and "nan".
std::optional<double> ParseNumber(std::string_view text);
// The same, for hot loops: true and *out set for a number; false (and *out unspecified) if not.
bool ParseNumber(std::string_view text, double* out);

// Shortest text that reads back to exactly `value` ("12", "0.1", "1e-07"). REQUIRES: finite.
std::string FormatNumber(double value);

// Lower-cases ASCII letters; used to compare enumerated words ("Increase" == "increase").
std::string AsciiLower(std::string_view text);

}  // namespace shewhart

#endif  // SHEWHART_BASE_TEXT_CHECKS_H_
