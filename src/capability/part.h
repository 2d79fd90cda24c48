// capability: the part as the registry (schema/schema.h) knows it — its migrations (901-999),
// the kinds of file it imports (`shewhart import people|courses|attendance|coaching FILE`) and its
// demo data (North West Surrey's Learn-Live-Lead story on the demo system).
//
// Example:
//   {.name = "capability", .migrations = capability::Migrations,
//    .importers = capability::Importers, .fill_demo = capability::FillDemo}
#ifndef SHEWHART_CAPABILITY_PART_H_
#define SHEWHART_CAPABILITY_PART_H_

#include <span>
#include <string_view>

#include "base/status.h"
#include "db/db.h"
#include "db/migrate.h"
#include "imports/imports.h"

namespace shewhart::capability {

// Versions 900-999, ascending.
std::span<const db::Migration> Migrations();

// people, courses, attendance, coaching (docs/capability.md).
std::span<const imports::Importer> Importers();

// Generated people, courses, attendance and coaching for the demo system (demo.cc): a fixed seed;
// REQUIRES the demo directory loaded (inside the demo's transaction).
Status FillDemo(db::Connection& conn, std::string_view actor, std::string_view at);

}  // namespace shewhart::capability

#endif  // SHEWHART_CAPABILITY_PART_H_
