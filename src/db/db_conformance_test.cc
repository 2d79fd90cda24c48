// The storage conformance suite: one set of tests, run against both drivers.
//
//   sqlite/...    a database file in a fresh temporary directory per test.
//   postgres/...  the server named by SHEWHART_TEST_POSTGRES_URL, in a fresh schema per test
//                 (tools/with-postgres.sh starts a throwaway one). Unset: SKIPPED, unless
//                 SHEWHART_REQUIRE_POSTGRES is set (as CI does), then FAILED.
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "db/db.h"
#include "db/internal/sql_text.h"
#include "db/migrate.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace shewhart::db {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPostgresUrlVariable[] = "SHEWHART_TEST_POSTGRES_URL";
constexpr char kRequirePostgresVariable[] = "SHEWHART_REQUIRE_POSTGRES";

#define ASSERT_OK(expr)                                     \
  do {                                                      \
    const ::shewhart::Status _s = (expr);                   \
    ASSERT_TRUE(_s.ok()) << #expr << ": " << _s.ToString(); \
  } while (false)
#define EXPECT_OK(expr)                                     \
  do {                                                      \
    const ::shewhart::Status _s = (expr);                   \
    EXPECT_TRUE(_s.ok()) << #expr << ": " << _s.ToString(); \
  } while (false)

template <typename T>
T ValueOrDie(Result<T> result) {
  if (!result.ok()) {
    ADD_FAILURE() << result.status().ToString();
    std::abort();
  }
  return std::move(result).value();
}

// ---------------------------------------------------------------------------------------------
// Driver-independent behaviour.

TEST(OpenTest, UnknownSchemeIsInvalidArgumentAndListsTheForms) {
  for (const char* url : {"mysql://root@localhost/db", "", "sqlite", "/tmp/file.db"}) {
    Result<std::unique_ptr<Connection>> conn = Open(url);
    ASSERT_FALSE(conn.ok()) << url;
    EXPECT_EQ(conn.status().code(), StatusCode::kInvalidArgument) << url;
    EXPECT_THAT(conn.status().message(), HasSubstr("sqlite:PATH")) << url;
    EXPECT_THAT(conn.status().message(), HasSubstr("postgresql://")) << url;
  }
  Result<std::unique_ptr<Connection>> empty_path = Open("sqlite:");
  ASSERT_FALSE(empty_path.ok());
  EXPECT_EQ(empty_path.status().code(), StatusCode::kInvalidArgument);
}

TEST(OpenTest, UnreachablePostgresIsIoErrorWithoutThePassword) {
  Result<std::unique_ptr<Connection>> conn =
      Open("postgresql://shewhart:s3cretpw@127.0.0.1:1/nowhere?connect_timeout=2");
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.status().code(), StatusCode::kIoError);
  EXPECT_THAT(conn.status().message(), Not(HasSubstr("s3cretpw")));
  EXPECT_THAT(conn.status().message(), HasSubstr("127.0.0.1"));
}

TEST(OpenTest, SqliteInMissingDirectoryIsIoError) {
  Result<std::unique_ptr<Connection>> conn = Open("sqlite:/nonexistent-dir-shewhart/x.db");
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.status().code(), StatusCode::kIoError);
}

TEST(OpenTest, SqliteFileThatIsNotADatabaseIsIoError) {
  const std::string path = std::filesystem::temp_directory_path() /
                           ("shewhart-notdb-" + std::to_string(getpid()) + ".db");
  {
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("this is not an SQLite database, just some text long enough to have a header", f);
    std::fclose(f);
  }
  Result<std::unique_ptr<Connection>> conn = Open("sqlite:" + path);
  std::filesystem::remove(path);
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.status().code(), StatusCode::kIoError);
}

TEST(SqlTextTest, NumbersPlaceholdersOutsideLiteralsAndComments) {
  int n = 0;
  EXPECT_EQ(internal::NumberPlaceholders("SELECT ? , ?", &n), "SELECT $1 , $2");
  EXPECT_EQ(n, 2);
  EXPECT_EQ(internal::NumberPlaceholders("SELECT '?', 'it''s ?', \"a?\", ? -- what?\n, ?", &n),
            "SELECT '?', 'it''s ?', \"a?\", $1 -- what?\n, $2");
  EXPECT_EQ(n, 2);
  EXPECT_EQ(internal::NumberPlaceholders("/* ? */ VALUES (?)", &n), "/* ? */ VALUES ($1)");
  EXPECT_EQ(n, 1);
  EXPECT_EQ(internal::NumberPlaceholders("SELECT 1", &n), "SELECT 1");
  EXPECT_EQ(n, 0);
}

TEST(SqlTextTest, RedactsPasswords) {
  EXPECT_EQ(internal::RedactUrl("postgresql://u:secret@h:5432/db"), "postgresql://u:***@h:5432/db");
  EXPECT_EQ(internal::RedactUrl("postgresql://u@h/db?password=secret&sslmode=require"),
            "postgresql://u@h/db?password=***&sslmode=require");
  EXPECT_EQ(internal::RedactUrl("postgresql://h:5432/db"), "postgresql://h:5432/db");
}

TEST(ValueTest, ConstructsFromNaturalCppValues) {
  EXPECT_EQ(Value().type(), Value::Type::kNull);
  EXPECT_EQ(Value(nullptr).type(), Value::Type::kNull);
  EXPECT_EQ(Value(42).AsInt(), 42);
  EXPECT_EQ(Value(int64_t{-7}).AsInt(), -7);
  EXPECT_EQ(Value(size_t{7}).AsInt(), 7);
  EXPECT_EQ(Value(2.5).AsDouble(), 2.5);
  EXPECT_EQ(Value(3).AsDouble(), 3.0);
  EXPECT_EQ(Value("x").AsText(), "x");
  EXPECT_EQ(Value(std::string_view("y")).AsText(), "y");
  EXPECT_EQ(Value(std::optional<int64_t>()).type(), Value::Type::kNull);
  EXPECT_EQ(Value(std::optional<double>(1.5)).AsDouble(), 1.5);
  EXPECT_EQ(Value("it's").DebugString(), "'it's'");
}

// ---------------------------------------------------------------------------------------------
// The conformance suite proper.

}  // namespace

// Names the parameter in test listings ("GetParam() = sqlite").
void PrintTo(Dialect dialect, std::ostream* os) { *os << DialectName(dialect); }

namespace {

class DbConformanceTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    static int counter = 0;
    const std::string unique = std::to_string(getpid()) + "_" + std::to_string(++counter);
    if (GetParam() == Dialect::kSqlite) {
      dir_ = std::filesystem::temp_directory_path() / ("shewhart-db-test-" + unique);
      std::filesystem::create_directories(dir_);
      url_ = "sqlite:" + (dir_ / "test.db").string();
    } else {
      const char* base = std::getenv(kPostgresUrlVariable);
      if (base == nullptr || *base == '\0') {
        if (std::getenv(kRequirePostgresVariable) != nullptr) {
          FAIL() << kPostgresUrlVariable << " is not set but " << kRequirePostgresVariable
                 << " is: the PostgreSQL conformance tests must run here";
        }
        GTEST_SKIP() << kPostgresUrlVariable
                     << " is not set: run under tools/with-postgres.sh to test PostgreSQL";
      }
      admin_ = ValueOrDie(Open(base));
      schema_ = "conformance_" + unique;
      // Identifiers only (a pid and a counter): no value is concatenated into SQL.
      ASSERT_OK(admin_->ExecuteScript("DROP SCHEMA IF EXISTS " + schema_ +
                                      " CASCADE; CREATE SCHEMA " + schema_));
      url_ = std::string(base) + (std::strchr(base, '?') ? "&" : "?") + "options=-csearch_path%3D" +
             schema_;
    }
    Result<std::unique_ptr<Connection>> conn = Open(url_);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::move(conn).value();
  }

  void TearDown() override {
    conn_.reset();
    if (admin_ != nullptr) {
      EXPECT_OK(admin_->ExecuteScript("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE"));
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  bool IsPostgres() const { return GetParam() == Dialect::kPostgres; }
  // An auto-numbered primary key column's declaration.
  std::string IdColumn() const {
    return IsPostgres() ? "id BIGSERIAL PRIMARY KEY" : "id INTEGER PRIMARY KEY";
  }
  std::unique_ptr<Connection> OpenAnother() { return ValueOrDie(Open(url_)); }

  int64_t Count(Connection& conn, const std::string& table) {
    Result<std::optional<Row>> row = conn.QueryRow("SELECT COUNT(*) FROM " + table);
    EXPECT_TRUE(row.ok()) << row.status().ToString();
    if (!row.ok() || !row->has_value()) return -1;
    return (*row)->Int(0);
  }
  int64_t Count(const std::string& table) { return Count(*conn_, table); }

  std::filesystem::path dir_;
  std::string schema_;
  std::string url_;
  std::unique_ptr<Connection> admin_;
  std::unique_ptr<Connection> conn_;
};

TEST_P(DbConformanceTest, ReportsItsDialect) {
  EXPECT_EQ(conn_->dialect(), GetParam());
  EXPECT_FALSE(conn_->in_transaction());
}

// A migration script that changes a table does not break statements prepared before it.
TEST_P(DbConformanceTest, StatementsPreparedBeforeASchemaChangeStillWork) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (k INTEGER)"));
  ASSERT_OK(conn_->Execute("INSERT INTO t (k) VALUES (1)"));
  auto before = conn_->QueryRow("SELECT * FROM t");
  ASSERT_TRUE(before.ok() && before->has_value());
  EXPECT_EQ((*before)->values().size(), 1u);
  ASSERT_OK(conn_->ExecuteScript("ALTER TABLE t ADD COLUMN name TEXT"));
  auto after = conn_->QueryRow("SELECT * FROM t");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  ASSERT_TRUE(after->has_value());
  EXPECT_EQ((*after)->values().size(), 2u);
}

TEST_P(DbConformanceTest, IntegersRoundTripIncludingExtremes) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (k INTEGER, v BIGINT)"));
  const std::vector<int64_t> values = {0,
                                       1,
                                       -1,
                                       std::numeric_limits<int64_t>::max(),
                                       std::numeric_limits<int64_t>::min(),
                                       4'294'967'296};
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_OK(conn_->Execute("INSERT INTO t (k, v) VALUES (?, ?)", {i, values[i]}));
  }
  std::vector<Row> rows = ValueOrDie(conn_->QueryAll("SELECT k, v FROM t ORDER BY k"));
  ASSERT_EQ(rows.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(rows[i][1].type(), Value::Type::kInt);
    EXPECT_EQ(rows[i].Int(1), values[i]);
  }
  // Bound integers compare and do arithmetic as integers.
  EXPECT_EQ(Count("t WHERE v > 1"), 2);
  Row sum = *ValueOrDie(conn_->QueryRow("SELECT SUM(v) AS total FROM t WHERE v BETWEEN ? AND ?",
                                        {-1, 4'294'967'296}));
  EXPECT_EQ(sum[0].type(), Value::Type::kInt);  // PostgreSQL's numeric SUM maps back to kInt
  EXPECT_EQ(sum.Int(0), 4'294'967'296);
  EXPECT_EQ(sum.name(0), "total");
}

TEST_P(DbConformanceTest, DoublesRoundTripBitForBit) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (k INTEGER, v DOUBLE PRECISION)"));
  const std::vector<double> values = {0.1,
                                      1.0 / 3.0,
                                      -2.5,
                                      1e-300,
                                      std::numeric_limits<double>::denorm_min(),
                                      std::numeric_limits<double>::max(),
                                      -std::numeric_limits<double>::max(),
                                      std::numeric_limits<double>::epsilon(),
                                      123456789.123456789,
                                      std::numeric_limits<double>::infinity(),
                                      -std::numeric_limits<double>::infinity()};
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_OK(conn_->Execute("INSERT INTO t (k, v) VALUES (?, ?)", {i, values[i]}));
  }
  std::vector<Row> rows = ValueOrDie(conn_->QueryAll("SELECT k, v FROM t ORDER BY k"));
  ASSERT_EQ(rows.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(rows[i][1].type(), Value::Type::kDouble) << i;
    const double got = rows[i].Double(1);
    EXPECT_EQ(std::memcmp(&got, &values[i], sizeof(double)), 0)
        << "expected " << values[i] << " got " << got;
  }
}

TEST_P(DbConformanceTest, NegativeZero) {
  // As a parameter and in expressions the sign survives on both databases.
  Row echoed = *ValueOrDie(conn_->QueryRow("SELECT CAST(? AS DOUBLE PRECISION)", {-0.0}));
  ASSERT_EQ(echoed[0].type(), Value::Type::kDouble);
  EXPECT_EQ(echoed.Double(0), 0.0);
  EXPECT_TRUE(std::signbit(echoed.Double(0)));
  // Stored in a DOUBLE PRECISION column, PostgreSQL keeps the sign; SQLite writes integral REAL
  // values as integers on disk and reads back +0.0 (documented in db.h). Both equal zero.
  ASSERT_OK(conn_->Execute("CREATE TABLE t (v DOUBLE PRECISION)"));
  ASSERT_OK(conn_->Execute("INSERT INTO t (v) VALUES (?)", {-0.0}));
  Row stored = *ValueOrDie(conn_->QueryRow("SELECT v FROM t"));
  ASSERT_EQ(stored[0].type(), Value::Type::kDouble);
  EXPECT_EQ(stored.Double(0), 0.0);
  EXPECT_EQ(std::signbit(stored.Double(0)), IsPostgres());
}

TEST_P(DbConformanceTest, TextRoundTripsAndInjectionStringsAreJustText) {
  ASSERT_OK(conn_->Execute("CREATE TABLE x (k INTEGER, s TEXT)"));
  const std::vector<std::string> values = {
      "",
      "plain",
      "Ysbyty Gwynedd — Betsi Cadwaladr ✓ 日本語 🎉 ñ",
      "'); DROP TABLE x;--",
      "Robert'); DROP TABLE x; --",
      "a;b;c",
      "\"double\" and 'single' quotes",
      "back\\slash \\x00 %s %d $1 ? ??",
      "line one\nline two\ttabbed\r\n",
      std::string(100'000, 'z'),
  };
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_OK(conn_->Execute("INSERT INTO x (k, s) VALUES (?, ?)", {i, values[i]}));
  }
  std::vector<Row> rows = ValueOrDie(conn_->QueryAll("SELECT k, s FROM x ORDER BY k"));
  ASSERT_EQ(rows.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(rows[i].Text(1), values[i]) << i;
  // The table is still there and a bound value matches exactly, not as a pattern.
  EXPECT_EQ(Count("x"), static_cast<int64_t>(values.size()));
  EXPECT_EQ(Count(*conn_, "x WHERE s = '?'"), 0);  // a literal '?' is not a placeholder
  Row found = *ValueOrDie(
      conn_->QueryRow("SELECT k FROM x WHERE s = ? AND s <> '?'", {"'); DROP TABLE x;--"}));
  EXPECT_EQ(found.Int(0), 3);
  EXPECT_FALSE(ValueOrDie(conn_->QueryRow("SELECT k FROM x WHERE s = ?", {"%"})).has_value());
}

TEST_P(DbConformanceTest, NullsAndEmptyTextAreDistinct) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (k INTEGER, i BIGINT, d DOUBLE PRECISION, s TEXT)"));
  ASSERT_OK(conn_->Execute("INSERT INTO t VALUES (?, ?, ?, ?)", {1, nullptr, Value(), ""}));
  ASSERT_OK(conn_->Execute("INSERT INTO t VALUES (?, ?, ?, ?)",
                           {2, std::optional<int64_t>(5), std::optional<double>(), nullptr}));
  std::vector<Row> rows = ValueOrDie(conn_->QueryAll("SELECT i, d, s FROM t ORDER BY k"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows[0].IsNull(0));
  EXPECT_TRUE(rows[0].IsNull(1));
  EXPECT_FALSE(rows[0].IsNull(2));
  EXPECT_EQ(rows[0].OptionalText(2), std::optional<std::string>(""));
  EXPECT_EQ(rows[1].OptionalInt(0), std::optional<int64_t>(5));
  EXPECT_EQ(rows[1].OptionalDouble(1), std::nullopt);
  EXPECT_EQ(rows[1].OptionalText(2), std::nullopt);
  EXPECT_EQ(Count("t WHERE s IS NULL"), 1);
}

TEST_P(DbConformanceTest, WrongParameterCountIsInvalidArgument) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (a INTEGER, b INTEGER)"));
  Status status = conn_->Execute("INSERT INTO t (a, b) VALUES (?, ?)", {1});
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  status = conn_->Execute("INSERT INTO t (a, b) VALUES (?, ?)", {1, 2, 3});
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_EQ(Count("t"), 0);
}

TEST_P(DbConformanceTest, SqlErrorsAreInternalAndNameTheStatement) {
  Status status = conn_->Execute("SELEC 1");
  EXPECT_EQ(status.code(), StatusCode::kInternal) << status.ToString();
  EXPECT_THAT(status.message(), HasSubstr("SELEC 1"));
  status = conn_->Execute("SELECT * FROM no_such_table");
  EXPECT_EQ(status.code(), StatusCode::kInternal) << status.ToString();
  EXPECT_FALSE(conn_->Execute("SELECT 1; SELECT 2").ok());
}

TEST_P(DbConformanceTest, ReturningIdAndRowCounts) {
  ASSERT_OK(conn_->Execute("CREATE TABLE m (" + IdColumn() + ", code TEXT NOT NULL)"));
  constexpr std::string_view kInsert = "INSERT INTO m (code) VALUES (?) RETURNING id";
  const int64_t first = ValueOrDie(conn_->ExecuteReturningId(kInsert, {"A"}));
  const int64_t second = ValueOrDie(conn_->ExecuteReturningId(kInsert, {"B"}));
  EXPECT_GT(first, 0);
  EXPECT_GT(second, first);
  Row row = *ValueOrDie(conn_->QueryRow("SELECT code FROM m WHERE id = ?", {second}));
  EXPECT_EQ(row.Text(0), "B");
  EXPECT_EQ(ValueOrDie(conn_->ExecuteRowCount("UPDATE m SET code = ? WHERE id >= ?", {"C", first})),
            2);
  EXPECT_EQ(ValueOrDie(conn_->ExecuteRowCount("DELETE FROM m WHERE code = ?", {"none"})), 0);
  Result<int64_t> none = conn_->ExecuteReturningId("DELETE FROM m WHERE id = -1 RETURNING id");
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
}

TEST_P(DbConformanceTest, UniqueViolationIsAlreadyExistsNamingTheConstraint) {
  ASSERT_OK(
      conn_->Execute("CREATE TABLE metric (code TEXT NOT NULL, "
                     "CONSTRAINT metric_code_unique UNIQUE (code))"));
  ASSERT_OK(conn_->Execute("INSERT INTO metric (code) VALUES (?)", {"AE4H"}));
  Status status = conn_->Execute("INSERT INTO metric (code) VALUES (?)", {"AE4H"});
  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists) << status.ToString();
  // SQLite names the column (metric.code), PostgreSQL the constraint (metric_code_unique).
  EXPECT_THAT(status.message(), HasSubstr("metric"));
  EXPECT_THAT(status.message(), HasSubstr("code"));
  ASSERT_OK(conn_->Execute("CREATE TABLE p (" + IdColumn() + ")"));
  ASSERT_OK(conn_->Execute("INSERT INTO p (id) VALUES (?)", {7}));
  EXPECT_EQ(conn_->Execute("INSERT INTO p (id) VALUES (?)", {7}).code(),
            StatusCode::kAlreadyExists);
}

TEST_P(DbConformanceTest, OtherConstraintViolationsAreFailedPrecondition) {
  ASSERT_OK(conn_->Execute("CREATE TABLE org (" + IdColumn() + ")"));
  ASSERT_OK(conn_->Execute(
      "CREATE TABLE obs (org_id BIGINT NOT NULL REFERENCES org (id), value DOUBLE PRECISION,"
      " CONSTRAINT value_not_negative CHECK (value >= 0))"));
  ASSERT_OK(conn_->Execute("INSERT INTO org (id) VALUES (?)", {1}));
  ASSERT_OK(conn_->Execute("INSERT INTO obs (org_id, value) VALUES (?, ?)", {1, 2.0}));

  Status foreign_key = conn_->Execute("INSERT INTO obs (org_id, value) VALUES (?, ?)", {99, 1.0});
  EXPECT_EQ(foreign_key.code(), StatusCode::kFailedPrecondition) << foreign_key.ToString();
  std::string lower = foreign_key.message();
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_THAT(lower, HasSubstr("foreign key"));
  Status not_null = conn_->Execute("INSERT INTO obs (org_id, value) VALUES (?, ?)", {nullptr, 1.0});
  EXPECT_EQ(not_null.code(), StatusCode::kFailedPrecondition) << not_null.ToString();
  EXPECT_THAT(not_null.message(), HasSubstr("org_id"));
  Status check = conn_->Execute("INSERT INTO obs (org_id, value) VALUES (?, ?)", {1, -1.0});
  EXPECT_EQ(check.code(), StatusCode::kFailedPrecondition) << check.ToString();
  EXPECT_THAT(check.message(), HasSubstr("value_not_negative"));
  Status referenced = conn_->Execute("DELETE FROM org WHERE id = ?", {1});
  EXPECT_EQ(referenced.code(), StatusCode::kFailedPrecondition) << referenced.ToString();
  EXPECT_EQ(Count("obs"), 1);
}

TEST_P(DbConformanceTest, CommittedTransactionIsVisibleToOthers) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (v INTEGER)"));
  std::unique_ptr<Connection> other = OpenAnother();
  {
    Transaction tx = ValueOrDie(Transaction::Begin(*conn_));
    EXPECT_TRUE(conn_->in_transaction());
    ASSERT_OK(conn_->Execute("INSERT INTO t (v) VALUES (?)", {1}));
    ASSERT_OK(conn_->Execute("INSERT INTO t (v) VALUES (?)", {2}));
    EXPECT_EQ(Count("t"), 2);          // its own writes are visible inside
    EXPECT_EQ(Count(*other, "t"), 0);  // not outside, before commit
    ASSERT_OK(tx.Commit());
    EXPECT_FALSE(conn_->in_transaction());
  }
  EXPECT_EQ(Count(*other, "t"), 2);
}

TEST_P(DbConformanceTest, DestructorRollsBack) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (v INTEGER)"));
  {
    Transaction tx = ValueOrDie(Transaction::Begin(*conn_));
    ASSERT_OK(conn_->Execute("INSERT INTO t (v) VALUES (?)", {1}));
  }
  EXPECT_FALSE(conn_->in_transaction());
  EXPECT_EQ(Count("t"), 0);
  {
    Transaction tx = ValueOrDie(Transaction::Begin(*conn_, TransactionMode::kDeferred));
    ASSERT_OK(conn_->Execute("INSERT INTO t (v) VALUES (?)", {1}));
    ASSERT_OK(tx.Rollback());
    EXPECT_EQ(tx.Commit().code(), StatusCode::kFailedPrecondition);
  }
  EXPECT_EQ(Count("t"), 0);
}

TEST_P(DbConformanceTest, TransactionsDoNotNestAndFinishOnce) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (v INTEGER)"));
  Transaction tx = ValueOrDie(Transaction::Begin(*conn_));
  Result<Transaction> nested = Transaction::Begin(*conn_);
  ASSERT_FALSE(nested.ok());
  EXPECT_EQ(nested.status().code(), StatusCode::kFailedPrecondition);
  // The outer transaction is unharmed by the refused nesting.
  ASSERT_OK(conn_->Execute("INSERT INTO t (v) VALUES (?)", {1}));
  Transaction moved(std::move(tx));
  EXPECT_EQ(tx.Commit().code(), StatusCode::kFailedPrecondition);  // moved-from: finished
  ASSERT_OK(moved.Commit());
  EXPECT_EQ(moved.Commit().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(moved.Rollback().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Count("t"), 1);
  // And a new one can begin afterwards.
  Transaction again = ValueOrDie(Transaction::Begin(*conn_));
  ASSERT_OK(again.Commit());
}

TEST_P(DbConformanceTest, AFailedStatementDoomsTheTransaction) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (v INTEGER PRIMARY KEY)"));
  {
    Transaction tx = ValueOrDie(Transaction::Begin(*conn_));
    ASSERT_OK(conn_->Execute("INSERT INTO t (v) VALUES (?)", {1}));
    EXPECT_EQ(conn_->Execute("INSERT INTO t (v) VALUES (?)", {1}).code(),
              StatusCode::kAlreadyExists);
    // Same rule on both databases: nothing more runs, and Commit refuses.
    EXPECT_EQ(conn_->Execute("INSERT INTO t (v) VALUES (?)", {2}).code(),
              StatusCode::kFailedPrecondition);
    EXPECT_EQ(tx.Commit().code(), StatusCode::kFailedPrecondition);
  }
  EXPECT_EQ(Count("t"), 0);
  ASSERT_OK(conn_->Execute("INSERT INTO t (v) VALUES (?)", {3}));  // the connection recovers
  EXPECT_EQ(Count("t"), 1);
}

TEST_P(DbConformanceTest, PreparedStatementsAreReusedWithDifferentValues) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (k INTEGER, s TEXT, d DOUBLE PRECISION)"));
  constexpr std::string_view kInsert = "INSERT INTO t (k, s, d) VALUES (?, ?, ?)";
  constexpr int kRows = 2000;
  for (int i = 0; i < kRows; ++i) {
    // Alternate NULLs and values in the same cached statement.
    ASSERT_OK(conn_->Execute(kInsert, {i, i % 3 == 0 ? Value() : Value("s" + std::to_string(i)),
                                       i % 5 == 0 ? Value() : Value(i * 0.5)}));
  }
  constexpr std::string_view kSelect = "SELECT s, d FROM t WHERE k = ?";
  for (int i : {0, 1, 2, 5, 1999}) {
    Row row = *ValueOrDie(conn_->QueryRow(kSelect, {i}));
    EXPECT_EQ(row.OptionalText(0),
              i % 3 == 0 ? std::nullopt : std::optional<std::string>("s" + std::to_string(i)));
    EXPECT_EQ(row.OptionalDouble(1), i % 5 == 0 ? std::nullopt : std::optional<double>(i * 0.5));
  }
  EXPECT_EQ(Count("t"), kRows);
}

TEST_P(DbConformanceTest, QueryCallbackMayRunStatementsIncludingItsOwn) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (k INTEGER)"));
  ASSERT_OK(conn_->Execute("CREATE TABLE u (k INTEGER, n INTEGER)"));
  for (int i = 1; i <= 5; ++i) ASSERT_OK(conn_->Execute("INSERT INTO t (k) VALUES (?)", {i}));
  constexpr std::string_view kSelect = "SELECT k FROM t WHERE k >= ? ORDER BY k";
  int outer = 0;
  Status inner_error;
  ASSERT_OK(conn_->Query(kSelect, {1}, [&](const Row& row) {
    ++outer;
    // The same SQL text again, while the outer query is still open.
    Result<std::vector<Row>> rest = conn_->QueryAll(kSelect, {row.Int(0)});
    if (!rest.ok()) {
      inner_error = rest.status();
      return Flow::kStop;
    }
    inner_error = conn_->Execute("INSERT INTO u (k, n) VALUES (?, ?)",
                                 {row.Int(0), static_cast<int64_t>(rest->size())});
    return inner_error.ok() ? Flow::kContinue : Flow::kStop;
  }));
  ASSERT_OK(inner_error);
  EXPECT_EQ(outer, 5);
  std::vector<Row> rows = ValueOrDie(conn_->QueryAll("SELECT k, n FROM u ORDER BY k"));
  ASSERT_EQ(rows.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(rows[i].Int(1), 5 - i);
}

TEST_P(DbConformanceTest, QueryStopsEarlyAndReleasesTheStatement) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (k INTEGER)"));
  std::vector<std::vector<Value>> rows;
  for (int i = 0; i < 1000; ++i) rows.push_back({i});
  ASSERT_OK(conn_->ExecuteMany("INSERT INTO t (k) VALUES (?)", rows));
  std::vector<int64_t> seen;
  ASSERT_OK(conn_->Query("SELECT k FROM t ORDER BY k", {}, [&](const Row& row) {
    seen.push_back(row.Int(0));
    return seen.size() == 3 ? Flow::kStop : Flow::kContinue;
  }));
  EXPECT_EQ(seen, (std::vector<int64_t>{0, 1, 2}));
  EXPECT_FALSE(ValueOrDie(conn_->QueryRow("SELECT k FROM t WHERE k < 0")).has_value());
  // No read is left open: another connection can write and this one can change the schema.
  std::unique_ptr<Connection> other = OpenAnother();
  ASSERT_OK(other->Execute("INSERT INTO t (k) VALUES (?)", {1000}));
  ASSERT_OK(conn_->Execute("DROP TABLE t"));
}

TEST_P(DbConformanceTest, BulkInsertOf100kRowsInOneTransaction) {
  ASSERT_OK(
      conn_->Execute("CREATE TABLE obs (metric BIGINT, unit BIGINT, period BIGINT, "
                     "value DOUBLE PRECISION, PRIMARY KEY (metric, unit, period))"));
  constexpr int kRows = 100'000;
  std::vector<std::vector<Value>> rows;
  rows.reserve(kRows);
  for (int i = 0; i < kRows; ++i) rows.push_back({i % 37, i / 37, 19'000 + i % 97, i * 0.25});
  // Keys must be unique: (i%37, i/37) already is.
  Transaction tx = ValueOrDie(Transaction::Begin(*conn_));
  ASSERT_OK(conn_->ExecuteMany("INSERT INTO obs (metric, unit, period, value) VALUES (?, ?, ?, ?)",
                               rows));
  ASSERT_OK(tx.Commit());
  Row totals = *ValueOrDie(conn_->QueryRow("SELECT COUNT(*), SUM(value), MAX(unit) FROM obs"));
  EXPECT_EQ(totals.Int(0), kRows);
  EXPECT_DOUBLE_EQ(totals.Double(1), 0.25 * (double{kRows} - 1) * kRows / 2);
  EXPECT_EQ(totals.Int(2), (kRows - 1) / 37);
}

TEST_P(DbConformanceTest, BulkInsertIsAllOrNothingAndNamesTheFailingRow) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (k INTEGER PRIMARY KEY, s TEXT)"));
  std::vector<std::vector<Value>> rows;
  for (int i = 0; i < 5000; ++i) rows.push_back({i, "row"});
  rows[4321] = {17, "duplicate of row 17"};
  Status status = conn_->ExecuteMany("INSERT INTO t (k, s) VALUES (?, ?)", rows);
  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists) << status.ToString();
  EXPECT_THAT(status.message(), HasSubstr("row 4321"));
  EXPECT_FALSE(conn_->in_transaction());
  EXPECT_EQ(Count("t"), 0);
  // A short parameter list in the middle is refused with its row named, before anything lands.
  rows[4321] = {4321};
  status = conn_->ExecuteMany("INSERT INTO t (k, s) VALUES (?, ?)", rows);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_THAT(status.message(), HasSubstr("row 4321"));
  EXPECT_EQ(Count("t"), 0);
  rows[4321] = {4321, "fixed"};
  ASSERT_OK(conn_->ExecuteMany("INSERT INTO t (k, s) VALUES (?, ?)", rows));
  EXPECT_EQ(Count("t"), 5000);
}

TEST_P(DbConformanceTest, BulkInsertRoundTripsAwkwardValues) {
  ASSERT_OK(
      conn_->Execute("CREATE TABLE t (k BIGINT PRIMARY KEY, i BIGINT, d DOUBLE PRECISION, "
                     "s TEXT)"));
  const std::vector<std::string> texts = {
      "tab\there", "new\nline", "cr\rlf\r\n", "back\\slash",        "\\N",
      "\\.",       "",          "ünï ✓ 🎉",    "'); DROP TABLE t;--"};
  std::vector<std::vector<Value>> rows;
  for (size_t i = 0; i < texts.size(); ++i) {
    rows.push_back({i,
                    i % 2 == 0 ? Value(std::numeric_limits<int64_t>::min() + int64_t(i)) : Value(),
                    i % 3 == 0 ? Value() : Value(1.0 / (i + 3)), texts[i]});
  }
  rows.push_back({100, std::numeric_limits<int64_t>::max(),
                  std::numeric_limits<double>::denorm_min(), nullptr});
  const std::string_view columns[] = {"k", "i", "d", "s"};
  ASSERT_OK(conn_->BulkInsert("t", columns, rows));
  std::vector<Row> got = ValueOrDie(conn_->QueryAll("SELECT k, i, d, s FROM t ORDER BY k"));
  ASSERT_EQ(got.size(), rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t c = 0; c < 4; ++c) EXPECT_EQ(got[r][c], rows[r][c]) << "row " << r << " col " << c;
  }
}

TEST_P(DbConformanceTest, BulkInsertIsAllOrNothingAndChecksNames) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (k INTEGER PRIMARY KEY, s TEXT NOT NULL)"));
  std::vector<std::vector<Value>> rows;
  for (int i = 0; i < 3000; ++i) rows.push_back({i, "x"});
  rows[2500] = {2500, nullptr};
  const std::string_view columns[] = {"k", "s"};
  Status status = conn_->BulkInsert("t", columns, rows);
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition) << status.ToString();
  EXPECT_THAT(status.message(), HasSubstr("row 2500"));
  EXPECT_EQ(Count("t"), 0);
  rows[2500] = {7, "x"};
  status = conn_->BulkInsert("t", columns, rows);
  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists) << status.ToString();
  EXPECT_EQ(Count("t"), 0);
  rows[2500] = {2500};
  EXPECT_EQ(conn_->BulkInsert("t", columns, rows).code(), StatusCode::kInvalidArgument);
  rows[2500] = {2500, "x"};
  const std::string_view bad_column[] = {"k", "s; DROP TABLE t"};
  EXPECT_EQ(conn_->BulkInsert("t", bad_column, rows).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(conn_->BulkInsert("t(k)", columns, rows).code(), StatusCode::kInvalidArgument);
  {
    // Inside a transaction it joins it: rolled back with it.
    Transaction tx = ValueOrDie(Transaction::Begin(*conn_));
    ASSERT_OK(conn_->BulkInsert("t", columns, rows));
    EXPECT_EQ(Count("t"), 3000);
  }
  EXPECT_EQ(Count("t"), 0);
  ASSERT_OK(conn_->BulkInsert("t", columns, rows));
  EXPECT_EQ(Count("t"), 3000);
}

TEST_P(DbConformanceTest, UnicodeTextSortsAndComparesByValue) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (s TEXT)"));
  for (const char* s : {"Åland", "Zeta", "alpha", "Ωmega"}) {
    ASSERT_OK(conn_->Execute("INSERT INTO t (s) VALUES (?)", {s}));
  }
  Row row = *ValueOrDie(conn_->QueryRow("SELECT COUNT(*) FROM t WHERE s = ?", {"Ωmega"}));
  EXPECT_EQ(row.Int(0), 1);
}

// ---------------------------------------------------------------------------------------------
// Migrations.

constexpr Migration kMigrationsV2[] = {
    {1, "organisation",
     "CREATE TABLE organisation (id INTEGER PRIMARY KEY, ods_code TEXT NOT NULL UNIQUE);",
     "CREATE TABLE organisation (id BIGSERIAL PRIMARY KEY, ods_code TEXT NOT NULL UNIQUE);"},
    {2, "organisation name",
     "ALTER TABLE organisation ADD COLUMN name TEXT; "
     "CREATE INDEX organisation_name ON organisation (name);",
     ""},
};
constexpr Migration kMigrationsV3[] = {
    kMigrationsV2[0],
    kMigrationsV2[1],
    {3, "metric", "CREATE TABLE metric (code TEXT PRIMARY KEY, name TEXT NOT NULL);", ""},
};

TEST_P(DbConformanceTest, MigrateAppliesInOrderAndIsIdempotent) {
  EXPECT_EQ(ValueOrDie(SchemaVersion(*conn_)), 0);
  ASSERT_OK(Migrate(*conn_, kMigrationsV2));
  EXPECT_EQ(ValueOrDie(SchemaVersion(*conn_)), 2);
  ASSERT_OK(conn_->Execute("INSERT INTO organisation (ods_code, name) VALUES (?, ?)",
                           {"RWD", "United Lincolnshire"}));
  ASSERT_OK(Migrate(*conn_, kMigrationsV2));  // a no-op: would fail if re-applied
  ASSERT_OK(Migrate(*conn_, kMigrationsV3));  // only version 3 is new
  EXPECT_EQ(ValueOrDie(SchemaVersion(*conn_)), 3);
  EXPECT_EQ(Count("organisation"), 1);
  std::vector<Row> applied =
      ValueOrDie(conn_->QueryAll("SELECT version, name, applied_at FROM schema_migrations "
                                 "ORDER BY version"));
  ASSERT_EQ(applied.size(), 3u);
  EXPECT_EQ(applied[1].Int(0), 2);
  EXPECT_EQ(applied[1].Text(1), "organisation name");
  EXPECT_EQ(applied[2].Text(2).size(), 20u);  // 2025-01-31T12:00:00Z
}

TEST_P(DbConformanceTest, MigrateRefusesADatabaseNewerThanTheCode) {
  ASSERT_OK(Migrate(*conn_, kMigrationsV3));
  Status status = Migrate(*conn_, kMigrationsV2);
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition) << status.ToString();
  EXPECT_THAT(status.message(), HasSubstr("version 3"));
  EXPECT_THAT(status.message(), HasSubstr("newer"));
  EXPECT_EQ(ValueOrDie(SchemaVersion(*conn_)), 3);
}

TEST_P(DbConformanceTest, MigrateRefusesRewrittenHistoryAndBadOrder) {
  ASSERT_OK(Migrate(*conn_, std::span<const Migration>(kMigrationsV2, 1)));
  const Migration renamed[] = {
      {1, "organisations (renamed)", kMigrationsV2[0].sql_sqlite, kMigrationsV2[0].sql_postgres}};
  EXPECT_EQ(Migrate(*conn_, renamed).code(), StatusCode::kFailedPrecondition);
  const Migration unordered[] = {kMigrationsV2[1], kMigrationsV2[0]};
  EXPECT_EQ(Migrate(*conn_, unordered).code(), StatusCode::kInvalidArgument);
  const Migration zero[] = {{0, "zero", "SELECT 1", ""}};
  EXPECT_EQ(Migrate(*conn_, zero).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValueOrDie(SchemaVersion(*conn_)), 1);
}

TEST_P(DbConformanceTest, AFailingMigrationLeavesNothingBehind) {
  const Migration broken[] = {
      kMigrationsV2[0],
      {2, "half good", "CREATE TABLE half (x INTEGER); CREATE TABLE broken (", ""},
  };
  Status status = Migrate(*conn_, broken);
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("migration 2 (half good)"));
  EXPECT_EQ(ValueOrDie(SchemaVersion(*conn_)), 1);
  EXPECT_FALSE(conn_->in_transaction());
  // The first statement of the failed script was rolled back with it.
  EXPECT_EQ(conn_->Execute("SELECT * FROM half").code(), StatusCode::kInternal);
}

TEST_P(DbConformanceTest, ConcurrentMigrationsApplyEachVersionOnce) {
  constexpr int kThreads = 4;
  std::vector<std::unique_ptr<Connection>> conns;
  for (int i = 0; i < kThreads; ++i) conns.push_back(OpenAnother());
  std::vector<Status> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] { results[i] = Migrate(*conns[i], kMigrationsV3); });
  }
  for (std::thread& t : threads) t.join();
  for (const Status& s : results) EXPECT_OK(s);
  EXPECT_EQ(Count("schema_migrations"), 3);
  EXPECT_EQ(ValueOrDie(SchemaVersion(*conn_)), 3);
}

TEST_P(DbConformanceTest, ConcurrentMigrationsFromSeparateProcesses) {
  constexpr int kProcesses = 3;
  // A child must not inherit an open SQLite connection (SQLite's per-process lock bookkeeping
  // would be copied but not the locks): close ours across the fork.
  conn_.reset();
  std::vector<pid_t> children;
  for (int i = 0; i < kProcesses; ++i) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // Child: its own connection, then exit without running the parent's destructors.
      Result<std::unique_ptr<Connection>> conn = Open(url_);
      if (!conn.ok()) _exit(10);
      _exit(Migrate(**conn, kMigrationsV3).ok() ? 0 : 11);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int wstatus = 0;
    ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
    ASSERT_TRUE(WIFEXITED(wstatus));
    EXPECT_EQ(WEXITSTATUS(wstatus), 0);
  }
  conn_ = OpenAnother();
  EXPECT_EQ(Count("schema_migrations"), 3);
}

INSTANTIATE_TEST_SUITE_P(Drivers, DbConformanceTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgres),
                         [](const ::testing::TestParamInfo<Dialect>& info) {
                           return info.param == Dialect::kSqlite ? std::string("sqlite")
                                                                 : std::string("postgres");
                         });

}  // namespace
}  // namespace shewhart::db
