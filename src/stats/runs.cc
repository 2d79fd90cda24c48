#include "stats/runs.h"

#include <algorithm>
#include <array>
#include <boost/math/distributions/binomial.hpp>
#include <cfloat>
#include <cmath>

namespace shewhart::stats {
namespace {

// qbinom(0.05, n - 1, 0.5) for n = 1..100, as tabulated with R in spc-reference.md §2.2. The table
// makes the common case exact by construction; runs_test checks BinomialQuantile against it.
constexpr std::array<int8_t, 100> kCrossingsMinTable = {
    0,  0,  0,  0,  0,  1,  1,  1,  2,  2,  2,  3,  3,  4,  4,  4,  5,  5,  6,  6,
    6,  7,  7,  8,  8,  8,  9,  9,  10, 10, 11, 11, 11, 12, 12, 13, 13, 14, 14, 14,
    15, 15, 16, 16, 17, 17, 17, 18, 18, 19, 19, 20, 20, 21, 21, 21, 22, 22, 23, 23,
    24, 24, 25, 25, 25, 26, 26, 27, 27, 28, 28, 29, 29, 29, 30, 30, 31, 31, 32, 32,
    33, 33, 34, 34, 34, 35, 35, 36, 36, 37, 37, 38, 38, 39, 39, 39, 40, 40, 41, 41};

constexpr double kCrossingsProbability = 0.05;

// One sign per point: +1 above, -1 below, 0 on the line or missing.
int SignOf(double y, double cl) {
  const double d = y - cl;
  if (d > 0) return 1;
  if (d < 0) return -1;
  return 0;  // on the line, or NaN
}

// The common body of both AnalyseRuns overloads; `cl_at(i)` is the centre line of point i.
template <typename ClAt>
RunsAnalysis Analyse(std::span<const double> y, ClAt cl_at) {
  RunsAnalysis r;
  r.n_obs = static_cast<int32_t>(y.size());
  int32_t useful = 0, runs = 0, current = 0, longest = 0;
  int previous = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    const int s = SignOf(y[i], cl_at(i));
    if (s == 0) continue;  // dropped before runs are formed: the runs either side merge
    ++useful;
    if (s == previous) {
      ++current;
    } else {
      ++runs;
      current = 1;
      previous = s;
    }
    if (current > longest) longest = current;
  }
  r.n_useful = useful;
  if (useful == 0) return r;
  r.longest_run = longest;
  r.n_crossings = runs - 1;
  r.longest_run_max = LongestRunMax(useful);
  r.n_crossings_min = CrossingsMin(useful);
  r.signal = r.longest_run > r.longest_run_max || r.n_crossings < r.n_crossings_min;
  return r;
}

}  // namespace

int32_t LongestRunMax(int32_t n_useful) {
  if (n_useful <= 0) return kRunsNotAvailable;
  // log2(n) is never k + 1/2 for an integer n, so the rounding mode cannot matter.
  return static_cast<int32_t>(std::lround(std::log2(static_cast<double>(n_useful)))) + 3;
}

int32_t CrossingsMin(int32_t n_useful) {
  if (n_useful <= 0) return kRunsNotAvailable;
  if (n_useful <= static_cast<int32_t>(kCrossingsMinTable.size())) {
    return kCrossingsMinTable[static_cast<size_t>(n_useful - 1)];
  }
  return BinomialQuantile(kCrossingsProbability, n_useful - 1, 0.5);
}

int32_t BinomialQuantile(double p, int32_t size, double prob) {
  if (size < 0 || !(prob >= 0 && prob <= 1) || !(p > 0 && p < 1)) return -1;
  if (size == 0 || prob == 0) return 0;
  if (prob == 1) return size;
  // R nudges p down by a relative 64 DBL_EPSILON so that a cdf equal to p up to rounding still
  // counts as reaching it (the quantile function is left-continuous).
  const double target = p * (1 - 64 * DBL_EPSILON);
  // Boost's own discrete quantile (rounded up) is a close first guess; the walk below makes the
  // answer exact by R's definition whatever the guess.
  using Policy = boost::math::policies::policy<
      boost::math::policies::discrete_quantile<boost::math::policies::integer_round_up>,
      boost::math::policies::domain_error<boost::math::policies::errno_on_error>,
      boost::math::policies::overflow_error<boost::math::policies::errno_on_error>,
      boost::math::policies::evaluation_error<boost::math::policies::errno_on_error>>;
  const boost::math::binomial_distribution<double, Policy> dist(size, prob);
  double guess = boost::math::quantile(dist, p);
  if (!(guess >= 0)) guess = 0;
  if (guess > size) guess = size;
  auto x = static_cast<int32_t>(guess);
  while (x < size && boost::math::cdf(dist, x) < target) ++x;
  while (x > 0 && boost::math::cdf(dist, x - 1) >= target) --x;
  return x;
}

RunsAnalysis AnalyseRuns(std::span<const double> y, std::span<const double> cl) {
  return Analyse(y.first(std::min(y.size(), cl.size())), [cl](size_t i) { return cl[i]; });
}

RunsAnalysis AnalyseRuns(std::span<const double> y, double cl) {
  return Analyse(y, [cl](size_t) { return cl; });
}

}  // namespace shewhart::stats
