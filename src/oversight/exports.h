// Board exports: the board summary (board.h) as an Excel workbook and as a PDF board pack, for
// GET /api/board/export.xlsx, GET /api/board/pack.pdf and `shewhart export board`. Both read
// the STORED SPC results (spc_store.h) through the same services as the screens, so an export
// shows exactly what the board shows.
//
// The workbook (libxlsxwriter):
//   - "Board summary": one row per series in the board's order (concerns first), the variation
//     and assurance icons written as their plain-English meanings, with conditional formats
//     (orange for concern or a failing target, blue for improvement or a passing target);
//   - "Key": every icon's meaning;
//   - one sheet per metric: each unit's series (period, value, mean, lower and upper process
//     limits, the limits stepping at recalculations) with a native Excel line chart beside it.
// The board pack (cairo, chart::PdfBoardPack), every page naming its scope: a cover (scope,
// latest period, counts), "where to look first" (the signals: concerns, then failing targets —
// the scope's own, then its organisations'), the summary of the scope's own measures (icons,
// mean and limits, target, latest period, organisations reported), then one Making Data Count
// chart per measure that needs attention (the scope's own signals, then the rest of where to
// look first) while pages remain under max_pages.
// Both exports take the filter with its default scope (board.h WithDefaultScope): the first
// system, unless a scope or place is given.
//
// Writes `path` (replacing it). Thread-compatible.
//
// Example:
//   ASSIGN_OR_RETURN(BoardPackReport r,
//                    oversight::WriteBoardPack(*conn, {.filter = {.domain = "safe"}}, "b.pdf"));
//   r.pages;  // r.table_pages + r.charts
#ifndef SHEWHART_OVERSIGHT_EXPORTS_H_
#define SHEWHART_OVERSIGHT_EXPORTS_H_

#include <cstdint>
#include <string>

#include "base/status.h"
#include "db/db.h"
#include "oversight/board.h"

namespace shewhart::oversight {

struct BoardExportOptions {
  BoardFilter filter;        // as GET /api/board; limit caps the summary's rows
  std::string generated_at;  // shown on the summary sheet and the cover, e.g. ISO 8601 UTC
  // At most this many charts (workbook: series with their chart; pack: chart pages), taken in
  // the board's order; the summary always lists every row.
  int32_t max_charts = 300;
  // The pack's pages at most: the cover, where to look first and the summary, then charts while
  // pages remain (a board reads twenty pages, not three hundred).
  int32_t max_pages = 24;
};

struct BoardWorkbookReport {
  int64_t rows = 0;     // summary rows
  int32_t metrics = 0;  // metric sheets
  int32_t charts = 0;   // native charts
};

// InvalidArgument for a bad filter; IoError if the file cannot be written.
Result<BoardWorkbookReport> WriteBoardWorkbook(db::Connection& conn,
                                               const BoardExportOptions& options,
                                               const std::string& path);

struct BoardPackReport {
  int64_t rows = 0;         // summary rows
  int32_t table_pages = 0;  // cover pages
  int32_t charts = 0;       // chart pages
  int32_t pages = 0;        // table_pages + charts
};

// InvalidArgument for a bad filter; IoError if the file cannot be written.
Result<BoardPackReport> WriteBoardPack(db::Connection& conn, const BoardExportOptions& options,
                                       const std::string& path);

// True if a board row is a signal that earns a chart page in the pack (ConcernRank < 3).
bool IsSignal(const BoardRow& row);

}  // namespace shewhart::oversight

#endif  // SHEWHART_OVERSIGHT_EXPORTS_H_
