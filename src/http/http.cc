#include "http/http.h"

#include <cstdio>
#include <iostream>
#include <mutex>

#include "http/json.h"

namespace shewhart::http {
namespace {

std::mutex sink_mu;
std::function<void(std::string_view)>& Sink() {
  static std::function<void(std::string_view)> sink = [](std::string_view m) {
    std::cerr << m << '\n';
  };
  return sink;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::string_view ProtocolCode(int http_status) {
  switch (http_status) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthenticated";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 408:
      return "timeout";
    case 409:
      return "conflict";
    case 413:
      return "payload_too_large";
    case 414:
      return "uri_too_long";
    case 415:
      return "unsupported_media_type";
    case 429:
      return "too_many_requests";
    case 431:
      return "headers_too_large";
    case 501:
      return "not_implemented";
    case 503:
      return "unavailable";
    default:
      return http_status >= 500 ? "internal" : "bad_request";
  }
}

}  // namespace

std::string_view MethodName(Method m) {
  switch (m) {
    case Method::kGet:
      return "GET";
    case Method::kPost:
      return "POST";
    case Method::kPut:
      return "PUT";
    case Method::kDelete:
      return "DELETE";
  }
  return "GET";
}

std::string Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return "";
}

std::optional<std::string> Request::Query(std::string_view name) const {
  auto it = query.find(std::string(name));
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::string Request::Cookie(std::string_view name) const {
  const std::string header = Header("cookie");
  std::string_view rest = header;
  while (!rest.empty()) {
    size_t end = rest.find(';');
    std::string_view part = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    if (part.substr(0, eq) == name) return std::string(part.substr(eq + 1));
  }
  return "";
}

int HttpStatusOf(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
      return 409;
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kIoError:
      return 503;
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

void SetInternalErrorSink(std::function<void(std::string_view)> sink) {
  std::lock_guard<std::mutex> lock(sink_mu);
  Sink() = std::move(sink);
}

std::string ErrorBody(std::string_view code, std::string_view message,
                      std::string_view details_json) {
  std::string body = "{\"error\":{\"code\":";
  body += JsonQuote(code);
  body += ",\"message\":";
  body += JsonQuote(message);
  body += ",\"details\":";
  body += details_json.empty() ? std::string_view("null") : details_json;
  body += "}}";
  return body;
}

Response ErrorResponse(const Status& status, std::string_view details_json) {
  Response r;
  r.status = HttpStatusOf(status.code());
  std::string message = status.message();
  if (status.code() == StatusCode::kInternal || status.code() == StatusCode::kIoError) {
    // Internal messages may name SQL or files: they go to the log, never to the client.
    {
      std::lock_guard<std::mutex> lock(sink_mu);
      Sink()(status.ToString());
    }
    message = status.code() == StatusCode::kInternal
                  ? "something went wrong on the server; the error has been logged"
                  : "the database or a file was not available; please try again";
    details_json = "null";
  }
  if (status.code() == StatusCode::kResourceExhausted) r.headers.emplace_back("Retry-After", "5");
  r.body = ErrorBody(StatusCodeName(status.code()), message, details_json);
  return r;
}

Response ProtocolError(int http_status, std::string_view message) {
  Response r;
  r.status = http_status;
  r.body = ErrorBody(ProtocolCode(http_status), message);
  return r;
}

std::optional<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int hi = hex(text[i + 1]), lo = hex(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    int len = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (int k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

bool MatchPath(std::string_view pattern, std::string_view path,
               std::map<std::string, std::string>* params) {
  params->clear();
  while (true) {
    if (pattern.empty() || path.empty()) return pattern.empty() && path.empty();
    if (pattern.front() != '/' || path.front() != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const size_t pe = pattern.find('/');
    const size_t se = path.find('/');
    const std::string_view pseg = pattern.substr(0, pe);
    const std::string_view sseg = path.substr(0, se);
    if (pseg.size() >= 2 && pseg.front() == '{' && pseg.back() == '}') {
      if (sseg.empty()) return false;
      if (!IsValidUtf8(sseg)) return false;
      for (const char c : sseg) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return false;
      }
      (*params)[std::string(pseg.substr(1, pseg.size() - 2))] = std::string(sseg);
    } else if (pseg != sseg) {
      return false;
    }
    pattern = pe == std::string_view::npos ? std::string_view() : pattern.substr(pe);
    path = se == std::string_view::npos ? std::string_view() : path.substr(se);
  }
}

}  // namespace shewhart::http
