// Handlers of the capability part: Learn / Live / Lead people, their tiers and the dashboard.
#include "server/internal/handlers_capability.h"

#include <nlohmann/json.hpp>

#include "base/date.h"
#include "capability/dashboard.h"
#include "capability/people.h"
#include "http/json.h"
#include "server/internal/handlers.h"

namespace shewhart::server::handlers {
namespace {

using nlohmann::json;

// ?as_of= (default: today). InvalidArgument for a malformed date.
Result<std::string> AsOf(RequestContext& ctx) {
  const std::string as_of = ctx.req.Query("as_of").value_or("");
  if (as_of.empty()) return ctx.now.substr(0, 10);
  const std::optional<Date> d = ParseIsoDate(as_of);
  if (!d) return InvalidArgumentError("as_of must be a date written YYYY-MM-DD");
  return FormatIsoDate(*d);
}

Result<std::string> EmailParam(RequestContext& ctx) {
  std::optional<std::string> email = http::PercentDecode(ctx.req.Param("email"));
  if (!email) return InvalidArgumentError("the email in the path is not well encoded");
  return *email;
}

json Optional(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json EvidenceJson(const capability::Evidence& e) {
  return {{"date", e.date},
          {"activity", capability::ActivityWord(e.activity)},
          {"gives", capability::TierWord(e.tier)},
          {"what", e.what}};
}

json TierJson(const capability::PersonTier& t, std::string_view as_of) {
  json evidence = json::array(), all = json::array(), history = json::array();
  for (const capability::Evidence& e : t.decision.basis) evidence.push_back(EvidenceJson(e));
  for (const capability::Evidence& e : t.evidence) all.push_back(EvidenceJson(e));
  for (const capability::TierChange& c : t.history) {
    history.push_back({{"tier", c.tier},
                       {"since", c.since},
                       {"source", c.source},
                       {"reason", c.reason},
                       {"recorded_by", c.recorded_by},
                       {"recorded_at", c.recorded_at}});
  }
  return {{"email", t.person.email},
          {"name", t.person.name},
          {"organisation", t.person.organisation},
          {"as_of", as_of},
          {"tier", capability::TierWord(t.decision.tier)},
          {"since", t.decision.since},
          {"source", t.decision.source},
          {"reason", t.decision.reason},
          {"evidence", evidence},
          {"all_evidence", all},
          {"history", history}};
}

// The person named in the path, NotFound unless their unit is in the caller's scope (writes).
Status RequireInScope(RequestContext& ctx, const std::string& email) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(capability::PersonTier t,
                   capability::GetPersonTier(ctx.conn, email, ctx.now.substr(0, 10)));
  if (!scope.Contains(t.person.unit_id)) {
    return NotFoundError("no such person, or not in your organisations");
  }
  return Status::Ok();
}

}  // namespace

Result<http::Response> Capability(RequestContext& ctx) {
  ASSIGN_OR_RETURN(std::string as_of, AsOf(ctx));
  const std::string org = ctx.req.Query("organisation").value_or("");
  ASSIGN_OR_RETURN(capability::Dashboard d, capability::CapabilityOn(ctx.conn, org, as_of));
  json parts = json::array();
  json ss = json::object();
  for (const capability::SustainabilityPart& p : d.self_sustainability.parts) {
    parts.push_back({{"name", p.name},
                     {"description", p.description},
                     {"numerator", p.numerator},
                     {"denominator", p.denominator},
                     {"value", Optional(p.value)},
                     {"target", p.target},
                     {"score", Optional(p.score)}});
    ss[p.name] = Optional(p.value);
  }
  ss["index"] = Optional(d.self_sustainability.index);
  ss["parts"] = parts;
  return http::JsonResponse({{"organisation", d.organisation},
                             {"as_of", d.as_of},
                             {"people", d.people},
                             {"learn", d.learn},
                             {"live", d.live},
                             {"lead", d.lead},
                             {"attended", d.attended},
                             {"coaches", d.coaches},
                             {"projects_led_by_community", d.projects_led_by_community},
                             {"latest_evidence", d.latest_evidence},
                             {"self_sustainability", ss}});
}

Result<http::Response> ListPeople(RequestContext& ctx) {
  ASSIGN_OR_RETURN(std::string as_of, AsOf(ctx));
  ASSIGN_OR_RETURN(
      std::vector<capability::Person> people,
      capability::ListPeople(ctx.conn, ctx.req.Query("organisation").value_or(""), as_of));
  json list = json::array();
  for (const capability::Person& p : people) {
    list.push_back({{"email", p.email},
                    {"name", p.name},
                    {"organisation", p.organisation},
                    {"organisation_name", p.organisation_name},
                    {"profession", p.profession},
                    {"tier", capability::TierWord(p.tier)}});
  }
  return http::JsonResponse({{"as_of", as_of}, {"people", list}});
}

Result<http::Response> GetPerson(RequestContext& ctx) {
  ASSIGN_OR_RETURN(std::string email, EmailParam(ctx));
  const std::string as_of = ctx.now.substr(0, 10);
  ASSIGN_OR_RETURN(capability::PersonTier t, capability::GetPersonTier(ctx.conn, email, as_of));
  json out = TierJson(t, as_of);
  out["organisation_name"] = t.person.organisation_name;
  out["profession"] = t.person.profession;
  json training = json::array();
  for (const capability::AttendanceRow& a : t.training) {
    training.push_back({{"course", a.course},
                        {"title", a.title},
                        {"course_tier", a.course_tier},
                        {"date", a.date},
                        {"attended", a.attended},
                        {"role", a.role}});
  }
  out["training"] = training;
  for (int k = 0; k < 2; ++k) {
    json list = json::array();
    for (const capability::CoachingRow& c : k == 0 ? t.coaching_given : t.coaching_received) {
      list.push_back({{"coach", c.coach},
                      {"coachee", c.coachee},
                      {"started", c.started},
                      {"ended", c.ended},
                      {"project", c.project}});
    }
    out[k == 0 ? "coaching_given" : "coaching_received"] = list;
  }
  return http::JsonResponse(out);
}

Result<http::Response> GetPersonTier(RequestContext& ctx) {
  ASSIGN_OR_RETURN(std::string email, EmailParam(ctx));
  ASSIGN_OR_RETURN(std::string as_of, AsOf(ctx));
  ASSIGN_OR_RETURN(capability::PersonTier t, capability::GetPersonTier(ctx.conn, email, as_of));
  return http::JsonResponse(TierJson(t, as_of));
}

Result<http::Response> OverridePersonTier(RequestContext& ctx) {
  ASSIGN_OR_RETURN(std::string email, EmailParam(ctx));
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  ASSIGN_OR_RETURN(std::string tier, http::RequiredString(body, "tier", 10));
  ASSIGN_OR_RETURN(std::optional<std::string> reason, http::OptionalString(body, "reason", 1000));
  RETURN_IF_ERROR(RequireInScope(ctx, email));
  RETURN_IF_ERROR(
      capability::OverrideTier(ctx.conn, ctx.Acting(), email, tier, reason.value_or("")));
  const std::string as_of = ctx.now.substr(0, 10);
  ASSIGN_OR_RETURN(capability::PersonTier t, capability::GetPersonTier(ctx.conn, email, as_of));
  return http::JsonResponse(TierJson(t, as_of), 201);
}

Result<http::Response> RecordPersonAttendance(RequestContext& ctx) {
  ASSIGN_OR_RETURN(std::string email, EmailParam(ctx));
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  capability::AttendanceEntry e;
  e.email = email;
  ASSIGN_OR_RETURN(e.course, http::RequiredString(body, "course", 100));
  ASSIGN_OR_RETURN(e.date, http::RequiredString(body, "date", 10));
  ASSIGN_OR_RETURN(std::optional<std::string> attended, http::OptionalString(body, "attended", 5));
  ASSIGN_OR_RETURN(std::optional<std::string> role, http::OptionalString(body, "role", 10));
  e.attended = attended.value_or("yes");
  e.role = role.value_or("attendee");
  RETURN_IF_ERROR(RequireInScope(ctx, email));
  RETURN_IF_ERROR(capability::RecordAttendance(ctx.conn, ctx.Acting(), e));
  const std::string as_of = ctx.now.substr(0, 10);
  ASSIGN_OR_RETURN(capability::PersonTier t, capability::GetPersonTier(ctx.conn, email, as_of));
  return http::JsonResponse(TierJson(t, as_of), 201);
}

Result<http::Response> ListCourses(RequestContext& ctx) {
  ASSIGN_OR_RETURN(std::vector<capability::Course> courses, capability::ListCourses(ctx.conn));
  json list = json::array();
  for (const capability::Course& c : courses) {
    list.push_back({{"code", c.code},
                    {"title", c.title},
                    {"tier", c.tier},
                    {"level", c.level},
                    {"format", c.format}});
  }
  return http::JsonResponse({{"courses", list}});
}

}  // namespace shewhart::server::handlers
