// On PostgreSQL, `observation` partitioned by period (declarative RANGE partitioning, one
// partition a year and a default), version 302; SQLite keeps its one table. What the partitioned
// table keeps and what it had to give up is written beside the migration (partitions.cc);
// observations::Migrations() lists it with the part's others. And, on both databases, the index
// by (metric_id, period) that a read of one period of a metric uses (version 303).
//
// Example:
//   for (const db::Migration& m : observations::PartitionMigrations()) ...
#ifndef SHEWHART_OBSERVATIONS_PARTITIONS_H_
#define SHEWHART_OBSERVATIONS_PARTITIONS_H_

#include <span>

#include "db/migrate.h"

namespace shewhart::observations {

std::span<const db::Migration> PartitionMigrations();

}  // namespace shewhart::observations

#endif  // SHEWHART_OBSERVATIONS_PARTITIONS_H_
