// The HTTP server: one process serving the JSON API (every path under /api/) through a single
// handler, and the web front end's static files from a folder. Wraps cpp-httplib, which never
// appears in our headers.
//
// Limits (each answered with the JSON error shape of http.h):
//   - request bodies over `max_body_bytes` -> 413 (checked by the library before the body is
//     read into memory); per-route smaller limits are the API handler's concern;
//   - URIs over 8 KiB -> 414; slow clients: `read_timeout_s` / `write_timeout_s` per socket
//     operation, keep-alive connections closed after `keep_alive_timeout_s` idle;
//   - a thread pool of `threads` workers bounds concurrency.
// Static files: GET/HEAD only; path traversal ("..", encoded or not, NUL, backslashes) is refused
// (404); MIME types from the extension; Cache-Control "no-cache" for HTML (so a new release is
// seen at once) and "public, max-age=31536000, immutable" under /assets/ (hashed names from the
// front-end build), "public, max-age=3600" otherwise; paths without an extension fall back to
// index.html (the front end routes on the client).
// Access log: one JSON line per request ({"ts","method","path","status","bytes","ms","remote"})
// to `access_log` (stderr when unset). Query strings are not logged (they may hold search text).
//
// Thread-safety: the API handler is called concurrently from the pool's threads.
//
// Example:
//   http::Server server(options, api_handler);
//   ASSIGN_OR_RETURN(int port, server.Bind());   // 0 in options.port = any free port
//   std::thread t([&] { (void)server.Listen(); });
//   ...
//   server.Stop(); t.join();
#ifndef SHEWHART_HTTP_SERVER_H_
#define SHEWHART_HTTP_SERVER_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "http/http.h"

namespace shewhart::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                    // 0: any free port (see Bind)
  std::string static_dir;             // "" = no static files
  size_t max_body_bytes = 16u << 20;  // the largest body accepted at all (uploads)
  int read_timeout_s = 10;
  int write_timeout_s = 10;
  int keep_alive_timeout_s = 5;
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

  // Binds the listening socket; returns the port. IoError if it cannot bind.
  Result<int> Bind();
  // Serves until Stop(). REQUIRES: Bind() succeeded. Blocks.
  Status Listen();
  // Stops Listen() (from any thread).
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shewhart::http

#endif  // SHEWHART_HTTP_SERVER_H_
