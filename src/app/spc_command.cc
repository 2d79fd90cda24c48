#include "app/spc_command.h"

#include <algorithm>
#include <array>
#include <barrier>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <limits>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <unordered_set>
#include <utility>

#include "app/internal/control_chart_series.h"
#include "app/internal/output_files.h"
#include "app/internal/spc_input.h"
#include "base/date.h"
#include "chart/xmr_chart.h"
#include "csv/csv_reader.h"
#include "oversight/spc_series.h"
#include "stats/control_chart.h"
#include "stats/periods.h"
#include "stats/xmr.h"

namespace shewhart::app {
namespace {

// Rows per batch: large enough to amortise thread start-up, small enough that the formatted text
// of a batch (about 80 bytes a row) stays modest.
constexpr size_t kBatchRows = 262144;

constexpr std::string_view kPointsCsvHeader =
    "series,date,value,group,mean,lpl,upl,point_type,rule,special_cause_type,target\n";
constexpr std::string_view kSummaryCsvHeader =
    "series,n,n_missing,groups,frequency,improvement_direction,mean,lpl,upl,target,variation,"
    "assurance,common_cause,improvement,concern,neutral,short_group_warning,gaps,warnings\n";

// Shortest round-trip text of a finite number; nothing for NaN (an empty CSV cell).
void AppendNumber(double v, std::string* out) {
  if (std::isnan(v)) return;
  char buf[32];
  const auto result = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, result.ptr);
}

void AppendJsonNumber(double v, std::string* out) {
  if (!std::isfinite(v)) {
    out->append("null");
    return;
  }
  AppendNumber(v, out);
}

void AppendInt(int64_t v, std::string* out) {
  char buf[24];
  const auto result = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, result.ptr);
}

void AppendDate(Date d, std::string* out) {
  char buf[10];
  FormatIsoDate(d, buf);
  out->append(buf, 10);
}

// Formatted dates, direct-mapped by day number: the same few hundred dates repeat across series.
class DateTextCache {
 public:
  DateTextCache() {
    for (Entry& e : entries_) e.date = std::numeric_limits<Date>::min();
  }
  void Append(Date d, std::string* out) {
    Entry& e = entries_[static_cast<uint32_t>(d) & (kSize - 1)];
    if (e.date != d) {
      e.date = d;
      FormatIsoDate(d, e.text);
    }
    out->append(e.text, 10);
  }

 private:
  static constexpr uint32_t kSize = 4096;
  struct Entry {
    Date date;
    char text[10];
  };
  std::array<Entry, kSize> entries_;
};

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (const char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          constexpr char kHex[] = "0123456789abcdef";
          out->append("\\u00");
          out->push_back(kHex[(c >> 4) & 15]);
          out->push_back(kHex[c & 15]);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

// A string that is null in JSON when empty (an empty CSV cell).
void AppendJsonStringOrNull(std::string_view s, std::string* out) {
  if (s.empty()) {
    out->append("null");
  } else {
    AppendJsonString(s, out);
  }
}

std::string JoinWarnings(const std::vector<std::string>& warnings) {
  std::string s;
  for (const std::string& w : warnings) {
    if (!s.empty()) s += " | ";
    s += w;
  }
  return s;
}

std::optional<stats::Direction> DirectionFromWord(std::string_view word) {
  if (word == "increase") return stats::Direction::kIncrease;
  if (word == "decrease") return stats::Direction::kDecrease;
  if (word == "neutral") return stats::Direction::kNeutral;
  return std::nullopt;
}

// Everything a worker needs that is the same for every series.
struct Shared {
  std::vector<oversight::Recalculation> global_recalculations;
  stats::XmrOptions xmr;
  bool json = false;
  OutputDirectory* plots = nullptr;
  // --chart: a qicharts2 chart instead of the XmR analysis.
  std::optional<stats::ChartType> chart;
  ControlChartSettings control;
  // Whether SpcRow::target holds denominators is known once the header is read: ask the input
  // (it is set before any batch is handed out, so early batches see it too).
  const SpcInput* input = nullptr;
  std::string input_path;
};

// Per-series data kept for the PDF board pack, which is written by one thread in series order.
struct ChartData {
  std::vector<Date> dates;
  std::vector<double> values;
  oversight::SpcSeriesResult result;
  stats::Direction improvement = stats::Direction::kIncrease;
  double target = NAN;
  ControlChartSeries control;  // --chart
};

struct WorkerOutput {
  std::string points;
  std::string summary;
  Status status;
};

struct PointCounts {
  int64_t common = 0, improvement = 0, concern = 0, neutral = 0;
};

class SeriesFormatter {
 public:
  explicit SeriesFormatter(const Shared& shared) : shared_(shared) {}

  // Analyses one series and appends its text to `out`.
  void Run(const SpcSeriesMeta& meta, const SeriesRows& s, const std::string& chart_name,
           WorkerOutput* out, ChartData* chart) {
    if (shared_.chart) {
      RunControlChart(meta, s, chart_name, out, chart);
      return;
    }
    const size_t n = s.rows.size();
    dates_.resize(n);
    values_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      dates_[i] = s.rows[i].date;
      values_[i] = s.rows[i].value;
    }
    recalculations_ = shared_.global_recalculations;
    recalculations_.insert(recalculations_.end(), meta.recalculations.begin(),
                           meta.recalculations.end());
    oversight::SpcSeriesInput in;
    in.dates = dates_;
    in.values = values_;
    in.recalculations = recalculations_;
    in.target = meta.assurance_target;
    in.options = shared_.xmr;
    in.options.improvement = meta.direction;
    oversight::AnalyseSpcSeries(in, &result_);

    name_csv_.clear();
    csv::AppendCsvField(meta.name, &name_csv_);
    if (shared_.json) {
      FormatPointsJson(meta, s, &out->points);
      FormatSummaryJson(meta, s, &out->summary);
    } else {
      FormatPointsCsv(s, &out->points);
      FormatSummaryCsv(meta, s, &out->summary);
    }
    if (!chart_name.empty() && shared_.plots != nullptr) {
      chart::XmrChartInput c = ChartInput(meta, dates_, values_, result_);
      const Status st = shared_.plots->Write(chart_name, chart::RenderXmrSvg(c));
      if (!st.ok() && out->status.ok()) out->status = st;
    }
    if (chart != nullptr) {
      chart->dates = dates_;
      chart->values = values_;
      chart->result = result_;
      chart->improvement = meta.direction;
      chart->target = meta.assurance_target;
    }
  }

  // --chart: the series through a qicharts2 chart.
  void RunControlChart(const SpcSeriesMeta& meta, const SeriesRows& s,
                       const std::string& chart_name, WorkerOutput* out, ChartData* chart) {
    recalculations_ = shared_.global_recalculations;
    recalculations_.insert(recalculations_.end(), meta.recalculations.begin(),
                           meta.recalculations.end());
    const Status st = AnalyseControlChartSeries(s.rows, shared_.input->has_denominator(),
                                                recalculations_, shared_.control, meta.direction,
                                                shared_.input_path, meta.name, &control_);
    if (!st.ok()) {
      if (out->status.ok()) out->status = st;
      return;
    }
    name_csv_.clear();
    csv::AppendCsvField(meta.name, &name_csv_);
    AppendControlPointsCsv(name_csv_, control_, meta.assurance_target, &out->points);
    AppendControlSummaryCsv(name_csv_, meta, control_, &out->summary);
    if (!chart_name.empty() && shared_.plots != nullptr) {
      const Status w = shared_.plots->Write(
          chart_name, chart::RenderControlChartSvg(ControlChartPlot(meta, control_)));
      if (!w.ok() && out->status.ok()) out->status = w;
    }
    if (chart != nullptr) chart->control = control_;
  }

  static chart::XmrChartInput ChartInput(const SpcSeriesMeta& meta, std::span<const Date> dates,
                                         std::span<const double> values,
                                         const oversight::SpcSeriesResult& result) {
    chart::XmrChartInput c;
    c.title = meta.name;
    std::string subtitle(stats::Name(result.frequency));
    if (!subtitle.empty()) subtitle[0] = static_cast<char>(std::toupper(subtitle[0]));
    subtitle += meta.direction == stats::Direction::kIncrease   ? " · higher is better"
                : meta.direction == stats::Direction::kDecrease ? " · lower is better"
                                                                : " · no preferred direction";
    c.subtitle = subtitle;
    c.dates = dates;
    c.values = values;
    c.xmr = &result.xmr;
    c.improvement = meta.direction;
    c.target = meta.assurance_target;
    for (const oversight::AppliedRecalculation& r : result.recalculations) {
      c.annotations.push_back({r.date, r.reason.empty() ? "Recalculated" : r.reason});
    }
    return c;
  }

 private:
  // "mean,lpl,upl" text of each group, formatted once: it repeats on every row of the group.
  void CacheGroupText() {
    group_text_.resize(result_.xmr.groups.size());
    for (size_t g = 0; g < result_.xmr.groups.size(); ++g) {
      const stats::XmrGroup& grp = result_.xmr.groups[g];
      std::string& t = group_text_[g];
      t.clear();
      const std::string sep = shared_.json ? "" : ",";
      if (shared_.json) {
        t += ",\"group\":";
        AppendInt(static_cast<int64_t>(g), &t);
        t += ",\"mean\":";
        AppendJsonNumber(grp.mean, &t);
        t += ",\"lpl\":";
        AppendJsonNumber(grp.lpl, &t);
        t += ",\"upl\":";
        AppendJsonNumber(grp.upl, &t);
      } else {
        AppendInt(static_cast<int64_t>(g), &t);
        t += ',';
        AppendNumber(grp.mean, &t);
        t += ',';
        AppendNumber(grp.lpl, &t);
        t += ',';
        AppendNumber(grp.upl, &t);
      }
    }
  }

  void FormatPointsCsv(const SeriesRows& s, std::string* out) {
    CacheGroupText();
    const std::vector<stats::XmrGroup>& groups = result_.xmr.groups;
    size_t g = 0;
    double last_target = NAN;
    std::string target_text;
    const int32_t rule_length = shared_.xmr.rule_length;
    for (size_t i = 0; i < s.rows.size(); ++i) {
      while (g + 1 < groups.size() && static_cast<int32_t>(i) >= groups[g].end) ++g;
      const SpcRow& r = s.rows[i];
      out->append(name_csv_);
      out->push_back(',');
      date_text_.Append(r.date, out);
      out->push_back(',');
      AppendNumber(r.value, out);
      out->push_back(',');
      if (!groups.empty())
        out->append(group_text_[g]);
      else
        out->append(",,,");
      out->push_back(',');
      const stats::SpecialCause cause = result_.xmr.special_cause[i];
      out->append(stats::Name(result_.xmr.point_type[i]));
      out->push_back(',');
      if (cause != stats::SpecialCause::kCommonCause)
        out->append(stats::Name(stats::RuleOf(cause)));
      out->push_back(',');
      out->append(stats::Label(cause, rule_length));
      out->push_back(',');
      if (std::memcmp(&r.target, &last_target, sizeof(double)) != 0) {
        last_target = r.target;
        target_text.clear();
        AppendNumber(r.target, &target_text);
      }
      out->append(target_text);
      out->push_back('\n');
    }
  }

  void FormatPointsJson(const SpcSeriesMeta& meta, const SeriesRows& s, std::string* out) {
    CacheGroupText();
    std::string name_json;
    AppendJsonString(meta.name, &name_json);
    const std::vector<stats::XmrGroup>& groups = result_.xmr.groups;
    size_t g = 0;
    for (size_t i = 0; i < s.rows.size(); ++i) {
      while (g + 1 < groups.size() && static_cast<int32_t>(i) >= groups[g].end) ++g;
      const SpcRow& r = s.rows[i];
      out->append(",\n{\"series\":");
      out->append(name_json);
      out->append(",\"date\":\"");
      date_text_.Append(r.date, out);
      out->append("\",\"value\":");
      AppendJsonNumber(r.value, out);
      if (!groups.empty()) {
        out->append(group_text_[g]);
      } else {
        out->append(",\"group\":null,\"mean\":null,\"lpl\":null,\"upl\":null");
      }
      const stats::SpecialCause cause = result_.xmr.special_cause[i];
      out->append(",\"point_type\":\"");
      out->append(stats::Name(result_.xmr.point_type[i]));
      out->append("\",\"rule\":");
      if (cause == stats::SpecialCause::kCommonCause) {
        out->append("null");
      } else {
        AppendJsonString(stats::Name(stats::RuleOf(cause)), out);
      }
      out->append(",\"special_cause_type\":");
      AppendJsonString(stats::Label(cause, shared_.xmr.rule_length), out);
      out->append(",\"target\":");
      AppendJsonNumber(r.target, out);
      out->push_back('}');
    }
  }

  PointCounts CountPoints() const {
    PointCounts c;
    for (const stats::PointType t : result_.xmr.point_type) {
      switch (t) {
        case stats::PointType::kCommonCause:
          ++c.common;
          break;
        case stats::PointType::kImprovement:
          ++c.improvement;
          break;
        case stats::PointType::kConcern:
          ++c.concern;
          break;
        case stats::PointType::kNeutralHigh:
        case stats::PointType::kNeutralLow:
          ++c.neutral;
          break;
      }
    }
    return c;
  }

  bool AnyShortGroup() const {
    for (const stats::XmrGroup& g : result_.xmr.groups) {
      if (g.short_group) return true;
    }
    return false;
  }

  void FormatSummaryCsv(const SpcSeriesMeta& meta, const SeriesRows& s, std::string* out) {
    const stats::XmrResult& x = result_.xmr;
    out->append(name_csv_);
    out->push_back(',');
    AppendInt(static_cast<int64_t>(s.rows.size()), out);
    out->push_back(',');
    AppendInt(x.n_missing, out);
    out->push_back(',');
    AppendInt(static_cast<int64_t>(x.groups.size()), out);
    out->push_back(',');
    out->append(stats::Name(result_.frequency));
    out->push_back(',');
    out->append(stats::Name(meta.direction));
    out->push_back(',');
    if (!x.groups.empty()) {
      AppendNumber(x.groups.back().mean, out);
      out->push_back(',');
      AppendNumber(x.groups.back().lpl, out);
      out->push_back(',');
      AppendNumber(x.groups.back().upl, out);
    } else {
      out->append(",,");
    }
    out->push_back(',');
    AppendNumber(meta.assurance_target, out);
    out->push_back(',');
    out->append(stats::Name(x.variation));
    out->push_back(',');
    out->append(stats::Name(x.assurance));
    const PointCounts c = CountPoints();
    for (const int64_t v : {c.common, c.improvement, c.concern, c.neutral}) {
      out->push_back(',');
      AppendInt(v, out);
    }
    out->append(AnyShortGroup() ? ",true," : ",false,");
    AppendInt(static_cast<int64_t>(result_.gaps.size()), out);
    out->push_back(',');
    csv::AppendCsvField(JoinWarnings(result_.warnings), out);
    out->push_back('\n');
  }

  void FormatSummaryJson(const SpcSeriesMeta& meta, const SeriesRows& s, std::string* out) {
    const stats::XmrResult& x = result_.xmr;
    out->append(",\n{\"series\":");
    AppendJsonString(meta.name, out);
    out->append(",\"n\":");
    AppendInt(static_cast<int64_t>(s.rows.size()), out);
    out->append(",\"n_missing\":");
    AppendInt(x.n_missing, out);
    out->append(",\"groups\":[");
    for (size_t g = 0; g < x.groups.size(); ++g) {
      const stats::XmrGroup& grp = x.groups[g];
      if (g > 0) out->push_back(',');
      out->append("{\"start\":\"");
      AppendDate(dates_[static_cast<size_t>(grp.begin)], out);
      out->append("\",\"end\":\"");
      AppendDate(dates_[static_cast<size_t>(grp.end - 1)], out);
      out->append("\",\"n\":");
      AppendInt(grp.end - grp.begin, out);
      out->append(",\"n_baseline\":");
      AppendInt(grp.n_baseline, out);
      out->append(",\"mean\":");
      AppendJsonNumber(grp.mean, out);
      out->append(",\"amr\":");
      AppendJsonNumber(grp.amr, out);
      out->append(",\"lpl\":");
      AppendJsonNumber(grp.lpl, out);
      out->append(",\"upl\":");
      AppendJsonNumber(grp.upl, out);
      out->append(grp.short_group ? ",\"short_group\":true" : ",\"short_group\":false");
      out->append(",\"recalculation_reason\":");
      if (g > 0 && g - 1 < result_.recalculations.size()) {
        AppendJsonString(result_.recalculations[g - 1].reason, out);
      } else {
        out->append("null");
      }
      out->push_back('}');
    }
    out->append("],\"frequency\":");
    AppendJsonString(stats::Name(result_.frequency), out);
    out->append(",\"improvement_direction\":");
    AppendJsonString(stats::Name(meta.direction), out);
    const bool has = !x.groups.empty();
    out->append(",\"mean\":");
    AppendJsonNumber(has ? x.groups.back().mean : NAN, out);
    out->append(",\"lpl\":");
    AppendJsonNumber(has ? x.groups.back().lpl : NAN, out);
    out->append(",\"upl\":");
    AppendJsonNumber(has ? x.groups.back().upl : NAN, out);
    out->append(",\"target\":");
    AppendJsonNumber(meta.assurance_target, out);
    out->append(",\"variation\":");
    AppendJsonString(stats::Name(x.variation), out);
    out->append(",\"assurance\":");
    AppendJsonStringOrNull(stats::Name(x.assurance), out);
    const PointCounts c = CountPoints();
    out->append(",\"common_cause\":");
    AppendInt(c.common, out);
    out->append(",\"improvement\":");
    AppendInt(c.improvement, out);
    out->append(",\"concern\":");
    AppendInt(c.concern, out);
    out->append(",\"neutral\":");
    AppendInt(c.neutral, out);
    out->append(AnyShortGroup() ? ",\"short_group_warning\":true"
                                : ",\"short_group_warning\":false");
    out->append(",\"gaps\":[");
    for (size_t i = 0; i < result_.gaps.size(); ++i) {
      if (i > 0) out->push_back(',');
      out->append("{\"after\":\"");
      AppendDate(result_.gaps[i].after, out);
      out->append("\",\"before\":\"");
      AppendDate(result_.gaps[i].before, out);
      out->append("\",\"missing_periods\":");
      AppendInt(result_.gaps[i].missing_periods, out);
      out->push_back('}');
    }
    out->append("],\"warnings\":[");
    for (size_t i = 0; i < result_.warnings.size(); ++i) {
      if (i > 0) out->push_back(',');
      AppendJsonString(result_.warnings[i], out);
    }
    out->append("]}");
  }

  const Shared& shared_;
  std::vector<Date> dates_;
  std::vector<double> values_;
  std::vector<oversight::Recalculation> recalculations_;
  oversight::SpcSeriesResult result_;
  ControlChartSeries control_;
  std::string name_csv_;
  std::vector<std::string> group_text_;
  DateTextCache date_text_;
};

// A file name for a series' chart: the name with unsafe characters replaced, made unique.
std::string ChartFileName(const std::string& series, std::unordered_set<std::string>* used) {
  std::string base;
  for (const char c : series) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
    base.push_back(safe ? c : '_');
    if (base.size() >= 100) break;
  }
  if (base.empty() || base[0] == '.') base.insert(base.begin(), '_');
  std::string name = base + ".svg";
  for (int k = 2; !used->insert(name).second; ++k) name = base + "_" + std::to_string(k) + ".svg";
  return name;
}

Status ValidateOptions(const SpcCommandOptions& o, Shared* shared) {
  std::string problems;
  const auto problem = [&](std::string text) { problems += text + "\n"; };
  if (o.format != "csv" && o.format != "json") {
    problem("--format " + o.format + ": unknown format; expected csv or json");
  }
  const std::optional<stats::Direction> direction = DirectionFromWord(o.improvement);
  if (!direction) {
    problem("--improvement " + o.improvement +
            ": unknown direction; expected increase, decrease or neutral");
  }
  if (!o.chart.empty()) {
    Result<stats::ChartType> chart = stats::ParseChartType(o.chart);
    if (!chart.ok() || *chart == stats::ChartType::kIp) {
      problem("--chart " + o.chart +
              ": unknown chart; expected run, i, mr, xbar, s, t, p, pp, c, u, up or g (or leave "
              "it out for the Making Data Count XmR chart)");
    } else {
      shared->chart = *chart;
      shared->control.chart = *chart;
      shared->control.freeze = o.fix_after;
      shared->control.screen_moving_ranges = !o.no_screen;
    }
    if (o.format == "json") problem("--format json: not available with --chart yet; use csv");
    if (o.fix_after < 0) problem("--fix-after: expected 1 or more");
  } else if (o.fix_after != 0 && o.fix_after < stats::kMinFixAfterPoints) {
    problem("--fix-after " + std::to_string(o.fix_after) +
            ": too few points to fix limits on; expected 12 or more (Making Data Count needs at "
            "least 12 points for a baseline)");
  }
  if (o.rule_length != 6 && o.rule_length != 7) {
    problem("--rule-length " + std::to_string(o.rule_length) + ": expected 7 or 6");
  }
  if (o.threads < 0) problem("--threads " + std::to_string(o.threads) + ": expected 1 or more");
  if (o.memory_limit_mb < 16) {
    problem("--memory-limit " + std::to_string(o.memory_limit_mb) +
            ": too small; expected 16 (MB) or more");
  }
  if (o.target && !std::isfinite(*o.target)) problem("--target: expected a finite number");
  if (o.rebase_reasons.size() > o.rebase.size()) {
    problem("--rebase-reason given " + std::to_string(o.rebase_reasons.size()) +
            " times but --rebase has " + std::to_string(o.rebase.size()) +
            " dates; expected at most one reason per rebase date, in the same order");
  }
  for (size_t i = 0; i < o.rebase.size(); ++i) {
    const std::optional<Date> d = ParseIsoDate(csv::TrimSpaces(o.rebase[i]));
    if (!d) {
      problem("--rebase " + o.rebase[i] +
              ": not a real date in the form YYYY-MM-DD; expected e.g. --rebase 2021-04-01");
      continue;
    }
    shared->global_recalculations.push_back(
        {*d, i < o.rebase_reasons.size() ? o.rebase_reasons[i] : std::string()});
  }
  if (o.points_path.empty()) problem("-o: expected the path of the per-point output file");
  if (o.summary_path.empty()) problem("--summary: expected the path of the per-series output file");
  if (!o.points_path.empty() && o.points_path == o.summary_path) {
    problem("-o and --summary are the same file; expected two different paths");
  }
  shared->xmr.improvement = direction.value_or(stats::Direction::kIncrease);
  shared->xmr.fix_after_n_points = shared->chart ? 0 : o.fix_after;  // --chart: freeze
  shared->xmr.screen_outliers = !o.no_screen;
  shared->xmr.rule_length = o.rule_length;
  shared->json = o.format == "json";
  if (problems.empty()) {
    const Status s = stats::ValidateXmrOptions(shared->xmr);
    if (!s.ok()) problem(s.message());
  }
  if (!problems.empty()) {
    problems.pop_back();
    return InvalidArgumentError(problems);
  }
  return Status::Ok();
}

// Writes the analysis of batches of series to the output files, in order. One batch at a time.
class BatchWriter {
 public:
  BatchWriter(const Shared& shared, OutputFile* points, OutputFile* summary, OutputDirectory* plots,
              chart::PdfBoardPack* pack, int max_threads)
      : shared_(shared), points_(points), summary_(summary), plots_(plots), pack_(pack) {
    for (int t = 0; t < max_threads; ++t) {
      formatters_.push_back(std::make_unique<SeriesFormatter>(shared));
    }
    outputs_.resize(static_cast<size_t>(max_threads));
  }

  Status Begin() {
    if (shared_.chart) {
      RETURN_IF_ERROR(points_->Write(kControlPointsCsvHeader));
      return summary_->Write(kControlSummaryCsvHeader);
    }
    if (!shared_.json) {
      RETURN_IF_ERROR(points_->Write(kPointsCsvHeader));
      return summary_->Write(kSummaryCsvHeader);
    }
    RETURN_IF_ERROR(points_->Write("["));
    return summary_->Write("[");
  }

  Status End() {
    if (!shared_.json) return Status::Ok();
    RETURN_IF_ERROR(points_->Write(wrote_point_ ? "\n]\n" : "]\n"));
    return summary_->Write(wrote_series_ ? "\n]\n" : "]\n");
  }

  // Forgets everything written so far (the files are emptied) and writes the headers again.
  Status Restart() {
    RETURN_IF_ERROR(points_->Truncate());
    RETURN_IF_ERROR(summary_->Truncate());
    wrote_point_ = wrote_series_ = false;
    used_names_.clear();
    return Begin();
  }

  // Analyses `batch` (metas[i] describes batch[i]) on `threads` threads and appends the results.
  Status Write(std::span<const SeriesRows> batch, std::span<const SpcSeriesMeta* const> metas,
               int threads) {
    threads = std::clamp(threads, 1, static_cast<int>(outputs_.size()));
    chart_names_.assign(batch.size(), std::string());
    if (plots_ != nullptr) {
      for (size_t i = 0; i < batch.size(); ++i) {
        chart_names_[i] = ChartFileName(metas[i]->name, &used_names_);
      }
      charts_.resize(batch.size());
    }
    // Split the batch into contiguous slices of about equal rows, one per thread.
    size_t total = 0;
    for (const SeriesRows& s : batch) total += s.rows.size();
    std::vector<size_t> bounds = {0};
    size_t acc = 0;
    for (size_t i = 0; i < batch.size(); ++i) {
      acc += batch[i].rows.size();
      if (bounds.size() < static_cast<size_t>(threads) &&
          acc * static_cast<size_t>(threads) >= total * bounds.size()) {
        bounds.push_back(i + 1);
      }
    }
    while (bounds.size() <= static_cast<size_t>(threads)) bounds.push_back(batch.size());
    // Each worker formats its slice; then, once every slice's size is known, each writes its
    // text at its own offset of the output files, so the (costly) copies into the page cache
    // also run in parallel.
    const size_t n = static_cast<size_t>(threads);
    std::vector<std::string_view> point_text(n), summary_text(n);
    std::vector<int64_t> point_offset(n), summary_offset(n);
    auto place = [&]() noexcept {
      for (size_t t = 0; t < n; ++t) {
        std::string_view p = outputs_[t].points, s = outputs_[t].summary;
        if (shared_.json) {
          // Each object is written as ",\n{...}": drop the comma before the very first one.
          if (!p.empty() && !wrote_point_) {
            p.remove_prefix(1);
            wrote_point_ = true;
          }
          if (!s.empty() && !wrote_series_) {
            s.remove_prefix(1);
            wrote_series_ = true;
          }
        }
        point_text[t] = p;
        summary_text[t] = s;
        point_offset[t] = points_->Reserve(p.size());
        summary_offset[t] = summary_->Reserve(s.size());
      }
    };
    std::barrier sync(threads, place);
    auto work = [&](size_t t) {
      WorkerOutput& out = outputs_[t];
      out.points.clear();
      out.summary.clear();
      out.status = Status::Ok();
      size_t slice_rows = 0;
      for (size_t i = bounds[t]; i < bounds[t + 1]; ++i) slice_rows += batch[i].rows.size();
      out.points.reserve(slice_rows * (shared_.json ? 240 : shared_.chart ? 192 : 128));
      for (size_t i = bounds[t]; i < bounds[t + 1]; ++i) {
        formatters_[t]->Run(*metas[i], batch[i], chart_names_[i], &out,
                            plots_ != nullptr ? &charts_[i] : nullptr);
      }
      sync.arrive_and_wait();
      Status st = points_->WriteAt(point_offset[t], point_text[t]);
      if (st.ok()) st = summary_->WriteAt(summary_offset[t], summary_text[t]);
      if (!st.ok() && out.status.ok()) out.status = st;
    };
    std::vector<std::thread> pool;
    for (size_t t = 1; t < n; ++t) pool.emplace_back(work, t);
    work(0);
    for (std::thread& th : pool) th.join();
    for (size_t t = 0; t < n; ++t) RETURN_IF_ERROR(outputs_[t].status);
    if (pack_ != nullptr) {
      for (size_t i = 0; i < batch.size(); ++i) {
        if (shared_.chart) {
          RETURN_IF_ERROR(pack_->AddPage(ControlChartPlot(*metas[i], charts_[i].control)));
          continue;
        }
        RETURN_IF_ERROR(pack_->AddPage(SeriesFormatter::ChartInput(
            *metas[i], charts_[i].dates, charts_[i].values, charts_[i].result)));
      }
    }
    return Status::Ok();
  }

 private:
  const Shared& shared_;
  OutputFile* points_;
  OutputFile* summary_;
  OutputDirectory* plots_;
  chart::PdfBoardPack* pack_;
  std::vector<std::unique_ptr<SeriesFormatter>> formatters_;
  std::vector<WorkerOutput> outputs_;
  std::vector<std::string> chart_names_;
  std::vector<ChartData> charts_;
  std::unordered_set<std::string> used_names_;
  bool wrote_point_ = false;
  bool wrote_series_ = false;
};

// Runs early batches on a thread of its own while the input is still being read. The queue is
// short, so the reader waits rather than piling up copies of rows.
class EarlyConsumer {
 public:
  EarlyConsumer(BatchWriter* writer, int threads) : writer_(writer), threads_(threads) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~EarlyConsumer() { static_cast<void>(Finish()); }

  void Push(EarlyBatch&& batch) {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [this] { return queue_.size() < kMaxQueued; });
    queue_.push_back(std::move(batch));
    cv_.notify_all();
  }

  // Waits for every queued batch; returns the first failure.
  Status Finish() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
      cv_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
    return status_;
  }

 private:
  static constexpr size_t kMaxQueued = 2;

  void Loop() {
    for (;;) {
      EarlyBatch batch;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [this] { return done_ || !queue_.empty(); });
        if (queue_.empty()) return;
        batch = std::move(queue_.front());
        queue_.pop_front();
        cv_.notify_all();
      }
      if (!status_.ok()) continue;
      std::vector<const SpcSeriesMeta*> metas;
      for (const SpcSeriesMeta& m : batch.metas) metas.push_back(&m);
      status_ = writer_->Write(batch.series, metas, threads_);
    }
  }

  BatchWriter* writer_;
  int threads_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<EarlyBatch> queue_;
  bool done_ = false;
  Status status_;
  std::thread thread_;
};

}  // namespace

Status RunSpcCommand(const SpcCommandOptions& options, std::string* notes) {
  Shared shared;
  RETURN_IF_ERROR(ValidateOptions(options, &shared));

  SpcInputOptions input_options;
  input_options.improvement = shared.xmr.improvement;
  input_options.target = options.target.value_or(NAN);
  input_options.memory_limit_bytes = static_cast<size_t>(options.memory_limit_mb) << 20;
  if (shared.chart) {
    input_options.read_denominator = true;
    input_options.require_denominator = NeedsDenominator(*shared.chart);
    input_options.proportions = IsProportionChart(*shared.chart);
    input_options.subgroups = true;  // rows sharing a date form one point, for every chart
    shared.input_path = options.input;
  }
  SpcInput input(input_options);
  shared.input = &input;

  // Output files are created first (as temporaries) so that analysis can start while the input
  // is still being read; they are removed again on any failure.
  ASSIGN_OR_RETURN(std::unique_ptr<OutputFile> points, OutputFile::Create(options.points_path));
  ASSIGN_OR_RETURN(std::unique_ptr<OutputFile> summary, OutputFile::Create(options.summary_path));
  std::unique_ptr<OutputDirectory> plots;
  std::unique_ptr<chart::PdfBoardPack> pack;
  const int threads = options.threads > 0
                          ? options.threads
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  // A batch's rows and text must fit beside the buffered rows within the memory limit.
  const size_t row_budget = static_cast<size_t>(options.memory_limit_mb) << 20 >> 5;
  const size_t batch_rows = std::clamp<size_t>(row_budget / 8, size_t{4096}, kBatchRows);

  std::unique_ptr<BatchWriter> writer;
  std::unique_ptr<EarlyConsumer> early;
  if (options.plot_dir.empty()) {
    writer = std::make_unique<BatchWriter>(shared, points.get(), summary.get(), nullptr, nullptr,
                                           threads);
    RETURN_IF_ERROR(writer->Begin());
    // The reading thread keeps one core busy; the early batches get the others.
    early = std::make_unique<EarlyConsumer>(writer.get(), std::max(1, threads - 1));
    input.SetEarlySink([&early](EarlyBatch&& b) { early->Push(std::move(b)); }, batch_rows);
  }
  const Status read_status = input.Read(options.input);
  if (early) RETURN_IF_ERROR(early->Finish());
  RETURN_IF_ERROR(read_status);

  if (input.errors().empty()) {
    if (!options.plot_dir.empty()) {
      ASSIGN_OR_RETURN(plots, OutputDirectory::Create(options.plot_dir));
      ASSIGN_OR_RETURN(pack, chart::PdfBoardPack::Create(plots->StagingPath("charts.pdf")));
      shared.plots = plots.get();
      writer = std::make_unique<BatchWriter>(shared, points.get(), summary.get(), plots.get(),
                                             pack.get(), threads);
      RETURN_IF_ERROR(writer->Begin());
    } else if (!input.early_batches_valid() && input.early_batches() > 0) {
      RETURN_IF_ERROR(writer->Restart());  // the input was not in order after all
    }
  }

  std::vector<SeriesRows> batch;
  std::vector<const SpcSeriesMeta*> metas;
  for (;;) {
    ASSIGN_OR_RETURN(const bool more, input.NextBatch(batch_rows, &batch));
    if (!more) break;
    // After an input error, keep reading only to find further errors (e.g. duplicates).
    if (!input.errors().empty()) continue;
    metas.clear();
    for (const SeriesRows& s : batch)
      metas.push_back(&input.series()[static_cast<size_t>(s.series)]);
    RETURN_IF_ERROR(writer->Write(batch, metas, threads));
  }

  if (!input.errors().empty()) return InvalidArgumentError(input.errors().Join());
  RETURN_IF_ERROR(writer->End());
  if (input.header_only()) {
    *notes += options.input + ": the file has a header but no rows; the outputs are empty\n";
  }
  if (pack) RETURN_IF_ERROR(pack->Finish());
  RETURN_IF_ERROR(points->Commit());
  if (const Status s = summary->Commit(); !s.ok()) {
    std::remove(options.points_path.c_str());  // all or nothing
    return s;
  }
  if (plots) RETURN_IF_ERROR(plots->Commit());
  return Status::Ok();
}

}  // namespace shewhart::app
