#include "oversight/benchmark.h"

#include <cmath>

namespace shewhart::oversight {

std::string_view Name(BenchmarkMethod method) {
  switch (method) {
    case BenchmarkMethod::kWilson:
      return "wilson";
    case BenchmarkMethod::kByars:
      return "byars";
    case BenchmarkMethod::kRatio:
      return "ratio";
    case BenchmarkMethod::kSpcProportion:
      return "spc-proportion";
    case BenchmarkMethod::kSpcDsr:
      return "spc-dsr";
  }
  return "wilson";
}

std::optional<BenchmarkMethod> ParseBenchmarkMethod(std::string_view word) {
  for (BenchmarkMethod m :
       {BenchmarkMethod::kWilson, BenchmarkMethod::kByars, BenchmarkMethod::kRatio,
        BenchmarkMethod::kSpcProportion, BenchmarkMethod::kSpcDsr}) {
    if (Name(m) == word) return m;
  }
  return std::nullopt;
}

bool IsProportionMethod(BenchmarkMethod method) {
  return method == BenchmarkMethod::kWilson || method == BenchmarkMethod::kSpcProportion;
}

double DefaultMultiplier(BenchmarkMethod method) {
  return method == BenchmarkMethod::kByars || method == BenchmarkMethod::kSpcDsr ? 100000 : 1;
}

std::string_view Name(stats::Polarity polarity) {
  switch (polarity) {
    case stats::Polarity::kHighIsGood:
      return "high-is-good";
    case stats::Polarity::kLowIsGood:
      return "low-is-good";
    case stats::Polarity::kNotApplicable:
      return "not-applicable";
  }
  return "not-applicable";
}

std::optional<stats::Polarity> ParsePolarity(std::string_view word) {
  for (stats::Polarity p : {stats::Polarity::kHighIsGood, stats::Polarity::kLowIsGood,
                            stats::Polarity::kNotApplicable}) {
    if (Name(p) == word) return p;
  }
  return std::nullopt;
}

stats::Direction DirectionOf(stats::Polarity polarity) {
  switch (polarity) {
    case stats::Polarity::kHighIsGood:
      return stats::Direction::kIncrease;
    case stats::Polarity::kLowIsGood:
      return stats::Direction::kDecrease;
    case stats::Polarity::kNotApplicable:
      return stats::Direction::kNeutral;
  }
  return stats::Direction::kNeutral;
}

stats::Polarity PolarityOf(stats::Direction direction) {
  switch (direction) {
    case stats::Direction::kIncrease:
      return stats::Polarity::kHighIsGood;
    case stats::Direction::kDecrease:
      return stats::Polarity::kLowIsGood;
    case stats::Direction::kNeutral:
      return stats::Polarity::kNotApplicable;
  }
  return stats::Polarity::kNotApplicable;
}

Result<BenchmarkComparison> CompareWithBenchmark(std::span<const double> numerators,
                                                 std::span<const double> denominators,
                                                 const BenchmarkOptions& o, int64_t* failed_unit) {
  if (failed_unit != nullptr) *failed_unit = -1;
  if (numerators.size() != denominators.size()) {
    return InvalidArgumentError("numerators and denominators differ in length");
  }
  if (!(o.multiplier > 0) || !std::isfinite(o.multiplier)) {
    return InvalidArgumentError("the multiplier must be a number greater than 0");
  }
  const size_t n = numerators.size();
  BenchmarkComparison out;
  out.multiplier = o.multiplier;
  double total_o = 0, total_d = 0;
  for (size_t i = 0; i < n; ++i) {
    total_o += numerators[i];
    total_d += denominators[i];
  }
  out.benchmark = total_o / total_d * o.multiplier;
  if (o.benchmark) {
    out.benchmark = *o.benchmark;
  } else if (o.method == BenchmarkMethod::kRatio && !o.benchmark_from_data) {
    out.benchmark = o.multiplier;  // a standardised ratio's natural benchmark: observed = expected
  }

  out.units.resize(n);
  std::vector<double> values(n);
  for (size_t i = 0; i < n; ++i) {
    const double x = numerators[i], d = denominators[i];
    Result<stats::Estimate> e = InvalidArgumentError("unreachable");
    switch (o.method) {
      case BenchmarkMethod::kWilson:
      case BenchmarkMethod::kSpcProportion:
        e = stats::Proportion(x, d, o.confidence, o.multiplier);
        break;
      case BenchmarkMethod::kByars:
      case BenchmarkMethod::kSpcDsr:
        e = stats::CrudeRate(x, d, o.confidence, o.multiplier);
        break;
      case BenchmarkMethod::kRatio:
        e = stats::StandardisedRatio(x, d, o.confidence, o.multiplier);
        break;
    }
    if (!e.ok()) {
      if (failed_unit != nullptr) *failed_unit = static_cast<int64_t>(i);
      return e.status();
    }
    BenchmarkUnit& u = out.units[i];
    u.estimate = *e;
    values[i] = e->value;
    if (o.method == BenchmarkMethod::kSpcProportion) {
      const stats::SpcComparison c = stats::CompareSpcForProportions(
          e->value, d, out.benchmark, o.multiplier,
          o.confidence == 0.95 ? stats::kFingertipsZ95 : stats::kFingertipsZ998, o.polarity);
      u.comparison = c.result;
      u.limit_lower = c.lower * o.multiplier;  // Fingertips returns them on the 0..1 scale
      u.limit_upper = c.upper * o.multiplier;
    } else if (o.method == BenchmarkMethod::kSpcDsr) {
      const stats::SpcComparison c =
          stats::CompareSpcForDsr(e->value, d, out.benchmark, o.multiplier,
                                  o.confidence == 0.95 ? 0.025 : 0.001, o.polarity);
      u.comparison = c.result;
      u.limit_lower = c.lower;
      u.limit_upper = c.upper;
    } else {
      u.comparison = stats::CompareSingleOverlappingCi(e->value, e->lower, e->upper, out.benchmark,
                                                       o.polarity);
      u.limit_lower = e->lower;
      u.limit_upper = e->upper;
    }
    ++out.counts[static_cast<int>(u.comparison)];
  }
  ASSIGN_OR_RETURN(out.standing, stats::ComputeStanding(values, DirectionOf(o.polarity)));
  return out;
}

}  // namespace shewhart::oversight
