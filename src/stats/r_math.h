// R's arithmetic where parity with the reference tools depends on it (spc-reference.md §0.3).
//
// R's mean() sums in long double, divides, then adds one correction pass, Σ(x − m)/n. Copying that
// exactly keeps our means bit-for-bit equal to R's on x86-64, so a point that sits within an ulp
// of a limit gets the same flag in both tools.
#ifndef SHEWHART_STATS_R_MATH_H_
#define SHEWHART_STATS_R_MATH_H_

#include <cmath>
#include <cstddef>
#include <limits>
#include <span>

namespace shewhart::stats {

// mean(x, na.rm = TRUE): NaN values are skipped; NaN when none remain.
double RMeanNaRm(std::span<const double> x);

// mean(x) for values known to hold no NaN.
double RMean(std::span<const double> x);

// mean(x[x < cutoff], na.rm = TRUE): the same mean over the values strictly below `cutoff`
// (none when cutoff is NaN). Used for moving-range screening.
double RMeanBelow(std::span<const double> x, double cutoff);

}  // namespace shewhart::stats

#endif  // SHEWHART_STATS_R_MATH_H_
