// Import throughput (observations per second, validation and SPC recompute included) and the
// time to recompute the stored SPC results of many series, on SQLite.
//
//   build/src/imports/imports_benchmark --benchmark_filter=Import
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "db/db.h"
#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "imports/imports.h"
#include "oversight/spc_store.h"
#include "schema/schema.h"

namespace shewhart::imports {
namespace {

namespace fs = std::filesystem;

struct Fixture {
  fs::path dir;
  std::unique_ptr<db::Connection> conn;
};

// A database with `units` GP practices and `metrics` metrics (half proportions, half values).
Fixture Make(int units, int metrics) {
  Fixture f;
  f.dir = fs::temp_directory_path() / ("shewhart-imports-bench-" + std::to_string(getpid()));
  fs::remove_all(f.dir);
  fs::create_directories(f.dir);
  f.conn = std::move(db::Open("sqlite:" + (f.dir / "b.db").string())).value();
  if (!schema::MigrateAll(*f.conn).ok()) std::abort();
  std::string orgs = "code,name,kind,parent\nSYS,System,system,\n";
  for (int u = 0; u < units; ++u) {
    orgs += "P" + std::to_string(100000 + u) + ",Practice,gp practice,SYS\n";
  }
  std::string ms =
      "code,name,definition,numerator_definition,denominator_definition,unit,measure,"
      "improvement_direction,frequency,domain,status\n";
  for (int m = 0; m < metrics; ++m) {
    ms += "M" + std::to_string(m) + ",Metric,Def," + (m % 2 ? "N,D,%,proportion" : ",,n,value") +
          ",increase,monthly,safe,agreed\n";
  }
  std::ofstream(f.dir / "o.csv") << orgs;
  std::ofstream(f.dir / "m.csv") << ms;
  ImportOptions o{"bench", "2024-01-01T00:00:00Z"};
  if (!ImportOrganisationsFile(*f.conn, (f.dir / "o.csv").string(), o).ok()) std::abort();
  if (!ImportMetricsFile(*f.conn, (f.dir / "m.csv").string(), o).ok()) std::abort();
  return f;
}

void WriteObservations(const fs::path& path, int units, int metrics, int months) {
  std::ofstream out(path);
  out << "metric,unit,period,value,numerator,denominator\n";
  char line[128];
  for (int m = 0; m < metrics; ++m) {
    for (int u = 0; u < units; ++u) {
      for (int t = 0; t < months; ++t) {
        const int total = 2000 * 12 + t;
        if (m % 2) {
          std::snprintf(line, sizeof(line), "M%d,P%d,%04d-%02d-01,,%d,%d\n", m, 100000 + u,
                        total / 12, total % 12 + 1, 50 + (u * 7 + t * 13) % 40, 100);
        } else {
          std::snprintf(line, sizeof(line), "M%d,P%d,%04d-%02d-01,%d,,\n", m, 100000 + u,
                        total / 12, total % 12 + 1, (u * 7 + t * 13) % 40);
        }
        out << line;
      }
    }
  }
}

// args: units, metrics, months. Rows = product.
void BM_ImportObservations(benchmark::State& state) {
  const int units = static_cast<int>(state.range(0)), metrics = static_cast<int>(state.range(1)),
            months = static_cast<int>(state.range(2));
  int64_t rows = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Fixture f = Make(units, metrics);
    WriteObservations(f.dir / "obs.csv", units, metrics, months);
    state.ResumeTiming();
    Result<ImportReport> r = ImportObservationsFile(*f.conn, (f.dir / "obs.csv").string(),
                                                    {"bench", "2024-01-01T00:00:00Z"});
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    rows += r.ok() ? r->added : 0;
    state.PauseTiming();
    f.conn.reset();
    fs::remove_all(f.dir);
    state.ResumeTiming();
  }
  state.counters["rows_per_s"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ImportObservations)
    ->Args({1000, 4, 60})  // 240,000 rows, 4,000 series
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

// Recompute every stored result: args units x metrics series of `months` points.
void BM_RecomputeAll(benchmark::State& state) {
  const int units = static_cast<int>(state.range(0)), metrics = static_cast<int>(state.range(1)),
            months = static_cast<int>(state.range(2));
  Fixture f = Make(units, metrics);
  WriteObservations(f.dir / "obs.csv", units, metrics, months);
  ImportOptions o{"bench", "2024-01-01T00:00:00Z"};
  o.recompute = false;
  if (!ImportObservationsFile(*f.conn, (f.dir / "obs.csv").string(), o).ok()) std::abort();
  auto dir = std::move(directory::Directory::Load(*f.conn)).value();
  auto dict = std::move(dictionary::Dictionary::Load(*f.conn)).value();
  int64_t series = 0;
  for (auto _ : state) {
    auto tx = std::move(db::Transaction::Begin(*f.conn)).value();
    auto s = oversight::RecomputeAllSpc(*f.conn, dir, dict, "2024-02-01T00:00:00Z");
    if (!s.ok() || !tx.Commit().ok()) state.SkipWithError("recompute failed");
    series += s.ok() ? s->series + s->aggregates : 0;
  }
  state.counters["series_per_s"] =
      benchmark::Counter(static_cast<double>(series), benchmark::Counter::kIsRate);
  f.conn.reset();
  fs::remove_all(f.dir);
}
BENCHMARK(BM_RecomputeAll)
    ->Args({10000, 10, 24})  // 100,000 series of 24 months (2.4 million observations)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

}  // namespace
}  // namespace shewhart::imports

BENCHMARK_MAIN();
