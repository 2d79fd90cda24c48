#include "oversight/comparison.h"

#include <cmath>
#include <optional>
#include <unordered_map>
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

Result<PeriodRows> LoadPeriod(db::Connection& conn, std::string_view metric_code, Date period) {
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

Result<FunnelView> FunnelForPeriod(db::Connection& conn, std::string_view metric_code,
                                   Date period) {
  ASSIGN_OR_RETURN(PeriodRows rows, LoadPeriod(conn, metric_code, period));
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
                                       Date period) {
  ASSIGN_OR_RETURN(PeriodRows rows, LoadPeriod(conn, metric_code, period));
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
