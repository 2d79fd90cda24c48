#include "dictionary/dictionary.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <array>
#include <utility>
#include <vector>

#include "base/text_checks.h"

namespace shewhart::dictionary {
namespace {

constexpr std::array<std::string_view, 3> kMeasures = {"value", "proportion", "rate"};
constexpr std::array<std::string_view, 3> kDirections = {"increase", "decrease", "neutral"};
constexpr std::array<std::string_view, 5> kChartTypes = {"xmr", "run", "p", "u", "c"};
constexpr std::array<std::string_view, 5> kFrequencies = {"daily", "weekly", "monthly", "quarterly",
                                                          "yearly"};
constexpr std::array<std::string_view, 7> kDomains = {
    "safe", "effective", "caring", "responsive", "well-led", "workforce", "improvement capability"};
constexpr std::array<std::string_view, 4> kStatuses = {"draft", "agreed", "retired", "local"};

// Both dialects; only the key types differ.
#define SHEWHART_DICTIONARY_SCHEMA(PK, FK)                                              \
  "CREATE TABLE metric (\n"                                                             \
  "  id " PK                                                                            \
  ",\n"                                                                                 \
  "  code TEXT NOT NULL UNIQUE,\n"                                                      \
  "  created_by TEXT NOT NULL,\n"                                                       \
  "  created_at TEXT NOT NULL\n"                                                        \
  ");\n"                                                                                \
  "CREATE TABLE metric_version (\n"                                                     \
  "  id " PK                                                                            \
  ",\n"                                                                                 \
  "  metric_id " FK                                                                     \
  " NOT NULL REFERENCES metric(id),\n"                                                  \
  "  version INTEGER NOT NULL,\n"                                                       \
  "  applies_from TEXT,\n"                                                              \
  "  name TEXT NOT NULL,\n"                                                             \
  "  definition TEXT NOT NULL,\n"                                                       \
  "  numerator_definition TEXT NOT NULL,\n"                                             \
  "  denominator_definition TEXT NOT NULL,\n"                                           \
  "  unit TEXT NOT NULL,\n"                                                             \
  "  measure TEXT NOT NULL CHECK (measure IN ('value', 'proportion', 'rate')),\n"       \
  "  multiplier DOUBLE PRECISION NOT NULL,\n"                                           \
  "  improvement_direction TEXT NOT NULL,\n"                                            \
  "  chart_type TEXT NOT NULL,\n"                                                       \
  "  frequency TEXT NOT NULL,\n"                                                        \
  "  domain TEXT NOT NULL,\n"                                                           \
  "  target DOUBLE PRECISION,\n"                                                        \
  "  target_from TEXT,\n"                                                               \
  "  source TEXT NOT NULL,\n"                                                           \
  "  owner TEXT NOT NULL,\n"                                                            \
  "  status TEXT NOT NULL CHECK (status IN ('draft', 'agreed', 'retired', 'local')),\n" \
  "  agreed_by TEXT,\n"                                                                 \
  "  agreed_at TEXT,\n"                                                                 \
  "  created_by TEXT NOT NULL,\n"                                                       \
  "  created_at TEXT NOT NULL,\n"                                                       \
  "  UNIQUE (metric_id, version)\n"                                                     \
  ");\n"                                                                                \
  "CREATE TABLE glossary_term (\n"                                                      \
  "  id " PK                                                                            \
  ",\n"                                                                                 \
  "  term TEXT NOT NULL UNIQUE\n"                                                       \
  ");\n"                                                                                \
  "CREATE TABLE glossary_version (\n"                                                   \
  "  id " PK                                                                            \
  ",\n"                                                                                 \
  "  term_id " FK                                                                       \
  " NOT NULL REFERENCES glossary_term(id),\n"                                           \
  "  version INTEGER NOT NULL,\n"                                                       \
  "  definition TEXT NOT NULL,\n"                                                       \
  "  status TEXT NOT NULL,\n"                                                           \
  "  created_by TEXT NOT NULL,\n"                                                       \
  "  created_at TEXT NOT NULL,\n"                                                       \
  "  UNIQUE (term_id, version)\n"                                                       \
  ");\n"

constexpr db::Migration kMigrations[] = {
    {201, "dictionary: metrics with versions, glossary",
     SHEWHART_DICTIONARY_SCHEMA("INTEGER PRIMARY KEY", "INTEGER"),
     SHEWHART_DICTIONARY_SCHEMA("BIGSERIAL PRIMARY KEY", "BIGINT")},
};

constexpr std::string_view kSelectMetricIdByCode = "SELECT id FROM metric WHERE code = ?";
constexpr std::string_view kSelectMetrics = "SELECT id, code FROM metric ORDER BY code";
constexpr std::string_view kSelectVersions =
    "SELECT id, metric_id, version, applies_from, name, definition, numerator_definition, "
    "denominator_definition, unit, measure, multiplier, improvement_direction, chart_type, "
    "frequency, domain, target, target_from, source, owner, status, agreed_by, agreed_at, "
    "created_by, created_at FROM metric_version ORDER BY metric_id, version";
constexpr std::string_view kInsertMetric =
    "INSERT INTO metric (code, created_by, created_at) VALUES (?, ?, ?) RETURNING id";
constexpr std::string_view kInsertVersion =
    "INSERT INTO metric_version (metric_id, version, applies_from, name, definition, "
    "numerator_definition, denominator_definition, unit, measure, multiplier, "
    "improvement_direction, chart_type, frequency, domain, target, target_from, source, owner, "
    "status, agreed_by, agreed_at, created_by, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr std::string_view kUpdateStatus =
    "UPDATE metric_version SET status = ?, agreed_by = ?, agreed_at = ? WHERE id = ?";
constexpr std::string_view kSelectStatus = "SELECT status FROM metric_version WHERE id = ?";
constexpr std::string_view kUpdateDraft =
    "UPDATE metric_version SET applies_from = ?, name = ?, definition = ?, "
    "numerator_definition = ?, denominator_definition = ?, unit = ?, measure = ?, "
    "multiplier = ?, improvement_direction = ?, chart_type = ?, frequency = ?, domain = ?, "
    "target = ?, target_from = ?, source = ?, owner = ?, status = ?, agreed_by = ?, "
    "agreed_at = ? WHERE id = ?";
constexpr std::string_view kSelectTerm = "SELECT id FROM glossary_term WHERE term = ?";
constexpr std::string_view kInsertTerm = "INSERT INTO glossary_term (term) VALUES (?) RETURNING id";
constexpr std::string_view kSelectLatestTermVersion =
    "SELECT version, definition, status FROM glossary_version WHERE term_id = ? "
    "ORDER BY version DESC LIMIT 1";
constexpr std::string_view kInsertTermVersion =
    "INSERT INTO glossary_version (term_id, version, definition, status, created_by, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?)";
constexpr std::string_view kSelectGlossary =
    "SELECT t.term, v.version, v.definition, v.status, v.created_by, v.created_at "
    "FROM glossary_term t JOIN glossary_version v ON v.term_id = t.id "
    "WHERE v.version = (SELECT MAX(version) FROM glossary_version w WHERE w.term_id = t.id) "
    "ORDER BY t.term";
constexpr std::string_view kSelectTermHistory =
    "SELECT t.term, v.version, v.definition, v.status, v.created_by, v.created_at "
    "FROM glossary_term t JOIN glossary_version v ON v.term_id = t.id WHERE t.term = ? "
    "ORDER BY v.version";

db::Value TextOrNull(std::string_view s) { return s.empty() ? db::Value() : db::Value(s); }
db::Value DateOrNull(const std::optional<Date>& d) {
  return d ? db::Value(FormatIsoDate(*d)) : db::Value();
}
std::optional<Date> DateOf(const std::optional<std::string>& s) {
  return s ? ParseIsoDate(*s) : std::nullopt;
}

bool OptionalEqual(const std::optional<double>& a, const std::optional<double>& b) {
  return a.has_value() == b.has_value() && (!a || *a == *b);
}

}  // namespace

std::span<const std::string_view> Measures() { return kMeasures; }
std::span<const std::string_view> Directions() { return kDirections; }
std::span<const std::string_view> ChartTypes() { return kChartTypes; }
std::span<const std::string_view> Frequencies() { return kFrequencies; }
std::span<const std::string_view> Domains() { return kDomains; }
std::span<const std::string_view> Statuses() { return kStatuses; }
bool IsOneOf(std::span<const std::string_view> words, std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

bool MetricVersion::SameDefinition(const MetricVersion& o) const {
  return applies_from == o.applies_from && name == o.name && definition == o.definition &&
         numerator_definition == o.numerator_definition &&
         denominator_definition == o.denominator_definition && unit == o.unit &&
         measure == o.measure && multiplier == o.multiplier &&
         improvement_direction == o.improvement_direction && chart_type == o.chart_type &&
         frequency == o.frequency && domain == o.domain && OptionalEqual(target, o.target) &&
         target_from == o.target_from && source == o.source && owner == o.owner;
}

const MetricVersion& Metric::VersionFor(Date period) const {
  const MetricVersion* found = &versions.front();
  for (const MetricVersion& v : versions) {
    if (!v.applies_from || *v.applies_from <= period) found = &v;
  }
  return *found;
}

std::span<const db::Migration> Migrations() { return kMigrations; }

Result<Dictionary> Dictionary::Load(db::Connection& conn) {
  Dictionary d;
  RETURN_IF_ERROR(conn.Query(kSelectMetrics, {}, [&](const db::Row& r) {
    Metric m;
    m.id = r.Int(0);
    m.code = r.Text(1);
    d.by_code_[m.code] = d.metrics_.size();
    d.by_id_[m.id] = d.metrics_.size();
    d.metrics_.push_back(std::move(m));
    return db::Flow::kContinue;
  }));
  RETURN_IF_ERROR(conn.Query(kSelectVersions, {}, [&](const db::Row& r) {
    const auto it = d.by_id_.find(r.Int(1));
    if (it == d.by_id_.end()) return db::Flow::kContinue;
    MetricVersion v;
    v.id = r.Int(0);
    v.version = static_cast<int32_t>(r.Int(2));
    v.applies_from = DateOf(r.OptionalText(3));
    v.name = r.Text(4);
    v.definition = r.Text(5);
    v.numerator_definition = r.Text(6);
    v.denominator_definition = r.Text(7);
    v.unit = r.Text(8);
    v.measure = r.Text(9);
    v.multiplier = r.Double(10);
    v.improvement_direction = r.Text(11);
    v.chart_type = r.Text(12);
    v.frequency = r.Text(13);
    v.domain = r.Text(14);
    v.target = r.OptionalDouble(15);
    v.target_from = DateOf(r.OptionalText(16));
    v.source = r.Text(17);
    v.owner = r.Text(18);
    v.status = r.Text(19);
    v.agreed_by = r.OptionalText(20).value_or("");
    v.agreed_at = r.OptionalText(21).value_or("");
    v.created_by = r.Text(22);
    v.created_at = r.Text(23);
    d.metrics_[it->second].versions.push_back(std::move(v));
    return db::Flow::kContinue;
  }));
  for (Metric& m : d.metrics_) {
    std::stable_sort(m.versions.begin(), m.versions.end(),
                     [](const MetricVersion& a, const MetricVersion& b) {
                       const Date da = a.applies_from.value_or(INT32_MIN);
                       const Date db = b.applies_from.value_or(INT32_MIN);
                       return da < db;
                     });
  }
  return d;
}

const Metric* Dictionary::FindByCode(std::string_view code) const {
  const auto it = by_code_.find(std::string(code));
  return it == by_code_.end() ? nullptr : &metrics_[it->second];
}

const Metric* Dictionary::FindById(int64_t id) const {
  const auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &metrics_[it->second];
}

Result<int64_t> MetricIdByCode(db::Connection& conn, std::string_view code) {
  ASSIGN_OR_RETURN(std::optional<db::Row> row, conn.QueryRow(kSelectMetricIdByCode, {code}));
  if (!row) return NotFoundError("there is no metric \"" + std::string(code) + "\"");
  return row->Int(0);
}

Result<int64_t> InsertMetric(db::Connection& conn, std::string_view code, std::string_view actor,
                             std::string_view at) {
  return conn.ExecuteReturningId(kInsertMetric, {code, actor, at});
}

namespace {

// A definition's fields in the column order kInsertVersion and kUpdateDraft share, from
// applies_from to agreed_at.
std::vector<db::Value> DefinitionFields(const MetricVersion& v) {
  return {DateOrNull(v.applies_from),
          v.name,
          v.definition,
          v.numerator_definition,
          v.denominator_definition,
          v.unit,
          v.measure,
          v.multiplier,
          v.improvement_direction,
          v.chart_type,
          v.frequency,
          v.domain,
          v.target,
          DateOrNull(v.target_from),
          v.source,
          v.owner,
          v.status,
          TextOrNull(v.agreed_by),
          TextOrNull(v.agreed_at)};
}

}  // namespace

Result<int64_t> InsertVersion(db::Connection& conn, int64_t metric_id, const MetricVersion& v) {
  std::vector<db::Value> params = {metric_id, v.version};
  for (db::Value& f : DefinitionFields(v)) params.push_back(std::move(f));
  params.push_back(v.created_by);
  params.push_back(v.created_at);
  return conn.ExecuteReturningId(kInsertVersion, params);
}

Status UpdateVersionStatus(db::Connection& conn, int64_t version_id, std::string_view status,
                           std::string_view agreed_by, std::string_view agreed_at) {
  return conn.Execute(kUpdateStatus,
                      {status, TextOrNull(agreed_by), TextOrNull(agreed_at), version_id});
}

Status UpdateDraftVersion(db::Connection& conn, const MetricVersion& v) {
  ASSIGN_OR_RETURN(std::optional<db::Row> row, conn.QueryRow(kSelectStatus, {v.id}));
  if (!row) return NotFoundError("metric version " + std::to_string(v.id) + " does not exist");
  if (row->Text(0) != "draft") {
    return FailedPreconditionError(
        "an agreed or retired definition is never overwritten; add a "
        "new version with a later applies_from");
  }
  std::vector<db::Value> params = DefinitionFields(v);
  params.push_back(v.id);
  return conn.Execute(kUpdateDraft, params);
}

namespace {
// Moves version `version` of `code` from `from` to `to`; returns it as it was. An agreement
// (`agreed_by`, `agreed_at`) is recorded when given, and otherwise kept as stored: retiring is
// not un-agreeing.
Result<MetricVersion> ChangeStatus(
    db::Connection& conn, std::string_view code, int32_t version, std::string_view from,
    std::string_view to, std::optional<std::pair<std::string_view, std::string_view>> agreement) {
  ASSIGN_OR_RETURN(Dictionary dict, Dictionary::Load(conn));
  const Metric* m = dict.FindByCode(code);
  if (m == nullptr) return NotFoundError("there is no metric \"" + std::string(code) + "\"");
  const MetricVersion* v = nullptr;
  for (const MetricVersion& candidate : m->versions) {
    if (candidate.version == version) v = &candidate;
  }
  if (v == nullptr) {
    return NotFoundError("metric " + m->code + " has no version " + std::to_string(version));
  }
  if (v->status != from) {
    return FailedPreconditionError("version " + std::to_string(v->version) + " of " + m->code +
                                   " is " + v->status + ", not " + std::string(from));
  }
  RETURN_IF_ERROR(UpdateVersionStatus(conn, v->id, to, agreement ? agreement->first : v->agreed_by,
                                      agreement ? agreement->second : v->agreed_at));
  return *v;
}
}  // namespace

namespace {

std::string StatusJson(std::string_view status) {
  return nlohmann::json({{"status", status}}).dump();
}

std::string Target(std::string_view code, int32_t version) {
  return std::string(code) + " v" + std::to_string(version);
}

// The person behind an actor: "user:ana@nhs.net" -> "ana@nhs.net"; other actors as they are.
std::string_view PersonOf(std::string_view actor) {
  return actor.starts_with("user:") ? actor.substr(5) : actor;
}

Status CheckWord(std::span<const std::string_view> words, std::string_view value,
                 std::string_view field) {
  if (IsOneOf(words, value)) return Status::Ok();
  std::string list;
  for (const std::string_view w : words) list += (list.empty() ? "" : ", ") + std::string(w);
  return InvalidArgumentError("\"" + std::string(field) + "\" must be one of: " + list);
}

Status CheckFreeText(std::string_view text, std::string_view field) {
  if (!ContainsNhsNumber(text)) return Status::Ok();
  return InvalidArgumentError("\"" + std::string(field) + "\" " + std::string(kNhsNumberMessage));
}

}  // namespace

std::string VersionJson(const MetricVersion& v) {
  using nlohmann::json;
  auto date = [](const std::optional<Date>& d) { return d ? json(FormatIsoDate(*d)) : json(); };
  auto text = [](const std::string& t) { return t.empty() ? json() : json(t); };
  const json j = {{"version", v.version},
                  {"applies_from", date(v.applies_from)},
                  {"name", v.name},
                  {"definition", v.definition},
                  {"numerator_definition", v.numerator_definition},
                  {"denominator_definition", v.denominator_definition},
                  {"unit", v.unit},
                  {"measure", v.measure},
                  {"multiplier", v.multiplier},
                  {"improvement_direction", v.improvement_direction},
                  {"chart_type", v.chart_type},
                  {"frequency", v.frequency},
                  {"domain", v.domain},
                  {"target", v.target ? json(*v.target) : json()},
                  {"target_from", date(v.target_from)},
                  {"source", v.source},
                  {"owner", v.owner},
                  {"status", v.status},
                  {"agreed_by", text(v.agreed_by)},
                  {"agreed_at", text(v.agreed_at)},
                  {"created_by", v.created_by},
                  {"created_at", v.created_at}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<MetricVersion> ProposeVersion(db::Connection& conn, std::string_view code, MetricVersion v,
                                     const access::Acting& who) {
  if (code.empty() || code.size() > 64 ||
      code.find_first_of(" \t\r\n/;'\"\\") != std::string_view::npos) {
    return InvalidArgumentError("\"code\" must be a short code without spaces or punctuation");
  }
  RETURN_IF_ERROR(CheckWord(Measures(), v.measure, "measure"));
  RETURN_IF_ERROR(CheckWord(Directions(), v.improvement_direction, "improvement_direction"));
  RETURN_IF_ERROR(CheckWord(ChartTypes(), v.chart_type, "chart_type"));
  RETURN_IF_ERROR(CheckWord(Frequencies(), v.frequency, "frequency"));
  RETURN_IF_ERROR(CheckWord(Domains(), v.domain, "domain"));
  if (!(v.multiplier > 0) || !std::isfinite(v.multiplier) || v.multiplier > kMaxMultiplier) {
    return InvalidArgumentError("\"multiplier\" must be positive and at most 1000000 (e.g. 100 for "
                                "a percentage, 1000 for a rate per 1,000)");
  }
  if (v.target && !std::isfinite(*v.target)) {
    return InvalidArgumentError("\"target\" must be a finite number");
  }
  for (const auto& [field, text] :
       {std::pair<std::string_view, const std::string*>{"name", &v.name},
        {"definition", &v.definition},
        {"numerator_definition", &v.numerator_definition},
        {"denominator_definition", &v.denominator_definition},
        {"unit", &v.unit},
        {"source", &v.source},
        {"owner", &v.owner}}) {
    RETURN_IF_ERROR(CheckFreeText(*text, field));
  }
  v.status = "draft";
  v.created_by = std::string(PersonOf(who.actor));
  v.created_at = who.at;
  v.agreed_by.clear();
  v.agreed_at.clear();

  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(Dictionary dict, Dictionary::Load(conn));
  const Metric* m = dict.FindByCode(code);
  int64_t metric_id = 0;
  if (m == nullptr) {
    ASSIGN_OR_RETURN(metric_id, InsertMetric(conn, code, who.actor, who.at));
    v.version = 1;
  } else {
    metric_id = m->id;
    int32_t last = 0;
    for (const auto& old : m->versions) last = std::max(last, old.version);
    v.version = last + 1;
    if (!m->versions.empty() && !v.applies_from) {
      return InvalidArgumentError(
          "a new version of an existing metric needs \"applies_from\", the first period it "
          "governs (the old definition keeps governing the periods before)");
    }
  }
  ASSIGN_OR_RETURN(v.id, InsertVersion(conn, metric_id, v));
  RETURN_IF_ERROR(
      access::RecordAudit(conn, who, "metric.propose", Target(code, v.version), "", VersionJson(v)));
  RETURN_IF_ERROR(tx.Commit());
  return v;
}

Result<MetricVersion> AgreeVersion(db::Connection& conn, std::string_view code, int32_t version,
                                   const access::Acting& who) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(MetricVersion before,
                   ChangeStatus(conn, code, version, "draft", "agreed",
                                std::make_pair(PersonOf(who.actor), std::string_view(who.at))));
  RETURN_IF_ERROR(access::RecordAudit(conn, who, "metric.agree", Target(code, version),
                                      StatusJson(before.status), StatusJson("agreed")));
  RETURN_IF_ERROR(tx.Commit());
  return before;
}

Result<MetricVersion> RetireVersion(db::Connection& conn, std::string_view code, int32_t version,
                                    const access::Acting& who) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(MetricVersion before,
                   ChangeStatus(conn, code, version, "agreed", "retired", std::nullopt));
  RETURN_IF_ERROR(access::RecordAudit(conn, who, "metric.retire", Target(code, version),
                                      StatusJson(before.status), StatusJson("retired")));
  RETURN_IF_ERROR(tx.Commit());
  return before;
}

std::span<const std::string_view> TermStatuses() {
  static constexpr std::string_view kStatuses[] = {"draft", "agreed", "retired"};
  return kStatuses;
}

Result<int32_t> DefineTerm(db::Connection& conn, std::string_view term, std::string_view definition,
                           std::string_view status, const access::Acting& who) {
  if (term.empty() || term.size() > 200) {
    return InvalidArgumentError("the term must have 1 to 200 bytes");
  }
  if (definition.empty() || definition.size() > 4000) {
    return InvalidArgumentError("\"definition\" must have 1 to 4000 bytes");
  }
  RETURN_IF_ERROR(CheckWord(TermStatuses(), status, "status"));
  RETURN_IF_ERROR(CheckFreeText(term, "term"));
  RETURN_IF_ERROR(CheckFreeText(definition, "definition"));
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(std::vector<GlossaryTerm> history, GlossaryHistory(conn, term));
  ASSIGN_OR_RETURN(int32_t version,
                   SetGlossaryTerm(conn, term, definition, status, who.actor, who.at));
  if (history.empty() || history.back().version != version) {
    const std::string before =
        history.empty() ? ""
                        : nlohmann::json({{"definition", history.back().definition}}).dump(
                              -1, ' ', false, nlohmann::json::error_handler_t::replace);
    RETURN_IF_ERROR(access::RecordAudit(
        conn, who, "glossary.set", std::string(term) + " v" + std::to_string(version), before,
        nlohmann::json({{"definition", definition}})
            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
  }
  RETURN_IF_ERROR(tx.Commit());
  return version;
}

Result<int32_t> SetGlossaryTerm(db::Connection& conn, std::string_view term,
                                std::string_view definition, std::string_view status,
                                std::string_view actor, std::string_view at) {
  if (status != "draft" && status != "agreed" && status != "retired") {
    return InvalidArgumentError("a glossary term's status is draft, agreed or retired, not \"" +
                                std::string(status.substr(0, 32)) + "\"");
  }
  ASSIGN_OR_RETURN(std::optional<db::Row> row, conn.QueryRow(kSelectTerm, {term}));
  int64_t term_id = 0;
  int32_t latest = 0;
  if (row) {
    term_id = row->Int(0);
    ASSIGN_OR_RETURN(std::optional<db::Row> v, conn.QueryRow(kSelectLatestTermVersion, {term_id}));
    if (v) {
      latest = static_cast<int32_t>(v->Int(0));
      if (v->Text(1) == definition && v->Text(2) == status) return latest;
    }
  } else {
    ASSIGN_OR_RETURN(term_id, conn.ExecuteReturningId(kInsertTerm, {term}));
  }
  RETURN_IF_ERROR(
      conn.Execute(kInsertTermVersion, {term_id, latest + 1, definition, status, actor, at}));
  return latest + 1;
}

namespace {
Result<std::vector<GlossaryTerm>> ReadTerms(db::Connection& conn, std::string_view sql,
                                            db::Params params) {
  std::vector<GlossaryTerm> out;
  RETURN_IF_ERROR(conn.Query(sql, params, [&](const db::Row& r) {
    out.push_back(
        {r.Text(0), static_cast<int32_t>(r.Int(1)), r.Text(2), r.Text(3), r.Text(4), r.Text(5)});
    return db::Flow::kContinue;
  }));
  return out;
}
}  // namespace

Result<std::vector<GlossaryTerm>> Glossary(db::Connection& conn) {
  return ReadTerms(conn, kSelectGlossary, {});
}

Result<std::vector<GlossaryTerm>> GlossaryHistory(db::Connection& conn, std::string_view term) {
  return ReadTerms(conn, kSelectTermHistory, {term});
}

}  // namespace shewhart::dictionary
