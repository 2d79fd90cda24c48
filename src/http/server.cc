#include "http/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
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
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Status";
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
// The server: one event thread (epoll) owns every connection and reads each request's head and
// body with limits and deadlines; only a complete request is handed to a worker thread, which
// runs the handler and hands the serialised answer back for the event thread to write. No
// worker ever waits on a client, so idle or slow clients cost a little memory, not a thread.

namespace {

constexpr uint64_t kListenId = 0;
constexpr uint64_t kWakeId = 1;

// kLinger: the answer was written and our side shut down; what the client still sends (the rest
// of a refused body) is read and dropped for a moment, so that it receives the answer instead of
// a reset.
enum class ConnState { kHead, kBody, kBusy, kWrite, kLinger };

struct Conn {
  int fd = -1;
  uint64_t id = 0;
  std::string remote;
  ConnState state = ConnState::kHead;
  std::string in;  // bytes read and not yet consumed
  // The request being read.
  std::string method;
  std::string target;
  bool http10 = false;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  bool chunked = false;
  size_t content_length = 0;
  std::string body;
  size_t chunk_left = 0;   // chunked: bytes left in the current chunk
  int chunk_phase = 0;     // 0 size line, 1 data, 2 CRLF after data, 3 trailers
  size_t reserved = 0;     // body bytes counted against the server-wide budget
  bool keep_alive = true;
  bool head_only = false;
  bool started = false;    // a byte of the current request has arrived
  Clock::time_point deadline;
  Clock::time_point last_progress;
  // The answer being written.
  std::string out;
  size_t out_off = 0;
  bool close_after = false;
  uint32_t events = 0;  // epoll interest
};

struct Job {
  uint64_t conn_id;
  int fd;  // the connection's socket: never closed while its job runs
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote;
  bool head_only;
  bool keep_alive;
  Clock::time_point start;
};

struct Done {
  uint64_t conn_id;
  std::string bytes;
  size_t written;  // sent by the worker already
  bool close_after;
};

}  // namespace

struct Server::Impl {
  ServerOptions options;
  Handler api;
  int listen_fd = -1;
  int epoll_fd = -1;
  int wake_fd = -1;
  std::atomic<bool> stopping{false};
  std::atomic<bool> running{false};
  std::unordered_map<uint64_t, std::unique_ptr<Conn>> conns;
  uint64_t next_id = 2;
  size_t buffered = 0;  // body bytes reserved by requests in flight (event thread only)
  std::atomic<size_t> released{0};  // reserved bytes given back by workers

  std::mutex mu;
  std::condition_variable cv;
  std::deque<Job> jobs;
  std::deque<std::pair<Done, size_t>> done;  // answer, reserved bytes to release
  std::vector<std::thread> workers;

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
    if (r.body.size() >= 1024 && IsCompressible(r.content_type) &&
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
    out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
    out += "X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\n"
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

  // Runs on a worker: the answer to one complete request.
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
    out.headers.emplace_back("Cache-Control", "no-store");
    return out;
  }

  void WorkerLoop() {
    for (;;) {
      Job job;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return stopping.load() || !jobs.empty(); });
        if (jobs.empty()) return;
        job = std::move(jobs.front());
        jobs.pop_front();
      }
      const size_t reserved = job.body.size();
      std::string accept_encoding;
      for (const auto& [k, v] : job.headers) {
        if (k == "accept-encoding") accept_encoding = v;
      }
      std::string logged_path = job.target.substr(0, job.target.find('?'));
      Response r;
      try {
        r = Dispatch(job, &logged_path);
      } catch (const std::exception& e) {
        r = ProtocolError(500, "something went wrong on the server; the error has been logged");
      }
      const int status = r.status;
      const size_t bytes = r.body.size();
      std::string wire = Serialise(std::move(r), job.head_only, job.keep_alive, accept_encoding);
      // The worker sends what the socket takes at once without waiting (a whole small answer):
      // one thread hop less on the way to the client. The rest, if any, is the event thread's.
      size_t written = 0;
      while (written < wire.size()) {
        const ssize_t n = send(job.fd, wire.data() + written, wire.size() - written,
                               MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
          written += static_cast<size_t>(n);
        } else if (n < 0 && errno == EINTR) {
          continue;
        } else {
          break;  // EAGAIN: the event thread writes the rest; an error: it closes
        }
      }
      LogLine(job.method, logged_path, status, bytes, job.start, job.remote);
      {
        std::lock_guard<std::mutex> lock(mu);
        done.push_back({Done{job.conn_id, std::move(wire), written, !job.keep_alive}, reserved});
      }
      Wake();
    }
  }

  void Wake() {
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = write(wake_fd, &one, sizeof(one));
  }

  void SetInterest(Conn& c, uint32_t events) {
    if (c.events == events) return;
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = c.id;
    epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c.fd, &ev);
    c.events = events;
  }

  void CloseConn(uint64_t id) {
    auto it = conns.find(id);
    if (it == conns.end()) return;
    Conn& c = *it->second;
    if (c.state != ConnState::kBusy) Release(c);
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c.fd, nullptr);
    close(c.fd);
    conns.erase(it);
  }

  void Release(Conn& c) {
    buffered -= c.reserved;
    c.reserved = 0;
  }

  // Answers a protocol error from the event thread itself and closes after writing it.
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
    SetInterest(c, EPOLLOUT);
    WriteSome(c);
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
    SetInterest(c, EPOLLIN | EPOLLRDHUP);
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

  bool Reserve(Conn& c, size_t bytes) {
    if (buffered + bytes > options.max_buffered_body_bytes) return false;
    buffered += bytes;
    c.reserved += bytes;
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

  // Advances a connection through head and body; queues the request when complete.
  void Progress(Conn& c) {
    while (c.state == ConnState::kHead || c.state == ConnState::kBody) {
      bool refused = false;
      if (c.state == ConnState::kHead) {
        if (c.in.empty()) return;
        if (!c.started) {
          c.started = true;
          c.deadline = Clock::now() + std::chrono::seconds(options.header_timeout_s);
        }
        if (!ParseHead(c, &refused) || refused) return;
      }
      if (c.state == ConnState::kBody) {
        if (!ReadBody(c, &refused) || refused) return;
        Job job{c.id,           c.fd,                std::move(c.method), std::move(c.target),
                std::move(c.headers), std::move(c.body), c.remote,
                c.head_only,    c.keep_alive,        Clock::now()};
        c.state = ConnState::kBusy;
        SetInterest(c, EPOLLRDHUP);
        {
          std::lock_guard<std::mutex> lock(mu);
          jobs.push_back(std::move(job));
        }
        cv.notify_one();
        return;
      }
    }
  }

  void WriteSome(Conn& c) {
    while (c.out_off < c.out.size()) {
      const ssize_t n =
          send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
      if (n > 0) {
        c.out_off += static_cast<size_t>(n);
        c.last_progress = Clock::now();
        c.deadline = c.last_progress + std::chrono::seconds(options.write_timeout_s);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (n < 0 && errno == EINTR) continue;
      CloseConn(c.id);
      return;
    }
    // Written in full.
    c.out.clear();
    c.out.shrink_to_fit();
    c.out_off = 0;
    if (c.close_after) {
      shutdown(c.fd, SHUT_WR);
      c.state = ConnState::kLinger;
      c.in.clear();
      c.in.shrink_to_fit();
      c.deadline = Clock::now() + std::chrono::seconds(2);
      SetInterest(c, EPOLLIN | EPOLLRDHUP);
      return;
    }
    StartWaiting(c);
    Progress(c);  // a pipelined request may be waiting in c.in already
  }

  void ReadSome(Conn& c) {
    char buf[16384];
    for (;;) {
      // Never read more than the head limit allows while reading a head.
      const ssize_t n = recv(c.fd, buf, sizeof(buf), 0);
      if (n > 0) {
        c.in.append(buf, static_cast<size_t>(n));
        c.last_progress = Clock::now();
        if (c.state == ConnState::kHead && c.in.size() > options.max_header_bytes) break;
        if (c.state == ConnState::kBody && c.in.size() > (1u << 20)) break;
        continue;
      }
      if (n == 0) {
        // The client closed (or half-closed) its side: finish what it sent, then close.
        const uint64_t id = c.id;
        c.keep_alive = false;
        Progress(c);
        auto it = conns.find(id);
        if (it != conns.end() && (it->second->state == ConnState::kHead ||
                                  it->second->state == ConnState::kBody)) {
          CloseConn(id);
        }
        return;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      CloseConn(c.id);
      return;
    }
    Progress(c);
  }

  void Accept() {
    for (;;) {
      sockaddr_storage addr{};
      socklen_t len = sizeof(addr);
      const int fd = accept4(listen_fd, reinterpret_cast<sockaddr*>(&addr), &len,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;  // EAGAIN, or a transient error (EMFILE): try on the next event
      if (conns.size() >= options.max_connections) {
        close(fd);  // over the limit: refused at once rather than left waiting in the backlog
        continue;
      }
      const int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      auto c = std::make_unique<Conn>();
      c->fd = fd;
      c->id = next_id++;
      char host[INET6_ADDRSTRLEN] = "";
      if (addr.ss_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&addr)->sin_addr, host, sizeof(host));
      } else if (addr.ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&addr)->sin6_addr, host,
                  sizeof(host));
      }
      c->remote = host;
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLRDHUP;
      ev.data.u64 = c->id;
      if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        close(fd);
        continue;
      }
      c->events = ev.events;
      Conn& ref = *c;
      conns.emplace(c->id, std::move(c));
      StartWaiting(ref);
    }
  }

  void TakeDone() {
    std::deque<std::pair<Done, size_t>> ready;
    {
      std::lock_guard<std::mutex> lock(mu);
      ready.swap(done);
    }
    for (auto& [d, reserved] : ready) {
      buffered -= reserved;
      auto it = conns.find(d.conn_id);
      if (it == conns.end()) continue;  // the client went away meanwhile
      Conn& c = *it->second;
      c.reserved = 0;
      c.out = std::move(d.bytes);
      c.out_off = d.written;
      c.close_after = d.close_after;
      c.state = ConnState::kWrite;
      c.last_progress = Clock::now();
      c.deadline = c.last_progress + std::chrono::seconds(options.write_timeout_s);
      if (c.out_off < c.out.size()) SetInterest(c, EPOLLOUT);
      WriteSome(c);
    }
  }

  void Sweep() {
    const Clock::time_point now = Clock::now();
    std::vector<uint64_t> expired;
    for (auto& [id, c] : conns) {
      if (c->state == ConnState::kBusy) continue;
      if (now < c->deadline) continue;
      // Also an idle limit: no byte for read_timeout_s while reading a body.
      expired.push_back(id);
    }
    for (uint64_t id : expired) {
      auto it = conns.find(id);
      if (it == conns.end()) continue;
      Conn& c = *it->second;
      if ((c.state == ConnState::kHead && c.started) || c.state == ConnState::kBody) {
        Refuse(c, 408, "the request took too long to arrive");
        // Refuse armed a write deadline; a client that does not read its 408 is closed then.
      } else {
        CloseConn(id);
      }
    }
    for (auto& [id, c] : conns) {
      if (c->state == ConnState::kBody &&
          now - c->last_progress > std::chrono::seconds(options.read_timeout_s)) {
        c->deadline = now;  // closed on the next sweep
      }
    }
  }

  Status Loop() {
    epoll_event events[256];
    Clock::time_point last_sweep = Clock::now();
    while (!stopping.load()) {
      const int n = epoll_wait(epoll_fd, events, 256, 200);
      if (n < 0 && errno != EINTR) return IoError(std::string("epoll: ") + std::strerror(errno));
      for (int i = 0; i < n; ++i) {
        const uint64_t id = events[i].data.u64;
        if (id == kListenId) {
          Accept();
          continue;
        }
        if (id == kWakeId) {
          uint64_t count = 0;
          [[maybe_unused]] const ssize_t r = read(wake_fd, &count, sizeof(count));
          TakeDone();
          continue;
        }
        auto it = conns.find(id);
        if (it == conns.end()) continue;
        Conn& c = *it->second;
        const uint32_t e = events[i].events;
        if (e & EPOLLERR) {
          // A busy connection is closed only when its answer comes back: its worker may be
          // writing to the socket, and a closed descriptor could be reused by another client.
          if (c.state == ConnState::kBusy) {
            SetInterest(c, 0);
          } else {
            CloseConn(id);
          }
          continue;
        }
        if (c.state == ConnState::kWrite && (e & EPOLLOUT)) {
          WriteSome(c);
          continue;
        }
        if (c.state == ConnState::kLinger) {
          char sink[16384];
          ssize_t r;
          while ((r = recv(c.fd, sink, sizeof(sink), 0)) > 0) {
          }
          if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            CloseConn(id);
          }
          continue;
        }
        if ((c.state == ConnState::kHead || c.state == ConnState::kBody) &&
            (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP))) {
          ReadSome(c);
          continue;
        }
        if (c.state == ConnState::kBusy && (e & (EPOLLRDHUP | EPOLLHUP))) {
          // The client half-closed while its request runs: keep the connection to answer (a
          // client may shut down its sending side after a request); stop watching.
          SetInterest(c, 0);
        }
      }
      if (Clock::now() - last_sweep >= std::chrono::milliseconds(200)) {
        Sweep();
        last_sweep = Clock::now();
      }
    }
    return Status::Ok();
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
    const int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                          ai->ai_protocol);
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
  ev.events = EPOLLIN;
  ev.data.u64 = kListenId;
  epoll_ctl(m.epoll_fd, EPOLL_CTL_ADD, m.listen_fd, &ev);
  ev.data.u64 = kWakeId;
  epoll_ctl(m.epoll_fd, EPOLL_CTL_ADD, m.wake_fd, &ev);
  return port;
}

Status Server::Listen() {
  Impl& m = *impl_;
  if (m.listen_fd < 0) return FailedPreconditionError("Listen() before a successful Bind()");
  m.running = true;
  const int threads = std::max(1, m.options.threads);
  for (int i = 0; i < threads; ++i) m.workers.emplace_back([&m] { m.WorkerLoop(); });
  Status status = m.Loop();
  m.stopping = true;
  m.cv.notify_all();
  for (std::thread& t : m.workers) t.join();
  m.workers.clear();
  std::vector<uint64_t> ids;
  for (const auto& [id, c] : m.conns) ids.push_back(id);
  for (uint64_t id : ids) m.CloseConn(id);
  m.running = false;
  return status;
}

void Server::Stop() {
  if (!impl_) return;
  impl_->stopping = true;
  impl_->cv.notify_all();
  if (impl_->wake_fd >= 0) impl_->Wake();
}

}  // namespace shewhart::http
