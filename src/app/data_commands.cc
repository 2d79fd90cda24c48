#include "app/data_commands.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "base/status.h"
#include "base/time.h"
#include "db/db.h"
#include "demo/demo.h"
#include "imports/imports.h"
#include "oversight/exports.h"
#include "schema/schema.h"

namespace shewhart::app {
namespace {


struct CommonOptions {
  std::string db = "sqlite:shewhart.db";
  std::string actor;
};

std::string DefaultActor() {
  const char* user = std::getenv("USER");
  return std::string("cli:") + (user != nullptr && *user != '\0' ? user : "unknown");
}

void AddCommon(CLI::App* cmd, CommonOptions* o) {
  cmd->add_option("--db", o->db,
                  "The database: sqlite:PATH (a file, created if missing; default "
                  "sqlite:shewhart.db) or postgresql://user@host:port/dbname");
  cmd->add_option("--as", o->actor,
                  "Who is making the change, e.g. your e-mail address; recorded with every "
                  "write (default cli:$USER)");
}

Result<std::unique_ptr<db::Connection>> OpenMigrated(const std::string& url) {
  ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, db::Open(url));
  RETURN_IF_ERROR(schema::MigrateAll(*conn));
  return conn;
}

imports::ImportOptions ImportOptionsOf(const CommonOptions& o, bool dry_run) {
  imports::ImportOptions io;
  io.actor = o.actor.empty() ? DefaultActor() : o.actor;
  io.now = NowUtc();
  io.dry_run = dry_run;
  return io;
}

Status RunInit(const CommonOptions& o) {
  ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, OpenMigrated(o.db));
  std::cout << "database ready: " << o.db << "\n";
  return Status::Ok();
}

Status RunImport(const CommonOptions& o, const std::string& kind, const std::string& file,
                 bool dry_run) {
  ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, OpenMigrated(o.db));
  const imports::ImportOptions io = ImportOptionsOf(o, dry_run);
  ASSIGN_OR_RETURN(const imports::Importer importer, schema::FindImporter(kind));
  Result<imports::ImportReport> report = imports::ImportFile(*conn, importer, file, io);
  if (!report.ok()) return report.status();
  std::cout << report->Summary();
  return Status::Ok();
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The board summary as a workbook (.xlsx) or a board pack (.pdf): the same service as
// GET /api/board/export.xlsx and /api/board/pack.pdf.
Status RunExportBoard(db::Connection& conn, const oversight::BoardFilter& filter,
                      const std::string& path) {
  oversight::BoardExportOptions options;
  options.filter = filter;
  options.filter.limit = 50000;
  options.generated_at = NowUtc();
  const std::string tmp = path + ".tmp";
  if (EndsWith(path, ".xlsx")) {
    ASSIGN_OR_RETURN(oversight::BoardWorkbookReport r,
                     oversight::WriteBoardWorkbook(conn, options, tmp));
    std::cout << "board workbook " << path << ": " << r.rows << " series, " << r.metrics
              << " metric sheets, " << r.charts << " charts\n";
  } else if (EndsWith(path, ".pdf")) {
    ASSIGN_OR_RETURN(oversight::BoardPackReport r, oversight::WriteBoardPack(conn, options, tmp));
    std::cout << "board pack " << path << ": " << r.rows << " series, " << r.pages << " pages ("
              << r.charts << " charts of signals)\n";
  } else {
    return InvalidArgumentError("-o " + path + ": the board exports as FILE.xlsx or FILE.pdf");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return IoError(path + ": cannot write the file");
  return Status::Ok();
}

Status RunExport(const CommonOptions& o, const std::string& kind, const std::string& path,
                 const oversight::BoardFilter& filter) {
  ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, OpenMigrated(o.db));
  if (kind == "board") return RunExportBoard(*conn, filter, path);
  Result<std::string> text = InternalError("unknown kind");
  if (kind == "organisations") {
    text = imports::ExportOrganisationsCsv(*conn);
  } else if (kind == "metrics") {
    text = imports::ExportMetricsCsv(*conn);
  } else {
    text = imports::ExportObservationsCsv(*conn);
  }
  if (!text.ok()) return text.status();
  // Write beside the target and rename, so a failed export never leaves half a file.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    out << *text;
    out.close();
    if (!out) return IoError(path + ": cannot write the file");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return IoError(path + ": cannot write the file");
  return Status::Ok();
}

Status RunDemo(const CommonOptions& o, const std::string& ae_csv) {
  ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, OpenMigrated(o.db));
  demo::DemoOptions d;
  d.ae_csv = ae_csv;
  d.actor = o.actor.empty() ? DefaultActor() : o.actor;
  d.now = NowUtc();
  ASSIGN_OR_RETURN(demo::DemoReport r, demo::LoadDemo(*conn, d));
  std::cout << "demo loaded into " << o.db << ": " << r.units << " units, " << r.metrics
            << " metrics, " << r.observations << " observations; SPC stored for "
            << r.series_recomputed << " series and " << r.aggregates_recomputed
            << " system aggregates\n";
  return Status::Ok();
}

}  // namespace

void AddDataCommands(CLI::App& app, CommandSet& commands) {
  // Options live as long as the process; the bound commands run after parse().
  static CommonOptions init_o, import_o, export_o, demo_o;
  static std::string import_kind, import_file, export_kind, export_path, ae_csv;
  static bool dry_run = false;
  std::vector<std::string> kinds;
  std::string kinds_help;
  for (const imports::Importer& i : schema::Importers()) {
    kinds.emplace_back(i.kind);
    kinds_help += "\n  " + std::string(i.kind) + ": " + std::string(i.summary);
  }

  CLI::App* init = app.add_subcommand(
      "init", "Create the database (or bring its schema up to date). Safe to run again.");
  AddCommon(init, &init_o);
  commands.Bind(init, [](std::string*) { return RunInit(init_o); });

  CLI::App* imp = app.add_subcommand(
      "import",
      "Import a CSV or Excel (.xlsx) file of one KIND (organisations, metric definitions, "
      "observations, and the kinds of the other parts: see KIND). Every row is checked first and every problem listed by row and column; then either "
      "the whole file lands or nothing does. Re-importing the same file changes nothing; a "
      "value that differs from the stored one is a correction (the old value is kept). File "
      "formats: docs/data-platform.md.");
  imp->add_option("KIND", import_kind, "what the file holds:" + kinds_help)
      ->required()
      ->check(CLI::IsMember(kinds));
  imp->add_option("FILE", import_file, "The .csv or .xlsx file (first sheet)")->required();
  imp->add_flag("--dry-run", dry_run,
                "Check the file and show what would be added and changed, without writing");
  AddCommon(imp, &import_o);
  commands.Bind(imp, [](std::string*) {
    return RunImport(import_o, import_kind, import_file, dry_run);
  });

  CLI::App* exp = app.add_subcommand(
      "export",
      "Export organisations, metrics or observations as CSV in the import format, sorted, so "
      "that the file imports back unchanged.");
  static oversight::BoardFilter board_filter;
  exp->add_option("KIND", export_kind,
                  "organisations, metrics or observations (CSV); board (the board summary as "
                  "FILE.xlsx with native charts, or FILE.pdf, a board pack)")
      ->required()
      ->check(CLI::IsMember({"organisations", "metrics", "observations", "board"}));
  exp->add_option("-o,--output", export_path, "The file to write")->required();
  exp->add_option("--domain", board_filter.domain, "board: only metrics of this domain");
  exp->add_option("--place", board_filter.place, "board: only units of this place (its code)");
  exp->add_option("--unit-kind", board_filter.kind, "board: only units of this kind");
  AddCommon(exp, &export_o);
  commands.Bind(exp, [](std::string*) {
    return RunExport(export_o, export_kind, export_path, board_filter);
  });

  CLI::App* demo_cmd = app.add_subcommand(
      "demo",
      "Fill an EMPTY database with the demo system: NHS England's A&E data for every trust "
      "(2016-2019) and a generated Integrated Care System (12 partners, 40 GP practices, ~30 "
      "metrics, 4 years).");
  AddCommon(demo_cmd, &demo_o);
  ae_csv = demo::DefaultAeCsvPath();
  demo_cmd->add_option("--ae-data", ae_csv,
                       "The A&E attendances CSV (default: data/ae_attendances.csv of the source "
                       "tree); an empty value skips the real data");
  commands.Bind(demo_cmd, [](std::string*) { return RunDemo(demo_o, ae_csv); });
}

}  // namespace shewhart::app
