// For tests: an http::Server on 127.0.0.1 at a free port, serving in a background thread, and a
// small client that keeps one cookie jar (the session cookie) like a browser would.
//
// Not for production code. Thread-compatible (one test thread drives the client).
//
// Example:
//   http::TestServer server(options, handler);   // binds, listens, waits until ready
//   http::TestClient client(server.port());
//   http::TestResponse r = client.Send("POST", "/api/session", R"({"email":..})");
//   r.status;   // 200; client.cookies() now holds the session
#ifndef SHEWHART_HTTP_TEST_HARNESS_H_
#define SHEWHART_HTTP_TEST_HARNESS_H_

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "http/server.h"

namespace shewhart::http {

class TestServer {
 public:
  // Binds 127.0.0.1 at any free port (options.host/port are overridden) and serves. Aborts the
  // test binary if it cannot bind.
  TestServer(ServerOptions options, Handler api);
  ~TestServer();  // stops and joins
  int port() const { return port_; }

 private:
  std::unique_ptr<Server> server_;
  std::thread thread_;
  int port_ = 0;
};

struct TestResponse {
  int status = 0;  // 0: the connection failed
  std::string body;
  std::multimap<std::string, std::string> headers;  // names as sent
  std::string Header(const std::string& name) const;
};

class TestClient {
 public:
  explicit TestClient(int port) : port_(port) {}
  // Sends a request; `headers` are added (plus the cookie jar's Cookie header). Set-Cookie
  // answers update the jar (Max-Age=0 removes a cookie).
  TestResponse Send(const std::string& method, const std::string& target,
                    const std::string& body = "",
                    const std::vector<std::pair<std::string, std::string>>& headers = {},
                    const std::string& content_type = "application/json");
  // Sends raw bytes on a fresh TCP connection and returns the raw answer (for malformed input).
  std::string SendRaw(const std::string& bytes);
  std::map<std::string, std::string>& cookies() { return cookies_; }

 private:
  int port_;
  std::map<std::string, std::string> cookies_;
};

}  // namespace shewhart::http

#endif  // SHEWHART_HTTP_TEST_HARNESS_H_
