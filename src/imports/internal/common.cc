#include "imports/internal/common.h"

#include <sodium.h>
#include <sys/resource.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "access/audit.h"
#include "base/text_checks.h"
#include "csv/csv_reader.h"
#include "db/migrate.h"
#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "imports/imports.h"
#include "observations/observations.h"
#include "oversight/spc_store.h"

namespace shewhart::imports {
namespace internal {

// Imports queue behind each other on PostgreSQL (READ COMMITTED alone would let two imports
// both decide a row is new). The key is arbitrary but fixed: "SHEW" in ASCII.
constexpr std::string_view kPostgresImportLock = "SELECT pg_advisory_xact_lock(1397245271)";

Result<ImportTransaction> ImportTransaction::Begin(db::Connection& conn, bool read_only) {
  ImportTransaction t;
  if (conn.in_transaction()) return t;
  ASSIGN_OR_RETURN(db::Transaction tx,
                   db::Transaction::Begin(conn, read_only ? db::TransactionMode::kDeferred
                                                          : db::TransactionMode::kImmediate));
  t.tx_.emplace(std::move(tx));
  if (!read_only && conn.dialect() == db::Dialect::kPostgres) {
    RETURN_IF_ERROR(conn.Execute(kPostgresImportLock));
  }
  return t;
}

Status ImportTransaction::Commit() {
  if (!tx_) return Status::Ok();
  return tx_->Commit();
}

Result<std::string> ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return IoError(path + ": cannot open the file: " + std::strerror(errno));
  // One read into a buffer of the file's size (a stream copy would hold it twice).
  const std::streamoff size = in.tellg();
  std::string bytes;
  if (size > 0) {
    bytes.resize(static_cast<size_t>(size));
    in.seekg(0);
    in.read(bytes.data(), size);
    bytes.resize(static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) return IoError(path + ": cannot read the file");
  // Whatever was appended since the size was taken.
  std::ostringstream rest;
  in.clear();
  rest << in.rdbuf();
  bytes += rest.str();
  return bytes;
}

Result<ReadFile> ReadAndHash(const std::string& path) {
  ASSIGN_OR_RETURN(std::string bytes, ReadFileBytes(path));
  // The hash reads `bytes` while the parser reads its own copy (the CSV reader takes ownership).
  std::future<std::string> sha =
      std::async(std::launch::async, [&bytes] { return Sha256Hex(bytes); });
  Result<Table> table = ParseTable(path, std::string(bytes));
  ReadFile out{.table = {}, .sha256 = sha.get()};
  if (!table.ok()) return table.status();
  out.table = std::move(*table);
  return out;
}

std::string_view Cell(const TableRow& row, const std::optional<size_t>& column) {
  if (!column || *column >= row.cells.size()) return {};
  return csv::TrimSpaces(row.cells[*column]);
}

void CheckNoNhsNumbers(const Table& table, const TableRow& row,
                       const std::vector<bool>& numeric_columns, Problems* problems) {
  for (size_t c = 0; c < row.cells.size() && c < table.header.size(); ++c) {
    if (c < numeric_columns.size() && numeric_columns[c]) continue;
    if (ContainsNhsNumber(row.cells[c])) {
      problems->Add(row.number, table.header[c], std::string(kNhsNumberMessage));
    } else if (::shewhart::ContainsControlCharacter(row.cells[c])) {
      problems->Add(row.number, table.header[c],
                    "contains a control character (such as NUL); remove it");
    }
  }
}

Status RecordImportAudit(db::Connection& conn, const ImportOptions& options, std::string_view kind,
                         std::string_view sha256, const ImportReport& report) {
  const nlohmann::json after = {{"file", report.file},       {"sha256", sha256},
                                {"rows", report.rows},       {"added", report.added},
                                {"changed", report.changed}, {"unchanged", report.unchanged}};
  return access::RecordAudit(
      conn, {.at = options.now,
             .actor = options.actor,
             .action = "import." + std::string(kind),
             .target = "batch " + std::to_string(report.batch_id),
             .before = "",
             .after = after.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
             .remote = options.remote});
}

namespace {
double CpuMs() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
         (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}
}  // namespace

PhaseClock::PhaseClock() {
  const char* env = std::getenv("SHEWHART_IMPORT_TIMING");
  enabled_ = env != nullptr && *env != '\0';
  last_ = std::chrono::steady_clock::now();
  if (enabled_) last_cpu_ = CpuMs();
}

void PhaseClock::Mark(std::string_view phase) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const double ms = std::chrono::duration<double, std::milli>(now - last_).count();
  const double cpu = CpuMs();
  std::fprintf(stderr, "import: %-28.*s %9.1f ms (cpu %.1f ms)\n", static_cast<int>(phase.size()),
               phase.data(), ms, cpu - last_cpu_);
  last_ = now;
  last_cpu_ = cpu;
}

std::string Quote(std::string_view text) {
  constexpr size_t kMax = 60;
  if (text.size() > kMax) return "\"" + std::string(text.substr(0, kMax)) + "...\"";
  return "\"" + std::string(text) + "\"";
}

}  // namespace internal

namespace {

constexpr Importer kImporters[] = {
    {"organisations", "organisations, places and other units (code, name, kind, parent...)",
     ImportOrganisations, ""},
    {"metrics", "metric definitions, one row per version (code, applies_from, name...)",
     ImportMetrics, ""},
    {"observations", "values of metrics for units and periods (metric, unit, period, value...)",
     ImportObservations, "unit"},
};

}  // namespace

std::span<const Importer> Importers() { return kImporters; }

Status ImportGenerated(db::Connection& conn, std::span<const Importer> importers,
                       std::string_view kind, Table table, std::string_view actor,
                       std::string_view at) {
  table.name = "demo-" + std::string(kind) + ".csv";
  for (const Importer& i : importers) {
    if (i.kind != kind) continue;
    const ImportOptions o{.actor = std::string(actor), .now = std::string(at)};
    return i.import_table(conn, table, "demo", o).status();
  }
  return InternalError("no importer " + std::string(kind));
}

Result<ImportReport> ImportFile(db::Connection& conn, const Importer& importer,
                                const std::string& path, const ImportOptions& options) {
  internal::PhaseClock clock;
  ASSIGN_OR_RETURN(internal::ReadFile file, internal::ReadAndHash(path));
  clock.Mark("read, hash and parse the file");
  return importer.import_table(conn, file.table, file.sha256, options);
}

std::string ImportReport::Summary() const {
  std::string s = file + ": " + std::to_string(rows) + (rows == 1 ? " row: " : " rows: ") +
                  std::to_string(added) + " added, " + std::to_string(changed) + " changed, " +
                  std::to_string(unchanged) + " unchanged\n";
  for (const Change& c : changes) {
    s += "  changed (row " + std::to_string(c.row) + ") " + c.key + ": " + c.before + " -> " +
         c.after + "\n";
  }
  if (changed > static_cast<int64_t>(changes.size())) {
    s += "  ... and " + std::to_string(changed - static_cast<int64_t>(changes.size())) +
         " more changes\n";
  }
  if (written) {
    s += "written as import batch " + std::to_string(batch_id);
    if (series_recomputed + aggregates_recomputed > 0) {
      s += "; SPC recomputed for " + std::to_string(series_recomputed) + " series and " +
           std::to_string(aggregates_recomputed) + " system aggregates";
    }
    s += "\n";
  } else if (added + changed == 0) {
    s += "nothing to write: the database already holds exactly this\n";
  } else {
    s += "dry run: nothing written\n";
  }
  return s;
}

}  // namespace shewhart::imports
