// Benchmark comparison: each unit's value with its confidence interval, whether it is better,
// similar to or worse than a benchmark (the methods of PHE's Fingertips), and where it stands
// among the others (rank, quartile, gaps to the best and to the top quarter).
//
// The one function behind `shewhart compare` (a CSV of units) and the server's benchmark view of a
// metric (GET /api/benchmark/{metric}, every organisation in one period): both faces call
// CompareWithBenchmark with the same options, so their numbers are the same. The statistics are
// stats/intervals.h and stats/standing.h, unchanged.
//
// Pure: no I/O, no database. Thread-safe.
//
// Example:
//   std::vector<double> x = {30, 55, 80}, n = {100, 100, 100};
//   BenchmarkOptions o;
//   o.method = BenchmarkMethod::kWilson;
//   o.polarity = stats::Polarity::kHighIsGood;
//   ASSIGN_OR_RETURN(BenchmarkComparison c, CompareWithBenchmark(x, n, o));
//   c.benchmark;                 // 0.55: the whole data's proportion
//   c.units[2].comparison;       // stats::Comparison::kBetter (Wilson 0.711..0.866 above 0.55)
//   c.standing.units[2].rank;    // 1
#ifndef SHEWHART_OVERSIGHT_BENCHMARK_H_
#define SHEWHART_OVERSIGHT_BENCHMARK_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "stats/intervals.h"
#include "stats/standing.h"
#include "stats/xmr.h"

namespace shewhart::oversight {

// How a unit's value, its interval and its comparison are computed.
enum class BenchmarkMethod : uint8_t {
  kWilson,         // proportion, Wilson interval; similar when the interval holds the benchmark
  kByars,          // rate per multiplier, exact (< 10 events) or Byar's interval
  kRatio,          // standardised ratio observed / expected (denominator = expected)
  kSpcProportion,  // Fingertips "SPC for proportions": control limits around the benchmark
  kSpcDsr,         // Fingertips "SPC for DSR": Poisson control limits around the benchmark rate
};
// "wilson", "byars", "ratio", "spc-proportion", "spc-dsr" (the words of `shewhart compare`).
std::string_view Name(BenchmarkMethod method);
std::optional<BenchmarkMethod> ParseBenchmarkMethod(std::string_view word);
// True for wilson and spc-proportion: the numerator cannot exceed the denominator.
bool IsProportionMethod(BenchmarkMethod method);
// The default multiplier: 100000 for the rate methods (byars, spc-dsr), else 1.
double DefaultMultiplier(BenchmarkMethod method);

// "high-is-good", "low-is-good", "not-applicable" (the words of `shewhart compare --polarity`).
std::string_view Name(stats::Polarity polarity);
std::optional<stats::Polarity> ParsePolarity(std::string_view word);

// The direction in which values improve for a polarity: high-is-good -> increase, low-is-good ->
// decrease, not-applicable -> neutral.
stats::Direction DirectionOf(stats::Polarity polarity);
// The polarity of a direction of improvement (the inverse of DirectionOf).
stats::Polarity PolarityOf(stats::Direction direction);

struct BenchmarkOptions {
  BenchmarkMethod method = BenchmarkMethod::kWilson;
  // The value to compare with, on the output's scale. Empty: the whole data's value (total
  // numerator / total denominator x multiplier), except for ratios (multiplier: observed =
  // expected) unless benchmark_from_data.
  std::optional<double> benchmark;
  bool benchmark_from_data = false;
  stats::Polarity polarity = stats::Polarity::kNotApplicable;
  double confidence = 0.95;  // 0.95 or 0.998
  double multiplier = 1;     // scale of values (see DefaultMultiplier). REQUIRES: finite, > 0
};

struct BenchmarkUnit {
  stats::Estimate estimate;  // value and interval at options.confidence, on the output's scale
  // The limits the comparison judged against: the unit's interval for wilson, byars and ratio;
  // the control limits around the benchmark for the SPC methods.
  double limit_lower = 0;
  double limit_upper = 0;
  stats::Comparison comparison = stats::Comparison::kNone;
};

struct BenchmarkComparison {
  double benchmark = 0;              // on the output's scale
  double multiplier = 1;             // of values, intervals and the benchmark
  std::vector<BenchmarkUnit> units;  // in input order
  stats::StandingResult standing;    // of the units' values, in the polarity's direction
  // Units per comparison, indexed by static_cast<int>(stats::Comparison).
  int64_t counts[4] = {0, 0, 0, 0};
};

// Compares units given as summed numerators and denominators (one entry per unit, same length).
// InvalidArgument when a unit's value cannot be estimated (e.g. a zero denominator); then
// `*failed_unit` (when given) is that unit's index, else -1.
Result<BenchmarkComparison> CompareWithBenchmark(std::span<const double> numerators,
                                                 std::span<const double> denominators,
                                                 const BenchmarkOptions& options,
                                                 int64_t* failed_unit = nullptr);

}  // namespace shewhart::oversight

#endif  // SHEWHART_OVERSIGHT_BENCHMARK_H_
