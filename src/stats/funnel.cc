#include "stats/funnel.h"

#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <unordered_map>

#include "stats/intervals.h"
#include "stats/standing.h"

namespace shewhart::stats {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

double ChiSquareQuantile(double p, double df) {
  if (df <= 0) return 0;
  return boost::math::quantile(boost::math::chi_squared(df), p);
}

// sin²(angle) on the proportion scale with FunnelPlotR's repair of the folded sine: an angle at
// or below 0 gives 0 and one at or above π/2 gives 1. FunnelPlotR does this by comparing
// neighbouring points of its plotting grid; doing it on the angle gives the same curve without
// depending on the grid (docs/funnel-plots.md).
double SinSquaredLower(double angle) {
  if (angle <= 0) return 0;
  const double s = std::sin(angle);
  return s * s;
}
double SinSquaredUpper(double angle) {
  if (angle >= std::numbers::pi / 2) return 1;
  const double s = std::sin(angle);
  return s * s;
}

// Limits for one τ² at denominator x (the overdispersion formulas; τ² = 0 gives the normal
// approximation).
FunnelLimits NormalLimits(FunnelType type, SrMethod sr_method, double target, double tau2, double m,
                          double x) {
  FunnelLimits l;
  const double z[2] = {kFunnelZ95, kFunnelZ998};
  double lo[2], hi[2];
  for (int i = 0; i < 2; ++i) {
    switch (type) {
      case FunnelType::kRatio:
        if (sr_method == SrMethod::kShmi) {
          const double se = std::sqrt(1 / x + tau2);
          lo[i] = m * std::exp(-z[i] * se);
          hi[i] = m * std::exp(z[i] * se);
        } else {
          // CQC: z-scores on the square-root scale, limits deliberately not squared back
          // (FunnelPlotR parity, its open issue #33).
          const double se = std::sqrt(1 / (4 * x) + tau2);
          lo[i] = m * (1 - z[i] * se);
          hi[i] = m * (1 + z[i] * se);
        }
        break;
      case FunnelType::kRate: {
        // SE 1/(2√x), not the z-score's SE: FunnelPlotR parity.
        const double se = std::sqrt(1 / (4 * x) + tau2);
        lo[i] = m * std::exp(std::log(target) - z[i] * se);
        hi[i] = m * std::exp(std::log(target) + z[i] * se);
        break;
      }
      case FunnelType::kProportion: {
        const double se = std::sqrt(1 / (4 * x) + tau2);
        const double centre = std::asin(std::sqrt(target));
        lo[i] = m * SinSquaredLower(centre - z[i] * se);
        hi[i] = m * SinSquaredUpper(centre + z[i] * se);
        break;
      }
    }
  }
  l.lcl95 = lo[0];
  l.ucl95 = hi[0];
  l.lcl998 = lo[1];
  l.ucl998 = hi[1];
  return l;
}

struct Aggregated {
  std::string name;
  double numerator = 0;
  double denominator = 0;
};

}  // namespace

std::string_view Name(FunnelOutlier o) {
  switch (o) {
    case FunnelOutlier::kNone:
      return "none";
    case FunnelOutlier::kHigh:
      return "high";
    case FunnelOutlier::kLow:
      return "low";
  }
  return "";
}

Status ValidateFunnelOptions(const FunnelOptions& options) {
  if (!(options.trim_by > 0 && options.trim_by < 0.5)) {
    return InvalidArgumentError("trim_by " + Num(options.trim_by) +
                                " must be between 0 and 0.5 (e.g. 0.1 for 10% in each tail)");
  }
  if (!(options.multiplier > 0) || !std::isfinite(options.multiplier)) {
    return InvalidArgumentError("multiplier " + Num(options.multiplier) +
                                " must be a positive number");
  }
  return Status::Ok();
}

double RRound(double x, int digits) {
  if (!std::isfinite(x)) return x;
  const double p = std::pow(10.0, digits);
  const double scaled = x * p;
  const double fl = std::floor(scaled), ce = std::ceil(scaled);
  const double lo = fl / p, hi = ce / p;
  if (lo == hi) return lo;
  const double dlo = x - lo, dhi = hi - x;
  if (dlo < dhi) return lo;
  if (dhi < dlo) return hi;
  return std::fmod(fl, 2.0) == 0 ? lo : hi;  // a tie: the even last digit
}

FunnelLimits ExactPoissonRatioLimits(double x, double multiplier) {
  FunnelLimits l;
  l.lcl95 = multiplier * ChiSquareQuantile(0.025, 2 * x) / (2 * x);
  l.ucl95 = multiplier * ChiSquareQuantile(0.975, 2 * (x + 1)) / (2 * x);
  l.lcl998 = multiplier * ChiSquareQuantile(0.001, 2 * x) / (2 * x);
  l.ucl998 = multiplier * ChiSquareQuantile(0.999, 2 * (x + 1)) / (2 * x);
  return l;
}

std::vector<bool> TruncationFlags(std::span<const double> z, double trim_by) {
  const std::vector<double> rank = RankAverage(z);
  const double k = 1 / trim_by;
  const double n = static_cast<double>(z.size());
  std::vector<bool> out(z.size());
  for (size_t i = 0; i < z.size(); ++i) {
    const double sp = std::floor(rank[i] * k / (n + 1));
    out[i] = sp <= 0 || sp >= k - 1;
  }
  return out;
}

void Winsorise(std::span<const double> z, double trim_by, std::vector<double>* w,
               std::vector<bool>* winsorised) {
  const double lz = QuantileType7(z, trim_by);
  const double uz = QuantileType7(z, 1 - trim_by);
  w->resize(z.size());
  winsorised->resize(z.size());
  for (size_t i = 0; i < z.size(); ++i) {
    (*w)[i] = std::min(std::max(z[i], lz), uz);
    (*winsorised)[i] = !(lz < z[i] && z[i] < uz);
  }
}

FunnelOutlier OutlierOf(double scaled_value, double lcl, double ucl) {
  if (scaled_value > ucl) return FunnelOutlier::kHigh;
  if (scaled_value < lcl) return FunnelOutlier::kLow;
  return FunnelOutlier::kNone;
}

FunnelLimits FunnelLimitsAt(const FunnelResult& result, double x, FunnelLimits* unadjusted,
                            FunnelLimits* adjusted) {
  const FunnelOptions& o = result.options;
  const double m = o.multiplier;
  FunnelLimits un = o.type == FunnelType::kRatio
                        ? ExactPoissonRatioLimits(x, m)
                        : NormalLimits(o.type, o.sr_method, result.target, 0, m, x);
  const double tau2 = result.adjusted ? result.tau2 : 0;
  FunnelLimits ad = NormalLimits(o.type, o.sr_method, result.target, tau2, m, x);
  if (unadjusted != nullptr) *unadjusted = un;
  if (adjusted != nullptr) *adjusted = ad;
  return result.adjusted ? ad : un;
}

Result<FunnelResult> ComputeFunnel(std::span<const FunnelInput> rows,
                                   const FunnelOptions& options) {
  RETURN_IF_ERROR(ValidateFunnelOptions(options));
  const bool shmi = options.type == FunnelType::kRatio && options.sr_method == SrMethod::kShmi;

  // 1. Sum rows by unit, keeping the order in which units first appear.
  std::vector<Aggregated> agg;
  std::unordered_map<std::string_view, size_t> index;
  for (size_t r = 0; r < rows.size(); ++r) {
    const FunnelInput& in = rows[r];
    const std::string where = "unit '" + std::string(in.name) + "', row " + std::to_string(r + 1);
    if (!std::isfinite(in.numerator) || in.numerator < 0) {
      return InvalidArgumentError(where + ": the numerator " + Num(in.numerator) +
                                  " must be a number of 0 or more");
    }
    if (!std::isfinite(in.denominator) || !(in.denominator > 0)) {
      return InvalidArgumentError(where + ": the denominator " + Num(in.denominator) +
                                  " must be a number above 0");
    }
    auto [it, inserted] = index.try_emplace(in.name, agg.size());
    if (inserted) agg.push_back(Aggregated{std::string(in.name), 0, 0});
    agg[it->second].numerator += in.numerator;
    agg[it->second].denominator += in.denominator;
  }
  if (agg.size() < 2) {
    return InvalidArgumentError("a funnel plot needs at least 2 units; got " +
                                std::to_string(agg.size()));
  }

  FunnelResult out;
  out.options = options;
  const size_t n_units = agg.size();
  out.units.resize(n_units);
  double sum_o = 0, sum_d = 0;
  for (size_t i = 0; i < n_units; ++i) {
    FunnelUnit& u = out.units[i];
    u.name = agg[i].name;
    u.numerator = agg[i].numerator;
    u.denominator = agg[i].denominator;
    // 2. SHMI: expected counts rounded to 2 dp before anything else.
    if (shmi && options.shmi_rounding) {
      u.denominator = RRound(u.denominator, 2);
      if (!(u.denominator > 0)) {
        return InvalidArgumentError("unit '" + u.name + "': the expected count " +
                                    Num(agg[i].denominator) + " rounds to 0 at 2 decimal places");
      }
    }
    if (options.type == FunnelType::kProportion && u.numerator > u.denominator) {
      return InvalidArgumentError("unit '" + u.name + "': the numerator " + Num(u.numerator) +
                                  " is larger than the denominator " + Num(u.denominator) +
                                  " (a proportion above 1)");
    }
    u.value = u.numerator / u.denominator;
    sum_o += u.numerator;
    sum_d += u.denominator;
  }
  // 3. Target.
  out.target = options.type == FunnelType::kRatio ? 1 : sum_o / sum_d;

  // 4. Transformed value and z-score U; weights w = 1/s² for τ².
  std::vector<double> z(n_units), weight(n_units);
  for (size_t i = 0; i < n_units; ++i) {
    FunnelUnit& u = out.units[i];
    const double o = u.numerator, d = u.denominator;
    switch (options.type) {
      case FunnelType::kRatio:
        if (options.sr_method == SrMethod::kShmi) {
          u.y = std::log(o / d);
          u.z = std::sqrt(d) * u.y;  // −∞ when o = 0, as in the reference
          weight[i] = d;
        } else {
          u.y = std::sqrt(o / d);
          u.z = (u.y - 1) * (2 * std::sqrt(d));
          weight[i] = 4 * d;
        }
        break;
      case FunnelType::kProportion:
        u.y = std::asin(std::sqrt(o / d));
        u.z = (u.y - std::asin(std::sqrt(out.target))) * (2 * std::sqrt(d));
        weight[i] = 4 * d;
        break;
      case FunnelType::kRate: {
        u.y = std::log((o + 0.5) / (d + 0.5));
        const double s = std::sqrt(o / ((o + 0.5) * (o + 0.5)) + d / ((d + 0.5) * (d + 0.5)));
        u.z = (u.y - std::log(out.target)) / s;
        weight[i] = 1 / (s * s);
        break;
      }
    }
    z[i] = u.z;
  }

  // 5. Outlier-robust z-scores.
  if (shmi) {
    const std::vector<bool> truncated = TruncationFlags(z, options.trim_by);
    for (size_t i = 0; i < n_units; ++i) {
      out.units[i].trimmed = truncated[i];
      out.units[i].w = truncated[i] ? kNaN : z[i];
    }
  } else {
    std::vector<double> w;
    std::vector<bool> winsorised;
    Winsorise(z, options.trim_by, &w, &winsorised);
    for (size_t i = 0; i < n_units; ++i) {
      out.units[i].trimmed = winsorised[i];
      out.units[i].w = w[i];
    }
  }

  // 6. φ and τ² (DerSimonian–Laird) over the units that kept a W.
  if (options.overdispersion != Overdispersion::kOff) {
    double n = 0, sum_w2 = 0, sw = 0, sw2 = 0;
    for (size_t i = 0; i < n_units; ++i) {
      const double w = out.units[i].w;
      if (std::isnan(w)) continue;
      n += 1;
      sum_w2 += w * w;
      sw += weight[i];
      sw2 += weight[i] * weight[i];
    }
    out.phi = sum_w2 / n;
    if (n * out.phi < n - 1) {
      out.tau2 = 0;
    } else {
      out.tau2 = std::max(0.0, (n * out.phi - (n - 1)) / (sw - sw2 / sw));
    }
    out.adjusted = options.overdispersion == Overdispersion::kOn || out.phi > 1;
  }

  // 7-8. Limits at each unit's own denominator and the outlier flag at the chosen limit.
  const double m = options.multiplier;
  for (FunnelUnit& u : out.units) {
    u.limits = FunnelLimitsAt(out, u.denominator, &u.unadjusted, &u.adjusted);
    const bool at95 = options.limit == FunnelLimit::k95;
    u.outlier = OutlierOf(u.value * m, at95 ? u.limits.lcl95 : u.limits.lcl998,
                          at95 ? u.limits.ucl95 : u.limits.ucl998);
  }
  return out;
}

std::vector<FunnelCurvePoint> FunnelCurve(const FunnelResult& result, int32_t n_grid) {
  std::vector<double> x;
  const double from = result.options.type == FunnelType::kRatio ? 1.1 : 3;
  double max_d = 0;
  for (const FunnelUnit& u : result.units) max_d = std::max(max_d, u.denominator);
  const double to = std::ceil(max_d);
  // R's seq(from, to, length.out = n): from, from + k·by, ..., and `to` exactly.
  if (n_grid >= 2) {
    const double by = (to - from) / (n_grid - 1);
    x.push_back(from);
    for (int32_t k = 1; k < n_grid - 1; ++k) x.push_back(from + k * by);
    x.push_back(to);
  } else if (n_grid == 1) {
    x.push_back(from);
  }
  for (const FunnelUnit& u : result.units) x.push_back(u.denominator);
  std::sort(x.begin(), x.end());
  x.erase(std::unique(x.begin(), x.end()), x.end());
  std::vector<FunnelCurvePoint> curve(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    curve[i].denominator = x[i];
    curve[i].limits = FunnelLimitsAt(result, x[i], &curve[i].unadjusted, &curve[i].adjusted);
  }
  return curve;
}

// ---- PHE variant ---------------------------------------------------------------------------

PheLimitPair PheProportionLimits(double pbar, double n, double q, double multiplier) {
  const double z = boost::math::quantile(boost::math::normal(), q);
  const double z2 = z * z;
  const double a = n / z2 + 1;
  const double f = pbar * a;
  const double g = 1 / z2 + 1 / n;
  const double d = std::sqrt(64 * pbar * pbar * a * a -
                             64 * g * pbar * (n * (pbar * (n / z2 + 2) - 1) + z2 * (pbar - 1)));
  return PheLimitPair{((f - d / 8) / g) / n * multiplier, ((f + d / 8) / g) / n * multiplier};
}

FunnelLimits PheProportionLimitsRow(double pbar, double n, double multiplier) {
  const PheLimitPair two = PheProportionLimits(pbar, n, 0.975, multiplier);
  const PheLimitPair three = PheProportionLimits(pbar, n, 0.999, multiplier);
  // The reference caps at 100 whatever the multiplier (a no-op for multiplier 1).
  return FunnelLimits{std::max(0.0, two.low), std::min(100.0, two.high), std::max(0.0, three.low),
                      std::min(100.0, three.high)};
}

PheRatioExpected PheRatioFunnelExpected(double observed) {
  return PheRatioExpected{PoissonBisect(observed, 0.025, BisectSide::kHigh),
                          PoissonBisect(observed, 0.025, BisectSide::kLow),
                          PoissonBisect(observed, 0.001, BisectSide::kHigh),
                          PoissonBisect(observed, 0.001, BisectSide::kLow)};
}

FunnelLimits PheRatioLimitsRow(double observed, PheRatioType type) {
  const PheRatioExpected e = PheRatioFunnelExpected(observed);
  FunnelLimits l{observed / e.lower_2s, observed / e.upper_2s, observed / e.lower_3s,
                 observed / e.upper_3s};
  double* v[4] = {&l.lcl95, &l.ucl95, &l.lcl998, &l.ucl998};
  for (double* p : v) *p = type == PheRatioType::kCount ? *p - 1 : *p * 100;
  return l;
}

std::string_view Name(PheSignificance s) {
  switch (s) {
    case PheSignificance::kNotSignificant:
      return "Not significant";
    case PheSignificance::kHigh0001:
      return "High (0.001)";
    case PheSignificance::kHigh0025:
      return "High (0.025)";
    case PheSignificance::kLow0001:
      return "Low (0.001)";
    case PheSignificance::kLow0025:
      return "Low (0.025)";
    case PheSignificance::kNotApplicable:
      return "Not applicable for events less than 10 for dsrs";
  }
  return "";
}

PheSignificance PheProportionSignificance(double x, double n, double pbar) {
  const double p = x / n;
  const PheLimitPair two = PheProportionLimits(pbar, n, 0.975);
  const PheLimitPair three = PheProportionLimits(pbar, n, 0.999);
  if (p < three.low) return PheSignificance::kLow0001;
  if (p < two.low) return PheSignificance::kLow0025;
  if (p > three.high) return PheSignificance::kHigh0001;
  if (p > two.high) return PheSignificance::kHigh0025;
  return PheSignificance::kNotSignificant;
}

PheSignificance PheRatioSignificance(double observed, double expected, double reference) {
  const double o = observed;
  auto t_low = [o](double q) {
    if (o == 0) return 0.0;
    const double tail = 0.5 + q / 2;
    if (o < kByarFromCount) {
      // Upper-tail quantile: complement form keeps the tiny tail probability exact.
      return boost::math::quantile(boost::math::complement(boost::math::chi_squared(2 * o), tail)) /
             2;
    }
    const double z = boost::math::quantile(boost::math::normal(), tail);
    return o * std::pow(1 - 1 / (9 * o) - z / (3 * std::sqrt(o)), 3);
  };
  auto t_high = [o](double q) {
    const double tail = 0.5 + q / 2;
    if (o < kByarFromCount) return ChiSquareQuantile(tail, 2 * o + 2) / 2;
    const double z = boost::math::quantile(boost::math::normal(), tail);
    const double o1 = o + 1;
    return o1 * std::pow(1 - 1 / (9 * o1) + z / (3 * std::sqrt(o1)), 3);
  };
  if (reference < t_low(0.998) / expected) return PheSignificance::kHigh0001;
  if (reference < t_low(0.95) / expected) return PheSignificance::kHigh0025;
  if (reference > t_high(0.998) / expected) return PheSignificance::kLow0001;
  if (reference > t_high(0.95) / expected) return PheSignificance::kLow0025;
  return PheSignificance::kNotSignificant;
}

PheFunnelResult ComputePheFunnel(std::span<const double> numerators,
                                 std::span<const double> denominators,
                                 const FunnelOptions& options) {
  PheFunnelResult out;
  double total_o = 0, total_d = 0;
  for (size_t i = 0; i < numerators.size(); ++i) {
    total_o += numerators[i];
    total_d += denominators[i];
  }
  out.reference = options.type == FunnelType::kRatio ? 1 : total_o / total_d;
  const bool judge_95 = options.limit == FunnelLimit::k95;
  out.units.resize(numerators.size());
  for (size_t i = 0; i < numerators.size(); ++i) {
    const double x = numerators[i], n = denominators[i];
    PheFunnelUnit& u = out.units[i];
    u.value = x / n * options.multiplier;
    u.limits = {kNaN, kNaN, kNaN, kNaN};
    if (options.type == FunnelType::kProportion) {
      u.limits = PheProportionLimitsRow(out.reference, n, options.multiplier);
      u.significance = PheProportionSignificance(x, n, out.reference);
    } else {
      u.significance = PheRatioSignificance(x, n, out.reference);
    }
    const PheSignificance sig = u.significance;
    if (sig == PheSignificance::kHigh0001 || (judge_95 && sig == PheSignificance::kHigh0025)) {
      u.outlier = FunnelOutlier::kHigh;
    } else if (sig == PheSignificance::kLow0001 || (judge_95 && sig == PheSignificance::kLow0025)) {
      u.outlier = FunnelOutlier::kLow;
    }
    out.n_high += u.outlier == FunnelOutlier::kHigh;
    out.n_low += u.outlier == FunnelOutlier::kLow;
  }
  return out;
}

}  // namespace shewhart::stats
