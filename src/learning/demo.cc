// The demo system's year of learning (April 2023 - March 2024, the last year of the intelligence
// demo): lessons drawn from the demo's incidents of moderate harm or worse and from audits that
// were not met, shared named, anonymised or kept within the organisation; the responses of the
// other trusts (the spread); a Learning from Incidents forum across the acute trusts with the
// community and ambulance trusts, monthly meetings with the cases discussed, a thematic review of
// deteriorating patients with agreed learning points and each organisation's action; sharing
// events; co-designed lessons that engage some of the system's population segments. Fixed seed.
#include <map>

#include "base/date.h"
#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "learning/forums.h"
#include "learning/lessons.h"
#include "learning/part.h"

namespace shewhart::learning {
namespace {

class Rng {  // a fixed-seed linear congruential generator: the same demo every time
 public:
  double Uniform() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state_ >> 11) / static_cast<double>(1ULL << 53);
  }
  int Below(int n) { return static_cast<int>(Uniform() * n); }

 private:
  uint64_t state_ = 14;
};

struct ThemeText {
  const char* category;
  const char* theme;
  const char* definition;
  const char* titles[3];
  const char* summary;
  const char* points[2];
};

constexpr ThemeText kThemes[] = {
    {"Falls",
     "falls",
     "Learning theme: patient falls in hospital, community and care homes.",
     {"Falls: lying and standing blood pressure on admission",
      "Falls: a falls champion on every ward", "Falls: safe footwear and call bells in reach"},
     "After a fall with harm, the review found the multifactorial risk assessment was not "
     "completed within 24 hours of admission. Wards that check lying and standing blood pressure "
     "and medicines that raise the risk of falling saw fewer repeat falls.",
     {"Complete the falls risk assessment within 24 hours", "Review medicines after every fall"}},
    {"Medication",
     "medication safety",
     "Learning theme: errors in prescribing, giving and "
     "monitoring medicines.",
     {"Medication: second checks for insulin", "Medication: omitted time-critical doses",
      "Medication: anticoagulant doses on transfer"},
     "Time-critical medicines were omitted when patients moved between wards. A red tabard "
     "during the medicines round and a transfer checklist reduced interruptions and omissions.",
     {"Flag time-critical medicines at handover", "Use the transfer checklist"}},
    {"Pressure ulcer",
     "pressure ulcers",
     "Learning theme: pressure damage acquired in care.",
     {"Pressure ulcers: SSKIN bundle at night", "Pressure ulcers: heel offloading in theatres",
      "Pressure ulcers: repositioning charts that are used"},
     "Category 3 pressure ulcers developed in patients whose repositioning was not recorded "
     "overnight. The SSKIN bundle, checked at the safety huddle, made gaps visible.",
     {"Check the SSKIN bundle at every huddle", "Offload heels in theatre"}},
    {"Diagnosis and assessment",
     "deteriorating patient",
     "Learning theme: recognising and responding to patients whose condition worsens.",
     {"Deteriorating patient: escalate a NEWS2 of 5 within the hour",
      "Deteriorating patient: sepsis screening at triage",
      "Deteriorating patient: outreach calls at night"},
     "A rising early warning score was recorded but not escalated overnight. Calling the outreach "
     "team for any NEWS2 of 5 or more, and recording the call, brought review within the hour.",
     {"Escalate NEWS2 of 5 or more within the hour", "Record who was called and when"}},
    {"Treatment and procedure",
     "deteriorating patient",
     "Learning theme: recognising and responding to patients whose condition worsens.",
     {"Deteriorating patient: observations after procedures",
      "Deteriorating patient: handover of sick patients",
      "Deteriorating patient: family concerns heard (Martha's rule)"},
     "After a procedure, observations were not repeated at the frequency set. Families raised "
     "concerns that were not acted on; a call-for-concern line now reaches the outreach team.",
     {"Repeat observations at the frequency set", "Act on family concerns (Martha's rule)"}},
    {"Discharge and transfer",
     "discharge",
     "Learning theme: safe discharge and transfer of care.",
     {"Discharge: medicines reconciliation before leaving",
      "Discharge: care home handover by phone", "Discharge: equipment in place at home"},
     "Patients were discharged to care homes without a verbal handover. A phone call from the "
     "nurse in charge, with the discharge letter sent the same day, closed the gap.",
     {"Phone the receiving care home", "Send the discharge letter the same day"}},
    {"Infection",
     "infection prevention",
     "Learning theme: preventing healthcare-associated "
     "infection.",
     {"Infection: line care bundles", "Infection: isolation decisions at the front door",
      "Infection: hand hygiene audits by patients"},
     "Line infections followed gaps in daily line reviews. Patients and carers were invited to "
     "ask staff about hand hygiene and line care.",
     {"Review every line daily", "Invite patients to ask about hand hygiene"}},
};

// Population segments of the demo system (made with its directory, src/demo) that co-designed
// lessons engage; the others show in the digest as not yet engaged.
constexpr const char* kEngagedSegments[] = {"SEG-IMD1", "SEG-IMD5", "SEG-CYP", "SEG-LD"};

constexpr const char* kForumMembers[] = {"RZA", "RZB", "RZC", "RZE"};
constexpr const char* kResponders[] = {"RZA", "RZB", "RZC", "RZD", "RZE"};
constexpr const char* kResponses[] = {"adopted", "adapted", "reviewing", "not_applicable",
                                      "adopted"};

const ThemeText* ThemeOf(std::string_view category) {
  for (const ThemeText& t : kThemes) {
    if (t.category == category) return &t;
  }
  return nullptr;
}

}  // namespace

Status FillDemo(db::Connection& conn, std::string_view actor, std::string_view at) {
  ASSIGN_OR_RETURN(directory::Directory dir, directory::Directory::Load(conn));
  const directory::Unit* rza = dir.FindByCode("RZA");
  if (rza == nullptr) return Status::Ok();  // not the demo system
  const access::Acting who{.actor = std::string(actor), .at = std::string(at)};
  access::Scope all;
  all.all = true;
  Rng rng;

  // The shared taxonomy: the themes, agreed in the glossary.
  std::map<std::string, bool> defined;
  for (const ThemeText& t : kThemes) {
    if (defined[t.theme]) continue;
    defined[t.theme] = true;
    RETURN_IF_ERROR(dictionary::DefineTerm(conn, t.theme, t.definition, "agreed", who).status());
  }

  // Lessons from incidents of moderate harm or worse, about two a month per acute trust.
  struct Source {
    int64_t id;
    std::string org, occurred, category, harm;
  };
  std::vector<Source> incidents;
  RETURN_IF_ERROR(conn.Query(
      "SELECT i.id, u.code, i.occurred, i.category, i.harm FROM incident i JOIN unit u ON u.id = "
      "i.unit_id WHERE i.harm IN ('moderate', 'severe', 'fatal') AND i.occurred >= '2023-03-01' "
      "AND i.occurred <= '2024-03-15' AND u.code IN ('RZA', 'RZB', 'RZC', 'RZE') "
      "ORDER BY i.occurred, i.id",
      {}, [&](const db::Row& r) {
        incidents.push_back({r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4)});
        return db::Flow::kContinue;
      }));
  std::map<std::string, int> per_month;
  std::map<std::string, int> used_title;
  std::vector<std::pair<int64_t, std::string>> shared;  // lesson id, learned_on
  std::vector<int64_t> deteriorating_incidents;
  int n = 0;
  for (const Source& s : incidents) {
    const ThemeText* t = ThemeOf(s.category);
    if (t == nullptr) continue;
    const std::optional<Date> occurred = ParseIsoDate(s.occurred);
    if (!occurred) continue;
    if (std::string_view(t->theme) == "deteriorating patient")
      deteriorating_incidents.push_back(s.id);
    const std::string learned = FormatIsoDate(*occurred + 21 + rng.Below(20));
    if (learned < "2023-04-01" || learned > "2024-03-31") continue;
    const std::string key = s.org + learned.substr(0, 7);
    // The deteriorating-patient theme is the forum's review: keep every one of those.
    if (per_month[key] >= 2 && std::string_view(t->theme) != "deteriorating patient") continue;
    ++per_month[key];
    const int which = used_title[t->category]++ % 3;
    const double u = rng.Uniform();
    const std::string share = u < 0.5 ? "named" : u < 0.85 ? "anonymised" : "organisation_only";
    NewLesson l{.title = t->titles[which],
                .summary = t->summary,
                .organisation = s.org,
                .themes = {t->theme},
                .share = share,
                .source_kind = "incident",
                .source_id = s.id,
                .rapid_learning_points = {t->points[0], t->points[1]},
                .learned_on = learned};
    if (std::string_view(t->category) == "Falls") l.metrics = {"FALLS"};
    if (++n % 4 == 0) {
      l.co_design = true;
      l.populations = {kEngagedSegments[n / 4 % 4]};
      l.summary += " Patients and carers helped design the change.";
    }
    Result<int64_t> id = CreateLesson(conn, who, all, l);
    if (!id.ok() && l.metrics.size() == 1) {  // the demo dictionary may lack FALLS
      l.metrics.clear();
      id = CreateLesson(conn, who, all, l);
    }
    RETURN_IF_ERROR(id.status());
    if (share != "organisation_only") shared.emplace_back(*id, learned);
  }
  // Lessons from audits whose standard was not met.
  std::vector<std::tuple<int64_t, std::string, std::string, std::string>> audits;
  RETURN_IF_ERROR(conn.Query(
      "SELECT a.id, u.code, a.audit, a.audit_date FROM clinical_audit a JOIN unit u ON u.id = "
      "a.unit_id WHERE a.met IN ('not_met', 'partly_met') AND a.audit_date >= '2023-04-01' "
      "AND a.audit_date <= '2024-03-31' ORDER BY a.audit_date, a.id",
      {}, [&](const db::Row& r) {
        if (audits.size() < 6) audits.emplace_back(r.Int(0), r.Text(1), r.Text(2), r.Text(3));
        return db::Flow::kContinue;
      }));
  for (const auto& [id, org, audit, date] : audits) {
    ASSIGN_OR_RETURN(int64_t lesson,
                     CreateLesson(conn, who, all,
                                  {.title = "Audit: " + audit + " - what closed the gap",
                                   .summary = "The re-audit showed the standard met once the "
                                              "checklist was built into the electronic record.",
                                   .organisation = org,
                                   .themes = {"audit", "documentation"},
                                   .share = "named",
                                   .source_kind = "audit",
                                   .source_id = id,
                                   .rapid_learning_points = {"Build the standard into the record"},
                                   .learned_on = date}));
    shared.emplace_back(lesson, date);
  }
  // The spread: other trusts review and adopt.
  for (const auto& [lesson, learned] : shared) {
    ASSIGN_OR_RETURN(Lesson l, GetLesson(conn, all, lesson));
    const std::optional<Date> d = ParseIsoDate(learned);
    for (const char* org : kResponders) {
      if (l.organisation == org || rng.Uniform() < 0.45) continue;
      const std::string when = FormatIsoDate(*d + 7 + rng.Below(60));
      if (when > "2024-03-31") continue;
      const std::string response = kResponses[rng.Below(5)];
      NewResponse r{.organisation = org, .response = response, .date = when};
      if (response == "adopted" || response == "adapted") {
        r.project = std::string(org) + " QI project: " + l.themes.front();
        r.action = "Shared at the " + std::string(org) + " quality and safety group";
      }
      RETURN_IF_ERROR(RecordResponse(conn, who, all, lesson, r).status());
    }
  }

  // The Learning from Incidents forum.
  ASSIGN_OR_RETURN(
      int64_t forum,
      CreateForum(
          conn, who,
          {.name = "Learning from Incidents",
           .description = "Quality and safety leads of the system's trusts share learning "
                          "from serious incidents and never events openly, and agree rapid "
                          "learning points applied consistently across the trusts.",
           .members = {kForumMembers[0], kForumMembers[1], kForumMembers[2], kForumMembers[3]}}));
  for (int m = 0; m < 12; ++m) {
    const int month = 4 + m;
    const std::string held = (month <= 12 ? "2023-" : "2024-") +
                             std::string(((month - 1) % 12 + 1) < 10 ? "0" : "") +
                             std::to_string((month - 1) % 12 + 1) + "-14";
    NewMeeting meeting{.held_on = held,
                       .title = "Learning from Incidents, " + held.substr(0, 7),
                       .notes = "Cases presented by the trusts; rapid learning points agreed."};
    for (const Source& s : incidents) {
      if (s.occurred.substr(0, 7) < FormatIsoDate(*ParseIsoDate(held) - 45).substr(0, 7) ||
          s.occurred >= held || (s.harm != "severe" && s.harm != "fatal")) {
        continue;
      }
      if (meeting.cases.size() >= 3) break;
      meeting.cases.push_back(
          {.kind = "incident",
           .id = s.id,
           .organisation = s.org,
           .summary = s.category + " incident, " + s.harm + " harm, " + "presented by its trust"});
    }
    RETURN_IF_ERROR(AddMeeting(conn, who, forum, meeting).status());
  }
  NewReview review{
      .theme = "deteriorating patient",
      .title = "Deteriorating patients across the trusts",
      .summary =
          "The forum grouped the incidents and lessons of the year in which a patient's "
          "deterioration was recognised or acted on late, across the acute, community and "
          "ambulance trusts.",
      .learning_points = {"One escalation standard: NEWS2 of 5 or more reviewed within the hour",
                          "Families' concerns reach the outreach team (Martha's rule)",
                          "Observations repeated at the frequency set after procedures"}};
  for (size_t i = 0; i < deteriorating_incidents.size() && review.items.size() < 8; ++i) {
    review.items.push_back({.kind = "incident",
                            .id = deteriorating_incidents[i],
                            .summary = "Late recognition of deterioration"});
  }
  ASSIGN_OR_RETURN(int64_t rid, CreateReview(conn, who, forum, review));
  const char* actions[][2] = {
      {"RZA", "NEWS2 escalation standard in every adult ward; audit monthly"},
      {"RZB", "Outreach team extended to nights"},
      {"RZC", "Community teams use NEWS2 in patients' homes"},
      {"RZE", "Crews pass NEWS2 and the time of the call at handover"}};
  for (const auto& [org, text] : actions) {
    RETURN_IF_ERROR(
        AddAction(
            conn, who, all, rid,
            {.organisation = org, .action = text, .status = "in_progress", .due = "2024-06-30"})
            .status());
  }
  RETURN_IF_ERROR(CreateEvent(conn, who,
                              {.forum_id = forum,
                               .title = "Learning from Incidents, April 2024",
                               .description = "The forum's monthly meeting: cases, the "
                                              "deteriorating patient review, actions.",
                               .location = "Avonford Hospital, Education Centre, and online",
                               .starts_at = "2024-04-11T10:00",
                               .ends_at = "2024-04-11T12:30"})
                      .status());
  RETURN_IF_ERROR(CreateEvent(conn, who,
                              {.title = "System learning event: one year of shared lessons",
                               .description = "Teams from every partner share what they learned "
                                              "and adopted; patient partners co-present.",
                               .location = "Castleton Civic Centre",
                               .starts_at = "2024-05-16T09:30",
                               .ends_at = "2024-05-16T16:00"})
                      .status());
  return Status::Ok();
}

}  // namespace shewhart::learning
