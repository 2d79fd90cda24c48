// Impact for a national portfolio: 10,000 projects, each an outcome measure on a series of 60
// monthly points (a quarter with a real step after the first PDSA cycle), 5% sharing a series
// with another project. bench/README.md records the figures.
#include <benchmark/benchmark.h>

#include <random>

#include "improvement/impact.h"

namespace shewhart::improvement {
namespace {

struct National {
  std::vector<PortfolioSeries> series;
  std::vector<PortfolioClaim> claims;
};

National MakeNational(int projects) {
  National n;
  std::mt19937_64 rng(20261203);
  std::normal_distribution<double> noise(0, 1);
  std::uniform_real_distribution<double> den(500, 3000);
  const int n_series = projects * 95 / 100;
  for (int s = 0; s < n_series; ++s) {
    PortfolioSeries ps{.metric_id = s % 40, .unit_id = s,
                       .multiplier = 1000, .improvement = stats::Direction::kDecrease};
    const bool step = s % 4 == 0;
    for (int i = 0; i < 60; ++i) {
      ps.periods.push_back(DaysFromCivil(2020 + (3 + i) / 12, (3 + i) % 12 + 1, 1));
      ps.values.push_back(10 + noise(rng) - (step && i >= 30 ? 2.5 : 0));
      ps.volumes.push_back(std::round(den(rng)));
    }
    n.series.push_back(std::move(ps));
  }
  for (int p = 0; p < projects; ++p) {
    const size_t s = static_cast<size_t>(p < n_series ? p : (p - n_series) * 7 % n_series);
    n.claims.push_back({.project_id = p + 1, .series = s,
                        .first_pdsa = DaysFromCivil(2022, 8 + p % 3, 1)});
  }
  return n;
}

void BM_NationalPortfolio(benchmark::State& state) {
  const National n = MakeNational(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    Portfolio p = PortfolioImpact(n.series, n.claims);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_NationalPortfolio)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace shewhart::improvement

BENCHMARK_MAIN();
