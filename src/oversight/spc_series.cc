#include "oversight/spc_series.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace shewhart::oversight {
namespace {

constexpr size_t kMaxGapsListed = 3;

std::string PeriodWord(stats::Frequency f, int32_t n) {
  const char* word = "periods";
  switch (f) {
    case stats::Frequency::kDaily:
      word = n == 1 ? "day" : "days";
      break;
    case stats::Frequency::kWeekly:
      word = n == 1 ? "week" : "weeks";
      break;
    case stats::Frequency::kMonthly:
      word = n == 1 ? "month" : "months";
      break;
    case stats::Frequency::kQuarterly:
      word = n == 1 ? "quarter" : "quarters";
      break;
    case stats::Frequency::kYearly:
      word = n == 1 ? "year" : "years";
      break;
    case stats::Frequency::kUnknown:
      word = n == 1 ? "period" : "periods";
      break;
  }
  return std::to_string(n) + " " + word;
}

void ApplyRecalculations(const SpcSeriesInput& in, SpcSeriesResult* out,
                         std::vector<int32_t>* starts) {
  for (const Recalculation& r : in.recalculations) {
    const auto it = std::lower_bound(in.dates.begin(), in.dates.end(), r.date);
    if (it == in.dates.end() || *it != r.date) {
      out->warnings.push_back("The recalculation date " + FormatIsoDate(r.date) +
                              " matches no date in this series, so it was ignored.");
      continue;
    }
    const int32_t index = static_cast<int32_t>(it - in.dates.begin());
    if (index == 0) continue;  // the first group starts there anyway
    const auto dup = std::find_if(out->recalculations.begin(), out->recalculations.end(),
                                  [&](const AppliedRecalculation& a) { return a.index == index; });
    if (dup != out->recalculations.end()) {
      if (dup->reason.empty()) dup->reason = r.reason;
      continue;
    }
    out->recalculations.push_back(AppliedRecalculation{index, r.date, r.reason});
  }
  std::sort(out->recalculations.begin(), out->recalculations.end(),
            [](const AppliedRecalculation& a, const AppliedRecalculation& b) {
              return a.index < b.index;
            });
  for (const AppliedRecalculation& a : out->recalculations) {
    starts->push_back(a.index);
    if (a.reason.empty()) {
      out->warnings.push_back("The recalculation on " + FormatIsoDate(a.date) +
                              " has no recorded reason; record why the process changed.");
    }
  }
}

void AddGroupWarnings(const SpcSeriesInput& in, SpcSeriesResult* out) {
  const auto& groups = out->xmr.groups;
  for (const stats::XmrGroup& g : groups) {
    const std::string from = FormatIsoDate(in.dates[g.begin]);
    const std::string period = groups.size() == 1 ? "The series" : "The period from " + from;
    const int32_t n = g.end - g.begin;
    if (g.short_group) {
      out->warnings.push_back(period + " has only " + std::to_string(n) +
                              (n == 1 ? " point" : " points") +
                              ": treat its limits as trial limits until there are more.");
    }
    if (std::isnan(g.mean)) {
      out->warnings.push_back(period + " has no values, so it has no mean or limits.");
    } else if (std::isnan(g.amr)) {
      out->warnings.push_back(
          period +
          " has no usable variation between consecutive values (a single value, or values that "
          "never change), so its process limits cannot be calculated.");
    }
    if (in.options.fix_after_n_points > 0 && n < in.options.fix_after_n_points) {
      out->warnings.push_back(period + " has fewer points than the " +
                              std::to_string(in.options.fix_after_n_points) +
                              " the limits are fixed after; its limits use all " +
                              std::to_string(n) + ".");
    }
  }
}

}  // namespace

void AnalyseSpcSeries(const SpcSeriesInput& in, SpcSeriesResult* out) {
  out->recalculations.clear();
  out->gaps.clear();
  out->warnings.clear();

  std::vector<int32_t> starts;
  ApplyRecalculations(in, out, &starts);

  out->frequency = stats::InferFrequency(in.dates);
  out->gaps = stats::FindGaps(in.dates, out->frequency);

  stats::ComputeXmr(in.values, starts, in.target, in.options, &out->xmr);

  AddGroupWarnings(in, out);
  if (out->xmr.n_missing > 0) {
    out->warnings.push_back(
        std::to_string(out->xmr.n_missing) +
        (out->xmr.n_missing == 1 ? " value is" : " values are") +
        " missing; a missing value breaks any run, trend or two-in-three pattern across it.");
  }
  if (!in.values.empty() && std::isnan(in.values.back())) {
    out->warnings.push_back("The latest date (" + FormatIsoDate(in.dates.back()) +
                            ") has no value, so the variation icon shows common cause.");
  }
  for (size_t i = 0; i < out->gaps.size() && i < kMaxGapsListed; ++i) {
    const stats::DateGap& gap = out->gaps[i];
    out->warnings.push_back("No data for " + PeriodWord(out->frequency, gap.missing_periods) +
                            " between " + FormatIsoDate(gap.after) + " and " +
                            FormatIsoDate(gap.before) +
                            "; the chart joins the points either side.");
  }
  if (out->gaps.size() > kMaxGapsListed) {
    out->warnings.push_back("…and " + std::to_string(out->gaps.size() - kMaxGapsListed) +
                            " more gaps in the dates.");
  }
  if (out->frequency == stats::Frequency::kUnknown && in.dates.size() > 2) {
    out->warnings.push_back(
        "The dates are not evenly spaced (daily, weekly, monthly, quarterly or yearly), so gaps "
        "could not be checked.");
  }
}

}  // namespace shewhart::oversight
