#include "oversight/control_chart_series.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace shewhart::oversight {

using stats::ChartType;

bool NeedsDenominator(ChartType chart) {
  return chart == ChartType::kP || chart == ChartType::kPp || chart == ChartType::kU ||
         chart == ChartType::kUp;
}

bool IsProportionChart(ChartType chart) {
  return chart == ChartType::kP || chart == ChartType::kPp;
}

bool IsSubgroupChart(ChartType chart) {
  return chart == ChartType::kXbar || chart == ChartType::kS;
}

Status AnalyseControlChartSeries(const ControlChartSeriesInput& in, ControlChartSeries* out) {
  const ControlChartSettings& settings = in.settings;
  const size_t n_rows = in.dates.size();
  const bool has_denominator = !in.denominators.empty();
  out->dates.clear();
  out->warnings.clear();
  out->n_rows = static_cast<int64_t>(n_rows);
  std::vector<int32_t> subgroup(n_rows);
  for (size_t i = 0; i < n_rows; ++i) {
    if (i == 0 || in.dates[i] != in.dates[i - 1]) out->dates.push_back(in.dates[i]);
    subgroup[i] = static_cast<int32_t>(out->dates.size()) - 1;
  }
  stats::ControlChartOptions options;
  options.chart = settings.chart;
  options.screen_moving_ranges = settings.screen_moving_ranges;
  options.multiply = settings.multiply;
  // Parts start at the points whose dates are recalculation dates (not the first point).
  for (const Recalculation& r : in.recalculations) {
    const auto it = std::lower_bound(out->dates.begin(), out->dates.end(), r.date);
    if (it == out->dates.end() || *it != r.date || it == out->dates.begin()) continue;
    options.part_starts.push_back(static_cast<int32_t>(it - out->dates.begin()));
  }
  std::sort(options.part_starts.begin(), options.part_starts.end());
  options.part_starts.erase(std::unique(options.part_starts.begin(), options.part_starts.end()),
                            options.part_starts.end());
  const int32_t n_points = static_cast<int32_t>(out->dates.size());
  if (settings.freeze > 0) {
    if (!options.part_starts.empty()) {
      out->warnings.push_back("--fix-after is ignored for a series with recalculations");
    } else if (settings.freeze >= n_points) {
      out->warnings.push_back("fewer points than --fix-after: limits from all points");
    } else {
      options.freeze = settings.freeze;
    }
  }
  stats::ControlChartInput input;
  input.y = in.values;
  if (has_denominator) input.n = in.denominators;
  input.subgroup = subgroup;
  const Status status = stats::ComputeControlChart(input, options, &out->result);
  if (!status.ok()) {
    return InvalidArgumentError("cannot draw the " + std::string(stats::Name(settings.chart)) +
                                " chart: " + status.message());
  }
  out->labels = stats::LabelControlChart(out->result, in.improvement);
  out->n_missing = 0;
  for (const stats::ControlChartPoint& p : out->result.points) out->n_missing += std::isnan(p.y);
  return Status::Ok();
}

}  // namespace shewhart::oversight
