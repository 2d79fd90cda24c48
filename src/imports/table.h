// A tabular input file (CSV, or the first sheet of an Excel .xlsx workbook) read into rows of text.
//
// Every import starts here, so CSV and Excel files behave identically: a header row, then one row
// per record, each cell as text. From .xlsx files, numbers come back as the shortest decimal that
// reads back exactly ("21289", "0.875"), cells formatted as dates as YYYY-MM-DD (1900 and 1904
// date systems), booleans as TRUE / FALSE, error cells as their code ("#N/A"), shared and inline
// strings as their text. Cells the workbook leaves out are empty strings; completely empty rows
// are skipped. Row numbers are what the analyst sees: the CSV line, or the sheet row.
//
// Thread-compatible.
//
// Example:
//   ASSIGN_OR_RETURN(Table t, ReadTable("observations.xlsx"));
//   std::optional<size_t> col = t.Column("value");
//   for (const TableRow& r : t.rows) Use(r.number, r.cells[*col]);
#ifndef SHEWHART_IMPORTS_TABLE_H_
#define SHEWHART_IMPORTS_TABLE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace shewhart::imports {

struct TableRow {
  int64_t number = 0;              // 1-based CSV line or sheet row
  std::vector<std::string> cells;  // one per header column (short rows padded with "")
};

struct Table {
  std::string name;                 // the file name, for messages
  std::vector<std::string> header;  // trimmed header names
  int64_t header_row = 1;
  std::vector<TableRow> rows;

  // Index of the header column named `name` (case-insensitive); nullopt if absent.
  std::optional<size_t> Column(std::string_view name) const;
  // Appends a row as a file would hold it (numbered after the header; cells padded or cut to the
  // header's width): for tables generated in code, such as the demo's.
  void AddRow(std::vector<std::string> cells);
};

// Reads a .xlsx file (by extension, or when the content starts with a zip signature) or else a
// CSV file. InvalidArgument for malformed content (listing every problem with its row), IoError
// when the file cannot be read, InvalidArgument for a file with no header row.
Result<Table> ReadTable(const std::string& path);

// A file's content already in memory (read once, e.g. to hash it too): a workbook when `name`
// ends in .xlsx or the bytes start with the zip signature, else CSV. `name` stands for the file
// name in messages. Same results as ReadTable(name) on a file holding `bytes`.
Result<Table> ParseTable(const std::string& name, std::string bytes);

// Parses CSV text; `name` stands for the file name in messages.
Result<Table> ParseCsvTable(std::string name, std::string text);

// Reads the first sheet of a .xlsx workbook. Workbooks that unpack to more than the limits of
// internal/xlsx.h (64 MiB of cells, columns past XFD, cells over 32,767 characters) are refused
// with InvalidArgument; at most two workbooks are read at once per process.
Result<Table> ReadXlsxTable(const std::string& path);
// The same from the workbook's bytes in memory (uploads); `name` stands for the file name.
Result<Table> ParseXlsxTable(const std::string& name, std::string_view bytes);

// The spreadsheet letter of a 0-based column index: 0 -> "A", 26 -> "AA".
std::string ColumnLetter(size_t index);

}  // namespace shewhart::imports

#endif  // SHEWHART_IMPORTS_TABLE_H_
