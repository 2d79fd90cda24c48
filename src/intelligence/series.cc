#include "intelligence/series.h"

#include <algorithm>
#include <map>
#include <set>

#include "base/date.h"
#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "intelligence/incidents.h"
#include "observations/observations.h"
#include "oversight/spc_store.h"

namespace shewhart::intelligence {
namespace {

constexpr size_t kMaxCodeWord = 32;

struct CountPlan {
  std::string_view prefix;      // "PSI_" / "CMP_"
  std::string_view date_field;  // the month a record counts in
  std::string_view all_code;
  std::string_view by_field;    // "category" / "subject"
  std::string_view by_prefix;   // "PSI_CAT_" / "CMP_SUBJ_"
  std::string_view noun;        // "Patient safety incidents" / "Complaints"
  std::string_view unit;        // "incidents" / "complaints"
  std::string_view domain;      // "safe" / "caring"
  bool harm = false;            // incidents: by harm level too
};

constexpr CountPlan kIncidentPlan = {"PSI_", "occurred", "PSI_ALL", "category", "PSI_CAT_",
                                     "Patient safety incidents", "incidents", "safe", true};
constexpr CountPlan kComplaintPlan = {"CMP_", "received", "CMP_ALL", "subject", "CMP_SUBJ_",
                                      "Complaints", "complaints", "caring", false};

const CountPlan* PlanOf(const Kind& kind) {
  if (kind.singular == "incident") return &kIncidentPlan;
  if (kind.singular == "complaint") return &kComplaintPlan;
  return nullptr;
}

Date MonthOf(std::string_view iso) {
  const std::optional<Date> d = ParseIsoDate(iso);
  if (!d) return 0;
  const CivilDate c = CivilFromDays(*d);
  return DaysFromCivil(c.year, c.month, 1);
}

Date NextMonth(Date m) {
  const CivilDate c = CivilFromDays(m);
  return c.month == 12 ? DaysFromCivil(c.year + 1, 1, 1) : DaysFromCivil(c.year, c.month + 1, 1);
}

// The organisation a unit's records count for: itself or the nearest organisation above it.
int64_t OrganisationOf(const directory::Directory& dir, int64_t unit_id) {
  for (const directory::Unit* u = dir.FindById(unit_id); u != nullptr;
       u = u->parent_id ? dir.FindById(*u->parent_id) : nullptr) {
    if (directory::IsOrganisationKind(u->kind)) return u->id;
  }
  return unit_id;
}

struct MetricWanted {
  std::string code;
  std::string name;
  std::string definition;
  std::string direction;
};

Status EnsureMetric(db::Connection& conn, const dictionary::Dictionary& dict,
                    const CountPlan& plan, const MetricWanted& w, std::string_view actor,
                    std::string_view at) {
  if (dict.FindByCode(w.code) != nullptr) return Status::Ok();
  ASSIGN_OR_RETURN(int64_t id, dictionary::InsertMetric(conn, w.code, actor, at));
  dictionary::MetricVersion v;
  v.version = 1;
  v.name = w.name;
  v.definition = w.definition;
  v.unit = std::string(plan.unit);
  v.measure = "value";
  v.improvement_direction = w.direction;
  v.chart_type = "c";
  v.frequency = "monthly";
  v.domain = std::string(plan.domain);
  v.source = "Counted by Shewhart from the " + std::string(plan.unit) + " held (intelligence)";
  v.owner = "System quality lead";
  v.status = "agreed";
  v.agreed_by = std::string(actor);
  v.agreed_at = std::string(at);
  v.created_by = std::string(actor);
  v.created_at = std::string(at);
  return dictionary::InsertVersion(conn, id, v).status();
}

}  // namespace

std::string CodeWord(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum) {
      out += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  if (out.size() > kMaxCodeWord) out.resize(kMaxCodeWord);
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out.empty() ? "OTHER" : out;
}

bool IsCountMetric(std::string_view code, std::string_view* source) {
  if (code.rfind(kIncidentPlan.prefix, 0) == 0) {
    if (source) *source = "incident";
    return true;
  }
  if (code.rfind(kComplaintPlan.prefix, 0) == 0) {
    if (source) *source = "complaint";
    return true;
  }
  return false;
}

Result<SeriesReport> RefreshCountSeries(db::Connection& conn, const Kind& kind,
                                        const std::vector<int64_t>& unit_ids,
                                        std::string_view actor, std::string_view at) {
  SeriesReport report;
  const CountPlan* plan = PlanOf(kind);
  if (plan == nullptr || unit_ids.empty()) return report;
  ASSIGN_OR_RETURN(directory::Directory dir, directory::Directory::Load(conn));
  std::set<int64_t> orgs;
  for (const int64_t u : unit_ids) {
    if (u != 0) orgs.insert(OrganisationOf(dir, u));
  }
  // The latest month with a record of the kind anywhere.
  const std::string last_sql = "SELECT MAX(" + std::string(plan->date_field) + ") FROM " +
                               std::string(kind.table);
  ASSIGN_OR_RETURN(std::optional<db::Row> last_row, conn.QueryRow(last_sql));
  const Date last_month =
      last_row && !last_row->IsNull(0) ? MonthOf(last_row->Text(0)) : Date{0};
  if (last_month == 0) return report;

  // Counts per organisation: metric code -> month -> count, and the metrics' names.
  std::map<int64_t, std::map<std::string, std::map<Date, int64_t>>> counts;
  std::map<int64_t, Date> first;
  std::map<std::string, MetricWanted> wanted;
  auto want = [&](std::string code, std::string name, std::string definition,
                  std::string direction) {
    if (!wanted.count(code)) wanted[code] = {code, std::move(name), std::move(definition),
                                             std::move(direction)};
    return code;
  };
  const std::string all_code =
      want(std::string(plan->all_code), std::string(plan->noun),
           std::string(plan->noun) + " recorded, counted by the month they " +
               (plan->harm ? "occurred." : "were received."),
           plan->harm ? "neutral" : "decrease");
  const access::Scope everything{.all = true};
  for (const int64_t org : orgs) {
    const directory::Unit* u = dir.FindById(org);
    if (u == nullptr) continue;
    ASSIGN_OR_RETURN(std::vector<Record> records,
                     ListRecords(conn, kind, everything, {.unit = u->code}));
    auto& c = counts[org];
    Date f = last_month;
    for (const Record& r : records) {
      const Date m = MonthOf(r.Get(plan->date_field));
      if (m == 0) continue;
      f = std::min(f, m);
      ++c[all_code][m];
      const std::string& by = r.Get(plan->by_field);
      if (!by.empty()) {
        ++c[want(std::string(plan->by_prefix) + CodeWord(by),
                 std::string(plan->noun) + ": " + by,
                 std::string(plan->noun) + " whose " + std::string(plan->by_field) + " is \"" + by +
                     "\", by month.",
                 "decrease")][m];
      }
      if (plan->harm) {
        const std::string& harm = r.Get("harm");
        if (!harm.empty()) {
          ++c[want("PSI_HARM_" + CodeWord(harm),
                   "Patient safety incidents: " + std::string(HarmText(harm)),
                   "Patient safety incidents graded \"" + std::string(HarmText(harm)) +
                       "\" (LFPSE), by the month they occurred.",
                   harm == "none" ? "neutral" : "decrease")][m];
        }
        if (HarmOrder(harm).value_or(0) >= 2) {
          ++c[want("PSI_HARM_MODERATE_PLUS", "Patient safety incidents: moderate harm or worse",
                   "Patient safety incidents graded moderate, severe or fatal (LFPSE), by the "
                   "month they occurred.",
                   "decrease")][m];
        }
      }
    }
    first[org] = f;
  }
  ASSIGN_OR_RETURN(dictionary::Dictionary dict, dictionary::Dictionary::Load(conn));
  bool added_metric = false;
  for (const auto& [code, w] : wanted) {
    if (dict.FindByCode(code) == nullptr) {
      RETURN_IF_ERROR(EnsureMetric(conn, dict, *plan, w, actor, at));
      added_metric = true;
    }
  }
  if (added_metric) {
    ASSIGN_OR_RETURN(dict, dictionary::Dictionary::Load(conn));
  }

  // Write each series: every month from the organisation's first to the last, zeros included;
  // also the series of this kind stored before for the organisation (a category no longer used).
  int64_t batch_id = 0;
  std::vector<oversight::SeriesKey> touched;
  for (const int64_t org : orgs) {
    auto& c = counts[org];
    std::set<const dictionary::Metric*> metrics;
    for (const dictionary::Metric& m : dict.metrics()) {
      if (m.code.rfind(plan->prefix, 0) == 0) metrics.insert(&m);
    }
    for (const dictionary::Metric* m : metrics) {
      std::map<Date, observations::StoredObservation> stored;
      RETURN_IF_ERROR(observations::ForEachInSeries(
          conn, m->id, org,
          [&](const observations::StoredObservation& s) { stored[s.obs.period] = s; }));
      auto cit = c.find(m->code);
      if (cit == c.end() && stored.empty()) continue;
      std::vector<observations::Observation> inserts;
      std::vector<observations::Correction> corrections;
      for (Date month = first[org]; month <= last_month; month = NextMonth(month)) {
        int64_t n = 0;
        if (cit != c.end()) {
          auto mit = cit->second.find(month);
          if (mit != cit->second.end()) n = mit->second;
        }
        observations::Observation o{.metric_id = m->id, .unit_id = org, .period = month,
                                    .value = static_cast<double>(n)};
        auto sit = stored.find(month);
        if (sit == stored.end()) {
          inserts.push_back(o);
        } else if (!sit->second.obs.SameNumbers(o)) {
          corrections.push_back({sit->second, o});
        }
      }
      if (inserts.empty() && corrections.empty()) continue;
      if (batch_id == 0) {
        ASSIGN_OR_RETURN(batch_id, observations::InsertBatch(
                                       conn, {"intelligence counts", std::string(kind.name), "",
                                              std::string(actor), std::string(at)}));
      }
      RETURN_IF_ERROR(observations::InsertObservations(conn, inserts, batch_id, at));
      RETURN_IF_ERROR(observations::ApplyCorrections(conn, corrections, batch_id, actor, at));
      touched.push_back({m->id, org, false});
    }
  }
  if (touched.empty()) return report;
  ASSIGN_OR_RETURN(oversight::RecomputeStats s,
                   oversight::RecomputeSpc(conn, dir, dict, touched, at));
  report.series = s.series;
  report.aggregates = s.aggregates;
  return report;
}

}  // namespace shewhart::intelligence
