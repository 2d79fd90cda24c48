#include "app/internal/control_chart_series.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <vector>

#include "csv/csv_reader.h"
#include "stats/periods.h"

namespace shewhart::app {
namespace {

void AppendNumber(double v, std::string* out) {
  if (std::isnan(v)) return;
  char buf[32];
  const auto result = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, result.ptr);
}

void AppendInt(int64_t v, std::string* out) { out->append(std::to_string(v)); }

// A runs statistic, empty when it cannot be computed (R's NA).
void AppendRuns(int32_t v, std::string* out) {
  if (v != stats::kRunsNotAvailable) AppendInt(v, out);
}

}  // namespace

Status AnalyseControlChartSeries(std::span<const SpcRow> rows, bool has_denominator,
                                 std::span<const oversight::Recalculation> recalculations,
                                 const ControlChartSettings& settings, stats::Direction improvement,
                                 const std::string& path, std::string_view name,
                                 ControlChartSeries* out) {
  std::vector<Date> dates(rows.size());
  std::vector<double> y(rows.size()), n;
  if (has_denominator) n.resize(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    dates[i] = rows[i].date;
    y[i] = rows[i].value;
    if (has_denominator) n[i] = rows[i].target;
  }
  oversight::ControlChartSeriesInput in;
  in.dates = dates;
  in.values = y;
  in.denominators = n;
  in.recalculations = recalculations;
  in.settings = settings;
  in.improvement = improvement;
  const Status status = oversight::AnalyseControlChartSeries(in, out);
  if (!status.ok()) {
    const int64_t line = rows.empty() ? 0 : rows.front().line;
    return InvalidArgumentError(path + ":" + std::to_string(line) + ": series \"" +
                                std::string(name) + "\": " + status.message());
  }
  return Status::Ok();
}

void AppendControlPointsCsv(std::string_view series_csv, const ControlChartSeries& s, double target,
                            std::string* out) {
  std::string target_text;
  AppendNumber(target, &target_text);
  char date[10];
  for (size_t i = 0; i < s.result.points.size(); ++i) {
    const stats::ControlChartPoint& p = s.result.points[i];
    out->append(series_csv);
    out->push_back(',');
    FormatIsoDate(s.dates[i], date);
    out->append(date, 10);
    for (double v : {p.y, p.n}) {
      out->push_back(',');
      AppendNumber(v, out);
    }
    out->push_back(',');
    AppendInt(p.part + 1, out);
    for (double v : {p.cl, p.lcl, p.ucl, p.lcl_95, p.ucl_95}) {
      out->push_back(',');
      AppendNumber(v, out);
    }
    out->append(p.sigma_signal ? ",true," : ",false,");
    out->append(stats::Name(s.labels.point_type[i]));
    out->push_back(',');
    out->append(target_text);
    out->push_back('\n');
  }
}

void AppendControlSummaryCsv(std::string_view series_csv, const SpcSeriesMeta& meta,
                             const ControlChartSeries& s, std::string* out) {
  const stats::ControlChartResult& r = s.result;
  out->append(series_csv);
  out->push_back(',');
  out->append(stats::Name(r.chart));
  out->push_back(',');
  AppendInt(static_cast<int64_t>(r.points.size()), out);
  out->push_back(',');
  AppendInt(s.n_missing, out);
  out->push_back(',');
  AppendInt(static_cast<int64_t>(r.parts.size()), out);
  out->push_back(',');
  out->append(stats::Name(s.dates.size() >= 2 ? stats::InferFrequency(s.dates)
                                              : stats::Frequency::kUnknown));
  out->push_back(',');
  out->append(stats::Name(meta.direction));
  const bool has = !r.parts.empty();
  const stats::ControlChartPart last = has ? r.parts.back() : stats::ControlChartPart{};
  for (double v : {last.mean_cl, last.mean_lcl, last.mean_ucl}) {
    out->push_back(',');
    if (has) AppendNumber(v, out);
  }
  out->push_back(',');
  AppendNumber(meta.assurance_target, out);
  out->push_back(',');
  out->append(stats::Name(s.labels.variation));
  int64_t counts[4] = {0, 0, 0, 0};  // common, improvement, concern, neutral
  for (const stats::PointType t : s.labels.point_type) {
    counts[t == stats::PointType::kCommonCause   ? 0
           : t == stats::PointType::kImprovement ? 1
           : t == stats::PointType::kConcern     ? 2
                                                 : 3]++;
  }
  int64_t signals = 0;
  for (const stats::ControlChartPart& p : r.parts) signals += p.n_sigma_signals;
  for (int64_t v : {counts[0], counts[1], counts[2], counts[3], signals}) {
    out->push_back(',');
    AppendInt(v, out);
  }
  const stats::RunsAnalysis& runs = last.runs;
  for (int32_t v :
       {runs.longest_run, runs.longest_run_max, runs.n_crossings, runs.n_crossings_min}) {
    out->push_back(',');
    if (has) AppendRuns(v, out);
  }
  out->push_back(',');
  if (has) out->append(runs.signal ? "true" : "false");
  out->push_back(',');
  std::string warnings;
  for (const std::string& w : s.warnings) warnings += (warnings.empty() ? "" : " | ") + w;
  csv::AppendCsvField(warnings, out);
  out->push_back('\n');
}

chart::ControlChartInput ControlChartPlot(const SpcSeriesMeta& meta, const ControlChartSeries& s) {
  chart::ControlChartInput in;
  in.title = meta.name;
  std::string subtitle = chart::ChartTypeTitle(s.result.chart);
  std::string frequency(stats::Name(s.dates.size() >= 2 ? stats::InferFrequency(s.dates)
                                                        : stats::Frequency::kUnknown));
  if (frequency != "unknown") subtitle += " \xC2\xB7 " + frequency;
  subtitle += meta.direction == stats::Direction::kIncrease   ? " \xC2\xB7 higher is better"
              : meta.direction == stats::Direction::kDecrease ? " \xC2\xB7 lower is better"
                                                              : " \xC2\xB7 no preferred direction";
  in.subtitle = subtitle;
  in.chart = &s.result;
  in.dates = s.dates;
  in.point_type = s.labels.point_type;
  in.variation = s.labels.variation;
  in.improvement = meta.direction;
  in.target = meta.assurance_target;
  in.percent = IsProportionChart(s.result.chart);
  return in;
}

}  // namespace shewhart::app
