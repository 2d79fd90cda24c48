// A table laid out as A4 landscape scenes and painted by the board pack's cairo backend: the same
// fonts, greys and MDC colours as the charts.
#include "chart/table_page.h"

#include <algorithm>

#include "chart/internal/cairo_painter.h"
#include "chart/internal/chart_kit.h"
#include "chart/internal/scene.h"
#include "chart/internal/text_metrics.h"
#include "chart/xmr_chart.h"

namespace shewhart::chart {
namespace {

using internal::Anchor;
using internal::Builder;
using internal::Scene;

constexpr double kPageW = internal::kPdfPageWidth;
constexpr double kPageH = internal::kPdfPageHeight;
constexpr double kSide = 36;       // page margin
constexpr double kTop = 40;        // title baseline
constexpr double kTableTop = 84;   // header row's top
constexpr double kRowH = 15;       // row pitch
constexpr double kCellSize = 8.5;  // cell text size
constexpr double kHeadSize = 8.5;
constexpr double kNoteSize = 8.5;
constexpr double kNoteLine = 12;
constexpr double kMarkerSpace = 12;  // before the first cell, for the variation dot
constexpr double kBottom = 36;

int RowsPerPage() { return static_cast<int>((kPageH - kTableTop - kRowH - kBottom) / kRowH); }

// The notes wrapped to the page's width (at most 4 lines each).
std::vector<std::string> NoteLines(const TablePageInput& in) {
  std::vector<std::string> lines;
  for (const std::string& note : in.notes) {
    for (std::string& l : internal::WrapText(internal::SanitizeUtf8(note), kNoteSize, false,
                                             kPageW - 2 * kSide, 4)) {
      lines.push_back(std::move(l));
    }
  }
  return lines;
}

// Lays out rows [begin, end) as one page.
Scene LayoutPage(const TablePageInput& in, size_t begin, size_t end, int page, bool last) {
  Scene scene;
  scene.width = kPageW;
  scene.height = kPageH;
  const std::string title = internal::SanitizeUtf8(in.title);
  scene.title = page == 0 ? title : title + " (continued)";
  scene.description = "A table of " + std::to_string(in.rows.size()) + " rows.";
  Builder b(&scene);
  b.AddRect(0, 0, kPageW, kPageH, internal::kWhite, std::nullopt);
  b.AddText(kSide, kTop,
            internal::Ellipsize(scene.title, internal::kTitleSize, true, kPageW - 2 * kSide),
            internal::kTitleSize, internal::kTextBlack, Anchor::kStart, true);
  b.AddText(kSide, kTop + 20,
            internal::Ellipsize(internal::SanitizeUtf8(in.subtitle), internal::kSubtitleSize, false,
                                kPageW - 2 * kSide),
            internal::kSubtitleSize, internal::kDarkGrey);

  double total = 0;
  for (const TableColumn& c : in.columns) total += std::max(c.weight, 0.0);
  if (total <= 0) total = 1;
  const double width = kPageW - 2 * kSide - kMarkerSpace;
  std::vector<double> x(in.columns.size() + 1, kSide + kMarkerSpace);
  for (size_t c = 0; c < in.columns.size(); ++c) {
    x[c + 1] = x[c] + width * std::max(in.columns[c].weight, 0.0) / total;
  }
  auto cell = [&](size_t c, double baseline, const std::string& text, double size, bool bold,
                  internal::Rgb color) {
    const double w = x[c + 1] - x[c] - 6;
    b.AddText(x[c], baseline, internal::Ellipsize(internal::SanitizeUtf8(text), size, bold, w),
              size, color, Anchor::kStart, bold);
  };
  double y = kTableTop;
  b.AddRect(kSide, y, kPageW - 2 * kSide, kRowH, internal::kGridGrey, std::nullopt);
  for (size_t c = 0; c < in.columns.size(); ++c) {
    cell(c, y + kRowH - 4, in.columns[c].heading, kHeadSize, true, internal::kTextBlack);
  }
  y += kRowH;
  for (size_t r = begin; r < end; ++r) {
    const TableRow& row = in.rows[r];
    if ((r - begin) % 2 == 1) {
      b.AddRect(kSide, y, kPageW - 2 * kSide, kRowH, internal::Rgb{0xF4, 0xF6, 0xF7}, std::nullopt);
    }
    if (row.marker) {
      b.AddCircle(kSide + kMarkerSpace / 2, y + kRowH / 2, 4, internal::VariationColor(*row.marker),
                  std::nullopt);
    }
    for (size_t c = 0; c < in.columns.size() && c < row.cells.size(); ++c) {
      cell(c, y + kRowH - 4, row.cells[c], kCellSize, false, internal::kTextBlack);
    }
    y += kRowH;
  }
  b.AddLine(kSide, y, kPageW - kSide, y, internal::Solid(internal::kLineGrey, 0.8));
  if (last) {
    y += kNoteLine + 4;
    for (const std::string& line : NoteLines(in)) {
      if (y > kPageH - kBottom / 2) break;
      b.AddText(kSide, y, line, kNoteSize, internal::kDarkGrey);
      y += kNoteLine;
    }
  }
  return scene;
}

// Rows on the last page leave room for the notes.
int NotesRows(const TablePageInput& in) {
  if (in.notes.empty()) return 0;
  const double height = kNoteLine * static_cast<double>(NoteLines(in).size()) + kNoteLine + 4;
  return static_cast<int>(height / kRowH) + 1;
}

}  // namespace

int TablePageCount(const TablePageInput& input) {
  const int per_page = RowsPerPage();
  const int rows = static_cast<int>(input.rows.size()) + NotesRows(input);
  return std::max(1, (rows + per_page - 1) / per_page);
}

Result<int> PdfBoardPack::AddTablePages(const TablePageInput& input) {
  const int pages = TablePageCount(input);
  const size_t per_page = static_cast<size_t>(RowsPerPage());
  for (int p = 0; p < pages; ++p) {
    const size_t begin = std::min(input.rows.size(), static_cast<size_t>(p) * per_page);
    const size_t end = std::min(input.rows.size(), begin + per_page);
    RETURN_IF_ERROR(AddLaidOutPage(LayoutPage(input, begin, end, p, p + 1 == pages)));
  }
  return pages;
}

}  // namespace shewhart::chart
