// imports: how data gets into Shewhart, and back out — organisations, metric definitions and
// observations from CSV or Excel (.xlsx) files. Start here for the data platform.
//
// Every import follows the same path:
//   1. read the file into rows (table.h) and hash its bytes (SHA-256, kept with the batch);
//   2. validate EVERY row in memory against the directory and dictionary loaded once, collecting
//      every problem by row and column in plain words (problems.h), including NHS numbers in any
//      text (Shewhart holds no patient-identifiable data);
//   3. compare with what is stored: each row is added, changed (a correction: old -> new) or
//      unchanged;
//   4. dry run: stop here and report. Otherwise, in ONE transaction (SQLite BEGIN IMMEDIATE;
//      PostgreSQL with an advisory lock so concurrent imports queue), record the import batch,
//      write the rows, keep the old values of corrections in history and — for observations —
//      recompute the stored SPC results of exactly the affected series (oversight/spc_store.h).
//      Either the whole file lands or nothing does.
// A file identical to what is stored writes nothing at all: "0 added, 0 changed".
// If the connection already has a transaction open, the import joins it (the demo loader uses
// this to load everything at once) and leaves the commit to the caller.
//
// File formats: docs/data-platform.md. Thread-compatible; concurrent imports from several
// processes are serialised by the database.
//
// Example:
//   ImportOptions o{.actor = "cli:ana", .now = NowUtc()};
//   ASSIGN_OR_RETURN(ImportReport r, ImportObservationsFile(*conn, "march.xlsx", o));
//   std::cout << r.Summary();   // "1200 rows: 1190 added, 2 changed, 8 unchanged"
#ifndef SHEWHART_IMPORTS_IMPORTS_H_
#define SHEWHART_IMPORTS_IMPORTS_H_

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/hash.h"
#include "base/status.h"
#include "base/time.h"
#include "db/db.h"
#include "imports/table.h"

namespace shewhart::imports {

// Who imports and when. An import that writes records its audit entry ("import.observations",
// "import.organisations" or "import.metrics"; target "batch N"; after: the file, its SHA-256 and
// the counts) in its own transaction, whichever face called it: the command line and the
// server's upload commit write the same entry, differing only in actor and remote address.
struct ImportOptions {
  std::string actor;      // who: "cli:ana", "user:ana@nhs.net"; REQUIRES non-empty
  std::string now;        // when: ISO 8601 UTC ("2024-05-02T10:00:00Z"); REQUIRES non-empty
  std::string remote;     // the client's address for the audit entry; "" from the command line
  bool dry_run = false;   // validate and compare only; write nothing
  bool recompute = true;  // observations: recompute stored SPC results after writing
  // observations: when set, every row's unit — as resolved by the import itself, after trimming
  // and lookup — must satisfy it, or the whole import is refused with PermissionDenied naming
  // the codes outside. The scope check lives here, on resolved ids, so that no spelling of a
  // code (spaces, tabs, case) can reach a unit the check did not see.
  std::function<bool(int64_t unit_id)> unit_in_scope;
};

// One changed row, for the preview: "AE4H RJZ 2018-03-01: 87.5 -> 88.1".
struct Change {
  int64_t row = 0;
  std::string key;     // what the row is about ("AE4H RJZ 2018-03-01", "metric AE4H v2")
  std::string before;  // old value(s) as text
  std::string after;   // new value(s)
};

struct ImportReport {
  std::string file;
  int64_t rows = 0;
  int64_t added = 0;
  int64_t changed = 0;
  int64_t unchanged = 0;
  std::vector<Change> changes;  // the first kMaxListedChanges corrections
  bool written = false;         // false for a dry run or when nothing differed
  int64_t batch_id = 0;         // when written
  int64_t series_recomputed = 0;
  int64_t aggregates_recomputed = 0;

  static constexpr size_t kMaxListedChanges = 100;
  // "FILE: N rows: A added, C changed, U unchanged" + one line per listed change + what was
  // written ("dry run: nothing written" / "nothing to write").
  std::string Summary() const;
};

// Imports observations (format: metric, unit, period, value | numerator + denominator).
// InvalidArgument listing every problem (nothing written); ResourceExhausted when the database
// stayed busy (another import) beyond its timeout; IoError for unreadable files.
Result<ImportReport> ImportObservationsFile(db::Connection& conn, const std::string& path,
                                            const ImportOptions& options);
Result<ImportReport> ImportObservations(db::Connection& conn, const Table& table,
                                        std::string_view sha256, const ImportOptions& options);

// Imports organisations and other units (format: code, name, kind, parent, opened, closed,
// successor, member_of). A changed name, kind, parent, date or successor keeps history.
Result<ImportReport> ImportOrganisationsFile(db::Connection& conn, const std::string& path,
                                             const ImportOptions& options);
Result<ImportReport> ImportOrganisations(db::Connection& conn, const Table& table,
                                         std::string_view sha256, const ImportOptions& options);

// Imports metric definitions, one row per version (code, applies_from, name, definition, ...).
// A changed draft is updated; a changed agreed definition is refused (add a row with a later
// applies_from instead); a status change (draft -> agreed -> retired) is recorded.
Result<ImportReport> ImportMetricsFile(db::Connection& conn, const std::string& path,
                                       const ImportOptions& options);
Result<ImportReport> ImportMetrics(db::Connection& conn, const Table& table,
                                   std::string_view sha256, const ImportOptions& options);

// Spreadsheet formula injection: a text cell starting with = + - @ (or a tab or carriage return)
// would run as a formula when the export is opened in Excel. Exports write such cells with a
// leading apostrophe (Excel shows the text; numbers such as "-5" are left alone), and the CSV
// imports remove exactly that apostrophe again, so export -> import -> export stays identical.
inline bool IsFormulaStart(char c) {
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}
std::string NeutraliseFormula(std::string_view cell);
std::string RestoreFormula(std::string_view cell);

// Exports as CSV text, in the import format, with formula cells neutralised (above), sorted
// (observations by metric, unit, period; organisations by code; metrics by code and applies_from),
// so that an export imports back unchanged and re-exports byte-identically.
Result<std::string> ExportObservationsCsv(db::Connection& conn);
Result<std::string> ExportOrganisationsCsv(db::Connection& conn);
Result<std::string> ExportMetricsCsv(db::Connection& conn);

// One kind of file Shewhart imports. Every part that takes files declares its kinds as Importers
// (this part: organisations, metrics, observations; intelligence: incidents, complaints...), and
// the registry (schema/schema.h, schema::Importers) gives both faces the whole list:
// `shewhart import KIND FILE` and the server's upload -> preview -> commit.
using ImportTableFn = Result<ImportReport> (*)(db::Connection& conn, const Table& table,
                                               std::string_view sha256,
                                               const ImportOptions& options);
struct Importer {
  std::string_view kind;     // the word on the command line and in ?kind= ("observations")
  std::string_view summary;  // one line for --help and the upload screen
  ImportTableFn import_table;
  // The column naming the organisation (or unit) each row belongs to: people without system
  // scope may import the rows of organisations in their scope only. "" = only administrators and
  // system quality leads import this kind.
  std::string_view scope_column;
};

// The data platform's own kinds: organisations, metrics, observations.
std::span<const Importer> Importers();

// Imports a table generated in code (the demo's) as the file "demo-KIND.csv", with the importer
// of `kind` among `importers`, by `actor` at `at`. InternalError for a kind not among them.
Status ImportGenerated(db::Connection& conn, std::span<const Importer> importers,
                       std::string_view kind, Table table, std::string_view actor,
                       std::string_view at);

// Reads a CSV or .xlsx file, hashes its bytes and imports it with `importer`. Errors as the
// importer's, and IoError for an unreadable file.
Result<ImportReport> ImportFile(db::Connection& conn, const Importer& importer,
                                const std::string& path, const ImportOptions& options);


}  // namespace shewhart::imports

#endif  // SHEWHART_IMPORTS_IMPORTS_H_
