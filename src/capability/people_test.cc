// The capability part on SQLite and PostgreSQL: the data-driven import cases
// (tests/cases/capability/imports), the dashboard and the self-sustainability index against the
// hand-worked example of docs/capability.md (read from the page itself), overrides that need a
// reason, and a booking then attendance marked on a screen changing a person's tier with its
// history and audit entries.
#include "capability/people.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "access/audit.h"
#include "capability/dashboard.h"
#include "capability/part.h"
#include "capability/questionnaires.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "imports/testing/storage_fixture.h"

namespace shewhart::capability {
namespace {

namespace fs = std::filesystem;
using ::shewhart::testing::ReadText;
using ::shewhart::testing::StorageTest;
using ::shewhart::testing::ValueOrDie;
using ::testing::HasSubstr;

constexpr std::string_view kKinds[] = {"people", "courses", "attendance", "coaching"};

fs::path CapabilityCases() {
  return fs::path(SHEWHART_TEST_DATA_DIR) / "cases" / "capability" / "imports";
}

std::vector<fs::path> Sorted(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".csv") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> Lines(const fs::path& p) {
  std::vector<std::string> out;
  std::istringstream in(ReadText(p));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// The fenced block of docs/capability.md whose info string is `info` ("csv people").
std::string DocBlock(std::string_view info) {
  const std::string page = ReadText(fs::path(SHEWHART_REPO_DIR) / "docs" / "capability.md");
  const std::string open = "```" + std::string(info) + "\n";
  const size_t start = page.find(open);
  if (start == std::string::npos) return "";
  const size_t body = start + open.size();
  return page.substr(body, page.find("```", body) - body);
}

class CapabilityTest : public StorageTest {
 protected:
  Result<imports::ImportReport> Import(std::string_view kind, const fs::path& file) {
    for (const imports::Importer& i : Importers()) {
      if (i.kind == kind) return imports::ImportFile(*conn_, i, file.string(), Options());
    }
    return NotFoundError("no importer");
  }
  Result<imports::ImportReport> ImportText(std::string_view kind, const std::string& text) {
    const fs::path p = dir_ / (std::string(kind) + ".csv");
    ::shewhart::testing::WriteText(p, text);
    return Import(kind, p);
  }
  void LoadDocExample() {
    LoadBase(/*with_observations=*/false);
    for (std::string_view kind : kKinds) {
      const std::string block = DocBlock("csv " + std::string(kind));
      ASSERT_FALSE(block.empty()) << "docs/capability.md has no block csv " << kind;
      Result<imports::ImportReport> r = ImportText(kind, block);
      ASSERT_TRUE(r.ok()) << kind << ": " << r.status().ToString();
    }
  }
};

TEST_P(CapabilityTest, ImportCasesOfEveryKind) {
  LoadBase(/*with_observations=*/false);
  for (std::string_view kind : kKinds) {
    SCOPED_TRACE(std::string(kind));
    const std::vector<fs::path> good = Sorted(CapabilityCases() / kind / "good");
    ASSERT_GE(good.size(), 1u);
    for (const fs::path& file : good) {
      SCOPED_TRACE(file.filename().string());
      Result<imports::ImportReport> r = Import(kind, file);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      fs::path expected = file;
      expected.replace_extension(".expected");
      for (const std::string& line : Lines(expected)) EXPECT_THAT(r->Summary(), HasSubstr(line));
    }
  }
  const std::string before = Dump();
  for (std::string_view kind : kKinds) {
    SCOPED_TRACE(std::string(kind));
    const std::vector<fs::path> bad = Sorted(CapabilityCases() / kind / "bad");
    EXPECT_GE(bad.size(), 5u);
    for (const fs::path& file : bad) {
      SCOPED_TRACE(file.filename().string());
      Result<imports::ImportReport> r = Import(kind, file);
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
      fs::path expected = file;
      expected.replace_extension(".expected");
      for (const std::string& line : Lines(expected)) {
        EXPECT_THAT(r.status().message(), HasSubstr(line));
      }
      EXPECT_THAT(r.status().message(), HasSubstr("nothing was imported"));
      EXPECT_EQ(Dump(), before);
    }
  }
  // The good files' evidence: Ana attended a Learn then a Live course and is coached -> Live;
  // Cara taught and coaches -> Lead; Ben's booking became attendance -> Learn; Dev has nothing.
  const PersonTier ana = ValueOrDie(GetPersonTier(*conn_, "ANA.SMITH@raa.nhs.uk", "2024-05-01"));
  EXPECT_EQ(TierWord(ana.decision.tier), "live");
  EXPECT_EQ(
      TierWord(
          ValueOrDie(GetPersonTier(*conn_, "cara.khan@rbb.nhs.uk", "2024-05-01")).decision.tier),
      "lead");
  EXPECT_EQ(
      TierWord(
          ValueOrDie(GetPersonTier(*conn_, "ben.jones@raa.nhs.uk", "2024-05-01")).decision.tier),
      "learn");
  EXPECT_EQ(
      TierWord(ValueOrDie(GetPersonTier(*conn_, "dev.patel@nhs.net", "2024-05-01")).decision.tier),
      "none");
  auto audit = ValueOrDie(access::ListAudit(*conn_, 20, std::nullopt));
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit[0].action, "import.coaching");
}

TEST_P(CapabilityTest, DashboardMatchesTheHandWorkedExampleOfTheDocs) {
  LoadDocExample();
  const nlohmann::json expected = nlohmann::json::parse(DocBlock("json expected"));
  ASSERT_EQ(expected.size(), 2u);
  for (const nlohmann::json& e : expected) {
    const std::string org = e["organisation"];
    SCOPED_TRACE(org);
    const Dashboard d = ValueOrDie(CapabilityOn(*conn_, org, e["as_of"].get<std::string>()));
    EXPECT_EQ(d.people, e["people"]);
    EXPECT_EQ(d.learn, e["learn"]);
    EXPECT_EQ(d.live, e["live"]);
    EXPECT_EQ(d.lead, e["lead"]);
    EXPECT_EQ(d.attended, e["attended"]);
    EXPECT_EQ(d.coaches, e["coaches"]);
    EXPECT_EQ(d.projects_led_by_community, e["projects_led_by_community"]);
    ASSERT_TRUE(d.self_sustainability.index.has_value());
    EXPECT_NEAR(*d.self_sustainability.index, e["index"].get<double>(), 1e-9);
    ASSERT_EQ(d.self_sustainability.parts.size(), e["parts"].size());
    for (const SustainabilityPart& p : d.self_sustainability.parts) {
      SCOPED_TRACE(p.name);
      const nlohmann::json& v = e["parts"].at(p.name);
      if (v.is_null()) {
        EXPECT_FALSE(p.value.has_value());
      } else {
        ASSERT_TRUE(p.value.has_value());
        EXPECT_NEAR(*p.value, v.get<double>(), 1e-9);
      }
    }
  }
  EXPECT_EQ(CapabilityOn(*conn_, "NOPE", "2024-05-01").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(CapabilityOn(*conn_, "", "01/05/2024").status().code(), StatusCode::kInvalidArgument);
}

TEST_P(CapabilityTest, AnOverrideNeedsAReasonAndIsKeptInTheHistory) {
  LoadDocExample();
  const access::Acting who{.actor = "user:lead@nhs.net", .at = "2024-05-01T09:00:00Z"};
  const std::string before = Dump();
  for (std::string_view reason : {"", "   "}) {
    const Status s = OverrideTier(*conn_, who, "cara@raa.nhs.uk", "lead", reason);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr("needs a reason"));
  }
  EXPECT_EQ(OverrideTier(*conn_, who, "cara@raa.nhs.uk", "expert", "x").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(OverrideTier(*conn_, who, "cara@raa.nhs.uk", "lead", "NHS 943 476 5919").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(OverrideTier(*conn_, who, "nobody@raa.nhs.uk", "lead", "x").code(),
            StatusCode::kNotFound);
  EXPECT_EQ(Dump(), before);
  SHEWHART_ASSERT_OK(
      OverrideTier(*conn_, who, "cara@raa.nhs.uk", "lead", "Runs the RAA QI huddles"));
  const PersonTier cara = ValueOrDie(GetPersonTier(*conn_, "cara@raa.nhs.uk", "2024-05-01"));
  EXPECT_EQ(TierWord(cara.decision.tier), "lead");
  EXPECT_EQ(cara.decision.source, "override");
  EXPECT_EQ(cara.decision.reason, "Runs the RAA QI huddles");
  ASSERT_EQ(cara.history.size(), 2u);
  EXPECT_EQ(cara.history[0].tier, "learn");
  EXPECT_EQ(cara.history[0].source, "evidence");
  EXPECT_EQ(cara.history[1].tier, "lead");
  EXPECT_EQ(cara.history[1].source, "override");
  auto audit = ValueOrDie(access::ListAudit(*conn_, 1, std::nullopt));
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "tier.override");
  EXPECT_EQ(audit[0].target, "cara@raa.nhs.uk");
  // The day before, the override was not in force.
  EXPECT_EQ(
      TierWord(ValueOrDie(GetPersonTier(*conn_, "cara@raa.nhs.uk", "2024-04-30")).decision.tier),
      "learn");
}

TEST_P(CapabilityTest, ABookingThenAttendanceChangesTheTier) {
  LoadDocExample();
  const access::Acting who{.actor = "user:lead@nhs.net", .at = "2024-05-01T09:00:00Z"};
  // Eve was booked and did not attend: none. Booked on the practitioner course: still none.
  SHEWHART_ASSERT_OK(RecordAttendance(
      *conn_, who,
      {.email = "eve@rbb.nhs.uk", .course = "QI-201", .date = "2024-04-30", .attended = "no"}));
  EXPECT_EQ(
      TierWord(ValueOrDie(GetPersonTier(*conn_, "eve@rbb.nhs.uk", "2024-05-01")).decision.tier),
      "none");
  SHEWHART_ASSERT_OK(RecordAttendance(
      *conn_, who,
      {.email = "eve@rbb.nhs.uk", .course = "QI-201", .date = "2024-04-30", .attended = "yes"}));
  const PersonTier eve = ValueOrDie(GetPersonTier(*conn_, "eve@rbb.nhs.uk", "2024-05-01"));
  EXPECT_EQ(TierWord(eve.decision.tier), "live");
  ASSERT_EQ(eve.decision.basis.size(), 1u);
  EXPECT_THAT(eve.decision.basis[0].what, HasSubstr("QI-201"));
  ASSERT_EQ(eve.history.size(), 1u);
  EXPECT_EQ(eve.history[0].tier, "live");
  EXPECT_EQ(eve.history[0].since, "2024-04-30");
  auto audit = ValueOrDie(access::ListAudit(*conn_, 1, std::nullopt));
  EXPECT_EQ(audit[0].action, "attendance.record");
  // Bad input changes nothing.
  const std::string before = Dump();
  const Status unknown = RecordAttendance(
      *conn_, who, {.email = "eve@rbb.nhs.uk", .course = "QI-999", .date = "2024-04-30"});
  EXPECT_EQ(unknown.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.message(), HasSubstr("there is no course \"QI-999\""));
  EXPECT_EQ(
      RecordAttendance(*conn_, who,
                       {.email = "nobody@rbb.nhs.uk", .course = "QI-101", .date = "2024-04-30"})
          .code(),
      StatusCode::kNotFound);
  const Status future = RecordAttendance(
      *conn_, who, {.email = "eve@rbb.nhs.uk", .course = "QI-101", .date = "2024-06-01"});
  EXPECT_EQ(future.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(future.message(), HasSubstr("in the future"));
  EXPECT_EQ(Dump(), before);
}

// The demo's Learn-Live-Lead story on the demo system's organisations: deterministic, about 300
// staff across 11 partners and 40 practices, and a self-sustainability index that rises as the
// system's own Lead people take over the teaching.
TEST_P(CapabilityTest, DemoStoryIsDeterministicAndTheIndexRises) {
  std::string orgs =
      "code,name,kind,parent,opened,closed,successor,member_of\nSYS,System,system,,,,,\n";
  for (const char* code : {"RZA", "RZB", "RZC", "RZD", "RZE", "E06000901", "NZH01", "NZP01",
                           "NZP02", "NZV01", "NZI01"}) {
    orgs += std::string(code) + "," + code + " partner,acute trust,SYS,,,,\n";
  }
  for (int g = 1; g <= 40; ++g) {
    char code[8];
    std::snprintf(code, sizeof(code), "N99%03d", g);
    orgs += std::string(code) + ",Practice " + code + ",gp practice,SYS,,,,\n";
  }
  const fs::path file = dir_ / "demo-orgs.csv";
  ::shewhart::testing::WriteText(file, orgs);
  ValueOrDie(imports::ImportOrganisationsFile(*conn_, file.string(), Options()));
  std::unique_ptr<db::Connection> second = OpenSecondDatabase();
  ValueOrDie(imports::ImportOrganisationsFile(*second, file.string(), Options()));
  SHEWHART_ASSERT_OK(FillDemo(*conn_, "demo", "2024-05-01T10:00:00Z"));
  SHEWHART_ASSERT_OK(FillDemo(*second, "demo", "2024-05-01T10:00:00Z"));
  // The same story both times (the tables of the part; the audit log names the temporary files).
  auto story = [](db::Connection& c) {
    std::string out;
    for (const char* q :
         {"SELECT email, name, profession FROM capability_person ORDER BY email",
          "SELECT p.email, c.code, a.held_on, a.attended, a.role FROM capability_attendance a "
          "JOIN capability_person p ON p.id = a.person_id JOIN capability_course c "
          "ON c.id = a.course_id ORDER BY p.email, c.code, a.held_on",
          "SELECT a.email, b.email, c.started, c.ended FROM capability_coaching c JOIN "
          "capability_person a ON a.id = c.coach_id JOIN capability_person b ON b.id = "
          "c.coachee_id ORDER BY a.email, b.email, c.started",
          "SELECT p.email, t.tier, t.since FROM capability_tier_change t JOIN capability_person p "
          "ON p.id = t.person_id ORDER BY p.email, t.id",
          "SELECT c.code, e.held_on, e.place, e.capacity, e.wave FROM capability_event e JOIN "
          "capability_course c ON c.id = e.course_id ORDER BY c.code, e.held_on",
          "SELECT coaching_id, held_on, minutes FROM capability_coaching_session ORDER BY "
          "coaching_id, held_on",
          "SELECT q.code, u.code, r.round, x.code, a.text FROM capability_answer a JOIN "
          "capability_question x ON x.id = a.question_id JOIN capability_response r ON r.id = "
          "a.response_id JOIN capability_questionnaire q ON q.id = r.questionnaire_id JOIN unit u "
          "ON u.id = r.unit_id ORDER BY q.code, u.code, r.round, x.code, a.text",
          "SELECT c.code, m.held_on, m.kind, m.title FROM capability_community_meeting m JOIN "
          "capability_community c ON c.id = m.community_id ORDER BY c.code, m.held_on"}) {
      const auto rows = ValueOrDie(c.QueryAll(q));
      for (const db::Row& r : rows) {
        for (const db::Value& v : r.values()) out += v.DebugString() + "|";
        out += "\n";
      }
    }
    return out;
  };
  const std::string first = story(*conn_);
  EXPECT_GT(first.size(), 1000u);
  EXPECT_TRUE(story(*second) == first) << "the demo story differs between two runs";
  EXPECT_GE(Count("capability_person"), 250);
  EXPECT_LE(Count("capability_person"), 350);
  EXPECT_GT(Count("capability_coaching"), 20);
  const Dashboard early = ValueOrDie(CapabilityOn(*conn_, "", "2023-03-31"));
  const Dashboard late = ValueOrDie(CapabilityOn(*conn_, "", "2024-03-31"));
  ASSERT_TRUE(early.self_sustainability.index.has_value());
  ASSERT_TRUE(late.self_sustainability.index.has_value());
  EXPECT_LT(*early.self_sustainability.index + 30, *late.self_sustainability.index);
  EXPECT_GT(late.learn, 0);
  EXPECT_GT(late.live, 0);
  EXPECT_GT(late.lead, 0);
  EXPECT_GT(late.coaches, 0);
  EXPECT_GT(late.attended, 100);
  // The programme: events for every session, coaching sessions, two communities of practice,
  // the plan, two rounds of readiness for the eleven partners, the measures as series.
  EXPECT_GT(Count("capability_event"), 40);
  EXPECT_GT(Count("capability_coaching_session"), 100);
  EXPECT_EQ(Count("capability_community"), 2);
  EXPECT_EQ(Count("capability_milestone"), 7);
  const Comparison hf = ValueOrDie(CompareRound(*conn_, "HF-READINESS", ""));
  EXPECT_EQ(hf.rounds, (std::vector<std::string>{"2022", "2024"}));
  EXPECT_EQ(hf.organisations.size(), 11u);
  EXPECT_GT(late.coaching_hours, 50);
  EXPECT_GT(late.projects_led_by_community, 0);
  EXPECT_GT(Count("observation"), 500);
  // A practice's people count for it.
  EXPECT_EQ(ValueOrDie(CapabilityOn(*conn_, "N99001", "2024-03-31")).people, 2);
}

INSTANTIATE_STORAGE_TEST(CapabilityTest);

}  // namespace
}  // namespace shewhart::capability
