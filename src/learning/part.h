// learning: the part as the registry (schema/schema.h) knows it — its migrations (1001-1099),
// the search index kept current on whichever tables exist (AfterMigrate, run after every
// migration on every start) and its demo data (a year of lessons, a Learning from Incidents forum
// across the demo's acute trusts with a thematic review, spread records and sharing events).
//
// Example:
//   {.name = "learning", .migrations = learning::Migrations, .fill_demo = learning::FillDemo,
//    .after_migrate = learning::AfterMigrate}
#ifndef SHEWHART_LEARNING_PART_H_
#define SHEWHART_LEARNING_PART_H_

#include <span>
#include <string_view>

#include "base/status.h"
#include "db/db.h"
#include "db/migrate.h"

namespace shewhart::learning {

// Versions 1000-1099, ascending.
std::span<const db::Migration> Migrations();

// Installs or refreshes the search triggers on every source table present (search.h).
Status AfterMigrate(db::Connection& conn);

// The demo's lessons, forum, thematic review, responses and sharing events (demo.cc): a fixed
// seed; REQUIRES the demo directory and the intelligence demo loaded (inside the demo's
// transaction).
Status FillDemo(db::Connection& conn, std::string_view actor, std::string_view at);

}  // namespace shewhart::learning

#endif  // SHEWHART_LEARNING_PART_H_
