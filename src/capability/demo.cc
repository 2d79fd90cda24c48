// The capability part's demo data: North West Surrey's Learn-Live-Lead story told on the demo
// Integrated Care System (North Wessex) — eleven partner organisations and the 40 GP practices
// building QI capability across their boundaries over two years (April 2022 - March 2024), with a
// fixed seed, loaded through the ordinary imports (same validation, audit and tier history).
//
// The story, written in on purpose:
//   1. June 2022: the community of practice is launched and the monthly Learn sessions begin,
//      taught by external faculty (no trainer from the system).
//   2. Waves of the Live practitioner programme: Wave 1 (October 2022), Wave 2 (April 2023),
//      Wave 3 (October 2023), recruited from the Learn graduates; practitioners are coached.
//   3. January and July 2023: the first coach-development cohorts (Lead). From spring 2023 the
//      system's own Lead people teach more and more sessions, so in-house delivery — and the
//      self-sustainability index — rises through the second year.
// About 300 staff; fictional names; work emails only (trust domains, nhs.net for practices).
#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "base/date.h"
#include "access/audit.h"
#include "base/text_checks.h"
#include "capability/measures.h"
#include "capability/part.h"
#include "capability/people.h"
#include "capability/programme.h"
#include "capability/questionnaires.h"
#include "imports/imports.h"
#include "imports/table.h"

namespace shewhart::capability {
namespace {

using imports::Table;

constexpr uint64_t kSeed = 20221001;

struct Partner {
  const char* code;
  const char* domain;
  int people;
};
// Eleven partners of the demo system (the care homes collaborative is left out, as NWS's eleven).
constexpr Partner kPartners[] = {
    {"RZA", "avonford.nhs.uk", 55},
    {"RZB", "brackleyvale.nhs.uk", 38},
    {"RZC", "nwessexcommunity.nhs.uk", 28},
    {"RZD", "wessexpartnership.nhs.uk", 24},
    {"RZE", "swcas.nhs.uk", 20},
    {"E06000901", "northwessex.gov.uk", 9},
    {"NZH01", "staldhelms.org.uk", 5},
    {"NZP01", "nhs.net", 7},
    {"NZP02", "nhs.net", 7},
    {"NZV01", "wessexva.org.uk", 4},
    {"NZI01", "castletontc.co.uk", 5},
};
constexpr int kPractices = 40;
constexpr int kPeoplePerPractice = 2;

constexpr const char* kFirst[] = {
    "Amira", "Ben",  "Chloe", "Deepak", "Ellen", "Femi",  "Grace", "Harvey", "Isla",   "Jonah",
    "Kiran", "Leah", "Marek", "Nadia",  "Owen",  "Priya", "Quinn", "Rosa",   "Sami",   "Tara",
    "Umar",  "Vera", "Wes",   "Xanthe", "Yusuf", "Zara",  "Aled",  "Bryony", "Callum", "Dina"};
constexpr const char* kLast[] = {
    "Adeyemi", "Barker",  "Chowdhury", "Dawson", "Evans",  "Fletcher", "Gill",   "Hughes",
    "Iqbal",   "Jenkins", "Kowalski",  "Lloyd",  "Mensah", "Nolan",    "Okafor", "Patel",
    "Quigley", "Reid",    "Shah",      "Turner", "Usman",  "Vaughan",  "Walsh",  "Young"};
constexpr const char* kProfessions[] = {
    "Nursing",    "Medical",        "Allied health professional", "Pharmacy",
    "Management", "Administrative", "Healthcare science",         "Social care"};

struct CourseSpec {
  const char* code;
  const char* title;
  const char* tier;
  const char* level;
  const char* format;
};
constexpr CourseSpec kCourses[] = {
    {"LLL-L1", "Learn: introduction to quality improvement", "learn", "basic", "online"},
    {"LLL-L2", "Learn: QI fundamentals (half day)", "learn", "basic", "in person"},
    {"LLL-P1", "Live: QI practitioner programme (wave)", "live", "intermediate", "blended"},
    {"LLL-P2", "Live: measurement for improvement", "live", "intermediate", "online"},
    {"LLL-C1", "Lead: QI coach development", "lead", "advanced", "in person"},
    {"LLL-C2", "Lead: leading improvement masterclass", "lead", "masterclass", "in person"},
};

// The first day of month `index` counted from April 2022 (0), plus `day` - 1.
Date MonthDay(int index, int day) {
  const int total = 2022 * 12 + 3 + index;
  return DaysFromCivil(total / 12, total % 12 + 1, day);
}

struct DemoPerson {
  std::string email;
  int learn_month = -1;  // the month of their Learn session (-1 none)
  int live_month = -1;   // their wave of the practitioner programme
  int lead_month = -1;   // their coach-development cohort
};

// Improvement project team members (email lower-cased, the project's unit code) when the
// improvement part's tables exist; emails that are not work addresses are left out.
using TeamList = std::vector<std::pair<std::string, std::string>>;
Result<TeamList> ProjectTeam(db::Connection& conn) {
  std::vector<std::pair<std::string, std::string>> out;
  ASSIGN_OR_RETURN(bool members,
                   HasColumns(conn, "improvement_team_member", {"project_id", "email", "role"}));
  ASSIGN_OR_RETURN(bool projects, HasColumns(conn, "improvement_project", {"id", "unit_id"}));
  if (!members || !projects) return out;
  RETURN_IF_ERROR(conn.Query(
      "SELECT m.email, u.code FROM improvement_team_member m JOIN improvement_project p ON p.id = "
      "m.project_id JOIN unit u ON u.id = p.unit_id ORDER BY p.id, m.email",
      {}, [&](const db::Row& r) {
        std::string email = AsciiLower(r.OptionalText(0).value_or(""));
        const bool ok = IsUsableWorkEmail(email) && !ContainsNhsNumber(email) &&
                        email.size() < 200;
        if (ok) out.push_back({email, r.Text(1)});
        return db::Flow::kContinue;
      }));
  return out;
}

// "Ana Smith" from "ana.smith@trust.nhs.uk".
std::string NameFromEmail(const std::string& email) {
  std::string local = email.substr(0, email.find('@'));
  std::string out;
  bool start = true;
  for (char c : local) {
    if (c == '.' || c == '_' || c == '-') {
      out += ' ';
      start = true;
    } else if (c >= '0' && c <= '9') {
      continue;
    } else {
      out += start && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
      start = false;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out.empty() ? local : out;
}

}  // namespace

Status FillProgrammeDemo(db::Connection& conn, std::string_view actor, std::string_view at);

Status FillDemo(db::Connection& conn, std::string_view actor, std::string_view at) {
  ASSIGN_OR_RETURN(std::optional<db::Row> demo,
                   conn.QueryRow("SELECT id FROM unit WHERE code = 'N99040'"));
  if (!demo) return Status::Ok();  // not the demo system
  std::mt19937_64 rng(kSeed);
  std::uniform_real_distribution<double> u(0, 1);
  auto pick = [&](auto& list) { return list[rng() % std::size(list)]; };

  // People: first the improvement part's project teams, when it has landed (its FillDemo ran
  // before this one), as people of their project's organisation, so the two stories agree.
  Table people{.name = "", .header = {"email", "name", "organisation", "profession", "consent"}};
  std::vector<DemoPerson> all;
  using Team = std::vector<std::pair<std::string, std::string>>;
  ASSIGN_OR_RETURN(Team team, ProjectTeam(conn));
  std::set<std::string> team_emails;
  for (const auto& [email, org] : team) {
    if (!team_emails.insert(email).second) continue;
    people.AddRow({email, NameFromEmail(email), org, "Improvement project team", "yes"});
  }
  auto add_person = [&](const std::string& org, const std::string& domain, bool gp) {
    const std::string first = pick(kFirst);
    const std::string last = pick(kLast);
    std::string local = first + "." + last + std::to_string(all.size() + 1);
    std::transform(local.begin(), local.end(), local.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const std::string email = local + "@" + domain;
    people.AddRow(
        {email, first + " " + last, org, gp ? "General practice" : pick(kProfessions), "yes"});
    all.push_back({email});
  };
  for (const Partner& p : kPartners) {
    for (int i = 0; i < p.people; ++i) add_person(p.code, p.domain, false);
  }
  for (int g = 1; g <= kPractices; ++g) {
    char code[8];
    std::snprintf(code, sizeof(code), "N99%03d", g);
    for (int i = 0; i < kPeoplePerPractice; ++i) add_person(code, "nhs.net", true);
  }
  RETURN_IF_ERROR(
      imports::ImportGenerated(conn, Importers(), "people", std::move(people), actor, at));

  Table courses{.name = "", .header = {"code", "title", "tier", "level", "format"}};
  for (const CourseSpec& c : kCourses) courses.AddRow({c.code, c.title, c.tier, c.level, c.format});
  RETURN_IF_ERROR(
      imports::ImportGenerated(conn, Importers(), "courses", std::move(courses), actor, at));

  // Who goes how far, and when. Learn sessions monthly from June 2022 (month 2); waves of the
  // practitioner programme in October 2022, April 2023 and October 2023; coach cohorts in
  // January and July 2023.
  constexpr int kWaves[] = {6, 12, 18};
  constexpr int kCoachCohorts[] = {9, 15};
  for (DemoPerson& p : all) {
    if (u(rng) > 0.85) continue;  // never came
    p.learn_month = 2 + static_cast<int>(u(rng) * 21);
    for (int w : kWaves) {
      if (w > p.learn_month + 1 && w <= p.learn_month + 12 && u(rng) < 0.5) {
        p.live_month = w;
        break;
      }
    }
    if (p.live_month < 0) continue;
    for (int c : kCoachCohorts) {
      if (c > p.live_month && u(rng) < 0.4) {
        p.lead_month = c;
        break;
      }
    }
  }

  Table attendance{.name = "", .header = {"email", "course", "date", "attended", "role"}};
  std::vector<std::pair<int, size_t>> leads;  // (cohort month, person)
  for (size_t i = 0; i < all.size(); ++i) {
    const DemoPerson& p = all[i];
    if (p.learn_month >= 0) {
      const char* course = u(rng) < 0.6 ? "LLL-L1" : "LLL-L2";
      // One in ten was booked on an earlier session and did not come.
      if (p.learn_month > 2 && u(rng) < 0.1) {
        attendance.AddRow(
            {p.email, course, FormatIsoDate(MonthDay(p.learn_month - 1, 12)), "no", "attendee"});
      }
      attendance.AddRow(
          {p.email, course, FormatIsoDate(MonthDay(p.learn_month, 12)), "yes", "attendee"});
    }
    if (p.live_month >= 0) {
      attendance.AddRow(
          {p.email, "LLL-P1", FormatIsoDate(MonthDay(p.live_month, 5)), "yes", "attendee"});
      if (u(rng) < 0.4) {
        attendance.AddRow(
            {p.email, "LLL-P2", FormatIsoDate(MonthDay(p.live_month + 2, 20)), "yes", "attendee"});
      }
    }
    if (p.lead_month >= 0) {
      attendance.AddRow(
          {p.email, "LLL-C1", FormatIsoDate(MonthDay(p.lead_month, 8)), "yes", "attendee"});
      leads.push_back({p.lead_month, i});
    }
  }
  // Trainers: from a month after the first coach cohort, Lead people teach a growing share of the
  // Learn sessions and, from Wave 3, the practitioner programme.
  for (int m = 2; m < 24; ++m) {
    std::vector<size_t> faculty;
    for (const auto& [cohort, i] : leads) {
      if (cohort < m) faculty.push_back(i);
    }
    if (faculty.empty()) continue;
    const double share = std::min(0.95, 0.3 + 0.08 * (m - 10));
    for (const char* course : {"LLL-L1", "LLL-L2"}) {
      if (u(rng) < share) {
        attendance.AddRow({all[faculty[rng() % faculty.size()]].email, course,
                           FormatIsoDate(MonthDay(m, 12)), "yes", "trainer"});
      }
    }
    if (m == 18) {
      attendance.AddRow({all[faculty[rng() % faculty.size()]].email, "LLL-P1",
                         FormatIsoDate(MonthDay(m, 5)), "yes", "trainer"});
    }
  }
  RETURN_IF_ERROR(
      imports::ImportGenerated(conn, Importers(), "attendance", std::move(attendance), actor, at));

  // Coaching: each Lead person coaches one to three practitioners of a later wave; the
  // practitioner programme's own coaches (the external faculty) are not in the register.
  Table coaching{.name = "", .header = {"coach", "coachee", "started", "ended", "project"}};
  constexpr const char* kProjects[] = {"Reducing falls on older people's wards",
                                       "Discharge before noon",
                                       "Sepsis screening",
                                       "Medicines reconciliation at admission",
                                       "Practice appointment access",
                                       "Pressure ulcer prevention",
                                       "Handover in the ambulance service"};
  for (const auto& [cohort, coach] : leads) {
    const int n = 1 + static_cast<int>(rng() % 3);
    int given = 0;
    for (size_t k = 0; k < all.size() && given < n; ++k) {
      const size_t j = (coach + 7 * (k + 1)) % all.size();
      const DemoPerson& c = all[j];
      if (j == coach || c.live_month <= cohort || c.lead_month >= 0) continue;
      const Date started = MonthDay(c.live_month, 15);
      const bool ended = u(rng) < 0.5 && c.live_month + 7 < 24;
      coaching.AddRow({all[coach].email, c.email, FormatIsoDate(started),
                       ended ? FormatIsoDate(MonthDay(c.live_month + 7, 1)) : "", pick(kProjects)});
      ++given;
    }
  }
  RETURN_IF_ERROR(
      imports::ImportGenerated(conn, Importers(), "coaching", std::move(coaching), actor, at));
  RETURN_IF_ERROR(FillProgrammeDemo(conn, actor, at));
  return RefreshCapabilityMeasures(conn, actor, at).status();
}

}  // namespace shewhart::capability
