#include "schema/schema.h"

#include <algorithm>

#include "access/access.h"
#include "capability/part.h"
#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "imports/uploads.h"
#include "improvement/part.h"
#include "intelligence/part.h"
#include "learning/part.h"
#include "observations/observations.h"
#include "oversight/spc_store.h"

namespace shewhart::schema {
namespace {

// The earlier layout kept the server's parts below 100 so that they sorted before the data
// platform's; the names stay, the numbers move into data order.
constexpr db::Renumbering kLegacy[] = {
    {11, 601, "access: accounts, sessions, audit log"},
    {51, 701, "intelligence: soft-intelligence notes"},
    {61, 501, "server: pending import uploads"},
};

// The parts, in data order: each one's tables may refer to those of the parts above it.
constexpr Part kParts[] = {
    {.name = "directory", .migrations = directory::Migrations},
    {.name = "dictionary", .migrations = dictionary::Migrations},
    {.name = "observations", .migrations = observations::Migrations},
    {.name = "oversight", .migrations = oversight::Migrations},
    {.name = "imports", .migrations = imports::UploadMigrations, .importers = imports::Importers},
    {.name = "access", .migrations = access::Migrations},
    {.name = "intelligence",
     .migrations = intelligence::Migrations,
     .importers = intelligence::Importers,
     .fill_demo = intelligence::FillDemo},
    {.name = "improvement", .migrations = improvement::Migrations, .importers = improvement::Importers, .fill_demo = improvement::FillDemo},
    {.name = "capability",
     .migrations = capability::Migrations,
     .importers = capability::Importers,
     .fill_demo = capability::FillDemo},
    {.name = "learning",
     .migrations = learning::Migrations,
     .fill_demo = learning::FillDemo,
     .after_migrate = learning::AfterMigrate},
};

constexpr std::string_view kTablesSqlite =
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
    "ORDER BY name";
constexpr std::string_view kTablesPostgres =
    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
    "AND table_type = 'BASE TABLE' ORDER BY table_name";

}  // namespace

std::span<const Part> Parts() { return kParts; }

std::vector<db::Migration> AllMigrations() {
  std::vector<db::Migration> all;
  for (const Part& part : kParts) {
    if (part.migrations == nullptr) continue;
    const std::span<const db::Migration> list = part.migrations();
    all.insert(all.end(), list.begin(), list.end());
  }
  std::sort(all.begin(), all.end(),
            [](const db::Migration& a, const db::Migration& b) { return a.version < b.version; });
  return all;
}

std::vector<imports::Importer> Importers() {
  std::vector<imports::Importer> all;
  for (const Part& part : kParts) {
    if (part.importers == nullptr) continue;
    const std::span<const imports::Importer> list = part.importers();
    all.insert(all.end(), list.begin(), list.end());
  }
  return all;
}

Result<imports::Importer> FindImporter(std::string_view kind) {
  std::string kinds;
  for (const imports::Importer& i : Importers()) {
    if (i.kind == kind) return i;
    kinds += (kinds.empty() ? "" : ", ") + std::string(i.kind);
  }
  return NotFoundError("there is no import of \"" + std::string(kind) + "\"; the kinds are " +
                       kinds);
}

Status FillDemo(db::Connection& conn, std::string_view actor, std::string_view at) {
  for (const Part& part : kParts) {
    if (part.fill_demo != nullptr) RETURN_IF_ERROR(part.fill_demo(conn, actor, at));
  }
  return Status::Ok();
}

std::span<const db::Renumbering> LegacyRenumberings() { return kLegacy; }

Status MigrateAll(db::Connection& conn) {
  RETURN_IF_ERROR(db::Migrate(conn, AllMigrations(), LegacyRenumberings()));
  for (const Part& part : kParts) {
    if (part.after_migrate != nullptr) RETURN_IF_ERROR(part.after_migrate(conn));
  }
  return Status::Ok();
}

Result<std::vector<std::string>> TableNames(db::Connection& conn) {
  std::vector<std::string> names;
  RETURN_IF_ERROR(conn.Query(
      conn.dialect() == db::Dialect::kPostgres ? kTablesPostgres : kTablesSqlite, {},
      [&](const db::Row& row) {
        names.push_back(row.Text(0));
        return db::Flow::kContinue;
      }));
  return names;
}

}  // namespace shewhart::schema
