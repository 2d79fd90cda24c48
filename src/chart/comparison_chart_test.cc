// Tests of the comparison ("caterpillar") chart: well-formed SVG (expat), units ranked by value,
// colours by comparison, one interval bar per unit that has an interval, names only when few.
// Values: T-PHE-09 of spc-reference.md §5.4 (Fingertips SPC for proportions, comparator 8.96%:
// 7.71% better, 9.90% same, 12.47% worse).
#include "chart/comparison_chart.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "chart/svg_dom_test_util.h"

namespace shewhart::chart {
namespace {

using stats::Comparison;
using testing::Element;
using testing::ParseSvg;

constexpr char kGrey[] = "#7b7d7d";
constexpr char kBlue[] = "#289de0";
constexpr char kOrange[] = "#ed8b00";

std::vector<ComparisonUnit> TPhe09() {
  return {{"Worse <&>", 12.474645030425965, 11.1, 13.9, Comparison::kWorse},
          {"Better", 7.7065767284991562, 7.05, 8.4, Comparison::kBetter},
          {"Same", 9.8988121425428961, 8.7, 11.2, Comparison::kSame}};
}

TEST(ComparisonSvg, RankedColouredAndNamed) {
  const std::vector<ComparisonUnit> units = TPhe09();
  ComparisonChartInput in;
  in.title = "MRSA <2011>";
  in.units = units;
  in.benchmark = 8.9611086876279327;
  const std::string svg = RenderComparisonSvg(in);
  const testing::Document doc = ParseSvg(svg);
  ASSERT_TRUE(doc.well_formed) << doc.error;
  const std::vector<const Element*> dots = doc.Find("circle", "units");
  ASSERT_EQ(dots.size(), 3u);
  // Lowest first: better (7.7), same (9.9), worse (12.5).
  EXPECT_EQ(dots[0]->attrs.at("fill"), kBlue);
  EXPECT_EQ(dots[1]->attrs.at("fill"), kGrey);
  EXPECT_EQ(dots[2]->attrs.at("fill"), kOrange);
  EXPECT_LT(std::stod(dots[0]->attrs.at("cx")), std::stod(dots[2]->attrs.at("cx")));
  EXPECT_GT(std::stod(dots[0]->attrs.at("cy")), std::stod(dots[2]->attrs.at("cy")));  // SVG y down
  EXPECT_EQ(doc.Find("line", "intervals").size(), 3u);
  EXPECT_EQ(doc.Find("line", "benchmark").size(), 1u);
  EXPECT_EQ(doc.GroupText("unit-names"), "Better Same Worse <&>");
  EXPECT_NE(doc.GroupText("comparison-note").find("1 better, 1 similar, 1 worse"),
            std::string::npos);
  EXPECT_EQ(svg.find("<&>"), std::string::npos);
}

TEST(ComparisonSvg, ManyUnitsAreNotNamedAndMissingIntervalsHaveNoBar) {
  std::vector<ComparisonUnit> units;
  for (int i = 0; i < 200; ++i) {
    units.push_back({"U" + std::to_string(i), i * 0.001, NAN, NAN, Comparison::kNone});
  }
  units[5].value = NAN;  // not drawn
  ComparisonChartInput in;
  in.units = units;
  in.percent = true;
  const testing::Document doc = ParseSvg(RenderComparisonSvg(in));
  ASSERT_TRUE(doc.well_formed) << doc.error;
  EXPECT_EQ(doc.Find("circle", "units").size(), 199u);
  EXPECT_TRUE(doc.Find("line", "intervals").empty());
  EXPECT_FALSE(doc.HasGroup("unit-names"));
  EXPECT_FALSE(doc.HasGroup("benchmark"));
  EXPECT_NE(doc.GroupText("legend").find("Not compared"), std::string::npos);
}

TEST(ComparisonSvg, NoUnitsSaysNoDataAndPngWorks) {
  ComparisonChartInput in;
  const testing::Document doc = ParseSvg(RenderComparisonSvg(in));
  ASSERT_TRUE(doc.well_formed) << doc.error;
  EXPECT_NE(doc.GroupText("no-data").find("No data"), std::string::npos);
  const std::vector<ComparisonUnit> units = TPhe09();
  in.units = units;
  Result<std::string> png = RenderComparisonPng(in, 1);
  ASSERT_TRUE(png.ok());
  EXPECT_EQ(png->substr(1, 3), "PNG");
}

}  // namespace
}  // namespace shewhart::chart
