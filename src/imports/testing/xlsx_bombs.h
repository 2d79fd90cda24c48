// For tests only: hostile .xlsx workbooks ("zip bombs") built in memory with libzip — a few KiB
// that unpack to gigabytes if a reader believes them. Link PkgConfig::LIBZIP.
//
// Example:
//   std::string bytes = testing::XlsxWithSheet("<row r=\"1\"><c r=\"ZZZZZ1\" t=\"inlineStr\">...");
#ifndef SHEWHART_IMPORTS_TESTING_XLSX_BOMBS_H_
#define SHEWHART_IMPORTS_TESTING_XLSX_BOMBS_H_

#include <zip.h>

#include <string>
#include <utility>
#include <vector>

namespace shewhart::testing {

// A workbook of the given parts (name -> XML), compressed; returns its bytes ("" on failure).
inline std::string ZipParts(const std::vector<std::pair<std::string, std::string>>& parts) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* out = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_t* z = zip_open_from_source(out, ZIP_TRUNCATE, &error);
  if (z == nullptr) return "";
  zip_source_keep(out);
  for (const auto& [name, xml] : parts) {
    char* copy = static_cast<char*>(malloc(xml.size() + 1));
    std::copy(xml.begin(), xml.end(), copy);
    zip_source_t* s = zip_source_buffer(z, copy, xml.size(), /*freep=*/1);
    zip_file_add(z, name.c_str(), s, ZIP_FL_OVERWRITE);
    zip_set_file_compression(z, zip_name_locate(z, name.c_str(), 0), ZIP_CM_DEFLATE, 9);
  }
  if (zip_close(z) != 0) return "";
  std::string bytes;
  zip_stat_t st;
  if (zip_source_stat(out, &st) == 0 && zip_source_open(out) == 0) {
    bytes.resize(st.size);
    zip_source_read(out, bytes.data(), st.size);
    zip_source_close(out);
  }
  zip_source_free(out);
  zip_error_fini(&error);
  return bytes;
}

// A minimal workbook whose first sheet's <sheetData> is `sheet_data`, with `shared_strings` as
// the <sst> content.
inline std::string XlsxWithSheet(const std::string& sheet_data,
                                 const std::string& shared_strings = "") {
  const std::string ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
  const std::string rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
  std::vector<std::pair<std::string, std::string>> parts = {
      {"xl/workbook.xml", "<workbook xmlns=\"" + ns + "\" xmlns:r=\"" + rel +
                              "\"><sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/>"
                              "</sheets></workbook>"},
      {"xl/_rels/workbook.xml.rels",
       "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
       "<Relationship Id=\"rId1\" Type=\"" +
           rel +
           "/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
           "<Relationship Id=\"rId2\" Type=\"" +
           rel +
           "/sharedStrings\" Target=\"sharedStrings.xml\"/>"
           "</Relationships>"},
      {"xl/worksheets/sheet1.xml",
       "<worksheet xmlns=\"" + ns + "\"><sheetData>" + sheet_data + "</sheetData></worksheet>"},
  };
  if (!shared_strings.empty()) {
    parts.emplace_back("xl/sharedStrings.xml",
                       "<sst xmlns=\"" + ns + "\">" + shared_strings + "</sst>");
  }
  return ZipParts(parts);
}

// The bombs of finding 3: a cell in column ZZZZZ; one huge shared string referenced by many
// cells; a cell at ZZZZZZZZ2; a sheet of many rows with a cell at the last column; a huge tag.
inline std::vector<std::pair<std::string, std::string>> XlsxBombs() {
  const std::string header =
      "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>metric</t></is></c></row>";
  std::vector<std::pair<std::string, std::string>> bombs;
  bombs.emplace_back("column ZZZZZ",
                     XlsxWithSheet(header + "<row r=\"2\"><c r=\"ZZZZZ2\"><v>1</v></c></row>"));
  bombs.emplace_back("column ZZZZZZZZ",
                     XlsxWithSheet(header + "<row r=\"2\"><c r=\"ZZZZZZZZ2\"><v>1</v></c></row>"));
  std::string refs;
  for (int r = 2; r < 2000; ++r) {
    refs += "<row r=\"" + std::to_string(r) + "\"><c r=\"A" + std::to_string(r) +
            "\" t=\"s\"><v>0</v></c><c r=\"B" + std::to_string(r) + "\" t=\"s\"><v>0</v></c></row>";
  }
  bombs.emplace_back(
      "one huge shared string",
      XlsxWithSheet(header + refs, "<si><t>" + std::string(8 << 20, 'a') + "</t></si>"));
  bombs.emplace_back(
      "a shared string just under a cell's limit, referenced everywhere",
      XlsxWithSheet(header + refs, "<si><t>" + std::string(32000, 'a') + "</t></si>"));
  std::string wide;
  for (int r = 2; r < 20000; ++r) {
    wide += "<row r=\"" + std::to_string(r) + "\"><c r=\"XFD" + std::to_string(r) +
            "\"><v>1</v></c></row>";
  }
  bombs.emplace_back("every row to column XFD", XlsxWithSheet(header + wide));
  bombs.emplace_back("one huge tag",
                     XlsxWithSheet(header + "<row r=\"2\"><c r=\"A2\" x=\"" +
                                   std::string(8 << 20, 'a') + "\"><v>1</v></c></row>"));
  std::string empty_rows;
  for (int r = 2; r < 3000000; ++r) empty_rows += "<row/>";
  bombs.emplace_back("millions of empty rows", XlsxWithSheet(header + empty_rows));
  return bombs;
}

}  // namespace shewhart::testing

#endif  // SHEWHART_IMPORTS_TESTING_XLSX_BOMBS_H_
