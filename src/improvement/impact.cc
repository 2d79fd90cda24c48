#include "improvement/impact.h"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>
#include <map>

namespace shewhart::improvement {
namespace {

struct Moments {
  int n = 0;
  double mean = 0, var = 0;
};

Moments MomentsOf(std::span<const double> y) {
  Moments m;
  double sum = 0;
  for (double v : y) {
    if (std::isnan(v)) continue;
    ++m.n;
    sum += v;
  }
  if (m.n == 0) return m;
  m.mean = sum / m.n;
  double ss = 0;
  for (double v : y) {
    if (!std::isnan(v)) ss += (v - m.mean) * (v - m.mean);
  }
  m.var = m.n > 1 ? ss / (m.n - 1) : 0;
  return m;
}

int CountValues(std::span<const double> y) {
  return static_cast<int>(std::count_if(y.begin(), y.end(), [](double v) { return !std::isnan(v); }));
}

Impact Zero(std::string reason) {
  Impact i;
  i.reason = std::move(reason);
  return i;
}

// A run on one side of the mean: the rule that says a process has moved to a new level. (A trend
// across a step flags points before the step, so trends do not date a change.)
bool IsShift(stats::SpecialCause c) { return stats::RuleOf(c) == stats::Rule::kShift; }

}  // namespace

Impact MeasureImpact(const ImpactSeries& s) {
  const size_t n = s.values.size();
  if (!s.first_pdsa) return Zero("no PDSA cycle has been logged yet");
  // The first period on or after the first cycle.
  const size_t p0 = static_cast<size_t>(
      std::lower_bound(s.periods.begin(), s.periods.end(), *s.first_pdsa) - s.periods.begin());
  if (p0 >= n) return Zero("no data since the first PDSA cycle yet");
  // 1. The segment: from the last recorded recalculation on or before the first cycle.
  size_t start = 0;
  std::optional<Date> recorded_after;
  for (Date r : s.recalculations) {
    const size_t idx = static_cast<size_t>(
        std::lower_bound(s.periods.begin(), s.periods.end(), r) - s.periods.begin());
    if (idx >= n) continue;
    if (idx <= p0) {
      if (idx < p0) start = std::max(start, idx);
    } else if (!recorded_after || r < *recorded_after) {
      recorded_after = s.periods[idx];
    }
  }
  const std::span<const double> seg = s.values.subspan(start);
  const size_t q0 = p0 - start;  // the first cycle within the segment
  if (CountValues(seg.first(q0)) < kMinBaselinePoints) {
    return Zero("fewer than " + std::to_string(kMinBaselinePoints) +
                " values before the first PDSA cycle: no baseline to compare with");
  }
  stats::XmrOptions options;
  options.improvement = s.improvement == stats::Direction::kNeutral ? stats::Direction::kIncrease
                                                                    : s.improvement;
  if (s.improvement == stats::Direction::kNeutral) {
    return Zero("the metric has no direction of improvement: a change cannot be called one");
  }
  // 2. Where is the biggest step in the segment (the least-squares split into two levels)? If it
  //    lies before the first cycle, the process changed before the project: not its impact.
  {
    double best = std::numeric_limits<double>::infinity();
    size_t best_at = 0;
    for (size_t c = 2; c + 2 <= seg.size(); ++c) {
      const Moments l = MomentsOf(seg.first(c)), r = MomentsOf(seg.subspan(c));
      if (l.n < 2 || r.n < 2) continue;
      const double sse = l.var * (l.n - 1) + r.var * (r.n - 1);
      if (sse < best - 1e-12) {
        best = sse;
        best_at = c;
      }
    }
    const Moments l = MomentsOf(seg.first(best_at)), r = MomentsOf(seg.subspan(best_at));
    const bool better = options.improvement == stats::Direction::kIncrease ? r.mean > l.mean
                                                                           : r.mean < l.mean;
    if (best_at > 0 && best_at + 1 < q0 && better) {
      return Zero("the biggest change in the series came before the first PDSA cycle (from " +
                  FormatIsoDate(s.periods[start + best_at]) +
                  "): recalculate the limits at that change, with its reason, to measure from it");
    }
  }
  // 3. The whole segment with one set of limits.
  stats::XmrResult all;
  stats::ComputeXmr(seg, {}, NAN, options, &all);
  size_t first = seg.size();
  for (size_t i = q0; i < seg.size(); ++i) {
    if (all.point_type[i] == stats::PointType::kImprovement) {
      first = i;
      break;
    }
  }
  if (first == seg.size()) {
    return Zero("no special-cause improvement since the first PDSA cycle");
  }
  // The block of flagged points containing it must not have started before the first cycle.
  // (a run of points at the new level that started before it).
  size_t block = first;
  while (block > 0 && all.point_type[block - 1] == stats::PointType::kImprovement) --block;
  bool run_before = false;
  for (size_t i = block; i < q0; ++i) run_before = run_before || IsShift(all.special_cause[i]);
  if (run_before) {
    return Zero("the improvement began before the first PDSA cycle (from " +
                FormatIsoDate(s.periods[start + block]) + ")");
  }
  Impact out;
  out.rule = std::string(stats::Name(stats::RuleOf(all.special_cause[first])));
  out.label = std::string(stats::Label(all.special_cause[first]));
  // The rules flag a change once the evidence has built up (a run of 7 is flagged from its first
  // point, but noise may break the first run): the change point is the split between the first
  // cycle and the first flagged point that best separates two levels (least squares).
  size_t cp = first;
  {
    double best = std::numeric_limits<double>::infinity();
    for (size_t c = q0; c <= first; ++c) {
      const Moments l = MomentsOf(seg.first(c)), r = MomentsOf(seg.subspan(c));
      if (l.n < 2 || r.n < 1) continue;
      const double sse = l.var * (l.n - 1) + r.var * std::max(r.n - 1, 0);
      if (sse < best - 1e-12) {
        best = sse;
        cp = c;
      }
    }
  }
  if (recorded_after) {
    cp = static_cast<size_t>(
             std::lower_bound(s.periods.begin(), s.periods.end(), *recorded_after) -
             s.periods.begin()) -
         start;
    out.change_point_recorded = true;
  }
  out.change_point = s.periods[start + cp];
  // 4. Baseline and post means, Welch interval.
  const Moments b = MomentsOf(seg.first(cp));
  const Moments p = MomentsOf(seg.subspan(cp));
  out.n_baseline = b.n;
  out.n_post = p.n;
  out.baseline_mean = b.mean;
  out.post_mean = p.mean;
  if (b.n < 2 || p.n < 1) return Zero("too few values either side of the change point");
  const double vb = b.var / b.n;
  const double vp = (p.n > 1 ? p.var : b.var) / p.n;
  out.shift = p.mean - b.mean;
  out.se = std::sqrt(vb + vp);
  const double nb = b.n - 1.0, np = std::max(p.n - 1.0, 1.0);
  out.df = (vb + vp) * (vb + vp) / ((vb * vb) / nb + (vp * vp) / np);
  if (!(out.df >= 1)) out.df = 1;
  double t = 1.959963984540054;
  // Beyond a few hundred degrees of freedom t is the normal quantile (and Boost's t quantile
  // slows down badly for huge df).
  if (out.se > 0 && out.df < 500) {
    t = boost::math::quantile(boost::math::students_t(out.df), 0.975);
  }
  out.shift_ci_low = out.shift - t * out.se;
  out.shift_ci_high = out.shift + t * out.se;
  // 5. Volume.
  const std::span<const double> post_values = seg.subspan(cp);
  if (!s.volumes.empty()) {
    const std::span<const double> vols = s.volumes.subspan(start + cp);
    for (size_t i = 0; i < post_values.size(); ++i) {
      if (!std::isnan(post_values[i]) && !std::isnan(vols[i])) out.volume += vols[i];
    }
    out.per_volume = 1.0 / (s.multiplier > 0 ? s.multiplier : 1.0);
    out.volume_is_periods = false;
  } else {
    out.volume = p.n;
    out.per_volume = 1;
  }
  const bool improves = s.improvement == stats::Direction::kIncrease ? out.shift_ci_low > 0
                                                                     : out.shift_ci_high < 0;
  if (!improves) {
    Impact zero = out;
    zero.detected = false;
    zero.reason = "the rules flagged " + out.label +
                  " but the shift's 95% interval includes no change: not yet real";
    zero.impact = zero.ci_low = zero.ci_high = 0;
    return zero;
  }
  out.detected = true;
  const double k = out.volume * out.per_volume;
  out.impact = out.shift * k;
  out.ci_low = std::min(out.shift_ci_low * k, out.shift_ci_high * k);
  out.ci_high = std::max(out.shift_ci_low * k, out.shift_ci_high * k);
  return out;
}

Portfolio PortfolioImpact(std::span<const PortfolioSeries> series,
                          std::span<const PortfolioClaim> claims) {
  Portfolio out;
  // Claims per series.
  std::map<size_t, std::vector<const PortfolioClaim*>> by_series;
  for (const PortfolioClaim& c : claims) {
    if (c.series < series.size()) by_series[c.series].push_back(&c);
  }
  struct Acc {
    MetricTotal total;
    double var = 0;
    std::vector<int64_t> projects;
  };
  std::map<int64_t, Acc> metrics;
  for (const auto& [index, list] : by_series) {
    const PortfolioSeries& ps = series[index];
    SeriesImpact si;
    si.series = index;
    double claimed = 0;
    for (const PortfolioClaim* c : list) {
      si.projects.push_back(c->project_id);
      if (c->first_pdsa && (!si.first_pdsa || *c->first_pdsa < *si.first_pdsa)) {
        si.first_pdsa = c->first_pdsa;
      }
    }
    std::sort(si.projects.begin(), si.projects.end());
    si.projects.erase(std::unique(si.projects.begin(), si.projects.end()), si.projects.end());
    ImpactSeries in{.periods = ps.periods,
                    .values = ps.values,
                    .volumes = ps.volumes,
                    .multiplier = ps.multiplier,
                    .improvement = ps.improvement,
                    .first_pdsa = si.first_pdsa,
                    .recalculations = ps.recalculations};
    si.impact = MeasureImpact(in);
    if (si.projects.size() > 1) {
      // What each project would claim on its own: the double count the portfolio avoids.
      for (const PortfolioClaim* c : list) {
        ImpactSeries own = in;
        own.first_pdsa = c->first_pdsa;
        claimed += MeasureImpact(own).impact;
      }
    } else {
      claimed = si.impact.impact;
    }
    Acc& acc = metrics[ps.metric_id];
    acc.total.metric_id = ps.metric_id;
    acc.total.series += 1;
    acc.total.shared += si.projects.size() > 1 ? 1 : 0;
    acc.projects.insert(acc.projects.end(), si.projects.begin(), si.projects.end());
    acc.total.claimed += claimed;
    if (si.impact.detected) {
      acc.total.detected += 1;
      acc.total.volume += si.impact.volume;
      acc.total.impact += si.impact.impact;
      const double k = si.impact.volume * si.impact.per_volume;
      acc.var += (si.impact.se * k) * (si.impact.se * k);
    }
    out.series.push_back(std::move(si));
  }
  for (auto& [id, acc] : metrics) {
    std::sort(acc.projects.begin(), acc.projects.end());
    acc.total.projects = static_cast<int>(
        std::unique(acc.projects.begin(), acc.projects.end()) - acc.projects.begin());
    const double half = 1.959963984540054 * std::sqrt(acc.var);
    acc.total.ci_low = acc.total.impact - half;
    acc.total.ci_high = acc.total.impact + half;
    acc.total.double_count_avoided = acc.total.claimed - acc.total.impact;
    out.metrics.push_back(acc.total);
  }
  return out;
}

}  // namespace shewhart::improvement
