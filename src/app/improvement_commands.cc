#include "app/improvement_commands.h"

#include <CLI/CLI.hpp>
#include <cmath>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "base/date.h"
#include "base/text_checks.h"
#include "csv/csv_reader.h"
#include "db/db.h"
#include "imports/imports.h"
#include "improvement/programmes.h"
#include "schema/schema.h"

namespace shewhart::app {
namespace {

using nlohmann::json;

struct ImpactOptions {
  std::string db = "sqlite:shewhart.db";
  int64_t programme = 0;  // 0: the whole portfolio
  bool series = false;
  std::string format = "csv";
  std::string output;  // "" = stdout
};

// A number as the CSV writes it: the shortest text that reads back the same double ("" for none).
std::string Num(double v) { return std::isfinite(v) ? FormatNumber(v) : std::string(); }

// A text cell: formula-safe as every export (imports.h), quoted when it needs to be.
std::string Cell(const std::string& s) {
  std::string out;
  csv::AppendCsvField(imports::NeutraliseFormula(s), &out);
  return out;
}

std::string Projects(const std::vector<int64_t>& ids) {
  std::string out;
  for (int64_t id : ids) out += (out.empty() ? "" : " ") + std::to_string(id);
  return out;
}

std::string MetricsCsv(const improvement::ProgrammeImpact& pi) {
  std::ostringstream o;
  o << "metric,metric_name,metric_unit,projects,series,shared_series,detected,volume,impact,"
       "ci_low,ci_high,claimed_by_projects,double_count_avoided\n";
  for (const improvement::MetricImpactRow& m : pi.metrics) {
    const improvement::MetricTotal& t = m.total;
    o << Cell(m.metric) << ',' << Cell(m.metric_name) << ',' << Cell(m.metric_unit) << ','
      << t.projects << ',' << t.series << ',' << t.shared << ',' << t.detected << ','
      << Num(t.volume) << ',' << Num(t.impact) << ',' << Num(t.ci_low) << ',' << Num(t.ci_high)
      << ',' << Num(t.claimed) << ',' << Num(t.double_count_avoided) << '\n';
  }
  return o.str();
}

std::string SeriesCsv(const improvement::ProgrammeImpact& pi) {
  std::ostringstream o;
  o << "metric,unit,projects,detected,rule,change_point,baseline_mean,post_mean,shift,volume,"
       "impact,ci_low,ci_high,why_zero\n";
  for (const improvement::SeriesImpactRow& s : pi.series) {
    const improvement::Impact& i = s.impact;
    o << Cell(s.metric) << ',' << Cell(s.unit) << ',' << Cell(Projects(s.projects)) << ','
      << (i.detected ? "yes" : "no") << ',' << Cell(i.label) << ','
      << (i.change_point ? FormatIsoDate(*i.change_point) : "") << ',' << Num(i.baseline_mean)
      << ',' << Num(i.post_mean) << ',' << Num(i.shift) << ',' << Num(i.volume) << ','
      << Num(i.impact) << ',' << Num(i.ci_low) << ',' << Num(i.ci_high) << ','
      << Cell(i.detected ? "" : i.reason) << '\n';
  }
  return o.str();
}

json Json(const improvement::ProgrammeImpact& pi) {
  json metrics = json::array(), series = json::array();
  for (const improvement::MetricImpactRow& m : pi.metrics) {
    const improvement::MetricTotal& t = m.total;
    metrics.push_back({{"metric", m.metric}, {"metric_name", m.metric_name},
                       {"metric_unit", m.metric_unit}, {"projects", t.projects},
                       {"series", t.series}, {"shared_series", t.shared},
                       {"detected", t.detected}, {"volume", t.volume}, {"impact", t.impact},
                       {"ci_low", t.ci_low}, {"ci_high", t.ci_high},
                       {"claimed_by_projects", t.claimed},
                       {"double_count_avoided", t.double_count_avoided}});
  }
  for (const improvement::SeriesImpactRow& s : pi.series) {
    const improvement::Impact& i = s.impact;
    series.push_back({{"metric", s.metric}, {"unit", s.unit}, {"projects", s.projects},
                      {"detected", i.detected}, {"rule", i.label},
                      {"change_point", i.change_point ? FormatIsoDate(*i.change_point) : ""},
                      {"baseline_mean", i.baseline_mean}, {"post_mean", i.post_mean},
                      {"shift", i.shift}, {"volume", i.volume}, {"impact", i.impact},
                      {"ci_low", i.ci_low}, {"ci_high", i.ci_high},
                      {"why_zero", i.detected ? "" : i.reason}});
  }
  return {{"programme", pi.programme_id == 0 ? json(nullptr) : json(pi.programme_id)},
          {"metrics", metrics}, {"series", series}, {"double_counting", pi.notes}};
}

Status RunImpact(const ImpactOptions& o, std::string* notes) {
  if (o.programme < 0) return InvalidArgumentError("--programme must be a programme's id");
  ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, db::Open(o.db));
  RETURN_IF_ERROR(schema::MigrateAll(*conn));
  ASSIGN_OR_RETURN(improvement::ProgrammeImpact pi,
                   improvement::GetProgrammeImpact(*conn, o.programme));
  const std::string text = o.format == "json" ? Json(pi).dump(2) + "\n"
                           : o.series        ? SeriesCsv(pi)
                                             : MetricsCsv(pi);
  if (o.output.empty() || o.output == "-") {
    std::cout << text;
    std::cout.flush();
    if (!std::cout) return IoError("cannot write to standard output");
  } else {
    std::ofstream out(o.output, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) return IoError("cannot write " + o.output);
  }
  for (const std::string& n : pi.notes) *notes += n + "\n";
  return Status::Ok();
}

}  // namespace

void AddImprovementCommands(CLI::App& app, CommandSet& commands) {
  auto o = std::make_shared<ImpactOptions>();
  CLI::App* impact = app.add_subcommand(
      "impact",
      "The measured impact of the system's QI portfolio (or one programme) per metric, as the "
      "portfolio page shows it: zero until the SPC rules say a change is real, each unit-period "
      "counted once when several projects claim it (docs/improvement.md).");
  impact->add_option("--db", o->db,
                     "The database: sqlite:PATH (default sqlite:shewhart.db) or "
                     "postgresql://user@host:port/dbname");
  impact->add_option("--programme", o->programme,
                     "Only this programme's projects (its id; default: the whole portfolio)");
  impact->add_flag("--series", o->series,
                   "One row per claimed series (with the rule that fired, the change point and "
                   "why an impact is zero) instead of one per metric");
  impact->add_option("--format", o->format, "csv (default) or json (metrics and series)")
      ->check(CLI::IsMember({"csv", "json"}));
  impact->add_option("-o,--output", o->output, "The file to write (default: standard output)");
  commands.Bind(impact, [o](std::string* notes) { return RunImpact(*o, notes); });
}

}  // namespace shewhart::app
