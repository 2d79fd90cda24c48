// The PostgreSQL (libpq) driver behind db::Open("postgresql://..."). See db/db.h for the contract.
#ifndef SHEWHART_DB_INTERNAL_POSTGRES_CONNECTION_H_
#define SHEWHART_DB_INTERNAL_POSTGRES_CONNECTION_H_

#include <memory>
#include <string_view>

#include "base/status.h"
#include "db/db.h"

namespace shewhart::db::internal {

// `url` is a libpq connection URI (postgresql://... or postgres://...).
Result<std::unique_ptr<Connection>> OpenPostgres(std::string_view url);

}  // namespace shewhart::db::internal

#endif  // SHEWHART_DB_INTERNAL_POSTGRES_CONNECTION_H_
