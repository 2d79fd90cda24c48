#include "improvement/projects.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>
#include <nlohmann/json.hpp>

#include "base/date.h"
#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "improvement/internal/common.h"
#include "oversight/series_events.h"
#include "oversight/spc_store.h"

namespace shewhart::improvement {

using internal::Day;
using internal::Email;
using internal::Lower;
using internal::OneOf;
using internal::Text;
using internal::Trim;
using nlohmann::json;

namespace {

constexpr std::string_view kStatuses[] = {"planning", "active", "sustaining", "completed",
                                          "abandoned"};
constexpr std::string_view kRoles[] = {"lead", "sponsor", "coach", "member", "patient_partner"};
constexpr std::string_view kMeasureKinds[] = {"outcome", "process", "balancing"};
constexpr std::string_view kActs[] = {"adopt", "adapt", "abandon"};
constexpr std::string_view kLevels[] = {"inform", "consult", "involve", "co-produce"};
constexpr std::string_view kMethods[] = {"model_for_improvement", "lean", "six_sigma",
                                         "experience_based_co_design"};
constexpr std::string_view kDriverKinds[] = {"primary", "secondary", "change_idea"};

std::string Dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

struct ProjectRow {
  int64_t id = 0, unit_id = 0;
  std::string started, title, unit_code;
  bool restricted = false;
};

constexpr std::string_view kSelectProjectRow =
    "SELECT p.id, p.unit_id, p.started, p.title, p.restricted, u.code FROM improvement_project p "
    "JOIN unit u ON u.id = p.unit_id WHERE p.id = ?";

Result<ProjectRow> LoadProjectRow(db::Connection& conn, int64_t id) {
  ASSIGN_OR_RETURN(std::optional<db::Row> r, conn.QueryRow(kSelectProjectRow, {id}));
  if (!r) return NotFoundError("there is no project " + std::to_string(id));
  return ProjectRow{.id = r->Int(0), .unit_id = r->Int(1), .started = r->Text(2),
                    .title = r->Text(3), .unit_code = r->Text(5), .restricted = r->Int(4) != 0};
}

Result<bool> OnTeam(db::Connection& conn, int64_t project_id, std::string_view email) {
  ASSIGN_OR_RETURN(std::optional<db::Row> r,
                   conn.QueryRow("SELECT 1 FROM improvement_team_member WHERE project_id = ? AND "
                                 "email = ?",
                                 {project_id, Lower(email)}));
  return r.has_value();
}

// The project, if the writer may change it: their organisations' projects, or one whose team
// they are on.
Result<ProjectRow> Writable(db::Connection& conn, const Writer& writer, int64_t id) {
  ASSIGN_OR_RETURN(ProjectRow p, LoadProjectRow(conn, id));
  if (writer.scope.Contains(p.unit_id)) return p;
  ASSIGN_OR_RETURN(bool on_team, OnTeam(conn, id, writer.email));
  if (on_team) return p;
  if (p.restricted) return NotFoundError("there is no project " + std::to_string(id));
  return Status(StatusCode::kPermissionDenied,
                "you may change only the projects of your organisations or whose team you are on");
}

Result<bool> Visible(db::Connection& conn, const Writer& reader, const ProjectRow& p) {
  if (!p.restricted || reader.scope.Contains(p.unit_id)) return true;
  return OnTeam(conn, p.id, reader.email);
}

// For lists: the projects whose team `email` is on (one read), and Visible's rule for a row.
Result<std::set<int64_t>> TeamProjects(db::Connection& conn, std::string_view email) {
  std::set<int64_t> mine;
  RETURN_IF_ERROR(conn.Query("SELECT project_id FROM improvement_team_member WHERE email = ?",
                             {Lower(email)}, [&](const db::Row& r) {
                               mine.insert(r.Int(0));
                               return db::Flow::kContinue;
                             }));
  return mine;
}
bool SeesRow(const Writer& reader, const std::set<int64_t>& team, int64_t project,
             bool restricted, int64_t unit_id) {
  return !restricted || reader.scope.Contains(unit_id) || team.contains(project);
}

std::string Target(int64_t project_id) { return "project " + std::to_string(project_id); }

// The latest period of the stored series on or before `day`, if any.
Result<std::optional<std::string>> PeriodOn(db::Connection& conn, const oversight::SeriesKey& key,
                                            std::string_view day) {
  ASSIGN_OR_RETURN(std::optional<oversight::StoredSpcResult> stored,
                   oversight::LoadSpcResult(conn, key));
  if (!stored) return std::optional<std::string>();
  const std::optional<Date> d = ParseIsoDate(day);
  std::optional<std::string> out;
  for (const oversight::StoredPoint& p : stored->points) {
    if (d && p.period <= *d) out = FormatIsoDate(p.period);
  }
  return out;
}

std::string AnnotationText(int64_t project_id, std::string_view project_title, int cycle,
                           std::string_view idea, std::string_view what) {
  std::string t = "PDSA " + std::to_string(cycle) + " (project " + std::to_string(project_id) +
                  " " + std::string(project_title) + "): " + std::string(idea);
  if (!what.empty()) t += " — " + std::string(what);
  if (t.size() > 400) t = t.substr(0, 397) + "...";
  return t;
}

Status Annotate(db::Connection& conn, const access::Acting& who, int64_t metric_id,
                int64_t unit_id, std::string_view day, const std::string& text) {
  const oversight::SeriesKey key{metric_id, unit_id, false};
  ASSIGN_OR_RETURN(std::optional<std::string> period, PeriodOn(conn, key, day));
  if (!period) return Status::Ok();  // the cycle is before the series: nothing to mark
  return oversight::AddAnnotation(conn,
                                  {.series = key, .period = *period, .text = text,
                                   .created_by = who.actor},
                                  who)
      .status();
}

struct MetricInfo {
  std::string name, unit, measure;
  double multiplier = 1;
  stats::Direction direction = stats::Direction::kNeutral;
  std::optional<double> target;
};

Result<MetricInfo> LoadMetricInfo(db::Connection& conn, int64_t metric_id) {
  ASSIGN_OR_RETURN(std::optional<db::Row> r,
                   conn.QueryRow("SELECT name, unit, measure, multiplier, improvement_direction, "
                                 "target FROM metric_version WHERE metric_id = ? "
                                 "ORDER BY version DESC LIMIT 1",
                                 {metric_id}));
  if (!r) return NotFoundError("the metric has no definition");
  MetricInfo m{.name = r->Text(0), .unit = r->Text(1), .measure = r->Text(2),
               .multiplier = r->Double(3)};
  const std::string dir = r->Text(4);
  m.direction = dir == "increase"   ? stats::Direction::kIncrease
                : dir == "decrease" ? stats::Direction::kDecrease
                                    : stats::Direction::kNeutral;
  m.target = r->OptionalDouble(5);
  return m;
}

}  // namespace

std::span<const std::string_view> ProjectStatuses() { return kStatuses; }
std::span<const std::string_view> TeamRoles() { return kRoles; }
std::span<const std::string_view> MeasureKinds() { return kMeasureKinds; }
std::span<const std::string_view> Acts() { return kActs; }
std::span<const std::string_view> InvolvementLevels() { return kLevels; }
std::span<const std::string_view> Methods() { return kMethods; }

std::string_view ScoreLabel(double score) {
  static constexpr std::pair<double, std::string_view> kLabels[] = {
      {0.5, "Intent to participate"},
      {1.0, "Charter and team established"},
      {1.5, "Planning for the project has begun"},
      {2.0, "Activity, but no changes"},
      {2.5, "Changes tested, but no improvement"},
      {3.0, "Modest improvement"},
      {3.5, "Improvement"},
      {4.0, "Significant improvement"},
      {4.5, "Sustainable improvement"},
      {5.0, "Outstanding sustainable results"},
  };
  for (const auto& [s, label] : kLabels) {
    if (std::fabs(s - score) < 1e-9) return label;
  }
  return "";
}

Result<int64_t> CreateProject(db::Connection& conn, const access::Acting& who, const Writer& writer,
                              const NewProject& in) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(std::string title, Text("title", in.title, true, 300));
  ASSIGN_OR_RETURN(std::string aim, Text("aim", in.aim, true));
  ASSIGN_OR_RETURN(std::string problem, Text("problem", in.problem, false));
  ASSIGN_OR_RETURN(std::string population, Text("population", in.population, false, 500));
  ASSIGN_OR_RETURN(std::string lead, Email("lead", in.lead));
  ASSIGN_OR_RETURN(std::string started, Day("started", in.started, who.at));
  const std::string status = in.status.empty() ? "active" : in.status;
  RETURN_IF_ERROR(OneOf("status", status, kStatuses));
  const std::string method = in.method.empty() ? "model_for_improvement" : in.method;
  RETURN_IF_ERROR(OneOf("method", method, kMethods));
  const std::string org = Trim(in.organisation);
  if (org.empty()) return InvalidArgumentError("\"organisation\" is required (an ODS code)");
  ASSIGN_OR_RETURN(std::optional<int64_t> unit_id, directory::FindUnitId(conn, org));
  if (!unit_id) return InvalidArgumentError("\"organisation\": there is no organisation \"" + org + "\"");
  if (!writer.scope.Contains(*unit_id)) {
    return Status(StatusCode::kPermissionDenied,
                  "\"organisation\" " + org + " is not one of your organisations");
  }
  if (in.programme_id) {
    ASSIGN_OR_RETURN(std::optional<db::Row> p,
                     conn.QueryRow("SELECT id FROM improvement_programme WHERE id = ?",
                                   {*in.programme_id}));
    if (!p) return InvalidArgumentError("\"programme\": there is no programme " +
                                        std::to_string(*in.programme_id));
  }
  std::vector<std::pair<int64_t, std::string>> populations;  // segment unit id, code
  for (const std::string& raw : in.populations) {
    const std::string code = Trim(raw);
    ASSIGN_OR_RETURN(std::optional<db::Row> u,
                     conn.QueryRow("SELECT id, kind FROM unit WHERE code = ?", {code}));
    if (!u || u->Text(1) != "segment") {
      return InvalidArgumentError("\"populations\": \"" + code +
                                  "\" is not a population segment of the directory");
    }
    bool seen = false;
    for (const auto& [id, c] : populations) seen = seen || id == u->Int(0);
    if (!seen) populations.emplace_back(u->Int(0), code);
  }
  std::vector<TeamMember> team;
  team.push_back({lead, "lead", org});
  for (size_t i = 0; i < in.team.size(); ++i) {
    const std::string field = "team[" + std::to_string(i) + "]";
    ASSIGN_OR_RETURN(std::string email, Email(field + ".email", in.team[i].email));
    RETURN_IF_ERROR(OneOf(field + ".role", in.team[i].role, kRoles));
    std::string member_org = Trim(in.team[i].organisation);
    if (member_org.empty()) member_org = org;
    ASSIGN_OR_RETURN(std::optional<int64_t> mu, directory::FindUnitId(conn, member_org));
    if (!mu) return InvalidArgumentError("\"" + field + ".organisation\": there is no organisation \"" +
                                         member_org + "\"");
    if (in.team[i].role == "lead" && email == lead) continue;
    team.push_back({email, in.team[i].role, member_org});
  }
  ASSIGN_OR_RETURN(
      int64_t id,
      conn.ExecuteReturningId(
          "INSERT INTO improvement_project (unit_id, programme_id, title, aim, problem, lead_email, "
          "status, method, started, population, restricted, score_reason, created_by, created_at) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?) RETURNING id",
          {*unit_id, in.programme_id, title, aim, problem, lead, status, method, started,
           population, in.restricted ? 1 : 0, who.actor, who.at}));
  json members = json::array();
  for (const TeamMember& m : team) {
    RETURN_IF_ERROR(conn.Execute(
        "INSERT INTO improvement_team_member (project_id, email, role, organisation) "
        "VALUES (?, ?, ?, ?)",
        {id, m.email, m.role, m.organisation}));
    members.push_back({{"email", m.email}, {"role", m.role}, {"organisation", m.organisation}});
  }
  json serves = json::array();
  for (const auto& [unit, code] : populations) {
    RETURN_IF_ERROR(conn.Execute(
        "INSERT INTO improvement_project_population (project_id, unit_id) VALUES (?, ?)",
        {id, unit}));
    serves.push_back(code);
  }
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "project.create", Target(id), "",
      Dump({{"title", title}, {"aim", aim}, {"organisation", org}, {"lead", lead},
            {"started", started}, {"status", status}, {"method", method}, {"team", members},
            {"populations", serves}, {"restricted", in.restricted}})));
  RETURN_IF_ERROR(tx.Commit());
  return id;
}

Result<int64_t> AddMeasure(db::Connection& conn, const access::Acting& who, const Writer& writer,
                           int64_t project_id, const NewMeasure& in) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(ProjectRow p, Writable(conn, writer, project_id));
  RETURN_IF_ERROR(OneOf("kind", Trim(in.kind), kMeasureKinds));
  ASSIGN_OR_RETURN(std::string title, Text("title", in.title, false, 300));
  ASSIGN_OR_RETURN(std::string definition, Text("definition", in.definition, false));
  const std::string metric = Trim(in.metric), unit = Trim(in.unit);
  std::optional<int64_t> metric_id, unit_id;
  if (metric.empty() && unit.empty()) {
    if (title.empty()) {
      return InvalidArgumentError(
          "\"metric\" is required (a system metric code), or \"title\" for a project-local "
          "measure");
    }
  } else {
    if (metric.empty()) return InvalidArgumentError("\"metric\" is required with \"unit\"");
    if (unit.empty()) return InvalidArgumentError("\"unit\" is required with \"metric\"");
    Result<int64_t> m = dictionary::MetricIdByCode(conn, metric);
    if (!m.ok()) return InvalidArgumentError("\"metric\": there is no metric \"" + metric + "\"");
    metric_id = *m;
    ASSIGN_OR_RETURN(std::optional<int64_t> u, directory::FindUnitId(conn, unit));
    if (!u) return InvalidArgumentError("\"unit\": there is no organisation or unit \"" + unit + "\"");
    unit_id = *u;
    ASSIGN_OR_RETURN(std::optional<db::Row> dup,
                     conn.QueryRow("SELECT id FROM improvement_measure WHERE project_id = ? AND "
                                   "metric_id = ? AND unit_id = ?",
                                   {project_id, *metric_id, *unit_id}));
    if (dup) {
      return Status(StatusCode::kAlreadyExists,
                    "the project already measures " + metric + " at " + unit);
    }
    if (title.empty()) {
      ASSIGN_OR_RETURN(MetricInfo info, LoadMetricInfo(conn, *metric_id));
      title = info.name;
    }
  }
  ASSIGN_OR_RETURN(int64_t id,
                   conn.ExecuteReturningId(
                       "INSERT INTO improvement_measure (project_id, kind, metric_id, unit_id, "
                       "title, definition, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                       {project_id, Trim(in.kind), metric_id, unit_id, title, definition, who.at}));
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "measure.create", Target(project_id), "",
      Dump({{"id", id}, {"kind", Trim(in.kind)}, {"metric", metric}, {"unit", unit},
            {"title", title}})));
  // The cycles logged so far now show on this series' chart too.
  if (metric_id) {
    ASSIGN_OR_RETURN(std::vector<db::Row> cycles,
                     conn.QueryAll("SELECT c.cycle, d.title, c.title, c.started FROM "
                                   "improvement_pdsa c JOIN improvement_driver d ON d.id = "
                                   "c.change_idea_id WHERE c.project_id = ? ORDER BY c.started, c.id",
                                   {project_id}));
    for (const db::Row& c : cycles) {
      RETURN_IF_ERROR(Annotate(conn, who, *metric_id, *unit_id, c.Text(3),
                               AnnotationText(project_id, p.title, static_cast<int>(c.Int(0)),
                                              c.Text(1), c.Text(2))));
    }
  }
  RETURN_IF_ERROR(tx.Commit());
  return id;
}

namespace {

// The change idea named by id or text; a new text adds one (no parent).
Result<std::pair<int64_t, std::string>> ChangeIdea(db::Connection& conn, const access::Acting& who,
                                                   int64_t project_id, std::string_view named) {
  const std::string text = Trim(named);
  if (text.empty()) return InvalidArgumentError("\"change_idea\" is required (its id or its text)");
  if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
      text.size() < 18) {
    ASSIGN_OR_RETURN(std::optional<db::Row> r,
                     conn.QueryRow("SELECT id, title, kind FROM improvement_driver WHERE id = ? "
                                   "AND project_id = ?",
                                   {std::stoll(text), project_id}));
    if (!r || r->Text(2) != "change_idea") {
      return InvalidArgumentError("\"change_idea\": the project has no change idea " + text);
    }
    return std::make_pair(r->Int(0), r->Text(1));
  }
  ASSIGN_OR_RETURN(std::string checked, Text("change_idea", text, true, 300));
  ASSIGN_OR_RETURN(std::vector<db::Row> ideas,
                   conn.QueryAll("SELECT id, title FROM improvement_driver WHERE project_id = ? "
                                 "AND kind = 'change_idea'",
                                 {project_id}));
  for (const db::Row& r : ideas) {
    if (Lower(r.Text(1)) == Lower(checked)) return std::make_pair(r.Int(0), r.Text(1));
  }
  ASSIGN_OR_RETURN(int64_t id,
                   conn.ExecuteReturningId(
                       "INSERT INTO improvement_driver (project_id, kind, title, parent_id, status) "
                       "VALUES (?, 'change_idea', ?, NULL, 'testing') RETURNING id",
                       {project_id, checked}));
  RETURN_IF_ERROR(access::RecordAudit(conn, who, "driver.create", Target(project_id), "",
                                      Dump({{"id", id}, {"kind", "change_idea"}, {"title", checked}})));
  return std::make_pair(id, checked);
}

}  // namespace

Result<int64_t> AddPdsa(db::Connection& conn, const access::Acting& who, const Writer& writer,
                        int64_t project_id, const NewPdsa& in) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(ProjectRow p, Writable(conn, writer, project_id));
  ASSIGN_OR_RETURN(std::string plan, Text("plan", in.plan, true));
  ASSIGN_OR_RETURN(std::string prediction, Text("prediction", in.prediction, true));
  ASSIGN_OR_RETURN(std::string title, Text("title", in.title, false, 300));
  ASSIGN_OR_RETURN(std::string started, Day("started", in.started, who.at));
  if (started < p.started) {
    return InvalidArgumentError("\"started\" " + started + " is before the project started (" +
                                p.started + ")");
  }
  ASSIGN_OR_RETURN(auto idea, ChangeIdea(conn, who, project_id, in.change_idea));
  ASSIGN_OR_RETURN(std::optional<db::Row> n,
                   conn.QueryRow("SELECT COUNT(*) FROM improvement_pdsa WHERE change_idea_id = ?",
                                 {idea.first}));
  const int cycle = static_cast<int>(n ? n->Int(0) : 0) + 1;
  if (title.empty()) title = plan.size() > 120 ? plan.substr(0, 117) + "..." : plan;
  ASSIGN_OR_RETURN(
      int64_t id,
      conn.ExecuteReturningId(
          "INSERT INTO improvement_pdsa (project_id, change_idea_id, cycle, title, plan, "
          "prediction, started, do_note, study, act, ended, created_by, created_at) VALUES "
          "(?, ?, ?, ?, ?, ?, ?, '', '', NULL, NULL, ?, ?) RETURNING id",
          {project_id, idea.first, cycle, title, plan, prediction, started, who.actor, who.at}));
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "pdsa.create", Target(project_id), "",
      Dump({{"id", id}, {"change_idea", idea.second}, {"cycle", cycle}, {"plan", plan},
            {"prediction", prediction}, {"started", started}})));
  ASSIGN_OR_RETURN(std::vector<db::Row> series,
                   conn.QueryAll("SELECT metric_id, unit_id FROM improvement_measure WHERE "
                                 "project_id = ? AND metric_id IS NOT NULL",
                                 {project_id}));
  for (const db::Row& s : series) {
    RETURN_IF_ERROR(Annotate(conn, who, s.Int(0), s.Int(1), started,
                             AnnotationText(project_id, p.title, cycle, idea.second, title)));
  }
  RETURN_IF_ERROR(tx.Commit());
  return id;
}

Status UpdatePdsa(db::Connection& conn, const access::Acting& who, const Writer& writer,
                  int64_t project_id, int64_t pdsa_id, const PdsaUpdate& in) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(ProjectRow p, Writable(conn, writer, project_id));
  (void)p;
  ASSIGN_OR_RETURN(std::optional<db::Row> r,
                   conn.QueryRow("SELECT do_note, study, act, ended, started, change_idea_id "
                                 "FROM improvement_pdsa WHERE id = ? AND project_id = ?",
                                 {pdsa_id, project_id}));
  if (!r) return NotFoundError("the project has no PDSA cycle " + std::to_string(pdsa_id));
  std::string do_note = r->Text(0), study = r->Text(1);
  std::optional<std::string> act = r->OptionalText(2), ended = r->OptionalText(3);
  const json before = {{"do", do_note}, {"study", study}, {"act", act ? json(*act) : json()},
                       {"ended", ended ? json(*ended) : json()}};
  if (in.do_note) {
    ASSIGN_OR_RETURN(do_note, Text("do", *in.do_note, false));
  }
  if (in.study) {
    ASSIGN_OR_RETURN(study, Text("study", *in.study, false));
  }
  if (in.act) {
    const std::string a = Lower(Trim(*in.act));
    if (!a.empty()) {
      RETURN_IF_ERROR(OneOf("act", a, kActs));
      act = a;
    }
  }
  if (in.ended) {
    if (Trim(*in.ended).empty()) {
      ended.reset();
    } else {
      ASSIGN_OR_RETURN(std::string e, Day("ended", *in.ended, who.at));
      if (e < r->Text(4)) {
        return InvalidArgumentError("\"ended\" " + e + " is before the cycle started (" +
                                    r->Text(4) + ")");
      }
      ended = e;
    }
  }
  RETURN_IF_ERROR(conn.Execute(
      "UPDATE improvement_pdsa SET do_note = ?, study = ?, act = ?, ended = ? WHERE id = ?",
      {do_note, study, act, ended, pdsa_id}));
  if (act) {
    const std::string status = *act == "adopt" ? "adopted" : *act == "abandon" ? "abandoned"
                                                                               : "testing";
    RETURN_IF_ERROR(conn.Execute("UPDATE improvement_driver SET status = ? WHERE id = ?",
                                 {status, r->Int(5)}));
  }
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "pdsa.update", Target(project_id) + " pdsa " + std::to_string(pdsa_id),
      Dump(before),
      Dump({{"do", do_note}, {"study", study}, {"act", act ? json(*act) : json()},
            {"ended", ended ? json(*ended) : json()}})));
  return tx.Commit();
}

Result<int64_t> AddDriver(db::Connection& conn, const access::Acting& who, const Writer& writer,
                          int64_t project_id, const NewDriver& in) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(ProjectRow p, Writable(conn, writer, project_id));
  (void)p;
  const std::string kind = Trim(in.kind);
  RETURN_IF_ERROR(OneOf("kind", kind, kDriverKinds));
  ASSIGN_OR_RETURN(std::string title, Text("title", in.title, true, 300));
  if (kind == "primary" && in.parent_id) {
    return InvalidArgumentError("\"parent\": a primary driver hangs from the aim (no parent)");
  }
  if (kind == "secondary" && !in.parent_id) {
    return InvalidArgumentError("\"parent\" is required: the primary driver it serves");
  }
  if (in.parent_id) {
    ASSIGN_OR_RETURN(std::optional<db::Row> parent,
                     conn.QueryRow("SELECT kind FROM improvement_driver WHERE id = ? AND "
                                   "project_id = ?",
                                   {*in.parent_id, project_id}));
    const std::string want = kind == "secondary" ? "primary" : "secondary";
    if (!parent || parent->Text(0) != want) {
      return InvalidArgumentError("\"parent\" must be one of the project's " + want + " drivers");
    }
  }
  ASSIGN_OR_RETURN(int64_t id,
                   conn.ExecuteReturningId(
                       "INSERT INTO improvement_driver (project_id, kind, title, parent_id, status) "
                       "VALUES (?, ?, ?, ?, ?) RETURNING id",
                       {project_id, kind, title, in.parent_id,
                        kind == "change_idea" ? "untested" : ""}));
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "driver.create", Target(project_id), "",
      Dump({{"id", id}, {"kind", kind}, {"title", title},
            {"parent", in.parent_id ? json(*in.parent_id) : json()}})));
  RETURN_IF_ERROR(tx.Commit());
  return id;
}

Status RenameDriver(db::Connection& conn, const access::Acting& who, const Writer& writer,
                    int64_t project_id, int64_t driver_id, std::string_view title_in) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(ProjectRow p, Writable(conn, writer, project_id));
  (void)p;
  ASSIGN_OR_RETURN(std::string title, Text("title", title_in, true, 300));
  ASSIGN_OR_RETURN(std::optional<db::Row> r,
                   conn.QueryRow("SELECT title FROM improvement_driver WHERE id = ? AND "
                                 "project_id = ?",
                                 {driver_id, project_id}));
  if (!r) return NotFoundError("the project has no driver " + std::to_string(driver_id));
  RETURN_IF_ERROR(conn.Execute("UPDATE improvement_driver SET title = ? WHERE id = ?",
                               {title, driver_id}));
  RETURN_IF_ERROR(access::RecordAudit(conn, who, "driver.update",
                                      Target(project_id) + " driver " + std::to_string(driver_id),
                                      Dump({{"title", r->Text(0)}}), Dump({{"title", title}})));
  return tx.Commit();
}

Status DeleteDriver(db::Connection& conn, const access::Acting& who, const Writer& writer,
                    int64_t project_id, int64_t driver_id) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(ProjectRow p, Writable(conn, writer, project_id));
  (void)p;
  ASSIGN_OR_RETURN(std::optional<db::Row> r,
                   conn.QueryRow("SELECT title, kind FROM improvement_driver WHERE id = ? AND "
                                 "project_id = ?",
                                 {driver_id, project_id}));
  if (!r) return NotFoundError("the project has no driver " + std::to_string(driver_id));
  ASSIGN_OR_RETURN(std::optional<db::Row> child,
                   conn.QueryRow("SELECT id FROM improvement_driver WHERE parent_id = ?",
                                 {driver_id}));
  if (child) return FailedPreconditionError("the driver has drivers or change ideas below it");
  ASSIGN_OR_RETURN(std::optional<db::Row> cycle,
                   conn.QueryRow("SELECT id FROM improvement_pdsa WHERE change_idea_id = ?",
                                 {driver_id}));
  if (cycle) return FailedPreconditionError("the change idea has PDSA cycles: keep it");
  RETURN_IF_ERROR(conn.Execute("DELETE FROM improvement_driver WHERE id = ?", {driver_id}));
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "driver.delete", Target(project_id) + " driver " + std::to_string(driver_id),
      Dump({{"kind", r->Text(1)}, {"title", r->Text(0)}}), ""));
  return tx.Commit();
}

Status SetScore(db::Connection& conn, const access::Acting& who, const Writer& writer,
                int64_t project_id, double score, std::string_view reason_in) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(ProjectRow p, Writable(conn, writer, project_id));
  (void)p;
  if (!(score >= 0.5 && score <= 5.0) || std::fabs(score * 2 - std::round(score * 2)) > 1e-9) {
    return InvalidArgumentError("\"score\" must be on the IHI scale: 0.5 to 5.0 in steps of 0.5");
  }
  ASSIGN_OR_RETURN(std::string reason, Text("reason", reason_in, false, 2000));
  ASSIGN_OR_RETURN(Progress progress, GetProgress(conn, project_id));
  if (score > progress.suggested + 1e-9 && reason.empty()) {
    return InvalidArgumentError(
        "\"reason\" is required: " + std::to_string(score).substr(0, 3) +
        " is above the score the evidence supports (" +
        std::to_string(progress.suggested).substr(0, 3) + ")");
  }
  RETURN_IF_ERROR(conn.Execute(
      "INSERT INTO improvement_score (project_id, score, suggested, reason, set_by, set_at) "
      "VALUES (?, ?, ?, ?, ?, ?)",
      {project_id, score, progress.suggested, reason, who.actor, who.at}));
  RETURN_IF_ERROR(conn.Execute(
      "UPDATE improvement_project SET score = ?, score_reason = ? WHERE id = ?",
      {score, reason, project_id}));
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "score.set", Target(project_id),
      progress.score ? Dump({{"score", *progress.score}}) : "",
      Dump({{"score", score}, {"suggested", progress.suggested}, {"reason", reason}})));
  return tx.Commit();
}

Result<int64_t> AddInvolvement(db::Connection& conn, const access::Acting& who,
                               const Writer& writer, int64_t project_id, const NewInvolvement& in) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(ProjectRow p, Writable(conn, writer, project_id));
  (void)p;
  ASSIGN_OR_RETURN(std::string whom, Text("who", in.who, true, 300));
  RETURN_IF_ERROR(OneOf("level", Trim(in.level), kLevels));
  ASSIGN_OR_RETURN(std::string date, Day("date", in.date, who.at));
  ASSIGN_OR_RETURN(int64_t id,
                   conn.ExecuteReturningId(
                       "INSERT INTO improvement_involvement (project_id, who, level, happened) "
                       "VALUES (?, ?, ?, ?) RETURNING id",
                       {project_id, whom, Trim(in.level), date}));
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "involvement.create", Target(project_id), "",
      Dump({{"id", id}, {"who", whom}, {"level", Trim(in.level)}, {"date", date}})));
  RETURN_IF_ERROR(tx.Commit());
  return id;
}

// --- Reading -----------------------------------------------------------------------------------

Result<Project> GetProject(db::Connection& conn, int64_t id, const Writer& reader) {
  ASSIGN_OR_RETURN(ProjectRow row, LoadProjectRow(conn, id));
  ASSIGN_OR_RETURN(bool visible, Visible(conn, reader, row));
  if (!visible) return NotFoundError("there is no project " + std::to_string(id));
  ASSIGN_OR_RETURN(
      std::optional<db::Row> r,
      conn.QueryRow("SELECT p.title, p.aim, p.problem, u.code, u.name, p.lead_email, p.status, "
                    "p.method, p.started, p.ended, p.population, p.programme_id, g.title, "
                    "p.restricted, p.score, p.unit_id FROM improvement_project p JOIN unit u ON "
                    "u.id = p.unit_id LEFT JOIN improvement_programme g ON g.id = p.programme_id "
                    "WHERE p.id = ?",
                    {id}));
  Project p;
  p.id = id;
  p.title = r->Text(0);
  p.aim = r->Text(1);
  p.problem = r->Text(2);
  p.organisation = r->Text(3);
  p.organisation_name = r->Text(4);
  p.lead = r->Text(5);
  p.status = r->Text(6);
  p.method = r->Text(7);
  p.started = r->Text(8);
  p.ended = r->OptionalText(9).value_or("");
  p.population = r->Text(10);
  p.programme_id = r->OptionalInt(11);
  p.programme = r->OptionalText(12).value_or("");
  p.restricted = r->Int(13) != 0;
  p.score = r->OptionalDouble(14);
  p.unit_id = r->Int(15);
  RETURN_IF_ERROR(conn.Query(
      "SELECT email, role, organisation FROM improvement_team_member WHERE project_id = ? "
      "ORDER BY id",
      {id}, [&](const db::Row& t) {
        p.team.push_back({t.Text(0), t.Text(1), t.Text(2)});
        return db::Flow::kContinue;
      }));
  RETURN_IF_ERROR(conn.Query(
      "SELECT id, kind, title, status, parent_id FROM improvement_driver WHERE project_id = ? "
      "ORDER BY id",
      {id}, [&](const db::Row& d) {
        p.drivers.push_back({.id = d.Int(0), .kind = d.Text(1), .title = d.Text(2),
                             .status = d.Text(3), .parent_id = d.OptionalInt(4)});
        return db::Flow::kContinue;
      }));
  RETURN_IF_ERROR(conn.Query(
      "SELECT m.id, m.kind, m.title, m.definition, mt.code, u.code, u.name, m.metric_id FROM "
      "improvement_measure m LEFT JOIN metric mt ON mt.id = m.metric_id LEFT JOIN unit u ON "
      "u.id = m.unit_id WHERE m.project_id = ? ORDER BY m.id",
      {id}, [&](const db::Row& m) {
        Measure x{.id = m.Int(0), .kind = m.Text(1), .title = m.Text(2), .definition = m.Text(3)};
        x.metric = m.OptionalText(4).value_or("");
        x.unit = m.OptionalText(5).value_or("");
        x.unit_name = m.OptionalText(6).value_or("");
        x.system = !m.IsNull(7);
        p.measures.push_back(std::move(x));
        return db::Flow::kContinue;
      }));
  for (Measure& m : p.measures) {
    if (!m.system) continue;
    ASSIGN_OR_RETURN(int64_t metric_id, dictionary::MetricIdByCode(conn, m.metric));
    ASSIGN_OR_RETURN(MetricInfo info, LoadMetricInfo(conn, metric_id));
    m.metric_name = info.name;
    m.metric_unit = info.unit;
  }
  RETURN_IF_ERROR(conn.Query(
      "SELECT c.id, c.change_idea_id, c.cycle, d.title, c.title, c.plan, c.prediction, "
      "c.started, c.do_note, c.study, c.act, c.ended FROM improvement_pdsa c JOIN "
      "improvement_driver d ON d.id = c.change_idea_id WHERE c.project_id = ? "
      "ORDER BY c.change_idea_id, c.cycle",
      {id}, [&](const db::Row& c) {
        p.pdsas.push_back({.id = c.Int(0), .change_idea_id = c.Int(1),
                           .cycle = static_cast<int>(c.Int(2)), .change_idea = c.Text(3),
                           .title = c.Text(4), .plan = c.Text(5), .prediction = c.Text(6),
                           .started = c.Text(7), .do_note = c.Text(8), .study = c.Text(9),
                           .act = c.OptionalText(10).value_or(""),
                           .ended = c.OptionalText(11).value_or("")});
        return db::Flow::kContinue;
      }));
  RETURN_IF_ERROR(conn.Query(
      "SELECT id, who, level, happened FROM improvement_involvement WHERE project_id = ? "
      "ORDER BY happened, id",
      {id}, [&](const db::Row& i) {
        p.involvement.push_back({i.Int(0), i.Text(1), i.Text(2), i.Text(3)});
        return db::Flow::kContinue;
      }));
  RETURN_IF_ERROR(conn.Query(
      "SELECT score, suggested, reason, set_by, set_at FROM improvement_score WHERE "
      "project_id = ? ORDER BY id",
      {id}, [&](const db::Row& s) {
        p.scores.push_back({s.Double(0), s.Double(1), s.Text(2), s.Text(3), s.Text(4)});
        return db::Flow::kContinue;
      }));
  RETURN_IF_ERROR(conn.Query(
      "SELECT u.code, u.name FROM improvement_project_population pp JOIN unit u ON "
      "u.id = pp.unit_id WHERE pp.project_id = ? ORDER BY u.code",
      {id}, [&](const db::Row& s) {
        p.populations.push_back({s.Text(0), s.Text(1)});
        return db::Flow::kContinue;
      }));
  return p;
}

Result<std::vector<PopulationReach>> PortfolioReach(db::Connection& conn, const Writer& reader,
                                                    std::optional<int64_t> programme_id) {
  std::vector<PopulationReach> out;
  std::map<int64_t, size_t> at;  // segment unit id -> index in out
  RETURN_IF_ERROR(conn.Query("SELECT id, code, name FROM unit WHERE kind = 'segment' ORDER BY code",
                             {}, [&](const db::Row& r) {
                               at[r.Int(0)] = out.size();
                               out.push_back({.code = r.Text(1), .name = r.Text(2)});
                               return db::Flow::kContinue;
                             }));
  if (out.empty()) return out;
  ASSIGN_OR_RETURN(const std::set<int64_t> mine, TeamProjects(conn, reader.email));
  // A restricted project the reader may not see is not counted: neither its title nor its
  // existence leaves its scope.
  RETURN_IF_ERROR(conn.Query(
      "SELECT pp.unit_id, p.id, p.restricted, p.unit_id, "
      "(SELECT COUNT(*) FROM improvement_involvement i WHERE i.project_id = p.id AND "
      "i.level IN ('involve', 'co-produce')) "
      "FROM improvement_project_population pp JOIN improvement_project p ON p.id = pp.project_id "
      "WHERE p.status <> 'abandoned' AND (? = 0 OR p.programme_id = ?) "
      "ORDER BY p.started DESC, p.id DESC",
      {programme_id ? 1 : 0, programme_id.value_or(0)}, [&](const db::Row& r) {
        auto it = at.find(r.Int(0));
        if (it == at.end()) return db::Flow::kContinue;
        if (!SeesRow(reader, mine, r.Int(1), r.Int(2) != 0, r.Int(3))) return db::Flow::kContinue;
        PopulationReach& reach = out[it->second];
        ++reach.projects;
        if (r.Int(4) > 0) ++reach.co_designed;
        if (reach.project_ids.size() < 20) reach.project_ids.push_back(r.Int(1));
        return db::Flow::kContinue;
      }));
  return out;
}

Result<std::vector<ProjectSummary>> ListProjects(db::Connection& conn, const ProjectFilter& filter,
                                                 const Writer& reader) {
  std::optional<int64_t> unit_id;
  if (!filter.organisation.empty()) {
    ASSIGN_OR_RETURN(unit_id, directory::FindUnitId(conn, filter.organisation));
    if (!unit_id) return NotFoundError("there is no organisation \"" + filter.organisation + "\"");
  }
  ASSIGN_OR_RETURN(const std::set<int64_t> mine, TeamProjects(conn, reader.email));
  std::vector<ProjectSummary> out;
  RETURN_IF_ERROR(conn.Query(
      "SELECT p.id, p.title, u.code, p.lead_email, p.status, p.started, p.programme_id, p.score, "
      "p.restricted, p.unit_id, "
      "(SELECT COUNT(*) FROM improvement_pdsa c WHERE c.project_id = p.id), "
      "(SELECT COUNT(*) FROM improvement_measure m WHERE m.project_id = p.id) "
      "FROM improvement_project p JOIN unit u ON u.id = p.unit_id "
      "WHERE (? = 0 OR p.unit_id = ?) AND (? = '' OR p.status = ?) AND "
      "(? = 0 OR p.programme_id = ?) ORDER BY p.started DESC, p.id DESC",
      {unit_id ? 1 : 0, unit_id.value_or(0), filter.status, filter.status,
       filter.programme_id ? 1 : 0, filter.programme_id.value_or(0)},
      [&](const db::Row& r) {
        if (!SeesRow(reader, mine, r.Int(0), r.Int(8) != 0, r.Int(9))) return db::Flow::kContinue;
        out.push_back({.id = r.Int(0), .title = r.Text(1), .organisation = r.Text(2),
                       .lead = r.Text(3), .status = r.Text(4), .started = r.Text(5),
                       .programme_id = r.OptionalInt(6), .score = r.OptionalDouble(7),
                       .pdsas = static_cast<int>(r.Int(10)),
                       .measures = static_cast<int>(r.Int(11))});
        return db::Flow::kContinue;
      }));
  return out;
}

namespace {

// Adds one observation row (period, value, numerator, denominator at `col`..) to a series.
void AddObservation(const db::Row& r, int col, const MetricInfo& info, bool ratio,
                    PortfolioSeries* s) {
  const std::optional<Date> d = ParseIsoDate(r.Text(col));
  if (!d || (!s->periods.empty() && *d <= s->periods.back())) return;
  std::optional<double> v = r.OptionalDouble(col + 1);
  const std::optional<double> num = r.OptionalDouble(col + 2), den = r.OptionalDouble(col + 3);
  if (ratio && num && den && *den > 0) v = info.multiplier * *num / *den;
  s->periods.push_back(*d);
  s->values.push_back(v.value_or(NAN));
  if (ratio) s->volumes.push_back(den.value_or(NAN));
}

}  // namespace

Result<PortfolioSeries> LoadImpactSeries(db::Connection& conn, int64_t metric_id,
                                         int64_t unit_id) {
  ASSIGN_OR_RETURN(MetricInfo info, LoadMetricInfo(conn, metric_id));
  PortfolioSeries s{.metric_id = metric_id, .unit_id = unit_id, .multiplier = info.multiplier,
                    .improvement = info.direction};
  const bool ratio = info.measure == "proportion" || info.measure == "rate";
  RETURN_IF_ERROR(conn.Query(
      "SELECT period, value, numerator, denominator FROM observation WHERE metric_id = ? AND "
      "unit_id = ? ORDER BY period",
      {metric_id, unit_id}, [&](const db::Row& r) {
        AddObservation(r, 0, info, ratio, &s);
        return db::Flow::kContinue;
      }));
  RETURN_IF_ERROR(conn.Query(
      "SELECT period FROM series_event WHERE metric_id = ? AND unit_id = ? AND aggregate = 0 AND "
      "kind = 'recalculation'",
      {metric_id, unit_id}, [&](const db::Row& r) {
        if (std::optional<Date> d = ParseIsoDate(r.Text(0))) s.recalculations.push_back(*d);
        return db::Flow::kContinue;
      }));
  return s;
}

Result<std::vector<PortfolioSeries>> LoadImpactSeriesOfMetric(db::Connection& conn,
                                                              int64_t metric_id,
                                                              std::span<const int64_t> unit_ids) {
  ASSIGN_OR_RETURN(MetricInfo info, LoadMetricInfo(conn, metric_id));
  std::vector<PortfolioSeries> out(unit_ids.size());
  std::unordered_map<int64_t, size_t> at;
  at.reserve(unit_ids.size());
  for (size_t i = 0; i < unit_ids.size(); ++i) {
    out[i] = PortfolioSeries{.metric_id = metric_id, .unit_id = unit_ids[i],
                             .multiplier = info.multiplier, .improvement = info.direction};
    at.emplace(unit_ids[i], i);
  }
  if (unit_ids.empty()) return out;
  const bool ratio = info.measure == "proportion" || info.measure == "rate";
  // The claimed units' observations only, kUnitsPerRead units a read through the UNIQUE
  // (metric_id, unit_id, period) index: a national metric has 7,000 organisations' series of which
  // a portfolio claims a few dozen, and reading the whole metric to keep those cost 25x more
  // (bench/README.md, "Improvement"). The last read repeats its last unit to keep one statement.
  constexpr size_t kUnitsPerRead = 256;
  std::string sql =
      "SELECT unit_id, period, value, numerator, denominator FROM observation WHERE "
      "metric_id = ? AND unit_id IN (?";
  for (size_t i = 1; i < kUnitsPerRead; ++i) sql += ", ?";
  sql += ") ORDER BY unit_id, period";
  for (size_t from = 0; from < unit_ids.size(); from += kUnitsPerRead) {
    std::vector<db::Value> params{metric_id};
    for (size_t i = 0; i < kUnitsPerRead; ++i) {
      params.emplace_back(unit_ids[std::min(from + i, unit_ids.size() - 1)]);
    }
    RETURN_IF_ERROR(conn.Query(sql, params, [&](const db::Row& r) {
      if (auto f = at.find(r.Int(0)); f != at.end()) AddObservation(r, 1, info, ratio, &out[f->second]);
      return db::Flow::kContinue;
    }));
  }
  RETURN_IF_ERROR(conn.Query(
      "SELECT unit_id, period FROM series_event WHERE metric_id = ? AND aggregate = 0 AND "
      "kind = 'recalculation'",
      {metric_id}, [&](const db::Row& r) {
        auto f = at.find(r.Int(0));
        if (f == at.end()) return db::Flow::kContinue;
        if (std::optional<Date> d = ParseIsoDate(r.Text(1))) out[f->second].recalculations.push_back(*d);
        return db::Flow::kContinue;
      }));
  return out;
}

namespace {

Result<std::optional<std::string>> FirstPdsa(db::Connection& conn, int64_t project_id) {
  ASSIGN_OR_RETURN(std::optional<db::Row> r,
                   conn.QueryRow("SELECT MIN(started) FROM improvement_pdsa WHERE project_id = ?",
                                 {project_id}));
  if (!r || r->IsNull(0)) return std::optional<std::string>();
  return std::optional<std::string>(r->Text(0));
}

Result<MeasureImpactRow> MeasureOne(db::Connection& conn, const Measure& m,
                                    const std::optional<std::string>& first) {
  MeasureImpactRow row{.measure = m, .first_pdsa = first};
  ASSIGN_OR_RETURN(int64_t metric_id, dictionary::MetricIdByCode(conn, m.metric));
  ASSIGN_OR_RETURN(int64_t unit_id, directory::UnitIdByCode(conn, m.unit));
  ASSIGN_OR_RETURN(PortfolioSeries s, LoadImpactSeries(conn, metric_id, unit_id));
  ImpactSeries in{.periods = s.periods, .values = s.values, .volumes = s.volumes,
                  .multiplier = s.multiplier, .improvement = s.improvement,
                  .recalculations = s.recalculations};
  if (first) in.first_pdsa = ParseIsoDate(*first);
  row.impact = MeasureImpact(in);
  if (row.impact.change_point_recorded && row.impact.change_point) {
    ASSIGN_OR_RETURN(std::optional<db::Row> r,
                     conn.QueryRow("SELECT text FROM series_event WHERE metric_id = ? AND "
                                   "unit_id = ? AND aggregate = 0 AND kind = 'recalculation' AND "
                                   "period = ?",
                                   {metric_id, unit_id, FormatIsoDate(*row.impact.change_point)}));
    if (r) row.recalculation_reason = r->Text(0);
  }
  return row;
}

}  // namespace

Result<std::vector<MeasureImpactRow>> ProjectImpact(db::Connection& conn, int64_t project_id) {
  ASSIGN_OR_RETURN(Project p, GetProject(conn, project_id, Writer{.scope = {.all = true}}));
  ASSIGN_OR_RETURN(std::optional<std::string> first, FirstPdsa(conn, project_id));
  std::vector<MeasureImpactRow> out;
  for (const Measure& m : p.measures) {
    if (m.kind != "outcome" || !m.system) continue;
    ASSIGN_OR_RETURN(MeasureImpactRow row, MeasureOne(conn, m, first));
    out.push_back(std::move(row));
  }
  return out;
}

Result<Progress> GetProgress(db::Connection& conn, int64_t project_id) {
  ASSIGN_OR_RETURN(Project p, GetProject(conn, project_id, Writer{.scope = {.all = true}}));
  ASSIGN_OR_RETURN(std::optional<std::string> first, FirstPdsa(conn, project_id));
  Progress out;
  out.score = p.score;
  if (!p.scores.empty()) out.reason = p.scores.back().reason;
  int primaries = 0, ideas = 0, outcome_measures = 0, studied = 0, acted = 0;
  for (const Driver& d : p.drivers) {
    primaries += d.kind == "primary";
    ideas += d.kind == "change_idea";
  }
  for (const Measure& m : p.measures) outcome_measures += m.kind == "outcome";
  for (const Pdsa& c : p.pdsas) {
    studied += !c.study.empty();
    acted += !c.act.empty();
  }
  bool process_improved = false, outcome_improved = false, sustained = false, aim_met = false;
  std::string outcome_detail = "no special-cause improvement in an outcome measure yet",
              process_detail = "no special-cause improvement in a measure yet";
  for (const Measure& m : p.measures) {
    if (!m.system || m.kind == "balancing") continue;
    ASSIGN_OR_RETURN(MeasureImpactRow row, MeasureOne(conn, m, first));
    if (!row.impact.detected) continue;
    const std::string what = m.metric + " at " + m.unit + ": " + row.impact.label + " from " +
                             FormatIsoDate(*row.impact.change_point);
    if (m.kind == "process") {
      process_improved = true;
      process_detail = what;
    } else {
      outcome_improved = true;
      outcome_detail = what;
      if (!process_improved) process_detail = what;
      if (row.impact.change_point_recorded && row.impact.n_post >= 12) sustained = true;
      ASSIGN_OR_RETURN(int64_t metric_id, dictionary::MetricIdByCode(conn, m.metric));
      ASSIGN_OR_RETURN(MetricInfo info, LoadMetricInfo(conn, metric_id));
      if (info.target && sustained) {
        aim_met = info.direction == stats::Direction::kDecrease
                      ? row.impact.post_mean <= *info.target
                      : row.impact.post_mean >= *info.target;
      }
    }
  }
  const bool any_improved = process_improved || outcome_improved;
  const struct {
    double score;
    bool met;
    std::string detail;
  } steps[] = {
      {0.5, true, "the project is registered"},
      {1.0, !p.aim.empty() && !p.team.empty(),
       std::to_string(p.team.size()) + " team member(s) and an aim"},
      {1.5, primaries > 0 || !p.measures.empty(),
       std::to_string(primaries) + " primary driver(s), " + std::to_string(p.measures.size()) +
           " measure(s)"},
      {2.0, !p.pdsas.empty(), std::to_string(p.pdsas.size()) + " PDSA cycle(s) logged"},
      {2.5, (studied > 0 || acted > 0) && outcome_measures > 0,
       std::to_string(studied) + " cycle(s) studied, " + std::to_string(outcome_measures) +
           " outcome measure(s)"},
      {3.0, any_improved, process_detail},
      {3.5, outcome_improved, outcome_detail},
      {4.0, outcome_improved && process_improved,
       process_improved && outcome_improved ? "improvement in process and outcome measures"
                                            : "needs improvement in both a process and an outcome measure"},
      {4.5, sustained,
       sustained ? "limits recalculated at the change and 12+ points since"
                 : "needs the limits recalculated at the change (with its reason) and 12 points since"},
      {5.0, aim_met, aim_met ? "the outcome measure meets its target" : "the aim is not yet met"},
  };
  // The highest step whose evidence is met (the measured steps from 3.0 imply cycles logged: the
  // impact counts only after the first PDSA cycle).
  for (const auto& s : steps) {
    if (s.met) out.suggested = s.score;
    out.evidence.push_back({.score = s.score, .label = std::string(ScoreLabel(s.score)),
                            .detail = s.detail, .met = s.met});
  }
  return out;
}

}  // namespace shewhart::improvement
