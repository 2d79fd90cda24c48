// The board exports: the workbook opens (a zip with the parts Excel needs: the summary, the key,
// one sheet per metric, one native chart per series, the icon colours as conditional formats)
// and the board pack has a cover, where to look first, the summary and one chart page per
// signal, each page naming its scope (pdfinfo and pdftotext when poppler-utils is installed).
// SQLite and PostgreSQL, over tests/cases/imports/base.
#include "oversight/exports.h"

#include <zip.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "imports/imports.h"
#include "imports/testing/storage_fixture.h"

namespace shewhart::oversight {
namespace {

using ::shewhart::testing::ReadText;
using ::shewhart::testing::ValueOrDie;
using ::shewhart::testing::WriteText;

// The entries of a zip file and their contents.
class Zip {
 public:
  explicit Zip(const std::string& path) {
    int error = 0;
    zip_ = zip_open(path.c_str(), ZIP_RDONLY, &error);
  }
  ~Zip() {
    if (zip_ != nullptr) zip_discard(zip_);
  }
  bool ok() const { return zip_ != nullptr; }
  bool Has(const std::string& name) const { return zip_name_locate(zip_, name.c_str(), 0) >= 0; }
  std::string Read(const std::string& name) const {
    zip_stat_t st;
    if (zip_stat(zip_, name.c_str(), 0, &st) != 0) return "";
    zip_file_t* f = zip_fopen(zip_, name.c_str(), 0);
    if (f == nullptr) return "";
    std::string out(st.size, '\0');
    const zip_int64_t n = zip_fread(f, out.data(), st.size);
    zip_fclose(f);
    out.resize(n < 0 ? 0 : static_cast<size_t>(n));
    return out;
  }
  int CountPrefix(const std::string& prefix) const {
    int n = 0;
    for (zip_int64_t i = 0; i < zip_get_num_entries(zip_, 0); ++i) {
      const std::string name = zip_get_name(zip_, i, 0);
      n += name.rfind(prefix, 0) == 0 ? 1 : 0;
    }
    return n;
  }

 private:
  zip_t* zip_ = nullptr;
};

// The page count pdfinfo reports, or -1 when pdfinfo is not installed.
int PdfInfoPages(const std::string& path) {
  if (std::system("command -v pdfinfo >/dev/null 2>&1") != 0) return -1;
  std::unique_ptr<FILE, int (*)(FILE*)> p(
      popen(("pdfinfo '" + path + "' 2>/dev/null").c_str(), "r"), pclose);
  if (!p) return -1;
  char line[512];
  while (std::fgets(line, sizeof(line), p.get()) != nullptr) {
    int pages = 0;
    if (std::sscanf(line, "Pages: %d", &pages) == 1) return pages;
  }
  return 0;
}

class ExportsTest : public ::shewhart::testing::StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    LoadBase();
    // A special cause of concern at RBB (C. difficile, lower is better), so the pack has a
    // signal to chart.
    std::string csv = "metric,unit,period,value\n";
    for (int m = 2; m <= 12; ++m) {
      csv += "CDIFF,RBB,2023-" + std::string(m < 10 ? "0" : "") + std::to_string(m) + "-01," +
             std::to_string(2 + m % 2) + "\n";
    }
    csv += "CDIFF,RBB,2024-01-01,40\n";
    WriteText(dir_ / "shift.csv", csv);
    ValueOrDie(imports::ImportObservationsFile(*conn_, (dir_ / "shift.csv").string(), Options()));
  }
};

TEST_P(ExportsTest, WorkbookHasTheSummaryTheKeyAndASheetAndChartsPerMetric) {
  const std::string path = (dir_ / "board.xlsx").string();
  BoardWorkbookReport r =
      ValueOrDie(WriteBoardWorkbook(*conn_, {.generated_at = "2024-05-01T10:00:00Z"}, path));
  EXPECT_EQ(r.rows, 9);
  EXPECT_EQ(r.metrics, 3);
  EXPECT_EQ(r.charts, 9);  // every series has points
  Zip zip(path);
  ASSERT_TRUE(zip.ok());
  for (const char* part : {"[Content_Types].xml", "xl/workbook.xml", "xl/sharedStrings.xml",
                           "xl/styles.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet5.xml",
                           "xl/charts/chart1.xml", "xl/drawings/drawing1.xml"}) {
    EXPECT_TRUE(zip.Has(part)) << part;
  }
  EXPECT_EQ(zip.CountPrefix("xl/worksheets/sheet"), 5);  // summary, key, CDIFF, FALLS, FFT
  EXPECT_EQ(zip.CountPrefix("xl/charts/chart"), 9);
  const std::string workbook = zip.Read("xl/workbook.xml");
  for (const char* sheet : {"Board summary", "Key", "CDIFF", "FALLS", "FFT"}) {
    EXPECT_NE(workbook.find(std::string("name=\"") + sheet + "\""), std::string::npos) << sheet;
  }
  // The icons as words, coloured by conditional formats on the summary.
  const std::string strings = zip.Read("xl/sharedStrings.xml");
  EXPECT_NE(strings.find("Special cause concern"), std::string::npos);
  EXPECT_NE(strings.find("Consistently failing the target"), std::string::npos);
  const std::string summary = zip.Read("xl/worksheets/sheet1.xml");
  EXPECT_NE(summary.find("<conditionalFormatting"), std::string::npos);
  EXPECT_NE(summary.find("containsText"), std::string::npos);
  // A native line chart with the value, mean and both limits.
  const std::string chart = zip.Read("xl/charts/chart1.xml");
  EXPECT_NE(chart.find("<c:lineChart>"), std::string::npos);
  size_t series = 0;
  for (size_t at = chart.find("<c:ser>"); at != std::string::npos;
       at = chart.find("<c:ser>", at + 1)) {
    ++series;
  }
  EXPECT_EQ(series, 4u);
}

// The text of every page (pdftotext), or empty when poppler-utils is not installed.
std::vector<std::string> PdfPages(const std::string& path) {
  std::vector<std::string> pages;
  if (std::system("command -v pdftotext >/dev/null 2>&1") != 0) return pages;
  std::unique_ptr<FILE, int (*)(FILE*)> p(
      popen(("pdftotext -layout '" + path + "' - 2>/dev/null").c_str(), "r"), pclose);
  if (!p) return pages;
  std::string text;
  char buf[4096];
  while (std::fgets(buf, sizeof(buf), p.get()) != nullptr) text += buf;
  size_t start = 0;
  for (size_t ff = text.find('\f'); ff != std::string::npos; ff = text.find('\f', start)) {
    pages.push_back(text.substr(start, ff - start));
    start = ff + 1;
  }
  return pages;
}

TEST_P(ExportsTest, BoardPackHasACoverWhereToLookTheSummaryAndChartsOfSignals) {
  std::vector<BoardRow> rows = ValueOrDie(BoardSummary(*conn_, {.scope = "SYS"}));
  // The system's own measures (its aggregates) with any signal, then its organisations' concerns
  // and failing targets.
  int charts = 0;
  for (const BoardRow& b : rows) {
    charts += b.unit == "SYS" ? IsSignal(b) : ConcernRank(b.variation, b.assurance) < 2;
  }
  ASSERT_GE(charts, 1);  // the concern at RBB at least

  const std::string path = (dir_ / "board.pdf").string();
  // No scope given: the first system.
  BoardPackReport r = ValueOrDie(WriteBoardPack(*conn_, {}, path));
  EXPECT_EQ(r.rows, 9);
  EXPECT_EQ(r.table_pages, 3);  // cover, where to look first, summary
  EXPECT_EQ(r.charts, charts);
  EXPECT_EQ(r.pages, 3 + charts);
  EXPECT_EQ(ReadText(path).substr(0, 5), "%PDF-");
  const int pages = PdfInfoPages(path);
  if (pages >= 0) {
    EXPECT_EQ(pages, 3 + charts);
  }
  const std::vector<std::string> text = PdfPages(path);
  if (!text.empty()) {
    EXPECT_EQ(static_cast<int>(text.size()), r.pages);
    for (size_t i = 0; i < text.size(); ++i) {
      EXPECT_NE(text[i].find("Test Integrated Care System"), std::string::npos) << "page " << i + 1;
    }
    EXPECT_NE(text[1].find("Where to look first"), std::string::npos);
    EXPECT_NE(text[1].find("C. difficile cases"), std::string::npos);
  }

  // Filters narrow both; a filter that selects nothing still gives the three table pages.
  BoardPackReport none =
      ValueOrDie(WriteBoardPack(*conn_, {.filter = {.domain = "well-led"}}, path));
  EXPECT_EQ(none.rows, 0);
  EXPECT_EQ(none.pages, 3);
  if (PdfInfoPages(path) >= 0) {
    EXPECT_EQ(PdfInfoPages(path), 3);
  }
  // The chart cap and the page budget hold.
  BoardPackReport capped = ValueOrDie(WriteBoardPack(*conn_, {.max_charts = 0}, path));
  EXPECT_EQ(capped.charts, 0);
  BoardPackReport short_pack = ValueOrDie(WriteBoardPack(*conn_, {.max_pages = 3}, path));
  EXPECT_EQ(short_pack.pages, 3);
}

TEST_P(ExportsTest, BadFilterOrPathIsAnErrorNotACrash) {
  EXPECT_EQ(WriteBoardWorkbook(*conn_, {.filter = {.limit = 0}}, (dir_ / "x.xlsx").string())
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(WriteBoardPack(*conn_, {}, (dir_ / "no" / "such" / "dir.pdf").string()).ok());
  EXPECT_FALSE(WriteBoardWorkbook(*conn_, {}, (dir_ / "no" / "such" / "dir.xlsx").string()).ok());
}

INSTANTIATE_STORAGE_TEST(ExportsTest);

}  // namespace
}  // namespace shewhart::oversight
