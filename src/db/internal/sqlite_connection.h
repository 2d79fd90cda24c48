// The SQLite driver behind db::Open("sqlite:PATH"). See db/db.h for the contract.
#ifndef SHEWHART_DB_INTERNAL_SQLITE_CONNECTION_H_
#define SHEWHART_DB_INTERNAL_SQLITE_CONNECTION_H_

#include <memory>
#include <string_view>

#include "base/status.h"
#include "db/db.h"

namespace shewhart::db::internal {

// `path` is a file name or ":memory:".
Result<std::unique_ptr<Connection>> OpenSqlite(std::string_view path);

}  // namespace shewhart::db::internal

#endif  // SHEWHART_DB_INTERNAL_SQLITE_CONNECTION_H_
