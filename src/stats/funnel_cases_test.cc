// Walks tests/cases/funnel/*.case (format: tests/cases/funnel/README.md): every FunnelPlotR case
// of spc-reference.md §5.3, each file one GoogleTest case. Continuous values are compared with a
// relative tolerance (1e-9 unless the file says `tolerance:`), flags exactly.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "stats/case_table_test_util.h"
#include "stats/funnel.h"

namespace shewhart::stats {
namespace {

using testing::CaseFile;
using testing::CaseTable;
using testing::NearRelative;

const std::filesystem::path kDir = std::filesystem::path(SHEWHART_TEST_DATA_DIR) / "cases/funnel";

FunnelOptions OptionsOf(const CaseFile& c) {
  FunnelOptions o;
  const std::string type = c.Key("type", "ratio");
  o.type = type == "proportion" ? FunnelType::kProportion
           : type == "rate"     ? FunnelType::kRate
                                : FunnelType::kRatio;
  o.sr_method = c.Key("sr_method", "shmi") == "cqc" ? SrMethod::kCqc : SrMethod::kShmi;
  o.limit = c.Key("limit", "99.8") == "95" ? FunnelLimit::k95 : FunnelLimit::k998;
  const std::string od = c.Key("overdispersion", "auto");
  o.overdispersion = od == "on"    ? Overdispersion::kOn
                     : od == "off" ? Overdispersion::kOff
                                   : Overdispersion::kAuto;
  o.trim_by = c.KeyNumber("trim_by", 0.1);
  o.multiplier = c.KeyNumber("multiplier", 1);
  return o;
}

std::vector<FunnelInput> RowsOf(const CaseFile& c) {
  const CaseTable& t = c.tables.at("rows");
  std::vector<FunnelInput> rows;
  for (size_t r = 0; r < t.rows.size(); ++r) {
    rows.push_back(
        FunnelInput{t.Cell(r, "unit"), t.Number(r, "numerator"), t.Number(r, "denominator")});
  }
  return rows;
}

void ExpectNear(double actual, double expected, double tol, const std::string& what) {
  EXPECT_TRUE(NearRelative(actual, expected, tol))
      << what << ": got " << testing::FormatFull(actual) << ", expected "
      << testing::FormatFull(expected);
}

void ExpectLimits(const FunnelLimits& l, const CaseTable& t, size_t r, const std::string& prefix,
                  double tol, const std::string& what) {
  ExpectNear(l.lcl95, t.Number(r, prefix + "lcl95"), tol, what + " " + prefix + "lcl95");
  ExpectNear(l.ucl95, t.Number(r, prefix + "ucl95"), tol, what + " " + prefix + "ucl95");
  ExpectNear(l.lcl998, t.Number(r, prefix + "lcl998"), tol, what + " " + prefix + "lcl998");
  ExpectNear(l.ucl998, t.Number(r, prefix + "ucl998"), tol, what + " " + prefix + "ucl998");
}

void RunFunnel(const CaseFile& c, double tol) {
  const std::vector<FunnelInput> rows = RowsOf(c);
  Result<FunnelResult> r = ComputeFunnel(rows, OptionsOf(c));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectNear(r->phi, c.KeyNumber("phi", 0), tol, "phi");
  ExpectNear(r->tau2, c.KeyNumber("tau2", 0), tol, "tau2");
  EXPECT_EQ(r->adjusted, c.Key("adjusted") == "yes");
  const CaseTable& t = c.tables.at("expect");
  ASSERT_EQ(r->units.size(), t.rows.size());
  for (size_t i = 0; i < t.rows.size(); ++i) {
    const FunnelUnit& u = r->units[i];
    const std::string what = "unit " + u.name;
    EXPECT_EQ(u.name, t.Cell(i, "unit"));
    ExpectNear(u.value, t.Number(i, "value"), tol, what + " value");
    ExpectNear(u.z, t.Number(i, "z"), tol, what + " z");
    ExpectNear(u.w, t.Number(i, "w"), tol, what + " w");
    EXPECT_EQ(u.trimmed, t.Cell(i, "trimmed") == "1") << what << " trimmed";
    ExpectLimits(u.unadjusted, t, i, "", tol, what);
    ExpectLimits(u.adjusted, t, i, "od_", tol, what);
    // The limits in force are the adjusted ones exactly when the adjustment applies.
    const FunnelLimits& in_force = r->adjusted ? u.adjusted : u.unadjusted;
    EXPECT_EQ(u.limits.lcl95, in_force.lcl95) << what;
    EXPECT_EQ(u.limits.ucl998, in_force.ucl998) << what;
    EXPECT_EQ(Name(u.outlier), t.Cell(i, "outlier")) << what << " outlier";
  }
  // The plotting curve passes through each unit's own limits.
  const std::vector<FunnelCurvePoint> curve = FunnelCurve(*r);
  EXPECT_GE(curve.size(), 1000u);
  for (const FunnelUnit& u : r->units) {
    bool found = false;
    for (const FunnelCurvePoint& p : curve) {
      if (p.denominator == u.denominator) {
        found = true;
        EXPECT_EQ(p.limits.ucl95, u.limits.ucl95) << u.name;
        EXPECT_EQ(p.limits.lcl998, u.limits.lcl998) << u.name;
      }
    }
    EXPECT_TRUE(found) << "unit " << u.name << " denominator not on the curve's grid";
  }
}

void RunExactPoisson(const CaseFile& c, double tol) {
  const CaseTable& t = c.tables.at("expect");
  for (size_t i = 0; i < t.rows.size(); ++i) {
    const double x = t.Number(i, "x");
    const FunnelLimits l = ExactPoissonRatioLimits(x, c.KeyNumber("multiplier", 1));
    ExpectLimits(l, t, i, "", tol, "x=" + t.Cell(i, "x"));
  }
}

void RunAggregate(const CaseFile& c) {
  Result<FunnelResult> r = ComputeFunnel(RowsOf(c), OptionsOf(c));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const CaseTable& t = c.tables.at("expect");
  ASSERT_EQ(r->units.size(), t.rows.size());
  for (size_t i = 0; i < t.rows.size(); ++i) {
    const FunnelUnit& u = r->units[i];
    EXPECT_EQ(u.name, t.Cell(i, "unit"));
    EXPECT_EQ(u.numerator, t.Number(i, "numerator")) << u.name;
    EXPECT_EQ(u.denominator, t.Number(i, "denominator")) << u.name;
    EXPECT_EQ(RRound(u.value, 6), t.Number(i, "value_round6")) << u.name;
  }
}

void RunOutliers(const CaseFile& c) {
  const CaseTable& limits = c.tables.at("limits");
  const CaseTable& t = c.tables.at("expect");
  for (size_t s = 0; s < limits.rows.size(); ++s) {
    const std::string set = limits.Cell(s, "set");
    const double m = limits.Number(s, "multiplier");
    for (size_t i = 0; i < t.rows.size(); ++i) {
      const FunnelOutlier o =
          OutlierOf(t.Number(i, "value") * m, limits.Number(s, "lcl"), limits.Number(s, "ucl"));
      EXPECT_EQ(Name(o), t.Cell(i, set)) << set << " value " << t.Cell(i, "value");
    }
  }
}

void RunTruncation(const CaseFile& c) {
  const CaseTable& t = c.tables.at("expect");
  for (size_t i = 0; i < t.rows.size(); ++i) {
    const int n = static_cast<int>(t.Number(i, "n"));
    std::vector<double> z;
    for (int k = 1; k <= n; ++k) z.push_back(k);
    const std::vector<bool> flags = TruncationFlags(z, c.KeyNumber("trim_by", 0.1));
    std::string got;
    for (int k = 0; k < n; ++k) {
      if (flags[k]) got += (got.empty() ? "" : " ") + std::to_string(k + 1);
    }
    if (got.empty()) got = "none";
    EXPECT_EQ(got, t.Cell(i, "truncated_ranks")) << "N = " << n;
  }
}

void RunWinsorisation(const CaseFile& c, double tol) {
  const CaseTable& t = c.tables.at("expect");
  const std::vector<double> z = t.NumberColumn("z");
  std::vector<double> w;
  std::vector<bool> flag;
  Winsorise(z, c.KeyNumber("trim_by", 0.1), &w, &flag);
  for (size_t i = 0; i < t.rows.size(); ++i) {
    ExpectNear(w[i], t.Number(i, "w"), tol, "w at z=" + t.Cell(i, "z"));
    EXPECT_EQ(flag[i], t.Cell(i, "winsorised") == "1") << "z=" << t.Cell(i, "z");
  }
  // The quantiles themselves are the clamped values of the extreme z-scores.
  ExpectNear(w.front(), c.KeyNumber("lz", 0), tol, "lz");
  ExpectNear(w.back(), c.KeyNumber("uz", 0), tol, "uz");
}

class FunnelCase : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(FunnelCase, MatchesReference) {
  const CaseFile c = testing::ReadCaseFile(GetParam());
  const double tol = c.KeyNumber("tolerance", 1e-9);
  const std::string kind = c.Key("kind");
  if (kind == "funnel") {
    RunFunnel(c, tol);
  } else if (kind == "exact_poisson_limits") {
    RunExactPoisson(c, tol);
  } else if (kind == "aggregate") {
    RunAggregate(c);
  } else if (kind == "outliers") {
    RunOutliers(c);
  } else if (kind == "truncation") {
    RunTruncation(c);
  } else if (kind == "winsorisation") {
    RunWinsorisation(c, tol);
  } else {
    FAIL() << c.path << ": unknown kind '" << kind << "'";
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, FunnelCase, ::testing::ValuesIn(testing::CaseFilesIn(kDir)),
                         [](const ::testing::TestParamInfo<std::filesystem::path>& info) {
                           return testing::TestNameOf(info.param);
                         });

TEST(FunnelCaseFolder, HasTheSpecCases) { EXPECT_GE(testing::CaseFilesIn(kDir).size(), 12u); }

}  // namespace
}  // namespace shewhart::stats
