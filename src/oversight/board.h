// The board summary: every stored series (metrics x units) with its Making Data Count variation
// and assurance icons, read from the STORED SPC results (spc_store.h), never computed here — the
// one service behind GET /api/board, the Excel and PDF board exports and `shewhart export board`.
//
// Filters: by the domain of the metric's latest definition, by place (the unit's parent), by
// kind of unit, by metric code; an empty filter means "any". Rows come concerns first:
//   0  special cause of concern (variation concern_high / concern_low);
//   1  the target is consistently failed (assurance consistent_fail);
//   2  the target may or may not be met (assurance inconsistent);
//   3  everything else;
// then by metric code, the aggregate series before the units', and unit code. Paged by
// limit/offset in that order.
//
// Thread-compatible (one connection per thread).
//
// Example:
//   ASSIGN_OR_RETURN(std::vector<BoardRow> rows,
//                    oversight::BoardSummary(*conn, {.domain = "safe", .place = "PL1"}));
//   rows[0].variation;  // "concern_high" if any series in the selection has a concern
#ifndef SHEWHART_OVERSIGHT_BOARD_H_
#define SHEWHART_OVERSIGHT_BOARD_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "db/db.h"
#include "db/migrate.h"

namespace shewhart::oversight {

struct BoardFilter {
  std::string domain;  // e.g. "safe"; "" = any
  std::string place;   // code of the unit's parent, e.g. "PL1"; "" = any
  std::string kind;    // e.g. "acute trust"; "" = any
  std::string metric;  // a metric code; "" = any
  // A system or nation: its aggregate and the organisations below it (so the national A&E
  // benchmark set stays out of an ICS's board); an organisation: its own series. "" = any.
  // NotFound for an unknown code.
  std::string scope;
  // With a scope: only the scope's own series (a system's aggregates, an organisation's own),
  // not the organisations under it — what the board's report (report.h) needs.
  bool scope_only = false;
  int64_t limit = 5000;
  int64_t offset = 0;
};

struct BoardRow {
  std::string metric;  // code
  std::string name;    // of the latest definition
  std::string domain;
  std::string improvement_direction;  // increase, decrease, neutral
  std::string unit;                   // code
  std::string unit_name;
  std::string kind;
  std::string place;  // parent's code, "" for none
  bool aggregate = false;
  std::string variation;                         // stats::Name(Variation), e.g. "concern_low"
  std::string assurance;                         // stats::Name(Assurance), "" for none
  std::optional<double> mean, lpl, upl, target;  // of the latest group; nullopt if not computable
  std::string last_period;                       // YYYY-MM-DD
  int64_t n_points = 0;
  int64_t n_improvement = 0;
  int64_t n_concern = 0;
  // Aggregates: how the value is formed ("pooled", "sum", "mean"; "" for a unit's own series),
  // how many organisations reported the latest period shown of how many expected, and the
  // periods held back after it ("YYYY-MM-DD n/N", comma-separated; spc_store.h).
  std::string aggregation;
  int32_t reported = 0, expected = 0;
  std::string held_back;
};

// spc_result.concern_rank (version 405): ConcernRank stored, and indexed with the metric, so that
// the first page of an unfiltered board is an index walk; oversight::Migrations() lists it.
std::span<const db::Migration> BoardMigrations();

// The SQL the walk runs for one (rank, metric): params rank, metric id, limit, offset. For the
// tests that show its plan (query_plan_test.cc).
std::string_view BoardGroupQuery();

// The filter with its scope made explicit: when neither a scope nor a place is given, the first
// unit of kind "system" (the ICS), so that a benchmark set under a nation (the national A&E data)
// is never mixed into a system's board or pack unless asked for (scope=ENG). Unchanged when
// there is no system.
Result<BoardFilter> WithDefaultScope(db::Connection& conn, BoardFilter filter);

// 0 (concern) .. 3 (nothing to look at), as in the order above.
int ConcernRank(std::string_view variation, std::string_view assurance);

// The board rows selected by `filter`, concerns first. InvalidArgument for a negative offset or
// a limit outside [1, 50000].
Result<std::vector<BoardRow>> BoardSummary(db::Connection& conn, const BoardFilter& filter);

// The plain-English meaning of a variation or assurance icon, as on the MDC icon key
// ("Special cause of concern: a signal that things got worse (higher)").
std::string VariationMeaning(std::string_view variation);
std::string AssuranceMeaning(std::string_view assurance);

}  // namespace shewhart::oversight

#endif  // SHEWHART_OVERSIGHT_BOARD_H_
