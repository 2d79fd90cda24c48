// The API against a live server, on SQLite and (when SHEWHART_TEST_POSTGRES_URL is set) on
// PostgreSQL: the whole route x role x scope matrix generated from the route table, CSRF,
// sessions after sign-out, limits, malformed bodies, injection in every parameter, the OpenAPI
// document, and the main flows (board, dictionary lifecycle, imports, notes, audit).
#include "http/server.h"

#include <gtest/gtest.h>

#include "support/postgres_schema.h"
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "access/access.h"
#include "base/date.h"
#include "db/db.h"
#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "http/test_harness.h"
#include "imports/imports.h"
#include "imports/table.h"
#include "observations/observations.h"
#include "schema/schema.h"
#include "server/routes.h"
#include "server/server.h"

namespace shewhart::server {
namespace {

using access::Role;
using nlohmann::json;

constexpr std::string_view kPassword = "correct horse battery staple";

constexpr std::string_view kOrganisations =
    "code,name,kind,parent,opened,closed,successor,member_of\n"
    "QHL,Test ICS,system,,,,,\n"
    "NW,North West place,place,QHL,,,,\n"
    "RJZ,King's College Hospital,acute trust,NW,,,,\n"
    "RYJ,Imperial College Healthcare,acute trust,QHL,,,,\n"
    "RAX,Kingston Hospital,acute trust,NW,,,,\n";

constexpr std::string_view kMetrics =
    "code,applies_from,name,definition,numerator_definition,denominator_definition,unit,measure,"
    "multiplier,improvement_direction,chart_type,frequency,domain,target,target_from,source,owner,"
    "status\n"
    "AE4H,,A&E 4 hours,Share of attendances seen within 4 hours,Seen in 4 hours,Attendances,%,"
    "proportion,100,increase,xmr,monthly,responsive,95,2018-01-01,NHS England,Ana,agreed\n";

std::string Observations() {
  std::string csv = "metric,unit,period,numerator,denominator\n";
  const char* units[] = {"RJZ", "RYJ", "RAX"};
  for (int u = 0; u < 3; ++u) {
    for (int m = 1; m <= 24; ++m) {
      char period[16];
      std::snprintf(period, sizeof(period), "20%02d-%02d-01", 20 + (m - 1) / 12, (m - 1) % 12 + 1);
      const int denominator = 1000 + 37 * ((m * 7 + u * 3) % 11);
      const int numerator = denominator * (80 + u * 4) / 100 + (m * 13 + u) % 17;
      csv += std::string("AE4H,") + units[u] + "," + period + "," + std::to_string(numerator) +
             "," + std::to_string(denominator) + "\n";
    }
  }
  return csv;
}

struct Account {
  Role role;
  std::string email;
  std::string org;
};
const Account kAccounts[] = {
    {Role::kAdministrator, "admin@nhs.net", ""},
    {Role::kSystemQualityLead, "system.lead@nhs.net", ""},
    {Role::kOrganisationQualityLead, "org.lead@nhs.net", "RJZ"},
    {Role::kQiPractitioner, "qi@nhs.net", "RJZ"},
    {Role::kDataSubmitter, "submitter@nhs.net", "RJZ"},
    {Role::kViewer, "viewer@nhs.net", "RJZ"},
};

// A signed-in browser: the cookie jar plus the CSRF token from the sign-in answer.
struct Browser {
  std::unique_ptr<http::TestClient> client;
  std::string csrf;

  http::TestResponse Send(const std::string& method, const std::string& target,
                          const std::string& body = "", bool with_csrf = true,
                          const std::string& content_type = "application/json") {
    std::vector<std::pair<std::string, std::string>> h;
    if (with_csrf && !csrf.empty()) h.emplace_back("X-CSRF-Token", csrf);
    return client->Send(method, target, body, h, content_type);
  }
};

json Json(const http::TestResponse& r) { return json::parse(r.body, nullptr, false); }

// True if the body is the one error shape.
bool IsErrorShape(const http::TestResponse& r) {
  json j = Json(r);
  return j.is_object() && j.contains("error") && j["error"].contains("code") &&
         j["error"]["code"].is_string() && j["error"].contains("message") &&
         j["error"].contains("details");
}

class ServerTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    access::UseFastPasswordHashingForTests();
    if (GetParam() == "sqlite") {
      path_ = std::filesystem::temp_directory_path() /
              ("shewhart_server_" + std::to_string(getpid()) + ".db");
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
    imports::ImportOptions o{.actor = "test", .now = "2024-05-02T10:00:00Z"};
    auto org = imports::ImportOrganisations(
        **conn, *imports::ParseCsvTable("orgs.csv", std::string(kOrganisations)), "x", o);
    ASSERT_TRUE(org.ok()) << org.status().ToString();
    auto met = imports::ImportMetrics(
        **conn, *imports::ParseCsvTable("metrics.csv", std::string(kMetrics)), "y", o);
    ASSERT_TRUE(met.ok()) << met.status().ToString();
    auto obs = imports::ImportObservations(
        **conn, *imports::ParseCsvTable("obs.csv", Observations()), "z", o);
    ASSERT_TRUE(obs.ok()) << obs.status().ToString();
    for (const Account& a : kAccounts) {
      auto id = access::CreateAccount(**conn, {a.email, a.role, a.org}, kPassword, "test",
                                      "2024-05-02T10:00:00Z");
      ASSERT_TRUE(id.ok()) << id.status().ToString();
    }
    auto api = Api::Create(
        {.db_url = url_, .pool_size = 4, .max_json_body_bytes = 4096, .max_upload_bytes = 1 << 20});
    ASSERT_TRUE(api.ok()) << api.status().ToString();
    api_ = std::move(*api);
    http::ServerOptions so;
    so.max_body_bytes = 2 << 20;
    server_ = std::make_unique<http::TestServer>(
        so, [this](const http::Request& r) { return api_->Handle(r); });
  }

  void TearDown() override {
    server_.reset();
    api_.reset();
    if (!path_.empty()) Cleanup();
  }

  void Cleanup() {
    for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(path_.string() + s);
  }

  Browser Anonymous() { return Browser{std::make_unique<http::TestClient>(server_->port()), ""}; }

  Browser SignedIn(Role role) {
    for (const Account& a : kAccounts) {
      if (a.role != role) continue;
      Browser b = Anonymous();
      json body = {{"email", a.email}, {"password", kPassword}};
      http::TestResponse r = b.client->Send("POST", "/api/session", body.dump());
      EXPECT_EQ(r.status, 200) << r.body;
      b.csrf = Json(r).value("csrf_token", "");
      const std::string cookie = r.Header("Set-Cookie");
      EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
      EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
      return b;
    }
    ADD_FAILURE() << "no account for the role";
    return Anonymous();
  }

  // A concrete path for a route pattern: placeholders filled with names that exist.
  static std::string Concrete(std::string_view pattern, const std::string& evil = "") {
    std::string out;
    size_t i = 0;
    while (i < pattern.size()) {
      if (pattern[i] != '{') {
        out += pattern[i++];
        continue;
      }
      const size_t close = pattern.find('}', i);
      const std::string_view name = pattern.substr(i + 1, close - i - 1);
      if (!evil.empty()) {
        out += evil;
      } else if (name == "org" || name == "unit") {
        out += "RJZ";
      } else if (name == "code" || name == "metric") {
        out += "AE4H";
      } else if (name == "version" || name == "id") {
        out += "1";
      } else {
        out += "system";
      }
      i = close + 1;
    }
    return out;
  }

  std::filesystem::path path_;
  ::shewhart::testing::PostgresTestSchema pg_schema_;  // dropped after everything below
  std::string url_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<http::TestServer> server_;
};

std::string Method(const Route& r) { return std::string(http::MethodName(r.method)); }

TEST_P(ServerTest, PublicRoutesAndEveryOtherRouteNeedsASession) {
  Browser anon = Anonymous();
  EXPECT_EQ(anon.Send("GET", "/api/health").status, 200);
  EXPECT_EQ(anon.Send("GET", "/api/openapi.json").status, 200);
  int checked = 0;
  for (const Route& r : Routes()) {
    if (r.auth == Auth::kPublic) continue;
    http::TestResponse res = anon.Send(Method(r), Concrete(r.path), "{}");
    EXPECT_EQ(res.status, 401) << Method(r) << " " << r.path;
    EXPECT_TRUE(IsErrorShape(res)) << res.body;
    EXPECT_EQ(Json(res)["error"]["code"], "unauthenticated");
    ++checked;
  }
  EXPECT_GT(checked, 25);
  // A forged cookie is no session either.
  anon.client->cookies()["shewhart_session"] = "forged";
  EXPECT_EQ(anon.Send("GET", "/api/board").status, 401);
}

TEST_P(ServerTest, RoleMatrixFromTheRouteTable) {
  for (Role role : access::kAllRoles) {
    Browser b = SignedIn(role);
    for (const Route& r : Routes()) {
      if (r.auth == Auth::kPublic) continue;
      if (r.method == http::Method::kDelete && r.path == "/api/session") continue;  // below
      const std::string path = Concrete(r.path);
      const std::string where = std::string(access::RoleName(role)) + " " + Method(r) + " " + path;
      if (!r.roles.Contains(role)) {
        http::TestResponse res = b.Send(Method(r), path, "{}");
        EXPECT_EQ(res.status, 403) << where << " " << res.body;
        EXPECT_TRUE(IsErrorShape(res)) << where;
        continue;
      }
      if (r.method == http::Method::kGet) {
        http::TestResponse res = b.Send("GET", path);
        EXPECT_NE(res.status, 401) << where;
        EXPECT_NE(res.status, 403) << where;
        EXPECT_LT(res.status, 500) << where << " " << res.body;
      } else {
        // Writes the role may make still need the CSRF token: missing and wrong -> 403.
        http::TestResponse missing = b.Send(Method(r), path, "{}", /*with_csrf=*/false);
        EXPECT_EQ(missing.status, 403) << where;
        Browser wrong{nullptr, "wrong-token"};
        std::vector<std::pair<std::string, std::string>> h = {{"X-CSRF-Token", "nope"}};
        EXPECT_EQ(b.client->Send(Method(r), path, "{}", h).status, 403) << where;
      }
    }
  }
}

TEST_P(ServerTest, SessionAfterSignOutIsRefused) {
  Browser b = SignedIn(Role::kViewer);
  const auto jar = b.client->cookies();
  EXPECT_EQ(b.Send("GET", "/api/session").status, 200);
  EXPECT_EQ(b.Send("DELETE", "/api/session", "", /*with_csrf=*/false).status, 403);
  EXPECT_EQ(b.Send("DELETE", "/api/session").status, 200);
  // The browser dropped the cookie; replaying the old one must fail too.
  b.client->cookies() = jar;
  http::TestResponse r = b.Send("GET", "/api/board");
  EXPECT_EQ(r.status, 401);
  EXPECT_TRUE(IsErrorShape(r));
}

TEST_P(ServerTest, SignInErrorsAndThrottling) {
  Browser anon = Anonymous();
  http::TestResponse bad = anon.Send("POST", "/api/session", R"({"email":"viewer@nhs.net"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(IsErrorShape(bad));
  for (int i = 0; i < access::LoginThrottle::kMaxFailuresPerAccount; ++i) {
    http::TestResponse r = anon.Send("POST", "/api/session",
                                     R"({"email":"viewer@nhs.net","password":"not the password"})");
    EXPECT_EQ(r.status, 401);
  }
  json right = {{"email", "viewer@nhs.net"}, {"password", kPassword}};
  http::TestResponse locked = anon.Send("POST", "/api/session", right.dump());
  EXPECT_EQ(locked.status, 429);
  EXPECT_TRUE(IsErrorShape(locked));
}

TEST_P(ServerTest, MalformedAndOversizedBodies) {
  Browser b = SignedIn(Role::kAdministrator);
  for (const char* body :
       {"", "{", "[1,2]", "null", "{\"email\": 5}", "\xff\xfe{}",
        "{\"email\":\"a@b.org\",\"role\":\"god\",\"password\":\"xxxxxxxxxxxxxx\"}"}) {
    http::TestResponse r = b.Send("POST", "/api/users", body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_TRUE(IsErrorShape(r)) << r.body;
  }
  http::TestResponse big = b.Send("POST", "/api/users", std::string(5000, ' '));
  EXPECT_EQ(big.status, 413);
  EXPECT_TRUE(IsErrorShape(big));
  http::TestResponse huge =
      b.Send("POST", "/api/imports", std::string(3 << 20, 'a'), true, "text/csv");
  EXPECT_EQ(huge.status, 413);
  EXPECT_TRUE(IsErrorShape(huge));
}

TEST_P(ServerTest, InjectionInEveryParameter) {
  Browser b = SignedIn(Role::kAdministrator);
  const std::vector<std::string> evil = {"'%20OR%201=1--",
                                         "RJZ';DROP%20TABLE%20unit;--",
                                         "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
                                         "99999999999999999999999999",
                                         "-1",
                                         "%ff%fe",
                                         "%00",
                                         "%22%3E%3Cscript%3E",
                                         "1e308"};
  int requests = 0;
  for (const Route& r : Routes()) {
    if (r.method != http::Method::kGet) continue;
    for (const std::string& e : evil) {
      if (r.path.find('{') != std::string_view::npos) {
        http::TestResponse res = b.Send("GET", Concrete(r.path, e));
        EXPECT_LT(res.status, 500) << r.path << " " << e << " " << res.body;
        EXPECT_TRUE(res.status == 200 || IsErrorShape(res)) << r.path << " " << e;
        EXPECT_EQ(res.body.find("SELECT"), std::string::npos);
        ++requests;
      }
      std::string_view q = r.query_params;
      while (!q.empty()) {
        const size_t comma = q.find(',');
        const std::string name(q.substr(0, comma));
        http::TestResponse res = b.Send("GET", Concrete(r.path) + "?" + name + "=" + e);
        EXPECT_LT(res.status, 500) << r.path << "?" << name << "=" << e << " " << res.body;
        EXPECT_TRUE(res.status == 200 || IsErrorShape(res)) << r.path << " " << name;
        q = comma == std::string_view::npos ? std::string_view() : q.substr(comma + 1);
        ++requests;
      }
    }
  }
  EXPECT_GT(requests, 100);
  // Nothing was dropped or changed.
  http::TestResponse orgs = b.Send("GET", "/api/organisations");
  ASSERT_EQ(orgs.status, 200);
  EXPECT_EQ(Json(orgs)["organisations"].size(), 5u);
  EXPECT_EQ(b.Send("GET", "/api/board?place=NW'%20OR%20'1'='1").status, 200);
  EXPECT_EQ(Json(b.Send("GET", "/api/board?place=NW'%20OR%20'1'='1"))["rows"].size(), 0u);
}

TEST_P(ServerTest, OpenApiListsEveryRoute) {
  Browser anon = Anonymous();
  json doc = Json(anon.Send("GET", "/api/openapi.json"));
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["openapi"], "3.0.3");
  size_t operations = 0;
  for (const Route& r : Routes()) {
    std::string m = Method(r);
    for (char& c : m) c = static_cast<char>(std::tolower(c));
    ASSERT_TRUE(doc["paths"].contains(std::string(r.path))) << r.path;
    EXPECT_TRUE(doc["paths"][std::string(r.path)].contains(m)) << m << " " << r.path;
    EXPECT_EQ(doc["paths"][std::string(r.path)][m]["x-action"], std::string(r.action)) << r.path;
  }
  for (const auto& [path, item] : doc["paths"].items()) operations += item.size();
  EXPECT_EQ(operations, Routes().size());  // and nothing documented that is not routed
  // The contract's routes are there.
  for (const char* p : {"/api/session", "/api/health", "/api/openapi.json", "/api/board"}) {
    EXPECT_TRUE(doc["paths"].contains(p)) << p;
  }
  // Success bodies say what they are: files for the exports, JSON elsewhere.
  const auto ok_media = [&](const char* path) {
    return doc["paths"][path]["get"]["responses"]["200"]["content"].begin().key();
  };
  EXPECT_EQ(ok_media("/api/board"), "application/json");
  EXPECT_EQ(ok_media("/api/board/pack.pdf"), "application/pdf");
  EXPECT_EQ(ok_media("/api/board/export.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
}

TEST_P(ServerTest, BoardFromStoredResultsWithFilters) {
  Browser b = SignedIn(Role::kViewer);
  json all = Json(b.Send("GET", "/api/board"));
  ASSERT_TRUE(all["rows"].is_array());
  // Three trusts plus the system aggregate, each with both icons.
  ASSERT_EQ(all["rows"].size(), 4u) << all.dump();
  for (const auto& row : all["rows"]) {
    EXPECT_FALSE(row["variation"].get<std::string>().empty());
    EXPECT_TRUE(row.contains("assurance"));
    EXPECT_EQ(row["metric"], "AE4H");
  }
  EXPECT_EQ(Json(b.Send("GET", "/api/board?place=NW"))["rows"].size(), 2u);
  EXPECT_EQ(Json(b.Send("GET", "/api/board?kind=acute%20trust"))["rows"].size(), 3u);
  EXPECT_EQ(Json(b.Send("GET", "/api/board?domain=responsive"))["rows"].size(), 4u);
  EXPECT_EQ(Json(b.Send("GET", "/api/board?domain=safe"))["rows"].size(), 0u);
  json series = Json(b.Send("GET", "/api/series/AE4H/RJZ"));
  EXPECT_EQ(series["points"].size(), 24u);
  EXPECT_EQ(series["summary"]["n_points"], 24);
  EXPECT_EQ(b.Send("GET", "/api/series/AE4H/QHL?aggregate=1").status, 200);
  EXPECT_EQ(b.Send("GET", "/api/series/NOPE/RJZ").status, 404);
  json funnel = Json(b.Send("GET", "/api/funnel/AE4H?period=2021-12-01"));
  EXPECT_EQ(funnel["units"].size(), 3u) << funnel.dump();
  json standing = Json(b.Send("GET", "/api/standing/AE4H?period=2021-12-01"));
  EXPECT_EQ(standing["n"], 3);
  json trend = Json(b.Send("GET", "/api/trend/AE4H/RJZ"));
  EXPECT_EQ(trend["n"], 24);
  EXPECT_EQ(Json(b.Send("GET", "/api/observations/AE4H/RJZ"))["observations"].size(), 24u);
}

TEST_P(ServerTest, DefinitionLifecycleIsRoleGatedAndAudited) {
  Browser qi = SignedIn(Role::kQiPractitioner);
  Browser submitter = SignedIn(Role::kDataSubmitter);
  Browser lead = SignedIn(Role::kSystemQualityLead);
  Browser admin = SignedIn(Role::kAdministrator);
  const json falls = {{"code", "FALLS"},
                      {"name", "Inpatient falls"},
                      {"definition", "Falls per 1,000 occupied bed days"},
                      {"measure", "rate"},
                      {"multiplier", 1000},
                      {"improvement_direction", "decrease"},
                      {"domain", "safe"}};
  EXPECT_EQ(submitter.Send("POST", "/api/metrics", falls.dump()).status, 403);
  http::TestResponse proposed = qi.Send("POST", "/api/metrics", falls.dump());
  ASSERT_EQ(proposed.status, 201) << proposed.body;
  EXPECT_EQ(qi.Send("POST", "/api/metrics/FALLS/versions/1/agree").status, 403);
  EXPECT_EQ(lead.Send("POST", "/api/metrics/FALLS/versions/1/retire").status, 409);
  EXPECT_EQ(lead.Send("POST", "/api/metrics/FALLS/versions/1/agree").status, 200);
  EXPECT_EQ(lead.Send("POST", "/api/metrics/FALLS/versions/1/agree").status, 409);
  EXPECT_EQ(lead.Send("POST", "/api/metrics/FALLS/versions/1/retire").status, 200);
  json metric = Json(qi.Send("GET", "/api/metrics/FALLS"));
  EXPECT_EQ(metric["versions"][0]["status"], "retired");
  EXPECT_EQ(metric["versions"][0]["agreed_by"], "system.lead@nhs.net");
  // Glossary versions.
  EXPECT_EQ(qi.Send("PUT", "/api/glossary/place", R"({"definition":"A local area"})").status, 403);
  EXPECT_EQ(lead.Send("PUT", "/api/glossary/place", R"({"definition":"A local area"})").status,
            200);
  EXPECT_EQ(lead.Send("PUT", "/api/glossary/place", R"({"definition":"A local system"})").status,
            200);
  EXPECT_EQ(Json(qi.Send("GET", "/api/glossary/place"))["versions"].size(), 2u);
  // The audit log: who, what, before -> after; administrators only.
  EXPECT_EQ(lead.Send("GET", "/api/audit").status, 403);
  json audit = Json(admin.Send("GET", "/api/audit?limit=100"));
  bool saw_agree = false;
  for (const auto& e : audit["entries"]) {
    if (e["action"] == "metric.agree") {
      saw_agree = true;
      EXPECT_EQ(e["actor"], "user:system.lead@nhs.net");
      EXPECT_EQ(e["before"]["status"], "draft");
      EXPECT_EQ(e["after"]["status"], "agreed");
      EXPECT_EQ(e["target"], "FALLS v1");
    }
  }
  EXPECT_TRUE(saw_agree);
}

TEST_P(ServerTest, ImportUploadPreviewCommitWithinScope) {
  Browser submitter = SignedIn(Role::kDataSubmitter);  // scope: RJZ
  const std::string mine =
      "metric,unit,period,numerator,denominator\nAE4H,RJZ,2022-01-01,900,1000\n"
      "AE4H,RJZ,2021-12-01,1,1000\n";
  http::TestResponse up = submitter.Send("POST", "/api/imports?kind=observations&file_name=jan.csv",
                                         mine, true, "text/csv");
  ASSERT_EQ(up.status, 201) << up.body;
  const std::string id = std::to_string(Json(up)["id"].get<int64_t>());
  json preview = Json(submitter.Send("POST", "/api/imports/" + id + "/preview"));
  EXPECT_EQ(preview["added"], 1);
  EXPECT_EQ(preview["changed"], 1);
  EXPECT_EQ(preview["written"], false);
  json before = Json(submitter.Send("GET", "/api/series/AE4H/RJZ"));
  EXPECT_EQ(before["points"].size(), 24u);
  json committed = Json(submitter.Send("POST", "/api/imports/" + id + "/commit"));
  EXPECT_EQ(committed["written"], true) << committed.dump();
  EXPECT_EQ(submitter.Send("POST", "/api/imports/" + id + "/commit").status, 409);
  // The import service audited the batch exactly as `shewhart import` does
  // (data_commands_test: ImportWritesTheSameAuditEntryAsAnUploadCommit), with the client's address.
  {
    Browser admin = SignedIn(Role::kAdministrator);
    int seen = 0;
    const json audit = Json(admin.Send("GET", "/api/audit?limit=100"));
    for (const auto& e : audit["entries"]) {
      if (e["action"] != "import.observations" || e["actor"] == "test") continue;  // not setup's
      ++seen;
      EXPECT_EQ(e["actor"], "user:submitter@nhs.net") << e.dump();
      EXPECT_EQ(e["target"], "batch " + std::to_string(committed["batch_id"].get<int64_t>()));
      EXPECT_EQ(e["after"]["file"], "jan.csv");
      EXPECT_EQ(e["after"]["added"], 1);
      EXPECT_EQ(e["after"]["changed"], 1);
      EXPECT_EQ(e["after"]["rows"], 2);
      EXPECT_EQ(e["after"]["sha256"], Json(up)["sha256"]);
      EXPECT_FALSE(e["remote"].get<std::string>().empty());
    }
    EXPECT_EQ(seen, 1) << audit.dump();
  }
  json after = Json(submitter.Send("GET", "/api/series/AE4H/RJZ"));
  EXPECT_EQ(after["points"].size(), 25u);  // recomputed and stored by the import
  // Another organisation's rows: refused.
  const std::string theirs = "metric,unit,period,value\nAE4H,RYJ,2022-01-01,90\n";
  http::TestResponse up2 =
      submitter.Send("POST", "/api/imports?kind=observations", theirs, true, "text/csv");
  ASSERT_EQ(up2.status, 201);
  const std::string id2 = std::to_string(Json(up2)["id"].get<int64_t>());
  EXPECT_EQ(submitter.Send("POST", "/api/imports/" + id2 + "/preview").status, 403);
  EXPECT_EQ(submitter.Send("POST", "/api/imports/" + id2 + "/commit").status, 403);
  // Organisations by file: system roles only.
  http::TestResponse up3 = submitter.Send("POST", "/api/imports?kind=organisations",
                                          std::string(kOrganisations), true, "text/csv");
  ASSERT_EQ(up3.status, 201);
  EXPECT_EQ(submitter
                .Send("POST",
                      "/api/imports/" + std::to_string(Json(up3)["id"].get<int64_t>()) + "/preview")
                .status,
            403);
  // A bad file lists its problems in details.
  http::TestResponse up4 =
      submitter.Send("POST", "/api/imports?kind=observations",
                     "metric,unit,period,value\nNOPE,RJZ,2022-13-01,x\n", true, "text/csv");
  http::TestResponse bad = submitter.Send(
      "POST", "/api/imports/" + std::to_string(Json(up4)["id"].get<int64_t>()) + "/commit");
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(IsErrorShape(bad));
}

// Finding 1: a submitter of RJZ wrote " RYJ" (a space or tab around the code): the scope check
// read the cell untrimmed, the import trimmed it, and RYJ's observations were overwritten.
TEST_P(ServerTest, ImportScopeHoldsForEverySpellingOfACode) {
  Browser submitter = SignedIn(Role::kDataSubmitter);  // scope: RJZ
  const json before = Json(submitter.Send("GET", "/api/observations/AE4H/RYJ"));
  for (const std::string unit : {" RYJ", "RYJ ", "\tRYJ", "RYJ\t", " RYJ\t", "\"RYJ \""}) {
    const std::string theirs =
        "metric,unit,period,numerator,denominator\nAE4H," + unit + ",2020-01-01,1,1000\n";
    http::TestResponse up =
        submitter.Send("POST", "/api/imports?kind=observations", theirs, true, "text/csv");
    ASSERT_EQ(up.status, 201) << up.body;
    const std::string id = std::to_string(Json(up)["id"].get<int64_t>());
    EXPECT_EQ(submitter.Send("POST", "/api/imports/" + id + "/preview").status, 403) << unit;
    EXPECT_EQ(submitter.Send("POST", "/api/imports/" + id + "/commit").status, 403) << unit;
  }
  EXPECT_EQ(Json(submitter.Send("GET", "/api/observations/AE4H/RYJ")), before);
}

// Finding 6: any submitter read every upload's metadata by id; two simultaneous commits of one
// upload both answered 200 and reset its batch link.
TEST_P(ServerTest, UploadsAreTheUploadersAndCommitOnce) {
  Browser admin = SignedIn(Role::kAdministrator);
  Browser submitter = SignedIn(Role::kDataSubmitter);
  const std::string rows = "metric,unit,period,numerator,denominator\nAE4H,RJZ,2022-02-01,9,10\n";
  http::TestResponse up =
      admin.Send("POST", "/api/imports?kind=observations", rows, true, "text/csv");
  ASSERT_EQ(up.status, 201);
  const std::string id = std::to_string(Json(up)["id"].get<int64_t>());
  EXPECT_EQ(submitter.Send("GET", "/api/imports/" + id).status, 404);
  EXPECT_EQ(submitter.Send("POST", "/api/imports/" + id + "/preview").status, 404);
  EXPECT_EQ(submitter.Send("POST", "/api/imports/" + id + "/commit").status, 404);
  EXPECT_EQ(admin.Send("GET", "/api/imports/" + id).status, 200);
  // Eight simultaneous commits: exactly one lands.
  std::vector<Browser> browsers;
  for (int i = 0; i < 8; ++i) browsers.push_back(SignedIn(Role::kAdministrator));
  std::vector<int> statuses(browsers.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < browsers.size(); ++i) {
    threads.emplace_back([&, i] {
      statuses[i] = browsers[i].Send("POST", "/api/imports/" + id + "/commit").status;
    });
  }
  for (auto& t : threads) t.join();
  int ok = 0;
  for (int st : statuses) {
    if (st == 200)
      ++ok;
    else
      EXPECT_TRUE(st == 409 || st == 429 || st == 503) << st;
  }
  EXPECT_EQ(ok, 1);
  const json meta = Json(admin.Send("GET", "/api/imports/" + id));
  EXPECT_EQ(meta["state"], "committed");
  EXPECT_FALSE(meta["batch_id"].is_null());
}

// Finding 6: sign-in accepted text/plain from any origin (login CSRF): every JSON route now
// needs application/json.
TEST_P(ServerTest, JsonRoutesTakeApplicationJsonOnly) {
  Browser anon = Anonymous();
  json right = {{"email", "viewer@nhs.net"}, {"password", kPassword}};
  for (const char* type :
       {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""}) {
    http::TestResponse r = anon.Send("POST", "/api/session", right.dump(), true, type);
    EXPECT_EQ(r.status, 415) << type;
    EXPECT_TRUE(IsErrorShape(r));
  }
  EXPECT_EQ(anon.Send("POST", "/api/session", right.dump(), true, "application/json; charset=utf-8")
                .status,
            200);
  Browser admin = SignedIn(Role::kAdministrator);
  for (const Route& r : Routes()) {
    if (r.body != BodyKind::kJson || r.auth == Auth::kPublic) continue;
    EXPECT_EQ(admin.Send(Method(r), Concrete(r.path), R"({"x":"y"})", true, "text/plain").status,
              415)
        << r.path;
  }
}

// Finding 6: NHS numbers in metric proposals, glossary terms, upload file names, and in any
// spelling; NUL and control characters stored raw. Every JSON route of the route table, every
// field, every spelling: refused before the handler runs.
TEST_P(ServerTest, EveryFreeTextFieldIsScreened) {
  Browser admin = SignedIn(Role::kAdministrator);
  const std::string full_width =
      "\xEF\xBC\x99\xEF\xBC\x94\xEF\xBC\x93\xEF\xBC\x94\xEF\xBC\x97\xEF\xBC\x96"
      "\xEF\xBC\x95\xEF\xBC\x99\xEF\xBC\x91\xEF\xBC\x99";
  const std::vector<std::string> spellings = {"943 476 5919",
                                              "943.476.5919",
                                              "943  476  5919",
                                              "943/476/5919",
                                              "943\t476\t5919",
                                              "943\xC2\xA0"
                                              "476\xC2\xA0"
                                              "5919",
                                              full_width,
                                              std::string("NUL\0here", 8),
                                              "bell\x07"};
  for (const Route& r : Routes()) {
    if (r.body != BodyKind::kJson) continue;
    for (const std::string& bad : spellings) {
      for (const char* field : {"text", "name", "definition", "email", "reason", "label"}) {
        json body = {{field, "patient " + bad}};
        http::TestResponse res = admin.Send(Method(r), Concrete(r.path), body.dump());
        EXPECT_EQ(res.status, 400) << r.path << " " << field << " " << bad;
        EXPECT_TRUE(IsErrorShape(res));
      }
    }
  }
  // Query and path parameters (an upload's file name, a glossary term).
  EXPECT_EQ(
      admin.Send("POST", "/api/imports?file_name=943.476.5919.csv", "a,b\n1,2\n", true, "text/csv")
          .status,
      400);
  EXPECT_EQ(admin.Send("PUT", "/api/glossary/943%20476%205919", R"({"definition":"x"})").status,
            400);
  // Glossary status is a word of the lifecycle; a multiplier cannot make infinities.
  EXPECT_EQ(
      admin.Send("PUT", "/api/glossary/SPC", R"({"definition":"x","status":"whatever"})").status,
      400);
  EXPECT_EQ(admin.Send("PUT", "/api/glossary/SPC", R"({"definition":"x","status":"draft"})").status,
            200);
  json metric = {{"code", "BIG"},
                 {"name", "Big"},
                 {"definition", "d"},
                 {"unit", "%"},
                 {"measure", "value"},
                 {"multiplier", 1e308},
                 {"improvement_direction", "increase"},
                 {"chart_type", "xmr"},
                 {"frequency", "monthly"},
                 {"domain", "responsive"}};
  http::TestResponse big = admin.Send("POST", "/api/metrics", metric.dump());
  EXPECT_EQ(big.status, 400) << big.body;
  EXPECT_NE(big.body.find("multiplier"), std::string::npos) << big.body;
}

// Finding 5: any account could be locked by anyone with no unlock path; failed sign-ins and
// lock-outs were not audited.
TEST_P(ServerTest, LockOutIsAuditedAndAnAdministratorUnlocks) {
  Browser anon = Anonymous();
  for (int i = 0; i < access::LoginThrottle::kMaxFailuresPerAccount + 1; ++i) {
    anon.Send("POST", "/api/session",
              R"({"email":"viewer@nhs.net","password":"not the password"})");
  }
  json right = {{"email", "viewer@nhs.net"}, {"password", kPassword}};
  EXPECT_EQ(anon.Send("POST", "/api/session", right.dump()).status, 429);
  Browser admin = SignedIn(Role::kAdministrator);
  int64_t viewer_id = 0;
  const json users = Json(admin.Send("GET", "/api/users"));
  for (const auto& u : users["users"]) {
    if (u["email"] == "viewer@nhs.net") viewer_id = u["id"].get<int64_t>();
  }
  ASSERT_GT(viewer_id, 0);
  Browser lead = SignedIn(Role::kSystemQualityLead);
  EXPECT_EQ(lead.Send("POST", "/api/users/" + std::to_string(viewer_id) + "/unlock").status, 403);
  EXPECT_EQ(admin.Send("POST", "/api/users/" + std::to_string(viewer_id) + "/unlock").status, 200);
  EXPECT_EQ(anon.Send("POST", "/api/session", right.dump()).status, 200);
  int failed = 0, lockouts = 0, unlocks = 0;
  const json audit = Json(admin.Send("GET", "/api/audit?limit=1000"));
  for (const auto& e : audit["entries"]) {
    if (e["action"] == "session.failed") ++failed;
    if (e["action"] == "session.lockout") ++lockouts;
    if (e["action"] == "account.unlock") ++unlocks;
  }
  EXPECT_EQ(failed, access::LoginThrottle::kMaxFailuresPerAccount);
  EXPECT_EQ(lockouts, 1);
  EXPECT_EQ(unlocks, 1);
}

// Finding 5: behind a proxy every client had the proxy's address.
TEST(ClientAddressTest, TrustedProxiesOnly) {
  http::Request r;
  r.remote_addr = "127.0.0.1";
  r.headers.emplace("x-forwarded-for", "10.9.9.9, 10.1.2.3");
  EXPECT_EQ(ClientAddress(r, {}), "127.0.0.1");            // no trusted proxy: the peer
  EXPECT_EQ(ClientAddress(r, {"10.0.0.5"}), "127.0.0.1");  // the peer is not trusted
  EXPECT_EQ(ClientAddress(r, {"127.0.0.1"}), "10.1.2.3");  // right-most untrusted hop
  EXPECT_EQ(ClientAddress(r, {"127.0.0.1", "10.1.2.3"}), "10.9.9.9");
  http::Request none;
  none.remote_addr = "127.0.0.1";
  EXPECT_EQ(ClientAddress(none, {"127.0.0.1"}), "127.0.0.1");
}

TEST_P(ServerTest, RestrictedNotesFollowScope) {
  Browser admin = SignedIn(Role::kAdministrator);
  Browser org_lead = SignedIn(Role::kOrganisationQualityLead);  // RJZ
  Browser viewer = SignedIn(Role::kViewer);                     // RJZ
  Browser system_lead = SignedIn(Role::kSystemQualityLead);
  ASSERT_EQ(admin
                .Send("POST", "/api/organisations/RYJ/notes",
                      R"({"text":"Night staffing concerns raised","noted_on":"2024-04-30"})")
                .status,
            201);
  ASSERT_EQ(org_lead
                .Send("POST", "/api/organisations/RJZ/notes",
                      R"({"text":"Good feedback from the ward visit"})")
                .status,
            201);
  // Another organisation's restricted data is not visible, not even its existence.
  EXPECT_EQ(org_lead.Send("GET", "/api/organisations/RYJ/notes").status, 404);
  EXPECT_EQ(org_lead.Send("POST", "/api/organisations/RYJ/notes", R"({"text":"x"})").status, 404);
  json mine = Json(org_lead.Send("GET", "/api/notes"));
  ASSERT_EQ(mine["notes"].size(), 1u);
  EXPECT_EQ(mine["notes"][0]["organisation"], "RJZ");
  EXPECT_EQ(Json(viewer.Send("GET", "/api/notes"))["notes"].size(), 1u);
  EXPECT_EQ(Json(system_lead.Send("GET", "/api/notes"))["notes"].size(), 2u);
  EXPECT_EQ(Json(system_lead.Send("GET", "/api/organisations/RYJ/notes"))["notes"].size(), 1u);
  // No patient-identifiable data.
  http::TestResponse nhs =
      admin.Send("POST", "/api/organisations/RJZ/notes", R"({"text":"patient 943 476 5919 fell"})");
  EXPECT_EQ(nhs.status, 400);
  EXPECT_TRUE(IsErrorShape(nhs));
}

TEST_P(ServerTest, RecalculationWithAReasonIsRoleGatedAndAudited) {
  Browser viewer = SignedIn(Role::kViewer);
  Browser qi = SignedIn(Role::kQiPractitioner);
  Browser lead = SignedIn(Role::kSystemQualityLead);
  Browser admin = SignedIn(Role::kAdministrator);
  const std::string recalc = "/api/series/AE4H/RJZ/recalculations";
  const json body = {{"period", "2021-01-01"}, {"reason", "New triage model"}};
  http::TestResponse refused = viewer.Send("POST", recalc, body.dump());
  EXPECT_EQ(refused.status, 403);
  EXPECT_TRUE(IsErrorShape(refused));
  EXPECT_EQ(qi.Send("POST", recalc, body.dump()).status, 403);
  // The reason is required: empty or only spaces -> 400 with the one error shape.
  for (const char* reason : {"", "   "}) {
    http::TestResponse empty =
        lead.Send("POST", recalc, json({{"period", "2021-01-01"}, {"reason", reason}}).dump());
    EXPECT_EQ(empty.status, 400) << empty.body;
    EXPECT_TRUE(IsErrorShape(empty)) << empty.body;
    EXPECT_EQ(Json(empty)["error"]["code"], "invalid_argument");
  }
  EXPECT_EQ(lead.Send("POST", recalc, R"({"period":"2021-01-01"})").status, 400);
  EXPECT_EQ(lead.Send("POST", recalc, R"({"period":"2021-01-15","reason":"x"})").status, 400);
  EXPECT_EQ(lead.Send("POST", "/api/series/AE4H/NOPE/recalculations", body.dump()).status, 404);
  EXPECT_EQ(Json(viewer.Send("GET", "/api/series/AE4H/RJZ"))["groups"].size(), 1u);

  http::TestResponse done = lead.Send("POST", recalc, body.dump());
  ASSERT_EQ(done.status, 201) << done.body;
  EXPECT_EQ(Json(done)["kind"], "recalculation");
  EXPECT_EQ(Json(done)["created_by"], "system.lead@nhs.net");
  // The stored result now has two groups, the second from January 2021 with the reason.
  json series = Json(viewer.Send("GET", "/api/series/AE4H/RJZ"));
  ASSERT_EQ(series["groups"].size(), 2u) << series.dump();
  EXPECT_EQ(series["groups"][1]["begin"], 12);
  EXPECT_EQ(series["groups"][1]["reason"], "New triage model");
  EXPECT_EQ(series["points"][12]["period"], "2021-01-01");
  EXPECT_EQ(lead.Send("POST", recalc, body.dump()).status, 409);  // once per period

  // The system aggregate is its own series.
  http::TestResponse agg = admin.Send("POST", "/api/series/AE4H/QHL/recalculations?aggregate=1",
                                      json({{"period", "2021-06-01"}, {"reason", "ICS"}}).dump());
  EXPECT_EQ(agg.status, 201) << agg.body;
  EXPECT_EQ(Json(viewer.Send("GET", "/api/series/AE4H/QHL?aggregate=1"))["groups"][1]["reason"],
            "ICS");

  // Audited: who, what, before -> after.
  json audit = Json(admin.Send("GET", "/api/audit?limit=100"));
  int seen = 0;
  for (const auto& e : audit["entries"]) {
    if (e["action"] != "series.recalculate" || e["target"] != "AE4H RJZ") continue;
    ++seen;
    EXPECT_EQ(e["actor"], "user:system.lead@nhs.net");
    EXPECT_EQ(e["before"]["groups"].size(), 1u) << e.dump();
    EXPECT_EQ(e["after"]["groups"].size(), 2u) << e.dump();
    EXPECT_EQ(e["after"]["reason"], "New triage model");
    EXPECT_EQ(e["after"]["period"], "2021-01-01");
  }
  EXPECT_EQ(seen, 1);
}

TEST_P(ServerTest, AnnotationsForEveryoneToReadAndProposersToWrite) {
  Browser viewer = SignedIn(Role::kViewer);
  Browser submitter = SignedIn(Role::kDataSubmitter);
  Browser qi = SignedIn(Role::kQiPractitioner);
  Browser admin = SignedIn(Role::kAdministrator);
  const std::string notes = "/api/series/AE4H/RJZ/annotations";
  const json pdsa = {{"period", "2021-03-01"}, {"text", "PDSA cycle 1: triage nurse at the door"}};
  EXPECT_EQ(viewer.Send("POST", notes, pdsa.dump()).status, 403);
  EXPECT_EQ(submitter.Send("POST", notes, pdsa.dump()).status, 403);
  http::TestResponse added = qi.Send("POST", notes, pdsa.dump());
  ASSERT_EQ(added.status, 201) << added.body;
  http::TestResponse nhs =
      qi.Send("POST", notes, R"({"period":"2021-03-01","text":"patient 943 476 5919"})");
  EXPECT_EQ(nhs.status, 400);
  EXPECT_TRUE(IsErrorShape(nhs));
  json list = Json(viewer.Send("GET", notes));
  ASSERT_EQ(list["annotations"].size(), 1u) << list.dump();
  EXPECT_EQ(list["annotations"][0]["period"], "2021-03-01");
  EXPECT_EQ(list["annotations"][0]["text"], "PDSA cycle 1: triage nurse at the door");
  EXPECT_EQ(list["annotations"][0]["created_by"], "qi@nhs.net");
  EXPECT_EQ(Json(viewer.Send("GET", "/api/series/AE4H/RYJ/annotations"))["annotations"].size(), 0u);
  // An annotation does not rebase the chart.
  EXPECT_EQ(Json(viewer.Send("GET", "/api/series/AE4H/RJZ"))["groups"].size(), 1u);
  bool audited = false;
  const json audit = Json(admin.Send("GET", "/api/audit?limit=100"));
  for (const auto& e : audit["entries"]) {
    if (e["action"] == "series.annotate") {
      audited = true;
      EXPECT_EQ(e["actor"], "user:qi@nhs.net");
      EXPECT_EQ(e["target"], "AE4H RJZ");
      EXPECT_EQ(e["after"]["period"], "2021-03-01");
    }
  }
  EXPECT_TRUE(audited);
}

TEST_P(ServerTest, SessionAnswersThePermittedActionsOfTheRole) {
  // The role matrix of docs/api.md, written out independently of the route table: the actions
  // each role may and may not call.
  struct Expect {
    Role role;
    std::vector<std::string> may;
    std::vector<std::string> may_not;
    bool system_scope;
  };
  const std::vector<std::string> reads = {"session.read", "board.read",    "metric.read",
                                          "series.read",  "glossary.list", "note.list"};
  const Expect kMatrix[] = {
      {Role::kAdministrator,
       {"account.create", "audit.list", "metric.agree", "metric.propose", "series.recalculate",
        "series.annotate", "import.commit", "note.create", "glossary.set"},
       {},
       true},
      {Role::kSystemQualityLead,
       {"metric.agree", "metric.retire", "metric.propose", "glossary.set", "series.recalculate",
        "series.annotate", "import.upload", "import.commit", "note.create"},
       {"account.create", "account.list", "audit.list"},
       true},
      {Role::kOrganisationQualityLead,
       {"metric.propose", "series.annotate", "import.upload", "import.commit", "note.create"},
       {"metric.agree", "metric.retire", "glossary.set", "series.recalculate", "account.create",
        "audit.list"},
       false},
      {Role::kQiPractitioner,
       {"metric.propose", "series.annotate", "note.create"},
       {"metric.agree", "glossary.set", "series.recalculate", "import.upload", "import.commit",
        "account.create"},
       false},
      {Role::kDataSubmitter,
       {"import.upload", "import.preview", "import.commit", "import.read"},
       {"metric.propose", "metric.agree", "glossary.set", "series.recalculate", "series.annotate",
        "note.create", "account.create"},
       false},
      {Role::kViewer,
       {},
       {"metric.propose", "metric.agree", "metric.retire", "glossary.set", "series.recalculate",
        "series.annotate", "import.upload", "import.commit", "note.create", "account.create",
        "account.list", "audit.list"},
       false},
  };
  for (const Expect& e : kMatrix) {
    const std::string role(access::RoleName(e.role));
    Browser b = SignedIn(e.role);
    http::TestResponse res = b.Send("GET", "/api/session");
    ASSERT_EQ(res.status, 200) << role << " " << res.body;
    const json who = Json(res);
    ASSERT_TRUE(who["actions"].is_array()) << role << " " << res.body;
    std::set<std::string> actions;
    for (const json& a : who["actions"]) actions.insert(a.get<std::string>());
    EXPECT_EQ(actions.size(), who["actions"].size()) << role << ": an action listed twice";
    for (const std::string& a : reads) EXPECT_TRUE(actions.contains(a)) << role << " " << a;
    for (const std::string& a : e.may) EXPECT_TRUE(actions.contains(a)) << role << " " << a;
    for (const std::string& a : e.may_not) EXPECT_FALSE(actions.contains(a)) << role << " " << a;
    EXPECT_EQ(who["system_scope"], e.system_scope) << role;
    // Exactly the routes the role may call, from the route table (whose rules the role matrix
    // test enforces request by request).
    std::set<std::string> from_table;
    for (const Route& r : Routes()) {
      if (r.auth == Auth::kPublic || r.roles.Contains(e.role)) from_table.emplace(r.action);
    }
    EXPECT_EQ(actions, from_table) << role;
    // Signing in answers the same, so the front end needs no second request.
    Browser fresh = Anonymous();
    for (const Account& a : kAccounts) {
      if (a.role != e.role) continue;
      const json body = {{"email", a.email}, {"password", kPassword}};
      const json signed_in = Json(fresh.Send("POST", "/api/session", body.dump()));
      EXPECT_EQ(signed_in["actions"], who["actions"]) << role;
      EXPECT_EQ(signed_in["system_scope"], e.system_scope) << role;
    }
  }
}

// Issue 16: agreeing a definition with a new target shows the target and the restart at once.
TEST_P(ServerTest, AgreeingADefinitionRecomputesTheStoredSeriesAtOnce) {
  Browser lead = SignedIn(Role::kSystemQualityLead);
  Browser viewer = SignedIn(Role::kViewer);
  const json v2 = {{"code", "AE4H"},
                   {"applies_from", "2021-06-01"},
                   {"name", "A&E 4 hours"},
                   {"definition", "Share of all attendances seen within 4 hours"},
                   {"numerator_definition", "Seen in 4 hours"},
                   {"denominator_definition", "Attendances"},
                   {"unit", "%"},
                   {"measure", "proportion"},
                   {"multiplier", 100},
                   {"improvement_direction", "increase"},
                   {"frequency", "monthly"},
                   {"domain", "responsive"},
                   {"target", 76}};
  ASSERT_EQ(lead.Send("POST", "/api/metrics", v2.dump()).status, 201);
  // A draft does not govern the chart.
  json before = Json(viewer.Send("GET", "/api/series/AE4H/RJZ"));
  EXPECT_EQ(before["summary"]["target"], 95);
  EXPECT_EQ(before["groups"].size(), 1u);
  http::TestResponse agreed = lead.Send("POST", "/api/metrics/AE4H/versions/2/agree");
  ASSERT_EQ(agreed.status, 200) << agreed.body;
  EXPECT_GE(Json(agreed)["recomputed"].get<int>(), 4);  // three trusts and the system
  json after = Json(viewer.Send("GET", "/api/series/AE4H/RJZ"));
  EXPECT_EQ(after["summary"]["target"], 76);
  ASSERT_EQ(after["groups"].size(), 2u) << after.dump();
  EXPECT_EQ(after["groups"][1]["reason"], "definition changed (version 2)");
  EXPECT_EQ(after["points"][after["groups"][1]["begin"].get<int>()]["period"], "2021-06-01");
  json system = Json(viewer.Send("GET", "/api/series/AE4H/QHL?aggregate=1"));
  EXPECT_EQ(system["summary"]["target"], 76);
}

// Issue 16: one trust three months ahead: the system value is held back, "1 of 3 reported".
TEST_P(ServerTest, OneTrustAheadIsHeldBackFromTheSystemValue) {
  Browser admin = SignedIn(Role::kAdministrator);
  const std::string ahead =
      "metric,unit,period,numerator,denominator\nAE4H,RJZ,2022-01-01,990,1000\n"
      "AE4H,RJZ,2022-02-01,995,1000\nAE4H,RJZ,2022-03-01,999,1000\n";
  http::TestResponse up = admin.Send("POST", "/api/imports?kind=observations&file_name=ahead.csv",
                                     ahead, true, "text/csv");
  ASSERT_EQ(up.status, 201) << up.body;
  const std::string id = std::to_string(Json(up)["id"].get<int64_t>());
  ASSERT_EQ(admin.Send("POST", "/api/imports/" + id + "/commit").status, 200);
  json system = Json(admin.Send("GET", "/api/series/AE4H/QHL?aggregate=1"));
  EXPECT_EQ(system["summary"]["last_period"], "2021-12-01");
  EXPECT_EQ(system["points"].size(), 24u);
  EXPECT_EQ(system["coverage"]["aggregation"], "pooled");
  EXPECT_EQ(system["coverage"]["reported"], 3);
  EXPECT_EQ(system["coverage"]["expected"], 3);
  ASSERT_EQ(system["coverage"]["held_back"].size(), 3u) << system.dump();
  EXPECT_EQ(system["coverage"]["held_back"][2]["period"], "2022-03-01");
  EXPECT_EQ(system["coverage"]["held_back"][2]["reported"], 1);
  EXPECT_EQ(system["coverage"]["held_back"][2]["expected"], 3);
  EXPECT_EQ(system["points"][23]["reported"], 3);
  // The board says the same, and RJZ's own series has its months.
  json board = Json(admin.Send("GET", "/api/board?scope=QHL"));
  bool saw = false;
  for (const auto& r : board["rows"]) {
    if (!r["aggregate"].get<bool>()) continue;
    saw = true;
    EXPECT_EQ(r["last_period"], "2021-12-01");
    EXPECT_EQ(r["held_back"].size(), 3u);
    EXPECT_EQ(r["reported"], 3);
  }
  EXPECT_TRUE(saw);
  EXPECT_EQ(Json(admin.Send("GET", "/api/series/AE4H/RJZ"))["points"].size(), 27u);
}

// Issue 16: a recalculation says who made it and when, and can be undone (audited).
TEST_P(ServerTest, RecalculationHistoryWithWhoWhenAndUndo) {
  Browser lead = SignedIn(Role::kSystemQualityLead);
  Browser viewer = SignedIn(Role::kViewer);
  Browser admin = SignedIn(Role::kAdministrator);
  const std::string base = "/api/series/AE4H/RJZ/recalculations";
  ASSERT_EQ(
      lead.Send("POST", base, json({{"period", "2021-01-01"}, {"reason", "New model"}}).dump())
          .status,
      201);
  json list = Json(viewer.Send("GET", base));
  ASSERT_EQ(list["recalculations"].size(), 1u) << list.dump();
  const json r = list["recalculations"][0];
  EXPECT_EQ(r["created_by"], "system.lead@nhs.net");
  EXPECT_FALSE(r["created_at"].get<std::string>().empty());
  EXPECT_EQ(r["text"], "New model");
  const std::string one = base + "/" + std::to_string(r["id"].get<int64_t>());
  EXPECT_EQ(viewer.Send("DELETE", one).status, 403);
  EXPECT_EQ(lead.Send("DELETE", base + "/999999").status, 404);
  http::TestResponse undone = lead.Send("DELETE", one);
  ASSERT_EQ(undone.status, 200) << undone.body;
  EXPECT_EQ(Json(undone)["groups"].size(), 1u);
  EXPECT_EQ(Json(viewer.Send("GET", "/api/series/AE4H/RJZ"))["groups"].size(), 1u);
  EXPECT_EQ(Json(viewer.Send("GET", base))["recalculations"].size(), 0u);
  int seen = 0;
  const json audit = Json(admin.Send("GET", "/api/audit?limit=100"));
  for (const auto& e : audit["entries"]) {
    if (e["action"] != "series.recalculation_undo") continue;
    ++seen;
    EXPECT_EQ(e["actor"], "user:system.lead@nhs.net");
    EXPECT_EQ(e["before"]["reason"], "New model");
    EXPECT_EQ(e["before"]["created_by"], "system.lead@nhs.net");
    EXPECT_EQ(e["after"]["groups"].size(), 1u);
  }
  EXPECT_EQ(seen, 1) << audit.dump().substr(0, 3000);
}

// Issue 16: an out-of-scope row is refused (403) but no longer hides the file's other problems.
TEST_P(ServerTest, AnOutOfScopeRowDoesNotHideTheOtherProblems) {
  Browser submitter = SignedIn(Role::kDataSubmitter);  // scope: RJZ
  http::TestResponse up =
      submitter.Send("POST", "/api/imports?kind=observations",
                     "metric,unit,period,value\nAE4H,RYJ,2022-01-01,90\nAE4H,RJZ,2022-13-01,x\n",
                     true, "text/csv");
  ASSERT_EQ(up.status, 201);
  http::TestResponse r = submitter.Send(
      "POST", "/api/imports/" + std::to_string(Json(up)["id"].get<int64_t>()) + "/preview");
  EXPECT_EQ(r.status, 403);
  const std::string message = Json(r)["error"]["message"];
  EXPECT_NE(message.find("RYJ is outside your scope"), std::string::npos) << message;
  EXPECT_NE(message.find("row 3"), std::string::npos) << message;
  EXPECT_NE(message.find("period"), std::string::npos) << message;
}

// Issue 16: the four questions for a system and for one organisation (whole-number positions).
TEST_P(ServerTest, BoardReportAnswersTheFourQuestions) {
  Browser viewer = SignedIn(Role::kViewer);
  json system = Json(viewer.Send("GET", "/api/board/report"));
  EXPECT_EQ(system["scope"], "QHL");
  EXPECT_TRUE(system["aggregate"].get<bool>());
  ASSERT_EQ(system["rows"].size(), 1u) << system.dump();
  const json row = system["rows"][0];
  EXPECT_EQ(row["peers"]["n"], 3);
  EXPECT_EQ(row["trend"]["unit"], "% a year");
  EXPECT_TRUE(row["latest"].is_number());
  json org = Json(viewer.Send("GET", "/api/board/report?scope=RJZ"));
  ASSERT_EQ(org["rows"].size(), 1u);
  const json p = org["rows"][0]["peers"];
  EXPECT_TRUE(p["position"].is_number_integer()) << p.dump();
  EXPECT_EQ(p["n"], 3);
  EXPECT_EQ(p["group"], "acute trust");
  EXPECT_EQ(viewer.Send("GET", "/api/board/report?scope=NOPE").status, 404);
  EXPECT_EQ(viewer.Send("GET", "/api/board/report?scope=NW").status, 400);
}

// Issue 16: submissions are judged as of the latest period loaded, not today.
TEST_P(ServerTest, SubmissionsAreJudgedAsOfTheLatestPeriodLoaded) {
  {
    auto conn = db::Open(url_);
    ASSERT_TRUE(conn.ok());
    auto metric = dictionary::MetricIdByCode(**conn, "AE4H");
    auto unit = directory::UnitIdByCode(**conn, "RJZ");
    ASSERT_TRUE(metric.ok() && unit.ok());
    ASSERT_TRUE(
        observations::UpsertExpectation(
            **conn,
            {.unit_id = *unit, .metric_id = *metric, .first_period = DaysFromCivil(2020, 1, 1)},
            "test", "2024-05-02T10:00:00Z")
            .ok());
  }
  Browser viewer = SignedIn(Role::kViewer);
  json subs = Json(viewer.Send("GET", "/api/submissions"));
  EXPECT_EQ(subs["latest_period"], "2021-12-01");
  EXPECT_EQ(subs["as_of"], "2022-01-21");  // December's due date, not today
  ASSERT_EQ(subs["submissions"].size(), 1u) << subs.dump();
  EXPECT_EQ(subs["submissions"][0]["expected"], 24);
  EXPECT_EQ(subs["submissions"][0]["received"], 24);
  // Asked for a date, the answer is as of that date.
  EXPECT_GT(
      Json(viewer.Send("GET", "/api/submissions?as_of=2030-01-01"))["submissions"][0]["expected"]
          .get<int>(),
      24);
}

// The capability contract (docs/capability.md): the dashboard and a person's tier over HTTP on a
// register imported by hand, bookings with capacity, and assessments refusing bad answers.
TEST_P(ServerTest, CapabilityContract) {
  {
    auto conn = db::Open(url_);
    ASSERT_TRUE(conn.ok());
    imports::ImportOptions o{.actor = "test", .now = "2024-05-02T10:00:00Z"};
    const std::pair<const char*, const char*> files[] = {
        {"people",
         "email,name,organisation\nana@kch.nhs.uk,Ana,RJZ\nben@kch.nhs.uk,Ben,RJZ\n"
         "cy@imperial.nhs.uk,Cy,RYJ\n"},
        {"courses", "code,title,tier\nQI-101,Intro,learn\nQI-201,Practitioner,live\n"},
        {"attendance",
         "email,course,date,attended,role\nana@kch.nhs.uk,QI-101,2023-09-20,yes,\n"
         "ana@kch.nhs.uk,QI-201,2024-02-14,yes,\nben@kch.nhs.uk,QI-101,2022-01-10,yes,\n"
         "cy@imperial.nhs.uk,QI-101,2024-02-14,no,\n"},
        {"coaching", "coach,coachee,started\nana@kch.nhs.uk,ben@kch.nhs.uk,2024-03-01\n"}};
    for (const auto& [kind, csv] : files) {
      auto importer = schema::FindImporter(kind);
      ASSERT_TRUE(importer.ok());
      auto r = importer->import_table(**conn, *imports::ParseCsvTable("f.csv", csv), "sha", o);
      ASSERT_TRUE(r.ok()) << kind << ": " << r.status().ToString();
    }
  }
  Browser lead = SignedIn(Role::kSystemQualityLead);
  // On 2024-05-01: Ana coaches -> lead; Ben coached -> live; Cy booked only -> none. Attended in
  // the 12 months (after 2023-05-01): Ana (twice) -> 1.
  http::TestResponse r = lead.Send("GET", "/api/capability?organisation=&as_of=2024-05-01");
  ASSERT_EQ(r.status, 200) << r.body;
  json d = Json(r);
  EXPECT_EQ(d["learn"], 0);
  EXPECT_EQ(d["live"], 1);
  EXPECT_EQ(d["lead"], 1);
  EXPECT_EQ(d["attended"], 1);
  EXPECT_EQ(d["coaches"], 1);
  EXPECT_EQ(d["projects_led_by_community"], 0);
  ASSERT_TRUE(d["self_sustainability"].contains("index"));
  EXPECT_EQ(d["self_sustainability"]["parts"].size(), 5u);
  EXPECT_TRUE(d["self_sustainability"].contains("coach_ratio"));
  EXPECT_EQ(Json(lead.Send("GET", "/api/capability?organisation=RYJ&as_of=2024-05-01"))["attended"],
            0);
  EXPECT_EQ(lead.Send("GET", "/api/capability?organisation=NOPE").status, 404);
  EXPECT_EQ(lead.Send("GET", "/api/capability?as_of=May").status, 400);
  r = lead.Send("GET", "/api/people/ana%40kch.nhs.uk/tier?as_of=2024-05-01");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r)["tier"], "lead");
  ASSERT_FALSE(Json(r)["evidence"].empty());
  EXPECT_EQ(Json(r)["evidence"][0]["activity"], "coaches");
  EXPECT_EQ(lead.Send("GET", "/api/people/nobody%40kch.nhs.uk/tier").status, 404);
  // Bad attendance: an unknown course, a date in the future.
  r = lead.Send("POST", "/api/people/cy%40imperial.nhs.uk/attendance",
                json{{"course", "QI-999"}, {"date", "2024-02-14"}}.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("QI-999"), std::string::npos);
  r = lead.Send("POST", "/api/people/cy%40imperial.nhs.uk/attendance",
                json{{"course", "QI-101"}, {"date", "2099-01-01"}}.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("future"), std::string::npos);
  // An override without a reason.
  EXPECT_EQ(lead.Send("POST", "/api/people/cy%40imperial.nhs.uk/tier", R"({"tier":"lead"})")
                .status,
            400);
  // Events: capacity enforced; out of scope for an organisation's quality lead.
  r = lead.Send("POST", "/api/capability/events",
                R"({"course":"QI-201","date":"2024-04-10","online":true,"capacity":1})");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = std::to_string(Json(r)["id"].get<int64_t>());
  EXPECT_EQ(lead.Send("POST", "/api/capability/events/" + id + "/bookings",
                      R"({"email":"cy@imperial.nhs.uk"})")
                .status,
            201);
  r = lead.Send("POST", "/api/capability/events/" + id + "/bookings",
                R"({"email":"ben@kch.nhs.uk"})");
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(r.body.find("full"), std::string::npos);
  r = lead.Send("POST", "/api/capability/events/" + id + "/attendance",
                R"({"email":"cy@imperial.nhs.uk","attended":"yes"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Json(r)["tier"], "live");
  Browser org_lead = SignedIn(Role::kOrganisationQualityLead);  // RJZ only
  EXPECT_EQ(org_lead
                .Send("POST", "/api/capability/events/" + id + "/attendance",
                      R"({"email":"cy@imperial.nhs.uk","attended":"no"})")
                .status,
            404);
  // Assessments: bad answers refused naming the question; the comparison.
  r = lead.Send("POST", "/api/organisations/RJZ/assessments",
                R"({"questionnaire":"NHS-IMPACT","round":"2024","answers":{"C1":3,"C2":3,"C3":7,"C4":3,"C5":3}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("question C3"), std::string::npos);
  r = lead.Send("POST", "/api/organisations/RJZ/assessments",
                R"({"questionnaire":"NHS-IMPACT","round":"2024","answers":{"C1":3,"C2":3,"C3":3,"C4":3,"C5":3,"EVIDENCE":"patient 943 476 5919"}})");
  EXPECT_EQ(r.status, 400);
  // The API screens every JSON text before the service: the error names the question.
  EXPECT_NE(r.body.find("EVIDENCE"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("NHS number"), std::string::npos) << r.body;
  EXPECT_TRUE(Json(lead.Send("GET", "/api/assessments?questionnaire=NHS-IMPACT"))["organisations"]
                  .empty());
  r = lead.Send("POST", "/api/organisations/RJZ/assessments",
                R"({"questionnaire":"NHS-IMPACT","round":"2024","answers":{"C1":3,"C2":4,"C3":3,"C4":3,"C5":2}})");
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(org_lead
                .Send("POST", "/api/organisations/RYJ/assessments",
                      R"({"questionnaire":"NHS-IMPACT","round":"2024","answers":{}})")
                .status,
            404);
  json c = Json(lead.Send("GET", "/api/assessments?questionnaire=NHS-IMPACT"));
  ASSERT_EQ(c["organisations"].size(), 1u);
  EXPECT_EQ(c["organisations"][0]["scores"]["Investing in people and culture"], 4.0);
  EXPECT_EQ(c["spread"].size(), 5u);
}

INSTANTIATE_TEST_SUITE_P(Databases, ServerTest, ::testing::Values("sqlite", "postgresql"));

// Route actions are the front end's vocabulary: unique, and shaped `thing.verb`.
TEST(RouteTable, ActionsAreUniqueAndWellFormed) {
  std::set<std::string_view> seen;
  for (const Route& r : Routes()) {
    EXPECT_TRUE(seen.insert(r.action).second) << "action used twice: " << r.action;
    const size_t dot = r.action.find('.');
    EXPECT_TRUE(dot != std::string_view::npos && dot > 0 && dot + 1 < r.action.size())
        << r.path << ": " << r.action;
    for (char c : r.action) {
      EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '_' || c == '.') << r.path << ": " << r.action;
    }
  }
}

// docs/api.md's route section is generated from the route table; this fails when they differ.
// SHEWHART_WRITE_DOCS=1 rewrites the section instead (see CONTRIBUTING.md).
TEST(RouteDocs, ApiMarkdownMatchesTheRouteTable) {
  constexpr std::string_view kBegin =
      "<!-- BEGIN routes: generated from src/server/routes.cc, see CONTRIBUTING.md -->\n";
  constexpr std::string_view kEnd = "<!-- END routes -->\n";
  const std::filesystem::path path =
      std::filesystem::path(SHEWHART_TEST_DATA_DIR) / ".." / "docs" / "api.md";
  std::string doc;
  {
    std::ifstream in(path, std::ios::binary);
    ASSERT_TRUE(in) << "cannot read " << path;
    std::ostringstream ss;
    ss << in.rdbuf();
    doc = ss.str();
  }
  const size_t begin = doc.find(kBegin);
  const size_t end = doc.find(kEnd);
  ASSERT_NE(begin, std::string::npos) << path << " has no line " << kBegin;
  ASSERT_NE(end, std::string::npos) << path << " has no line " << kEnd;
  ASSERT_LT(begin, end);
  const size_t from = begin + kBegin.size();
  const std::string generated = RoutesMarkdown();
  const char* write = std::getenv("SHEWHART_WRITE_DOCS");
  if (write != nullptr && *write != '\0' && std::string_view(write) != "0") {
    doc.replace(from, end - from, generated);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << doc;
    ASSERT_TRUE(out.good()) << "cannot write " << path;
    return;
  }
  EXPECT_EQ(doc.substr(from, end - from), generated)
      << path << "'s route section differs from the route table; regenerate it with "
      << "SHEWHART_WRITE_DOCS=1 build/src/server/server_test --gtest_filter='RouteDocs.*'";
}

}  // namespace
}  // namespace shewhart::server
