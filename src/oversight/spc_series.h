// One series through the Making Data Count engine, with the checks an analyst needs around it.
//
// stats/xmr.h computes limits and rules for values already in order. This layer is what every face
// of Shewhart (the `shewhart spc` command, the server after an import, the board exports) calls
// for one series: it maps recalculation dates to positions, infers the period grain, finds gaps,
// runs the kernel and collects plain-English warnings (trial limits, gaps, missing values,
// recalculations without a reason, limits that cannot be computed).
//
// Thread-compatible: distinct results may be computed concurrently.
//
// Example:
//   SpcSeriesInput in;
//   in.dates = dates; in.values = values;          // strictly increasing dates
//   in.recalculations = {{DaysFromCivil(2021, 1, 21), "New triage model"}};
//   SpcSeriesResult out;
//   AnalyseSpcSeries(in, &out);
//   out.xmr.groups.size();  // 2
#ifndef SHEWHART_OVERSIGHT_SPC_SERIES_H_
#define SHEWHART_OVERSIGHT_SPC_SERIES_H_

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "base/date.h"
#include "stats/periods.h"
#include "stats/xmr.h"

namespace shewhart::oversight {

// A recalculation (rebase): a new period of the process starts on `date`, for `reason`.
struct Recalculation {
  Date date = 0;
  std::string reason;  // why the process changed; empty is allowed but warned about
};

struct SpcSeriesInput {
  std::span<const Date> dates;    // REQUIRES: strictly increasing
  std::span<const double> values; // same length; NaN = missing value
  // Recalculation dates. A date that matches no row is ignored with a warning (the reference
  // ignores it silently). Order does not matter; duplicates are merged.
  std::span<const Recalculation> recalculations;
  // Target in force at the latest point, for the assurance icon; NaN for none.
  double target = std::numeric_limits<double>::quiet_NaN();
  stats::XmrOptions options;
};

// A recalculation that took effect: the group starting at `index` (a position in the series).
struct AppliedRecalculation {
  int32_t index = 0;
  Date date = 0;
  std::string reason;
};

struct SpcSeriesResult {
  stats::XmrResult xmr;
  std::vector<AppliedRecalculation> recalculations;  // one per group after the first
  stats::Frequency frequency = stats::Frequency::kUnknown;
  std::vector<stats::DateGap> gaps;
  std::vector<std::string> warnings;  // plain English, one sentence each
};

// REQUIRES: stats::ValidateXmrOptions(input.options).ok(); dates strictly increasing.
void AnalyseSpcSeries(const SpcSeriesInput& input, SpcSeriesResult* result);

}  // namespace shewhart::oversight

#endif  // SHEWHART_OVERSIGHT_SPC_SERIES_H_
