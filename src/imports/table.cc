#include "imports/table.h"

#include <cstdio>
#include <fstream>
#include <memory>
#include <semaphore>
#include <utility>

#include "base/text_checks.h"
#include "csv/csv_reader.h"
#include "imports/imports.h"
#include "imports/internal/xlsx.h"
#include "imports/problems.h"

namespace shewhart::imports {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && AsciiLower(s.substr(s.size() - suffix.size())) == suffix;
}

bool StartsWithZipMagic(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  char magic[4] = {};
  const size_t n = std::fread(magic, 1, 4, f);
  std::fclose(f);
  return n == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
}

bool AllEmpty(const std::vector<std::string>& cells) {
  for (const std::string& c : cells) {
    if (!csv::TrimSpaces(c).empty()) return false;
  }
  return true;
}

Result<Table> FromCsvReader(csv::Reader* reader) {
  Table table;
  table.name = reader->name();
  Problems problems;
  bool have_header = false;
  for (;;) {
    const csv::Reader::Step step = reader->Next();
    if (step == csv::Reader::Step::kEnd) break;
    if (step == csv::Reader::Step::kError) {
      if (reader->error().code() == StatusCode::kIoError) return reader->error();
      problems.Add(0, "", reader->error().message());
      continue;
    }
    const csv::Record& r = reader->record();
    if (!have_header) {
      for (std::string_view f : r.fields) table.header.emplace_back(csv::TrimSpaces(f));
      table.header_row = r.line;
      have_header = true;
      continue;
    }
    TableRow row;
    row.number = r.line;
    row.cells.reserve(table.header.size());
    for (std::string_view f : r.fields) {
      if (f.size() >= 2 && f.front() == '\'' && IsFormulaStart(f[1])) {
        row.cells.emplace_back(RestoreFormula(f));  // an export's neutralised formula cell
      } else {
        row.cells.emplace_back(f);
      }
    }
    row.cells.resize(table.header.size());
    if (AllEmpty(row.cells)) continue;
    table.rows.push_back(std::move(row));
  }
  RETURN_IF_ERROR(problems.ToStatus(table.name));
  if (!have_header)
    return InvalidArgumentError(table.name + ": the file is empty; expected a header row");
  return table;
}

}  // namespace

std::optional<size_t> Table::Column(std::string_view wanted) const {
  const std::string w = AsciiLower(csv::TrimSpaces(wanted));
  for (size_t i = 0; i < header.size(); ++i) {
    if (AsciiLower(header[i]) == w) return i;
  }
  return std::nullopt;
}

std::string ColumnLetter(size_t index) {
  std::string s;
  ++index;
  while (index > 0) {
    const size_t rem = (index - 1) % 26;
    s.insert(s.begin(), static_cast<char>('A' + rem));
    index = (index - 1) / 26;
  }
  return s;
}

Result<Table> ParseCsvTable(std::string name, std::string text) {
  std::unique_ptr<csv::Reader> reader = csv::Reader::FromString(std::move(name), std::move(text));
  return FromCsvReader(reader.get());
}

namespace {

// At most two workbooks are unpacked at once in a process, so that simultaneous uploads cannot
// multiply the per-workbook memory bound (internal/xlsx.h).
std::counting_semaphore<2> workbook_slots(2);

struct WorkbookSlot {
  WorkbookSlot() { workbook_slots.acquire(); }
  ~WorkbookSlot() { workbook_slots.release(); }
};

Result<Table> TableOfSheet(const std::string& path, internal::Sheet sheet);

}  // namespace

Result<Table> ReadXlsxTable(const std::string& path) {
  WorkbookSlot slot;
  ASSIGN_OR_RETURN(internal::Sheet sheet, internal::ReadFirstSheet(path));
  return TableOfSheet(path, std::move(sheet));
}

Result<Table> ParseXlsxTable(const std::string& name, std::string_view bytes) {
  WorkbookSlot slot;
  ASSIGN_OR_RETURN(internal::Sheet sheet, internal::ReadFirstSheetFromBytes(name, bytes));
  return TableOfSheet(name, std::move(sheet));
}

namespace {

Result<Table> TableOfSheet(const std::string& path, internal::Sheet sheet) {
  Table table;
  table.name = path;
  bool have_header = false;
  for (internal::SheetRow& r : sheet.rows) {
    if (AllEmpty(r.cells)) continue;
    if (!have_header) {
      for (const std::string& c : r.cells) table.header.emplace_back(csv::TrimSpaces(c));
      while (!table.header.empty() && table.header.back().empty()) table.header.pop_back();
      table.header_row = r.number;
      have_header = true;
      continue;
    }
    TableRow row;
    row.number = r.number;
    row.cells = std::move(r.cells);
    row.cells.resize(table.header.size());
    if (AllEmpty(row.cells)) continue;
    table.rows.push_back(std::move(row));
  }
  if (!have_header)
    return InvalidArgumentError(path + ": the first sheet is empty; expected a header row");
  return table;
}

}  // namespace

Result<Table> ReadTable(const std::string& path) {
  if (EndsWith(path, ".xlsx") || StartsWithZipMagic(path)) return ReadXlsxTable(path);
  ASSIGN_OR_RETURN(std::unique_ptr<csv::Reader> reader, csv::Reader::Open(path));
  return FromCsvReader(reader.get());
}

Result<Table> ParseTable(const std::string& name, std::string bytes) {
  if (EndsWith(name, ".xlsx") ||
      (bytes.size() >= 4 && bytes.compare(0, 4, std::string_view("PK\x03\x04", 4)) == 0)) {
    return ParseXlsxTable(name, bytes);
  }
  return ParseCsvTable(name, std::move(bytes));
}

void Table::AddRow(std::vector<std::string> cells) {
  TableRow r;
  r.number = header_row + static_cast<int64_t>(rows.size()) + 1;
  r.cells = std::move(cells);
  r.cells.resize(header.size());
  rows.push_back(std::move(r));
}

}  // namespace shewhart::imports
