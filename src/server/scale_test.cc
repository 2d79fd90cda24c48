// Scale: documents from the cache (ETag / If-None-Match, precompressed gzip) kept correct across
// server processes by the database's data version; reads from replicas and a writer's own reads
// from the primary; a graceful stop that finishes the requests in flight. On SQLite and (when
// SHEWHART_TEST_POSTGRES_URL is set) PostgreSQL.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "access/access.h"
#include "access/audit.h"
#include "db/db.h"
#include "http/server.h"
#include "http/test_harness.h"
#include "imports/imports.h"
#include "imports/table.h"
#include "schema/schema.h"
#include "server/server.h"
#include "support/postgres_schema.h"

namespace shewhart::server {
namespace {

using access::Role;
using nlohmann::json;

constexpr std::string_view kPassword = "correct horse battery staple";
constexpr std::string_view kNow = "2024-05-02T10:00:00Z";

constexpr std::string_view kOrganisations =
    "code,name,kind,parent\n"
    "QHL,Test ICS,system,\n"
    "RJZ,King's College Hospital,acute trust,QHL\n"
    "RYJ,Imperial College Healthcare,acute trust,QHL\n";

constexpr std::string_view kMetrics =
    "code,name,definition,unit,measure,multiplier,improvement_direction,frequency,domain,status\n"
    "BEDS,Bed occupancy,Occupied beds,n,value,1,decrease,monthly,effective,agreed\n";

std::string Observations(int months, double level) {
  std::string csv = "metric,unit,period,value\n";
  for (const char* unit : {"RJZ", "RYJ"}) {
    for (int m = 1; m <= months; ++m) {
      char line[96];
      std::snprintf(line, sizeof(line), "BEDS,%s,20%02d-%02d-01,%.1f\n", unit, 20 + (m - 1) / 12,
                    (m - 1) % 12 + 1, level + (m * 7 % 5));
      csv += line;
    }
  }
  return csv;
}

std::string Gunzip(const std::string& in) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return "";
  std::string out;
  char buf[16384];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof(buf);
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - z.avail_out);
  }
  inflateEnd(&z);
  return rc == Z_STREAM_END ? out : "";
}

// One `shewhart serve` process: an Api over the database and an HTTP server in front of it.
struct Process {
  std::unique_ptr<Api> api;
  std::unique_ptr<http::TestServer> server;
};

class ScaleTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    access::UseFastPasswordHashingForTests();
    if (GetParam() == "sqlite") {
      dir_ = std::filesystem::temp_directory_path() /
             ("shewhart_scale_" + std::to_string(getpid()));
      std::filesystem::remove_all(dir_);
      std::filesystem::create_directories(dir_);
      url_ = "sqlite:" + (dir_ / "primary.db").string();
    } else {
      const char* pg = std::getenv("SHEWHART_TEST_POSTGRES_URL");
      if (pg == nullptr || *pg == '\0') GTEST_SKIP() << "SHEWHART_TEST_POSTGRES_URL is not set";
      ASSERT_TRUE(pg_schema_.Create(pg).ok());
      url_ = pg_schema_.url();
    }
    auto conn = db::Open(url_);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::move(*conn);
    ASSERT_TRUE(schema::MigrateAll(*conn_).ok());
    const imports::ImportOptions o{.actor = "test", .now = std::string(kNow)};
    ASSERT_TRUE(imports::ImportOrganisations(
                    *conn_, *imports::ParseCsvTable("o.csv", std::string(kOrganisations)), "o", o)
                    .ok());
    ASSERT_TRUE(
        imports::ImportMetrics(*conn_, *imports::ParseCsvTable("m.csv", std::string(kMetrics)),
                               "m", o)
            .ok());
    Import(Observations(20, 50), "first");
    for (const auto& [email, role, org] :
         {std::tuple{"admin@nhs.net", Role::kAdministrator, ""},
          std::tuple{"viewer@nhs.net", Role::kViewer, "RJZ"}}) {
      ASSERT_TRUE(access::CreateAccount(*conn_, {email, role, org}, kPassword, "test",
                                        std::string(kNow))
                      .ok());
    }
  }

  void TearDown() override {
    processes_.clear();
    conn_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  void Import(const std::string& csv, const std::string& sha) {
    const imports::ImportOptions o{.actor = "test", .now = std::string(kNow)};
    auto r = imports::ImportObservations(*conn_, *imports::ParseCsvTable("obs.csv", csv), sha, o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  Process& Start(ApiOptions options) {
    options.pool_size = 2;
    auto api = Api::Create(std::move(options));
    EXPECT_TRUE(api.ok()) << api.status().ToString();
    auto p = std::make_unique<Process>();
    p->api = std::move(*api);
    Api* raw = p->api.get();
    p->server = std::make_unique<http::TestServer>(
        http::ServerOptions{}, [raw](const http::Request& r) { return raw->Handle(r); });
    processes_.push_back(std::move(p));
    return *processes_.back();
  }

  static std::unique_ptr<http::TestClient> SignIn(const Process& p, const std::string& email,
                                                  std::string* csrf = nullptr) {
    auto c = std::make_unique<http::TestClient>(p.server->port());
    http::TestResponse r =
        c->Send("POST", "/api/session",
                json{{"email", email}, {"password", std::string(kPassword)}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    if (csrf) *csrf = json::parse(r.body).value("csrf_token", "");
    return c;
  }

  std::filesystem::path dir_;
  ::shewhart::testing::PostgresTestSchema pg_schema_;
  std::string url_;
  std::unique_ptr<db::Connection> conn_;
  std::vector<std::unique_ptr<Process>> processes_;
};

TEST_P(ScaleTest, DocumentsComeWithAnETagAndRevalidateTo304) {
  Process& p = Start({.db_url = url_});
  auto c = SignIn(p, "admin@nhs.net");
  http::TestResponse first = c->Send("GET", "/api/board?limit=10");
  ASSERT_EQ(first.status, 200) << first.body;
  const std::string etag = first.Header("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(first.Header("Cache-Control"), "private, no-cache");
  EXPECT_NE(first.Header("Vary").find("Accept-Encoding"), std::string::npos);
  EXPECT_EQ(json::parse(first.body)["rows"].size(), 3u);  // two trusts and the system
  // The same request again: the same bytes and the same ETag.
  http::TestResponse again = c->Send("GET", "/api/board?limit=10");
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.Header("ETag"), etag);
  // The query's order does not matter; its content does.
  EXPECT_EQ(c->Send("GET", "/api/board?limit=10&offset=0").status, 200);
  EXPECT_EQ(c->Send("GET", "/api/board?offset=1&limit=10").body.find("\"offset\":1") !=
                std::string::npos,
            true);
  // Revalidation: 304, no body.
  http::TestResponse same = c->Send("GET", "/api/board?limit=10", "", {{"If-None-Match", etag}});
  EXPECT_EQ(same.status, 304);
  EXPECT_TRUE(same.body.empty());
  EXPECT_EQ(same.Header("ETag"), etag);
  http::TestResponse other =
      c->Send("GET", "/api/board?limit=10", "", {{"If-None-Match", "W/\"0000000000000000\""}});
  EXPECT_EQ(other.status, 200);
  // Precompressed: the gzip bytes are the document.
  http::TestResponse zipped =
      c->Send("GET", "/api/board?limit=10", "", {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_EQ(zipped.status, 200);
  EXPECT_EQ(zipped.Header("Content-Encoding"), "gzip");
  // (The test client may already have inflated it.)
  const bool raw = zipped.body.size() > 2 && zipped.body[0] == '\x1f' && zipped.body[1] == '\x8b';
  EXPECT_EQ(raw ? Gunzip(zipped.body) : zipped.body, first.body);
  // A series and a funnel are documents too; a bad request is not cached as one.
  http::TestResponse series = c->Send("GET", "/api/series/BEDS/RJZ");
  EXPECT_EQ(series.status, 200) << series.body;
  EXPECT_FALSE(series.Header("ETag").empty());
  http::TestResponse bad = c->Send("GET", "/api/board?limit=0");
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(bad.Header("ETag").empty());
  EXPECT_EQ(c->Send("GET", "/api/board?limit=0").status, 400);
  // Not a document: no ETag, not stored.
  http::TestResponse metrics = c->Send("GET", "/api/metrics");
  EXPECT_TRUE(metrics.Header("ETag").empty());
  EXPECT_EQ(metrics.Header("Cache-Control"), "no-store");
}

TEST_P(ScaleTest, AWriteThroughAnyProcessIsSeenByEveryOther) {
  Process& a = Start({.db_url = url_});
  Process& b = Start({.db_url = url_});
  auto at_a = SignIn(a, "admin@nhs.net");
  std::string csrf;
  auto at_b = SignIn(b, "admin@nhs.net", &csrf);
  ASSERT_TRUE(access::DataVersion(*conn_).ok());
  const int64_t before = *access::DataVersion(*conn_);
  http::TestResponse old_board = at_a->Send("GET", "/api/board");
  ASSERT_EQ(old_board.status, 200);
  const std::string old_etag = old_board.Header("ETag");
  EXPECT_EQ(at_a->Send("GET", "/api/board", "", {{"If-None-Match", old_etag}}).status, 304);

  // 1. An import committed by another process (here: the command line) changes the data.
  Import(Observations(24, 90), "second");
  EXPECT_GT(*access::DataVersion(*conn_), before);
  http::TestResponse new_board = at_a->Send("GET", "/api/board", "", {{"If-None-Match", old_etag}});
  ASSERT_EQ(new_board.status, 200) << "process A answered from a stale cache";
  EXPECT_NE(new_board.Header("ETag"), old_etag);
  EXPECT_NE(new_board.body, old_board.body);
  EXPECT_NE(new_board.body.find("2021-12-01"), std::string::npos);  // the new last period

  // 2. A recalculation through process B: process A's next answer has it.
  const std::string etag2 = new_board.Header("ETag");
  http::TestResponse series_a = at_a->Send("GET", "/api/series/BEDS/RJZ");
  ASSERT_EQ(series_a.status, 200);
  http::TestResponse recalc =
      at_b->Send("POST", "/api/series/BEDS/RJZ/recalculations",
                 json{{"period", "2021-01-01"}, {"reason", "New ward opened"}}.dump(),
                 {{"X-CSRF-Token", csrf}});
  ASSERT_LT(recalc.status, 300) << recalc.body;
  http::TestResponse series_a2 = at_a->Send("GET", "/api/series/BEDS/RJZ");
  ASSERT_EQ(series_a2.status, 200);
  EXPECT_NE(series_a2.body, series_a.body);
  EXPECT_NE(series_a2.Header("ETag"), series_a.Header("ETag"));

  // 3. A sign-in is no change of data: documents stay cached.
  const int64_t v = *access::DataVersion(*conn_);
  SignIn(b, "viewer@nhs.net");
  EXPECT_EQ(*access::DataVersion(*conn_), v);
  (void)etag2;
}

// The board screen's own document (GET /api/board/report, the four questions for a scope): the
// second request is answered from the cache — a change made behind the server's back (no audited
// commit, so no new data version) is not seen — until an import commits, which is.
TEST_P(ScaleTest, TheBoardsReportIsServedFromTheCacheUntilAnImportCommits) {
  Process& cached = Start({.db_url = url_});
  Process& uncached = Start({.db_url = url_, .doc_cache_bytes = 0});
  auto c = SignIn(cached, "admin@nhs.net");
  auto u = SignIn(uncached, "admin@nhs.net");
  const std::string path = "/api/board/report?scope=QHL";
  http::TestResponse first = c->Send("GET", path);
  ASSERT_EQ(first.status, 200) << first.body;
  const std::string etag = first.Header("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(first.Header("Cache-Control"), "private, no-cache");
  ASSERT_FALSE(json::parse(first.body)["rows"].empty());
  EXPECT_EQ(first.body.find("987.25"), std::string::npos);
  // Behind the server's back: the stored mean changes, the data version does not.
  const int64_t version = *access::DataVersion(*conn_);
  ASSERT_TRUE(conn_->Execute("UPDATE spc_result SET mean = 987.25").ok());
  ASSERT_EQ(*access::DataVersion(*conn_), version);
  http::TestResponse fresh = u->Send("GET", path);
  ASSERT_EQ(fresh.status, 200) << fresh.body;
  ASSERT_NE(fresh.body.find("987.25"), std::string::npos) << "the report reads the stored mean";
  EXPECT_TRUE(fresh.Header("ETag").empty());  // no cache, no ETag
  // The cached process answers from its cache: the same bytes, and 304 to its ETag.
  http::TestResponse second = c->Send("GET", path);
  ASSERT_EQ(second.status, 200);
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(second.Header("ETag"), etag);
  EXPECT_EQ(c->Send("GET", path, "", {{"If-None-Match", etag}}).status, 304);
  // A filter is part of the key: another domain is another document.
  http::TestResponse other = c->Send("GET", path + "&domain=safe");
  ASSERT_EQ(other.status, 200) << other.body;
  EXPECT_NE(other.Header("ETag"), etag);
  // A committed import raises the data version: the next answer is made afresh.
  Import(Observations(24, 90), "second");
  EXPECT_GT(*access::DataVersion(*conn_), version);
  http::TestResponse after = c->Send("GET", path, "", {{"If-None-Match", etag}});
  ASSERT_EQ(after.status, 200) << "answered from a stale cache";
  EXPECT_NE(after.Header("ETag"), etag);
  EXPECT_NE(after.body, first.body);
  EXPECT_NE(after.body.find("2021-12-01"), std::string::npos);  // the new last period
  // The other read-mostly answers the board and metric screens ask for are documents too: the
  // list of organisations (7,000 at national scale) and a series.
  for (const char* doc : {"/api/organisations", "/api/series/BEDS/RJZ"}) {
    http::TestResponse r = c->Send("GET", doc);
    EXPECT_EQ(r.status, 200) << doc << ": " << r.body;
    EXPECT_FALSE(r.Header("ETag").empty()) << doc;
  }
}

TEST_P(ScaleTest, WhatACallerMaySeeIsPartOfTheKey) {
  Process& p = Start({.db_url = url_});
  auto admin = SignIn(p, "admin@nhs.net");
  auto viewer = SignIn(p, "viewer@nhs.net");
  http::TestResponse a = admin->Send("GET", "/api/board");
  http::TestResponse v = viewer->Send("GET", "/api/board");
  ASSERT_EQ(a.status, 200);
  ASSERT_EQ(v.status, 200);
  // The board is published to everyone today, so the bytes agree; the entries are separate (the
  // viewer's 304 is answered from the viewer's own entry, which exists).
  EXPECT_EQ(a.body, v.body);
  EXPECT_EQ(viewer->Send("GET", "/api/board", "", {{"If-None-Match", v.Header("ETag")}}).status,
            304);
  // Signed out: 401 from the access checks, never a cached document.
  http::TestClient anon(p.server->port());
  EXPECT_EQ(anon.Send("GET", "/api/board").status, 401);
}

// A replica is another database the primary streams to; here (on SQLite) a copy taken before the
// last import, so that which database answered shows in the data.
TEST_P(ScaleTest, ReadsFromTheReplicaAndAWritersOwnReadsFromThePrimary) {
  if (GetParam() != "sqlite") GTEST_SKIP() << "tests/deploy/replica_test.sh streams on PostgreSQL";
  conn_.reset();
  const std::string replica_path = (dir_ / "replica.db").string();
  std::filesystem::copy_file(dir_ / "primary.db", replica_path);
  {
    auto c = db::Open(url_);
    ASSERT_TRUE(c.ok());
    conn_ = std::move(*c);
  }
  Import(Observations(24, 90), "newer");  // on the primary only
  Process& p = Start({.db_url = url_,
                      .read_db_urls = {"sqlite:" + replica_path},
                      .read_own_writes_s = 30});
  std::string csrf;
  auto c = SignIn(p, "admin@nhs.net", &csrf);  // the replica has the account, not the session
  // Signing in was a write: this browser reads from the primary for a while.
  EXPECT_FALSE(c->cookies()["shewhart_wrote"].empty());
  http::TestResponse own = c->Send("GET", "/api/board");
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_NE(own.body.find("2021-12-01"), std::string::npos) << "not the primary's data";
  // Without the cookie, a read goes to the replica (the session is looked up on the primary,
  // since the replica has not seen it: "lag").
  c->cookies().erase("shewhart_wrote");
  http::TestResponse replica = c->Send("GET", "/api/board");
  ASSERT_EQ(replica.status, 200) << replica.body;
  // The session is unknown to the replica, so this request was moved to the primary as a whole.
  EXPECT_NE(replica.body.find("2021-12-01"), std::string::npos);
  // Once the replica has the session (replayed), reads are the replica's.
  {
    auto rep = db::Open("sqlite:" + replica_path);
    ASSERT_TRUE(rep.ok());
    ASSERT_TRUE(conn_->Query("SELECT token_hash, csrf_hash, account_id, created_at, expires_at_s "
                             "FROM session",
                             {},
                             [&](const db::Row& r) {
                               EXPECT_TRUE((*rep)->Execute("INSERT INTO session VALUES "
                                                           "(?, ?, ?, ?, ?)",
                                                           {r[0], r[1], r[2], r[3], r[4]})
                                               .ok());
                               return db::Flow::kContinue;
                             })
                    .ok());
  }
  http::TestResponse lagging = c->Send("GET", "/api/board");
  ASSERT_EQ(lagging.status, 200) << lagging.body;
  EXPECT_EQ(lagging.body.find("2021-12-01"), std::string::npos) << "not the replica's data";
  EXPECT_NE(lagging.body.find("2021-08-01"), std::string::npos);
  // A write goes to the primary and brings the writer's reads back to it.
  http::TestResponse note =
      c->Send("POST", "/api/series/BEDS/RJZ/annotations",
              json{{"period", "2021-03-01"}, {"text", "Escalation ward opened"}}.dump(),
              {{"X-CSRF-Token", csrf}});
  ASSERT_LT(note.status, 300) << note.body;
  EXPECT_FALSE(c->cookies()["shewhart_wrote"].empty());
  http::TestResponse mine = c->Send("GET", "/api/series/BEDS/RJZ/annotations");
  ASSERT_EQ(mine.status, 200);
  EXPECT_NE(mine.body.find("Escalation ward opened"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Databases, ScaleTest, ::testing::Values("sqlite", "postgresql"));

// SIGTERM: a request in flight is answered; new connections are refused; then Listen() returns.
TEST(GracefulStop, RequestsInFlightFinishAndNewOnesAreRefused) {
  std::atomic<int> started{0};
  http::ServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.threads = 4;
  o.access_log = [](std::string_view) {};
  http::Server server(o, [&](const http::Request&) {
    ++started;
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    http::Response r;
    r.body = R"({"slow":true})";
    return r;
  });
  auto port = server.Bind();
  ASSERT_TRUE(port.ok());
  std::thread listener([&] { (void)server.Listen(); });
  http::TestClient client(*port);
  http::TestResponse in_flight;
  std::thread request([&] { in_flight = client.Send("GET", "/api/slow"); });
  while (started.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto t0 = std::chrono::steady_clock::now();
  server.Drain(std::chrono::seconds(10));
  const auto waited = std::chrono::steady_clock::now() - t0;
  request.join();
  listener.join();
  EXPECT_EQ(in_flight.status, 200);
  EXPECT_EQ(in_flight.body, R"({"slow":true})");
  EXPECT_EQ(in_flight.Header("Connection"), "close");
  EXPECT_LT(waited, std::chrono::seconds(5));  // it did not wait for the whole grace period
  http::TestClient late(*port);
  EXPECT_EQ(late.Send("GET", "/api/slow").status, 0);  // refused: nobody listens
}

}  // namespace
}  // namespace shewhart::server
