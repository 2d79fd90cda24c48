// Analysis kept current: stored SPC results, recomputed after every import for exactly the
// series it touched, so dashboards read results instead of computing them.
//
// A series is one metric for one unit. Its stored result is AnalyseSpcSeries (spc_series.h) over
// all its observations in period order — or, when the latest definition's chart type is p, u, c
// or run (and the data can feed it: counts for p and u, plain values for c),
// AnalyseControlChartSeries (control_chart_series.h) with that qicharts2 chart, counts with their
// denominators for p and u (times the multiplier), and its points labelled as MDC points — with:
//   - the improvement direction and target of the metric's latest definition (the target counts
//     when its target_from is on or before the latest period);
//   - a recalculation (rebase) at the applies_from of every later version of the definition
//     inside the series, with the reason "definition changed (version N)": numbers under two
//     definitions are not one process;
//   - a recalculation at every period where someone recorded one for the series, with its
//     reason (series_events.h; table series_event, whose schema is migration 402 here).
// Aggregate series: for every unit of kind system or nation above an affected unit, the metric's
// system-level series over the ORGANISATIONS below that root (places, groups, wards and the
// root's own submissions excluded), formed as the definition says (AggregationOf):
//   "pooled" for proportions and rates: multiplier x (sum of numerators) / (sum of denominators);
//   "sum"    for counts (a plain value counting things: cases, people, projects): the TOTAL;
//   "mean"   for levels (a plain value that is a ratio, a time, a mean or a score): the MEAN.
// Honest about who reported: a period's value uses only the organisations that reported it, and
// is compared with the organisations EXPECTED to report it (those below the root that had
// reported the metric at or before the period, were not closed before it and had reported within
// the six months before it — one silent for longer has stopped, one a few months behind is
// late). A period is
// analysed only when enough have reported (AggregatePolicy: every expected organisation for a
// total, else at least min_share of them); the others are HELD BACK — not plotted, not analysed,
// listed with "n of N reported" — so one organisation ahead of the rest is never drawn as the
// system's value. Every analysed point carries its own "n of N".
//
// Storage: one row per series in spc_result (aggregate = 0 for a unit's own series, 1 for an
// aggregate), holding the summary (icons, latest mean and limits, counts, warnings) and the
// points compactly: periods and values as comma-separated text, one letter per point for its
// type (PointTypeLetter) and the groups as JSON (GroupsJson). That text is written and read only
// here: LoadSpcResult returns it decoded (StoredSpcResult), for every reader.
//
// Writes run in the caller's transaction. Thread-compatible.
//
// Example:
//   std::vector<SeriesKey> touched = {{metric_id, unit_id}};
//   ASSIGN_OR_RETURN(RecomputeStats s, RecomputeSpc(*conn, dir, dict, touched, now));
//   s.series;      // 1
//   s.aggregates;  // 1 if the unit belongs to a system
#ifndef SHEWHART_OVERSIGHT_SPC_STORE_H_
#define SHEWHART_OVERSIGHT_SPC_STORE_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "db/db.h"
#include "db/migrate.h"
#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "stats/xmr.h"

namespace shewhart::oversight {

// The schema of the oversight part (versions 400-499): stored results (here) and series events
// (series_events.h), in version order.
std::span<const db::Migration> Migrations();

struct SeriesKey {
  int64_t metric_id = 0;
  int64_t unit_id = 0;
  bool aggregate = false;
  friend bool operator==(const SeriesKey&, const SeriesKey&) = default;
  friend auto operator<=>(const SeriesKey&, const SeriesKey&) = default;
};

// When a system's value for a period is complete enough to show.
struct AggregatePolicy {
  // The share of the expected organisations that must have reported a pooled rate or proportion
  // or a mean (0 < share <= 1). A total ("sum") always needs every expected organisation.
  double min_share = 0.75;
};
// The policy in force: min_share from the environment variable SHEWHART_AGGREGATE_MIN_SHARE
// when it holds a number in (0, 1], else 0.75. Read once.
const AggregatePolicy& DefaultAggregatePolicy();

// How a metric's system value is formed from its organisations' values: "pooled", "sum" or
// "mean" (see above). A plain value is a count ("sum") unless its unit names a level (ratio,
// minutes, hours, days, weeks, score, index, years, %) or its definition says it is a mean,
// average, ratio or rate.
std::string_view AggregationOf(const dictionary::MetricVersion& v);

// The definition that governs stored results: the metric without its DRAFT versions (a draft is
// work in progress until agreed), or the metric itself when every version is a draft.
dictionary::Metric GoverningDefinition(const dictionary::Metric& metric);

struct RecomputeStats {
  int64_t series = 0;              // units' own series recomputed
  int64_t aggregates = 0;          // aggregate series recomputed
  std::vector<SeriesKey> touched;  // every series written, sorted
};

// Recomputes and stores the results of the units' own series in `affected` (aggregate = false)
// and the aggregate series of their metrics for every system/nation above their units; a key
// with aggregate = true recomputes that unit's aggregate series (none unless the unit is a system
// or nation). Reads the observations one metric at a time. `at` is the computation time (ISO 8601
// UTC).
Result<RecomputeStats> RecomputeSpc(db::Connection& conn, const directory::Directory& dir,
                                    const dictionary::Dictionary& dict,
                                    std::span<const SeriesKey> affected, std::string_view at,
                                    const AggregatePolicy& policy = DefaultAggregatePolicy());

// Recomputes every stored series of one metric (every unit's and every aggregate), as after its
// definition changed. NotFound when the metric is not in `dict`.
Result<RecomputeStats> RecomputeMetricSpc(db::Connection& conn, const directory::Directory& dir,
                                          const dictionary::Dictionary& dict, int64_t metric_id,
                                          std::string_view at);

// Recomputes every series that has observations (and every aggregate).
Result<RecomputeStats> RecomputeAllSpc(db::Connection& conn, const directory::Directory& dir,
                                       const dictionary::Dictionary& dict, std::string_view at);

// One stored point.
struct StoredPoint {
  Date period = 0;
  double value = 0;  // NaN = missing
  stats::PointType type = stats::PointType::kCommonCause;
  // The point's own centre line and limits on a chart whose limits vary from point to point (p,
  // u; NaN otherwise, and where there are none): then the groups hold the average lines.
  double cl = std::numeric_limits<double>::quiet_NaN();
  double lcl = std::numeric_limits<double>::quiet_NaN();
  double ucl = std::numeric_limits<double>::quiet_NaN();
};

// One stored group (a recalculation period): points [begin, end) with its mean and limits.
struct StoredGroup {
  int32_t begin = 0;
  int32_t end = 0;
  double mean = 0, lpl = 0, upl = 0;  // NaN when not computable
  bool short_group = false;           // fewer points than a full baseline
  std::string reason;                 // why it starts (groups after the first); "" for the first
};

// An aggregate's period that was held back: too few organisations had reported it.
struct HeldBackPeriod {
  Date period = 0;
  int32_t reported = 0;
  int32_t expected = 0;
};

// A stored result, decoded: the one reader of spc_result's text columns is LoadSpcResult.
struct StoredSpcResult {
  SeriesKey key;
  std::string computed_at;
  int64_t n_points = 0;
  std::string first_period, last_period;
  double mean = 0, lpl = 0, upl = 0;  // of the latest group; NaN when not computable
  std::optional<double> target;
  std::string variation;  // stats::Name(Variation)
  std::string assurance;  // stats::Name(Assurance), "" for none
  std::string frequency;
  // The chart: "xmr" (Making Data Count), or the qicharts2 chart the metric's chart type names
  // ("p", "u", "c", "run"), whose parts are the groups and whose points are labelled as MDC points.
  std::string chart = "xmr";
  int64_t n_improvement = 0, n_concern = 0;
  std::vector<StoredPoint> points;    // in period order
  std::vector<StoredGroup> groups;    // in order; at least one when there are points
  std::vector<std::string> warnings;  // plain English, one sentence each
  // Aggregates only ("" and empty otherwise): how the value is formed ("pooled", "sum", "mean"),
  // for each point how many organisations reported it of how many were expected, and the
  // periods held back (after or between the points), in period order.
  std::string aggregation;
  std::vector<int32_t> reported, expected;  // one per point
  std::vector<HeldBackPeriod> held_back;
};

// The letter a point type is stored as (c common cause, i improvement, x concern, h neutral high,
// l neutral low), also the `type` of a point in GET /api/series.
char PointTypeLetter(stats::PointType type);

// The groups as the JSON array they are stored as: [{"begin":0,"end":24,"mean":..,"lpl":..,
// "upl":..,"short":false[,"reason":".."]},...] (NaN as null).
std::string GroupsJson(std::span<const StoredGroup> groups);

// The stored result of one series; nullopt if none.
Result<std::optional<StoredSpcResult>> LoadSpcResult(db::Connection& conn, const SeriesKey& key);

}  // namespace shewhart::oversight

#endif  // SHEWHART_OVERSIGHT_SPC_STORE_H_
