// Tests of the HTTP plumbing: path patterns, the one error mapping, static files (MIME types,
// cache headers, path traversal), body limits and malformed requests against a live server.
#include "http/http.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "http/json.h"
#include "http/server.h"
#include "http/test_harness.h"

namespace shewhart::http {
namespace {

namespace fs = std::filesystem;

TEST(MatchPathTest, LiteralsAndPlaceholders) {
  std::map<std::string, std::string> p;
  EXPECT_TRUE(MatchPath("/api/health", "/api/health", &p));
  EXPECT_FALSE(MatchPath("/api/health", "/api/health/", &p));
  EXPECT_FALSE(MatchPath("/api/health", "/api/healthz", &p));
  ASSERT_TRUE(MatchPath("/api/metrics/{code}/versions", "/api/metrics/AE4H/versions", &p));
  EXPECT_EQ(p["code"], "AE4H");
  EXPECT_FALSE(MatchPath("/api/metrics/{code}", "/api/metrics/", &p));
  EXPECT_FALSE(MatchPath("/api/metrics/{code}", "/api/metrics/a/b", &p));
  EXPECT_FALSE(MatchPath("/api/metrics/{code}", "/api/metrics/\xff", &p));
  EXPECT_FALSE(MatchPath("/api/metrics/{code}", std::string("/api/metrics/a\0b", 15), &p));
}

TEST(ErrorMappingTest, EveryCodeHasOneStatus) {
  EXPECT_EQ(HttpStatusOf(StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusOf(StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusOf(StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusOf(StatusCode::kFailedPrecondition), 409);
  EXPECT_EQ(HttpStatusOf(StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusOf(StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusOf(StatusCode::kIoError), 503);
  EXPECT_EQ(HttpStatusOf(StatusCode::kInternal), 500);
}

TEST(ErrorMappingTest, BodyShapeAndNoInternalsLeak) {
  Response r = ErrorResponse(InvalidArgumentError("bad \"x\""), "[1,2]");
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["error"]["code"], "invalid_argument");
  EXPECT_EQ(j["error"]["message"], "bad \"x\"");
  EXPECT_EQ(j["error"]["details"], nlohmann::json::array({1, 2}));

  SetInternalErrorSink([](std::string_view) {});
  Response internal = ErrorResponse(InternalError("SELECT * FROM secret: syntax error"));
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(internal.body.find("SELECT"), std::string::npos);
  EXPECT_TRUE(nlohmann::json::parse(internal.body)["error"]["details"].is_null());
}

TEST(JsonTest, InvalidUtf8IsReplacedNotThrown) {
  const std::string quoted = JsonQuote(
      "a\xff"
      "b");
  EXPECT_TRUE(IsValidUtf8(quoted));
  EXPECT_FALSE(ParseJsonObject("{\"a\":\"\xff\"}").ok());
  EXPECT_FALSE(ParseJsonObject("[1]").ok());
  EXPECT_FALSE(ParseJsonObject("{").ok());
  EXPECT_TRUE(ParseJsonObject("{\"a\":1}").ok());
  EXPECT_FALSE(ParseIntParam("limit", "99999999999999999999999", 0, 10).ok());
  EXPECT_FALSE(ParseIntParam("limit", "1e3", 0, 10000).ok());
  EXPECT_FALSE(ParseIntParam("limit", "-1", 0, 10).ok());
  EXPECT_EQ(*ParseIntParam("limit", "10", 0, 10), 10);
}

TEST(Utf8Test, RejectsOverlongAndSurrogates) {
  EXPECT_TRUE(IsValidUtf8("Zoë — ✓ 😀"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
}

TEST(StaticFilesTest, MimeAndCache) {
  EXPECT_EQ(MimeTypeFor("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(MimeTypeFor("/assets/app-1a2b.JS"), "text/javascript; charset=utf-8");
  EXPECT_EQ(MimeTypeFor("x.svg"), "image/svg+xml");
  EXPECT_EQ(MimeTypeFor("x.woff2"), "font/woff2");
  EXPECT_EQ(MimeTypeFor("dir.d/noext"), "application/octet-stream");
  EXPECT_EQ(CacheControlFor("/assets/app-1a2b.js"), "public, max-age=31536000, immutable");
  EXPECT_EQ(CacheControlFor("/index.html"), "no-cache");
  EXPECT_EQ(CacheControlFor("/"), "no-cache");
  EXPECT_EQ(CacheControlFor("/favicon.ico"), "public, max-age=3600");
}

class StaticDir : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("shewhart_static_" + std::to_string(getpid()));
    fs::create_directories(root_ / "www" / "assets");
    std::ofstream(root_ / "www" / "index.html") << "<h1>home</h1>";
    std::ofstream(root_ / "www" / "assets" / "app.js") << "console.log(1)";
    std::ofstream(root_ / "secret.txt") << "top secret";
    fs::create_symlink(root_ / "secret.txt", root_ / "www" / "link.txt");
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string www() const { return (root_ / "www").string(); }
  fs::path root_;
};

TEST_F(StaticDir, TraversalIsRefused) {
  EXPECT_TRUE(ResolveStaticPath(www(), "/index.html").has_value());
  EXPECT_TRUE(ResolveStaticPath(www(), "/assets/app.js").has_value());
  EXPECT_EQ(*ResolveStaticPath(www(), "/board/RJZ"), *ResolveStaticPath(www(), "/index.html"));
  EXPECT_FALSE(ResolveStaticPath(www(), "/../secret.txt").has_value());
  EXPECT_FALSE(ResolveStaticPath(www(), "/assets/../../secret.txt").has_value());
  EXPECT_FALSE(ResolveStaticPath(www(), "/..").has_value());
  EXPECT_FALSE(ResolveStaticPath(www(), "/link.txt").has_value());  // symlink out of root
  EXPECT_FALSE(ResolveStaticPath(www(), "/..\\secret.txt").has_value());
  EXPECT_FALSE(ResolveStaticPath(www(), std::string("/index.html\0.js", 15)).has_value());
  EXPECT_FALSE(ResolveStaticPath(www(), "/missing.js").has_value());
}

Response Echo(const Request& req) {
  nlohmann::json j = {{"path", req.path}, {"bytes", req.body.size()}};
  if (auto q = req.Query("q")) j["q"] = *q;
  return JsonResponse(j);
}

TEST_F(StaticDir, LiveServerLimitsAndErrors) {
  ServerOptions o;
  o.static_dir = www();
  o.max_body_bytes = 1024;
  TestServer server(o, Echo);
  TestClient client(server.port());

  TestResponse home = client.Send("GET", "/");
  EXPECT_EQ(home.status, 200);
  EXPECT_EQ(home.body, "<h1>home</h1>");
  EXPECT_EQ(home.Header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(home.Header("Cache-Control"), "no-cache");
  TestResponse js = client.Send("GET", "/assets/app.js");
  EXPECT_EQ(js.Header("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(js.Header("X-Content-Type-Options"), "nosniff");

  for (const char* evil :
       {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt", "/link.txt",
        "/..%2fsecret.txt", "/%00"}) {
    TestResponse r = client.Send("GET", evil);
    EXPECT_NE(r.body, "top secret") << evil;
    EXPECT_NE(r.status, 200) << evil;
  }

  TestResponse ok = client.Send("POST", "/api/x", std::string(1000, 'a'));
  EXPECT_EQ(ok.status, 200);
  TestResponse big = client.Send("POST", "/api/x", std::string(5000, 'a'));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(nlohmann::json::parse(big.body)["error"]["code"], "payload_too_large");

  TestResponse bad_utf8 = client.Send("GET", "/api/x?q=%ff%fe");
  EXPECT_EQ(bad_utf8.status, 400);
  EXPECT_EQ(nlohmann::json::parse(bad_utf8.body)["error"]["code"], "bad_request");

  const std::string raw = client.SendRaw("GARBAGE\r\n\r\n");
  EXPECT_NE(raw.find("400"), std::string::npos);
  EXPECT_NE(raw.find("\"error\""), std::string::npos);

  TestResponse api = client.Send("GET", "/api/x");
  EXPECT_EQ(api.Header("Cache-Control"), "no-store");
}

// Brotli at the library's quality 11 took over a second per 300 KB response here: a browser that
// offers br must get gzip (or nothing), never br.
TEST_F(StaticDir, BrowsersOfferingBrotliGetGzip) {
  ServerOptions o;
  o.static_dir = www();
  TestServer server(o, Echo);
  TestClient client(server.port());
  const std::string raw = client.SendRaw(
      "GET /index.html HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip, deflate, br\r\n"
      "Connection: close\r\n\r\n");
  ASSERT_NE(raw.find("200"), std::string::npos) << raw;
  EXPECT_EQ(raw.find("Content-Encoding: br"), std::string::npos) << raw;
}

// ---- The HTTP layer under attack (finding 2: unbounded bodies and header floods; finding 4:
// slow clients holding every worker; finding 6: a second server sharing the port). ----

// A raw TCP connection to the test server.
class Raw {
 public:
  explicit Raw(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~Raw() { close(fd_); }
  bool connected() const { return connected_; }
  // False once the server closed or reset the connection.
  bool Send(std::string_view bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }
  // Everything the server sends until it closes or `timeout_ms` pass without a byte (or, with
  // `head_only`, until the end of the first answer's head).
  std::string Receive(int timeout_ms = 3000, bool head_only = false) {
    std::string out;
    char buf[4096];
    while (!head_only || out.find("\r\n\r\n") == std::string::npos) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, timeout_ms) <= 0) break;
      const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  // The first answer's status code (0 if none arrived).
  int Status(int timeout_ms = 3000) {
    const std::string r = Receive(timeout_ms, /*head_only=*/true);
    if (r.size() < 12 || !r.starts_with("HTTP/1.1 ")) return 0;
    return std::atoi(r.c_str() + 9);
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

TEST(HttpLayerTest, BodiesAreBoundedWhateverTheFraming) {
  ServerOptions o;
  o.max_body_bytes = 64 << 10;
  TestServer server(o, Echo);
  // Content-Length over the limit: refused before a byte of the body is read.
  {
    Raw c(server.port());
    ASSERT_TRUE(c.Send("POST /api/x HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000000\r\n\r\n"));
    EXPECT_EQ(c.Status(), 413);
  }
  // Chunked, growing past the limit: refused as soon as it does.
  {
    Raw c(server.port());
    ASSERT_TRUE(c.Send("POST /api/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
    const std::string chunk = "4000\r\n" + std::string(0x4000, 'a') + "\r\n";
    for (int i = 0; i < 8 && c.Send(chunk); ++i) {
    }
    EXPECT_EQ(c.Status(), 413);
  }
  // A chunked body within the limit arrives whole.
  {
    Raw c(server.port());
    ASSERT_TRUE(
        c.Send("POST /api/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
               "Connection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
    const std::string r = c.Receive();
    EXPECT_NE(r.find("200 OK"), std::string::npos) << r;
    EXPECT_NE(r.find("\"bytes\":11"), std::string::npos) << r;
  }
  // Both framings at once (request smuggling) and unknown codings are refused.
  {
    Raw c(server.port());
    ASSERT_TRUE(
        c.Send("POST /api/x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
               "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
    EXPECT_EQ(c.Status(), 400);
  }
  {
    Raw c(server.port());
    ASSERT_TRUE(c.Send("POST /api/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"));
    EXPECT_EQ(c.Status(), 501);
  }
}

TEST(HttpLayerTest, APostWithoutBodyOrLengthIsAnsweredAtOnce) {
  TestServer server(ServerOptions{}, Echo);
  Raw c(server.port());
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(c.Send("POST /api/x HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(c.Status(1500), 200);
  EXPECT_LT(SecondsSince(start), 1.0);
}

TEST(HttpLayerTest, HeaderFloodsAreRefused) {
  ServerOptions o;
  TestServer server(o, Echo);
  {
    Raw c(server.port());
    std::string head = "GET /api/x HTTP/1.1\r\n";
    for (int i = 0; i < 200; ++i) head += "X-" + std::to_string(i) + ": 1\r\n";
    c.Send(head + "\r\n");
    EXPECT_EQ(c.Status(), 431);
  }
  {
    // A never-ending head: refused once it passes the limit, whatever comes after.
    Raw c(server.port());
    c.Send("GET /api/x HTTP/1.1\r\n");
    const std::string line = "X-Flood: " + std::string(1000, 'a') + "\r\n";
    for (int i = 0; i < 1000 && c.Send(line); ++i) {
    }
    EXPECT_EQ(c.Status(), 431);
  }
  {
    Raw c(server.port());
    c.Send("GET /" + std::string(20000, 'a') + " HTTP/1.1\r\n\r\n");
    EXPECT_EQ(c.Status(), 414);
  }
}

TEST(HttpLayerTest, SlowHeadersMeetADeadline) {
  ServerOptions o;
  o.header_timeout_s = 1;
  TestServer server(o, Echo);
  Raw c(server.port());
  const auto start = std::chrono::steady_clock::now();
  // A header line every 300 ms: each arrives in time, the whole head does not.
  int status = 0;
  c.Send("GET /api/x HTTP/1.1\r\n");
  for (int i = 0; i < 20 && status == 0; ++i) {
    c.Send("X-Slow-" + std::to_string(i) + ": 1\r\n");
    status = c.Status(300);
  }
  EXPECT_EQ(status, 408);
  EXPECT_LT(SecondsSince(start), 3.0);
}

TEST(HttpLayerTest, FiftySlowClientsHoldNoThread) {
  ServerOptions o;
  o.threads = 2;
  TestServer server(o, Echo);
  std::vector<std::unique_ptr<Raw>> slow;
  for (int i = 0; i < 50; ++i) {
    slow.push_back(std::make_unique<Raw>(server.port()));
    ASSERT_TRUE(slow.back()->connected());
    // Half send a partial head, half a head and a partial body.
    if (i % 2 == 0) {
      slow.back()->Send("GET /api/x HTTP/1.1\r\nX-Slow: ");
    } else {
      slow.back()->Send("POST /api/x HTTP/1.1\r\nContent-Length: 1000\r\n\r\nabc");
    }
  }
  for (int round = 0; round < 3; ++round) {
    for (auto& c : slow) c->Send("a");
    const auto start = std::chrono::steady_clock::now();
    TestClient client(server.port());
    TestResponse r = client.Send("GET", "/api/health");
    EXPECT_EQ(r.status, 200);
    EXPECT_LT(SecondsSince(start), 1.0);
  }
}

TEST(HttpLayerTest, ASecondServerCannotShareThePort) {
  Server first(ServerOptions{.host = "127.0.0.1", .port = 0}, Echo);
  Result<int> port = first.Bind();
  ASSERT_TRUE(port.ok());
  Server second(ServerOptions{.host = "127.0.0.1", .port = *port}, Echo);
  Result<int> again = second.Bind();
  EXPECT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kIoError);
}

TEST(HttpLayerTest, KeepAlivePipeliningHeadAndExpectContinue) {
  TestServer server(ServerOptions{}, Echo);
  {
    Raw c(server.port());
    c.Send(
        "GET /api/a HTTP/1.1\r\nHost: x\r\n\r\nGET /api/b HTTP/1.1\r\nHost: x\r\n"
        "Connection: close\r\n\r\n");
    const std::string r = c.Receive();
    EXPECT_NE(r.find("\"path\":\"/api/a\""), std::string::npos) << r;
    EXPECT_NE(r.find("\"path\":\"/api/b\""), std::string::npos) << r;
  }
  {
    Raw c(server.port());
    c.Send("HEAD /api/a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const std::string r = c.Receive();
    EXPECT_NE(r.find("200 OK"), std::string::npos);
    EXPECT_EQ(r.find("/api/a"), std::string::npos) << r;  // no body
  }
  {
    Raw c(server.port());
    c.Send(
        "POST /api/a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n"
        "Connection: close\r\n\r\n");
    const std::string first = c.Receive(500);
    EXPECT_TRUE(first.starts_with("HTTP/1.1 100 Continue")) << first;
    c.Send("abc");
    EXPECT_NE(c.Receive().find("\"bytes\":3"), std::string::npos);
  }
}

}  // namespace
}  // namespace shewhart::http
