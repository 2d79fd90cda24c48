// Test support: a private PostgreSQL schema per test, so that test processes running in parallel
// (ctest -j) against the one throwaway server never see each other's tables.
//
// Header-only; the including test links shewhart_db.
// Example:
//   PostgresTestSchema schema;                       // in SetUp(), when PostgreSQL is tested
//   ASSERT_TRUE(schema.Create(std::getenv("SHEWHART_TEST_POSTGRES_URL")).ok());
//   auto conn = db::Open(schema.url());              // search_path = the private schema
//   ...                                              // the destructor drops the schema
#ifndef SHEWHART_TESTS_SUPPORT_POSTGRES_SCHEMA_H_
#define SHEWHART_TESTS_SUPPORT_POSTGRES_SCHEMA_H_

#include <unistd.h>

#include <atomic>
#include <memory>
#include <random>
#include <string>

#include "db/db.h"

namespace shewhart::testing {

class PostgresTestSchema {
 public:
  PostgresTestSchema() = default;
  PostgresTestSchema(const PostgresTestSchema&) = delete;
  PostgresTestSchema& operator=(const PostgresTestSchema&) = delete;
  ~PostgresTestSchema() {
    if (admin_ != nullptr) (void)admin_->ExecuteScript("DROP SCHEMA IF EXISTS " + name_ + " CASCADE");
  }

  // Creates a fresh schema named after this process and a counter on the server at `base_url`.
  Status Create(const std::string& base_url) {
    static std::atomic<int> counter{0};
    name_ = "t_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
            std::to_string(std::random_device{}() % 100000);
    auto admin = db::Open(base_url);
    if (!admin.ok()) return admin.status();
    admin_ = std::move(*admin);
    RETURN_IF_ERROR(admin_->ExecuteScript("DROP SCHEMA IF EXISTS " + name_ +
                                          " CASCADE; CREATE SCHEMA " + name_));
    url_ = base_url + (base_url.find('?') != std::string::npos ? "&" : "?") +
           "options=-csearch_path%3D" + name_;
    return Status::Ok();
  }

  // The server's URL with the private schema as the search path.
  const std::string& url() const { return url_; }

 private:
  std::unique_ptr<db::Connection> admin_;
  std::string name_;
  std::string url_;
};

}  // namespace shewhart::testing

#endif  // SHEWHART_TESTS_SUPPORT_POSTGRES_SCHEMA_H_
