// For API tests of the parts: a fresh database of the test's parameter ("sqlite": a file;
// "postgresql": a throwaway schema on SHEWHART_TEST_POSTGRES_URL, skipped when it is unset),
// migrated, filled by the test, with accounts, and the whole API served on a free 127.0.0.1 port
// — plus a browser-like client that keeps its session cookie and CSRF token.
//
// Not for production code.
//
// Example:
//   class MyPartTest : public server::testing::ApiTest {
//    protected:
//     void SetUp() override {
//       StartApi([](db::Connection& conn) { /* imports */ }, kAccounts);
//     }
//   };
//   TEST_P(MyPartTest, Works) {
//     TestBrowser lead = SignedIn("lead@nhs.net");
//     EXPECT_EQ(lead.Send("POST", "/api/things", json{{"title", "x"}}.dump()).status, 201);
//   }
//   INSTANTIATE_TEST_SUITE_P(Databases, MyPartTest, ::testing::Values("sqlite", "postgresql"));
#ifndef SHEWHART_SERVER_TESTING_API_TEST_H_
#define SHEWHART_SERVER_TESTING_API_TEST_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "access/access.h"
#include "db/db.h"
#include "http/test_harness.h"
#include "server/server.h"
#include "support/postgres_schema.h"

namespace shewhart::server::testing {

inline constexpr std::string_view kTestPassword = "correct horse battery staple";

struct TestAccount {
  access::Role role;
  std::string email;
  std::string org;  // ODS code, "" for system roles
};

// A signed-in (or anonymous) browser: the cookie jar plus the CSRF token of its sign-in.
struct TestBrowser {
  std::unique_ptr<http::TestClient> client;
  std::string csrf;

  http::TestResponse Send(const std::string& method, const std::string& target,
                          const std::string& body = "", bool with_csrf = true,
                          const std::string& content_type = "application/json");
  // The answer's JSON, expecting `expect` (a failed expectation names the request).
  nlohmann::json Json(const std::string& method, const std::string& target,
                      const std::string& body = "", int expect = 200);
};

inline nlohmann::json JsonOf(const http::TestResponse& r) {
  return nlohmann::json::parse(r.body, nullptr, false);
}
// The error message of an error answer ("" when there is none).
std::string MessageOf(const http::TestResponse& r);

// The text of a PDF (pdftotext -layout), "" when it cannot be read.
std::string PdfText(const std::string& pdf);

class ApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Call from SetUp: makes the database, runs `fill` on it, adds `accounts` (password
  // kTestPassword) and serves. Returns at once (the test skipped) without PostgreSQL.
  void StartApi(const std::function<void(db::Connection&)>& fill,
                std::span<const TestAccount> accounts, int64_t max_json_body_bytes = 1 << 16);
  void TearDown() override;

  TestBrowser Anonymous();
  TestBrowser SignedIn(std::string_view email);

  std::string url_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<http::TestServer> server_;

 private:
  void Cleanup();
  std::filesystem::path path_;
  ::shewhart::testing::PostgresTestSchema pg_schema_;
};

}  // namespace shewhart::server::testing

#endif  // SHEWHART_SERVER_TESTING_API_TEST_H_
