// Making Data Count XmR charts ("plot the dots"), exactly as NHSRplotthedots computes them.
//
// This is the kernel behind every MDC chart in Shewhart: given one series' values in date order,
// split into recalculation groups, it returns per group the mean and process limits, and per
// point the special-cause rule that fired and its meaning (improvement, concern, neutral); per
// series the variation and assurance icons. The method is NHS England's Making Data Count as
// implemented by NHSRplotthedots 0.2.2 (see docs/spc-methods.md and the specification
// ../shared/spc-reference.md §1), with these documented extensions:
//   - `rule_length = 6`: the 6-point run and trend option of the MDC Excel tool;
//   - missing values (NaN) never fail: a missing point is common cause, takes no part in the mean
//     or moving ranges, and breaks any run, trend or two-in-three window that contains it (the
//     reference throws an error for a missing value inside a potential trend).
//
// Pure: no I/O, no allocation when `result` is reused with enough capacity. Thread-compatible:
// concurrent calls on distinct results are safe.
//
// Example:
//   XmrOptions options;                       // increase is better, screening on, 7-point rules
//   XmrResult result;
//   std::vector<double> y = {10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 13, 13, 13, 13, 13,
//                            13, 13};
//   ComputeXmr(y, /*group_starts=*/{}, /*target=*/NAN, options, &result);
//   result.groups[0].upl;         // 15.1357309942...
//   result.variation;             // Variation::kImprovementHigh
#ifndef SHEWHART_STATS_XMR_H_
#define SHEWHART_STATS_XMR_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace shewhart::stats {

// Which direction of change is good for the measure.
enum class Direction : int8_t { kDecrease = -1, kNeutral = 0, kIncrease = 1 };

// The special-cause label of one point, in NHSRplotthedots' order of precedence.
enum class SpecialCause : uint8_t {
  kCommonCause,
  kAboveUpl,         // "Above UCL": beyond the upper process limit
  kBelowLpl,         // "Below LCL"
  kTrendIncreasing,  // "7 Point Trend (Increasing)"
  kTrendDecreasing,  // "7 Point Trend (Decreasing)"
  kTwoOfThreeAbove,  // "2 in 3 Above CL": 2 of 3 points near the upper limit
  kTwoOfThreeBelow,  // "2 in 3 Below CL"
  kShiftAbove,       // "7 Points Above CL": a run on one side of the mean
  kShiftBelow,       // "7 Points Below CL"
};

// The rule family behind a SpecialCause (what the command line prints as `rule`).
enum class Rule : uint8_t { kNone, kBeyondLimits, kTrend, kTwoOfThree, kShift };

enum class PointType : uint8_t {
  kCommonCause,
  kImprovement,
  kConcern,
  kNeutralHigh,
  kNeutralLow,
};

// The variation icon: the meaning of the series' latest point.
enum class Variation : uint8_t {
  kCommonCause,
  kImprovementHigh,
  kImprovementLow,
  kConcernHigh,
  kConcernLow,
  kNeutralHigh,
  kNeutralLow,
};

// The assurance icon: can the process be relied on to meet the target?
enum class Assurance : uint8_t {
  kNone,  // no target, or a neutral measure
  kConsistentPass,
  kConsistentFail,
  kInconsistent,
};

// Options for one series. Each field defaults to NHSRplotthedots' default.
struct XmrOptions {
  Direction improvement = Direction::kIncrease;
  // Moving-range screening (Nelson 1982): moving ranges >= 3.267 x their mean are dropped before
  // the limits are computed (one pass). false reproduces the MDC Excel tool.
  bool screen_outliers = true;
  // 0: limits from every point of the group. k >= 12: limits from the first k points of each
  // group (by position, missing points included), applied to all its points.
  int32_t fix_after_n_points = 0;
  // Length of the run (shift) and trend rules: 7 (NHSRplotthedots) or 6 (MDC Excel option).
  int32_t rule_length = 7;
  // Groups with fewer points than this get `short_group = true` (trial limits). The reference's
  // code default is 13, i.e. groups of 12 points or fewer are warned about.
  int32_t short_group_threshold = 13;
};

// The constants of the method, as the reference writes them (not 3/d2 = 2.6596...).
inline constexpr double kLimitFactor = 2.66;
inline constexpr double kNearLimitFactor = 2 * (kLimitFactor / 3);
inline constexpr double kScreeningFactor = 3.267;
inline constexpr int32_t kMinFixAfterPoints = 12;

// One recalculation group: points [begin, end) of the series.
struct XmrGroup {
  int32_t begin = 0;
  int32_t end = 0;
  int32_t n_baseline = 0;  // points the limits were computed from (missing ones included)
  double mean = 0;         // NaN if the baseline has no value
  double amr = 0;          // average moving range after screening; NaN if none
  double lpl = 0;          // lower process limit, mean - 2.66 amr (NaN if amr is NaN)
  double upl = 0;          // upper process limit
  double near_lpl = 0;     // mean - (2 x 2.66 / 3) amr: the "near the limit" line
  double near_upl = 0;
  bool short_group = false;  // fewer points than options.short_group_threshold
};

struct XmrResult {
  std::vector<XmrGroup> groups;
  std::vector<SpecialCause> special_cause;  // one per point
  std::vector<PointType> point_type;        // one per point
  Variation variation = Variation::kCommonCause;
  Assurance assurance = Assurance::kNone;
  int32_t n_missing = 0;  // points whose value is NaN
};

// OK, or InvalidArgument naming the offending option.
Status ValidateXmrOptions(const XmrOptions& options);

// Analyses one series.
//   y:            values in date order; NaN marks a missing value.
//   group_starts: indices at which a new recalculation group starts, strictly increasing, each in
//                 (0, y.size()); the first group always starts at 0.
//   target:       the target value for the assurance icon (the target in force at the latest
//                 point); NaN for none.
// REQUIRES: ValidateXmrOptions(options).ok(). An empty y gives no groups and common cause.
void ComputeXmr(std::span<const double> y, std::span<const int32_t> group_starts, double target,
                const XmrOptions& options, XmrResult* result);

// Mapping helpers, each a pure function of its inputs.
Rule RuleOf(SpecialCause cause);
// Orientation of a label: +1 above/increasing, -1 below/decreasing, 0 common cause.
int SideOf(SpecialCause cause);
PointType PointTypeOf(SpecialCause cause, Direction improvement);
Variation VariationOf(PointType latest, Direction improvement);
Assurance AssuranceOf(double target, double lpl, double upl, Direction improvement);

// Stable names used in files and the API ("special_cause_improvement", "improvement_high",
// "consistent_pass", "" for Assurance::kNone, "beyond_limits", ...).
std::string_view Name(PointType v);
std::string_view Name(Variation v);
std::string_view Name(Assurance v);
std::string_view Name(Rule v);
std::string_view Name(Direction v);
// NHSRplotthedots' label text ("7 Point Trend (Increasing)"); with rule_length 6 the run and trend
// labels say 6 ("6 Points Above CL").
std::string_view Label(SpecialCause cause, int32_t rule_length = 7);

}  // namespace shewhart::stats

#endif  // SHEWHART_STATS_XMR_H_
