#include "http/json.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

namespace shewhart::http {

using nlohmann::json;

std::string JsonQuote(std::string_view text) {
  return json(std::string(text)).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string DumpJson(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

Response JsonResponse(const json& value, int status) {
  Response r;
  r.status = status;
  r.body = DumpJson(value);
  return r;
}

Result<json> ParseJsonObject(std::string_view body) {
  if (!IsValidUtf8(body)) return InvalidArgumentError("the request body is not valid UTF-8");
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return InvalidArgumentError("the request body is not valid JSON");
  if (!parsed.is_object()) return InvalidArgumentError("the request body must be a JSON object");
  return parsed;
}

Result<std::optional<std::string>> OptionalString(const json& object, std::string_view key,
                                                  size_t max_bytes) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return InvalidArgumentError("\"" + std::string(key) + "\" must be a string");
  }
  std::string value = it->get<std::string>();
  if (value.size() > max_bytes) {
    return InvalidArgumentError("\"" + std::string(key) + "\" is longer than " +
                                std::to_string(max_bytes) + " bytes");
  }
  return std::optional<std::string>(std::move(value));
}

Result<std::string> RequiredString(const json& object, std::string_view key, size_t max_bytes) {
  ASSIGN_OR_RETURN(std::optional<std::string> value, OptionalString(object, key, max_bytes));
  if (!value) return InvalidArgumentError("\"" + std::string(key) + "\" is required");
  return std::move(*value);
}

Result<std::optional<double>> OptionalNumber(const json& object, std::string_view key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::optional<double>();
  if (!it->is_number()) {
    return InvalidArgumentError("\"" + std::string(key) + "\" must be a number");
  }
  const double v = it->get<double>();
  if (!std::isfinite(v)) {
    return InvalidArgumentError("\"" + std::string(key) + "\" must be a finite number");
  }
  return std::optional<double>(v);
}

Result<int64_t> ParseIntParam(std::string_view name, std::string_view text, int64_t min,
                              int64_t max) {
  int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < min || v > max) {
    return InvalidArgumentError("\"" + std::string(name) + "\" must be a whole number from " +
                                std::to_string(min) + " to " + std::to_string(max));
  }
  return v;
}

}  // namespace shewhart::http
