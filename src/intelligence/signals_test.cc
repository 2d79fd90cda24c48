// Signals and the time line on SQLite and PostgreSQL: a cluster of incidents with severe harm is
// the first signal of its organisation and is invisible outside scope; the documented ranking
// (docs/intelligence.md); every strand on one time line in date order.
#include "intelligence/signals.h"

#include <filesystem>
#include <set>

#include "directory/directory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "imports/testing/storage_fixture.h"
#include "intelligence/part.h"
#include "intelligence/incidents.h"
#include "intelligence/records.h"

namespace shewhart::intelligence {
namespace {

namespace fs = std::filesystem;
using ::shewhart::testing::StorageTest;
using ::shewhart::testing::ValueOrDie;
using ::testing::HasSubstr;
using ::testing::Not;

class SignalsTest : public StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    if (IsSkipped() || conn_ == nullptr) return;
    LoadBase(/*with_observations=*/true);
    ValueOrDie(imports::ImportOrganisationsFile(
        *conn_,
        (fs::path(SHEWHART_TEST_DATA_DIR) / "cases" / "intelligence" / "base" / "units.csv")
            .string(),
        Options()));
  }
  void ImportText(std::string_view kind, const std::string& text) {
    const fs::path p = dir_ / (std::string(kind) + ".csv");
    ::shewhart::testing::WriteText(p, text);
    for (const imports::Importer& i : Importers()) {
      if (i.kind == kind) {
        ValueOrDie(imports::ImportFile(*conn_, i, p.string(), Options()));
        return;
      }
    }
    FAIL() << "no importer " << kind;
  }
  access::Scope ScopeOf(const std::vector<std::string>& codes) {
    access::Scope s;
    for (const std::string& c : codes) {
      s.unit_ids.insert(ValueOrDie(directory::UnitIdByCode(*conn_, c)));
    }
    return s;
  }
  // A cluster of severe harm at RAA (one at its ward), and a little of everything else.
  void LoadCluster() {
    ImportText("incidents",
               "reference,organisation,occurred,reported,category,harm,summary\n"
               "S-1,RAA,2024-03-02,2024-03-02,Falls,severe,Fall with fracture\n"
               "S-2,RAA-W1,2024-03-09,2024-03-10,Falls,severe,Fall with head injury\n"
               "S-3,RAA,2024-03-20,2024-03-21,Falls,severe,Fall on the stairs\n"
               "L-1,RAA,2024-01-05,2024-01-05,Medication,low,\n"
               "L-2,RBB,2024-02-05,2024-02-06,Medication,moderate,\n");
    ImportText("ratings",
               "organisation,published,overall,safe,effective,caring,responsive,well_led\n"
               "RAA,2021-05-01,good,good,good,good,good,good\n"
               "RAA,2024-02-01,requires_improvement,requires_improvement,good,good,good,"
               "requires_improvement\n");
    ImportText("notes",
               "organisation,noted_on,text,source,theme,concerning\n"
               "RAA,2024-02-10,Night staffing on ward 1 is thin,staff,Staffing,yes\n");
    ImportText("horizon",
               "reference,title,type,published,due,organisations\n"
               "NatPSA-1,Nasogastric tubes,safety_alert,2023-10-01,2024-01-31,RAA\n");
    ImportText("audits",
               "reference,organisation,audit,standard,date,met\n"
               "A-1,RAA,Falls audit,Lying and standing blood pressure,2024-02-01,not_met\n");
    ImportText("complaints",
               "reference,organisation,received,subject,outcome\n"
               "C-1,RAA,2024-03-01,Communications,upheld\n");
  }
  const SignalOptions kAsOf{.as_of = "2024-04-30"};
};

TEST_P(SignalsTest, ASevereHarmClusterIsRankedFirstForItsOrganisation) {
  LoadCluster();
  const access::Scope all{.all = true};
  std::vector<Signal> s = ValueOrDie(OrganisationSignals(*conn_, all, "RAA", kAsOf));
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s[0].rank, 1);
  EXPECT_EQ(s[0].source, "incident");
  EXPECT_EQ(s[0].date, "2024-03-20");
  EXPECT_THAT(s[0].reason, HasSubstr("3 patient safety incidents with severe harm"));
  std::set<std::string> sources;
  for (size_t i = 0; i < s.size(); ++i) {
    EXPECT_EQ(s[i].rank, static_cast<int>(i) + 1);
    EXPECT_FALSE(s[i].reason.empty());
    if (i > 0) EXPECT_GE(s[i - 1].weight, s[i].weight);
    sources.insert(s[i].source);
  }
  for (const char* want : {"incident", "rating", "note", "horizon", "audit"}) {
    EXPECT_TRUE(sources.count(want)) << want;
  }
  // RBB has its moderate incident but no severe harm: no incident signal.
  for (const Signal& x : ValueOrDie(OrganisationSignals(*conn_, all, "RBB", kAsOf))) {
    EXPECT_NE(x.source, "incident") << x.reason;
  }
}

TEST_P(SignalsTest, OutsideScopeNeitherTheIncidentsNorTheirSignalsAreSeen) {
  LoadCluster();
  const access::Scope other = ScopeOf({"RBB"});
  EXPECT_TRUE(ValueOrDie(ListRecords(*conn_, IncidentKind(), other, {.unit = "RAA"})).empty());
  for (const Signal& x : ValueOrDie(OrganisationSignals(*conn_, other, "RAA", kAsOf))) {
    EXPECT_NE(x.source, "incident") << x.reason;
    EXPECT_NE(x.source, "note") << x.reason;
    EXPECT_NE(x.source, "complaint") << x.reason;
    EXPECT_THAT(x.reason, Not(HasSubstr("severe harm")));
  }
  for (const TimelineItem& t : ValueOrDie(Timeline(*conn_, other, "RAA", "", ""))) {
    EXPECT_NE(t.source, "incident") << t.title;
    EXPECT_NE(t.source, "note") << t.title;
    EXPECT_NE(t.source, "complaint") << t.title;
  }
  // The system view: RAA is still there (its rating is published), but not for its incidents.
  for (const OrganisationWeight& w : ValueOrDie(SystemSignals(*conn_, other, kAsOf))) {
    if (w.code == "RAA") EXPECT_NE(w.top.source, "incident");
  }
  // In scope, the system view puts RAA first.
  std::vector<OrganisationWeight> sys =
      ValueOrDie(SystemSignals(*conn_, access::Scope{.all = true}, kAsOf));
  ASSERT_FALSE(sys.empty());
  EXPECT_EQ(sys[0].code, "RAA");
  EXPECT_EQ(sys[0].top.source, "incident");
}

// Signals are kept between requests until the data change: a new incident shows at once.
TEST_P(SignalsTest, ANewIncidentShowsAtOnceDespiteTheCache) {
  LoadCluster();
  const access::Scope all{.all = true};
  for (const Signal& x : ValueOrDie(OrganisationSignals(*conn_, all, "RBB", kAsOf))) {
    EXPECT_NE(x.source, "incident") << x.reason;
  }
  ImportText("incidents",
             "reference,organisation,occurred,reported,category,harm\n"
             "F-1,RBB,2024-04-02,2024-04-03,Medication,fatal\n");
  std::vector<Signal> s = ValueOrDie(OrganisationSignals(*conn_, all, "RBB", kAsOf));
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s[0].source, "incident");
  EXPECT_THAT(s[0].reason, HasSubstr("died"));
  // The same request again (from the cache) answers the same.
  EXPECT_EQ(ValueOrDie(OrganisationSignals(*conn_, all, "RBB", kAsOf))[0].reason, s[0].reason);
}

// The system view of one place: only the organisations within it (RAA is in PL1, RBB in PL2).
TEST_P(SignalsTest, TheSystemViewOfAPlaceHoldsOnlyItsOrganisations) {
  LoadCluster();
  ImportText("ratings",
             "organisation,published,overall,safe,effective,caring,responsive,well_led\n"
             "RBB,2024-01-10,inadequate,inadequate,good,good,good,inadequate\n");
  const access::Scope all{.all = true};
  std::set<std::string> everywhere, in_pl1, in_pl2, in_system;
  for (const auto& w : ValueOrDie(SystemSignals(*conn_, all, kAsOf))) everywhere.insert(w.code);
  SignalOptions o = kAsOf;
  o.place = "PL1";
  for (const auto& w : ValueOrDie(SystemSignals(*conn_, all, o))) in_pl1.insert(w.code);
  o.place = "PL2";
  for (const auto& w : ValueOrDie(SystemSignals(*conn_, all, o))) in_pl2.insert(w.code);
  o.place = "SYS";
  for (const auto& w : ValueOrDie(SystemSignals(*conn_, all, o))) in_system.insert(w.code);
  EXPECT_TRUE(everywhere.count("RAA") && everywhere.count("RBB"));
  EXPECT_TRUE(in_pl1.count("RAA"));
  EXPECT_FALSE(in_pl1.count("RBB"));
  EXPECT_TRUE(in_pl2.count("RBB"));
  EXPECT_FALSE(in_pl2.count("RAA"));
  EXPECT_EQ(in_system, everywhere);
  o.place = "NOPE";
  EXPECT_EQ(SystemSignals(*conn_, all, o).status().code(), StatusCode::kNotFound);
}

TEST_P(SignalsTest, TheTimelineHoldsEveryStrandInDateOrder) {
  LoadCluster();
  std::vector<TimelineItem> t =
      ValueOrDie(Timeline(*conn_, access::Scope{.all = true}, "RAA", "2021-01-01", "2024-04-30"));
  std::set<std::string> sources;
  for (size_t i = 0; i < t.size(); ++i) {
    if (i > 0) EXPECT_LE(t[i - 1].date, t[i].date);
    EXPECT_FALSE(t[i].title.empty());
    sources.insert(t[i].source);
  }
  for (const char* want : {"incident", "complaint", "audit", "rating", "note", "horizon"}) {
    EXPECT_TRUE(sources.count(want)) << want;
  }
  // The window applies.
  for (const TimelineItem& i :
       ValueOrDie(Timeline(*conn_, access::Scope{.all = true}, "RAA", "2024-03-01", ""))) {
    EXPECT_GE(i.date, "2024-03-01");
  }
}

// The documented order (docs/intelligence.md, "Signals"): tiers first, then the newest, then the
// source order, then the metric.
TEST(RankSignals, FollowsTheDocumentedOrder) {
  std::vector<Signal> s = {
      {.source = "horizon", .date = "2024-01-31", .weight = 45},
      {.source = "spc", .metric = "B", .date = "2024-03-01", .weight = 80},
      {.source = "incident", .date = "2024-02-01", .weight = 90},
      {.source = "spc", .metric = "A", .date = "2024-03-01", .weight = 80},
      {.source = "incident", .date = "2023-12-01", .weight = 100},
      {.source = "rating", .date = "2024-03-01", .weight = 80},
      {.source = "spc", .metric = "C", .date = "2024-04-01", .weight = 80},
  };
  RankSignals(&s);
  std::vector<std::string> order;
  for (const Signal& x : s) order.push_back(x.source + x.metric);
  EXPECT_EQ(order, (std::vector<std::string>{"incident", "incident", "spcC", "rating", "spcA",
                                             "spcB", "horizon"}));
  EXPECT_EQ(s.front().rank, 1);
  EXPECT_EQ(s.back().rank, 7);
}

INSTANTIATE_STORAGE_TEST(SignalsTest);

}  // namespace
}  // namespace shewhart::intelligence
