#include "capability/measures.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "base/date.h"
#include "capability/dashboard.h"
#include "capability/people.h"
#include "capability/programme.h"
#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "observations/observations.h"
#include "oversight/spc_store.h"

namespace shewhart::capability {
namespace {

struct MetricSpec {
  std::string_view code, name, definition, unit, chart, direction;
};
constexpr MetricSpec kSpecs[] = {
    {"CAP_LEARN", "People in the Learn tier",
     "People whose Learn / Live / Lead tier at the end of the month is Learn (docs/capability.md).",
     "people", "xmr", "increase"},
    {"CAP_LIVE", "People in the Live tier",
     "People whose tier at the end of the month is Live: applying QI in their work.", "people",
     "xmr", "increase"},
    {"CAP_LEAD", "People in the Lead tier",
     "People whose tier at the end of the month is Lead: teaching, coaching or mentoring others.",
     "people", "xmr", "increase"},
    {"CAP_ATTENDED", "People attending QI training",
     "People who attended a QI training session (as attendees) in the month.", "people", "c",
     "increase"},
    {"CAP_COACHING_HOURS", "QI coaching hours",
     "Hours of coaching sessions held in the month by coaches of the organisation.", "hours",
     "xmr", "increase"},
    {"CAP_PROJECTS_COMMUNITY", "Projects led by the QI community",
     "Active improvement projects at the end of the month led by a member of the QI community "
     "(a person at Live or Lead), and projects a community of practice leads.",
     "projects", "xmr", "increase"},
    {"CAP_SSI", "QI community self-sustainability index",
     "The self-sustainability index (0-100) at the end of the month: 100 x the mean score of its "
     "measurable parts (docs/capability.md).",
     "index", "xmr", "increase"},
};

Date FirstOfMonth(Date d) {
  const CivilDate c = CivilFromDays(d);
  return DaysFromCivil(c.year, c.month, 1);
}
Date NextMonth(Date m) {
  const CivilDate c = CivilFromDays(m);
  return c.month == 12 ? DaysFromCivil(c.year + 1, 1, 1) : DaysFromCivil(c.year, c.month + 1, 1);
}

int64_t OrganisationOf(const directory::Directory& dir, int64_t unit_id) {
  for (const directory::Unit* u = dir.FindById(unit_id); u != nullptr;
       u = u->parent_id ? dir.FindById(*u->parent_id) : nullptr) {
    if (directory::IsOrganisationKind(u->kind)) return u->id;
  }
  return unit_id;
}

}  // namespace

Result<MeasuresReport> RefreshCapabilityMeasures(db::Connection& conn, std::string_view actor,
                                                 std::string_view at) {
  MeasuresReport report;
  ASSIGN_OR_RETURN(Register reg, LoadRegister(conn));
  std::string first, last;
  for (const Register::Session& s : reg.attendance) {
    if (first.empty() || s.date < first) first = s.date;
    last = std::max(last, s.date);
  }
  for (const Register::Coaching& c : reg.coaching) {
    if (first.empty() || c.started < first) first = c.started;
    last = std::max(last, std::max(c.started, c.ended));
  }
  if (first.empty()) return report;
  ASSIGN_OR_RETURN(directory::Directory dir, directory::Directory::Load(conn));
  // Organisations with people, and the units that count for each; the system's unit(s).
  std::map<int64_t, std::vector<int64_t>> orgs;
  for (const Person& p : reg.people) {
    std::vector<int64_t>& units = orgs[OrganisationOf(dir, p.unit_id)];
    if (std::find(units.begin(), units.end(), p.unit_id) == units.end()) {
      units.push_back(p.unit_id);
    }
  }
  for (const directory::Unit& u : dir.units()) {
    if (u.kind == "system" && !u.parent_id) orgs[u.id] = {};  // everyone
  }
  // Make sure the metrics exist.
  ASSIGN_OR_RETURN(dictionary::Dictionary dict, dictionary::Dictionary::Load(conn));
  bool added = false;
  for (const MetricSpec& m : kSpecs) {
    if (dict.FindByCode(m.code) != nullptr) continue;
    ASSIGN_OR_RETURN(int64_t id, dictionary::InsertMetric(conn, m.code, actor, at));
    dictionary::MetricVersion v;
    v.version = 1;
    v.name = std::string(m.name);
    v.definition = std::string(m.definition);
    v.unit = std::string(m.unit);
    v.measure = "value";
    v.improvement_direction = std::string(m.direction);
    v.chart_type = std::string(m.chart);
    v.frequency = "monthly";
    v.domain = "improvement capability";
    v.source = "Computed by Shewhart from the capability register (capability)";
    v.owner = "System quality lead";
    v.status = "agreed";
    v.agreed_by = std::string(actor);
    v.agreed_at = std::string(at);
    v.created_by = std::string(actor);
    v.created_at = std::string(at);
    RETURN_IF_ERROR(dictionary::InsertVersion(conn, id, v).status());
    added = true;
  }
  if (added) {
    ASSIGN_OR_RETURN(dict, dictionary::Dictionary::Load(conn));
  }
  std::vector<const dictionary::Metric*> metrics;
  for (const MetricSpec& m : kSpecs) metrics.push_back(dict.FindByCode(m.code));

  const Date from = FirstOfMonth(*ParseIsoDate(first));
  const Date to = FirstOfMonth(*ParseIsoDate(last));
  // values[org][metric index][month]
  std::map<int64_t, std::vector<std::map<Date, double>>> values;
  for (Date month = from; month <= to; month = NextMonth(month)) {
    ++report.months;
    const std::string start = FormatIsoDate(month);
    const std::string end = FormatIsoDate(NextMonth(month) - 1);
    for (const auto& [org, units] : orgs) {
      auto in_scope = [&](size_t i) {
        return units.empty() ||
               std::find(units.begin(), units.end(), reg.people[i].unit_id) != units.end();
      };
      ASSIGN_OR_RETURN(ProjectCounts projects, CountProjects(conn, reg, units, end));
      ASSIGN_OR_RETURN(int64_t cop, CountCommunityProjects(conn, units, end));
      const Dashboard d = ComputeDashboard(reg, units, end, projects.led_by_community + cop,
                                           projects.active + cop);
      if (d.people == 0) continue;
      std::set<size_t> attended;
      for (const Register::Session& s : reg.attendance) {
        if (s.attended && s.role != "trainer" && s.date >= start && s.date <= end &&
            in_scope(s.person)) {
          attended.insert(s.person);
        }
      }
      int64_t minutes = 0;
      for (const Register::SessionHeld& h : reg.sessions) {
        if (h.date >= start && h.date <= end && in_scope(h.coach)) minutes += h.minutes;
      }
      auto& v = values[org];
      v.resize(std::size(kSpecs));
      v[0][month] = static_cast<double>(d.learn);
      v[1][month] = static_cast<double>(d.live);
      v[2][month] = static_cast<double>(d.lead);
      v[3][month] = static_cast<double>(attended.size());
      v[4][month] = static_cast<double>(minutes) / 60.0;
      v[5][month] = static_cast<double>(d.projects_led_by_community);
      if (d.self_sustainability.index) v[6][month] = *d.self_sustainability.index;
    }
  }
  int64_t batch_id = 0;
  std::vector<oversight::SeriesKey> touched;
  for (const auto& [org, per_metric] : values) {
    ++report.units;
    for (size_t k = 0; k < per_metric.size(); ++k) {
      const dictionary::Metric* m = metrics[k];
      if (m == nullptr) continue;
      std::map<Date, observations::StoredObservation> stored;
      RETURN_IF_ERROR(observations::ForEachInSeries(
          conn, m->id, org,
          [&](const observations::StoredObservation& s) { stored[s.obs.period] = s; }));
      std::vector<observations::Observation> inserts;
      std::vector<observations::Correction> corrections;
      for (const auto& [month, value] : per_metric[k]) {
        observations::Observation o{
            .metric_id = m->id, .unit_id = org, .period = month, .value = value};
        auto sit = stored.find(month);
        if (sit == stored.end()) {
          inserts.push_back(o);
        } else if (!sit->second.obs.SameNumbers(o)) {
          corrections.push_back({sit->second, o});
        }
      }
      if (inserts.empty() && corrections.empty()) continue;
      if (batch_id == 0) {
        ASSIGN_OR_RETURN(batch_id,
                         observations::InsertBatch(conn, {"capability measures", "capability", "",
                                                          std::string(actor), std::string(at)}));
      }
      RETURN_IF_ERROR(observations::InsertObservations(conn, inserts, batch_id, at));
      RETURN_IF_ERROR(observations::ApplyCorrections(conn, corrections, batch_id, actor, at));
      report.observations += static_cast<int64_t>(inserts.size() + corrections.size());
      touched.push_back({m->id, org, false});
    }
  }
  if (touched.empty()) return report;
  ASSIGN_OR_RETURN(oversight::RecomputeStats s,
                   oversight::RecomputeSpc(conn, dir, dict, touched, at));
  report.series = s.series;
  return report;
}

}  // namespace shewhart::capability
