#include "improvement/part.h"

#include "improvement/projects.h"

namespace shewhart::improvement {

std::span<const db::Migration> Migrations() { return ProjectMigrations(); }

std::span<const imports::Importer> Importers() { return {}; }

}  // namespace shewhart::improvement
