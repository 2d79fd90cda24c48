#include "oversight/spc_store.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "oversight/board.h"
#include "oversight/control_chart_series.h"
#include "oversight/series_events.h"
#include "oversight/spc_series.h"
#include "stats/periods.h"

namespace shewhart::oversight {
namespace {

#define SHEWHART_SPC_STORE_SCHEMA(FK)               \
  "CREATE TABLE spc_result (\n"                     \
  "  metric_id " FK                                 \
  " NOT NULL REFERENCES metric(id),\n"              \
  "  unit_id " FK                                   \
  " NOT NULL REFERENCES unit(id),\n"                \
  "  aggregate INTEGER NOT NULL,\n"                 \
  "  computed_at TEXT NOT NULL,\n"                  \
  "  n_points INTEGER NOT NULL,\n"                  \
  "  first_period TEXT NOT NULL,\n"                 \
  "  last_period TEXT NOT NULL,\n"                  \
  "  mean DOUBLE PRECISION,\n"                      \
  "  lpl DOUBLE PRECISION,\n"                       \
  "  upl DOUBLE PRECISION,\n"                       \
  "  target DOUBLE PRECISION,\n"                    \
  "  variation TEXT NOT NULL,\n"                    \
  "  assurance TEXT NOT NULL,\n"                    \
  "  frequency TEXT NOT NULL,\n"                    \
  "  n_improvement INTEGER NOT NULL,\n"             \
  "  n_concern INTEGER NOT NULL,\n"                 \
  "  periods TEXT NOT NULL,\n"                      \
  "  point_values TEXT NOT NULL,\n"                 \
  "  point_types TEXT NOT NULL,\n"                  \
  "  groups_json TEXT NOT NULL,\n"                  \
  "  warnings TEXT NOT NULL,\n"                     \
  "  PRIMARY KEY (metric_id, unit_id, aggregate)\n" \
  ");\n"                                            \
  "CREATE INDEX spc_result_unit ON spc_result(unit_id);\n"

constexpr db::Migration kMigrations[] = {
    {401, "oversight: stored SPC results", SHEWHART_SPC_STORE_SCHEMA("INTEGER"),
     SHEWHART_SPC_STORE_SCHEMA("BIGINT")},
    // The chart a result was computed with (the metric's chart type) and, for charts whose
    // limits vary from point to point (p, u), each point's centre line and limits.
    {403, "oversight: stored results follow the metric's chart type",
     "ALTER TABLE spc_result ADD COLUMN chart TEXT NOT NULL DEFAULT 'xmr';\n"
     "ALTER TABLE spc_result ADD COLUMN point_limits TEXT NOT NULL DEFAULT '';\n",
     ""},
    // Aggregates say how they are formed and who reported: per point "n/N", and the periods held
    // back as "YYYY-MM-DD n/N" (issue 16: no partial months drawn as the system's value).
    {404, "oversight: aggregates record who reported and what was held back",
     "ALTER TABLE spc_result ADD COLUMN aggregation TEXT NOT NULL DEFAULT '';\n"
     "ALTER TABLE spc_result ADD COLUMN reported TEXT NOT NULL DEFAULT '';\n"
     "ALTER TABLE spc_result ADD COLUMN held_back TEXT NOT NULL DEFAULT '';\n",
     ""},
};

constexpr std::string_view kSelectMetricObs =
    "SELECT unit_id, period, value, numerator, denominator FROM observation "
    "WHERE metric_id = ? ORDER BY unit_id, period";
constexpr std::string_view kSelectMetricRecalculations =
    "SELECT unit_id, aggregate, period, text FROM series_event "
    "WHERE metric_id = ? AND kind = 'recalculation' ORDER BY id";
constexpr std::string_view kSelectSeriesKeys =
    "SELECT DISTINCT metric_id, unit_id FROM observation ORDER BY metric_id, unit_id";
// Every column a recompute writes, in order: the upsert's parameters, a result row's values and
// the staging table's columns (PostgreSQL).
#define SHEWHART_RESULT_COLUMNS                                                                  \
  "metric_id, unit_id, aggregate, computed_at, n_points, first_period, last_period, mean, lpl, " \
  "upl, target, variation, assurance, frequency, n_improvement, n_concern, periods, "            \
  "point_values, point_types, groups_json, warnings, chart, point_limits, aggregation, "         \
  "reported, held_back"
#define SHEWHART_RESULT_UPDATE                                                                  \
  "ON CONFLICT (metric_id, unit_id, aggregate) DO UPDATE SET "                                  \
  "computed_at = excluded.computed_at, n_points = excluded.n_points, "                          \
  "first_period = excluded.first_period, last_period = excluded.last_period, "                  \
  "mean = excluded.mean, lpl = excluded.lpl, upl = excluded.upl, target = excluded.target, "    \
  "variation = excluded.variation, assurance = excluded.assurance, "                            \
  "frequency = excluded.frequency, n_improvement = excluded.n_improvement, "                    \
  "n_concern = excluded.n_concern, periods = excluded.periods, "                                \
  "point_values = excluded.point_values, point_types = excluded.point_types, "                  \
  "groups_json = excluded.groups_json, warnings = excluded.warnings, chart = excluded.chart, "  \
  "point_limits = excluded.point_limits, aggregation = excluded.aggregation, "                  \
  "reported = excluded.reported, held_back = excluded.held_back"
constexpr size_t kResultColumns = 26;
constexpr std::string_view kUpsertRow =
    "INSERT INTO spc_result (" SHEWHART_RESULT_COLUMNS
    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    SHEWHART_RESULT_UPDATE;
constexpr std::string_view kResultColumnNames[kResultColumns] = {
    "metric_id",     "unit_id",      "aggregate",   "computed_at", "n_points",    "first_period",
    "last_period",   "mean",         "lpl",         "upl",         "target",      "variation",
    "assurance",     "frequency",    "n_improvement", "n_concern", "periods",     "point_values",
    "point_types",   "groups_json",  "warnings",    "chart",       "point_limits", "aggregation",
    "reported",      "held_back"};
// PostgreSQL, from this many rows: COPY into a session's staging table, then one merge.
constexpr size_t kStagedResultsFrom = 64;
constexpr std::string_view kCreateResultStaging =
    "CREATE TEMP TABLE IF NOT EXISTS spc_result_staging (metric_id BIGINT, unit_id BIGINT, "
    "aggregate INTEGER, computed_at TEXT, n_points INTEGER, first_period TEXT, last_period TEXT, "
    "mean DOUBLE PRECISION, lpl DOUBLE PRECISION, upl DOUBLE PRECISION, target DOUBLE PRECISION, "
    "variation TEXT, assurance TEXT, frequency TEXT, n_improvement INTEGER, n_concern INTEGER, "
    "periods TEXT, point_values TEXT, point_types TEXT, groups_json TEXT, warnings TEXT, "
    "chart TEXT, point_limits TEXT, aggregation TEXT, reported TEXT, held_back TEXT)";
constexpr std::string_view kClearResultStaging = "DELETE FROM spc_result_staging";
constexpr std::string_view kMergeResultStaging =
    "INSERT INTO spc_result (" SHEWHART_RESULT_COLUMNS ") SELECT " SHEWHART_RESULT_COLUMNS
    " FROM spc_result_staging ORDER BY metric_id, unit_id, aggregate " SHEWHART_RESULT_UPDATE;
#undef SHEWHART_RESULT_COLUMNS
#undef SHEWHART_RESULT_UPDATE
constexpr std::string_view kSelectResult =
    "SELECT computed_at, n_points, first_period, last_period, mean, lpl, upl, target, variation, "
    "assurance, frequency, n_improvement, n_concern, periods, point_values, point_types, "
    "groups_json, warnings, chart, point_limits, aggregation, reported, held_back FROM spc_result "
    "WHERE metric_id = ? AND unit_id = ? AND aggregate = ?";
constexpr std::string_view kDeleteResult =
    "DELETE FROM spc_result WHERE metric_id = ? AND unit_id = ? AND aggregate = ?";
constexpr std::string_view kSelectMetricUnits =
    "SELECT DISTINCT unit_id FROM observation WHERE metric_id = ?";

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// An organisation silent this many months before a period is no longer expected to report it.
constexpr int kLapseMonths = 6;

// The first day of the month `months` after the month of `d`.
Date AddMonths(Date d, int months) {
  const CivilDate c = CivilFromDays(d);
  const int32_t total = c.year * 12 + (c.month - 1) + months;
  return DaysFromCivil(total / 12, total % 12 + 1, 1);
}

std::string Num(double v) {
  if (!std::isfinite(v)) return "";
  char buf[64];
  const auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  (void)ec;
  return std::string(buf, p);
}
std::string JsonNum(double v) {
  const std::string s = Num(v);
  return s.empty() ? "null" : s;
}
std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}
db::Value OptNum(double v) { return std::isfinite(v) ? db::Value(v) : db::Value(); }

stats::PointType TypeOfLetter(char c) {
  switch (c) {
    case 'i':
      return stats::PointType::kImprovement;
    case 'x':
      return stats::PointType::kConcern;
    case 'h':
      return stats::PointType::kNeutralHigh;
    case 'l':
      return stats::PointType::kNeutralLow;
    default:
      return stats::PointType::kCommonCause;
  }
}

// "a,b,,c" -> {"a", "b", "", "c"}; "" -> {}.
std::vector<std::string_view> SplitCommas(std::string_view text) {
  std::vector<std::string_view> out;
  if (text.empty()) return out;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(',', start);
    out.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

double NumberOr(const nlohmann::json& j, const char* key, double otherwise) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : otherwise;
}

stats::Direction DirectionOf(std::string_view d) {
  if (d == "increase") return stats::Direction::kIncrease;
  if (d == "decrease") return stats::Direction::kDecrease;
  return stats::Direction::kNeutral;
}

struct SeriesData {
  std::vector<Date> dates;
  std::vector<double> values;
  std::vector<double> numerators;  // one per date for ratio measures (NaN: missing), else empty
  std::vector<double> denominators;
};

// The qicharts2 chart a metric's chart type asks for, when the data can feed it; nullopt: XmR.
std::optional<stats::ChartType> ControlChartFor(const dictionary::MetricVersion& v,
                                                const SeriesData& data) {
  const bool counts = v.has_ratio() && data.numerators.size() == data.dates.size();
  if (v.chart_type == "p" && counts && v.measure == "proportion") return stats::ChartType::kP;
  if (v.chart_type == "u" && counts) return stats::ChartType::kU;
  if (v.chart_type == "c" && !v.has_ratio()) return stats::ChartType::kC;
  if (v.chart_type == "run") return stats::ChartType::kRun;
  return std::nullopt;
}

// One stored result: the values of kResultColumnNames, in order.
using ResultRow = std::vector<db::Value>;

// A series analysed by a control chart, as a row with the same columns as an XmR result: the
// parts are the groups (their average centre line and limits, as qicharts2's summary), each
// point's own centre line and limits are in point_limits. When the chart cannot be drawn from
// the data, leaves *row empty and says why in *not_drawn.
void ComputeControlChart(const dictionary::MetricVersion& latest, stats::ChartType chart,
                         const SeriesKey& key, const SeriesData& data,
                         std::span<const Recalculation> recalcs, double target, std::string_view at,
                         ResultRow* row, std::string* not_drawn) {
  ControlChartSeriesInput in;
  in.dates = data.dates;
  const bool counts = chart == stats::ChartType::kP || chart == stats::ChartType::kU;
  in.values =
      counts ? std::span<const double>(data.numerators) : std::span<const double>(data.values);
  if (counts) in.denominators = data.denominators;
  in.recalculations = recalcs;
  in.settings.chart = chart;
  in.settings.multiply = counts ? latest.multiplier : 1;
  const stats::Direction direction = DirectionOf(latest.improvement_direction);
  in.improvement = direction;
  ControlChartSeries out;
  if (const Status s = AnalyseControlChartSeries(in, &out); !s.ok()) {
    *not_drawn = s.message();  // no row: the caller falls back to XmR
    return;
  }
  std::string periods, values, types, limits;
  int64_t n_improvement = 0, n_concern = 0;
  for (size_t i = 0; i < out.result.points.size(); ++i) {
    const stats::ControlChartPoint& p = out.result.points[i];
    if (i > 0) {
      periods += ',';
      values += ',';
      limits += ',';
    }
    periods += FormatIsoDate(out.dates[i]);
    values += Num(p.y);
    limits += Num(p.cl) + ' ' + Num(p.lcl) + ' ' + Num(p.ucl);
    const stats::PointType t = out.labels.point_type[i];
    types += PointTypeLetter(t);
    n_improvement += t == stats::PointType::kImprovement;
    n_concern += t == stats::PointType::kConcern;
  }
  std::vector<StoredGroup> groups;
  for (size_t g = 0; g < out.result.parts.size(); ++g) {
    const stats::ControlChartPart& part = out.result.parts[g];
    std::string reason;
    for (const Recalculation& r : recalcs) {
      if (g > 0 && r.date == out.dates[part.begin]) {
        reason = r.reason;
        break;
      }
    }
    groups.push_back(
        {part.begin, part.end, part.mean_cl, part.mean_lcl, part.mean_ucl, false, reason});
  }
  std::string warnings;
  for (const std::string& w : out.warnings) warnings += w + "\n";
  const bool have = !groups.empty();
  const StoredGroup last = have ? groups.back() : StoredGroup{};
  const stats::Assurance assurance =
      have ? stats::AssuranceOf(target, last.lpl, last.upl, direction) : stats::Assurance::kNone;
  const stats::Frequency frequency =
      out.dates.size() >= 2 ? stats::InferFrequency(out.dates) : stats::Frequency::kUnknown;
  *row = ResultRow{key.metric_id,
                                key.unit_id,
                                key.aggregate ? 1 : 0,
                                at,
                                static_cast<int64_t>(out.dates.size()),
                                FormatIsoDate(out.dates.front()),
                                FormatIsoDate(out.dates.back()),
                                have ? OptNum(last.mean) : db::Value(),
                                have ? OptNum(last.lpl) : db::Value(),
                                have ? OptNum(last.upl) : db::Value(),
                                OptNum(target),
                                std::string(stats::Name(out.labels.variation)),
                                std::string(stats::Name(assurance)),
                                std::string(stats::Name(frequency)),
                                n_improvement,
                                n_concern,
                                periods,
                                values,
                                types,
                                GroupsJson(groups),
                                warnings,
                                std::string(stats::Name(chart)),
                                limits,
                                std::string(),
                                std::string(),
                                std::string()};
}

// Recalculations recorded for the series of one metric (series_event), by series.
using RecalculationsBySeries = std::map<std::pair<int64_t, bool>, std::vector<Recalculation>>;

// Analyses one series into its row (kResultColumnNames; the aggregate's coverage columns empty).
// `recorded` are the recalculations people recorded for it, applied after the definition changes
// (at the same period, the definition's reason wins). No row when there are no data.
// Thread-safe: reads only its arguments.
ResultRow ComputeSeries(const dictionary::Metric& metric, const SeriesKey& key,
                        const SeriesData& data, std::span<const Recalculation> recorded,
                        std::string_view at) {
  if (data.dates.empty()) return {};
  const dictionary::MetricVersion& latest = metric.Latest();
  std::vector<Recalculation> recalcs;
  for (const dictionary::MetricVersion& v : metric.versions) {
    if (v.applies_from && *v.applies_from > data.dates.front() &&
        *v.applies_from <= data.dates.back()) {
      // Rebase at the first period on or after the version's start.
      const auto it = std::lower_bound(data.dates.begin(), data.dates.end(), *v.applies_from);
      recalcs.push_back({*it, "definition changed (version " + std::to_string(v.version) + ")"});
    }
  }
  recalcs.insert(recalcs.end(), recorded.begin(), recorded.end());
  SpcSeriesInput in;
  in.dates = data.dates;
  in.values = data.values;
  in.recalculations = recalcs;
  in.options.improvement = DirectionOf(latest.improvement_direction);
  double target = kNaN;
  if (latest.target && (!latest.target_from || *latest.target_from <= data.dates.back())) {
    target = *latest.target;
  }
  in.target = target;
  // The metric's chart type decides the chart; XmR unless it names another the data can feed.
  std::string not_drawn;
  if (const std::optional<stats::ChartType> chart = ControlChartFor(latest, data)) {
    ResultRow row;
    ComputeControlChart(latest, *chart, key, data, recalcs, target, at, &row, &not_drawn);
    if (not_drawn.empty()) return row;
  }
  SpcSeriesResult out;
  AnalyseSpcSeries(in, &out);
  if (!not_drawn.empty()) {
    out.warnings.push_back("shown as an XmR chart (" + not_drawn + ")");
  }

  std::string periods, values, types;
  int64_t n_improvement = 0, n_concern = 0;
  for (size_t i = 0; i < data.dates.size(); ++i) {
    if (i > 0) {
      periods += ',';
      values += ',';
    }
    periods += FormatIsoDate(data.dates[i]);
    values += Num(data.values[i]);
    const stats::PointType t =
        i < out.xmr.point_type.size() ? out.xmr.point_type[i] : stats::PointType::kCommonCause;
    types += PointTypeLetter(t);
    n_improvement += t == stats::PointType::kImprovement;
    n_concern += t == stats::PointType::kConcern;
  }
  // A count, proportion or rate cannot fall below zero: its lower limit is shown floored at 0,
  // as qicharts2 does for non-negative data (y.neg = FALSE; its c, u and p charts always). No
  // point or assurance changes: no value is below 0, and a limit of 0 is never crossed.
  const bool floor_at_zero =
      (latest.has_ratio() || AggregationOf(latest) == "sum") &&
      std::none_of(data.values.begin(), data.values.end(), [](double v) { return v < 0; });
  for (stats::XmrGroup& gr : out.xmr.groups) {
    if (floor_at_zero && gr.lpl < 0) gr.lpl = 0;
  }
  std::vector<StoredGroup> stored_groups;
  for (size_t g = 0; g < out.xmr.groups.size(); ++g) {
    const stats::XmrGroup& gr = out.xmr.groups[g];
    stored_groups.push_back({gr.begin, gr.end, gr.mean, gr.lpl, gr.upl, gr.short_group,
                             g > 0 && g - 1 < out.recalculations.size()
                                 ? out.recalculations[g - 1].reason
                                 : std::string()});
  }
  const std::string groups = GroupsJson(stored_groups);
  std::string warnings;
  for (const std::string& w : out.warnings) warnings += w + "\n";
  const stats::XmrGroup last = out.xmr.groups.empty() ? stats::XmrGroup{} : out.xmr.groups.back();
  const bool have = !out.xmr.groups.empty();
  return ResultRow{key.metric_id,
                                key.unit_id,
                                key.aggregate ? 1 : 0,
                                at,
                                static_cast<int64_t>(data.dates.size()),
                                FormatIsoDate(data.dates.front()),
                                FormatIsoDate(data.dates.back()),
                                have ? OptNum(last.mean) : db::Value(),
                                have ? OptNum(last.lpl) : db::Value(),
                                have ? OptNum(last.upl) : db::Value(),
                                OptNum(target),
                                std::string(stats::Name(out.xmr.variation)),
                                std::string(stats::Name(out.xmr.assurance)),
                                std::string(stats::Name(out.frequency)),
                                n_improvement,
                                n_concern,
                                periods,
                                values,
                                types,
                                groups,
                                warnings,
                                std::string("xmr"),
                                std::string(),
                                std::string(),
                                std::string(),
                                std::string()};
}

struct Accumulator {
  double num = 0, den = 0, sum = 0;
  int64_t n = 0;
};

// "a/b" -> {a, b}; {0, 0} when unreadable.
std::pair<int32_t, int32_t> ParseFraction(std::string_view text) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return {0, 0};
  int32_t a = 0, b = 0;
  std::from_chars(text.data(), text.data() + slash, a);
  std::from_chars(text.data() + slash + 1, text.data() + text.size(), b);
  return {a, b};
}

bool Contains(std::string_view text, std::string_view word) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find(word) != std::string::npos;
}

// Calls fn(i) for every i in [0, n), spread over the machine's cores (at most 4 threads, and
// only for enough work to pay for them); returns when every call has returned.
void ParallelFor(size_t n, const std::function<void(size_t)>& fn) {
  constexpr size_t kPerThread = 64;  // series per thread at least
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const size_t threads = std::min({cores, size_t{4}, (n + kPerThread - 1) / kPerThread});
  if (threads <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  auto work = [&] {
    constexpr size_t kBatch = 32;
    for (size_t begin; (begin = next.fetch_add(kBatch)) < n;) {
      for (size_t i = begin; i < std::min(n, begin + kBatch); ++i) fn(i);
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
}

// Writes result rows (kResultColumnNames), replacing the stored ones: on PostgreSQL, many rows
// go by COPY into a staging table and one merge; otherwise (and on SQLite) one prepared upsert
// reused for every row. Inside the caller's transaction.
Status WriteResults(db::Connection& conn, std::span<const ResultRow> rows) {
  if (rows.empty()) return Status::Ok();
  if (conn.dialect() == db::Dialect::kPostgres && rows.size() >= kStagedResultsFrom) {
    RETURN_IF_ERROR(conn.Execute(kCreateResultStaging));
    RETURN_IF_ERROR(conn.Execute(kClearResultStaging));
    RETURN_IF_ERROR(conn.BulkInsert("spc_result_staging", kResultColumnNames, rows));
    RETURN_IF_ERROR(conn.Execute(kMergeResultStaging));
    return conn.Execute(kClearResultStaging);
  }
  return conn.ExecuteMany(kUpsertRow, rows);
}

// Recomputes, for one metric, the units in `units` and the aggregates for `roots`.
Status RecomputeMetric(db::Connection& conn, const directory::Directory& dir,
                       const dictionary::Metric& metric, const std::set<int64_t>& units,
                       const std::set<int64_t>& roots, std::string_view at,
                       const AggregatePolicy& policy, RecomputeStats* stats) {
  // Observations of the metric, grouped per unit (query order: unit, period).
  std::unordered_map<int64_t, SeriesData> own;
  std::map<int64_t, std::map<Date, Accumulator>> agg;  // root -> period -> sums
  // Which roots each organisation unit counts towards (memoised).
  std::unordered_map<int64_t, std::vector<int64_t>> roots_of;
  // root -> organisation -> the first and last periods it reported (query order: unit, period).
  std::map<int64_t, std::unordered_map<int64_t, std::pair<Date, Date>>> seen_in;
  const bool ratio = metric.Latest().has_ratio();
  const std::string_view aggregation = AggregationOf(metric.Latest());
  RecalculationsBySeries recorded;
  RETURN_IF_ERROR(conn.Query(kSelectMetricRecalculations, {metric.id}, [&](const db::Row& r) {
    const std::optional<Date> period = ParseIsoDate(r.Text(2));
    if (period) recorded[{r.Int(0), r.Int(1) != 0}].push_back({*period, r.Text(3)});
    return db::Flow::kContinue;
  }));
  auto recorded_for = [&](const SeriesKey& key) -> std::span<const Recalculation> {
    const auto it = recorded.find({key.unit_id, key.aggregate});
    if (it == recorded.end()) return {};
    return it->second;
  };
  RETURN_IF_ERROR(conn.Query(kSelectMetricObs, {metric.id}, [&](const db::Row& r) {
    const int64_t unit = r.Int(0);
    const std::optional<Date> period = ParseIsoDate(r.Text(1));
    if (!period) return db::Flow::kContinue;
    const std::optional<double> value = r.OptionalDouble(2);
    if (units.count(unit)) {
      SeriesData& s = own[unit];
      s.dates.push_back(*period);
      s.values.push_back(value.value_or(kNaN));
      if (ratio) {
        s.numerators.push_back(r.OptionalDouble(3).value_or(kNaN));
        s.denominators.push_back(r.OptionalDouble(4).value_or(kNaN));
      }
    }
    if (roots.empty()) return db::Flow::kContinue;
    auto it = roots_of.find(unit);
    if (it == roots_of.end()) {
      std::vector<int64_t> rs;
      const directory::Unit* u = dir.FindById(unit);
      if (u != nullptr && directory::IsOrganisationKind(u->kind)) {
        for (const int64_t root : dir.AggregateRoots(unit)) {
          if (roots.count(root)) rs.push_back(root);
        }
      }
      it = roots_of.emplace(unit, std::move(rs)).first;
    }
    for (const int64_t root : it->second) {
      auto [span, fresh] = seen_in[root].try_emplace(unit, *period, *period);
      if (!fresh) span->second.second = *period;
      Accumulator& a = agg[root][*period];
      if (ratio) {
        const std::optional<double> num = r.OptionalDouble(3), den = r.OptionalDouble(4);
        if (num && den) {
          a.num += *num;
          a.den += *den;
          ++a.n;
        }
      } else if (value) {
        a.sum += *value;
        ++a.n;
      }
    }
    return db::Flow::kContinue;
  }));
  // The series to analyse: the units' own, then the aggregates (their data formed here).
  struct Job {
    SeriesKey key;
    const SeriesData* data;
    std::string reported, held_back;  // aggregates
  };
  std::vector<Job> jobs;
  jobs.reserve(units.size() + agg.size());
  for (const int64_t unit : units) {
    const auto it = own.find(unit);
    if (it == own.end()) continue;
    jobs.push_back({{metric.id, unit, false}, &it->second, {}, {}});
  }
  std::vector<SeriesData> agg_data(agg.size());  // sized once: jobs point into it
  std::vector<db::Value> deleted;                // roots whose aggregate is removed
  size_t next_agg = 0;
  for (const auto& [root, periods] : agg) {
    SeriesData& s = agg_data[next_agg++];
    std::string reported, held_back;
    const auto& seen = seen_in[root];
    for (const auto& [period, a] : periods) {
      // Expected: the organisations that had reported by this period, are not closed, and have
      // not lapsed (an organisation silent for more than kLapseMonths before the period has
      // stopped reporting; one a few months behind is late, and its absence holds the period).
      int64_t expected = 0;
      for (const auto& [unit, first_last] : seen) {
        const auto [first, last] = first_last;
        if (first > period || AddMonths(last, kLapseMonths) < period) continue;
        const directory::Unit* u = dir.FindById(unit);
        if (u != nullptr && !u->closed.empty()) {
          const std::optional<Date> closed = ParseIsoDate(u->closed);
          if (closed && *closed <= period) continue;
        }
        ++expected;
      }
      expected = std::max(expected, a.n);
      const std::string fraction = std::to_string(a.n) + "/" + std::to_string(expected);
      const bool enough =
          a.n > 0 &&
          (aggregation == "sum" ? a.n >= expected
                                : static_cast<double>(a.n) >= policy.min_share * expected - 1e-9);
      if (!enough) {
        held_back += (held_back.empty() ? "" : ",") + FormatIsoDate(period) + " " + fraction;
        continue;
      }
      reported += (reported.empty() ? "" : ",") + fraction;
      s.dates.push_back(period);
      if (ratio) {
        // The multiplier of the version in force for the period.
        const double mult = metric.VersionFor(period).multiplier;
        s.values.push_back(a.den > 0 ? mult * a.num / a.den : kNaN);
        s.numerators.push_back(a.num);
        s.denominators.push_back(a.den > 0 ? a.den : kNaN);
      } else if (aggregation == "sum") {
        s.values.push_back(a.sum);
      } else {
        s.values.push_back(a.sum / static_cast<double>(a.n));
      }
    }
    if (s.dates.empty()) {
      // Nothing complete enough to show: no stored aggregate (an older one would mislead).
      deleted.push_back(root);
      continue;
    }
    jobs.push_back({{metric.id, root, true}, &s, std::move(reported), std::move(held_back)});
  }

  // Analyse (in parallel: each series reads only its own data), then write every row at once.
  std::vector<ResultRow> rows(jobs.size());
  ParallelFor(jobs.size(), [&](size_t i) {
    const Job& job = jobs[i];
    rows[i] = ComputeSeries(metric, job.key, *job.data, recorded_for(job.key), at);
    if (job.key.aggregate && rows[i].size() == kResultColumns) {
      rows[i][23] = std::string(aggregation);
      rows[i][24] = job.reported;
      rows[i][25] = job.held_back;
    }
  });
  for (const db::Value& root : deleted) {
    RETURN_IF_ERROR(conn.Execute(kDeleteResult, {metric.id, root, 1}));
  }
  std::erase_if(rows, [](const ResultRow& r) { return r.empty(); });
  RETURN_IF_ERROR(WriteResults(conn, rows));
  for (const Job& job : jobs) {
    ++(job.key.aggregate ? stats->aggregates : stats->series);
    stats->touched.push_back(job.key);
  }
  return Status::Ok();
}

}  // namespace

std::span<const db::Migration> Migrations() {
  // This part's tables: the stored results (here), the series events (series_events.cc, which
  // writes them) and the board's concern rank (board.cc), in version order.
  static const std::vector<db::Migration> all = [] {
    std::vector<db::Migration> v(std::begin(kMigrations), std::end(kMigrations));
    const std::span<const db::Migration> events = SeriesEventMigrations();
    v.insert(v.end(), events.begin(), events.end());
    const std::span<const db::Migration> board = BoardMigrations();
    v.insert(v.end(), board.begin(), board.end());
    std::sort(v.begin(), v.end(),
              [](const db::Migration& a, const db::Migration& b) { return a.version < b.version; });
    return v;
  }();
  return all;
}

char PointTypeLetter(stats::PointType t) {
  switch (t) {
    case stats::PointType::kCommonCause:
      return 'c';
    case stats::PointType::kImprovement:
      return 'i';
    case stats::PointType::kConcern:
      return 'x';
    case stats::PointType::kNeutralHigh:
      return 'h';
    case stats::PointType::kNeutralLow:
      return 'l';
  }
  return 'c';
}

std::string GroupsJson(std::span<const StoredGroup> groups) {
  std::string out = "[";
  for (size_t g = 0; g < groups.size(); ++g) {
    const StoredGroup& gr = groups[g];
    if (g > 0) out += ',';
    out += "{\"begin\":" + std::to_string(gr.begin) + ",\"end\":" + std::to_string(gr.end) +
           ",\"mean\":" + JsonNum(gr.mean) + ",\"lpl\":" + JsonNum(gr.lpl) +
           ",\"upl\":" + JsonNum(gr.upl) + ",\"short\":" + (gr.short_group ? "true" : "false");
    if (g > 0) out += ",\"reason\":" + JsonString(gr.reason);
    out += '}';
  }
  return out + ']';
}

const AggregatePolicy& DefaultAggregatePolicy() {
  static const AggregatePolicy policy = [] {
    AggregatePolicy p;
    if (const char* env = std::getenv("SHEWHART_AGGREGATE_MIN_SHARE")) {
      char* end = nullptr;
      const double v = std::strtod(env, &end);
      if (end != env && *end == '\0' && v > 0 && v <= 1) p.min_share = v;
    }
    return p;
  }();
  return policy;
}

std::string_view AggregationOf(const dictionary::MetricVersion& v) {
  if (v.has_ratio()) return "pooled";
  for (const std::string_view level :
       {"ratio", "minute", "hour", "day", "week", "score", "index", "year", "%", "per "}) {
    if (Contains(v.unit, level)) return "mean";
  }
  for (const std::string_view level : {"mean", "average", "ratio", "rate", "median"}) {
    if (Contains(v.definition.substr(0, 40), level) || Contains(v.name.substr(0, 40), level)) {
      return "mean";
    }
  }
  return "sum";
}

dictionary::Metric GoverningDefinition(const dictionary::Metric& metric) {
  dictionary::Metric out;
  out.id = metric.id;
  out.code = metric.code;
  for (const dictionary::MetricVersion& v : metric.versions) {
    if (v.status != "draft") out.versions.push_back(v);
  }
  if (out.versions.empty()) out.versions = metric.versions;
  return out;
}

Result<RecomputeStats> RecomputeMetricSpc(db::Connection& conn, const directory::Directory& dir,
                                          const dictionary::Dictionary& dict, int64_t metric_id,
                                          std::string_view at) {
  if (dict.FindById(metric_id) == nullptr) {
    return NotFoundError("there is no metric with id " + std::to_string(metric_id));
  }
  std::vector<SeriesKey> keys;
  RETURN_IF_ERROR(conn.Query(kSelectMetricUnits, {metric_id}, [&](const db::Row& r) {
    keys.push_back({metric_id, r.Int(0), false});
    return db::Flow::kContinue;
  }));
  return RecomputeSpc(conn, dir, dict, keys, at);
}

Result<RecomputeStats> RecomputeSpc(db::Connection& conn, const directory::Directory& dir,
                                    const dictionary::Dictionary& dict,
                                    std::span<const SeriesKey> affected, std::string_view at,
                                    const AggregatePolicy& policy) {
  // Per metric: the units whose own series to recompute, and the aggregate roots named directly.
  std::map<int64_t, std::pair<std::set<int64_t>, std::set<int64_t>>> by_metric;
  for (const SeriesKey& k : affected) {
    auto& [units, roots] = by_metric[k.metric_id];
    (k.aggregate ? roots : units).insert(k.unit_id);
  }
  RecomputeStats stats;
  for (auto& [metric_id, units_and_roots] : by_metric) {
    const std::set<int64_t>& units = units_and_roots.first;
    std::set<int64_t>& roots = units_and_roots.second;
    const dictionary::Metric* loaded = dict.FindById(metric_id);
    if (loaded == nullptr || loaded->versions.empty()) {
      return InternalError("recompute: metric " + std::to_string(metric_id) + " is not loaded");
    }
    const dictionary::Metric governing = GoverningDefinition(*loaded);
    const dictionary::Metric* metric = &governing;
    for (const int64_t u : units) {
      const directory::Unit* unit = dir.FindById(u);
      if (unit == nullptr || !directory::IsOrganisationKind(unit->kind)) continue;
      for (const int64_t r : dir.AggregateRoots(u)) roots.insert(r);
    }
    RETURN_IF_ERROR(RecomputeMetric(conn, dir, *metric, units, roots, at, policy, &stats));
  }
  std::sort(stats.touched.begin(), stats.touched.end());
  return stats;
}

Result<RecomputeStats> RecomputeAllSpc(db::Connection& conn, const directory::Directory& dir,
                                       const dictionary::Dictionary& dict, std::string_view at) {
  std::vector<SeriesKey> keys;
  RETURN_IF_ERROR(conn.Query(kSelectSeriesKeys, {}, [&](const db::Row& r) {
    keys.push_back({r.Int(0), r.Int(1), false});
    return db::Flow::kContinue;
  }));
  return RecomputeSpc(conn, dir, dict, keys, at);
}

Result<std::optional<StoredSpcResult>> LoadSpcResult(db::Connection& conn, const SeriesKey& key) {
  ASSIGN_OR_RETURN(
      std::optional<db::Row> row,
      conn.QueryRow(kSelectResult, {key.metric_id, key.unit_id, key.aggregate ? 1 : 0}));
  if (!row) return std::optional<StoredSpcResult>();
  const db::Row& r = *row;
  StoredSpcResult s;
  s.key = key;
  s.computed_at = r.Text(0);
  s.n_points = r.Int(1);
  s.first_period = r.Text(2);
  s.last_period = r.Text(3);
  s.mean = r.OptionalDouble(4).value_or(kNaN);
  s.lpl = r.OptionalDouble(5).value_or(kNaN);
  s.upl = r.OptionalDouble(6).value_or(kNaN);
  s.target = r.OptionalDouble(7);
  s.variation = r.Text(8);
  s.assurance = r.Text(9);
  s.frequency = r.Text(10);
  s.n_improvement = r.Int(11);
  s.n_concern = r.Int(12);
  // The one decoder of the stored text (written by StoreSeries above).
  const std::string periods = r.Text(13), values = r.Text(14), types = r.Text(15);
  const std::vector<std::string_view> period_cells = SplitCommas(periods);
  const std::vector<std::string_view> value_cells = SplitCommas(values);
  s.points.reserve(period_cells.size());
  for (size_t i = 0; i < period_cells.size(); ++i) {
    StoredPoint p;
    p.period = ParseIsoDate(period_cells[i]).value_or(0);
    p.value = kNaN;
    if (i < value_cells.size() && !value_cells[i].empty()) {
      std::from_chars(value_cells[i].data(), value_cells[i].data() + value_cells[i].size(),
                      p.value);
    }
    p.type = i < types.size() ? TypeOfLetter(types[i]) : stats::PointType::kCommonCause;
    s.points.push_back(p);
  }
  const nlohmann::json groups = nlohmann::json::parse(r.Text(16), nullptr, false);
  if (groups.is_array()) {
    for (const nlohmann::json& g : groups) {
      if (!g.is_object()) continue;
      StoredGroup gr;
      gr.begin = static_cast<int32_t>(NumberOr(g, "begin", 0));
      gr.end = static_cast<int32_t>(NumberOr(g, "end", 0));
      gr.mean = NumberOr(g, "mean", kNaN);
      gr.lpl = NumberOr(g, "lpl", kNaN);
      gr.upl = NumberOr(g, "upl", kNaN);
      const auto short_group = g.find("short");
      gr.short_group =
          short_group != g.end() && short_group->is_boolean() && short_group->get<bool>();
      const auto reason = g.find("reason");
      if (reason != g.end() && reason->is_string()) gr.reason = reason->get<std::string>();
      s.groups.push_back(std::move(gr));
    }
  }
  s.chart = r.Text(18);
  const std::vector<std::string_view> limit_cells = SplitCommas(r.Text(19));
  for (size_t i = 0; i < limit_cells.size() && i < s.points.size(); ++i) {
    // "cl lcl ucl", each empty when there is none.
    std::string_view cell = limit_cells[i];
    double* out[3] = {&s.points[i].cl, &s.points[i].lcl, &s.points[i].ucl};
    for (double* v : out) {
      const size_t space = cell.find(' ');
      const std::string_view word = cell.substr(0, space);
      if (!word.empty()) std::from_chars(word.data(), word.data() + word.size(), *v);
      cell = space == std::string_view::npos ? std::string_view() : cell.substr(space + 1);
    }
  }
  s.aggregation = r.Text(20);
  for (const std::string_view cell : SplitCommas(r.Text(21))) {
    const auto [n, of] = ParseFraction(cell);
    s.reported.push_back(n);
    s.expected.push_back(of);
  }
  for (const std::string_view cell : SplitCommas(r.Text(22))) {
    const size_t space = cell.find(' ');
    const std::optional<Date> period = ParseIsoDate(cell.substr(0, space));
    if (!period || space == std::string_view::npos) continue;
    const auto [n, of] = ParseFraction(cell.substr(space + 1));
    s.held_back.push_back({*period, n, of});
  }
  const std::string warnings = r.Text(17);
  for (size_t start = 0; start < warnings.size();) {
    size_t end = warnings.find('\n', start);
    if (end == std::string::npos) end = warnings.size();
    if (end > start) s.warnings.push_back(warnings.substr(start, end - start));
    start = end + 1;
  }
  return std::optional<StoredSpcResult>(std::move(s));
}

}  // namespace shewhart::oversight
