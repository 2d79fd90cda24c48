#include "stats/trend.h"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace shewhart::stats {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The value of the 1-based order statistic at fractional position `pos` of sorted `v`, linearly
// interpolated between neighbours and clamped to [1, size] (Gilbert 1987, §16.5).
double OrderStatistic(const std::vector<double>& v, double pos) {
  pos = std::clamp(pos, 1.0, static_cast<double>(v.size()));
  const double lo = std::floor(pos);
  const size_t i = static_cast<size_t>(lo) - 1;
  if (i + 1 >= v.size() || pos == lo) return v[i];
  const double h = pos - lo;
  return (1 - h) * v[i] + h * v[i + 1];
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

Result<TrendResult> ComputeTrendYears(std::span<const double> years,
                                      std::span<const double> values) {
  if (years.size() != values.size()) {
    return InvalidArgumentError("there are " + std::to_string(years.size()) + " times but " +
                                std::to_string(values.size()) + " values");
  }
  std::vector<double> t, y;
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isinf(values[i])) {
      return InvalidArgumentError("row " + std::to_string(i + 1) + ": the value is infinite");
    }
    if (std::isnan(values[i])) continue;
    if (!std::isfinite(years[i])) {
      return InvalidArgumentError("row " + std::to_string(i + 1) + ": the time is not a number");
    }
    t.push_back(years[i]);
    y.push_back(values[i]);
  }
  const size_t n = t.size();
  if (n < 2) {
    return InvalidArgumentError("a trend needs at least 2 values; got " + std::to_string(n));
  }
  TrendResult out;
  out.n = static_cast<int32_t>(n);

  // Ordinary least squares, centred for accuracy.
  double tbar = 0, ybar = 0;
  for (size_t i = 0; i < n; ++i) {
    tbar += t[i];
    ybar += y[i];
  }
  tbar /= static_cast<double>(n);
  ybar /= static_cast<double>(n);
  double sxx = 0, sxy = 0;
  for (size_t i = 0; i < n; ++i) {
    sxx += (t[i] - tbar) * (t[i] - tbar);
    sxy += (t[i] - tbar) * (y[i] - ybar);
  }
  if (!(sxx > 0)) return InvalidArgumentError("all values are at the same time");
  const double b = sxy / sxx;
  out.ols.slope_per_year = b;
  const double t0 = *std::min_element(t.begin(), t.end());
  out.ols_intercept = ybar - b * (tbar - t0);
  out.ols.lower95 = out.ols.upper95 = out.ols_std_error = kNaN;
  if (n >= 3) {
    double sse = 0;
    for (size_t i = 0; i < n; ++i) {
      const double r = y[i] - (ybar + b * (t[i] - tbar));
      sse += r * r;
    }
    const double df = static_cast<double>(n - 2);
    const double se = std::sqrt(sse / df / sxx);
    const double q = boost::math::quantile(boost::math::students_t(df), 0.975);
    out.ols_std_error = se;
    out.ols.lower95 = b - q * se;
    out.ols.upper95 = b + q * se;
  }

  // Theil–Sen: the median of the slopes of all pairs with distinct times.
  std::vector<double> slopes;
  slopes.reserve(n * (n - 1) / 2);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      if (t[i] == t[j]) {
        return InvalidArgumentError("two values share the same time; give one value per time");
      }
      slopes.push_back((y[j] - y[i]) / (t[j] - t[i]));
    }
  }
  std::sort(slopes.begin(), slopes.end());
  out.n_pairs = static_cast<int32_t>(slopes.size());
  out.theil_sen.slope_per_year = Median(slopes);
  // Sen's interval: C = z·sqrt(Var S), Var S = [n(n−1)(2n+5) − Σ tp(tp−1)(2tp+5)]/18 over groups
  // of tied values; the bounds are the M1-th and (M2+1)-th smallest slopes, M1 = (N − C)/2,
  // M2 = (N + C)/2.
  std::vector<double> sorted_y = y;
  std::sort(sorted_y.begin(), sorted_y.end());
  const double nd = static_cast<double>(n);
  double var_s = nd * (nd - 1) * (2 * nd + 5);
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && sorted_y[j] == sorted_y[i]) ++j;
    const double tp = static_cast<double>(j - i);
    var_s -= tp * (tp - 1) * (2 * tp + 5);
    i = j;
  }
  var_s /= 18;
  const double z = boost::math::quantile(boost::math::normal(), 0.975);
  const double c = z * std::sqrt(var_s);
  const double big_n = static_cast<double>(slopes.size());
  out.theil_sen.lower95 = OrderStatistic(slopes, (big_n - c) / 2);
  out.theil_sen.upper95 = OrderStatistic(slopes, (big_n + c) / 2 + 1);
  return out;
}

Result<TrendResult> ComputeTrend(std::span<const Date> dates, std::span<const double> values) {
  if (dates.size() != values.size()) {
    return InvalidArgumentError("there are " + std::to_string(dates.size()) + " dates but " +
                                std::to_string(values.size()) + " values");
  }
  std::vector<double> years(dates.size());
  for (size_t i = 0; i < dates.size(); ++i) {
    if (i > 0 && dates[i] <= dates[i - 1]) {
      return InvalidArgumentError("row " + std::to_string(i + 1) +
                                  ": dates must be in increasing order with no repeats");
    }
    years[i] = static_cast<double>(dates[i] - (dates.empty() ? 0 : dates[0])) / kDaysPerYear;
  }
  return ComputeTrendYears(years, values);
}

Result<StepChange> TestStepChange(std::span<const double> values,
                                  std::span<const int32_t> group_starts) {
  const int32_t n = static_cast<int32_t>(values.size());
  for (size_t i = 0; i < group_starts.size(); ++i) {
    const int32_t s = group_starts[i];
    if (s <= 0 || s >= n || (i > 0 && s <= group_starts[i - 1])) {
      return InvalidArgumentError("group start " + std::to_string(s) +
                                  " must be after the previous one and inside the series of " +
                                  std::to_string(n) + " points");
    }
  }
  if (group_starts.empty()) {
    return FailedPreconditionError("the series has one recalculation group: nothing to compare");
  }
  const size_t g = group_starts.size();
  const int32_t prev_begin = g >= 2 ? group_starts[g - 2] : 0;
  const int32_t latest_begin = group_starts[g - 1];
  auto moments = [&](int32_t begin, int32_t end, double* mean, double* var) {
    int32_t k = 0;
    double s = 0;
    for (int32_t i = begin; i < end; ++i) {
      if (std::isnan(values[i])) continue;
      s += values[i];
      ++k;
    }
    *mean = k > 0 ? s / k : kNaN;
    double ss = 0;
    for (int32_t i = begin; i < end; ++i) {
      if (std::isnan(values[i])) continue;
      ss += (values[i] - *mean) * (values[i] - *mean);
    }
    *var = k > 1 ? ss / (k - 1) : kNaN;
    return k;
  };
  StepChange out;
  double v1 = 0, v2 = 0;
  out.n_previous = moments(prev_begin, latest_begin, &out.previous_mean, &v1);
  out.n_latest = moments(latest_begin, n, &out.latest_mean, &v2);
  if (out.n_previous < 2 || out.n_latest < 2) {
    return FailedPreconditionError(
        "each of the last two recalculation groups needs at least 2 values; they have " +
        std::to_string(out.n_previous) + " and " + std::to_string(out.n_latest));
  }
  out.difference = out.latest_mean - out.previous_mean;
  const double a = v1 / out.n_previous, b = v2 / out.n_latest;
  const double se = std::sqrt(a + b);
  if (!(se > 0)) {
    // Both groups constant: the difference is exact.
    out.t = out.difference == 0 ? 0 : std::copysign(INFINITY, out.difference);
    out.df = out.n_previous + out.n_latest - 2;
    out.p_value = out.difference == 0 ? 1 : 0;
    out.lower95 = out.upper95 = out.difference;
    out.significant = out.p_value < 0.05;
    return out;
  }
  out.t = out.difference / se;
  out.df = (a + b) * (a + b) / (a * a / (out.n_previous - 1) + b * b / (out.n_latest - 1));
  const boost::math::students_t dist(out.df);
  out.p_value = 2 * boost::math::cdf(boost::math::complement(dist, std::fabs(out.t)));
  const double q = boost::math::quantile(dist, 0.975);
  out.lower95 = out.difference - q * se;
  out.upper95 = out.difference + q * se;
  out.significant = out.p_value < 0.05;
  return out;
}

}  // namespace shewhart::stats
