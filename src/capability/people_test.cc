// The capability part on SQLite and PostgreSQL: the data-driven import cases
// (tests/cases/capability/imports), the dashboard and the self-sustainability index against the
// hand-worked example of docs/capability.md (read from the page itself), overrides that need a
// reason, and a booking then attendance marked on a screen changing a person's tier with its
// history and audit entries.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "access/audit.h"
#include "capability/dashboard.h"
#include "capability/part.h"
#include "capability/people.h"
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
  EXPECT_EQ(TierWord(ValueOrDie(GetPersonTier(*conn_, "cara.khan@rbb.nhs.uk", "2024-05-01"))
                         .decision.tier),
            "lead");
  EXPECT_EQ(TierWord(ValueOrDie(GetPersonTier(*conn_, "ben.jones@raa.nhs.uk", "2024-05-01"))
                         .decision.tier),
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
  EXPECT_EQ(CapabilityOn(*conn_, "", "01/05/2024").status().code(),
            StatusCode::kInvalidArgument);
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
  EXPECT_EQ(TierWord(ValueOrDie(GetPersonTier(*conn_, "cara@raa.nhs.uk", "2024-04-30"))
                         .decision.tier),
            "learn");
}

TEST_P(CapabilityTest, ABookingThenAttendanceChangesTheTier) {
  LoadDocExample();
  const access::Acting who{.actor = "user:lead@nhs.net", .at = "2024-05-01T09:00:00Z"};
  // Eve was booked and did not attend: none. Booked on the practitioner course: still none.
  SHEWHART_ASSERT_OK(RecordAttendance(
      *conn_, who, {.email = "eve@rbb.nhs.uk", .course = "QI-201", .date = "2024-04-30",
                    .attended = "no"}));
  EXPECT_EQ(TierWord(ValueOrDie(GetPersonTier(*conn_, "eve@rbb.nhs.uk", "2024-05-01"))
                         .decision.tier),
            "none");
  SHEWHART_ASSERT_OK(RecordAttendance(
      *conn_, who, {.email = "eve@rbb.nhs.uk", .course = "QI-201", .date = "2024-04-30",
                    .attended = "yes"}));
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
  EXPECT_EQ(RecordAttendance(*conn_, who,
                             {.email = "nobody@rbb.nhs.uk", .course = "QI-101", .date = "2024-04-30"})
                .code(),
            StatusCode::kNotFound);
  const Status future = RecordAttendance(
      *conn_, who, {.email = "eve@rbb.nhs.uk", .course = "QI-101", .date = "2024-06-01"});
  EXPECT_EQ(future.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(future.message(), HasSubstr("in the future"));
  EXPECT_EQ(Dump(), before);
}

INSTANTIATE_STORAGE_TEST(CapabilityTest);

}  // namespace
}  // namespace shewhart::capability
