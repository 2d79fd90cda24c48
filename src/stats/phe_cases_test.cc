// Walks tests/cases/phe/*.case (format: tests/cases/phe/README.md): every PHE / Fingertips case
// of spc-reference.md §5.4, each file one GoogleTest case. Continuous values are compared with a
// relative tolerance (1e-9 unless the file says `tolerance:`), labels exactly. A cell "-" means
// the source gives no value to check.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "stats/case_table_test_util.h"
#include "stats/funnel.h"
#include "stats/intervals.h"

namespace shewhart::stats {
namespace {

using testing::CaseFile;
using testing::CaseTable;
using testing::NearRelative;

const std::filesystem::path kDir = std::filesystem::path(SHEWHART_TEST_DATA_DIR) / "cases/phe";

void ExpectNear(double actual, const CaseTable& t, size_t r, const std::string& column, double tol,
                const std::string& what) {
  if (t.Cell(r, column) == "-") return;
  const double expected = t.Number(r, column);
  EXPECT_TRUE(NearRelative(actual, expected, tol))
      << what << " " << column << ": got " << testing::FormatFull(actual) << ", expected "
      << testing::FormatFull(expected);
}

void ExpectNearKey(double actual, const CaseFile& c, const std::string& key, double tol) {
  const double expected = c.KeyNumber(key, 0);
  EXPECT_TRUE(NearRelative(actual, expected, tol))
      << key << ": got " << testing::FormatFull(actual) << ", expected "
      << testing::FormatFull(expected);
}

Polarity PolarityOf(const CaseFile& c) {
  const std::string p = c.Key("polarity", "high_is_good");
  return p == "low_is_good"      ? Polarity::kLowIsGood
         : p == "not_applicable" ? Polarity::kNotApplicable
                                 : Polarity::kHighIsGood;
}

void RunWilson(const CaseTable& t, double tol) {
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const std::string what = "x=" + t.Cell(r, "x") + " n=" + t.Cell(r, "n");
    Result<Interval> ci =
        WilsonInterval(t.Number(r, "x"), t.Number(r, "n"), t.Number(r, "confidence"));
    ASSERT_TRUE(ci.ok()) << what << ": " << ci.status().ToString();
    ExpectNear(ci->lower, t, r, "lower", tol, what);
    ExpectNear(ci->upper, t, r, "upper", tol, what);
  }
}

void RunByar(const CaseTable& t, double tol) {
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const std::string what = "x=" + t.Cell(r, "x");
    Result<Interval> ci = ByarInterval(t.Number(r, "x"), t.Number(r, "confidence"));
    ASSERT_TRUE(ci.ok()) << what << ": " << ci.status().ToString();
    ExpectNear(ci->lower, t, r, "lower", tol, what);
    ExpectNear(ci->upper, t, r, "upper", tol, what);
  }
}

void RunProportionOrRate(const CaseFile& c, const CaseTable& t, double tol, bool rate) {
  const double m = c.KeyNumber("multiplier", 1);
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const double x = t.Number(r, "numerator"), n = t.Number(r, "denominator");
    const std::string what = "x=" + t.Cell(r, "numerator") + " n=" + t.Cell(r, "denominator");
    for (double conf : {0.95, 0.998}) {
      Result<Estimate> e = rate ? CrudeRate(x, n, conf, m) : Proportion(x, n, conf, m);
      ASSERT_TRUE(e.ok()) << what << ": " << e.status().ToString();
      const std::string suffix = conf == 0.95 ? "95" : "998";
      ExpectNear(e->value, t, r, "value", tol, what);
      ExpectNear(e->lower, t, r, "lower" + suffix, tol, what);
      ExpectNear(e->upper, t, r, "upper" + suffix, tol, what);
      if (t.Has("method")) {
        EXPECT_EQ(Name(e->method), t.Cell(r, "method")) << what;
      }
    }
  }
}

void RunProportionFunnelLimits(const CaseFile& c, const CaseTable& t, double tol) {
  const double pbar = c.KeyNumber("pbar", 0), m = c.KeyNumber("multiplier", 1);
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const std::string what = "population " + t.Cell(r, "population");
    const FunnelLimits l = PheProportionLimitsRow(pbar, t.Number(r, "population"), m);
    ExpectNear(l.lcl95, t, r, "lcl95", tol, what);
    ExpectNear(l.ucl95, t, r, "ucl95", tol, what);
    ExpectNear(l.lcl998, t, r, "lcl998", tol, what);
    ExpectNear(l.ucl998, t, r, "ucl998", tol, what);
  }
}

void RunProportionFunnelRaw(const CaseFile& c, const CaseTable& t, double tol) {
  const double pbar = c.KeyNumber("pbar", 0), m = c.KeyNumber("multiplier", 1);
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const std::string what = "n " + t.Cell(r, "n");
    const double n = t.Number(r, "n");
    const PheLimitPair two = PheProportionLimits(pbar, n, 0.975, m);
    const PheLimitPair three = PheProportionLimits(pbar, n, 0.999, m);
    ExpectNear(two.low, t, r, "low975", tol, what);
    ExpectNear(two.high, t, r, "high975", tol, what);
    ExpectNear(three.low, t, r, "low999", tol, what);
    ExpectNear(three.high, t, r, "high999", tol, what);
  }
}

void RunPoissonBisection(const CaseTable& t, double tol) {
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const double o = t.Number(r, "O");
    const std::string what = "O=" + t.Cell(r, "O");
    const PheRatioExpected e = PheRatioFunnelExpected(o);
    ExpectNear(e.lower_2s, t, r, "lower_2s", tol, what);
    ExpectNear(e.upper_2s, t, r, "upper_2s", tol, what);
    ExpectNear(e.lower_3s, t, r, "lower_3s", tol, what);
    ExpectNear(e.upper_3s, t, r, "upper_3s", tol, what);
    // The exact chi-square values the bisection approximates (full precision: 1e-9).
    Result<Interval> exact = ExactPoissonInterval(o, 0.95);
    ASSERT_TRUE(exact.ok());
    ExpectNear(exact->upper, t, r, "exact_high", 1e-9, what);
    ExpectNear(exact->lower, t, r, "exact_low", 1e-9, what);
  }
}

void RunRatioFunnelLimits(const CaseTable& t, double tol) {
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const double o = t.Number(r, "O");
    const std::string what = "O=" + t.Cell(r, "O");
    const FunnelLimits count = PheRatioLimitsRow(o, PheRatioType::kCount);
    const FunnelLimits isr = PheRatioLimitsRow(o, PheRatioType::kIsr);
    ExpectNear(count.lcl95, t, r, "lower_2s_count", tol, what);
    ExpectNear(isr.lcl95, t, r, "lower_2s_isr", tol, what);
    ExpectNear(count.ucl95, t, r, "upper_2s_count", tol, what);
    ExpectNear(isr.ucl95, t, r, "upper_2s_isr", tol, what);
  }
}

void RunRatioSignificance(const CaseTable& t) {
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const PheSignificance s = PheRatioSignificance(t.Number(r, "obs"), t.Number(r, "expected"));
    EXPECT_EQ(Name(s), t.Cell(r, "significance")) << "obs " << t.Cell(r, "obs");
  }
}

void RunProportionSignificance(const CaseFile& c, const CaseTable& t) {
  const double pbar = c.KeyNumber("pbar", 0);
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const PheSignificance s =
        PheProportionSignificance(t.Number(r, "numerator"), t.Number(r, "denominator"), pbar);
    EXPECT_EQ(Name(s), t.Cell(r, "significance")) << "numerator " << t.Cell(r, "numerator");
  }
}

void RunSpc(const CaseFile& c, const CaseTable& t, double tol, bool dsr) {
  const double unit = c.KeyNumber("unit", 100);
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const std::string what = "row " + std::to_string(r + 1);
    const SpcComparison s =
        dsr ? CompareSpcForDsr(t.Number(r, "value"), t.Number(r, "population"),
                               t.Number(r, "comparator"), unit, t.Number(r, "p"), PolarityOf(c))
            : CompareSpcForProportions(t.Number(r, "value"), t.Number(r, "denominator"),
                                       t.Number(r, "comparator"), unit, t.Number(r, "z"),
                                       PolarityOf(c));
    ExpectNear(s.lower, t, r, "lower", tol, what);
    ExpectNear(s.upper, t, r, "upper", tol, what);
    EXPECT_EQ(Name(s.result), t.Cell(r, "result")) << what;
  }
}

std::vector<double> Numbers(const std::string& text) {
  std::istringstream in(text);
  std::vector<double> out;
  std::string word;
  while (in >> word) out.push_back(testing::ParseNumber(word));
  return out;
}

void RunTrend(const CaseFile& c, const CaseTable& t, double tol, bool proportion) {
  const TrendMarkerResult r =
      proportion ? ProportionTrendMarker(t.NumberColumn("count"), t.NumberColumn("denominator"))
                 : IntervalTrendMarker(t.NumberColumn("value"), t.NumberColumn("lower95"),
                                       t.NumberColumn("upper95"));
  EXPECT_EQ(Name(r.marker), c.Key("marker"));
  ExpectNearKey(r.chi_squared, c, "chi_squared", tol);
  if (!c.Key("slope").empty()) ExpectNearKey(r.slope, c, "slope", tol);
  const std::vector<double> loo = Numbers(c.Key("leave_one_out"));
  for (size_t k = 0; k < loo.size(); ++k) {
    EXPECT_TRUE(NearRelative(r.leave_one_out[k], loo[k], tol))
        << "leave-one-out slope " << k + 1 << ": got " << r.leave_one_out[k] << ", expected "
        << loo[k];
  }
}

class PheCase : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(PheCase, MatchesReference) {
  const CaseFile c = testing::ReadCaseFile(GetParam());
  const double tol = c.KeyNumber("tolerance", 1e-9);
  const std::string kind = c.Key("kind");
  const CaseTable& t = c.tables.count("expect") ? c.tables.at("expect") : c.tables.at("points");
  if (kind == "wilson") {
    RunWilson(t, tol);
  } else if (kind == "byar") {
    RunByar(t, tol);
  } else if (kind == "proportion") {
    RunProportionOrRate(c, t, tol, false);
  } else if (kind == "rate") {
    RunProportionOrRate(c, t, tol, true);
  } else if (kind == "proportion_funnel_limits") {
    RunProportionFunnelLimits(c, t, tol);
  } else if (kind == "proportion_funnel_raw") {
    RunProportionFunnelRaw(c, t, tol);
  } else if (kind == "poisson_bisection") {
    RunPoissonBisection(t, tol);
  } else if (kind == "ratio_funnel_limits") {
    RunRatioFunnelLimits(t, tol);
  } else if (kind == "ratio_significance") {
    RunRatioSignificance(t);
  } else if (kind == "proportion_significance") {
    RunProportionSignificance(c, t);
  } else if (kind == "spc_for_proportions") {
    RunSpc(c, t, tol, false);
  } else if (kind == "spc_for_dsr") {
    RunSpc(c, t, tol, true);
  } else if (kind == "trend_interval") {
    RunTrend(c, t, tol, false);
  } else if (kind == "trend_proportion") {
    RunTrend(c, t, tol, true);
  } else {
    FAIL() << c.path << ": unknown kind '" << kind << "'";
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, PheCase, ::testing::ValuesIn(testing::CaseFilesIn(kDir)),
                         [](const ::testing::TestParamInfo<std::filesystem::path>& info) {
                           return testing::TestNameOf(info.param);
                         });

TEST(PheCaseFolder, HasTheSpecCases) { EXPECT_GE(testing::CaseFilesIn(kDir).size(), 16u); }

}  // namespace
}  // namespace shewhart::stats
