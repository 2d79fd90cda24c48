#include "oversight/comparison.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "observations/observations.h"

namespace shewhart::oversight {
namespace {

constexpr std::string_view kUnitCodes = "SELECT id, code, kind FROM unit";

// Organisations' observations of one metric in one period, with their codes.
struct PeriodRows {
  dictionary::MetricVersion version;  // in force for the period
  std::vector<std::string> codes;
  std::vector<observations::Observation> obs;
};

bool IsPeerKind(std::string_view kind) {
  return kind != "system" && kind != "place" && kind != "nation";
}

// The ids of the units the filter keeps; nullopt = every unit.
Result<std::optional<std::unordered_set<int64_t>>> PeerIds(db::Connection& conn,
                                                           const PeerFilter& f) {
  if (f.kind.empty() && f.group.empty()) return std::optional<std::unordered_set<int64_t>>();
  ASSIGN_OR_RETURN(directory::Directory dir, directory::Directory::Load(conn));
  const directory::Unit* group = nullptr;
  if (!f.group.empty()) {
    group = dir.FindByCode(f.group);
    if (group == nullptr || !directory::IsGroupKind(group->kind)) {
      return NotFoundError("there is no peer group \"" + f.group + "\"");
    }
  }
  std::unordered_set<int64_t> ids;
  for (const directory::Unit& u : dir.units()) {
    if (!f.kind.empty() && u.kind != f.kind) continue;
    if (group != nullptr &&
        !std::binary_search(u.group_ids.begin(), u.group_ids.end(), group->id)) {
      continue;
    }
    ids.insert(u.id);
  }
  return std::optional<std::unordered_set<int64_t>>(std::move(ids));
}

Result<PeriodRows> LoadPeriod(db::Connection& conn, std::string_view metric_code, Date period,
                              const PeerFilter& peers) {
  ASSIGN_OR_RETURN(const std::optional<std::unordered_set<int64_t>> keep, PeerIds(conn, peers));
  ASSIGN_OR_RETURN(dictionary::Dictionary dict, dictionary::Dictionary::Load(conn));
  const dictionary::Metric* metric = dict.FindByCode(metric_code);
  if (metric == nullptr || metric->versions.empty()) {
    return NotFoundError("there is no metric \"" + std::string(metric_code) + "\"");
  }
  PeriodRows out;
  out.version = metric->VersionFor(period);
  std::unordered_map<int64_t, std::pair<std::string, std::string>> units;
  RETURN_IF_ERROR(conn.Query(kUnitCodes, {}, [&](const db::Row& r) {
    units[r.Int(0)] = {r.Text(1), r.Text(2)};
    return db::Flow::kContinue;
  }));
  RETURN_IF_ERROR(observations::ForEachStored(
      conn, metric->id, period, period, [&](const observations::StoredObservation& s) {
        auto it = units.find(s.obs.unit_id);
        if (it == units.end() || !IsPeerKind(it->second.second)) return;
        if (keep && !keep->count(s.obs.unit_id)) return;
        out.codes.push_back(it->second.first);
        out.obs.push_back(s.obs);
      }));
  return out;
}

stats::Direction DirectionOf(const std::string& word) {
  if (word == "increase") return stats::Direction::kIncrease;
  if (word == "decrease") return stats::Direction::kDecrease;
  return stats::Direction::kNeutral;
}

}  // namespace

Result<FunnelView> FunnelForPeriod(db::Connection& conn, std::string_view metric_code, Date period,
                                   const PeerFilter& peers) {
  ASSIGN_OR_RETURN(PeriodRows rows, LoadPeriod(conn, metric_code, period, peers));
  const dictionary::MetricVersion& v = rows.version;
  if (!v.has_ratio()) {
    return FailedPreconditionError("a funnel needs a numerator and a denominator; " +
                                   std::string(metric_code) + " is measured as a " + v.measure);
  }
  stats::FunnelOptions options;
  options.type =
      v.measure == "proportion" ? stats::FunnelType::kProportion : stats::FunnelType::kRate;
  options.multiplier = v.multiplier;
  std::vector<stats::FunnelInput> inputs;
  for (size_t i = 0; i < rows.obs.size(); ++i) {
    const observations::Observation& o = rows.obs[i];
    if (!o.numerator || !o.denominator || *o.denominator <= 0) continue;
    inputs.push_back({rows.codes[i], *o.numerator, *o.denominator});
  }
  FunnelView out;
  out.metric = std::string(metric_code);
  out.period = period;
  out.multiplier = v.multiplier;
  ASSIGN_OR_RETURN(out.result, stats::ComputeFunnel(inputs, options));
  return out;
}

Result<StandingView> StandingForPeriod(db::Connection& conn, std::string_view metric_code,
                                       Date period, const PeerFilter& peers) {
  ASSIGN_OR_RETURN(PeriodRows rows, LoadPeriod(conn, metric_code, period, peers));
  std::vector<double> values;
  values.reserve(rows.obs.size());
  for (const observations::Observation& o : rows.obs) {
    values.push_back(o.value.value_or(std::nan("")));
  }
  StandingView out;
  out.metric = std::string(metric_code);
  out.period = period;
  ASSIGN_OR_RETURN(out.result,
                   stats::ComputeStanding(values, DirectionOf(rows.version.improvement_direction)));
  out.units = std::move(rows.codes);
  return out;
}

Result<BenchmarkView> BenchmarkForPeriod(db::Connection& conn, std::string_view metric_code,
                                         Date period, const PeerFilter& peers) {
  ASSIGN_OR_RETURN(const std::optional<std::unordered_set<int64_t>> keep, PeerIds(conn, peers));
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  ASSIGN_OR_RETURN(dictionary::Dictionary dict, dictionary::Dictionary::Load(conn));
  const dictionary::Metric* metric = dict.FindByCode(metric_code);
  if (metric == nullptr || metric->versions.empty()) {
    return NotFoundError("there is no metric \"" + std::string(metric_code) + "\"");
  }
  const dictionary::MetricVersion& v = metric->VersionFor(period);
  BenchmarkView out;
  out.metric = std::string(metric_code);
  out.period = period;
  out.polarity = PolarityOf(DirectionOf(v.improvement_direction));
  out.multiplier = v.multiplier;
  out.unit = v.unit;
  out.trend_unit = (v.unit.empty() ? v.measure : v.unit) + " per year";
  const bool ratio = v.has_ratio();
  const bool proportion = v.measure == "proportion";
  if (ratio) {
    out.method = std::string(Name(proportion ? BenchmarkMethod::kWilson : BenchmarkMethod::kByars));
  }

  std::unordered_map<int64_t, std::pair<std::string, std::string>> units;  // id -> code, kind
  RETURN_IF_ERROR(conn.Query(kUnitCodes, {}, [&](const db::Row& r) {
    units[r.Int(0)] = {r.Text(1), r.Text(2)};
    return db::Flow::kContinue;
  }));
  // Each organisation's series up to the period, by code.
  struct Series {
    std::vector<Date> dates;
    std::vector<double> values, numerators, denominators;
  };
  std::map<std::string, Series> series;
  RETURN_IF_ERROR(
      observations::ForEachStored(conn, metric->id, DaysFromCivil(1, 1, 1), period,
                                  [&](const observations::StoredObservation& s) {
                                    auto it = units.find(s.obs.unit_id);
                                    if (it == units.end() || !IsPeerKind(it->second.second)) return;
                                    if (keep && !keep->count(s.obs.unit_id)) return;
                                    Series& x = series[it->second.first];
                                    x.dates.push_back(s.obs.period);
                                    x.values.push_back(s.obs.value.value_or(kNaN));
                                    x.numerators.push_back(s.obs.numerator.value_or(kNaN));
                                    x.denominators.push_back(s.obs.denominator.value_or(kNaN));
                                  }));
  // Who takes part: a value in the period (and, for ratios, counts with a positive denominator).
  std::vector<double> numerators, denominators, values;
  for (auto& [code, x] : series) {
    if (x.dates.empty() || x.dates.back() != period) continue;
    const double num = x.numerators.back(), den = x.denominators.back(), value = x.values.back();
    if (ratio ? !(den > 0) || std::isnan(num) : std::isnan(value)) continue;
    UnitBenchmark u;
    u.unit = code;
    u.numerator = num;
    u.denominator = den;
    u.value = value;
    TrendPoints points;
    points.dates = x.dates;
    points.values = x.values;
    if (proportion) {
      points.numerators = x.numerators;
      points.denominators = x.denominators;
    }
    u.trend = TrendOfPoints(points);
    out.units.push_back(std::move(u));
    numerators.push_back(num);
    denominators.push_back(den);
    values.push_back(value);
  }
  if (ratio) {
    BenchmarkOptions options;
    options.method = proportion ? BenchmarkMethod::kWilson : BenchmarkMethod::kByars;
    options.polarity = out.polarity;
    options.confidence = out.confidence;
    options.multiplier = out.multiplier;
    int64_t failed = -1;
    Result<BenchmarkComparison> c =
        CompareWithBenchmark(numerators, denominators, options, &failed);
    if (!c.ok()) {
      return FailedPreconditionError(
          (failed >= 0 ? "organisation \"" + out.units[failed].unit + "\": " : std::string()) +
          c.status().message());
    }
    out.benchmark = c->benchmark;
    out.standing = std::move(c->standing);
    std::copy(std::begin(c->counts), std::end(c->counts), std::begin(out.counts));
    for (size_t i = 0; i < out.units.size(); ++i) out.units[i].comparison = c->units[i];
  } else {
    out.benchmark = kNaN;
    ASSIGN_OR_RETURN(out.standing,
                     stats::ComputeStanding(values, DirectionOf(v.improvement_direction)));
    for (UnitBenchmark& u : out.units) {
      u.comparison.estimate = {u.value, kNaN, kNaN};
      u.comparison.limit_lower = u.comparison.limit_upper = kNaN;
    }
    out.counts[static_cast<int>(stats::Comparison::kNone)] = static_cast<int64_t>(out.units.size());
  }
  for (size_t i = 0; i < out.units.size(); ++i) out.units[i].standing = out.standing.units[i];
  return out;
}

Result<stats::TrendResult> TrendOfSeries(db::Connection& conn, std::string_view metric_code,
                                         std::string_view unit_code) {
  ASSIGN_OR_RETURN(int64_t metric_id, dictionary::MetricIdByCode(conn, metric_code));
  ASSIGN_OR_RETURN(int64_t unit_id, directory::UnitIdByCode(conn, unit_code));
  std::vector<Date> dates;
  std::vector<double> values;
  RETURN_IF_ERROR(observations::ForEachInSeries(
      conn, metric_id, unit_id, [&](const observations::StoredObservation& s) {
        dates.push_back(s.obs.period);
        values.push_back(s.obs.value.value_or(std::nan("")));
      }));
  return stats::ComputeTrend(dates, values);
}

}  // namespace shewhart::oversight
