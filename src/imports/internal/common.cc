#include "imports/internal/common.h"

#include <sodium.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <vector>

#include "csv/csv_reader.h"
#include "db/migrate.h"
#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "imports/imports.h"
#include "imports/text_checks.h"
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
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError(path + ": cannot open the file: " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return IoError(path + ": cannot read the file");
  return ss.str();
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

std::string Quote(std::string_view text) {
  constexpr size_t kMax = 60;
  if (text.size() > kMax) return "\"" + std::string(text.substr(0, kMax)) + "...\"";
  return "\"" + std::string(text) + "\"";
}

}  // namespace internal

Status MigrateSchema(db::Connection& conn) {
  std::vector<db::Migration> all;
  for (const auto& list : {directory::Migrations(), dictionary::Migrations(),
                           observations::Migrations(), oversight::SpcStoreMigrations()}) {
    all.insert(all.end(), list.begin(), list.end());
  }
  return db::Migrate(conn, all);
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (const unsigned char b : out) {
    hex += kHex[b >> 4];
    hex += kHex[b & 15];
  }
  return hex;
}

std::string NowUtc() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
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
