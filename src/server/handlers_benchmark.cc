// Handler: every organisation against the benchmark in one period (Fingertips method, with the
// interval and significance) and its rate of improvement — oversight::BenchmarkForPeriod, the
// service behind the same numbers as `shewhart compare` and `shewhart trend`.
#include <cmath>
#include <nlohmann/json.hpp>

#include "base/date.h"
#include "http/json.h"
#include "oversight/comparison.h"
#include "server/internal/handlers.h"

namespace shewhart::server::handlers {
namespace {

using nlohmann::json;

json Num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json Slope(const stats::SlopeEstimate& e) {
  return {{"per_year", Num(e.slope_per_year)},
          {"lower95", Num(e.lower95)},
          {"upper95", Num(e.upper95)}};
}

json TrendJson(const oversight::TrendReport& r) {
  json t = {{"n", r.trend.ok() ? r.trend->n : 0},
            {"ols", r.trend.ok() ? Slope(r.trend->ols) : json(nullptr)},
            {"theil_sen", r.trend.ok() ? Slope(r.trend->theil_sen) : json(nullptr)},
            {"marker", r.marker ? json(stats::Name(r.marker->marker)) : json(nullptr)},
            {"note", r.note}};
  return t;
}

}  // namespace

Result<http::Response> Benchmark(RequestContext& ctx) {
  std::optional<std::string> text = ctx.req.Query("period");
  if (!text) return InvalidArgumentError("\"period\" is required (YYYY-MM-DD)");
  std::optional<Date> period = ParseIsoDate(*text);
  if (!period) return InvalidArgumentError("\"period\" must be a date written YYYY-MM-DD");
  ASSIGN_OR_RETURN(oversight::BenchmarkView v,
                   oversight::BenchmarkForPeriod(ctx.conn, ctx.req.Param("metric"), *period,
                                                 {.kind = ctx.req.Query("kind").value_or(""),
                                                  .group = ctx.req.Query("group").value_or("")}));
  json units = json::array();
  for (const oversight::UnitBenchmark& u : v.units) {
    const oversight::BenchmarkUnit& c = u.comparison;
    units.push_back({{"unit", u.unit},
                     {"numerator", Num(u.numerator)},
                     {"denominator", Num(u.denominator)},
                     {"value", Num(c.estimate.value)},
                     {"lower", Num(c.estimate.lower)},
                     {"upper", Num(c.estimate.upper)},
                     {"interval_method",
                      v.method.empty() ? json(nullptr) : json(stats::Name(c.estimate.method))},
                     {"comparison", stats::Name(c.comparison)},
                     {"rank", Num(u.standing.rank)},
                     {"quartile", u.standing.quartile},
                     {"gap_to_best", Num(u.standing.gap_to_best)},
                     {"gap_to_top_quartile", Num(u.standing.gap_to_top_quartile)},
                     {"trend", TrendJson(u.trend)}});
  }
  auto count = [&](stats::Comparison c) { return v.counts[static_cast<int>(c)]; };
  return http::JsonResponse({{"metric", v.metric},
                             {"period", FormatIsoDate(v.period)},
                             {"method", v.method.empty() ? json(nullptr) : json(v.method)},
                             {"polarity", oversight::Name(v.polarity)},
                             {"confidence", v.confidence * 100},
                             {"benchmark", Num(v.benchmark)},
                             {"multiplier", v.multiplier},
                             {"unit", v.unit},
                             {"trend_unit", v.trend_unit},
                             {"counts",
                              {{"better", count(stats::Comparison::kBetter)},
                               {"same", count(stats::Comparison::kSame)},
                               {"worse", count(stats::Comparison::kWorse)},
                               {"none", count(stats::Comparison::kNone)}}},
                             {"standing",
                              {{"n", v.standing.n},
                               {"best", Num(v.standing.best)},
                               {"q25", Num(v.standing.q25)},
                               {"median", Num(v.standing.median)},
                               {"q75", Num(v.standing.q75)}}},
                             {"units", units}});
}

}  // namespace shewhart::server::handlers
