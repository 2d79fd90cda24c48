// The running of the programme on SQLite and PostgreSQL, on the hand-worked example of
// docs/capability.md: projects of the improvement part as tier evidence (its tables made here as
// CROSS-PART agrees them), events with capacity, coaching sessions and hours, communities of
// practice and the projects they lead, the programme plan, questionnaires (bad answers refused,
// nothing written; the comparison worked by hand) and the measures as monthly series.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "access/audit.h"
#include "capability/dashboard.h"
#include "capability/measures.h"
#include "capability/part.h"
#include "capability/people.h"
#include "capability/programme.h"
#include "capability/questionnaires.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "imports/imports.h"
#include "imports/testing/storage_fixture.h"

namespace shewhart::capability {
namespace {

namespace fs = std::filesystem;
using ::shewhart::testing::ReadText;
using ::shewhart::testing::StorageTest;
using ::shewhart::testing::ValueOrDie;
using ::testing::HasSubstr;

constexpr std::string_view kKinds[] = {"people", "courses", "attendance", "coaching"};

std::string DocBlock(std::string_view info) {
  const std::string page = ReadText(fs::path(SHEWHART_REPO_DIR) / "docs" / "capability.md");
  const std::string open = "```" + std::string(info) + "\n";
  const size_t start = page.find(open);
  if (start == std::string::npos) return "";
  const size_t body = start + open.size();
  return page.substr(body, page.find("```", body) - body);
}

class ProgrammeTest : public StorageTest {
 protected:
  void LoadDocExample() {
    LoadBase(/*with_observations=*/false);
    for (std::string_view kind : kKinds) {
      const fs::path p = dir_ / (std::string(kind) + ".csv");
      ::shewhart::testing::WriteText(p, DocBlock("csv " + std::string(kind)));
      for (const imports::Importer& i : Importers()) {
        if (i.kind == kind) {
          Result<imports::ImportReport> r = imports::ImportFile(*conn_, i, p.string(), Options());
          ASSERT_TRUE(r.ok()) << kind << ": " << r.status().ToString();
        }
      }
    }
  }
  const access::Acting who_{.actor = "user:lead@nhs.net", .at = "2024-05-01T09:00:00Z"};
};

// The improvement part's tables reduced to the columns capability reads (the agreement between
// the two parts): the real part's tables are dropped first, so this test pins what capability
// relies on and nothing more, whatever else the improvement part keeps in them.
void MakeImprovementTables(db::Connection& conn) {
  const bool pg = conn.dialect() == db::Dialect::kPostgres;
  const std::string id = pg ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY";
  for (const char* table : {"improvement_team_member", "improvement_pdsa", "improvement_project"}) {
    SHEWHART_ASSERT_OK(conn.Execute(std::string("DROP TABLE IF EXISTS ") + table +
                                    (pg ? " CASCADE" : "")));
  }
  SHEWHART_ASSERT_OK(conn.ExecuteScript(
      "CREATE TABLE improvement_project (id " + id +
      ", unit_id BIGINT REFERENCES unit(id), title TEXT, lead_email TEXT NOT NULL, status TEXT "
      "NOT NULL, started TEXT);\n"
      "CREATE TABLE improvement_team_member (project_id BIGINT REFERENCES "
      "improvement_project(id), email TEXT NOT NULL, role TEXT NOT NULL);\n"
      "CREATE TABLE improvement_pdsa (id " +
      id + ", project_id BIGINT REFERENCES improvement_project(id), started TEXT);\n"));
}

TEST_P(ProgrammeTest, ImprovementProjectsAreTierEvidence) {
  LoadDocExample();
  // Before the improvement part: Cara is Learn, no projects.
  EXPECT_EQ(ValueOrDie(CapabilityOn(*conn_, "", "2024-05-01")).projects_led_by_community, 0);
  MakeImprovementTables(*conn_);
  auto unit = [&](const char* code) {
    return ValueOrDie(conn_->QueryRow("SELECT id FROM unit WHERE code = ?", {code}))->Int(0);
  };
  // 1: Cara leads an active project with a PDSA cycle -> Live; Gil a member -> Live.
  // 2: Eve is a member of a completed project -> nothing. 3: Ben coaches a project -> Lead.
  // 4: led by someone outside the register, active, no PDSA.
  SHEWHART_ASSERT_OK(conn_->Execute(
      "INSERT INTO improvement_project (unit_id, title, lead_email, status, started) VALUES "
      "(?, 'Falls', 'Cara@RAA.nhs.uk', 'active', '2024-01-10'), "
      "(?, 'Old audit', 'eve@rbb.nhs.uk', 'completed', '2023-01-10'), "
      "(?, 'Sepsis', 'zed@rbb.nhs.uk', 'active', '2024-02-01'), "
      "(?, 'Handover', 'yan@rbb.nhs.uk', 'planning', '2024-03-01')",
      {unit("RAA"), unit("RBB"), unit("RBB"), unit("RBB")}));
  SHEWHART_ASSERT_OK(conn_->Execute(
      "INSERT INTO improvement_team_member (project_id, email, role) VALUES "
      "(1, 'Cara@RAA.nhs.uk', 'lead'), (1, 'gil@rbb.nhs.uk', 'member'), "
      "(2, 'eve@rbb.nhs.uk', 'lead'), (3, 'zed@rbb.nhs.uk', 'lead'), "
      "(3, 'ben@raa.nhs.uk', 'coach'), (4, 'yan@rbb.nhs.uk', 'lead')"));
  SHEWHART_ASSERT_OK(conn_->Execute(
      "INSERT INTO improvement_pdsa (project_id, started) VALUES (1, '2024-02-01'), "
      "(1, '2024-03-01'), (2, '2023-02-01'), (3, '2024-02-15')"));
  const PersonTier cara = ValueOrDie(GetPersonTier(*conn_, "cara@raa.nhs.uk", "2024-05-01"));
  EXPECT_EQ(TierWord(cara.decision.tier), "live");
  EXPECT_EQ(cara.decision.since, "2024-02-01");
  ASSERT_EQ(cara.decision.basis.size(), 1u);
  EXPECT_THAT(cara.decision.basis[0].what, HasSubstr("Falls"));
  EXPECT_EQ(TierWord(ValueOrDie(GetPersonTier(*conn_, "cara@raa.nhs.uk", "2024-01-31"))
                         .decision.tier),
            "learn");
  EXPECT_EQ(
      TierWord(ValueOrDie(GetPersonTier(*conn_, "gil@rbb.nhs.uk", "2024-05-01")).decision.tier),
      "live");
  EXPECT_EQ(
      TierWord(ValueOrDie(GetPersonTier(*conn_, "eve@rbb.nhs.uk", "2024-05-01")).decision.tier),
      "none");
  EXPECT_EQ(
      TierWord(ValueOrDie(GetPersonTier(*conn_, "ben@raa.nhs.uk", "2024-05-01")).decision.tier),
      "lead");
  // Active projects on 2024-05-01: 1, 3, 4 (2 completed). Led by the community (Live or Lead in
  // the register): 1 (Cara, now Live). zed and yan are not in the register.
  const Dashboard d = ValueOrDie(CapabilityOn(*conn_, "", "2024-05-01"));
  EXPECT_EQ(d.projects_led_by_community, 1);
  const SustainabilityPart& led = d.self_sustainability.parts.back();
  EXPECT_EQ(led.name, "community_led_projects");
  EXPECT_EQ(led.numerator, 1);
  EXPECT_EQ(led.denominator, 3);
  // Before project 4 started only 1 and 3 were active.
  EXPECT_EQ(ValueOrDie(CapabilityOn(*conn_, "", "2024-02-15"))
                .self_sustainability.parts.back()
                .denominator,
            2);
  EXPECT_EQ(ValueOrDie(CapabilityOn(*conn_, "RAA", "2024-05-01")).projects_led_by_community, 1);
  EXPECT_EQ(ValueOrDie(CapabilityOn(*conn_, "RBB", "2024-05-01")).projects_led_by_community, 0);
}

TEST_P(ProgrammeTest, EventsEnforceCapacityAndAttendanceChangesTheTier) {
  LoadDocExample();
  // Bad input first: nothing written.
  const std::string before = Dump();
  EventInput bad{.course = "QI-999", .date = "2024-04-30", .place = "Room 1", .capacity = 2};
  Status s = CreateEvent(*conn_, who_, bad).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("course"));
  bad.course = "QI-101";
  bad.capacity = 0;
  EXPECT_THAT(CreateEvent(*conn_, who_, bad).status().message(), HasSubstr("capacity"));
  bad.capacity = 2;
  bad.place = "";
  EXPECT_THAT(CreateEvent(*conn_, who_, bad).status().message(), HasSubstr("place"));
  bad.place = "Room 943 476 5919";
  EXPECT_THAT(CreateEvent(*conn_, who_, bad).status().message(), HasSubstr("NHS number"));
  EXPECT_EQ(Dump(), before);

  // A planned event in the future, two places, an external trainer and Ana teaching.
  const int64_t future = ValueOrDie(CreateEvent(
      *conn_, who_,
      {.course = "QI-101", .date = "2024-06-12", .place = "", .online = true, .capacity = 2,
       .wave = "Wave 4", .cohort = "Wave 4 cohort A", .trainers = {"ana@raa.nhs.uk"},
       .external = {"Dr Visiting Faculty"}}));
  SHEWHART_ASSERT_OK(BookOnEvent(*conn_, who_, future, "eve@rbb.nhs.uk"));
  SHEWHART_ASSERT_OK(BookOnEvent(*conn_, who_, future, "gil@rbb.nhs.uk"));
  const std::string full_before = Dump();
  const Status full = BookOnEvent(*conn_, who_, future, "ben@raa.nhs.uk");
  EXPECT_EQ(full.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(full.message(), HasSubstr("full"));

  EXPECT_EQ(BookOnEvent(*conn_, who_, future, "eve@rbb.nhs.uk").code(),
            StatusCode::kFailedPrecondition);
  // Attendance cannot be marked before the event is held.
  EXPECT_EQ(MarkEventAttendance(*conn_, who_, future, "eve@rbb.nhs.uk", "yes").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Dump(), full_before);
  const Event e = ValueOrDie(GetEvent(*conn_, future));
  EXPECT_EQ(e.booked, 2);
  EXPECT_EQ(e.capacity, 2);
  ASSERT_EQ(e.trainers.size(), 2u);
  EXPECT_EQ(e.wave, "Wave 4");

  // A held event: Eve booked, then attends -> Learn; the booking alone was not evidence.
  const int64_t held = ValueOrDie(CreateEvent(
      *conn_, who_, {.course = "QI-101", .date = "2024-04-24", .place = "Room 2", .capacity = 10}));
  SHEWHART_ASSERT_OK(BookOnEvent(*conn_, who_, held, "eve@rbb.nhs.uk"));
  EXPECT_EQ(
      TierWord(ValueOrDie(GetPersonTier(*conn_, "eve@rbb.nhs.uk", "2024-05-01")).decision.tier),
      "none");
  SHEWHART_ASSERT_OK(MarkEventAttendance(*conn_, who_, held, "eve@rbb.nhs.uk", "yes"));
  const PersonTier eve = ValueOrDie(GetPersonTier(*conn_, "eve@rbb.nhs.uk", "2024-05-01"));
  EXPECT_EQ(TierWord(eve.decision.tier), "learn");
  ASSERT_FALSE(eve.history.empty());
  EXPECT_EQ(eve.history.back().tier, "learn");
  EXPECT_EQ(ValueOrDie(EventAttendees(*conn_, held)).size(), 1u);
  EXPECT_EQ(ValueOrDie(access::ListAudit(*conn_, 1, std::nullopt))[0].action, "event.attendance");
  // Events in a range.
  EXPECT_EQ(ValueOrDie(ListEvents(*conn_, "2024-04-01", "2024-04-30")).size(), 1u);
  // The person page's course-and-date form respects an event's capacity too.
  const int64_t small = ValueOrDie(CreateEvent(
      *conn_, who_, {.course = "QI-201", .date = "2024-04-20", .place = "Room 3", .capacity = 1}));
  SHEWHART_ASSERT_OK(BookOnEvent(*conn_, who_, small, "gil@rbb.nhs.uk"));
  const Status over = RecordAttendance(
      *conn_, who_,
      {.email = "ben@raa.nhs.uk", .course = "QI-201", .date = "2024-04-20", .attended = "yes"});
  EXPECT_EQ(over.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(over.message(), HasSubstr("full"));
  // Marking the one booked changes no count.
  SHEWHART_ASSERT_OK(RecordAttendance(
      *conn_, who_,
      {.email = "gil@rbb.nhs.uk", .course = "QI-201", .date = "2024-04-20", .attended = "yes"}));
}

TEST_P(ProgrammeTest, CoachingSessionsGiveTheHours) {
  LoadDocExample();
  const std::string before = Dump();
  SessionInput in{.coach = "ana@raa.nhs.uk", .coachee = "ben@raa.nhs.uk", .started = "2024-01-08",
                  .date = "2024-01-01", .minutes = 60};
  EXPECT_THAT(RecordCoachingSession(*conn_, who_, in).message(), HasSubstr("before"));
  in.date = "2024-06-01";
  EXPECT_THAT(RecordCoachingSession(*conn_, who_, in).message(), HasSubstr("future"));
  in.date = "2024-02-01";
  in.minutes = 0;
  EXPECT_THAT(RecordCoachingSession(*conn_, who_, in).message(), HasSubstr("minutes"));
  in.minutes = 60;
  in.note = "patient 943 476 5919";
  EXPECT_THAT(RecordCoachingSession(*conn_, who_, in).message(), HasSubstr("note"));
  in.note = "";
  in.started = "2024-01-09";
  EXPECT_EQ(RecordCoachingSession(*conn_, who_, in).code(), StatusCode::kNotFound);
  EXPECT_EQ(Dump(), before);
  in.started = "2024-01-08";
  SHEWHART_ASSERT_OK(RecordCoachingSession(*conn_, who_, in));
  in.date = "2024-03-04";
  in.minutes = 90;
  SHEWHART_ASSERT_OK(RecordCoachingSession(*conn_, who_, in));
  // Fay's coaching of Dan (ended 2023-09-30): a session in 2023-04 is before the 12 months.
  SHEWHART_ASSERT_OK(RecordCoachingSession(
      *conn_, who_,
      {.coach = "fay@nhs.net", .coachee = "dan@rbb.nhs.uk", .started = "2022-09-01",
       .date = "2023-04-03", .minutes = 30}));
  EXPECT_DOUBLE_EQ(ValueOrDie(CapabilityOn(*conn_, "", "2024-05-01")).coaching_hours, 2.5);
  // On 2024-02-15 the 12 months reach back past 2023-04-03: Fay's 30 minutes count too.
  EXPECT_DOUBLE_EQ(ValueOrDie(CapabilityOn(*conn_, "", "2024-02-15")).coaching_hours, 1.5);
  EXPECT_DOUBLE_EQ(ValueOrDie(CapabilityOn(*conn_, "RBB", "2024-05-01")).coaching_hours, 0.0);
  EXPECT_EQ(ValueOrDie(ListCoachingSessions(*conn_, "ben@raa.nhs.uk")).size(), 2u);
}

TEST_P(ProgrammeTest, CommunitiesOfPracticeAndTheProjectsTheyLead) {
  LoadDocExample();
  SHEWHART_ASSERT_OK(CreateCommunity(*conn_, who_,
                                     {.code = "QI-CoP", .title = "QI community", .purpose = "",
                                      .lead = "ana@raa.nhs.uk", .launched = "2023-01-01"})
                         .status());
  EXPECT_EQ(CreateCommunity(*conn_, who_, {.code = "qi-cop", .title = "Again", .purpose = "",
                                           .lead = "", .launched = "2023-01-01"})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  SHEWHART_ASSERT_OK(JoinCommunity(*conn_, who_, "qi-cop", "ben@raa.nhs.uk", "2024-01-10"));
  const std::string before = Dump();
  MeetingInput m{.community = "qi-cop", .date = "2024-03-20", .kind = "sharing",
                 .title = "Sharing event", .agenda = "Three teams", .shared = "Falls run chart",
                 .attendees = {"ana@raa.nhs.uk", "nobody@raa.nhs.uk"}};
  EXPECT_EQ(RecordMeeting(*conn_, who_, m).status().code(), StatusCode::kInvalidArgument);
  m.attendees = {"ana@raa.nhs.uk", "ben@raa.nhs.uk"};
  m.kind = "party";
  EXPECT_THAT(RecordMeeting(*conn_, who_, m).status().message(), HasSubstr("kind"));
  m.kind = "sharing";
  m.shared = "NHS number 943 476 5919";
  EXPECT_THAT(RecordMeeting(*conn_, who_, m).status().message(), HasSubstr("shared"));
  EXPECT_EQ(Dump(), before);
  m.shared = "Falls run chart";
  SHEWHART_ASSERT_OK(RecordMeeting(*conn_, who_, m).status());
  SHEWHART_ASSERT_OK(AddCommunityProject(
      *conn_, who_,
      {.community = "qi-cop", .title = "Huddles", .lead = "ben@raa.nhs.uk", .started = "2024-02-01"}));
  SHEWHART_ASSERT_OK(AddCommunityProject(*conn_, who_,
                                         {.community = "qi-cop", .title = "Done",
                                          .lead = "ben@raa.nhs.uk", .started = "2023-02-01",
                                          .status = "completed"}));
  const std::vector<Community> list = ValueOrDie(ListCommunities(*conn_));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].members.size(), 2u);
  ASSERT_EQ(list[0].meetings.size(), 1u);
  EXPECT_EQ(list[0].meetings[0].attendees.size(), 2u);
  EXPECT_EQ(list[0].meetings[0].shared, "Falls run chart");
  EXPECT_EQ(list[0].projects.size(), 2u);
  // One active community project: led by the community, counted for RAA (Ben's organisation).
  const Dashboard d = ValueOrDie(CapabilityOn(*conn_, "", "2024-05-01"));
  EXPECT_EQ(d.projects_led_by_community, 1);
  ASSERT_TRUE(d.self_sustainability.parts.back().value.has_value());
  EXPECT_DOUBLE_EQ(*d.self_sustainability.parts.back().value, 1.0);
  EXPECT_EQ(ValueOrDie(CapabilityOn(*conn_, "RBB", "2024-05-01")).projects_led_by_community, 0);
  EXPECT_EQ(ValueOrDie(CapabilityOn(*conn_, "", "2024-01-31")).projects_led_by_community, 0);
}

TEST_P(ProgrammeTest, TheProgrammePlan) {
  LoadDocExample();
  const std::string before = Dump();
  Milestone bad{0, "party", "Launch", "2024-06-01", "Ana", "done", ""};
  EXPECT_THAT(SaveMilestone(*conn_, who_, bad).status().message(), HasSubstr("stage"));
  bad.stage = "launch_cop";
  bad.status = "finished";
  EXPECT_THAT(SaveMilestone(*conn_, who_, bad).status().message(), HasSubstr("status"));
  bad.status = "done";
  bad.owner = "";
  EXPECT_THAT(SaveMilestone(*conn_, who_, bad).status().message(), HasSubstr("owner"));
  EXPECT_EQ(Dump(), before);
  const int64_t evaluate = ValueOrDie(SaveMilestone(
      *conn_, who_, {0, "evaluate", "Evaluate", "2024-09-30", "Analyst", "not_started", ""}));
  ValueOrDie(SaveMilestone(*conn_, who_,
                           {0, "convene", "Convene", "2022-04-30", "Director", "done", ""}));
  std::vector<Milestone> plan = ValueOrDie(ListMilestones(*conn_));
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].stage, "convene");  // in the order of the stages
  EXPECT_EQ(plan[0].done_on, "2024-05-01");
  ValueOrDie(SaveMilestone(*conn_, who_,
                           {evaluate, "evaluate", "Evaluate", "2024-09-30", "Analyst",
                            "in_progress", ""}));
  plan = ValueOrDie(ListMilestones(*conn_));
  EXPECT_EQ(plan[1].status, "in_progress");
}

TEST_P(ProgrammeTest, QuestionnairesRefuseBadAnswersAndCompareRounds) {
  LoadDocExample();
  // The seeded instruments.
  const std::vector<Questionnaire> all = ValueOrDie(ListQuestionnaires(*conn_));
  std::set<std::string> codes;
  for (const Questionnaire& q : all) codes.insert(q.code);
  EXPECT_EQ(codes, (std::set<std::string>{"HF-READINESS", "LONDON-BASELINE", "NHS-IMPACT",
                                          "POST-TRAINING"}));
  const Questionnaire impact = ValueOrDie(GetQuestionnaire(*conn_, "NHS-IMPACT"));
  std::vector<std::string> components;
  for (const Question& q : impact.questions) {
    if (!q.component.empty()) components.push_back(q.component);
  }
  EXPECT_EQ(components, (std::vector<std::string>{
                            "Building a shared purpose and vision",
                            "Investing in people and culture", "Developing leadership behaviours",
                            "Building improvement capability and capacity",
                            "Embedding improvement into management systems and processes"}));
  const Questionnaire hf = ValueOrDie(GetQuestionnaire(*conn_, "hf-readiness"));
  std::set<std::string> elements;
  for (const Question& q : hf.questions) {
    if (!q.component.empty()) elements.insert(q.component);
  }
  EXPECT_EQ(elements, (std::set<std::string>{"Leadership and governance",
                                             "Infrastructure and resources", "Skills and workforce",
                                             "Culture and environment"}));

  auto impact_answers = [](int a, int b, int c, int d, int e) {
    return std::vector<std::pair<std::string, std::string>>{{"C1", std::to_string(a)},
                                                            {"C2", std::to_string(b)},
                                                            {"C3", std::to_string(c)},
                                                            {"C4", std::to_string(d)},
                                                            {"C5", std::to_string(e)}};
  };
  // Bad input: clear errors naming the question; nothing written.
  const std::string before = Dump();
  ResponseInput in{.questionnaire = "NHS-IMPACT", .organisation = "RAA", .round = "2023",
                   .answers = impact_answers(2, 2, 6, 2, 2)};
  Status s = SubmitResponse(*conn_, who_, in).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("question C3"));
  EXPECT_THAT(s.message(), HasSubstr("outside its scale 1 to 5"));
  in.answers = impact_answers(2, 2, 2, 2, 2);
  in.answers.push_back({"EVIDENCE", "see the notes of patient 943 476 5919"});
  s = SubmitResponse(*conn_, who_, in).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("question EVIDENCE"));
  EXPECT_THAT(s.message(), HasSubstr("NHS number"));
  in.answers = impact_answers(2, 2, 2, 2, 2);
  in.answers.pop_back();
  EXPECT_THAT(SubmitResponse(*conn_, who_, in).status().message(),
              HasSubstr("question C5"));  // required, missing
  in.answers = impact_answers(2, 2, 2, 2, 2);
  in.answers.push_back({"C9", "1"});
  EXPECT_THAT(SubmitResponse(*conn_, who_, in).status().message(), HasSubstr("C9"));
  in.answers = impact_answers(2, 2, 2, 2, 2);
  in.round = "last year";
  EXPECT_THAT(SubmitResponse(*conn_, who_, in).status().message(), HasSubstr("round"));
  in.round = "2023";
  ResponseInput hf_bad{.questionnaire = "HF-READINESS", .organisation = "RAA", .round = "2023",
                       .answers = {{"STEP", "Dancing"}}};
  EXPECT_THAT(SubmitResponse(*conn_, who_, hf_bad).status().message(),
              HasSubstr("question STEP"));
  EXPECT_EQ(Dump(), before);

  // Two rounds for RAA, one for RBB; RAA answers 2023 twice (the second replaces the first).
  in.answers = impact_answers(1, 1, 1, 1, 1);
  ValueOrDie(SubmitResponse(*conn_, who_, in));
  in.answers = impact_answers(2, 1, 3, 2, 1);
  ValueOrDie(SubmitResponse(*conn_, who_, in));
  in.round = "2024";
  in.answers = impact_answers(4, 3, 3, 2, 2);
  in.answers.push_back({"EVIDENCE", "Board minutes, March"});
  ValueOrDie(SubmitResponse(*conn_, who_, in));
  ResponseInput rbb{.questionnaire = "NHS-IMPACT", .organisation = "RBB", .round = "2024",
                    .answers = impact_answers(2, 5, 1, 4, 3)};
  ValueOrDie(SubmitResponse(*conn_, who_, rbb));
  ResponseInput rcc{.questionnaire = "NHS-IMPACT", .organisation = "RCC", .round = "2024",
                    .answers = impact_answers(3, 4, 2, 3, 3)};
  ValueOrDie(SubmitResponse(*conn_, who_, rcc));
  const Comparison c = ValueOrDie(CompareRound(*conn_, "NHS-IMPACT", ""));
  EXPECT_EQ(c.round, "2024");
  EXPECT_EQ(c.rounds, (std::vector<std::string>{"2023", "2024"}));
  ASSERT_EQ(c.components.size(), 5u);
  ASSERT_EQ(c.organisations.size(), 3u);
  const OrgResult& raa = c.organisations[0];
  EXPECT_EQ(raa.organisation, "RAA");
  EXPECT_EQ(raa.previous_round, "2023");
  // RAA 2024 minus RAA 2023 (the second answer): 4-2, 3-1, 3-3, 2-2, 2-1.
  const double expected_change[] = {2, 2, 0, 0, 1};
  for (size_t k = 0; k < 5; ++k) {
    ASSERT_TRUE(raa.change[k].has_value());
    EXPECT_DOUBLE_EQ(*raa.change[k], expected_change[k]);
  }
  EXPECT_EQ(c.organisations[1].previous_round, "");
  EXPECT_FALSE(c.organisations[1].change[0].has_value());
  // The spread in 2024 of C1: RAA 4, RBB 2, RCC 3 -> 2, 3, 4; of C2: 3, 5, 4 -> 3, 4, 5.
  EXPECT_EQ(c.spread[0].n, 3);
  EXPECT_DOUBLE_EQ(*c.spread[0].min, 2);
  EXPECT_DOUBLE_EQ(*c.spread[0].median, 3);
  EXPECT_DOUBLE_EQ(*c.spread[0].max, 4);
  EXPECT_DOUBLE_EQ(*c.spread[1].median, 4);
  // One organisation and the units below it.
  EXPECT_EQ(ValueOrDie(CompareRound(*conn_, "NHS-IMPACT", "2023", "RAA")).organisations.size(),
            1u);
  EXPECT_EQ(ValueOrDie(access::ListAudit(*conn_, 1, std::nullopt))[0].action,
            "assessment.submit");

  // The builder: a new version keeps the old one.
  Questionnaire mine{.code = "NHS-IMPACT", .title = "NHS IMPACT (local)", .purpose = "impact"};
  mine.questions = impact.questions;
  mine.questions.pop_back();
  EXPECT_EQ(ValueOrDie(SaveQuestionnaire(*conn_, who_, mine)), 2);
  EXPECT_EQ(ValueOrDie(GetQuestionnaire(*conn_, "NHS-IMPACT", 1)).questions.size(), 6u);
  EXPECT_EQ(ValueOrDie(GetQuestionnaire(*conn_, "NHS-IMPACT")).questions.size(), 5u);
  Questionnaire broken{.code = "X", .title = "X", .purpose = "other"};
  broken.questions = {{"Q1", "", "How?", "scale", 5, 1, {}, true}};
  EXPECT_THAT(SaveQuestionnaire(*conn_, who_, broken).status().message(), HasSubstr("Q1"));
  broken.questions = {{"Q1", "", "Which?", "choice", std::nullopt, std::nullopt, {"One"}, true}};
  EXPECT_THAT(SaveQuestionnaire(*conn_, who_, broken).status().message(), HasSubstr("two"));
}

TEST_P(ProgrammeTest, TheMeasuresAreMonthlySeriesInTheDictionary) {
  // Every capability import refreshes the measures in its own commit: they are current at once.
  LoadDocExample();
  const auto written = ValueOrDie(conn_->QueryRow(
      "SELECT COUNT(*) FROM observation o JOIN metric m ON m.id = o.metric_id WHERE m.code LIKE "
      "'CAP\\_%' ESCAPE '\\'"));
  EXPECT_GT(written->Int(0), 0);
  const MeasuresReport r = ValueOrDie(RefreshCapabilityMeasures(*conn_, "test", who_.at));
  // From June 2022 (Fay's Learn course) to February 2024 (Dan's Live course): 21 months.
  EXPECT_EQ(r.months, 21);
  EXPECT_EQ(r.observations, 0);  // nothing left to write
  auto value = [&](std::string_view metric, std::string_view unit, std::string_view period) {
    const auto row = ValueOrDie(conn_->QueryRow(
        "SELECT o.value FROM observation o JOIN metric m ON m.id = o.metric_id JOIN unit u ON "
        "u.id = o.unit_id WHERE m.code = ? AND u.code = ? AND o.period = ?",
        {std::string(metric), std::string(unit), std::string(period)}));
    return row ? row->OptionalDouble(0) : std::nullopt;
  };
  // RAA at the end of February 2024: Ana Lead, Ben Live, Cara Learn.
  EXPECT_EQ(value("CAP_LEARN", "RAA", "2024-02-01"), 1.0);
  EXPECT_EQ(value("CAP_LIVE", "RAA", "2024-02-01"), 1.0);
  EXPECT_EQ(value("CAP_LEAD", "RAA", "2024-02-01"), 1.0);
  // Attending in the month: RBB in February 2024 (Dan), the system in September 2023 (Cara, Dan).
  EXPECT_EQ(value("CAP_ATTENDED", "RBB", "2024-02-01"), 1.0);
  EXPECT_EQ(value("CAP_ATTENDED", "SYS", "2023-09-01"), 2.0);
  ASSERT_TRUE(value("CAP_SSI", "SYS", "2024-02-01").has_value());
  // The same again writes nothing.
  EXPECT_EQ(ValueOrDie(RefreshCapabilityMeasures(*conn_, "test", who_.at)).observations, 0);
  const auto metric = ValueOrDie(conn_->QueryRow(
      "SELECT COUNT(*) FROM metric WHERE code LIKE 'CAP\\_%' ESCAPE '\\'"));
  EXPECT_EQ(metric->Int(0), 7);
}

// With the improvement part's tables (its demo runs first), the capability demo registers every
// project team member as a person of the project's organisation, so the two stories agree.
TEST_P(ProgrammeTest, TheDemoRegistersImprovementTeams) {
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
  MakeImprovementTables(*conn_);
  const int64_t rzb =
      ValueOrDie(conn_->QueryRow("SELECT id FROM unit WHERE code = 'RZB'"))->Int(0);
  SHEWHART_ASSERT_OK(conn_->Execute(
      "INSERT INTO improvement_project (unit_id, title, lead_email, status, started) VALUES "
      "(?, 'Falls', 'Nia.Jones@brackleyvale.nhs.uk', 'active', '2023-05-01')",
      {rzb}));
  SHEWHART_ASSERT_OK(conn_->Execute(
      "INSERT INTO improvement_team_member (project_id, email, role) VALUES "
      "(1, 'Nia.Jones@brackleyvale.nhs.uk', 'lead'), (1, 'tom.reed@brackleyvale.nhs.uk', "
      "'member'), (1, 'someone@gmail.com', 'patient_partner')"));
  SHEWHART_ASSERT_OK(
      conn_->Execute("INSERT INTO improvement_pdsa (project_id, started) VALUES (1, '2023-06-01')"));
  SHEWHART_ASSERT_OK(FillDemo(*conn_, "demo", "2024-05-01T10:00:00Z"));
  const PersonTier nia =
      ValueOrDie(GetPersonTier(*conn_, "nia.jones@brackleyvale.nhs.uk", "2024-03-31"));
  EXPECT_EQ(nia.person.name, "Nia Jones");
  EXPECT_EQ(nia.person.organisation, "RZB");
  EXPECT_EQ(TierWord(nia.decision.tier), "live");
  EXPECT_EQ(
      ValueOrDie(GetPersonTier(*conn_, "tom.reed@brackleyvale.nhs.uk", "2024-03-31")).person.name,
      "Tom Reed");
  // A personal address is not registered (staff only, by work email).
  EXPECT_EQ(GetPersonTier(*conn_, "someone@gmail.com", "2024-03-31").status().code(),
            StatusCode::kNotFound);
  // The project counts: led by a member of the community.
  EXPECT_GE(ValueOrDie(CapabilityOn(*conn_, "RZB", "2024-03-31")).projects_led_by_community, 1);
}

INSTANTIATE_STORAGE_TEST(ProgrammeTest);

}  // namespace
}  // namespace shewhart::capability
