// Handlers of the intelligence part: soft-intelligence notes and the other strands of evidence,
// restricted strands only within the person's scope.
#include <nlohmann/json.hpp>

#include "base/date.h"
#include "http/json.h"
#include "intelligence/follow_up.h"
#include "intelligence/incidents.h"
#include "intelligence/notes.h"
#include "intelligence/part.h"
#include "intelligence/records.h"
#include "intelligence/signals.h"
#include "intelligence/sources.h"
#include "server/internal/handlers.h"
#include "server/internal/handlers_intelligence.h"

namespace shewhart::server::handlers {
namespace {

using nlohmann::json;

Result<http::Response> NotesResponse(RequestContext& ctx, std::optional<std::string> org) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(std::vector<intelligence::Note> notes,
                   intelligence::ListNotes(ctx.conn, scope, std::move(org)));
  json out = json::array();
  for (const auto& n : notes) {
    out.push_back({{"id", n.id},
                   {"organisation", n.unit_code},
                   {"text", n.text},
                   {"author", n.author},
                   {"noted_on", n.noted_on},
                   {"created_at", n.created_at}});
  }
  return http::JsonResponse({{"notes", out}});
}

}  // namespace

Result<http::Response> ListNotes(RequestContext& ctx) { return NotesResponse(ctx, std::nullopt); }

Result<http::Response> ListOrgNotes(RequestContext& ctx) {
  return NotesResponse(ctx, ctx.req.Param("org"));
}

Result<http::Response> AddOrgNote(RequestContext& ctx) {
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  intelligence::Note note;
  note.unit_code = ctx.req.Param("org");
  ASSIGN_OR_RETURN(note.text, http::RequiredString(body, "text", intelligence::kMaxNoteBytes));
  ASSIGN_OR_RETURN(std::optional<std::string> on, http::OptionalString(body, "noted_on", 10));
  note.noted_on = on.value_or(ctx.now.substr(0, 10));
  note.author = ctx.principal->account.email;
  ASSIGN_OR_RETURN(db::Transaction tx, db::Transaction::Begin(ctx.conn));
  ASSIGN_OR_RETURN(int64_t id, intelligence::AddNote(ctx.conn, note, ctx.now));
  // The audit keeps that a note was written, not its restricted text.
  RETURN_IF_ERROR(ctx.Audit("note.create", "note " + std::to_string(id) + " on " + note.unit_code,
                            "",
                            http::DumpJson({{"organisation", note.unit_code},
                                            {"noted_on", note.noted_on},
                                            {"bytes", note.text.size()}})));
  RETURN_IF_ERROR(tx.Commit());
  return http::JsonResponse({{"id", id}}, 201);
}

}  // namespace shewhart::server::handlers

// ---------------------------------------------------------------------------------------------
// The strands of evidence (intelligence/records.h), one generic pair of handlers per kind.

namespace shewhart::server::handlers {
namespace {

using nlohmann::json;

constexpr size_t kMaxFieldBytes = 10000;

Result<http::Response> ListOrgRecords(RequestContext& ctx, const intelligence::Kind& kind) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  intelligence::RecordFilter filter{.unit = ctx.req.Param("org")};
  filter.from = ctx.req.Query("from").value_or("");
  filter.to = ctx.req.Query("to").value_or("");
  ASSIGN_OR_RETURN(std::vector<intelligence::Record> records,
                   intelligence::ListRecords(ctx.conn, kind, scope, filter));
  return http::JsonResponse(
      {{std::string(kind.name), json::parse(intelligence::RecordsJson(kind, records))}});
}

Result<http::Response> CreateOrgRecord(RequestContext& ctx, const intelligence::Kind& kind) {
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  intelligence::Values values;
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (it.value().is_string()) {
      ASSIGN_OR_RETURN(std::string v, http::RequiredString(body, it.key(), kMaxFieldBytes));
      values[it.key()] = v;
    } else if (it.value().is_number_integer()) {
      values[it.key()] = std::to_string(it.value().get<int64_t>());
    } else if (it.value().is_boolean()) {
      values[it.key()] = it.value().get<bool>() ? "yes" : "no";
    } else if (!it.value().is_null()) {
      return InvalidArgumentError("\"" + it.key() + "\" must be text, a whole number or true/false");
    }
  }
  values["organisation"] = ctx.req.Param("org");
  const access::Acting who{.actor = ctx.Actor(), .at = ctx.now, .remote = ctx.req.remote_addr};
  ASSIGN_OR_RETURN(int64_t id, intelligence::CreateRecord(ctx.conn, who, kind, values));
  return http::JsonResponse({{"id", id}}, 201);
}

}  // namespace

Result<http::Response> ListOrgIncidents(RequestContext& ctx) {
  return ListOrgRecords(ctx, intelligence::IncidentKind());
}
Result<http::Response> CreateOrgIncident(RequestContext& ctx) {
  return CreateOrgRecord(ctx, intelligence::IncidentKind());
}
Result<http::Response> ListOrgComplaints(RequestContext& ctx) {
  return ListOrgRecords(ctx, intelligence::ComplaintKind());
}
Result<http::Response> CreateOrgComplaint(RequestContext& ctx) {
  return CreateOrgRecord(ctx, intelligence::ComplaintKind());
}
Result<http::Response> ListOrgAudits(RequestContext& ctx) {
  return ListOrgRecords(ctx, intelligence::AuditKind());
}
Result<http::Response> CreateOrgAudit(RequestContext& ctx) {
  return CreateOrgRecord(ctx, intelligence::AuditKind());
}
Result<http::Response> ListOrgRatings(RequestContext& ctx) {
  return ListOrgRecords(ctx, intelligence::RatingKind());
}
Result<http::Response> CreateOrgRating(RequestContext& ctx) {
  return CreateOrgRecord(ctx, intelligence::RatingKind());
}

Result<http::Response> ListHorizon(RequestContext& ctx) {
  const intelligence::Kind& kind = intelligence::HorizonKind();
  intelligence::RecordFilter filter;
  filter.from = ctx.req.Query("from").value_or("");
  filter.to = ctx.req.Query("to").value_or("");
  ASSIGN_OR_RETURN(std::vector<intelligence::Record> records,
                   intelligence::ListRecords(ctx.conn, kind, access::Scope{.all = true}, filter));
  return http::JsonResponse({{"horizon", json::parse(intelligence::RecordsJson(kind, records))}});
}

Result<http::Response> CreateHorizon(RequestContext& ctx) {
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  intelligence::Values values;
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (it.value().is_string()) values[it.key()] = it.value().get<std::string>();
  }
  const access::Acting who{.actor = ctx.Actor(), .at = ctx.now, .remote = ctx.req.remote_addr};
  ASSIGN_OR_RETURN(int64_t id,
                   intelligence::CreateRecord(ctx.conn, who, intelligence::HorizonKind(), values));
  return http::JsonResponse({{"id", id}}, 201);
}

namespace {

json SignalJson(const intelligence::Signal& s) {
  return {{"rank", s.rank},
          {"source", s.source},
          {"organisation", s.unit.empty() ? json(nullptr) : json(s.unit)},
          {"metric", s.metric.empty() ? json(nullptr) : json(s.metric)},
          {"period", s.period.empty() ? json(nullptr) : json(s.period)},
          {"date", s.date},
          {"weight", s.weight},
          {"reason", s.reason},
          {"href", s.href}};
}

Result<intelligence::SignalOptions> SignalOptionsOf(RequestContext& ctx) {
  intelligence::SignalOptions o;
  o.as_of = ctx.req.Query("as_of").value_or("");
  o.place = ctx.req.Query("place").value_or("");
  return o;
}

}  // namespace

Result<http::Response> OrgSignals(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(intelligence::SignalOptions o, SignalOptionsOf(ctx));
  ASSIGN_OR_RETURN(std::vector<intelligence::Signal> signals,
                   intelligence::OrganisationSignals(ctx.conn, scope, ctx.req.Param("org"), o));
  // A signal that matches a concern already open links to it (intelligence/follow_up.h).
  ASSIGN_OR_RETURN(auto open,
                   intelligence::OpenConcernsBySignal(ctx.conn, scope, ctx.req.Param("org")));
  json list = json::array();
  for (const intelligence::Signal& s : signals) {
    json j = SignalJson(s);
    auto it = open.find(s.source + "|" + s.metric);
    j["concern"] = it == open.end() ? json(nullptr) : json(it->second);
    list.push_back(std::move(j));
  }
  return http::JsonResponse({{"organisation", ctx.req.Param("org")}, {"signals", list}});
}

Result<http::Response> OrgTimeline(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  const std::string from = ctx.req.Query("from").value_or("");
  const std::string to = ctx.req.Query("to").value_or("");
  for (const std::string* d : {&from, &to}) {
    if (!d->empty() && !ParseIsoDate(*d)) {
      return InvalidArgumentError("from and to must be dates written YYYY-MM-DD");
    }
  }
  ASSIGN_OR_RETURN(std::vector<intelligence::TimelineItem> items,
                   intelligence::Timeline(ctx.conn, scope, ctx.req.Param("org"), from, to));
  json list = json::array();
  for (const intelligence::TimelineItem& i : items) {
    list.push_back({{"source", i.source},
                    {"date", i.date},
                    {"title", i.title},
                    {"detail", i.detail},
                    {"organisation", i.unit.empty() ? json(nullptr) : json(i.unit)},
                    {"metric", i.metric.empty() ? json(nullptr) : json(i.metric)},
                    {"href", i.href}});
  }
  return http::JsonResponse({{"organisation", ctx.req.Param("org")},
                             {"from", from.empty() ? json(nullptr) : json(from)},
                             {"to", to.empty() ? json(nullptr) : json(to)},
                             {"timeline", list}});
}

Result<http::Response> SystemSignals(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(intelligence::SignalOptions o, SignalOptionsOf(ctx));
  ASSIGN_OR_RETURN(std::vector<intelligence::OrganisationWeight> orgs,
                   intelligence::SystemSignals(ctx.conn, scope, o));
  json list = json::array();
  for (const intelligence::OrganisationWeight& w : orgs) {
    list.push_back({{"organisation", w.code},
                    {"name", w.name},
                    {"kind", w.kind},
                    {"weight", w.weight},
                    {"signals", w.signals},
                    {"top", SignalJson(w.top)}});
  }
  ASSIGN_OR_RETURN(std::string as_of,
                   o.as_of.empty() ? intelligence::DataDate(ctx.conn, ctx.now.substr(0, 10))
                                   : Result<std::string>(o.as_of));
  return http::JsonResponse({{"as_of", as_of}, {"organisations", list}});
}

Result<http::Response> MetricEvidence(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  const std::string code = ctx.req.Param("code");
  json out = {{"metric", code}};
  for (const intelligence::Kind* kind :
       {&intelligence::IncidentKind(), &intelligence::ComplaintKind(),
        &intelligence::AuditKind()}) {
    ASSIGN_OR_RETURN(std::vector<intelligence::Record> records,
                     intelligence::ListRecords(ctx.conn, *kind, scope,
                                               {.metric = code, .limit = 200}));
    out[std::string(kind->name)] = json::parse(intelligence::RecordsJson(*kind, records));
  }
  return http::JsonResponse(out);
}

}  // namespace shewhart::server::handlers
