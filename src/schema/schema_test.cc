// schema: the one registry is in data order, a new database gets every table with its foreign
// keys, and a database made by the earlier layout (the server's parts at versions 11, 51 and 61,
// below the data platform's) migrates forward without losing a row. Runs on SQLite and, when
// SHEWHART_TEST_POSTGRES_URL is set, on PostgreSQL.
#include "schema/schema.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "db/migrate.h"
#include "support/postgres_schema.h"

namespace shewhart::schema {
namespace {

class SchemaTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      static int counter = 0;
      path_ = std::filesystem::temp_directory_path() /
              ("shewhart_schema_" + std::to_string(getpid()) + "_" + std::to_string(++counter) +
               ".db");
      std::filesystem::remove(path_);
      url_ = "sqlite:" + path_.string();
    } else {
      const char* pg = std::getenv("SHEWHART_TEST_POSTGRES_URL");
      if (pg == nullptr || *pg == '\0') {
        if (std::getenv("SHEWHART_REQUIRE_POSTGRES") != nullptr) {
          FAIL() << "SHEWHART_TEST_POSTGRES_URL is not set but SHEWHART_REQUIRE_POSTGRES is";
        }
        GTEST_SKIP() << "SHEWHART_TEST_POSTGRES_URL is not set";
      }
      ASSERT_TRUE(pg_schema_.Create(pg).ok());
      url_ = pg_schema_.url();
    }
    auto conn = db::Open(url_);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::move(*conn);
  }
  void TearDown() override {
    conn_.reset();
    if (!path_.empty()) {
      std::filesystem::remove(path_);
      std::filesystem::remove(path_.string() + "-wal");
      std::filesystem::remove(path_.string() + "-shm");
    }
  }

  void Exec(const std::string& sql, std::vector<db::Value> params = {}) {
    const Status s = conn_->Execute(sql, params);
    ASSERT_TRUE(s.ok()) << sql << ": " << s.ToString();
  }

  std::map<int64_t, std::string> Applied() {
    std::map<int64_t, std::string> out;
    EXPECT_TRUE(conn_
                    ->Query("SELECT version, name FROM schema_migrations", {},
                            [&](const db::Row& r) {
                              out.emplace(r.Int(0), r.Text(1));
                              return db::Flow::kContinue;
                            })
                    .ok());
    return out;
  }

  // Every row of every table but schema_migrations: table -> rows (column -> value).
  using Rows = std::map<std::string, std::vector<std::map<std::string, std::string>>>;
  Rows ReadRows() {
    auto tables = TableNames(*conn_);
    EXPECT_TRUE(tables.ok());
    Rows out;
    for (const std::string& t : *tables) {
      if (t == "schema_migrations") continue;
      auto& rows = out[t];
      const Status s = conn_->Query("SELECT * FROM " + t, {}, [&](const db::Row& r) {
        std::map<std::string, std::string> row;
        for (size_t i = 0; i < r.size(); ++i) row[std::string(r.name(i))] = r[i].DebugString();
        rows.push_back(std::move(row));
        return db::Flow::kContinue;
      });
      EXPECT_TRUE(s.ok()) << t << ": " << s.ToString();
    }
    return out;
  }

  // `rows` as text, sorted, keeping of each table only the tables and columns of `shape` (what
  // the earlier layout had): later migrations may add tables and columns, never lose any.
  static std::string Text(const Rows& rows, const Rows& shape) {
    std::string out;
    for (const auto& [table, before_rows] : shape) {
      out += "== " + table + "\n";
      auto it = rows.find(table);
      if (it == rows.end()) {
        out += "(missing)\n";
        continue;
      }
      std::vector<std::string> lines;
      for (const auto& row : it->second) {
        std::string line;
        for (const auto& [column, value] : before_rows.empty() ? row : before_rows.front()) {
          auto v = row.find(column);
          line += column + "=" + (v == row.end() ? std::string("(missing)") : v->second) + "|";
        }
        lines.push_back(line);
      }
      std::sort(lines.begin(), lines.end());
      for (const auto& l : lines) out += l + "\n";
    }
    return out;
  }

  std::filesystem::path path_;
  std::string url_;
  testing::PostgresTestSchema pg_schema_;
  std::unique_ptr<db::Connection> conn_;
};

TEST(SchemaRegistryTest, PartsComeInDataOrderWithDirectoryFirst) {
  const std::vector<db::Migration> all = AllMigrations();
  ASSERT_FALSE(all.empty());
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].version, all[i].version);
  auto version_of = [&](std::string_view prefix) {
    for (const auto& m : all) {
      if (m.name.starts_with(prefix)) return m.version;
    }
    return -1;
  };
  const int directory = version_of("directory:");
  EXPECT_EQ(all.front().version, directory);
  EXPECT_LT(directory, version_of("dictionary:"));
  EXPECT_LT(version_of("dictionary:"), version_of("observations:"));
  EXPECT_LT(version_of("observations:"), version_of("oversight:"));
  EXPECT_LT(directory, version_of("access:"));
  EXPECT_LT(directory, version_of("intelligence:"));
  EXPECT_LT(version_of("access:"), version_of("intelligence:"));
}

TEST_P(SchemaTest, NewDatabaseHasEveryTableAndRealForeignKeysToUnits) {
  ASSERT_TRUE(MigrateAll(*conn_).ok());
  ASSERT_TRUE(MigrateAll(*conn_).ok());  // again: nothing to do
  auto tables = TableNames(*conn_);
  ASSERT_TRUE(tables.ok());
  const std::set<std::string> names(tables->begin(), tables->end());
  for (const char* t : {"unit", "metric", "observation", "spc_result", "series_event",
                        "import_upload", "account", "session", "audit_log", "soft_note"}) {
    EXPECT_TRUE(names.count(t)) << t;
  }
  EXPECT_EQ(Applied().size(), AllMigrations().size());
  // An account or a note for a unit that does not exist is refused by the database itself.
  EXPECT_FALSE(conn_
                   ->Execute("INSERT INTO account (email, password_hash, role, org_unit_id, "
                             "created_by, created_at) VALUES ('a@nhs.net', 'x', 'viewer', 999, "
                             "'test', 't')")
                   .ok());
  EXPECT_FALSE(conn_
                   ->Execute("INSERT INTO soft_note (unit_id, text, author, noted_on, created_at) "
                             "VALUES (999, 'n', 'a', '2024-01-01', 't')")
                   .ok());
}

TEST_P(SchemaTest, DatabaseOfTheEarlierLayoutMigratesForwardWithoutLoss) {
  // The earlier layout: the same scripts, the server's parts numbered 11, 51 and 61, and no
  // foreign-key migrations (602, 702 did not exist).
  std::map<int, int> old_number;
  for (const db::Renumbering& r : LegacyRenumberings()) old_number[r.to] = r.from;
  std::vector<db::Migration> legacy;
  for (db::Migration m : AllMigrations()) {
    if (m.version == 602 || m.version == 702) continue;
    if (m.version > 402 && !old_number.count(m.version)) continue;  // parts added since
    if (old_number.count(m.version)) m.version = old_number[m.version];
    legacy.push_back(m);
  }
  std::sort(legacy.begin(), legacy.end(),
            [](const db::Migration& a, const db::Migration& b) { return a.version < b.version; });
  ASSERT_EQ(legacy.front().version, 11);
  ASSERT_TRUE(db::Migrate(*conn_, legacy).ok());

  // Data in every table the server's parts own, pointing at real units.
  Exec("INSERT INTO unit (id, code, name, kind, created_by, created_at) VALUES "
       "(1, 'QHL', 'System', 'system', 'test', 't'), (2, 'RZA', 'Trust A', 'acute_trust', "
       "'test', 't')");
  Exec("UPDATE unit SET parent_id = 1 WHERE id = 2");
  Exec("INSERT INTO account (id, email, password_hash, role, org_unit_id, created_by, "
       "created_at) VALUES (1, 'admin@nhs.net', 'h1', 'administrator', NULL, 'cli', 't'), "
       "(2, 'lead@nhs.net', 'h2', 'organisation_quality_lead', 2, 'cli', 't')");
  Exec("UPDATE account SET disabled = 1 WHERE id = 1");
  Exec("INSERT INTO session (token_hash, csrf_hash, account_id, created_at, expires_at_s) VALUES "
       "('tok', 'csrf', 2, 't', 1999999999)");
  Exec("INSERT INTO audit_log (at, actor, action, target, before_json, after_json, remote) "
       "VALUES ('t', 'cli', 'account.create', 'account 2', '', '{}', '')");
  Exec("INSERT INTO soft_note (id, unit_id, text, author, noted_on, created_at) VALUES "
       "(7, 2, 'Staff report low morale on ward 3', 'lead@nhs.net', '2024-03-01', 't')");
  Exec("INSERT INTO import_upload (kind, file_name, sha256, content_base64, uploaded_by, "
       "uploaded_at, state) VALUES ('observations', 'm.csv', 'abc', 'eA==', 'lead@nhs.net', 't', "
       "'uploaded')");
  const Rows before = ReadRows();

  ASSERT_TRUE(MigrateAll(*conn_).ok());

  EXPECT_EQ(Text(ReadRows(), before), Text(before, before));
  std::set<int64_t> versions;
  for (const auto& [v, name] : Applied()) versions.insert(v);
  std::set<int64_t> expected;
  for (const auto& m : AllMigrations()) expected.insert(m.version);
  EXPECT_EQ(versions, expected);
  EXPECT_EQ(Applied()[601], "access: accounts, sessions, audit log");
  // The migrated database enforces the new keys, and the session still reaches its account.
  EXPECT_FALSE(conn_->Execute("UPDATE account SET org_unit_id = 999 WHERE id = 2").ok());
  EXPECT_FALSE(conn_->Execute("UPDATE soft_note SET unit_id = 999 WHERE id = 7").ok());
  EXPECT_FALSE(conn_->Execute("DELETE FROM account WHERE id = 2").ok());  // its session refers
  auto joined = conn_->QueryRow(
      "SELECT a.email FROM session s JOIN account a ON a.id = s.account_id WHERE s.token_hash = "
      "'tok'");
  ASSERT_TRUE(joined.ok() && joined->has_value());
  EXPECT_EQ((*joined)->Text(0), "lead@nhs.net");
}

TEST_P(SchemaTest, RenumberingRefusesAHistoryThatHasBothNumbers) {
  const db::Migration one[] = {{11, "access: accounts, sessions, audit log", "SELECT 1", ""},
                               {601, "access: accounts, sessions, audit log", "SELECT 1", ""}};
  ASSERT_TRUE(db::Migrate(*conn_, one).ok());
  const Status s = MigrateAll(*conn_);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
}

INSTANTIATE_TEST_SUITE_P(Backends, SchemaTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace shewhart::schema
