// A table as board-pack pages: the cover of a PDF board pack (e.g. the board summary, metrics x
// organisations with both icons' meanings), laid out with the charts' fonts and colours and added
// to a PdfBoardPack as one or more A4 landscape pages (the rows flow onto as many pages as they
// need, the header repeated on each).
//
// Thread-compatible.
//
// Example:
//   TablePageInput t;
//   t.title = "Board summary"; t.columns = {{"Metric", 2}, {"Organisation", 3}};
//   t.rows.push_back({.cells = {"AE4H", "RJZ"}, .marker = stats::Variation::kConcernLow});
//   ASSIGN_OR_RETURN(int pages, pack->AddTablePages(t));
#ifndef SHEWHART_CHART_TABLE_PAGE_H_
#define SHEWHART_CHART_TABLE_PAGE_H_

#include <optional>
#include <string>
#include <vector>

#include "stats/xmr.h"

namespace shewhart::chart {

struct TableColumn {
  std::string heading;
  double weight = 1;  // share of the page's width, relative to the other columns
};

struct TableRow {
  std::vector<std::string> cells;  // one per column; longer text is cut with an ellipsis
  // A dot in the MDC colour of this variation before the first cell; none when nullopt.
  std::optional<stats::Variation> marker;
};

struct TablePageInput {
  std::string title;     // on every page, with "(continued)" after the first
  std::string subtitle;  // e.g. the filters and when the pack was made
  std::vector<TableColumn> columns;
  std::vector<TableRow> rows;
  std::vector<std::string> notes;  // lines under the table on its last page (e.g. a key)
};

// Number of A4 landscape pages the table needs (at least 1).
int TablePageCount(const TablePageInput& input);

}  // namespace shewhart::chart

#endif  // SHEWHART_CHART_TABLE_PAGE_H_
