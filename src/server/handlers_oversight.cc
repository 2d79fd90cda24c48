// Handlers: the board summary and series (read from STORED SPC results, never computed per
// request), observations, funnel, standing, trend and submissions.
#include <cmath>
#include <nlohmann/json.hpp>

#include "base/date.h"
#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "http/json.h"
#include "observations/observations.h"
#include "oversight/board.h"
#include "oversight/comparison.h"
#include "oversight/report.h"
#include "oversight/spc_store.h"
#include "server/internal/handlers.h"

namespace shewhart::server::handlers {
namespace {

using nlohmann::json;

json Num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
json Num(const std::optional<double>& v) { return v ? Num(*v) : json(nullptr); }

Result<Date> PeriodParam(const RequestContext& ctx) {
  std::optional<std::string> text = ctx.req.Query("period");
  if (!text) return InvalidArgumentError("\"period\" is required (YYYY-MM-DD)");
  std::optional<Date> d = ParseIsoDate(*text);
  if (!d) return InvalidArgumentError("\"period\" must be a date written YYYY-MM-DD");
  return *d;
}

// "YYYY-MM-DD n/N,..." (board.h) -> [{"period", "reported", "expected"}, ...].
json HeldBackJson(std::string_view text) {
  json out = json::array();
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view cell = text.substr(0, comma);
    const size_t space = cell.find(' '), slash = cell.find('/');
    if (space != std::string_view::npos && slash != std::string_view::npos && slash > space) {
      out.push_back(
          {{"period", std::string(cell.substr(0, space))},
           {"reported", std::stoi(std::string(cell.substr(space + 1, slash - space - 1)))},
           {"expected", std::stoi(std::string(cell.substr(slash + 1)))}});
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

// Like for like: ?kind= and ?group= (oversight::PeerFilter).
oversight::PeerFilter PeersOf(const RequestContext& ctx) {
  return {.kind = ctx.req.Query("kind").value_or(""), .group = ctx.req.Query("group").value_or("")};
}

}  // namespace

Result<http::Response> Board(RequestContext& ctx) {
  const std::string domain = ctx.req.Query("domain").value_or("");
  const std::string place = ctx.req.Query("place").value_or("");
  const std::string kind = ctx.req.Query("kind").value_or("");
  const std::string metric = ctx.req.Query("metric").value_or("");
  const std::string scope = ctx.req.Query("scope").value_or("");
  int64_t limit = 5000, offset = 0;
  if (auto l = ctx.req.Query("limit")) {
    ASSIGN_OR_RETURN(limit, http::ParseIntParam("limit", *l, 1, 50000));
  }
  if (auto o = ctx.req.Query("offset")) {
    ASSIGN_OR_RETURN(offset, http::ParseIntParam("offset", *o, 0, 100000000));
  }
  ASSIGN_OR_RETURN(std::vector<oversight::BoardRow> board,
                   oversight::BoardSummary(ctx.conn, {.domain = domain,
                                                      .place = place,
                                                      .kind = kind,
                                                      .metric = metric,
                                                      .scope = scope,
                                                      .limit = limit,
                                                      .offset = offset}));
  json rows = json::array();
  for (const oversight::BoardRow& r : board) {
    rows.push_back({{"metric", r.metric},
                    {"name", r.name},
                    {"domain", r.domain},
                    {"improvement_direction", r.improvement_direction},
                    {"unit", r.unit},
                    {"unit_name", r.unit_name},
                    {"kind", r.kind},
                    {"place", r.place.empty() ? json(nullptr) : json(r.place)},
                    {"aggregate", r.aggregate},
                    {"variation", r.variation},
                    {"assurance", r.assurance},
                    {"mean", Num(r.mean)},
                    {"lpl", Num(r.lpl)},
                    {"upl", Num(r.upl)},
                    {"target", Num(r.target)},
                    {"last_period", r.last_period},
                    {"n_points", r.n_points},
                    {"n_improvement", r.n_improvement},
                    {"n_concern", r.n_concern},
                    {"aggregation", r.aggregation.empty() ? json(nullptr) : json(r.aggregation)},
                    {"reported", r.expected > 0 ? json(r.reported) : json(nullptr)},
                    {"expected", r.expected > 0 ? json(r.expected) : json(nullptr)},
                    {"held_back", HeldBackJson(r.held_back)}});
  }
  return http::JsonResponse({{"rows", rows}, {"limit", limit}, {"offset", offset}});
}

// The integrated performance report of one scope (oversight/report.h).
Result<http::Response> BoardReport(RequestContext& ctx) {
  ASSIGN_OR_RETURN(
      oversight::Report rep,
      oversight::BuildReport(ctx.conn, {.scope = ctx.req.Query("scope").value_or(""),
                                        .domain = ctx.req.Query("domain").value_or("")}));
  json rows = json::array();
  for (const oversight::ReportRow& x : rep.rows) {
    const oversight::BoardRow& r = x.row;
    rows.push_back({{"metric", r.metric},
                    {"name", r.name},
                    {"domain", r.domain},
                    {"improvement_direction", r.improvement_direction},
                    {"unit", x.unit},
                    {"aggregate", r.aggregate},
                    {"variation", r.variation},
                    {"assurance", r.assurance},
                    {"latest", Num(x.latest)},
                    {"last_period", r.last_period},
                    {"target", Num(r.target)},
                    {"mean", Num(r.mean)},
                    {"lpl", Num(r.lpl)},
                    {"upl", Num(r.upl)},
                    {"aggregation", r.aggregation.empty() ? json(nullptr) : json(r.aggregation)},
                    {"reported", r.expected > 0 ? json(r.reported) : json(nullptr)},
                    {"expected", r.expected > 0 ? json(r.expected) : json(nullptr)},
                    {"held_back", HeldBackJson(r.held_back)},
                    {"trend",
                     {{"per_year", Num(x.slope_per_year)},
                      {"lower95", Num(x.slope_lower95)},
                      {"upper95", Num(x.slope_upper95)},
                      {"unit", x.unit + " a year"},
                      {"word", x.trend_word}}},
                    {"peers",
                     {{"period", x.peer_period},
                      {"group", x.peer_group},
                      {"n", x.peers},
                      {"favourable", x.favourable},
                      {"unfavourable", x.unfavourable},
                      {"outlier", x.outlier.empty() ? json(nullptr) : json(x.outlier)},
                      {"position", x.position > 0 ? json(x.position) : json(nullptr)},
                      {"best", Num(x.best)},
                      {"best_unit", x.best_unit.empty() ? json(nullptr) : json(x.best_unit)},
                      {"best_name", x.best_name.empty() ? json(nullptr) : json(x.best_name)}}}});
  }
  return http::JsonResponse(
      {{"scope", rep.scope},
       {"scope_name", rep.scope_name},
       {"scope_kind", rep.scope_kind},
       {"aggregate", rep.aggregate},
       {"latest_period", rep.latest_period.empty() ? json(nullptr) : json(rep.latest_period)},
       {"rows", rows}});
}

Result<http::Response> Series(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t metric_id,
                   dictionary::MetricIdByCode(ctx.conn, ctx.req.Param("metric")));
  ASSIGN_OR_RETURN(int64_t unit_id, directory::UnitIdByCode(ctx.conn, ctx.req.Param("unit")));
  const std::string aggregate = ctx.req.Query("aggregate").value_or("0");
  if (aggregate != "0" && aggregate != "1") {
    return InvalidArgumentError("\"aggregate\" must be 0 or 1");
  }
  ASSIGN_OR_RETURN(std::optional<oversight::StoredSpcResult> r,
                   oversight::LoadSpcResult(ctx.conn, {metric_id, unit_id, aggregate == "1"}));
  if (!r) return NotFoundError("no stored result for this series (no observations yet?)");
  json points = json::array();
  for (const oversight::StoredPoint& p : r->points) {
    json point = {{"period", FormatIsoDate(p.period)},
                  {"value", Num(p.value)},
                  {"type", std::string(1, oversight::PointTypeLetter(p.type))}};
    if (r->chart != "xmr") {  // a qicharts2 chart: each point's own lines
      point["cl"] = Num(p.cl);
      point["lcl"] = Num(p.lcl);
      point["ucl"] = Num(p.ucl);
    }
    points.push_back(std::move(point));
  }
  json groups = json::array();
  for (size_t g = 0; g < r->groups.size(); ++g) {
    const oversight::StoredGroup& gr = r->groups[g];
    json j = {{"begin", gr.begin},  {"end", gr.end},      {"mean", Num(gr.mean)},
              {"lpl", Num(gr.lpl)}, {"upl", Num(gr.upl)}, {"short", gr.short_group}};
    if (g > 0) j["reason"] = gr.reason;
    groups.push_back(std::move(j));
  }
  const json warnings = r->warnings;
  json coverage = nullptr;
  if (!r->aggregation.empty()) {
    json held = json::array();
    for (const oversight::HeldBackPeriod& h : r->held_back) {
      held.push_back({{"period", FormatIsoDate(h.period)},
                      {"reported", h.reported},
                      {"expected", h.expected}});
    }
    for (size_t i = 0; i < points.size() && i < r->reported.size(); ++i) {
      points[i]["reported"] = r->reported[i];
      points[i]["expected"] = r->expected[i];
    }
    coverage = {{"aggregation", r->aggregation},
                {"reported", r->reported.empty() ? json(nullptr) : json(r->reported.back())},
                {"expected", r->expected.empty() ? json(nullptr) : json(r->expected.back())},
                {"held_back", held}};
  }
  return http::JsonResponse({{"metric", ctx.req.Param("metric")},
                             {"unit", ctx.req.Param("unit")},
                             {"aggregate", aggregate == "1"},
                             {"computed_at", r->computed_at},
                             {"summary",
                              {{"chart", r->chart},
                               {"n_points", r->n_points},
                               {"first_period", r->first_period},
                               {"last_period", r->last_period},
                               {"mean", Num(r->mean)},
                               {"lpl", Num(r->lpl)},
                               {"upl", Num(r->upl)},
                               {"target", Num(r->target)},
                               {"variation", r->variation},
                               {"assurance", r->assurance},
                               {"frequency", r->frequency},
                               {"n_improvement", r->n_improvement},
                               {"n_concern", r->n_concern}}},
                             {"groups", groups},
                             {"points", points},
                             {"warnings", warnings},
                             {"coverage", coverage}});
}

Result<http::Response> Observations(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t metric_id,
                   dictionary::MetricIdByCode(ctx.conn, ctx.req.Param("metric")));
  ASSIGN_OR_RETURN(int64_t unit_id, directory::UnitIdByCode(ctx.conn, ctx.req.Param("unit")));
  std::vector<observations::StoredObservation> rows;
  RETURN_IF_ERROR(observations::ForEachInSeries(
      ctx.conn, metric_id, unit_id,
      [&](const observations::StoredObservation& s) { rows.push_back(s); }));
  json out = json::array();
  for (const auto& s : rows) {
    ASSIGN_OR_RETURN(std::vector<observations::HistoryEntry> history,
                     observations::HistoryOf(ctx.conn, metric_id, unit_id, s.obs.period));
    json h = json::array();
    for (const auto& e : history) {
      h.push_back({{"value", Num(e.value)},
                   {"numerator", Num(e.numerator)},
                   {"denominator", Num(e.denominator)},
                   {"replaced_by", e.replaced_by},
                   {"replaced_at", e.replaced_at}});
    }
    out.push_back({{"period", FormatIsoDate(s.obs.period)},
                   {"value", Num(s.obs.value)},
                   {"numerator", Num(s.obs.numerator)},
                   {"denominator", Num(s.obs.denominator)},
                   {"batch", s.batch_id},
                   {"corrections", h}});
  }
  return http::JsonResponse({{"metric", ctx.req.Param("metric")},
                             {"unit", ctx.req.Param("unit")},
                             {"observations", out}});
}

Result<http::Response> Funnel(RequestContext& ctx) {
  ASSIGN_OR_RETURN(Date period, PeriodParam(ctx));
  ASSIGN_OR_RETURN(
      oversight::FunnelView f,
      oversight::FunnelForPeriod(ctx.conn, ctx.req.Param("metric"), period, PeersOf(ctx)));
  const double k = f.multiplier;
  json units = json::array();
  for (const auto& u : f.result.units) {
    units.push_back({{"unit", u.name},
                     {"numerator", u.numerator},
                     {"denominator", u.denominator},
                     {"value", Num(u.value * k)},
                     {"lcl95", Num(u.limits.lcl95)},
                     {"ucl95", Num(u.limits.ucl95)},
                     {"lcl998", Num(u.limits.lcl998)},
                     {"ucl998", Num(u.limits.ucl998)},
                     {"outlier", stats::Name(u.outlier)}});
  }
  return http::JsonResponse({{"metric", f.metric},
                             {"period", FormatIsoDate(period)},
                             {"target", Num(f.result.target * k)},
                             {"phi", Num(f.result.phi)},
                             {"tau2", Num(f.result.tau2)},
                             {"overdispersion_adjusted", f.result.adjusted},
                             {"units", units}});
}

Result<http::Response> Standing(RequestContext& ctx) {
  ASSIGN_OR_RETURN(Date period, PeriodParam(ctx));
  ASSIGN_OR_RETURN(
      oversight::StandingView v,
      oversight::StandingForPeriod(ctx.conn, ctx.req.Param("metric"), period, PeersOf(ctx)));
  const stats::StandingResult& s = v.result;
  json units = json::array();
  for (size_t i = 0; i < s.units.size(); ++i) {
    units.push_back({{"unit", v.units[i]},
                     {"value", Num(s.units[i].value)},
                     {"rank", Num(s.units[i].rank)},
                     {"quartile", s.units[i].quartile},
                     {"gap_to_best", Num(s.units[i].gap_to_best)},
                     {"gap_to_top_quartile", Num(s.units[i].gap_to_top_quartile)}});
  }
  return http::JsonResponse({{"metric", v.metric},
                             {"period", FormatIsoDate(period)},
                             {"n", s.n},
                             {"best", Num(s.best)},
                             {"q25", Num(s.q25)},
                             {"median", Num(s.median)},
                             {"q75", Num(s.q75)},
                             {"units", units}});
}

Result<http::Response> Trend(RequestContext& ctx) {
  ASSIGN_OR_RETURN(stats::TrendResult t, oversight::TrendOfSeries(ctx.conn, ctx.req.Param("metric"),
                                                                  ctx.req.Param("unit")));
  auto slope = [](const stats::SlopeEstimate& e) {
    return json{{"per_year", Num(e.slope_per_year)},
                {"lower95", Num(e.lower95)},
                {"upper95", Num(e.upper95)}};
  };
  return http::JsonResponse({{"metric", ctx.req.Param("metric")},
                             {"unit", ctx.req.Param("unit")},
                             {"n", t.n},
                             {"ols", slope(t.ols)},
                             {"theil_sen", slope(t.theil_sen)}});
}

Result<http::Response> Submissions(RequestContext& ctx) {
  Date as_of = static_cast<Date>(ctx.now_s / 86400);
  std::optional<Date> latest;
  if (auto text = ctx.req.Query("as_of")) {
    std::optional<Date> d = ParseIsoDate(*text);
    if (!d) return InvalidArgumentError("\"as_of\" must be a date written YYYY-MM-DD");
    as_of = *d;
  } else {
    // Judged as of the latest period loaded, not today (observations.h).
    ASSIGN_OR_RETURN(as_of, observations::DefaultSubmissionsAsOf(ctx.conn, as_of, &latest));
  }
  ASSIGN_OR_RETURN(std::vector<observations::SubmissionStatus> rows,
                   observations::Submissions(ctx.conn, as_of));
  json out = json::array();
  for (const auto& s : rows) {
    out.push_back({{"unit", s.unit_code},
                   {"expected", s.expected},
                   {"received", s.received},
                   {"on_time", s.on_time},
                   {"completeness", Num(s.completeness())},
                   {"timeliness", Num(s.timeliness())}});
  }
  return http::JsonResponse(
      {{"as_of", FormatIsoDate(as_of)},
       {"latest_period", latest ? json(FormatIsoDate(*latest)) : json(nullptr)},
       {"submissions", out}});
}

}  // namespace shewhart::server::handlers
