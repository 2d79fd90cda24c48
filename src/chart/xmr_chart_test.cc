// Tests of the Making Data Count chart: the SVG is well-formed XML (parsed with expat) and shows
// what the XmR result says, point by point; the PDF board pack is a valid multi-page PDF.
//
// Series and expected point types are the NHSRplotthedots cases of spc-reference.md §5.1; the
// expected colours are the Making Data Count palette (grey common cause, orange concern, blue
// improvement, purple neutral).
#include "chart/xmr_chart.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "base/date.h"
#include "chart/internal/text_metrics.h"
#include "chart/svg_dom_test_util.h"
#include "stats/xmr.h"

namespace shewhart::chart {
namespace {

constexpr char kGrey[] = "#7b7d7d";
constexpr char kBlue[] = "#289de0";
constexpr char kOrange[] = "#ed8b00";
constexpr char kPurple[] = "#361475";

using testing::Document;
using testing::Element;
using testing::ParseSvg;

// ---- Series from spc-reference.md §5.1 (daily dates from 2021-01-01).

struct Case {
  std::vector<double> y;
  std::vector<Date> dates;
  stats::XmrResult xmr;
  XmrChartInput input;
};

std::unique_ptr<Case> MakeCase(std::vector<double> y, std::vector<int32_t> group_starts = {},
                               double target = NAN,
                               stats::Direction direction = stats::Direction::kIncrease) {
  auto c = std::make_unique<Case>();
  c->y = std::move(y);
  for (size_t i = 0; i < c->y.size(); ++i) {
    c->dates.push_back(DaysFromCivil(2021, 1, 1) + static_cast<Date>(i));
  }
  stats::XmrOptions options;
  options.improvement = direction;
  stats::ComputeXmr(c->y, group_starts, target, options, &c->xmr);
  c->input.title = "Test series";
  c->input.dates = c->dates;
  c->input.values = c->y;
  c->input.xmr = &c->xmr;
  c->input.improvement = direction;
  c->input.target = target;
  return c;
}

// The point-type codes of the spec ("." common, "I" improvement, "C" concern, "NH"/"NL" neutral)
// as the colour each point must have.
std::vector<std::string> ExpectedColors(const std::string& codes) {
  std::vector<std::string> colors;
  std::istringstream in(codes);
  std::string code;
  while (in >> code) {
    colors.push_back(code == "." ? kGrey : code == "I" ? kBlue : code == "C" ? kOrange : kPurple);
  }
  return colors;
}

std::vector<std::string> PointColors(const Document& doc) {
  std::vector<std::string> colors;
  for (const Element* e : doc.Find("circle", "points")) colors.push_back(e->attrs.at("fill"));
  return colors;
}

std::string PointTooltip(const Document& doc, size_t point) {
  const std::vector<const Element*> circles = doc.Find("circle", "points");
  const int index = static_cast<int>(circles.at(point) - doc.elements.data());
  for (const Element& e : doc.elements) {
    if (e.parent == index && e.name == "title") return e.text;
  }
  return "";
}

const std::vector<double> kStep = {10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11,
                                   10, 11, 10, 11, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15};

// ---- SVG.

TEST(XmrSvgTest, TwoTrendsJoinedByATieColourEachPointByItsType) {  // T-PTD-18
  auto c = MakeCase({5, 4, 6, 5, 4, 6, 1, 2, 3, 4, 5, 6, 7, 7, 8, 9, 10, 11, 12, 13});
  const Document doc = ParseSvg(RenderXmrSvg(c->input));
  ASSERT_TRUE(doc.well_formed) << doc.error;
  EXPECT_EQ(PointColors(doc), ExpectedColors("C C C C C C C C C I I I C I I I I I I I"));
  EXPECT_TRUE(doc.HasGroup("variation-icon improvement_high"));
  EXPECT_FALSE(doc.HasGroupStartingWith("assurance"));
  EXPECT_TRUE(doc.Find("line", "target").empty());
  // Tooltips say what the point means in words.
  EXPECT_EQ(PointTooltip(doc, 0),
            "1 Jan 2021: 5 \xE2\x80\x94 Special cause \xE2\x80\x94 concern (7 points in a row "
            "below the mean)");
  EXPECT_NE(PointTooltip(doc, 16).find("improvement (above the upper process limit)"),
            std::string::npos);
  EXPECT_NE(PointTooltip(doc, 12).find("concern (7 points in a row going down)"),
            std::string::npos);
}

TEST(XmrSvgTest, NeutralSpecialCausesArePurple) {  // T-PTD-19
  auto c = MakeCase({10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 13, 13, 13, 13, 13, 13, 13},
                    {}, NAN, stats::Direction::kNeutral);
  const Document doc = ParseSvg(RenderXmrSvg(c->input));
  ASSERT_TRUE(doc.well_formed) << doc.error;
  EXPECT_EQ(PointColors(doc), ExpectedColors(". . . . . . . . . . . NH NH NH NH NH NH NH NH"));
  EXPECT_TRUE(doc.HasGroup("variation-icon neutral_high"));
  EXPECT_NE(doc.AllText().find("neither improvement nor concern"), std::string::npos);
}

TEST(XmrSvgTest, TargetAboveTheLimitsFailsAndDrawsTheTargetLine) {  // T-PTD-28
  auto c = MakeCase(kStep, {}, 16);
  const Document doc = ParseSvg(RenderXmrSvg(c->input));
  ASSERT_TRUE(doc.well_formed) << doc.error;
  EXPECT_EQ(PointColors(doc), ExpectedColors("C C C C C C C C C C C C C C C C C C C C "
                                             "I I I I I I I I I I I I"));
  EXPECT_TRUE(doc.HasGroup("variation-icon improvement_high"));
  EXPECT_TRUE(doc.HasGroup("assurance-icon consistent_fail"));
  EXPECT_EQ(doc.Find("line", "target").size(), 1u);
  EXPECT_EQ(doc.GroupText("assurance-caption"), "Consistently failing the target");
  EXPECT_EQ(doc.GroupText("variation-caption"),
            "Special cause variation \xE2\x80\x93 improvement (high)");
  EXPECT_NE(doc.AllText().find("Target 16"), std::string::npos);
}

TEST(XmrSvgTest, StepChangeWithoutRebaseIsConcernThenImprovement) {  // T-PTD-24 / T-PTD-29
  auto c = MakeCase(kStep, {}, 16, stats::Direction::kDecrease);
  const Document doc = ParseSvg(RenderXmrSvg(c->input));
  ASSERT_TRUE(doc.well_formed) << doc.error;
  EXPECT_EQ(PointColors(doc), ExpectedColors("I I I I I I I I I I I I I I I I I I I I "
                                             "C C C C C C C C C C C C"));
  EXPECT_TRUE(doc.HasGroup("variation-icon concern_high"));
  EXPECT_TRUE(doc.HasGroup("assurance-icon consistent_pass"));
}

TEST(XmrSvgTest, RecalculationStepsTheLinesAndIsLabelledWithItsReason) {  // T-PTD-30
  auto c = MakeCase(kStep, {20}, 16);
  c->input.annotations = {{DaysFromCivil(2021, 1, 21), "New triage model"}};
  const Document doc = ParseSvg(RenderXmrSvg(c->input));
  ASSERT_TRUE(doc.well_formed) << doc.error;
  EXPECT_EQ(PointColors(doc), std::vector<std::string>(32, kGrey));
  EXPECT_TRUE(doc.HasGroup("assurance-icon inconsistent"));
  // One mean line and two limit lines per group, each spanning only its group.
  const auto means = doc.Find("line", "mean");
  ASSERT_EQ(means.size(), 2u);
  EXPECT_LT(std::stod(means[0]->attrs.at("x2")), std::stod(means[1]->attrs.at("x1")));
  EXPECT_GT(std::stod(means[0]->attrs.at("y1")),
            std::stod(means[1]->attrs.at("y1")));  // 10.5 < 14.5
  EXPECT_EQ(doc.Find("line", "limits").size(), 4u);
  EXPECT_NE(doc.AllText().find("Recalculated: New triage model"), std::string::npos);
  EXPECT_EQ(doc.Find("line", "notes").size(), 1u);
  // The value line breaks at the recalculation.
  EXPECT_EQ(doc.Find("polyline", "series").size(), 2u);
}

TEST(XmrSvgTest, NoTargetMeansNoTargetLineAndNoAssuranceIcon) {
  auto c = MakeCase(kStep);
  const Document doc = ParseSvg(RenderXmrSvg(c->input));
  ASSERT_TRUE(doc.well_formed) << doc.error;
  EXPECT_TRUE(doc.Find("line", "target").empty());
  EXPECT_FALSE(doc.HasGroupStartingWith("assurance"));
  EXPECT_EQ(doc.AllText().find("Target"), std::string::npos);
}

TEST(XmrSvgTest, MissingValueIsAGapWithoutAPoint) {  // T-PTD-20
  auto c = MakeCase({10, 11, 10, NAN, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11});
  const Document doc = ParseSvg(RenderXmrSvg(c->input));
  ASSERT_TRUE(doc.well_formed) << doc.error;
  EXPECT_EQ(doc.Find("circle", "points").size(), 13u);
  EXPECT_EQ(doc.Find("polyline", "series").size(), 2u);
  EXPECT_NE(doc.Find("desc")[0]->text.find("1 missing"), std::string::npos);
}

TEST(XmrSvgTest, NanLimitsDrawNoLimitLines) {  // T-PTD-31, T-PTD-33
  auto constant = MakeCase(std::vector<double>(15, 5.0));
  ASSERT_TRUE(std::isnan(constant->xmr.groups[0].upl));
  Document doc = ParseSvg(RenderXmrSvg(constant->input));
  ASSERT_TRUE(doc.well_formed) << doc.error;
  EXPECT_EQ(doc.Find("circle", "points").size(), 15u);
  EXPECT_TRUE(doc.Find("line", "limits").empty());
  EXPECT_EQ(doc.Find("line", "mean").size(), 1u);
  for (const Element& e : doc.elements) {
    for (const auto& [name, value] : e.attrs) {
      EXPECT_EQ(value.find("nan"), std::string::npos) << e.name << " " << name;
      EXPECT_EQ(value.find("inf"), std::string::npos) << e.name << " " << name;
    }
  }

  auto single = MakeCase({1});
  doc = ParseSvg(RenderXmrSvg(single->input));
  ASSERT_TRUE(doc.well_formed) << doc.error;
  EXPECT_EQ(doc.Find("circle", "points").size(), 1u);
  EXPECT_TRUE(doc.Find("line", "limits").empty());
}

TEST(XmrSvgTest, EmptySeriesSaysNoData) {
  XmrChartInput input;
  input.title = "Nothing yet";
  Document doc = ParseSvg(RenderXmrSvg(input));
  ASSERT_TRUE(doc.well_formed) << doc.error;
  EXPECT_NE(doc.AllText().find("No data"), std::string::npos);
  EXPECT_TRUE(doc.Find("circle").empty());

  // Values all missing, and no XmR result at all: the same.
  std::vector<Date> dates = {DaysFromCivil(2021, 1, 1), DaysFromCivil(2021, 2, 1)};
  std::vector<double> values = {NAN, NAN};
  input.dates = dates;
  input.values = values;
  doc = ParseSvg(RenderXmrSvg(input));
  ASSERT_TRUE(doc.well_formed) << doc.error;
  EXPECT_NE(doc.AllText().find("No data"), std::string::npos);
}

TEST(XmrSvgTest, UserTextIsEscapedAndSurvivesParsing) {
  auto c = MakeCase(kStep, {20});
  c->input.title = "A&E <\"Type 1\"> 'all'";
  c->input.subtitle =
      "Caf\xC3\xA9 \xE2\x80\x93 \xC2\xA3"
      "5 \xE2\x89\xA5 target";
  c->input.y_label = "</text><script>alert(1)</script>";
  c->input.annotations = {{DaysFromCivil(2021, 1, 21), "Ward <7> & \"B\""}};
  const std::string svg = RenderXmrSvg(c->input);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  const Document doc = ParseSvg(svg);
  ASSERT_TRUE(doc.well_formed) << doc.error;
  EXPECT_EQ(doc.Find("title")[0]->text, "A&E <\"Type 1\"> 'all'");
  const std::string text = doc.AllText();
  EXPECT_NE(text.find("A&E <\"Type 1\"> 'all'"), std::string::npos);
  EXPECT_NE(text.find("Caf\xC3\xA9 \xE2\x80\x93 \xC2\xA3"
                      "5 \xE2\x89\xA5 target"),
            std::string::npos);
  EXPECT_NE(text.find("</text><script>alert(1)</script>"), std::string::npos);
  EXPECT_NE(text.find("Recalculated: Ward <7> & \"B\""), std::string::npos);
}

TEST(XmrSvgTest, InvalidUtf8AndControlCharactersStillGiveWellFormedXml) {
  auto c = MakeCase(kStep);
  c->input.title = std::string("Bad \xFF\xC3 bytes\x01\x1B and a\nnewline");
  const Document doc = ParseSvg(RenderXmrSvg(c->input));
  ASSERT_TRUE(doc.well_formed) << doc.error;
  EXPECT_EQ(doc.Find("title")[0]->text, "Bad \xEF\xBF\xBD\xEF\xBF\xBD bytes   and a newline");
}

TEST(XmrSvgTest, HasTitleAndDescriptionForScreenReaders) {
  auto c = MakeCase(kStep, {}, 16);
  c->input.title = "Falls per 1,000 bed days";
  const Document doc = ParseSvg(RenderXmrSvg(c->input));
  ASSERT_TRUE(doc.well_formed) << doc.error;
  ASSERT_EQ(doc.elements[0].name, "svg");
  EXPECT_EQ(doc.elements[0].attrs.at("role"), "img");
  EXPECT_EQ(doc.elements[0].attrs.at("aria-labelledby"), "chart-title chart-desc");
  EXPECT_EQ(doc.Find("title")[0]->attrs.at("id"), "chart-title");
  const std::string desc = doc.Find("desc")[0]->text;
  EXPECT_NE(desc.find("32 values"), std::string::npos) << desc;
  EXPECT_NE(desc.find("Consistently failing the target"), std::string::npos) << desc;
  EXPECT_NE(desc.find("12 points signal improvement and 20 concern"), std::string::npos) << desc;
}

TEST(XmrSvgTest, MonthlyDatesAreLabelledByMonthWithAtMostTwelveLabels) {
  std::vector<Date> dates;
  std::vector<double> values;
  for (int i = 0; i < 60; ++i) {
    dates.push_back(DaysFromCivil(2016 + (3 + i) / 12, (3 + i) % 12 + 1, 1));  // from Apr 2016
    values.push_back(0.8 + 0.05 * std::sin(i));
  }
  stats::XmrResult xmr;
  stats::ComputeXmr(values, {}, 0.95, stats::XmrOptions(), &xmr);
  XmrChartInput input;
  input.dates = dates;
  input.values = values;
  input.xmr = &xmr;
  input.target = 0.95;
  input.percent = true;
  const Document doc = ParseSvg(RenderXmrSvg(input));
  ASSERT_TRUE(doc.well_formed) << doc.error;
  std::vector<std::string> x_labels;
  std::vector<std::string> y_labels;
  for (const Element* e : doc.Find("text", "grid")) {
    (e->attrs.count("text-anchor") && e->attrs.at("text-anchor") == "middle" ? x_labels : y_labels)
        .push_back(e->text);
  }
  ASSERT_GE(x_labels.size(), 4u);
  EXPECT_LE(x_labels.size(), 12u);
  EXPECT_EQ(x_labels[0], "Apr 2016");
  for (const std::string& y : y_labels) EXPECT_EQ(y.back(), '%') << y;
  EXPECT_NE(doc.AllText().find("Target 95%"), std::string::npos);
}

TEST(XmrSvgTest, OddInputsStillGiveAWellFormedChart) {
  // Huge and tiny magnitudes, a tiny canvas, no XmR result, more values than dates, dates out of
  // order: each gives a chart (REQUIRES are not checked), never a crash or non-finite numbers.
  std::vector<Date> dates = {DaysFromCivil(2021, 3, 1), DaysFromCivil(2021, 1, 1),
                             DaysFromCivil(2021, 2, 1)};
  for (const std::vector<double>& values :
       {std::vector<double>{1e300, -1e300, 0, 5}, std::vector<double>{1e-300, 2e-300, 3e-300},
        std::vector<double>{INFINITY, 1, 2}, std::vector<double>{-5, -5, -5}}) {
    XmrChartInput input;
    input.title = "Odd";
    input.dates = dates;
    input.values = values;
    input.width = 10;
    input.height = -4;
    input.target = 7;
    const std::string svg = RenderXmrSvg(input);
    const Document doc = ParseSvg(svg);
    ASSERT_TRUE(doc.well_formed) << doc.error;
    EXPECT_EQ(doc.elements[0].attrs.at("width"), "480");
    EXPECT_EQ(svg.find("nan"), std::string::npos);
    EXPECT_EQ(svg.find("inf"), std::string::npos);
  }
}

TEST(XmrSvgTest, IconsCarryTheirCaptionAsATooltip) {
  auto c = MakeCase(kStep, {}, 16);
  const Document doc = ParseSvg(RenderXmrSvg(c->input));
  ASSERT_TRUE(doc.well_formed) << doc.error;
  const auto titles = doc.Find("title", "assurance-icon");
  ASSERT_EQ(titles.size(), 1u);
  EXPECT_EQ(titles[0]->text, "Consistently failing the target");
}

TEST(XmrSvgTest, OutputIsDeterministic) {
  auto c = MakeCase({5, 4, 6, 5, 4, 6, 1, 2, 3, 4, 5, 6, 7, 7, 8, 9, 10, 11, 12, 13}, {10}, 8);
  EXPECT_EQ(RenderXmrSvg(c->input), RenderXmrSvg(c->input));
}

TEST(XmrSvgTest, ThousandChartsOfSixtyPointsRenderQuickly) {
  std::vector<double> y;
  for (int i = 0; i < 60; ++i) y.push_back(100 + 10 * std::sin(i * 0.7) + (i > 40 ? 15 : 0));
  auto c = MakeCase(y, {30}, 120);
  const auto start = std::chrono::steady_clock::now();
  size_t bytes = 0;
  for (int i = 0; i < 1000; ++i) bytes += RenderXmrSvg(c->input).size();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GT(bytes, 1000u * 5000u);
  // Typically ~0.1 s here; the bound leaves room for a loaded shared machine or a debug build.
  EXPECT_LT(seconds, 2.0);
}

// ---- PNG and PDF.

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid())))
      .string();
}

TEST(XmrPngTest, RendersAPngOfTheRequestedSize) {
  auto c = MakeCase(kStep, {}, 16);
  Result<std::string> png = RenderXmrPng(c->input, 2);
  ASSERT_TRUE(png.ok()) << png.status().ToString();
  ASSERT_GT(png->size(), 24u);
  EXPECT_EQ(png->substr(0, 8), "\x89PNG\r\n\x1a\n");
  auto be32 = [&](size_t at) {
    return (static_cast<uint32_t>(static_cast<uint8_t>((*png)[at])) << 24) |
           (static_cast<uint32_t>(static_cast<uint8_t>((*png)[at + 1])) << 16) |
           (static_cast<uint32_t>(static_cast<uint8_t>((*png)[at + 2])) << 8) |
           static_cast<uint32_t>(static_cast<uint8_t>((*png)[at + 3]));
  };
  EXPECT_EQ(be32(16), 1920u);  // IHDR width
  EXPECT_EQ(be32(20), 1080u);  // IHDR height
  EXPECT_FALSE(RenderXmrPng(c->input, 0).ok());
}

TEST(PdfBoardPackTest, ThreeChartsMakeAThreePagePdf) {
  auto a = MakeCase({5, 4, 6, 5, 4, 6, 1, 2, 3, 4, 5, 6, 7, 7, 8, 9, 10, 11, 12, 13});
  auto b = MakeCase(kStep, {20}, 16);
  b->input.title = "A&E <\"Type 1\"> \xE2\x80\x93 caf\xC3\xA9";
  auto empty = std::make_unique<XmrChartInput>();
  empty->title = "No data yet";

  const std::string path = TempPath("shewhart_board_pack.pdf");
  Result<std::unique_ptr<PdfBoardPack>> pack = PdfBoardPack::Create(path);
  ASSERT_TRUE(pack.ok()) << pack.status().ToString();
  ASSERT_TRUE((*pack)->AddPage(a->input).ok());
  ASSERT_TRUE((*pack)->AddPage(b->input).ok());
  ASSERT_TRUE((*pack)->AddPage(*empty).ok());
  ASSERT_TRUE((*pack)->Finish().ok());
  EXPECT_EQ((*pack)->AddPage(a->input).code(), StatusCode::kFailedPrecondition);

  const std::string pdf = ReadFile(path);
  ASSERT_GT(pdf.size(), 1000u);
  EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
  EXPECT_NE(pdf.find("%%EOF"), std::string::npos);

  // pdfinfo (poppler-utils) counts the pages, when it is installed.
  if (FILE* probe = ::popen("command -v pdfinfo >/dev/null 2>&1 && echo yes", "r")) {
    char buf[8] = {};
    const bool has_pdfinfo = std::fgets(buf, sizeof(buf), probe) != nullptr;
    ::pclose(probe);
    if (has_pdfinfo) {
      FILE* info = ::popen(("pdfinfo '" + path + "' 2>&1").c_str(), "r");
      ASSERT_NE(info, nullptr);
      std::string out;
      char line[512];
      while (std::fgets(line, sizeof(line), info) != nullptr) out += line;
      EXPECT_EQ(::pclose(info), 0) << out;
      EXPECT_NE(out.find("Pages:           3"), std::string::npos) << out;
    }
  }
  std::filesystem::remove(path);
}

TEST(PdfBoardPackTest, UnwritablePathIsAnIoError) {
  Result<std::unique_ptr<PdfBoardPack>> pack =
      PdfBoardPack::Create("/nonexistent-directory/board.pdf");
  ASSERT_FALSE(pack.ok());
  EXPECT_EQ(pack.status().code(), StatusCode::kIoError);
  EXPECT_NE(pack.status().message().find("/nonexistent-directory/board.pdf"), std::string::npos);
}

// ---- Text helpers.

TEST(TextMetricsTest, WrapsAtSpacesAndEllipsizesWhatDoesNotFit) {
  using internal::TextWidth;
  using internal::WrapText;
  const auto lines =
      WrapText("Special cause variation \xE2\x80\x93 improvement (high)", 10, false, 140, 3);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0] + " " + lines[1], "Special cause variation \xE2\x80\x93 improvement (high)");
  for (const std::string& l : lines) EXPECT_LE(TextWidth(l, 10, false), 140);

  const auto cut = WrapText("one two three four five six seven", 10, false, 40, 2);
  ASSERT_EQ(cut.size(), 2u);
  EXPECT_EQ(cut[1].substr(cut[1].size() - 3), "\xE2\x80\xA6");
  EXPECT_TRUE(WrapText("   ", 10, false, 100, 2).empty());
}

TEST(TextMetricsTest, BoldIsWiderAndWidthScalesWithSize) {
  using internal::TextWidth;
  EXPECT_GT(TextWidth("Target", 10, true), TextWidth("Target", 10, false));
  EXPECT_DOUBLE_EQ(TextWidth("Target", 20, false), 2 * TextWidth("Target", 10, false));
  EXPECT_DOUBLE_EQ(TextWidth("", 10, false), 0);
}

}  // namespace
}  // namespace shewhart::chart
