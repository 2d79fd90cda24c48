// JSON helpers for handlers: parse a request body into an object with checked fields, and encode
// a response. Uses nlohmann::json through its light forward header only; include
// <nlohmann/json.hpp> in the .cc files that build documents.
//
// Parsing is strict: the body must be valid UTF-8 JSON whose top level is an object; a field of
// the wrong type, a string longer than its limit or a number that is not a finite integer in range
// is InvalidArgument naming the field. Encoding never throws: invalid UTF-8 in a string is replaced
// by U+FFFD and NaN/Inf are written as null.
//
// Example:
//   ASSIGN_OR_RETURN(nlohmann::json body, http::ParseJsonObject(req.body));
//   ASSIGN_OR_RETURN(std::string email, http::RequiredString(body, "email", 320));
//   return http::JsonResponse({{"ok", true}});
#ifndef SHEWHART_HTTP_JSON_H_
#define SHEWHART_HTTP_JSON_H_

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "http/http.h"

namespace shewhart::http {

// `text` as a JSON string literal, quotes included; invalid UTF-8 bytes become U+FFFD.
std::string JsonQuote(std::string_view text);

// Parses a request body that must be a JSON object. InvalidArgument otherwise.
Result<nlohmann::json> ParseJsonObject(std::string_view body);

// A string field of at most `max_bytes` bytes: required (InvalidArgument when absent or not a
// string) or optional (nullopt when absent or null).
Result<std::string> RequiredString(const nlohmann::json& object, std::string_view key,
                                   size_t max_bytes);
Result<std::optional<std::string>> OptionalString(const nlohmann::json& object,
                                                  std::string_view key, size_t max_bytes);
// An optional finite number field.
Result<std::optional<double>> OptionalNumber(const nlohmann::json& object, std::string_view key);

// Parses a query-string integer in [min, max]; InvalidArgument naming `name` otherwise.
Result<int64_t> ParseIntParam(std::string_view name, std::string_view text, int64_t min,
                              int64_t max);

// Encodes `value` (never throws) as a 200 (or `status`) application/json response.
Response JsonResponse(const nlohmann::json& value, int status = 200);
// Encodes `value` as text (never throws).
std::string DumpJson(const nlohmann::json& value);

}  // namespace shewhart::http

#endif  // SHEWHART_HTTP_JSON_H_
