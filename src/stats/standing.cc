#include "stats/standing.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

namespace shewhart::stats {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

std::vector<double> RankAverage(std::span<const double> x) {
  std::vector<double> rank(x.size(), kNaN);
  std::vector<size_t> order;
  order.reserve(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    if (!std::isnan(x[i])) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return x[a] < x[b]; });
  // Tied values occupy positions i..j-1 (0-based); each gets the mean position (i + j + 1)/2.
  for (size_t i = 0; i < order.size();) {
    size_t j = i + 1;
    while (j < order.size() && x[order[j]] == x[order[i]]) ++j;
    const double average = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (size_t k = i; k < j; ++k) rank[order[k]] = average;
    i = j;
  }
  return rank;
}

double QuantileType7(std::span<const double> x, double p) {
  std::vector<double> v;
  v.reserve(x.size());
  for (double value : x) {
    if (!std::isnan(value)) v.push_back(value);
  }
  if (v.empty()) return kNaN;
  std::sort(v.begin(), v.end());
  // R: index = 1 + (N − 1)p, lo = ⌊index⌋, hi = ⌈index⌉, h = index − lo;
  // Q = x[lo], or (1 − h)·x[lo] + h·x[hi] when index > lo and x[hi] != x[lo]. Written the same
  // way so the floating-point result is R's to the last bit.
  const double index = 1 + (static_cast<double>(v.size()) - 1) * p;
  const double lo = std::floor(index);
  const double hi = std::ceil(index);
  const double x_lo = v[static_cast<size_t>(lo) - 1];
  const double x_hi = v[std::min(static_cast<size_t>(hi), v.size()) - 1];
  if (!(index > lo) || x_hi == x_lo) return x_lo;
  const double h = index - lo;
  return (1 - h) * x_lo + h * x_hi;
}

Result<StandingResult> ComputeStanding(std::span<const double> values, Direction improvement) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isinf(values[i])) {
      return InvalidArgumentError("row " + std::to_string(i + 1) +
                                  ": the value is infinite; give a finite number or leave it "
                                  "blank for missing");
    }
  }
  StandingResult out;
  out.units.resize(values.size());
  // Rank on the "goodness" scale: negate when higher is better so rank 1 is the best.
  std::vector<double> goodness(values.begin(), values.end());
  if (improvement == Direction::kIncrease) {
    for (double& g : goodness) g = -g;
  }
  const std::vector<double> rank = RankAverage(goodness);

  out.q25 = QuantileType7(values, 0.25);
  out.median = QuantileType7(values, 0.5);
  out.q75 = QuantileType7(values, 0.75);
  out.top_quartile_boundary = improvement == Direction::kIncrease ? out.q75 : out.q25;
  out.best = kNaN;
  for (double v : values) {
    if (std::isnan(v)) continue;
    ++out.n;
    if (std::isnan(out.best) ||
        (improvement == Direction::kIncrease ? v > out.best : v < out.best)) {
      out.best = v;
    }
  }

  for (size_t i = 0; i < values.size(); ++i) {
    UnitStanding& u = out.units[i];
    const double v = values[i];
    u.value = v;
    u.rank = rank[i];
    if (std::isnan(v)) {
      u.quartile = 0;
      u.gap_to_best = kNaN;
      u.gap_to_top_quartile = kNaN;
      continue;
    }
    if (improvement == Direction::kIncrease) {
      u.quartile = v >= out.q75 ? 1 : v >= out.median ? 2 : v >= out.q25 ? 3 : 4;
      u.gap_to_best = out.best - v;
      u.gap_to_top_quartile = std::max(0.0, out.q75 - v);
    } else {
      u.quartile = v <= out.q25 ? 1 : v <= out.median ? 2 : v <= out.q75 ? 3 : 4;
      if (improvement == Direction::kDecrease) {
        u.gap_to_best = v - out.best;
        u.gap_to_top_quartile = std::max(0.0, v - out.q25);
      } else {
        u.gap_to_best = kNaN;
        u.gap_to_top_quartile = kNaN;
      }
    }
  }
  return out;
}

}  // namespace shewhart::stats
