// Handlers of the learning part: search, lessons and their spread, forums, sharing events and the
// learning digest.
#include "server/internal/handlers_learning.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "http/json.h"
#include "learning/digest.h"
#include "learning/forums.h"
#include "learning/lessons.h"
#include "learning/search.h"
#include "server/internal/attachment.h"

namespace shewhart::server::handlers {
namespace {

using nlohmann::json;

// The optional string `field` of `body`: "" when absent or null; InvalidArgument naming the field
// when it is another type.
Result<std::string> Str(const json& body, const std::string& field, std::string_view prefix = "") {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::string();
  if (!it->is_string()) {
    return InvalidArgumentError(std::string(prefix) + field + ": expected text");
  }
  return it->get<std::string>();
}

Result<std::vector<std::string>> StrList(const json& body, const std::string& field) {
  std::vector<std::string> out;
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return out;
  if (!it->is_array()) return InvalidArgumentError(field + ": expected a list of text");
  for (const json& v : *it) {
    if (!v.is_string()) return InvalidArgumentError(field + ": expected a list of text");
    out.push_back(v.get<std::string>());
  }
  return out;
}

Result<bool> Bool(const json& body, const std::string& field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return false;
  if (!it->is_boolean()) return InvalidArgumentError(field + ": expected true or false");
  return it->get<bool>();
}

Result<std::optional<int64_t>> OptId(const json& body, const std::string& field,
                                     std::string_view prefix = "") {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::optional<int64_t>();
  if (it->is_number_integer()) return std::optional<int64_t>(it->get<int64_t>());
  if (it->is_string()) {
    const std::string s = it->get<std::string>();
    char* end = nullptr;
    const long long v = std::strtoll(s.c_str(), &end, 10);
    if (!s.empty() && end != nullptr && *end == '\0' && v > 0) return std::optional<int64_t>(v);
  }
  return InvalidArgumentError(std::string(prefix) + field + ": expected a record id (a number)");
}

Result<int64_t> IdParam(RequestContext& ctx) {
  return http::ParseIntParam("id", ctx.req.Param("id"), 1, INT64_MAX);
}

std::string Q(RequestContext& ctx, std::string_view name) {
  return ctx.req.Query(name).value_or("");
}

bool Flag(RequestContext& ctx, std::string_view name) {
  const std::string v = Q(ctx, name);
  return v == "1" || v == "true" || v == "yes";
}

json ResponseJson(const learning::Response& r) {
  return {{"id", r.id},
          {"organisation", r.organisation},
          {"organisation_name", r.organisation_name},
          {"response", r.response},
          {"date", r.responded_on},
          {"project", r.project},
          {"action", r.action},
          {"note", r.note},
          {"recorded_by", r.recorded_by},
          {"recorded_at", r.recorded_at}};
}

json LessonJson(const learning::Lesson& l) {
  json responses = json::array();
  for (const auto& r : l.responses) responses.push_back(ResponseJson(r));
  return {{"id", l.id},
          {"title", l.title},
          {"summary", l.summary},
          {"organisation", l.organisation.empty() ? json() : json(l.organisation)},
          {"organisation_name", l.organisation_name.empty() ? json() : json(l.organisation_name)},
          {"anonymised", l.anonymised},
          {"share", l.share},
          {"source",
           l.source_kind.empty()
               ? json()
               : json{{"kind", l.source_kind}, {"id", l.source_id ? json(*l.source_id) : json()}}},
          {"themes", l.themes},
          {"rapid_learning_points", l.rapid_learning_points},
          {"metrics", l.metrics},
          {"co_design", l.co_design},
          {"populations", l.populations},
          {"learned_on", l.learned_on},
          {"created_by", l.created_by.empty() ? json() : json(l.created_by)},
          {"created_at", l.created_at},
          {"link", "/lessons/" + std::to_string(l.id)},
          {"responses", responses}};
}

json CasesJson(const std::vector<learning::Case>& cases) {
  json out = json::array();
  for (const auto& c : cases) {
    out.push_back({{"kind", c.kind},
                   {"id", c.id ? json(*c.id) : json()},
                   {"organisation", c.organisation},
                   {"summary", c.summary}});
  }
  return out;
}

json EventJson(const learning::Event& e) {
  return {{"id", e.id},
          {"forum_id", e.forum_id ? json(*e.forum_id) : json()},
          {"title", e.title},
          {"description", e.description},
          {"location", e.location},
          {"starts_at", e.starts_at},
          {"ends_at", e.ends_at},
          {"ics", "/api/events/" + std::to_string(e.id) + "/event.ics"}};
}

json ReviewHeaderJson(const learning::Review& r) {
  return {{"id", r.id},
          {"forum_id", r.forum_id},
          {"forum", r.forum},
          {"theme", r.theme},
          {"title", r.title},
          {"summary", r.summary},
          {"learning_points", r.learning_points},
          {"link", "/reviews/" + std::to_string(r.id)}};
}

json ForumJson(const learning::Forum& f) {
  json members = json::array(), meetings = json::array(), reviews = json::array(),
       events = json::array();
  for (const auto& m : f.members) {
    members.push_back({{"organisation", m.organisation},
                       {"organisation_name", m.organisation_name},
                       {"role", m.role}});
  }
  for (const auto& m : f.meetings) {
    meetings.push_back({{"id", m.id},
                        {"held_on", m.held_on},
                        {"title", m.title},
                        {"notes", m.notes},
                        {"cases", CasesJson(m.cases)}});
  }
  for (const auto& r : f.reviews) reviews.push_back(ReviewHeaderJson(r));
  for (const auto& e : f.events) events.push_back(EventJson(e));
  return {{"id", f.id},
          {"name", f.name},
          {"description", f.description},
          {"members", members},
          {"meetings", meetings},
          {"reviews", reviews},
          {"events", events},
          {"link", "/forums/" + std::to_string(f.id)}};
}

Result<std::vector<learning::NewCase>> CasesOf(const json& body, const std::string& field) {
  std::vector<learning::NewCase> out;
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return out;
  if (!it->is_array()) return InvalidArgumentError(field + ": expected a list");
  for (const json& c : *it) {
    if (!c.is_object()) return InvalidArgumentError(field + ": expected a list of objects");
    learning::NewCase x;
    const std::string prefix = field + ".";
    ASSIGN_OR_RETURN(x.kind, Str(c, "kind", prefix));
    ASSIGN_OR_RETURN(x.id, OptId(c, "id", prefix));
    ASSIGN_OR_RETURN(x.organisation, Str(c, "organisation", prefix));
    ASSIGN_OR_RETURN(x.summary, Str(c, "summary", prefix));
    out.push_back(std::move(x));
  }
  return out;
}

Result<learning::Digest> DigestOf(RequestContext& ctx) {
  return learning::BuildDigest(
      ctx.conn, {.from = Q(ctx, "from"), .to = Q(ctx, "to"), .audience = Q(ctx, "audience")},
      ctx.now);
}

http::Response Text(std::string body, std::string type) {
  http::Response r;
  r.content_type = std::move(type);
  r.body = std::move(body);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace

Result<http::Response> SearchAll(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  learning::SearchQuery q{.q = Q(ctx, "q"),
                          .kind = Q(ctx, "kind"),
                          .organisation = Q(ctx, "organisation"),
                          .theme = Q(ctx, "theme"),
                          .from = Q(ctx, "from"),
                          .to = Q(ctx, "to"),
                          .co_design = Flag(ctx, "co_design")};
  if (!Q(ctx, "limit").empty()) {
    ASSIGN_OR_RETURN(int64_t limit, http::ParseIntParam("limit", Q(ctx, "limit"), 1, 100));
    q.limit = static_cast<int>(limit);
  }
  ASSIGN_OR_RETURN(std::vector<learning::SearchResult> hits, learning::Search(ctx.conn, scope, q));
  json results = json::array();
  for (const auto& h : hits) {
    results.push_back(
        {{"kind", h.kind},
         {"id", h.id},
         {"title", h.title},
         {"snippet", h.snippet},
         {"link", h.link},
         {"organisation", h.organisation.empty() ? json() : json(h.organisation)},
         {"organisation_name", h.organisation_name.empty() ? json() : json(h.organisation_name)},
         {"date", h.date.empty() ? json() : json(h.date)},
         {"themes", h.themes},
         {"co_design", h.co_design},
         {"anonymised", h.anonymised},
         {"score", h.score}});
  }
  return http::JsonResponse({{"q", q.q}, {"results", results}});
}

Result<http::Response> SearchKinds(RequestContext& ctx) {
  ASSIGN_OR_RETURN(std::vector<std::string> active, learning::ActiveKinds(ctx.conn));
  json kinds = json::array();
  for (const learning::IndexedKind& k : learning::IndexedKinds()) {
    kinds.push_back({{"kind", k.kind},
                     {"label", k.label},
                     {"visibility", k.visibility},
                     {"present", std::find(active.begin(), active.end(), k.kind) != active.end()}});
  }
  return http::JsonResponse({{"kinds", kinds}});
}

Result<http::Response> ListLessons(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(std::vector<learning::Lesson> lessons,
                   learning::ListLessons(ctx.conn, scope,
                                         {.theme = Q(ctx, "theme"),
                                          .organisation = Q(ctx, "organisation"),
                                          .from = Q(ctx, "from"),
                                          .to = Q(ctx, "to"),
                                          .co_design = Flag(ctx, "co_design")}));
  json list = json::array();
  for (const auto& l : lessons) list.push_back(LessonJson(l));
  return http::JsonResponse({{"lessons", list}});
}

Result<http::Response> CreateLesson(RequestContext& ctx) {
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  learning::NewLesson l;
  ASSIGN_OR_RETURN(l.title, Str(body, "title"));
  ASSIGN_OR_RETURN(l.summary, Str(body, "summary"));
  ASSIGN_OR_RETURN(l.organisation, Str(body, "organisation"));
  if (!body.contains("themes")) return InvalidArgumentError("themes is required (a list)");
  ASSIGN_OR_RETURN(l.themes, StrList(body, "themes"));
  ASSIGN_OR_RETURN(l.share, Str(body, "share"));
  if (l.share.empty())
    return InvalidArgumentError("share is required: named, anonymised or organisation_only");
  if (auto it = body.find("source"); it != body.end() && !it->is_null()) {
    if (!it->is_object()) return InvalidArgumentError("source: expected {\"kind\", \"id\"}");
    ASSIGN_OR_RETURN(l.source_kind, Str(*it, "kind", "source."));
    if (l.source_kind.empty()) return InvalidArgumentError("source.kind is required");
    ASSIGN_OR_RETURN(l.source_id, OptId(*it, "id", "source."));
  }
  ASSIGN_OR_RETURN(l.rapid_learning_points, StrList(body, "rapid_learning_points"));
  ASSIGN_OR_RETURN(l.metrics, StrList(body, "metrics"));
  ASSIGN_OR_RETURN(l.co_design, Bool(body, "co_design"));
  ASSIGN_OR_RETURN(l.populations, StrList(body, "populations"));
  ASSIGN_OR_RETURN(l.learned_on, Str(body, "learned_on"));
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(int64_t id, learning::CreateLesson(ctx.conn, ctx.Acting(), scope, l));
  return http::JsonResponse({{"id", id}, {"link", "/lessons/" + std::to_string(id)}}, 201);
}

Result<http::Response> GetLesson(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx));
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(learning::Lesson l, learning::GetLesson(ctx.conn, scope, id));
  return http::JsonResponse(LessonJson(l));
}

Result<http::Response> RespondToLesson(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx));
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  learning::NewResponse r;
  ASSIGN_OR_RETURN(r.organisation, Str(body, "organisation"));
  ASSIGN_OR_RETURN(r.response, Str(body, "response"));
  ASSIGN_OR_RETURN(r.date, Str(body, "date"));
  ASSIGN_OR_RETURN(r.note, Str(body, "note"));
  ASSIGN_OR_RETURN(r.action, Str(body, "action"));
  // A linked project may be given as its id (a number) or its name.
  if (auto it = body.find("project"); it != body.end() && it->is_number_integer()) {
    r.project = std::to_string(it->get<int64_t>());
  } else {
    ASSIGN_OR_RETURN(r.project, Str(body, "project"));
  }
  if (r.organisation.empty()) return InvalidArgumentError("organisation is required (an ODS code)");
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(int64_t rid, learning::RecordResponse(ctx.conn, ctx.Acting(), scope, id, r));
  return http::JsonResponse({{"id", rid}, {"lesson", id}}, 201);
}

Result<http::Response> LessonSpread(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx));
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(learning::Spread s, learning::LessonSpread(ctx.conn, scope, id));
  json orgs = json::array();
  for (const auto& o : s.organisations) {
    orgs.push_back({{"organisation", o.organisation},
                    {"organisation_name", o.organisation_name},
                    {"kind", o.kind},
                    {"response", o.response.empty() ? json() : json(o.response)},
                    {"date", o.responded_on.empty() ? json() : json(o.responded_on)},
                    {"project", o.project},
                    {"action", o.action}});
  }
  return http::JsonResponse({{"lesson", s.lesson_id},
                             {"reviewed", s.reviewed},
                             {"adopted", s.adopted},
                             {"adapted", s.adapted},
                             {"not_applicable", s.not_applicable},
                             {"reviewing", s.reviewing},
                             {"not_yet", s.not_yet},
                             {"organisations", orgs}});
}

Result<http::Response> ListThemes(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(std::vector<learning::Theme> themes, learning::ListThemes(ctx.conn, scope));
  json list = json::array();
  for (const auto& t : themes) {
    list.push_back({{"theme", t.term}, {"definition", t.definition}, {"lessons", t.lessons}});
  }
  return http::JsonResponse({{"themes", list}});
}

Result<http::Response> ListForums(RequestContext& ctx) {
  ASSIGN_OR_RETURN(std::vector<learning::Forum> forums, learning::ListForums(ctx.conn));
  json list = json::array();
  for (const auto& f : forums) list.push_back(ForumJson(f));
  return http::JsonResponse({{"forums", list}});
}

Result<http::Response> CreateForum(RequestContext& ctx) {
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  learning::NewForum f;
  ASSIGN_OR_RETURN(f.name, Str(body, "name"));
  ASSIGN_OR_RETURN(f.description, Str(body, "description"));
  ASSIGN_OR_RETURN(f.members, StrList(body, "members"));
  ASSIGN_OR_RETURN(int64_t id, learning::CreateForum(ctx.conn, ctx.Acting(), f));
  return http::JsonResponse({{"id", id}}, 201);
}

Result<http::Response> GetForum(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx));
  ASSIGN_OR_RETURN(learning::Forum f, learning::GetForum(ctx.conn, id));
  return http::JsonResponse(ForumJson(f));
}

Result<http::Response> AddForumMeeting(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx));
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  learning::NewMeeting m;
  ASSIGN_OR_RETURN(m.held_on, Str(body, "held_on"));
  ASSIGN_OR_RETURN(m.title, Str(body, "title"));
  ASSIGN_OR_RETURN(m.notes, Str(body, "notes"));
  ASSIGN_OR_RETURN(m.cases, CasesOf(body, "cases"));
  ASSIGN_OR_RETURN(int64_t mid, learning::AddMeeting(ctx.conn, ctx.Acting(), id, m));
  return http::JsonResponse({{"id", mid}}, 201);
}

Result<http::Response> CreateReview(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx));
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  learning::NewReview r;
  ASSIGN_OR_RETURN(r.theme, Str(body, "theme"));
  ASSIGN_OR_RETURN(r.title, Str(body, "title"));
  ASSIGN_OR_RETURN(r.summary, Str(body, "summary"));
  ASSIGN_OR_RETURN(r.learning_points, StrList(body, "learning_points"));
  ASSIGN_OR_RETURN(r.items, CasesOf(body, "items"));
  ASSIGN_OR_RETURN(int64_t rid, learning::CreateReview(ctx.conn, ctx.Acting(), id, r));
  return http::JsonResponse({{"id", rid}, {"link", "/reviews/" + std::to_string(rid)}}, 201);
}

Result<http::Response> GetReview(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx));
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(learning::Review r, learning::GetReview(ctx.conn, scope, id));
  json out = ReviewHeaderJson(r);
  json lessons = json::array(), actions = json::array();
  for (const auto& l : r.lessons) lessons.push_back(LessonJson(l));
  for (const auto& a : r.actions) {
    actions.push_back({{"id", a.id},
                       {"organisation", a.organisation},
                       {"organisation_name", a.organisation_name},
                       {"action", a.action},
                       {"status", a.status},
                       {"due", a.due}});
  }
  out["items"] = CasesJson(r.items);
  out["lessons"] = lessons;
  out["actions"] = actions;
  out["organisations"] = r.organisations;
  return http::JsonResponse(out);
}

Result<http::Response> AddReviewAction(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx));
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  learning::NewAction a;
  ASSIGN_OR_RETURN(a.organisation, Str(body, "organisation"));
  ASSIGN_OR_RETURN(a.action, Str(body, "action"));
  ASSIGN_OR_RETURN(a.status, Str(body, "status"));
  ASSIGN_OR_RETURN(a.due, Str(body, "due"));
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(int64_t aid, learning::AddAction(ctx.conn, ctx.Acting(), scope, id, a));
  return http::JsonResponse({{"id", aid}}, 201);
}

Result<http::Response> ListSharingEvents(RequestContext& ctx) {
  const std::string from = Q(ctx, "from").empty() ? ctx.now.substr(0, 10) : Q(ctx, "from");
  ASSIGN_OR_RETURN(std::vector<learning::Event> events, learning::ListEvents(ctx.conn, from));
  json list = json::array();
  for (const auto& e : events) list.push_back(EventJson(e));
  return http::JsonResponse({{"events", list}});
}

Result<http::Response> CreateSharingEvent(RequestContext& ctx) {
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  learning::NewEvent e;
  ASSIGN_OR_RETURN(e.forum_id, OptId(body, "forum_id"));
  ASSIGN_OR_RETURN(e.title, Str(body, "title"));
  ASSIGN_OR_RETURN(e.description, Str(body, "description"));
  ASSIGN_OR_RETURN(e.location, Str(body, "location"));
  ASSIGN_OR_RETURN(e.starts_at, Str(body, "starts_at"));
  ASSIGN_OR_RETURN(e.ends_at, Str(body, "ends_at"));
  ASSIGN_OR_RETURN(int64_t id, learning::CreateEvent(ctx.conn, ctx.Acting(), e));
  return http::JsonResponse(
      {{"id", id}, {"ics", "/api/events/" + std::to_string(id) + "/event.ics"}}, 201);
}

Result<http::Response> EventsCalendar(RequestContext& ctx) {
  ASSIGN_OR_RETURN(std::vector<learning::Event> events,
                   learning::ListEvents(ctx.conn, ctx.now.substr(0, 10)));
  return Text(learning::ICalendar(events, ctx.now), "text/calendar; charset=utf-8");
}

Result<http::Response> EventCalendar(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx));
  ASSIGN_OR_RETURN(learning::Event e, learning::GetEvent(ctx.conn, id));
  return Attachment(learning::ICalendar({e}, ctx.now), "text/calendar; charset=utf-8",
                    "sharing-event-" + std::to_string(id) + ".ics");
}

Result<http::Response> DigestPage(RequestContext& ctx) {
  ASSIGN_OR_RETURN(learning::Digest d, DigestOf(ctx));
  return Text(learning::DigestHtml(d), "text/html; charset=utf-8");
}

Result<http::Response> DigestPdf(RequestContext& ctx) {
  ASSIGN_OR_RETURN(learning::Digest d, DigestOf(ctx));
  ASSIGN_OR_RETURN(std::string pdf, learning::DigestPdf(d));
  return Attachment(std::move(pdf), "application/pdf", "learning-digest-" + d.to + ".pdf");
}

Result<http::Response> DigestAtom(RequestContext& ctx) {
  ASSIGN_OR_RETURN(learning::Digest d, DigestOf(ctx));
  std::string host = ctx.req.Header("host");
  const std::string base = host.empty() ? "" : "http://" + host;
  return Text(learning::DigestAtom(d, base), "application/atom+xml; charset=utf-8");
}

Result<http::Response> EmailDigest(RequestContext& ctx) {
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  ASSIGN_OR_RETURN(std::vector<std::string> to, StrList(body, "to"));
  learning::DigestRequest req;
  ASSIGN_OR_RETURN(req.from, Str(body, "from"));
  ASSIGN_OR_RETURN(req.to, Str(body, "period_to"));
  ASSIGN_OR_RETURN(req.audience, Str(body, "audience"));
  ASSIGN_OR_RETURN(learning::Digest d, learning::BuildDigest(ctx.conn, req, ctx.now));
  // The relay is configured by the deployment (environment), never by the caller.
  const char* url = std::getenv("SHEWHART_SMTP_URL");
  const char* from = std::getenv("SHEWHART_SMTP_FROM");
  learning::SmtpSettings smtp{.url = url ? url : "",
                              .from = from ? from : "learning-digest@shewhart.invalid"};
  if (const char* user = std::getenv("SHEWHART_SMTP_USER")) smtp.user = user;
  if (const char* pw = std::getenv("SHEWHART_SMTP_PASSWORD")) smtp.password = pw;
  std::string host = ctx.req.Header("host");
  RETURN_IF_ERROR(learning::SendDigestEmail(smtp, to, d, host.empty() ? "" : "http://" + host));
  std::string to_text;
  for (const std::string& t : to) to_text += (to_text.empty() ? "" : ", ") + t;
  RETURN_IF_ERROR(ctx.Audit("digest.email", "digest " + d.audience, "",
                            json{{"to", to}, {"from", d.from}, {"period_to", d.to}}.dump()));
  return http::JsonResponse({{"sent", true}, {"to", to}});
}

}  // namespace shewhart::server::handlers
