// Test support: a fresh, migrated database per test on SQLite (always) and PostgreSQL (when
// SHEWHART_TEST_POSTGRES_URL is set; a fresh schema per test), the same two backends as the db
// conformance suite; and a full dump of every table the schema holds, to show that a failed
// import left the database exactly as it was.
//
// Example:
//   class MyTest : public StorageTest {};
//   TEST_P(MyTest, X) { std::string before = Dump(); ...; EXPECT_EQ(Dump(), before); }
//   INSTANTIATE_STORAGE_TEST(MyTest);
#ifndef SHEWHART_IMPORTS_TESTING_STORAGE_FIXTURE_H_
#define SHEWHART_IMPORTS_TESTING_STORAGE_FIXTURE_H_

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "db/db.h"
#include "gtest/gtest.h"
#include "imports/imports.h"
#include "schema/schema.h"

namespace shewhart::testing {

#define SHEWHART_ASSERT_OK(expr)                            \
  do {                                                      \
    const ::shewhart::Status _s = (expr);                   \
    ASSERT_TRUE(_s.ok()) << #expr << ": " << _s.ToString(); \
  } while (false)

template <typename T>
T ValueOrDie(Result<T> result) {
  if (!result.ok()) {
    ADD_FAILURE() << result.status().ToString();
    std::abort();
  }
  return std::move(result).value();
}

inline std::string ReadText(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteText(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

// Every table of the database, as the schema lists them (sqlite_master, or PostgreSQL's
// information_schema for the connection's schema), dumped in a stable order: tables by name, the
// rows of each sorted by their text. A table added by a migration is in the dump without editing
// this list.
inline std::string DumpDatabase(db::Connection& conn) {
  const std::string_view list_tables =
      conn.dialect() == db::Dialect::kSqlite
          ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
          : "SELECT CAST(table_name AS TEXT) FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            " ORDER BY table_name";
  std::vector<std::string> tables;
  Status listed = conn.Query(list_tables, {}, [&](const db::Row& r) {
    tables.push_back(r.Text(0));
    return db::Flow::kContinue;
  });
  // A dump that failed would compare equal to another failed dump: fail the test instead.
  if (!listed.ok()) ADD_FAILURE() << "listing the tables: " << listed.ToString();
  if (tables.empty()) ADD_FAILURE() << "the schema lists no tables";
  std::string out;
  for (const std::string& table : tables) {
    const std::string q = "SELECT * FROM " + table;
    std::vector<std::string> rows;
    const Status s = conn.Query(q, {}, [&](const db::Row& r) {
      std::string row;
      for (const db::Value& v : r.values()) row += v.DebugString() + "|";
      rows.push_back(std::move(row));
      return db::Flow::kContinue;
    });
    std::sort(rows.begin(), rows.end());
    out += q + "\n";
    for (const std::string& row : rows) out += row + "\n";
    if (!s.ok()) ADD_FAILURE() << q << ": " << s.ToString();
  }
  return out;
}

enum class Backend { kSqlite, kPostgres };

class StorageTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    static int counter = 0;
    const std::string unique = std::to_string(getpid()) + "_" + std::to_string(++counter);
    dir_ = std::filesystem::temp_directory_path() / ("shewhart-data-test-" + unique);
    std::filesystem::create_directories(dir_);
    if (GetParam() == Backend::kSqlite) {
      url_ = "sqlite:" + (dir_ / "test.db").string();
    } else {
      const char* base = std::getenv("SHEWHART_TEST_POSTGRES_URL");
      if (base == nullptr || *base == '\0') {
        if (std::getenv("SHEWHART_REQUIRE_POSTGRES") != nullptr) {
          FAIL() << "SHEWHART_TEST_POSTGRES_URL is not set but SHEWHART_REQUIRE_POSTGRES is";
        }
        GTEST_SKIP() << "SHEWHART_TEST_POSTGRES_URL is not set";
      }
      admin_ = ValueOrDie(db::Open(base));
      schema_ = "data_test_" + unique;
      SHEWHART_ASSERT_OK(admin_->ExecuteScript("DROP SCHEMA IF EXISTS " + schema_ +
                                               " CASCADE; CREATE SCHEMA " + schema_));
      base_url_ = base;
      url_ = UrlForSchema(schema_);
    }
    conn_ = ValueOrDie(db::Open(url_));
    SHEWHART_ASSERT_OK(schema::MigrateAll(*conn_));
  }

  void TearDown() override {
    conn_.reset();
    if (admin_ != nullptr) {
      EXPECT_TRUE(admin_->ExecuteScript("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE").ok());
      if (!second_schema_.empty()) {
        EXPECT_TRUE(
            admin_->ExecuteScript("DROP SCHEMA IF EXISTS " + second_schema_ + " CASCADE").ok());
      }
    }
    std::filesystem::remove_all(dir_);
  }

  bool IsPostgres() const { return GetParam() == Backend::kPostgres; }
  // PostgreSQL: the server's URL with `schema` as the search path.
  std::string UrlForSchema(const std::string& schema) const {
    return base_url_ + (base_url_.find('?') != std::string::npos ? "&" : "?") +
           "options=-csearch_path%3D" + schema;
  }
  // A second, empty and migrated database: another file (SQLite) or schema (PostgreSQL), dropped
  // with the test's.
  std::unique_ptr<db::Connection> OpenSecondDatabase() {
    std::string url = "sqlite:" + (dir_ / "second.db").string();
    if (IsPostgres()) {
      second_schema_ = schema_ + "_b";
      EXPECT_TRUE(admin_
                      ->ExecuteScript("DROP SCHEMA IF EXISTS " + second_schema_ +
                                      " CASCADE; CREATE SCHEMA " + second_schema_)
                      .ok());
      url = UrlForSchema(second_schema_);
    }
    auto conn = ValueOrDie(db::Open(url));
    EXPECT_TRUE(schema::MigrateAll(*conn).ok());
    return conn;
  }
  std::unique_ptr<db::Connection> OpenAnother() { return ValueOrDie(db::Open(url_)); }
  std::string Dump() { return DumpDatabase(*conn_); }
  int64_t Count(const std::string& table) {
    auto row = ValueOrDie(conn_->QueryRow("SELECT COUNT(*) FROM " + table));
    return row ? row->Int(0) : -1;
  }
  static imports::ImportOptions Options(std::string now = "2024-05-01T10:00:00Z",
                                        bool dry_run = false) {
    imports::ImportOptions o;
    o.actor = "test:analyst";
    o.now = std::move(now);
    o.dry_run = dry_run;
    return o;
  }
  static std::filesystem::path Cases() {
    return std::filesystem::path(SHEWHART_TEST_DATA_DIR) / "cases" / "imports";
  }
  // Imports the base organisations and metrics of tests/cases/imports/base.
  void LoadBase(bool with_observations = true) {
    ValueOrDie(imports::ImportOrganisationsFile(
        *conn_, (Cases() / "base" / "organisations.csv").string(), Options()));
    ValueOrDie(
        imports::ImportMetricsFile(*conn_, (Cases() / "base" / "metrics.csv").string(), Options()));
    if (with_observations) {
      ValueOrDie(imports::ImportObservationsFile(
          *conn_, (Cases() / "base" / "observations.csv").string(), Options()));
    }
  }

  std::filesystem::path dir_;
  std::string schema_;
  std::string second_schema_;
  std::string base_url_;
  std::string url_;
  std::unique_ptr<db::Connection> admin_;
  std::unique_ptr<db::Connection> conn_;
};

#define INSTANTIATE_STORAGE_TEST(suite)                                                       \
  INSTANTIATE_TEST_SUITE_P(                                                                   \
      Backends, suite,                                                                        \
      ::testing::Values(::shewhart::testing::Backend::kSqlite,                                \
                        ::shewhart::testing::Backend::kPostgres),                             \
      [](const ::testing::TestParamInfo<::shewhart::testing::Backend>& info) {                \
        return info.param == ::shewhart::testing::Backend::kSqlite ? std::string("sqlite")    \
                                                                   : std::string("postgres"); \
      })

}  // namespace shewhart::testing

#endif  // SHEWHART_IMPORTS_TESTING_STORAGE_FIXTURE_H_
