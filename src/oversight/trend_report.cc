#include "oversight/trend_report.h"

namespace shewhart::oversight {

TrendReport TrendOfPoints(const TrendPoints& p) {
  TrendReport r;
  r.trend = stats::ComputeTrend(p.dates, p.values);
  if (!r.trend.ok()) r.note = r.trend.status().message();
  if (!p.period_starts.empty()) {
    r.step = stats::TestStepChange(p.values, p.period_starts);
    if (!r.step.ok()) r.note += (r.note.empty() ? "" : "; ") + r.step.status().message();
  }
  if (!p.numerators.empty() && !p.denominators.empty()) {
    r.marker = stats::ProportionTrendMarker(p.numerators, p.denominators);
  } else if (!p.lower95.empty() && !p.upper95.empty()) {
    r.marker = stats::IntervalTrendMarker(p.values, p.lower95, p.upper95);
  }
  if (r.marker && !r.marker->reason.empty()) {
    r.note +=
        (r.note.empty() ? "trend marker: " : "; trend marker: ") + std::string(r.marker->reason);
  }
  return r;
}

}  // namespace shewhart::oversight
