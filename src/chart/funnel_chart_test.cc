// Tests of the funnel plot drawing: well-formed SVG (expat), one point per unit, the four limit
// curves inside the plot, outliers coloured and named, the overdispersion note. Data: the
// FunnelPlotR cases of spc-reference.md §5.3 — T-FUN-01 (ratios, SHMI, adjusted, no outlier at
// 99.8%) and T-FUN-07 (rates, adjusted; units a and g below the 99.8% limit).
#include "chart/funnel_chart.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "chart/svg_dom_test_util.h"
#include "stats/funnel.h"

namespace shewhart::chart {
namespace {

using testing::Document;
using testing::Element;
using testing::ParseSvg;

constexpr char kGrey[] = "#7b7d7d";
constexpr char kBlue[] = "#289de0";
constexpr char kOrange[] = "#ed8b00";
constexpr char kPurple[] = "#361475";

stats::FunnelResult Funnel(const std::vector<stats::FunnelInput>& rows,
                           stats::FunnelOptions options) {
  Result<stats::FunnelResult> r = stats::ComputeFunnel(rows, options);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : stats::FunnelResult{};
}

// T-FUN-07 (RC, defaults): a and g are low outliers at 99.8%.
const std::vector<stats::FunnelInput> kRateRows = {{"a", 10, 100}, {"b", 25, 180}, {"c", 32, 260},
                                                   {"d", 18, 90},  {"e", 55, 400}, {"f", 40, 210},
                                                   {"g", 12, 150}, {"h", 70, 420}};

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

TEST(FunnelSvg, UnitsCurvesAndOutliersOfTFun07) {
  stats::FunnelOptions options;
  options.type = stats::FunnelType::kRate;
  const stats::FunnelResult f = Funnel(kRateRows, options);
  ASSERT_TRUE(f.adjusted);
  FunnelChartInput in;
  in.title = "T-FUN-07";
  in.funnel = &f;
  in.improvement = stats::Direction::kIncrease;  // low is worse: orange
  const Document doc = ParseSvg(RenderFunnelSvg(in));
  ASSERT_TRUE(doc.well_formed) << doc.error;

  const std::vector<const Element*> units = doc.Find("circle", "units");
  ASSERT_EQ(units.size(), kRateRows.size());
  int orange = 0, grey = 0;
  for (const Element* u : units) {
    orange += u->attrs.at("fill") == kOrange;
    grey += u->attrs.at("fill") == kGrey;
  }
  EXPECT_EQ(orange, 2);
  EXPECT_EQ(grey, 6);
  // The outliers' names, and only theirs.
  const std::vector<const Element*> labels = doc.Find("text", "unit-labels");
  ASSERT_EQ(labels.size(), 2u);
  EXPECT_EQ(labels[0]->text, "g");  // the most extreme first (z = -1.92 vs -1.03)
  EXPECT_EQ(labels[1]->text, "a");
  // Two curves per limit, each inside the drawing.
  const std::vector<const Element*> c95 = doc.Find("polyline", "limits-95");
  const std::vector<const Element*> c998 = doc.Find("polyline", "limits-998");
  EXPECT_EQ(c95.size(), 2u);
  EXPECT_EQ(c998.size(), 2u);
  for (const std::vector<const Element*>* curves : {&c95, &c998}) {
    for (const Element* c : *curves) {
      const auto pts = PolylinePoints(*c);
      EXPECT_GT(pts.size(), 50u);
      for (const auto& [x, y] : pts) {
        EXPECT_GE(y, 0);
        EXPECT_LE(y, 540);
        EXPECT_GE(x, 0);
        EXPECT_LE(x, 960);
      }
    }
  }
  const std::string note = doc.GroupText("funnel-note");
  EXPECT_NE(note.find("\xCF\x86 = 1.100"), std::string::npos) << note;  // φ = 1.10045323911
  EXPECT_NE(note.find("adjusted for overdispersion"), std::string::npos) << note;
  EXPECT_NE(note.find("0 above and 2 below"), std::string::npos) << note;
}

TEST(FunnelSvg, NeutralOutliersArePurpleAndUnadjustedNoteSaysSo) {
  stats::FunnelOptions options;
  options.type = stats::FunnelType::kRate;
  options.overdispersion = stats::Overdispersion::kOff;
  const stats::FunnelResult f = Funnel(kRateRows, options);
  FunnelChartInput in;
  in.funnel = &f;
  const Document doc = ParseSvg(RenderFunnelSvg(in));
  ASSERT_TRUE(doc.well_formed) << doc.error;
  int purple = 0, outliers = 0;
  for (const stats::FunnelUnit& u : f.units) outliers += u.outlier != stats::FunnelOutlier::kNone;
  for (const Element* u : doc.Find("circle", "units")) purple += u->attrs.at("fill") == kPurple;
  EXPECT_GT(outliers, 2);  // unadjusted limits are narrower
  EXPECT_EQ(purple, outliers);
  EXPECT_NE(doc.GroupText("funnel-note").find("turned off"), std::string::npos);
  EXPECT_EQ(doc.GroupText("funnel-note").find("\xCF\x86 ="), std::string::npos);
  EXPECT_NE(doc.GroupText("legend").find("Outside limits"), std::string::npos);
}

TEST(FunnelSvg, RatioWithoutOutliersAndEscapedNames) {
  // T-FUN-01 (SR, SHMI, adjusted): no unit is outside the adjusted 99.8% limits.
  std::vector<stats::FunnelInput> rows = {{"<a&b>", 100, 108}, {"b", 150, 112}, {"c", 180, 165},
                                          {"d", 80, 95},       {"e", 120, 100}, {"f", 225, 220}};
  const stats::FunnelResult f = Funnel(rows, stats::FunnelOptions{});
  FunnelChartInput in;
  in.title = "SHMI <2024> & \"friends\"";
  in.funnel = &f;
  in.improvement = stats::Direction::kDecrease;
  const std::string svg = RenderFunnelSvg(in);
  const Document doc = ParseSvg(svg);
  ASSERT_TRUE(doc.well_formed) << doc.error;
  EXPECT_EQ(svg.find("<a&b>"), std::string::npos);
  EXPECT_EQ(doc.GroupText("title"), "SHMI <2024> & \"friends\"");
  EXPECT_TRUE(doc.GroupText("unit-labels").empty());
  for (const Element* u : doc.Find("circle", "units")) EXPECT_EQ(u->attrs.at("fill"), kGrey);
  bool tooltip = false;
  for (const Element* t : doc.Find("title", "units")) tooltip |= t->text.rfind("<a&b>:", 0) == 0;
  EXPECT_TRUE(tooltip);
  EXPECT_NE(doc.GroupText("legend").find("Expected (1)"), std::string::npos);
  EXPECT_NE(doc.GroupText("grid").find("Expected"), std::string::npos);  // x axis title
}

TEST(FunnelSvg, LabelsAreCappedAndNeverOverlap) {
  // Many identical high outliers at the same place: only the first label fits there.
  std::vector<std::string> names;
  std::vector<stats::FunnelInput> rows;
  for (int i = 0; i < 30; ++i) names.push_back("unit" + std::to_string(i));
  for (int i = 0; i < 30; ++i) rows.push_back({names[i], i < 5 ? 90.0 : 10.0, 100});
  stats::FunnelOptions options;
  options.type = stats::FunnelType::kProportion;
  options.overdispersion = stats::Overdispersion::kOff;
  const stats::FunnelResult f = Funnel(rows, options);
  FunnelChartInput in;
  in.funnel = &f;
  in.improvement = stats::Direction::kIncrease;
  const Document doc = ParseSvg(RenderFunnelSvg(in));
  ASSERT_TRUE(doc.well_formed) << doc.error;
  // One label per distinct place: the five high units share one spot, the low ones another.
  bool any_low = false;
  for (const stats::FunnelUnit& u : f.units) any_low |= u.outlier == stats::FunnelOutlier::kLow;
  EXPECT_EQ(doc.Find("text", "unit-labels").size(), any_low ? 2u : 1u);
  int blue = 0;
  for (const Element* u : doc.Find("circle", "units")) blue += u->attrs.at("fill") == kBlue;
  EXPECT_EQ(blue, 5);
  in.max_labels = 0;
  EXPECT_TRUE(ParseSvg(RenderFunnelSvg(in)).Find("text", "unit-labels").empty());
}

TEST(FunnelSvg, NoResultSaysNoDataAndRasterWorks) {
  FunnelChartInput in;
  in.title = "Empty";
  Document doc = ParseSvg(RenderFunnelSvg(in));
  ASSERT_TRUE(doc.well_formed) << doc.error;
  EXPECT_NE(doc.GroupText("no-data").find("No data"), std::string::npos);
  stats::FunnelResult empty;
  in.funnel = &empty;
  doc = ParseSvg(RenderFunnelSvg(in));
  ASSERT_TRUE(doc.well_formed) << doc.error;
  EXPECT_TRUE(doc.Find("circle", "units").empty());

  stats::FunnelOptions options;
  options.type = stats::FunnelType::kRate;
  const stats::FunnelResult f = Funnel(kRateRows, options);
  in.funnel = &f;
  Result<std::string> png = RenderFunnelPng(in, 0.5);
  ASSERT_TRUE(png.ok());
  EXPECT_EQ(png->substr(1, 3), "PNG");
  EXPECT_FALSE(RenderFunnelPng(in, 9).ok());
}

}  // namespace
}  // namespace shewhart::chart
