// intelligence: the part as the registry (schema/schema.h) knows it — every migration of the
// part in version order (notes 701-702, incidents 703, ...), the kinds of file it imports
// (`shewhart import incidents FILE`, ...) and its demo data.
//
// Example:
//   {.name = "intelligence", .migrations = intelligence::Migrations,
//    .importers = intelligence::Importers, .fill_demo = intelligence::FillDemo}
#ifndef SHEWHART_INTELLIGENCE_PART_H_
#define SHEWHART_INTELLIGENCE_PART_H_

#include <span>
#include <string_view>

#include "base/status.h"
#include "db/db.h"
#include "db/migrate.h"
#include "imports/imports.h"
#include "intelligence/records.h"

namespace shewhart::intelligence {

// Versions 700-799, ascending.
std::span<const db::Migration> Migrations();

// One importer per kind of record (incidents, complaints, audits, ratings, notes, horizon).
std::span<const imports::Importer> Importers();

// Every kind of record, in the order above.
std::span<const Kind* const> Kinds();
// The kind whose `name` (plural) or `singular` is `word`; nullptr when none.
const Kind* FindKind(std::string_view word);

// Generated evidence for the demo system (demo.cc): a fixed seed; REQUIRES the demo directory
// and dictionary loaded (inside the demo's transaction).
Status FillDemo(db::Connection& conn, std::string_view actor, std::string_view at);

}  // namespace shewhart::intelligence

#endif  // SHEWHART_INTELLIGENCE_PART_H_
