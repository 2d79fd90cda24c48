#include "stats/control_chart.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "stats/r_math.h"

namespace shewhart::stats {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The constants exactly as qicharts2 writes them (spc-reference.md §2.3): d2(2) = 1.128 and
// D4(2) = 3.267 for moving ranges of two, 3.2665 for the I′ screening, 3.6 for the T chart's
// transformation (Nelson), 0.693 for the G chart's theoretical median (Provost & Murray).
constexpr double kD2 = 1.128;
constexpr double kD4 = 3.267;
constexpr double kIpScreeningFactor = 3.2665;
constexpr double kTPower = 3.6;
constexpr double kGMedianFactor = 0.693;
constexpr double kSigmas = 3;
constexpr double kWarningSigmas = 2;

constexpr std::string_view kChartNames[] = {"run", "i", "mr", "xbar", "s", "t", "p",
                                            "pp",  "c", "u",  "up",   "g", "ip"};

bool NeedsDenominator(ChartType c) {
  return c == ChartType::kP || c == ChartType::kPp || c == ChartType::kU || c == ChartType::kUp;
}
bool IsProportion(ChartType c) { return c == ChartType::kP || c == ChartType::kPp; }
bool IsCount(ChartType c) {
  return IsProportion(c) || c == ChartType::kC || c == ChartType::kU || c == ChartType::kUp;
}
bool IsSubgrouped(ChartType c) { return c == ChartType::kXbar || c == ChartType::kS; }

std::string Where(size_t row) { return "row " + std::to_string(row + 1); }

// R's sd(x, na.rm = TRUE): the two-pass sample SD with R's long-double mean; NaN for < 2 values.
double RSdNaRm(std::span<const double> x) {
  size_t n = 0;
  for (double v : x) n += !std::isnan(v);
  if (n < 2) return kNaN;
  const double m = RMeanNaRm(x);
  long double ss = 0;
  for (double v : x) {
    if (!std::isnan(v)) ss += (static_cast<long double>(v) - m) * (static_cast<long double>(v) - m);
  }
  return std::sqrt(static_cast<double>(ss / static_cast<long double>(n - 1)));
}

// R's median(x, na.rm = TRUE); NaN when no value.
double RMedianNaRm(std::span<const double> x) {
  std::vector<double> v;
  v.reserve(x.size());
  for (double d : x) {
    if (!std::isnan(d)) v.push_back(d);
  }
  if (v.empty()) return kNaN;
  const size_t half = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(half), v.end());
  if (v.size() % 2 == 1) return v[half];
  const double upper = v[half];
  const double lower = *std::max_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(half));
  const double pair[2] = {lower, upper};
  return RMeanNaRm(pair);  // mean of the two middle values, as R computes it
}

// sum(x, na.rm = TRUE) in R's long-double accumulator.
double RSumNaRm(std::span<const double> x) {
  long double s = 0;
  for (double v : x) {
    if (!std::isnan(v)) s += v;
  }
  return static_cast<double>(s);
}

// sigma from the moving ranges of `d` (in order; a NaN breaks the ranges either side of it):
// AMR / 1.128, with the AMR recomputed from the ranges below 3.267 AMR when screening.
double MovingRangeSigma(std::span<const double> d, bool screen) {
  std::vector<double> mr;
  mr.reserve(d.size());
  for (size_t j = 1; j < d.size(); ++j) mr.push_back(std::fabs(d[j] - d[j - 1]));
  double amr = RMeanNaRm(mr);
  if (screen) amr = RMeanBelow(mr, kD4 * amr);
  return amr / kD2;
}

// The subgroups (plotted points) built from the rows, spc-reference.md §2.1 step 3.
struct Subgroups {
  std::vector<double> y_sum;     // Σy; a lone missing row stays NaN, several missing rows sum to 0
  std::vector<double> y_mean;    // mean of the non-missing y (NaN if none)
  std::vector<double> y_sd;      // their sample SD (NaN if fewer than 2)
  std::vector<double> y_length;  // number of non-missing y
  std::vector<double> n;         // Σn (NaN if no denominator in the subgroup), or y_length
  std::vector<double> y;         // the plotted value before the chart's own transformation
};

void Aggregate(const ControlChartInput& in, Subgroups* g) {
  const size_t rows = in.y.size();
  const bool has_n = !in.n.empty();
  const size_t points =
      rows == 0 ? 0 : (in.subgroup.empty() ? rows : static_cast<size_t>(in.subgroup.back()) + 1);
  for (auto* v : {&g->y_sum, &g->y_mean, &g->y_sd, &g->y_length, &g->n, &g->y}) {
    v->assign(points, kNaN);
  }
  std::vector<double> ys, ns;
  size_t r = 0;
  for (size_t k = 0; k < points; ++k) {
    ys.clear();
    ns.clear();
    while (r < rows && (in.subgroup.empty() ? r == k : static_cast<size_t>(in.subgroup[r]) == k)) {
      double y = in.y[r];
      double n = has_n ? in.n[r] : kNaN;
      if (has_n && (std::isnan(y) || std::isnan(n))) y = n = kNaN;  // §2.1 step 2
      ys.push_back(y);
      ns.push_back(n);
      ++r;
    }
    double length = 0;
    for (double v : ys) length += !std::isnan(v);
    g->y_length[k] = length;
    g->y_sum[k] = ys.size() == 1 ? ys[0] : RSumNaRm(ys);
    g->y_mean[k] = RMeanNaRm(ys);
    g->y_sd[k] = RSdNaRm(ys);
    if (has_n) {
      double n_length = 0;
      for (double v : ns) n_length += !std::isnan(v);
      g->n[k] = n_length == 0 ? kNaN : RSumNaRm(ns);
      g->y[k] = g->y_sum[k] / g->n[k];
    } else {
      g->n[k] = length;
      g->y[k] = g->y_mean[k];
    }
  }
}

// Lines of one part before `multiply`; per point, NaN where none.
struct Lines {
  std::span<double> y, cl, lcl, ucl, lcl_95, ucl_95;
};

void SetConstant(std::span<double> v, double x) { std::fill(v.begin(), v.end(), x); }

// Values of `x` at the baseline points, in order.
std::vector<double> AtBaseline(std::span<const double> x, std::span<const uint8_t> base) {
  std::vector<double> out;
  out.reserve(x.size());
  for (size_t j = 0; j < x.size(); ++j) {
    if (base[j]) out.push_back(x[j]);
  }
  return out;
}

// I chart around cl (user's or the baseline mean); sigma from baseline moving ranges of y - cl.
void IChart(std::span<const double> y, std::span<const uint8_t> base, double user_cl, bool screen,
            const Lines& out) {
  const std::vector<double> yb = AtBaseline(y, base);
  const double cl = std::isnan(user_cl) ? RMeanNaRm(yb) : user_cl;
  std::vector<double> d(yb.size());
  for (size_t j = 0; j < yb.size(); ++j) d[j] = yb[j] - cl;
  const double sigma = MovingRangeSigma(d, screen);
  SetConstant(out.cl, cl);
  SetConstant(out.lcl, cl - kSigmas * sigma);
  SetConstant(out.ucl, cl + kSigmas * sigma);
  SetConstant(out.lcl_95, cl - kWarningSigmas * sigma);
  SetConstant(out.ucl_95, cl + kWarningSigmas * sigma);
}

// Σ num_B / Σ den_B, the pooled centre line of P, U and their Laney versions.
double PooledRatio(std::span<const double> num, std::span<const double> den,
                   std::span<const uint8_t> base) {
  return RSumNaRm(AtBaseline(num, base)) / RSumNaRm(AtBaseline(den, base));
}

// Per-point limits cl ± k·sigma_i, clamped to [floor, cap].
void PerPointLimits(double cl, std::span<const double> sigma, double floor, double cap,
                    const Lines& out) {
  auto clamp = [floor, cap](double v) {
    if (v < floor) return floor;
    if (v > cap) return cap;
    return v;
  };
  for (size_t j = 0; j < sigma.size(); ++j) {
    out.cl[j] = cl;
    out.lcl[j] = clamp(cl - kSigmas * sigma[j]);
    out.ucl[j] = clamp(cl + kSigmas * sigma[j]);
    out.lcl_95[j] = clamp(cl - kWarningSigmas * sigma[j]);
    out.ucl_95[j] = clamp(cl + kWarningSigmas * sigma[j]);
  }
}

// The centre line and limits of one part: points [b, e) of the subgroups.
void ComputePart(const Subgroups& g, size_t b, size_t e, std::span<const uint8_t> base,
                 const ControlChartOptions& opt, const Lines& out) {
  const size_t m = e - b;
  auto slice = [b, m](const std::vector<double>& v) {
    return std::span<const double>(v).subspan(b, m);
  };
  const std::span<const double> y = slice(g.y), n = slice(g.n), y_sum = slice(g.y_sum),
                                y_len = slice(g.y_length), y_mean = slice(g.y_mean),
                                y_sd = slice(g.y_sd);
  std::copy(y.begin(), y.end(), out.y.begin());
  for (std::span<double> v : {out.cl, out.lcl, out.ucl, out.lcl_95, out.ucl_95}) {
    SetConstant(v, kNaN);
  }
  const double user_cl = opt.cl;
  constexpr double kInf = std::numeric_limits<double>::infinity();

  switch (opt.chart) {
    case ChartType::kRun: {
      SetConstant(out.cl, std::isnan(user_cl) ? RMedianNaRm(AtBaseline(y, base)) : user_cl);
      break;
    }
    case ChartType::kI:
      IChart(y, base, user_cl, opt.screen_moving_ranges, out);
      break;
    case ChartType::kMr: {
      out.y[0] = kNaN;
      for (size_t j = 1; j < m; ++j) out.y[j] = std::fabs(y[j] - y[j - 1]);
      const double cl = std::isnan(user_cl) ? RMeanNaRm(AtBaseline(out.y, base)) : user_cl;
      SetConstant(out.cl, cl);
      SetConstant(out.lcl, 0);
      SetConstant(out.lcl_95, 0);
      SetConstant(out.ucl, kD4 * cl);
      SetConstant(out.ucl_95, kD4 / kSigmas * kWarningSigmas * cl);
      break;
    }
    case ChartType::kXbar:
    case ChartType::kS: {
      // Varying subgroup sizes anywhere in the part switch both the centre line (S) and sigma
      // (Xbar) to the pooled SD; sizes of missing subgroups count (quirk kept, §2.5).
      bool var_n = false;
      for (size_t j = 1; j < m; ++j) var_n = var_n || y_len[j] != y_len[0];
      long double ss = 0, df = 0, sum_ny = 0, sum_n = 0;
      std::vector<double> sds;
      for (size_t j = 0; j < m; ++j) {
        if (!base[j]) continue;
        // R: sum(sd^2 * (n - 1), na.rm = TRUE) / sum(n - 1): an empty subgroup adds -1 to the
        // degrees of freedom (it matches the reference values of T-QIC-16).
        const double term = y_sd[j] * y_sd[j] * (y_len[j] - 1);
        if (!std::isnan(term)) ss += term;
        df += y_len[j] - 1;
        const double ny = y_len[j] * y_mean[j];
        if (!std::isnan(ny)) sum_ny += ny;
        sum_n += y_len[j];
        sds.push_back(y_sd[j]);
      }
      const double s_bar =
          var_n ? std::sqrt(static_cast<double>(ss) / static_cast<double>(df)) : RMeanNaRm(sds);
      if (opt.chart == ChartType::kXbar) {
        const double cl = std::isnan(user_cl)
                              ? static_cast<double>(sum_ny) / static_cast<double>(sum_n)
                              : user_cl;
        std::copy(y_mean.begin(), y_mean.end(), out.y.begin());
        for (size_t j = 0; j < m; ++j) {
          out.cl[j] = cl;
          out.lcl[j] = cl - A3(y_len[j], kSigmas) * s_bar;
          out.ucl[j] = cl + A3(y_len[j], kSigmas) * s_bar;
          out.lcl_95[j] = cl - A3(y_len[j], kWarningSigmas) * s_bar;
          out.ucl_95[j] = cl + A3(y_len[j], kWarningSigmas) * s_bar;
        }
      } else {
        const double cl = std::isnan(user_cl) ? s_bar : user_cl;
        std::copy(y_sd.begin(), y_sd.end(), out.y.begin());
        for (size_t j = 0; j < m; ++j) {
          out.cl[j] = cl;
          out.lcl[j] = B3(y_len[j], kSigmas) * cl;
          out.ucl[j] = B4(y_len[j], kSigmas) * cl;
          out.lcl_95[j] = B3(y_len[j], kWarningSigmas) * cl;
          out.ucl_95[j] = B4(y_len[j], kWarningSigmas) * cl;
        }
      }
      break;
    }
    case ChartType::kT: {
      // Nelson's transformation y^(1/3.6) makes exponential-ish times roughly normal; the I chart
      // is computed on that scale and its lines transformed back. The plotted y stays the data.
      std::vector<double> yt(m);
      for (size_t j = 0; j < m; ++j) yt[j] = std::pow(y[j], 1 / kTPower);
      const double cl_t = std::isnan(user_cl) ? kNaN : std::pow(user_cl, 1 / kTPower);
      IChart(yt, base, cl_t, opt.screen_moving_ranges, out);
      for (std::span<double> v : {out.cl, out.lcl, out.ucl, out.lcl_95, out.ucl_95}) {
        for (double& x : v) x = std::pow(x, kTPower);  // a negative lower line becomes NaN
      }
      for (double& x : out.lcl) {
        if (std::isnan(x) || x < 0) x = 0;  // the 3-sigma lower limit is drawn at 0 instead
      }
      break;
    }
    case ChartType::kP:
    case ChartType::kPp:
    case ChartType::kU:
    case ChartType::kUp: {
      const bool p = IsProportion(opt.chart);
      const double cl = std::isnan(user_cl) ? PooledRatio(y_sum, n, base) : user_cl;
      std::vector<double> sigma(m);
      for (size_t j = 0; j < m; ++j) {
        sigma[j] = p ? std::sqrt(cl * (1 - cl) / n[j]) : std::sqrt(cl / n[j]);
      }
      if (opt.chart == ChartType::kPp || opt.chart == ChartType::kUp) {
        // Laney: sigma_z, the spread of the baseline z-scores, inflates the binomial/Poisson sigma.
        std::vector<double> z;
        for (size_t j = 0; j < m; ++j) {
          if (base[j]) z.push_back((y[j] - cl) / sigma[j]);
        }
        const double sigma_z =
            opt.categorical ? RSdNaRm(z) : MovingRangeSigma(z, opt.screen_moving_ranges);
        for (double& s : sigma) s *= sigma_z;
      }
      PerPointLimits(cl, sigma, 0, p ? 1 : kInf, out);
      break;
    }
    case ChartType::kC: {
      std::copy(y_sum.begin(), y_sum.end(), out.y.begin());
      const double cl = std::isnan(user_cl) ? RMeanNaRm(AtBaseline(y_sum, base)) : user_cl;
      const std::vector<double> sigma(m, std::sqrt(cl));
      PerPointLimits(cl, sigma, 0, kInf, out);
      break;
    }
    case ChartType::kG: {
      // Limits from the mean of a geometric distribution; the line drawn is the median.
      const std::vector<double> yb = AtBaseline(y, base);
      const double mean = std::isnan(user_cl) ? RMeanNaRm(yb) : user_cl;
      const std::vector<double> sigma(m, std::sqrt(mean * (mean + 1)));
      PerPointLimits(mean, sigma, 0, kInf, out);
      SetConstant(out.cl, std::isnan(user_cl) ? RMedianNaRm(yb) : kGMedianFactor * user_cl);
      break;
    }
    case ChartType::kIp: {
      // Laney I′: cl is the pooled per-unit mean; sigma from size-weighted moving ranges of all
      // the part's points (not only the baseline), as the reference does.
      std::vector<double> yn(m);
      for (size_t j = 0; j < m; ++j) yn[j] = y[j] * n[j];
      const double cl = std::isnan(user_cl) ? PooledRatio(yn, n, base) : user_cl;
      std::vector<double> s;
      for (size_t j = 1; j < m; ++j) {
        s.push_back(std::sqrt(std::numbers::pi / 2) * std::fabs(y[j] - y[j - 1]) /
                    std::sqrt(1 / n[j - 1] + 1 / n[j]));
      }
      double s_bar = RMeanNaRm(s);
      if (opt.screen_moving_ranges) s_bar = RMeanBelow(s, kIpScreeningFactor * s_bar);
      std::vector<double> sigma(m);
      for (size_t j = 0; j < m; ++j) sigma[j] = s_bar * std::sqrt(1 / n[j]);
      PerPointLimits(cl, sigma, -kInf, kInf, out);
      break;
    }
  }
}

Status Validate(const ControlChartInput& in, const ControlChartOptions& opt) {
  const ChartType c = opt.chart;
  if (static_cast<size_t>(c) >= std::size(kChartNames)) {
    return InvalidArgumentError("unknown chart type " + std::to_string(static_cast<int>(c)));
  }
  const size_t rows = in.y.size();
  if (!in.n.empty() && in.n.size() != rows) {
    return InvalidArgumentError("the denominator column has " + std::to_string(in.n.size()) +
                                " rows but the value column has " + std::to_string(rows));
  }
  if (!in.subgroup.empty() && in.subgroup.size() != rows) {
    return InvalidArgumentError("the subgroup column has " + std::to_string(in.subgroup.size()) +
                                " rows but the value column has " + std::to_string(rows));
  }
  const std::string chart = "a " + std::string(Name(c)) + " chart";
  if (NeedsDenominator(c) && in.n.empty() && rows > 0) {
    return InvalidArgumentError(chart + " needs a denominator (n) for every value");
  }
  if (IsSubgrouped(c)) {
    if (in.subgroup.empty() && rows > 0) {
      return InvalidArgumentError(chart +
                                  " needs the subgroup of each measurement (xbar and s charts "
                                  "summarise several measurements per point)");
    }
    if (!in.n.empty()) {
      return InvalidArgumentError(chart + " takes raw measurements; it has no denominator");
    }
  }
  for (size_t r = 0; r < in.subgroup.size(); ++r) {
    const int32_t s = in.subgroup[r];
    const int32_t prev = r == 0 ? 0 : in.subgroup[r - 1];
    if (r == 0 ? s != 0 : (s != prev && s != prev + 1)) {
      return InvalidArgumentError(Where(r) +
                                  ": subgroup indices must start at 0 and rise by 0 or "
                                  "1 from row to row (rows in x order), got " +
                                  std::to_string(s) +
                                  (r == 0 ? "" : " after " + std::to_string(prev)));
    }
  }
  for (size_t r = 0; r < rows; ++r) {
    const double y = in.y[r];
    const double n = in.n.empty() ? kNaN : in.n[r];
    if (std::isinf(y)) return InvalidArgumentError(Where(r) + ": the value is infinite");
    if (std::isinf(n)) return InvalidArgumentError(Where(r) + ": the denominator is infinite");
    if (!std::isnan(n) && !(n > 0)) {
      return InvalidArgumentError(Where(r) + ": denominators must be greater than 0, got " +
                                  std::to_string(n));
    }
    if (std::isnan(y)) continue;
    if (c == ChartType::kT && !(y > 0)) {
      return InvalidArgumentError(Where(r) +
                                  ": a t chart plots times between events, which must "
                                  "be greater than 0, got " +
                                  std::to_string(y));
    }
    if ((IsCount(c) || c == ChartType::kG) && y < 0) {
      return InvalidArgumentError(Where(r) + ": " + chart +
                                  " counts events, which cannot be "
                                  "negative, got " +
                                  std::to_string(y));
    }
    if (IsProportion(c) && !std::isnan(n) && y > n) {
      return InvalidArgumentError(Where(r) + ": a proportion's numerator (" + std::to_string(y) +
                                  ") is larger than its denominator (" + std::to_string(n) + ")");
    }
  }
  const size_t points =
      rows == 0 ? 0 : (in.subgroup.empty() ? rows : static_cast<size_t>(in.subgroup.back()) + 1);
  for (size_t i = 0; i < opt.part_starts.size(); ++i) {
    const int32_t p = opt.part_starts[i];
    if (p <= 0 || static_cast<size_t>(p) >= points || (i > 0 && p <= opt.part_starts[i - 1])) {
      return InvalidArgumentError(
          "part starts must be strictly increasing positions between 1 "
          "and the number of points - 1 (" +
          std::to_string(points) + " points), got " + std::to_string(p));
    }
  }
  for (int32_t x : opt.exclude) {
    if (x < 0 || static_cast<size_t>(x) >= points) {
      return InvalidArgumentError("excluded position " + std::to_string(x) +
                                  " is not a point of the chart (0 to " +
                                  std::to_string(points == 0 ? 0 : points - 1) + ")");
    }
  }
  if (opt.freeze < 0) {
    return InvalidArgumentError("freeze must be 0 (no baseline) or a number of points, got " +
                                std::to_string(opt.freeze));
  }
  if (!std::isfinite(opt.multiply) || !(opt.multiply > 0)) {
    return InvalidArgumentError("multiply must be a finite number greater than 0");
  }
  if (std::isinf(opt.cl)) return InvalidArgumentError("the centre line must be finite");
  if (c == ChartType::kT && !std::isnan(opt.cl) && !(opt.cl > 0)) {
    return InvalidArgumentError("a t chart's centre line must be greater than 0");
  }
  return Status::Ok();
}

double FiniteOrNaN(double v) { return std::isfinite(v) ? v : kNaN; }

}  // namespace

std::string_view Name(ChartType chart) {
  const auto i = static_cast<size_t>(chart);
  return i < std::size(kChartNames) ? kChartNames[i] : std::string_view("unknown");
}

Result<ChartType> ParseChartType(std::string_view name) {
  for (size_t i = 0; i < std::size(kChartNames); ++i) {
    if (kChartNames[i] == name) return static_cast<ChartType>(i);
  }
  return InvalidArgumentError("unknown chart type '" + std::string(name) +
                              "': use one of run, i, mr, xbar, s, t, p, pp, c, u, up, g, ip");
}

double C4(double n) {
  if (!(n > 1)) return kNaN;
  return std::sqrt(2 / (n - 1)) * std::exp(std::lgamma(n / 2) - std::lgamma((n - 1) / 2));
}

double A3(double n, double sigmas) { return sigmas / (C4(n) * std::sqrt(n)); }

namespace {
double C5(double n) {
  const double c4 = C4(n);
  return std::sqrt(1 - c4 * c4);
}
}  // namespace

double B3(double n, double sigmas) {
  const double b = 1 - sigmas * C5(n) / C4(n);
  return std::isnan(b) ? kNaN : std::max(0.0, b);
}

double B4(double n, double sigmas) { return 1 + sigmas * C5(n) / C4(n); }

Status ComputeControlChart(const ControlChartInput& input, const ControlChartOptions& options,
                           ControlChartResult* result) {
  RETURN_IF_ERROR(Validate(input, options));
  result->chart = options.chart;
  result->points.clear();
  result->parts.clear();

  Subgroups g;
  Aggregate(input, &g);
  const size_t points = g.y.size();
  if (points == 0) return Status::Ok();

  // Baseline = inside the freeze window (freeze is ignored when there are parts) and included.
  std::vector<uint8_t> included(points, 1), base(points, 1);
  for (int32_t x : options.exclude) included[static_cast<size_t>(x)] = 0;
  const bool frozen = options.part_starts.empty() && options.freeze > 0;
  for (size_t i = 0; i < points; ++i) {
    base[i] = included[i] && (!frozen || i < static_cast<size_t>(options.freeze));
  }

  std::vector<double> y(points), cl(points), lcl(points), ucl(points), lcl_95(points),
      ucl_95(points);
  std::vector<size_t> starts = {0};
  for (int32_t p : options.part_starts) starts.push_back(static_cast<size_t>(p));
  starts.push_back(points);
  for (size_t k = 0; k + 1 < starts.size(); ++k) {
    const size_t b = starts[k], m = starts[k + 1] - starts[k];
    const Lines lines{std::span(y).subspan(b, m),      std::span(cl).subspan(b, m),
                      std::span(lcl).subspan(b, m),    std::span(ucl).subspan(b, m),
                      std::span(lcl_95).subspan(b, m), std::span(ucl_95).subspan(b, m)};
    ComputePart(g, b, b + m, std::span<const uint8_t>(base).subspan(b, m), options, lines);
  }

  // Scale, drop non-finite lines, test against the limits (§2.1 steps 9-11).
  bool any_negative = false;
  result->points.resize(points);
  for (size_t i = 0; i < points; ++i) {
    ControlChartPoint& p = result->points[i];
    const double k = options.multiply;
    p.y = y[i] * k;
    p.n = g.n[i];
    p.cl = FiniteOrNaN(cl[i] * k);
    p.lcl = FiniteOrNaN(lcl[i] * k);
    p.ucl = FiniteOrNaN(ucl[i] * k);
    p.lcl_95 = FiniteOrNaN(lcl_95[i] * k);
    p.ucl_95 = FiniteOrNaN(ucl_95[i] * k);
    p.baseline = base[i] != 0;
    p.included = included[i] != 0;
    p.sigma_signal = p.y > p.ucl || p.y < p.lcl;
    any_negative = any_negative || p.y < 0;
  }
  if (!options.y_neg && !any_negative) {
    for (ControlChartPoint& p : result->points) {
      if (p.lcl < 0) p.lcl = 0;
      if (p.lcl_95 < 0) p.lcl_95 = 0;
    }
  }

  // Per part: runs analysis on the included points, and summary() means.
  std::vector<double> ry, rcl, col;
  for (size_t k = 0; k + 1 < starts.size(); ++k) {
    ControlChartPart part;
    part.begin = static_cast<int32_t>(starts[k]);
    part.end = static_cast<int32_t>(starts[k + 1]);
    ry.clear();
    rcl.clear();
    for (size_t i = starts[k]; i < starts[k + 1]; ++i) {
      ControlChartPoint& p = result->points[i];
      p.part = static_cast<int32_t>(k);
      part.n_sigma_signals += p.sigma_signal;
      if (!p.included) continue;
      ry.push_back(p.y);
      rcl.push_back(p.cl);
    }
    part.runs = AnalyseRuns(ry, rcl);
    if (options.chart == ChartType::kMr || options.categorical) part.runs.signal = false;
    auto mean_of = [&](double ControlChartPoint::*field) {
      col.clear();
      for (size_t i = starts[k]; i < starts[k + 1]; ++i) col.push_back(result->points[i].*field);
      return RMeanNaRm(col);
    };
    part.mean_lcl = mean_of(&ControlChartPoint::lcl);
    part.mean_lcl_95 = mean_of(&ControlChartPoint::lcl_95);
    part.mean_cl = mean_of(&ControlChartPoint::cl);
    part.mean_ucl_95 = mean_of(&ControlChartPoint::ucl_95);
    part.mean_ucl = mean_of(&ControlChartPoint::ucl);
    result->parts.push_back(part);
  }
  return Status::Ok();
}

ControlChartLabels LabelControlChart(const ControlChartResult& chart, Direction improvement) {
  ControlChartLabels labels;
  labels.point_type.reserve(chart.points.size());
  for (const ControlChartPoint& p : chart.points) {
    SpecialCause cause = SpecialCause::kCommonCause;
    if (p.y > p.ucl) cause = SpecialCause::kAboveUpl;
    if (p.y < p.lcl) cause = SpecialCause::kBelowLpl;
    labels.point_type.push_back(PointTypeOf(cause, improvement));
  }
  if (!labels.point_type.empty()) {
    labels.variation = VariationOf(labels.point_type.back(), improvement);
  }
  return labels;
}

}  // namespace shewhart::stats
