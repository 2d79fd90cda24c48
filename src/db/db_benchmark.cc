// Bulk-insert throughput: 1M rows of (metric, unit, period as a day number, value) in one
// transaction, through db::Connection and through each database's raw C API, so the importer's
// benchmark has a baseline. PostgreSQL cases run when SHEWHART_TEST_POSTGRES_URL is set (e.g.
// `bash tools/with-postgres.sh ./build/src/db/db_benchmark`), and are skipped otherwise.
#include <benchmark/benchmark.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "db/db.h"

namespace shewhart::db {
namespace {

constexpr int kRows = 1'000'000;
constexpr std::string_view kCreate =
    "CREATE TABLE bench_obs (metric BIGINT, unit BIGINT, period BIGINT, value DOUBLE PRECISION)";
constexpr std::string_view kDrop = "DROP TABLE IF EXISTS bench_obs";
constexpr std::string_view kInsert =
    "INSERT INTO bench_obs (metric, unit, period, value) VALUES (?, ?, ?, ?)";

struct Obs {
  int64_t metric, unit, period;
  double value;
};
Obs Make(int i) { return {i % 30, i / 30 % 1000, 19'000 + i % 3650, i * 0.37}; }

const std::vector<std::vector<Value>>& Rows() {
  static const auto* rows = [] {
    auto* r = new std::vector<std::vector<Value>>();
    r->reserve(kRows);
    for (int i = 0; i < kRows; ++i) {
      const Obs o = Make(i);
      r->push_back({o.metric, o.unit, o.period, o.value});
    }
    return r;
  }();
  return *rows;
}

std::string SqlitePath() {
  return (std::filesystem::temp_directory_path() /
          ("shewhart-db-bench-" + std::to_string(getpid()) + ".db"))
      .string();
}
void RemoveSqlite(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

void Check(const Status& status, benchmark::State& state) {
  if (!status.ok()) state.SkipWithError(status.ToString().c_str());
}

// Our interface, ExecuteMany over prebuilt rows (the importer's fast path).
void BM_SqliteExecuteMany(benchmark::State& state) {
  const auto& rows = Rows();
  const std::string path = SqlitePath();
  for (auto _ : state) {
    state.PauseTiming();
    RemoveSqlite(path);
    auto conn = std::move(Open("sqlite:" + path)).value();
    Check(conn->Execute(kCreate), state);
    state.ResumeTiming();
    auto tx = std::move(Transaction::Begin(*conn)).value();
    Check(conn->ExecuteMany(kInsert, rows), state);
    Check(tx.Commit(), state);
  }
  RemoveSqlite(path);
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_SqliteExecuteMany)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// Our interface, BulkInsert (COPY on PostgreSQL; the ExecuteMany INSERT on SQLite).
void BM_SqliteBulkInsert(benchmark::State& state) {
  const auto& rows = Rows();
  const std::string path = SqlitePath();
  const std::string_view columns[] = {"metric", "unit", "period", "value"};
  for (auto _ : state) {
    state.PauseTiming();
    RemoveSqlite(path);
    auto conn = std::move(Open("sqlite:" + path)).value();
    Check(conn->Execute(kCreate), state);
    state.ResumeTiming();
    Check(conn->BulkInsert("bench_obs", columns, rows), state);
  }
  RemoveSqlite(path);
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_SqliteBulkInsert)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// Our interface, one Execute per row (cached statement), Values built on the fly.
void BM_SqliteExecutePerRow(benchmark::State& state) {
  const std::string path = SqlitePath();
  for (auto _ : state) {
    state.PauseTiming();
    RemoveSqlite(path);
    auto conn = std::move(Open("sqlite:" + path)).value();
    Check(conn->Execute(kCreate), state);
    state.ResumeTiming();
    auto tx = std::move(Transaction::Begin(*conn)).value();
    for (int i = 0; i < kRows; ++i) {
      const Obs o = Make(i);
      Status s = conn->Execute(kInsert, {o.metric, o.unit, o.period, o.value});
      if (!s.ok()) {
        Check(s, state);
        break;
      }
    }
    Check(tx.Commit(), state);
  }
  RemoveSqlite(path);
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_SqliteExecutePerRow)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// The raw C API with the same pragmas: the ceiling.
void BM_SqliteRawCApi(benchmark::State& state) {
  const std::string path = SqlitePath();
  for (auto _ : state) {
    state.PauseTiming();
    RemoveSqlite(path);
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON",
                 nullptr, nullptr, nullptr);
    sqlite3_exec(db, std::string(kCreate).c_str(), nullptr, nullptr, nullptr);
    state.ResumeTiming();
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, kInsert.data(), static_cast<int>(kInsert.size()), &stmt, nullptr);
    for (int i = 0; i < kRows; ++i) {
      const Obs o = Make(i);
      sqlite3_bind_int64(stmt, 1, o.metric);
      sqlite3_bind_int64(stmt, 2, o.unit);
      sqlite3_bind_int64(stmt, 3, o.period);
      sqlite3_bind_double(stmt, 4, o.value);
      if (sqlite3_step(stmt) != SQLITE_DONE) state.SkipWithError(sqlite3_errmsg(db));
      sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    state.PauseTiming();
    sqlite3_close(db);
    state.ResumeTiming();
  }
  RemoveSqlite(path);
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_SqliteRawCApi)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

const char* PostgresUrl(benchmark::State& state) {
  const char* url = std::getenv("SHEWHART_TEST_POSTGRES_URL");
  if (url == nullptr || *url == '\0') {
    state.SkipWithError("SHEWHART_TEST_POSTGRES_URL is not set");
    return nullptr;
  }
  return url;
}

// Our interface on PostgreSQL: ExecuteMany (libpq pipeline mode, 1000 rows per round trip).
void BM_PostgresExecuteMany(benchmark::State& state) {
  const char* url = PostgresUrl(state);
  if (url == nullptr) return;
  const auto& rows = Rows();
  auto conn = std::move(Open(url)).value();
  for (auto _ : state) {
    state.PauseTiming();
    Check(conn->Execute(kDrop), state);
    Check(conn->Execute(kCreate), state);
    state.ResumeTiming();
    auto tx = std::move(Transaction::Begin(*conn)).value();
    Check(conn->ExecuteMany(kInsert, rows), state);
    Check(tx.Commit(), state);
  }
  Check(conn->Execute(kDrop), state);
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_PostgresExecuteMany)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

// Our interface on PostgreSQL: BulkInsert (COPY FROM STDIN).
void BM_PostgresBulkInsert(benchmark::State& state) {
  const char* url = PostgresUrl(state);
  if (url == nullptr) return;
  const auto& rows = Rows();
  const std::string_view columns[] = {"metric", "unit", "period", "value"};
  auto conn = std::move(Open(url)).value();
  for (auto _ : state) {
    state.PauseTiming();
    Check(conn->Execute(kDrop), state);
    Check(conn->Execute(kCreate), state);
    state.ResumeTiming();
    Check(conn->BulkInsert("bench_obs", columns, rows), state);
  }
  Check(conn->Execute(kDrop), state);
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_PostgresBulkInsert)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

// Our interface on PostgreSQL, one Execute (one round trip) per row: what ExecuteMany avoids.
// 100k rows only, reported per row like the others.
void BM_PostgresExecutePerRow(benchmark::State& state) {
  constexpr int kFewer = 100'000;
  const char* url = PostgresUrl(state);
  if (url == nullptr) return;
  auto conn = std::move(Open(url)).value();
  for (auto _ : state) {
    state.PauseTiming();
    Check(conn->Execute(kDrop), state);
    Check(conn->Execute(kCreate), state);
    state.ResumeTiming();
    auto tx = std::move(Transaction::Begin(*conn)).value();
    for (int i = 0; i < kFewer; ++i) {
      const Obs o = Make(i);
      Status s = conn->Execute(kInsert, {o.metric, o.unit, o.period, o.value});
      if (!s.ok()) {
        Check(s, state);
        break;
      }
    }
    Check(tx.Commit(), state);
  }
  Check(conn->Execute(kDrop), state);
  state.SetItemsProcessed(state.iterations() * kFewer);
}
BENCHMARK(BM_PostgresExecutePerRow)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

// Raw libpq COPY FROM STDIN in text format: PostgreSQL's own bulk path, the ceiling.
void BM_PostgresRawCopy(benchmark::State& state) {
  const char* url = PostgresUrl(state);
  if (url == nullptr) return;
  PGconn* pg = PQconnectdb(url);
  PQsetNoticeProcessor(
      pg, [](void*, const char*) {}, nullptr);
  auto exec = [&](std::string_view sql) { PQclear(PQexec(pg, std::string(sql).c_str())); };
  for (auto _ : state) {
    state.PauseTiming();
    exec(kDrop);
    exec(kCreate);
    state.ResumeTiming();
    exec("BEGIN");
    PQclear(PQexec(pg, "COPY bench_obs (metric, unit, period, value) FROM STDIN"));
    std::string buffer;
    buffer.reserve(1 << 20);
    char num[32];
    auto append = [&](auto v, char sep) {
      auto [end, ec] = std::to_chars(num, num + sizeof(num), v);
      buffer.append(num, end);
      buffer.push_back(sep);
    };
    for (int i = 0; i < kRows; ++i) {
      const Obs o = Make(i);
      append(o.metric, '\t');
      append(o.unit, '\t');
      append(o.period, '\t');
      append(o.value, '\n');
      if (buffer.size() > (1 << 20) - 128) {
        PQputCopyData(pg, buffer.data(), static_cast<int>(buffer.size()));
        buffer.clear();
      }
    }
    PQputCopyData(pg, buffer.data(), static_cast<int>(buffer.size()));
    PQputCopyEnd(pg, nullptr);
    PGresult* res = PQgetResult(pg);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) state.SkipWithError(PQresultErrorMessage(res));
    PQclear(res);
    exec("COMMIT");
  }
  exec(kDrop);
  PQfinish(pg);
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_PostgresRawCopy)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

}  // namespace
}  // namespace shewhart::db

BENCHMARK_MAIN();
