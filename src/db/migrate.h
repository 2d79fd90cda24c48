// Versioned schema migrations, applied on start, for both SQLite and PostgreSQL.
//
// A part of the product lists its schema changes as Migrations, in ascending version order, and
// never edits one that has shipped: a change is a new, higher version. Migrate() applies those the
// database has not seen yet, each in its own transaction together with its row in the
// `schema_migrations` table (version, name, applied_at), so a migration lands entirely or not at
// all. Re-running is a no-op. It refuses (FailedPrecondition) a database whose newest applied
// version is higher than any this program knows — an older binary must not write to a newer
// schema — or whose recorded name for a version differs from the code's (the code and the
// database disagree about history).
//
// Concurrency: two processes migrating the same database at once never both apply a migration.
// Each step holds the database's write lock while it reads what is applied and applies the next
// one (SQLite: BEGIN IMMEDIATE; PostgreSQL: pg_advisory_xact_lock), so the second waits and then
// finds the work done.
//
// Example:
//   constexpr db::Migration kMigrations[] = {
//       {1, "metric", "CREATE TABLE metric (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE)",
//        "CREATE TABLE metric (id BIGSERIAL PRIMARY KEY, code TEXT NOT NULL UNIQUE)"},
//       {2, "metric owner", "ALTER TABLE metric ADD COLUMN owner TEXT", ""},  // "" = same SQL
//   };
//   RETURN_IF_ERROR(db::Migrate(*conn, kMigrations));
#ifndef SHEWHART_DB_MIGRATE_H_
#define SHEWHART_DB_MIGRATE_H_

#include <span>
#include <string_view>

#include "base/status.h"
#include "db/db.h"

namespace shewhart::db {

struct Migration {
  int version = 0;                // > 0, strictly ascending within a list
  std::string_view name;          // short description, recorded in schema_migrations
  std::string_view sql_sqlite;    // a script: several ;-separated statements, no parameters
  std::string_view sql_postgres;  // empty: the same script as sql_sqlite
};

// A migration that shipped under another version number: where `schema_migrations` records
// version `from` with exactly this `name`, the row is moved to version `to` before anything is
// applied (same transaction and lock as a migration step). For a registry that moves versions
// into a new order without running anything again.
struct Renumbering {
  int from = 0;
  int to = 0;
  std::string_view name;
};

// Applies every migration in `migrations` not yet recorded in the database, in version order.
// REQUIRES: no Transaction open on `conn`. InvalidArgument if versions are not > 0 and strictly
// ascending; FailedPrecondition as described above; the failing migration's error otherwise
// (its message names the version), with nothing of that migration applied.
// `renumberings` (optional) are applied first; a database that records both `from` and `to`
// is refused (FailedPrecondition).
Status Migrate(Connection& conn, std::span<const Migration> migrations,
               std::span<const Renumbering> renumberings = {});

// The highest applied version, or 0 for a database that was never migrated.
Result<int> SchemaVersion(Connection& conn);

}  // namespace shewhart::db

#endif  // SHEWHART_DB_MIGRATE_H_
