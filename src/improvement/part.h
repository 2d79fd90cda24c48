// improvement: the part as the registry (schema/schema.h) knows it — its migrations (801-899), no
// file imports yet, and its demo data (a portfolio of programmes, ~30 projects at every stage and
// a RESTORE2 roll-out across Trafford's care homes on the demo system).
//
// Example:
//   {.name = "improvement", .migrations = improvement::Migrations,
//    .importers = improvement::Importers, .fill_demo = improvement::FillDemo}
#ifndef SHEWHART_IMPROVEMENT_PART_H_
#define SHEWHART_IMPROVEMENT_PART_H_

#include <span>
#include <string_view>

#include "base/status.h"
#include "db/db.h"
#include "db/migrate.h"
#include "imports/imports.h"

namespace shewhart::improvement {

// Versions 800-899, ascending.
std::span<const db::Migration> Migrations();

// None yet (projects are entered on screens and through the API).
std::span<const imports::Importer> Importers();

// The demo portfolio (demo.cc): a fixed seed; REQUIRES the demo directory, dictionary and
// observations loaded (inside the demo's transaction). Runs before capability's.
Status FillDemo(db::Connection& conn, std::string_view actor, std::string_view at);

}  // namespace shewhart::improvement

#endif  // SHEWHART_IMPROVEMENT_PART_H_
