#include "base/time.h"
#include "db/migrate.h"

#include <ctime>
#include <map>
#include <string>

namespace shewhart::db {
namespace {

// The key of the PostgreSQL advisory lock that serialises migrations (any constant works; this
// one spells nothing in particular and is unlikely to collide with another application's).
constexpr std::string_view kPostgresLock = "SELECT pg_advisory_xact_lock(5348657768617274)";

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at TEXT NOT NULL)";
constexpr std::string_view kSelectApplied =
    "SELECT version, name FROM schema_migrations ORDER BY version";
constexpr std::string_view kInsertApplied =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)";
constexpr std::string_view kTableExistsSqlite =
    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";
constexpr std::string_view kTableExistsPostgres =
    "SELECT COUNT(*) FROM information_schema.tables"
    " WHERE table_schema = current_schema() AND table_name = 'schema_migrations'";
constexpr std::string_view kRenumber =
    "UPDATE schema_migrations SET version = ? WHERE version = ? AND name = ?";
constexpr std::string_view kMaxVersion = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";

std::string Describe(const Migration& m) {
  return "migration " + std::to_string(m.version) + " (" + std::string(m.name) + ")";
}

// Moves shipped versions to their new numbers, under the write lock, before any step.
Status Renumber(Connection& conn, std::span<const Renumbering> renumberings) {
  if (renumberings.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(conn, TransactionMode::kImmediate));
  if (conn.dialect() == Dialect::kPostgres) RETURN_IF_ERROR(conn.Execute(kPostgresLock));
  RETURN_IF_ERROR(conn.Execute(kCreateTable));
  std::map<int64_t, std::string> applied;
  RETURN_IF_ERROR(conn.Query(kSelectApplied, {}, [&](const Row& row) {
    applied.emplace(row.Int(0), row.Text(1));
    return Flow::kContinue;
  }));
  for (const Renumbering& r : renumberings) {
    auto from = applied.find(r.from);
    if (from == applied.end() || from->second != r.name) continue;
    if (applied.count(r.to) != 0) {
      return FailedPreconditionError(
          "the database records migration " + std::to_string(r.from) + " (" + std::string(r.name) +
          ") under its old number and version " + std::to_string(r.to) +
          " as well: it cannot be renumbered; restore it from a backup");
    }
    RETURN_IF_ERROR(conn.Execute(kRenumber, {r.to, r.from, r.name}));
    applied.erase(from);
    applied.emplace(r.to, std::string(r.name));
  }
  return tx.Commit();
}

// One step: under the write lock, checks what is applied and applies the first missing
// migration. Sets *done when nothing was left to apply.
Status Step(Connection& conn, std::span<const Migration> migrations, bool* done) {
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(conn, TransactionMode::kImmediate));
  if (conn.dialect() == Dialect::kPostgres) RETURN_IF_ERROR(conn.Execute(kPostgresLock));
  RETURN_IF_ERROR(conn.Execute(kCreateTable));
  std::map<int64_t, std::string> applied;
  RETURN_IF_ERROR(conn.Query(kSelectApplied, {}, [&](const Row& row) {
    applied.emplace(row.Int(0), row.Text(1));
    return Flow::kContinue;
  }));
  const int known = migrations.empty() ? 0 : migrations.back().version;
  if (!applied.empty() && applied.rbegin()->first > known) {
    return FailedPreconditionError("the database schema is at version " +
                                   std::to_string(applied.rbegin()->first) +
                                   ", newer than this program knows (" + std::to_string(known) +
                                   "): use a newer version of Shewhart with this database");
  }
  const Migration* next = nullptr;
  for (const Migration& m : migrations) {
    auto it = applied.find(m.version);
    if (it == applied.end()) {
      if (next == nullptr) next = &m;
    } else if (it->second != m.name) {
      return FailedPreconditionError("the database recorded migration " +
                                     std::to_string(m.version) + " as \"" + it->second +
                                     "\" but this program calls it \"" + std::string(m.name) +
                                     "\": the database and the code disagree about its history");
    }
  }
  if (next == nullptr) {
    *done = true;
    return tx.Commit();
  }
  const std::string_view script =
      conn.dialect() == Dialect::kPostgres && !next->sql_postgres.empty() ? next->sql_postgres
                                                                          : next->sql_sqlite;
  Status status = conn.ExecuteScript(script);
  if (!status.ok()) return Status(status.code(), Describe(*next) + ": " + status.message());
  RETURN_IF_ERROR(conn.Execute(kInsertApplied, {next->version, next->name, NowUtc()}));
  status = tx.Commit();
  if (!status.ok()) return Status(status.code(), Describe(*next) + ": " + status.message());
  return Status::Ok();
}

}  // namespace

Status Migrate(Connection& conn, std::span<const Migration> migrations,
               std::span<const Renumbering> renumberings) {
  int previous = 0;
  for (const Migration& m : migrations) {
    if (m.version <= previous) {
      return InvalidArgumentError("migration versions must be > 0 and strictly ascending; " +
                                  Describe(m) + " follows version " + std::to_string(previous));
    }
    previous = m.version;
  }
  if (conn.in_transaction()) {
    return FailedPreconditionError("Migrate needs a connection with no open transaction");
  }
  RETURN_IF_ERROR(Renumber(conn, renumberings));
  for (bool done = false; !done;) RETURN_IF_ERROR(Step(conn, migrations, &done));
  return Status::Ok();
}

Result<int> SchemaVersion(Connection& conn) {
  int64_t tables = 0;
  RETURN_IF_ERROR(
      conn.Query(conn.dialect() == Dialect::kPostgres ? kTableExistsPostgres : kTableExistsSqlite,
                 {}, [&](const Row& row) {
                   tables = row.Int(0);
                   return Flow::kStop;
                 }));
  if (tables == 0) return 0;
  int64_t version = 0;
  RETURN_IF_ERROR(conn.Query(kMaxVersion, {}, [&](const Row& row) {
    version = row.Int(0);
    return Flow::kStop;
  }));
  return static_cast<int>(version);
}

}  // namespace shewhart::db
