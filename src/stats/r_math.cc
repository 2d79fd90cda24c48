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

double RMean(std::span<const double> x) {
  if (x.empty()) return std::numeric_limits<double>::quiet_NaN();
  long double s = 0;
  for (double v : x) s += v;
  const long double n = static_cast<long double>(x.size());
  s /= n;
  if (std::isfinite(static_cast<double>(s))) {
    long double t = 0;
    for (double v : x) t += v - s;
    s += t / n;
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
