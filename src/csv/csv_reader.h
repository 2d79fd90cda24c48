// A fast, strict, streaming reader of RFC 4180 CSV files.
//
// The reader pulls a file through a fixed-size buffer (1 MiB by default), so memory stays bounded
// whatever the file size, and hands out one record at a time as string_views into that buffer: no
// allocation per field. Quoted fields are unescaped in place ("" becomes "). It accepts what
// spreadsheets write: a UTF-8 byte-order mark (skipped), CRLF or LF line ends, quoted fields
// containing commas, quotes and line breaks, and a last line without a line end. Blank lines are
// skipped. It rejects, with a message an analyst can act on (FILE:LINE:COLUMN: what was found;
// what was expected): a quote that is never closed, a quote inside an unquoted field, text after a
// closing quote, bytes that are not UTF-8, and rows whose field count differs from the first row
// (the header).
//
// Lines are 1-based physical lines of the file (a quoted line break starts a new line); columns
// are 1-based field numbers.
//
// Thread-compatible: one Reader per thread.
//
// Example:
//   ASSIGN_OR_RETURN(std::unique_ptr<csv::Reader> reader, csv::Reader::Open("in.csv"));
//   for (;;) {
//     csv::Reader::Step step = reader->Next();
//     if (step == csv::Reader::Step::kEnd) break;
//     if (step == csv::Reader::Step::kError) { Report(reader->error()); continue; }
//     const csv::Record& r = reader->record();
//     Use(r.line, r.fields[0]);
//   }
#ifndef SHEWHART_CSV_CSV_READER_H_
#define SHEWHART_CSV_CSV_READER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace shewhart::csv {

struct ReaderOptions {
  // Bytes read from the file at a time.
  size_t block_size = size_t{1} << 20;
  // A single record longer than this is an error (protects memory against a runaway quote).
  size_t max_record_bytes = size_t{256} << 20;
  // Rows whose field count differs from the first record's are errors.
  bool check_field_count = true;
};

// One record. Views point into the reader's buffer: valid until the next call to Next().
struct Record {
  std::span<const std::string_view> fields;  // unescaped field text, in column order
  int64_t line = 0;                          // 1-based line on which the record starts
};

class Reader {
 public:
  enum class Step { kRecord, kEnd, kError };

  // Opens `path` for streaming. IoError if it cannot be opened.
  static Result<std::unique_ptr<Reader>> Open(const std::string& path, ReaderOptions options = {});
  // Reads from `text` (e.g. in tests); `name` stands for the file name in messages.
  static std::unique_ptr<Reader> FromString(std::string name, std::string text,
                                            ReaderOptions options = {});

  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Advances to the next record.
  //   kRecord: record() holds it.
  //   kError:  error() says what is wrong (InvalidArgument for bad CSV, IoError for a failed read).
  //            After a ragged row, a stray quote or a bad byte, the reader skips to the next line
  //            and Next() may be called again; after an unclosed quote or an I/O error, Next()
  //            returns kEnd.
  //   kEnd:    no more records.
  Step Next();

  // REQUIRES: the last Next() returned kRecord.
  const Record& record() const { return record_; }
  // REQUIRES: the last Next() returned kError.
  const Status& error() const { return error_; }

  // The file name used in messages.
  const std::string& name() const { return name_; }
  // Bytes consumed from the source so far (for progress and throughput).
  int64_t bytes_consumed() const;

 private:
  enum class Parse { kComplete, kNeedMore, kError, kFatal };
  struct FieldSpan {
    char* begin;
    uint32_t size;
    bool escaped;  // contains "" pairs to collapse
  };

  Reader(std::string name, ReaderOptions options);
  bool Refill();  // false on I/O error (error_ set)
  Parse ParseRecord();
  Parse Fail(int64_t line, size_t column, std::string what, bool fatal);
  bool SkipToNextLine();

  std::string name_;
  ReaderOptions options_;
  int fd_ = -1;
  std::unique_ptr<char[]> buffer_;
  size_t capacity_ = 0;
  char* pos_ = nullptr;        // start of unparsed data
  char* end_ = nullptr;        // end of valid data
  int64_t buffer_offset_ = 0;  // file offset of buffer_[0]
  bool eof_ = false;
  bool started_ = false;  // BOM check done
  bool fatal_ = false;
  bool skip_line_ = false;  // resynchronise at the next line after an error
  int64_t line_ = 1;        // line of pos_
  size_t expected_fields_ = 0;
  std::vector<FieldSpan> spans_;
  std::vector<std::string_view> fields_;
  Record record_;
  Status error_;
};

// Returns `text` without leading and trailing spaces and tabs.
std::string_view TrimSpaces(std::string_view text);

// Index of the header field equal to `name` after trimming spaces from both; nullopt if none.
std::optional<size_t> FindColumn(std::span<const std::string_view> header, std::string_view name);

// `text` quoted for a CSV file when it needs to be (contains a comma, quote, line break, or
// leading/trailing space), else unchanged; appended to `out`.
void AppendCsvField(std::string_view text, std::string* out);

}  // namespace shewhart::csv

#endif  // SHEWHART_CSV_CSV_READER_H_
