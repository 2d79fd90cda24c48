// Reads the first worksheet of an Office Open XML (.xlsx) workbook into rows of cell text.
//
// libzip opens the package; expat streams xl/workbook.xml, its relationships, the shared strings,
// the styles (to know which number formats are dates) and the sheet itself. Private to imports/.
//
// Example:
//   ASSIGN_OR_RETURN(Sheet s, ReadFirstSheet("book.xlsx"));
//   s.rows[0].cells[2];  // text of cell C<row>
#ifndef SHEWHART_IMPORTS_INTERNAL_XLSX_H_
#define SHEWHART_IMPORTS_INTERNAL_XLSX_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace shewhart::imports::internal {

struct SheetRow {
  int64_t number = 0;              // sheet row (1-based)
  std::vector<std::string> cells;  // column A at index 0; missing cells are ""
};

struct Sheet {
  std::string name;            // the sheet's name in the workbook
  std::vector<SheetRow> rows;  // in sheet order
};

// Limits that keep a hostile workbook (a "zip bomb": a few KiB that unpack to gigabytes) from
// exhausting memory; a workbook over any of them is refused with InvalidArgument.
inline constexpr size_t kMaxColumns = 16384;             // A..XFD, as Excel
inline constexpr size_t kMaxCellChars = 32767;           // Excel's limit for one cell's text
inline constexpr size_t kMaxWorkbookBytes = 64u << 20;   // cells + shared strings, unpacked
inline constexpr uint64_t kMaxPartBytes = 512ull << 20;  // one XML part, unpacked
inline constexpr uint64_t kMaxTokenBytes = 4ull << 20;   // one unfinished XML tag

// IoError if the file cannot be opened; InvalidArgument if it is not a readable workbook or
// breaks a limit above.
Result<Sheet> ReadFirstSheet(const std::string& path);
// The same from bytes in memory (uploads: no temporary file). `name` is for messages.
Result<Sheet> ReadFirstSheetFromBytes(const std::string& name, std::string_view bytes);

// Whether an Excel number format (built-in id, custom format code) displays a date.
bool IsDateFormat(int num_fmt_id, const std::string& format_code);

// YYYY-MM-DD (and "THH:MM:SS" when there is a time of day) of an Excel serial date.
std::string SerialToIsoDate(double serial, bool date1904);

}  // namespace shewhart::imports::internal

#endif  // SHEWHART_IMPORTS_INTERNAL_XLSX_H_
