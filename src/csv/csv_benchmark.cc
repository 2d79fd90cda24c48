// Parse throughput of the CSV reader on a typical long-format SPC input (series,date,value,target),
// in memory and streamed from a file through the 1 MiB buffer.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "csv/csv_reader.h"

namespace shewhart::csv {
namespace {

std::string MakeInput(int rows, bool quoted) {
  std::string text = "series,date,value,target\n";
  for (int i = 0; i < rows; ++i) {
    const int s = i / 60, m = i % 60;
    if (quoted) {
      text += "\"Trust " + std::to_string(s) + ", ward \"\"A\"\"\",";
    } else {
      text += "S" + std::to_string(100000 + s) + ",";
    }
    text += std::to_string(2015 + m / 12) + "-" + (m % 12 < 9 ? "0" : "") +
            std::to_string(m % 12 + 1) + "-01," + std::to_string(1000 + (i * 7919) % 997) + "." +
            std::to_string(i % 100) + ",1000\n";
  }
  return text;
}

void Consume(Reader* reader, benchmark::State& state) {
  size_t fields = 0;
  for (;;) {
    const Reader::Step step = reader->Next();
    if (step == Reader::Step::kEnd) break;
    if (step == Reader::Step::kError) {
      state.SkipWithError(reader->error().message().c_str());
      return;
    }
    fields += reader->record().fields.size();
    benchmark::DoNotOptimize(reader->record().fields[0].data());
  }
  benchmark::DoNotOptimize(fields);
}

void BM_ParseInMemory(benchmark::State& state) {
  const std::string text = MakeInput(200000, state.range(0) != 0);
  for (auto _ : state) {
    std::unique_ptr<Reader> reader = Reader::FromString("bench.csv", text);
    Consume(reader.get(), state);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseInMemory)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_ParseFile(benchmark::State& state) {
  const std::string text = MakeInput(1000000, false);
  char path[] = "/tmp/csv_benchmarkXXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0 || write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    state.SkipWithError("cannot write the input file");
    return;
  }
  close(fd);
  for (auto _ : state) {
    Result<std::unique_ptr<Reader>> reader = Reader::Open(path);
    Consume(reader->get(), state);
  }
  unlink(path);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseFile)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace shewhart::csv

BENCHMARK_MAIN();
