// schema: the registry of the product's parts — the ONE list of every part's migrations, in data
// order, used by every command that opens a database (`init`, `import`, `export`, `demo`,
// `serve`, `user add`, and any to come) and by every test that needs a real database; the kinds
// of file each part imports (for `shewhart import KIND` and the server's uploads); and each
// part's demo data. Because the list is one, a part's tables can have real foreign keys to the
// tables of the parts before it. Adding a part adds one line to kParts (schema.cc): the recipe is
// in CONTRIBUTING.md, "How to add a part".
//
// Each part declares its own migrations beside the code that writes its tables, numbered in its
// block of a hundred in data order:
//    100 directory      200 dictionary     300 observations   400 oversight
//    500 imports        600 access         700 intelligence   800 improvement
//    900 capability    1000 learning
// A new part takes the next free block and adds one line to AllMigrations() (schema.cc).
//
// Databases made before the list was one (access at 11, intelligence at 51, uploads at 61) are
// renumbered on the way: the rows of `schema_migrations` move to the new numbers, nothing else is
// touched, and the migrations that came after (foreign keys to `unit`) apply as on a new
// database.
//
// Example:
//   ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, db::Open(url));
//   RETURN_IF_ERROR(schema::MigrateAll(*conn));
#ifndef SHEWHART_SCHEMA_SCHEMA_H_
#define SHEWHART_SCHEMA_SCHEMA_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "db/db.h"
#include "db/migrate.h"
#include "imports/imports.h"

namespace shewhart::schema {

// A part of the product as the registry knows it. Functions a part does not have are nullptr.
struct Part {
  std::string_view name;                                     // "intelligence"
  std::span<const db::Migration> (*migrations)() = nullptr;  // its block of versions
  std::span<const imports::Importer> (*importers)() = nullptr;
  // Adds the part's demo data to the demo system (after the directory, dictionary and
  // observations are loaded, inside the demo's one transaction). Deterministic: a fixed seed.
  Status (*fill_demo)(db::Connection& conn, std::string_view actor, std::string_view at) = nullptr;
  // Runs after every migration is applied, on every MigrateAll (so on every start): for work
  // that depends on which tables exist, such as the learning part's search index, which puts
  // triggers on the tables of whichever parts are present. Idempotent; own transaction.
  Status (*after_migrate)(db::Connection& conn) = nullptr;
};

// Every part, in data order.
std::span<const Part> Parts();

// Every migration of every part, in version order.
std::vector<db::Migration> AllMigrations();

// Every kind of file any part imports, in the order of Parts().
std::vector<imports::Importer> Importers();
// The importer of `kind`; NotFound naming the kinds there are.
Result<imports::Importer> FindImporter(std::string_view kind);

// Calls every part's fill_demo in order. REQUIRES: the demo's base data is loaded.
Status FillDemo(db::Connection& conn, std::string_view actor, std::string_view at);

// The version moves of the earlier layout (see above).
std::span<const db::Renumbering> LegacyRenumberings();

// Applies every migration the database lacks, after moving legacy version numbers, then every
// part's after_migrate. Safe to call on every start. REQUIRES: no transaction open on `conn`. Errors as db::Migrate.
Status MigrateAll(db::Connection& conn);

// The names of every table the schema creates, sorted (for tests that dump a database, and
// for checks that every table is covered by something).
Result<std::vector<std::string>> TableNames(db::Connection& conn);

}  // namespace shewhart::schema

#endif  // SHEWHART_SCHEMA_SCHEMA_H_
