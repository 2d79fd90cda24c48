// Handlers of the capability part: Learn / Live / Lead people, their tiers and the dashboard.
#include "server/internal/handlers_capability.h"

#include <nlohmann/json.hpp>

#include "base/date.h"
#include "capability/dashboard.h"
#include "capability/measures.h"
#include "capability/people.h"
#include "capability/programme.h"
#include "capability/questionnaires.h"
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
                             {"coaching_hours", d.coaching_hours},
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


// ---- events, coaching sessions, communities, plan, measures ----

namespace {

json EventJson(const capability::Event& e) {
  json trainers = json::array();
  for (const capability::EventTrainer& t : e.trainers) {
    trainers.push_back({{"email", t.email}, {"name", t.name}, {"external", t.external}});
  }
  return {{"id", e.id},           {"course", e.course},     {"course_title", e.course_title},
          {"course_tier", e.course_tier}, {"date", e.date}, {"place", e.place},
          {"online", e.online},   {"capacity", e.capacity}, {"booked", e.booked},
          {"attended", e.attended}, {"places_left", std::max<int64_t>(0, e.capacity - e.booked)},
          {"wave", e.wave},       {"cohort", e.cohort},     {"trainers", trainers}};
}

Result<int64_t> IdParam(RequestContext& ctx) {
  return http::ParseIntParam("id", ctx.req.Param("id"), 1, INT64_MAX);
}

Result<std::vector<std::string>> StringList(const json& body, std::string_view key) {
  std::vector<std::string> out;
  auto it = body.find(std::string(key));
  if (it == body.end() || it->is_null()) return out;
  if (!it->is_array()) return InvalidArgumentError(std::string(key) + " must be a list of text");
  for (const json& v : *it) {
    if (!v.is_string()) return InvalidArgumentError(std::string(key) + " must be a list of text");
    out.push_back(v.get<std::string>());
  }
  if (out.size() > 500) return InvalidArgumentError(std::string(key) + ": at most 500");
  return out;
}

Result<int64_t> WholeNumber(const json& body, std::string_view key) {
  ASSIGN_OR_RETURN(std::optional<double> v, http::OptionalNumber(body, key));
  if (!v || *v != static_cast<double>(static_cast<int64_t>(*v))) {
    return InvalidArgumentError(std::string(key) + " must be a whole number");
  }
  return static_cast<int64_t>(*v);
}

// Answers {"CODE": 3, "OTHER": "text"} as text pairs.
Result<std::vector<std::pair<std::string, std::string>>> Answers(const json& body) {
  std::vector<std::pair<std::string, std::string>> out;
  auto it = body.find("answers");
  if (it == body.end() || !it->is_object()) {
    return InvalidArgumentError("answers must be an object of question code -> answer");
  }
  for (auto a = it->begin(); a != it->end(); ++a) {
    if (a.value().is_string()) {
      out.push_back({a.key(), a.value().get<std::string>()});
    } else if (a.value().is_number_integer()) {
      out.push_back({a.key(), std::to_string(a.value().get<int64_t>())});
    } else if (a.value().is_number()) {
      out.push_back({a.key(), a.value().dump()});
    } else if (!a.value().is_null()) {
      return InvalidArgumentError("answers: the answer to question " + a.key() +
                                  " must be a number or text");
    }
  }
  return out;
}

json OptionalJson(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

Result<http::Response> ListEvents(RequestContext& ctx) {
  ASSIGN_OR_RETURN(std::vector<capability::Event> events,
                   capability::ListEvents(ctx.conn, ctx.req.Query("from").value_or(""),
                                          ctx.req.Query("to").value_or("")));
  json list = json::array();
  for (const capability::Event& e : events) list.push_back(EventJson(e));
  return http::JsonResponse({{"events", list}});
}

Result<http::Response> CreateEvent(RequestContext& ctx) {
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  capability::EventInput in;
  ASSIGN_OR_RETURN(in.course, http::RequiredString(body, "course", 100));
  ASSIGN_OR_RETURN(in.date, http::RequiredString(body, "date", 10));
  ASSIGN_OR_RETURN(std::optional<std::string> place, http::OptionalString(body, "place", 200));
  ASSIGN_OR_RETURN(std::optional<std::string> wave, http::OptionalString(body, "wave", 100));
  ASSIGN_OR_RETURN(std::optional<std::string> cohort, http::OptionalString(body, "cohort", 100));
  ASSIGN_OR_RETURN(in.capacity, WholeNumber(body, "capacity"));
  in.place = place.value_or("");
  in.wave = wave.value_or("");
  in.cohort = cohort.value_or("");
  auto online = body.find("online");
  in.online = online != body.end() && online->is_boolean() && online->get<bool>();
  ASSIGN_OR_RETURN(in.trainers, StringList(body, "trainers"));
  ASSIGN_OR_RETURN(in.external, StringList(body, "external_trainers"));
  ASSIGN_OR_RETURN(int64_t id, capability::CreateEvent(ctx.conn, ctx.Acting(), in));
  ASSIGN_OR_RETURN(capability::Event e, capability::GetEvent(ctx.conn, id));
  return http::JsonResponse(EventJson(e), 201);
}

Result<http::Response> GetEvent(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx));
  ASSIGN_OR_RETURN(capability::Event e, capability::GetEvent(ctx.conn, id));
  ASSIGN_OR_RETURN(std::vector<capability::EventPlace> places,
                   capability::EventAttendees(ctx.conn, id));
  ASSIGN_OR_RETURN(capability::EvaluationSummary ev, capability::SummariseEvaluations(ctx.conn, id));
  json out = EventJson(e);
  json list = json::array();
  for (const capability::EventPlace& p : places) {
    list.push_back({{"email", p.email}, {"name", p.name}, {"attended", p.attended}});
  }
  out["attendees"] = list;
  json means = json::object();
  for (const auto& [code, mean] : ev.means) means[code] = mean;
  out["evaluation"] = {{"responses", ev.responses}, {"means", means}};
  return http::JsonResponse(out);
}

Result<http::Response> BookOnEvent(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx));
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  ASSIGN_OR_RETURN(std::string email, http::RequiredString(body, "email", 320));
  RETURN_IF_ERROR(RequireInScope(ctx, email));
  RETURN_IF_ERROR(capability::BookOnEvent(ctx.conn, ctx.Acting(), id, email));
  ASSIGN_OR_RETURN(capability::Event e, capability::GetEvent(ctx.conn, id));
  return http::JsonResponse(EventJson(e), 201);
}

Result<http::Response> MarkEventAttendance(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx));
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  ASSIGN_OR_RETURN(std::string email, http::RequiredString(body, "email", 320));
  ASSIGN_OR_RETURN(std::string attended, http::RequiredString(body, "attended", 5));
  RETURN_IF_ERROR(RequireInScope(ctx, email));
  RETURN_IF_ERROR(capability::MarkEventAttendance(ctx.conn, ctx.Acting(), id, email, attended));
  const std::string as_of = ctx.now.substr(0, 10);
  ASSIGN_OR_RETURN(capability::PersonTier t, capability::GetPersonTier(ctx.conn, email, as_of));
  return http::JsonResponse(TierJson(t, as_of), 201);
}

Result<http::Response> SubmitEvaluation(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx));
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  ASSIGN_OR_RETURN(std::string email, http::RequiredString(body, "email", 320));
  ASSIGN_OR_RETURN(auto answers, Answers(body));
  ASSIGN_OR_RETURN(capability::Event e, capability::GetEvent(ctx.conn, id));
  ASSIGN_OR_RETURN(capability::PersonTier t,
                   capability::GetPersonTier(ctx.conn, email, ctx.now.substr(0, 10)));
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  if (!scope.Contains(t.person.unit_id)) {
    return NotFoundError("no such person, or not in your organisations");
  }
  capability::ResponseInput in;
  in.questionnaire = "POST-TRAINING";
  in.organisation = t.person.organisation;
  in.round = e.date.substr(0, 4);
  in.event_id = id;
  in.person = email;
  in.answers = std::move(answers);
  ASSIGN_OR_RETURN(int64_t rid, capability::SubmitResponse(ctx.conn, ctx.Acting(), in));
  return http::JsonResponse({{"response", rid}}, 201);
}

Result<http::Response> ListCoachingSessions(RequestContext& ctx) {
  ASSIGN_OR_RETURN(std::vector<capability::CoachingSession> list,
                   capability::ListCoachingSessions(ctx.conn, ctx.req.Query("email").value_or("")));
  json out = json::array();
  double minutes = 0;
  for (const capability::CoachingSession& s : list) {
    minutes += static_cast<double>(s.minutes);
    out.push_back({{"coach", s.coach}, {"coachee", s.coachee}, {"date", s.date},
                   {"minutes", s.minutes}, {"note", s.note}});
  }
  return http::JsonResponse({{"sessions", out}, {"hours", minutes / 60.0}});
}

Result<http::Response> RecordCoachingSession(RequestContext& ctx) {
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  capability::SessionInput in;
  ASSIGN_OR_RETURN(in.coach, http::RequiredString(body, "coach", 320));
  ASSIGN_OR_RETURN(in.coachee, http::RequiredString(body, "coachee", 320));
  ASSIGN_OR_RETURN(in.started, http::RequiredString(body, "started", 10));
  ASSIGN_OR_RETURN(in.date, http::RequiredString(body, "date", 10));
  ASSIGN_OR_RETURN(in.minutes, WholeNumber(body, "minutes"));
  ASSIGN_OR_RETURN(std::optional<std::string> note, http::OptionalString(body, "note", 1000));
  in.note = note.value_or("");
  RETURN_IF_ERROR(RequireInScope(ctx, in.coach));
  RETURN_IF_ERROR(capability::RecordCoachingSession(ctx.conn, ctx.Acting(), in));
  return http::JsonResponse({{"recorded", true}}, 201);
}

Result<http::Response> ListCommunities(RequestContext& ctx) {
  ASSIGN_OR_RETURN(std::vector<capability::Community> list, capability::ListCommunities(ctx.conn));
  json out = json::array();
  for (const capability::Community& c : list) {
    json members = json::array(), meetings = json::array(), projects = json::array();
    for (const auto& [email, name] : c.members) members.push_back({{"email", email}, {"name", name}});
    for (const capability::Meeting& m : c.meetings) {
      meetings.push_back({{"date", m.date}, {"kind", m.kind}, {"title", m.title},
                          {"agenda", m.agenda}, {"shared", m.shared},
                          {"attendees", m.attendees}});
    }
    for (const capability::CommunityProject& p : c.projects) {
      projects.push_back({{"title", p.title}, {"lead", p.lead}, {"started", p.started},
                          {"status", p.status},
                          {"project_id", p.project_id ? json(*p.project_id) : json(nullptr)}});
    }
    out.push_back({{"code", c.code}, {"title", c.title}, {"purpose", c.purpose},
                   {"lead", c.lead}, {"lead_name", c.lead_name}, {"launched", c.launched},
                   {"members", members}, {"meetings", meetings}, {"projects", projects}});
  }
  return http::JsonResponse({{"communities", out}});
}

Result<http::Response> CreateCommunity(RequestContext& ctx) {
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  capability::CommunityInput in;
  ASSIGN_OR_RETURN(in.code, http::RequiredString(body, "code", 40));
  ASSIGN_OR_RETURN(in.title, http::RequiredString(body, "title", 200));
  ASSIGN_OR_RETURN(in.launched, http::RequiredString(body, "launched", 10));
  ASSIGN_OR_RETURN(std::optional<std::string> purpose, http::OptionalString(body, "purpose", 2000));
  ASSIGN_OR_RETURN(std::optional<std::string> lead, http::OptionalString(body, "lead", 320));
  in.purpose = purpose.value_or("");
  in.lead = lead.value_or("");
  RETURN_IF_ERROR(capability::CreateCommunity(ctx.conn, ctx.Acting(), in).status());
  return http::JsonResponse({{"code", in.code}}, 201);
}

Result<http::Response> JoinCommunity(RequestContext& ctx) {
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  ASSIGN_OR_RETURN(std::string email, http::RequiredString(body, "email", 320));
  ASSIGN_OR_RETURN(std::optional<std::string> joined, http::OptionalString(body, "joined", 10));
  RETURN_IF_ERROR(capability::JoinCommunity(ctx.conn, ctx.Acting(), ctx.req.Param("code"), email,
                                            joined.value_or(ctx.now.substr(0, 10))));
  return http::JsonResponse({{"joined", true}}, 201);
}

Result<http::Response> RecordCommunityMeeting(RequestContext& ctx) {
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  capability::MeetingInput in;
  in.community = std::string(ctx.req.Param("code"));
  ASSIGN_OR_RETURN(in.date, http::RequiredString(body, "date", 10));
  ASSIGN_OR_RETURN(in.title, http::RequiredString(body, "title", 200));
  ASSIGN_OR_RETURN(std::optional<std::string> kind, http::OptionalString(body, "kind", 20));
  ASSIGN_OR_RETURN(std::optional<std::string> agenda, http::OptionalString(body, "agenda", 4000));
  ASSIGN_OR_RETURN(std::optional<std::string> shared, http::OptionalString(body, "shared", 4000));
  in.kind = kind.value_or("meeting");
  in.agenda = agenda.value_or("");
  in.shared = shared.value_or("");
  ASSIGN_OR_RETURN(in.attendees, StringList(body, "attendees"));
  RETURN_IF_ERROR(capability::RecordMeeting(ctx.conn, ctx.Acting(), in).status());
  return http::JsonResponse({{"recorded", true}}, 201);
}

Result<http::Response> AddCommunityProject(RequestContext& ctx) {
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  capability::CommunityProjectInput in;
  in.community = std::string(ctx.req.Param("code"));
  ASSIGN_OR_RETURN(in.title, http::RequiredString(body, "title", 200));
  ASSIGN_OR_RETURN(in.lead, http::RequiredString(body, "lead", 320));
  ASSIGN_OR_RETURN(in.started, http::RequiredString(body, "started", 10));
  ASSIGN_OR_RETURN(std::optional<std::string> status, http::OptionalString(body, "status", 20));
  in.status = status.value_or("active");
  RETURN_IF_ERROR(capability::AddCommunityProject(ctx.conn, ctx.Acting(), in));
  return http::JsonResponse({{"recorded", true}}, 201);
}

Result<http::Response> ListPlan(RequestContext& ctx) {
  ASSIGN_OR_RETURN(std::vector<capability::Milestone> list, capability::ListMilestones(ctx.conn));
  json out = json::array();
  for (const capability::Milestone& m : list) {
    out.push_back({{"id", m.id}, {"stage", m.stage}, {"title", m.title}, {"due", m.due},
                   {"owner", m.owner}, {"status", m.status}, {"done_on", m.done_on}});
  }
  return http::JsonResponse({{"stages", capability::Stages()}, {"milestones", out}});
}

Result<http::Response> SaveMilestone(RequestContext& ctx) {
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  capability::Milestone m;
  ASSIGN_OR_RETURN(std::optional<double> id, http::OptionalNumber(body, "id"));
  m.id = id ? static_cast<int64_t>(*id) : 0;
  ASSIGN_OR_RETURN(m.stage, http::RequiredString(body, "stage", 40));
  ASSIGN_OR_RETURN(m.title, http::RequiredString(body, "title", 200));
  ASSIGN_OR_RETURN(m.due, http::RequiredString(body, "due", 10));
  ASSIGN_OR_RETURN(m.owner, http::RequiredString(body, "owner", 200));
  ASSIGN_OR_RETURN(m.status, http::RequiredString(body, "status", 20));
  ASSIGN_OR_RETURN(std::optional<std::string> done, http::OptionalString(body, "done_on", 10));
  m.done_on = done.value_or("");
  ASSIGN_OR_RETURN(int64_t saved, capability::SaveMilestone(ctx.conn, ctx.Acting(), m));
  return http::JsonResponse({{"id", saved}}, m.id == 0 ? 201 : 200);
}

Result<http::Response> RefreshMeasures(RequestContext& ctx) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(ctx.conn));
  ASSIGN_OR_RETURN(capability::MeasuresReport r,
                   capability::RefreshCapabilityMeasures(ctx.conn, ctx.Acting().actor, ctx.now));
  RETURN_IF_ERROR(access::RecordAudit(ctx.conn, ctx.Acting(), "capability.measures", "", "",
                                      json{{"observations", r.observations}}.dump()));
  RETURN_IF_ERROR(tx.Commit());
  return http::JsonResponse({{"months", r.months}, {"units", r.units},
                             {"observations", r.observations}, {"series", r.series}});
}

// ---- questionnaires and assessments ----

namespace {

json QuestionnaireJson(const capability::Questionnaire& q) {
  json questions = json::array();
  for (const capability::Question& x : q.questions) {
    questions.push_back({{"code", x.code}, {"component", x.component}, {"title", x.title},
                         {"kind", x.kind},
                         {"scale_min", x.scale_min ? json(*x.scale_min) : json(nullptr)},
                         {"scale_max", x.scale_max ? json(*x.scale_max) : json(nullptr)},
                         {"labels", x.labels}, {"required", x.required}});
  }
  return {{"code", q.code},       {"version", q.version}, {"title", q.title},
          {"purpose", q.purpose}, {"source", q.source},   {"questions", questions}};
}

}  // namespace

Result<http::Response> ListQuestionnaires(RequestContext& ctx) {
  ASSIGN_OR_RETURN(std::vector<capability::Questionnaire> list,
                   capability::ListQuestionnaires(ctx.conn));
  json out = json::array();
  for (const capability::Questionnaire& q : list) out.push_back(QuestionnaireJson(q));
  return http::JsonResponse({{"questionnaires", out}});
}

Result<http::Response> GetQuestionnaire(RequestContext& ctx) {
  int64_t version = 0;
  if (auto v = ctx.req.Query("version"); v && !v->empty()) {
    ASSIGN_OR_RETURN(version, http::ParseIntParam("version", *v, 1, 100000));
  }
  ASSIGN_OR_RETURN(capability::Questionnaire q,
                   capability::GetQuestionnaire(ctx.conn, ctx.req.Param("code"), version));
  return http::JsonResponse(QuestionnaireJson(q));
}

Result<http::Response> SaveQuestionnaire(RequestContext& ctx) {
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  capability::Questionnaire q;
  ASSIGN_OR_RETURN(q.code, http::RequiredString(body, "code", 40));
  ASSIGN_OR_RETURN(q.title, http::RequiredString(body, "title", 200));
  ASSIGN_OR_RETURN(std::optional<std::string> purpose, http::OptionalString(body, "purpose", 20));
  ASSIGN_OR_RETURN(std::optional<std::string> source, http::OptionalString(body, "source", 2000));
  q.purpose = purpose.value_or("other");
  q.source = source.value_or("");
  auto qs = body.find("questions");
  if (qs == body.end() || !qs->is_array()) {
    return InvalidArgumentError("questions must be a list");
  }
  for (size_t i = 0; i < qs->size(); ++i) {
    const json& x = (*qs)[i];
    const std::string where = "questions[" + std::to_string(i) + "]";
    if (!x.is_object()) return InvalidArgumentError(where + " must be an object");
    capability::Question c;
    ASSIGN_OR_RETURN(c.code, http::RequiredString(x, "code", 40));
    ASSIGN_OR_RETURN(c.title, http::RequiredString(x, "title", 500));
    ASSIGN_OR_RETURN(c.kind, http::RequiredString(x, "kind", 10));
    ASSIGN_OR_RETURN(std::optional<std::string> comp, http::OptionalString(x, "component", 200));
    c.component = comp.value_or("");
    ASSIGN_OR_RETURN(std::optional<double> lo, http::OptionalNumber(x, "scale_min"));
    ASSIGN_OR_RETURN(std::optional<double> hi, http::OptionalNumber(x, "scale_max"));
    if (lo) c.scale_min = static_cast<int64_t>(*lo);
    if (hi) c.scale_max = static_cast<int64_t>(*hi);
    ASSIGN_OR_RETURN(c.labels, StringList(x, "labels"));
    auto req = x.find("required");
    c.required = req == x.end() || !req->is_boolean() || req->get<bool>();
    q.questions.push_back(std::move(c));
  }
  ASSIGN_OR_RETURN(int64_t version, capability::SaveQuestionnaire(ctx.conn, ctx.Acting(), q));
  ASSIGN_OR_RETURN(capability::Questionnaire saved,
                   capability::GetQuestionnaire(ctx.conn, q.code, version));
  return http::JsonResponse(QuestionnaireJson(saved), 201);
}

Result<http::Response> CompareAssessments(RequestContext& ctx) {
  const std::string code = ctx.req.Query("questionnaire").value_or("HF-READINESS");
  ASSIGN_OR_RETURN(capability::Comparison c,
                   capability::CompareRound(ctx.conn, code, ctx.req.Query("round").value_or(""),
                                            ctx.req.Query("organisation").value_or("")));
  json orgs = json::array(), spread = json::array();
  for (const capability::OrgResult& o : c.organisations) {
    json scores = json::object(), change = json::object(), answers = json::object();
    for (size_t k = 0; k < o.scores.size(); ++k) {
      scores[o.scores[k].component] = OptionalJson(o.scores[k].score);
      change[o.scores[k].component] = OptionalJson(o.change[k]);
    }
    for (const auto& [q, a] : o.answers) answers[q] = a;
    orgs.push_back({{"organisation", o.organisation}, {"name", o.name}, {"round", o.round},
                    {"submitted_at", o.submitted_at}, {"submitted_by", o.submitted_by},
                    {"scores", scores}, {"previous_round", o.previous_round},
                    {"change", change}, {"answers", answers}});
  }
  json scale = json::object();
  for (const capability::Spread& s : c.spread) {
    spread.push_back({{"component", s.component}, {"n", s.n}, {"min", OptionalJson(s.min)},
                      {"median", OptionalJson(s.median)}, {"max", OptionalJson(s.max)}});
  }
  if (!c.organisations.empty()) {
    for (const capability::ComponentScore& s : c.organisations.front().scores) {
      scale[s.component] = {s.scale_min, s.scale_max};
    }
  }
  return http::JsonResponse({{"questionnaire", c.questionnaire}, {"title", c.title},
                             {"round", c.round}, {"rounds", c.rounds},
                             {"components", c.components}, {"scale", scale},
                             {"organisations", orgs}, {"spread", spread}});
}

Result<http::Response> SubmitAssessment(RequestContext& ctx) {
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  capability::ResponseInput in;
  in.organisation = std::string(ctx.req.Param("org"));
  ASSIGN_OR_RETURN(in.questionnaire, http::RequiredString(body, "questionnaire", 40));
  ASSIGN_OR_RETURN(in.round, http::RequiredString(body, "round", 20));
  ASSIGN_OR_RETURN(in.answers, Answers(body));
  ASSIGN_OR_RETURN(int64_t id, capability::SubmitResponse(ctx.conn, ctx.Acting(), in));
  return http::JsonResponse({{"response", id}, {"organisation", in.organisation},
                             {"questionnaire", in.questionnaire}, {"round", in.round}},
                            201);
}

}  // namespace shewhart::server::handlers
