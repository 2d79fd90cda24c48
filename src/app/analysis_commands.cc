#include "app/analysis_commands.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "app/internal/output_files.h"
#include "app/internal/spc_input.h"  // ErrorList
#include "base/date.h"
#include "base/text_checks.h"
#include "chart/comparison_chart.h"
#include "chart/control_chart.h"
#include "chart/funnel_chart.h"
#include "chart/xmr_chart.h"
#include "csv/csv_reader.h"
#include "oversight/benchmark.h"
#include "oversight/trend_report.h"
#include "stats/control_chart.h"
#include "stats/funnel.h"
#include "stats/intervals.h"
#include "stats/standing.h"
#include "stats/trend.h"

namespace shewhart::app {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---- Cells --------------------------------------------------------------------------------------

bool IsMissing(std::string_view text) {
  text = csv::TrimSpaces(text);
  return text.empty() || text == "NA";
}

std::string Quoted(std::string_view text) {
  std::string s = "\"";
  s.append(text.substr(0, 60));
  if (text.size() > 60) s += "\xE2\x80\xA6";
  return s + '"';
}

// Shortest round-trip text; empty for NaN, R's Inf / -Inf for infinities.
void AppendNumber(double v, std::string* out) {
  if (std::isnan(v)) return;
  if (std::isinf(v)) {
    out->append(v > 0 ? "Inf" : "-Inf");
    return;
  }
  char buf[32];
  const auto result = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, result.ptr);
}

// Appends `fields` as one CSV row.
class RowWriter {
 public:
  explicit RowWriter(std::string* out) : out_(out) {}
  RowWriter& Text(std::string_view s) {
    Sep();
    csv::AppendCsvField(s, out_);
    return *this;
  }
  RowWriter& Number(double v) {
    Sep();
    AppendNumber(v, out_);
    return *this;
  }
  RowWriter& Int(int64_t v) {
    Sep();
    out_->append(std::to_string(v));
    return *this;
  }
  RowWriter& Bool(bool v) { return Text(v ? "true" : "false"); }
  void End() { out_->push_back('\n'); }

 private:
  void Sep() {
    if (!first_) out_->push_back(',');
    first_ = false;
  }
  std::string* out_;
  bool first_ = true;
};

// ---- Reading a CSV with named columns ------------------------------------------------------

struct ColumnSpec {
  std::string_view name;
  bool required = false;
};

// Calls on_row(record, where, columns) for each data row; columns[i] is the field index of
// spec[i] (-1 when an optional column is absent); where(i) is "FILE:LINE:COLUMN: " of spec[i]'s
// cell. CSV syntax problems and a missing required column go to `errors`. IoError only when the
// file cannot be opened or read.
using CellWhere = std::function<std::string(size_t)>;
Status ReadCsv(
    const std::string& path, std::span<const ColumnSpec> spec, std::string_view expected_words,
    ErrorList* errors, bool* header_only,
    const std::function<void(const csv::Record&, const CellWhere&, std::span<const int>)>& on_row) {
  ASSIGN_OR_RETURN(std::unique_ptr<csv::Reader> reader, csv::Reader::Open(path));
  *header_only = false;
  csv::Reader::Step step = reader->Next();
  while (step == csv::Reader::Step::kError) {
    if (reader->error().code() != StatusCode::kInvalidArgument) return reader->error();
    errors->Add(reader->error().message());
    step = reader->Next();
  }
  if (step == csv::Reader::Step::kEnd) {
    errors->Add(path + ":1:1: the file is empty; expected a header row naming the columns " +
                std::string(expected_words) + ", then one row per unit");
    return Status::Ok();
  }
  std::vector<int> columns;
  std::string missing;
  const std::span<const std::string_view> header = reader->record().fields;
  for (const ColumnSpec& c : spec) {
    const std::optional<size_t> found = csv::FindColumn(header, c.name);
    columns.push_back(found ? static_cast<int>(*found) : -1);
    if (!found && c.required) {
      if (!missing.empty()) missing += ", ";
      missing += "\"" + std::string(c.name) + "\"";
    }
  }
  if (!missing.empty()) {
    std::string found_text;
    for (std::string_view h : header) {
      if (!found_text.empty()) found_text += ", ";
      found_text += Quoted(h);
    }
    errors->Add(path + ":1:1: the header has no column " + missing + "; expected columns named " +
                std::string(expected_words) + "; the header found is: " + found_text);
    return Status::Ok();
  }
  bool any_row = false;
  for (;;) {
    step = reader->Next();
    if (step == csv::Reader::Step::kEnd) break;
    if (step == csv::Reader::Step::kError) {
      if (reader->error().code() != StatusCode::kInvalidArgument) return reader->error();
      errors->Add(reader->error().message());
      continue;
    }
    any_row = true;
    const csv::Record& rec = reader->record();
    const CellWhere where = [&](size_t i) {
      return path + ":" + std::to_string(rec.line) + ":" + std::to_string(columns[i] + 1) + ": ";
    };
    on_row(rec, where, columns);
  }
  *header_only = !any_row;
  return Status::Ok();
}

// ---- unit,numerator,denominator inputs (funnel, compare) ------------------------------------

struct UnitRows {
  std::vector<std::string> names;  // one per distinct unit, in order of first appearance
  std::vector<double> numerators;  // summed
  std::vector<double> denominators;
  std::vector<int64_t> lines;  // line of the unit's first row
};

enum class CountKind { kProportion, kCount };

// Reads and validates a unit file. Rows of the same unit are summed (FunnelPlotR's aggregation).
Status ReadUnits(const std::string& path, CountKind kind, std::string_view denominator_words,
                 ErrorList* errors, UnitRows* units) {
  static constexpr ColumnSpec kSpec[] = {
      {"unit", true}, {"numerator", true}, {"denominator", true}};
  std::unordered_map<std::string, size_t> index;
  bool header_only = false;
  RETURN_IF_ERROR(ReadCsv(
      path, kSpec, "unit, numerator and denominator", errors, &header_only,
      [&](const csv::Record& rec, const CellWhere& where, std::span<const int> col) {
        const std::string_view name = csv::TrimSpaces(rec.fields[col[0]]);
        if (name.empty()) {
          errors->Add(where(0) + "the unit name is empty; every row needs the unit it belongs to");
          return;
        }
        double values[2] = {0, 0};
        bool ok = true;
        for (int k = 0; k < 2; ++k) {
          const std::string_view text = rec.fields[col[k + 1]];
          const char* what = k == 0 ? "numerator" : "denominator";
          if (IsMissing(text)) {
            errors->Add(where(k + 1) + "the " + what + " is missing; expected a number");
            ok = false;
          } else if (!ParseNumber(text, &values[k])) {
            errors->Add(where(k + 1) + what + " " + Quoted(text) +
                        " is not a number; expected a decimal such as 12.5");
            ok = false;
          } else if (values[k] < 0) {
            errors->Add(where(k + 1) + what + " " + Quoted(text) +
                        " is negative; expected a count of 0 or more");
            ok = false;
          }
        }
        if (!ok) return;
        if (values[1] <= 0) {
          errors->Add(where(2) + "denominator " + Quoted(rec.fields[col[2]]) +
                      " must be greater than 0; " + std::string(denominator_words));
          return;
        }
        if (kind == CountKind::kProportion && values[0] > values[1]) {
          errors->Add(where(1) + "numerator " + Quoted(rec.fields[col[1]]) +
                      " is larger than the denominator " + Quoted(rec.fields[col[2]]) +
                      "; a proportion counts events among the denominator's cases");
          return;
        }
        auto [it, inserted] = index.try_emplace(std::string(name), units->names.size());
        if (inserted) {
          units->names.emplace_back(name);
          units->numerators.push_back(0);
          units->denominators.push_back(0);
          units->lines.push_back(rec.line);
        }
        units->numerators[it->second] += values[0];
        units->denominators[it->second] += values[1];
      }));
  if (header_only && errors->empty()) {
    errors->Add(path + ":2:1: the file has a header but no rows; expected one row per unit");
  }
  return Status::Ok();
}

Status InputErrors(ErrorList& errors) { return InvalidArgumentError(errors.Join()); }

std::string Basename(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The name of a chart file for a series: letters, digits, '-', '_' and '.' kept, others '_';
// `used` makes names unique.
std::string ChartFileName(std::string_view name, std::unordered_map<std::string, int>* used) {
  std::string base;
  for (char c : name.substr(0, 80)) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
    base.push_back(keep ? c : '_');
  }
  if (base.empty() || base[0] == '.') base.insert(base.begin(), '_');
  const int n = ++(*used)[base];
  return n == 1 ? base : base + "_" + std::to_string(n);
}

std::optional<stats::Direction> DirectionFromWord(std::string_view word) {
  if (word == "increase") return stats::Direction::kIncrease;
  if (word == "decrease") return stats::Direction::kDecrease;
  if (word == "neutral") return stats::Direction::kNeutral;
  return std::nullopt;
}

// ---- funnel -------------------------------------------------------------------------------------

std::string_view OutlierCell(stats::FunnelOutlier o) {
  return o == stats::FunnelOutlier::kHigh ? "high" : o == stats::FunnelOutlier::kLow ? "low" : "";
}

}  // namespace

Status RunFunnelCommand(const FunnelCommandOptions& o, std::string* notes) {
  (void)notes;
  stats::FunnelOptions options;
  std::string option_errors;
  if (o.type == "proportion") {
    options.type = stats::FunnelType::kProportion;
  } else if (o.type == "ratio") {
    options.type = stats::FunnelType::kRatio;
  } else if (o.type == "rate") {
    options.type = stats::FunnelType::kRate;
  } else {
    option_errors += "--type " + Quoted(o.type) + ": expected proportion, ratio or rate\n";
  }
  if (o.sr_method == "shmi") {
    options.sr_method = stats::SrMethod::kShmi;
  } else if (o.sr_method == "cqc") {
    options.sr_method = stats::SrMethod::kCqc;
  } else {
    option_errors += "--sr-method " + Quoted(o.sr_method) + ": expected shmi or cqc\n";
  }
  if (o.limit == "95") {
    options.limit = stats::FunnelLimit::k95;
  } else if (o.limit == "99.8") {
    options.limit = stats::FunnelLimit::k998;
  } else {
    option_errors += "--limit " + Quoted(o.limit) + ": expected 95 or 99.8\n";
  }
  if (o.overdispersion == "auto") {
    options.overdispersion = stats::Overdispersion::kAuto;
  } else if (o.overdispersion == "on") {
    options.overdispersion = stats::Overdispersion::kOn;
  } else if (o.overdispersion == "off") {
    options.overdispersion = stats::Overdispersion::kOff;
  } else {
    option_errors +=
        "--overdispersion " + Quoted(o.overdispersion) + ": expected auto, on or off\n";
  }
  const std::optional<stats::Direction> improvement = DirectionFromWord(o.improvement);
  if (!improvement) {
    option_errors +=
        "--improvement " + Quoted(o.improvement) + ": expected increase, decrease or neutral\n";
  }
  options.multiplier = o.multiplier;
  options.trim_by = o.trim_by;
  if (option_errors.empty()) {
    const Status valid = stats::ValidateFunnelOptions(options);
    if (!valid.ok()) option_errors += valid.message() + "\n";
  }
  if (o.phe && !o.plot_dir.empty()) {
    option_errors +=
        "--plot: charts of the PHE variant are not drawn yet; leave out --phe or "
        "--plot\n";
  }
  if (!option_errors.empty()) return InvalidArgumentError(option_errors);

  ErrorList errors;
  UnitRows units;
  const CountKind kind =
      options.type == stats::FunnelType::kProportion ? CountKind::kProportion : CountKind::kCount;
  const std::string_view denominator_words =
      options.type == stats::FunnelType::kRatio
          ? "the denominator of a standardised ratio is the expected count"
          : "a unit with no cases cannot be placed on a funnel";
  RETURN_IF_ERROR(ReadUnits(o.input, kind, denominator_words, &errors, &units));
  if (!errors.empty()) return InputErrors(errors);
  if (units.names.size() < 2) {
    return InvalidArgumentError(o.input + ": " + std::to_string(units.names.size()) +
                                " unit found; a funnel plot needs at least 2 units");
  }

  std::string out = "unit,numerator,denominator,value,z,lcl95,ucl95,lcl998,ucl998,outlier\n";
  std::string summary;
  std::unique_ptr<stats::FunnelResult> funnel;
  if (!o.phe) {
    std::vector<stats::FunnelInput> rows(units.names.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      rows[i] = {units.names[i], units.numerators[i], units.denominators[i]};
    }
    Result<stats::FunnelResult> r = stats::ComputeFunnel(rows, options);
    if (!r.ok()) return InvalidArgumentError(o.input + ": " + r.status().message());
    funnel = std::make_unique<stats::FunnelResult>(std::move(*r));
    int n_high = 0, n_low = 0;
    for (const stats::FunnelUnit& u : funnel->units) {
      n_high += u.outlier == stats::FunnelOutlier::kHigh;
      n_low += u.outlier == stats::FunnelOutlier::kLow;
      RowWriter(&out)
          .Text(u.name)
          .Number(u.numerator)
          .Number(u.denominator)
          .Number(u.value * options.multiplier)
          .Number(u.z)
          .Number(u.limits.lcl95)
          .Number(u.limits.ucl95)
          .Number(u.limits.lcl998)
          .Number(u.limits.ucl998)
          .Text(OutlierCell(u.outlier))
          .End();
    }
    summary =
        "method,type,sr_method,limit,overdispersion,n_units,target,phi,tau2,adjusted,n_high,n_"
        "low\n";
    RowWriter(&summary)
        .Text("funnelplotr")
        .Text(o.type)
        .Text(options.type == stats::FunnelType::kRatio ? o.sr_method : "")
        .Text(o.limit)
        .Text(o.overdispersion)
        .Int(static_cast<int64_t>(funnel->units.size()))
        .Number(funnel->target * options.multiplier)
        .Number(funnel->phi)
        .Number(funnel->tau2)
        .Bool(funnel->adjusted)
        .Int(n_high)
        .Int(n_low)
        .End();
  } else {
    // PHE's method (stats::ComputePheFunnel): proportions by inverse Wilson limits at each unit's
    // denominator; ratios and rates by the exact / Byar interval of the observed count.
    const stats::PheFunnelResult phe =
        stats::ComputePheFunnel(units.numerators, units.denominators, options);
    const double reference = phe.reference;
    const int n_high = phe.n_high, n_low = phe.n_low;
    for (size_t i = 0; i < units.names.size(); ++i) {
      const stats::PheFunnelUnit& u = phe.units[i];
      RowWriter(&out)
          .Text(units.names[i])
          .Number(units.numerators[i])
          .Number(units.denominators[i])
          .Number(u.value)
          .Number(kNaN)
          .Number(u.limits.lcl95)
          .Number(u.limits.ucl95)
          .Number(u.limits.lcl998)
          .Number(u.limits.ucl998)
          .Text(OutlierCell(u.outlier))
          .End();
    }
    summary =
        "method,type,sr_method,limit,overdispersion,n_units,target,phi,tau2,adjusted,n_high,n_"
        "low\n";
    RowWriter(&summary)
        .Text("phe")
        .Text(o.type)
        .Text("")
        .Text(o.limit)
        .Text("")
        .Int(static_cast<int64_t>(units.names.size()))
        .Number(reference * options.multiplier)
        .Number(kNaN)
        .Number(kNaN)
        .Bool(false)
        .Int(n_high)
        .Int(n_low)
        .End();
  }

  ASSIGN_OR_RETURN(std::unique_ptr<OutputFile> out_file, OutputFile::Create(o.output));
  ASSIGN_OR_RETURN(std::unique_ptr<OutputFile> summary_file, OutputFile::Create(o.summary));
  RETURN_IF_ERROR(out_file->Write(out));
  RETURN_IF_ERROR(summary_file->Write(summary));
  std::unique_ptr<OutputDirectory> plots;
  if (!o.plot_dir.empty() && funnel != nullptr) {
    ASSIGN_OR_RETURN(plots, OutputDirectory::Create(o.plot_dir));
    chart::FunnelChartInput in;
    in.title = o.title.empty() ? "Funnel plot: " + Basename(o.input) : o.title;
    in.subtitle = std::string(options.type == stats::FunnelType::kProportion ? "Proportions"
                              : options.type == stats::FunnelType::kRatio    ? "Standardised ratios"
                                                                             : "Rates") +
                  " \xC2\xB7 outliers judged at the " + o.limit + "% limits";
    in.funnel = funnel.get();
    in.improvement = *improvement;
    in.percent = options.type == stats::FunnelType::kProportion && options.multiplier == 1;
    RETURN_IF_ERROR(plots->Write("funnel.svg", chart::RenderFunnelSvg(in)));
    ASSIGN_OR_RETURN(std::unique_ptr<chart::PdfBoardPack> pack,
                     chart::PdfBoardPack::Create(plots->StagingPath("funnel.pdf")));
    RETURN_IF_ERROR(pack->AddPage(in));
    RETURN_IF_ERROR(pack->Finish());
  }
  RETURN_IF_ERROR(out_file->Commit());
  RETURN_IF_ERROR(summary_file->Commit());
  if (plots != nullptr) RETURN_IF_ERROR(plots->Commit());
  return Status::Ok();
}

// ---- compare ------------------------------------------------------------------------------------

Status RunCompareCommand(const CompareCommandOptions& o, std::string* notes) {
  (void)notes;
  std::string option_errors;
  oversight::BenchmarkOptions options;
  if (const std::optional<oversight::BenchmarkMethod> m =
          oversight::ParseBenchmarkMethod(o.method)) {
    options.method = *m;
  } else {
    option_errors += "--method " + Quoted(o.method) +
                     ": expected wilson, byars, ratio, spc-proportion or spc-dsr\n";
  }
  if (const std::optional<stats::Polarity> p = oversight::ParsePolarity(o.polarity)) {
    options.polarity = *p;
  } else {
    option_errors += "--polarity " + Quoted(o.polarity) +
                     ": expected high-is-good, low-is-good or not-applicable\n";
  }
  if (o.confidence == "99.8") {
    options.confidence = 0.998;
  } else if (o.confidence != "95") {
    option_errors += "--confidence " + Quoted(o.confidence) + ": expected 95 or 99.8\n";
  }
  options.multiplier = o.multiplier.value_or(oversight::DefaultMultiplier(options.method));
  const double multiplier = options.multiplier;
  if (!(multiplier > 0) || !std::isfinite(multiplier)) {
    option_errors += "--multiplier: expected a number greater than 0\n";
  }
  if (o.benchmark && o.benchmark_from_data) {
    option_errors += "--benchmark and --benchmark-from-data: give one or the other\n";
  }
  if (o.benchmark && !std::isfinite(*o.benchmark)) option_errors += "--benchmark: not a number\n";
  if (!option_errors.empty()) return InvalidArgumentError(option_errors);
  options.benchmark = o.benchmark;
  options.benchmark_from_data = o.benchmark_from_data;

  const bool proportion = oversight::IsProportionMethod(options.method);
  ErrorList errors;
  UnitRows units;
  RETURN_IF_ERROR(ReadUnits(o.input, proportion ? CountKind::kProportion : CountKind::kCount,
                            options.method == oversight::BenchmarkMethod::kRatio
                                ? "the denominator of a ratio is the expected count"
                                : "a rate or proportion needs a denominator",
                            &errors, &units));
  if (!errors.empty()) return InputErrors(errors);

  int64_t failed = -1;
  Result<oversight::BenchmarkComparison> compared =
      oversight::CompareWithBenchmark(units.numerators, units.denominators, options, &failed);
  if (!compared.ok()) {
    if (failed >= 0) {
      return InvalidArgumentError(o.input + ":" + std::to_string(units.lines[failed]) + ": unit " +
                                  Quoted(units.names[failed]) + ": " + compared.status().message());
    }
    return InvalidArgumentError(o.input + ": " + compared.status().message());
  }
  const oversight::BenchmarkComparison& c = *compared;
  const double benchmark = c.benchmark;
  const stats::StandingResult* standing = &c.standing;
  const size_t n = units.names.size();
  std::string out =
      "unit,numerator,denominator,value,lower,upper,interval_method,benchmark,limit_lower,"
      "limit_upper,comparison,rank,quartile,gap_to_best,gap_to_top_quartile\n";
  for (size_t i = 0; i < n; ++i) {
    const stats::UnitStanding& s = standing->units[i];
    const oversight::BenchmarkUnit& u = c.units[i];
    RowWriter(&out)
        .Text(units.names[i])
        .Number(units.numerators[i])
        .Number(units.denominators[i])
        .Number(u.estimate.value)
        .Number(u.estimate.lower)
        .Number(u.estimate.upper)
        .Text(stats::Name(u.estimate.method))
        .Number(benchmark)
        .Number(u.limit_lower)
        .Number(u.limit_upper)
        .Text(stats::Name(u.comparison))
        .Number(s.rank)
        .Int(s.quartile)
        .Number(s.gap_to_best)
        .Number(s.gap_to_top_quartile)
        .End();
  }
  ASSIGN_OR_RETURN(std::unique_ptr<OutputFile> out_file, OutputFile::Create(o.output));
  RETURN_IF_ERROR(out_file->Write(out));
  std::unique_ptr<OutputFile> summary_file;
  if (!o.summary.empty()) {
    std::string summary =
        "method,confidence,polarity,benchmark,n_units,n_better,n_same,n_worse,n_not_compared,best,"
        "q25,median,q75,top_quartile_boundary\n";
    RowWriter(&summary)
        .Text(o.method)
        .Text(o.confidence)
        .Text(o.polarity)
        .Number(benchmark)
        .Int(static_cast<int64_t>(n))
        .Int(c.counts[static_cast<int>(stats::Comparison::kBetter)])
        .Int(c.counts[static_cast<int>(stats::Comparison::kSame)])
        .Int(c.counts[static_cast<int>(stats::Comparison::kWorse)])
        .Int(c.counts[static_cast<int>(stats::Comparison::kNone)])
        .Number(standing->best)
        .Number(standing->q25)
        .Number(standing->median)
        .Number(standing->q75)
        .Number(standing->top_quartile_boundary)
        .End();
    ASSIGN_OR_RETURN(summary_file, OutputFile::Create(o.summary));
    RETURN_IF_ERROR(summary_file->Write(summary));
  }
  std::unique_ptr<OutputDirectory> plots;
  if (!o.plot_dir.empty()) {
    ASSIGN_OR_RETURN(plots, OutputDirectory::Create(o.plot_dir));
    std::vector<chart::ComparisonUnit> chart_units(n);
    for (size_t i = 0; i < n; ++i) {
      const oversight::BenchmarkUnit& u = c.units[i];
      chart_units[i] = {units.names[i], u.estimate.value, u.limit_lower, u.limit_upper,
                        u.comparison};
    }
    chart::ComparisonChartInput in;
    in.title = o.title.empty() ? "Comparison with the benchmark: " + Basename(o.input) : o.title;
    in.subtitle = o.method + " \xC2\xB7 " + o.confidence + "% \xC2\xB7 " + o.polarity;
    in.units = chart_units;
    in.benchmark = benchmark;
    in.percent = proportion && multiplier == 1;
    RETURN_IF_ERROR(plots->Write("comparison.svg", chart::RenderComparisonSvg(in)));
    ASSIGN_OR_RETURN(std::unique_ptr<chart::PdfBoardPack> pack,
                     chart::PdfBoardPack::Create(plots->StagingPath("comparison.pdf")));
    RETURN_IF_ERROR(pack->AddPage(in));
    RETURN_IF_ERROR(pack->Finish());
  }
  RETURN_IF_ERROR(out_file->Commit());
  if (summary_file != nullptr) RETURN_IF_ERROR(summary_file->Commit());
  if (plots != nullptr) RETURN_IF_ERROR(plots->Commit());
  return Status::Ok();
}

// ---- trend --------------------------------------------------------------------------------------

namespace {

struct TrendRow {
  Date date = 0;
  double value = kNaN;
  double numerator = kNaN;
  double denominator = kNaN;
  double lower = kNaN;
  double upper = kNaN;
  bool rebase = false;
  int64_t line = 0;
};

struct TrendSeries {
  std::string name;
  std::vector<TrendRow> rows;
};

}  // namespace

Status RunTrendCommand(const TrendCommandOptions& o, std::string* notes) {
  (void)notes;
  static constexpr ColumnSpec kSpec[] = {
      {"series", true},       {"date", true},    {"value", false},   {"numerator", false},
      {"denominator", false}, {"rebase", false}, {"lower95", false}, {"upper95", false}};
  enum { kSeries, kDate, kValue, kNumerator, kDenominator, kRebase, kLower, kUpper };
  ErrorList errors;
  std::vector<TrendSeries> series;
  std::unordered_map<std::string, size_t> index;
  bool header_only = false;
  bool has_counts = false, has_intervals = false;
  bool checked_columns = false;
  RETURN_IF_ERROR(ReadCsv(
      o.input, kSpec, "series, date and value (or numerator and denominator)", &errors,
      &header_only, [&](const csv::Record& rec, const CellWhere& where, std::span<const int> col) {
        if (!checked_columns) {
          checked_columns = true;
          has_counts = col[kNumerator] >= 0 && col[kDenominator] >= 0;
          has_intervals = col[kLower] >= 0 && col[kUpper] >= 0;
          if (col[kValue] < 0 && !has_counts) {
            errors.Add(o.input +
                       ":1:1: the header has no column \"value\" (nor both \"numerator\" and "
                       "\"denominator\"); expected columns named series, date and value");
          }
          if ((col[kNumerator] >= 0) != (col[kDenominator] >= 0)) {
            errors.Add(o.input +
                       ":1:1: the header has only one of \"numerator\" and "
                       "\"denominator\"; give both, or neither");
          }
        }
        if (col[kValue] < 0 && !has_counts) return;
        TrendRow row;
        row.line = rec.line;
        const std::string_view name = csv::TrimSpaces(rec.fields[col[kSeries]]);
        if (name.empty()) {
          errors.Add(where(kSeries) + "the series name is empty");
          return;
        }
        const std::string_view date_text = csv::TrimSpaces(rec.fields[col[kDate]]);
        const std::optional<Date> date = ParseIsoDate(date_text);
        if (!date) {
          errors.Add(where(kDate) + "date " + Quoted(date_text) +
                     " is not a date; expected YYYY-MM-DD such as 2023-04-01");
          return;
        }
        row.date = *date;
        auto number = [&](int k, double* out) {
          if (col[k] < 0 || IsMissing(rec.fields[col[k]])) return true;
          if (ParseNumber(rec.fields[col[k]], out)) return true;
          errors.Add(where(k) + std::string(kSpec[k].name) + " " + Quoted(rec.fields[col[k]]) +
                     " is not a number; expected a decimal such as 12.5 (or empty / NA for a "
                     "missing value)");
          return false;
        };
        if (!number(kValue, &row.value) || !number(kNumerator, &row.numerator) ||
            !number(kDenominator, &row.denominator) || !number(kLower, &row.lower) ||
            !number(kUpper, &row.upper)) {
          return;
        }
        if (has_counts && !std::isnan(row.denominator) && row.denominator <= 0) {
          errors.Add(where(kDenominator) + "denominator " + Quoted(rec.fields[col[kDenominator]]) +
                     " must be greater than 0 (or empty for a missing point)");
          return;
        }
        if (has_counts && row.numerator > row.denominator) {
          errors.Add(where(kNumerator) + "numerator " + Quoted(rec.fields[col[kNumerator]]) +
                     " is larger than the denominator; expected a count among the denominator");
          return;
        }
        if (std::isnan(row.value) && has_counts) row.value = row.numerator / row.denominator;
        if (col[kRebase] >= 0) {
          const std::string_view r = csv::TrimSpaces(rec.fields[col[kRebase]]);
          if (r == "1") {
            row.rebase = true;
          } else if (!(r.empty() || r == "0")) {
            errors.Add(where(kRebase) + "rebase " + Quoted(r) +
                       " is not 0 or 1; write 1 on the first row of a new period, else 0 or "
                       "leave it empty");
            return;
          }
        }
        auto [it, inserted] = index.try_emplace(std::string(name), series.size());
        if (inserted) series.push_back({std::string(name), {}});
        series[it->second].rows.push_back(row);
      }));
  if (header_only && errors.empty()) {
    errors.Add(o.input +
               ":2:1: the file has a header but no rows; expected one row per series "
               "and date");
  }
  for (TrendSeries& s : series) {
    std::stable_sort(s.rows.begin(), s.rows.end(),
                     [](const TrendRow& a, const TrendRow& b) { return a.date < b.date; });
    for (size_t i = 1; i < s.rows.size(); ++i) {
      if (s.rows[i].date == s.rows[i - 1].date) {
        errors.Add(o.input + ":" + std::to_string(s.rows[i].line) + ":1: series " + Quoted(s.name) +
                   " has a second row for " + FormatIsoDate(s.rows[i].date) + " (first on line " +
                   std::to_string(s.rows[i - 1].line) + "); expected one row per series and date");
      }
    }
  }
  if (!errors.empty()) return InputErrors(errors);

  std::string out =
      "series,n,first_date,last_date,ols_slope_per_year,ols_lower95,ols_upper95,"
      "theil_sen_slope_per_year,theil_sen_lower95,theil_sen_upper95,step_previous_mean,"
      "step_latest_mean,step_difference,step_lower95,step_upper95,step_p_value,"
      "step_significant,trend_marker,trend_chi_squared,note\n";
  std::unique_ptr<OutputDirectory> plots;
  std::unique_ptr<chart::PdfBoardPack> pack;
  if (!o.plot_dir.empty()) {
    ASSIGN_OR_RETURN(plots, OutputDirectory::Create(o.plot_dir));
    ASSIGN_OR_RETURN(pack, chart::PdfBoardPack::Create(plots->StagingPath("charts.pdf")));
  }
  std::unordered_map<std::string, int> chart_names;
  std::vector<Date> dates;
  std::vector<double> values, a, b, c;
  std::vector<int32_t> starts;
  for (const TrendSeries& s : series) {
    dates.clear(), values.clear(), starts.clear();
    for (size_t i = 0; i < s.rows.size(); ++i) {
      dates.push_back(s.rows[i].date);
      values.push_back(s.rows[i].value);
      if (s.rows[i].rebase && i > 0) starts.push_back(static_cast<int32_t>(i));
    }
    oversight::TrendPoints points;
    points.dates = dates;
    points.values = values;
    points.period_starts = starts;
    if (has_counts) {
      a.clear(), b.clear();
      for (const TrendRow& r : s.rows) a.push_back(r.numerator), b.push_back(r.denominator);
      points.numerators = a;
      points.denominators = b;
    } else if (has_intervals) {
      b.clear(), c.clear();
      for (const TrendRow& r : s.rows) b.push_back(r.lower), c.push_back(r.upper);
      points.lower95 = b;
      points.upper95 = c;
    }
    const oversight::TrendReport report = oversight::TrendOfPoints(points);
    const Result<stats::TrendResult>& t = report.trend;
    RowWriter row(&out);
    row.Text(s.name);
    row.Int(t.ok() ? t->n : 0).Text(FormatIsoDate(dates.front())).Text(FormatIsoDate(dates.back()));
    if (t.ok()) {
      row.Number(t->ols.slope_per_year).Number(t->ols.lower95).Number(t->ols.upper95);
      row.Number(t->theil_sen.slope_per_year)
          .Number(t->theil_sen.lower95)
          .Number(t->theil_sen.upper95);
    } else {
      for (int k = 0; k < 6; ++k) row.Number(kNaN);
    }
    if (report.step.ok()) {
      const stats::StepChange& step = *report.step;
      row.Number(step.previous_mean)
          .Number(step.latest_mean)
          .Number(step.difference)
          .Number(step.lower95)
          .Number(step.upper95)
          .Number(step.p_value)
          .Bool(step.significant);
    } else {
      for (int k = 0; k < 6; ++k) row.Number(kNaN);
      row.Text("");
    }
    if (report.marker) {
      row.Text(stats::Name(report.marker->marker)).Number(report.marker->chi_squared);
    } else {
      row.Text("").Number(kNaN);
    }
    const std::string& note = report.note;
    row.Text(note).End();

    if (plots != nullptr) {
      // A run chart of the series: median, runs analysis, each recalculation as a part.
      stats::ControlChartOptions options;
      options.chart = stats::ChartType::kRun;
      options.part_starts = starts;
      stats::ControlChartResult result;
      if (stats::ComputeControlChart({.y = values}, options, &result).ok()) {
        chart::ControlChartInput in;
        in.title = s.name;
        if (t.ok()) {
          char buf[160];
          std::snprintf(buf, sizeof buf,
                        "Run chart \xC2\xB7 rate of change %.4g a year (95%% CI %.4g to %.4g)",
                        t->ols.slope_per_year, t->ols.lower95, t->ols.upper95);
          in.subtitle = buf;
        }
        in.chart = &result;
        in.dates = dates;
        RETURN_IF_ERROR(plots->Write(ChartFileName(s.name, &chart_names) + ".svg",
                                     chart::RenderControlChartSvg(in)));
        RETURN_IF_ERROR(pack->AddPage(in));
      }
    }
  }
  ASSIGN_OR_RETURN(std::unique_ptr<OutputFile> out_file, OutputFile::Create(o.output));
  RETURN_IF_ERROR(out_file->Write(out));
  if (pack != nullptr) RETURN_IF_ERROR(pack->Finish());
  RETURN_IF_ERROR(out_file->Commit());
  if (plots != nullptr) RETURN_IF_ERROR(plots->Commit());
  return Status::Ok();
}

// ---- the command line ---------------------------------------------------------------------------

namespace {

constexpr const char* kFunnelDescription =
    R"(Funnel plot: which units (trusts, wards, practices) are unusually high or low for their size?

INPUT.csv has a header row and one row per unit (rows of the same unit are added up):
  unit         the unit's name
  numerator    events (e.g. patients waiting over 4 hours; deaths; falls)
  denominator  cases (e.g. attendances) for proportions and rates, or the EXPECTED count for a
               standardised ratio (observed / expected, e.g. SHMI)
A unit is an outlier when its value is outside the funnel's limits at its size. By default the
limits are widened for overdispersion (real differences between units that are not due to
chance) when the data show it, as FunnelPlotR does.

Writes one row per unit to -o (value, its limits at 95% and 99.8%, outlier high/low or empty) and
one row to --summary (target, phi = dispersion ratio, tau2 = between-unit variance, whether the
limits were adjusted, counts of outliers).

Example:
  shewhart funnel breaches.csv -o units.csv --summary funnel.csv --type proportion --plot charts)";

constexpr const char* kCompareDescription =
    R"(Compare each unit with a benchmark, and see where it stands among the others.

INPUT.csv: unit,numerator,denominator as for `shewhart funnel` (rows of one unit are added up).
For each unit: its value with a confidence interval, whether it is better, the same as or worse
than the benchmark (the methods of PHE's Fingertips), its rank (1 = best), its quartile (1 = best
quarter), and how far it is from the best unit and from the top quarter.

Methods:
  wilson          proportion with a Wilson interval; same if the interval contains the benchmark
  byars           rate per --multiplier (default 100,000) with an exact (<10 events) or Byar's
                  interval; same if the interval contains the benchmark
  ratio           standardised ratio observed/expected (denominator = expected), exact/Byar's
  spc-proportion  Fingertips "SPC for proportions": control limits around the benchmark
  spc-dsr         Fingertips "SPC for DSR": Poisson control limits around the benchmark rate
The benchmark is --benchmark, else the whole data's value (total numerator / total denominator),
or 1 x multiplier for ratios. Without a polarity, units are only "higher"/"lower": the comparison
says same or none, and the gaps are empty.

Example:
  shewhart compare falls.csv -o compare.csv --method byars --multiplier 1000 --polarity low-is-good)";

constexpr const char* kTrendDescription =
    R"(Rate of improvement of each series: how fast is it changing, and is the latest change real?

INPUT.csv is long format as for `shewhart spc`: series, date (YYYY-MM-DD), value. Optional:
  numerator, denominator   counts; value may then be empty (it is numerator / denominator), and
                           the Fingertips recent-trend marker is computed on the latest 5 points
  lower95, upper95         a 95% interval per point, for the trend marker of other values
  rebase                   1 on the first row of a new period (e.g. after a change in practice)
For each series: the change per year by least squares and by the robust Theil-Sen slope, each
with a 95% confidence interval; with a rebase, whether the mean of the latest period differs
from the one before (Welch's t-test); and the trend marker (increasing / decreasing / no
significant change / cannot be calculated).

Example:
  shewhart trend monthly.csv -o trend.csv --plot charts)";

}  // namespace

void AddAnalysisCommands(CLI::App& app, CommandSet& commands) {
  auto funnel_options = std::make_shared<FunnelCommandOptions>();
  CLI::App* funnel = app.add_subcommand("funnel", kFunnelDescription);
  FunnelCommandOptions& f = *funnel_options;
  funnel->add_option("INPUT", f.input, "The CSV file: unit,numerator,denominator.")->required();
  funnel->add_option("-o,--output", f.output, "Where to write one row per unit.")->required();
  funnel->add_option("--summary", f.summary, "Where to write the funnel's summary row.")
      ->required();
  funnel->add_option("--type", f.type,
                     "proportion (numerator out of denominator), ratio (observed / expected; "
                     "default, as FunnelPlotR) or rate (events per unit of denominator, compared "
                     "with the pooled rate).");
  funnel->add_option("--sr-method", f.sr_method,
                     "For ratios: shmi (default; NHS Digital's SHMI method, log scale, 10% of "
                     "units trimmed from each end when estimating overdispersion) or cqc (the "
                     "Care Quality Commission's method, square-root scale, Winsorised).");
  funnel->add_option("--limit", f.limit,
                     "Which limits decide the outlier column: 95 or 99.8 (default; about 1 in "
                     "500 units would fall outside by chance alone).");
  funnel->add_option("--overdispersion", f.overdispersion,
                     "auto (default: widen the limits when the units vary more than chance "
                     "allows), on (always use the widened formula) or off (never).");
  funnel->add_option("--trim-by", f.trim_by,
                     "Fraction of units set aside at each end when estimating overdispersion "
                     "(default 0.1).");
  funnel->add_option("--multiplier", f.multiplier,
                     "Multiply values and limits, e.g. 100 for percentages (default 1).");
  funnel->add_flag("--phe", f.phe,
                   "Use Public Health England's funnel method instead (PHEindicatormethods: "
                   "inverse Wilson limits for proportions, exact/Byar's for ratios and rates; "
                   "no overdispersion adjustment).");
  funnel->add_option("--improvement", f.improvement,
                     "For the chart's colours: increase (high is good), decrease or neutral "
                     "(default).");
  funnel->add_option("--title", f.title, "The chart's title.");
  funnel->add_option("--plot", f.plot_dir,
                     "Also draw the funnel into this directory: funnel.svg and funnel.pdf.");
  commands.Bind(funnel, [funnel_options](std::string* notes) {
    return RunFunnelCommand(*funnel_options, notes);
  });

  auto compare_options = std::make_shared<CompareCommandOptions>();
  CompareCommandOptions& c = *compare_options;
  auto benchmark = std::make_shared<double>(kNaN);
  auto multiplier = std::make_shared<double>(kNaN);
  CLI::App* compare = app.add_subcommand("compare", kCompareDescription);
  compare->add_option("INPUT", c.input, "The CSV file: unit,numerator,denominator.")->required();
  compare->add_option("-o,--output", c.output, "Where to write one row per unit.")->required();
  compare->add_option("--summary", c.summary,
                      "Also write one summary row: benchmark, counts better/same/worse, best "
                      "value and quartiles.");
  compare->add_option("--method", c.method,
                      "wilson (default), byars, ratio, spc-proportion or spc-dsr (see above).");
  compare->add_option("--benchmark", *benchmark,
                      "The value to compare with, on the output's scale (e.g. 0.76, or 950 per "
                      "100,000).");
  compare->add_flag("--benchmark-from-data", c.benchmark_from_data,
                    "Compare with the whole data's value: total numerator / total denominator "
                    "(the default, except for ratios whose default benchmark is 1).");
  compare->add_option("--polarity", c.polarity,
                      "high-is-good, low-is-good or not-applicable (default): which side of the "
                      "benchmark is better, and which unit is best.");
  compare->add_option("--confidence", c.confidence, "95 (default) or 99.8.");
  compare->add_option("--multiplier", *multiplier,
                      "Scale of values: 1 for proportions and ratios (default), 100 for per "
                      "cent, 100000 for rates per 100,000 (default for byars and spc-dsr).");
  compare->add_option("--title", c.title, "The chart's title.");
  compare->add_option("--plot", c.plot_dir,
                      "Also draw the comparison into this directory: comparison.svg and "
                      "comparison.pdf (units ranked by value, with their intervals, coloured "
                      "better / similar / worse, and the benchmark line).");
  commands.Bind(compare, [compare_options, benchmark, multiplier](std::string* notes) {
    if (!std::isnan(*benchmark)) compare_options->benchmark = *benchmark;
    if (!std::isnan(*multiplier)) compare_options->multiplier = *multiplier;
    return RunCompareCommand(*compare_options, notes);
  });

  auto trend_options = std::make_shared<TrendCommandOptions>();
  TrendCommandOptions& t = *trend_options;
  CLI::App* trend = app.add_subcommand("trend", kTrendDescription);
  trend->add_option("INPUT", t.input, "The CSV file (long format, see above).")->required();
  trend->add_option("-o,--output", t.output, "Where to write one row per series.")->required();
  trend->add_option("--plot", t.plot_dir,
                    "Also draw a run chart of each series into this directory: one SVG per "
                    "series and charts.pdf.");
  commands.Bind(trend, [trend_options](std::string* notes) {
    return RunTrendCommand(*trend_options, notes);
  });
}

}  // namespace shewhart::app
