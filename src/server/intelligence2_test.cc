// Intelligence II's story end to end through the API, on SQLite and (when
// SHEWHART_TEST_POSTGRES_URL is set) PostgreSQL: a cluster of incidents at one trust -> a signal ->
// a concern with a named owner -> a follow-up with an action -> escalation to enhanced with a
// reason -> the item on the next JIG's generated agenda -> in the system quality report (checked
// with pdftotext) -> de-escalated with a reason; each step audited, and another organisation's
// lead sees none of it. Bad input gets 400 naming the field and changes nothing.
#include <gtest/gtest.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "access/access.h"
#include "base/date.h"
#include "db/db.h"
#include "imports/imports.h"
#include "imports/table.h"
#include "server/testing/api_test.h"

namespace shewhart::server {
namespace {

using access::Role;
using nlohmann::json;

constexpr std::string_view kOrganisations =
    "code,name,kind,parent,opened,closed,successor,member_of\n"
    "QHL,Test ICS,system,,,,,\n"
    "NW,North West place,place,QHL,,,,\n"
    "RJZ,King's College Hospital,acute trust,NW,,,,\n"
    "RYJ,Imperial College Healthcare,acute trust,QHL,,,,\n";

using Browser = server::testing::TestBrowser;

const server::testing::TestAccount kAccounts[] = {
    {Role::kAdministrator, "admin@nhs.net", ""},
    {Role::kSystemQualityLead, "system.lead@nhs.net", ""},
    {Role::kOrganisationQualityLead, "rjz.lead@nhs.net", "RJZ"},
    {Role::kOrganisationQualityLead, "ryj.lead@nhs.net", "RYJ"},
};

class Intelligence2Test : public server::testing::ApiTest {
 protected:
  void SetUp() override {
    StartApi(
        [](db::Connection& conn) {
          imports::ImportOptions o{.actor = "test", .now = "2024-05-02T10:00:00Z"};
          ASSERT_TRUE(imports::ImportOrganisations(
                          conn, *imports::ParseCsvTable("orgs.csv", std::string(kOrganisations)),
                          "x", o)
                          .ok());
        },
        kAccounts);
  }
  std::string Audit(Browser& admin) { return admin.Json("GET", "/api/audit?limit=1000").dump(); }
};

std::string DaysAgo(int n) {
  std::time_t t = std::time(nullptr) - static_cast<std::time_t>(n) * 86400;
  char buf[16];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d", std::gmtime(&t));
  return buf;
}

std::string PdfText(const std::string& pdf) { return server::testing::PdfText(pdf); }

TEST_P(Intelligence2Test, TheStoryFromIncidentsToDeEscalation) {
  Browser lead = SignedIn("system.lead@nhs.net");
  Browser admin = SignedIn("admin@nhs.net");
  Browser other = SignedIn("ryj.lead@nhs.net");
  Browser owner = SignedIn("rjz.lead@nhs.net");
  // 1. A cluster of incidents with severe harm at one trust.
  for (int i = 0; i < 3; ++i) {
    json inc = {{"reference", "W" + std::to_string(i)}, {"occurred", DaysAgo(20 - i)},
                {"reported", DaysAgo(19 - i)}, {"category", "Falls"}, {"harm", "severe"}};
    lead.Json("POST", "/api/organisations/RJZ/incidents", inc.dump(), 201);
  }
  // 2. A signal.
  json signals = lead.Json("GET", "/api/organisations/RJZ/signals");
  json signal;
  for (const json& s : signals["signals"]) {
    if (s["source"] == "incident") signal = s;
  }
  ASSERT_TRUE(signal.is_object()) << signals.dump();
  // 3. A concern with a named owner.
  json concern = lead.Json("POST", "/api/concerns", json{
      {"title", "Falls with severe harm at King's"}, {"organisations", {"RJZ"}},
      {"owner", "rjz.lead@nhs.net"}, {"signals", {signal}}, {"review_by", DaysAgo(-5)}}.dump(), 201);
  const std::string cid = std::to_string(concern["id"].get<int64_t>());
  EXPECT_EQ(concern["status"], "open");
  EXPECT_EQ(concern["owner"], "rjz.lead@nhs.net");
  EXPECT_EQ(concern["signals"][0]["source"], "incident");
  // The signal now links to the concern instead of raising a new one.
  json again = lead.Json("GET", "/api/organisations/RJZ/signals");
  bool linked = false;
  for (const json& s : again["signals"]) {
    if (s["source"] == "incident" && s.value("concern", json()) == concern["id"]) linked = true;
  }
  EXPECT_TRUE(linked) << again.dump();
  // 4. A follow-up with an action.
  concern = lead.Json("POST", "/api/concerns/" + cid + "/follow-ups", json{
      {"held_on", DaysAgo(3)}, {"organisation", "RJZ"}, {"with_whom", "Chief Nurse"},
      {"asked", "How good are you at preventing falls?"}, {"heard", "Night staffing is short"},
      {"agreed", "Relaunch the falls bundle"}, {"assurance", "partially_assured"},
      {"actions", {{{"title", "Relaunch the falls bundle"}, {"owner", "rjz.lead@nhs.net"},
                    {"due", DaysAgo(1)}}}}}.dump(), 201);
  EXPECT_EQ(concern["status"], "under_follow_up");
  EXPECT_EQ(concern["actions"].size(), 1u);
  // 5. Escalation to enhanced with a reason.
  json esc = lead.Json("POST", "/api/organisations/RJZ/escalations", json{
      {"level", "enhanced"}, {"reason", "Cluster of falls with severe harm"},
      {"step_down_criteria", "No severe harm from falls for three months"},
      {"people_told", {"NHS England regional quality team", "CQC"}},
      {"concern", concern["id"]}}.dump(), 201);
  EXPECT_EQ(esc["level"], "enhanced");
  EXPECT_EQ(esc["display_name"], "Enhanced surveillance");
  EXPECT_EQ(esc["history"].size(), 1u);
  // 6. The next JIG's generated agenda carries it.
  json meeting = lead.Json("POST", "/api/meetings", json{
      {"group", "jig"}, {"held_on", DaysAgo(-7)}, {"chair", "system.lead@nhs.net"},
      {"members", {"system.lead@nhs.net", "rjz.lead@nhs.net"}}}.dump(), 201);
  std::set<std::string> kinds;
  for (const json& i : meeting["agenda"]) {
    if (i["organisation"] == "RJZ") kinds.insert(i["kind"].get<std::string>());
  }
  EXPECT_TRUE(kinds.count("escalation")) << meeting.dump();
  EXPECT_TRUE(kinds.count("concern")) << meeting.dump();
  EXPECT_TRUE(kinds.count("action")) << meeting.dump();
  const std::string mid = std::to_string(meeting["id"].get<int64_t>());
  // The owner, a member, sees the meeting and their work.
  json work = owner.Json("GET", "/api/my-work");
  EXPECT_EQ(work["concerns"].size(), 1u);
  EXPECT_EQ(work["actions"].size(), 1u);
  EXPECT_EQ(work["meetings"].size(), 1u);
  // Minutes with an NHS number are refused, and nothing changes.
  const int64_t item = meeting["agenda"][0]["id"].get<int64_t>();
  http::TestResponse bad = lead.Send("PUT", "/api/meetings/" + mid + "/agenda/" + std::to_string(item),
                                     R"({"minutes":"Patient 943 476 5919 fell"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(lead.Json("GET", "/api/meetings/" + mid)["agenda"][0]["minutes"], "");
  // 7. The system quality report shows it.
  http::TestResponse pdf = lead.Send("GET", "/api/reports/system-quality.pdf?from=" + DaysAgo(30) +
                                                "&to=" + DaysAgo(-1));
  ASSERT_EQ(pdf.status, 200) << pdf.body.substr(0, 300);
  EXPECT_EQ(pdf.body.substr(0, 5), "%PDF-");
  const std::string text = PdfText(pdf.body);
  for (const char* section : {"System quality report", "Summary for the board", "Board summary",
                              "Signals that matter", "Concerns and their status", "Escalations",
                              "Risk heat map", "Top risks", "What changed since the last report",
                              "Falls with severe harm at King", "Enhanced surveillance"}) {
    EXPECT_NE(text.find(section), std::string::npos) << section << "\n" << text.substr(0, 3000);
  }
  http::TestResponse xlsx = lead.Send("GET", "/api/reports/system-quality.xlsx");
  EXPECT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.body.substr(0, 2), "PK");
  EXPECT_EQ(lead.Send("GET", "/api/meetings/" + mid + "/pack.pdf").status, 200);
  // 8. De-escalated with a reason.
  esc = lead.Json("POST", "/api/organisations/RJZ/escalations",
                  R"({"level":"routine","reason":"Step-down criteria met"})", 201);
  EXPECT_EQ(esc["level"], "routine");
  EXPECT_EQ(esc["history"].size(), 2u);
  EXPECT_EQ(esc["history"][0]["direction"], "down");
  EXPECT_EQ(esc["history"][0]["reason"], "Step-down criteria met");
  // Each step audited.
  const std::string audit = Audit(admin);
  for (const char* action : {"incident.create", "concern.create", "follow_up.create",
                             "action.create", "escalation.create", "concern.move",
                             "meeting.create"}) {
    EXPECT_NE(audit.find(action), std::string::npos) << action;
  }
  // Another organisation's lead sees none of it.
  EXPECT_EQ(other.Send("GET", "/api/concerns/" + cid).status, 404);
  EXPECT_TRUE(other.Json("GET", "/api/concerns")["concerns"].empty());
  EXPECT_EQ(other.Send("GET", "/api/organisations/RJZ/escalations").status, 404);
  EXPECT_TRUE(other.Json("GET", "/api/escalations")["escalations"].empty());
  EXPECT_TRUE(other.Json("GET", "/api/actions")["actions"].empty());
  EXPECT_EQ(other.Send("GET", "/api/meetings/" + mid).status, 404);
  EXPECT_TRUE(other.Json("GET", "/api/meetings")["meetings"].empty());
  EXPECT_EQ(other.Send("POST", "/api/concerns/" + cid + "/status",
                       R"({"status":"resolved","reason":"x"})").status, 404);
  http::TestResponse their = other.Send("GET", "/api/reports/system-quality.pdf");
  ASSERT_EQ(their.status, 200);
  EXPECT_EQ(PdfText(their.body).find("Falls with severe harm at King"), std::string::npos);
}

TEST_P(Intelligence2Test, BadInputIsRefusedWithTheFieldNamed) {
  Browser lead = SignedIn("system.lead@nhs.net");
  Browser admin = SignedIn("admin@nhs.net");
  const std::string before = Audit(admin);
  struct Case {
    const char* method;
    const char* path;
    const char* body;
    const char* field;
  };
  const Case cases[] = {
      {"POST", "/api/organisations/RJZ/escalations", R"({"level":"critical","reason":"x"})", "level"},
      {"POST", "/api/risks", R"({"title":"t","consequence":3,"likelihood":6,"organisations":["RJZ"],"owner":"rjz.lead@nhs.net"})", "likelihood"},
      {"POST", "/api/concerns", R"({"title":"t","organisations":["RJZ"],"owner":"nobody@nhs.net","signals":[],"review_by":"2030-01-01"})", "owner"},
      {"POST", "/api/risks", R"({"title":"t","consequence":3,"likelihood":2,"organisations":["RJZ"],"owner":"ghost@nhs.net"})", "owner"},
      {"POST", "/api/concerns", R"({"title":"t","organisations":["RJZ"],"owner":"rjz.lead@nhs.net","review_by":"2030-01-01"})", "signals"},
      {"POST", "/api/meetings", R"({"group":"jig"})", "held_on"},
  };
  for (const Case& c : cases) {
    http::TestResponse r = lead.Send(c.method, c.path, c.body);
    EXPECT_EQ(r.status, 400) << c.path << " " << r.body;
    EXPECT_NE(r.body.find(std::string("\\\"") + c.field + "\\\""), std::string::npos) << r.body;
  }
  EXPECT_EQ(Audit(admin), before);
  EXPECT_TRUE(lead.Json("GET", "/api/risks")["risks"].empty());
  // 25 cells, through the API.
  for (int c = 1; c <= 5; ++c) {
    for (int l = 1; l <= 5; ++l) {
      json r = lead.Json("POST", "/api/risks", json{{"title", "cell"}, {"consequence", c},
                                                    {"likelihood", l}, {"organisations", {"RJZ"}},
                                                    {"owner", "rjz.lead@nhs.net"}}.dump(), 201);
      const int s = c * l;
      EXPECT_EQ(r["score"], s);
      EXPECT_EQ(r["band"], s <= 3 ? "low" : s <= 6 ? "moderate" : s <= 12 ? "high" : "extreme");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Databases, Intelligence2Test, ::testing::Values("sqlite", "postgresql"));

}  // namespace
}  // namespace shewhart::server
