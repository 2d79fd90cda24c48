// Confidence intervals and benchmark comparisons as Public Health England's Fingertips computes
// them (spc-reference.md §4): Wilson intervals for proportions, exact Poisson / Byar intervals
// for counts, rates and standardised ratios, the 23-step Poisson bisection Fingertips uses in
// place of a chi-square quantile, the comparisons that colour a Fingertips "compared with
// England" cell (better / same / worse), and the recent-trend marker.
//
// Implemented from the published formulas only (PHEindicatormethods is GPL-3 and the Fingertips
// service code carries no licence); docs/intervals-and-comparisons.md explains each method in
// words and lists where we copy a quirk of the reference deliberately.
//
// Confidence levels are given as a fraction (0.95) or a percentage (95); anything outside 0.9..1
// (90..100) is refused, as in the reference. All functions are pure and thread-safe.
//
// Example:
//   Result<Interval> ci = WilsonInterval(65, 100, 0.95);      // {0.552544..., 0.736357...}
//   Result<RateEstimate> r = CrudeRate(5, 100, 0.95, 100);    // value 5, exact:
//   {1.623..., 11.668...} double lambda = PoissonBisect(1, 0.025, BisectSide::kHigh);
//   // 5.5716445854 (exact 5.5716433909) Comparison c =
//   CompareSingleOverlappingCi(7.7, 6.9, 8.6, 8.96, Polarity::kHighIsGood);
//                                                            // Comparison::kWorse
#ifndef SHEWHART_STATS_INTERVALS_H_
#define SHEWHART_STATS_INTERVALS_H_

#include <cstdint>
#include <span>
#include <string_view>

#include "base/status.h"

namespace shewhart::stats {

struct Interval {
  double lower = 0;
  double upper = 0;
};

// The count threshold at which rate and ratio intervals switch from exact Poisson to Byar.
inline constexpr double kByarFromCount = 10;

// A confidence level as a fraction in [0.9, 1]: values >= 90 are read as percentages. Anything
// else is InvalidArgument.
Result<double> NormalizeConfidence(double confidence);

// Two-sided normal quantile qnorm(c + (1 - c)/2), full precision: 1.959963984540054 for 0.95,
// 3.090232306167814 for 0.998. REQUIRES: c in [0.9, 1) (already normalised).
double TwoSidedZ(double confidence);

// Wilson score interval of x events out of n, on the proportion scale (0..1). x may be
// non-integer. Confidence 1 gives (0, 1). InvalidArgument unless 0 <= x <= n, n > 0.
Result<Interval> WilsonInterval(double x, double n, double confidence = 0.95);

// Byar's approximation to the Poisson interval of a count x (no switch to exact). A negative lower
// bound is returned as NaN, as PHE does. InvalidArgument unless x >= 0.
Result<Interval> ByarInterval(double x, double confidence = 0.95);

// Exact Poisson interval of a count x: qchisq(a/2, 2x)/2 .. qchisq(1 - a/2, 2x + 2)/2 (lower 0
// when x = 0). x may be non-integer. InvalidArgument unless x >= 0.
Result<Interval> ExactPoissonInterval(double x, double confidence = 0.95);

enum class IntervalMethod : uint8_t { kWilson, kExact, kByar };
std::string_view Name(IntervalMethod m);  // "Wilson", "Exact", "Byars" (PHE's labels)

// A value with its interval at one confidence level, all in the caller's units.
struct Estimate {
  double value = 0;
  double lower = 0;
  double upper = 0;
  IntervalMethod method = IntervalMethod::kWilson;
};

// phe_proportion: value x/n·multiplier with the Wilson interval × multiplier.
Result<Estimate> Proportion(double x, double n, double confidence = 0.95, double multiplier = 1);

// The Poisson interval of a count with PHE's switch: exact when x < 10, Byar from 10.
Result<Estimate> PoissonCount(double x, double confidence = 0.95);

// phe_rate: crude rate x/n·multiplier; limits = PoissonCount bounds / n · multiplier.
Result<Estimate> CrudeRate(double x, double n, double confidence = 0.95,
                           double multiplier = 100000);

// calculate_ISRatio once the expected count is known: value O/E·refvalue; limits =
// PoissonCount(O) bounds / E · refvalue (the switch is on the observed count).
Result<Estimate> StandardisedRatio(double observed, double expected, double confidence = 0.95,
                                   double refvalue = 1);

// ---- The Poisson bisection (§4.5), replicated step for step -------------------------------

// P(a <= X <= b) for X ~ Poisson(lambda), by the unnormalised series Fingertips sums (stops once
// past the mode and a term adds less than 1e-10 of the total). Bounds may be non-integer.
double PoissonProbabilityBetween(double lambda, double a, double b);

enum class BisectSide : uint8_t {
  kLow,   // Fingertips PoisLow: lambda with P(X >= O) = p   (~ qchisq(p, 2O)/2)
  kHigh,  // Fingertips PoisHigh: lambda with P(X <= O) = p  (~ qchisq(1 - p, 2O + 2)/2)
};

// The 23-step bisection on v in (0, 1), lambda = (1 + O)·v/(1 − v). Agrees with the exact
// chi-square value to ~1e-7 relative; PHE's published fixtures match this, not the exact value.
// REQUIRES: observed >= 0, 0 < p < 1.
double PoissonBisect(double observed, double p, BisectSide side);

// ---- Comparison with a benchmark (§4.3) ------------------------------------------------------

enum class Polarity : uint8_t { kHighIsGood, kLowIsGood, kNotApplicable };

enum class Comparison : uint8_t { kNone, kSame, kBetter, kWorse };
std::string_view Name(Comparison c);  // "none", "same", "better", "worse"

// Benchmark inside the unit's interval (inclusive) → same; else by value, then polarity.
// NaN in any input → none.
Comparison CompareSingleOverlappingCi(double value, double lower, double upper, double benchmark,
                                      Polarity polarity);

// The two intervals overlap (inclusive) → same; else by value, then polarity.
Comparison CompareDoubleOverlappingCi(double value, double lower, double upper,
                                      double benchmark_value, double benchmark_lower,
                                      double benchmark_upper, Polarity polarity);

// Fingertips' constants for the SPC comparers, as stored in its configuration (not qnorm).
inline constexpr double kFingertipsZ95 = 1.96;
inline constexpr double kFingertipsZ998 = 3.0902;

struct SpcComparison {
  Comparison result = Comparison::kNone;
  // The control limits the value was judged against, in the caller's units (NaN when none).
  double lower = 0;
  double upper = 0;
};

// "SPC for proportions": value and benchmark in `unit`s (100 for per cent), N the unit's
// denominator, z kFingertipsZ95 or kFingertipsZ998. Limits are the Wilson interval of E = N·p0
// out of N, returned on the proportion scale (0..1) as Fingertips computes them. None when N <= 0
// or a value is NaN.
SpcComparison CompareSpcForProportions(double value, double denominator, double benchmark,
                                       double unit, double z, Polarity polarity);

// "SPC for DSR": rates per `unit` (e.g. 100000), population d, p = 0.025 (95%) or 0.001
// (99.8%). Limits PoissonBisect(E, p, low/high)/d·unit with E = benchmark·d/unit. None when
// d <= 0 or a value is NaN.
SpcComparison CompareSpcForDsr(double value, double population, double benchmark, double unit,
                               double p, Polarity polarity);

// ---- Recent-trend marker (§4.6) --------------------------------------------------------------

enum class TrendMarker : uint8_t {
  kCannotBeCalculated,
  kNoSignificantChange,
  kIncreasing,
  kDecreasing,
};
std::string_view Name(TrendMarker m);  // "cannot_be_calculated", "no_significant_change", ...

// qchisq(0.998, 1): the chi-square a trend must exceed.
inline constexpr double kTrendMarkerThreshold = 9.54953570608324;
inline constexpr int32_t kTrendMarkerPoints = 5;

struct TrendMarkerResult {
  TrendMarker marker = TrendMarker::kCannotBeCalculated;
  double chi_squared = 0;  // 0 when it cannot be calculated
  double slope = 0;        // fitted slope on all points (logit scale for proportions)
  // The 5 leave-one-out slopes (point t dropped), all with the same sign as `slope` for a marker.
  double leave_one_out[kTrendMarkerPoints] = {0, 0, 0, 0, 0};
  int32_t first_point = -1;  // index into the inputs of the oldest point used; -1 when none
  // Why no marker: "", "fewer than 5 points", "count equals denominator", "outlier found".
  std::string_view reason;
};

// Trend for a proportion: counts and denominators of annual points, oldest first; NaN marks an
// invalid point. Uses the 5 most recent points of the latest unbroken run of valid ones. χ² is
// Cochran–Armitage; the direction and the leave-one-out check use the unweighted OLS slope of the
// logit. Cannot be calculated with fewer than 5 points or when some count equals its denominator
// or is 0 (the logit is infinite; our decision, the reference does not say).
// REQUIRES: counts.size() == denominators.size().
TrendMarkerResult ProportionTrendMarker(std::span<const double> counts,
                                        std::span<const double> denominators);

// Trend for any other value with a 95% interval: inverse-variance weighted slope of value on t,
// SE = (upper − lower)/3.92. NaN in any of the three marks an invalid point.
// REQUIRES: the three spans have equal sizes.
TrendMarkerResult IntervalTrendMarker(std::span<const double> values,
                                      std::span<const double> lower95,
                                      std::span<const double> upper95);

}  // namespace shewhart::stats

#endif  // SHEWHART_STATS_INTERVALS_H_
