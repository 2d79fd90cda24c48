#include "oversight/report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "observations/observations.h"
#include "oversight/spc_store.h"
#include "oversight/trend_report.h"
#include "stats/funnel.h"

namespace shewhart::oversight {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// +1 when higher is better, -1 when lower is, 0 for neither.
int Better(std::string_view direction) {
  return direction == "increase" ? 1 : direction == "decrease" ? -1 : 0;
}

int DomainOrder(std::string_view domain) {
  const std::span<const std::string_view> domains = dictionary::Domains();
  const auto it = std::find(domains.begin(), domains.end(), domain);
  return static_cast<int>(it - domains.begin());
}

// The peer group a unit belongs to (a unit of kind "peer group"), or nullptr.
const directory::Unit* PeerGroupOf(const directory::Directory& dir, const directory::Unit& u) {
  for (const int64_t g : u.group_ids) {
    const directory::Unit* group = dir.FindById(g);
    if (group != nullptr && group->kind == "peer group") return group;
  }
  return nullptr;
}

struct PeerValue {
  const directory::Unit* unit = nullptr;
  double value = kNaN;
  std::optional<double> numerator, denominator;
};

// The funnel of `peers` (at least two with positive denominators), outliers by unit code.
std::unordered_map<std::string, stats::FunnelOutlier> FunnelOutliers(
    const std::vector<PeerValue>& peers, const dictionary::MetricVersion& v) {
  std::unordered_map<std::string, stats::FunnelOutlier> out;
  if (!v.has_ratio()) return out;
  std::vector<stats::FunnelInput> inputs;
  for (const PeerValue& p : peers) {
    if (p.numerator && p.denominator && *p.denominator > 0) {
      inputs.push_back({p.unit->code, *p.numerator, *p.denominator});
    }
  }
  if (inputs.size() < 2) return out;
  stats::FunnelOptions options;
  options.type =
      v.measure == "proportion" ? stats::FunnelType::kProportion : stats::FunnelType::kRate;
  options.multiplier = v.multiplier;
  Result<stats::FunnelResult> f = stats::ComputeFunnel(inputs, options);
  if (!f.ok()) return out;
  for (const stats::FunnelUnit& u : f->units) out[u.name] = u.outlier;
  return out;
}

// "favourable" / "unfavourable" / "none" for an outlier, given which way is better.
std::string_view OutlierWord(stats::FunnelOutlier o, int better) {
  if (o == stats::FunnelOutlier::kNone) return "none";
  if (better == 0) return "unfavourable";  // a difference with no better side still needs a look
  const int side = o == stats::FunnelOutlier::kHigh ? 1 : -1;
  return side * better > 0 ? "favourable" : "unfavourable";
}

}  // namespace

Result<Report> BuildReport(db::Connection& conn, const ReportFilter& filter) {
  ASSIGN_OR_RETURN(directory::Directory dir, directory::Directory::Load(conn));
  ASSIGN_OR_RETURN(dictionary::Dictionary dict, dictionary::Dictionary::Load(conn));
  const directory::Unit* scope = nullptr;
  if (filter.scope.empty()) {
    for (const directory::Unit& u : dir.units()) {
      if (u.kind == "system") {
        scope = &u;
        break;
      }
    }
    if (scope == nullptr) return NotFoundError("there is no system yet");
  } else {
    scope = dir.FindByCode(filter.scope);
    if (scope == nullptr) {
      return NotFoundError("there is no system or organisation \"" + filter.scope + "\"");
    }
  }
  const bool aggregate = directory::IsAggregateRootKind(scope->kind);
  if (!aggregate && !directory::IsOrganisationKind(scope->kind)) {
    return InvalidArgumentError("\"scope\" must be a system, a nation or an organisation; " +
                                scope->code + " is a " + scope->kind);
  }
  Report report;
  report.scope = scope->code;
  report.scope_name = scope->name;
  report.scope_kind = scope->kind;
  report.aggregate = aggregate;
  ASSIGN_OR_RETURN(
      std::vector<BoardRow> rows,
      BoardSummary(conn, {.domain = filter.domain,
                          .scope = scope->code,
                          .scope_only = true,
                          .limit = 50000}));
  // The scope's own rows only (a system's organisations are its peers, not its rows).
  std::erase_if(rows, [&](const BoardRow& b) { return b.unit != scope->code; });
  const directory::Unit* own_group = aggregate ? nullptr : PeerGroupOf(dir, *scope);

  for (BoardRow& b : rows) {
    ReportRow r;
    const dictionary::Metric* metric = dict.FindByCode(b.metric);
    if (metric == nullptr || metric->versions.empty()) continue;
    const dictionary::Metric governing = GoverningDefinition(*metric);
    const dictionary::MetricVersion& latest = governing.Latest();
    r.unit = latest.unit.empty() ? latest.measure : latest.unit;
    const int better = Better(latest.improvement_direction);
    // The scope's own series: latest value and rate of improvement.
    ASSIGN_OR_RETURN(std::optional<StoredSpcResult> stored,
                     LoadSpcResult(conn, {metric->id, scope->id, b.aggregate}));
    if (stored && !stored->points.empty()) {
      r.latest = stored->points.back().value;
      std::vector<Date> dates;
      std::vector<double> values;
      for (const StoredPoint& p : stored->points) {
        dates.push_back(p.period);
        values.push_back(p.value);
      }
      const TrendReport t = TrendOfPoints({.dates = dates, .values = values});
      if (t.trend.ok() && std::isfinite(t.trend->theil_sen.slope_per_year)) {
        r.slope_per_year = t.trend->theil_sen.slope_per_year;
        r.slope_lower95 = t.trend->theil_sen.lower95;
        r.slope_upper95 = t.trend->theil_sen.upper95;
        const bool sure = r.slope_lower95 > 0 || r.slope_upper95 < 0;
        const int sign = r.slope_per_year > 0 ? 1 : -1;
        r.trend_word = !sure               ? "no clear trend"
                       : better == 0       ? "changing"
                       : sign * better > 0 ? "improving"
                                           : "worsening";
      } else {
        r.trend_word = "too few points";
      }
    } else {
      r.trend_word = "too few points";
    }
    // Peers in the scope's latest period shown.
    r.peer_period = b.last_period;
    const std::optional<Date> period = ParseIsoDate(b.last_period);
    if (period) {
      const dictionary::MetricVersion& v = governing.VersionFor(*period);
      std::vector<PeerValue> all;
      RETURN_IF_ERROR(observations::ForEachStored(
          conn, metric->id, *period, *period, [&](const observations::StoredObservation& s) {
            const directory::Unit* u = dir.FindById(s.obs.unit_id);
            if (u == nullptr || !directory::IsOrganisationKind(u->kind) || !s.obs.value) return;
            all.push_back({u, *s.obs.value, s.obs.numerator, s.obs.denominator});
          }));
      if (aggregate) {
        // The system's organisations, compared within their kind.
        std::map<std::string, std::vector<PeerValue>> by_kind;
        for (const PeerValue& p : all) {
          if (dir.IsOrganisationUnder(p.unit->id, scope->id)) by_kind[p.unit->kind].push_back(p);
        }
        for (const auto& [kind, peers] : by_kind) {
          r.peers += static_cast<int32_t>(peers.size());
          for (const auto& [code, o] : FunnelOutliers(peers, v)) {
            const std::string_view word = OutlierWord(o, better);
            r.favourable += word == "favourable";
            r.unfavourable += word == "unfavourable";
          }
          for (const PeerValue& p : peers) {
            if (better != 0 && (std::isnan(r.best) || (p.value - r.best) * better > 0)) {
              r.best = p.value;
              r.best_unit = p.unit->code;
              r.best_name = p.unit->name;
            }
          }
        }
        r.peer_group = "organisations of the same kind";
      } else {
        std::vector<PeerValue> peers;
        for (const PeerValue& p : all) {
          const bool same = own_group != nullptr
                                ? std::binary_search(p.unit->group_ids.begin(),
                                                     p.unit->group_ids.end(), own_group->id)
                                : p.unit->kind == scope->kind;
          if (same) peers.push_back(p);
        }
        r.peer_group = own_group != nullptr ? own_group->name : scope->kind;
        r.peers = static_cast<int32_t>(peers.size());
        const auto outliers = FunnelOutliers(peers, v);
        if (const auto it = outliers.find(scope->code); it != outliers.end()) {
          r.outlier = std::string(OutlierWord(it->second, better));
          r.favourable = r.outlier == "favourable";
          r.unfavourable = r.outlier == "unfavourable";
        }
        const PeerValue* mine = nullptr;
        for (const PeerValue& p : peers) {
          if (p.unit == scope) mine = &p;
          if (better != 0 && (std::isnan(r.best) || (p.value - r.best) * better > 0)) {
            r.best = p.value;
            r.best_unit = p.unit->code;
            r.best_name = p.unit->name;
          }
        }
        if (mine != nullptr && better != 0) {
          // Competition ranking: ties share the better position (whole numbers).
          r.position = 1;
          for (const PeerValue& p : peers) r.position += (p.value - mine->value) * better > 0;
        }
      }
    }
    r.row = std::move(b);
    if (r.row.last_period > report.latest_period) report.latest_period = r.row.last_period;
    report.rows.push_back(std::move(r));
  }
  std::stable_sort(report.rows.begin(), report.rows.end(),
                   [](const ReportRow& a, const ReportRow& b) {
                     const int da = DomainOrder(a.row.domain), db = DomainOrder(b.row.domain);
                     if (da != db) return da < db;
                     const int ca = ConcernRank(a.row.variation, a.row.assurance);
                     const int cb = ConcernRank(b.row.variation, b.row.assurance);
                     if (ca != cb) return ca < cb;
                     return a.row.metric < b.row.metric;
                   });
  return report;
}

}  // namespace shewhart::oversight
