#include "server/testing/api_test.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "schema/schema.h"

namespace shewhart::server::testing {

http::TestResponse TestBrowser::Send(const std::string& method, const std::string& target,
                                     const std::string& body, bool with_csrf,
                                     const std::string& content_type) {
  std::vector<std::pair<std::string, std::string>> h;
  if (with_csrf && !csrf.empty()) h.emplace_back("X-CSRF-Token", csrf);
  return client->Send(method, target, body, h, content_type);
}

nlohmann::json TestBrowser::Json(const std::string& method, const std::string& target,
                                 const std::string& body, int expect) {
  http::TestResponse r = Send(method, target, body);
  EXPECT_EQ(r.status, expect) << method << " " << target << ": " << r.body;
  return JsonOf(r);
}

std::string MessageOf(const http::TestResponse& r) {
  const nlohmann::json j = JsonOf(r);
  if (!j.is_object() || !j.contains("error") || !j["error"].is_object()) return "";
  return j["error"].value("message", std::string());
}

std::string PdfText(const std::string& pdf) {
  static int counter = 0;
  const std::string base = (std::filesystem::temp_directory_path() /
                            ("shewhart_pdf_text_" + std::to_string(getpid()) + "_" +
                             std::to_string(++counter)))
                               .string();
  { std::ofstream(base + ".pdf", std::ios::binary) << pdf; }
  const std::string cmd = "pdftotext -layout " + base + ".pdf " + base + ".txt";
  const int rc = std::system(cmd.c_str());
  std::ifstream in(base + ".txt");
  std::ostringstream ss;
  ss << in.rdbuf();
  std::filesystem::remove(base + ".pdf");
  std::filesystem::remove(base + ".txt");
  return rc == 0 ? ss.str() : "";
}

void ApiTest::StartApi(const std::function<void(db::Connection&)>& fill,
                       std::span<const TestAccount> accounts, int64_t max_json_body_bytes) {
  access::UseFastPasswordHashingForTests();
  if (GetParam() == "sqlite") {
    path_ = std::filesystem::temp_directory_path() /
            ("shewhart_api_test_" + std::to_string(getpid()) + ".db");
    Cleanup();
    url_ = "sqlite:" + path_.string();
  } else {
    const char* pg = std::getenv("SHEWHART_TEST_POSTGRES_URL");
    if (pg == nullptr || *pg == '\0') GTEST_SKIP() << "SHEWHART_TEST_POSTGRES_URL is not set";
    ASSERT_TRUE(pg_schema_.Create(pg).ok());
    url_ = pg_schema_.url();
  }
  auto conn = db::Open(url_);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  ASSERT_TRUE(schema::MigrateAll(**conn).ok());
  fill(**conn);
  for (const TestAccount& a : accounts) {
    auto id = access::CreateAccount(**conn, {a.email, a.role, a.org}, kTestPassword, "test",
                                    "2024-05-02T10:00:00Z");
    ASSERT_TRUE(id.ok()) << a.email << ": " << id.status().ToString();
  }
  auto api = Api::Create({.db_url = url_, .pool_size = 4,
                          .max_json_body_bytes = max_json_body_bytes,
                          .max_upload_bytes = 1 << 20});
  ASSERT_TRUE(api.ok()) << api.status().ToString();
  api_ = std::move(*api);
  http::ServerOptions so;
  so.max_body_bytes = 2 << 20;
  server_ = std::make_unique<http::TestServer>(
      so, [this](const http::Request& r) { return api_->Handle(r); });
}

void ApiTest::TearDown() {
  server_.reset();
  api_.reset();
  if (!path_.empty()) Cleanup();
}

void ApiTest::Cleanup() {
  for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(path_.string() + s);
}

TestBrowser ApiTest::Anonymous() {
  return TestBrowser{std::make_unique<http::TestClient>(server_->port()), ""};
}

TestBrowser ApiTest::SignedIn(std::string_view email) {
  TestBrowser b = Anonymous();
  const nlohmann::json body = {{"email", std::string(email)}, {"password", kTestPassword}};
  http::TestResponse r = b.client->Send("POST", "/api/session", body.dump());
  EXPECT_EQ(r.status, 200) << email << ": " << r.body;
  b.csrf = JsonOf(r).value("csrf_token", "");
  return b;
}

}  // namespace shewhart::server::testing
