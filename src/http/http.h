// http: the server's plumbing, independent of any HTTP library — requests and responses as plain
// values, path patterns, and the ONE mapping of Status codes to HTTP statuses and error bodies.
//
// A handler takes a Request and returns a Response. Path patterns are literal segments and
// `{name}` placeholders ("/api/metrics/{code}/versions"); a placeholder matches one non-empty
// segment of the (already percent-decoded) path, kept in Request::path_params.
//
// Errors have one shape, always JSON:
//   {"error": {"code": "invalid_argument", "message": "...", "details": ...}}
// `code` is StatusCodeName() for a Status, or a protocol word (unauthenticated, payload_too_large,
// method_not_allowed, bad_request, timeout) for errors that exist only at the HTTP level. Messages
// never carry stack traces or SQL: internal errors are answered with a fixed message and logged.
//
// Example:
//   http::Response r = http::ErrorResponse(NotFoundError("no metric \"X\""));
//   r.status;  // 404
//   std::map<std::string, std::string> params;
//   http::MatchPath("/api/metrics/{code}", "/api/metrics/AE4H", &params);  // true, code=AE4H
#ifndef SHEWHART_HTTP_HTTP_H_
#define SHEWHART_HTTP_HTTP_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace shewhart::http {

enum class Method { kGet, kPost, kPut, kDelete };
std::string_view MethodName(Method m);  // "GET", ...

struct Request {
  Method method = Method::kGet;
  std::string path;  // without the query string
  std::map<std::string, std::string> path_params;
  std::multimap<std::string, std::string> query;    // decoded
  std::multimap<std::string, std::string> headers;  // names lower-case
  std::string body;
  std::string remote_addr;

  // The first value of a header (name in any case), or "".
  std::string Header(std::string_view name) const;
  // The value of query parameter `name`, or nullopt.
  std::optional<std::string> Query(std::string_view name) const;
  // The value of cookie `name` from the Cookie header, or "".
  std::string Cookie(std::string_view name) const;
  // The path parameter `name` (REQUIRES: the route declares it).
  const std::string& Param(const std::string& name) const { return path_params.at(name); }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using Handler = std::function<Response(const Request&)>;

// The HTTP status of a non-OK Status code — the one mapping:
//   invalid_argument 400, not_found 404, already_exists 409, failed_precondition 409,
//   permission_denied 403, resource_exhausted 429, io_error 503, internal 500.
int HttpStatusOf(StatusCode code);

// The error response for `status` (REQUIRES: !status.ok()). `details_json` is raw JSON placed
// under "details" (e.g. a list of problems); "null" by default. kInternal and kIoError messages
// are replaced by a fixed sentence (the original goes to the log via LogInternalError).
Response ErrorResponse(const Status& status, std::string_view details_json = "null");

// An error that exists only at the HTTP level: 400 bad_request, 401 unauthenticated,
// 403 forbidden, 404 not_found, 405 method_not_allowed, 408 timeout, 413 payload_too_large,
// 414 uri_too_long, 429 too_many_requests, 500 internal.
Response ProtocolError(int http_status, std::string_view message);

// The JSON error body {"error":{"code","message","details"}}.
std::string ErrorBody(std::string_view code, std::string_view message,
                      std::string_view details_json = "null");

// Where internal errors are reported (the server sets this to its log); default: stderr.
void SetInternalErrorSink(std::function<void(std::string_view)> sink);

// True if `path` (percent-decoded) matches `pattern`; fills `params` with the placeholders'
// values. A placeholder's value must be valid UTF-8 without control characters.
bool MatchPath(std::string_view pattern, std::string_view path,
               std::map<std::string, std::string>* params);

// Percent-decodes `text` ('+' stays '+'). nullopt for a malformed escape.
std::optional<std::string> PercentDecode(std::string_view text);

// True if `text` is valid UTF-8 (no overlong forms, no surrogates).
bool IsValidUtf8(std::string_view text);

}  // namespace shewhart::http

#endif  // SHEWHART_HTTP_HTTP_H_
