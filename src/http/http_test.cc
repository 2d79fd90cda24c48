// Tests of the HTTP plumbing: path patterns, the one error mapping, static files (MIME types,
// cache headers, path traversal), body limits and malformed requests against a live server.
#include "http/http.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

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

}  // namespace
}  // namespace shewhart::http
