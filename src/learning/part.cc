#include "learning/part.h"

#include "learning/lessons.h"
#include "learning/search.h"

namespace shewhart::learning {

std::span<const db::Migration> Migrations() { return LessonMigrations(); }

Status AfterMigrate(db::Connection& conn) { return EnsureSearchIndex(conn); }

}  // namespace shewhart::learning
