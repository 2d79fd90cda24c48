// The demo system's follow-up story (April 2023 - March 2024, the last year of its data): the
// people who own concerns and risks (accounts nobody can sign in to: their passwords are random),
// a dozen system risks, concerns raised from the intelligence stories of demo.cc with their
// follow-up conversations and actions, Brackley Vale under enhanced surveillance with its history,
// and a year of monthly Joint Intelligence Group meetings whose agendas are generated as they
// stood on each date. Everything goes through the services (validation, audit), each step dated
// when it happened. Fixed: no randomness beyond the seeded passwords' irrelevance.
#include <nlohmann/json.hpp>
#include <random>

#include "access/access.h"
#include "base/date.h"
#include "directory/directory.h"
#include "intelligence/follow_up.h"

namespace shewhart::intelligence {
namespace {

using nlohmann::json;

struct Person {
  const char* email;
  access::Role role;
  const char* org;
};
constexpr Person kPeople[] = {
    {"helen.carter@northwessex-icb.nhs.uk", access::Role::kSystemQualityLead, ""},
    {"raj.patel@northwessex-icb.nhs.uk", access::Role::kSystemQualityLead, ""},
    {"sarah.jones@avonford.nhs.uk", access::Role::kOrganisationQualityLead, "RZA"},
    {"tom.wright@brackleyvale.nhs.uk", access::Role::kOrganisationQualityLead, "RZB"},
    {"amina.okafor@swcas.nhs.uk", access::Role::kOrganisationQualityLead, "RZE"},
};
constexpr const char* kHelen = "helen.carter@northwessex-icb.nhs.uk";
constexpr const char* kRaj = "raj.patel@northwessex-icb.nhs.uk";
constexpr const char* kSarah = "sarah.jones@avonford.nhs.uk";
constexpr const char* kTom = "tom.wright@brackleyvale.nhs.uk";
constexpr const char* kAmina = "amina.okafor@swcas.nhs.uk";

struct Risk {
  const char* title;
  int c, l, tc, tl;
  const char* orgs;  // ';'
  const char* owner;
  const char* metrics;
  const char* controls;
  const char* review_by;
};
constexpr Risk kRisks[] = {
    {"Ambulance handover delays at Avonford put patients waiting outside at risk", 4, 4, 4, 2,
     "RZA;RZE", kAmina, "AMB_CAT2", "Handover cohort area; escalation calls at 45 minutes",
     "2024-04-30"},
    {"Inpatient falls with harm in older people's wards", 4, 3, 4, 1, "RZA;RZB", kSarah, "FALLS",
     "Falls bundle; lying and standing blood pressure; night-time intentional rounding",
     "2024-02-28"},
    {"Elective waits after the Brackley Vale theatre closure", 3, 5, 3, 2, "RZB", kTom, "RTT18",
     "Mutual aid from Avonford; weekend lists", "2024-05-31"},
    {"Registered nurse vacancies on medical wards across the system", 4, 4, 4, 2, "RZA;RZB;RZC",
     kRaj, "VACANCY", "International recruitment; retention programme", "2024-06-30"},
    {"Care home residents' families not kept informed of changes", 3, 3, 3, 1, "NZG01", kRaj, "",
     "Communication standard agreed with the care homes collaborative", "2024-04-15"},
    {"Physical health checks for people with psychosis below standard", 3, 4, 3, 2, "RZD", kHelen,
     "", "Physical health clinics in every community team", "2024-03-31"},
    {"Community mental health waits over 28 days", 3, 4, 3, 2, "RZD", kHelen, "CMHT_28D",
     "Single point of access triage", "2024-05-31"},
    {"Pressure ulcers acquired in community care", 3, 3, 3, 2, "RZC", kRaj, "PU_CAT2",
     "SSKIN training for care home staff", "2024-06-30"},
    {"Cancer treatment within 62 days below the standard", 4, 3, 4, 2, "RZA;RZB", kHelen,
     "CANCER62", "Tumour site recovery plans", "2024-04-30"},
    {"Infection prevention: hospital-onset C. difficile", 3, 2, 3, 1, "RZA;RZB", kRaj, "CDIFF",
     "Antimicrobial stewardship rounds", "2024-07-31"},
    {"Patients with no criteria to reside delaying flow", 3, 4, 3, 3, "RZA;RZB;E06000901", kHelen,
     "DISCH_DELAY", "Discharge to assess; daily system call", "2024-04-30"},
    {"Cyber attack disrupting clinical systems", 5, 2, 5, 1, "RZA;RZB;RZC;RZD;RZE", kRaj, "",
     "Offline business continuity plans; tested backups", "2024-09-30"},
};

json Codes(std::string_view list) {
  json out = json::array();
  size_t start = 0;
  while (start < list.size()) {
    size_t end = list.find(';', start);
    if (end == std::string_view::npos) end = list.size();
    out.push_back(std::string(list.substr(start, end - start)));
    start = end + 1;
  }
  return out;
}

access::Acting On(std::string_view actor, const std::string& date) {
  return {.actor = "demo:" + std::string(actor), .at = date + "T09:30:00Z", .remote = ""};
}

}  // namespace

Status FillFollowUpDemo(db::Connection& conn, std::string_view /*actor*/, std::string_view at) {
  ASSIGN_OR_RETURN(std::optional<int64_t> rza, directory::FindUnitId(conn, "RZA"));
  if (!rza) return Status::Ok();
  const access::Scope all{.all = true};
  // The owners: accounts with random passwords (seeded: the demo is the same every time).
  std::mt19937_64 rng(20230401);
  for (const Person& p : kPeople) {
    std::string password;
    for (int i = 0; i < 32; ++i) password += static_cast<char>('a' + rng() % 26);
    ASSIGN_OR_RETURN(std::optional<access::Account> a, access::FindAccount(conn, p.email));
    if (a) continue;
    RETURN_IF_ERROR(
        access::CreateAccount(conn, {p.email, p.role, p.org}, password, "demo", at).status());
  }
  // The risk register, as it was set up in April 2023.
  for (const Risk& r : kRisks) {
    json body = {{"title", r.title},        {"consequence", r.c},
                 {"likelihood", r.l},       {"target_consequence", r.tc},
                 {"target_likelihood", r.tl}, {"organisations", Codes(r.orgs)},
                 {"owner", r.owner},        {"controls", r.controls},
                 {"review_by", r.review_by}, {"last_reviewed", "2023-04-03"}};
    if (*r.metrics) body["metrics"] = Codes(r.metrics);
    RETURN_IF_ERROR(CreateRisk(conn, On(kRaj, "2023-04-03"), all, body.dump()).status());
  }
  auto jig = [&](const std::string& date) -> Result<int64_t> {
    json body = {{"group", "jig"},
                 {"held_on", date},
                 {"chair", kHelen},
                 {"members", {kHelen, kRaj, kSarah, kTom, kAmina}}};
    ASSIGN_OR_RETURN(std::string m, CreateMeeting(conn, On(kRaj, date), all, body.dump()));
    return json::parse(m)["id"].get<int64_t>();
  };
  // Minutes against the item whose ref starts with `ref` (or the first item of `kind`).
  auto minute = [&](int64_t meeting, const std::string& date, std::string_view ref,
                    const json& body) -> Status {
    ASSIGN_OR_RETURN(std::string m, GetMeeting(conn, all, "", meeting));
    const json item_doc = json::parse(m);
    for (const json& item : item_doc["agenda"]) {
      if (item["ref"].get<std::string>().rfind(ref, 0) == 0) {
        return UpdateAgendaItem(conn, On(kHelen, date), all, "", meeting,
                                item["id"].get<int64_t>(), body.dump())
            .status();
      }
    }
    return Status::Ok();
  };
  int64_t concern_theatre = 0, concern_falls = 0, concern_home = 0;
  const char* kDates[] = {"2023-04-13", "2023-05-11", "2023-06-08", "2023-07-13",
                          "2023-08-10", "2023-09-14", "2023-10-12", "2023-11-09",
                          "2023-12-14", "2024-01-11", "2024-02-08", "2024-03-14"};
  for (const char* date : kDates) {
    const std::string d = date;
    // What happened before the meeting.
    if (d == "2023-07-13") {
      ASSIGN_OR_RETURN(std::string c, CreateConcern(conn, On(kRaj, "2023-07-06"), all, json{
          {"title", "Long waits for surgery after the Brackley Vale theatre closure"},
          {"organisations", {"RZB"}}, {"owner", kTom}, {"metrics", {"RTT18"}},
          {"signals", json::array({{{"source", "spc"}, {"organisation", "RZB"}, {"metric", "RTT18"},
                                    {"reason", "Referral to treatment within 18 weeks: special cause of concern"},
                                    {"href", "/series/RTT18/RZB"}}})},
          {"review_by", "2023-09-14"}, {"opened_on", "2023-07-06"}}.dump()));
      concern_theatre = json::parse(c)["id"].get<int64_t>();
      RETURN_IF_ERROR(AddFollowUp(conn, On(kRaj, "2023-07-10"), all, concern_theatre, json{
          {"held_on", "2023-07-10"}, {"organisation", "RZB"},
          {"with_whom", "Chief Operating Officer and Director of Nursing, Brackley Vale"},
          {"role", "Executive leads"},
          {"asked", "Where do you stand against the best? What is your rate of improvement?"},
          {"heard", "Two of five theatres closed for ventilation works until December; 40% of "
                    "the waiting list is over 18 weeks"},
          {"agreed", "Mutual aid from Avonford for orthopaedics; clinical harm reviews for the "
                     "longest waiters"},
          {"assurance", "partially_assured"},
          {"actions", {{{"title", "Clinical harm review of patients waiting over 52 weeks"},
                        {"owner", kTom}, {"due", "2023-08-31"}},
                       {{"title", "Agree mutual aid for orthopaedic lists with Avonford"},
                        {"owner", kSarah}, {"due", "2023-08-15"}}}}}.dump()).status());
      RETURN_IF_ERROR(Escalate(conn, On(kHelen, d), all, "RZB", json{
          {"level", "enhanced"},
          {"reason", "Waits for surgery rising since the theatre closure; harm reviews needed"},
          {"step_down_criteria", "Theatres reopened and the share waiting under 18 weeks back "
                                 "within its previous limits for three months"},
          {"people_told", {"NHS England South West regional quality team", "CQC relationship owner"}},
          {"review_by", "2023-10-12"}, {"decided_on", d}, {"concern", concern_theatre}}.dump()).status());
    }
    if (d == "2023-09-14") {
      RETURN_IF_ERROR(Escalate(conn, On(kHelen, d), all, "RZB", json{
          {"level", "routine"},
          {"reason", "Harm reviews found no severe harm; mutual aid in place and the list "
                     "stopped growing"},
          {"people_told", {"NHS England South West regional quality team"}},
          {"decided_on", d}}.dump()).status());
      RETURN_IF_ERROR(MoveConcern(conn, On(kHelen, d), all, concern_theatre, json{
          {"status", "under_follow_up"}, {"reason", "Stepped down to routine; monitoring continues"},
          {"on", d}, {"review_by", "2023-12-14"}}.dump()).status());
    }
    if (d == "2023-10-12") {
      ASSIGN_OR_RETURN(std::string c, CreateConcern(conn, On(kRaj, "2023-09-25"), all, json{
          {"title", "Families not kept informed at Ashlands Manor Care Home"},
          {"organisations", {"1-3537785301"}}, {"owner", kRaj},
          {"signals", json::array({{{"source", "complaint"}, {"organisation", "1-3537785301"},
                                    {"reason", "Complaints about communication rising"}},
                                   {{"source", "note"}, {"organisation", "1-3537785301"},
                                    {"reason", "Healthwatch heard from several families"}}})},
          {"review_by", "2023-12-14"}, {"opened_on", "2023-09-25"}}.dump()));
      concern_home = json::parse(c)["id"].get<int64_t>();
      RETURN_IF_ERROR(AddFollowUp(conn, On(kRaj, "2023-10-04"), all, concern_home, json{
          {"held_on", "2023-10-04"}, {"organisation", "1-3537785301"},
          {"with_whom", "Registered manager, Ashlands Manor"}, {"role", "Registered manager"},
          {"asked", "How do you tell families about a change in their relative's condition?"},
          {"heard", "No written standard; agency staff on nights do not phone families"},
          {"agreed", "A communication standard and a log of calls to families"},
          {"assurance", "not_assured"},
          {"actions", {{{"title", "Write and adopt a standard for informing families"},
                        {"owner", kRaj}, {"due", "2023-11-30"}}}}}.dump()).status());
    }
    if (d == "2023-11-09") {
      RETURN_IF_ERROR(Escalate(conn, On(kHelen, d), all, "RZB", json{
          {"level", "enhanced"},
          {"reason", "CQC rated Brackley Vale requires improvement (October 2023), including "
                     "safe and well-led; waits still above the standard"},
          {"step_down_criteria", "CQC action plan delivered and evidenced at two successive "
                                 "meetings; the share waiting under 18 weeks improving for three months"},
          {"people_told", {"NHS England South West regional quality team", "CQC relationship owner",
                           "Brackley Vale board"}},
          {"review_by", "2024-02-08"}, {"decided_on", d}, {"concern", concern_theatre}}.dump()).status());
    }
    if (d == "2023-12-14") {
      ASSIGN_OR_RETURN(std::string c, CreateConcern(conn, On(kHelen, "2023-12-05"), all, json{
          {"title", "Falls with harm on Ward 7 (older people's medicine), Avonford"},
          {"organisations", {"RZA"}}, {"owner", kSarah}, {"metrics", {"FALLS"}},
          {"quality_domain", "safe"},
          {"signals", json::array({{{"source", "incident"}, {"organisation", "RZA"},
                                    {"reason", "Incidents with severe harm on Ward 7"}},
                                   {{"source", "note"}, {"organisation", "RZA"}, {"metric", "FALLS"},
                                    {"reason", "Staff report one registered nurse for 28 patients at night"}}})},
          {"review_by", "2024-02-08"}, {"opened_on", "2023-12-05"}}.dump()));
      concern_falls = json::parse(c)["id"].get<int64_t>();
    }
    if (d == "2024-01-11") {
      RETURN_IF_ERROR(AddFollowUp(conn, On(kHelen, "2024-01-09"), all, concern_falls, json{
          {"held_on", "2024-01-09"}, {"organisation", "RZA"},
          {"with_whom", "Chief Nurse and Ward 7 matron, Avonford"}, {"role", "Executive lead"},
          {"asked", "Do you know your rate of improvement on falls with harm? What is the "
                    "night staffing on Ward 7?"},
          {"heard", "Six falls a month since November, half with moderate or severe harm; "
                    "the falls bundle lapsed after staff changes"},
          {"agreed", "Relaunch the falls bundle on Ward 7; review night staffing against acuity"},
          {"assurance", "partially_assured"},
          {"actions", {{{"title", "Relaunch the falls bundle on Ward 7"}, {"owner", kSarah},
                        {"due", "2024-02-29"}},
                       {{"title", "Review night nurse staffing on Ward 7 against acuity"},
                        {"owner", kSarah}, {"due", "2024-02-15"}}}}}.dump()).status());
    }
    if (d == "2024-02-08") {
      RETURN_IF_ERROR(MoveConcern(conn, On(kRaj, "2024-02-01"), all, concern_home, json{
          {"status", "resolved"},
          {"reason", "Communication standard adopted; no new complaints about communication in December or January"},
          {"on", "2024-02-01"}}.dump()).status());
    }
    if (d == "2024-03-14") {
      RETURN_IF_ERROR(CreateConcern(conn, On(kAmina, "2024-03-04"), all, json{
          {"title", "Category 2 response times at night"}, {"organisations", {"RZE"}},
          {"owner", kAmina}, {"metrics", {"AMB_CAT2"}},
          {"signals", json::array({{{"source", "note"}, {"organisation", "RZE"},
                                    {"reason", "Crews report handover delays at Avonford at night"}}})},
          {"review_by", "2024-04-11"}, {"opened_on", "2024-03-04"}}.dump()).status());
      RETURN_IF_ERROR(ReviewRisk(conn, On(kRaj, "2024-03-12"), all, 2, json{
          {"consequence", 4}, {"likelihood", 4},
          {"reason", "Falls with harm on Ward 7 rising despite the bundle"}, {"on", "2024-03-12"},
          {"review_by", "2024-06-30"}}.dump()).status());
    }
    ASSIGN_OR_RETURN(int64_t meeting, jig(d));
    RETURN_IF_ERROR(minute(meeting, d, "standing:apologies",
                           {{"minutes", "Apologies from the CQC relationship owner."}}));
    if (d == "2023-07-13") {
      RETURN_IF_ERROR(minute(meeting, d, "escalation:", {
          {"minutes", "The group heard the follow-up with Brackley Vale's executives."},
          {"decision", "Brackley Vale moves to enhanced surveillance; step-down criteria agreed."}}));
    }
    if (d == "2023-12-14") {
      RETURN_IF_ERROR(minute(meeting, d, "signal:", {
          {"minutes", "Falls with harm on Ward 7 at Avonford discussed with the staffing intelligence."},
          {"decision", "Concern raised with Avonford's quality lead as owner; follow-up in January."}}));
    }
    if (d == "2024-01-11") {
      RETURN_IF_ERROR(minute(meeting, d, "concern:", {
          {"minutes", "Ward 7 follow-up reported: partially assured."},
          {"decision", "Stay at routine monitoring; review at the February meeting."},
          {"actions", {{{"title", "Bring the Ward 7 falls run chart to the February JIG"},
                        {"owner", kSarah}, {"due", "2024-02-08"}}}}}));
    }
  }
  (void)concern_falls;
  return Status::Ok();
}

}  // namespace shewhart::intelligence
