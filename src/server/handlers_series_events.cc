// Handlers: what happened to a series — recalculations with their reasons (which rebase the stored
// result) and annotations of events; the services audit each write in its own transaction.
#include <cstdint>
#include <nlohmann/json.hpp>

#include "http/json.h"
#include "oversight/series_events.h"
#include "server/internal/handlers.h"

namespace shewhart::server::handlers {
namespace {

using nlohmann::json;

// The series named by the path, own or aggregate (?aggregate=0/1, as for GET /api/series).
Result<oversight::SeriesKey> SeriesOf(const RequestContext& ctx) {
  const std::string aggregate = ctx.req.Query("aggregate").value_or("0");
  if (aggregate != "0" && aggregate != "1") {
    return InvalidArgumentError("\"aggregate\" must be 0 or 1");
  }
  return oversight::FindSeries(ctx.conn, ctx.req.Param("metric"), ctx.req.Param("unit"),
                               aggregate == "1");
}

Result<oversight::NewSeriesEvent> NewEvent(const RequestContext& ctx,
                                           const oversight::SeriesKey& key,
                                           std::string_view text_field) {
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  oversight::NewSeriesEvent e;
  e.series = key;
  ASSIGN_OR_RETURN(e.period, http::RequiredString(body, "period", 10));
  // Longer than the limit by a margin so that the service, not the parser, words the error.
  ASSIGN_OR_RETURN(e.text,
                   http::RequiredString(body, text_field, 4 * oversight::kMaxSeriesEventTextBytes));
  e.created_by = ctx.principal->account.email;
  return e;
}

json EventJson(const oversight::SeriesEvent& e) {
  return {{"id", e.id},     {"period", e.period},         {"kind", oversight::Name(e.kind)},
          {"text", e.text}, {"created_by", e.created_by}, {"created_at", e.created_at}};
}

json GroupsJson(const std::string& text) {
  json groups = json::parse(text, nullptr, false);
  return groups.is_discarded() ? json::array() : groups;
}

}  // namespace

Result<http::Response> AddRecalculation(RequestContext& ctx) {
  ASSIGN_OR_RETURN(oversight::SeriesKey key, SeriesOf(ctx));
  ASSIGN_OR_RETURN(oversight::NewSeriesEvent event, NewEvent(ctx, key, "reason"));
  ASSIGN_OR_RETURN(oversight::RecalculationOutcome r,
                   oversight::AddRecalculation(ctx.conn, event, ctx.Acting()));
  json out = EventJson(r.event);
  out["groups"] = GroupsJson(r.groups_after);
  return http::JsonResponse(out, 201);
}

Result<http::Response> ListAnnotations(RequestContext& ctx) {
  ASSIGN_OR_RETURN(oversight::SeriesKey key, SeriesOf(ctx));
  ASSIGN_OR_RETURN(std::vector<oversight::SeriesEvent> events,
                   oversight::ListEvents(ctx.conn, key, oversight::SeriesEventKind::kAnnotation));
  json out = json::array();
  for (const oversight::SeriesEvent& e : events) out.push_back(EventJson(e));
  return http::JsonResponse({{"annotations", out}});
}

// The recalculations people recorded, with who and when (each can be undone).
Result<http::Response> ListRecalculations(RequestContext& ctx) {
  ASSIGN_OR_RETURN(oversight::SeriesKey key, SeriesOf(ctx));
  ASSIGN_OR_RETURN(
      std::vector<oversight::SeriesEvent> events,
      oversight::ListEvents(ctx.conn, key, oversight::SeriesEventKind::kRecalculation));
  json out = json::array();
  for (const oversight::SeriesEvent& e : events) out.push_back(EventJson(e));
  return http::JsonResponse({{"recalculations", out}});
}

Result<http::Response> UndoRecalculation(RequestContext& ctx) {
  ASSIGN_OR_RETURN(oversight::SeriesKey key, SeriesOf(ctx));
  ASSIGN_OR_RETURN(int64_t id, http::ParseIntParam("id", ctx.req.Param("id"), 1, INT64_MAX));
  ASSIGN_OR_RETURN(oversight::RecalculationOutcome r,
                   oversight::UndoRecalculation(ctx.conn, key, id, ctx.Acting()));
  json out = EventJson(r.event);
  out["undone"] = true;
  out["groups"] = GroupsJson(r.groups_after);
  return http::JsonResponse(out);
}

Result<http::Response> AddAnnotation(RequestContext& ctx) {
  ASSIGN_OR_RETURN(oversight::SeriesKey key, SeriesOf(ctx));
  ASSIGN_OR_RETURN(oversight::NewSeriesEvent event, NewEvent(ctx, key, "text"));
  ASSIGN_OR_RETURN(oversight::SeriesEvent e,
                   oversight::AddAnnotation(ctx.conn, event, ctx.Acting()));
  return http::JsonResponse(EventJson(e), 201);
}

}  // namespace shewhart::server::handlers
