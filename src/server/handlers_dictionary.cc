// Handlers: the directory (organisations) and the dictionary (metrics, versions, glossary).
#include <nlohmann/json.hpp>

#include "base/date.h"
#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "http/json.h"
#include "oversight/definitions.h"
#include "server/internal/handlers.h"

namespace shewhart::server::handlers {
namespace {

using nlohmann::json;

json Opt(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }
json OptDate(const std::optional<Date>& d) { return d ? json(FormatIsoDate(*d)) : json(nullptr); }
json Text(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json UnitJson(const directory::Directory& dir, const directory::Unit& u) {
  const directory::Unit* parent = u.parent_id ? dir.FindById(*u.parent_id) : nullptr;
  const directory::Unit* successor = u.successor_id ? dir.FindById(*u.successor_id) : nullptr;
  json groups = json::array();
  for (int64_t g : u.group_ids) {
    if (const directory::Unit* gu = dir.FindById(g)) groups.push_back(gu->code);
  }
  return {{"code", u.code},
          {"name", u.name},
          {"kind", u.kind},
          {"parent", parent ? json(parent->code) : json(nullptr)},
          {"opened", Text(u.opened)},
          {"closed", Text(u.closed)},
          {"successor", successor ? json(successor->code) : json(nullptr)},
          {"member_of", groups}};
}

json VersionObject(const dictionary::MetricVersion& v) {
  return json::parse(dictionary::VersionJson(v));
}

Result<const dictionary::Metric*> FindMetric(const dictionary::Dictionary& dict,
                                             const std::string& code) {
  const dictionary::Metric* m = dict.FindByCode(code);
  if (m == nullptr) return NotFoundError("there is no metric \"" + code + "\"");
  return m;
}

// One lifecycle step of a definition (oversight::AgreeDefinition / RetireDefinition: the audited
// step and the recomputation of the metric's stored results).
Result<http::Response> ChangeStatus(RequestContext& ctx, std::string_view to) {
  const std::string& code = ctx.req.Param("code");
  ASSIGN_OR_RETURN(int64_t n, http::ParseIntParam("version", ctx.req.Param("version"), 1, 1000000));
  const int32_t version = static_cast<int32_t>(n);
  // The step and the recomputation of the metric's stored results, in one transaction.
  Result<oversight::DefinitionOutcome> out =
      to == "agreed" ? oversight::AgreeDefinition(ctx.conn, code, version, ctx.Acting())
                     : oversight::RetireDefinition(ctx.conn, code, version, ctx.Acting());
  if (!out.ok()) return out.status();
  return http::JsonResponse({{"code", code},
                             {"version", version},
                             {"status", to},
                             {"recomputed", out->recomputed.series + out->recomputed.aggregates}});
}

Result<std::optional<Date>> OptionalDate(const json& body, std::string_view key) {
  ASSIGN_OR_RETURN(std::optional<std::string> text, http::OptionalString(body, key, 10));
  if (!text) return std::optional<Date>();
  std::optional<Date> d = ParseIsoDate(*text);
  if (!d) return InvalidArgumentError("\"" + std::string(key) + "\" must be YYYY-MM-DD");
  return d;
}

}  // namespace

Result<http::Response> ListOrganisations(RequestContext& ctx) {
  ASSIGN_OR_RETURN(directory::Directory dir, directory::Directory::Load(ctx.conn));
  const std::optional<std::string> kind = ctx.req.Query("kind");
  const std::optional<std::string> place = ctx.req.Query("place");
  const directory::Unit* place_unit = place ? dir.FindByCode(*place) : nullptr;
  if (place && place_unit == nullptr) return NotFoundError("there is no place \"" + *place + "\"");
  json out = json::array();
  for (const directory::Unit& u : dir.units()) {
    if (kind && u.kind != *kind) continue;
    if (place_unit && u.parent_id != place_unit->id) continue;
    out.push_back(UnitJson(dir, u));
  }
  return http::JsonResponse({{"organisations", out}});
}

Result<http::Response> GetOrganisation(RequestContext& ctx) {
  ASSIGN_OR_RETURN(directory::Directory dir, directory::Directory::Load(ctx.conn));
  const directory::Unit* u = dir.FindByCode(ctx.req.Param("org"));
  if (u == nullptr)
    return NotFoundError("there is no organisation \"" + ctx.req.Param("org") + "\"");
  ASSIGN_OR_RETURN(std::vector<directory::UnitHistoryEntry> history,
                   directory::History(ctx.conn, u->id));
  json h = json::array();
  for (const auto& e : history) {
    h.push_back({{"field", e.field},
                 {"old", e.old_value},
                 {"new", e.new_value},
                 {"changed_by", e.changed_by},
                 {"changed_at", e.changed_at}});
  }
  json out = UnitJson(dir, *u);
  out["history"] = h;
  return http::JsonResponse(out);
}

Result<http::Response> ListMetrics(RequestContext& ctx) {
  ASSIGN_OR_RETURN(dictionary::Dictionary dict, dictionary::Dictionary::Load(ctx.conn));
  const std::optional<std::string> domain = ctx.req.Query("domain");
  const std::optional<std::string> status = ctx.req.Query("status");
  json out = json::array();
  for (const dictionary::Metric& m : dict.metrics()) {
    if (m.versions.empty()) continue;
    const dictionary::MetricVersion& v = m.Latest();
    if (domain && v.domain != *domain) continue;
    if (status && v.status != *status) continue;
    json j = VersionObject(v);
    j["code"] = m.code;
    j["versions"] = m.versions.size();
    out.push_back(j);
  }
  return http::JsonResponse({{"metrics", out}});
}

Result<http::Response> GetMetric(RequestContext& ctx) {
  ASSIGN_OR_RETURN(dictionary::Dictionary dict, dictionary::Dictionary::Load(ctx.conn));
  ASSIGN_OR_RETURN(const dictionary::Metric* m, FindMetric(dict, ctx.req.Param("code")));
  json versions = json::array();
  for (const auto& v : m->versions) versions.push_back(VersionObject(v));
  return http::JsonResponse({{"code", m->code}, {"versions", versions}});
}

Result<http::Response> ProposeMetric(RequestContext& ctx) {
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  ASSIGN_OR_RETURN(std::string code, http::RequiredString(body, "code", 64));
  dictionary::MetricVersion v;
  ASSIGN_OR_RETURN(v.name, http::RequiredString(body, "name", 200));
  ASSIGN_OR_RETURN(v.definition, http::RequiredString(body, "definition", 4000));
  auto text = [&](std::string_view key, std::string* out, std::string fallback) -> Status {
    ASSIGN_OR_RETURN(std::optional<std::string> s, http::OptionalString(body, key, 4000));
    *out = s.value_or(std::move(fallback));
    return Status::Ok();
  };
  RETURN_IF_ERROR(text("numerator_definition", &v.numerator_definition, ""));
  RETURN_IF_ERROR(text("denominator_definition", &v.denominator_definition, ""));
  RETURN_IF_ERROR(text("unit", &v.unit, ""));
  RETURN_IF_ERROR(text("measure", &v.measure, "value"));
  RETURN_IF_ERROR(text("improvement_direction", &v.improvement_direction, "neutral"));
  RETURN_IF_ERROR(text("chart_type", &v.chart_type, "xmr"));
  RETURN_IF_ERROR(text("frequency", &v.frequency, "monthly"));
  RETURN_IF_ERROR(text("domain", &v.domain, ""));
  RETURN_IF_ERROR(text("source", &v.source, ""));
  RETURN_IF_ERROR(text("owner", &v.owner, ""));
  ASSIGN_OR_RETURN(std::optional<double> multiplier, http::OptionalNumber(body, "multiplier"));
  v.multiplier = multiplier.value_or(v.has_ratio() ? 100 : 1);
  ASSIGN_OR_RETURN(v.target, http::OptionalNumber(body, "target"));
  ASSIGN_OR_RETURN(v.target_from, OptionalDate(body, "target_from"));
  ASSIGN_OR_RETURN(v.applies_from, OptionalDate(body, "applies_from"));
  ASSIGN_OR_RETURN(v, dictionary::ProposeVersion(ctx.conn, code, std::move(v), ctx.Acting()));
  return http::JsonResponse({{"code", code}, {"version", v.version}, {"status", "draft"}}, 201);
}

Result<http::Response> AgreeVersion(RequestContext& ctx) { return ChangeStatus(ctx, "agreed"); }

Result<http::Response> RetireVersion(RequestContext& ctx) { return ChangeStatus(ctx, "retired"); }

Result<http::Response> ListGlossary(RequestContext& ctx) {
  ASSIGN_OR_RETURN(std::vector<dictionary::GlossaryTerm> terms, dictionary::Glossary(ctx.conn));
  json out = json::array();
  for (const auto& t : terms) {
    out.push_back({{"term", t.term},
                   {"version", t.version},
                   {"definition", t.definition},
                   {"status", t.status}});
  }
  return http::JsonResponse({{"terms", out}});
}

Result<http::Response> GetGlossaryTerm(RequestContext& ctx) {
  ASSIGN_OR_RETURN(std::vector<dictionary::GlossaryTerm> versions,
                   dictionary::GlossaryHistory(ctx.conn, ctx.req.Param("term")));
  if (versions.empty())
    return NotFoundError("the glossary has no term \"" + ctx.req.Param("term") + "\"");
  json out = json::array();
  for (const auto& t : versions) {
    out.push_back({{"version", t.version},
                   {"definition", t.definition},
                   {"status", t.status},
                   {"created_by", t.created_by},
                   {"created_at", t.created_at}});
  }
  return http::JsonResponse({{"term", ctx.req.Param("term")}, {"versions", out}});
}

Result<http::Response> SetGlossaryTerm(RequestContext& ctx) {
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  ASSIGN_OR_RETURN(std::string definition, http::RequiredString(body, "definition", 4000));
  ASSIGN_OR_RETURN(std::optional<std::string> status, http::OptionalString(body, "status", 32));
  const std::string& term = ctx.req.Param("term");
  ASSIGN_OR_RETURN(int32_t version, dictionary::DefineTerm(ctx.conn, term, definition,
                                                           status.value_or("agreed"), ctx.Acting()));
  return http::JsonResponse({{"term", term}, {"version", version}});
}

}  // namespace shewhart::server::handlers
