#include "stats/xmr.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "stats/r_math.h"

namespace shewhart::stats {
namespace {


// Per-point facts gathered in the forward pass, one bit each.
enum : uint16_t {
  kMissing = 1 << 0,
  kAbove = 1 << 1,        // side = +1
  kBelow = 1 << 2,        // side = -1
  kOutside = 1 << 3,      // beyond a process limit
  kNear = 1 << 4,         // between a near-limit line and its limit
  kTrendUpEnd = 1 << 5,   // the last point of a qualifying increasing trend window
  kTrendDownEnd = 1 << 6, // the last point of a qualifying decreasing trend window
  kShiftEnd = 1 << 7,     // the last point of a qualifying run window
  kTwoOfThreeEnd = 1 << 8 // the last point of a qualifying two-in-three window
};

constexpr int kSpecialCauseCount = static_cast<int>(SpecialCause::kShiftBelow) + 1;

// Scratch space reused across calls on the same thread, so a warm kernel does not allocate.
thread_local std::vector<uint16_t> tls_flags;
thread_local std::vector<double> tls_moving_ranges;

void ComputeLimits(std::span<const double> y, int32_t n_baseline, bool screen, XmrGroup* g) {
  const std::span<const double> base = y.first(static_cast<size_t>(n_baseline));
  g->n_baseline = n_baseline;

  // One pass gathers the moving ranges of consecutive baseline points (a missing value on either
  // side gives none) and sums both the values and the ranges; the means then follow R's mean():
  // long-double sum, divide, then one correction pass Σ(x − m)/n. The two sums (and the two
  // correction sums) are independent chains run side by side; each adds its terms in R's order,
  // so the results are bit-identical to computing them one after the other.
  std::vector<double>& mrs = tls_moving_ranges;
  mrs.resize(base.size());
  size_t n_mr = 0, n_y = 0;
  long double sum_y = 0, sum_mr = 0;
  for (size_t i = 0; i < base.size(); ++i) {
    const double v = base[i];
    if (!std::isnan(v)) {
      sum_y += v;
      ++n_y;
    }
    if (i > 0) {
      const double mr = std::fabs(v - base[i - 1]);
      if (!std::isnan(mr)) {
        mrs[n_mr++] = mr;
        sum_mr += mr;
      }
    }
  }
  const std::span<const double> ranges(mrs.data(), n_mr);
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  long double mean_y = n_y ? sum_y / static_cast<long double>(n_y) : kNaN;
  long double mean_mr = n_mr ? sum_mr / static_cast<long double>(n_mr) : kNaN;
  const bool correct_y = std::isfinite(static_cast<double>(mean_y));
  const bool correct_mr = std::isfinite(static_cast<double>(mean_mr));
  long double t_y = 0, t_mr = 0;
  const size_t n_pass = std::max(correct_y ? base.size() : 0, correct_mr ? n_mr : 0);
  for (size_t i = 0; i < n_pass; ++i) {
    if (correct_y && i < base.size() && !std::isnan(base[i])) t_y += base[i] - mean_y;
    if (correct_mr && i < n_mr) t_mr += mrs[i] - mean_mr;
  }
  if (correct_y) mean_y += t_y / static_cast<long double>(n_y);
  if (correct_mr) mean_mr += t_mr / static_cast<long double>(n_mr);
  g->mean = static_cast<double>(mean_y);
  double amr = static_cast<double>(mean_mr);
  if (screen) {
    // One pass, strict: a moving range equal to the cut-off is dropped. A NaN cut-off (no moving
    // ranges) keeps none, so the limits are NaN, as in the reference.
    amr = RMeanBelow(ranges, kScreeningFactor * amr);
  }
  g->amr = amr;
  g->lpl = g->mean - (kLimitFactor * amr);
  g->upl = g->mean + (kLimitFactor * amr);
  g->near_lpl = g->mean - (kNearLimitFactor * amr);
  g->near_upl = g->mean + (kNearLimitFactor * amr);
}

// Labels the points of one group. `flags` and `out` are the group's slices.
void LabelGroup(std::span<const double> y, const XmrGroup& g, int32_t rule_length,
                std::span<uint16_t> flags, std::span<SpecialCause> out) {
  const int32_t m = static_cast<int32_t>(y.size());
  const int32_t need_steps = rule_length - 1;  // successive differences in a trend window

  // Forward pass: per-point flags and the ends of qualifying windows. Branch-free: a missing
  // value is NaN, every comparison with NaN is false, so it gets no side, is neither outside nor
  // near, and resets the trend and run counters (its own step and the next one are NaN too).
  int32_t up_steps = 0, down_steps = 0, same_side = 0;
  uint16_t prev = kMissing, prev2 = kMissing;  // flags of points i-1 and i-2
  double prev_v = std::numeric_limits<double>::quiet_NaN();
  for (int32_t i = 0; i < m; ++i) {
    const double v = y[i];
    const double d = v - g.mean;
    const bool outside = (v > g.upl) | (v < g.lpl);
    const bool near = (!outside) & ((v < g.near_lpl) | (v > g.near_upl));
    const uint16_t side = static_cast<uint16_t>(((d > 0) * kAbove) | ((d < 0) * kBelow));
    uint16_t f = static_cast<uint16_t>(side | (outside * kOutside) | (near * kNear) |
                                       (std::isnan(v) * kMissing));

    const double step = v - prev_v;
    up_steps = (step > 0) * (up_steps + 1);
    down_steps = (step < 0) * (down_steps + 1);
    f |= static_cast<uint16_t>(((up_steps >= need_steps) * kTrendUpEnd) |
                               ((down_steps >= need_steps) * kTrendDownEnd));

    same_side = (side != 0) * (((prev & (kAbove | kBelow)) == side) * same_side + 1);
    f |= static_cast<uint16_t>((same_side >= rule_length) * kShiftEnd);

    // Window {i-2, i-1, i}: at least two near and all three strictly on the same side (which
    // excludes missing points and the start of the group, whose "previous" flags are kMissing).
    const int near_count = ((prev2 & kNear) + (prev & kNear) + (f & kNear)) / kNear;
    const bool same = (prev2 & prev & f & (kAbove | kBelow)) != 0;
    f |= static_cast<uint16_t>(((near_count >= 2) & same) * kTwoOfThreeEnd);

    flags[i] = f;
    prev2 = prev;
    prev = f;
    prev_v = v;
  }

  // Backward pass: a point is part of a pattern if a qualifying window ending at i covers it
  // (i within the next rule_length - 1 points); precedence as in the reference.
  constexpr int32_t kFar = std::numeric_limits<int32_t>::max() / 2;
  int32_t next_trend_end = kFar, next_shift_end = kFar;
  bool next_in_trend = false;
  for (int32_t j = m - 1; j >= 0; --j) {
    const uint16_t f = flags[j];
    if (f & (kTrendUpEnd | kTrendDownEnd)) next_trend_end = j;
    if (f & kShiftEnd) next_shift_end = j;
    const bool in_trend = next_trend_end - j <= need_steps;
    const bool in_shift = next_shift_end - j <= need_steps;
    // Near, and a qualifying window {j-2..j}, {j-1..j+1} or {j..j+2} contains it.
    const uint16_t ahead = f | (j + 1 < m ? flags[j + 1] : 0) | (j + 2 < m ? flags[j + 2] : 0);
    const bool in_two_of_three = (f & kNear) && (ahead & kTwoOfThreeEnd);
    const bool above = f & kAbove;

    SpecialCause cause = SpecialCause::kCommonCause;
    if (f & kOutside) {
      cause = above ? SpecialCause::kAboveUpl : SpecialCause::kBelowLpl;
    } else if (in_trend) {
      // Direction from the right-hand neighbour when it is in a trend too, else from the left;
      // a tie (sign 0) reads as decreasing, as in the reference.
      double step = 0;
      if (next_in_trend) {
        step = y[j + 1] - y[j];
      } else if (j > 0) {
        step = y[j] - y[j - 1];
      }
      cause = step > 0 ? SpecialCause::kTrendIncreasing : SpecialCause::kTrendDecreasing;
    } else if (in_two_of_three) {
      cause = above ? SpecialCause::kTwoOfThreeAbove : SpecialCause::kTwoOfThreeBelow;
    } else if (in_shift) {
      cause = above ? SpecialCause::kShiftAbove : SpecialCause::kShiftBelow;
    }
    out[j] = cause;
    next_in_trend = in_trend;
  }
}

}  // namespace

Status ValidateXmrOptions(const XmrOptions& options) {
  if (options.fix_after_n_points != 0 && options.fix_after_n_points < kMinFixAfterPoints) {
    return InvalidArgumentError("fix_after_n_points must be at least " +
                                std::to_string(kMinFixAfterPoints) + " (got " +
                                std::to_string(options.fix_after_n_points) + ")");
  }
  if (options.rule_length != 6 && options.rule_length != 7) {
    return InvalidArgumentError("rule length must be 6 or 7 (got " +
                                std::to_string(options.rule_length) + ")");
  }
  if (options.short_group_threshold < 0) {
    return InvalidArgumentError("short_group_threshold must not be negative");
  }
  switch (options.improvement) {
    case Direction::kDecrease:
    case Direction::kNeutral:
    case Direction::kIncrease:
      break;
    default:
      return InvalidArgumentError("improvement direction must be increase, decrease or neutral");
  }
  return Status::Ok();
}

void ComputeXmr(std::span<const double> y, std::span<const int32_t> group_starts, double target,
                const XmrOptions& options, XmrResult* result) {
  const int32_t n = static_cast<int32_t>(y.size());
  result->groups.clear();
  result->special_cause.resize(y.size());
  result->point_type.resize(y.size());
  result->variation = Variation::kCommonCause;
  result->assurance = Assurance::kNone;
  result->n_missing = 0;
  if (n == 0) return;

  std::vector<uint16_t>& flags = tls_flags;
  if (flags.size() < y.size()) flags.resize(y.size());

  for (size_t k = 0; k <= group_starts.size(); ++k) {
    XmrGroup g;
    g.begin = k == 0 ? 0 : group_starts[k - 1];
    g.end = k == group_starts.size() ? n : group_starts[k];
    const int32_t len = g.end - g.begin;
    const int32_t n_baseline =
        options.fix_after_n_points > 0 ? std::min(len, options.fix_after_n_points) : len;
    const std::span<const double> gy = y.subspan(g.begin, len);
    ComputeLimits(gy, n_baseline, options.screen_outliers, &g);
    g.short_group = len < options.short_group_threshold;
    LabelGroup(gy, g, options.rule_length, std::span<uint16_t>(flags).subspan(g.begin, len),
               std::span<SpecialCause>(result->special_cause).subspan(g.begin, len));
    result->groups.push_back(g);
  }

  // Point types by table: the meaning of each label for this measure's direction.
  PointType meaning[kSpecialCauseCount];
  for (int c = 0; c < kSpecialCauseCount; ++c) {
    meaning[c] = PointTypeOf(static_cast<SpecialCause>(c), options.improvement);
  }
  int32_t missing = 0;
  for (int32_t i = 0; i < n; ++i) {
    result->point_type[i] = meaning[static_cast<int>(result->special_cause[i])];
    missing += std::isnan(y[i]);
  }
  result->n_missing = missing;
  result->variation = VariationOf(result->point_type[n - 1], options.improvement);
  const XmrGroup& last = result->groups.back();
  result->assurance = AssuranceOf(target, last.lpl, last.upl, options.improvement);
}

Rule RuleOf(SpecialCause cause) {
  switch (cause) {
    case SpecialCause::kCommonCause:
      return Rule::kNone;
    case SpecialCause::kAboveUpl:
    case SpecialCause::kBelowLpl:
      return Rule::kBeyondLimits;
    case SpecialCause::kTrendIncreasing:
    case SpecialCause::kTrendDecreasing:
      return Rule::kTrend;
    case SpecialCause::kTwoOfThreeAbove:
    case SpecialCause::kTwoOfThreeBelow:
      return Rule::kTwoOfThree;
    case SpecialCause::kShiftAbove:
    case SpecialCause::kShiftBelow:
      return Rule::kShift;
  }
  return Rule::kNone;
}

int SideOf(SpecialCause cause) {
  switch (cause) {
    case SpecialCause::kCommonCause:
      return 0;
    case SpecialCause::kAboveUpl:
    case SpecialCause::kTrendIncreasing:
    case SpecialCause::kTwoOfThreeAbove:
    case SpecialCause::kShiftAbove:
      return 1;
    case SpecialCause::kBelowLpl:
    case SpecialCause::kTrendDecreasing:
    case SpecialCause::kTwoOfThreeBelow:
    case SpecialCause::kShiftBelow:
      return -1;
  }
  return 0;
}

PointType PointTypeOf(SpecialCause cause, Direction improvement) {
  const int v = SideOf(cause);
  if (v == 0) return PointType::kCommonCause;
  if (improvement == Direction::kNeutral) {
    return v > 0 ? PointType::kNeutralHigh : PointType::kNeutralLow;
  }
  return v * static_cast<int>(improvement) > 0 ? PointType::kImprovement : PointType::kConcern;
}

Variation VariationOf(PointType latest, Direction improvement) {
  const bool increase = improvement == Direction::kIncrease;
  switch (latest) {
    case PointType::kCommonCause:
      return Variation::kCommonCause;
    case PointType::kImprovement:
      return increase ? Variation::kImprovementHigh : Variation::kImprovementLow;
    case PointType::kConcern:
      return increase ? Variation::kConcernLow : Variation::kConcernHigh;
    case PointType::kNeutralHigh:
      return Variation::kNeutralHigh;
    case PointType::kNeutralLow:
      return Variation::kNeutralLow;
  }
  return Variation::kCommonCause;
}

Assurance AssuranceOf(double target, double lpl, double upl, Direction improvement) {
  if (std::isnan(target) || improvement == Direction::kNeutral) return Assurance::kNone;
  const bool increase = improvement == Direction::kIncrease;
  if (target > upl) return increase ? Assurance::kConsistentFail : Assurance::kConsistentPass;
  if (target < lpl) return increase ? Assurance::kConsistentPass : Assurance::kConsistentFail;
  return Assurance::kInconsistent;  // includes a target on a limit, and NaN limits
}

std::string_view Name(PointType v) {
  switch (v) {
    case PointType::kCommonCause:
      return "common_cause";
    case PointType::kImprovement:
      return "special_cause_improvement";
    case PointType::kConcern:
      return "special_cause_concern";
    case PointType::kNeutralHigh:
      return "special_cause_neutral_high";
    case PointType::kNeutralLow:
      return "special_cause_neutral_low";
  }
  return "";
}

std::string_view Name(Variation v) {
  switch (v) {
    case Variation::kCommonCause:
      return "common_cause";
    case Variation::kImprovementHigh:
      return "improvement_high";
    case Variation::kImprovementLow:
      return "improvement_low";
    case Variation::kConcernHigh:
      return "concern_high";
    case Variation::kConcernLow:
      return "concern_low";
    case Variation::kNeutralHigh:
      return "neutral_high";
    case Variation::kNeutralLow:
      return "neutral_low";
  }
  return "";
}

std::string_view Name(Assurance v) {
  switch (v) {
    case Assurance::kNone:
      return "";
    case Assurance::kConsistentPass:
      return "consistent_pass";
    case Assurance::kConsistentFail:
      return "consistent_fail";
    case Assurance::kInconsistent:
      return "inconsistent";
  }
  return "";
}

std::string_view Name(Rule v) {
  switch (v) {
    case Rule::kNone:
      return "";
    case Rule::kBeyondLimits:
      return "beyond_limits";
    case Rule::kTrend:
      return "trend";
    case Rule::kTwoOfThree:
      return "two_of_three";
    case Rule::kShift:
      return "shift";
  }
  return "";
}

std::string_view Name(Direction v) {
  switch (v) {
    case Direction::kIncrease:
      return "increase";
    case Direction::kDecrease:
      return "decrease";
    case Direction::kNeutral:
      return "neutral";
  }
  return "";
}

std::string_view Label(SpecialCause cause, int32_t rule_length) {
  const bool six = rule_length == 6;
  switch (cause) {
    case SpecialCause::kCommonCause:
      return "Common Cause";
    case SpecialCause::kAboveUpl:
      return "Above UCL";
    case SpecialCause::kBelowLpl:
      return "Below LCL";
    case SpecialCause::kTrendIncreasing:
      return six ? "6 Point Trend (Increasing)" : "7 Point Trend (Increasing)";
    case SpecialCause::kTrendDecreasing:
      return six ? "6 Point Trend (Decreasing)" : "7 Point Trend (Decreasing)";
    case SpecialCause::kTwoOfThreeAbove:
      return "2 in 3 Above CL";
    case SpecialCause::kTwoOfThreeBelow:
      return "2 in 3 Below CL";
    case SpecialCause::kShiftAbove:
      return six ? "6 Points Above CL" : "7 Points Above CL";
    case SpecialCause::kShiftBelow:
      return six ? "6 Points Below CL" : "7 Points Below CL";
  }
  return "";
}

}  // namespace shewhart::stats
