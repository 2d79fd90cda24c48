// improvement projects: QI projects on the Model for Improvement — aim, team across organisations,
// driver diagram (aim -> primary -> secondary drivers -> change ideas), measures that ARE system
// series (a metric at a unit) or project-local, PDSA cycles in ramps per change idea (each an
// annotation on the system chart of every measure), the IHI 0.5-5.0 progress score set by the
// team beside the score the evidence supports, co-design involvement, and the measured impact of
// each outcome measure (impact.h). docs/improvement.md.
//
// Tables (migration 801): improvement_project, improvement_team_member, improvement_driver,
// improvement_measure, improvement_pdsa, improvement_score, improvement_involvement,
// improvement_project_population (802) (and the programme tables of programmes.h). Table agreements with capability: /work CROSS-PART.md —
// improvement_project(unit_id, title, lead_email, status, started), improvement_team_member
// (project_id, email, role), improvement_pdsa(project_id, started).
//
// Every write runs in one db::ServiceTransaction: it validates (every problem InvalidArgument
// naming the field: "\"started\" ..."; free text screened for NHS numbers), checks who may write
// (PermissionDenied: the project's organisation is outside the writer's scope and they are not on
// its team), writes and records its audit entry (`project.create`, `measure.create`,
// `pdsa.create`, `pdsa.update`, `driver.create|update|delete`, `score.set`,
// `involvement.create`). Nothing is written when anything fails. NotFound for an unknown project.
//
// Thread-compatible.
//
// Example:
//   ASSIGN_OR_RETURN(int64_t id, CreateProject(*conn, who, writer, {.title = "Fewer falls",
//       .aim = "Reduce falls on ward 7 by 30% by March 2023", .organisation = "RZA",
//       .lead = "ana.lee@rza.nhs.uk", .started = "2021-11-01"}));
//   RETURN_IF_ERROR(AddMeasure(*conn, who, writer, id, {.kind = "outcome", .metric = "FALLS",
//                                                        .unit = "RZA"}).status());
//   ASSIGN_OR_RETURN(std::vector<MeasureImpactRow> impact, ProjectImpact(*conn, id));
#ifndef SHEWHART_IMPROVEMENT_PROJECTS_H_
#define SHEWHART_IMPROVEMENT_PROJECTS_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "access/access.h"
#include "access/audit.h"
#include "base/status.h"
#include "db/db.h"
#include "db/migrate.h"
#include "improvement/impact.h"

namespace shewhart::improvement {

// Versions 801-..., ascending (projects and programmes).
std::span<const db::Migration> ProjectMigrations();

// The words, as written in files and the API.
std::span<const std::string_view> ProjectStatuses();  // planning active sustaining completed abandoned
std::span<const std::string_view> TeamRoles();        // lead sponsor coach member patient_partner
std::span<const std::string_view> MeasureKinds();     // outcome process balancing
std::span<const std::string_view> Acts();             // adopt adapt abandon
std::span<const std::string_view> InvolvementLevels();  // inform consult involve co-produce
std::span<const std::string_view> Methods();  // model_for_improvement lean six_sigma experience_based_co_design

// Who is writing and what they may touch: their e-mail (team membership) and scope.
struct Writer {
  std::string email;
  access::Scope scope;
};

struct TeamMember {
  std::string email, role, organisation;  // organisation: ODS code, "" = the project's
};

struct NewProject {
  std::string title, aim, organisation, lead, started;  // started YYYY-MM-DD
  std::string problem, method = "model_for_improvement", status = "active", population;
  // The populations it serves: codes of directory segments (kind "segment": a deprivation
  // quintile, children and young people...). InvalidArgument naming "populations" otherwise.
  std::vector<std::string> populations;
  std::optional<int64_t> programme_id;
  bool restricted = false;  // visible only within scope and to the team (default: system-wide)
  std::vector<TeamMember> team;  // the lead is added as role "lead"
};
// InvalidArgument naming the field (title, aim, organisation unknown, lead not an e-mail, started
// not a date or in the future, status/method/role not in their lists, NHS numbers);
// PermissionDenied when the organisation is outside the writer's scope. Returns the id.
Result<int64_t> CreateProject(db::Connection& conn, const access::Acting& who, const Writer& writer,
                              const NewProject& project);

struct NewMeasure {
  std::string kind;          // outcome | process | balancing
  std::string metric, unit;  // a system metric at a unit: the measure IS that series
  std::string title, definition;  // a project-local measure: metric and unit empty, title given
};
// InvalidArgument naming "kind", "metric" (unknown code) or "unit" (unknown unit). Annotates the
// series with the project's cycles logged so far. Returns the id.
Result<int64_t> AddMeasure(db::Connection& conn, const access::Acting& who, const Writer& writer,
                           int64_t project_id, const NewMeasure& measure);

struct NewPdsa {
  std::string change_idea;  // the id or the text of one of the project's change ideas; new text adds one
  std::string plan, prediction, started;  // started YYYY-MM-DD, not before the project started
  std::string title;
};
// Adds the next cycle of the change idea's ramp and annotates each system series the project
// measures, at the period the cycle started in. Returns the id.
Result<int64_t> AddPdsa(db::Connection& conn, const access::Acting& who, const Writer& writer,
                        int64_t project_id, const NewPdsa& pdsa);

struct PdsaUpdate {
  std::optional<std::string> do_note, study, act, ended;  // act: adopt | adapt | abandon
};
Status UpdatePdsa(db::Connection& conn, const access::Acting& who, const Writer& writer,
                  int64_t project_id, int64_t pdsa_id, const PdsaUpdate& update);

// Driver diagram nodes: kind primary (no parent), secondary (parent a primary driver) or
// change_idea (parent a secondary driver, or none).
struct NewDriver {
  std::string kind, title;
  std::optional<int64_t> parent_id;
};
Result<int64_t> AddDriver(db::Connection& conn, const access::Acting& who, const Writer& writer,
                          int64_t project_id, const NewDriver& driver);
Status RenameDriver(db::Connection& conn, const access::Acting& who, const Writer& writer,
                    int64_t project_id, int64_t driver_id, std::string_view title);
// FailedPrecondition when it has children or PDSA cycles.
Status DeleteDriver(db::Connection& conn, const access::Acting& who, const Writer& writer,
                    int64_t project_id, int64_t driver_id);

// The team's score: 0.5-5.0 in steps of 0.5 (InvalidArgument "score" otherwise); above the
// suggested score it needs a reason (InvalidArgument "reason").
Status SetScore(db::Connection& conn, const access::Acting& who, const Writer& writer,
                int64_t project_id, double score, std::string_view reason);

struct NewInvolvement {
  std::string who, level, date;  // who: a description ("two carers"), never a patient's identity
};
Result<int64_t> AddInvolvement(db::Connection& conn, const access::Acting& who,
                               const Writer& writer, int64_t project_id, const NewInvolvement& i);

// --- Reading ---------------------------------------------------------------------------------

struct Driver {
  int64_t id = 0;
  std::string kind, title, status;
  std::optional<int64_t> parent_id;
};
struct Measure {
  int64_t id = 0;
  std::string kind, title, definition;
  std::string metric, unit, unit_name, metric_name, metric_unit;  // "" when project-local
  bool system = false;  // a system series
};
struct Pdsa {
  int64_t id = 0, change_idea_id = 0;
  int cycle = 0;  // within the change idea's ramp
  std::string change_idea, title, plan, prediction, started, do_note, study, act, ended;
};
struct Involvement {
  int64_t id = 0;
  std::string who, level, date;
};
struct ScoreChange {
  double score = 0, suggested = 0;
  std::string reason, set_by, set_at;
};
struct Population {
  std::string code, name;
};
struct Project {
  int64_t id = 0;
  std::string title, aim, problem, organisation, organisation_name, lead, status, method, started,
      ended, population;
  std::optional<int64_t> programme_id;
  std::string programme;
  bool restricted = false;
  std::optional<double> score;
  int64_t unit_id = 0;
  std::vector<TeamMember> team;
  std::vector<Driver> drivers;
  std::vector<Measure> measures;
  std::vector<Pdsa> pdsas;  // by change idea, then cycle
  std::vector<Involvement> involvement;
  std::vector<ScoreChange> scores;
  std::vector<Population> populations;
};
// NotFound for an unknown project, or a restricted one the reader may not see.
Result<Project> GetProject(db::Connection& conn, int64_t id, const Writer& reader);

struct ProjectSummary {
  int64_t id = 0;
  std::string title, organisation, lead, status, started;
  std::optional<int64_t> programme_id;
  std::optional<double> score;
  int pdsas = 0, measures = 0;
};
struct ProjectFilter {
  std::string organisation, status;
  std::optional<int64_t> programme_id;
};
Result<std::vector<ProjectSummary>> ListProjects(db::Connection& conn, const ProjectFilter& filter,
                                                 const Writer& reader);

// Which populations the portfolio reaches: every directory segment (of the system, or of the
// whole directory) with the projects that serve it — those the reader may see, and not
// abandoned — and how many of them involve people with lived experience at "involve" or
// "co-produce". A segment no project serves is the portfolio's blind spot (`reached` false).
// `programme_id` limits the portfolio to one programme.
struct PopulationReach {
  std::string code, name;
  int projects = 0, co_designed = 0;
  std::vector<int64_t> project_ids;  // newest first, at most 20
  bool reached() const { return projects > 0; }
};
Result<std::vector<PopulationReach>> PortfolioReach(db::Connection& conn, const Writer& reader,
                                                    std::optional<int64_t> programme_id);

// The measured impact of each outcome measure that is a system series (impact.h).
struct MeasureImpactRow {
  Measure measure;
  std::optional<std::string> first_pdsa;
  std::optional<std::string> recalculation_reason;  // at the change point, when recorded
  Impact impact;
};
Result<std::vector<MeasureImpactRow>> ProjectImpact(db::Connection& conn, int64_t project_id);

// The progress score, the score the evidence supports and the evidence.
struct ProgressEvidence {
  double score = 0;
  std::string label, detail;
  bool met = false;
};
struct Progress {
  std::optional<double> score;
  std::string reason;
  double suggested = 0.5;
  std::vector<ProgressEvidence> evidence;  // one per step of the scale, 0.5 .. 5.0
};
Result<Progress> GetProgress(db::Connection& conn, int64_t project_id);

// The IHI label of a score ("Modest improvement"); "" when not on the scale.
std::string_view ScoreLabel(double score);

// The series data of a metric at a unit for impact (values, denominators, recalculations).
Result<PortfolioSeries> LoadImpactSeries(db::Connection& conn, int64_t metric_id, int64_t unit_id);
// The series of one metric at each of `unit_ids` (in that order): the claimed units'
// observations a few hundred units a read, and one read of the metric's recalculations — a
// portfolio loads per metric, not per series, and never reads the unclaimed series.
Result<std::vector<PortfolioSeries>> LoadImpactSeriesOfMetric(db::Connection& conn,
                                                              int64_t metric_id,
                                                              std::span<const int64_t> unit_ids);

}  // namespace shewhart::improvement

#endif  // SHEWHART_IMPROVEMENT_PROJECTS_H_
