// improvement programmes and roll-outs: a portfolio of projects (WYAAT's 11 programmes) with its
// logic model (inputs -> activities -> outputs -> outcomes -> impact; outcomes linked to system
// metrics and tracked with SPC), milestones for its plan time line, and its cumulative impact on
// each system metric (impact.h PortfolioImpact: a unit-period claimed by two projects counts
// once, and the answer says so). A roll-out: one intervention (RESTORE2) across a set of sites
// (every care home of a place), each with its stage history (not_started, training, live,
// sustained), the adoption curve, and the linked outcome metric before and after each site went
// live (for sites that are units with data).
//
// Writes: one db::ServiceTransaction each, validated (InvalidArgument naming the field), audited
// (`programme.create`, `logic.create`, `milestone.create`, `rollout.create`, `rollout.stage`).
// Thread-compatible.
//
// Example:
//   ASSIGN_OR_RETURN(int64_t id, CreateProgramme(*conn, who, writer, {.title = "Safer care",
//       .purpose = "...", .organisation = "QHL", .lead = "ana.lee@qhl.nhs.uk", .started = "2021-04-01"}));
//   ASSIGN_OR_RETURN(ProgrammeImpact pi, GetProgrammeImpact(*conn, id));
#ifndef SHEWHART_IMPROVEMENT_PROGRAMMES_H_
#define SHEWHART_IMPROVEMENT_PROGRAMMES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "improvement/projects.h"

namespace shewhart::improvement {

std::span<const std::string_view> LogicStages();    // input activity output outcome impact
std::span<const std::string_view> RolloutStages();  // not_started training live sustained

struct NewProgramme {
  std::string title, purpose, organisation, lead, started, ends;  // organisation: "" = system-wide
};
Result<int64_t> CreateProgramme(db::Connection& conn, const access::Acting& who,
                                const Writer& writer, const NewProgramme& programme);

struct NewLogicItem {
  std::string stage, title, metric, unit;  // metric and unit: optional link to a system series
};
Result<int64_t> AddLogicItem(db::Connection& conn, const access::Acting& who, const Writer& writer,
                             int64_t programme_id, const NewLogicItem& item);

struct NewMilestone {
  std::string title, due, done;  // done "" = not yet
};
Result<int64_t> AddMilestone(db::Connection& conn, const access::Acting& who, const Writer& writer,
                             int64_t programme_id, const NewMilestone& milestone);

struct LogicItem {
  int64_t id = 0;
  std::string stage, title, metric, unit;
  std::string variation, assurance;  // of the linked series' stored SPC result ("" = none)
  std::optional<double> latest, mean;
};
struct Milestone {
  int64_t id = 0;
  std::string title, due, done;
};
struct Programme {
  int64_t id = 0;
  std::string title, purpose, organisation, lead, started, ends;
  std::vector<LogicItem> logic;
  std::vector<Milestone> milestones;
  std::vector<ProjectSummary> projects;
};
Result<Programme> GetProgramme(db::Connection& conn, int64_t id, const Writer& reader);

struct ProgrammeSummary {
  int64_t id = 0;
  std::string title, organisation, lead, started;
  int projects = 0;
};
Result<std::vector<ProgrammeSummary>> ListProgrammes(db::Connection& conn);

// The portfolio's impact per metric (codes and units resolved), with the shared series.
struct SeriesImpactRow {
  std::string metric, unit;
  std::vector<int64_t> projects;
  Impact impact;
};
struct MetricImpactRow {
  std::string metric, metric_name, metric_unit;
  MetricTotal total;
};
struct ProgrammeImpact {
  int64_t programme_id = 0;
  std::vector<MetricImpactRow> metrics;
  std::vector<SeriesImpactRow> series;
  std::vector<std::string> notes;  // "FALLS at RZA is claimed by projects 3 and 7: counted once"
};
// programme_id 0: every project of the system (the whole portfolio).
Result<ProgrammeImpact> GetProgrammeImpact(db::Connection& conn, int64_t programme_id);

// --- Roll-outs ----------------------------------------------------------------------------------
struct NewRolloutSite {
  std::string code, title, unit;  // unit: an organisation code when the site is one ("" = none)
};
struct NewRollout {
  std::string title, intervention, metric;
  std::optional<int64_t> programme_id;
  std::vector<NewRolloutSite> sites;  // every site starts not_started on `started`
  std::string started;
};
Result<int64_t> CreateRollout(db::Connection& conn, const access::Acting& who,
                              const Writer& writer, const NewRollout& rollout);
// InvalidArgument: stage not in the list, date malformed, in the future or before the site's
// current stage date. NotFound: unknown roll-out or site code.
Status SetSiteStage(db::Connection& conn, const access::Acting& who, const Writer& writer,
                    int64_t rollout_id, std::string_view site_code, std::string_view stage,
                    std::string_view since);

struct RolloutSite {
  std::string code, title, unit, stage, since, live_since;
  std::optional<double> before, after;  // the outcome metric's mean before / after going live
};
struct AdoptionPoint {
  std::string month;  // YYYY-MM-01
  int training = 0, live = 0, sustained = 0;
};
struct Rollout {
  int64_t id = 0;
  std::string title, intervention, metric;
  std::optional<int64_t> programme_id;
  std::vector<RolloutSite> sites;
  std::vector<AdoptionPoint> adoption;  // month by month, from the first stage change
};
Result<Rollout> GetRollout(db::Connection& conn, int64_t id);
struct RolloutSummary {
  int64_t id = 0;
  std::string title, intervention;
  int sites = 0, live = 0;
};
Result<std::vector<RolloutSummary>> ListRollouts(db::Connection& conn);

}  // namespace shewhart::improvement

#endif  // SHEWHART_IMPROVEMENT_PROGRAMMES_H_
