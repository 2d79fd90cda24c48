#include "http/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <vector>

#include "http/json.h"

namespace shewhart::http {
namespace {

namespace fs = std::filesystem;

using Clock = std::chrono::steady_clock;

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

// The reason phrase of a status line.
std::string_view Reason(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Query-string decoding: '+' is a space, then percent escapes.
std::optional<std::string> DecodeQueryPart(std::string_view s) {
  std::string plus(s);
  for (char& c : plus) {
    if (c == '+') c = ' ';
  }
  return PercentDecode(plus);
}

bool ParseQuery(std::string_view q, std::multimap<std::string, std::string>* out) {
  while (!q.empty()) {
    const size_t amp = q.find('&');
    const std::string_view part = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    std::optional<std::string> k = DecodeQueryPart(part.substr(0, eq));
    std::optional<std::string> v =
        DecodeQueryPart(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1));
    if (!k || !v) return false;
    out->emplace(std::move(*k), std::move(*v));
  }
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool IsCompressible(std::string_view content_type) {
  return content_type.starts_with("text/") || content_type.find("json") != std::string_view::npos ||
         content_type.find("javascript") != std::string_view::npos ||
         content_type.find("xml") != std::string_view::npos;
}

std::optional<std::string> Gzip(std::string_view in) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return std::nullopt;
  }
  std::string out(deflateBound(&z, in.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  const size_t n = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return std::nullopt;
  out.resize(n);
  return out;
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

// ---------------------------------------------------------------------------------------------
// The server: `threads` threads share one epoll set (EPOLLONESHOT: one thread at a time owns a
// connection's event). A thread reads what a connection has sent without ever waiting for more
// (non-blocking), parses the head and the body with limits and deadlines, and only when a request
// is complete runs the handler and sends the answer — in the same thread, with no hand-over
// between threads. An incomplete request is re-armed and the thread moves on, so idle or slow
// clients cost a little memory, never a thread. Deadlines are swept every 200 ms.

namespace {

constexpr uint64_t kListenId = 0;
constexpr uint64_t kWakeId = 1;

// kLinger: the answer was written and our side shut down; what the client still sends (the rest
// of a refused body) is read and dropped for a moment, so that it receives the answer instead of
// a reset.
enum class ConnState { kHead, kBody, kBusy, kWrite, kLinger };

struct Conn {
  std::mutex mu;  // held by the thread handling the connection's event (or sweeping it)
  bool closed = false;
  int fd = -1;
  uint64_t id = 0;
  std::string remote;
  ConnState state = ConnState::kHead;
  bool eof = false;  // the client closed its sending side
  std::string in;    // bytes read and not yet consumed
  // The request being read.
  std::string method;
  std::string target;
  bool http10 = false;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  bool chunked = false;
  size_t content_length = 0;
  std::string body;
  size_t chunk_left = 0;  // chunked: bytes left in the current chunk
  int chunk_phase = 0;    // 0 size line, 1 data, 2 CRLF after data, 3 trailers
  size_t reserved = 0;    // body bytes counted against the server-wide budget
  bool keep_alive = true;
  bool head_only = false;
  bool started = false;  // a byte of the current request has arrived
  int64_t served = 0;    // answers sent on this connection (0: fresh, its request is coming)
  Clock::time_point deadline;
  Clock::time_point last_progress;
  // The answer being written.
  std::string out;
  size_t out_off = 0;
  bool close_after = false;
};

struct Job {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote;
};

}  // namespace

struct Server::Impl {
  ServerOptions options;
  Handler api;
  int listen_fd = -1;
  int epoll_fd = -1;
  int wake_fd = -1;
  std::atomic<bool> stopping{false};
  std::atomic<bool> draining{false};  // Drain(): no new connections, each closes after its answer
  std::mutex accept_mu;               // guards listen_fd against Drain() closing it
  std::mutex map_mu;  // guards conns and next_id; never taken while waiting for a Conn::mu
  std::unordered_map<uint64_t, std::shared_ptr<Conn>> conns;
  uint64_t next_id = 2;
  std::atomic<size_t> buffered{0};  // body bytes reserved by requests in flight
  std::atomic<int64_t> last_sweep_ms{0};
  std::vector<std::thread> threads;

  ~Impl() {
    if (listen_fd >= 0) close(listen_fd);
    if (epoll_fd >= 0) close(epoll_fd);
    if (wake_fd >= 0) close(wake_fd);
  }

  void LogLine(const std::string& method, const std::string& path, int status, size_t bytes,
               Clock::time_point start, const std::string& remote) {
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    char timing[32];
    std::snprintf(timing, sizeof(timing), "%.3f", ms);
    std::string line = "{\"ts\":\"" + UtcTimestamp() + "\",\"method\":" + JsonQuote(method) +
                       ",\"path\":" + JsonQuote(path) + ",\"status\":" + std::to_string(status) +
                       ",\"bytes\":" + std::to_string(bytes) + ",\"ms\":" + timing +
                       ",\"remote\":" + JsonQuote(remote) + "}";
    if (options.access_log) {
      options.access_log(line);
    } else {
      std::fprintf(stderr, "%s\n", line.c_str());
    }
  }

  // The bytes of an answer: status line, headers, body (gzip when asked for and worth it).
  static std::string Serialise(Response r, bool head_only, bool keep_alive,
                               std::string_view accept_encoding) {
    bool gzip = false;
    // A handler that sends its body already encoded (a cached, precompressed document) says so
    // with its own Content-Encoding header: never encoded twice.
    bool encoded = false;
    for (const auto& [k, v] : r.headers) {
      if (EqualsIgnoreCase(k, "content-encoding")) encoded = true;
    }
    if (!encoded && r.body.size() >= 1024 && IsCompressible(r.content_type) &&
        accept_encoding.find("gzip") != std::string_view::npos) {
      if (std::optional<std::string> z = Gzip(r.body)) {
        r.body = std::move(*z);
        gzip = true;
      }
    }
    std::string out;
    out.reserve(256 + (head_only ? 0 : r.body.size()));
    out += "HTTP/1.1 " + std::to_string(r.status) + " " + std::string(Reason(r.status)) + "\r\n";
    if (!r.content_type.empty()) out += "Content-Type: " + r.content_type + "\r\n";
    // 304 and 204 carry no body, and no Content-Length (a 304's would describe the 200).
    if (r.status != 304 && r.status != 204) {
      out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
    }
    out +=
        "X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\n"
        "Referrer-Policy: same-origin\r\n";
    if (gzip) out += "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n";
    out += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
    for (const auto& [k, v] : r.headers) {
      // A handler's header never splits the answer.
      if (k.find_first_of("\r\n") != std::string::npos ||
          v.find_first_of("\r\n") != std::string::npos) {
        continue;
      }
      out += k + ": " + v + "\r\n";
    }
    out += "\r\n";
    if (!head_only) out += r.body;
    return out;
  }

  Response ServeStatic(const std::string& path) {
    std::optional<std::string> file =
        options.static_dir.empty() ? std::nullopt : ResolveStaticPath(options.static_dir, path);
    if (!file) return ProtocolError(404, "no such page");
    std::ifstream in(*file, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    if (!in.good() && !in.eof()) return ProtocolError(404, "no such page");
    Response r;
    r.status = 200;
    r.content_type = std::string(MimeTypeFor(*file));
    r.body = content.str();
    r.headers.emplace_back("Cache-Control", std::string(CacheControlFor(path)));
    return r;
  }

  // The answer to one complete request (runs the handler).
  Response Dispatch(Job& job, std::string* logged_path) {
    const size_t q = job.target.find('?');
    std::optional<std::string> path = PercentDecode(job.target.substr(0, q));
    if (!path || path->empty() || (*path)[0] != '/') {
      return ProtocolError(400, "the request path is malformed");
    }
    *logged_path = *path;
    if (!path->starts_with("/api/")) {
      if (job.method != "GET" && job.method != "HEAD") {
        return ProtocolError(405, "only GET is allowed here");
      }
      return ServeStatic(*path);
    }
    Request r;
    if (job.method == "GET" || job.method == "HEAD") {
      r.method = Method::kGet;
    } else if (job.method == "POST") {
      r.method = Method::kPost;
    } else if (job.method == "PUT") {
      r.method = Method::kPut;
    } else if (job.method == "DELETE") {
      r.method = Method::kDelete;
    } else {
      return ProtocolError(405, "method not allowed");
    }
    if (!IsValidUtf8(*path)) return ProtocolError(400, "the path is not valid UTF-8");
    r.path = std::move(*path);
    if (q != std::string::npos) {
      if (!ParseQuery(std::string_view(job.target).substr(q + 1), &r.query)) {
        return ProtocolError(400, "the query string is malformed");
      }
      for (const auto& [k, v] : r.query) {
        if (!IsValidUtf8(k) || !IsValidUtf8(v)) {
          return ProtocolError(400, "a query parameter is not valid UTF-8");
        }
      }
    }
    for (auto& [k, v] : job.headers) r.headers.emplace(k, v);
    r.body = std::move(job.body);
    r.remote_addr = job.remote;
    Response out;
    try {
      out = api(r);
    } catch (const std::exception& e) {
      ErrorResponse(InternalError(std::string("uncaught exception: ") + e.what()));
      out = ProtocolError(500, "something went wrong on the server; the error has been logged");
    }
    // API answers are not stored by browsers or proxies, unless the handler says otherwise (a
    // cached document: "private, no-cache" with an ETag, revalidated on every use).
    bool has_cache_control = false;
    for (const auto& [k, v] : out.headers) {
      if (EqualsIgnoreCase(k, "cache-control")) has_cache_control = true;
    }
    if (!has_cache_control) out.headers.emplace_back("Cache-Control", "no-store");
    return out;
  }

  // Runs the handler for the complete request in `c` (in this thread) and prepares the answer.
  void Execute(Conn& c) {
    c.state = ConnState::kBusy;
    const Clock::time_point start = Clock::now();
    Job job{std::move(c.method), std::move(c.target), std::move(c.headers), std::move(c.body),
            c.remote};
    std::string accept_encoding;
    for (const auto& [k, v] : job.headers) {
      if (k == "accept-encoding") accept_encoding = v;
    }
    const std::string method = job.method;
    std::string logged_path = job.target.substr(0, job.target.find('?'));
    Response r;
    try {
      r = Dispatch(job, &logged_path);
    } catch (const std::exception& e) {
      r = ProtocolError(500, "something went wrong on the server; the error has been logged");
    }
    Release(c);
    job.body.clear();
    job.body.shrink_to_fit();
    const int status = r.status;
    const size_t bytes = r.body.size();
    if (draining.load()) c.keep_alive = false;  // the client reconnects elsewhere
    ++c.served;
    c.out = Serialise(std::move(r), c.head_only, c.keep_alive, accept_encoding);
    c.out_off = 0;
    c.close_after = !c.keep_alive;
    c.state = ConnState::kWrite;
    c.last_progress = Clock::now();
    c.deadline = c.last_progress + std::chrono::seconds(options.write_timeout_s);
    LogLine(method, logged_path, status, bytes, start, c.remote);
  }

  // Re-arms the connection's one-shot event for what its state waits for.
  void Arm(Conn& c) {
    epoll_event ev{};
    ev.events = EPOLLONESHOT | EPOLLRDHUP |
                (c.state == ConnState::kWrite ? static_cast<uint32_t>(EPOLLOUT)
                                              : static_cast<uint32_t>(EPOLLIN));
    ev.data.u64 = c.id;
    epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c.fd, &ev);
  }

  // REQUIRES: c.mu held.
  void Close(Conn& c) {
    if (c.closed) return;
    Release(c);
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c.fd, nullptr);
    close(c.fd);
    c.closed = true;
    std::lock_guard<std::mutex> lock(map_mu);
    conns.erase(c.id);
  }

  void Release(Conn& c) {
    buffered -= c.reserved;
    c.reserved = 0;
  }

  bool Reserve(Conn& c, size_t bytes) {
    size_t now = buffered.load();
    do {
      if (now + bytes > options.max_buffered_body_bytes) return false;
    } while (!buffered.compare_exchange_weak(now, now + bytes));
    c.reserved += bytes;
    return true;
  }

  // Answers a protocol error and closes after writing it (Drive writes it).
  void Refuse(Conn& c, int status, std::string_view message) {
    Release(c);
    Response r = ProtocolError(status, message);
    LogLine(c.method.empty() ? "-" : c.method, c.target.substr(0, c.target.find('?')), status,
            r.body.size(), Clock::now(), c.remote);
    c.out = Serialise(std::move(r), false, false, "");
    c.out_off = 0;
    c.close_after = true;
    c.state = ConnState::kWrite;
    c.in.clear();
    c.last_progress = Clock::now();
    c.deadline = Clock::now() + std::chrono::seconds(options.write_timeout_s);
  }

  void StartWaiting(Conn& c) {
    c.state = ConnState::kHead;
    c.method.clear();
    c.target.clear();
    c.headers.clear();
    c.body.clear();
    c.chunked = false;
    c.content_length = 0;
    c.chunk_phase = 0;
    c.started = !c.in.empty();
    c.deadline = Clock::now() + std::chrono::seconds(c.started ? options.header_timeout_s
                                                               : options.keep_alive_timeout_s);
    c.last_progress = Clock::now();
  }

  // Parses the head in c.in; true when it is complete (or the connection was refused).
  // Returns false while more bytes are needed.
  bool ParseHead(Conn& c, bool* refused) {
    *refused = false;
    const size_t end = c.in.find("\r\n\r\n");
    if (end == std::string::npos) {
      const size_t line_end = c.in.find("\r\n");
      if (line_end == std::string::npos && c.in.size() > options.max_uri_bytes + 32) {
        Refuse(c, 414, "the request URI is too long");
        *refused = true;
      } else if (c.in.size() > options.max_header_bytes) {
        Refuse(c, 431, "the request headers are larger than this server accepts");
        *refused = true;
      }
      return *refused;
    }
    if (c.in.find("\r\n") > options.max_uri_bytes + 32) {
      Refuse(c, 414, "the request URI is too long");
      *refused = true;
      return true;
    }
    if (end + 4 > options.max_header_bytes) {
      Refuse(c, 431, "the request headers are larger than this server accepts");
      *refused = true;
      return true;
    }
    std::string_view head(c.in.data(), end);
    const size_t line_end = head.find("\r\n");
    const std::string_view line = head.substr(0, line_end);
    const size_t sp1 = line.find(' ');
    const size_t sp2 = line.rfind(' ');
    if (sp1 == std::string_view::npos || sp2 == sp1) {
      Refuse(c, 400, "the request line is malformed");
      *refused = true;
      return true;
    }
    c.method = std::string(line.substr(0, sp1));
    c.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
    const std::string_view version = line.substr(sp2 + 1);
    if (c.target.size() > options.max_uri_bytes) {
      Refuse(c, 414, "the request URI is too long");
      *refused = true;
      return true;
    }
    if (version != "HTTP/1.1" && version != "HTTP/1.0") {
      Refuse(c, 400, "only HTTP/1.0 and HTTP/1.1 are spoken here");
      *refused = true;
      return true;
    }
    for (char ch : c.method) {
      if (!IsTokenChar(ch)) {
        Refuse(c, 400, "the request method is malformed");
        *refused = true;
        return true;
      }
    }
    for (char ch : c.target) {
      if (static_cast<unsigned char>(ch) <= 0x20 || ch == 0x7F) {
        Refuse(c, 400, "the request target is malformed");
        *refused = true;
        return true;
      }
    }
    c.http10 = version == "HTTP/1.0";
    c.keep_alive = !c.http10;
    std::string_view rest =
        line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 2);
    std::optional<size_t> content_length;
    bool expect_continue = false;
    while (!rest.empty()) {
      const size_t e = rest.find("\r\n");
      const std::string_view h = rest.substr(0, e);
      rest = e == std::string_view::npos ? std::string_view() : rest.substr(e + 2);
      const size_t colon = h.find(':');
      if (colon == std::string_view::npos || colon == 0) {
        Refuse(c, 400, "a request header is malformed");
        *refused = true;
        return true;
      }
      std::string name(h.substr(0, colon));
      for (char& ch : name) {
        if (!IsTokenChar(ch)) {
          Refuse(c, 400, "a request header name is malformed");
          *refused = true;
          return true;
        }
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
      }
      const std::string_view value = Trim(h.substr(colon + 1));
      for (char ch : value) {
        if ((static_cast<unsigned char>(ch) < 0x20 && ch != '\t') || ch == 0x7F) {
          Refuse(c, 400, "a request header value holds a control character");
          *refused = true;
          return true;
        }
      }
      if (c.headers.size() >= options.max_header_count) {
        Refuse(c, 431, "the request has more headers than this server accepts");
        *refused = true;
        return true;
      }
      if (name == "content-length") {
        size_t n = 0;
        if (value.empty() || value.size() > 15 ||
            value.find_first_not_of("0123456789") != std::string_view::npos) {
          Refuse(c, 400, "Content-Length is malformed");
          *refused = true;
          return true;
        }
        for (char ch : value) n = n * 10 + static_cast<size_t>(ch - '0');
        if (content_length && *content_length != n) {
          Refuse(c, 400, "conflicting Content-Length headers");
          *refused = true;
          return true;
        }
        content_length = n;
      } else if (name == "transfer-encoding") {
        std::string v(value);
        for (char& ch : v) {
          if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
        }
        if (v != "chunked" || c.chunked) {
          Refuse(c, 501, "only the chunked transfer coding is understood");
          *refused = true;
          return true;
        }
        c.chunked = true;
      } else if (name == "connection") {
        std::string v(value);
        for (char& ch : v) {
          if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
        }
        if (v.find("close") != std::string::npos) c.keep_alive = false;
        if (v.find("keep-alive") != std::string::npos && c.http10) c.keep_alive = true;
      } else if (name == "expect") {
        expect_continue = true;
      }
      c.headers.emplace_back(std::move(name), std::string(value));
    }
    c.in.erase(0, end + 4);
    if (c.chunked && content_length) {
      Refuse(c, 400, "both Content-Length and Transfer-Encoding: refused");
      *refused = true;
      return true;
    }
    c.content_length = content_length.value_or(0);
    if (c.content_length > options.max_body_bytes) {
      Refuse(c, 413, "the request body is larger than this server accepts");
      *refused = true;
      return true;
    }
    c.head_only = c.method == "HEAD";
    c.state = ConnState::kBody;
    c.deadline = Clock::now() + std::chrono::seconds(options.body_timeout_s);
    if (!c.chunked && c.content_length > 0) {
      if (!Reserve(c, c.content_length)) {
        Refuse(c, 503, "the server is busy receiving other uploads; try again shortly");
        *refused = true;
        return true;
      }
    }
    if (expect_continue && (c.chunked || c.content_length > 0) && c.in.empty()) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      [[maybe_unused]] const ssize_t n =
          send(c.fd, kContinue.data(), kContinue.size(), MSG_NOSIGNAL);
    }
    return true;
  }

  // Moves body bytes from c.in into c.body; true when the body is complete.
  bool ReadBody(Conn& c, bool* refused) {
    *refused = false;
    if (!c.chunked) {
      const size_t want = c.content_length - c.body.size();
      const size_t take = std::min(want, c.in.size());
      c.body.append(c.in, 0, take);
      c.in.erase(0, take);
      return c.body.size() == c.content_length;
    }
    for (;;) {
      if (c.chunk_phase == 0 || c.chunk_phase == 3) {
        const size_t e = c.in.find("\r\n");
        if (e == std::string::npos) {
          if (c.in.size() > 4096) {
            Refuse(c, 400, "a chunk header is malformed");
            *refused = true;
          }
          return *refused;
        }
        const std::string_view line(c.in.data(), e);
        if (c.chunk_phase == 3) {  // trailers, up to the empty line
          c.in.erase(0, e + 2);
          if (line.empty()) return true;
          continue;
        }
        const std::string_view size_text = Trim(line.substr(0, line.find(';')));
        size_t n = 0;
        if (size_text.empty() || size_text.size() > 8) {
          Refuse(c, 400, "a chunk size is malformed");
          *refused = true;
          return true;
        }
        for (char ch : size_text) {
          int d = -1;
          if (ch >= '0' && ch <= '9') d = ch - '0';
          if (ch >= 'a' && ch <= 'f') d = ch - 'a' + 10;
          if (ch >= 'A' && ch <= 'F') d = ch - 'A' + 10;
          if (d < 0) {
            Refuse(c, 400, "a chunk size is malformed");
            *refused = true;
            return true;
          }
          n = n * 16 + static_cast<size_t>(d);
        }
        c.in.erase(0, e + 2);
        if (n == 0) {
          c.chunk_phase = 3;
          continue;
        }
        if (c.body.size() + n > options.max_body_bytes) {
          Refuse(c, 413, "the request body is larger than this server accepts");
          *refused = true;
          return true;
        }
        if (!Reserve(c, n)) {
          Refuse(c, 503, "the server is busy receiving other uploads; try again shortly");
          *refused = true;
          return true;
        }
        c.chunk_left = n;
        c.chunk_phase = 1;
      }
      if (c.chunk_phase == 1) {
        const size_t take = std::min(c.chunk_left, c.in.size());
        c.body.append(c.in, 0, take);
        c.in.erase(0, take);
        c.chunk_left -= take;
        if (c.chunk_left > 0) return false;
        c.chunk_phase = 2;
      }
      if (c.chunk_phase == 2) {
        if (c.in.size() < 2) return false;
        if (c.in[0] != '\r' || c.in[1] != '\n') {
          Refuse(c, 400, "a chunk is not followed by CRLF");
          *refused = true;
          return true;
        }
        c.in.erase(0, 2);
        c.chunk_phase = 0;
      }
    }
  }

  // Writes what the socket takes; true once the whole answer is written. Closes on an error.
  bool WriteSome(Conn& c) {
    while (c.out_off < c.out.size()) {
      const ssize_t n =
          send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
      if (n > 0) {
        c.out_off += static_cast<size_t>(n);
        c.last_progress = Clock::now();
        c.deadline = c.last_progress + std::chrono::seconds(options.write_timeout_s);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
      if (n < 0 && errno == EINTR) continue;
      Close(c);
      return false;
    }
    c.out.clear();
    c.out.shrink_to_fit();
    c.out_off = 0;
    return true;
  }

  // A fresh answer: the thread that made it sends it, waiting for the socket to drain for at most
  // kFreshWriteWaitMs in all (a large answer to a client that reads at a normal pace is gone in
  // that time; otherwise the rest waits for EPOLLOUT like any slow reader). Without this wait,
  // the rest of a large answer queues behind other requests' handlers for a thread.
  static constexpr int kFreshWriteWaitMs = 200;
  void WriteFresh(Conn& c) {
    const Clock::time_point until = Clock::now() + std::chrono::milliseconds(kFreshWriteWaitMs);
    while (!c.closed && !WriteSome(c) && !c.closed) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
      if (left <= 0) return;
      pollfd p{c.fd, POLLOUT, 0};
      if (poll(&p, 1, static_cast<int>(left)) <= 0) return;
    }
  }

  // Advances a connection as far as it goes without waiting: head, body, the handler, the answer,
  // and on to a pipelined next request.
  void Drive(Conn& c) {
    while (!c.closed) {
      bool refused = false;
      switch (c.state) {
        case ConnState::kHead:
          if (c.in.empty()) return;
          if (!c.started) {
            c.started = true;
            c.deadline = Clock::now() + std::chrono::seconds(options.header_timeout_s);
          }
          if (!ParseHead(c, &refused)) return;
          break;
        case ConnState::kBody:
          if (!ReadBody(c, &refused)) return;
          if (!refused) {
            Execute(c);
            WriteFresh(c);
          }
          break;
        case ConnState::kWrite:
          if (!WriteSome(c)) return;
          if (c.close_after || c.eof) {
            shutdown(c.fd, SHUT_WR);
            c.state = ConnState::kLinger;
            c.in.clear();
            c.in.shrink_to_fit();
            c.deadline = Clock::now() + std::chrono::seconds(2);
            return;
          }
          StartWaiting(c);
          break;
        case ConnState::kBusy:
        case ConnState::kLinger:
          return;
      }
    }
  }

  // Reads what the client has sent, up to a limit per turn.
  void ReadSome(Conn& c) {
    char buf[16384];
    for (;;) {
      const ssize_t n = recv(c.fd, buf, sizeof(buf), 0);
      if (n > 0) {
        c.in.append(buf, static_cast<size_t>(n));
        c.last_progress = Clock::now();
        if (c.state == ConnState::kHead && c.in.size() > options.max_header_bytes) return;
        if (c.state == ConnState::kBody && c.in.size() > (1u << 20)) return;
        continue;
      }
      if (n == 0) {
        c.eof = true;
        c.keep_alive = false;
        return;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) Close(c);
      return;
    }
  }

  void Accept() {
    std::lock_guard<std::mutex> accept_lock(accept_mu);
    if (listen_fd < 0) return;  // drained
    AcceptQueued();
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.u64 = kListenId;
    epoll_ctl(epoll_fd, EPOLL_CTL_MOD, listen_fd, &ev);
  }

  // Accepts every connection the kernel has queued. REQUIRES: accept_mu held, listen_fd open.
  void AcceptQueued() {
    for (;;) {
      sockaddr_storage addr{};
      socklen_t len = sizeof(addr);
      const int fd = accept4(listen_fd, reinterpret_cast<sockaddr*>(&addr), &len,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) break;  // EAGAIN, or a transient error (EMFILE): try on the next event
      auto c = std::make_shared<Conn>();
      {
        std::lock_guard<std::mutex> lock(map_mu);
        if (conns.size() >= options.max_connections) {
          close(fd);  // over the limit: refused at once rather than left in the backlog
          continue;
        }
        c->id = next_id++;
      }
      const int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      c->fd = fd;
      char host[INET6_ADDRSTRLEN] = "";
      if (addr.ss_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&addr)->sin_addr, host, sizeof(host));
      } else if (addr.ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&addr)->sin6_addr, host, sizeof(host));
      }
      c->remote = host;
      StartWaiting(*c);
      {
        std::lock_guard<std::mutex> lock(map_mu);
        conns.emplace(c->id, c);
      }
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
      ev.data.u64 = c->id;
      if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        std::lock_guard<std::mutex> lock(c->mu);
        Close(*c);
      }
    }
  }

  std::shared_ptr<Conn> Find(uint64_t id) {
    std::lock_guard<std::mutex> lock(map_mu);
    auto it = conns.find(id);
    return it == conns.end() ? nullptr : it->second;
  }

  // One event of one connection (this thread owns it until it is re-armed).
  void OnEvent(uint64_t id, uint32_t events) {
    std::shared_ptr<Conn> cp = Find(id);
    if (cp == nullptr) return;
    Conn& c = *cp;
    std::lock_guard<std::mutex> lock(c.mu);
    if (c.closed) return;
    if (events & EPOLLERR) {
      Close(c);
      return;
    }
    if (c.state == ConnState::kLinger) {
      char sink[16384];
      ssize_t r;
      while ((r = recv(c.fd, sink, sizeof(sink), 0)) > 0) {
      }
      if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        Close(c);
      } else {
        Arm(c);
      }
      return;
    }
    if (c.state == ConnState::kHead || c.state == ConnState::kBody) ReadSome(c);
    if (c.closed) return;
    Drive(c);
    if (c.closed) return;
    // The client closed its side and no complete request is left to answer.
    if (c.eof && (c.state == ConnState::kHead || c.state == ConnState::kBody)) {
      Close(c);
      return;
    }
    Arm(c);
  }

  // Deadlines: every 200 ms, by whichever thread comes first.
  void MaybeSweep() {
    const int64_t now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
            .count();
    int64_t last = last_sweep_ms.load();
    if (now_ms - last < 200 || !last_sweep_ms.compare_exchange_strong(last, now_ms)) return;
    std::vector<std::shared_ptr<Conn>> all;
    {
      std::lock_guard<std::mutex> lock(map_mu);
      all.reserve(conns.size());
      for (const auto& [id, c] : conns) all.push_back(c);
    }
    const Clock::time_point now = Clock::now();
    for (const std::shared_ptr<Conn>& cp : all) {
      Conn& c = *cp;
      std::unique_lock<std::mutex> lock(c.mu, std::try_to_lock);
      if (!lock.owns_lock() || c.closed || c.state == ConnState::kBusy) continue;
      const bool stalled_body =
          c.state == ConnState::kBody &&
          now - c.last_progress > std::chrono::seconds(options.read_timeout_s);
      if (now < c.deadline && !stalled_body) continue;
      if ((c.state == ConnState::kHead && c.started) || c.state == ConnState::kBody) {
        Refuse(c, 408, "the request took too long to arrive");
        Drive(c);
        if (!c.closed) Arm(c);
      } else {
        Close(c);
      }
    }
  }

  void Loop() {
    epoll_event ev;
    while (!stopping.load()) {
      const int n = epoll_wait(epoll_fd, &ev, 1, 200);
      if (n == 1 && !stopping.load()) {
        if (ev.data.u64 == kListenId) {
          Accept();
        } else if (ev.data.u64 != kWakeId) {
          OnEvent(ev.data.u64, ev.events);
        }
      }
      MaybeSweep();
    }
  }
};

Server::Server(ServerOptions options, Handler api) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->api = std::move(api);
}

Server::~Server() { Stop(); }

Result<int> Server::Bind() {
  Impl& m = *impl_;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string port_text = std::to_string(m.options.port);
  const std::string where = m.options.host + ":" + std::to_string(m.options.port);
  if (getaddrinfo(m.options.host.c_str(), port_text.c_str(), &hints, &found) != 0 ||
      found == nullptr) {
    return IoError("cannot listen on " + where + ": unknown host");
  }
  std::string error;
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    const int fd =
        socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    // SO_REUSEADDR lets a restarted server bind while old connections linger in TIME_WAIT; it
    // never lets two servers listen on one port. SO_REUSEPORT (which would) is never set.
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1024) == 0) {
      m.listen_fd = fd;
      break;
    }
    error = std::strerror(errno);
    close(fd);
  }
  freeaddrinfo(found);
  if (m.listen_fd < 0) {
    return IoError("cannot listen on " + where + " (is the port in use?): " + error);
  }
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  getsockname(m.listen_fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = addr.ss_family == AF_INET6
                       ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                       : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  m.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  m.wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (m.epoll_fd < 0 || m.wake_fd < 0) return IoError("cannot create the event loop");
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLONESHOT;  // one thread accepts at a time; it re-arms
  ev.data.u64 = kListenId;
  epoll_ctl(m.epoll_fd, EPOLL_CTL_ADD, m.listen_fd, &ev);
  ev.events = EPOLLIN;  // level-triggered and never read: wakes every thread to stop
  ev.data.u64 = kWakeId;
  epoll_ctl(m.epoll_fd, EPOLL_CTL_ADD, m.wake_fd, &ev);
  return port;
}

Status Server::Listen() {
  Impl& m = *impl_;
  if (m.listen_fd < 0) return FailedPreconditionError("Listen() before a successful Bind()");
  const int threads = std::max(1, m.options.threads);
  for (int i = 1; i < threads; ++i) m.threads.emplace_back([&m] { m.Loop(); });
  m.Loop();
  for (std::thread& t : m.threads) t.join();
  m.threads.clear();
  std::vector<std::shared_ptr<Conn>> all;
  {
    std::lock_guard<std::mutex> lock(m.map_mu);
    for (const auto& [id, c] : m.conns) all.push_back(c);
  }
  for (const auto& c : all) {
    std::lock_guard<std::mutex> lock(c->mu);
    m.Close(*c);
  }
  return Status::Ok();
}

void Server::Drain(std::chrono::milliseconds grace) {
  if (!impl_) return;
  Impl& m = *impl_;
  m.draining = true;
  {
    // Stop listening, after taking what the kernel already accepted on our behalf (closing a
    // listening socket resets the connections still queued on it: requests a proxy has sent).
    std::lock_guard<std::mutex> lock(m.accept_mu);
    if (m.listen_fd >= 0) {
      epoll_ctl(m.epoll_fd, EPOLL_CTL_DEL, m.listen_fd, nullptr);
      m.AcceptQueued();
      close(m.listen_fd);
      m.listen_fd = -1;
    }
  }
  const auto until = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < until) {
    std::vector<std::shared_ptr<Conn>> all;
    {
      std::lock_guard<std::mutex> lock(m.map_mu);
      for (const auto& [id, c] : m.conns) all.push_back(c);
    }
    if (all.empty()) break;
    // Idle keep-alive connections (answered, nothing new begun) are closed; a fresh connection's
    // request is awaited; one being read, handled or written is left to finish.
    for (const std::shared_ptr<Conn>& cp : all) {
      std::unique_lock<std::mutex> lock(cp->mu, std::try_to_lock);
      if (!lock.owns_lock() || cp->closed) continue;
      if (cp->state == ConnState::kHead && !cp->started && cp->in.empty() && cp->served > 0) {
        m.Close(*cp);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Stop();
}

void Server::Stop() {
  if (!impl_) return;
  impl_->stopping = true;
  if (impl_->wake_fd >= 0) {
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = write(impl_->wake_fd, &one, sizeof(one));
  }
}

}  // namespace shewhart::http
