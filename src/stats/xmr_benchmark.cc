// The MDC kernel alone: points per second on one core, for series of typical lengths.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "stats/xmr.h"

namespace shewhart::stats {
namespace {

void BM_ComputeXmr(benchmark::State& state) {
  const int64_t points_per_series = state.range(0);
  constexpr int64_t kSeries = 1000;
  std::mt19937_64 rng(20261122);
  std::normal_distribution<double> noise(100.0, 10.0);
  std::vector<double> y(static_cast<size_t>(points_per_series * kSeries));
  for (size_t i = 0; i < y.size(); ++i) {
    // A step change two-thirds of the way through each series, so every rule gets exercised.
    const bool after_step = (i % points_per_series) > points_per_series * 2 / 3;
    y[i] = noise(rng) + (after_step ? 25.0 : 0.0);
  }
  XmrOptions options;
  XmrResult result;
  for (auto _ : state) {
    for (int64_t s = 0; s < kSeries; ++s) {
      const std::span<const double> series(y.data() + s * points_per_series,
                                           static_cast<size_t>(points_per_series));
      ComputeXmr(series, {}, 110.0, options, &result);
      benchmark::DoNotOptimize(result.variation);
    }
  }
  state.SetItemsProcessed(state.iterations() * points_per_series * kSeries);
  state.counters["points/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * points_per_series * kSeries),
      benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ComputeXmr)->Arg(24)->Arg(60)->Arg(120)->Arg(1000);

}  // namespace
}  // namespace shewhart::stats

BENCHMARK_MAIN();
