// db: Shewhart's one narrow database interface, with a SQLite driver (the embedded default) and a
// PostgreSQL driver (for scale). Start here; migrations are in db/migrate.h.
//
// Open() a Connection from a URL, then run SQL with bound parameters:
//   sqlite:PATH                       a database file (created if missing), WAL journal, foreign
//                                     keys ON, synchronous=NORMAL, 5 s busy timeout.
//   sqlite::memory:                   a private in-memory database (tests).
//   postgresql://user[:pw]@host:port/db[?...]   any libpq connection URI (postgres:// too).
//
// SQL rules (the same text runs on both databases wherever the dialects agree):
//   - Parameters are `?`, bound positionally from Values; never concatenate values into SQL.
//     For PostgreSQL each `?` becomes `$1..$n` once per statement. A `?` inside a '...' string
//     literal, a "..." identifier or a comment is left alone; PostgreSQL's `?`-operators (jsonb)
//     cannot be used — write jsonb_exists(...) instead.
//   - PostgreSQL infers each parameter's type from its context. Where it cannot (`SELECT ?`,
//     `? + ?`) the parameter is text: write CAST(? AS BIGINT) / CAST(? AS DOUBLE PRECISION).
//   - `INSERT ... RETURNING id` works on both (SQLite >= 3.35): see ExecuteReturningId().
//   - Prepared statements are cached per Connection, keyed by the exact SQL text: keep SQL in
//     named constants so the same text comes back (building SQL with varying text defeats it).
//
// Result values: SQLite returns what is stored. PostgreSQL columns map by type: smallint,
// integer, bigint, boolean (1/0) -> kInt; real, double precision -> kDouble; numeric -> kInt if
// integral and in range (SUM of bigints), else kDouble; everything else (text, date, timestamp,
// json) -> kText in PostgreSQL's ISO text form. Doubles round-trip bit for bit on both, including
// subnormals and infinities, with two SQLite storage quirks: a -0.0 stored in a REAL-affinity
// column (DOUBLE PRECISION, REAL, FLOAT) reads back as +0.0 (SQLite writes integral reals as
// integers on disk; as a parameter or in expressions the sign survives), and NaN is stored as
// NULL. Text is UTF-8; PostgreSQL rejects NUL bytes in text (kInvalidArgument).
//
// Errors (Status codes):
//   kAlreadyExists       a UNIQUE / PRIMARY KEY constraint was violated; the message names it.
//   kFailedPrecondition  another constraint (FOREIGN KEY, NOT NULL, CHECK) was violated (named);
//                        transaction misuse (nested Begin, Commit twice); PostgreSQL: a statement
//                        in a transaction that has already failed.
//   kResourceExhausted   the database stayed locked/busy beyond the timeout, a serialization
//                        failure or deadlock: the caller may retry the whole transaction.
//   kInvalidArgument     bad URL; wrong number of parameters; a value the column type rejects.
//   kIoError             cannot connect / open / read / write; the connection was lost. Messages
//                        never contain the password.
//   kInternal            anything else, e.g. an SQL syntax error (a bug in our SQL).
//
// Thread-safety: a Connection is used by one thread at a time (thread-compatible). Open one per
// thread; a pool is the server's concern. Different Connections to the same database may be used
// concurrently from threads or processes; the databases serialise writers.
//
// Example:
//   ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, db::Open("sqlite:/var/shewhart.db"));
//   ASSIGN_OR_RETURN(db::Transaction tx, db::Transaction::Begin(*conn));
//   ASSIGN_OR_RETURN(int64_t id, conn->ExecuteReturningId(
//       "INSERT INTO metric(code, name) VALUES (?, ?) RETURNING id", {"AE4H", "A&E 4 hours"}));
//   RETURN_IF_ERROR(conn->Execute("UPDATE metric SET owner = ? WHERE id = ?", {nullptr, id}));
//   RETURN_IF_ERROR(tx.Commit());  // without this, ~Transaction rolls back
//   RETURN_IF_ERROR(conn->Query("SELECT code, name FROM metric WHERE id > ?", {0},
//                               [&](const db::Row& row) {
//                                 Print(row.Text(0), row.Text(1));
//                                 return db::Flow::kContinue;  // kStop ends the query early
//                               }));
#ifndef SHEWHART_DB_DB_H_
#define SHEWHART_DB_DB_H_

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/status.h"

namespace shewhart::db {

enum class Dialect { kSqlite, kPostgres };

// "sqlite" or "postgresql".
std::string_view DialectName(Dialect dialect);

// One SQL value: NULL, a 64-bit integer, a double or UTF-8 text. Implicit constructors make
// parameter lists read naturally: {42, 2.5, "text", nullptr, std::optional<int64_t>()}.
class Value {
 public:
  enum class Type { kNull, kInt, kDouble, kText };

  Value() = default;        // NULL
  Value(std::nullptr_t) {}  // NOLINT: NULL
  template <std::integral T>
  requires(!std::same_as<T, bool>) Value(T v) : data_(static_cast<int64_t>(v)) {}  // NOLINT
  Value(double v) : data_(v) {}                                                    // NOLINT
  Value(std::string v) : data_(std::move(v)) {}                                    // NOLINT
  Value(std::string_view v) : data_(std::string(v)) {}                             // NOLINT
  Value(const char* v) : data_(std::string(v)) {}  // NOLINT: REQUIRES v != nullptr
  template <typename T>
  Value(const std::optional<T>& v) {  // NOLINT: empty -> NULL
    if (v.has_value()) *this = Value(*v);
  }
  Value(bool) = delete;  // say 1/0: SQLite has no boolean type

  Type type() const { return static_cast<Type>(data_.index()); }
  bool is_null() const { return type() == Type::kNull; }
  // REQUIRES: type() == kInt.
  int64_t AsInt() const { return std::get<int64_t>(data_); }
  // REQUIRES: type() is kDouble or kInt (an integer converts).
  double AsDouble() const;
  // REQUIRES: type() == kText.
  const std::string& AsText() const { return std::get<std::string>(data_); }

  // For messages and tests: NULL, 42, 2.5, 'text'.
  std::string DebugString() const;

  friend bool operator==(const Value&, const Value&) = default;

 private:
  std::variant<std::monostate, int64_t, double, std::string> data_;
};

// The positional parameters of one statement: a view, built implicitly from a braced list, a
// std::vector<Value> or a span. It does not own the values: use it only as a call argument.
class Params {
 public:
  Params() = default;
  Params(std::initializer_list<Value> values)  // NOLINT
      : values_(values.begin(), values.size()) {}
  Params(std::span<const Value> values) : values_(values) {}     // NOLINT
  Params(const std::vector<Value>& values) : values_(values) {}  // NOLINT

  std::span<const Value> values() const { return values_; }
  size_t size() const { return values_.size(); }

 private:
  std::span<const Value> values_;
};

// One result row. Column indexes are 0-based; REQUIRES: i < size() for every accessor.
class Row {
 public:
  Row() = default;
  Row(std::shared_ptr<const std::vector<std::string>> names, std::vector<Value> values)
      : names_(std::move(names)), values_(std::move(values)) {}

  size_t size() const { return values_.size(); }
  const Value& operator[](size_t i) const { return values_[i]; }
  const std::vector<Value>& values() const { return values_; }
  // The column's name as the database reports it (use `AS name` to be portable).
  std::string_view name(size_t i) const { return (*names_)[i]; }

  bool IsNull(size_t i) const { return values_[i].is_null(); }
  // REQUIRES: the column holds an integer (not NULL).
  int64_t Int(size_t i) const { return values_[i].AsInt(); }
  // REQUIRES: the column holds a double or an integer (not NULL).
  double Double(size_t i) const { return values_[i].AsDouble(); }
  // REQUIRES: the column holds text (not NULL).
  const std::string& Text(size_t i) const { return values_[i].AsText(); }
  // NULL -> nullopt; otherwise as Int() / Double() / Text().
  std::optional<int64_t> OptionalInt(size_t i) const;
  std::optional<double> OptionalDouble(size_t i) const;
  std::optional<std::string> OptionalText(size_t i) const;

 private:
  friend class RowBuilder;  // drivers fill rows in place
  std::shared_ptr<const std::vector<std::string>> names_;
  std::vector<Value> values_;
};

// What a row callback tells Query(): go on to the next row, or stop early (Query returns OK).
// A callback that fails keeps its Status in a captured variable and returns kStop.
enum class Flow { kContinue, kStop };
using RowCallback = std::function<Flow(const Row& row)>;

// How a transaction starts. kImmediate takes the write lock at once on SQLite (BEGIN IMMEDIATE),
// so read-then-write transactions never fail halfway with "database is locked"; use it for any
// transaction that writes. On PostgreSQL both are a plain BEGIN (READ COMMITTED).
enum class TransactionMode { kDeferred, kImmediate };

// An open database connection. Create with Open(). Not thread-safe: one thread at a time.
class Connection {
 public:
  virtual ~Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  virtual Dialect dialect() const = 0;

  // Runs one statement (no result rows expected; any are discarded).
  virtual Status Execute(std::string_view sql, Params params = {}) = 0;

  // Runs one INSERT/UPDATE/DELETE and returns how many rows it changed.
  virtual Result<int64_t> ExecuteRowCount(std::string_view sql, Params params = {}) = 0;

  // Runs one statement whose first result column of its first row is an integer — typically
  // `INSERT ... RETURNING id` — and returns it. NotFound if it returns no row.
  Result<int64_t> ExecuteReturningId(std::string_view sql, Params params = {});

  // Runs one statement once per element of `rows` (each a full parameter list), reusing one
  // prepared statement: the fast path for bulk inserts. If no transaction is open it runs in its
  // own, so either every row lands or none does; inside a Transaction it joins it. Stops at the
  // first failing row; the message says which (0-based index into `rows`).
  virtual Status ExecuteMany(std::string_view sql, std::span<const std::vector<Value>> rows) = 0;

  // Appends `rows` to `table`: each row holds one Value per name in `columns`, in that order.
  // The fastest way in: PostgreSQL COPY FROM STDIN (several times ExecuteMany's speed there);
  // on SQLite the same as ExecuteMany with the INSERT it implies. Same transaction rule as
  // ExecuteMany (all or nothing). Table and column names must be plain identifiers
  // ([A-Za-z_][A-Za-z0-9_]*, InvalidArgument otherwise); they come from our code, never from
  // input. On failure the message names the row where the database says (PostgreSQL reports
  // "COPY table, line N": the row is N-1, 0-based).
  virtual Status BulkInsert(std::string_view table, std::span<const std::string_view> columns,
                            std::span<const std::vector<Value>> rows) = 0;

  // Runs a script of several `;`-separated statements without parameters and without caching
  // (migrations, schema set-up). Not for values: there is no way to bind them here.
  virtual Status ExecuteScript(std::string_view sql) = 0;

  // Runs a query and calls `on_row` for each row in order until it returns Flow::kStop.
  // The Row is valid only during the call. On SQLite rows are stepped one at a time; on
  // PostgreSQL the whole result is fetched first (page with LIMIT/keyset for huge results).
  // `on_row` may use this Connection for other statements.
  virtual Status Query(std::string_view sql, Params params, const RowCallback& on_row) = 0;

  // All rows of a query.
  Result<std::vector<Row>> QueryAll(std::string_view sql, Params params = {});
  // The first row of a query, or nullopt if there is none.
  Result<std::optional<Row>> QueryRow(std::string_view sql, Params params = {});

  // True while a Transaction is open on this connection.
  bool in_transaction() const { return in_transaction_; }

 protected:
  Connection() = default;

 private:
  friend class Transaction;
  // Used only by Transaction, which keeps them paired. Begin while in_transaction_ and
  // Commit/Rollback while not are FailedPrecondition (checked by Transaction).
  virtual Status BeginTransaction(TransactionMode mode) = 0;
  virtual Status CommitTransaction() = 0;
  virtual Status RollbackTransaction() = 0;

  bool in_transaction_ = false;
};

// Opens a connection. InvalidArgument for an unknown or malformed URL (the message lists the
// accepted forms); IoError if the database cannot be opened or reached.
Result<std::unique_ptr<Connection>> Open(std::string_view url);

// A transaction, scoped: Commit() explicitly; if it is destroyed (or moved-from object's owner
// goes out of scope) without Commit(), it rolls back. Only one at a time per Connection: a
// second Begin() while one is open is FailedPrecondition (no nesting, no savepoints). The
// Connection must outlive it. Once a statement inside it fails, the transaction is doomed on
// both databases: every later statement and Commit() are FailedPrecondition; only the rollback
// remains (use INSERT ... ON CONFLICT rather than "try, catch the error, carry on").
class Transaction {
 public:
  static Result<Transaction> Begin(Connection& conn,
                                   TransactionMode mode = TransactionMode::kImmediate);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();  // rolls back if still open

  // Makes the changes durable. If it fails the transaction is rolled back. FailedPrecondition if
  // already committed or rolled back.
  Status Commit();
  // Undoes the changes now. FailedPrecondition if already committed or rolled back.
  Status Rollback();

 private:
  explicit Transaction(Connection* conn) : conn_(conn) {}
  Connection* conn_;  // nullptr once finished or moved from
};

// The transaction of a write service: its own when the connection has none open, or the
// caller's when it has one (the service then joins it and leaves the commit to the caller).
// Lets one service be called alone (the command line, one HTTP request) or as one step of a
// larger all-or-nothing write (an upload commit, the demo loader).
//
// Example:
//   ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
//   ... writes and the audit entry ...
//   RETURN_IF_ERROR(tx.Commit());  // commits only a transaction it began
class ServiceTransaction {
 public:
  static Result<ServiceTransaction> Begin(Connection& conn,
                                          TransactionMode mode = TransactionMode::kImmediate);
  // Commits an own transaction; a no-op when joined.
  Status Commit();
  bool joined() const { return !own_.has_value(); }

 private:
  std::optional<Transaction> own_;
};

}  // namespace shewhart::db

#endif  // SHEWHART_DB_DB_H_
