#include "demo/demo.h"

#include <cmath>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "base/date.h"
#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "imports/imports.h"
#include "imports/table.h"
#include "base/text_checks.h"
#include "observations/observations.h"
#include "schema/schema.h"

#ifndef SHEWHART_DATA_DIR
#define SHEWHART_DATA_DIR "data"
#endif

namespace shewhart::demo {
namespace {

using imports::Table;
using imports::TableRow;

constexpr double kPi = 3.14159265358979323846;
constexpr int kMonths = 48;  // April 2020 .. March 2024
constexpr char kSystem[] = "QNW";

void AddRow(Table* t, std::vector<std::string> cells) {
  TableRow r;
  r.number = static_cast<int64_t>(t->rows.size()) + 2;  // as if line 1 were the header
  r.cells = std::move(cells);
  r.cells.resize(t->header.size());
  t->rows.push_back(std::move(r));
}

Date MonthStart(int index) {  // 0 = April 2020
  const int total = 2020 * 12 + 3 + index;
  return DaysFromCivil(total / 12, total % 12 + 1, 1);
}

// ---------------------------------------------------------------------------------------------
// The generated system.

// Roles decide which metrics an organisation reports.
enum Role : unsigned {
  kAcute = 1,
  kCommunity = 2,
  kMental = 4,
  kAmbulance = 8,
  kOtherPartner = 16,
  kGp = 32,
};
constexpr unsigned kProviders = kAcute | kCommunity | kMental | kAmbulance;
constexpr unsigned kPartners = kProviders | kOtherPartner;

struct OrgSpec {
  const char* code;
  const char* name;
  const char* kind;
  const char* place;
  unsigned role;
  double size;  // scales denominators and counts
  const char* member_of;
};

constexpr OrgSpec kPartnerOrgs[] = {
    {"RZA", "Avonford Hospitals NHS Foundation Trust", "acute trust", "QNW-AV", kAcute, 1.0,
     "QNW-ACUTE;PG-ACUTE"},
    {"RZB", "Brackley Vale Hospital NHS Trust", "acute trust", "QNW-BV", kAcute, 0.7,
     "QNW-ACUTE;PG-ACUTE"},
    {"RZC", "North Wessex Community Health NHS Trust", "community trust", "QNW-CA", kCommunity, 0.6,
     ""},
    {"RZD", "Wessex Partnership NHS Foundation Trust", "mental health trust", "QNW-DU", kMental,
     0.5, ""},
    {"RZE", "South Western Coast Ambulance Service NHS Trust", "ambulance trust", "QNW-AV",
     kAmbulance, 0.9, ""},
    {"E06000901", "North Wessex Council", "local authority", "QNW-CA", kOtherPartner, 0.4, ""},
    {"NZH01", "St Aldhelm's Hospice", "hospice", "QNW-DU", kOtherPartner, 0.1, ""},
    {"NZP01", "Avonford Central Primary Care Network", "primary care network", "QNW-AV",
     kOtherPartner, 0.15, ""},
    {"NZP02", "Dunmere and Coast Primary Care Network", "primary care network", "QNW-DU",
     kOtherPartner, 0.15, ""},
    {"NZV01", "Wessex Voluntary Action", "voluntary sector", "QNW-BV", kOtherPartner, 0.05, ""},
    {"NZI01", "Castleton Treatment Centre Ltd", "independent provider", "QNW-CA", kOtherPartner,
     0.1, ""},
    {"NZG01", "North Wessex Care Homes Collaborative", "care homes collaborative", "QNW-BV",
     kOtherPartner, 0.2, ""},
};

constexpr const char* kPlaces[][2] = {{"QNW-AV", "Avonford"},
                                      {"QNW-BV", "Brackley Vale"},
                                      {"QNW-CA", "Castleton"},
                                      {"QNW-DU", "Dunmere"}};

enum class Gen { kBinomial, kPoisson, kCount, kNormal };

struct MetricSpec {
  const char* code;
  const char* name;
  const char* definition;
  const char* numerator;
  const char* denominator;
  const char* unit;
  const char* measure;
  double multiplier;
  const char* direction;
  const char* domain;
  double target;  // NaN: none
  const char* source;
  const char* owner;
  unsigned roles;
  Gen gen;
  double den_base;  // denominator at size 1.0 (binomial/poisson), or mean (count/normal)
  double rate;      // probability (binomial), value per unit of denominator x multiplier
                    // (poisson), or 0 (count/normal use den_base)
  double season;    // winter amplitude: additive for binomial, relative otherwise
  double sd;        // normal only
};

constexpr double kNoTarget = std::numeric_limits<double>::quiet_NaN();

// clang-format off
const MetricSpec kMetrics[] = {
  // safe
  {"FALLS", "Inpatient falls per 1,000 occupied bed days", "Falls of inpatients, whether or not they caused harm, per 1,000 occupied bed days.", "Inpatient falls reported on the incident system", "Occupied bed days", "per 1,000 bed days", "rate", 1000, "decrease", "safe", kNoTarget, "Incident reporting system; bed census", "Chief Nurse", kAcute | kCommunity | kMental, Gen::kPoisson, 24000, 3.2, 0.08, 0},
  {"PU_CAT2", "Category 2+ pressure ulcers per 1,000 bed days", "New category 2 or worse pressure ulcers acquired in our care, per 1,000 occupied bed days.", "New category 2+ pressure ulcers acquired in care", "Occupied bed days", "per 1,000 bed days", "rate", 1000, "decrease", "safe", kNoTarget, "Incident reporting system", "Chief Nurse", kAcute | kCommunity, Gen::kPoisson, 24000, 0.55, 0.05, 0},
  {"CDIFF", "C. difficile infections (hospital-onset)", "Hospital-onset, healthcare-associated Clostridioides difficile cases in the month.", "", "", "cases", "value", 1, "decrease", "safe", kNoTarget, "UKHSA HCAI data capture", "Director of Infection Prevention and Control", kAcute, Gen::kCount, 4.5, 0, 0.15, 0},
  {"MED_HARM", "Medication incidents causing harm per 1,000 bed days", "Medication incidents graded low harm or worse, per 1,000 occupied bed days.", "Medication incidents with harm", "Occupied bed days", "per 1,000 bed days", "rate", 1000, "decrease", "safe", kNoTarget, "Incident reporting system", "Chief Pharmacist", kAcute | kMental, Gen::kPoisson, 24000, 0.35, 0, 0},
  {"SI", "Patient safety incidents investigated (PSII)", "Patient safety incident investigations started in the month under PSIRF.", "", "", "investigations", "value", 1, "neutral", "safe", kNoTarget, "Incident reporting system", "Medical Director", kProviders, Gen::kCount, 2.5, 0, 0, 0},
  // effective
  {"READMIT30", "Emergency readmissions within 30 days", "Share of discharges followed by an emergency readmission within 30 days.", "Discharges followed by an emergency readmission within 30 days", "Discharges", "%", "proportion", 100, "decrease", "effective", kNoTarget, "Patient administration system", "Medical Director", kAcute, Gen::kBinomial, 7800, 0.081, 0.004, 0},
  {"SHMI", "Summary Hospital-level Mortality Indicator", "Ratio of observed to expected deaths in hospital or within 30 days of discharge (rolling 12 months).", "", "", "ratio", "value", 1, "decrease", "effective", kNoTarget, "NHS England SHMI publication", "Medical Director", kAcute, Gen::kNormal, 1.0, 0, 0, 0.015},
  {"DC_NOON", "Discharges before noon", "Share of inpatient discharges that leave before 12:00.", "Discharges before 12:00", "Inpatient discharges", "%", "proportion", 100, "increase", "effective", 33, "Patient administration system", "Chief Operating Officer", kAcute | kCommunity, Gen::kBinomial, 5200, 0.19, 0, 0},
  {"CARE_PLAN", "Care plans reviewed within 12 months", "Share of people on the caseload with a care plan reviewed in the last 12 months.", "People with a care plan reviewed in 12 months", "People on the caseload", "%", "proportion", 100, "increase", "effective", 95, "Electronic patient record", "Chief Nurse", kMental | kCommunity, Gen::kBinomial, 3100, 0.9, 0, 0},
  // caring
  {"FFT_IP", "Friends and Family Test: inpatients who would recommend", "Share of inpatient FFT responses answering 'very good' or 'good'.", "Responses 'very good' or 'good'", "All FFT responses", "%", "proportion", 100, "increase", "caring", 95, "FFT returns", "Head of Patient Experience", kAcute | kCommunity | kMental, Gen::kBinomial, 1400, 0.935, 0, 0},
  {"FFT_AE", "Friends and Family Test: A&E patients who would recommend", "Share of emergency department FFT responses answering 'very good' or 'good'.", "Responses 'very good' or 'good'", "All FFT responses", "%", "proportion", 100, "increase", "caring", 90, "FFT returns", "Head of Patient Experience", kAcute, Gen::kBinomial, 800, 0.82, -0.02, 0},
  {"COMPLAINTS", "Complaints per 10,000 patient contacts", "Formal complaints received per 10,000 patient contacts.", "Formal complaints received", "Patient contacts (face to face)", "per 10,000 contacts", "rate", 10000, "decrease", "caring", kNoTarget, "Complaints system; activity data", "Director of Corporate Affairs", kPartners, Gen::kPoisson, 60000, 4.2, 0.05, 0},
  {"MIXED_SEX", "Mixed-sex accommodation breaches", "Breaches of same-sex accommodation guidance in the month.", "", "", "breaches", "value", 1, "decrease", "caring", kNoTarget, "Bed management system", "Chief Nurse", kAcute | kMental, Gen::kCount, 1.2, 0, 0, 0},
  // responsive
  {"RTT18", "Referral to treatment within 18 weeks", "Share of incomplete pathways waiting less than 18 weeks.", "Incomplete pathways under 18 weeks", "All incomplete pathways", "%", "proportion", 100, "increase", "responsive", 92, "RTT waiting list", "Chief Operating Officer", kAcute, Gen::kBinomial, 42000, 0.64, 0, 0},
  {"DM01", "Diagnostic waits over 6 weeks", "Share of patients waiting more than 6 weeks for one of 15 key diagnostic tests.", "Patients waiting more than 6 weeks", "All patients waiting for a diagnostic test", "%", "proportion", 100, "decrease", "responsive", 1, "DM01 return", "Chief Operating Officer", kAcute, Gen::kBinomial, 9000, 0.22, 0.02, 0},
  {"CANCER62", "Cancer treatment within 62 days of urgent referral", "Share of patients treated within 62 days of an urgent suspected cancer referral.", "Patients treated within 62 days", "Patients treated after an urgent referral", "%", "proportion", 100, "increase", "responsive", 85, "Cancer waiting times", "Chief Operating Officer", kAcute, Gen::kBinomial, 160, 0.71, 0, 0},
  {"AMB_CAT2", "Ambulance category 2 mean response time", "Mean time from call to arrival for category 2 (emergency) calls.", "", "", "minutes", "value", 1, "decrease", "responsive", 18, "Ambulance Quality Indicators", "Director of Operations", kAmbulance, Gen::kNormal, 33, 0, 0.18, 3},
  {"CMHT_28D", "Community mental health: seen within 28 days", "Share of referrals to community mental health teams seen within 28 days.", "Referrals seen within 28 days", "Referrals", "%", "proportion", 100, "increase", "responsive", 75, "Mental health services data set", "Director of Operations", kMental, Gen::kBinomial, 900, 0.66, 0, 0},
  {"DISCH_DELAY", "Patients with no criteria to reside", "Mean daily number of inpatients who no longer meet the criteria to reside.", "", "", "patients", "value", 1, "decrease", "responsive", kNoTarget, "Daily situation report", "Chief Operating Officer", kAcute | kCommunity, Gen::kCount, 95, 0, 0.12, 0},
  // well-led
  {"RISK_OVERDUE", "Risks past their review date", "Share of open risks on the risk register whose review date has passed.", "Open risks past review date", "Open risks", "%", "proportion", 100, "decrease", "well-led", 5, "Risk register", "Company Secretary", kPartners, Gen::kBinomial, 180, 0.09, 0, 0},
  // workforce
  {"SICKNESS", "Staff sickness absence", "Share of contracted FTE days lost to sickness absence.", "FTE days lost to sickness absence", "Contracted FTE days", "%", "proportion", 100, "decrease", "workforce", 4.5, "Electronic staff record", "Chief People Officer", kPartners, Gen::kBinomial, 95000, 0.049, 0.007, 0},
  {"VACANCY", "Vacancy rate", "Vacant funded posts as a share of the funded establishment.", "Vacant funded posts (WTE)", "Funded establishment (WTE)", "%", "proportion", 100, "decrease", "workforce", 7, "Finance ledger; electronic staff record", "Chief People Officer", kPartners, Gen::kBinomial, 6000, 0.085, 0, 0},
  {"TURNOVER", "Staff turnover (12 months)", "Leavers in the last 12 months as a share of average staff in post.", "Leavers in the last 12 months (headcount)", "Average staff in post (headcount)", "%", "proportion", 100, "decrease", "workforce", 12, "Electronic staff record", "Chief People Officer", kPartners, Gen::kBinomial, 5600, 0.128, 0, 0},
  {"APPRAISAL", "Appraisal rate", "Share of eligible staff with an appraisal in the last 12 months.", "Staff appraised in the last 12 months", "Eligible staff", "%", "proportion", 100, "increase", "workforce", 85, "Learning management system", "Chief People Officer", kPartners, Gen::kBinomial, 5200, 0.81, -0.01, 0},
  {"MAND_TRAIN", "Mandatory training compliance", "Share of required mandatory training modules that are in date.", "Modules in date", "Modules required", "%", "proportion", 100, "increase", "workforce", 90, "Learning management system", "Chief People Officer", kPartners, Gen::kBinomial, 52000, 0.885, 0, 0},
  {"AGENCY_PCT", "Agency staff spend", "Agency staff spend as a share of total pay bill.", "Agency spend (GBP thousands)", "Total pay bill (GBP thousands)", "%", "proportion", 100, "decrease", "workforce", 3.7, "Finance ledger", "Director of Finance", kProviders, Gen::kBinomial, 24000, 0.045, 0.004, 0},
  // improvement capability
  {"QI_LEARN", "People trained in QI: Learn tier", "Staff completing Learn-tier (foundation) quality improvement training in the month.", "", "", "people", "value", 1, "increase", "improvement capability", kNoTarget, "QI training records", "Director of Quality Improvement", kPartners, Gen::kCount, 28, 0, -0.2, 0},
  {"QI_LIVE", "People trained in QI: Live tier", "Staff completing Live-tier (practitioner) quality improvement training in the month.", "", "", "people", "value", 1, "increase", "improvement capability", kNoTarget, "QI training records", "Director of Quality Improvement", kPartners, Gen::kCount, 6, 0, -0.2, 0},
  {"QI_LEAD", "People trained in QI: Lead tier", "Staff completing Lead-tier (leader and coach) quality improvement training in the month.", "", "", "people", "value", 1, "increase", "improvement capability", kNoTarget, "QI training records", "Director of Quality Improvement", kPartners, Gen::kCount, 1.2, 0, 0, 0},
  {"QI_PROJECTS", "Active QI projects", "Registered quality improvement projects active at the end of the month.", "", "", "projects", "value", 1, "increase", "improvement capability", kNoTarget, "QI project register", "Director of Quality Improvement", kProviders, Gen::kCount, 22, 0, 0, 0},
  // primary care (GP practices)
  {"GP_APPTS", "GP appointments per 1,000 registered patients", "Appointments delivered in general practice per 1,000 registered patients.", "Appointments delivered", "Registered patients", "per 1,000 patients", "rate", 1000, "neutral", "responsive", kNoTarget, "GP appointments data", "Primary Care Director", kGp, Gen::kPoisson, 8500, 440, 0.08, 0},
  {"GP_2WK", "GP appointments within 2 weeks of booking", "Share of appointments that took place within 14 days of being booked.", "Appointments within 14 days of booking", "Appointments delivered", "%", "proportion", 100, "increase", "responsive", 85, "GP appointments data", "Primary Care Director", kGp, Gen::kBinomial, 3700, 0.84, -0.02, 0},
  {"GP_FFT", "GP Friends and Family Test: would recommend", "Share of practice FFT responses answering 'very good' or 'good'.", "Responses 'very good' or 'good'", "All FFT responses", "%", "proportion", 100, "increase", "caring", 90, "FFT returns", "Primary Care Director", kGp, Gen::kBinomial, 90, 0.9, 0, 0},
};
// clang-format on

// Genuine shifts: a step in one organisation's series at a known month.
struct Shift {
  const char* metric;
  const char* unit;
  int from_month;  // index from April 2020
  double effect;   // additive for proportions, relative otherwise
};
constexpr Shift kShifts[] = {
    {"FALLS", "RZA", 24, -0.35},     // falls prevention bundle from April 2022
    {"FFT_IP", "RZC", 18, 0.035},    // new discharge conversations from October 2021
    {"SICKNESS", "RZD", 21, 0.012},  // staffing pressure from January 2022
    {"RTT18", "RZB", 30, -0.06},     // theatre closure from October 2022
};

// Definitions that changed: the second version applies from `from`.
struct Revision {
  const char* metric;
  Date from;
  const char* definition;
  const char* denominator;
};
const Revision kRevisions[] = {
    {"SICKNESS", DaysFromCivil(2021, 4, 1),
     "Share of contracted FTE days lost to sickness absence, now including COVID-19 related "
     "absence (excluded before April 2021).",
     "Contracted FTE days"},
    {"COMPLAINTS", DaysFromCivil(2022, 4, 1),
     "Formal complaints received per 10,000 patient contacts, counting virtual contacts from "
     "April 2022.",
     "Patient contacts (face to face and virtual)"},
};

// GP practices whose returns are sometimes late, and those with missing months.
constexpr int kLatePractices[] = {3, 12, 19, 28, 36};
constexpr int kGappyPractices[] = {7, 23, 31};

std::string MetricCell(double v) { return std::isnan(v) ? std::string() : FormatNumber(v); }

void AddMetricRow(Table* t, const MetricSpec& m, const std::string& applies_from,
                  const char* definition, const char* denominator, const std::string& now) {
  AddRow(t, {m.code,
             applies_from,
             m.name,
             definition,
             m.numerator,
             denominator,
             m.unit,
             m.measure,
             FormatNumber(m.multiplier),
             m.direction,
             "xmr",
             "monthly",
             m.domain,
             MetricCell(m.target),
             std::isnan(m.target) ? "" : "2020-04-01",
             m.source,
             m.owner,
             "agreed",
             "North Wessex System Quality Group",
             now.substr(0, 10)});
}

struct Generated {
  Table orgs, metrics, obs;
  // GP observations whose arrival time the demo sets: (metric, unit, period) -> received_at.
  std::vector<std::tuple<std::string, std::string, Date, std::string>> received;
  std::vector<std::pair<std::string, std::string>> expectations;  // (unit, metric)
};

Status AddAeData(const std::string& path, Generated* g) {
  ASSIGN_OR_RETURN(Table ae, imports::ReadTable(path));
  const auto c_period = ae.Column("period"), c_org = ae.Column("org_code"),
             c_type = ae.Column("type"), c_att = ae.Column("attendances"),
             c_br = ae.Column("breaches"), c_adm = ae.Column("admissions");
  if (!c_period || !c_org || !c_type || !c_att || !c_br || !c_adm) {
    return InvalidArgumentError(path +
                                ": not the A&E attendances file (expected period, "
                                "org_code, type, attendances, breaches, admissions)");
  }
  AddRow(&g->orgs, {"ENG", "England A&E benchmark set (NHS England, Apr 2016 to Mar 2019)",
                    "nation", "", "", "", "", ""});
  std::set<std::string> orgs;
  for (const TableRow& r : ae.rows) {
    if (r.cells[*c_type] != "1") continue;
    const std::string& org = r.cells[*c_org];
    if (orgs.insert(org).second) {
      // The file carries no names: the ODS code stands in for the name.
      AddRow(&g->orgs, {org, org, "acute trust", "ENG", "", "", "", ""});
    }
    const double att = ParseNumber(r.cells[*c_att]).value_or(0);
    const double br = ParseNumber(r.cells[*c_br]).value_or(0);
    const std::string& period = r.cells[*c_period];
    AddRow(&g->obs, {"AE4H_T1", org, period, "", FormatNumber(att - br), FormatNumber(att)});
    AddRow(&g->obs, {"AE_ATT_T1", org, period, r.cells[*c_att], "", ""});
    AddRow(&g->obs, {"AE_ADM_T1", org, period, r.cells[*c_adm], "", ""});
  }
  const std::string kSource = "NHS England A&E Attendances and Emergency Admissions";
  AddRow(&g->metrics,
         {"AE4H_T1",
          "",
          "Type 1 A&E: seen within 4 hours",
          "Share of attendances at type 1 (major) emergency departments that spent 4 hours or "
          "less from arrival to admission, transfer or discharge.",
          "Type 1 attendances minus 4-hour breaches",
          "Type 1 attendances",
          "%",
          "proportion",
          "100",
          "increase",
          "xmr",
          "monthly",
          "responsive",
          "95",
          "2016-04-01",
          kSource,
          "Chief Operating Officer",
          "agreed",
          "North Wessex System Quality Group",
          "2016-04-01"});
  AddRow(&g->metrics, {"AE_ATT_T1",
                       "",
                       "Type 1 A&E attendances",
                       "Attendances at type 1 (major) emergency departments in the month.",
                       "",
                       "",
                       "attendances",
                       "value",
                       "1",
                       "neutral",
                       "xmr",
                       "monthly",
                       "responsive",
                       "",
                       "",
                       kSource,
                       "Chief Operating Officer",
                       "agreed",
                       "North Wessex System Quality Group",
                       "2016-04-01"});
  AddRow(&g->metrics,
         {"AE_ADM_T1",
          "",
          "Emergency admissions via type 1 A&E",
          "Emergency admissions to hospital from type 1 emergency departments in the month.",
          "",
          "",
          "admissions",
          "value",
          "1",
          "neutral",
          "xmr",
          "monthly",
          "responsive",
          "",
          "",
          kSource,
          "Chief Operating Officer",
          "agreed",
          "North Wessex System Quality Group",
          "2016-04-01"});
  return Status::Ok();
}

void AddGeneratedSystem(uint64_t seed, const std::string& now, Generated* g) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> unit_normal(0.0, 1.0);

  // Directory.
  AddRow(&g->orgs,
         {kSystem, "North Wessex Integrated Care System", "system", "", "2022-07-01", "", "", ""});
  for (const auto& p : kPlaces) AddRow(&g->orgs, {p[0], p[1], "place", kSystem, "", "", "", ""});
  AddRow(&g->orgs, {"QNW-ACUTE", "North Wessex Acute Provider Collaborative", "collaborative",
                    kSystem, "", "", "", ""});
  AddRow(&g->orgs,
         {"PG-ACUTE", "Peer group: medium acute trusts", "peer group", "", "", "", "", ""});
  struct Org {
    std::string code;
    unsigned role;
    double size;
    int gp_index;  // -1 for partners
  };
  std::vector<Org> orgs;
  for (const OrgSpec& o : kPartnerOrgs) {
    AddRow(&g->orgs, {o.code, o.name, o.kind, o.place, "", "", "", o.member_of});
    orgs.push_back({o.code, o.role, o.size, -1});
  }
  static const char* kTowns[] = {"Avonford",  "Brackley", "Castleton", "Dunmere",   "Eastleigh",
                                 "Fernbrook", "Glenmoor", "Hatherley", "Ivybridge", "Kingsmead"};
  static const char* kSuffix[] = {"Medical Centre", "Surgery", "Health Centre", "Family Practice"};
  std::uniform_real_distribution<double> list_size(0.45, 1.6);
  for (int i = 0; i < 40; ++i) {
    char code[8];
    std::snprintf(code, sizeof(code), "N99%03d", i + 1);
    const std::string name = std::string(kTowns[(i * 7) % 10]) + " " +
                             (i % 3 == 0   ? "Road "
                              : i % 3 == 1 ? "Park "
                                           : "Green ") +
                             kSuffix[i % 4];
    AddRow(&g->orgs, {code, name, "gp practice", kPlaces[i % 4][0], "", "", "", ""});
    orgs.push_back({code, kGp, list_size(rng), i});
  }
  // Population segments across the system: whom improvement projects and co-designed lessons
  // serve, and whom none does yet.
  static const char* kSegments[][2] = {
      {"SEG-IMD1", "Most deprived fifth of the population (IMD quintile 1)"},
      {"SEG-IMD5", "Least deprived fifth of the population (IMD quintile 5)"},
      {"SEG-CYP", "Children and young people"},
      {"SEG-LD", "People with a learning disability"},
      {"SEG-FRAIL", "Older people living with frailty"},
      {"SEG-EM", "Black, Asian and minority ethnic communities"}};
  for (const auto& seg : kSegments) {
    AddRow(&g->orgs, {seg[0], seg[1], "segment", kSystem, "", "", "", ""});
  }

  // Dictionary: one row per version.
  for (const MetricSpec& m : kMetrics) {
    const Revision* rev = nullptr;
    for (const Revision& r : kRevisions) {
      if (std::string_view(r.metric) == m.code) rev = &r;
    }
    AddMetricRow(&g->metrics, m, "", m.definition, m.denominator, now);
    if (rev != nullptr) {
      AddMetricRow(&g->metrics, m, FormatIsoDate(rev->from), rev->definition, rev->denominator,
                   now);
    }
  }

  // Observations.
  for (const Org& org : orgs) {
    const bool late =
        org.gp_index >= 0 && std::find(std::begin(kLatePractices), std::end(kLatePractices),
                                       org.gp_index) != std::end(kLatePractices);
    const bool gappy =
        org.gp_index >= 0 && std::find(std::begin(kGappyPractices), std::end(kGappyPractices),
                                       org.gp_index) != std::end(kGappyPractices);
    for (const MetricSpec& m : kMetrics) {
      if ((m.roles & org.role) == 0) continue;
      if (org.gp_index >= 0) g->expectations.push_back({org.code, m.code});
      // Each organisation sits a little above or below the system rate.
      const double offset = unit_normal(rng);
      for (int month = 0; month < kMonths; ++month) {
        const Date period = MonthStart(month);
        const CivilDate c = CivilFromDays(period);
        if (gappy && (month * 7 + org.gp_index) % 11 == 0) continue;  // a missed return
        const double winter = std::cos(2 * kPi * (c.month - 1) / 12.0);
        double shift = 0;
        for (const Shift& s : kShifts) {
          if (std::string_view(s.metric) == m.code && org.code == s.unit && month >= s.from_month) {
            shift = s.effect;
          }
        }
        std::vector<std::string> row = {m.code, org.code, FormatIsoDate(period), "", "", ""};
        const double size = org.size * std::exp(0.03 * unit_normal(rng));
        switch (m.gen) {
          case Gen::kBinomial: {
            const int64_t den = std::max<int64_t>(5, std::llround(m.den_base * size));
            double p = m.rate + 0.15 * (1 - m.rate) * m.rate * offset + m.season * winter + shift;
            p = std::clamp(p, 0.001, 0.999);
            std::binomial_distribution<int64_t> b(den, p);
            row[4] = std::to_string(b(rng));
            row[5] = std::to_string(den);
            break;
          }
          case Gen::kPoisson: {
            const int64_t den = std::max<int64_t>(10, std::llround(m.den_base * size));
            const double rate = m.rate * std::exp(0.12 * offset) * (1 + m.season * winter) *
                                (1 + shift) / m.multiplier;
            std::poisson_distribution<int64_t> p(std::max(0.01, rate * static_cast<double>(den)));
            row[4] = std::to_string(p(rng));
            row[5] = std::to_string(den);
            break;
          }
          case Gen::kCount: {
            const double mean = m.den_base * (org.role == kGp ? 1.0 : std::sqrt(org.size * 2)) *
                                std::exp(0.15 * offset) * (1 + m.season * winter) * (1 + shift) *
                                (m.code == std::string_view("QI_PROJECTS") ? 1 + month / 60.0 : 1);
            std::poisson_distribution<int64_t> p(std::max(0.05, mean));
            row[3] = std::to_string(p(rng));
            break;
          }
          case Gen::kNormal: {
            const double mean =
                m.den_base * (1 + 0.02 * offset) * (1 + m.season * winter) * (1 + shift);
            const double v = mean + m.sd * unit_normal(rng);
            row[3] = FormatNumber(std::round(v * 1000) / 1000);
            break;
          }
        }
        if (org.gp_index >= 0) {
          // Returns are due 15 days after the month ends; most arrive in the first fortnight.
          std::uniform_int_distribution<int> on_time_day(3, 14), late_day(18, 45);
          std::bernoulli_distribution is_late(0.3);
          const int day = late && is_late(rng) ? late_day(rng) : on_time_day(rng);
          const Date month_end = observations::DueDate(period, 0);
          g->received.push_back(
              {m.code, org.code, period, FormatIsoDate(month_end + day) + "T09:00:00Z"});
        }
        AddRow(&g->obs, std::move(row));
      }
    }
  }
}

constexpr std::string_view kCountUnits = "SELECT COUNT(*) FROM unit";

}  // namespace

std::string DefaultAeCsvPath() { return std::string(SHEWHART_DATA_DIR) + "/ae_attendances.csv"; }

Result<DemoReport> LoadDemo(db::Connection& conn, const DemoOptions& options) {
  ASSIGN_OR_RETURN(db::Transaction tx, db::Transaction::Begin(conn));
  ASSIGN_OR_RETURN(std::optional<db::Row> count, conn.QueryRow(kCountUnits));
  if (count && count->Int(0) > 0) {
    return FailedPreconditionError(
        "the database already holds organisations; the demo fills an EMPTY database (use a new "
        "--db)");
  }
  Generated g;
  g.orgs.name = "demo organisations";
  g.orgs.header = {"code", "name", "kind", "parent", "opened", "closed", "successor", "member_of"};
  g.metrics.name = "demo metrics";
  g.metrics.header = {"code",
                      "applies_from",
                      "name",
                      "definition",
                      "numerator_definition",
                      "denominator_definition",
                      "unit",
                      "measure",
                      "multiplier",
                      "improvement_direction",
                      "chart_type",
                      "frequency",
                      "domain",
                      "target",
                      "target_from",
                      "source",
                      "owner",
                      "status",
                      "agreed_by",
                      "agreed_at"};
  g.obs.name = "demo observations";
  g.obs.header = {"metric", "unit", "period", "value", "numerator", "denominator"};
  if (!options.ae_csv.empty()) RETURN_IF_ERROR(AddAeData(options.ae_csv, &g));
  AddGeneratedSystem(options.seed, options.now, &g);

  imports::ImportOptions io;
  io.actor = options.actor;
  io.now = options.now;
  const std::string kDemoHash = "demo-seed-" + std::to_string(options.seed);
  ASSIGN_OR_RETURN(imports::ImportReport orgs,
                   imports::ImportOrganisations(conn, g.orgs, kDemoHash, io));
  ASSIGN_OR_RETURN(imports::ImportReport metrics,
                   imports::ImportMetrics(conn, g.metrics, kDemoHash, io));
  ASSIGN_OR_RETURN(imports::ImportReport obs,
                   imports::ImportObservations(conn, g.obs, kDemoHash, io));

  // Glossary.
  struct Term {
    const char* term;
    const char* definition;
  };
  static constexpr Term kTerms[] = {
      {"system",
       "An Integrated Care System: the NHS organisations, local authorities and "
       "partners that plan and deliver health and care for one population."},
      {"place", "A town or district within the system, usually a local authority area."},
      {"provider collaborative",
       "Providers of the same kind working together at scale, such "
       "as the acute trusts of the system."},
      {"peer group", "Organisations similar enough to be compared fairly."},
      {"special cause variation",
       "A signal in a chart that something other than the usual "
       "ups and downs of the process is at work."},
      {"common cause variation", "The natural, expected variation of a stable process."},
  };
  for (const Term& t : kTerms) {
    ASSIGN_OR_RETURN(int32_t v, dictionary::SetGlossaryTerm(conn, t.term, t.definition, "agreed",
                                                            options.actor, options.now));
    (void)v;
  }
  // The meaning of "place" was refined once: a second version.
  ASSIGN_OR_RETURN(int32_t v2, dictionary::SetGlossaryTerm(
                                   conn, "place",
                                   "A town or district within the system, usually a local "
                                   "authority area, where partners plan services together for "
                                   "its population (a 'place-based partnership').",
                                   "agreed", options.actor, options.now));
  (void)v2;

  // Submissions: what GP practices owe, and when their returns arrived.
  ASSIGN_OR_RETURN(directory::Directory dir, directory::Directory::Load(conn));
  ASSIGN_OR_RETURN(dictionary::Dictionary dict, dictionary::Dictionary::Load(conn));
  for (const auto& [unit, metric] : g.expectations) {
    observations::Expectation e;
    e.unit_id = dir.FindByCode(unit)->id;
    e.metric_id = dict.FindByCode(metric)->id;
    e.first_period = MonthStart(0);
    e.due_days = 15;
    RETURN_IF_ERROR(observations::UpsertExpectation(conn, e, options.actor, options.now));
  }
  for (const auto& [metric, unit, period, at] : g.received) {
    RETURN_IF_ERROR(observations::SetReceivedAt(conn, dict.FindByCode(metric)->id,
                                                dir.FindByCode(unit)->id, period, at));
  }
  // Every other part's demo data (incidents, projects, people...), in the registry's order.
  RETURN_IF_ERROR(schema::FillDemo(conn, options.actor, options.now));
  RETURN_IF_ERROR(tx.Commit());
  DemoReport report;
  report.units = orgs.added;
  report.metrics = static_cast<int64_t>(dict.metrics().size());
  report.observations = obs.added;
  report.series_recomputed = obs.series_recomputed;
  report.aggregates_recomputed = obs.aggregates_recomputed;
  (void)metrics;
  return report;
}

}  // namespace shewhart::demo
