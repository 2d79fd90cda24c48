// Handlers of the improvement part: projects, programmes, roll-outs and their measured impact.
#include "server/internal/handlers_improvement.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "base/date.h"
#include "http/json.h"
#include "improvement/programme_report.h"
#include "improvement/programmes.h"
#include "improvement/projects.h"
#include "server/internal/attachment.h"

namespace shewhart::server::handlers {
namespace {

using nlohmann::json;
namespace im = improvement;

constexpr size_t kMaxText = 8000;

Result<im::Writer> WriterOf(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  return im::Writer{.email = ctx.principal->account.email, .scope = std::move(scope)};
}

Result<int64_t> IdParam(RequestContext& ctx, std::string_view name) {
  return http::ParseIntParam(name, ctx.req.Param(std::string(name)), 1,
                             std::numeric_limits<int64_t>::max());
}

std::string Str(const json& body, std::string_view key) {
  const auto it = body.find(std::string(key));
  if (it == body.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return "";
}

// A string field (or absent); InvalidArgument naming it when it is another type or too long.
Result<std::string> Field(const json& body, std::string_view key, size_t max = kMaxText) {
  const auto it = body.find(std::string(key));
  if (it == body.end() || it->is_null()) return std::string();
  if (!it->is_string()) return InvalidArgumentError("\"" + std::string(key) + "\" must be text");
  std::string s = it->get<std::string>();
  if (s.size() > max) {
    return InvalidArgumentError("\"" + std::string(key) + "\" is longer than " +
                                std::to_string(max) + " bytes");
  }
  return s;
}

Result<std::optional<int64_t>> OptionalId(const json& body, std::string_view key) {
  const auto it = body.find(std::string(key));
  if (it == body.end() || it->is_null()) return std::optional<int64_t>();
  if (it->is_number_integer()) return std::optional<int64_t>(it->get<int64_t>());
  if (it->is_string()) {
    const std::string s = it->get<std::string>();
    if (s.empty()) return std::optional<int64_t>();
    ASSIGN_OR_RETURN(int64_t v, http::ParseIntParam(key, s, 1, std::numeric_limits<int64_t>::max()));
    return std::optional<int64_t>(v);
  }
  return InvalidArgumentError("\"" + std::string(key) + "\" must be an id");
}

json Num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
json Opt(const std::optional<double>& v) { return v ? Num(*v) : json(nullptr); }
json OptText(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json ImpactJson(const im::Impact& i) {
  return {{"detected", i.detected},
          {"shift", Num(i.shift)},
          {"shift_ci_low", Num(i.shift_ci_low)},
          {"shift_ci_high", Num(i.shift_ci_high)},
          {"baseline_mean", Num(i.baseline_mean)},
          {"post_mean", Num(i.post_mean)},
          {"n_baseline", i.n_baseline},
          {"n_post", i.n_post},
          {"volume", Num(i.volume)},
          {"volume_kind", i.volume_is_periods ? "periods" : "denominator"},
          {"impact", Num(i.impact)},
          {"ci_low", Num(i.ci_low)},
          {"ci_high", Num(i.ci_high)}};
}

json EvidenceJson(const im::Impact& i, const std::optional<std::string>& first_pdsa,
                  const std::optional<std::string>& reason) {
  return {{"rule", OptText(i.rule)},
          {"label", OptText(i.label)},
          {"change_point", i.change_point ? json(FormatIsoDate(*i.change_point)) : json(nullptr)},
          {"change_point_recorded", i.change_point_recorded},
          {"recalculation_reason", reason ? json(*reason) : json(nullptr)},
          {"first_pdsa", first_pdsa ? json(*first_pdsa) : json(nullptr)},
          {"reason", OptText(i.reason)}};
}

json SummaryJson(const im::ProjectSummary& p) {
  return {{"id", p.id},           {"title", p.title},
          {"organisation", p.organisation}, {"lead", p.lead},
          {"status", p.status},   {"started", p.started},
          {"programme", p.programme_id ? json(*p.programme_id) : json(nullptr)},
          {"score", Opt(p.score)}, {"pdsas", p.pdsas},
          {"measures", p.measures}};
}

json ProjectJson(const im::Project& p) {
  json team = json::array(), drivers = json::array(), measures = json::array(),
       pdsas = json::array(), involvement = json::array(), scores = json::array(),
       populations = json::array();
  for (const auto& x : p.populations) populations.push_back({{"code", x.code}, {"name", x.name}});
  for (const auto& t : p.team) {
    team.push_back({{"email", t.email}, {"role", t.role}, {"organisation", t.organisation}});
  }
  for (const auto& d : p.drivers) {
    drivers.push_back({{"id", d.id},
                       {"kind", d.kind},
                       {"title", d.title},
                       {"status", d.status},
                       {"parent", d.parent_id ? json(*d.parent_id) : json(nullptr)}});
  }
  for (const auto& m : p.measures) {
    measures.push_back({{"id", m.id},
                        {"kind", m.kind},
                        {"title", m.title},
                        {"definition", m.definition},
                        {"metric", OptText(m.metric)},
                        {"unit", OptText(m.unit)},
                        {"unit_name", m.unit_name},
                        {"metric_name", m.metric_name},
                        {"metric_unit", m.metric_unit},
                        {"source", m.system ? "system" : "project-local"}});
  }
  for (const auto& c : p.pdsas) {
    pdsas.push_back({{"id", c.id},
                     {"change_idea_id", c.change_idea_id},
                     {"change_idea", c.change_idea},
                     {"cycle", c.cycle},
                     {"title", c.title},
                     {"plan", c.plan},
                     {"prediction", c.prediction},
                     {"started", c.started},
                     {"do", c.do_note},
                     {"study", c.study},
                     {"act", OptText(c.act)},
                     {"ended", OptText(c.ended)}});
  }
  for (const auto& i : p.involvement) {
    involvement.push_back({{"id", i.id}, {"who", i.who}, {"level", i.level}, {"date", i.date}});
  }
  for (const auto& s : p.scores) {
    scores.push_back({{"score", s.score},
                      {"suggested", s.suggested},
                      {"reason", s.reason},
                      {"set_by", s.set_by},
                      {"set_at", s.set_at}});
  }
  return {{"id", p.id},
          {"title", p.title},
          {"aim", p.aim},
          {"problem", p.problem},
          {"organisation", p.organisation},
          {"organisation_name", p.organisation_name},
          {"lead", p.lead},
          {"status", p.status},
          {"method", p.method},
          {"started", p.started},
          {"ended", OptText(p.ended)},
          {"population", p.population},
          {"programme", p.programme_id ? json(*p.programme_id) : json(nullptr)},
          {"programme_title", p.programme},
          {"restricted", p.restricted},
          {"score", Opt(p.score)},
          {"team", team},
          {"drivers", drivers},
          {"measures", measures},
          {"pdsas", pdsas},
          {"involvement", involvement},
          {"scores", scores},
          {"populations", populations}};
}

}  // namespace

Result<http::Response> ListProjects(RequestContext& ctx) {
  ASSIGN_OR_RETURN(im::Writer reader, WriterOf(ctx));
  im::ProjectFilter f{.organisation = ctx.req.Query("organisation").value_or(""),
                      .status = ctx.req.Query("status").value_or("")};
  if (auto p = ctx.req.Query("programme"); p && !p->empty()) {
    ASSIGN_OR_RETURN(int64_t id, http::ParseIntParam("programme", *p, 1,
                                                     std::numeric_limits<int64_t>::max()));
    f.programme_id = id;
  }
  ASSIGN_OR_RETURN(std::vector<im::ProjectSummary> list, im::ListProjects(ctx.conn, f, reader));
  json out = json::array();
  for (const auto& p : list) out.push_back(SummaryJson(p));
  return http::JsonResponse({{"projects", out}});
}

Result<http::Response> CreateProject(RequestContext& ctx) {
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  ASSIGN_OR_RETURN(im::Writer writer, WriterOf(ctx));
  im::NewProject p;
  ASSIGN_OR_RETURN(p.title, Field(body, "title"));
  ASSIGN_OR_RETURN(p.aim, Field(body, "aim"));
  ASSIGN_OR_RETURN(p.organisation, Field(body, "organisation"));
  ASSIGN_OR_RETURN(p.lead, Field(body, "lead"));
  ASSIGN_OR_RETURN(p.started, Field(body, "started"));
  ASSIGN_OR_RETURN(p.problem, Field(body, "problem"));
  ASSIGN_OR_RETURN(p.population, Field(body, "population"));
  ASSIGN_OR_RETURN(std::string method, Field(body, "method"));
  ASSIGN_OR_RETURN(std::string status, Field(body, "status"));
  if (!method.empty()) p.method = method;
  if (!status.empty()) p.status = status;
  ASSIGN_OR_RETURN(p.programme_id, OptionalId(body, "programme"));
  if (auto r = body.find("restricted"); r != body.end() && r->is_boolean()) p.restricted = *r;
  if (auto ps = body.find("populations"); ps != body.end() && !ps->is_null()) {
    if (!ps->is_array()) return InvalidArgumentError("\"populations\" must be a list of codes");
    for (const json& c : *ps) {
      if (!c.is_string()) return InvalidArgumentError("\"populations\" must be a list of codes");
      p.populations.push_back(c.get<std::string>());
    }
  }
  if (auto t = body.find("team"); t != body.end() && !t->is_null()) {
    if (!t->is_array()) return InvalidArgumentError("\"team\" must be a list");
    for (const json& m : *t) {
      if (!m.is_object()) return InvalidArgumentError("\"team\" must be a list of objects");
      p.team.push_back({Str(m, "email"), Str(m, "role"), Str(m, "organisation")});
    }
  }
  ASSIGN_OR_RETURN(int64_t id, im::CreateProject(ctx.conn, ctx.Acting(), writer, p));
  ASSIGN_OR_RETURN(im::Project project, im::GetProject(ctx.conn, id, writer));
  return http::JsonResponse(ProjectJson(project), 201);
}

Result<http::Response> GetProject(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx, "id"));
  ASSIGN_OR_RETURN(im::Writer reader, WriterOf(ctx));
  ASSIGN_OR_RETURN(im::Project p, im::GetProject(ctx.conn, id, reader));
  return http::JsonResponse(ProjectJson(p));
}

Result<http::Response> AddProjectMeasure(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx, "id"));
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  ASSIGN_OR_RETURN(im::Writer writer, WriterOf(ctx));
  im::NewMeasure m;
  ASSIGN_OR_RETURN(m.kind, Field(body, "kind", 50));
  ASSIGN_OR_RETURN(m.metric, Field(body, "metric", 100));
  ASSIGN_OR_RETURN(m.unit, Field(body, "unit", 100));
  ASSIGN_OR_RETURN(m.title, Field(body, "title"));
  ASSIGN_OR_RETURN(m.definition, Field(body, "definition"));
  ASSIGN_OR_RETURN(int64_t mid, im::AddMeasure(ctx.conn, ctx.Acting(), writer, id, m));
  return http::JsonResponse({{"id", mid}, {"project", id}}, 201);
}

Result<http::Response> AddProjectPdsa(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx, "id"));
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  ASSIGN_OR_RETURN(im::Writer writer, WriterOf(ctx));
  im::NewPdsa p;
  p.change_idea = Str(body, "change_idea");
  ASSIGN_OR_RETURN(p.plan, Field(body, "plan"));
  ASSIGN_OR_RETURN(p.prediction, Field(body, "prediction"));
  ASSIGN_OR_RETURN(p.started, Field(body, "started", 100));
  ASSIGN_OR_RETURN(p.title, Field(body, "title"));
  ASSIGN_OR_RETURN(int64_t pid, im::AddPdsa(ctx.conn, ctx.Acting(), writer, id, p));
  // Study and act may come with the cycle already (a cycle logged after the event).
  im::PdsaUpdate u;
  bool any = false;
  for (const char* key : {"do", "study", "act", "ended"}) {
    if (body.contains(key) && !body[key].is_null()) any = true;
  }
  if (any) {
    ASSIGN_OR_RETURN(std::string d, Field(body, "do"));
    ASSIGN_OR_RETURN(std::string s, Field(body, "study"));
    ASSIGN_OR_RETURN(std::string a, Field(body, "act", 50));
    ASSIGN_OR_RETURN(std::string e, Field(body, "ended", 100));
    if (!d.empty()) u.do_note = d;
    if (!s.empty()) u.study = s;
    if (!a.empty()) u.act = a;
    if (!e.empty()) u.ended = e;
    RETURN_IF_ERROR(im::UpdatePdsa(ctx.conn, ctx.Acting(), writer, id, pid, u));
  }
  ASSIGN_OR_RETURN(im::Project project, im::GetProject(ctx.conn, id, writer));
  for (const im::Pdsa& c : project.pdsas) {
    if (c.id == pid) {
      return http::JsonResponse({{"id", pid},
                                 {"project", id},
                                 {"change_idea_id", c.change_idea_id},
                                 {"change_idea", c.change_idea},
                                 {"cycle", c.cycle}},
                                201);
    }
  }
  return http::JsonResponse({{"id", pid}, {"project", id}}, 201);
}

Result<http::Response> UpdateProjectPdsa(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx, "id"));
  ASSIGN_OR_RETURN(int64_t pid, IdParam(ctx, "pdsa"));
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  ASSIGN_OR_RETURN(im::Writer writer, WriterOf(ctx));
  im::PdsaUpdate u;
  for (const char* key : {"do", "study", "act", "ended"}) {
    if (!body.contains(key) || body[key].is_null()) continue;
    ASSIGN_OR_RETURN(std::string v, Field(body, key));
    if (std::string_view(key) == "do") u.do_note = v;
    if (std::string_view(key) == "study") u.study = v;
    if (std::string_view(key) == "act") u.act = v;
    if (std::string_view(key) == "ended") u.ended = v;
  }
  RETURN_IF_ERROR(im::UpdatePdsa(ctx.conn, ctx.Acting(), writer, id, pid, u));
  return http::JsonResponse({{"id", pid}, {"project", id}});
}

Result<http::Response> AddProjectDriver(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx, "id"));
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  ASSIGN_OR_RETURN(im::Writer writer, WriterOf(ctx));
  im::NewDriver d;
  ASSIGN_OR_RETURN(d.kind, Field(body, "kind", 50));
  ASSIGN_OR_RETURN(d.title, Field(body, "title"));
  ASSIGN_OR_RETURN(d.parent_id, OptionalId(body, "parent"));
  ASSIGN_OR_RETURN(int64_t did, im::AddDriver(ctx.conn, ctx.Acting(), writer, id, d));
  return http::JsonResponse({{"id", did}, {"project", id}}, 201);
}

Result<http::Response> RenameProjectDriver(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx, "id"));
  ASSIGN_OR_RETURN(int64_t did, IdParam(ctx, "driver"));
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  ASSIGN_OR_RETURN(im::Writer writer, WriterOf(ctx));
  ASSIGN_OR_RETURN(std::string title, Field(body, "title"));
  RETURN_IF_ERROR(im::RenameDriver(ctx.conn, ctx.Acting(), writer, id, did, title));
  return http::JsonResponse({{"id", did}, {"project", id}});
}

Result<http::Response> DeleteProjectDriver(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx, "id"));
  ASSIGN_OR_RETURN(int64_t did, IdParam(ctx, "driver"));
  ASSIGN_OR_RETURN(im::Writer writer, WriterOf(ctx));
  RETURN_IF_ERROR(im::DeleteDriver(ctx.conn, ctx.Acting(), writer, id, did));
  return http::JsonResponse({{"deleted", did}});
}

Result<http::Response> ProjectImpact(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx, "id"));
  ASSIGN_OR_RETURN(im::Writer reader, WriterOf(ctx));
  RETURN_IF_ERROR(im::GetProject(ctx.conn, id, reader).status());
  ASSIGN_OR_RETURN(std::vector<im::MeasureImpactRow> rows, im::ProjectImpact(ctx.conn, id));
  json measures = json::array();
  for (const auto& r : rows) {
    json m = ImpactJson(r.impact);
    m["measure"] = r.measure.id;
    m["kind"] = r.measure.kind;
    m["metric"] = r.measure.metric;
    m["unit"] = r.measure.unit;
    m["metric_name"] = r.measure.metric_name;
    m["metric_unit"] = r.measure.metric_unit;
    m["evidence"] = EvidenceJson(r.impact, r.first_pdsa, r.recalculation_reason);
    measures.push_back(std::move(m));
  }
  return http::JsonResponse({{"project", id}, {"measures", measures}});
}

Result<http::Response> ProjectProgress(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx, "id"));
  ASSIGN_OR_RETURN(im::Writer reader, WriterOf(ctx));
  RETURN_IF_ERROR(im::GetProject(ctx.conn, id, reader).status());
  ASSIGN_OR_RETURN(im::Progress p, im::GetProgress(ctx.conn, id));
  json evidence = json::array();
  for (const auto& e : p.evidence) {
    evidence.push_back(
        {{"score", e.score}, {"label", e.label}, {"met", e.met}, {"detail", e.detail}});
  }
  return http::JsonResponse({{"project", id},
                             {"score", Opt(p.score)},
                             {"score_label", p.score ? json(im::ScoreLabel(*p.score)) : json(nullptr)},
                             {"reason", p.reason},
                             {"suggested_score", p.suggested},
                             {"suggested_label", im::ScoreLabel(p.suggested)},
                             {"evidence", evidence}});
}

Result<http::Response> SetProjectScore(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx, "id"));
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  ASSIGN_OR_RETURN(im::Writer writer, WriterOf(ctx));
  double score = 0;
  const auto s = body.find("score");
  if (s == body.end() || s->is_null()) return InvalidArgumentError("\"score\" is required");
  if (s->is_number()) {
    score = s->get<double>();
  } else if (s->is_string()) {
    try {
      score = std::stod(s->get<std::string>());
    } catch (...) {
      return InvalidArgumentError("\"score\" must be a number from 0.5 to 5.0");
    }
  } else {
    return InvalidArgumentError("\"score\" must be a number from 0.5 to 5.0");
  }
  ASSIGN_OR_RETURN(std::string reason, Field(body, "reason"));
  RETURN_IF_ERROR(im::SetScore(ctx.conn, ctx.Acting(), writer, id, score, reason));
  return ProjectProgress(ctx);
}

Result<http::Response> AddProjectInvolvement(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx, "id"));
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  ASSIGN_OR_RETURN(im::Writer writer, WriterOf(ctx));
  im::NewInvolvement i;
  ASSIGN_OR_RETURN(i.who, Field(body, "who"));
  ASSIGN_OR_RETURN(i.level, Field(body, "level", 50));
  ASSIGN_OR_RETURN(i.date, Field(body, "date", 100));
  ASSIGN_OR_RETURN(int64_t iid, im::AddInvolvement(ctx.conn, ctx.Acting(), writer, id, i));
  return http::JsonResponse({{"id", iid}, {"project", id}}, 201);
}

Result<http::Response> ListProgrammes(RequestContext& ctx) {
  ASSIGN_OR_RETURN(std::vector<im::ProgrammeSummary> list, im::ListProgrammes(ctx.conn));
  json out = json::array();
  for (const auto& p : list) {
    out.push_back({{"id", p.id},
                   {"title", p.title},
                   {"organisation", OptText(p.organisation)},
                   {"lead", p.lead},
                   {"started", p.started},
                   {"projects", p.projects}});
  }
  return http::JsonResponse({{"programmes", out}});
}

Result<http::Response> CreateProgramme(RequestContext& ctx) {
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  ASSIGN_OR_RETURN(im::Writer writer, WriterOf(ctx));
  im::NewProgramme p;
  ASSIGN_OR_RETURN(p.title, Field(body, "title"));
  ASSIGN_OR_RETURN(p.purpose, Field(body, "purpose"));
  ASSIGN_OR_RETURN(p.organisation, Field(body, "organisation", 100));
  ASSIGN_OR_RETURN(p.lead, Field(body, "lead", 300));
  ASSIGN_OR_RETURN(p.started, Field(body, "started", 100));
  ASSIGN_OR_RETURN(p.ends, Field(body, "ends", 100));
  ASSIGN_OR_RETURN(int64_t id, im::CreateProgramme(ctx.conn, ctx.Acting(), writer, p));
  return http::JsonResponse({{"id", id}}, 201);
}

Result<http::Response> GetProgramme(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx, "id"));
  ASSIGN_OR_RETURN(im::Writer reader, WriterOf(ctx));
  ASSIGN_OR_RETURN(im::Programme p, im::GetProgramme(ctx.conn, id, reader));
  json logic = json::array(), milestones = json::array(), projects = json::array();
  for (const auto& l : p.logic) {
    logic.push_back({{"id", l.id},
                     {"stage", l.stage},
                     {"title", l.title},
                     {"metric", OptText(l.metric)},
                     {"unit", OptText(l.unit)},
                     {"variation", OptText(l.variation)},
                     {"assurance", OptText(l.assurance)},
                     {"latest", Opt(l.latest)},
                     {"mean", Opt(l.mean)}});
  }
  for (const auto& m : p.milestones) {
    milestones.push_back(
        {{"id", m.id}, {"title", m.title}, {"due", m.due}, {"done", OptText(m.done)}});
  }
  for (const auto& s : p.projects) projects.push_back(SummaryJson(s));
  return http::JsonResponse({{"id", p.id},
                             {"title", p.title},
                             {"purpose", p.purpose},
                             {"organisation", OptText(p.organisation)},
                             {"lead", p.lead},
                             {"started", p.started},
                             {"ends", OptText(p.ends)},
                             {"logic_model", logic},
                             {"milestones", milestones},
                             {"projects", projects}});
}

Result<http::Response> AddProgrammeLogic(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx, "id"));
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  ASSIGN_OR_RETURN(im::Writer writer, WriterOf(ctx));
  im::NewLogicItem l;
  ASSIGN_OR_RETURN(l.stage, Field(body, "stage", 50));
  ASSIGN_OR_RETURN(l.title, Field(body, "title"));
  ASSIGN_OR_RETURN(l.metric, Field(body, "metric", 100));
  ASSIGN_OR_RETURN(l.unit, Field(body, "unit", 100));
  ASSIGN_OR_RETURN(int64_t lid, im::AddLogicItem(ctx.conn, ctx.Acting(), writer, id, l));
  return http::JsonResponse({{"id", lid}, {"programme", id}}, 201);
}

Result<http::Response> AddProgrammeMilestone(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx, "id"));
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  ASSIGN_OR_RETURN(im::Writer writer, WriterOf(ctx));
  im::NewMilestone m;
  ASSIGN_OR_RETURN(m.title, Field(body, "title"));
  ASSIGN_OR_RETURN(m.due, Field(body, "due", 100));
  ASSIGN_OR_RETURN(m.done, Field(body, "done", 100));
  ASSIGN_OR_RETURN(int64_t mid, im::AddMilestone(ctx.conn, ctx.Acting(), writer, id, m));
  return http::JsonResponse({{"id", mid}, {"programme", id}}, 201);
}

namespace {

Result<http::Response> ImpactResponse(RequestContext& ctx, int64_t programme_id) {
  ASSIGN_OR_RETURN(im::ProgrammeImpact pi, im::GetProgrammeImpact(ctx.conn, programme_id));
  json metrics = json::array(), series = json::array();
  for (const auto& m : pi.metrics) {
    metrics.push_back({{"metric", m.metric},
                       {"metric_name", m.metric_name},
                       {"metric_unit", m.metric_unit},
                       {"series", m.total.series},
                       {"projects", m.total.projects},
                       {"detected", m.total.detected},
                       {"shared_series", m.total.shared},
                       {"volume", Num(m.total.volume)},
                       {"impact", Num(m.total.impact)},
                       {"ci_low", Num(m.total.ci_low)},
                       {"ci_high", Num(m.total.ci_high)},
                       {"claimed_by_projects", Num(m.total.claimed)},
                       {"double_count_avoided", Num(m.total.double_count_avoided)}});
  }
  for (const auto& s : pi.series) {
    json j = ImpactJson(s.impact);
    j["metric"] = s.metric;
    j["unit"] = s.unit;
    j["projects"] = s.projects;
    j["shared"] = s.projects.size() > 1;
    j["evidence"] = EvidenceJson(s.impact, std::nullopt, std::nullopt);
    series.push_back(std::move(j));
  }
  return http::JsonResponse({{"programme", programme_id == 0 ? json(nullptr) : json(programme_id)},
                             {"metrics", metrics},
                             {"series", series},
                             {"double_counting", pi.notes}});
}

}  // namespace

Result<http::Response> ProgrammeImpact(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx, "id"));
  return ImpactResponse(ctx, id);
}

Result<http::Response> PortfolioImpact(RequestContext& ctx) { return ImpactResponse(ctx, 0); }

Result<http::Response> PortfolioReach(RequestContext& ctx) {
  ASSIGN_OR_RETURN(im::Writer reader, WriterOf(ctx));
  std::optional<int64_t> programme;
  if (auto p = ctx.req.Query("programme"); p && !p->empty()) {
    ASSIGN_OR_RETURN(programme, http::ParseIntParam("programme", *p, 1,
                                                    std::numeric_limits<int64_t>::max()));
  }
  ASSIGN_OR_RETURN(std::vector<im::PopulationReach> list,
                   im::PortfolioReach(ctx.conn, reader, programme));
  json reached = json::array(), not_reached = json::array();
  for (const im::PopulationReach& r : list) {
    json j = {{"code", r.code},          {"name", r.name},
              {"projects", r.projects},  {"co_designed", r.co_designed},
              {"project_ids", r.project_ids}};
    (r.reached() ? reached : not_reached).push_back(std::move(j));
  }
  return http::JsonResponse({{"programme", programme ? json(*programme) : json(nullptr)},
                             {"reached", reached},
                             {"not_reached", not_reached}});
}

Result<http::Response> ProgrammeReportPdf(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx, "id"));
  ASSIGN_OR_RETURN(im::Writer reader, WriterOf(ctx));
  return WrittenAttachment(
      ".pdf",
      [&](const std::string& path) {
        return im::WriteProgrammeReportPdf(ctx.conn, id, reader, ctx.now, path);
      },
      "application/pdf", "programme-" + std::to_string(id) + "-report.pdf");
}

Result<http::Response> ListRollouts(RequestContext& ctx) {
  ASSIGN_OR_RETURN(std::vector<im::RolloutSummary> list, im::ListRollouts(ctx.conn));
  json out = json::array();
  for (const auto& r : list) {
    out.push_back({{"id", r.id},
                   {"title", r.title},
                   {"intervention", r.intervention},
                   {"sites", r.sites},
                   {"live", r.live}});
  }
  return http::JsonResponse({{"rollouts", out}});
}

Result<http::Response> CreateRollout(RequestContext& ctx) {
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  ASSIGN_OR_RETURN(im::Writer writer, WriterOf(ctx));
  im::NewRollout r;
  ASSIGN_OR_RETURN(r.title, Field(body, "title"));
  ASSIGN_OR_RETURN(r.intervention, Field(body, "intervention"));
  ASSIGN_OR_RETURN(r.metric, Field(body, "metric", 100));
  ASSIGN_OR_RETURN(r.started, Field(body, "started", 100));
  ASSIGN_OR_RETURN(r.programme_id, OptionalId(body, "programme"));
  if (auto s = body.find("sites"); s != body.end() && s->is_array()) {
    for (const json& site : *s) {
      if (!site.is_object()) return InvalidArgumentError("\"sites\" must be a list of objects");
      r.sites.push_back({Str(site, "code"), Str(site, "title"), Str(site, "unit")});
    }
  }
  ASSIGN_OR_RETURN(int64_t id, im::CreateRollout(ctx.conn, ctx.Acting(), writer, r));
  return http::JsonResponse({{"id", id}}, 201);
}

Result<http::Response> GetRollout(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx, "id"));
  ASSIGN_OR_RETURN(im::Rollout r, im::GetRollout(ctx.conn, id));
  json sites = json::array(), adoption = json::array();
  for (const auto& s : r.sites) {
    sites.push_back({{"code", s.code},
                     {"title", s.title},
                     {"unit", OptText(s.unit)},
                     {"stage", s.stage},
                     {"since", s.since},
                     {"live_since", OptText(s.live_since)},
                     {"before", Opt(s.before)},
                     {"after", Opt(s.after)}});
  }
  for (const auto& a : r.adoption) {
    adoption.push_back({{"month", a.month},
                        {"training", a.training},
                        {"live", a.live},
                        {"sustained", a.sustained}});
  }
  return http::JsonResponse({{"id", r.id},
                             {"title", r.title},
                             {"intervention", r.intervention},
                             {"metric", OptText(r.metric)},
                             {"programme", r.programme_id ? json(*r.programme_id) : json(nullptr)},
                             {"sites", sites},
                             {"adoption", adoption}});
}

Result<http::Response> SetRolloutStage(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, IdParam(ctx, "id"));
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  ASSIGN_OR_RETURN(im::Writer writer, WriterOf(ctx));
  ASSIGN_OR_RETURN(std::string stage, Field(body, "stage", 50));
  ASSIGN_OR_RETURN(std::string since, Field(body, "since", 100));
  RETURN_IF_ERROR(im::SetSiteStage(ctx.conn, ctx.Acting(), writer, id, ctx.req.Param("site"),
                                   stage, since));
  return http::JsonResponse({{"id", id}, {"site", ctx.req.Param("site")}, {"stage", stage}});
}

}  // namespace shewhart::server::handlers
