#include "db/db.h"

#include <charconv>
#include <string>

#include "db/internal/postgres_connection.h"
#include "db/internal/sql_text.h"
#include "db/internal/sqlite_connection.h"

namespace shewhart::db {

std::string_view DialectName(Dialect dialect) {
  switch (dialect) {
    case Dialect::kSqlite:
      return "sqlite";
    case Dialect::kPostgres:
      return "postgresql";
  }
  return "unknown";
}

double Value::AsDouble() const {
  if (type() == Type::kInt) return static_cast<double>(std::get<int64_t>(data_));
  return std::get<double>(data_);
}

std::string Value::DebugString() const {
  switch (type()) {
    case Type::kNull:
      return "NULL";
    case Type::kInt:
      return std::to_string(AsInt());
    case Type::kDouble: {
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), std::get<double>(data_));
      return std::string(buf, end);
    }
    case Type::kText:
      return "'" + AsText() + "'";
  }
  return "?";
}

std::optional<int64_t> Row::OptionalInt(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Int(i);
}
std::optional<double> Row::OptionalDouble(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Double(i);
}
std::optional<std::string> Row::OptionalText(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Text(i);
}

Result<int64_t> Connection::ExecuteReturningId(std::string_view sql, Params params) {
  ASSIGN_OR_RETURN(std::optional<Row> row, QueryRow(sql, params));
  if (!row.has_value()) return NotFoundError("statement returned no row: " + std::string(sql));
  if (row->size() == 0 || (*row)[0].type() != Value::Type::kInt) {
    return InternalError("statement did not return an integer id: " + std::string(sql));
  }
  return row->Int(0);
}

Result<std::vector<Row>> Connection::QueryAll(std::string_view sql, Params params) {
  std::vector<Row> rows;
  RETURN_IF_ERROR(Query(sql, params, [&](const Row& row) {
    rows.push_back(row);
    return Flow::kContinue;
  }));
  return rows;
}

Result<std::optional<Row>> Connection::QueryRow(std::string_view sql, Params params) {
  std::optional<Row> first;
  RETURN_IF_ERROR(Query(sql, params, [&](const Row& row) {
    first = row;
    return Flow::kStop;
  }));
  return first;
}

Result<std::unique_ptr<Connection>> Open(std::string_view url) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.starts_with(kSqlite)) {
    std::string_view path = url.substr(kSqlite.size());
    if (path.empty()) {
      return InvalidArgumentError("database URL \"sqlite:\" names no file: write sqlite:PATH");
    }
    return internal::OpenSqlite(path);
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return internal::OpenPostgres(url);
  }
  return InvalidArgumentError(
      "unknown database URL \"" + internal::RedactUrl(url) +
      "\": use sqlite:PATH (a database file), sqlite::memory: (in memory, for tests) or "
      "postgresql://USER@HOST:PORT/DATABASE");
}

Result<Transaction> Transaction::Begin(Connection& conn, TransactionMode mode) {
  if (conn.in_transaction_) {
    return FailedPreconditionError(
        "a transaction is already open on this connection (transactions do not nest)");
  }
  RETURN_IF_ERROR(conn.BeginTransaction(mode));
  conn.in_transaction_ = true;
  return Transaction(&conn);
}

Transaction::Transaction(Transaction&& other) noexcept : conn_(other.conn_) {
  other.conn_ = nullptr;
}

Transaction::~Transaction() {
  if (conn_ != nullptr) (void)Rollback();
}

Status Transaction::Commit() {
  if (conn_ == nullptr) {
    return FailedPreconditionError("transaction already committed or rolled back");
  }
  Connection* conn = conn_;
  Status status = conn->CommitTransaction();
  if (!status.ok()) (void)conn->RollbackTransaction();
  conn->in_transaction_ = false;
  conn_ = nullptr;
  return status;
}

Status Transaction::Rollback() {
  if (conn_ == nullptr) {
    return FailedPreconditionError("transaction already committed or rolled back");
  }
  Connection* conn = conn_;
  conn->in_transaction_ = false;
  conn_ = nullptr;
  return conn->RollbackTransaction();
}

Result<ServiceTransaction> ServiceTransaction::Begin(Connection& conn, TransactionMode mode) {
  ServiceTransaction t;
  if (conn.in_transaction()) return t;
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(conn, mode));
  t.own_.emplace(std::move(tx));
  return t;
}

Status ServiceTransaction::Commit() {
  if (!own_) return Status::Ok();
  return own_->Commit();
}

}  // namespace shewhart::db
