// The intelligence part's demo data: two years (April 2022 - March 2024, the last two years of the
// demo system's metrics) of generated incidents, complaints, audits, ratings, notes and horizon
// items for the demo Integrated Care System, with a fixed seed, at plausible rates per kind of
// organisation, loaded through the ordinary imports (same validation, audit and count series).
// Three stories are written in on purpose:
//   1. Ward 7 (older people's medicine) at Avonford (RZA) has a cluster of falls with harm from
//      November 2023;
//   2. Brackley Vale Hospital (RZB) fell from good to requires improvement in October 2023;
//   3. a care home (Ashlands Manor, below) draws complaints about communication from June 2023,
//      with a concerning note from Healthwatch and a rating that fell in February 2024.
// The care homes are real: eight CQC-registered care homes of Trafford (Trafford Data Lab's
// export of CQC data, Open Government Licence v3.0; ../shared/data/cqc_care_homes_trafford.csv),
// with their CQC location IDs as codes and their CQC pages as report links; they stand in for the
// demo system's care homes, and their ratings here are GENERATED, not CQC's.
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "base/date.h"
#include "directory/directory.h"
#include "imports/imports.h"
#include "imports/table.h"
#include "intelligence/follow_up.h"
#include "intelligence/part.h"
#include "intelligence/records.h"

namespace shewhart::intelligence {
namespace {

using imports::Table;

constexpr uint64_t kSeed = 20240401;
constexpr int kMonths = 24;  // April 2022 .. March 2024

struct CareHome {
  const char* code;  // CQC location ID
  const char* name;
  const char* type;
};
// The first eight rows of the Trafford file (name, cqc_id, type).
constexpr CareHome kCareHomes[] = {
    {"1-466088203", "10 Spennithorne Road", "Residential home"},
    {"1-1938268568", "Allingham House Care Centre", "Nursing home"},
    {"1-8503184790", "Amberley Care Home", "Nursing home"},
    {"1-127443456", "Ann Challis", "Residential home"},
    {"1-216385979", "Ascot House", "Residential home"},
    {"1-3537785301", "Ashlands Manor Care Home", "Nursing home"},
    {"1-113737519", "Ashton Lane", "Residential home"},
    {"1-118462477", "Bradley House Nursing Home", "Nursing home"},
};
constexpr const char* kCommunicationHome = "1-3537785301";  // story 3

struct Org {
  const char* code;
  double incidents;   // per month
  double complaints;  // per month
  bool mental = false;
};
constexpr Org kOrgs[] = {
    {"RZA", 55, 9}, {"RZB", 38, 7},    {"RZC", 30, 4},    {"RZD", 26, 3, true},
    {"RZE", 14, 5}, {"NZH01", 2, 0.3}, {"NZI01", 3, 0.6},
};

struct Weighted {
  const char* word;
  double weight;
};
constexpr Weighted kCategories[] = {
    {"Falls", 22},
    {"Medication", 18},
    {"Pressure ulcer", 12},
    {"Treatment and procedure", 12},
    {"Diagnosis and assessment", 8},
    {"Infection", 6},
    {"Discharge and transfer", 8},
    {"Violence and aggression", 5},
    {"Documentation", 9},
};
constexpr Weighted kHarm[] = {
    {"none", 70}, {"low", 23}, {"moderate", 5.5}, {"severe", 1.2}, {"fatal", 0.3},
};
constexpr Weighted kSubjects[] = {
    {"Clinical treatment", 30},
    {"Communications", 18},
    {"Appointments", 10},
    {"Values and behaviours (staff)", 12},
    {"Admissions and discharges", 10},
    {"Waiting times", 12},
    {"Patient care", 8},
};
constexpr Weighted kOutcomes[] = {{"upheld", 25}, {"partly_upheld", 35}, {"not_upheld", 40}};

class Gen {
 public:
  Gen() : rng_(kSeed) {}
  int Poisson(double mean) { return std::poisson_distribution<int>(mean)(rng_); }
  double Uniform() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  int Below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  template <size_t N>
  const char* Pick(const Weighted (&list)[N]) {
    double total = 0;
    for (const Weighted& w : list) total += w.weight;
    double x = Uniform() * total;
    for (const Weighted& w : list) {
      if ((x -= w.weight) <= 0) return w.word;
    }
    return list[N - 1].word;
  }

 private:
  std::mt19937_64 rng_;
};

Date MonthStart(int index) {  // 0 = April 2022
  const int total = 2022 * 12 + 3 + index;
  return DaysFromCivil(total / 12, total % 12 + 1, 1);
}

std::string Iso(Date d) { return FormatIsoDate(d); }

}  // namespace

Status FillDemo(db::Connection& conn, std::string_view actor, std::string_view at) {
  ASSIGN_OR_RETURN(directory::Directory dir, directory::Directory::Load(conn));
  const directory::Unit* rza = dir.FindByCode("RZA");
  const directory::Unit* place = dir.FindByCode("QNW-BV");
  if (rza == nullptr || place == nullptr) return Status::Ok();  // not the demo system
  // Wards of Avonford and the care homes of Brackley Vale.
  const std::pair<const char*, const char*> wards[] = {
      {"RZA-W07", "Avonford: Ward 7 (older people's medicine)"},
      {"RZA-W12", "Avonford: Ward 12 (surgery)"},
      {"RZA-ED", "Avonford: Emergency department"}};
  for (const auto& [code, name] : wards) {
    directory::Unit u{.code = code, .name = name, .kind = "ward", .parent_id = rza->id};
    RETURN_IF_ERROR(directory::InsertUnit(conn, u, actor, at).status());
  }
  for (const CareHome& h : kCareHomes) {
    directory::Unit u{.code = h.code, .name = h.name, .kind = "care home", .parent_id = place->id};
    RETURN_IF_ERROR(directory::InsertUnit(conn, u, actor, at).status());
  }

  Gen g;
  // ---- incidents
  Table inc;
  inc.header = {"reference", "organisation", "occurred", "reported", "category",
                "harm",      "response",     "status",   "summary",  "metric"};
  int n = 0;
  auto incident = [&](const std::string& unit, Date day, const std::string& category,
                      const std::string& harm, const std::string& summary) {
    const std::string response = harm == "fatal" || (harm == "severe" && g.Uniform() < 0.6) ? "psii"
                                 : harm == "moderate" ? (g.Uniform() < 0.5 ? "aar" : "swarm")
                                                      : "";
    const std::string status = day < MonthStart(kMonths - 3) ? "closed" : "under_review";
    inc.AddRow({"DEMO-I" + std::to_string(++n), unit, Iso(day), Iso(day + g.Below(4)), category,
                harm, response, harm == "none" || harm == "low" ? "closed" : status, summary,
                category == "Falls" ? "FALLS" : ""});
  };
  for (int m = 0; m < kMonths; ++m) {
    const Date start = MonthStart(m);
    const CivilDate c = CivilFromDays(start);
    const int days = DaysInMonth(c.year, c.month);
    const double winter = 1 + 0.12 * std::cos(2 * 3.14159265358979 * (m - 9) / 12.0);
    for (const Org& o : kOrgs) {
      const int k = g.Poisson(o.incidents * winter);
      for (int i = 0; i < k; ++i) {
        std::string category = g.Pick(kCategories);
        if (o.mental && category == "Pressure ulcer") category = "Self-harm";
        std::string unit = o.code;
        if (std::string(o.code) == "RZA") {
          const double u = g.Uniform();
          unit = u < 0.25 ? "RZA-W07" : u < 0.45 ? "RZA-W12" : u < 0.65 ? "RZA-ED" : "RZA";
        }
        incident(unit, start + g.Below(days), category, g.Pick(kHarm), "");
      }
    }
    for (const CareHome& h : kCareHomes) {
      for (int i = g.Poisson(1.2); i > 0; --i) {
        incident(h.code, start + g.Below(days), g.Uniform() < 0.5 ? "Falls" : "Medication",
                 g.Pick(kHarm), "");
      }
    }
    // Story 1: a cluster of falls with harm on Ward 7 from November 2023.
    if (m >= 19) {
      const char* harms[] = {"moderate", "severe", "moderate", "low", "severe", "moderate"};
      for (int i = 0; i < 6; ++i) {
        incident("RZA-W07", start + g.Below(days), "Falls", harms[(m + i) % 6],
                 "Unwitnessed fall at night on Ward 7; found on the floor by the bed");
      }
    }
  }
  RETURN_IF_ERROR(
      imports::ImportGenerated(conn, Importers(), "incidents", std::move(inc), actor, at));

  // ---- complaints
  Table cmp;
  cmp.header = {"reference", "organisation", "received",        "subject",
                "service",   "outcome",      "days_to_respond", "summary"};
  n = 0;
  const Date last = MonthStart(kMonths) - 1;
  auto complaint = [&](const std::string& unit, Date day, const std::string& subject,
                       const std::string& service, const std::string& summary) {
    const bool open = day > last - 30;
    cmp.AddRow({"DEMO-C" + std::to_string(++n), unit, Iso(day), subject, service,
                open ? "" : g.Pick(kOutcomes), open ? "" : std::to_string(15 + g.Below(40)),
                summary});
  };
  for (int m = 0; m < kMonths; ++m) {
    const Date start = MonthStart(m);
    const CivilDate c = CivilFromDays(start);
    for (const Org& o : kOrgs) {
      for (int i = g.Poisson(o.complaints); i > 0; --i) {
        complaint(o.code, start + g.Below(DaysInMonth(c.year, c.month)), g.Pick(kSubjects),
                  "Inpatients", "");
      }
    }
    for (const CareHome& h : kCareHomes) {
      if (g.Uniform() < 0.12) {
        complaint(h.code, start + g.Below(28), g.Pick(kSubjects), "Residential care", "");
      }
    }
    // Story 3: a care home's families complain that they are not kept informed.
    if (m >= 14) {
      for (int i = (m >= 18 ? 3 : 2); i > 0; --i) {
        complaint(kCommunicationHome, start + g.Below(28), "Communications", "Residential care",
                  "Family not told about a change in their relative's condition");
      }
    }
  }
  RETURN_IF_ERROR(
      imports::ImportGenerated(conn, Importers(), "complaints", std::move(cmp), actor, at));

  // ---- audits
  Table aud;
  aud.header = {"reference", "organisation", "audit",   "standard", "date",
                "result",    "met",          "actions", "metric"};
  aud.AddRow({"DEMO-A1", "RZA", "National Audit of Inpatient Falls",
              "Lying and standing blood pressure recorded within 48 hours of admission",
              "2023-02-15", "58%", "partly_met", "Falls bundle training on every medical ward",
              "FALLS"});
  aud.AddRow({"DEMO-A2", "RZA", "National Audit of Inpatient Falls",
              "Lying and standing blood pressure recorded within 48 hours of admission",
              "2024-02-20", "41%", "not_met",
              "Relaunch the falls bundle on Ward 7; night-time intentional rounding", "FALLS"});
  aud.AddRow({"DEMO-A3", "RZB", "Sepsis screening (local)",
              "Adults with suspected sepsis screened within 1 hour of arrival", "2023-11-10", "93%",
              "met", "", ""});
  aud.AddRow({"DEMO-A4", "RZB", "National Emergency Laparotomy Audit",
              "Consultant surgeon present in theatre for high-risk cases", "2023-09-01", "81%",
              "partly_met", "Rota review for out-of-hours consultant cover", ""});
  aud.AddRow({"DEMO-A5", "RZC", "Pressure ulcer prevention (local)",
              "Risk assessment within 6 hours of first visit", "2023-12-01", "96%", "met", "",
              "PU_CAT2"});
  aud.AddRow({"DEMO-A6", "RZD", "National Clinical Audit of Psychosis",
              "Physical health checks for people with psychosis", "2023-06-30", "64%", "not_met",
              "Physical health clinics in every community team", ""});
  aud.AddRow({"DEMO-A7", "RZA", "Hand hygiene (local)", "Hand hygiene compliance at 95% or more",
              "2024-01-15", "97%", "met", "", ""});
  RETURN_IF_ERROR(imports::ImportGenerated(conn, Importers(), "audits", std::move(aud), actor, at));

  // ---- ratings (generated; the care homes' report links are their real CQC pages)
  Table rat;
  rat.header = {"organisation", "published",  "overall",  "safe",  "effective",
                "caring",       "responsive", "well_led", "report"};
  const char* g4 = "good";
  auto rating = [&](const std::string& org, const std::string& date, std::vector<std::string> r,
                    const std::string& report) {
    std::vector<std::string> row = {org, date};
    row.insert(row.end(), r.begin(), r.end());
    row.push_back(report);
    rat.AddRow(std::move(row));
  };
  rating("RZA", "2022-03-10", {g4, "requires_improvement", g4, g4, g4, g4}, "");
  rating("RZB", "2019-11-20", {g4, g4, g4, g4, g4, g4}, "");
  // Story 2: Brackley Vale falls to requires improvement.
  rating("RZB", "2023-10-12",
         {"requires_improvement", "requires_improvement", g4, g4, "requires_improvement",
          "requires_improvement"},
         "");
  rating("RZC", "2021-06-01", {"outstanding", g4, "outstanding", "outstanding", g4, "outstanding"},
         "");
  rating("RZD", "2022-09-15", {g4, g4, g4, g4, g4, g4}, "");
  rating("RZE", "2021-03-01",
         {"requires_improvement", "requires_improvement", g4, g4, "requires_improvement", g4}, "");
  rating("NZH01", "2020-01-20", {"outstanding", g4, g4, "outstanding", "outstanding", g4}, "");
  for (const CareHome& h : kCareHomes) {
    const bool story = std::string(h.code) == kCommunicationHome;
    const std::string report = std::string("https://www.cqc.org.uk/location/") + h.code;
    rating(h.code, "2021-0" + std::to_string(3 + g.Below(6)) + "-15", {g4, g4, g4, g4, g4, g4},
           report);
    if (story) {
      rating(h.code, "2024-02-08",
             {"requires_improvement", g4, "requires_improvement", g4, "requires_improvement",
              "inadequate"},
             report);
    }
  }
  RETURN_IF_ERROR(
      imports::ImportGenerated(conn, Importers(), "ratings", std::move(rat), actor, at));

  // ---- soft intelligence
  Table notes;
  notes.header = {"organisation", "noted_on", "text", "source", "theme", "concerning", "metric"};
  notes.AddRow({"RZA", "2023-12-04",
                "Staff on Ward 7 say nights often run with one registered nurse for 28 patients",
                "staff", "Staffing", "yes", "FALLS"});
  notes.AddRow({"RZA", "2024-01-22",
                "Freedom to Speak Up guardian reports more concerns from "
                "older people's medicine about safe staffing",
                "staff", "Staffing", "yes", ""});
  notes.AddRow({kCommunicationHome, "2023-09-18",
                "Healthwatch heard from several families that they are not told when their "
                "relative is unwell or moved to hospital",
                "partner", "Communication", "yes", ""});
  notes.AddRow({"RZB", "2023-08-30",
                "Local paper reports long waits for theatre lists after the "
                "theatre closure",
                "media", "Access", "yes", "RTT18"});
  notes.AddRow({"RZC", "2023-05-11", "Patients praise the new discharge conversations",
                "patient_public", "Discharge", "no", "FFT_IP"});
  notes.AddRow({"RZE", "2023-11-02", "Handover delays at Avonford reported by crews at night",
                "partner", "Handover", "yes", "AMB_CAT2"});
  RETURN_IF_ERROR(
      imports::ImportGenerated(conn, Importers(), "notes", std::move(notes), actor, at));

  // ---- horizon scanning
  Table hz;
  hz.header = {"reference",     "title",   "type",      "published", "due",
               "organisations", "metrics", "responded", "response",  "link"};
  hz.AddRow({"NatPSA/2023/010", "Identifying oesophageal placement of nasogastric tubes",
             "safety_alert", "2023-10-12", "2024-01-31", "RZA;RZB;RZC", "", "", "",
             "https://www.england.nhs.uk/patient-safety/"});
  hz.AddRow({"NICE-CG161-R", "Falls in older people: assessing risk and prevention (review)",
             "guidance", "2023-09-01", "2024-03-01", "RZA;RZB;RZC", "FALLS", "2024-02-20",
             "Gap analysis done; falls bundle relaunch agreed", ""});
  hz.AddRow({"CQC-SOC-2023", "State of Care 2022/23", "report", "2023-10-20", "", "", "",
             "2023-12-01", "Discussed at the System Quality Group", ""});
  hz.AddRow({"NHSE-PSIRF-2", "PSIRF: oversight roles and responsibilities", "guidance",
             "2023-06-01", "2023-12-31", "RZD;RZE", "SI", "", "", ""});
  hz.AddRow({"DHSC-CH-COMMS", "Keeping families informed in care homes", "guidance", "2023-07-01",
             "2024-01-15", kCommunicationHome, "", "", "", ""});
  RETURN_IF_ERROR(
      imports::ImportGenerated(conn, Importers(), "horizon", std::move(hz), actor, at));
  // Acting on it: concerns, follow-ups, escalations, risks and meetings (follow_up_demo.cc).
  return FillFollowUpDemo(conn, actor, at);
}

}  // namespace shewhart::intelligence
