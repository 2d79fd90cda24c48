// The tier rules as data: tests/cases/capability/tiers.csv, a table of people's histories and the
// tier expected on a day (docs/capability.md, "Tiers from evidence").
#include "capability/tiers.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace shewhart::capability {
namespace {

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.front() == ' ')) s.erase(s.begin());
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

TEST(TierRules, TableOfHistories) {
  const std::filesystem::path file =
      std::filesystem::path(SHEWHART_TEST_DATA_DIR) / "cases" / "capability" / "tiers.csv";
  std::ifstream in(file);
  ASSERT_TRUE(in) << file;
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(Trimmed(line), "case,history,overrides,as_of,expected,since");
  int cases = 0;
  while (std::getline(in, line)) {
    if (Trimmed(line).empty()) continue;
    const std::vector<std::string> f = Split(Trimmed(line), ',');
    ASSERT_EQ(f.size(), 6u) << line;
    SCOPED_TRACE(f[0]);
    std::vector<Evidence> evidence;
    for (const std::string& item : Split(f[1], ';')) {
      const std::string t = Trimmed(item);
      if (t.empty()) continue;
      const std::vector<std::string> at = Split(t, '@');
      ASSERT_EQ(at.size(), 2u) << t;
      const std::vector<std::string> what = Split(at[0], ':');
      const std::optional<Activity> a = ParseActivity(what[0]);
      ASSERT_TRUE(a.has_value()) << what[0];
      Tier course = Tier::kNone;
      if (what.size() == 2) course = ParseTier(what[1]).value_or(Tier::kNone);
      evidence.push_back(MakeEvidence(*a, at[1], course, t));
    }
    std::vector<Override> overrides;
    for (const std::string& item : Split(f[2], ';')) {
      const std::string t = Trimmed(item);
      if (t.empty()) continue;
      const std::vector<std::string> at = Split(t, '@');
      ASSERT_EQ(at.size(), 2u) << t;
      overrides.push_back({at[1], ParseTier(at[0]).value(), "a reason", "test"});
    }
    const TierDecision d = DecideTier(evidence, overrides, f[3]);
    EXPECT_EQ(TierWord(d.tier), f[4]);
    EXPECT_EQ(d.since, f[5]);
    if (d.tier != Tier::kNone && d.source == "evidence") {
      EXPECT_FALSE(d.basis.empty());
    }
    ++cases;
  }
  EXPECT_GE(cases, 15);
}

// The improvement part's projects as evidence: tests/cases/capability/project_roles.csv.
TEST(TierRules, ProjectRolesAsEvidence) {
  const std::filesystem::path file =
      std::filesystem::path(SHEWHART_TEST_DATA_DIR) / "cases" / "capability" / "project_roles.csv";
  std::ifstream in(file);
  ASSERT_TRUE(in) << file;
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(Trimmed(line), "case,role,status,started,first_pdsa,as_of,expected,since");
  int cases = 0;
  while (std::getline(in, line)) {
    if (Trimmed(line).empty()) continue;
    const std::vector<std::string> f = Split(Trimmed(line), ',');
    ASSERT_EQ(f.size(), 8u) << line;
    SCOPED_TRACE(f[0]);
    std::vector<Evidence> evidence;
    if (std::optional<Evidence> e = ProjectEvidence({"Falls", f[1], f[2], f[3], f[4]})) {
      evidence.push_back(*e);
      EXPECT_NE(e->what.find("Falls"), std::string::npos);
    }
    const TierDecision d = DecideTier(evidence, {}, f[5]);
    EXPECT_EQ(TierWord(d.tier), f[6]);
    EXPECT_EQ(d.since, f[7]);
    ++cases;
  }
  EXPECT_GE(cases, 12);
}

TEST(TierRules, WordsRoundTrip) {
  for (Tier t : {Tier::kNone, Tier::kLearn, Tier::kLive, Tier::kLead}) {
    EXPECT_EQ(ParseTier(TierWord(t)), t);
  }
  EXPECT_EQ(ParseTier("LEAD"), Tier::kLead);
  EXPECT_FALSE(ParseTier("expert").has_value());
}

}  // namespace
}  // namespace shewhart::capability
