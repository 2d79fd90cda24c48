// schema: the ONE list of every part's migrations, in data order, used by every command that
// opens a database (`init`, `import`, `export`, `demo`, `serve`, `user add`, and any to come) and
// by every test that needs a real database. Because the list is one, a part's tables can have
// real foreign keys to the tables of the parts before it.
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
#include <vector>

#include "base/status.h"
#include "db/db.h"
#include "db/migrate.h"

namespace shewhart::schema {

// Every migration of every part, in version order.
std::vector<db::Migration> AllMigrations();

// The version moves of the earlier layout (see above).
std::span<const db::Renumbering> LegacyRenumberings();

// Applies every migration the database lacks, after moving legacy version numbers. Safe to call
// on every start. REQUIRES: no transaction open on `conn`. Errors as db::Migrate.
Status MigrateAll(db::Connection& conn);

// The names of every table the schema creates, sorted (for tests that dump a database, and
// for checks that every table is covered by something).
Result<std::vector<std::string>> TableNames(db::Connection& conn);

}  // namespace shewhart::schema

#endif  // SHEWHART_SCHEMA_SCHEMA_H_
