// The improvement part through the API, on SQLite and (when SHEWHART_TEST_POSTGRES_URL is set)
// PostgreSQL: the Contract of docs/improvement.md — a QI practitioner registers a project in their
// organisation (403 elsewhere), links a system metric as its outcome measure, logs three PDSA
// cycles (each an annotation on the system's chart), and reads the impact measured on a series
// whose true step is known; a second project claiming the same unit is counted once in the
// programme's impact; a series without a change gives zero; bad input is refused naming the
// field and writes nothing; every write is audited.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "access/access.h"
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
    "RYJ,Imperial College Healthcare,acute trust,QHL,,,,\n"
    "SEG-FRAIL,Older people living with frailty,segment,QHL,,,,\n"
    "SEG-CYP,Children and young people,segment,QHL,,,,\n";

constexpr std::string_view kMetrics =
    "code,applies_from,name,definition,numerator_definition,denominator_definition,unit,measure,"
    "multiplier,improvement_direction,chart_type,frequency,domain,target,target_from,source,owner,"
    "status\n"
    "FALLS,,Falls per 1000 bed days,Inpatient falls per 1000 occupied bed days,Falls,Bed days,"
    "per 1000 bed days,rate,1000,decrease,xmr,monthly,safe,,,Incidents,Ana,agreed\n"
    "WAIT,,Mean wait,Mean wait in minutes,,,minutes,value,1,decrease,xmr,monthly,responsive,,,"
    "PAS,Ana,agreed\n";

constexpr int kMonths = 36;
constexpr int kStep = 18;            // FALLS at RJZ falls from 5 to 3 per 1,000 bed days here
constexpr double kTrueShift = -2.0;  // per 1,000 bed days
constexpr double kBedDays = 2000;

std::string Period(int m) {
  char p[16];
  std::snprintf(p, sizeof(p), "%04d-%02d-01", 2020 + m / 12, m % 12 + 1);
  return p;
}

// Deterministic noise in [-0.5, 0.5).
double Noise(int i, int salt) {
  uint32_t x = static_cast<uint32_t>(i * 2654435761u + salt * 40503u + 12345u);
  x ^= x >> 13;
  x *= 0x5bd1e995u;
  x ^= x >> 15;
  return (x % 1000) / 1000.0 - 0.5;
}

std::string Observations() {
  std::string csv = "metric,unit,period,value,numerator,denominator\n";
  for (int m = 0; m < kMonths; ++m) {
    const double rate = (m >= kStep ? 5.0 + kTrueShift : 5.0) + 1.2 * Noise(m, 1);
    csv += "FALLS,RJZ," + Period(m) + ",," + std::to_string(rate * kBedDays / 1000) + "," +
           std::to_string(kBedDays) + "\n";
    csv += "WAIT,RJZ," + Period(m) + "," + std::to_string(40 + 6 * Noise(m, 2)) + ",,\n";
  }
  return csv;
}

const server::testing::TestAccount kAccounts[] = {
    {Role::kAdministrator, "admin@nhs.net", ""},
    {Role::kSystemQualityLead, "system.lead@nhs.net", ""},
    {Role::kQiPractitioner, "qi@rjz.nhs.uk", "RJZ"},
    {Role::kViewer, "viewer@nhs.net", "RJZ"},
    {Role::kOrganisationQualityLead, "lead@ryj.nhs.uk", "RYJ"},
};

// This file's requests carry JSON values as bodies.
struct Browser : server::testing::TestBrowser {
  http::TestResponse Send(const std::string& method, const std::string& target,
                          const json& body = nullptr) {
    return TestBrowser::Send(method, target, body.is_null() ? std::string() : body.dump());
  }
};

json Json(const http::TestResponse& r) { return server::testing::JsonOf(r); }
std::string Message(const http::TestResponse& r) { return server::testing::MessageOf(r); }

// The text of a PDF; SHEWHART_PROGRAMME_PDF=<path> keeps a copy of it there (to render a page and
// look at it).
std::string PdfText(const std::string& pdf) {
  if (const char* keep = std::getenv("SHEWHART_PROGRAMME_PDF"); keep != nullptr && *keep != '\0') {
    std::ofstream(keep, std::ios::binary) << pdf;
  }
  return server::testing::PdfText(pdf);
}

class ImprovementApiTest : public server::testing::ApiTest {
 protected:
  void SetUp() override {
    StartApi(
        [](db::Connection& conn) {
          imports::ImportOptions o{.actor = "test", .now = "2024-05-02T10:00:00Z"};
          auto org = imports::ImportOrganisations(
              conn, *imports::ParseCsvTable("orgs.csv", std::string(kOrganisations)), "x", o);
          ASSERT_TRUE(org.ok()) << org.status().ToString();
          auto met = imports::ImportMetrics(
              conn, *imports::ParseCsvTable("metrics.csv", std::string(kMetrics)), "y", o);
          ASSERT_TRUE(met.ok()) << met.status().ToString();
          auto obs = imports::ImportObservations(
              conn, *imports::ParseCsvTable("obs.csv", Observations()), "z", o);
          ASSERT_TRUE(obs.ok()) << obs.status().ToString();
        },
        kAccounts);
  }
  Browser SignedIn(Role role) {
    for (const server::testing::TestAccount& a : kAccounts) {
      if (a.role == role) return Browser{ApiTest::SignedIn(a.email)};
    }
    ADD_FAILURE() << "no account";
    return Browser{};
  }
  // The count of rows of the improvement tables, to show a refused write wrote nothing.
  std::string Counts(Browser& b) {
    const json projects = Json(b.Send("GET", "/api/projects"));
    std::string out = std::to_string(projects["projects"].size());
    for (const json& p : projects["projects"]) {
      const json full = Json(b.Send("GET", "/api/projects/" + std::to_string(p["id"].get<int>())));
      out += "/" + full["measures"].dump() + full["pdsas"].dump() + full["drivers"].dump() +
             full["scores"].dump();
    }
    return out;
  }
};

json Project(const std::string& title, const std::string& org, const std::string& started) {
  return {{"title", title},
          {"aim", "Reduce falls by 30% by 2022 for adults on our wards"},
          {"organisation", org},
          {"lead", "ana.lee@rjz.nhs.uk"},
          {"started", started}};
}

TEST_P(ImprovementApiTest, TheContractFromProjectToMeasuredImpact) {
  Browser qi = SignedIn(Role::kQiPractitioner);
  // Out of scope: 403; bad input: 400 naming the field; nothing written.
  EXPECT_EQ(qi.Send("POST", "/api/projects", Project("Elsewhere", "RYJ", "2021-01-04")).status, 403);
  json bad = Project("", "RJZ", "2021-01-04");
  http::TestResponse r = qi.Send("POST", "/api/projects", bad);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(Message(r).find("title"), std::string::npos) << r.body;
  bad = Project("Falls", "RJZ", "4 Jan 2021");
  r = qi.Send("POST", "/api/projects", bad);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(Message(r).find("started"), std::string::npos) << r.body;
  bad = Project("Falls", "RJZ", "2021-01-04");
  bad["lead"] = "ana";
  EXPECT_NE(Message(qi.Send("POST", "/api/projects", bad)).find("lead"), std::string::npos);
  bad = Project("Falls", "NOPE", "2021-01-04");
  EXPECT_EQ(qi.Send("POST", "/api/projects", bad).status, 400);
  bad = Project("Patient 943 476 5919 falls", "RJZ", "2021-01-04");
  EXPECT_EQ(qi.Send("POST", "/api/projects", bad).status, 400);
  EXPECT_EQ(Json(qi.Send("GET", "/api/projects"))["projects"].size(), 0u);

  r = qi.Send("POST", "/api/projects", Project("Fewer falls", "RJZ", "2021-03-01"));
  ASSERT_EQ(r.status, 201) << r.body;
  const int id = Json(r)["id"];
  const std::string base = "/api/projects/" + std::to_string(id);
  EXPECT_EQ(Json(r)["team"][0]["role"], "lead");

  // The driver diagram.
  r = qi.Send("POST", base + "/drivers", {{"kind", "primary"}, {"title", "Risk known"}});
  ASSERT_EQ(r.status, 201) << r.body;
  const int primary = Json(r)["id"];
  r = qi.Send("POST", base + "/drivers",
              {{"kind", "secondary"}, {"title", "Assessed on admission"}, {"parent", primary}});
  ASSERT_EQ(r.status, 201) << r.body;
  const int secondary = Json(r)["id"];
  EXPECT_EQ(qi.Send("POST", base + "/drivers", {{"kind", "secondary"}, {"title", "x"}}).status, 400);
  r = qi.Send("POST", base + "/drivers",
              {{"kind", "change_idea"}, {"title", "Falls bundle"}, {"parent", secondary}});
  ASSERT_EQ(r.status, 201) << r.body;
  const int idea = Json(r)["id"];

  // Measures: bad ones refused naming the field, nothing written.
  const std::string before = Counts(qi);
  r = qi.Send("POST", base + "/measures", {{"kind", "outcome"}, {"metric", "FALLS"}, {"unit", "XXX"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(Message(r).find("unit"), std::string::npos) << r.body;
  r = qi.Send("POST", base + "/measures", {{"kind", "outcome"}, {"metric", "NOPE"}, {"unit", "RJZ"}});
  EXPECT_NE(Message(r).find("metric"), std::string::npos) << r.body;
  r = qi.Send("POST", base + "/measures", {{"kind", "result"}, {"metric", "FALLS"}, {"unit", "RJZ"}});
  EXPECT_NE(Message(r).find("kind"), std::string::npos) << r.body;
  // PDSA before the project started; an NHS number in the plan.
  r = qi.Send("POST", base + "/pdsa",
              {{"change_idea", idea}, {"plan", "p"}, {"prediction", "q"}, {"started", "2021-02-01"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(Message(r).find("started"), std::string::npos) << r.body;
  r = qi.Send("POST", base + "/pdsa",
              {{"change_idea", "New idea"}, {"plan", "see 9434765919"}, {"prediction", "q"},
               {"started", "2021-04-01"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Counts(qi), before);

  // The system metric as outcome measure, then three cycles.
  r = qi.Send("POST", base + "/measures", {{"kind", "outcome"}, {"metric", "FALLS"}, {"unit", "RJZ"}});
  ASSERT_EQ(r.status, 201) << r.body;
  r = qi.Send("POST", base + "/pdsa",
              {{"change_idea", idea}, {"plan", "One ward, one week"}, {"prediction", "Done for 8 of 10"},
               {"started", "2021-05-10"}});
  ASSERT_EQ(r.status, 201) << r.body;
  const int first_cycle = Json(r)["id"];
  EXPECT_EQ(Json(r)["cycle"], 1);
  r = qi.Send("POST", base + "/pdsa",
              {{"change_idea", "Falls bundle"}, {"plan", "Two wards"}, {"prediction", "9 of 10"},
               {"started", "2021-06-07"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Json(r)["cycle"], 2);
  EXPECT_EQ(Json(r)["change_idea_id"], idea);
  r = qi.Send("POST", base + "/pdsa",
              {{"change_idea", "Lying and standing BP"}, {"plan", "One ward"}, {"prediction", "Takes 3 min"},
               {"started", "2021-07-05"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_NE(Json(r)["change_idea_id"], idea);  // a new text adds a change idea
  // Study with an NHS number: refused, unchanged; then study and act.
  const std::string cycle_path = base + "/pdsa/" + std::to_string(first_cycle);
  r = qi.Send("PUT", cycle_path, {{"study", "Patient 943 476 5919 fell"}, {"act", "adopt"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(Message(r).find("study"), std::string::npos) << r.body;
  EXPECT_EQ(qi.Send("PUT", cycle_path, {{"act", "maybe"}}).status, 400);
  EXPECT_EQ(Json(qi.Send("GET", base))["pdsas"][0]["study"], "");
  r = qi.Send("PUT", cycle_path, {{"study", "8 of 10 as predicted"}, {"act", "adopt"}, {"ended", "2021-05-31"}});
  EXPECT_EQ(r.status, 200) << r.body;

  // The cycles are annotations on the system's chart of the metric.
  const json notes = Json(qi.Send("GET", "/api/series/FALLS/RJZ/annotations"));
  ASSERT_EQ(notes["annotations"].size(), 3u) << notes.dump();
  EXPECT_NE(notes["annotations"][0]["text"].get<std::string>().find("PDSA 1"), std::string::npos);
  EXPECT_EQ(notes["annotations"][0]["period"], "2021-05-01");

  // The impact: detected after the first cycle, the interval covers the truth.
  r = qi.Send("GET", base + "/impact");
  ASSERT_EQ(r.status, 200) << r.body;
  const json m = Json(r)["measures"][0];
  ASSERT_TRUE(m["detected"].get<bool>()) << r.body;
  EXPECT_EQ(m["metric"], "FALLS");
  EXPECT_EQ(m["evidence"]["change_point"], Period(kStep)) << r.body;
  EXPECT_FALSE(m["evidence"]["rule"].is_null());
  EXPECT_LE(m["ci_low"].get<double>(), m["impact"].get<double>());
  const double true_impact = kTrueShift * kBedDays * (kMonths - kStep) / 1000;
  EXPECT_LE(m["ci_low"].get<double>(), true_impact) << r.body;
  EXPECT_GE(m["ci_high"].get<double>(), true_impact) << r.body;
  EXPECT_NEAR(m["shift"].get<double>(), kTrueShift, 0.6);
  EXPECT_DOUBLE_EQ(m["volume"].get<double>(), kBedDays * (kMonths - kStep));

  // Progress: the evidence supports at least "modest improvement"; bad scores refused.
  r = qi.Send("GET", base + "/progress");
  ASSERT_EQ(r.status, 200) << r.body;
  const double suggested = Json(r)["suggested_score"];
  EXPECT_GE(suggested, 3.0) << r.body;
  EXPECT_EQ(Json(r)["evidence"].size(), 10u);
  r = qi.Send("POST", base + "/progress", {{"score", 5.5}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(Message(r).find("score"), std::string::npos);
  EXPECT_EQ(qi.Send("POST", base + "/progress", {{"score", 0}}).status, 400);
  r = qi.Send("POST", base + "/progress", {{"score", 5.0}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(Message(r).find("reason"), std::string::npos);
  r = qi.Send("POST", base + "/progress", {{"score", 3.0}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r)["score"], 3.0);

  // A second project claims the same unit; the programme counts its unit-periods once.
  Browser lead = SignedIn(Role::kSystemQualityLead);
  r = lead.Send("POST", "/api/programmes",
                {{"title", "Safer care"}, {"purpose", "Fewer harms"}, {"lead", "bo@nhs.net"},
                 {"started", "2021-01-01"}});
  ASSERT_EQ(r.status, 201) << r.body;
  const int programme = Json(r)["id"];
  json second = Project("Night huddles", "RJZ", "2021-04-01");
  second["programme"] = programme;
  r = qi.Send("POST", "/api/projects", second);
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string base2 = "/api/projects/" + std::to_string(Json(r)["id"].get<int>());
  ASSERT_EQ(qi.Send("POST", base2 + "/measures", {{"kind", "outcome"}, {"metric", "FALLS"}, {"unit", "RJZ"}}).status, 201);
  ASSERT_EQ(qi.Send("POST", base2 + "/pdsa", {{"change_idea", "Huddle"}, {"plan", "p"}, {"prediction", "q"}, {"started", "2021-06-01"}}).status, 201);
  // Attach the first project too (through the database: projects join programmes at creation).
  {
    auto conn = db::Open(url_);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->Execute("UPDATE improvement_project SET programme_id = ? WHERE id = ?",
                                 {programme, id}).ok());
  }
  const json p2 = Json(qi.Send("GET", base2 + "/impact"));
  ASSERT_TRUE(p2["measures"][0]["detected"].get<bool>()) << p2.dump();
  r = qi.Send("GET", "/api/programmes/" + std::to_string(programme) + "/impact");
  ASSERT_EQ(r.status, 200) << r.body;
  const json pi = Json(r);
  ASSERT_EQ(pi["metrics"].size(), 1u) << r.body;
  const json falls = pi["metrics"][0];
  EXPECT_EQ(falls["projects"], 2);
  EXPECT_EQ(falls["series"], 1);
  EXPECT_EQ(falls["shared_series"], 1);
  EXPECT_NEAR(falls["impact"].get<double>(), m["impact"].get<double>(), 1e-6) << r.body;
  EXPECT_NEAR(falls["claimed_by_projects"].get<double>(),
              m["impact"].get<double>() + p2["measures"][0]["impact"].get<double>(), 1e-6);
  EXPECT_LE(falls["volume"].get<double>(), kBedDays * (kMonths - kStep));
  ASSERT_EQ(pi["double_counting"].size(), 1u);
  EXPECT_NE(pi["double_counting"][0].get<std::string>().find("counted once"), std::string::npos);

  // The programme report for its executive: a PDF with the cover, the logic model with the
  // outcome's SPC state, the projects with status and score, the plan and the impact in words.
  const std::string prog = "/api/programmes/" + std::to_string(programme);
  ASSERT_EQ(lead.Send("POST", prog + "/logic", {{"stage", "outcome"}, {"title", "Fewer falls with harm"},
                                                {"metric", "FALLS"}, {"unit", "RJZ"}}).status, 201);
  ASSERT_EQ(lead.Send("POST", prog + "/logic", {{"stage", "activity"}, {"title", "Falls huddles on every ward"}}).status, 201);
  ASSERT_EQ(lead.Send("POST", prog + "/milestones", {{"title", "Spread to every ward"}, {"due", "2022-03-31"},
                                                     {"done", "2022-03-01"}}).status, 201);
  ASSERT_EQ(lead.Send("POST", prog + "/milestones", {{"title", "Board sign-off"}, {"due", "2023-01-31"}}).status, 201);
  r = qi.Send("GET", prog + "/report.pdf");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("Content-Type").rfind("application/pdf", 0), 0u) << r.Header("Content-Type");
  ASSERT_EQ(r.body.rfind("%PDF", 0), 0u);
  const std::string text = PdfText(r.body);
  ASSERT_FALSE(text.empty()) << "pdftotext failed";
  for (const char* want :
       {"Safer care: programme report", "Fewer harms", "bo@nhs.net", "Safer care: logic model",
        "Fewer falls with harm", "FALLS at RJZ", "Falls huddles on every ward",
        "Safer care: projects", "Night huddles", "Modest improvement",
        "Safer care: milestones and plan", "Spread to every ward", "Done on 1 March 2022",
        "Board sign-off", "Overdue", "Safer care: cumulative impact",
        "Improvement confirmed on 1 of 1 series", "counting avoided", "counted once"}) {
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
  }
  // The outcome's SPC state is in words (a stored result, or that there is none yet).
  EXPECT_TRUE(text.find("variation") != std::string::npos ||
              text.find("No SPC result stored yet") != std::string::npos) << text;
  EXPECT_EQ(qi.Send("GET", "/api/programmes/999999/report.pdf").status, 404);
  EXPECT_EQ(qi.Send("GET", "/api/programmes/x/report.pdf").status, 400);

  // No change at all: zero.
  r = qi.Send("POST", "/api/projects", Project("Shorter waits", "RJZ", "2021-01-04"));
  const std::string base3 = "/api/projects/" + std::to_string(Json(r)["id"].get<int>());
  ASSERT_EQ(qi.Send("POST", base3 + "/measures", {{"kind", "outcome"}, {"metric", "WAIT"}, {"unit", "RJZ"}}).status, 201);
  ASSERT_EQ(qi.Send("POST", base3 + "/pdsa", {{"change_idea", "Triage"}, {"plan", "p"}, {"prediction", "q"}, {"started", "2021-06-01"}}).status, 201);
  const json none = Json(qi.Send("GET", base3 + "/impact"))["measures"][0];
  EXPECT_FALSE(none["detected"].get<bool>()) << none.dump();
  EXPECT_EQ(none["impact"], 0.0);
  EXPECT_FALSE(none["evidence"]["reason"].is_null());

  // Every write audited; a viewer may read but not write.
  Browser admin = SignedIn(Role::kAdministrator);
  const std::string audit = admin.Send("GET", "/api/audit?limit=500").body;
  for (const char* action : {"project.create", "driver.create", "measure.create", "pdsa.create",
                             "pdsa.update", "score.set", "series.annotate", "programme.create"}) {
    EXPECT_NE(audit.find(std::string("\"") + action + "\""), std::string::npos) << action;
  }
  Browser viewer = SignedIn(Role::kViewer);
  EXPECT_EQ(viewer.Send("GET", base + "/impact").status, 200);
  EXPECT_EQ(viewer.Send("POST", base + "/pdsa", {{"change_idea", "x"}}).status, 403);
  EXPECT_EQ(viewer.Send("GET", "/api/projects/999999").status, 404);
}

// Issue 12, item 9: the populations each project serves are directory segments, and the portfolio
// says which populations it reaches and which none of its projects does — without counting a
// restricted project for someone outside its scope.
TEST_P(ImprovementApiTest, ThePortfolioShowsWhichPopulationsItReachesAndWhichNot) {
  Browser qi = SignedIn(Role::kQiPractitioner);
  Browser other = SignedIn(Role::kOrganisationQualityLead);  // RYJ: outside RJZ's scope
  json reach = Json(qi.Send("GET", "/api/portfolio/reach"));
  ASSERT_EQ(reach["reached"].size(), 0u) << reach;
  ASSERT_EQ(reach["not_reached"].size(), 2u) << reach;

  // Anything but a segment's code is refused naming the field, and nothing is written.
  for (const json& bad : {json::array({"RJZ"}), json::array({"NOPE"}), json("SEG-FRAIL"),
                          json::array({1})}) {
    json p = Project("Fewer falls", "RJZ", "2021-03-01");
    p["populations"] = bad;
    http::TestResponse r = qi.Send("POST", "/api/projects", p);
    EXPECT_EQ(r.status, 400) << bad << r.body;
    EXPECT_NE(Message(r).find("populations"), std::string::npos) << r.body;
  }
  EXPECT_EQ(Json(qi.Send("GET", "/api/projects"))["projects"].size(), 0u);

  json p = Project("Fewer falls", "RJZ", "2021-03-01");
  p["populations"] = {"SEG-FRAIL", " SEG-FRAIL "};  // the same segment twice counts once
  http::TestResponse r = qi.Send("POST", "/api/projects", p);
  ASSERT_EQ(r.status, 201) << r.body;
  ASSERT_EQ(Json(r)["populations"].size(), 1u) << r.body;
  EXPECT_EQ(Json(r)["populations"][0]["name"], "Older people living with frailty");

  p = Project("Young people's transitions", "RJZ", "2021-06-01");
  p["populations"] = {"SEG-CYP"};
  p["restricted"] = true;
  r = qi.Send("POST", "/api/projects", p);
  ASSERT_EQ(r.status, 201) << r.body;
  const int restricted = Json(r)["id"];

  reach = Json(qi.Send("GET", "/api/portfolio/reach"));
  ASSERT_EQ(reach["reached"].size(), 2u) << reach;
  EXPECT_EQ(reach["not_reached"].size(), 0u) << reach;
  EXPECT_EQ(reach["reached"][0]["code"], "SEG-CYP");
  EXPECT_EQ(reach["reached"][0]["projects"], 1);
  EXPECT_EQ(reach["reached"][0]["project_ids"][0], restricted);

  // Outside RJZ's scope the restricted project leaves no trace: its population is not reached.
  reach = Json(other.Send("GET", "/api/portfolio/reach"));
  ASSERT_EQ(reach["reached"].size(), 1u) << reach;
  EXPECT_EQ(reach["reached"][0]["code"], "SEG-FRAIL");
  ASSERT_EQ(reach["not_reached"].size(), 1u) << reach;
  EXPECT_EQ(reach["not_reached"][0]["code"], "SEG-CYP");
  EXPECT_EQ(reach.dump().find(std::to_string(restricted) + "]"), std::string::npos) << reach;

  EXPECT_EQ(qi.Send("GET", "/api/portfolio/reach?programme=x").status, 400);
  EXPECT_EQ(Json(qi.Send("GET", "/api/portfolio/reach?programme=999"))["reached"].size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Databases, ImprovementApiTest, ::testing::Values("sqlite", "postgresql"));

}  // namespace
}  // namespace shewhart::server
