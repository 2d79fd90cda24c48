// The demo portfolio on the generated system (North Wessex, QNW): three programmes with logic
// models and milestones, 30 projects at every stage with driver diagrams, PDSA ramps, measures on
// system series and co-design involvement, and a RESTORE2 roll-out across every CQC-registered
// care home in Trafford (care_homes.inc, from data/cqc_care_homes_trafford.csv).
//
// What is true in the data: the demo observations (demo/demo.cc kShifts) hold a real step in
// FALLS at RZA from April 2022 (a falls bundle) and in FFT_IP at RZC from October 2021 (discharge
// conversations). The projects that claim them logged their first PDSA cycles before those steps,
// so their measured impact is real; two projects claim FALLS at RZA, so the portfolio shows the
// unit-periods counted once. Every other outcome measure sits on a series without a step, and
// its impact is honestly zero.
#include <random>
#include <string>
#include <vector>

#include "base/date.h"
#include "directory/directory.h"
#include "improvement/part.h"
#include "improvement/programmes.h"
#include "improvement/projects.h"

namespace shewhart::improvement {
namespace {

struct CareHome {
  const char* cqc_id;
  const char* name;
  const char* type;
};
constexpr CareHome kCareHomes[] = {
#include "improvement/care_homes.inc"
};

struct Theme {
  const char* metric;
  const char* aim;
  const char* primary[2];
  const char* secondary[4];  // two under each primary
  const char* ideas[3];      // under the first, second and third secondary
};

// clang-format off
const Theme kThemes[] = {
  {"FALLS", "Reduce inpatient falls per 1,000 bed days by 30% by March 2023 for adults on our wards",
   {"Patients at risk are known", "The ward environment is safe"},
   {"Risk assessed on admission", "Risk reviewed after any change", "Call bells and aids in reach", "Enhanced observation when needed"},
   {"Falls risk bundle on admission", "Lying and standing blood pressure", "Bay nursing at night"}},
  {"FFT_IP", "Raise the share of inpatients who would recommend us from 88% to 92% by March 2022",
   {"Patients know what happens next", "Staff have time to listen"},
   {"Discharge planned from day one", "Information in plain words", "Protected time for conversations", "Feedback acted on weekly"},
   {"'What matters to you' conversation", "Discharge leaflet co-written with patients", "You said, we did board"}},
  {"PU_CAT2", "Halve category 2+ pressure ulcers acquired in our care by December 2023",
   {"Skin checked and recorded", "Pressure relieved"},
   {"SSKIN bundle on admission", "Daily skin inspection", "Repositioning charts", "Right mattress within 4 hours"},
   {"SSKIN bundle training", "Red tray for at-risk patients", "Mattress request fast-track"}},
  {"DC_NOON", "Discharge a third of patients before noon by June 2023",
   {"Discharges planned the day before", "Medicines ready early"},
   {"Criteria-led discharge", "Board rounds by 9:30", "Pharmacy slots in the morning", "Transport booked a day ahead"},
   {"Criteria-led discharge on two wards", "Discharge lounge by 10:00", "TTOs written the evening before"}},
  {"SICKNESS", "Cut sickness absence to 4.5% by March 2024",
   {"Staff feel supported", "Absence managed early"},
   {"Wellbeing conversations", "Rotas agreed in advance", "Return-to-work interviews", "Occupational health fast-track"},
   {"Wellbeing champions", "Self-rostering pilot", "Musculoskeletal physio self-referral"}},
  {"MED_HARM", "Reduce medication incidents causing harm by 25% by December 2023",
   {"Right drug, right dose", "Interruptions reduced"},
   {"Insulin safety checks", "Allergy status recorded", "Do-not-disturb tabards", "Quiet medicine rooms"},
   {"Double-check for insulin", "Red tabard on drug rounds", "Allergy band audit"}},
  {"CARE_PLAN", "Every person on the caseload has a care plan reviewed in 12 months by March 2024",
   {"Reviews scheduled", "People take part"},
   {"Review dates on the caseload list", "Reminders a month ahead", "Plans written with the person", "Carers invited"},
   {"Caseload review huddle", "Text reminders", "Care plan in the person's words"}},
  {"AMB_CAT2", "Bring the category 2 mean response under 30 minutes by winter 2023",
   {"Crews released quickly at hospitals", "Calls triaged to the right response"},
   {"Handover within 30 minutes", "Cohorting at the front door", "Clinical validation of calls", "Falls response car"},
   {"Handover cohort area", "Clinical hub validation", "Falls response car pilot"}},
};
// clang-format on

struct DemoProject {
  const char* title;
  const char* org;
  int theme;       // index into kThemes
  int programme;   // 0, 1, 2 or -1
  const char* status;
  const char* started;
  const char* first_pdsa;  // "" = no cycles yet
  int cycles;
  bool outcome;  // the theme metric at the project's organisation is its outcome measure
  int involvement;  // 0 none, 1..4 the level
};

// clang-format off
const DemoProject kProjects[] = {
  {"Fewer falls on Avonford's wards", "RZA", 0, 0, "sustaining", "2021-10-01", "2022-01-10", 7, true, 3},
  {"Safer nights: falls huddles", "RZA", 0, 0, "active", "2022-01-15", "2022-02-14", 4, true, 2},
  {"What matters to you: discharge conversations", "RZC", 1, 0, "completed", "2021-05-01", "2021-07-05", 6, true, 4},
  {"Falls prevention at Brackley Vale", "RZB", 0, 0, "active", "2023-01-09", "2023-02-06", 3, true, 1},
  {"Pressure ulcers: SSKIN for every patient", "RZA", 2, 0, "active", "2022-09-01", "2022-10-03", 5, true, 2},
  {"Community pressure care", "RZC", 2, 0, "sustaining", "2022-03-01", "2022-04-04", 6, true, 0},
  {"Insulin safety", "RZA", 5, 0, "active", "2023-03-01", "2023-04-03", 3, true, 0},
  {"Medicines rounds without interruption", "RZD", 5, 0, "abandoned", "2022-05-01", "2022-06-06", 2, true, 0},
  {"Home for lunch", "RZA", 3, 1, "active", "2022-11-01", "2022-11-28", 5, true, 1},
  {"Criteria-led discharge", "RZB", 3, 1, "sustaining", "2022-02-01", "2022-03-07", 6, true, 0},
  {"Community discharge before noon", "RZC", 3, 1, "planning", "2024-01-08", "", 0, true, 0},
  {"Handover in 30 minutes", "RZE", 7, 1, "active", "2022-10-03", "2022-11-07", 4, true, 0},
  {"Falls response car", "RZE", 7, 1, "completed", "2021-11-01", "2021-12-06", 5, true, 0},
  {"Caseload care plans", "RZC", 6, 1, "active", "2023-04-03", "2023-05-02", 3, true, 3},
  {"Care plans in the person's words", "RZD", 6, 1, "active", "2023-02-01", "2023-03-06", 4, true, 4},
  {"Wellbeing champions", "RZA", 4, 2, "active", "2022-06-01", "2022-07-04", 4, true, 0},
  {"Self-rostering pilot", "RZB", 4, 2, "completed", "2021-09-01", "2021-10-04", 5, true, 0},
  {"Physio self-referral for staff", "RZD", 4, 2, "active", "2022-12-01", "2023-01-09", 3, true, 0},
  {"Return to work well", "RZC", 4, 2, "planning", "2024-02-05", "", 0, true, 0},
  {"Healthy rotas", "RZE", 4, 2, "abandoned", "2022-04-04", "2022-05-03", 1, true, 0},
  {"You said, we did", "RZA", 1, -1, "active", "2023-05-02", "2023-06-05", 3, true, 2},
  {"Plain words discharge leaflet", "RZB", 1, -1, "completed", "2022-01-04", "2022-02-07", 4, true, 4},
  {"Ward 7 falls: bay nursing", "RZA", 0, 0, "planning", "2024-02-01", "", 0, false, 0},
  {"Lying and standing BP", "RZD", 0, 0, "active", "2023-06-01", "2023-07-03", 2, true, 0},
  {"Mattress fast-track", "RZB", 2, 0, "planning", "2024-03-01", "", 0, false, 0},
  {"Allergy status on every chart", "RZB", 5, 0, "active", "2023-08-01", "2023-09-04", 2, true, 0},
  {"Discharge lounge by ten", "RZA", 3, 1, "active", "2023-09-01", "2023-10-02", 2, true, 0},
  {"Clinical hub validation", "RZE", 7, 1, "planning", "2024-03-04", "", 0, false, 0},
  {"Carers in care planning", "RZD", 6, 1, "planning", "2024-01-15", "", 0, false, 2},
  {"Wellbeing conversations", "RZB", 4, 2, "active", "2023-10-02", "2023-11-06", 2, true, 1},
};
// clang-format on

constexpr const char* kFirst[] = {"amira", "ben", "chloe", "daniel", "efua", "farah", "george",
                                  "hannah", "imran", "jess", "kwame", "laura", "mohammed", "nia",
                                  "oliver", "priya", "rhys", "sophie", "tom", "uzma"};
constexpr const char* kLast[] = {"adams", "begum", "clarke", "davies", "evans", "fischer", "green",
                                 "hussain", "iqbal", "jones", "khan", "lewis", "morgan", "nowak",
                                 "owen", "patel", "quinn", "roberts", "singh", "taylor"};

std::string Domain(std::string_view org) {
  if (org == "RZA") return "avonford.nhs.uk";
  if (org == "RZB") return "brackleyvale.nhs.uk";
  if (org == "RZC") return "nwessexcommunity.nhs.uk";
  if (org == "RZD") return "wessexpartnership.nhs.uk";
  if (org == "RZE") return "swcas.nhs.uk";
  return "nhs.net";
}

std::string AddDays(std::string_view day, int days) {
  return FormatIsoDate(*ParseIsoDate(day) + days);
}

constexpr std::string_view kLevels[] = {"", "inform", "consult", "involve", "co-produce"};

// The populations (directory segments of the demo system) a theme's projects serve. Children and
// young people, people with a learning disability and the least deprived fifth are served by no
// project: the portfolio's blind spots, shown on its page.
std::vector<std::string> PopulationsOf(int theme, int involvement) {
  switch (theme) {
    case 0: case 2: case 3: return {"SEG-FRAIL"};          // falls, pressure ulcers, discharge
    case 6: return {"SEG-FRAIL", "SEG-IMD1"};              // community care plans
    case 7: return {"SEG-IMD1"};                           // ambulance response
    case 1: return involvement >= 3 ? std::vector<std::string>{"SEG-EM"}
                                    : std::vector<std::string>{};  // experience, co-produced
    default: return {};
  }
}

}  // namespace

Status FillDemo(db::Connection& conn, std::string_view actor, std::string_view at) {
  std::mt19937_64 rng(1212);
  const access::Acting who{.actor = std::string(actor), .at = std::string(at)};
  const Writer writer{.email = "", .scope = {.all = true}};
  auto person = [&](std::string_view org) {
    const std::string first = kFirst[rng() % std::size(kFirst)];
    const std::string last = kLast[rng() % std::size(kLast)];
    return first + "." + last + "@" + Domain(org);
  };

  // Programmes with logic models and milestones.
  struct ProgrammeSpec {
    const char* title;
    const char* purpose;
    std::vector<NewLogicItem> logic;
    std::vector<NewMilestone> milestones;
  };
  const ProgrammeSpec kProgrammes[] = {
      {"Safer care",
       "Fewer avoidable harms across the system's wards and community teams: falls, pressure "
       "ulcers and medication harm, tracked on the system's own charts.",
       {{"input", "Two QI coaches and a harm-free care lead; ward time for huddles", "", ""},
        {"activity", "Falls, pressure ulcer and medicines projects on the Model for Improvement", "", ""},
        {"output", "Wards running the falls bundle; staff trained in SSKIN", "", ""},
        {"outcome", "Fewer inpatient falls at Avonford", "FALLS", "RZA"},
        {"outcome", "Fewer falls across the system", "FALLS", "QNW"},
        {"outcome", "Fewer pressure ulcers in community care", "PU_CAT2", "RZC"},
        {"impact", "People leave our care without avoidable harm", "", ""}},
       {{"Falls bundle on every Avonford ward", "2022-06-30", "2022-06-14"},
        {"SSKIN training complete", "2023-03-31", "2023-04-20"},
        {"Harm-free care report to the ICB board", "2024-06-30", ""}}},
      {"Flow and discharge",
       "Timely discharge and ambulance handover: patients home sooner, crews back on the road.",
       {{"input", "Discharge coordinators; an improvement analyst", "", ""},
        {"activity", "Criteria-led discharge, discharge lounge, handover cohorting", "", ""},
        {"output", "Wards using criteria-led discharge", "", ""},
        {"outcome", "More discharges before noon at Avonford", "DC_NOON", "RZA"},
        {"outcome", "Shorter category 2 response times", "AMB_CAT2", "RZE"},
        {"impact", "People spend less time waiting in hospital and for an ambulance", "", ""}},
       {{"Criteria-led discharge on two wards", "2022-06-30", "2022-07-01"},
        {"Handover cohort area open", "2023-01-31", "2023-02-15"},
        {"Spread to all acute wards", "2024-09-30", ""}}},
      {"Workforce wellbeing",
       "Healthier staff: less sickness absence, better rotas and quicker help.",
       {{"input", "Wellbeing champions' time; occupational health capacity", "", ""},
        {"activity", "Wellbeing conversations, self-rostering, physio self-referral", "", ""},
        {"output", "Champions on every ward", "", ""},
        {"outcome", "Lower sickness absence across the system", "SICKNESS", "QNW"},
        {"impact", "A workforce that stays and thrives", "", ""}},
       {{"Champions recruited", "2022-09-30", "2022-09-12"},
        {"Self-rostering evaluated", "2023-06-30", "2023-07-10"}}},
  };
  std::vector<int64_t> programme_ids;
  for (const ProgrammeSpec& p : kProgrammes) {
    ASSIGN_OR_RETURN(int64_t id,
                     CreateProgramme(conn, who, writer,
                                     {.title = p.title, .purpose = p.purpose, .organisation = "QNW",
                                      .lead = person("QNW"), .started = "2021-04-01",
                                      .ends = "2025-03-31"}));
    for (const NewLogicItem& l : p.logic) {
      RETURN_IF_ERROR(AddLogicItem(conn, who, writer, id, l).status());
    }
    for (const NewMilestone& m : p.milestones) {
      RETURN_IF_ERROR(AddMilestone(conn, who, writer, id, m).status());
    }
    programme_ids.push_back(id);
  }

  // Projects.
  for (const DemoProject& d : kProjects) {
    const Theme& t = kThemes[d.theme];
    NewProject np{.title = d.title, .aim = t.aim, .organisation = d.org, .lead = person(d.org),
                  .started = d.started};
    np.status = d.status;
    np.problem = "Our data show the problem has been stable for years: a system, not a blip.";
    np.population = d.theme == 4 ? "Staff" : d.theme == 6 ? "Adults on community caseloads"
                                                          : "Adults in our care";
    if (d.programme >= 0) np.programme_id = programme_ids[d.programme];
    for (const std::string& code : PopulationsOf(d.theme, d.involvement)) {
      ASSIGN_OR_RETURN(std::optional<int64_t> segment, directory::FindUnitId(conn, code));
      if (segment) np.populations.push_back(code);  // a directory without segments: none
    }
    np.team.push_back({person(d.org), "sponsor", d.org});
    np.team.push_back({person(d.org), "member", d.org});
    np.team.push_back({person(d.org), "member", d.org});
    if (rng() % 2 == 0) np.team.push_back({person("RZA"), "coach", "RZA"});
    if (d.involvement >= 3) np.team.push_back({person("NZV01"), "patient_partner", "NZV01"});
    ASSIGN_OR_RETURN(int64_t id, CreateProject(conn, who, writer, np));
    // Driver diagram.
    std::vector<int64_t> primaries, secondaries, ideas;
    for (const char* p : t.primary) {
      ASSIGN_OR_RETURN(int64_t pid, AddDriver(conn, who, writer, id, {"primary", p, std::nullopt}));
      primaries.push_back(pid);
    }
    for (int s = 0; s < 4; ++s) {
      ASSIGN_OR_RETURN(int64_t sid, AddDriver(conn, who, writer, id,
                                              {"secondary", t.secondary[s], primaries[s / 2]}));
      secondaries.push_back(sid);
    }
    for (int c = 0; c < 3; ++c) {
      ASSIGN_OR_RETURN(int64_t cid, AddDriver(conn, who, writer, id,
                                              {"change_idea", t.ideas[c], secondaries[c]}));
      ideas.push_back(cid);
    }
    // Measures: the theme metric at the organisation (the system's series) as the outcome; a
    // project-local process measure; a balancing measure.
    if (d.outcome) {
      RETURN_IF_ERROR(AddMeasure(conn, who, writer, id,
                                 {.kind = "outcome", .metric = t.metric, .unit = d.org})
                          .status());
    }
    RETURN_IF_ERROR(AddMeasure(conn, who, writer, id,
                               {.kind = "process",
                                .title = std::string("Reliability of: ") + t.ideas[0],
                                .definition = "Share of eligible patients for whom the change was "
                                              "done, from a weekly sample of 10 records."})
                        .status());
    if (d.theme == 3) {
      RETURN_IF_ERROR(AddMeasure(conn, who, writer, id,
                                 {.kind = "balancing", .metric = "READMIT30", .unit = d.org})
                          .status());
    }
    // PDSA ramps: cycles alternate over the change ideas, a month or so apart. The project's lead
    // records them (their notes on the system's charts name the lead, as the screens would).
    const access::Acting lead{.actor = "user:" + np.lead, .at = who.at};
    std::string day = d.first_pdsa;
    for (int c = 0; c < d.cycles; ++c) {
      const int idea = c < 3 ? 0 : (c % 2 == 0 ? 1 : 0);
      const std::string idea_text = t.ideas[idea];
      ASSIGN_OR_RETURN(int64_t cid,
                       AddPdsa(conn, lead, writer, id,
                               {.change_idea = std::to_string(ideas[idea]),
                                .plan = "Test '" + idea_text + "' " +
                                        (c == 0 ? "with one nurse on one shift" : c == 1 ? "on one ward for a week" : "on more wards for a month"),
                                .prediction = c == 0 ? "It will take under five minutes and staff will find it useful"
                                                     : "Reliability above 80% within the test",
                                .started = day}));
      const bool last = c + 1 == d.cycles;
      if (!last || std::string_view(d.status) == "completed" ||
          std::string_view(d.status) == "sustaining" || std::string_view(d.status) == "abandoned") {
        const std::string act = std::string_view(d.status) == "abandoned" && last ? "abandon"
                                : c < 2                                          ? "adapt"
                                                                                 : "adopt";
        RETURN_IF_ERROR(UpdatePdsa(conn, lead, writer, id, cid,
                                   {.do_note = std::string("Carried out as planned"),
                                    .study = std::string(c < 2 ? "Slower than predicted; staff suggested changes"
                                                               : "As predicted: reliability 85-95%"),
                                    .act = act,
                                    .ended = AddDays(day, 21)}));
      }
      day = AddDays(day, 28 + static_cast<int>(rng() % 14));
    }
    if (d.involvement > 0) {
      RETURN_IF_ERROR(AddInvolvement(conn, who, writer, id,
                                     {.who = d.involvement >= 3 ? "Two patient partners and a carer"
                                                                : "Patients on the ward (survey)",
                                      .level = std::string(kLevels[d.involvement]),
                                      .date = AddDays(d.started, 20)})
                          .status());
    }
    // The team's own score (Life QI style): the evidence decides what is suggested.
    ASSIGN_OR_RETURN(Progress progress, GetProgress(conn, id));
    double score = progress.suggested;
    std::string reason;
    if (std::string_view(d.status) == "completed" && score < 4.0) {
      score = std::min(5.0, score + 0.5);
      reason = "Staff survey and audit show the change is in use everywhere";
    }
    RETURN_IF_ERROR(SetScore(conn, who, writer, id, score, reason));
  }

  // RESTORE2 across every care home in Trafford: training from early 2022, live a month or two
  // later, sustained after six months; a few have not started.
  NewRollout r{.title = "RESTORE2 in Trafford's care homes",
               .intervention = "RESTORE2: recognising and responding to deterioration (soft signs, NEWS2, SBARD)",
               .metric = "FALLS",
               .programme_id = programme_ids[0],
               .started = "2021-12-01"};
  for (const CareHome& h : kCareHomes) r.sites.push_back({h.cqc_id, h.name, ""});
  ASSIGN_OR_RETURN(int64_t rollout, CreateRollout(conn, who, writer, r));
  for (const CareHome& h : kCareHomes) {
    const uint64_t roll = rng() % 100;
    if (roll < 8) continue;  // not started
    const Date training = DaysFromCivil(2022, 1, 10) + static_cast<Date>(rng() % 480);
    RETURN_IF_ERROR(SetSiteStage(conn, who, writer, rollout, h.cqc_id, "training",
                                 FormatIsoDate(training)));
    if (roll < 20) continue;  // still training
    const Date live = training + 30 + static_cast<Date>(rng() % 45);
    RETURN_IF_ERROR(SetSiteStage(conn, who, writer, rollout, h.cqc_id, "live", FormatIsoDate(live)));
    if (roll < 55) continue;
    RETURN_IF_ERROR(SetSiteStage(conn, who, writer, rollout, h.cqc_id, "sustained",
                                 FormatIsoDate(live + 183)));
  }
  return Status::Ok();
}

}  // namespace shewhart::improvement
