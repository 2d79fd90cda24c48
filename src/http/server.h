// The HTTP server: one process serving the JSON API (every path under /api/) through a single
// handler, and the web front end's static files from a folder. Our own HTTP/1.1 implementation
// over epoll (README.md "The HTTP layer" says why it replaced cpp-httplib): `threads` threads
// share one epoll set with one-shot events; a thread reads whatever a connection has sent
// without waiting for more, parses the head and body with the limits and deadlines below, and
// only once a request is complete runs the handler and sends the answer itself. An incomplete
// request goes back to epoll, so a slow or idle client holds no thread, only its buffer.
//
// Limits (each answered with the JSON error shape of http.h, then the connection is closed):
//   - request bodies over `max_body_bytes` -> 413, whatever the framing (Content-Length is
//     checked before a byte of the body is read; a chunked body as it grows); no length and no
//     chunking means no body; both -> 400; another transfer coding -> 501;
//   - all bodies being received or handled at once over `max_buffered_body_bytes` -> 503, so
//     memory stays bounded however many clients upload together;
//   - a request line over `max_uri_bytes` -> 414; a head over `max_header_bytes` or with more
//     than `max_header_count` fields -> 431;
//   - deadlines: the whole head within `header_timeout_s` of its first byte, the whole body
//     within `body_timeout_s` of the head and no pause longer than `read_timeout_s` -> 408;
//     an answer not taken by the client for `write_timeout_s` -> closed; an idle keep-alive
//     connection -> closed after `keep_alive_timeout_s`;
//   - at most `max_connections` open connections; more are closed as soon as they are accepted.
// Binding never shares a port (no SO_REUSEPORT): a second server on a taken port fails Bind().
// Answers: gzip when the client accepts it and the type is text-like (>= 1 KiB); security headers
// (nosniff, X-Frame-Options DENY, Referrer-Policy same-origin) on every answer.
// Static files: GET/HEAD only; path traversal ("..", encoded or not, NUL, backslashes) is refused
// (404); MIME types from the extension; Cache-Control "no-cache" for HTML (so a new release is
// seen at once) and "public, max-age=31536000, immutable" under /assets/ (hashed names from the
// front-end build), "public, max-age=3600" otherwise; paths without an extension fall back to
// index.html (the front end routes on the client).
// Access log: one JSON line per request ({"ts","method","path","status","bytes","ms","remote"})
// to `access_log` (stderr when unset). Query strings are not logged (they may hold search text).
//
// Thread-safety: the API handler and the access log are called concurrently from the workers
// (and the log from the event thread). Stop() may be called from any thread.
//
// Example:
//   http::Server server(options, api_handler);
//   ASSIGN_OR_RETURN(int port, server.Bind());   // 0 in options.port = any free port
//   std::thread t([&] { (void)server.Listen(); });
//   ...
//   server.Stop(); t.join();
#ifndef SHEWHART_HTTP_SERVER_H_
#define SHEWHART_HTTP_SERVER_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "http/http.h"

namespace shewhart::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                             // 0: any free port (see Bind)
  std::string static_dir;                      // "" = no static files
  size_t max_body_bytes = 16u << 20;           // the largest body accepted at all (uploads)
  size_t max_buffered_body_bytes = 64u << 20;  // all bodies in flight together
  size_t max_header_bytes = 16u << 10;         // request line + header fields
  size_t max_header_count = 100;
  size_t max_uri_bytes = 8u << 10;
  size_t max_connections = 512;
  int header_timeout_s = 10;     // the whole head, from its first byte
  int body_timeout_s = 60;       // the whole body, from the end of the head
  int read_timeout_s = 10;       // the longest pause inside a body
  int write_timeout_s = 10;      // the longest pause while the client takes an answer
  int keep_alive_timeout_s = 5;  // idle between requests
  int threads = 8;
  std::function<void(std::string_view line)> access_log;  // nullptr: stderr
};

// MIME type for a file name's extension ("application/octet-stream" when unknown).
std::string_view MimeTypeFor(std::string_view file_name);
// Cache-Control value for a static URL path (see above).
std::string_view CacheControlFor(std::string_view url_path);
// Resolves URL `url_path` under `root` to a regular file, or nullopt if it escapes the root,
// contains "..", a backslash or a NUL, or does not exist. Paths without an extension that do not
// exist resolve to root/index.html when that exists.
std::optional<std::string> ResolveStaticPath(const std::string& root, std::string_view url_path);

class Server {
 public:
  // `api` handles every request whose path starts with /api/ (any method); a thrown exception
  // becomes a 500 with the JSON error shape.
  Server(ServerOptions options, Handler api);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket; returns the port. IoError if it cannot bind (the port is taken,
  // even by another server of ours).
  Result<int> Bind();
  // Serves until Stop(). REQUIRES: Bind() succeeded. Blocks.
  Status Listen();
  // Stops Listen() (from any thread) at once: connections are closed whatever they are doing.
  void Stop();
  // Stops gracefully (SIGTERM; from any thread, while Listen() runs): stops accepting (the
  // connections the kernel has already queued are taken first), closes idle keep-alive
  // connections, lets every request being received, handled or answered finish — each answer
  // then says "Connection: close" — and calls Stop() once none is left or `grace` has passed.
  // Blocks until then.
  void Drain(std::chrono::milliseconds grace);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shewhart::http

#endif  // SHEWHART_HTTP_SERVER_H_
