#include "db/internal/sqlite_connection.h"

#include <sqlite3.h>

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "db/internal/row_builder.h"
#include "db/internal/sql_text.h"

namespace shewhart::db::internal {
namespace {

// Milliseconds a statement waits for another connection's write lock before kResourceExhausted.
constexpr int kBusyTimeoutMs = 5000;
// Beyond this many distinct SQL texts, new statements are prepared per call and not cached:
// a guard against code that builds SQL text dynamically.
constexpr size_t kMaxCachedStatements = 512;
// How much of a statement an error message quotes.
constexpr size_t kSqlQuoteLimit = 200;

std::string Quote(std::string_view sql) {
  if (sql.size() <= kSqlQuoteLimit) return std::string(sql);
  return std::string(sql.substr(0, kSqlQuoteLimit)) + "...";
}

// Maps an SQLite result code to a Status (see the table in db/db.h).
Status MapError(sqlite3* db, int rc, std::string_view sql) {
  const int extended = db != nullptr ? sqlite3_extended_errcode(db) : rc;
  std::string message = "sqlite: ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (!sql.empty()) message += " (in: " + Quote(sql) + ")";
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      if (extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY ||
          extended == SQLITE_CONSTRAINT_ROWID) {
        return Status(StatusCode::kAlreadyExists, std::move(message));
      }
      return FailedPreconditionError(std::move(message));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ResourceExhaustedError(std::move(message));
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
      return InvalidArgumentError(std::move(message));
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_FULL:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return IoError(std::move(message));
    default:
      return InternalError(std::move(message));
  }
}

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    for (auto& [sql, entry] : cache_) sqlite3_finalize(entry.stmt);
    sqlite3_close_v2(db_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  Status Execute(std::string_view sql, Params params) override {
    RETURN_IF_ERROR(CheckTransactionAlive());
    return Guard(Run(sql, params));
  }

  Result<int64_t> ExecuteRowCount(std::string_view sql, Params params) override {
    RETURN_IF_ERROR(Execute(sql, params));
    return static_cast<int64_t>(sqlite3_changes64(db_));
  }

  Status ExecuteMany(std::string_view sql, std::span<const std::vector<Value>> rows) override {
    RETURN_IF_ERROR(CheckTransactionAlive());
    const bool own_transaction = !in_transaction();
    if (own_transaction) RETURN_IF_ERROR(Run("BEGIN IMMEDIATE", {}));
    Status status = ExecuteEach(sql, rows);
    if (own_transaction) {
      if (status.ok()) status = Run("COMMIT", {});
      if (!status.ok() && !sqlite3_get_autocommit(db_)) (void)Run("ROLLBACK", {});
      return status;
    }
    return Guard(std::move(status));
  }

  Status BulkInsert(std::string_view table, std::span<const std::string_view> columns,
                    std::span<const std::vector<Value>> rows) override {
    std::string error;
    const std::string sql = InsertStatement(table, columns, &error);
    if (sql.empty()) return InvalidArgumentError(std::move(error));
    return ExecuteMany(sql, rows);
  }

  Status ExecuteScript(std::string_view sql) override {
    RETURN_IF_ERROR(CheckTransactionAlive());
    const std::string text(sql);
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return Guard(MapError(db_, rc, sql));
    // A script may change the schema (a migration); a cached statement would keep the column
    // list it was prepared with (SELECT *) until it is next stepped. Prepare afresh.
    for (auto it = cache_.begin(); it != cache_.end();) {
      if (it->second.in_use) {
        ++it;
        continue;
      }
      sqlite3_finalize(it->second.stmt);
      it = cache_.erase(it);
    }
    return Status::Ok();
  }

  Status Query(std::string_view sql, Params params, const RowCallback& on_row) override {
    RETURN_IF_ERROR(CheckTransactionAlive());
    return Guard(QueryRows(sql, params, on_row));
  }

 private:
  // PostgreSQL refuses every statement after one fails inside a transaction; SQLite would carry
  // on. We make SQLite behave the same, so code that is correct on one database is correct on
  // the other: after a failure inside a Transaction, only its rollback succeeds.
  Status CheckTransactionAlive() const {
    if (in_transaction() && transaction_failed_) {
      return FailedPreconditionError(
          "sqlite: a statement in this transaction failed; it can only be rolled back");
    }
    return Status::Ok();
  }
  Status Guard(Status status) {
    if (!status.ok() && in_transaction()) transaction_failed_ = true;
    return status;
  }

  Status Run(std::string_view sql, Params params) {
    ASSIGN_OR_RETURN(Lease lease, Acquire(sql));
    RETURN_IF_ERROR(Bind(lease.stmt, params, sql));
    return StepToEnd(lease.stmt, sql);
  }

  Status QueryRows(std::string_view sql, Params params, const RowCallback& on_row) {
    ASSIGN_OR_RETURN(Lease lease, Acquire(sql));
    RETURN_IF_ERROR(Bind(lease.stmt, params, sql));
    sqlite3_stmt* stmt = lease.stmt;
    const int columns = sqlite3_column_count(stmt);
    auto names = std::make_shared<std::vector<std::string>>();
    names->reserve(columns);
    for (int i = 0; i < columns; ++i) names->emplace_back(sqlite3_column_name(stmt, i));
    Row row;
    RowBuilder::SetNames(row, std::move(names));
    std::vector<Value>& values = RowBuilder::MutableValues(row);
    values.resize(columns);
    for (;;) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) return Status::Ok();
      if (rc != SQLITE_ROW) return MapError(db_, rc, sql);
      for (int i = 0; i < columns; ++i) {
        switch (sqlite3_column_type(stmt, i)) {
          case SQLITE_NULL:
            values[i] = Value();
            break;
          case SQLITE_INTEGER:
            values[i] = Value(static_cast<int64_t>(sqlite3_column_int64(stmt, i)));
            break;
          case SQLITE_FLOAT:
            values[i] = Value(sqlite3_column_double(stmt, i));
            break;
          default: {  // TEXT, or a BLOB read as bytes
            const auto* text = static_cast<const char*>(sqlite3_column_blob(stmt, i));
            const int bytes = sqlite3_column_bytes(stmt, i);
            values[i] = Value(std::string_view(text == nullptr ? "" : text, bytes));
            break;
          }
        }
      }
      if (on_row(row) == Flow::kStop) return Status::Ok();
    }
  }

  struct Entry {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };

  // A prepared statement borrowed for one call: the cached one, or a private one when the cached
  // one is busy (a statement run again from inside its own Query callback). Returning it resets
  // the statement so it releases its read snapshot at once.
  class Lease {
   public:
    Lease(sqlite3_stmt* s, Entry* entry) : stmt(s), entry_(entry) {}
    Lease(Lease&& other) noexcept : stmt(other.stmt), entry_(other.entry_) { other.stmt = nullptr; }
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (stmt == nullptr) return;
      if (entry_ != nullptr) {
        sqlite3_reset(stmt);
        entry_->in_use = false;
      } else {
        sqlite3_finalize(stmt);
      }
    }
    sqlite3_stmt* stmt;

   private:
    Entry* entry_;
  };

  Result<sqlite3_stmt*> Prepare(std::string_view sql, bool persistent) {
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      persistent ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, &tail);
    if (rc != SQLITE_OK) return MapError(db_, rc, sql);
    std::string_view rest(tail, sql.data() + sql.size() - tail);
    if (rest.find_first_not_of(" \t\r\n;") != std::string_view::npos) {
      sqlite3_finalize(stmt);
      return InvalidArgumentError("more than one SQL statement (use ExecuteScript): " + Quote(sql));
    }
    if (stmt == nullptr) return InvalidArgumentError("empty SQL statement");
    return stmt;
  }

  Result<Lease> Acquire(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) {
      if (!it->second.in_use) {
        it->second.in_use = true;
        return Lease(it->second.stmt, &it->second);
      }
      ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, false));
      return Lease(stmt, nullptr);
    }
    ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, true));
    if (cache_.size() >= kMaxCachedStatements) return Lease(stmt, nullptr);
    Entry& entry = cache_.emplace(std::string(sql), Entry{stmt, true}).first->second;
    return Lease(stmt, &entry);
  }

  // Binds `params` positionally. Text is bound without a copy (SQLITE_STATIC): the values
  // outlive the statement's use within the call.
  Status Bind(sqlite3_stmt* stmt, Params params, std::string_view sql) {
    const int expected = sqlite3_bind_parameter_count(stmt);
    if (expected != static_cast<int>(params.size())) {
      return InvalidArgumentError("statement expects " + std::to_string(expected) +
                                  " parameters but got " + std::to_string(params.size()) + ": " +
                                  Quote(sql));
    }
    int i = 1;
    for (const Value& value : params.values()) {
      int rc = SQLITE_OK;
      switch (value.type()) {
        case Value::Type::kNull:
          rc = sqlite3_bind_null(stmt, i);
          break;
        case Value::Type::kInt:
          rc = sqlite3_bind_int64(stmt, i, value.AsInt());
          break;
        case Value::Type::kDouble:
          rc = sqlite3_bind_double(stmt, i, value.AsDouble());
          break;
        case Value::Type::kText:
          rc = sqlite3_bind_text64(stmt, i, value.AsText().data(), value.AsText().size(),
                                   SQLITE_STATIC, SQLITE_UTF8);
          break;
      }
      if (rc != SQLITE_OK) return MapError(db_, rc, sql);
      ++i;
    }
    return Status::Ok();
  }

  Status StepToEnd(sqlite3_stmt* stmt, std::string_view sql) {
    for (;;) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) return Status::Ok();
      if (rc != SQLITE_ROW) return MapError(db_, rc, sql);
    }
  }

  Status ExecuteEach(std::string_view sql, std::span<const std::vector<Value>> rows) {
    ASSIGN_OR_RETURN(Lease lease, Acquire(sql));
    for (size_t r = 0; r < rows.size(); ++r) {
      Status status = Bind(lease.stmt, rows[r], sql);
      if (status.ok()) status = StepToEnd(lease.stmt, sql);
      if (!status.ok()) {
        return Status(status.code(), "row " + std::to_string(r) + ": " + status.message());
      }
      sqlite3_reset(lease.stmt);
    }
    return Status::Ok();
  }

  Status BeginTransaction(TransactionMode mode) override {
    transaction_failed_ = false;
    return Run(mode == TransactionMode::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN", {});
  }
  Status CommitTransaction() override {
    if (transaction_failed_) {
      return FailedPreconditionError(
          "sqlite: the transaction was rolled back because a statement in it failed");
    }
    return Run("COMMIT", {});
  }
  Status RollbackTransaction() override {
    transaction_failed_ = false;
    // SQLite may already have rolled back by itself (e.g. after SQLITE_FULL).
    if (sqlite3_get_autocommit(db_)) return Status::Ok();
    return Run("ROLLBACK", {});
  }

  sqlite3* db_;
  bool transaction_failed_ = false;
  std::unordered_map<std::string, Entry, StringHash, std::equal_to<>> cache_;
};

}  // namespace

Result<std::unique_ptr<Connection>> OpenSqlite(std::string_view path) {
  const std::string file(path);
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = "cannot open SQLite database " + file + ": " +
                          (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close_v2(db);
    return IoError(std::move(message));
  }
  auto conn = std::make_unique<SqliteConnection>(db);
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  // WAL lets readers run beside one writer; NORMAL sync is durable across application crashes
  // and loses at most the last transactions on power loss, the usual WAL trade-off.
  const char* pragmas = file == ":memory:"
                            ? "PRAGMA foreign_keys = ON;"
                            : "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                              "PRAGMA foreign_keys = ON;";
  const int prc = sqlite3_exec(db, pragmas, nullptr, nullptr, nullptr);
  if (prc != SQLITE_OK) {
    Status status = MapError(db, prc, "");
    return Status(status.code(), "cannot open SQLite database " + file + ": " + status.message());
  }
  return std::unique_ptr<Connection>(std::move(conn));
}

}  // namespace shewhart::db::internal
