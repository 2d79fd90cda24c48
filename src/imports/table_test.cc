// Reading CSV and .xlsx files into rows, and the cell checks. The .xlsx files are written by the
// test itself with libxlsxwriter (shared strings, inline strings, dates, blanks, booleans).
#include "imports/table.h"

#include <unistd.h>
#include <xlsxwriter.h>

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "imports/internal/xlsx.h"
#include "imports/problems.h"
#include "base/text_checks.h"
#include "imports/testing/xlsx_bombs.h"

namespace shewhart::imports {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

fs::path TempPath(const std::string& name) {
  return fs::temp_directory_path() / ("shewhart-table-" + std::to_string(getpid()) + "-" + name);
}

// Writes a sheet like an analyst's: a title-less header in row 1, dates formatted as dates,
// numbers, a blank cell, a boolean, a bad number, and an empty row.
void WriteWorkbook(const fs::path& path, bool constant_memory) {
  lxw_workbook_options options = {};
  options.constant_memory = constant_memory ? LXW_TRUE : LXW_FALSE;
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &options);
  ASSERT_NE(wb, nullptr);
  lxw_worksheet* ws = workbook_add_worksheet(wb, "Returns");
  lxw_format* date = workbook_add_format(wb);
  format_set_num_format(date, "dd/mm/yyyy");
  lxw_format* pct = workbook_add_format(wb);
  format_set_num_format(pct, "0.0%");
  const char* header[] = {"metric", "unit", "period", "value", "flag"};
  for (int c = 0; c < 5; ++c) worksheet_write_string(ws, 0, c, header[c], nullptr);
  lxw_datetime d1 = {2024, 1, 1, 0, 0, 0};
  lxw_datetime d2 = {2024, 2, 1, 0, 0, 0};
  worksheet_write_string(ws, 1, 0, "CDIFF", nullptr);
  worksheet_write_string(ws, 1, 1, "RAA", nullptr);
  worksheet_write_datetime(ws, 1, 2, &d1, date);
  worksheet_write_number(ws, 1, 3, 4, nullptr);
  worksheet_write_boolean(ws, 1, 4, 1, nullptr);
  // Row 3: value left blank (no cell), then a formatted-but-empty cell.
  worksheet_write_string(ws, 2, 0, "CDIFF", nullptr);
  worksheet_write_string(ws, 2, 1, "RAA", nullptr);
  worksheet_write_datetime(ws, 2, 2, &d2, date);
  worksheet_write_blank(ws, 2, 4, date);
  // Row 4 empty; row 5: a percentage-formatted number (not a date) and a bad value.
  worksheet_write_string(ws, 4, 0, "FFT", nullptr);
  worksheet_write_string(ws, 4, 1, "RBB", nullptr);
  worksheet_write_string(ws, 4, 2, "2024-03-01", nullptr);
  worksheet_write_number(ws, 4, 3, 0.875, pct);
  worksheet_write_string(ws, 4, 4, "n/a", nullptr);
  ASSERT_EQ(workbook_close(wb), LXW_NO_ERROR);
}

class XlsxTest : public ::testing::TestWithParam<bool> {};

TEST_P(XlsxTest, ReadsTheFirstSheetAsText) {
  const fs::path path = TempPath(GetParam() ? "inline.xlsx" : "shared.xlsx");
  WriteWorkbook(path, GetParam());
  Result<Table> t = ReadTable(path.string());
  fs::remove(path);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_THAT(t->header, ElementsAre("metric", "unit", "period", "value", "flag"));
  ASSERT_EQ(t->rows.size(), 3u);  // the empty row 4 is skipped
  EXPECT_EQ(t->rows[0].number, 2);
  EXPECT_THAT(t->rows[0].cells, ElementsAre("CDIFF", "RAA", "2024-01-01", "4", "TRUE"));
  EXPECT_EQ(t->rows[1].number, 3);
  EXPECT_THAT(t->rows[1].cells, ElementsAre("CDIFF", "RAA", "2024-02-01", "", ""));
  EXPECT_EQ(t->rows[2].number, 5);
  EXPECT_THAT(t->rows[2].cells, ElementsAre("FFT", "RBB", "2024-03-01", "0.875", "n/a"));
}

INSTANTIATE_TEST_SUITE_P(SharedAndInlineStrings, XlsxTest, ::testing::Bool());

// Finding 3: .xlsx bombs took the server to gigabytes and threw bad_alloc. Each is refused with
// InvalidArgument, quickly, and the workbook's unpacked size never passes the bound.
TEST(XlsxBombTest, EveryBombIsRefusedWithinTheBound) {
  for (const auto& [name, bytes] : testing::XlsxBombs()) {
    ASSERT_FALSE(bytes.empty()) << name;
    EXPECT_LT(bytes.size(), 1u << 20) << name;  // small on the wire
    Result<Table> t = ParseXlsxTable("bomb.xlsx", bytes);
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument)
        << name << ": " << t.status().ToString();
  }
  // An ordinary workbook from the same builder reads.
  Result<Table> ok = ParseXlsxTable(
      "ok.xlsx", testing::XlsxWithSheet(
                     "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>metric</t></is></c></row>"
                     "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c></row>",
                     "<si><t>AE4H</t></si>"));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  ASSERT_EQ(ok->rows.size(), 1u);
  EXPECT_EQ(ok->rows[0].cells[0], "AE4H");
}

TEST(XlsxFileTest, NotAWorkbookIsInvalidArgument) {
  const fs::path path = TempPath("fake.xlsx");
  { std::ofstream(path) << "metric,unit\n"; }
  Result<Table> t = ReadTable(path.string());
  fs::remove(path);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
}

TEST(XlsxFileTest, SerialDatesInBothDateSystems) {
  // Published anchors: serial 45292 is 2024-01-01 (1900 system); 1 is 1900-01-01; 60 is
  // Excel's fictitious 1900-02-29, 61 is 1900-03-01; in the 1904 system 0 is 1904-01-01 and
  // 43830 is 2024-01-01.
  EXPECT_EQ(internal::SerialToIsoDate(45292, false), "2024-01-01");
  EXPECT_EQ(internal::SerialToIsoDate(1, false), "1900-01-01");
  EXPECT_EQ(internal::SerialToIsoDate(61, false), "1900-03-01");
  EXPECT_EQ(internal::SerialToIsoDate(0, true), "1904-01-01");
  EXPECT_EQ(internal::SerialToIsoDate(43830, true), "2024-01-01");
  EXPECT_EQ(internal::SerialToIsoDate(45292.5, false), "2024-01-01T12:00:00");
}

TEST(XlsxFileTest, DateFormats) {
  EXPECT_TRUE(internal::IsDateFormat(14, ""));
  EXPECT_TRUE(internal::IsDateFormat(164, "dd/mm/yyyy"));
  EXPECT_TRUE(internal::IsDateFormat(165, "[$-809]d mmmm yyyy"));
  EXPECT_FALSE(internal::IsDateFormat(10, ""));  // 0.00%
  EXPECT_FALSE(internal::IsDateFormat(166, "0.0%"));
  EXPECT_FALSE(internal::IsDateFormat(167, "[Red]#,##0"));
  EXPECT_FALSE(internal::IsDateFormat(168, "\"days\" 0"));
}

TEST(CsvTableTest, RowsKeepTheirLineNumbers) {
  Result<Table> t = ParseCsvTable("x.csv", "metric,unit\n\nA,B\n\"C\nD\",E\nF,G\n");
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->rows.size(), 3u);
  EXPECT_EQ(t->rows[0].number, 3);
  EXPECT_EQ(t->rows[1].number, 4);
  EXPECT_EQ(t->rows[2].number, 6);
  EXPECT_EQ(t->Column("UNIT"), 1u);
}

TEST(CsvTableTest, MalformedCsvListsEveryProblem) {
  Result<Table> t = ParseCsvTable("x.csv", "a,b\n1,2,3\n4\"x,5\n");
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("2 problems"));
}

TEST(TextChecksTest, NhsNumbers) {
  EXPECT_TRUE(IsValidNhsNumber("9434765919"));
  EXPECT_FALSE(IsValidNhsNumber("9434765918"));  // wrong check digit
  EXPECT_FALSE(IsValidNhsNumber("1234567890"));  // check digit would be 10: never valid
  EXPECT_TRUE(ContainsNhsNumber("seen 943 476 5919 today"));
  EXPECT_TRUE(ContainsNhsNumber("943-476-5919"));
  EXPECT_TRUE(ContainsNhsNumber("id:9434765919."));
  EXPECT_FALSE(ContainsNhsNumber("94347659190"));  // part of a longer number
  EXPECT_FALSE(ContainsNhsNumber("943 476 5918"));
  EXPECT_FALSE(ContainsNhsNumber("ward 10, bed 12"));
}

TEST(TextChecksTest, Numbers) {
  EXPECT_EQ(ParseNumber(" 12.5 "), 12.5);
  EXPECT_EQ(ParseNumber("-3"), -3.0);
  EXPECT_EQ(ParseNumber("1e3"), 1000.0);
  for (const char* bad : {"", "NA", "12,5", "5%", "inf", "nan", "1.2.3", "0x10"}) {
    EXPECT_FALSE(ParseNumber(bad).has_value()) << bad;
  }
  EXPECT_EQ(FormatNumber(0.1), "0.1");
  EXPECT_EQ(FormatNumber(21289), "21289");
  EXPECT_EQ(ParseNumber(FormatNumber(1.0 / 3)), 1.0 / 3);
}

TEST(ProblemsTest, FormatsRowAndColumn) {
  Problems p(2);
  p.Add(3, "value", "bad");
  p.Add(4, "", "dup");
  p.Add(5, "unit", "unknown");
  EXPECT_EQ(p.count(), 3u);
  EXPECT_EQ(p.Format(), "  row 3, column value: bad\n  row 4: dup\n  ... and 1 more problem\n");
  EXPECT_THAT(p.ToStatus("f.csv").message(), HasSubstr("f.csv: 3 problems; nothing was imported"));
}

}  // namespace
}  // namespace shewhart::imports
