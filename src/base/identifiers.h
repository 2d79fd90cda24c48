// The ONE screen for free text: Shewhart must never hold patient-identifiable data, and stores
// no control characters. Every free-text field of every part goes through ScreenFreeText (the
// API applies it to every string of every JSON body, every query and path parameter; the
// imports to every text cell), so a new field inherits it.
//
// NHS numbers are found however they are written: ten digits with a valid modulus-11 check
// digit, as one run or in groups (3-3-4 or any other split) separated by spaces (one or more),
// tabs, non-breaking or thin spaces, dots, hyphens, slashes or underscores, in ASCII or
// full-width digits ("９４３４７６５９１９"). Ten digits inside a longer run of digits are not an
// NHS number (an account number); consecutive groups of a longer list of groups are tried.
//
// Example:
//   ContainsNhsNumber("patient 943.476.5919");          // true
//   ContainsNhsNumber("tel 020 7946 0000");             // false (no valid check digit)
//   Status s = ScreenFreeText("text", "ok\x01");       // InvalidArgument: control character
#ifndef SHEWHART_BASE_IDENTIFIERS_H_
#define SHEWHART_BASE_IDENTIFIERS_H_

#include <string_view>

#include "base/status.h"

namespace shewhart {

// The message for text that contains an NHS number.
inline constexpr std::string_view kNhsNumberMessage =
    "looks like an NHS number; Shewhart must not hold patient-identifiable data";

// True if `digits` (exactly 10 ASCII digits) is a valid NHS number: the modulus-11 check digit
// over the first nine digits (weights 10..2) equals the tenth digit.
bool IsValidNhsNumber(std::string_view digits);

// True if `text` contains a valid NHS number in any of the spellings above.
bool ContainsNhsNumber(std::string_view text);

// True if `text` holds a NUL, a C0 control character other than tab, line feed and carriage
// return, DEL, or a C1 control character (U+0080..U+009F).
bool ContainsControlCharacter(std::string_view text);

// OK, or InvalidArgument naming `field` when `text` contains an NHS number or a control
// character.
Status ScreenFreeText(std::string_view field, std::string_view text);

}  // namespace shewhart

#endif  // SHEWHART_BASE_IDENTIFIERS_H_
