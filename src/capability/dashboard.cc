#include "capability/dashboard.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "base/date.h"
#include "base/text_checks.h"
#include "capability/programme.h"

namespace shewhart::capability {
namespace {

// The targets of the parts (design; docs/capability.md).
constexpr double kInHouseTarget = 0.8;
constexpr double kCoachRatioTarget = 0.2;
constexpr double kProgressionTarget = 0.3;
constexpr double kRetentionTarget = 0.8;
constexpr double kCommunityLedTarget = 0.5;

// `iso` moved by `months` calendar months (negative = back), the day clamped to the month's
// length (2024-02-29 minus 12 months -> 2023-02-28). REQUIRES: a valid YYYY-MM-DD.
std::string AddMonths(std::string_view iso, int months) {
  const std::optional<Date> d = ParseIsoDate(iso);
  if (!d) return std::string(iso);
  const CivilDate c = CivilFromDays(*d);
  int32_t total = c.year * 12 + (c.month - 1) + months;
  const int32_t y = total / 12;
  const int32_t m = total % 12 + 1;
  const int32_t day = std::min<int32_t>(c.day, DaysInMonth(y, m));
  return FormatIsoDate(DaysFromCivil(y, m, day));
}

SustainabilityPart Part(std::string name, std::string description, int64_t numerator,
                        int64_t denominator, double target) {
  SustainabilityPart p{std::move(name), std::move(description), numerator,
                       denominator,     std::nullopt,           target,
                       std::nullopt};
  if (denominator > 0) {
    p.value = static_cast<double>(numerator) / static_cast<double>(denominator);
    p.score = std::min(*p.value / target, 1.0);
  }
  return p;
}

}  // namespace

Dashboard ComputeDashboard(const Register& reg, const std::vector<int64_t>& units,
                           std::string_view as_of, int64_t projects_led_by_community,
                           int64_t active_projects) {
  Dashboard d;
  d.as_of = std::string(as_of);
  const std::string year_ago = AddMonths(as_of, -12);
  const std::string half_year_ago = AddMonths(as_of, -6);
  auto in_scope = [&](size_t i) {
    return units.empty() ||
           std::find(units.begin(), units.end(), reg.people[i].unit_id) != units.end();
  };
  std::vector<Tier> tier(reg.people.size(), Tier::kNone);
  int64_t cohort = 0, progressed = 0;
  for (size_t i = 0; i < reg.people.size(); ++i) {
    if (!in_scope(i)) continue;
    ++d.people;
    tier[i] = DecideTier(reg.evidence[i], reg.overrides[i], as_of).tier;
    d.learn += tier[i] == Tier::kLearn;
    d.live += tier[i] == Tier::kLive;
    d.lead += tier[i] == Tier::kLead;
    // Progression: the first Learn course at least a year before as_of; Live or Lead evidence
    // within a year of it.
    std::string first_learn;
    for (const Evidence& e : reg.evidence[i]) {
      if (e.activity == Activity::kAttended && e.tier == Tier::kLearn &&
          (first_learn.empty() || e.date < first_learn)) {
        first_learn = e.date;
      }
    }
    if (!first_learn.empty() && first_learn <= year_ago) {
      ++cohort;
      const std::string within = AddMonths(first_learn, 12);
      for (const Evidence& e : reg.evidence[i]) {
        if (e.tier >= Tier::kLive && e.date >= first_learn && e.date <= within) {
          ++progressed;
          break;
        }
      }
    }
  }
  // Attendance in the 12 months to as_of; sessions (course + date) for in-house delivery.
  std::set<size_t> attended;
  std::set<std::pair<std::string, std::string>> sessions, taught;
  std::set<size_t> taught_recently;  // people who taught in the 6 months to as_of
  for (const Register::Session& s : reg.attendance) {
    if (!s.attended || s.date > as_of) continue;
    if (s.role == "trainer" && s.date > half_year_ago) taught_recently.insert(s.person);
    if (s.date <= year_ago) continue;
    if (s.role == "trainer") taught.insert({s.course, s.date});
    if (!in_scope(s.person)) continue;
    sessions.insert({s.course, s.date});
    if (s.role != "trainer") attended.insert(s.person);
  }
  d.attended = static_cast<int64_t>(attended.size());
  int64_t in_house = 0;
  for (const auto& s : sessions) in_house += taught.count(s) > 0;
  // Coaches on as_of; Lead people active in the last 6 months.
  std::set<size_t> coaches, active_lead = taught_recently;
  for (const Register::Coaching& c : reg.coaching) {
    if (c.started > as_of) continue;
    if (c.ended.empty() || c.ended >= as_of) {
      if (in_scope(c.coach)) coaches.insert(c.coach);
    }
    if (c.ended.empty() || c.ended > half_year_ago) active_lead.insert(c.coach);
  }
  d.coaches = static_cast<int64_t>(coaches.size());
  int64_t minutes = 0;
  for (const Register::SessionHeld& h : reg.sessions) {
    if (h.date > year_ago && h.date <= as_of && in_scope(h.coach)) minutes += h.minutes;
  }
  d.coaching_hours = static_cast<double>(minutes) / 60.0;
  int64_t leads_active = 0;
  for (size_t i = 0; i < reg.people.size(); ++i) {
    if (in_scope(i) && tier[i] == Tier::kLead && active_lead.count(i)) ++leads_active;
  }
  d.projects_led_by_community = projects_led_by_community;
  for (const Register::Session& s : reg.attendance)
    d.latest_evidence = std::max(d.latest_evidence, s.date);
  for (const Register::Coaching& c : reg.coaching) {
    d.latest_evidence = std::max(d.latest_evidence, std::max(c.started, c.ended));
  }

  Sustainability& s = d.self_sustainability;
  s.parts.push_back(Part("in_house_delivery",
                         "training sessions in the 12 months taught by the system's own people / "
                         "all training sessions in the 12 months",
                         in_house, static_cast<int64_t>(sessions.size()), kInHouseTarget));
  s.parts.push_back(
      Part("coach_ratio", "active coaches / people in Live", d.coaches, d.live, kCoachRatioTarget));
  s.parts.push_back(Part("progression",
                         "people who reached Live or Lead within a year of their first Learn "
                         "course / people whose first Learn course was at least a year ago",
                         progressed, cohort, kProgressionTarget));
  s.parts.push_back(Part("lead_retention",
                         "Lead people who taught or coached in the last 6 months / Lead people",
                         leads_active, d.lead, kRetentionTarget));
  s.parts.push_back(Part("community_led_projects",
                         "active projects led by the QI community / active projects",
                         projects_led_by_community, active_projects, kCommunityLedTarget));
  double sum = 0;
  int n = 0;
  for (const SustainabilityPart& p : s.parts) {
    if (!p.score) continue;
    sum += *p.score;
    ++n;
  }
  if (n > 0) s.index = 100.0 * sum / n;  // not rounded: screens show one decimal place
  return d;
}

Result<ProjectCounts> CountProjects(db::Connection& conn, const Register& reg,
                                    const std::vector<int64_t>& units, std::string_view as_of) {
  ProjectCounts out;
  // The improvement part's table with the columns agreed (/work/CROSS-PART.md); a schema without
  // them counts nothing rather than failing the dashboard.
  ASSIGN_OR_RETURN(bool ok, HasColumns(conn, "improvement_project",
                                       {"unit_id", "lead_email", "status", "started"}));
  if (!ok) return out;
  std::set<std::string> community;
  for (size_t i = 0; i < reg.people.size(); ++i) {
    if (DecideTier(reg.evidence[i], reg.overrides[i], as_of).tier >= Tier::kLive) {
      community.insert(reg.people[i].email);
    }
  }
  RETURN_IF_ERROR(conn.Query(
      "SELECT unit_id, lead_email, status, started FROM improvement_project", {},
      [&](const db::Row& r) {
        const std::string status = r.OptionalText(2).value_or("");
        const std::string started = r.OptionalText(3).value_or("");
        if (!started.empty() && started > as_of) return db::Flow::kContinue;
        if (InactiveProjectStatus(status)) return db::Flow::kContinue;
        const int64_t unit = r.OptionalInt(0).value_or(0);
        if (!units.empty() && std::find(units.begin(), units.end(), unit) == units.end()) {
          return db::Flow::kContinue;
        }
        ++out.active;
        if (community.count(AsciiLower(r.OptionalText(1).value_or("")))) ++out.led_by_community;
        return db::Flow::kContinue;
      }));
  return out;
}

Result<Dashboard> CapabilityOn(db::Connection& conn, std::string_view organisation,
                               std::string_view as_of) {
  if (!ParseIsoDate(as_of)) {
    return InvalidArgumentError("as_of must be a date written YYYY-MM-DD, not \"" +
                                std::string(as_of) + "\"");
  }
  std::vector<int64_t> units;
  if (!organisation.empty()) {
    ASSIGN_OR_RETURN(
        std::optional<db::Row> unit,
        conn.QueryRow("SELECT id FROM unit WHERE code = ?", {std::string(organisation)}));
    if (!unit) {
      return NotFoundError("there is no organisation \"" + std::string(organisation) + "\"");
    }
    ASSIGN_OR_RETURN(units, UnitAndBelow(conn, unit->Int(0)));
  }
  ASSIGN_OR_RETURN(Register reg, LoadRegister(conn));
  ASSIGN_OR_RETURN(ProjectCounts projects, CountProjects(conn, reg, units, as_of));
  // Projects a community of practice leads that are not the improvement part's (programme.h).
  ASSIGN_OR_RETURN(int64_t cop, CountCommunityProjects(conn, units, as_of));
  projects.active += cop;
  projects.led_by_community += cop;
  Dashboard d = ComputeDashboard(reg, units, as_of, projects.led_by_community, projects.active);
  d.organisation = std::string(organisation);
  return d;
}

}  // namespace shewhart::capability
