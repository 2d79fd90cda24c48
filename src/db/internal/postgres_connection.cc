#include "db/internal/postgres_connection.h"

#include <libpq-fe.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "db/internal/row_builder.h"
#include "db/internal/sql_text.h"

namespace shewhart::db::internal {
namespace {

// Rows sent per pipeline round trip in ExecuteMany. Small enough that the results of one round
// (a few dozen bytes per row) fit in the socket buffers, so the blocking writes cannot deadlock
// against a server waiting for us to read; large enough to hide the round-trip latency.
constexpr size_t kPipelineRows = 1000;
constexpr size_t kSqlQuoteLimit = 200;
// Seconds libpq waits for a server that does not answer, unless the URL says otherwise.
constexpr std::string_view kDefaultConnectTimeout = "connect_timeout=10";

// Type OIDs (pg_type.dat) that map to kInt / kDouble rather than text.
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

std::string Quote(std::string_view sql) {
  if (sql.size() <= kSqlQuoteLimit) return std::string(sql);
  return std::string(sql.substr(0, kSqlQuoteLimit)) + "...";
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

std::string TrimmedError(const char* text) {
  std::string s = text == nullptr ? "" : text;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Maps a failed result to a Status by SQLSTATE (see the table in db/db.h).
Status MapError(PGconn* conn, const PGresult* result, std::string_view sql) {
  if (PQstatus(conn) == CONNECTION_BAD) {
    return IoError("postgresql: connection lost: " + TrimmedError(PQerrorMessage(conn)));
  }
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state != nullptr ? state : "";
  std::string message = "postgresql: ";
  if (result != nullptr && PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) != nullptr) {
    message += PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    if (const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL)) {
      message += std::string(" (") + detail + ")";
    }
  } else {
    message += TrimmedError(PQerrorMessage(conn));
  }
  if (!sql.empty()) message += " (in: " + Quote(sql) + ")";
  const std::string_view klass = std::string_view(sqlstate).substr(0, 2);
  if (sqlstate == "23505") return Status(StatusCode::kAlreadyExists, std::move(message));
  if (klass == "23" || klass == "25") return FailedPreconditionError(std::move(message));
  if (klass == "40" || klass == "53" || sqlstate == "55P03") {
    return ResourceExhaustedError(std::move(message));
  }
  if (klass == "22") return InvalidArgumentError(std::move(message));
  if (klass == "08" || klass == "57" || klass == "58") return IoError(std::move(message));
  if (sqlstate == "42P18") {
    message += ": write CAST(? AS BIGINT) or similar where a parameter's type is not implied";
  }
  return InternalError(std::move(message));
}

enum class ColumnKind { kInt, kBool, kDouble, kNumeric, kText };

ColumnKind KindOf(Oid type) {
  switch (type) {
    case kInt8Oid:
    case kInt2Oid:
    case kInt4Oid:
    case kOidOid:
      return ColumnKind::kInt;
    case kBoolOid:
      return ColumnKind::kBool;
    case kFloat4Oid:
    case kFloat8Oid:
      return ColumnKind::kDouble;
    case kNumericOid:
      return ColumnKind::kNumeric;
    default:
      return ColumnKind::kText;
  }
}

double ParseDouble(std::string_view text) {
  // PostgreSQL writes the shortest text that round-trips (extra_float_digits = 1), and
  // Infinity / -Infinity / NaN, all of which from_chars reads exactly.
  double v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

Value Convert(ColumnKind kind, const char* data, int length) {
  const std::string_view text(data, length);
  switch (kind) {
    case ColumnKind::kInt: {
      int64_t v = 0;
      std::from_chars(text.data(), text.data() + text.size(), v);
      return Value(v);
    }
    case ColumnKind::kBool:
      return Value(text == "t" ? 1 : 0);
    case ColumnKind::kDouble:
      return Value(ParseDouble(text));
    case ColumnKind::kNumeric: {
      int64_t v = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec == std::errc() && end == text.data() + text.size()) return Value(v);
      return Value(ParseDouble(text));
    }
    case ColumnKind::kText:
      return Value(text);
  }
  return Value();
}

// Parameters in libpq's text format: pointers into the Values' own strings for text, into a
// small per-parameter buffer for numbers; nullptr for NULL.
class ParamText {
 public:
  Status Set(Params params) {
    const size_t n = params.size();
    numbers_.resize(n);
    pointers_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      const Value& value = params.values()[i];
      switch (value.type()) {
        case Value::Type::kNull:
          pointers_[i] = nullptr;
          break;
        case Value::Type::kInt: {
          auto [end, ec] =
              std::to_chars(numbers_[i].data(), numbers_[i].data() + 31, value.AsInt());
          *end = '\0';
          pointers_[i] = numbers_[i].data();
          break;
        }
        case Value::Type::kDouble: {
          const double v = value.AsDouble();
          if (std::isnan(v)) {
            std::strcpy(numbers_[i].data(), "NaN");
          } else if (std::isinf(v)) {
            std::strcpy(numbers_[i].data(), v > 0 ? "Infinity" : "-Infinity");
          } else {
            auto [end, ec] = std::to_chars(numbers_[i].data(), numbers_[i].data() + 31, v);
            *end = '\0';
          }
          pointers_[i] = numbers_[i].data();
          break;
        }
        case Value::Type::kText:
          if (value.AsText().find('\0') != std::string::npos) {
            return InvalidArgumentError("parameter " + std::to_string(i + 1) +
                                        ": PostgreSQL text cannot contain a NUL byte");
          }
          pointers_[i] = value.AsText().c_str();
          break;
      }
    }
    return Status::Ok();
  }
  const char* const* pointers() const { return pointers_.data(); }

 private:
  std::vector<std::array<char, 32>> numbers_;
  std::vector<const char*> pointers_;
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class PostgresConnection final : public Connection {
 public:
  explicit PostgresConnection(PGconn* conn) : conn_(conn) {}
  ~PostgresConnection() override { PQfinish(conn_); }

  Dialect dialect() const override { return Dialect::kPostgres; }

  Status Execute(std::string_view sql, Params params) override {
    ASSIGN_OR_RETURN(ResultPtr result, Run(sql, params));
    return Status::Ok();
  }

  Result<int64_t> ExecuteRowCount(std::string_view sql, Params params) override {
    ASSIGN_OR_RETURN(ResultPtr result, Run(sql, params));
    const char* tuples = PQcmdTuples(result.get());
    int64_t count = 0;
    std::from_chars(tuples, tuples + std::strlen(tuples), count);
    return count;
  }

  Status ExecuteMany(std::string_view sql, std::span<const std::vector<Value>> rows) override {
    ASSIGN_OR_RETURN(const Prepared* prepared, Prepare(sql));
    const bool own_transaction = !in_transaction();
    if (own_transaction) RETURN_IF_ERROR(Execute("BEGIN", {}));
    Status status = Pipeline(*prepared, sql, rows);
    if (own_transaction) {
      if (status.ok()) status = Commit();
      if (!status.ok()) (void)Execute("ROLLBACK", {});
    }
    return status;
  }

  Status BulkInsert(std::string_view table, std::span<const std::string_view> columns,
                    std::span<const std::vector<Value>> rows) override {
    std::string error;
    if (InsertStatement(table, columns, &error).empty()) return InvalidArgumentError(error);
    for (size_t r = 0; r < rows.size(); ++r) {
      if (rows[r].size() != columns.size()) {
        return InvalidArgumentError("row " + std::to_string(r) + ": expected " +
                                    std::to_string(columns.size()) + " values but got " +
                                    std::to_string(rows[r].size()));
      }
    }
    const bool own_transaction = !in_transaction();
    if (own_transaction) RETURN_IF_ERROR(Execute("BEGIN", {}));
    Status status = Copy(table, columns, rows);
    if (own_transaction) {
      if (status.ok()) status = Commit();
      if (!status.ok()) (void)Execute("ROLLBACK", {});
    }
    return status;
  }

  Status ExecuteScript(std::string_view sql) override {
    const std::string text(sql);
    ResultPtr result(PQexec(conn_, text.c_str()));
    const ExecStatusType st = PQresultStatus(result.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
      return MapError(conn_, result.get(), sql);
    }
    // A script may change the schema (a migration): a statement prepared before it could then
    // fail ("cached plan must not change result type", for SELECT *). Prepare afresh.
    if (!cache_.empty()) {
      ResultPtr deallocated(PQexec(conn_, "DEALLOCATE ALL"));
      if (PQresultStatus(deallocated.get()) != PGRES_COMMAND_OK) {
        return MapError(conn_, deallocated.get(), "DEALLOCATE ALL");
      }
      cache_.clear();
    }
    return Status::Ok();
  }

  Status Query(std::string_view sql, Params params, const RowCallback& on_row) override {
    ASSIGN_OR_RETURN(ResultPtr result, Run(sql, params));
    PGresult* res = result.get();
    const int columns = PQnfields(res);
    const int rows = PQntuples(res);
    auto names = std::make_shared<std::vector<std::string>>();
    std::vector<ColumnKind> kinds;
    for (int c = 0; c < columns; ++c) {
      names->emplace_back(PQfname(res, c));
      kinds.push_back(KindOf(PQftype(res, c)));
    }
    Row row;
    RowBuilder::SetNames(row, std::move(names));
    std::vector<Value>& values = RowBuilder::MutableValues(row);
    values.resize(columns);
    for (int r = 0; r < rows; ++r) {
      for (int c = 0; c < columns; ++c) {
        values[c] = PQgetisnull(res, r, c)
                        ? Value()
                        : Convert(kinds[c], PQgetvalue(res, r, c), PQgetlength(res, r, c));
      }
      if (on_row(row) == Flow::kStop) break;
    }
    return Status::Ok();
  }

 private:
  struct Prepared {
    std::string name;
    int parameters = 0;
  };

  Result<const Prepared*> Prepare(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) return &it->second;
    Prepared prepared;
    const std::string numbered = NumberPlaceholders(sql, &prepared.parameters);
    prepared.name = "shewhart_" + std::to_string(++statement_counter_);
    ResultPtr result(PQprepare(conn_, prepared.name.c_str(), numbered.c_str(), 0, nullptr));
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
      return MapError(conn_, result.get(), sql);
    }
    return &cache_.emplace(std::string(sql), std::move(prepared)).first->second;
  }

  Status CheckCount(const Prepared& prepared, Params params, std::string_view sql) {
    if (prepared.parameters != static_cast<int>(params.size())) {
      return InvalidArgumentError("statement expects " + std::to_string(prepared.parameters) +
                                  " parameters but got " + std::to_string(params.size()) + ": " +
                                  Quote(sql));
    }
    return Status::Ok();
  }

  Result<ResultPtr> Run(std::string_view sql, Params params) {
    ASSIGN_OR_RETURN(const Prepared* prepared, Prepare(sql));
    RETURN_IF_ERROR(CheckCount(*prepared, params, sql));
    RETURN_IF_ERROR(param_text_.Set(params));
    ResultPtr result(PQexecPrepared(conn_, prepared->name.c_str(), prepared->parameters,
                                    param_text_.pointers(), nullptr, nullptr, 0));
    const ExecStatusType st = PQresultStatus(result.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      return MapError(conn_, result.get(), sql);
    }
    return result;
  }

  // Sends the rows through libpq's pipeline mode, kPipelineRows per round trip, stopping at the
  // first failing row.
  Status Pipeline(const Prepared& prepared, std::string_view sql,
                  std::span<const std::vector<Value>> rows) {
    for (size_t r = 0; r < rows.size(); ++r) {
      Status status = CheckCount(prepared, rows[r], sql);
      if (!status.ok())
        return Status(status.code(), "row " + std::to_string(r) + ": " + status.message());
    }
    if (PQenterPipelineMode(conn_) != 1) {
      return IoError("postgresql: cannot enter pipeline mode: " +
                     TrimmedError(PQerrorMessage(conn_)));
    }
    Status first_error;
    for (size_t begin = 0; begin < rows.size() && first_error.ok(); begin += kPipelineRows) {
      const size_t end = std::min(rows.size(), begin + kPipelineRows);
      size_t sent = 0;
      for (size_t r = begin; r < end; ++r) {
        Status status = param_text_.Set(rows[r]);
        if (!status.ok()) {
          first_error = Status(status.code(), "row " + std::to_string(r) + ": " + status.message());
          break;
        }
        if (PQsendQueryPrepared(conn_, prepared.name.c_str(), prepared.parameters,
                                param_text_.pointers(), nullptr, nullptr, 0) != 1) {
          first_error = MapError(conn_, nullptr, sql);
          break;
        }
        ++sent;
      }
      if (PQpipelineSync(conn_) != 1) {
        first_error = MapError(conn_, nullptr, sql);
        break;
      }
      // One result (then a nullptr) per query sent, then the sync marker.
      for (size_t k = 0; k < sent; ++k) {
        ResultPtr result(PQgetResult(conn_));
        if (result == nullptr) break;
        const ExecStatusType st = PQresultStatus(result.get());
        if (st == PGRES_FATAL_ERROR && first_error.ok()) {
          Status status = MapError(conn_, result.get(), sql);
          first_error =
              Status(status.code(), "row " + std::to_string(begin + k) + ": " + status.message());
        }
        ResultPtr end_of_query(PQgetResult(conn_));
      }
      for (;;) {
        ResultPtr result(PQgetResult(conn_));
        if (result == nullptr) {
          if (PQstatus(conn_) == CONNECTION_BAD) {
            first_error = MapError(conn_, nullptr, sql);
            return first_error;  // the connection is gone; nothing to exit
          }
          continue;
        }
        if (PQresultStatus(result.get()) == PGRES_PIPELINE_SYNC) break;
      }
    }
    if (PQexitPipelineMode(conn_) != 1 && first_error.ok()) {
      first_error = InternalError("postgresql: cannot leave pipeline mode: " +
                                  TrimmedError(PQerrorMessage(conn_)));
    }
    return first_error;
  }

  // COPY ... FROM STDIN in text format: tab-separated, \N for NULL, backslash escapes.
  Status Copy(std::string_view table, std::span<const std::string_view> columns,
              std::span<const std::vector<Value>> rows) {
    std::string sql = "COPY " + std::string(table) + " (";
    for (size_t i = 0; i < columns.size(); ++i)
      sql += (i > 0 ? ", " : "") + std::string(columns[i]);
    sql += ") FROM STDIN";
    ResultPtr start(PQexec(conn_, sql.c_str()));
    if (PQresultStatus(start.get()) != PGRES_COPY_IN) return MapError(conn_, start.get(), sql);
    constexpr size_t kChunk = size_t{1} << 20;
    std::string buffer;
    buffer.reserve(kChunk + 4096);
    Status row_error;
    char number[32];
    for (size_t r = 0; r < rows.size() && row_error.ok(); ++r) {
      for (size_t c = 0; c < rows[r].size(); ++c) {
        const Value& v = rows[r][c];
        switch (v.type()) {
          case Value::Type::kNull:
            buffer += "\\N";
            break;
          case Value::Type::kInt: {
            auto [end, ec] = std::to_chars(number, number + sizeof(number), v.AsInt());
            buffer.append(number, end);
            break;
          }
          case Value::Type::kDouble: {
            const double d = v.AsDouble();
            if (std::isnan(d)) {
              buffer += "NaN";
            } else if (std::isinf(d)) {
              buffer += d > 0 ? "Infinity" : "-Infinity";
            } else {
              auto [end, ec] = std::to_chars(number, number + sizeof(number), d);
              buffer.append(number, end);
            }
            break;
          }
          case Value::Type::kText:
            if (v.AsText().find('\0') != std::string::npos) {
              row_error = InvalidArgumentError("row " + std::to_string(r) +
                                               ": PostgreSQL text cannot contain a NUL byte");
            }
            AppendCopyText(v.AsText(), &buffer);
            break;
        }
        buffer.push_back(c + 1 == rows[r].size() ? '\n' : '\t');
      }
      if (buffer.size() >= kChunk) {
        if (PQputCopyData(conn_, buffer.data(), static_cast<int>(buffer.size())) != 1) break;
        buffer.clear();
      }
    }
    if (row_error.ok() && !buffer.empty()) {
      PQputCopyData(conn_, buffer.data(), static_cast<int>(buffer.size()));
    }
    PQputCopyEnd(conn_, row_error.ok() ? nullptr : "invalid row");
    Status status;
    for (ResultPtr result(PQgetResult(conn_)); result != nullptr;
         result.reset(PQgetResult(conn_))) {
      if (PQresultStatus(result.get()) != PGRES_COMMAND_OK && status.ok()) {
        status = MapError(conn_, result.get(), sql);
        const char* context = PQresultErrorField(result.get(), PG_DIAG_CONTEXT);
        const char* line = context != nullptr ? std::strstr(context, ", line ") : nullptr;
        int64_t n = 0;
        if (line != nullptr) std::from_chars(line + 7, line + std::strlen(line), n);
        if (n > 0) {
          status = Status(status.code(), "row " + std::to_string(n - 1) + ": " + status.message());
        }
      }
    }
    if (!row_error.ok()) return row_error;
    return status;
  }

  static void AppendCopyText(const std::string& text, std::string* out) {
    if (text.find_first_of("\\\t\n\r") == std::string::npos) {
      out->append(text);
      return;
    }
    for (char ch : text) {
      switch (ch) {
        case '\\':
          out->append("\\\\");
          break;
        case '\t':
          out->append("\\t");
          break;
        case '\n':
          out->append("\\n");
          break;
        case '\r':
          out->append("\\r");
          break;
        default:
          out->push_back(ch);
      }
    }
  }

  // COMMIT of a transaction that already failed answers "ROLLBACK" rather than an error.
  Status Commit() {
    ASSIGN_OR_RETURN(ResultPtr result, Run("COMMIT", {}));
    if (std::strcmp(PQcmdStatus(result.get()), "ROLLBACK") == 0) {
      return FailedPreconditionError(
          "postgresql: the transaction was rolled back because a statement in it failed");
    }
    return Status::Ok();
  }

  Status BeginTransaction(TransactionMode) override { return Execute("BEGIN", {}); }
  Status CommitTransaction() override { return Commit(); }
  Status RollbackTransaction() override { return Execute("ROLLBACK", {}); }

  PGconn* conn_;
  std::unordered_map<std::string, Prepared, StringHash, std::equal_to<>> cache_;
  int statement_counter_ = 0;
  ParamText param_text_;
};

void IgnoreNotice(void*, const char*) {}

}  // namespace

Result<std::unique_ptr<Connection>> OpenPostgres(std::string_view url) {
  std::string conninfo(url);
  if (conninfo.find("connect_timeout") == std::string::npos) {
    conninfo += conninfo.find('?') == std::string::npos ? "?" : "&";
    conninfo += kDefaultConnectTimeout;
  }
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) return IoError("postgresql: out of memory while connecting");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = "cannot connect to PostgreSQL at " + RedactUrl(url) + ": " +
                          TrimmedError(PQerrorMessage(conn));
    PQfinish(conn);
    return IoError(std::move(message));
  }
  auto connection = std::make_unique<PostgresConnection>(conn);
  // Notices ("relation already exists, skipping") are not errors; keep them off stderr.
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  // Settings our value mapping relies on: shortest exact float text, ISO dates, UTC, UTF-8.
  RETURN_IF_ERROR(connection->ExecuteScript(
      "SET extra_float_digits = 1; SET datestyle = 'ISO, YMD'; SET timezone = 'UTC'; "
      "SET client_encoding = 'UTF8'"));
  return std::unique_ptr<Connection>(std::move(connection));
}

}  // namespace shewhart::db::internal
