// Funnel plots: is a unit's rate, proportion or standardised ratio unusual given its size?
//
// The main method is Spiegelhalter's (2005, 2012) as implemented by FunnelPlotR 0.6.0 (MIT; see
// spc-reference.md §3): z-scores on a variance-stabilised scale, outlier-robust z-scores
// (NHS Digital SHMI truncation, or Winsorisation), the dispersion ratio φ and the additive random
// effect τ² (DerSimonian–Laird), 95% and 99.8% limits, with the adjusted limits dropped when
// φ ≤ 1. Parity quirks are reproduced on purpose (z constants truncated to 7 digits, expected
// values rounded to 2 dp for SHMI, CQC adjusted limits not squared back, RC limits with
// SE 1/(2√x)); docs/funnel-plots.md lists them. The PHE variant (PHEindicatormethods'
// calculate_funnel_limits / assign_funnel_significance, §4.4) is at the end of this header.
//
// Pure functions; thread-safe.
//
// Example:
//   std::vector<FunnelInput> rows = {{"a", 100, 108}, {"b", 150, 112}, {"c", 180, 165},
//                                    {"d", 80, 95}, {"e", 120, 100}, {"f", 225, 220}};
//   Result<FunnelResult> r = ComputeFunnel(rows, FunnelOptions{});   // SR, SHMI, 99.8%
//   r->phi;                      // 2.9480331751
//   r->adjusted;                 // true
//   r->units[1].limits.ucl998;   // 1.683426159 (overdispersion-adjusted, in force)
//   std::vector<FunnelCurvePoint> curve = FunnelCurve(*r);   // for drawing the funnel
#ifndef SHEWHART_STATS_FUNNEL_H_
#define SHEWHART_STATS_FUNNEL_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace shewhart::stats {

// FunnelPlotR's data_type.
enum class FunnelType : uint8_t {
  kProportion,  // "PR": numerator events out of denominator cases
  kRatio,       // "SR": indirectly standardised ratio, observed / expected
  kRate,        // "RC": ratio of counts, target = pooled ΣO/ΣD
};

// How a standardised ratio's z-scores and adjusted limits are formed.
enum class SrMethod : uint8_t {
  kShmi,  // log scale, truncation of the top and bottom trim_by (NHS Digital SHMI)
  kCqc,   // square-root scale, Winsorisation (Care Quality Commission)
};

enum class FunnelLimit : uint8_t { k95, k998 };

enum class Overdispersion : uint8_t {
  kAuto,  // FunnelPlotR default: adjusted limits, unless φ <= 1 ("no overdispersion detected")
  kOn,    // always the adjusted limits (τ² as estimated, possibly 0)
  kOff,   // never: the unadjusted limits; φ and τ² reported as 0
};

struct FunnelOptions {
  FunnelType type = FunnelType::kRatio;
  SrMethod sr_method = SrMethod::kShmi;
  FunnelLimit limit = FunnelLimit::k998;  // the limit outliers are judged at
  Overdispersion overdispersion = Overdispersion::kAuto;
  double trim_by = 0.1;       // fraction truncated / Winsorised in each tail, in (0, 0.5)
  double multiplier = 1;      // scale of values and limits (100 for per cent); > 0
  bool shmi_rounding = true;  // SR + SHMI: round each unit's expected count to 2 dp first
};

// z constants exactly as FunnelPlotR writes them (truncated, not qnorm).
inline constexpr double kFunnelZ95 = 1.959964;
inline constexpr double kFunnelZ998 = 3.090232;

// One input row. Rows with the same name are summed into one unit.
struct FunnelInput {
  std::string_view name;
  double numerator = 0;
  double denominator = 0;
};

// Limits at one denominator, on the value scale times the multiplier.
struct FunnelLimits {
  double lcl95 = 0;
  double ucl95 = 0;
  double lcl998 = 0;
  double ucl998 = 0;
};

enum class FunnelOutlier : uint8_t { kNone, kHigh, kLow };
std::string_view Name(FunnelOutlier o);  // "none", "high", "low"

struct FunnelUnit {
  std::string name;
  double numerator = 0;
  double denominator = 0;   // after SHMI rounding when it applies
  double value = 0;         // numerator/denominator (rr), without the multiplier
  double y = 0;             // value on the transformed scale
  double z = 0;             // unadjusted z-score U (−∞ for a zero SHMI numerator)
  double w = 0;             // robust z-score W; NaN when truncated (SHMI)
  bool trimmed = false;     // truncated (SHMI) or Winsorised (others)
  FunnelLimits limits;      // in force: adjusted when the adjustment applies, else unadjusted
  FunnelLimits unadjusted;  // exact Poisson (SR) or normal-approximation limits
  FunnelLimits adjusted;    // overdispersion formula with τ² (τ² = 0 when not applied)
  FunnelOutlier outlier = FunnelOutlier::kNone;  // value·multiplier vs limits in force, strict
};

struct FunnelResult {
  std::vector<FunnelUnit> units;  // one per distinct name, in order of first appearance
  double target = 0;              // 1 for SR, ΣO/ΣD otherwise (without the multiplier)
  double phi = 0;                 // dispersion ratio ΣW²/n
  double tau2 = 0;                // between-unit variance on the transformed scale
  bool adjusted = false;          // the adjusted limits are the ones in force
  FunnelOptions options;
};

// OK, or InvalidArgument naming the offending option.
Status ValidateFunnelOptions(const FunnelOptions& options);

// The funnel for one metric and period. InvalidArgument (naming the unit and 1-based row) for a
// non-finite or negative numerator, a denominator that is not positive, a proportion above 1
// after summing, or fewer than 2 units.
Result<FunnelResult> ComputeFunnel(std::span<const FunnelInput> rows, const FunnelOptions& options);

// Limits at denominator x for the result's type, target, τ² and multiplier: the ones in force.
// Also fills *unadjusted and *adjusted when not null.
FunnelLimits FunnelLimitsAt(const FunnelResult& result, double x, FunnelLimits* unadjusted,
                            FunnelLimits* adjusted);

struct FunnelCurvePoint {
  double denominator = 0;
  FunnelLimits limits;  // in force
  FunnelLimits unadjusted;
  FunnelLimits adjusted;
};

// The limit curves on FunnelPlotR's plotting grid: `n_grid` equally spaced x from 1.1 (SR) or 3
// (PR, RC) to ceil(max denominator), united with the units' own denominators, sorted, duplicates
// removed.
std::vector<FunnelCurvePoint> FunnelCurve(const FunnelResult& result, int32_t n_grid = 1000);

// ---- Building blocks, exposed for tests and for callers with their own z-scores -------------

// Exact Poisson limits of an SR at expected count x: m·qchisq(α/2, 2x)/(2x),
// m·qchisq(1 − α/2, 2(x + 1))/(2x). REQUIRES: x > 0.
FunnelLimits ExactPoissonRatioLimits(double x, double multiplier = 1);

// SHMI truncation: true for units dropped (rank·k/(N+1) floored is <= 0 or >= k − 1, k =
// 1/trim_by, ranks averaged over ties).
std::vector<bool> TruncationFlags(std::span<const double> z, double trim_by);

// Winsorisation at the type-7 trim_by and 1 − trim_by quantiles of z. Writes W into *w and the
// flag (not strictly inside the quantiles) into *winsorised.
void Winsorise(std::span<const double> z, double trim_by, std::vector<double>* w,
               std::vector<bool>* winsorised);

// FunnelPlotR's outlier rule: above `ucl` → high, below `lcl` → low (a value on a limit is not).
FunnelOutlier OutlierOf(double scaled_value, double lcl, double ucl);

// R's round(x, digits) (R >= 4.0: the nearer of the two candidates, ties to even).
double RRound(double x, int digits);

// ---- PHE variant (PHEindicatormethods calculate_funnel_limits, §4.4) -------------------------

// The raw inverse-Wilson limits for proportions: the proportions whose Wilson interval at
// probability q (0.975 for 95%, 0.999 for 99.8%) just touches p̄, at population n, times the
// multiplier. No clamping (the lower can be negative for small n).
struct PheLimitPair {
  double low = 0;
  double high = 0;
};
PheLimitPair PheProportionLimits(double pbar, double n, double q, double multiplier = 1);

// One row of PHE's proportion limits table: lower floored at 0, upper capped at 100 — 100
// whatever the multiplier, as the reference does.
FunnelLimits PheProportionLimitsRow(double pbar, double n, double multiplier);

// PHE Poisson funnel limits at observed count O: the expected counts from the §4.5 bisection.
struct PheRatioExpected {
  double lower_2s = 0;  // PoissonBisect(O, 0.025, high)
  double upper_2s = 0;  // PoissonBisect(O, 0.025, low)
  double lower_3s = 0;  // PoissonBisect(O, 0.001, high)
  double upper_3s = 0;  // PoissonBisect(O, 0.001, low)
};
PheRatioExpected PheRatioFunnelExpected(double observed);

enum class PheRatioType : uint8_t { kCount, kIsr };
// Ratio limits O/expected: "count" subtracts 1, "isr" multiplies by 100.
FunnelLimits PheRatioLimitsRow(double observed, PheRatioType type);

enum class PheSignificance : uint8_t {
  kNotSignificant,
  kHigh0001,  // "High (0.001)": beyond the 99.8% limit
  kHigh0025,  // "High (0.025)": beyond the 95% limit only
  kLow0001,
  kLow0025,
  kNotApplicable,  // dsr with fewer than 10 events
};
std::string_view Name(PheSignificance s);  // PHE's labels, "High (0.001)", ...

// Proportion funnel significance of x out of n against p̄ (multiplier 1 comparison).
PheSignificance PheProportionSignificance(double x, double n, double pbar);

// Ratio funnel significance of observed O against expected E: the exact (O < 10) or Byar
// interval of O divided by E, compared with `reference` (1 for ratios; the weighted average rate
// for rates, with E the derived denominator).
PheSignificance PheRatioSignificance(double observed, double expected, double reference = 1);

// PHE's funnel of units given as summed numerators and denominators (same length): the reference
// is the pooled proportion or rate (ΣO/ΣD), or 1 for ratios (denominator = expected count).
// Proportions get the inverse-Wilson limits at each unit's denominator (PheProportionLimitsRow);
// ratios and rates get no limits (NaN) and are judged by the exact/Byar interval of the observed
// count (PheRatioSignificance). A unit is an outlier when it is significant at the 99.8% level,
// or at the 95% level too when options.limit is k95. Uses options.type, .limit and .multiplier
// only (no overdispersion, no SHMI rounding: PHEindicatormethods has neither).
struct PheFunnelUnit {
  double value = 0;  // numerator / denominator x multiplier
  FunnelLimits limits;
  PheSignificance significance = PheSignificance::kNotSignificant;
  FunnelOutlier outlier = FunnelOutlier::kNone;
};
struct PheFunnelResult {
  double reference = 0;              // without the multiplier
  std::vector<PheFunnelUnit> units;  // in input order
  int32_t n_high = 0;
  int32_t n_low = 0;
};
PheFunnelResult ComputePheFunnel(std::span<const double> numerators,
                                 std::span<const double> denominators,
                                 const FunnelOptions& options);

}  // namespace shewhart::stats

#endif  // SHEWHART_STATS_FUNNEL_H_
