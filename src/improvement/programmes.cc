#include "improvement/programmes.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "base/date.h"
#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "improvement/internal/common.h"
#include "oversight/spc_store.h"

namespace shewhart::improvement {

using internal::Day;
using internal::Email;
using internal::OneOf;
using internal::Text;
using internal::Trim;
using nlohmann::json;

namespace {

constexpr std::string_view kLogicStages[] = {"input", "activity", "output", "outcome", "impact"};
constexpr std::string_view kRolloutStages[] = {"not_started", "training", "live", "sustained"};

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Programmes and roll-outs belong to the system or an organisation: the writer must have it in
// scope (system-wide ones: system scope).
Status MayWriteUnit(const Writer& writer, std::optional<int64_t> unit_id) {
  if (writer.scope.all || (unit_id && writer.scope.Contains(*unit_id))) return Status::Ok();
  return Status(StatusCode::kPermissionDenied,
                "only the programme's organisation (or a system lead) may change it");
}

Result<std::optional<int64_t>> ProgrammeUnit(db::Connection& conn, int64_t id) {
  ASSIGN_OR_RETURN(std::optional<db::Row> r,
                   conn.QueryRow("SELECT unit_id FROM improvement_programme WHERE id = ?", {id}));
  if (!r) return NotFoundError("there is no programme " + std::to_string(id));
  return r->OptionalInt(0);
}

Result<std::optional<int64_t>> OptionalUnit(db::Connection& conn, std::string_view field,
                                            std::string_view code) {
  const std::string c = Trim(code);
  if (c.empty()) return std::optional<int64_t>();
  ASSIGN_OR_RETURN(std::optional<int64_t> u, directory::FindUnitId(conn, c));
  if (!u) {
    return InvalidArgumentError("\"" + std::string(field) + "\": there is no organisation or unit \"" +
                                c + "\"");
  }
  return u;
}

}  // namespace

std::span<const std::string_view> LogicStages() { return kLogicStages; }
std::span<const std::string_view> RolloutStages() { return kRolloutStages; }

Result<int64_t> CreateProgramme(db::Connection& conn, const access::Acting& who,
                                const Writer& writer, const NewProgramme& in) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(std::string title, Text("title", in.title, true, 300));
  ASSIGN_OR_RETURN(std::string purpose, Text("purpose", in.purpose, true));
  ASSIGN_OR_RETURN(std::string lead, Email("lead", in.lead));
  ASSIGN_OR_RETURN(std::string started, Day("started", in.started));
  std::optional<std::string> ends;
  if (!Trim(in.ends).empty()) {
    ASSIGN_OR_RETURN(std::string e, Day("ends", in.ends));
    if (e < started) return InvalidArgumentError("\"ends\" is before \"started\"");
    ends = e;
  }
  ASSIGN_OR_RETURN(std::optional<int64_t> unit_id, OptionalUnit(conn, "organisation", in.organisation));
  RETURN_IF_ERROR(MayWriteUnit(writer, unit_id));
  ASSIGN_OR_RETURN(int64_t id,
                   conn.ExecuteReturningId(
                       "INSERT INTO improvement_programme (title, purpose, unit_id, lead_email, "
                       "started, ends, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                       "RETURNING id",
                       {title, purpose, unit_id, lead, started, ends, who.actor, who.at}));
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "programme.create", "programme " + std::to_string(id), "",
      Dump({{"title", title}, {"organisation", Trim(in.organisation)}, {"lead", lead},
            {"started", started}})));
  RETURN_IF_ERROR(tx.Commit());
  return id;
}

Result<int64_t> AddLogicItem(db::Connection& conn, const access::Acting& who, const Writer& writer,
                             int64_t programme_id, const NewLogicItem& in) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(std::optional<int64_t> owner, ProgrammeUnit(conn, programme_id));
  RETURN_IF_ERROR(MayWriteUnit(writer, owner));
  RETURN_IF_ERROR(OneOf("stage", Trim(in.stage), kLogicStages));
  ASSIGN_OR_RETURN(std::string title, Text("title", in.title, true, 500));
  std::optional<int64_t> metric_id;
  if (!Trim(in.metric).empty()) {
    Result<int64_t> m = dictionary::MetricIdByCode(conn, Trim(in.metric));
    if (!m.ok()) return InvalidArgumentError("\"metric\": there is no metric \"" + Trim(in.metric) + "\"");
    metric_id = *m;
  }
  ASSIGN_OR_RETURN(std::optional<int64_t> unit_id, OptionalUnit(conn, "unit", in.unit));
  if (unit_id && !metric_id) return InvalidArgumentError("\"metric\" is required with \"unit\"");
  ASSIGN_OR_RETURN(int64_t id, conn.ExecuteReturningId(
                                   "INSERT INTO improvement_logic_item (programme_id, stage, "
                                   "title, metric_id, unit_id) VALUES (?, ?, ?, ?, ?) RETURNING id",
                                   {programme_id, Trim(in.stage), title, metric_id, unit_id}));
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "logic.create", "programme " + std::to_string(programme_id), "",
      Dump({{"id", id}, {"stage", Trim(in.stage)}, {"title", title}, {"metric", Trim(in.metric)},
            {"unit", Trim(in.unit)}})));
  RETURN_IF_ERROR(tx.Commit());
  return id;
}

Result<int64_t> AddMilestone(db::Connection& conn, const access::Acting& who, const Writer& writer,
                             int64_t programme_id, const NewMilestone& in) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(std::optional<int64_t> owner, ProgrammeUnit(conn, programme_id));
  RETURN_IF_ERROR(MayWriteUnit(writer, owner));
  ASSIGN_OR_RETURN(std::string title, Text("title", in.title, true, 300));
  ASSIGN_OR_RETURN(std::string due, Day("due", in.due));
  std::optional<std::string> done;
  if (!Trim(in.done).empty()) {
    ASSIGN_OR_RETURN(std::string d, Day("done", in.done, who.at));
    done = d;
  }
  ASSIGN_OR_RETURN(int64_t id, conn.ExecuteReturningId(
                                   "INSERT INTO improvement_milestone (programme_id, title, due, "
                                   "done) VALUES (?, ?, ?, ?) RETURNING id",
                                   {programme_id, title, due, done}));
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "milestone.create", "programme " + std::to_string(programme_id), "",
      Dump({{"id", id}, {"title", title}, {"due", due}, {"done", done ? json(*done) : json()}})));
  RETURN_IF_ERROR(tx.Commit());
  return id;
}

Result<Programme> GetProgramme(db::Connection& conn, int64_t id, const Writer& reader) {
  ASSIGN_OR_RETURN(std::optional<db::Row> r,
                   conn.QueryRow("SELECT g.title, g.purpose, u.code, g.lead_email, g.started, "
                                 "g.ends FROM improvement_programme g LEFT JOIN unit u ON u.id = "
                                 "g.unit_id WHERE g.id = ?",
                                 {id}));
  if (!r) return NotFoundError("there is no programme " + std::to_string(id));
  Programme p{.id = id, .title = r->Text(0), .purpose = r->Text(1),
              .organisation = r->OptionalText(2).value_or(""), .lead = r->Text(3),
              .started = r->Text(4), .ends = r->OptionalText(5).value_or("")};
  RETURN_IF_ERROR(conn.Query(
      "SELECT l.id, l.stage, l.title, m.code, u.code, l.metric_id, l.unit_id FROM "
      "improvement_logic_item l LEFT JOIN metric m ON m.id = l.metric_id LEFT JOIN unit u ON "
      "u.id = l.unit_id WHERE l.programme_id = ? ORDER BY l.id",
      {id}, [&](const db::Row& l) {
        LogicItem item{.id = l.Int(0), .stage = l.Text(1), .title = l.Text(2),
                       .metric = l.OptionalText(3).value_or(""),
                       .unit = l.OptionalText(4).value_or("")};
        p.logic.push_back(std::move(item));
        return db::Flow::kContinue;
      }));
  for (LogicItem& item : p.logic) {
    if (item.metric.empty() || item.unit.empty()) continue;
    ASSIGN_OR_RETURN(int64_t metric_id, dictionary::MetricIdByCode(conn, item.metric));
    ASSIGN_OR_RETURN(int64_t unit_id, directory::UnitIdByCode(conn, item.unit));
    for (bool aggregate : {false, true}) {
      ASSIGN_OR_RETURN(std::optional<oversight::StoredSpcResult> s,
                       oversight::LoadSpcResult(conn, {metric_id, unit_id, aggregate}));
      if (!s || s->points.empty()) continue;
      item.variation = s->variation;
      item.assurance = s->assurance;
      if (!std::isnan(s->points.back().value)) item.latest = s->points.back().value;
      if (!std::isnan(s->mean)) item.mean = s->mean;
      break;
    }
  }
  RETURN_IF_ERROR(conn.Query(
      "SELECT id, title, due, done FROM improvement_milestone WHERE programme_id = ? "
      "ORDER BY due, id",
      {id}, [&](const db::Row& m) {
        p.milestones.push_back({m.Int(0), m.Text(1), m.Text(2), m.OptionalText(3).value_or("")});
        return db::Flow::kContinue;
      }));
  ASSIGN_OR_RETURN(p.projects, ListProjects(conn, {.programme_id = id}, reader));
  return p;
}

Result<std::vector<ProgrammeSummary>> ListProgrammes(db::Connection& conn) {
  std::vector<ProgrammeSummary> out;
  RETURN_IF_ERROR(conn.Query(
      "SELECT g.id, g.title, u.code, g.lead_email, g.started, (SELECT COUNT(*) FROM "
      "improvement_project p WHERE p.programme_id = g.id) FROM improvement_programme g LEFT JOIN "
      "unit u ON u.id = g.unit_id ORDER BY g.title, g.id",
      {}, [&](const db::Row& r) {
        out.push_back({r.Int(0), r.Text(1), r.OptionalText(2).value_or(""), r.Text(3), r.Text(4),
                       static_cast<int>(r.Int(5))});
        return db::Flow::kContinue;
      }));
  return out;
}

Result<ProgrammeImpact> GetProgrammeImpact(db::Connection& conn, int64_t programme_id) {
  if (programme_id != 0) {
    ASSIGN_OR_RETURN(std::optional<int64_t> unit, ProgrammeUnit(conn, programme_id));
    (void)unit;
  }
  // Every outcome measure on a system series of the programme's projects, with the project's
  // first PDSA cycle.
  struct ClaimRow {
    int64_t project, metric, unit;
    std::optional<std::string> first;
  };
  std::vector<ClaimRow> rows;
  RETURN_IF_ERROR(conn.Query(
      "SELECT m.project_id, m.metric_id, m.unit_id, (SELECT MIN(c.started) FROM improvement_pdsa c "
      "WHERE c.project_id = m.project_id) FROM improvement_measure m JOIN improvement_project p ON "
      "p.id = m.project_id WHERE m.kind = 'outcome' AND m.metric_id IS NOT NULL AND "
      "(? = 0 OR p.programme_id = ?) ORDER BY m.metric_id, m.unit_id, m.project_id",
      {programme_id, programme_id}, [&](const db::Row& r) {
        rows.push_back({r.Int(0), r.Int(1), r.Int(2), r.OptionalText(3)});
        return db::Flow::kContinue;
      }));
  // The series, loaded per metric (one read of its observations for every claimed unit),
  // never one query per series: a national portfolio claims thousands.
  std::vector<PortfolioSeries> series;
  std::map<std::pair<int64_t, int64_t>, size_t> index;
  {
    std::map<int64_t, std::vector<int64_t>> units_of;  // metric -> claimed units, ascending
    for (const ClaimRow& c : rows) {
      std::vector<int64_t>& u = units_of[c.metric];
      if (u.empty() || u.back() != c.unit) u.push_back(c.unit);  // rows come by metric, unit
    }
    for (const auto& [metric, units] : units_of) {
      ASSIGN_OR_RETURN(std::vector<PortfolioSeries> loaded,
                       LoadImpactSeriesOfMetric(conn, metric, units));
      for (PortfolioSeries& s : loaded) {
        index.emplace(std::pair(s.metric_id, s.unit_id), series.size());
        series.push_back(std::move(s));
      }
    }
  }
  std::vector<PortfolioClaim> claims;
  claims.reserve(rows.size());
  for (const ClaimRow& c : rows) {
    PortfolioClaim claim{.project_id = c.project, .series = index.at({c.metric, c.unit})};
    if (c.first) claim.first_pdsa = ParseIsoDate(*c.first);
    claims.push_back(claim);
  }
  const Portfolio portfolio = PortfolioImpact(series, claims);
  ProgrammeImpact out{.programme_id = programme_id};
  // Codes of every metric and unit in two reads (not one per series).
  std::map<int64_t, std::string> metric_codes, unit_codes;
  RETURN_IF_ERROR(conn.Query("SELECT id, code FROM metric", {}, [&](const db::Row& r) {
    metric_codes.emplace(r.Int(0), r.Text(1));
    return db::Flow::kContinue;
  }));
  RETURN_IF_ERROR(conn.Query("SELECT id, code FROM unit", {}, [&](const db::Row& r) {
    unit_codes.emplace(r.Int(0), r.Text(1));
    return db::Flow::kContinue;
  }));
  auto code_of = [](const std::map<int64_t, std::string>& codes, int64_t id) {
    const auto f = codes.find(id);
    return f == codes.end() ? std::string() : f->second;
  };
  for (const SeriesImpact& si : portfolio.series) {
    const PortfolioSeries& s = series[si.series];
    SeriesImpactRow row{.projects = si.projects, .impact = si.impact};
    row.metric = code_of(metric_codes, s.metric_id);
    row.unit = code_of(unit_codes, s.unit_id);
    if (si.projects.size() > 1) {
      std::string list;
      for (size_t i = 0; i < si.projects.size(); ++i) {
        list += (i == 0 ? "" : i + 1 == si.projects.size() ? " and " : ", ") +
                std::to_string(si.projects[i]);
      }
      out.notes.push_back(row.metric + " at " + row.unit + " is claimed by projects " + list +
                          ": its unit-periods are counted once, measured from the earliest first "
                          "PDSA cycle among them");
    }
    out.series.push_back(std::move(row));
  }
  for (const MetricTotal& t : portfolio.metrics) {
    MetricImpactRow row{.total = t};
    row.metric = code_of(metric_codes, t.metric_id);
    ASSIGN_OR_RETURN(std::optional<db::Row> r,
                     conn.QueryRow("SELECT name, unit FROM metric_version WHERE metric_id = ? "
                                   "ORDER BY version DESC LIMIT 1",
                                   {t.metric_id}));
    if (r) {
      row.metric_name = r->Text(0);
      row.metric_unit = r->Text(1);
    }
    out.metrics.push_back(std::move(row));
  }
  return out;
}

// --- Roll-outs ----------------------------------------------------------------------------------

Result<int64_t> CreateRollout(db::Connection& conn, const access::Acting& who,
                              const Writer& writer, const NewRollout& in) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  if (!writer.scope.all) {
    return Status(StatusCode::kPermissionDenied, "roll-outs across the system need system scope");
  }
  ASSIGN_OR_RETURN(std::string title, Text("title", in.title, true, 300));
  ASSIGN_OR_RETURN(std::string intervention, Text("intervention", in.intervention, true, 300));
  ASSIGN_OR_RETURN(std::string started, Day("started", in.started, who.at));
  std::optional<int64_t> metric_id;
  if (!Trim(in.metric).empty()) {
    Result<int64_t> m = dictionary::MetricIdByCode(conn, Trim(in.metric));
    if (!m.ok()) return InvalidArgumentError("\"metric\": there is no metric \"" + Trim(in.metric) + "\"");
    metric_id = *m;
  }
  if (in.programme_id) RETURN_IF_ERROR(ProgrammeUnit(conn, *in.programme_id).status());
  if (in.sites.empty()) return InvalidArgumentError("\"sites\": at least one site is required");
  ASSIGN_OR_RETURN(int64_t id, conn.ExecuteReturningId(
                                   "INSERT INTO improvement_rollout (title, intervention, "
                                   "programme_id, metric_id, created_by, created_at) VALUES "
                                   "(?, ?, ?, ?, ?, ?) RETURNING id",
                                   {title, intervention, in.programme_id, metric_id, who.actor,
                                    who.at}));
  std::set<std::string> seen;
  for (size_t i = 0; i < in.sites.size(); ++i) {
    const std::string field = "sites[" + std::to_string(i) + "]";
    // A site's code is an identifier (a CQC location ID such as 1-1938268568 has ten digits that
    // can pass the NHS number check), not free text: it is not screened; names are.
    const std::string code = Trim(in.sites[i].code);
    if (code.empty() || code.size() > 100) {
      return InvalidArgumentError("\"" + field + ".code\" is required (at most 100 characters)");
    }
    ASSIGN_OR_RETURN(std::string name, Text(field + ".title", in.sites[i].title, true, 300));
    if (!seen.insert(code).second) return InvalidArgumentError("\"" + field + ".code\" " + code + " is listed twice");
    ASSIGN_OR_RETURN(std::optional<int64_t> unit_id, OptionalUnit(conn, field + ".unit", in.sites[i].unit));
    ASSIGN_OR_RETURN(int64_t site, conn.ExecuteReturningId(
                                       "INSERT INTO improvement_rollout_site (rollout_id, code, "
                                       "title, unit_id) VALUES (?, ?, ?, ?) RETURNING id",
                                       {id, code, name, unit_id}));
    RETURN_IF_ERROR(conn.Execute(
        "INSERT INTO improvement_rollout_stage (site_id, stage, since, recorded_by, recorded_at) "
        "VALUES (?, 'not_started', ?, ?, ?)",
        {site, started, who.actor, who.at}));
  }
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "rollout.create", "rollout " + std::to_string(id), "",
      Dump({{"title", title}, {"intervention", intervention}, {"sites", in.sites.size()},
            {"metric", Trim(in.metric)}})));
  RETURN_IF_ERROR(tx.Commit());
  return id;
}

Status SetSiteStage(db::Connection& conn, const access::Acting& who, const Writer& writer,
                    int64_t rollout_id, std::string_view site_code, std::string_view stage,
                    std::string_view since_in) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  RETURN_IF_ERROR(OneOf("stage", Trim(stage), kRolloutStages));
  ASSIGN_OR_RETURN(std::string since, Day("since", since_in, who.at));
  ASSIGN_OR_RETURN(std::optional<db::Row> site,
                   conn.QueryRow("SELECT s.id, s.unit_id FROM improvement_rollout_site s WHERE "
                                 "s.rollout_id = ? AND s.code = ?",
                                 {rollout_id, Trim(site_code)}));
  if (!site) return NotFoundError("the roll-out has no site \"" + Trim(site_code) + "\"");
  if (!writer.scope.all && !(site->OptionalInt(1) && writer.scope.Contains(site->Int(1)))) {
    return Status(StatusCode::kPermissionDenied, "the site is not one of your organisations");
  }
  ASSIGN_OR_RETURN(std::optional<db::Row> last,
                   conn.QueryRow("SELECT stage, since FROM improvement_rollout_stage WHERE "
                                 "site_id = ? ORDER BY since DESC, id DESC LIMIT 1",
                                 {site->Int(0)}));
  if (last && since < last->Text(1)) {
    return InvalidArgumentError("\"since\" " + since + " is before the site's current stage (" +
                                last->Text(0) + " since " + last->Text(1) + ")");
  }
  RETURN_IF_ERROR(conn.Execute(
      "INSERT INTO improvement_rollout_stage (site_id, stage, since, recorded_by, recorded_at) "
      "VALUES (?, ?, ?, ?, ?)",
      {site->Int(0), Trim(stage), since, who.actor, who.at}));
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "rollout.stage", "rollout " + std::to_string(rollout_id) + " site " + Trim(site_code),
      last ? Dump({{"stage", last->Text(0)}, {"since", last->Text(1)}}) : "",
      Dump({{"stage", Trim(stage)}, {"since", since}})));
  return tx.Commit();
}

Result<Rollout> GetRollout(db::Connection& conn, int64_t id) {
  ASSIGN_OR_RETURN(std::optional<db::Row> r,
                   conn.QueryRow("SELECT r.title, r.intervention, m.code, r.programme_id, "
                                 "r.metric_id FROM improvement_rollout r LEFT JOIN metric m ON "
                                 "m.id = r.metric_id WHERE r.id = ?",
                                 {id}));
  if (!r) return NotFoundError("there is no roll-out " + std::to_string(id));
  Rollout out{.id = id, .title = r->Text(0), .intervention = r->Text(1),
              .metric = r->OptionalText(2).value_or(""), .programme_id = r->OptionalInt(3)};
  const std::optional<int64_t> metric_id = r->OptionalInt(4);
  struct Change {
    std::string stage, since;
  };
  std::map<int64_t, std::vector<Change>> history;
  RETURN_IF_ERROR(conn.Query(
      "SELECT g.site_id, g.stage, g.since FROM improvement_rollout_stage g JOIN "
      "improvement_rollout_site s ON s.id = g.site_id WHERE s.rollout_id = ? ORDER BY g.since, g.id",
      {id}, [&](const db::Row& g) {
        history[g.Int(0)].push_back({g.Text(1), g.Text(2)});
        return db::Flow::kContinue;
      }));
  std::vector<std::pair<int64_t, std::optional<int64_t>>> site_ids;
  RETURN_IF_ERROR(conn.Query(
      "SELECT s.id, s.code, s.title, u.code, s.unit_id FROM improvement_rollout_site s LEFT JOIN "
      "unit u ON u.id = s.unit_id WHERE s.rollout_id = ? ORDER BY s.title, s.id",
      {id}, [&](const db::Row& s) {
        RolloutSite site{.code = s.Text(1), .title = s.Text(2),
                         .unit = s.OptionalText(3).value_or("")};
        for (const Change& c : history[s.Int(0)]) {
          site.stage = c.stage;
          site.since = c.since;
          if ((c.stage == "live" || c.stage == "sustained") && site.live_since.empty()) {
            site.live_since = c.since;
          }
        }
        out.sites.push_back(std::move(site));
        site_ids.emplace_back(s.Int(0), s.OptionalInt(4));
        return db::Flow::kContinue;
      }));
  // The outcome before and after each site went live (sites that are units with the metric).
  for (size_t i = 0; i < out.sites.size(); ++i) {
    RolloutSite& site = out.sites[i];
    if (!metric_id || !site_ids[i].second || site.live_since.empty()) continue;
    ASSIGN_OR_RETURN(PortfolioSeries s, LoadImpactSeries(conn, *metric_id, *site_ids[i].second));
    const std::optional<Date> live = ParseIsoDate(site.live_since);
    double sb = 0, sa = 0;
    int nb = 0, na = 0;
    for (size_t k = 0; k < s.periods.size(); ++k) {
      if (std::isnan(s.values[k])) continue;
      if (s.periods[k] < *live) {
        sb += s.values[k];
        ++nb;
      } else {
        sa += s.values[k];
        ++na;
      }
    }
    if (nb > 0) site.before = sb / nb;
    if (na > 0) site.after = sa / na;
  }
  // The adoption curve: each site's stage at the start of every month from the first change.
  std::string first_month = "9999-12-01", last_month = "0000-01-01";
  for (const auto& [site, changes] : history) {
    for (const Change& c : changes) {
      if (c.stage == "not_started") continue;
      first_month = std::min(first_month, c.since.substr(0, 8) + "01");
      last_month = std::max(last_month, c.since.substr(0, 8) + "01");
    }
  }
  if (first_month <= last_month) {
    std::optional<Date> d = ParseIsoDate(first_month);
    const Date end = *ParseIsoDate(last_month);
    while (d && *d <= end) {
      // End of this month: the first of next.
      const CivilDate c = CivilFromDays(*d);
      const Date next =
          c.month == 12 ? DaysFromCivil(c.year + 1, 1, 1) : DaysFromCivil(c.year, c.month + 1, 1);
      AdoptionPoint point{.month = FormatIsoDate(*d)};
      const std::string cutoff = FormatIsoDate(next);
      for (const auto& [site, changes] : history) {
        std::string stage;
        for (const Change& c : changes) {
          if (c.since < cutoff) stage = c.stage;
        }
        point.training += stage == "training";
        point.live += stage == "live";
        point.sustained += stage == "sustained";
      }
      out.adoption.push_back(point);
      d = next;
    }
  }
  return out;
}

Result<std::vector<RolloutSummary>> ListRollouts(db::Connection& conn) {
  std::vector<RolloutSummary> out;
  RETURN_IF_ERROR(conn.Query(
      "SELECT id, title, intervention, (SELECT COUNT(*) FROM improvement_rollout_site s WHERE "
      "s.rollout_id = r.id) FROM improvement_rollout r ORDER BY id",
      {}, [&](const db::Row& r) {
        out.push_back({r.Int(0), r.Text(1), r.Text(2), static_cast<int>(r.Int(3)), 0});
        return db::Flow::kContinue;
      }));
  for (RolloutSummary& s : out) {
    ASSIGN_OR_RETURN(Rollout r, GetRollout(conn, s.id));
    for (const RolloutSite& site : r.sites) s.live += site.stage == "live" || site.stage == "sustained";
  }
  return out;
}

}  // namespace shewhart::improvement
