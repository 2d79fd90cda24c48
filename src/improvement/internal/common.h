// Helpers shared by the improvement part's services (not part of its interface).
#ifndef SHEWHART_IMPROVEMENT_INTERNAL_COMMON_H_
#define SHEWHART_IMPROVEMENT_INTERNAL_COMMON_H_

#include <span>
#include <string>
#include <string_view>

#include "base/status.h"

namespace shewhart::improvement::internal {

std::string Trim(std::string_view s);
std::string Lower(std::string_view s);
// The trimmed text of field `name`: InvalidArgument "\"name\" is required" when empty and
// `required`, "... is longer than N characters", or an NHS number.
Result<std::string> Text(std::string_view name, std::string_view value, bool required,
                         size_t max = 4000);
// A YYYY-MM-DD date not after `today` (when given): InvalidArgument naming the field.
Result<std::string> Day(std::string_view name, std::string_view value, std::string_view today = "");
// A work e-mail address (lower-cased): InvalidArgument naming the field.
Result<std::string> Email(std::string_view name, std::string_view value);
// One of `words`: InvalidArgument naming the field and the words.
Status OneOf(std::string_view name, std::string_view value, std::span<const std::string_view> words);

}  // namespace shewhart::improvement::internal

#endif  // SHEWHART_IMPROVEMENT_INTERNAL_COMMON_H_
