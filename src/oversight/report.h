// The board's integrated performance report for one scope — a system (or nation), or one
// organisation — answering a board's four questions measure by measure, from the STORED results
// (spc_store.h) and the stored observations:
//   1. How good are we against our targets?   each series' assurance icon and target;
//   2. Is there unwarranted variation?          funnel outliers among PEERS in the latest period,
//      favourable and unfavourable counted apart (a favourable outlier is not a concern);
//   3. Where do we stand against our peers and the best?   position among peers (1 = best, ties
//      share the better position: whole numbers, never "5.5 of 12"), the best peer and value;
//   4. How fast are we improving?               the Theil–Sen rate of change per year of the
//      scope's own series, in the metric's unit, with its 95% interval and a word for it.
// Peers (like for like): an organisation's peers are the members of its peer group (a unit of
// kind "peer group") when it has one, else the organisations of the same kind; a system's
// organisations are compared within their kind. A funnel needs at least two peers with counts.
//
// Thread-compatible.
//
// Example:
//   ASSIGN_OR_RETURN(Report r, BuildReport(*conn, {.scope = "QNW"}));
//   r.rows[0].trend_word;  // "improving"
#ifndef SHEWHART_OVERSIGHT_REPORT_H_
#define SHEWHART_OVERSIGHT_REPORT_H_

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "base/status.h"
#include "db/db.h"
#include "oversight/board.h"

namespace shewhart::oversight {

struct ReportFilter {
  std::string scope;   // code of a system, nation or organisation; "" = the first system
  std::string domain;  // "" = every domain
};

struct ReportRow {
  BoardRow row;      // the scope's own series (the aggregate for a system or nation)
  std::string unit;  // what a value is measured in (the definition's unit)
  double latest = std::numeric_limits<double>::quiet_NaN();  // the last point shown
  // Rate of improvement per year in `unit`, NaN when there are too few points.
  double slope_per_year = std::numeric_limits<double>::quiet_NaN();
  double slope_lower95 = std::numeric_limits<double>::quiet_NaN();
  double slope_upper95 = std::numeric_limits<double>::quiet_NaN();
  std::string
      trend_word;  // "improving", "worsening", "no clear trend", "changing", "too few points"
  // Among peers in `peer_period` (the scope's latest period shown).
  std::string peer_period;   // YYYY-MM-DD
  std::string peer_group;    // e.g. "acute trust" or the peer group's name
  int32_t peers = 0;         // organisations compared (the scope's own, for a system)
  int32_t favourable = 0;    // funnel outliers on the better side
  int32_t unfavourable = 0;  // on the worse side
  std::string outlier;   // organisation scope: "favourable", "unfavourable", "none", "" (no funnel)
  int32_t position = 0;  // organisation scope: 1 = best among peers; 0 = not ranked
  double best = std::numeric_limits<double>::quiet_NaN();
  std::string best_unit;  // code of the best peer
  std::string best_name;
};

struct Report {
  std::string scope, scope_name, scope_kind;
  bool aggregate = false;       // the scope is a system or nation: its rows are aggregates
  std::string latest_period;    // the latest period shown in any row
  std::vector<ReportRow> rows;  // by domain, then concerns first (ConcernRank), then metric code
};

// NotFound for an unknown scope or no system at all; InvalidArgument when the scope is neither a
// system, a nation nor an organisation.
Result<Report> BuildReport(db::Connection& conn, const ReportFilter& filter);

}  // namespace shewhart::oversight

#endif  // SHEWHART_OVERSIGHT_REPORT_H_
