#include "http/test_harness.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace shewhart::http {

TestServer::TestServer(ServerOptions options, Handler api) {
  options.host = "127.0.0.1";
  options.port = 0;
  if (!options.access_log) options.access_log = [](std::string_view) {};
  server_ = std::make_unique<Server>(std::move(options), std::move(api));
  Result<int> port = server_->Bind();
  if (!port.ok()) {
    std::fprintf(stderr, "TestServer: %s\n", port.status().ToString().c_str());
    std::abort();
  }
  port_ = *port;
  thread_ = std::thread([this] { (void)server_->Listen(); });
  // Ready when a request gets any answer.
  for (int i = 0; i < 500; ++i) {
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(0, 100000);
    if (auto r = c.Get("/api/health")) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::fprintf(stderr, "TestServer: never became ready\n");
  std::abort();
}

TestServer::~TestServer() {
  server_->Stop();
  if (thread_.joinable()) thread_.join();
}

std::string TestResponse::Header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  }
  return "";
}

TestResponse TestClient::Send(const std::string& method, const std::string& target,
                              const std::string& body,
                              const std::vector<std::pair<std::string, std::string>>& headers,
                              const std::string& content_type) {
  httplib::Client c("127.0.0.1", port_);
  c.set_read_timeout(30, 0);
  httplib::Headers h;
  for (const auto& [k, v] : headers) h.emplace(k, v);
  if (!cookies_.empty()) {
    std::string cookie;
    for (const auto& [k, v] : cookies_) {
      if (!cookie.empty()) cookie += "; ";
      cookie += k + "=" + v;
    }
    h.emplace("Cookie", cookie);
  }
  httplib::Result r(nullptr, httplib::Error::Unknown);
  if (method == "GET") {
    r = c.Get(target, h);
  } else if (method == "POST") {
    r = c.Post(target, h, body, content_type);
  } else if (method == "PUT") {
    r = c.Put(target, h, body, content_type);
  } else if (method == "DELETE") {
    r = c.Delete(target, h, body, content_type);
  } else if (method == "HEAD") {
    r = c.Head(target, h);
  }
  TestResponse out;
  if (!r) return out;
  out.status = r->status;
  out.body = r->body;
  for (const auto& [k, v] : r->headers) {
    out.headers.emplace(k, v);
    if (strcasecmp(k.c_str(), "Set-Cookie") == 0) {
      const size_t eq = v.find('=');
      const size_t semi = v.find(';');
      if (eq == std::string::npos) continue;
      const std::string name = v.substr(0, eq);
      const std::string value = v.substr(eq + 1, semi == std::string::npos ? semi : semi - eq - 1);
      if (v.find("Max-Age=0") != std::string::npos || value.empty()) {
        cookies_.erase(name);
      } else {
        cookies_[name] = value;
      }
    }
  }
  return out;
}

std::string TestClient::SendRaw(const std::string& bytes) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    // No shutdown(SHUT_WR): the server may read the half-close as a dropped client before it
    // answers. Requests sent here either say "Connection: close" or are malformed (the server
    // answers and closes); the receive timeout bounds the rest.
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char buf[4096];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

}  // namespace shewhart::http
