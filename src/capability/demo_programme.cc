// The capability demo, second half: the running of NWS's programme on top of the people, courses,
// attendance and coaching that demo.cc loaded — training events for every session held (waves
// and coach cohorts named; external faculty until the system's own Lead people teach), coaching
// sessions in each relationship, two communities of practice (the system's QI community from June
// 2022, a primary care network from March 2023) with meetings, sharing events and projects, the
// programme plan, two rounds of the readiness and NHS IMPACT self-assessments for the eleven
// partners, a baseline questionnaire and evaluations after Learn sessions. Fixed seed; written
// through the services (same checks and audit) except the events and sessions, inserted as data.
#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "access/audit.h"
#include "base/date.h"
#include "capability/people.h"
#include "capability/programme.h"
#include "capability/questionnaires.h"
#include "capability/tiers.h"

namespace shewhart::capability {
namespace {

constexpr uint64_t kSeed = 20220615;
constexpr std::string_view kEnd = "2024-03-31";  // the demo story's last day

constexpr const char* kPartnerCodes[] = {"RZA",   "RZB",   "RZC",   "RZD",   "RZE",  "E06000901",
                                         "NZH01", "NZP01", "NZP02", "NZV01", "NZI01"};

std::string WaveOf(std::string_view course, std::string_view date) {
  const std::string month(date.substr(0, 7));
  if (course == "LLL-P1" || course == "LLL-P2") {
    static const std::map<std::string, std::string> waves = {
        {"2022-10", "Wave 1"}, {"2022-12", "Wave 1"}, {"2023-04", "Wave 2"},
        {"2023-06", "Wave 2"}, {"2023-10", "Wave 3"}, {"2023-12", "Wave 3"}};
    auto it = waves.find(month);
    return it == waves.end() ? "" : it->second;
  }
  if (course == "LLL-C1") return month == "2023-01" ? "Coach cohort 1" : "Coach cohort 2";
  return "";
}

std::string AddMonthsIso(std::string_view iso, int months, int day) {
  const CivilDate c = CivilFromDays(*ParseIsoDate(iso));
  const int total = c.year * 12 + (c.month - 1) + months;
  return FormatIsoDate(DaysFromCivil(total / 12, total % 12 + 1, day));
}

}  // namespace

Status FillProgrammeDemo(db::Connection& conn, std::string_view actor, std::string_view at) {
  std::mt19937_64 rng(kSeed);
  std::uniform_real_distribution<double> u(0, 1);
  const access::Acting who{.actor = std::string(actor), .at = std::string(at)};

  // Events: one per course and date held.
  struct Held {
    int64_t course_id = 0;
    std::string code, date;
    int64_t attendees = 0;
    std::vector<int64_t> trainers;
  };
  std::map<std::pair<std::string, std::string>, Held> held;
  RETURN_IF_ERROR(conn.Query(
      "SELECT a.course_id, c.code, a.held_on, a.role, a.person_id FROM capability_attendance a "
      "JOIN capability_course c ON c.id = a.course_id ORDER BY a.held_on, c.code, a.person_id",
      {}, [&](const db::Row& r) {
        Held& h = held[{r.Text(2), r.Text(1)}];
        h.course_id = r.Int(0);
        h.code = r.Text(1);
        h.date = r.Text(2);
        if (r.Text(3) == "trainer") {
          h.trainers.push_back(r.Int(4));
        } else {
          ++h.attendees;
        }
        return db::Flow::kContinue;
      }));
  std::map<std::string, int64_t> event_ids;  // code|date -> id
  int venue = 0;
  for (const auto& [key, h] : held) {
    const bool online = h.code == "LLL-L1" || h.code == "LLL-P2";
    const int64_t base = h.code[4] == 'L' ? 30 : h.code[4] == 'P' ? 24 : 16;
    const int64_t capacity = std::max<int64_t>(base, h.attendees + 2);
    constexpr const char* kVenues[] = {"Postgraduate centre, Avonford General Hospital",
                                       "Education centre, Brackley Vale", "Castleton town hall"};
    const std::string place = online ? "" : kVenues[venue++ % 3];
    ASSIGN_OR_RETURN(int64_t id,
                     conn.ExecuteReturningId(
                         "INSERT INTO capability_event (course_id, held_on, title, place, online, "
                         "capacity, wave, cohort, created_by, created_at) VALUES (?, ?, (SELECT "
                         "title FROM capability_course WHERE id = ?), ?, ?, ?, ?, ?, ?, ?) "
                         "RETURNING id",
                         {h.course_id, h.date, h.course_id, place, online ? 1 : 0, capacity,
                          WaveOf(h.code, h.date),
                          WaveOf(h.code, h.date).empty() ? "" : WaveOf(h.code, h.date) + " cohort",
                          std::string(actor), std::string(at)}));
    event_ids[h.code + "|" + h.date] = id;
    if (h.trainers.empty()) {
      RETURN_IF_ERROR(conn.Execute(
          "INSERT INTO capability_event_trainer (event_id, external_name) VALUES (?, ?)",
          {id, "Improvement faculty (external)"}));
    }
    for (int64_t t : h.trainers) {
      RETURN_IF_ERROR(conn.Execute(
          "INSERT INTO capability_event_trainer (event_id, person_id) VALUES (?, ?)", {id, t}));
    }
  }

  // Coaching sessions: about monthly, from the month after the start to the end.
  std::vector<std::vector<db::Value>> sessions;
  ASSIGN_OR_RETURN(std::vector<db::Row> relationships,
                   conn.QueryAll("SELECT id, started, ended FROM capability_coaching ORDER BY id"));
  for (const db::Row& r : relationships) {
    const std::string last = r.Text(2).empty() ? std::string(kEnd) : r.Text(2);
    for (int m = 0; m < 30; ++m) {
      const std::string day = AddMonthsIso(r.Text(1), m, 1 + static_cast<int>(rng() % 27));
      if (day < r.Text(1)) continue;
      if (day > last) break;
      if (u(rng) < 0.25) continue;
      const int64_t minutes = m == 0 ? 90 : (u(rng) < 0.7 ? 60 : 45);
      sessions.push_back({r.Int(0), day, minutes, "", std::string(actor), std::string(at)});
    }
  }
  constexpr std::string_view kSessionColumns[] = {"coaching_id", "held_on",     "minutes",
                                                  "note",        "recorded_by", "recorded_at"};
  RETURN_IF_ERROR(conn.BulkInsert("capability_coaching_session", kSessionColumns, sessions));

  // Communities of practice: members are the people at Live or Lead, from the day they got there.
  ASSIGN_OR_RETURN(Register reg, LoadRegister(conn));
  struct Member {
    std::string email, since;
    bool practice = false, lead = false;
  };
  std::vector<Member> community, primary;
  for (size_t i = 0; i < reg.people.size(); ++i) {
    const TierDecision d = DecideTier(reg.evidence[i], reg.overrides[i], kEnd);
    if (d.tier < Tier::kLive) continue;
    const bool practice = reg.people[i].organisation.rfind("N99", 0) == 0;
    Member m{reg.people[i].email, d.since, practice, d.tier == Tier::kLead};
    (practice ? primary : community).push_back(m);
  }
  auto by_since = [](const Member& a, const Member& b) {
    return a.since != b.since ? a.since < b.since : a.email < b.email;
  };
  std::sort(community.begin(), community.end(), by_since);
  std::sort(primary.begin(), primary.end(), by_since);
  struct Cop {
    std::string code, title, purpose, launched;
    std::vector<Member>* members;
    int every;  // months between meetings
  };
  std::string first_lead;
  for (const Member& m : community) {
    if (m.lead) {
      first_lead = m.email;
      break;
    }
  }
  const Cop cops[] = {
      {"nws-qi-community", "North West Surrey QI community of practice",
       "Everyone applying or leading QI across the eleven partners: monthly huddles, quarterly "
       "sharing events, coaching matched here.",
       "2022-06-15", &community, 1},
      {"primary-care-qi", "Primary care QI network",
       "QI in the 40 general practices: practice teams share tests of change and data.",
       "2023-03-01", &primary, 2},
  };
  constexpr const char* kShared[] = {
      "Falls: the ward's run chart after six PDSA cycles; what the night staff changed",
      "Discharge before noon: the board round script and its measures",
      "Sepsis screening: the audit tool shared with two more wards",
      "Practice access: the telephone demand and capacity chart",
      "Medicines reconciliation: the pharmacy technician pilot",
      "Pressure ulcers: the SSKIN bundle adapted for community teams"};
  constexpr const char* kProjectTitles[] = {
      "Reducing falls on older people's wards", "Discharge before noon", "Sepsis screening in ED",
      "Medicines reconciliation at admission", "Practice appointment access",
      "Pressure ulcer prevention in the community", "Handover in the ambulance service",
      "Repeat prescribing requests in general practice"};
  int project_title = 0;
  for (const Cop& c : cops) {
    if (c.members->empty()) continue;
    std::string lead = c.code == "nws-qi-community" && !first_lead.empty()
                           ? first_lead
                           : c.members->front().email;
    RETURN_IF_ERROR(
        CreateCommunity(conn, who, {c.code, c.title, c.purpose, lead, c.launched}).status());
    for (const Member& m : *c.members) {
      if (m.email == lead) continue;
      RETURN_IF_ERROR(
          JoinCommunity(conn, who, c.code, m.email, std::max(m.since, c.launched)));
    }
    int n = 0;
    for (std::string day = AddMonthsIso(c.launched, 1, 20); day <= kEnd;
         day = AddMonthsIso(day, c.every, 20), ++n) {
      MeetingInput in;
      in.community = c.code;
      in.date = day;
      const bool sharing = n % 3 == 2;
      in.kind = sharing ? "sharing" : "meeting";
      in.title = sharing ? "Sharing event: " + std::string(kShared[n % std::size(kShared)]).substr(
                                                   0, std::string(kShared[n % std::size(kShared)])
                                                          .find(':'))
                         : "Community huddle";
      in.agenda = sharing ? "Welcome; three teams share their work; questions; what we will try "
                            "next"
                          : "Round of projects; a measurement clinic; coaching matches";
      if (sharing) in.shared = kShared[n % std::size(kShared)];
      for (const Member& m : *c.members) {
        if (m.since <= day && u(rng) < 0.4) in.attendees.push_back(m.email);
      }
      if (std::find(in.attendees.begin(), in.attendees.end(), lead) == in.attendees.end()) {
        in.attendees.push_back(lead);
      }
      RETURN_IF_ERROR(RecordMeeting(conn, who, in).status());
    }
    const int projects = c.code == "nws-qi-community" ? 5 : 3;
    for (int k = 0; k < projects; ++k) {
      const Member& m = (*c.members)[(k * 7 + 3) % c.members->size()];
      CommunityProjectInput p;
      p.community = c.code;
      p.title = kProjectTitles[project_title++ % std::size(kProjectTitles)];
      p.lead = m.email;
      p.started = std::max(m.since, AddMonthsIso(c.launched, 2 + 3 * k, 1));
      if (p.started > kEnd) p.started = std::string(kEnd);
      p.status = k == 0 ? "completed" : "active";
      RETURN_IF_ERROR(AddCommunityProject(conn, who, p));
    }
  }

  // The programme plan (NWS's time line).
  const Milestone plan[] = {
      {0, "convene", "Convene the eleven partners and agree the Learn-Live-Lead approach",
       "2022-04-30", "ICS director of quality", "done", "2022-04-22"},
      {0, "design_learn", "Design the Learn tier: introduction online and fundamentals half day",
       "2022-05-31", "QI faculty lead", "done", "2022-05-27"},
      {0, "launch_cop", "Launch the QI community of practice", "2022-06-15",
       "Community of practice lead", "done", "2022-06-15"},
      {0, "recruit", "Recruit the Wave 1 cohorts from Learn graduates", "2022-09-30",
       "Programme manager", "done", "2022-09-23"},
      {0, "run", "Run Waves 1 to 3 of the practitioner programme and two coach cohorts",
       "2024-03-31", "Programme manager", "done", "2024-03-28"},
      {0, "celebrate", "Celebration and sharing event for all three waves", "2024-03-20",
       "Community of practice lead", "done", "2024-03-20"},
      {0, "evaluate", "Evaluate the programme: tiers, attendance, projects, self-sustainability",
       "2024-06-30", "Head of improvement analytics", "in_progress", ""},
  };
  for (const Milestone& m : plan) RETURN_IF_ERROR(SaveMilestone(conn, who, m).status());

  // Self-assessments of the eleven partners: readiness 2022 and 2024, NHS IMPACT 2023 and 2024,
  // the baseline of QI approaches 2022. Each partner improves by its own amount.
  const std::vector<std::string> hf = {"LG1", "LG2", "IR1", "IR2", "SW1", "SW2", "CE1", "CE2"};
  const std::vector<std::string> steps = {"Assessing readiness", "Securing board support",
                                          "Building wider buy-in and a shared vision",
                                          "Developing skills and infrastructure",
                                          "Aligning improvement activity",
                                          "Sustaining the approach"};
  for (const char* org : kPartnerCodes) {
    ASSIGN_OR_RETURN(std::optional<db::Row> unit,
                     conn.QueryRow("SELECT id FROM unit WHERE code = ?", {std::string(org)}));
    if (!unit) continue;
    const int base = 1 + static_cast<int>(rng() % 3);
    const int gain = static_cast<int>(rng() % 3);
    for (int round = 0; round < 2; ++round) {
      ResponseInput in{.questionnaire = "HF-READINESS",
                       .organisation = org,
                       .round = round == 0 ? "2022" : "2024"};
      for (const std::string& q : hf) {
        const int v = std::clamp(base + round * gain + static_cast<int>(rng() % 2), 1, 5);
        in.answers.push_back({q, std::to_string(v)});
      }
      in.answers.push_back({"STEP", steps[std::min<size_t>(base - 1 + round * 2, 5)]});
      RETURN_IF_ERROR(SubmitResponse(conn, who, in).status());
      ResponseInput impact{.questionnaire = "NHS-IMPACT",
                           .organisation = org,
                           .round = round == 0 ? "2023" : "2024"};
      for (int c = 1; c <= 5; ++c) {
        const int v = std::clamp(base + round * std::max(1, gain) - static_cast<int>(rng() % 2),
                                 1, 5);
        impact.answers.push_back({"C" + std::to_string(c), std::to_string(v)});
      }
      RETURN_IF_ERROR(SubmitResponse(conn, who, impact).status());
    }
    ResponseInput baseline{.questionnaire = "LONDON-BASELINE", .organisation = org,
                           .round = "2022"};
    constexpr const char* kMethods[] = {"QSIR", "Model for Improvement (IHI)", "Lean"};
    baseline.answers = {{"METHOD", kMethods[rng() % 3]},
                        {"EXEC", u(rng) < 0.9 ? "Yes" : "No"},
                        {"BOARD", u(rng) < 0.6 ? "Quarterly" : "Twice a year"},
                        {"WTE", std::to_string(rng() % 8)},
                        {"TRAINED_LEARN", std::to_string(2 + rng() % 10)},
                        {"TRAINED_LIVE", std::to_string(rng() % 3)},
                        {"TRAINED_LEAD", "0"},
                        {"INDUCTION", u(rng) < 0.4 ? "Yes" : "No"},
                        {"DATABASE", u(rng) < 0.5 ? "Life QI" : "Spreadsheet"},
                        {"COACHES", std::to_string(rng() % 5)},
                        {"PATIENTS", u(rng) < 0.3 ? "Yes" : "No"}};
    RETURN_IF_ERROR(SubmitResponse(conn, who, baseline).status());
  }

  // Evaluations after Learn sessions: about a third of attendees answer.
  ASSIGN_OR_RETURN(
      std::vector<db::Row> attendees,
      conn.QueryAll("SELECT p.email, u.code, c.code, a.held_on FROM capability_attendance a JOIN "
                    "capability_person p ON p.id = a.person_id JOIN unit u ON u.id = p.unit_id "
                    "JOIN capability_course c ON c.id = a.course_id WHERE a.attended = 'yes' AND "
                    "a.role = 'attendee' AND c.tier = 'learn' ORDER BY a.held_on, p.email"));
  for (const db::Row& r : attendees) {
    if (u(rng) > 0.33) continue;
    auto it = event_ids.find(r.Text(2) + "|" + r.Text(3));
    if (it == event_ids.end()) continue;
    const int before = 1 + static_cast<int>(rng() % 3);
    ResponseInput in{.questionnaire = "POST-TRAINING",
                     .organisation = r.Text(1),
                     .round = r.Text(3).substr(0, 4),
                     .event_id = it->second,
                     .person = r.Text(0)};
    in.answers = {{"RATING", std::to_string(3 + rng() % 3)},
                  {"CONF_BEFORE", std::to_string(before)},
                  {"CONF_AFTER", std::to_string(std::min(5, before + 1 + static_cast<int>(rng() % 2)))},
                  {"APPLY", u(rng) < 0.75 ? "Yes" : "Not sure"}};
    RETURN_IF_ERROR(SubmitResponse(conn, who, in).status());
  }
  return Status::Ok();
}

}  // namespace shewhart::capability
