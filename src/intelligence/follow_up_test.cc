// Acting on it, on SQLite and PostgreSQL: the 5x5 risk matrix cell by cell against the reference
// table (tests/cases/intelligence/risk_matrix), bad input refused with the field named and
// nothing written, the concern lifecycle with its dated, attributed, reasoned history, escalation
// levels, the generated agenda, scope (another organisation's lead sees none of it), and overdue
// actions as signals.
#include <nlohmann/json.hpp>
#include <sstream>

#include "access/access.h"
#include "directory/directory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "imports/testing/storage_fixture.h"
#include "intelligence/follow_up.h"

namespace shewhart::intelligence {
namespace {

namespace fs = std::filesystem;
using ::shewhart::testing::ReadText;
using ::shewhart::testing::StorageTest;
using ::shewhart::testing::ValueOrDie;
using ::testing::HasSubstr;
using nlohmann::json;

constexpr char kLead[] = "lead@nhs.net";
constexpr char kOwner[] = "owner@raa.nhs.uk";

class FollowUpTest : public StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    if (IsSkipped() || conn_ == nullptr) return;
    access::UseFastPasswordHashingForTests();
    LoadBase(/*with_observations=*/false);
    for (auto [email, role, org] :
         {std::tuple{kLead, access::Role::kSystemQualityLead, ""},
          std::tuple{kOwner, access::Role::kOrganisationQualityLead, "RAA"},
          std::tuple{"other@rbb.nhs.uk", access::Role::kOrganisationQualityLead, "RBB"}}) {
      ValueOrDie(access::CreateAccount(*conn_, {email, role, org}, "correct horse battery", "test",
                                       "2024-05-01T10:00:00Z"));
    }
  }
  access::Acting Who(const std::string& at = "2024-05-02T10:00:00Z") {
    return {.actor = "user:lead@nhs.net", .at = at, .remote = ""};
  }
  access::Scope Org(const std::string& code) {
    return {.unit_ids = {ValueOrDie(directory::UnitIdByCode(*conn_, code))}};
  }
  json Concern(const access::Scope& scope = {.all = true}) {
    return json::parse(ValueOrDie(CreateConcern(*conn_, Who(), scope, json{
        {"title", "Falls with harm"}, {"organisations", {"RAA"}}, {"owner", kOwner},
        {"signals", json::array({{{"source", "incident"}, {"organisation", "RAA"},
                                  {"reason", "3 incidents with severe harm"}}})},
        {"review_by", "2024-05-20"}}.dump())));
  }
  int64_t AuditCount(std::string_view action) {
    int64_t n = 0;
    for (const auto& e : ValueOrDie(access::ListAudit(*conn_, 10000, std::nullopt))) {
      n += e.action == action;
    }
    return n;
  }
};

TEST_P(FollowUpTest, EveryCellOfTheRiskMatrixAgainstTheReference) {
  const fs::path csv =
      fs::path(SHEWHART_TEST_DATA_DIR) / "cases" / "intelligence" / "risk_matrix" / "cells.csv";
  std::istringstream in(ReadText(csv));
  std::string line;
  std::getline(in, line);  // header
  int cells = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    int c = 0, l = 0, score = 0;
    char band[16] = {};
    ASSERT_EQ(std::sscanf(line.c_str(), "%d,%d,%d,%15s", &c, &l, &score, band), 4) << line;
    EXPECT_EQ(RiskBand(c * l), std::string(band)) << line;
    const json r = json::parse(ValueOrDie(CreateRisk(*conn_, Who(), {.all = true}, json{
        {"title", "Cell " + line}, {"consequence", c}, {"likelihood", l},
        {"organisations", {"RAA"}}, {"owner", kOwner}}.dump())));
    EXPECT_EQ(r["score"], score) << line;
    EXPECT_EQ(r["band"], band) << line;
    ++cells;
  }
  EXPECT_EQ(cells, 25);
  const json list = json::parse(ValueOrDie(ListRisks(*conn_, {.all = true}, "")));
  int total = 0;
  for (const json& row : list["heatmap"]["counts"]) {
    for (const json& n : row) total += n.get<int>();
  }
  EXPECT_EQ(total, 25);
  EXPECT_EQ(list["heatmap"]["bands"][4][4], "extreme");
  EXPECT_EQ(list["heatmap"]["bands"][0][2], "low");
}

TEST_P(FollowUpTest, BadInputNamesTheFieldAndWritesNothing) {
  const json concern = Concern();
  const int64_t id = concern["id"].get<int64_t>();
  const json meeting = json::parse(ValueOrDie(CreateMeeting(*conn_, Who(), {.all = true}, json{
      {"group", "jig"}, {"held_on", "2024-05-09"}, {"members", {kLead}}}.dump())));
  const int64_t item = meeting["agenda"][0]["id"].get<int64_t>();
  const std::string before = ::shewhart::testing::DumpDatabase(*conn_);
  struct Case {
    std::string what, field;
    Status status;
  };
  const access::Scope all{.all = true};
  std::vector<Case> cases = {
      {"unknown level", "level",
       Escalate(*conn_, Who(), all, "RAA", R"({"level":"critical","reason":"x"})").status()},
      {"no reason", "reason", Escalate(*conn_, Who(), all, "RAA", R"({"level":"enhanced"})").status()},
      {"already at routine", "level",
       Escalate(*conn_, Who(), all, "RAA", R"({"level":"routine","reason":"x"})").status()},
      {"likelihood 6", "likelihood",
       CreateRisk(*conn_, Who(), all, json{{"title", "t"}, {"consequence", 3}, {"likelihood", 6},
                                            {"organisations", {"RAA"}}, {"owner", kOwner}}.dump())
           .status()},
      {"consequence 0", "consequence",
       CreateRisk(*conn_, Who(), all, json{{"title", "t"}, {"consequence", 0}, {"likelihood", 2},
                                            {"organisations", {"RAA"}}, {"owner", kOwner}}.dump())
           .status()},
      {"owner with no account", "owner",
       CreateConcern(*conn_, Who(), all, json{{"title", "t"}, {"organisations", {"RAA"}},
                                               {"owner", "nobody@nowhere.nhs.uk"},
                                               {"signals", json::array()},
                                               {"review_by", "2024-06-01"}}.dump())
           .status()},
      {"risk owner with no account", "owner",
       CreateRisk(*conn_, Who(), all, json{{"title", "t"}, {"consequence", 3}, {"likelihood", 2},
                                            {"organisations", {"RAA"}}, {"owner", "ghost@x.org"}}.dump())
           .status()},
      {"unknown organisation", "organisations",
       CreateConcern(*conn_, Who(), all, json{{"title", "t"}, {"organisations", {"ZZZ"}},
                                               {"owner", kOwner}, {"signals", json::array()},
                                               {"review_by", "2024-06-01"}}.dump())
           .status()},
      {"bad review date", "review_by",
       CreateConcern(*conn_, Who(), all, json{{"title", "t"}, {"organisations", {"RAA"}},
                                               {"owner", kOwner}, {"signals", json::array()},
                                               {"review_by", "2024-13-01"}}.dump())
           .status()},
      {"NHS number in minutes", "minutes",
       UpdateAgendaItem(*conn_, Who(), all, "", meeting["id"].get<int64_t>(), item,
                        R"({"minutes":"Patient 943 476 5919 was discussed"})")
           .status()},
      {"NHS number in a follow-up", "heard",
       AddFollowUp(*conn_, Who(), all, id,
                   R"({"with_whom":"Chief Nurse","heard":"patient 943 476 5919 fell"})")
           .status()},
      {"a move the lifecycle forbids", "status",
       MoveConcern(*conn_, Who(), all, id, R"({"status":"closed","reason":"done"})").status()},
      {"an action owner with no account", "owner",
       AddConcernAction(*conn_, Who(), all, id,
                        R"({"title":"Do it","owner":"ghost@x.org","due":"2024-06-01"})")
           .status()},
      {"unknown group", "group",
       CreateMeeting(*conn_, Who(), all, R"({"group":"book club","held_on":"2024-06-01"})").status()},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.status.code(), StatusCode::kInvalidArgument) << c.what << ": " << c.status.ToString();
    EXPECT_THAT(c.status.message(), HasSubstr("\"" + c.field + "\"")) << c.what;
  }
  EXPECT_EQ(::shewhart::testing::DumpDatabase(*conn_), before);
}

TEST_P(FollowUpTest, AConcernsLifeIsDatedAttributedAndReasoned) {
  const int64_t id = Concern()["id"].get<int64_t>();
  json c = json::parse(ValueOrDie(AddFollowUp(*conn_, Who("2024-05-03T09:00:00Z"), {.all = true}, id,
      json{{"held_on", "2024-05-03"}, {"with_whom", "Chief Nurse"}, {"asked", "How good are you?"},
           {"heard", "Staffing is short at night"}, {"agreed", "Review the rota"},
           {"assurance", "partially_assured"},
           {"actions", {{{"title", "Review the night rota"}, {"owner", kOwner},
                         {"due", "2024-05-10"}}}}}.dump())));
  EXPECT_EQ(c["status"], "under_follow_up");
  ASSERT_EQ(c["history"].size(), 2u);
  EXPECT_EQ(c["history"][1]["from"], "open");
  EXPECT_EQ(c["history"][1]["on"], "2024-05-03");
  EXPECT_EQ(c["history"][1]["by"], "user:lead@nhs.net");
  ASSERT_EQ(c["actions"].size(), 1u);
  c = json::parse(ValueOrDie(Escalate(*conn_, Who(), {.all = true}, "RAA", json{
      {"level", "enhanced"}, {"reason", "Falls with harm rising"}, {"concern", id},
      {"step_down_criteria", "No severe harm for three months"},
      {"people_told", {"NHS England region", "CQC"}}}.dump())));
  EXPECT_EQ(c["level"], "enhanced");
  EXPECT_EQ(c["display_name"], "Enhanced surveillance");
  EXPECT_EQ(c["history"][0]["previous_level"], "routine");
  EXPECT_EQ(c["history"][0]["people_told"].size(), 2u);
  c = json::parse(ValueOrDie(GetConcern(*conn_, {.all = true}, id)));
  EXPECT_EQ(c["status"], "escalated");
  c = json::parse(ValueOrDie(Escalate(*conn_, Who(), {.all = true}, "RAA",
                                      R"({"level":"routine","reason":"Criteria met"})")));
  EXPECT_EQ(c["level"], "routine");
  EXPECT_EQ(c["history"].size(), 2u);
  EXPECT_EQ(c["history"][0]["direction"], "down");
  c = json::parse(ValueOrDie(MoveConcern(*conn_, Who(), {.all = true}, id,
                                         R"({"status":"closed","reason":"Criteria met"})")));
  EXPECT_EQ(c["status"], "closed");
  EXPECT_EQ(AuditCount("concern.create"), 1);
  EXPECT_EQ(AuditCount("follow_up.create"), 1);
  EXPECT_EQ(AuditCount("action.create"), 1);
  EXPECT_EQ(AuditCount("escalation.create"), 2);
  EXPECT_EQ(AuditCount("concern.move"), 3);
  // Display names are configurable.
  ValueOrDie(SetEscalationLevel(*conn_, Who(), "enhanced", R"({"display_name":"Enhanced support"})"));
  EXPECT_EQ(json::parse(ValueOrDie(OrganisationEscalations(*conn_, {.all = true}, "RAA")))
                ["history"][1]["display_name"],
            "Enhanced support");
}

TEST_P(FollowUpTest, AnotherOrganisationsLeadSeesNoneOfIt) {
  const int64_t id = Concern()["id"].get<int64_t>();
  ValueOrDie(CreateRisk(*conn_, Who(), {.all = true}, json{
      {"title", "RAA risk"}, {"consequence", 4}, {"likelihood", 4}, {"organisations", {"RAA"}},
      {"owner", kOwner}}.dump()));
  ValueOrDie(Escalate(*conn_, Who(), {.all = true}, "RAA", R"({"level":"enhanced","reason":"x"})"));
  const access::Scope other = Org("RBB");
  EXPECT_EQ(GetConcern(*conn_, other, id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(json::parse(ValueOrDie(ListConcerns(*conn_, other, {})))["concerns"].empty());
  EXPECT_TRUE(json::parse(ValueOrDie(ListRisks(*conn_, other, "")))["risks"].empty());
  EXPECT_TRUE(json::parse(ValueOrDie(CurrentEscalations(*conn_, other, "", "")))["escalations"].empty());
  EXPECT_EQ(OrganisationEscalations(*conn_, other, "RAA").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(MoveConcern(*conn_, Who(), other, id, R"({"status":"resolved","reason":"x"})").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(CreateConcern(*conn_, Who(), other, json{{"title", "t"}, {"organisations", {"RAA"}},
                                                     {"owner", kOwner}, {"signals", json::array()},
                                                     {"review_by", "2024-06-01"}}.dump())
                .status().code(),
            StatusCode::kPermissionDenied);
  // Its own lead sees it.
  EXPECT_EQ(json::parse(ValueOrDie(ListConcerns(*conn_, Org("RAA"), {})))["concerns"].size(), 1u);
}

TEST_P(FollowUpTest, TheAgendaIsGeneratedFromWhatNeedsTheGroup) {
  const int64_t id = Concern()["id"].get<int64_t>();
  ValueOrDie(AddConcernAction(*conn_, Who(), {.all = true}, id,
                              json{{"title", "Audit the falls bundle"}, {"owner", kOwner},
                                   {"due", "2024-05-05"}}.dump()));
  ValueOrDie(CreateRisk(*conn_, Who(), {.all = true}, json{
      {"title", "Big risk"}, {"consequence", 5}, {"likelihood", 4}, {"organisations", {"RAA"}},
      {"owner", kOwner}}.dump()));
  ValueOrDie(Escalate(*conn_, Who(), {.all = true}, "RAA",
                      R"({"level":"enhanced","reason":"Falls","decided_on":"2024-05-02"})"));
  const json m = json::parse(ValueOrDie(CreateMeeting(*conn_, Who(), {.all = true}, json{
      {"group", "jig"}, {"held_on", "2024-05-30"}, {"chair", kLead}}.dump())));
  std::set<std::string> kinds;
  for (const json& i : m["agenda"]) kinds.insert(i["kind"].get<std::string>());
  EXPECT_TRUE(kinds.count("concern")) << m.dump();
  EXPECT_TRUE(kinds.count("escalation")) << m.dump();
  EXPECT_TRUE(kinds.count("risk")) << m.dump();
  EXPECT_TRUE(kinds.count("action")) << m.dump();
  EXPECT_EQ(m["agenda"][0]["title"], "Apologies and declarations of interest");
  // The overdue action is a signal of its organisation.
  std::map<int64_t, std::vector<Signal>> out;
  const int64_t raa = ValueOrDie(directory::UnitIdByCode(*conn_, "RAA"));
  SHEWHART_ASSERT_OK(AppendFollowUpSignals(*conn_, {.all = true}, "2024-05-30",
                                           [](int64_t u) { return u; }, &out));
  ASSERT_EQ(out[raa].size(), 1u);
  EXPECT_EQ(out[raa][0].source, "action");
  EXPECT_THAT(out[raa][0].reason, HasSubstr("Audit the falls bundle"));
  // Minutes and an action against an item; a meeting of a system group is not the RBB lead's.
  const int64_t item = m["agenda"][1]["id"].get<int64_t>();
  const json after = json::parse(ValueOrDie(UpdateAgendaItem(*conn_, Who(), {.all = true}, "",
      m["id"].get<int64_t>(), item, json{{"minutes", "Discussed"}, {"decision", "Agreed"},
      {"actions", {{{"title", "Write to the trust"}, {"owner", kLead}, {"due", "2024-06-10"}}}}}.dump())));
  EXPECT_EQ(after["agenda"][1]["minutes"], "Discussed");
  EXPECT_EQ(after["agenda"][1]["actions"].size(), 1u);
  EXPECT_EQ(GetMeeting(*conn_, Org("RBB"), "other@rbb.nhs.uk", m["id"].get<int64_t>()).status().code(),
            StatusCode::kNotFound);
  // My work: the owner's concern and actions.
  const json work = json::parse(ValueOrDie(MyWork(*conn_, Org("RAA"), kOwner, "2024-05-30")));
  EXPECT_EQ(work["concerns"].size(), 1u);
  EXPECT_EQ(work["actions"].size(), 1u);
  EXPECT_TRUE(work["actions"][0]["overdue"].get<bool>());
}

INSTANTIATE_STORAGE_TEST(FollowUpTest);

}  // namespace
}  // namespace shewhart::intelligence
