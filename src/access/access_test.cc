// Tests of accounts, sign-in, sessions, CSRF, throttling, scope and the audit log, on SQLite (and
// on PostgreSQL when SHEWHART_TEST_POSTGRES_URL is set).
#include "access/access.h"
#include "base/hash.h"

#include <gtest/gtest.h>

#include "support/postgres_schema.h"
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "access/audit.h"
#include "db/db.h"
#include "db/migrate.h"
#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "observations/observations.h"
#include "oversight/spc_store.h"
#include "schema/schema.h"

namespace shewhart::access {
namespace {

constexpr std::string_view kAt = "2024-05-02T10:00:00Z";
constexpr int64_t kNow = 1714644000;

class AccessTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    UseFastPasswordHashingForTests();
    std::string url;
    if (GetParam() == "sqlite") {
      path_ = std::filesystem::temp_directory_path() /
              ("shewhart_access_" + std::to_string(getpid()) + ".db");
      std::filesystem::remove(path_);
      url = "sqlite:" + path_.string();
    } else {
      const char* pg = std::getenv("SHEWHART_TEST_POSTGRES_URL");
      if (pg == nullptr || *pg == '\0') GTEST_SKIP() << "SHEWHART_TEST_POSTGRES_URL is not set";
      ASSERT_TRUE(pg_schema_.Create(pg).ok());
      url = pg_schema_.url();
    }
    auto conn = db::Open(url);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::move(*conn);
    ASSERT_TRUE(schema::MigrateAll(*conn_).ok());
    directory::Unit system{.code = "QHL", .name = "System", .kind = "system"};
    auto sys_id = directory::InsertUnit(*conn_, system, "test", kAt);
    ASSERT_TRUE(sys_id.ok()) << sys_id.status().ToString();
    directory::Unit trust{
        .code = "RJZ", .name = "King's", .kind = "acute trust", .parent_id = *sys_id};
    rjz_ = *directory::InsertUnit(*conn_, trust, "test", kAt);
    directory::Unit ward{.code = "RJZ-W1", .name = "Ward 1", .kind = "ward", .parent_id = rjz_};
    ward_ = *directory::InsertUnit(*conn_, ward, "test", kAt);
    directory::Unit other{
        .code = "RYJ", .name = "Imperial", .kind = "acute trust", .parent_id = *sys_id};
    ryj_ = *directory::InsertUnit(*conn_, other, "test", kAt);
  }
  void TearDown() override {
    conn_.reset();
    if (!path_.empty()) {
      for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(path_.string() + s);
    }
  }

  ::shewhart::testing::PostgresTestSchema pg_schema_;  // declared first: dropped last
  std::unique_ptr<db::Connection> conn_;
  std::filesystem::path path_;
  int64_t rjz_ = 0, ward_ = 0, ryj_ = 0;
};

TEST_P(AccessTest, CreateValidates) {
  EXPECT_EQ(CreateAccount(*conn_, {"not-an-email", Role::kViewer, ""}, "long enough pw", "t", kAt)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      CreateAccount(*conn_, {"a@nhs.net", Role::kViewer, ""}, "short", "t", kAt).status().code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(
      CreateAccount(*conn_, {"a@nhs.net", Role::kDataSubmitter, ""}, "long enough pw", "t", kAt)
          .status()
          .code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(CreateAccount(*conn_, {"a@nhs.net", Role::kViewer, "NOPE"}, "long enough pw", "t", kAt)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(
      CreateAccount(*conn_, {"A@NHS.net", Role::kViewer, "RJZ"}, "long enough pw", "t", kAt).ok());
  EXPECT_EQ(CreateAccount(*conn_, {"a@nhs.net", Role::kViewer, ""}, "long enough pw", "t", kAt)
                .status()
                .code(),
            StatusCode::kAlreadyExists);
  auto found = FindAccount(*conn_, "a@nhs.NET");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->org_code, "RJZ");
  // The stored hash is argon2id and never the password.
  auto row = conn_->QueryRow("SELECT password_hash FROM account WHERE email = ?", {"a@nhs.net"});
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_TRUE((*row)->Text(0).starts_with("$argon2id$"));
  EXPECT_EQ((*row)->Text(0).find("long enough pw"), std::string::npos);
}

TEST_P(AccessTest, SignInSessionCsrfAndSignOut) {
  ASSERT_TRUE(
      CreateAccount(*conn_, {"ana@nhs.net", Role::kViewer, ""}, "correct horse battery", "t", kAt)
          .ok());
  LoginThrottle throttle;
  auto bad = SignIn(*conn_, throttle, "ana@nhs.net", "wrong password!", "10.0.0.1", kNow, kAt);
  EXPECT_EQ(bad.status().code(), StatusCode::kPermissionDenied);
  auto unknown = SignIn(*conn_, throttle, "bob@nhs.net", "whatever12345", "10.0.0.1", kNow, kAt);
  EXPECT_EQ(unknown.status().message(), bad.status().message());  // no enumeration
  auto s = SignIn(*conn_, throttle, "ANA@nhs.net", "correct horse battery", "10.0.0.1", kNow, kAt);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_NE(s->session_token, s->csrf_token);
  EXPECT_GE(s->session_token.size(), 43u);
  // Only hashes are stored.
  auto stored = conn_->QueryAll("SELECT token_hash, csrf_hash FROM session");
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_NE((*stored)[0].Text(0), s->session_token);
  EXPECT_EQ((*stored)[0].Text(0), Sha256Hex(s->session_token));

  auto who = Authenticate(*conn_, s->session_token, kNow + 10);
  ASSERT_TRUE(who.ok() && who->has_value());
  EXPECT_EQ((*who)->account.email, "ana@nhs.net");
  EXPECT_TRUE(CsrfMatches(**who, s->csrf_token));
  EXPECT_FALSE(CsrfMatches(**who, s->session_token));
  EXPECT_FALSE(CsrfMatches(**who, ""));
  // Expired.
  auto late = Authenticate(*conn_, s->session_token, kNow + kSessionSeconds + 1);
  ASSERT_TRUE(late.ok());
  EXPECT_FALSE(late->has_value());
  // Signed out.
  ASSERT_TRUE(SignOut(*conn_, **who, Acting{"user:ana@nhs.net", std::string(kAt), ""}).ok());
  auto after = Authenticate(*conn_, s->session_token, kNow + 20);
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->has_value());
  // The sign-in and the sign-out were audited, by the services themselves (newest first).
  auto audit = ListAudit(*conn_, 10, std::nullopt);
  ASSERT_TRUE(audit.ok());
  ASSERT_GE(audit->size(), 2u);
  EXPECT_EQ((*audit)[0].action, "session.delete");
  EXPECT_EQ((*audit)[1].action, "session.create");
  EXPECT_EQ((*audit)[1].actor, "user:ana@nhs.net");
}

TEST_P(AccessTest, ThrottlePerAccountAndPerAddress) {
  ASSERT_TRUE(
      CreateAccount(*conn_, {"ana@nhs.net", Role::kViewer, ""}, "correct horse battery", "t", kAt)
          .ok());
  LoginThrottle throttle;
  for (int i = 0; i < LoginThrottle::kMaxFailuresPerAccount; ++i) {
    EXPECT_EQ(SignIn(*conn_, throttle, "ana@nhs.net", "nope nope nope", "10.0.0.1", kNow, kAt)
                  .status()
                  .code(),
              StatusCode::kPermissionDenied);
  }
  // Locked even with the right password, from any address.
  EXPECT_EQ(SignIn(*conn_, throttle, "ana@nhs.net", "correct horse battery", "10.9.9.9", kNow, kAt)
                .status()
                .code(),
            StatusCode::kResourceExhausted);
  // After the window it works again.
  EXPECT_TRUE(SignIn(*conn_, throttle, "ana@nhs.net", "correct horse battery", "10.9.9.9",
                     kNow + LoginThrottle::kThrottleWindowSeconds, kAt)
                  .ok());
  // One address spraying many accounts.
  LoginThrottle t2;
  for (int i = 0; i < LoginThrottle::kMaxFailuresPerAddress; ++i) {
    ASSERT_TRUE(
        t2.RecordFailure(*conn_, "user" + std::to_string(i) + "@x.org", "10.6.6.6", kNow).ok());
  }
  EXPECT_EQ(t2.Check(*conn_, "ana@nhs.net", "10.6.6.6", kNow).code(),
            StatusCode::kResourceExhausted);
  EXPECT_TRUE(t2.Check(*conn_, "ana@nhs.net", "10.0.0.2", kNow).ok());
}

// Finding 5: the throttle lived in one process's memory — lost on restart, not shared, and 40
// concurrent guesses got 12 checked. Now it is in the database, counted before the check.
TEST_P(AccessTest, ThrottleIsSharedKeptAndRaceFree) {
  ASSERT_TRUE(
      CreateAccount(*conn_, {"ana@nhs.net", Role::kViewer, ""}, "correct horse battery", "t", kAt)
          .ok());
  // Two "processes" (two throttles, two connections) share the count.
  auto url = GetParam() == "sqlite" ? "sqlite:" + path_.string() : pg_schema_.url();
  auto other = db::Open(url);
  ASSERT_TRUE(other.ok());
  LoginThrottle first, second;
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(
        SignIn(*conn_, first, "ana@nhs.net", "nope nope nope", "10.0.0.1", kNow, kAt).ok());
  }
  for (int i = 0; i < 2; ++i) {
    EXPECT_FALSE(
        SignIn(**other, second, "ana@nhs.net", "nope nope nope", "10.0.0.1", kNow, kAt).ok());
  }
  EXPECT_EQ(SignIn(**other, second, "ana@nhs.net", "correct horse battery", "10.0.0.3", kNow, kAt)
                .status()
                .code(),
            StatusCode::kResourceExhausted);
  // An administrator unlocks it at once.
  ASSERT_TRUE(UnlockAccount(*conn_, "ANA@nhs.net", Acting{"user:admin@nhs.net", std::string(kAt), ""}).ok());
  EXPECT_TRUE(
      SignIn(*conn_, first, "ana@nhs.net", "correct horse battery", "10.0.0.3", kNow, kAt).ok());
  // Failures and the lock-out are audited with the address.
  auto audit = ListAudit(*conn_, 100, std::nullopt);
  ASSERT_TRUE(audit.ok());
  int failed = 0, lockouts = 0;
  for (const AuditEntry& e : *audit) {
    if (e.action == "session.failed") {
      ++failed;
      EXPECT_EQ(e.remote, "10.0.0.1");
    }
    if (e.action == "session.lockout") ++lockouts;
  }
  EXPECT_EQ(failed, 5);
  EXPECT_EQ(lockouts, 1);

  // 40 concurrent guesses on 8 connections: at most the limit are checked.
  std::vector<std::unique_ptr<db::Connection>> conns;
  for (int i = 0; i < 8; ++i) {
    auto c = db::Open(url);
    ASSERT_TRUE(c.ok());
    conns.push_back(std::move(*c));
  }
  std::atomic<int> denied{0}, throttled{0}, other_errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      LoginThrottle throttle;
      for (int i = 0; i < 5; ++i) {
        auto r = SignIn(*conns[t], throttle, "ana@nhs.net", "wrong guess " + std::to_string(i),
                        "10.0.1." + std::to_string(t), kNow, kAt);
        if (r.status().code() == StatusCode::kPermissionDenied)
          ++denied;
        else if (r.status().code() == StatusCode::kResourceExhausted)
          ++throttled;
        else
          ++other_errors;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(denied.load(), LoginThrottle::kMaxFailuresPerAccount);
  EXPECT_EQ(denied.load() + throttled.load() + other_errors.load(), 40);
  EXPECT_LE(other_errors.load(), 0);
}

TEST_P(AccessTest, ScopeIsTheOrganisationAndBelow) {
  Account lead{.role = Role::kOrganisationQualityLead, .org_unit_id = rjz_};
  auto scope = ScopeOf(*conn_, lead);
  ASSERT_TRUE(scope.ok());
  EXPECT_TRUE(scope->Contains(rjz_));
  EXPECT_TRUE(scope->Contains(ward_));
  EXPECT_FALSE(scope->Contains(ryj_));
  Account system_lead{.role = Role::kSystemQualityLead};
  EXPECT_TRUE(ScopeOf(*conn_, system_lead)->Contains(ryj_));
  Account viewer{.role = Role::kViewer};
  EXPECT_FALSE(ScopeOf(*conn_, viewer)->Contains(rjz_));
}

TEST(RoleTest, NamesRoundTrip) {
  for (Role r : kAllRoles) EXPECT_EQ(ParseRole(RoleName(r)), r);
  EXPECT_FALSE(ParseRole("root").has_value());
  RoleSet s{Role::kAdministrator};
  EXPECT_TRUE(s.Contains(Role::kAdministrator));
  EXPECT_FALSE(s.Contains(Role::kViewer));
  EXPECT_TRUE(RoleSet::All().IsAll());
}

INSTANTIATE_TEST_SUITE_P(Databases, AccessTest, ::testing::Values("sqlite", "postgresql"));

}  // namespace
}  // namespace shewhart::access
