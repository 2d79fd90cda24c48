#include "stats/r_math.h"

namespace shewhart::stats {

double RMeanNaRm(std::span<const double> x) {
  long double s = 0;
  size_t n = 0;
  for (double v : x) {
    if (!std::isnan(v)) {
      s += v;
      ++n;
    }
  }
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  s /= static_cast<long double>(n);
  if (std::isfinite(static_cast<double>(s))) {
    long double t = 0;
    for (double v : x) {
      if (!std::isnan(v)) t += v - s;
    }
    s += t / static_cast<long double>(n);
  }
  return static_cast<double>(s);
}

double RMeanBelow(std::span<const double> x, double cutoff) {
  long double s = 0;
  size_t n = 0;
  for (double v : x) {
    if (v < cutoff) {
      s += v;
      ++n;
    }
  }
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  s /= static_cast<long double>(n);
  if (std::isfinite(static_cast<double>(s))) {
    long double t = 0;
    for (double v : x) {
      if (v < cutoff) t += v - s;
    }
    s += t / static_cast<long double>(n);
  }
  return static_cast<double>(s);
}

}  // namespace shewhart::stats
