#include "oversight/board.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <optional>
#include <unordered_map>

#include "directory/directory.h"

namespace shewhart::oversight {
namespace {

// One row per stored series, with the metric's latest definition. An empty filter parameter
// means "any". spc_result.concern_rank is ConcernRank, stored by the database (a generated column,
// migration 405) and indexed with the metric: paging keeps concerns on the first pages.
#define SHEWHART_BOARD_COLUMNS                                                          \
  "SELECT m.code, v.name, v.domain, v.improvement_direction, u.code, u.name, u.kind, "  \
  "COALESCE(p.code, ''), r.aggregate, r.variation, r.assurance, r.mean, r.lpl, r.upl, " \
  "r.target, r.last_period, r.n_points, r.n_improvement, r.n_concern, r.aggregation, "  \
  "r.reported, r.held_back "
#define SHEWHART_BOARD_LATEST_VERSION \
  "JOIN metric m ON m.id = r.metric_id " SHEWHART_BOARD_LATEST_VERSION_OF_M
#define SHEWHART_BOARD_LATEST_VERSION_OF_M                                  \
  "JOIN metric_version v ON v.metric_id = m.id "                            \
  " AND v.version = COALESCE((SELECT MAX(w.version) FROM metric_version w " \
  "   WHERE w.metric_id = m.id AND w.status <> 'draft'), "                  \
  "  (SELECT MAX(w.version) FROM metric_version w WHERE w.metric_id = m.id)) "
#define SHEWHART_BOARD_ORDER \
  "ORDER BY r.concern_rank, m.code, r.aggregate DESC, u.code LIMIT ? OFFSET ?"

// Params: domain x2, place x2, kind x2, metric x2, limit, offset.
constexpr std::string_view kBoard = SHEWHART_BOARD_COLUMNS
    "FROM spc_result r " SHEWHART_BOARD_LATEST_VERSION
    "JOIN unit u ON u.id = r.unit_id "
    "LEFT JOIN unit p ON p.id = u.parent_id "
    "WHERE (? = '' OR v.domain = ?) AND (? = '' OR p.code = ?) AND (? = '' OR u.kind = ?) "
    "AND (? = '' OR m.code = ?) " SHEWHART_BOARD_ORDER;

// The same for one place, read from the place down (its units, then their results) instead of
// from every stored result: 4x faster at national scale (700,000 series).
// Params: place, domain x2, kind x2, metric x2, limit, offset.
constexpr std::string_view kBoardInPlace = SHEWHART_BOARD_COLUMNS
    "FROM unit p JOIN unit u ON u.parent_id = p.id "
    "JOIN spc_result r ON r.unit_id = u.id " SHEWHART_BOARD_LATEST_VERSION
    "WHERE p.code = ? AND (? = '' OR v.domain = ?) AND (? = '' OR u.kind = ?) "
    "AND (? = '' OR m.code = ?) " SHEWHART_BOARD_ORDER;

// A scope's board, read unit by unit through spc_result_unit (the scope and the organisations
// under it), not from every stored result; sorted and paged after.
// Params: unit id, domain x2, place x2, kind x2, metric x2.
constexpr std::string_view kBoardOfUnit = SHEWHART_BOARD_COLUMNS
    "FROM spc_result r " SHEWHART_BOARD_LATEST_VERSION
    "JOIN unit u ON u.id = r.unit_id "
    "LEFT JOIN unit p ON p.id = u.parent_id "
    "WHERE r.unit_id = ? AND (? = '' OR v.domain = ?) AND (? = '' OR p.code = ?) "
    "AND (? = '' OR u.kind = ?) AND (? = '' OR m.code = ?)";

// The board with no place, kind or scope (the national board unfiltered) is read as an index walk
// over spc_result(concern_rank, metric_id, aggregate): the metrics the filters allow, in code
// order, then for each rank and metric its rows — so the first page reads about a page of rows,
// not the 700,000 stored series.
// Params: domain x2, metric x2.
constexpr std::string_view kBoardMetrics =
    "SELECT m.id FROM metric m " SHEWHART_BOARD_LATEST_VERSION_OF_M
    "WHERE (? = '' OR v.domain = ?) AND (? = '' OR m.code = ?) ORDER BY m.code";
// Params: rank, metric id.
constexpr std::string_view kBoardGroupSize =
    "SELECT COUNT(*) FROM spc_result WHERE concern_rank = ? AND metric_id = ?";
// Params: rank, metric id, limit, offset.
constexpr std::string_view kBoardGroup = SHEWHART_BOARD_COLUMNS
    "FROM spc_result r " SHEWHART_BOARD_LATEST_VERSION
    "JOIN unit u ON u.id = r.unit_id "
    "LEFT JOIN unit p ON p.id = u.parent_id "
    "WHERE r.concern_rank = ? AND r.metric_id = ? "
    "ORDER BY r.aggregate DESC, u.code LIMIT ? OFFSET ?";

#undef SHEWHART_BOARD_COLUMNS
#undef SHEWHART_BOARD_LATEST_VERSION
#undef SHEWHART_BOARD_LATEST_VERSION_OF_M
#undef SHEWHART_BOARD_ORDER

// The concern rank stored with each result and indexed with its metric, for the walk above.
// SQLite computes a virtual column on read (and keeps it in the index); PostgreSQL stores it.
#define SHEWHART_CONCERN_RANK                                                                \
  "ALTER TABLE spc_result ADD COLUMN concern_rank INTEGER GENERATED ALWAYS AS (CASE "        \
  "WHEN variation IN ('concern_high', 'concern_low') THEN 0 WHEN assurance = 'consistent_fail' " \
  "THEN 1 WHEN assurance = 'inconsistent' THEN 2 ELSE 3 END) "
constexpr db::Migration kMigrations[] = {
    {405, "oversight: the board's concern rank stored and indexed",
     SHEWHART_CONCERN_RANK "VIRTUAL;\n"
     "CREATE INDEX spc_result_concern ON spc_result(concern_rank, metric_id, aggregate);\n",
     SHEWHART_CONCERN_RANK "STORED;\n"
     "CREATE INDEX spc_result_concern ON spc_result(concern_rank, metric_id, aggregate);\n"},
};
#undef SHEWHART_CONCERN_RANK

constexpr int64_t kMaxLimit = 50000;
// A scoped selection reads every row of the selection before paging it.
constexpr int64_t kEveryRow = 1'000'000'000;

}  // namespace

std::span<const db::Migration> BoardMigrations() { return kMigrations; }

std::string_view BoardGroupQuery() { return kBoardGroup; }

Result<BoardFilter> WithDefaultScope(db::Connection& conn, BoardFilter filter) {
  if (!filter.scope.empty() || !filter.place.empty()) return filter;
  ASSIGN_OR_RETURN(
      std::optional<db::Row> row,
      conn.QueryRow("SELECT code FROM unit WHERE kind = 'system' ORDER BY id LIMIT 1"));
  if (row) filter.scope = row->Text(0);
  return filter;
}

int ConcernRank(std::string_view variation, std::string_view assurance) {
  if (variation == "concern_high" || variation == "concern_low") return 0;
  if (assurance == "consistent_fail") return 1;
  if (assurance == "inconsistent") return 2;
  return 3;
}

Result<std::vector<BoardRow>> BoardSummary(db::Connection& conn, const BoardFilter& f) {
  if (f.limit < 1 || f.limit > kMaxLimit) {
    return InvalidArgumentError("the board's limit must be between 1 and " +
                                std::to_string(kMaxLimit));
  }
  if (f.offset < 0) return InvalidArgumentError("the board's offset must not be negative");
  std::vector<BoardRow> rows;
  // A scope is applied over the selection as a whole, then paged.
  std::optional<directory::Directory> dir;
  const directory::Unit* scope = nullptr;
  int64_t limit = f.limit, offset = f.offset;
  if (!f.scope.empty()) {
    ASSIGN_OR_RETURN(directory::Directory d, directory::Directory::Load(conn));
    dir.emplace(std::move(d));
    scope = dir->FindByCode(f.scope);
    if (scope == nullptr)
      return NotFoundError("there is no system or organisation \"" + f.scope + "\"");
    limit = kEveryRow;
    offset = 0;
  }
  std::unordered_map<std::string, bool> in_scope;  // unit code -> inside the scope
  auto keep = [&](const BoardRow& b) {
    if (scope == nullptr) return true;
    if (b.unit == scope->code) return b.aggregate == directory::IsAggregateRootKind(scope->kind);
    if (!directory::IsAggregateRootKind(scope->kind) || b.aggregate) return false;
    auto it = in_scope.find(b.unit);
    if (it == in_scope.end()) {
      const directory::Unit* u = dir->FindByCode(b.unit);
      it = in_scope.emplace(b.unit, u != nullptr && dir->IsOrganisationUnder(u->id, scope->id))
               .first;
    }
    return it->second;
  };
  const bool in_place = !f.place.empty();
  const std::vector<db::Value> params =
      in_place ? std::vector<db::Value>{f.place,  f.domain, f.domain, f.kind, f.kind,
                                        f.metric, f.metric, limit,    offset}
               : std::vector<db::Value>{f.domain, f.domain, f.place,  f.place, f.kind,
                                        f.kind,   f.metric, f.metric, limit,   offset};
  auto on_row = [&](const db::Row& r) {
    BoardRow b;
    b.metric = r.Text(0);
    b.name = r.Text(1);
    b.domain = r.Text(2);
    b.improvement_direction = r.Text(3);
    b.unit = r.Text(4);
    b.unit_name = r.Text(5);
    b.kind = r.Text(6);
    b.place = r.Text(7);
    b.aggregate = r.Int(8) != 0;
    b.variation = r.Text(9);
    b.assurance = r.Text(10);
    b.mean = r.OptionalDouble(11);
    b.lpl = r.OptionalDouble(12);
    b.upl = r.OptionalDouble(13);
    b.target = r.OptionalDouble(14);
    b.last_period = r.Text(15);
    b.n_points = r.Int(16);
    b.n_improvement = r.Int(17);
    b.n_concern = r.Int(18);
    b.aggregation = r.Text(19);
    // The last "n/N" of the per-point list is the latest period shown.
    const std::string& reported = r.Text(20);
    const std::string_view last = std::string_view(reported).substr(reported.rfind(',') + 1);
    if (const size_t slash = last.find('/'); slash != std::string_view::npos) {
      std::from_chars(last.data(), last.data() + slash, b.reported);
      std::from_chars(last.data() + slash + 1, last.data() + last.size(), b.expected);
    }
    b.held_back = r.Text(21);
    if (keep(b)) rows.push_back(std::move(b));
    return db::Flow::kContinue;
  };
  if (scope != nullptr) {
    for (const directory::Unit& u : dir->units()) {
      if (u.id != scope->id && (f.scope_only || !(directory::IsAggregateRootKind(scope->kind) &&
                                                  dir->IsOrganisationUnder(u.id, scope->id)))) {
        continue;
      }
      RETURN_IF_ERROR(conn.Query(kBoardOfUnit,
                                 {u.id, f.domain, f.domain, f.place, f.place, f.kind, f.kind,
                                  f.metric, f.metric},
                                 on_row));
    }
    // The board's order (codes compared byte by byte, as SQLite's ORDER BY does).
    std::stable_sort(rows.begin(), rows.end(), [](const BoardRow& a, const BoardRow& b) {
      const int ra = ConcernRank(a.variation, a.assurance);
      const int rb = ConcernRank(b.variation, b.assurance);
      if (ra != rb) return ra < rb;
      if (a.metric != b.metric) return a.metric < b.metric;
      if (a.aggregate != b.aggregate) return a.aggregate;
      return a.unit < b.unit;
    });
  } else if (scope == nullptr && !in_place && f.kind.empty()) {
    // The index walk: rank by rank, metric by metric (code order), a group's rows in order.
    std::vector<int64_t> metrics;
    RETURN_IF_ERROR(conn.Query(kBoardMetrics, {f.domain, f.domain, f.metric, f.metric},
                               [&](const db::Row& r) {
                                 metrics.push_back(r.Int(0));
                                 return db::Flow::kContinue;
                               }));
    int64_t skip = f.offset;
    for (int64_t rank = 0; rank <= 3; ++rank) {
      for (const int64_t metric : metrics) {
        const int64_t wanted = f.limit - static_cast<int64_t>(rows.size());
        if (wanted <= 0) return rows;
        if (skip > 0) {
          ASSIGN_OR_RETURN(std::optional<db::Row> n,
                           conn.QueryRow(kBoardGroupSize, {rank, metric}));
          const int64_t size = n ? n->Int(0) : 0;
          if (size <= skip) {
            skip -= size;
            continue;
          }
        }
        RETURN_IF_ERROR(conn.Query(kBoardGroup, {rank, metric, wanted, skip}, on_row));
        skip = 0;
      }
    }
    return rows;
  } else {
    RETURN_IF_ERROR(conn.Query(in_place ? kBoardInPlace : kBoard, params, on_row));
  }
  if (scope != nullptr) {
    // Paged after the scope was applied.
    const size_t from = std::min(rows.size(), static_cast<size_t>(f.offset));
    const size_t to = std::min(rows.size(), from + static_cast<size_t>(f.limit));
    rows = std::vector<BoardRow>(std::make_move_iterator(rows.begin() + from),
                                 std::make_move_iterator(rows.begin() + to));
  }
  return rows;
}

std::string VariationMeaning(std::string_view v) {
  if (v == "common_cause") return "Common cause variation: no significant change";
  if (v == "improvement_high") return "Special cause improvement: a signal of improvement (higher)";
  if (v == "improvement_low") return "Special cause improvement: a signal of improvement (lower)";
  if (v == "concern_high") return "Special cause concern: a signal that things got worse (higher)";
  if (v == "concern_low") return "Special cause concern: a signal that things got worse (lower)";
  if (v == "neutral_high") return "Special cause variation, neither better nor worse (higher)";
  if (v == "neutral_low") return "Special cause variation, neither better nor worse (lower)";
  return "Not enough points to judge variation";
}

std::string AssuranceMeaning(std::string_view a) {
  if (a == "consistent_pass") return "Consistently passing the target";
  if (a == "consistent_fail") return "Consistently failing the target";
  if (a == "inconsistent") return "Hit and miss: will pass or fail the target by chance";
  return "No target, or not enough points to judge assurance";
}

}  // namespace shewhart::oversight
