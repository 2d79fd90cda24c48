#include "csv/csv_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace shewhart::csv {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Parsed {
  std::vector<std::vector<std::string>> rows;
  std::vector<int64_t> lines;
  std::vector<std::string> errors;
};

Parsed ReadAll(Reader* reader) {
  Parsed out;
  for (;;) {
    const Reader::Step step = reader->Next();
    if (step == Reader::Step::kEnd) break;
    if (step == Reader::Step::kError) {
      out.errors.push_back(reader->error().message());
      continue;
    }
    std::vector<std::string> row;
    for (std::string_view f : reader->record().fields) row.emplace_back(f);
    out.rows.push_back(std::move(row));
    out.lines.push_back(reader->record().line);
  }
  return out;
}

Parsed ParseText(const std::string& text, ReaderOptions options = {}) {
  return ReadAll(Reader::FromString("in.csv", text, options).get());
}

// Writes `text` to a temporary file and streams it with a tiny block size, so every record
// boundary case also crosses a buffer refill.
Parsed ParseFile(const std::string& text, size_t block_size) {
  char path[] = "/tmp/csv_reader_testXXXXXX";
  const int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
  ReaderOptions options;
  options.block_size = block_size;
  Result<std::unique_ptr<Reader>> reader = Reader::Open(path, options);
  EXPECT_TRUE(reader.ok());
  Parsed out = ReadAll(reader->get());
  unlink(path);
  return out;
}

TEST(CsvReaderTest, PlainLfFile) {
  Parsed p = ParseText("a,b,c\n1,2,3\n4,5,6\n");
  ASSERT_TRUE(p.errors.empty());
  ASSERT_EQ(p.rows.size(), 3u);
  EXPECT_THAT(p.rows[1], ElementsAre("1", "2", "3"));
  EXPECT_THAT(p.lines, ElementsAre(1, 2, 3));
}

TEST(CsvReaderTest, CrlfAndFinalLineWithoutNewline) {
  Parsed p = ParseText("a,b\r\n1,2\r\n3,4");
  ASSERT_TRUE(p.errors.empty());
  ASSERT_EQ(p.rows.size(), 3u);
  EXPECT_THAT(p.rows[1], ElementsAre("1", "2"));
  EXPECT_THAT(p.rows[2], ElementsAre("3", "4"));
}

TEST(CsvReaderTest, BomIsSkipped) {
  Parsed p = ParseText("\xEF\xBB\xBFseries,value\nA,1\n");
  ASSERT_TRUE(p.errors.empty());
  EXPECT_THAT(p.rows[0], ElementsAre("series", "value"));
}

TEST(CsvReaderTest, QuotedFieldsWithCommasQuotesAndNewlines) {
  Parsed p =
      ParseText("name,note\n\"Smith, J\",\"said \"\"hi\"\"\"\n\"two\nlines\",x\nlast,\"\"\n");
  ASSERT_TRUE(p.errors.empty()) << p.errors[0];
  ASSERT_EQ(p.rows.size(), 4u);
  EXPECT_THAT(p.rows[1], ElementsAre("Smith, J", "said \"hi\""));
  EXPECT_THAT(p.rows[2], ElementsAre("two\nlines", "x"));
  EXPECT_THAT(p.rows[3], ElementsAre("last", ""));
  // The record after a quoted line break starts on line 5.
  EXPECT_THAT(p.lines, ElementsAre(1, 2, 3, 5));
}

TEST(CsvReaderTest, EmptyFieldsAndTrailingComma) {
  Parsed p = ParseText("a,b,c\n,,\n1,,3");
  ASSERT_TRUE(p.errors.empty());
  EXPECT_THAT(p.rows[1], ElementsAre("", "", ""));
  EXPECT_THAT(p.rows[2], ElementsAre("1", "", "3"));
}

TEST(CsvReaderTest, TrailingCommaAtEndOfFileMakesAnEmptyField) {
  Parsed p = ParseText("a,b\n1,");
  ASSERT_TRUE(p.errors.empty());
  EXPECT_THAT(p.rows[1], ElementsAre("1", ""));
}

TEST(CsvReaderTest, BlankLinesAreSkipped) {
  Parsed p = ParseText("a\n\n1\r\n\r\n2\n\n");
  ASSERT_TRUE(p.errors.empty());
  ASSERT_EQ(p.rows.size(), 3u);
  EXPECT_THAT(p.lines, ElementsAre(1, 3, 5));
}

TEST(CsvReaderTest, EmptyInputHasNoRecords) {
  EXPECT_TRUE(ParseText("").rows.empty());
  EXPECT_TRUE(ParseText("\xEF\xBB\xBF").rows.empty());
}

TEST(CsvReaderTest, ValidUtf8IsAccepted) {
  Parsed p = ParseText("name\nSt Thomas\xE2\x80\x99s\n\"Caf\xC3\xA9\"\n\xF0\x9F\x98\x80\n");
  ASSERT_TRUE(p.errors.empty());
  EXPECT_EQ(p.rows[1][0], "St Thomas\xE2\x80\x99s");
  EXPECT_EQ(p.rows[2][0], "Caf\xC3\xA9");
}

TEST(CsvReaderTest, UnterminatedQuoteIsFatal) {
  Parsed p = ParseText("a,b\n1,\"open\n2,3\n");
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_THAT(p.errors[0], HasSubstr("in.csv:2:2: a quoted field that is never closed"));
  EXPECT_THAT(p.errors[0], HasSubstr("expected a closing double quote"));
  EXPECT_EQ(p.rows.size(), 1u);
}

TEST(CsvReaderTest, QuoteInsideUnquotedFieldThenRecovers) {
  Parsed p = ParseText("a,b\n1,say \"x\"\n2,3\n");
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_THAT(p.errors[0], HasSubstr("in.csv:2:2: a double quote inside a field"));
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_THAT(p.rows[1], ElementsAre("2", "3"));
  EXPECT_EQ(p.lines[1], 3);
}

TEST(CsvReaderTest, TextAfterClosingQuote) {
  Parsed p = ParseText("a,b\n\"x\"y,1\n2,3\n");
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_THAT(p.errors[0], HasSubstr("in.csv:2:1: text 'y' after the closing double quote"));
  EXPECT_THAT(p.errors[0], HasSubstr("expected a comma or the end of the line"));
  EXPECT_EQ(p.rows.size(), 2u);
}

TEST(CsvReaderTest, InvalidUtf8NamesTheByte) {
  Parsed p = ParseText("a,b\n1,Caf\xE9\n2,\"\xFF\"\n3,4\n");
  ASSERT_EQ(p.errors.size(), 2u);
  EXPECT_THAT(p.errors[0], HasSubstr("in.csv:2:2: byte 0xE9"));
  EXPECT_THAT(p.errors[0], HasSubstr("not valid UTF-8"));
  EXPECT_THAT(p.errors[1], HasSubstr("in.csv:3:2: byte 0xFF"));
  EXPECT_EQ(p.rows.size(), 2u);
}

TEST(CsvReaderTest, OverlongAndSurrogateUtf8AreRejected) {
  EXPECT_EQ(ParseText("a\n\xC0\xAF\n").errors.size(), 1u);          // overlong '/'
  EXPECT_EQ(ParseText("a\n\xED\xA0\x80\n").errors.size(), 1u);      // surrogate
  EXPECT_EQ(ParseText("a\n\xF4\x90\x80\x80\n").errors.size(), 1u);  // > U+10FFFF
  EXPECT_EQ(ParseText("a\n\xE2\x80").errors.size(), 1u);            // truncated at the end
}

TEST(CsvReaderTest, RaggedRowsAreReportedAndSkipped) {
  Parsed p = ParseText("a,b,c\n1,2\n1,2,3,4\n5,6,7\n");
  ASSERT_EQ(p.errors.size(), 2u);
  EXPECT_THAT(p.errors[0], HasSubstr("in.csv:2:2: a row with 2 fields; expected 3 fields"));
  EXPECT_THAT(p.errors[1], HasSubstr("in.csv:3:4: a row with 4 fields; expected 3 fields"));
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_THAT(p.rows[1], ElementsAre("5", "6", "7"));
}

TEST(CsvReaderTest, RaggedRowsAllowedWhenCheckIsOff) {
  ReaderOptions options;
  options.check_field_count = false;
  Parsed p = ParseText("a,b,c\n1,2\n", options);
  EXPECT_TRUE(p.errors.empty());
  EXPECT_EQ(p.rows[1].size(), 2u);
}

TEST(CsvReaderTest, StreamingAcrossTinyBlocksMatchesInMemory) {
  std::string text = "\xEF\xBB\xBFseries,date,value\r\n";
  for (int i = 0; i < 500; ++i) {
    text += "\"Trust \"\"" + std::to_string(i) + "\"\", A&E\",2020-01-01," + std::to_string(i) +
            ".5\r\n";
    text += "plain,\"multi\nline\",\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\n";
  }
  text += "end,x,y";
  const Parsed memory = ParseText(text);
  ASSERT_TRUE(memory.errors.empty());
  for (size_t block : {64, 67, 100, 1000}) {
    const Parsed streamed = ParseFile(text, block);
    ASSERT_TRUE(streamed.errors.empty()) << block << ": " << streamed.errors[0];
    EXPECT_EQ(streamed.rows, memory.rows) << block;
    EXPECT_EQ(streamed.lines, memory.lines) << block;
  }
  EXPECT_EQ(memory.rows[1][0], "Trust \"0\", A&E");
  EXPECT_EQ(memory.rows.back()[2], "y");
}

TEST(CsvReaderTest, LongRecordGrowsTheBuffer) {
  const std::string big(10000, 'x');
  const Parsed p = ParseFile("a,b\n" + big + ",\"" + big + "\"\n1,2\n", 64);
  ASSERT_TRUE(p.errors.empty());
  EXPECT_EQ(p.rows[1][0], big);
  EXPECT_EQ(p.rows[1][1], big);
  EXPECT_EQ(p.rows.size(), 3u);
}

TEST(CsvReaderTest, MissingFileIsIoError) {
  Result<std::unique_ptr<Reader>> r = Reader::Open("/nonexistent/x.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIoError);
}

TEST(CsvReaderTest, FindColumnTrimsSpaces) {
  const std::vector<std::string_view> header = {" series", "date ", "value"};
  EXPECT_EQ(FindColumn(header, "series"), 0u);
  EXPECT_EQ(FindColumn(header, "date"), 1u);
  EXPECT_EQ(FindColumn(header, "Value"), std::nullopt);
}

TEST(CsvReaderTest, AppendCsvFieldQuotesOnlyWhenNeeded) {
  std::string out;
  AppendCsvField("plain", &out);
  out += '|';
  AppendCsvField("a,b", &out);
  out += '|';
  AppendCsvField("say \"hi\"", &out);
  out += '|';
  AppendCsvField(" padded", &out);
  EXPECT_EQ(out, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\" padded\"");
  // What AppendCsvField writes reads back unchanged.
  const Parsed p = ParseText("x,y\n" + out.substr(out.find('|') + 1, 5) + ",\"say \"\"hi\"\"\"\n");
  EXPECT_THAT(p.rows[1], ElementsAre("a,b", "say \"hi\""));
}

}  // namespace
}  // namespace shewhart::csv
