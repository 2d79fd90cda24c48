#include "intelligence/signals.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <mutex>
#include <set>

#include "access/audit.h"
#include "base/date.h"
#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "intelligence/follow_up.h"
#include "intelligence/incidents.h"
#include "intelligence/part.h"
#include "intelligence/records.h"
#include "intelligence/series.h"
#include "intelligence/sources.h"
#include "oversight/comparison.h"

namespace shewhart::intelligence {
namespace {

// The tiers of the ranking (docs/intelligence.md, "Signals"): higher first.
constexpr int kFatalIncident = 100;
constexpr int kRatingInadequate = 95;
constexpr int kSevereIncident = 90;
constexpr int kHarmRise = 85;
constexpr int kSpcConcern = 80;
constexpr int kKeyQuestionInadequate = 80;
constexpr int kRatingRequiresImprovement = 75;
constexpr int kComplaintRise = 72;
constexpr int kIncidentRise = 70;
constexpr int kAssuranceFail = 70;
constexpr int kConcerningNote = 65;
constexpr int kRatingWorsened = 60;
constexpr int kFunnelOutlier = 60;
constexpr int kAuditNotMet = 55;
constexpr int kBenchmarkWorse = 50;
constexpr int kHorizonOverdue = 45;
constexpr int kAssuranceInconsistent = 40;
constexpr int kAuditPartlyMet = 35;

constexpr std::string_view kSourceOrder[] = {"incident", "rating", "spc", "complaint",
                                             "assurance", "note", "funnel", "audit",
                                             "benchmark", "horizon"};

int SourceIndex(std::string_view s) {
  for (size_t i = 0; i < std::size(kSourceOrder); ++i) {
    if (kSourceOrder[i] == s) return static_cast<int>(i);
  }
  return static_cast<int>(std::size(kSourceOrder));
}

constexpr const char* kMonths[] = {"January", "February", "March",     "April",   "May",
                                   "June",    "July",     "August",    "September", "October",
                                   "November", "December"};

// "12 Mar 2024"; "March 2024" for a month.
std::string Day(std::string_view iso) {
  const std::optional<Date> d = ParseIsoDate(iso);
  if (!d) return std::string(iso);
  const CivilDate c = CivilFromDays(*d);
  return std::to_string(c.day) + " " + std::string(kMonths[c.month - 1]).substr(0, 3) + " " +
         std::to_string(c.year);
}
std::string Month(std::string_view iso) {
  const std::optional<Date> d = ParseIsoDate(iso);
  if (!d) return std::string(iso);
  const CivilDate c = CivilFromDays(*d);
  return std::string(kMonths[c.month - 1]) + " " + std::to_string(c.year);
}

std::string Lower(std::string s) {
  if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z' && !(s.size() > 1 && s[1] >= 'A' && s[1] <= 'Z')) {
    s[0] = static_cast<char>(s[0] - 'A' + 'a');
  }
  return s;
}

std::string Plural(int64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string FormatValue(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3g", v);
  return buf;
}

// One stored SPC result of a unit's own series.
struct SpcRow {
  int64_t unit_id = 0;
  std::string unit;
  std::string metric;
  std::string variation, assurance, last_period, periods, point_types;
  std::optional<double> target;
};

constexpr std::string_view kSpcSelect =
    "SELECT r.unit_id, u.code, m.code, r.variation, r.assurance, r.last_period, r.periods, "
    "r.point_types, r.target FROM spc_result r JOIN unit u ON u.id = r.unit_id "
    "JOIN metric m ON m.id = r.metric_id WHERE r.aggregate = 0";
constexpr std::string_view kSpcSelectUnit =
    "SELECT r.unit_id, u.code, m.code, r.variation, r.assurance, r.last_period, r.periods, "
    "r.point_types, r.target FROM spc_result r JOIN unit u ON u.id = r.unit_id "
    "JOIN metric m ON m.id = r.metric_id WHERE r.unit_id = ? AND r.aggregate = 0";

SpcRow SpcFromRow(const db::Row& r) {
  return {r.Int(0),  r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5),
          r.Text(6), r.Text(7), r.OptionalDouble(8)};
}

// The funnels of (metric, period), kept while no import batch has been written since.
class FunnelCache {
 public:
  // The outlier side and the 95% side of `unit` ("high", "low" or ""), or nullopt when the
  // funnel cannot be drawn (a plain value, fewer than 2 organisations).
  struct Place {
    std::string outlier;  // beyond 99.8%
    std::string beyond95;
  };
  Result<std::optional<Place>> Lookup(db::Connection& conn, int64_t stamp,
                                      const std::string& metric, const std::string& period,
                                      const std::string& unit) {
    std::lock_guard<std::mutex> lock(mu_);
    if (stamp != stamp_) {
      funnels_.clear();
      stamp_ = stamp;
    }
    const std::string key = metric + "|" + period;
    auto it = funnels_.find(key);
    if (it == funnels_.end()) {
      const std::optional<Date> p = ParseIsoDate(period);
      std::map<std::string, Place> places;
      if (p) {
        Result<oversight::FunnelView> f = oversight::FunnelForPeriod(conn, metric, *p);
        if (f.ok()) {
          for (const stats::FunnelUnit& u : f->result.units) {
            Place place;
            if (u.outlier == stats::FunnelOutlier::kHigh) place.outlier = "high";
            if (u.outlier == stats::FunnelOutlier::kLow) place.outlier = "low";
            if (u.value > u.limits.ucl95) place.beyond95 = "high";
            if (u.value < u.limits.lcl95) place.beyond95 = "low";
            places[u.name] = place;
          }
        } else if (f.status().code() != StatusCode::kFailedPrecondition &&
                   f.status().code() != StatusCode::kInvalidArgument &&
                   f.status().code() != StatusCode::kNotFound) {
          return f.status();
        }
      }
      it = funnels_.emplace(key, std::move(places)).first;
    }
    auto u = it->second.find(unit);
    if (u == it->second.end()) return std::optional<Place>();
    return std::optional<Place>(u->second);
  }

 private:
  std::mutex mu_;
  int64_t stamp_ = -1;
  std::map<std::string, std::map<std::string, Place>> funnels_;
};

FunnelCache& Funnels() {
  static FunnelCache* cache = new FunnelCache();
  return *cache;
}

// The funnels change with the observations: keyed on the data version (see WriteStamp).
Result<int64_t> BatchStamp(db::Connection& conn) { return access::DataVersion(conn); }

std::string ShiftDays(std::string_view iso, int days) {
  const std::optional<Date> d = ParseIsoDate(iso);
  return d ? FormatIsoDate(*d + days) : std::string(iso);
}

std::string ChartHref(const std::string& metric, const std::string& unit) {
  return "/chart/" + metric + "/" + unit;
}

// Everything the signals are computed from, for one organisation or for all of them.
struct Inputs {
  std::vector<SpcRow> spc;
  std::map<std::string_view, std::vector<Record>> records;  // by Kind::singular
  std::map<int64_t, std::vector<int64_t>> horizon_units;    // record id -> units it names
};

struct Collector {
  db::Connection& conn;
  const dictionary::Dictionary& dict;
  const access::Scope& scope;
  std::string as_of;
  std::string since;  // as_of - kRecentDays
  bool comparisons = true;
  int64_t stamp = 0;
  std::function<int64_t(int64_t)> org_of;  // unit id -> the organisation it counts for (0: none)
  std::map<int64_t, std::vector<Signal>> out;

  void Add(int64_t unit_id, Signal s) {
    const int64_t org = org_of(unit_id);
    if (org != 0) out[org].push_back(std::move(s));
  }

  std::string MetricName(const std::string& code) const {
    const dictionary::Metric* m = dict.FindByCode(code);
    return m ? m->Latest().name : code;
  }

  Status FromSpc(const SpcRow& r) {
    const dictionary::Metric* m = dict.FindByCode(r.metric);
    if (m == nullptr) return Status::Ok();
    const dictionary::MetricVersion& v = m->Latest();
    std::string_view count_source;
    const bool counted = IsCountMetric(r.metric, &count_source);
    if (counted && !scope.Contains(r.unit_id)) return Status::Ok();  // restricted counts
    if (org_of(r.unit_id) == 0) return Status::Ok();                 // outside the view
    const bool concern = r.variation.rfind("concern", 0) == 0;
    if (concern) {
      Signal s{.unit = r.unit, .metric = r.metric, .period = r.last_period, .date = r.last_period,
               .href = ChartHref(r.metric, r.unit)};
      const std::string side = r.variation == "concern_high" ? "higher" : "lower";
      if (counted) {
        s.source = std::string(count_source);
        const bool harm = r.metric == "PSI_HARM_MODERATE_PLUS" || r.metric == "PSI_HARM_SEVERE" ||
                          r.metric == "PSI_HARM_FATAL";
        s.weight = count_source == "complaint" ? kComplaintRise
                   : harm                      ? kHarmRise
                                               : kIncidentRise;
        s.reason = "A rise in " + Lower(v.name) + ": in " + Month(r.last_period) +
                   " the count is " + side + " than chance alone explains (special cause)";
      } else {
        s.source = "spc";
        s.weight = kSpcConcern;
        s.reason = v.name + " got worse: in " + Month(r.last_period) +
                   " it is " + side + " than its usual variation explains (special cause of concern)";
      }
      Add(r.unit_id, std::move(s));
    }
    if (!counted && (r.assurance == "consistent_fail" || r.assurance == "inconsistent") &&
        r.target) {
      Signal s{.source = "assurance", .unit = r.unit, .metric = r.metric,
               .period = r.last_period, .date = r.last_period,
               .href = ChartHref(r.metric, r.unit)};
      if (r.assurance == "consistent_fail") {
        s.weight = kAssuranceFail;
        s.reason = v.name + " will keep failing its target of " + FormatValue(*r.target) +
                   " unless the way the work is done changes";
      } else {
        s.weight = kAssuranceInconsistent;
        s.reason = v.name + " will hit and miss its target of " + FormatValue(*r.target) +
                   " by chance from month to month";
      }
      Add(r.unit_id, std::move(s));
    }
    if (comparisons && !counted && v.has_ratio() && v.improvement_direction != "neutral") {
      ASSIGN_OR_RETURN(std::optional<FunnelCache::Place> place,
                       Funnels().Lookup(conn, stamp, r.metric, r.last_period, r.unit));
      if (place) {
        const std::string worse = v.improvement_direction == "increase" ? "low" : "high";
        const std::string href = "/metrics/" + r.metric + "?period=" + r.last_period;
        if (place->outlier == worse) {
          Add(r.unit_id, {.source = "funnel", .unit = r.unit, .metric = r.metric,
                          .period = r.last_period, .date = r.last_period, .weight = kFunnelOutlier,
                          .reason = v.name + " in " + Month(r.last_period) +
                                    " is worse than the system's other organisations by far more "
                                    "than chance explains (outside the funnel plot)",
                          .href = href});
        } else if (place->beyond95 == worse) {
          Add(r.unit_id, {.source = "benchmark", .unit = r.unit, .metric = r.metric,
                          .period = r.last_period, .date = r.last_period, .weight = kBenchmarkWorse,
                          .reason = v.name + " in " + Month(r.last_period) +
                                    " is worse than the system's average by more than chance "
                                    "usually explains",
                          .href = href});
        }
      }
    }
    return Status::Ok();
  }

  void FromIncidents(const std::vector<Record>& records) {
    // Severe and fatal harm in the recent window: one signal per organisation and level.
    struct Group {
      int64_t n = 0;
      const Record* latest = nullptr;
    };
    std::map<std::pair<int64_t, std::string>, Group> groups;
    for (const Record& r : records) {
      const std::string& harm = r.Get("harm");
      if (harm != "severe" && harm != "fatal") continue;
      const std::string& d = r.Get("occurred");
      if (d < since || d > as_of) continue;
      Group& g = groups[{org_of(r.unit_id), harm}];
      ++g.n;
      if (g.latest == nullptr || d > g.latest->Get("occurred")) g.latest = &r;
    }
    for (const auto& [key, g] : groups) {
      if (key.first == 0) continue;
      const Record& l = *g.latest;
      const bool fatal = key.second == "fatal";
      Signal s{.source = "incident", .unit = l.unit_code, .metric = l.metric, .period = "",
               .date = l.Get("occurred"), .weight = fatal ? kFatalIncident : kSevereIncident,
               .href = "/organisations/" + l.unit_code + "#timeline"};
      s.reason = Plural(g.n, "patient safety incident", "patient safety incidents") +
                 (fatal ? " in which a patient died" : " with severe harm") + " in the 12 months to " +
                 Day(as_of) + "; the latest on " + Day(l.Get("occurred")) + " (" +
                 Lower(l.Get("category")) +
                 (l.unit_name.empty() || l.unit_id == key.first ? "" : ", " + l.unit_name) + ")";
      out[key.first].push_back(std::move(s));
    }
  }

  void FromAudits(const std::vector<Record>& records) {
    for (const Record& r : records) {
      const std::string& met = r.Get("met");
      const std::string& d = r.Get("date");
      if (d < since || d > as_of || (met != "not_met" && met != "partly_met")) continue;
      Add(r.unit_id, {.source = "audit", .unit = r.unit_code, .metric = r.metric, .date = d,
                      .weight = met == "not_met" ? kAuditNotMet : kAuditPartlyMet,
                      .reason = r.Get("audit") + ": the standard \"" + r.Get("standard") +
                                "\" was " + (met == "not_met" ? "not met" : "only partly met") +
                                (r.Get("result").empty() ? "" : " (" + r.Get("result") + ")") +
                                " on " + Day(d),
                      .href = "/organisations/" + r.unit_code + "#timeline"});
    }
  }

  void FromRatings(const std::vector<Record>& records) {
    // The latest two ratings of each unit, newest first (records come newest first).
    std::map<int64_t, std::vector<const Record*>> by_unit;
    for (const Record& r : records) {
      if (r.Get("published") <= as_of) by_unit[r.unit_id].push_back(&r);
    }
    for (auto& [unit, list] : by_unit) {
      std::sort(list.begin(), list.end(), [](const Record* a, const Record* b) {
        return a->Get("published") > b->Get("published");
      });
      const Record& latest = *list[0];
      const std::string& overall = latest.Get("overall");
      const std::string href = latest.Get("report").empty()
                                   ? "/organisations/" + latest.unit_code + "#timeline"
                                   : latest.Get("report");
      Signal s{.source = "rating", .unit = latest.unit_code, .date = latest.Get("published"),
               .href = href};
      std::string worsened;
      if (list.size() > 1) {
        const std::optional<int> now = RatingScore(overall);
        const std::optional<int> before = RatingScore(list[1]->Get("overall"));
        if (now && before && *now < *before) {
          worsened = ", down from " + Lower(RatingText(list[1]->Get("overall"))) + " (" +
                     Day(list[1]->Get("published")) + ")";
        }
      }
      std::vector<std::string> inadequate;
      for (const std::string_view q : kKeyQuestions) {
        if (latest.Get(q) == "inadequate") inadequate.push_back(RatingText(q));
      }
      const std::string who = latest.unit_name.empty() ? latest.unit_code : latest.unit_name;
      if (overall == "inadequate") {
        s.weight = kRatingInadequate;
      } else if (!inadequate.empty()) {
        s.weight = kKeyQuestionInadequate;
      } else if (overall == "requires_improvement") {
        s.weight = kRatingRequiresImprovement;
      } else if (!worsened.empty()) {
        s.weight = kRatingWorsened;
      } else {
        continue;
      }
      s.reason = "CQC rated " + who + " " + Lower(RatingText(overall)) + " overall on " +
                 Day(latest.Get("published")) + worsened;
      if (!inadequate.empty()) {
        std::string qs;
        for (size_t i = 0; i < inadequate.size(); ++i) {
          qs += (i ? ", " : "") + Lower(inadequate[i]);
        }
        s.reason += "; inadequate for " + qs;
      }
      Add(unit, std::move(s));
    }
  }

  void FromNotes(const std::vector<Record>& records) {
    for (const Record& r : records) {
      const std::string& d = r.Get("noted_on");
      if (r.Get("concerning") != "yes" || d < since || d > as_of) continue;
      const std::string& src = r.Get("source");
      std::string from = src.empty() ? "" : " from " + (src == "patient_public"
                                                            ? std::string("patients or the public")
                                                            : src == "media" ? "the media"
                                                                             : src);
      Add(r.unit_id, {.source = "note", .unit = r.unit_code, .metric = r.metric, .date = d,
                      .weight = kConcerningNote,
                      .reason = "Soft intelligence marked concerning" + from +
                                (r.Get("theme").empty() ? "" : " about " + Lower(r.Get("theme"))) +
                                " (" + Day(d) + ")",
                      .href = "/organisations/" + r.unit_code + "#timeline"});
    }
  }

  void FromHorizon(const std::vector<Record>& records,
                   const std::map<int64_t, std::vector<int64_t>>& units) {
    for (const Record& r : records) {
      const std::string& due = r.Get("due");
      if (due.empty() || due >= as_of || !r.Get("responded").empty()) continue;
      auto it = units.find(r.id);
      if (it == units.end()) continue;
      const std::string type = r.Get("type") == "safety_alert" ? "safety alert" : r.Get("type");
      for (const int64_t unit : it->second) {
        Add(unit, {.source = "horizon", .unit = "", .metric = "", .date = due,
                   .weight = kHorizonOverdue,
                   .reason = "No response recorded to the " + type + " \"" + r.Get("title") +
                             "\", due " + Day(due),
                   .href = r.Get("link").empty() ? "/system#horizon" : r.Get("link")});
      }
    }
  }

  Status Run(const Inputs& in) {
    for (const SpcRow& r : in.spc) RETURN_IF_ERROR(FromSpc(r));
    auto get = [&](std::string_view k) -> const std::vector<Record>& {
      static const std::vector<Record> kNone;
      auto it = in.records.find(k);
      return it == in.records.end() ? kNone : it->second;
    };
    FromIncidents(get("incident"));
    FromAudits(get("audit"));
    FromRatings(get("rating"));
    FromNotes(get("note"));
    FromHorizon(get("horizon"), in.horizon_units);
    return Status::Ok();
  }
};

// Of the incidents, only severe harm and death give signals (a rise in the others shows in their
// count series): read only those, not the hundreds of thousands of others a year.
void OnlyWhatSignals(const Kind& kind, RecordFilter* f) {
  if (kind.singular == "incident") {
    f->field = "harm";
    f->values = {"severe", "fatal"};
  }
}

std::string Today() {
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  return FormatIsoDate(static_cast<Date>(now / 86400));
}

Result<std::string> AsOf(db::Connection& conn, const SignalOptions& options) {
  if (!options.as_of.empty()) {
    if (!ParseIsoDate(options.as_of)) {
      return InvalidArgumentError("as_of must be a date written YYYY-MM-DD");
    }
    return options.as_of;
  }
  return DataDate(conn, Today());
}

}  // namespace

void RankSignals(std::vector<Signal>* signals) {
  std::stable_sort(signals->begin(), signals->end(), [](const Signal& a, const Signal& b) {
    if (a.weight != b.weight) return a.weight > b.weight;
    if (a.date != b.date) return a.date > b.date;
    if (a.source != b.source) return SourceIndex(a.source) < SourceIndex(b.source);
    if (a.metric != b.metric) return a.metric < b.metric;
    return a.reason < b.reason;
  });
  for (size_t i = 0; i < signals->size(); ++i) (*signals)[i].rank = static_cast<int>(i) + 1;
}

Result<std::string> DataDate(db::Connection& conn, std::string_view today) {
  static std::mutex mu;
  static int64_t cached_stamp = -1;
  static std::string cached;
  ASSIGN_OR_RETURN(int64_t stamp, BatchStamp(conn));
  {
    std::lock_guard<std::mutex> lock(mu);
    if (stamp == cached_stamp && !cached.empty()) return std::min(cached, std::string(today));
  }
  std::string latest;
  ASSIGN_OR_RETURN(std::optional<db::Row> r,
                   conn.QueryRow("SELECT MAX(last_period) FROM spc_result"));
  if (r && !r->IsNull(0)) {
    // A month's period is its first day: the data run to the end of that month.
    const std::optional<Date> d = ParseIsoDate(r->Text(0));
    if (d) {
      const CivilDate c = CivilFromDays(*d);
      latest = FormatIsoDate(DaysFromCivil(c.year, c.month, DaysInMonth(c.year, c.month)));
    }
  }
  for (const Kind* k : Kinds()) {
    if (k->singular == "horizon") continue;  // due dates lie ahead
    std::string column;
    for (const Field& f : k->fields) {
      if (f.name == k->date_field) column = std::string(f.column);
    }
    ASSIGN_OR_RETURN(std::optional<db::Row> m,
                     conn.QueryRow("SELECT MAX(" + column + ") FROM " + std::string(k->table)));
    if (m && !m->IsNull(0)) latest = std::max(latest, m->Text(0));
  }
  if (latest.empty()) latest = std::string(today);
  {
    std::lock_guard<std::mutex> lock(mu);
    cached_stamp = stamp;
    cached = latest;
  }
  return std::min(latest, std::string(today));
}

namespace {

// The data's version (access::DataVersion, raised by the commit of every audited write: imports,
// records entered on screens, recalculations, dictionary changes). Unlike the highest ids of the
// import batches and audit entries, it follows commit order on PostgreSQL too, and it is the same
// number in every server process and on a replica.
Result<std::string> WriteStamp(db::Connection& conn) {
  ASSIGN_OR_RETURN(int64_t version, access::DataVersion(conn));
  return std::to_string(version);
}

// One organisation's ranked signals, kept per (organisation, as-of date, what of it the scope
// sees, options) until the next write: an organisation page is read far more often than data
// are written. Bounded: emptied when full or when the data change.
class SignalCache {
 public:
  std::optional<std::vector<Signal>> Find(const std::string& stamp, const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    if (stamp != stamp_) return std::nullopt;
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    return it->second;
  }
  void Put(const std::string& stamp, const std::string& key, const std::vector<Signal>& s) {
    std::lock_guard<std::mutex> lock(mu_);
    if (stamp != stamp_ || entries_.size() >= kMaxEntries) {
      entries_.clear();
      stamp_ = stamp;
    }
    entries_[key] = s;
  }

 private:
  static constexpr size_t kMaxEntries = 2048;
  std::mutex mu_;
  std::string stamp_;
  std::map<std::string, std::vector<Signal>> entries_;
};

SignalCache& OrganisationCache() {
  static SignalCache* cache = new SignalCache();
  return *cache;
}

}  // namespace

Result<std::vector<Signal>> OrganisationSignals(db::Connection& conn, const access::Scope& scope,
                                                std::string_view org,
                                                const SignalOptions& options) {
  ASSIGN_OR_RETURN(std::string version, WriteStamp(conn));
  ASSIGN_OR_RETURN(std::optional<int64_t> org_id, directory::FindUnitId(conn, org));
  if (!org_id) return NotFoundError("there is no organisation \"" + std::string(org) + "\"");
  ASSIGN_OR_RETURN(std::vector<int64_t> units, UnitAndBelow(conn, *org_id));
  ASSIGN_OR_RETURN(std::string as_of, AsOf(conn, options));
  // What the result depends on: the organisation, the date, the options and which of its units
  // the person's scope holds (restricted strands).
  std::string key = std::string(org) + "|" + as_of + "|" + (options.comparisons ? "c" : "-") + "|";
  for (const int64_t u : units) key += scope.Contains(u) ? '1' : '0';
  if (std::optional<std::vector<Signal>> hit = OrganisationCache().Find(version, key)) {
    return *std::move(hit);
  }
  ASSIGN_OR_RETURN(dictionary::Dictionary dict, dictionary::Dictionary::Load(conn));
  Inputs in;
  for (const int64_t u : units) {
    RETURN_IF_ERROR(conn.Query(kSpcSelectUnit, {u}, [&](const db::Row& r) {
      in.spc.push_back(SpcFromRow(r));
      return db::Flow::kContinue;
    }));
  }
  const std::string since = ShiftDays(as_of, -kRecentDays);
  for (const Kind* k : Kinds()) {
    RecordFilter f{.unit = std::string(org)};
    // Ratings stand until replaced; horizon items matter by their due date.
    if (k->singular != "rating" && k->singular != "horizon") f.from = since;
    OnlyWhatSignals(*k, &f);
    ASSIGN_OR_RETURN(std::vector<Record> records, ListRecords(conn, *k, scope, f));
    if (k->singular == "horizon") {
      for (const Record& r : records) {
        if (!r.Get("organisations").empty()) in.horizon_units[r.id] = {*org_id};
      }
    }
    in.records[k->singular] = std::move(records);
  }
  const std::set<int64_t> mine(units.begin(), units.end());
  ASSIGN_OR_RETURN(int64_t stamp, BatchStamp(conn));
  Collector c{.conn = conn, .dict = dict, .scope = scope, .as_of = as_of, .since = since,
              .comparisons = options.comparisons, .stamp = stamp,
              .org_of = [&](int64_t u) { return mine.count(u) ? *org_id : int64_t{0}; }};
  RETURN_IF_ERROR(c.Run(in));
  // Overdue actions and risks that need attention (follow_up.h).
  RETURN_IF_ERROR(AppendFollowUpSignals(
      conn, scope, as_of, [&](int64_t u) { return mine.count(u) ? *org_id : int64_t{0}; },
      &c.out));
  std::vector<Signal> out = std::move(c.out[*org_id]);
  RankSignals(&out);
  OrganisationCache().Put(version, key, out);
  return out;
}

Result<std::vector<OrganisationWeight>> SystemSignals(db::Connection& conn,
                                                      const access::Scope& scope,
                                                      const SignalOptions& options) {
  ASSIGN_OR_RETURN(directory::Directory dir, directory::Directory::Load(conn));
  ASSIGN_OR_RETURN(dictionary::Dictionary dict, dictionary::Dictionary::Load(conn));
  ASSIGN_OR_RETURN(std::string as_of, AsOf(conn, options));
  const std::string since = ShiftDays(as_of, -kRecentDays);
  int64_t place_id = 0;
  if (!options.place.empty()) {
    const directory::Unit* p = dir.FindByCode(options.place);
    if (p == nullptr) return NotFoundError("there is no place or system \"" + options.place + "\"");
    place_id = p->id;
  }
  // The organisation a unit counts for, 0 when none or outside the place.
  std::map<int64_t, int64_t> org_cache;
  auto org_of = [&](int64_t unit_id) -> int64_t {
    auto it = org_cache.find(unit_id);
    if (it != org_cache.end()) return it->second;
    int64_t org = 0;
    bool inside = place_id == 0;
    for (const directory::Unit* u = dir.FindById(unit_id); u != nullptr;
         u = u->parent_id ? dir.FindById(*u->parent_id) : nullptr) {
      if (org == 0 && directory::IsOrganisationKind(u->kind)) org = u->id;
      if (u->id == place_id) inside = true;
    }
    org_cache[unit_id] = inside ? org : 0;
    return org_cache[unit_id];
  };
  Inputs in;
  RETURN_IF_ERROR(conn.Query(kSpcSelect, {}, [&](const db::Row& r) {
    in.spc.push_back(SpcFromRow(r));
    return db::Flow::kContinue;
  }));
  for (const Kind* k : Kinds()) {
    RecordFilter f;
    if (k->singular != "rating" && k->singular != "horizon") {
      f.from = since;
      f.to = as_of;
    }
    OnlyWhatSignals(*k, &f);
    ASSIGN_OR_RETURN(std::vector<Record> records, ListRecords(conn, *k, scope, f));
    if (k->singular == "horizon") {
      for (const Record& r : records) {
        size_t start = 0;
        const std::string& codes = r.Get("organisations");
        while (start < codes.size()) {
          size_t end = codes.find(';', start);
          if (end == std::string::npos) end = codes.size();
          if (const directory::Unit* u = dir.FindByCode(codes.substr(start, end - start))) {
            in.horizon_units[r.id].push_back(u->id);
          }
          start = end + 1;
        }
      }
    }
    in.records[k->singular] = std::move(records);
  }
  ASSIGN_OR_RETURN(int64_t stamp, BatchStamp(conn));
  Collector c{.conn = conn, .dict = dict, .scope = scope, .as_of = as_of, .since = since,
              .comparisons = options.comparisons, .stamp = stamp, .org_of = org_of};
  RETURN_IF_ERROR(c.Run(in));
  RETURN_IF_ERROR(AppendFollowUpSignals(conn, scope, as_of, org_of, &c.out));
  std::vector<OrganisationWeight> out;
  for (auto& [org, signals] : c.out) {
    const directory::Unit* u = dir.FindById(org);
    if (u == nullptr || signals.empty()) continue;
    RankSignals(&signals);
    OrganisationWeight w{.code = u->code, .name = u->name, .kind = u->kind};
    for (const Signal& s : signals) w.weight += s.weight;
    w.signals = static_cast<int>(signals.size());
    w.top = signals.front();
    out.push_back(std::move(w));
  }
  std::sort(out.begin(), out.end(), [](const OrganisationWeight& a, const OrganisationWeight& b) {
    if (a.weight != b.weight) return a.weight > b.weight;
    return a.name < b.name;
  });
  return out;
}

Result<std::vector<TimelineItem>> Timeline(db::Connection& conn, const access::Scope& scope,
                                           std::string_view org, std::string_view from,
                                           std::string_view to) {
  ASSIGN_OR_RETURN(std::optional<int64_t> org_id, directory::FindUnitId(conn, org));
  if (!org_id) return NotFoundError("there is no organisation \"" + std::string(org) + "\"");
  ASSIGN_OR_RETURN(std::vector<int64_t> units, UnitAndBelow(conn, *org_id));
  ASSIGN_OR_RETURN(dictionary::Dictionary dict, dictionary::Dictionary::Load(conn));
  const std::string lo(from);
  const std::string hi = to.empty() ? std::string("9999-12-31") : std::string(to);
  std::vector<TimelineItem> out;
  // Series: the first point of every run of special cause of concern.
  for (const int64_t u : units) {
    RETURN_IF_ERROR(conn.Query(kSpcSelectUnit, {u}, [&](const db::Row& row) {
      const SpcRow r = SpcFromRow(row);
      std::string_view count_source;
      const bool counted = IsCountMetric(r.metric, &count_source);
      if (counted && !scope.Contains(r.unit_id)) return db::Flow::kContinue;
      const dictionary::Metric* m = dict.FindByCode(r.metric);
      const std::string name = m ? m->Latest().name : r.metric;
      size_t start = 0;
      char previous = 'c';
      for (size_t i = 0; i < r.point_types.size(); ++i) {
        size_t end = r.periods.find(',', start);
        if (end == std::string::npos) end = r.periods.size();
        const std::string period = r.periods.substr(start, end - start);
        start = end + 1;
        const char t = r.point_types[i];
        if (t == 'x' && previous != 'x' && period >= lo && period <= hi) {
          out.push_back({.source = counted ? std::string(count_source) : "spc",
                         .date = period,
                         .title = name + ": special cause of concern",
                         .detail = "From " + Month(period) +
                                   ", the series moved beyond its usual variation",
                         .unit = r.unit,
                         .metric = r.metric,
                         .href = ChartHref(r.metric, r.unit)});
        }
        previous = t;
      }
      return db::Flow::kContinue;
    }));
  }
  for (const Kind* k : Kinds()) {
    RecordFilter f{.unit = std::string(org), .from = lo, .to = hi};
    ASSIGN_OR_RETURN(std::vector<Record> records, ListRecords(conn, *k, scope, f));
    for (const Record& r : records) {
      TimelineItem item{.source = std::string(k->singular), .date = r.Get(k->date_field),
                        .unit = r.unit_code, .metric = r.metric,
                        .href = "/organisations/" + std::string(org) + "#timeline"};
      if (k->singular == "incident") {
        item.title = "Incident: " + r.Get("category") + ", " + Lower(std::string(HarmText(r.Get("harm"))));
        item.detail = r.Get("reference") + (r.unit_name.empty() ? "" : " at " + r.unit_name) +
                      (r.Get("response").empty() ? "" : "; learning response " + r.Get("response")) +
                      (r.Get("summary").empty() ? "" : ": " + r.Get("summary"));
      } else if (k->singular == "complaint") {
        const std::string& o = r.Get("outcome");
        item.title = "Complaint: " + r.Get("subject") +
                     (o.empty() ? " (open)" : ", " + Lower(RatingText(o)));
        item.detail = r.Get("reference") + (r.unit_name.empty() ? "" : " at " + r.unit_name) +
                      (r.Get("summary").empty() ? "" : ": " + r.Get("summary"));
      } else if (k->singular == "audit") {
        item.title = "Audit: " + r.Get("audit") + ", standard " +
                     Lower(RatingText(r.Get("met")));
        item.detail = r.Get("standard") + (r.Get("result").empty() ? "" : ": " + r.Get("result")) +
                      (r.Get("actions").empty() ? "" : ". Actions: " + r.Get("actions"));
      } else if (k->singular == "rating") {
        item.title = "CQC rating: " + Lower(RatingText(r.Get("overall"))) +
                     (r.unit_name.empty() ? "" : " (" + r.unit_name + ")");
        std::string qs;
        for (const std::string_view q : kKeyQuestions) {
          qs += (qs.empty() ? "" : "; ") + RatingText(q) + " " + Lower(RatingText(r.Get(q)));
        }
        item.detail = qs;
        if (!r.Get("report").empty()) item.href = r.Get("report");
      } else if (k->singular == "note") {
        item.title = "Note" + (r.Get("theme").empty() ? "" : ": " + r.Get("theme")) +
                     (r.Get("concerning") == "yes" ? " (concerning)" : "");
        item.detail = r.Get("text");
      } else {
        item.title = (r.Get("type") == "safety_alert" ? "Safety alert" : RatingText(r.Get("type"))) +
                     ": " + r.Get("title");
        item.detail = r.Get("due").empty()
                          ? ""
                          : "Response due " + Day(r.Get("due")) +
                                (r.Get("responded").empty() ? " (none recorded)"
                                                            : "; responded " + Day(r.Get("responded")));
        if (!r.Get("link").empty()) item.href = r.Get("link");
      }
      out.push_back(std::move(item));
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const TimelineItem& a, const TimelineItem& b) {
    if (a.date != b.date) return a.date < b.date;
    return SourceIndex(a.source) < SourceIndex(b.source);
  });
  return out;
}

}  // namespace shewhart::intelligence
