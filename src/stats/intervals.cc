#include "stats/intervals.h"

#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

namespace shewhart::stats {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// qchisq(p, df) with R's convention qchisq(p, 0) = 0.
double ChiSquareQuantile(double p, double df) {
  if (df <= 0) return 0;
  return boost::math::quantile(boost::math::chi_squared(df), p);
}

// A number for an error message, with as many digits as it needs ("0.5", "1e+30").
std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// Unweighted least-squares slope of y on t over points 0..n-1 except `skip` (-1: none).
double OlsSlope(const double* t, const double* y, int32_t n, int32_t skip) {
  double st = 0, sy = 0, m = 0;
  for (int32_t i = 0; i < n; ++i) {
    if (i == skip) continue;
    st += t[i];
    sy += y[i];
    m += 1;
  }
  const double tbar = st / m, ybar = sy / m;
  double sxy = 0, sxx = 0;
  for (int32_t i = 0; i < n; ++i) {
    if (i == skip) continue;
    sxy += (t[i] - tbar) * (y[i] - ybar);
    sxx += (t[i] - tbar) * (t[i] - tbar);
  }
  return sxy / sxx;
}

// Fingertips' inverse-variance weighted slope (§4.6 "other"); beta_out gets its standard error.
double WeightedSlope(const double* t, const double* y, const double* w, int32_t n, int32_t skip,
                     double* beta_out) {
  double s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0;
  for (int32_t i = 0; i < n; ++i) {
    if (i == skip) continue;
    s1 += w[i];
    s2 += w[i] * y[i] * t[i];
    s3 += w[i] * t[i];
    s4 += w[i] * y[i];
    s5 += w[i] * t[i] * t[i];
  }
  const double den = s1 * s5 - s3 * s3;
  if (beta_out != nullptr) *beta_out = std::sqrt(s1 / den);
  return (s1 * s2 - s3 * s4) / den;
}

// The start of the 5 most recent points of the latest unbroken run of valid points, or -1.
int32_t LastFiveStart(const std::vector<char>& valid) {
  const int32_t n = static_cast<int32_t>(valid.size());
  int32_t end = n;
  while (end > 0 && !valid[end - 1]) --end;
  int32_t begin = end;
  while (begin > 0 && valid[begin - 1]) --begin;
  if (end - begin < kTrendMarkerPoints) return -1;
  return end - kTrendMarkerPoints;
}

// Marker from chi-square and the six slopes (full first).
void Decide(TrendMarkerResult* r) {
  bool positive = r->slope >= 0;
  bool stable = true;
  for (double s : r->leave_one_out) {
    if ((s >= 0) != positive) stable = false;
  }
  if (!(r->chi_squared > kTrendMarkerThreshold)) {
    r->marker = TrendMarker::kNoSignificantChange;
  } else if (!stable) {
    r->marker = TrendMarker::kNoSignificantChange;
    r->reason = "outlier found";
  } else {
    r->marker = r->slope > 0 ? TrendMarker::kIncreasing : TrendMarker::kDecreasing;
  }
}

Comparison ApplyPolarity(Comparison c, Polarity polarity) {
  if (polarity == Polarity::kNotApplicable) return Comparison::kNone;
  if (polarity == Polarity::kLowIsGood) {
    if (c == Comparison::kBetter) return Comparison::kWorse;
    if (c == Comparison::kWorse) return Comparison::kBetter;
  }
  return c;
}

}  // namespace

Result<double> NormalizeConfidence(double confidence) {
  double c = confidence >= 90 ? confidence / 100 : confidence;
  if (!(c >= 0.9 && c <= 1)) {
    return InvalidArgumentError("confidence " + Num(confidence) +
                                " is not between 0.9 and 1 (or 90 and 100)");
  }
  return c;
}

double TwoSidedZ(double confidence) {
  return boost::math::quantile(boost::math::normal(), confidence + (1 - confidence) / 2);
}

Result<Interval> WilsonInterval(double x, double n, double confidence) {
  ASSIGN_OR_RETURN(const double c, NormalizeConfidence(confidence));
  if (!(n > 0) || !std::isfinite(n)) {
    return InvalidArgumentError("denominator " + Num(n) + " must be a positive number");
  }
  if (!(x >= 0 && x <= n)) {
    return InvalidArgumentError("numerator " + Num(x) + " must be between 0 and the denominator " +
                                Num(n));
  }
  if (c == 1) return Interval{0, 1};
  const double z = TwoSidedZ(c);
  const double z2 = z * z;
  const double root = z * std::sqrt(z2 + 4 * x * (1 - x / n));
  const double den = 2 * (n + z2);
  return Interval{(2 * x + z2 - root) / den, (2 * x + z2 + root) / den};
}

Result<Interval> ByarInterval(double x, double confidence) {
  ASSIGN_OR_RETURN(const double c, NormalizeConfidence(confidence));
  if (!(x >= 0) || !std::isfinite(x)) {
    return InvalidArgumentError("count " + Num(x) + " must be a non-negative number");
  }
  const double z = TwoSidedZ(c);
  double lower = kNaN;
  if (x > 0) {
    lower = x * std::pow(1 - 1 / (9 * x) - z / (3 * std::sqrt(x)), 3);
    if (lower < 0) lower = kNaN;  // PHE returns NA for a negative Byar bound
  }
  const double x1 = x + 1;
  const double upper = x1 * std::pow(1 - 1 / (9 * x1) + z / (3 * std::sqrt(x1)), 3);
  return Interval{lower, upper};
}

Result<Interval> ExactPoissonInterval(double x, double confidence) {
  ASSIGN_OR_RETURN(const double c, NormalizeConfidence(confidence));
  if (!(x >= 0) || !std::isfinite(x)) {
    return InvalidArgumentError("count " + Num(x) + " must be a non-negative number");
  }
  const double alpha = 1 - c;
  if (c == 1) return Interval{0, std::numeric_limits<double>::infinity()};
  return Interval{ChiSquareQuantile(alpha / 2, 2 * x) / 2,
                  ChiSquareQuantile(1 - alpha / 2, 2 * x + 2) / 2};
}

std::string_view Name(IntervalMethod m) {
  switch (m) {
    case IntervalMethod::kWilson:
      return "Wilson";
    case IntervalMethod::kExact:
      return "Exact";
    case IntervalMethod::kByar:
      return "Byars";
  }
  return "";
}

Result<Estimate> Proportion(double x, double n, double confidence, double multiplier) {
  ASSIGN_OR_RETURN(const Interval ci, WilsonInterval(x, n, confidence));
  return Estimate{x / n * multiplier, ci.lower * multiplier, ci.upper * multiplier,
                  IntervalMethod::kWilson};
}

Result<Estimate> PoissonCount(double x, double confidence) {
  if (x < kByarFromCount) {
    ASSIGN_OR_RETURN(const Interval ci, ExactPoissonInterval(x, confidence));
    return Estimate{x, ci.lower, ci.upper, IntervalMethod::kExact};
  }
  ASSIGN_OR_RETURN(const Interval ci, ByarInterval(x, confidence));
  return Estimate{x, ci.lower, ci.upper, IntervalMethod::kByar};
}

Result<Estimate> CrudeRate(double x, double n, double confidence, double multiplier) {
  if (!(n > 0) || !std::isfinite(n)) {
    return InvalidArgumentError("denominator " + Num(n) + " must be a positive number");
  }
  ASSIGN_OR_RETURN(Estimate e, PoissonCount(x, confidence));
  const double scale = multiplier / n;
  return Estimate{x * scale, e.lower * scale, e.upper * scale, e.method};
}

Result<Estimate> StandardisedRatio(double observed, double expected, double confidence,
                                   double refvalue) {
  if (!(expected > 0) || !std::isfinite(expected)) {
    return InvalidArgumentError("expected count " + Num(expected) + " must be a positive number");
  }
  ASSIGN_OR_RETURN(Estimate e, PoissonCount(observed, confidence));
  const double scale = refvalue / expected;
  return Estimate{observed * scale, e.lower * scale, e.upper * scale, e.method};
}

double PoissonProbabilityBetween(double lambda, double a, double b) {
  // Terms q_k = lambda^k/k! up to a common factor; rescaled to stay finite. Replicates the
  // reference's stopping rule so the bisection below takes the same path.
  double q = 1, tot = 0, s = 0;
  double k = 0;
  while (k <= lambda || q > tot * 1e-10) {
    tot += q;
    if (a <= k && k <= b) s += q;
    if (tot > 1e30) {
      s /= 1e30;
      tot /= 1e30;
      q /= 1e30;
    }
    k += 1;
    q *= lambda / k;
  }
  return s / tot;
}

double PoissonBisect(double observed, double p, BisectSide side) {
  double v = 0.5, dv = 0.5;
  while (dv > 1e-7) {
    dv /= 2;
    const double lambda = (1 + observed) * v / (1 - v);
    if (side == BisectSide::kLow) {
      if (PoissonProbabilityBetween(lambda, observed, 1e10) > p) {
        v -= dv;
      } else {
        v += dv;
      }
    } else {
      if (PoissonProbabilityBetween(lambda, 0, observed) < p) {
        v -= dv;
      } else {
        v += dv;
      }
    }
  }
  return (1 + observed) * v / (1 - v);
}

std::string_view Name(Comparison c) {
  switch (c) {
    case Comparison::kNone:
      return "none";
    case Comparison::kSame:
      return "same";
    case Comparison::kBetter:
      return "better";
    case Comparison::kWorse:
      return "worse";
  }
  return "";
}

Comparison CompareSingleOverlappingCi(double value, double lower, double upper, double benchmark,
                                      Polarity polarity) {
  if (std::isnan(value) || std::isnan(lower) || std::isnan(upper) || std::isnan(benchmark)) {
    return Comparison::kNone;
  }
  Comparison c = Comparison::kSame;
  if (!(lower <= benchmark && benchmark <= upper)) {
    c = value < benchmark ? Comparison::kWorse : Comparison::kBetter;
  }
  return ApplyPolarity(c, polarity);
}

Comparison CompareDoubleOverlappingCi(double value, double lower, double upper,
                                      double benchmark_value, double benchmark_lower,
                                      double benchmark_upper, Polarity polarity) {
  if (std::isnan(value) || std::isnan(lower) || std::isnan(upper) || std::isnan(benchmark_value) ||
      std::isnan(benchmark_lower) || std::isnan(benchmark_upper)) {
    return Comparison::kNone;
  }
  Comparison c = Comparison::kSame;
  if (upper < benchmark_lower || lower > benchmark_upper) {
    c = value < benchmark_value ? Comparison::kWorse : Comparison::kBetter;
  }
  return ApplyPolarity(c, polarity);
}

SpcComparison CompareSpcForProportions(double value, double denominator, double benchmark,
                                       double unit, double z, Polarity polarity) {
  SpcComparison out{Comparison::kNone, kNaN, kNaN};
  if (!(denominator > 0) || std::isnan(value) || std::isnan(benchmark) || !(unit > 0)) return out;
  const double n = denominator;
  const double p0 = benchmark / unit;
  const double e = n * p0;
  const double z2 = z * z;
  const double a = 2 * e + z2;
  const double bq = z * std::sqrt(z2 + 4 * e * (1 - e / n));
  const double c = 2 * (n + z2);
  out.lower = (a - bq) / c;
  out.upper = (a + bq) / c;
  const double p1 = value / unit;
  Comparison r = Comparison::kSame;
  if (p1 > out.upper) {
    r = Comparison::kBetter;
  } else if (p1 < out.lower) {
    r = Comparison::kWorse;
  }
  out.result = ApplyPolarity(r, polarity);
  return out;
}

SpcComparison CompareSpcForDsr(double value, double population, double benchmark, double unit,
                               double p, Polarity polarity) {
  SpcComparison out{Comparison::kNone, kNaN, kNaN};
  if (!(population > 0) || std::isnan(value) || std::isnan(benchmark) || !(unit > 0)) return out;
  const double e = benchmark * population / unit;
  out.lower = PoissonBisect(e, p, BisectSide::kLow) / population * unit;
  out.upper = PoissonBisect(e, p, BisectSide::kHigh) / population * unit;
  Comparison r = Comparison::kSame;
  if (value > out.upper) {
    r = Comparison::kBetter;
  } else if (value < out.lower) {
    r = Comparison::kWorse;
  }
  out.result = ApplyPolarity(r, polarity);
  return out;
}

std::string_view Name(TrendMarker m) {
  switch (m) {
    case TrendMarker::kCannotBeCalculated:
      return "cannot_be_calculated";
    case TrendMarker::kNoSignificantChange:
      return "no_significant_change";
    case TrendMarker::kIncreasing:
      return "increasing";
    case TrendMarker::kDecreasing:
      return "decreasing";
  }
  return "";
}

TrendMarkerResult ProportionTrendMarker(std::span<const double> counts,
                                        std::span<const double> denominators) {
  TrendMarkerResult r;
  const size_t n = std::min(counts.size(), denominators.size());
  std::vector<char> valid(n);
  for (size_t i = 0; i < n; ++i) {
    const double x = counts[i], d = denominators[i];
    valid[i] = std::isfinite(x) && std::isfinite(d) && d > 0 && x >= 0 && x <= d;
  }
  const int32_t start = LastFiveStart(valid);
  if (start < 0) {
    r.reason = "fewer than 5 points";
    return r;
  }
  r.first_point = start;
  double t[kTrendMarkerPoints], x[kTrendMarkerPoints], d[kTrendMarkerPoints],
      logit[kTrendMarkerPoints];
  for (int32_t i = 0; i < kTrendMarkerPoints; ++i) {
    t[i] = i + 1;
    x[i] = counts[start + i];
    d[i] = denominators[start + i];
    if (x[i] == d[i]) {
      r.reason = "count equals denominator";
      return r;
    }
    if (x[i] == 0) {
      r.reason = "count is zero";
      return r;
    }
    logit[i] = std::log(x[i] / (d[i] - x[i]));
  }
  // Cochran–Armitage test for trend in proportions (R prop.trend.test, scores t = 1..5).
  double big_n = 0, big_x = 0, sxt = 0, snt = 0, snt2 = 0;
  for (int32_t i = 0; i < kTrendMarkerPoints; ++i) {
    big_n += d[i];
    big_x += x[i];
    sxt += x[i] * t[i];
    snt += d[i] * t[i];
    snt2 += d[i] * t[i] * t[i];
  }
  const double num = big_n * sxt - big_x * snt;
  r.chi_squared = big_n * num * num / (big_x * (big_n - big_x) * (big_n * snt2 - snt * snt));
  r.slope = OlsSlope(t, logit, kTrendMarkerPoints, -1);
  for (int32_t k = 0; k < kTrendMarkerPoints; ++k) {
    r.leave_one_out[k] = OlsSlope(t, logit, kTrendMarkerPoints, k);
  }
  Decide(&r);
  return r;
}

TrendMarkerResult IntervalTrendMarker(std::span<const double> values,
                                      std::span<const double> lower95,
                                      std::span<const double> upper95) {
  TrendMarkerResult r;
  const size_t n = std::min({values.size(), lower95.size(), upper95.size()});
  std::vector<char> valid(n);
  for (size_t i = 0; i < n; ++i) {
    // A zero-width interval would give an infinite weight: treated as an invalid point.
    valid[i] = std::isfinite(values[i]) && std::isfinite(lower95[i]) && std::isfinite(upper95[i]) &&
               upper95[i] > lower95[i];
  }
  const int32_t start = LastFiveStart(valid);
  if (start < 0) {
    r.reason = "fewer than 5 points";
    return r;
  }
  r.first_point = start;
  double t[kTrendMarkerPoints], y[kTrendMarkerPoints], w[kTrendMarkerPoints];
  for (int32_t i = 0; i < kTrendMarkerPoints; ++i) {
    t[i] = i + 1;
    y[i] = values[start + i];
    const double se = (upper95[start + i] - lower95[start + i]) / 3.92;
    w[i] = 1 / (se * se);
  }
  double beta = 0;
  r.slope = WeightedSlope(t, y, w, kTrendMarkerPoints, -1, &beta);
  r.chi_squared = (r.slope / beta) * (r.slope / beta);
  for (int32_t k = 0; k < kTrendMarkerPoints; ++k) {
    r.leave_one_out[k] = WeightedSlope(t, y, w, kTrendMarkerPoints, k, nullptr);
  }
  Decide(&r);
  return r;
}

}  // namespace shewhart::stats
