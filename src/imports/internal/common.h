// Shared steps of the imports: the transaction every import runs in, file bytes, cell helpers.
// Private to imports/.
//
// Example:
//   ASSIGN_OR_RETURN(ImportTransaction tx, ImportTransaction::Begin(conn, options.dry_run));
//   ...
//   RETURN_IF_ERROR(tx.Commit());
#ifndef SHEWHART_IMPORTS_INTERNAL_COMMON_H_
#define SHEWHART_IMPORTS_INTERNAL_COMMON_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "db/db.h"
#include "imports/imports.h"
#include "imports/problems.h"
#include "imports/table.h"

namespace shewhart::imports::internal {

// The import's transaction: its own (write-locked at once, so the comparison with stored data
// and the writes see the same state even with concurrent imports), or none when the connection
// already has one (the caller's).
class ImportTransaction {
 public:
  static Result<ImportTransaction> Begin(db::Connection& conn, bool read_only);
  // Commits an own transaction; no-op when joined.
  Status Commit();

 private:
  std::optional<db::Transaction> tx_;
};

Result<std::string> ReadFileBytes(const std::string& path);

// A file read once: its rows, and the SHA-256 of its bytes (hashed on another thread while the
// rows are parsed).
struct ReadFile {
  Table table;
  std::string sha256;
};
Result<ReadFile> ReadAndHash(const std::string& path);

// Trimmed cell text of `column` in `row`, "" when the column is absent.
std::string_view Cell(const TableRow& row, const std::optional<size_t>& column);

// Screens every cell of the row not in a numeric column for NHS numbers (every spelling of
// base/identifiers.h) and control characters.
void CheckNoNhsNumbers(const Table& table, const TableRow& row,
                       const std::vector<bool>& numeric_columns, Problems* problems);

// Records the audit entry of an import that wrote batch `report.batch_id` (see ImportOptions),
// inside the import's transaction. `kind`: observations, organisations or metrics.
Status RecordImportAudit(db::Connection& conn, const ImportOptions& options, std::string_view kind,
                         std::string_view sha256, const ImportReport& report);

// Phase timings of an import, for profiling: with SHEWHART_IMPORT_TIMING set (to anything
// non-empty), each Mark() writes "import: PHASE N ms" (the time since the previous mark) to
// stderr with the process's CPU time over the same interval; otherwise it does nothing.
class PhaseClock {
 public:
  PhaseClock();
  void Mark(std::string_view phase);

 private:
  bool enabled_ = false;
  std::chrono::steady_clock::time_point last_;
  double last_cpu_ = 0;  // process CPU time (user + system) at the last mark, ms
};

// "'x'" with quotes, shortened if long, for messages.
std::string Quote(std::string_view text);

}  // namespace shewhart::imports::internal

#endif  // SHEWHART_IMPORTS_INTERNAL_COMMON_H_
