// Tests of the control-chart drawing: the SVG is well-formed XML (expat) and shows what the
// qicharts2 result says. Inputs and the expected signals are the qicharts2 cases of
// spc-reference.md §5.2 (tests/cases/qic): T-QIC-17 (P chart, 6 distinct denominators, one point
// beyond its limit), T-QIC-18 (P chart, two parts, points 15 and 23 excluded, 3 signals) and the
// run chart of stats/runs.h's example (too few crossings).
#include "chart/control_chart.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "chart/svg_dom_test_util.h"
#include "stats/control_chart.h"

namespace shewhart::chart {
namespace {

using testing::Document;
using testing::Element;
using testing::ParseSvg;

constexpr char kGrey[] = "#7b7d7d";
constexpr char kWhite[] = "#ffffff";

struct QicCase {
  std::vector<double> y, n;
  std::vector<int> expected_signal;  // 0/1 per point, from expected_points.csv
  stats::ControlChartResult result;
};

// Reads tests/cases/qic/NAME/{input.csv, expected_points.csv} (x,y,n and x,...,sigma_signal).
QicCase ReadQic(const std::string& name, stats::ControlChartOptions options) {
  QicCase c;
  const std::filesystem::path dir = std::filesystem::path(SHEWHART_TEST_DATA_DIR) / "cases/qic";
  std::ifstream in(dir / name / "input.csv");
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string x, y, n;
    std::getline(ss, x, ',');
    std::getline(ss, y, ',');
    std::getline(ss, n, ',');
    c.y.push_back(std::stod(y));
    c.n.push_back(std::stod(n));
  }
  std::ifstream points(dir / name / "expected_points.csv");
  std::getline(points, line);
  while (std::getline(points, line)) {
    c.expected_signal.push_back(line.substr(line.rfind(',') + 1) == "true" ? 1 : 0);
  }
  EXPECT_TRUE(stats::ComputeControlChart({.y = c.y, .n = c.n}, options, &c.result).ok());
  return c;
}

std::vector<Date> Monthly(size_t n) {
  std::vector<Date> d;
  for (size_t i = 0; i < n; ++i) {
    d.push_back(DaysFromCivil(2019 + static_cast<int>(i / 12), static_cast<int>(i % 12) + 1, 1));
  }
  return d;
}

int CountPoints(const std::vector<std::pair<double, double>>& pts) {
  return static_cast<int>(pts.size());
}

std::vector<std::pair<double, double>> PolylinePoints(const Element& e) {
  std::vector<std::pair<double, double>> pts;
  std::stringstream ss(e.attrs.at("points"));
  std::string pair;
  while (ss >> pair) {
    const size_t comma = pair.find(',');
    pts.emplace_back(std::stod(pair.substr(0, comma)), std::stod(pair.substr(comma + 1)));
  }
  return pts;
}

TEST(ControlChartSvg, PChartWithVaryingDenominatorsHasSteppedLimitsAndColouredSignal) {
  stats::ControlChartOptions options;
  options.chart = stats::ChartType::kP;
  QicCase c = ReadQic("T-QIC-17", options);
  ASSERT_EQ(c.result.points.size(), c.expected_signal.size());
  const stats::ControlChartLabels labels =
      stats::LabelControlChart(c.result, stats::Direction::kIncrease);
  const std::vector<Date> dates = Monthly(c.y.size());
  ControlChartInput in;
  in.title = "T-QIC-17";
  in.chart = &c.result;
  in.dates = dates;
  in.point_type = labels.point_type;
  in.variation = labels.variation;
  in.percent = true;
  const Document doc = ParseSvg(RenderControlChartSvg(in));
  ASSERT_TRUE(doc.well_formed) << doc.error;

  const std::vector<const Element*> points = doc.Find("circle", "points");
  ASSERT_EQ(points.size(), c.y.size());
  int coloured = 0, expected = 0;
  for (size_t i = 0; i < points.size(); ++i) {
    const bool grey = points[i]->attrs.at("fill") == kGrey;
    EXPECT_EQ(!grey, c.expected_signal[i] == 1) << "point " << i + 1;
    coloured += !grey;
    expected += c.expected_signal[i];
  }
  EXPECT_EQ(coloured, expected);
  // Six distinct denominators: the upper limit is a stepped line, not one segment.
  const std::vector<const Element*> limits = doc.Find("polyline", "limits");
  ASSERT_EQ(limits.size(), 2u);  // lower and upper
  EXPECT_GT(CountPoints(PolylinePoints(*limits[1])), 4);
  for (const Element* l : limits) {
    const auto pts = PolylinePoints(*l);
    for (size_t k = 1; k < pts.size(); ++k) {  // steps: every segment is horizontal or vertical
      EXPECT_TRUE(pts[k].first == pts[k - 1].first || pts[k].second == pts[k - 1].second);
    }
  }
  EXPECT_TRUE(doc.HasGroupStartingWith("variation-icon"));
  EXPECT_EQ(doc.Find("polyline", "warning-limits").size(), 0u);  // off unless asked
  in.warning_limits = true;
  EXPECT_EQ(ParseSvg(RenderControlChartSvg(in)).Find("polyline", "warning-limits").size(), 2u);
}

TEST(ControlChartSvg, PartsExcludedPointsAndSignalsOfTQic18) {
  stats::ControlChartOptions options;
  options.chart = stats::ChartType::kP;
  options.part_starts = {29};
  options.exclude = {14, 22};
  QicCase c = ReadQic("T-QIC-18", options);
  ASSERT_EQ(c.result.parts.size(), 2u);
  const stats::ControlChartLabels labels =
      stats::LabelControlChart(c.result, stats::Direction::kDecrease);
  ControlChartInput in;
  in.title = "T-QIC-18";
  in.chart = &c.result;
  in.point_type = labels.point_type;  // no dates: points are numbered
  in.improvement = stats::Direction::kDecrease;
  const Document doc = ParseSvg(RenderControlChartSvg(in));
  ASSERT_TRUE(doc.well_formed) << doc.error;

  const std::vector<const Element*> points = doc.Find("circle", "points");
  ASSERT_EQ(points.size(), c.y.size());
  int hollow = 0, coloured = 0;
  for (size_t i = 0; i < points.size(); ++i) {
    const bool is_hollow = points[i]->attrs.at("fill") == kWhite;
    hollow += is_hollow;
    EXPECT_EQ(is_hollow, i == 14 || i == 22) << "point " << i + 1;
    const std::string colour =
        is_hollow ? points[i]->attrs.at("stroke") : points[i]->attrs.at("fill");
    coloured += colour != kGrey;
    EXPECT_EQ(colour != kGrey, c.expected_signal[i] == 1) << "point " << i + 1;
  }
  EXPECT_EQ(hollow, 2);
  EXPECT_EQ(coloured, 3);  // T-QIC-18: points 15, 21 and 23 beyond their limits
  EXPECT_NE(doc.GroupText("parts").find("Part 2"), std::string::npos);
  EXPECT_EQ(doc.Find("polyline", "series").size(), 2u);  // the line breaks between parts
  EXPECT_EQ(doc.Find("polyline", "centre").size(), 2u);
  EXPECT_NE(doc.GroupText("legend").find("Excluded"), std::string::npos);
  // The x axis numbers the points.
  EXPECT_NE(doc.GroupText("grid").find("1"), std::string::npos);
}

TEST(ControlChartSvg, RunChartShowsMedianAndRunsSignalButNoLimits) {
  std::vector<double> y = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};  // runs.h: too few crossings
  stats::ControlChartResult r;
  ASSERT_TRUE(stats::ComputeControlChart({.y = y}, {}, &r).ok());
  ASSERT_TRUE(r.parts[0].runs.signal);
  ControlChartInput in;
  in.title = "Run chart";
  in.chart = &r;
  const Document doc = ParseSvg(RenderControlChartSvg(in));
  ASSERT_TRUE(doc.well_formed) << doc.error;
  EXPECT_FALSE(doc.HasGroup("limits"));
  EXPECT_FALSE(doc.HasGroupStartingWith("variation-icon"));
  EXPECT_EQ(doc.Find("circle", "points").size(), y.size());
  EXPECT_NE(doc.GroupText("runs").find("non-random"), std::string::npos);
  EXPECT_NE(doc.GroupText("legend").find("Median"), std::string::npos);
  const std::vector<const Element*> centre = doc.Find("polyline", "centre");
  ASSERT_EQ(centre.size(), 1u);
  EXPECT_TRUE(centre[0]->attrs.count("stroke-dasharray"));  // the signal dashes the centre line
}

TEST(ControlChartSvg, TextIsEscapedAndDescribed) {
  std::vector<double> y = {3, 4, 5, 4, 3, 4, 5, 4, 3, 4};
  stats::ControlChartOptions options;
  options.chart = stats::ChartType::kC;
  stats::ControlChartResult r;
  ASSERT_TRUE(stats::ComputeControlChart({.y = y}, options, &r).ok());
  ControlChartInput in;
  in.title = "Ward <A> & \"B\" 'C'";
  in.subtitle = "Falls </text>";
  in.chart = &r;
  const std::string svg = RenderControlChartSvg(in);
  const Document doc = ParseSvg(svg);
  ASSERT_TRUE(doc.well_formed) << doc.error;
  EXPECT_EQ(svg.find("<A>"), std::string::npos);
  EXPECT_NE(doc.GroupText("title").find("Ward <A> & \"B\" 'C'"), std::string::npos);
  const std::vector<const Element*> desc = doc.Find("desc");
  ASSERT_EQ(desc.size(), 1u);
  EXPECT_NE(desc[0]->text.find("C chart"), std::string::npos);
}

TEST(ControlChartSvg, DegenerateInputsSayNoData) {
  ControlChartInput in;
  in.title = "Nothing";
  for (int variant = 0; variant < 3; ++variant) {
    stats::ControlChartResult r;
    std::vector<double> y;
    if (variant == 1) y = {NAN, NAN, NAN};
    if (variant > 0) {
      ASSERT_TRUE(stats::ComputeControlChart({.y = y}, {}, &r).ok());
      in.chart = &r;
    }
    if (variant == 2) in.width = 10, in.height = -5;  // clamped to the minimum size
    const Document doc = ParseSvg(RenderControlChartSvg(in));
    ASSERT_TRUE(doc.well_formed) << doc.error;
    EXPECT_NE(doc.GroupText("no-data").find("No data"), std::string::npos) << variant;
    EXPECT_TRUE(doc.Find("circle", "points").empty());
  }
  // A single point, and dates of the wrong length (ignored: points are numbered).
  std::vector<double> one = {5};
  std::vector<Date> two = {1, 2};
  stats::ControlChartResult r;
  ASSERT_TRUE(stats::ComputeControlChart({.y = one}, {}, &r).ok());
  in.chart = &r;
  in.dates = two;
  const Document doc = ParseSvg(RenderControlChartSvg(in));
  ASSERT_TRUE(doc.well_formed) << doc.error;
  EXPECT_EQ(doc.Find("circle", "points").size(), 1u);
}

TEST(ControlChartRaster, PngAndPdfPages) {
  std::vector<double> y = {12, 15, 9, 11, 14, 10, 13, 30, 12, 11};
  std::vector<double> n = {100, 120, 90, 110, 100, 95, 105, 100, 115, 100};
  stats::ControlChartOptions options;
  options.chart = stats::ChartType::kU;
  stats::ControlChartResult r;
  ASSERT_TRUE(stats::ComputeControlChart({.y = y, .n = n}, options, &r).ok());
  ControlChartInput in;
  in.title = "U chart";
  in.chart = &r;
  Result<std::string> png = RenderControlChartPng(in, 1);
  ASSERT_TRUE(png.ok());
  EXPECT_EQ(png->substr(1, 3), "PNG");
  EXPECT_FALSE(RenderControlChartPng(in, 0).ok());

  const std::string path =
      ::testing::TempDir() + "control_chart_" + std::to_string(getpid()) + ".pdf";
  Result<std::unique_ptr<PdfBoardPack>> pack = PdfBoardPack::Create(path);
  ASSERT_TRUE(pack.ok());
  ASSERT_TRUE((*pack)->AddPage(in).ok());
  ASSERT_TRUE((*pack)->AddPage(in).ok());
  ASSERT_TRUE((*pack)->Finish().ok());
  std::ifstream f(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes.substr(0, 5), "%PDF-");
  EXPECT_NE(bytes.find("/Count 2"), std::string::npos);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace shewhart::chart
