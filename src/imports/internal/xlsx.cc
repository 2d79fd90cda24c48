#include "imports/internal/xlsx.h"

#include <expat.h>
#include <zip.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string_view>
#include <utility>

#include "base/date.h"
#include "base/text_checks.h"

namespace shewhart::imports::internal {
namespace {

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};
struct ParserFree {
  void operator()(XML_Parser p) const { XML_ParserFree(p); }
};

// Element and attribute names without a namespace prefix ("x:c" -> "c").
std::string_view Local(const XML_Char* name) {
  std::string_view s(name);
  const size_t colon = s.rfind(':');
  return colon == std::string_view::npos ? s : s.substr(colon + 1);
}

const char* Attr(const XML_Char** atts, std::string_view name) {
  for (int i = 0; atts[i] != nullptr; i += 2) {
    if (Local(atts[i]) == name) return atts[i + 1];
  }
  return nullptr;
}

// The memory one workbook may take once unpacked: every kept cell counts its text plus the slot
// it occupies, every shared string its text. A workbook over it is refused, not truncated.
struct Budget {
  size_t used = 0;
  std::string error;  // set once the workbook broke a limit
  bool Take(size_t bytes) {
    used += bytes;
    if (used > kMaxWorkbookBytes && error.empty()) {
      error = "the workbook is too large once unpacked (over " +
              std::to_string(kMaxWorkbookBytes >> 20) + " MiB of cells)";
    }
    return error.empty();
  }
};

// Base class for the streaming handlers: subclasses override Start/End/Text.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual void Start(std::string_view name, const XML_Char** atts) = 0;
  virtual void End(std::string_view name) = 0;
  virtual void Text(std::string_view text) { (void)text; }
  Budget* budget = nullptr;        // set by ReadFirstSheet
  XML_Parser parser = nullptr;     // set by Stream
  uint64_t last_event_offset = 0;  // byte offset of the last event, to bound unparsed tokens
  void Mark() {
    const XML_Index at = XML_GetCurrentByteIndex(parser);
    if (at >= 0) last_event_offset = static_cast<uint64_t>(at);
  }
};

void XMLCALL OnStart(void* data, const XML_Char* name, const XML_Char** atts) {
  static_cast<Handler*>(data)->Mark();
  static_cast<Handler*>(data)->Start(Local(name), atts);
}
void XMLCALL OnEnd(void* data, const XML_Char* name) {
  static_cast<Handler*>(data)->Mark();
  static_cast<Handler*>(data)->End(Local(name));
}
void XMLCALL OnText(void* data, const XML_Char* s, int len) {
  static_cast<Handler*>(data)->Mark();
  static_cast<Handler*>(data)->Text(std::string_view(s, static_cast<size_t>(len)));
}

// Streams the zip entry `entry` through `handler`. NotFound if the entry is absent.
Status Stream(zip_t* zip, const std::string& path, const std::string& entry, Handler* handler) {
  std::unique_ptr<zip_file_t, ZipFileCloser> file(zip_fopen(zip, entry.c_str(), 0));
  if (file == nullptr) return NotFoundError(path + ": the workbook has no part " + entry);
  std::unique_ptr<XML_ParserStruct, ParserFree> parser(XML_ParserCreate("UTF-8"));
  XML_SetUserData(parser.get(), handler);
  handler->parser = parser.get();
  handler->last_event_offset = 0;
  XML_SetElementHandler(parser.get(), OnStart, OnEnd);
  XML_SetCharacterDataHandler(parser.get(), OnText);
  std::unique_ptr<char[]> buf(new char[1 << 16]);
  uint64_t fed = 0;
  for (;;) {
    const zip_int64_t n = zip_fread(file.get(), buf.get(), 1 << 16);
    if (n < 0) return InvalidArgumentError(path + ": cannot read " + entry + " (damaged file?)");
    const bool last = n == 0;
    fed += static_cast<uint64_t>(n);
    if (fed > kMaxPartBytes) {
      return InvalidArgumentError(path + ": " + entry + " is too large once unpacked (over " +
                                  std::to_string(kMaxPartBytes >> 20) + " MiB)");
    }
    const XML_Status parsed = XML_Parse(parser.get(), buf.get(), static_cast<int>(n), last);
    if (handler->budget != nullptr && !handler->budget->error.empty()) {
      return InvalidArgumentError(path + ": " + handler->budget->error);
    }
    // expat keeps an unfinished tag in memory: one that grows past a few MiB is an attack, not a
    // spreadsheet.
    if (parsed != XML_STATUS_ERROR && fed - handler->last_event_offset > kMaxTokenBytes) {
      return InvalidArgumentError(path + ": " + entry + " has an XML element over " +
                                  std::to_string(kMaxTokenBytes >> 20) + " MiB");
    }
    if (parsed == XML_STATUS_ERROR) {
      return InvalidArgumentError(path + ": " + entry + " is not valid XML (line " +
                                  std::to_string(XML_GetCurrentLineNumber(parser.get())) + ": " +
                                  XML_ErrorString(XML_GetErrorCode(parser.get())) + ")");
    }
    if (last) break;
  }
  return Status::Ok();
}

// xl/workbook.xml: the first sheet's relationship id and the date system.
class WorkbookHandler : public Handler {
 public:
  void Start(std::string_view name, const XML_Char** atts) override {
    if (name == "workbookPr") {
      const char* d = Attr(atts, "date1904");
      if (d != nullptr && (std::strcmp(d, "1") == 0 || std::strcmp(d, "true") == 0)) {
        date1904 = true;
      }
    } else if (name == "sheet" && rel_id.empty()) {
      const char* id = Attr(atts, "id");
      const char* n = Attr(atts, "name");
      if (id != nullptr) rel_id = id;
      if (n != nullptr) sheet_name = n;
    }
  }
  void End(std::string_view) override {}
  bool date1904 = false;
  std::string rel_id;
  std::string sheet_name;
};

// xl/_rels/workbook.xml.rels: relationship id -> target; and the shared strings / styles parts.
class RelsHandler : public Handler {
 public:
  void Start(std::string_view name, const XML_Char** atts) override {
    if (name != "Relationship") return;
    const char* id = Attr(atts, "Id");
    const char* target = Attr(atts, "Target");
    const char* type = Attr(atts, "Type");
    if (id == nullptr || target == nullptr) return;
    targets[id] = target;
    if (type != nullptr) {
      std::string_view t(type);
      if (t.ends_with("/sharedStrings")) shared_strings = target;
      if (t.ends_with("/styles")) styles = target;
    }
  }
  void End(std::string_view) override {}
  std::map<std::string, std::string> targets;
  std::string shared_strings;
  std::string styles;
};

// xl/sharedStrings.xml: the text of each <si>, runs concatenated, phonetic runs ignored.
class SharedStringsHandler : public Handler {
 public:
  void Start(std::string_view name, const XML_Char**) override {
    if (name == "si") {
      current.clear();
    } else if (name == "t" && rph_depth == 0) {
      in_t = true;
    } else if (name == "rPh") {
      ++rph_depth;
    }
  }
  void End(std::string_view name) override {
    if (name == "si") {
      if (budget != nullptr) budget->Take(current.size() + sizeof(std::string));
      strings.push_back(std::move(current));
      current.clear();
    } else if (name == "t") {
      in_t = false;
    } else if (name == "rPh") {
      --rph_depth;
    }
  }
  void Text(std::string_view text) override {
    if (!in_t) return;
    if (current.size() + text.size() > kMaxCellChars) {
      if (budget != nullptr && budget->error.empty()) {
        budget->error = "a shared string is longer than Excel's limit of " +
                        std::to_string(kMaxCellChars) + " characters";
      }
      return;
    }
    current.append(text);
  }
  std::vector<std::string> strings;

 private:
  std::string current;
  bool in_t = false;
  int rph_depth = 0;
};

// xl/styles.xml: which cell formats (cellXfs index) display dates.
class StylesHandler : public Handler {
 public:
  void Start(std::string_view name, const XML_Char** atts) override {
    if (name == "numFmt") {
      const char* id = Attr(atts, "numFmtId");
      const char* code = Attr(atts, "formatCode");
      if (id != nullptr && code != nullptr) custom[std::atoi(id)] = code;
    } else if (name == "cellXfs") {
      in_cell_xfs = true;
    } else if (name == "xf" && in_cell_xfs) {
      const char* id = Attr(atts, "numFmtId");
      const int fmt = id == nullptr ? 0 : std::atoi(id);
      xf_fmt.push_back(fmt);
    }
  }
  void End(std::string_view name) override {
    if (name == "cellXfs") in_cell_xfs = false;
  }
  std::vector<bool> DateStyles() const {
    std::vector<bool> out;
    for (const int fmt : xf_fmt) {
      const auto it = custom.find(fmt);
      out.push_back(IsDateFormat(fmt, it == custom.end() ? std::string() : it->second));
    }
    return out;
  }

 private:
  std::map<int, std::string> custom;
  std::vector<int> xf_fmt;
  bool in_cell_xfs = false;
};

// Column index (0-based) and row of a reference like "AB12"; false if malformed.
bool ParseRef(std::string_view ref, size_t* col, int64_t* row) {
  size_t i = 0, c = 0;
  while (i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z') {
    if (i >= 3) return false;  // beyond XFD, Excel's last column
    c = c * 26 + (ref[i++] - 'A' + 1);
  }
  if (i == 0 || c == 0) return false;
  int64_t r = 0;
  const size_t digits_start = i;
  while (i < ref.size() && ref[i] >= '0' && ref[i] <= '9') {
    if (i - digits_start >= 7) return false;  // beyond row 1,048,576
    r = r * 10 + (ref[i++] - '0');
  }
  if (i != ref.size() || i == digits_start) return false;
  *col = c - 1;
  *row = r;
  return true;
}

// The worksheet: rows of cells converted to text.
class SheetHandler : public Handler {
 public:
  SheetHandler(const std::vector<std::string>* shared, const std::vector<bool>* date_styles,
               bool date1904, std::vector<SheetRow>* rows)
      : shared_(shared), date_styles_(date_styles), date1904_(date1904), rows_(rows) {}

  void Start(std::string_view name, const XML_Char** atts) override {
    if (failed()) return;
    if (name == "row") {
      const char* r = Attr(atts, "r");
      row_number_ = r != nullptr ? std::atoll(r) : row_number_ + 1;
      if (budget != nullptr && !budget->Take(sizeof(SheetRow))) return;
      rows_->push_back(SheetRow{row_number_, {}});
      next_col_ = 0;
    } else if (name == "c") {
      const char* ref = Attr(atts, "r");
      size_t col = next_col_;
      int64_t row = 0;
      if (ref != nullptr && !ParseRef(ref, &col, &row)) {
        Fail(std::string("cell reference \"") + std::string(ref).substr(0, 16) +
             "\" is outside Excel's sheet (columns A to XFD, rows 1 to 1048576)");
        return;
      }
      if (col >= kMaxColumns) {
        Fail("a cell is in column " + std::to_string(col + 1) + "; Shewhart reads columns A to " +
             "XFD (16384) only");
        return;
      }
      if (ref != nullptr) {
        if (rows_->empty() || row != rows_->back().number) {
          // A cell outside its <row>: tolerate by starting that row.
          row_number_ = row;
          if (budget != nullptr && !budget->Take(sizeof(SheetRow))) return;
          rows_->push_back(SheetRow{row, {}});
        }
      }
      if (rows_->empty()) rows_->push_back(SheetRow{++row_number_, {}});
      col_ = col;
      next_col_ = col + 1;
      const char* t = Attr(atts, "t");
      type_ = t != nullptr ? t : "n";
      const char* s = Attr(atts, "s");
      style_ = s != nullptr ? std::atoi(s) : 0;
      value_.clear();
      in_cell_ = true;
    } else if (in_cell_ && (name == "v" || (name == "t" && type_ == "inlineStr"))) {
      in_text_ = true;
    }
  }

  void End(std::string_view name) override {
    if (name == "v" || name == "t") {
      in_text_ = false;
    } else if (name == "c" && in_cell_) {
      in_cell_ = false;
      if (failed()) return;
      std::vector<std::string>& cells = rows_->back().cells;
      std::string text = Convert();
      if (text.empty() && col_ >= cells.size()) return;  // an empty cell adds nothing
      size_t cost = text.size();
      if (cells.size() <= col_) cost += (col_ + 1 - cells.size()) * sizeof(std::string);
      if (budget != nullptr && !budget->Take(cost)) return;
      if (cells.size() <= col_) cells.resize(col_ + 1);
      cells[col_] = std::move(text);
    }
  }

  void Text(std::string_view text) override {
    if (!in_text_ || failed()) return;
    if (value_.size() + text.size() > kMaxCellChars) {
      Fail("a cell holds more than Excel's limit of " + std::to_string(kMaxCellChars) +
           " characters");
      return;
    }
    value_.append(text);
  }

 private:
  bool failed() const { return budget != nullptr && !budget->error.empty(); }
  void Fail(std::string message) {
    if (budget != nullptr && budget->error.empty()) budget->error = std::move(message);
  }

  std::string Convert() const {
    if (type_ == "s") {
      const long idx = std::atol(value_.c_str());
      if (idx < 0 || static_cast<size_t>(idx) >= shared_->size()) return std::string();
      return (*shared_)[static_cast<size_t>(idx)];
    }
    if (type_ == "inlineStr" || type_ == "str" || type_ == "e" || type_ == "d") return value_;
    if (type_ == "b") return value_ == "1" ? "TRUE" : "FALSE";
    // A number.
    if (value_.empty()) return value_;
    const std::optional<double> v = ParseNumber(value_);
    if (!v) return value_;
    if (style_ >= 0 && static_cast<size_t>(style_) < date_styles_->size() &&
        (*date_styles_)[static_cast<size_t>(style_)]) {
      return SerialToIsoDate(*v, date1904_);
    }
    return FormatNumber(*v);
  }

  const std::vector<std::string>* shared_;
  const std::vector<bool>* date_styles_;
  bool date1904_;
  std::vector<SheetRow>* rows_;
  int64_t row_number_ = 0;
  size_t next_col_ = 0;
  size_t col_ = 0;
  std::string type_;
  int style_ = 0;
  std::string value_;
  bool in_cell_ = false;
  bool in_text_ = false;
};

// "worksheets/sheet1.xml" relative to xl/, or "/xl/worksheets/sheet1.xml" absolute.
std::string PartPath(const std::string& target) {
  if (!target.empty() && target[0] == '/') return target.substr(1);
  std::string t = target;
  std::string base = "xl/";
  while (t.rfind("../", 0) == 0) {
    t = t.substr(3);
    base.clear();
  }
  return base + t;
}

}  // namespace

bool IsDateFormat(int id, const std::string& code) {
  if ((id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) ||
      (id >= 50 && id <= 58)) {
    return true;
  }
  if (code.empty()) return false;
  // A custom format is a date if, outside quoted text, escapes and [..] sections, it uses a
  // day, month-with-day/year, year, hour or second token.
  bool in_quote = false, in_bracket = false;
  for (size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (in_quote) {
      if (c == '"') in_quote = false;
      continue;
    }
    if (in_bracket) {
      if (c == ']') in_bracket = false;
      continue;
    }
    if (c == '"') {
      in_quote = true;
    } else if (c == '[') {
      in_bracket = true;
    } else if (c == '\\' || c == '_' || c == '*') {
      ++i;
    } else if (c == 'd' || c == 'D' || c == 'y' || c == 'Y' || c == 'h' || c == 'H' || c == 's' ||
               c == 'S' || c == 'm' || c == 'M') {
      return true;
    }
  }
  return false;
}

std::string SerialToIsoDate(double serial, bool date1904) {
  double whole = std::floor(serial);
  const double frac = serial - whole;
  int64_t days = static_cast<int64_t>(whole);
  Date base;
  if (date1904) {
    base = DaysFromCivil(1904, 1, 1);
  } else {
    // Excel's 1900 system counts a non-existent 1900-02-29 as day 60.
    base = days >= 61 ? DaysFromCivil(1899, 12, 30) : DaysFromCivil(1899, 12, 31);
  }
  std::string out = FormatIsoDate(static_cast<Date>(base + days));
  int64_t secs = std::llround(frac * 86400.0);
  if (secs > 0 && secs < 86400) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "T%02d:%02d:%02d", static_cast<int>(secs / 3600),
                  static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
    out += buf;
  }
  return out;
}

namespace {

Result<Sheet> ReadOpenedWorkbook(zip_t* zip, const std::string& path) {
  Budget budget;
  WorkbookHandler wb;
  Status st = Stream(zip, path, "xl/workbook.xml", &wb);
  if (!st.ok()) return InvalidArgumentError(path + ": not an Excel workbook: " + st.message());
  RelsHandler rels;
  RETURN_IF_ERROR(Stream(zip, path, "xl/_rels/workbook.xml.rels", &rels));
  std::string sheet_part = "xl/worksheets/sheet1.xml";
  if (auto it = rels.targets.find(wb.rel_id); it != rels.targets.end()) {
    sheet_part = PartPath(it->second);
  }
  SharedStringsHandler shared;
  shared.budget = &budget;
  const std::string ss_part =
      rels.shared_strings.empty() ? "xl/sharedStrings.xml" : PartPath(rels.shared_strings);
  st = Stream(zip, path, ss_part, &shared);
  if (!st.ok() && st.code() != StatusCode::kNotFound) return st;
  StylesHandler styles;
  const std::string st_part = rels.styles.empty() ? "xl/styles.xml" : PartPath(rels.styles);
  st = Stream(zip, path, st_part, &styles);
  if (!st.ok() && st.code() != StatusCode::kNotFound) return st;
  const std::vector<bool> date_styles = styles.DateStyles();

  Sheet sheet;
  sheet.name = wb.sheet_name;
  SheetHandler handler(&shared.strings, &date_styles, wb.date1904, &sheet.rows);
  handler.budget = &budget;
  st = Stream(zip, path, sheet_part, &handler);
  if (!st.ok()) return InvalidArgumentError(st.message());
  return sheet;
}

}  // namespace

Result<Sheet> ReadFirstSheet(const std::string& path) {
  int err = 0;
  std::unique_ptr<zip_t, ZipCloser> zip(zip_open(path.c_str(), ZIP_RDONLY, &err));
  if (zip == nullptr) {
    if (err == ZIP_ER_OPEN || err == ZIP_ER_READ) {
      return IoError(path + ": cannot open the file: " + std::strerror(errno));
    }
    return InvalidArgumentError(path + ": not a readable Excel workbook (.xlsx is a zip file)");
  }
  return ReadOpenedWorkbook(zip.get(), path);
}

Result<Sheet> ReadFirstSheetFromBytes(const std::string& name, std::string_view bytes) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (source == nullptr) {
    zip_error_fini(&error);
    return InternalError("libzip could not wrap an upload: " + name);
  }
  zip_t* raw = zip_open_from_source(source, ZIP_RDONLY, &error);
  zip_error_fini(&error);
  if (raw == nullptr) {
    zip_source_free(source);
    return InvalidArgumentError(name + ": not a readable Excel workbook (.xlsx is a zip file)");
  }
  std::unique_ptr<zip_t, ZipCloser> zip(raw);  // owns the source from here
  return ReadOpenedWorkbook(zip.get(), name);
}

}  // namespace shewhart::imports::internal
