// RowBuilder: lets the drivers fill a db::Row in place, reusing its storage from row to row.
#ifndef SHEWHART_DB_INTERNAL_ROW_BUILDER_H_
#define SHEWHART_DB_INTERNAL_ROW_BUILDER_H_

#include <memory>
#include <string>
#include <vector>

#include "db/db.h"

namespace shewhart::db {

class RowBuilder {
 public:
  static void SetNames(Row& row, std::shared_ptr<const std::vector<std::string>> names) {
    row.names_ = std::move(names);
  }
  static std::vector<Value>& MutableValues(Row& row) { return row.values_; }
};

}  // namespace shewhart::db

#endif  // SHEWHART_DB_INTERNAL_ROW_BUILDER_H_
