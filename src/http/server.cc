#include "http/server.h"

#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "http/json.h"

namespace shewhart::http {
namespace {

namespace fs = std::filesystem;

thread_local std::chrono::steady_clock::time_point request_start;

struct MimeEntry {
  std::string_view ext;
  std::string_view type;
};
constexpr MimeEntry kMimeTypes[] = {
    {".html", "text/html; charset=utf-8"},
    {".htm", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".webp", "image/webp"},
    {".ico", "image/x-icon"},
    {".woff", "font/woff"},
    {".woff2", "font/woff2"},
    {".ttf", "font/ttf"},
    {".txt", "text/plain; charset=utf-8"},
    {".csv", "text/csv; charset=utf-8"},
    {".pdf", "application/pdf"},
    {".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {".webmanifest", "application/manifest+json"},
    {".wasm", "application/wasm"},
};

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string UtcTimestamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof(out), "%s.%03dZ", buf, static_cast<int>(ms));
  return out;
}

void Apply(const Response& r, httplib::Response& res) {
  res.status = r.status;
  for (const auto& [k, v] : r.headers) res.set_header(k, v);
  res.set_content(r.body, r.content_type);
}

std::optional<Method> MethodOf(const std::string& m) {
  if (m == "GET" || m == "HEAD") return Method::kGet;
  if (m == "POST") return Method::kPost;
  if (m == "PUT") return Method::kPut;
  if (m == "DELETE") return Method::kDelete;
  return std::nullopt;
}

}  // namespace

std::string_view MimeTypeFor(std::string_view file_name) {
  const size_t dot = file_name.rfind('.');
  const size_t slash = file_name.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return "application/octet-stream";
  }
  const std::string ext = LowerAscii(file_name.substr(dot));
  for (const MimeEntry& e : kMimeTypes) {
    if (e.ext == ext) return e.type;
  }
  return "application/octet-stream";
}

std::string_view CacheControlFor(std::string_view url_path) {
  if (url_path.starts_with("/assets/")) return "public, max-age=31536000, immutable";
  const std::string_view mime = MimeTypeFor(url_path);
  if (mime.starts_with("text/html") || url_path.empty() || url_path.back() == '/' ||
      mime == "application/octet-stream") {
    return "no-cache";
  }
  return "public, max-age=3600";
}

std::optional<std::string> ResolveStaticPath(const std::string& root, std::string_view url_path) {
  if (root.empty() || url_path.empty() || url_path.front() != '/') return std::nullopt;
  if (url_path.find('\0') != std::string_view::npos ||
      url_path.find('\\') != std::string_view::npos || !IsValidUtf8(url_path)) {
    return std::nullopt;
  }
  // Refuse any ".." segment outright rather than normalising it away.
  std::string_view rest = url_path;
  while (!rest.empty()) {
    rest.remove_prefix(1);
    const size_t end = rest.find('/');
    if (rest.substr(0, end) == "..") return std::nullopt;
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  }
  std::error_code ec;
  const fs::path base = fs::canonical(root, ec);
  if (ec) return std::nullopt;
  fs::path candidate = base / fs::path(std::string(url_path.substr(1)));
  if (url_path.back() == '/') candidate /= "index.html";
  fs::path resolved = fs::canonical(candidate, ec);
  if (ec || !fs::is_regular_file(resolved, ec)) {
    // A client-side route ("/board/RJZ"): no extension -> the front end's index.html.
    const std::string last = fs::path(std::string(url_path)).filename().string();
    if (last.find('.') != std::string::npos) return std::nullopt;
    resolved = fs::canonical(base / "index.html", ec);
    if (ec || !fs::is_regular_file(resolved, ec)) return std::nullopt;
  }
  const std::string base_text = base.string() + "/";
  const std::string resolved_text = resolved.string();
  if (!resolved_text.starts_with(base_text)) return std::nullopt;  // a symlink out of the root
  return resolved_text;
}

struct Server::Impl {
  ServerOptions options;
  Handler api;
  httplib::Server server;

  void Log(const httplib::Request& req, const httplib::Response& res) {
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - request_start)
            .count();
    char timing[32];
    std::snprintf(timing, sizeof(timing), "%.3f", ms);
    std::string line = "{\"ts\":\"" + UtcTimestamp() + "\",\"method\":" + JsonQuote(req.method) +
                       ",\"path\":" + JsonQuote(req.path) +
                       ",\"status\":" + std::to_string(res.status) +
                       ",\"bytes\":" + std::to_string(res.body.size()) + ",\"ms\":" + timing +
                       ",\"remote\":" + JsonQuote(req.remote_addr) + "}";
    if (options.access_log) {
      options.access_log(line);
    } else {
      std::fprintf(stderr, "%s\n", line.c_str());
    }
  }

  void ServeStatic(const httplib::Request& req, httplib::Response& res) {
    std::optional<std::string> file =
        options.static_dir.empty() ? std::nullopt : ResolveStaticPath(options.static_dir, req.path);
    if (!file) {
      Apply(ProtocolError(404, "no such page"), res);
      return;
    }
    std::ifstream in(*file, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    if (!in.good() && !in.eof()) {
      Apply(ProtocolError(404, "no such page"), res);
      return;
    }
    res.status = 200;
    res.set_header("Cache-Control", std::string(CacheControlFor(req.path)));
    res.set_content(content.str(), std::string(MimeTypeFor(*file)));
  }

  void Dispatch(const httplib::Request& req, httplib::Response& res) {
    if (!req.path.starts_with("/api/")) {
      if (req.method != "GET" && req.method != "HEAD") {
        Apply(ProtocolError(405, "only GET is allowed here"), res);
        return;
      }
      ServeStatic(req, res);
      return;
    }
    std::optional<Method> method = MethodOf(req.method);
    if (!method) {
      Apply(ProtocolError(405, "method not allowed"), res);
      return;
    }
    Request r;
    r.method = *method;
    r.path = req.path;
    if (!IsValidUtf8(r.path)) {
      Apply(ProtocolError(400, "the path is not valid UTF-8"), res);
      return;
    }
    for (const auto& [k, v] : req.params) {
      if (!IsValidUtf8(k) || !IsValidUtf8(v)) {
        Apply(ProtocolError(400, "a query parameter is not valid UTF-8"), res);
        return;
      }
      r.query.emplace(k, v);
    }
    for (const auto& [k, v] : req.headers) r.headers.emplace(LowerAscii(k), v);
    r.body = req.body;
    r.remote_addr = req.remote_addr;
    Response out;
    try {
      out = api(r);
    } catch (const std::exception& e) {
      ErrorResponse(InternalError(std::string("uncaught exception: ") + e.what()));
      out = ProtocolError(500, "something went wrong on the server; the error has been logged");
    }
    out.headers.emplace_back("Cache-Control", "no-store");
    Apply(out, res);
  }
};

Server::Server(ServerOptions options, Handler api) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->api = std::move(api);
  Impl* impl = impl_.get();
  httplib::Server& s = impl->server;
  const int threads = std::max(1, impl->options.threads);
  s.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  s.set_payload_max_length(impl->options.max_body_bytes);
  // Without TCP_NODELAY every small keep-alive response waits ~40 ms for the client's delayed
  // acknowledgement (Nagle): bench/README.md measured 291 req/s with it off, ~5,900 with it on.
  s.set_tcp_nodelay(true);
  s.set_read_timeout(impl->options.read_timeout_s, 0);
  s.set_write_timeout(impl->options.write_timeout_s, 0);
  s.set_keep_alive_timeout(impl->options.keep_alive_timeout_s);
  s.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                         {"X-Frame-Options", "DENY"},
                         {"Referrer-Policy", "same-origin"}});
  s.set_pre_routing_handler([](const httplib::Request& req, httplib::Response&) {
    request_start = std::chrono::steady_clock::now();
    // cpp-httplib answers a browser that offers "br" with brotli at quality 11: over a second of
    // CPU for a 300 KB stylesheet or board document on this hardware (bench/README.md). gzip
    // costs a few milliseconds, so the library is only ever offered gzip. The Request is the
    // library's own mutable object, passed as const to handlers.
    auto& headers = const_cast<httplib::Request&>(req).headers;
    const auto it = headers.find("Accept-Encoding");
    if (it != headers.end()) {
      const bool gzip = it->second.find("gzip") != std::string::npos;
      headers.erase(it);
      if (gzip) headers.emplace("Accept-Encoding", "gzip");
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  auto dispatch = [impl](const httplib::Request& req, httplib::Response& res) {
    impl->Dispatch(req, res);
  };
  s.Get(".*", dispatch);
  s.Post(".*", dispatch);
  s.Put(".*", dispatch);
  s.Delete(".*", dispatch);
  // Errors the library produces itself (413, 414, 400 for a malformed request line, 404 for an
  // unsupported method) get the JSON error shape; our own error bodies are left alone.
  s.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        std::string message = "the request could not be handled";
        if (res.status == 413) message = "the request body is larger than this server accepts";
        if (res.status == 414) message = "the request URI is too long";
        if (res.status == 404) message = "no such page";
        Apply(ProtocolError(res.status, message), res);
        return httplib::Server::HandlerResponse::Handled;
      }));
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    Apply(ProtocolError(500, "something went wrong on the server; the error has been logged"), res);
  });
  s.set_logger(
      [impl](const httplib::Request& req, const httplib::Response& res) { impl->Log(req, res); });
}

Server::~Server() { Stop(); }

Result<int> Server::Bind() {
  if (impl_->options.port == 0) {
    const int port = impl_->server.bind_to_any_port(impl_->options.host);
    if (port <= 0) return IoError("cannot listen on " + impl_->options.host);
    return port;
  }
  if (!impl_->server.bind_to_port(impl_->options.host, impl_->options.port)) {
    return IoError("cannot listen on " + impl_->options.host + ":" +
                   std::to_string(impl_->options.port) + " (is the port in use?)");
  }
  return impl_->options.port;
}

Status Server::Listen() {
  if (!impl_->server.listen_after_bind()) return IoError("the server stopped unexpectedly");
  return Status::Ok();
}

void Server::Stop() {
  if (impl_ && impl_->server.is_running()) impl_->server.stop();
}

}  // namespace shewhart::http
